//! Collateral on a venue: accounts holding units of a collateral asset, re-valued when its
//! price changes, and the sale of their units at a takeover.
//!
//! A price change re-values every holder of the asset on the venue and re-keys each in the
//! liquidation index (its key is the liquidation price given its margin balance), then takes
//! over the accounts the unchanged mark now crosses: O(holders) per price change. Such a
//! takeover's trigger is `Trigger::Collateral`, its root class `collateral`.
//!
//! At a takeover the venue sells the account's units at their haircut value (the value the
//! margin check counted) and credits the cash to the account: a declared flow of the cash
//! ledger (`LedgerStats::collateral_sold`, beside deposits), the units leaving to the venue's
//! sold ledger, so units are conserved per asset. The liquidation then runs on cash as before.

use super::Venue;
use crate::collateral::haircut_value;
use crate::record::Trigger;
use crate::recorder::Recorder;
use crate::scheduler::Scheduler;

impl Venue {
    /// Registers the holders of each collateral asset and values their units at the opening
    /// prices `quote(asset) = (price ppm, haircut ppm)`; reindexes them.
    pub(crate) fn start_collateral(&mut self, assets: usize, quote: impl Fn(u16) -> (i64, i64)) {
        self.holders = vec![Vec::new(); assets];
        self.units_sold = vec![0; assets];
        for id in 0..self.accounts.len() as u32 {
            let acc = &mut self.accounts[id as usize];
            if acc.collateral_units > 0 {
                self.holders[usize::from(acc.collateral_asset)].push(id);
                let (price, haircut) = quote(acc.collateral_asset);
                acc.collateral_value = haircut_value(acc.collateral_units, price, haircut);
                if acc.margin {
                    self.liq_index.reindex(id, acc, &self.margin);
                }
            }
        }
    }

    /// Asset `asset` is now worth `price_ppm` with a haircut of `haircut_ppm`: its holders are
    /// re-valued and re-keyed, and those the mark now crosses are taken over.
    pub(crate) fn revalue_collateral(
        &mut self,
        asset: u16,
        price_ppm: i64,
        haircut_ppm: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) {
        let Some(holders) = self.holders.get(usize::from(asset)) else {
            return;
        };
        if holders.is_empty() {
            return;
        }
        for &id in holders {
            let acc = &mut self.accounts[id as usize];
            let value = haircut_value(acc.collateral_units, price_ppm, haircut_ppm);
            if value != acc.collateral_value {
                acc.collateral_value = value;
                if acc.margin {
                    self.liq_index.reindex(id, acc, &self.margin);
                }
            }
        }
        if self.engine.enabled {
            // The move is the collateral's: what last moved the market is kept for later.
            // (A root of the cascade tree: no parent on this venue or another.)
            let kept = (
                self.mover,
                self.mover_gen,
                self.mover_trade,
                self.mover_import,
                self.link,
            );
            self.mover = Trigger::Collateral(asset);
            self.mover_gen = None;
            self.mover_trade = None;
            self.mover_import = false;
            self.link = None;
            self.check_liquidations(self.mark.value(), clock, rec);
            (
                self.mover,
                self.mover_gen,
                self.mover_trade,
                self.mover_import,
                self.link,
            ) = kept;
        }
    }

    /// Sells the collateral units of `id` (being taken over) at the value its margin counted:
    /// the cash goes to the account, the units to the venue's sold ledger.
    pub(super) fn sell_collateral(&mut self, id: u32) {
        let acc = &mut self.accounts[id as usize];
        if acc.collateral_units == 0 {
            return;
        }
        let (units, value) = (acc.collateral_units, acc.collateral_value);
        acc.cash += value;
        acc.collateral_units = 0;
        acc.collateral_value = 0;
        self.units_sold[usize::from(acc.collateral_asset)] += units;
        self.ledger.collateral_sold += value;
        self.ledger.collateral_units_sold += units;
        self.mark_dirty(id);
    }

    /// Collateral units sold at takeovers, by asset.
    pub(crate) fn units_sold(&self) -> &[i64] {
        &self.units_sold
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{engine, long, one_tier, short, Bench};
    use crate::accounts::Account;
    use crate::audit::Audit;
    use crate::margin::PPM;
    use crate::record::Trigger;
    use crate::scenario::{Execution, Shortfall};

    /// Account 0: a long of 10 lots entered at 100 with 20 units of cash and 100 units of a
    /// collateral asset (cash −980); account 1: the short on the other side; account 2: a
    /// maker bidding 10 @ 95. Maintenance 5%: at the mark 100 the long needs equity ≥ 50,
    /// which it has while its units count for at least 30.
    fn bench(haircut_ppm: i64) -> (Bench, Audit) {
        let mut holder = long(-980, 10, 1_000);
        holder.collateral_units = 100;
        let accounts = vec![holder, short(2_000, 10, 1_000), Account::default()];
        let mut b = Bench::new(
            accounts,
            engine(Shortfall::Adl, Execution::Market, 1_000),
            one_tier(),
        );
        b.v.start_collateral(1, |_| (PPM, haircut_ppm));
        b.bid(2, 95, 10);
        b.v.ledger.open_interest = 10;
        b.v.track_dirty(true);
        let audit = Audit::new(&b.v);
        (b, audit)
    }

    /// The asset moves to `price_ppm`; the engine runs; the audit checks the event.
    fn move_to(b: &mut Bench, audit: &mut Audit, price_ppm: i64, haircut_ppm: i64) {
        b.v.revalue_collateral(0, price_ppm, haircut_ppm, &mut b.clock, &mut b.rec);
        b.mark_to(100, 1_000_000_000);
        audit.check_event(&b.v, 1).expect("the event nets out");
        b.v.clear_dirty();
        audit.ledger_holds(&b.v).expect("the ledger holds");
    }

    #[test]
    fn a_collateral_price_move_rekeys_the_holder_in_the_index() {
        let (mut b, mut audit) = bench(0);
        // Margin balance −980 + 100 = −880: 10·M − 880 < 0.5·M below 92.63, so key 92.
        assert_eq!(b.v.accounts[0].collateral_value, 100);
        assert_eq!(b.v.accounts[0].liq_key(), Some(92));
        move_to(&mut b, &mut audit, 650_000, 0);
        // −980 + 65 = −915: below 96.32, key 96; the short's key (2,000 − 10·M < 0.5·M above
        // 190.48) is untouched.
        assert_eq!(b.v.accounts[0].liq_key(), Some(96));
        assert_eq!(b.v.accounts[1].liq_key(), Some(191));
        assert!(b.rec.out.liquidations.is_empty());
    }

    #[test]
    fn a_collateral_fall_alone_liquidates_exactly_past_maintenance() {
        let (mut b, mut audit) = bench(0);
        // At 0.30 the units count 30: equity 50 = maintenance 50, not liquidatable.
        move_to(&mut b, &mut audit, 300_000, 0);
        assert!(b.rec.out.liquidations.is_empty());
        assert!(!b.v.accounts[0].in_liquidation());
        // At 0.299999 they count 29 (rounded down): equity 49 < 50. The mark never moved.
        move_to(&mut b, &mut audit, 299_999, 0);
        assert_eq!(b.v.mark.value(), 100);
        let liqs = &b.rec.out.liquidations;
        assert_eq!(liqs.len(), 1);
        assert_eq!(liqs[0].trigger, Trigger::Collateral(0));
        assert_eq!(b.v.root_triggers.collateral, 1);
        assert_eq!(b.v.root_triggers.own_flow, 0);
        // The units were sold at their counted value (29) and the position closed at 95,
        // below the bankruptcy price 95.1: the fund paid the unit short.
        assert_eq!(b.v.accounts[0].collateral_units, 0);
        assert_eq!(b.v.ledger.collateral_sold, 29);
        assert_eq!(b.v.ledger.collateral_units_sold, 100);
        assert_eq!(b.v.units_sold(), &[100]);
        assert_eq!(b.v.accounts[0].pos, 0);
        assert_eq!(b.v.accounts[0].cash, -980 + 29 + 950 + 1);
        assert_eq!(b.v.fund, 1_000 - 1);
    }

    #[test]
    fn no_fall_or_no_haircut_liquidates_nothing_where_a_haircut_does() {
        // Held at peg: nothing moves.
        let (mut b, mut audit) = bench(0);
        move_to(&mut b, &mut audit, PPM, 0);
        assert!(b.rec.out.liquidations.is_empty());
        // At 0.33 without a haircut the units count 33: equity 53 ≥ 50.
        let (mut b, mut audit) = bench(0);
        move_to(&mut b, &mut audit, 330_000, 0);
        assert!(b.rec.out.liquidations.is_empty());
        // With a 10% haircut they count ⌊29.7⌋ = 29: liquidated, the sale credits 29.
        let (mut b, mut audit) = bench(100_000);
        assert_eq!(b.v.accounts[0].collateral_value, 90);
        move_to(&mut b, &mut audit, 330_000, 100_000);
        assert_eq!(b.rec.out.liquidations.len(), 1);
        assert_eq!(b.v.ledger.collateral_sold, 29);
    }

    #[test]
    fn the_audit_catches_collateral_units_created_by_an_event() {
        let (mut b, mut audit) = bench(0);
        b.v.accounts[0].collateral_units += 5;
        b.v.dirty_for_test(0);
        let e = audit.check_event(&b.v, 1).unwrap_err();
        assert!(e.contains("collateral units by 5"), "{e}");
    }
}
