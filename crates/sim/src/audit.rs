//! The ledger audit behind `--audit`: after every event, the accounts the event changed must
//! net to zero; every [`FULL_AUDIT_EVERY`] events and at the end, the whole ledger is re-summed
//! and compared, account by account, with the audit's own copy.
//!
//! The audit observes a [`Venue`]; it never mutates one. It keeps its own copy of every
//! account's (cash, position), of the fund and of the deposits.

use crate::scenario::Shortfall;
use crate::venue::Venue;

/// Under `--audit`, the whole ledger is re-summed (and compared account by account with the
/// audit's own copy) every this many events, and at the end.
pub(crate) const FULL_AUDIT_EVERY: u64 = 4096;

/// The audit's own copy of a venue's ledger.
#[derive(Clone, Debug)]
pub(crate) struct Audit {
    /// Each account's (cash, position, collateral units).
    shadow: Vec<(i64, i64, i64)>,
    fund: i64,
    /// The venue's trading-fee pool.
    fees: i64,
    /// Deposits plus the cash credited for collateral sold at takeovers: the declared flows.
    deposits: i64,
    /// Collateral units held or sold, by asset, at the start: conserved.
    units: Vec<i64>,
    /// Collateral units sold so far, all assets.
    sold: i64,
}

/// Declared flows into a venue's cash ledger: deposits and collateral sold at takeovers.
fn declared(venue: &Venue) -> i64 {
    venue.ledger.deposits + venue.ledger.collateral_sold
}

/// Collateral units per asset: held by accounts plus sold at takeovers.
fn units_by_asset(venue: &Venue) -> Vec<i64> {
    let mut units = venue.units_sold().to_vec();
    for a in &venue.accounts {
        if a.collateral_units != 0 {
            let k = usize::from(a.collateral_asset);
            if units.len() <= k {
                units.resize(k + 1, 0);
            }
            units[k] += a.collateral_units;
        }
    }
    units
}

impl Audit {
    /// Starts from the venue as it is now.
    pub(crate) fn new(venue: &Venue) -> Self {
        Self {
            shadow: venue
                .accounts
                .iter()
                .map(|a| (a.cash, a.pos, a.collateral_units))
                .collect(),
            fund: venue.fund,
            fees: venue.fee_pool,
            deposits: declared(venue),
            units: units_by_asset(venue),
            sold: venue.ledger.collateral_units_sold,
        }
    }

    /// Checks event number `event` (1-based): its changes net out, and on every
    /// [`FULL_AUDIT_EVERY`]th event the whole ledger holds.
    pub(crate) fn check_event(&mut self, venue: &Venue, event: u64) -> Result<(), String> {
        self.event_nets_to_zero(venue)?;
        if event % FULL_AUDIT_EVERY == 0 {
            self.ledger_holds(venue)?;
        }
        Ok(())
    }

    /// The changes of one event net to zero: over the accounts it changed, positions sum to
    /// zero and cash plus the fund's change equals the new deposits.
    fn event_nets_to_zero(&mut self, venue: &Venue) -> Result<(), String> {
        let (mut cash, mut pos, mut units) = (0i128, 0i128, 0i128);
        for &id in venue.dirty() {
            let a = &venue.accounts[id as usize];
            let shadow = &mut self.shadow[id as usize];
            cash += i128::from(a.cash - shadow.0);
            pos += i128::from(a.pos - shadow.1);
            units += i128::from(a.collateral_units - shadow.2);
            *shadow = (a.cash, a.pos, a.collateral_units);
        }
        let fund = i128::from(venue.fund - self.fund) + i128::from(venue.fee_pool - self.fees);
        let deposits = i128::from(declared(venue) - self.deposits);
        let sold = i128::from(venue.ledger.collateral_units_sold - self.sold);
        self.fund = venue.fund;
        self.fees = venue.fee_pool;
        self.deposits = declared(venue);
        self.sold = venue.ledger.collateral_units_sold;
        if pos != 0 {
            return Err(format!(
                "the event changed positions by {pos} lots in all, not 0"
            ));
        }
        if units + sold != 0 {
            return Err(format!(
                "the event changed collateral units by {units} in accounts and {sold} sold, \
                 not netting to 0"
            ));
        }
        if cash + fund != deposits {
            return Err(format!(
                "the event moved {cash} units of cash and {fund} of fund and fees against {deposits} of deposits"
            ));
        }
        fund_not_negative_under_adl(venue)
    }

    /// The ledger invariant: positions sum to zero; open interest is the sum of longs; every
    /// account matches the audit's copy; cash + fund equals all deposits.
    pub(crate) fn ledger_holds(&self, venue: &Venue) -> Result<(), String> {
        let accounts = &venue.accounts;
        let pos: i128 = accounts.iter().map(|a| i128::from(a.pos)).sum();
        if pos != 0 {
            return Err(format!("positions sum to {pos}, not 0"));
        }
        let longs: i64 = accounts.iter().map(|a| a.pos.max(0)).sum();
        if longs != venue.ledger.open_interest {
            return Err(format!(
                "open interest is {longs} lots, the ledger says {}",
                venue.ledger.open_interest
            ));
        }
        if let Some((id, _)) = self
            .shadow
            .iter()
            .zip(accounts)
            .enumerate()
            .find(|(_, (s, a))| **s != (a.cash, a.pos, a.collateral_units))
        {
            return Err(format!(
                "account {id} changed without the ledger recording it"
            ));
        }
        let cash: i128 = accounts.iter().map(|a| i128::from(a.cash)).sum::<i128>()
            + i128::from(venue.fund)
            + i128::from(venue.fee_pool);
        if cash != i128::from(declared(venue)) {
            return Err(format!(
                "cash + insurance fund + fee pool = {cash} units, deposits + collateral sold = \
                 {} units",
                declared(venue)
            ));
        }
        let units = units_by_asset(venue);
        if units != self.units {
            return Err(format!(
                "collateral units by asset (held + sold) are {units:?}, {:?} at the start",
                self.units
            ));
        }
        let funding: i128 = accounts.iter().map(|a| i128::from(a.funding)).sum();
        if funding != 0 {
            return Err(format!(
                "funding received and paid net to {funding} units, not 0"
            ));
        }
        let fees: i128 = accounts.iter().map(|a| i128::from(a.trading_fees)).sum();
        if fees != i128::from(venue.fee_pool) {
            return Err(format!(
                "accounts paid {fees} units of trading fees, the fee pool holds {}",
                venue.fee_pool
            ));
        }
        if venue.fee_pool < 0 {
            return Err(format!("the fee pool is negative ({})", venue.fee_pool));
        }
        fund_not_negative_under_adl(venue)
    }
}

/// Under ADL the fund never goes below zero: ADL closes what it cannot cover.
fn fund_not_negative_under_adl(venue: &Venue) -> Result<(), String> {
    if venue.shortfall() == Shortfall::Adl && venue.fund < 0 {
        return Err(format!(
            "insurance fund is negative ({}) under ADL",
            venue.fund
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::kernel::Simulation;
    use crate::scheduler::EventKind;

    const MARKET: &str = r#"Scenario(name: "t", duration_s: 30.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [
          Noise(name: "noise", count: 20, rate_per_s: 2.0, limit_weight: 1.0, market_weight: 0.3,
                cancel_weight: 0.5, offset_ticks_mean: 3.0, size_min: 1, size_max: 5),
          Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 2, levels: 3,
                level_spacing_ticks: 1, size: 10),
        ])"#;

    fn audited() -> Simulation {
        let s = crate::prepare(MARKET, &[]).unwrap();
        let mut sim = Simulation::new(&s, 1).audit(true);
        sim.run_until(10_000_000_000);
        assert!(sim.rec.out.audit.is_none());
        assert!(sim.rec.out.counters.trades > 0);
        sim
    }

    #[test]
    fn the_audit_catches_cash_created_by_an_event() {
        let mut sim = audited();
        sim.venues[0].accounts[3].cash += 7;
        sim.venues[0].dirty_for_test(3);
        sim.last_event = EventKind::Wake(3);
        sim.audit_event();
        let e = sim.rec.out.audit.clone().expect("a broken event is caught");
        assert!(e.reason.contains("7 units of cash"), "{e}");
        assert!(e.what.contains("Wake(3)"));
        sim.run_until(i64::MAX);
        assert!(
            sim.now_ns() <= 10_000_000_000,
            "the run stops at the broken event"
        );
    }

    #[test]
    fn the_audit_catches_positions_that_do_not_net_out() {
        let mut sim = audited();
        sim.venues[0].accounts[5].pos += 2;
        sim.venues[0].dirty_for_test(5);
        sim.audit_event();
        assert!(sim
            .rec
            .out
            .audit
            .clone()
            .unwrap()
            .reason
            .contains("positions by 2 lots"));
    }

    #[test]
    fn the_full_audit_catches_a_change_nobody_recorded() {
        let mut sim = audited();
        sim.venues[0].accounts[2].cash -= 1;
        sim.venues[0].accounts[4].cash += 1;
        let e = sim
            .finish()
            .audit
            .expect("caught at the latest by the final full audit");
        assert!(
            e.reason
                .contains("account 2 changed without the ledger recording it"),
            "{e}"
        );
    }
}
