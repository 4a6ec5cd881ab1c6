//! The initial-margin gate: an order that would take a margin account past the initial margin
//! of its tier is refused at entry (counted as `orders.rejected_margin`).
//!
//! The exposure is counted conservatively: the position plus every resting order of the same
//! side plus the new order, as if all of them filled and none of the other side did, valued at
//! the mark. An order on the other side of the position, no larger than it, only reduces and
//! always passes. Accounts without margin (makers, noise traders) are not gated.

use super::Venue;
use crate::agents::{Action, OrderList};
use crate::recorder::Recorder;
use crate::scheduler::Scheduler;
use cascade_book::{OrderId, Side};

impl Venue {
    /// An instruction of `owner` reaching the exchange, through the initial-margin gate when it
    /// is on; `orders` are the owner's resting handles (some may have filled since).
    pub(crate) fn enter_gated(
        &mut self,
        owner: u32,
        action: Action,
        orders: &OrderList,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) -> Option<OrderId> {
        // Most arrivals are of accounts without margin: only margin accounts pay for the check.
        if self.gate
            && self.accounts[owner as usize].margin
            && self.past_initial_margin(owner, &action, orders)
        {
            let c = &mut rec.out.counters;
            c.arrivals += 1;
            c.rejects += 1;
            c.rejected_margin += 1;
            return None;
        }
        self.enter(owner, action, clock, rec)
    }

    /// True when `action` would take `owner` past the initial margin of its tier.
    #[inline(never)]
    fn past_initial_margin(&self, owner: u32, action: &Action, orders: &OrderList) -> bool {
        let (side, qty) = match *action {
            Action::Limit { side, qty, .. } | Action::Market { side, qty } => (side, qty.0),
            Action::Cancel(_) | Action::Deposit(_) => return false,
        };
        let acc = &self.accounts[owner as usize];
        if acc.in_liquidation() {
            return false;
        }
        let sign = if side == Side::Buy { 1 } else { -1 };
        if acc.pos.signum() == -sign && qty <= acc.pos.abs() {
            return false;
        }
        let resting: i64 = (0..orders.len())
            .filter_map(|i| orders.get(i).and_then(|id| self.book.order(id)))
            .filter(|o| o.side == side)
            .map(|o| o.qty.0)
            .sum();
        let exposure = i128::from(acc.pos) + i128::from(sign) * i128::from(resting + qty);
        let mark = self.mark.value();
        let notional = (exposure.abs() * i128::from(mark)).min(i128::from(i64::MAX)) as i64;
        acc.equity(mark) < i128::from(self.margin.initial(notional))
    }
}
