//! Accounts and the ledger: cash, positions, the insurance fund, and the liquidation index.
//!
//! Every agent has an account (cash in units of tick × lot, position in lots). Margin accounts
//! — leveraged traders — are also kept in an index by liquidation price: one ordered set for
//! longs, one for shorts, so a mark move pops exactly the accounts it crosses, deepest first,
//! ties broken on the account id.

use crate::margin::MarginTable;
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// One account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Cash, units (deposits plus trade proceeds; negative when bought on margin).
    pub cash: i64,
    /// Position, lots (positive long).
    pub pos: i64,
    /// Signed entry value of the open position, units (for PnL and ADL ranking).
    pub entry_value: i64,
    /// True for margin accounts, which can be liquidated.
    pub margin: bool,
    /// The key under which the account sits in the liquidation index (kept by the index).
    liq_key: Option<i64>,
    /// True while the liquidation engine holds the account (set only by the engine).
    in_liquidation: bool,
    /// Completed liquidations of this account.
    pub liquidations: u32,
    /// Profit realised by closing positions, units (settlement at bankruptcy included).
    pub realized_pnl: i64,
    /// Liquidation fees paid, units.
    pub fees_paid: i64,
    /// Trading fees paid, net of maker rebates, units.
    pub trading_fees: i64,
    /// Funding received, net of funding paid, units.
    pub funding: i64,
    /// Units of the collateral asset `collateral_asset` held (one unit is worth one unit of
    /// cash at a price of 1 quote currency per token).
    pub collateral_units: i64,
    /// Which of the scenario's collateral assets the units are (meaningless without units).
    pub collateral_asset: u16,
    /// What the units count for as margin at the asset's last price, less its haircut,
    /// units of cash (kept by the venue whenever the price changes).
    pub collateral_value: i64,
}

impl Account {
    /// A margin account holding `cash` units and `pos` lots (entered at no recorded value).
    pub fn margin(cash: i64, pos: i64) -> Self {
        Self {
            cash,
            pos,
            margin: true,
            ..Self::default()
        }
    }

    /// The key under which the account sits in the liquidation index, if it does.
    pub fn liq_key(&self) -> Option<i64> {
        self.liq_key
    }

    /// True while the liquidation engine holds the account.
    pub fn in_liquidation(&self) -> bool {
        self.in_liquidation
    }

    /// The engine takes the account over (it has been popped from the index).
    pub(crate) fn take_over(&mut self) {
        debug_assert!(self.liq_key.is_none(), "taken over while indexed");
        self.in_liquidation = true;
    }

    /// The engine lets the account go; `closed` counts a completed liquidation.
    pub(crate) fn release(&mut self, closed: bool) {
        self.in_liquidation = false;
        if closed {
            self.liquidations += 1;
        }
    }

    /// Equity at `mark`, units: the margin balance plus the position at the mark.
    pub fn equity(&self, mark: i64) -> i128 {
        i128::from(self.margin_cash()) + i128::from(self.pos) * i128::from(mark)
    }

    /// The margin balance, units: cash plus the collateral units' value after the haircut
    /// (cash alone for an account without collateral units).
    pub fn margin_cash(&self) -> i64 {
        self.cash + self.collateral_value
    }

    /// Applies a trade of `qty` (signed, + buys) at `price` ticks and `value` = price × |qty|.
    pub fn trade(&mut self, signed_qty: i64, value: i64) {
        let old = self.pos;
        let new = old + signed_qty;
        let old_entry = self.entry_value;
        let cash_delta = -signed_qty.signum() * value;
        self.cash += cash_delta;
        self.entry_value = if old == 0 || old.signum() == signed_qty.signum() {
            self.entry_value + signed_qty.signum() * value
        } else if new == 0 {
            0
        } else if new.signum() == old.signum() {
            // Reduced: the entry value shrinks in proportion.
            (i128::from(self.entry_value) * i128::from(new) / i128::from(old)) as i64
        } else {
            // Flipped: the new position entered at this trade's price.
            (i128::from(value) * i128::from(new) / i128::from(signed_qty.abs())) as i64
        };
        // What left as cash beyond what left the entry value is realised.
        self.realized_pnl += cash_delta + (self.entry_value - old_entry);
        self.pos = new;
    }

    /// Average entry price of the open position, ticks (0 when flat).
    pub fn entry_price(&self) -> f64 {
        if self.pos == 0 {
            0.0
        } else {
            self.entry_value as f64 / self.pos as f64
        }
    }
}

/// Where liquidation-index keys live: longs by descending key, shorts by ascending key.
#[derive(Clone, Debug)]
pub struct LiquidationIndex {
    /// (key, Reverse(id)): the last element is the highest key, lowest id among equals.
    longs: BTreeSet<(i64, Reverse<u32>)>,
    /// (key, id): the first element is the lowest key, lowest id among equals.
    shorts: BTreeSet<(i64, u32)>,
    /// The highest long key (`i64::MIN` with no long) and the lowest short key (`i64::MAX`
    /// with no short), kept beside the trees: the engine asks after every move of the mark
    /// whether it crossed either, and almost always it did not. Answering from these two
    /// words, not from a walk down each tree, keeps a venue's trees out of the cache when
    /// several venues share it.
    top_long: i64,
    bottom_short: i64,
}

impl Default for LiquidationIndex {
    fn default() -> Self {
        Self {
            longs: BTreeSet::new(),
            shorts: BTreeSet::new(),
            top_long: i64::MIN,
            bottom_short: i64::MAX,
        }
    }
}

impl LiquidationIndex {
    /// Accounts in the index.
    pub fn len(&self) -> usize {
        self.longs.len() + self.shorts.len()
    }

    /// True when no account is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes `id` from the index.
    pub fn remove(&mut self, id: u32, acc: &mut Account) {
        if let Some(k) = acc.liq_key.take() {
            // The position may have changed sign since it was indexed: try both sets.
            if self.longs.remove(&(k, Reverse(id))) {
                if k == self.top_long {
                    self.top_long = self.longs.last().map_or(i64::MIN, |e| e.0);
                }
            } else if self.shorts.remove(&(k, id)) && k == self.bottom_short {
                self.bottom_short = self.shorts.first().map_or(i64::MAX, |e| e.0);
            }
        }
    }

    /// Puts `id` under its current liquidation price (or nowhere when it has none).
    pub fn reindex(&mut self, id: u32, acc: &mut Account, table: &MarginTable) {
        self.remove(id, acc);
        if !acc.margin || acc.in_liquidation || acc.pos == 0 {
            return;
        }
        if let Some(k) = table.liquidation_key(acc.margin_cash(), acc.pos) {
            acc.liq_key = Some(k);
            if acc.pos > 0 {
                self.longs.insert((k, Reverse(id)));
                self.top_long = self.top_long.max(k);
            } else {
                self.shorts.insert((k, id));
                self.bottom_short = self.bottom_short.min(k);
            }
        }
    }

    /// The next account the mark crosses, deepest first: a long whose key is at or above the
    /// mark, else a short whose key is at or below it. Removed from the index, its key cleared.
    pub fn pop_crossed(&mut self, mark: i64, accounts: &mut [Account]) -> Option<u32> {
        let id = self.pop_crossed_id(mark)?;
        accounts[id as usize].liq_key = None;
        Some(id)
    }

    fn pop_crossed_id(&mut self, mark: i64) -> Option<u32> {
        if self.top_long >= mark {
            let (_, Reverse(id)) = self.longs.pop_last()?;
            self.top_long = self.longs.last().map_or(i64::MIN, |e| e.0);
            return Some(id);
        }
        if self.bottom_short <= mark {
            let (_, id) = self.shorts.pop_first()?;
            self.bottom_short = self.shorts.first().map_or(i64::MAX, |e| e.0);
            return Some(id);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{MarginSpec, Tier};

    fn table() -> MarginTable {
        let spec = MarginSpec {
            tiers: vec![Tier {
                notional_cap: 1e12,
                max_leverage: 10.0,
                maintenance_rate: 0.01,
            }],
        };
        MarginTable::new(&spec, 1.0)
    }

    fn long(cash: i64, pos: i64) -> Account {
        Account {
            cash,
            pos,
            margin: true,
            ..Account::default()
        }
    }

    #[test]
    fn trades_keep_cash_and_entry_value() {
        let mut a = Account::default();
        a.trade(10, 1_000); // buy 10 at 100
        assert_eq!((a.cash, a.pos, a.entry_value), (-1_000, 10, 1_000));
        a.trade(-4, 440); // sell 4 at 110
        assert_eq!((a.cash, a.pos, a.entry_value), (-560, 6, 600));
        a.trade(-10, 1_200); // sell 10 at 120: flip to short 4 entered at 120
        assert_eq!((a.cash, a.pos, a.entry_value), (640, -4, -480));
        a.trade(4, 400);
        assert_eq!((a.cash, a.pos, a.entry_value), (240, 0, 0));
        // 4 lots +40 at 110, 6 lots +120 at 120, then the short 4 from 120 to 100: +80.
        assert_eq!(a.realized_pnl, 40 + 120 + 80);
        assert_eq!(a.realized_pnl, a.cash, "flat, everything is realised");
    }

    #[test]
    fn a_mark_move_pops_exactly_the_crossed_accounts_deepest_first_ties_by_id() {
        let t = table();
        let mut ix = LiquidationIndex::default();
        // Long keys: 10 lots each with debts giving keys 90, 80, 90 (ids 0, 1, 2).
        let mut accs = [long(-900, 10), long(-800, 9), long(-900, 10)];
        for (i, a) in accs.iter_mut().enumerate() {
            ix.reindex(i as u32, a, &t);
        }
        assert_eq!(accs[0].liq_key(), Some(90));
        assert_eq!(ix.pop_crossed(95, &mut accs), None);
        assert_eq!(
            ix.pop_crossed(90, &mut accs),
            Some(0),
            "ties break on the lower id"
        );
        assert_eq!(ix.pop_crossed(90, &mut accs), Some(2));
        assert_eq!(
            ix.pop_crossed(90, &mut accs),
            None,
            "account 1 is not crossed at 90"
        );
        assert_eq!(accs[0].liq_key(), None, "a popped account loses its key");
        assert_eq!(ix.len(), 1);
    }

    #[test]
    fn shorts_pop_when_the_mark_rises() {
        let t = table();
        let mut ix = LiquidationIndex::default();
        let mut a = Account {
            cash: 1_100,
            pos: -10,
            margin: true,
            ..Account::default()
        };
        ix.reindex(7, &mut a, &t);
        assert_eq!(a.liq_key(), Some(109));
        assert_eq!(ix.pop_crossed_id(108), None);
        assert_eq!(ix.pop_crossed_id(109), Some(7));
        assert!(ix.is_empty());
    }

    #[test]
    fn reindexing_moves_an_account_and_non_margin_accounts_stay_out() {
        let t = table();
        let mut ix = LiquidationIndex::default();
        let mut a = long(-900, 10);
        ix.reindex(0, &mut a, &t);
        a.cash += 400; // a top-up
        ix.reindex(0, &mut a, &t);
        assert_eq!(ix.len(), 1);
        assert_eq!(ix.pop_crossed_id(60), None);
        let mut b = Account {
            cash: -900,
            pos: 10,
            ..Account::default()
        };
        ix.reindex(1, &mut b, &t);
        assert_eq!(ix.len(), 1);
    }
    proptest::proptest! {
        /// Against a model that scans every indexed key: the same account pops at every mark,
        /// through any mix of reindexing (positions of either sign, keys that tie), removals
        /// and pops, and the two kept extremes are always the trees' own.
        #[test]
        fn pops_match_a_scan_of_every_key_and_the_extremes_stay_true(
            ops in proptest::collection::vec((0u8..4, 0u32..12, -20i64..20, 0i64..40), 1..200)
        ) {
            let t = table();
            let mut ix = LiquidationIndex::default();
            let mut accs = vec![Account::default(); 12];
            for (op, id, pos, level) in ops {
                match op {
                    0 | 1 => {
                        let a = &mut accs[id as usize];
                        a.margin = true;
                        a.pos = pos;
                        // Cash giving keys about `level` apart, some equal across accounts.
                        a.cash = if pos > 0 { -(60 + level) * pos } else { (140 + level) * -pos };
                        ix.reindex(id, a, &t);
                    }
                    2 => ix.remove(id, &mut accs[id as usize]),
                    _ => {
                        let mark = 40 + 4 * level;
                        let keyed = |a: &Account| a.liq_key().map(|k| (k, a.pos > 0));
                        let expected = (0..12u32)
                            .filter_map(|i| keyed(&accs[i as usize]).map(|(k, l)| (i, k, l)))
                            .filter(|&(_, k, l)| l && k >= mark)
                            .max_by_key(|&(i, k, _)| (k, Reverse(i)))
                            .or_else(|| {
                                (0..12u32)
                                    .filter_map(|i| keyed(&accs[i as usize]).map(|(k, l)| (i, k, l)))
                                    .filter(|&(_, k, l)| !l && k <= mark)
                                    .min_by_key(|&(i, k, _)| (k, i))
                            })
                            .map(|(i, _, _)| i);
                        proptest::prop_assert_eq!(ix.pop_crossed(mark, &mut accs), expected);
                    }
                }
                proptest::prop_assert_eq!(ix.top_long, ix.longs.last().map_or(i64::MIN, |e| e.0));
                proptest::prop_assert_eq!(ix.bottom_short, ix.shorts.first().map_or(i64::MAX, |e| e.0));
            }
        }
    }
}
