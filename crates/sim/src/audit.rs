//! The ledger audit behind `--audit`: after every event, the accounts the event changed must
//! net to zero; every [`FULL_AUDIT_EVERY`] events and at the end, the whole ledger is re-summed
//! and compared, account by account, with the audit's own copy.

use crate::kernel::Simulation;
use crate::scenario::Shortfall;

/// Under `--audit`, the whole ledger is re-summed (and compared account by account with the
/// audit's own copy) every this many events, and at the end.
pub(crate) const FULL_AUDIT_EVERY: u64 = 4096;

impl Simulation {
    pub(crate) fn check_ledger(&mut self) {
        let full = self.recording.counters.events_processed % FULL_AUDIT_EVERY == 0;
        let result =
            self.event_nets_to_zero().and_then(
                |()| {
                    if full {
                        self.ledger_holds()
                    } else {
                        Ok(())
                    }
                },
            );
        if let Err(reason) = result {
            self.recording.audit = Some(crate::record::AuditError {
                event: self.recording.counters.events_processed,
                time_ns: self.now_ns,
                what: format!("{:?}", self.last_event),
                reason,
            });
        }
    }

    /// The changes of one event net to zero: over the accounts it changed, positions sum to
    /// zero and cash plus the fund's change equals the new deposits.
    fn event_nets_to_zero(&mut self) -> Result<(), String> {
        let (mut cash, mut pos) = (0i128, 0i128);
        for i in 0..self.dirty.len() {
            let id = self.dirty[i] as usize;
            let a = &self.accounts[id];
            let shadow = &mut self.audit_shadow[id];
            cash += i128::from(a.cash - shadow.0);
            pos += i128::from(a.pos - shadow.1);
            *shadow = (a.cash, a.pos);
        }
        self.dirty.clear();
        let fund = i128::from(self.fund - self.audit_fund);
        let deposits = i128::from(self.ledger.deposits - self.audit_deposits);
        self.audit_fund = self.fund;
        self.audit_deposits = self.ledger.deposits;
        if pos != 0 {
            return Err(format!(
                "the event changed positions by {pos} lots in all, not 0"
            ));
        }
        if cash + fund != deposits {
            return Err(format!(
                "the event moved {cash} units of cash and {fund} of fund against {deposits} of deposits"
            ));
        }
        if self.engine.shortfall == crate::scenario::Shortfall::Adl && self.fund < 0 {
            return Err(format!(
                "insurance fund is negative ({}) under ADL",
                self.fund
            ));
        }
        Ok(())
    }

    /// The ledger invariant: positions sum to zero; cash + fund equals all deposits.
    pub(crate) fn ledger_holds(&self) -> Result<(), String> {
        let pos: i128 = self.accounts.iter().map(|a| i128::from(a.pos)).sum();
        if pos != 0 {
            return Err(format!("positions sum to {pos}, not 0"));
        }
        let longs: i64 = self.accounts.iter().map(|a| a.pos.max(0)).sum();
        if longs != self.ledger.open_interest {
            return Err(format!(
                "open interest is {longs} lots, the ledger says {}",
                self.ledger.open_interest
            ));
        }
        if let Some((id, _)) = self
            .audit_shadow
            .iter()
            .zip(&self.accounts)
            .enumerate()
            .find(|(_, (s, a))| **s != (a.cash, a.pos))
        {
            return Err(format!(
                "account {id} changed without the ledger recording it"
            ));
        }
        let cash: i128 = self
            .accounts
            .iter()
            .map(|a| i128::from(a.cash))
            .sum::<i128>()
            + i128::from(self.fund);
        if cash != i128::from(self.ledger.deposits) {
            return Err(format!(
                "cash + insurance fund = {cash} units, deposits = {} units",
                self.ledger.deposits
            ));
        }
        if self.engine.shortfall == Shortfall::Adl && self.fund < 0 {
            return Err(format!(
                "insurance fund is negative ({}) under ADL",
                self.fund
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::{EventKind, Simulation};

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
        assert!(sim.recording.audit.is_none());
        assert!(sim.recording.counters.trades > 0);
        sim
    }

    #[test]
    fn the_audit_catches_cash_created_by_an_event() {
        let mut sim = audited();
        sim.accounts[3].cash += 7;
        sim.dirty.push(3);
        sim.last_event = EventKind::Wake(3);
        sim.check_ledger();
        let e = sim
            .recording
            .audit
            .clone()
            .expect("a broken event is caught");
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
        sim.accounts[5].pos += 2;
        sim.dirty.push(5);
        sim.check_ledger();
        assert!(sim
            .recording
            .audit
            .clone()
            .unwrap()
            .reason
            .contains("positions by 2 lots"));
    }

    #[test]
    fn the_full_audit_catches_a_change_nobody_recorded() {
        let mut sim = audited();
        sim.accounts[2].cash -= 1;
        sim.accounts[4].cash += 1;
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
