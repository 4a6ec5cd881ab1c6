//! Auto-deleveraging: a bankrupt remainder handed to opposite accounts ranked by profit ×
//! leverage, at the bankruptcy price.

use super::Venue;
use crate::accounts::Account;
use crate::margin::MarginTable;
use crate::record::AdlRecord;
use crate::recorder::Recorder;

/// How long an ADL queue is used before it is ranked again, ns.
pub const ADL_REFRESH_NS: i64 = 1_000_000_000;

/// The ranked ADL queue of one side and when it was ranked.
#[derive(Clone, Debug)]
pub struct AdlCache {
    /// Time of the ranking, ns.
    pub computed_ns: i64,
    /// Against bankrupt longs (shorts ranked) or bankrupt shorts (longs ranked).
    pub bankrupt_long: bool,
    /// (score, account), best first.
    pub ranked: Vec<(f64, u32)>,
}

impl Venue {
    /// Hands `qty` lots of the bankrupt `id` to opposite accounts ranked by profit × leverage,
    /// at the bankruptcy price. Returns the lots transferred.
    pub(super) fn deleverage(
        &mut self,
        id: u32,
        liq: u32,
        qty: i64,
        now_ns: i64,
        rec: &mut Recorder,
    ) -> i64 {
        let bankrupt_long = self.accounts[id as usize].pos > 0;
        let ranked = self.adl_queue(bankrupt_long, now_ns);
        let mut left = qty;
        let mut cursor = 0;
        while left > 0 && cursor < ranked.len() {
            let (score, other) = ranked[cursor];
            cursor += 1;
            let opposite = self.accounts[other as usize].pos;
            // The queue may be up to a refresh old: skip accounts that have since closed.
            if other == id || opposite == 0 || (opposite > 0) == bankrupt_long {
                continue;
            }
            let take = left.min(opposite.abs());
            let price = MarginTable::bankruptcy_price(
                self.accounts[id as usize].cash,
                self.accounts[id as usize].pos,
            );
            let b = self.bankruptcy_value(id, take);
            let sign = if bankrupt_long { -1 } else { 1 };
            self.trade(id, sign * take, b);
            self.trade(other, -sign * take, b);
            self.touched.push(other);
            left -= take;
            rec.out.counters.adl_fills += 1;
            rec.out.adl.push(AdlRecord {
                time_ns: now_ns,
                liquidation: liq,
                bankrupt: id,
                counterparty: other,
                qty: take,
                price,
                score,
            });
        }
        self.adl_cache = Some(AdlCache {
            ranked,
            ..self.adl_cache.take().expect("built by adl_queue")
        });
        self.reindex_touched();
        qty - left
    }

    /// The ADL queue against a bankrupt long (or short): opposite accounts by descending
    /// score, ties on id. Ranking every account is O(accounts), so, as venues do, the queue is
    /// kept and refreshed at most every [`ADL_REFRESH_NS`].
    fn adl_queue(&mut self, bankrupt_long: bool, now_ns: i64) -> Vec<(f64, u32)> {
        if let Some(c) = self.adl_cache.as_mut() {
            if c.bankrupt_long == bankrupt_long && now_ns - c.computed_ns < ADL_REFRESH_NS {
                return std::mem::take(&mut c.ranked);
            }
        }
        let mark = self.mark.value();
        let mut ranked: Vec<(f64, u32)> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|&(i, a)| {
                a.pos != 0 && (a.pos > 0) != bankrupt_long && Some(i as u32) != self.fund_acct
            })
            .map(|(i, a)| (adl_score(a, mark), i as u32))
            .collect();
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        self.adl_cache = Some(AdlCache {
            computed_ns: now_ns,
            bankrupt_long,
            ranked: Vec::new(),
        });
        ranked
    }
}

/// Unrealised profit at the mark, units.
pub(super) fn pnl(a: &Account, mark: i64) -> i64 {
    (i128::from(a.pos) * i128::from(mark) - i128::from(a.entry_value)) as i64
}

/// BitMEX's ranking: PnL% × effective leverage when in profit, PnL% / leverage otherwise.
fn adl_score(a: &Account, mark: i64) -> f64 {
    let entry = (a.entry_value as f64).abs().max(1.0);
    let pnl_pct = pnl(a, mark) as f64 / entry;
    let mark_value = (a.pos as f64 * mark as f64).abs();
    let equity = a.equity(mark) as f64;
    let lev = if a.margin && equity > 0.0 {
        mark_value / equity
    } else {
        1.0
    };
    if pnl_pct > 0.0 {
        pnl_pct * lev
    } else {
        pnl_pct / lev.max(1e-9)
    }
}
