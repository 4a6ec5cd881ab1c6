//! Margin arithmetic, all integer: tiers, initial and maintenance margin, liquidation and
//! bankruptcy prices.
//!
//! Cash is counted in *units* of one tick × one lot of quote currency, so a trade of `q` lots at
//! `p` ticks moves exactly `p·q` units. Rates are parts per million. The maintenance margin of a
//! notional `N` in tier `t` is `N·mmr_t − cum_t`, where `cum_t` keeps it continuous across tier
//! boundaries; it is kept scaled by one million so no rounding happens before the comparison.

use crate::scenario::MarginSpec;

/// One million: rates are parts per million.
pub const PPM: i64 = 1_000_000;

/// A tier in integer units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginTier {
    /// Upper bound of notional, units.
    pub cap: i64,
    /// Initial margin rate, ppm (1e6 / max leverage).
    pub imr_ppm: i64,
    /// Maintenance margin rate, ppm.
    pub mmr_ppm: i64,
    /// Maintenance amount × 1e6, units.
    pub cum_scaled: i128,
}

/// The venue's margin table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarginTable {
    base: Vec<(i64, i64, i64)>,
    tiers: Vec<MarginTier>,
}

impl MarginTable {
    /// The table of `spec`, with `unit_quote` = tick size × lot size (quote currency per unit).
    pub fn new(spec: &MarginSpec, unit_quote: f64) -> Self {
        let base: Vec<(i64, i64, i64)> = spec
            .tiers
            .iter()
            .map(|t| {
                let cap = (t.notional_cap / unit_quote).round().min(4e18) as i64;
                let imr = (1e6 / t.max_leverage).round() as i64;
                let mmr = (t.maintenance_rate * 1e6).round() as i64;
                (cap, imr, mmr)
            })
            .collect();
        let mut table = Self {
            base,
            tiers: Vec::new(),
        };
        table.set_maintenance_multiplier(1.0);
        table
    }

    /// Scales every maintenance rate (a margin-change shock); amounts are recomputed so the
    /// margin stays continuous.
    pub fn set_maintenance_multiplier(&mut self, m: f64) {
        let mut tiers = Vec::with_capacity(self.base.len());
        let mut cum: i128 = 0;
        let mut prev: Option<(i64, i64)> = None;
        for &(cap, imr, mmr) in &self.base {
            let mmr = ((mmr as f64) * m).round() as i64;
            if let Some((prev_cap, prev_mmr)) = prev {
                cum += i128::from(prev_cap) * i128::from(mmr - prev_mmr);
            }
            tiers.push(MarginTier {
                cap,
                imr_ppm: imr,
                mmr_ppm: mmr,
                cum_scaled: cum,
            });
            prev = Some((cap, mmr));
        }
        self.tiers = tiers;
    }

    /// The tiers in force.
    pub fn tiers(&self) -> &[MarginTier] {
        &self.tiers
    }

    /// The tier of a notional (units): the first whose cap is not below it, else the last.
    pub fn tier(&self, notional: i64) -> &MarginTier {
        self.tiers
            .iter()
            .find(|t| notional <= t.cap)
            .unwrap_or_else(|| self.tiers.last().expect("a validated table has tiers"))
    }

    /// Maintenance margin × 1e6, units.
    pub fn maintenance_scaled(&self, notional: i64) -> i128 {
        let t = self.tier(notional);
        i128::from(notional) * i128::from(t.mmr_ppm) - t.cum_scaled
    }

    /// Maintenance margin, units (rounded up).
    pub fn maintenance(&self, notional: i64) -> i64 {
        ceil_div(self.maintenance_scaled(notional), i128::from(PPM)) as i64
    }

    /// Initial margin, units (rounded up).
    pub fn initial(&self, notional: i64) -> i64 {
        let t = self.tier(notional);
        ceil_div(
            i128::from(notional) * i128::from(t.imr_ppm),
            i128::from(PPM),
        ) as i64
    }

    /// The largest notional (units) whose initial margin `equity` covers at `max_leverage`
    /// or less.
    pub fn max_notional(&self, equity: i64, max_leverage: f64) -> i64 {
        let mut best = 0i64;
        let mut floor = 0i64;
        for t in &self.tiers {
            let lev = (PPM as f64 / t.imr_ppm as f64).min(max_leverage);
            let n = ((equity as f64) * lev).floor().min(t.cap as f64) as i64;
            if n > floor && self.initial(n) <= equity {
                best = best.max(n);
            }
            floor = t.cap;
        }
        best
    }

    /// True when equity at `mark` is below maintenance.
    pub fn is_liquidatable(&self, cash: i64, pos: i64, mark: i64) -> bool {
        if pos == 0 {
            return false;
        }
        let equity = i128::from(cash) + i128::from(pos) * i128::from(mark);
        let notional = (i128::from(pos.abs()) * i128::from(mark)).min(i128::from(i64::MAX)) as i64;
        equity * i128::from(PPM) < self.maintenance_scaled(notional)
    }

    /// The liquidation price as an index key: for a long, the highest mark at which it is
    /// liquidatable; for a short, the lowest. None when no positive mark liquidates it.
    pub fn liquidation_key(&self, cash: i64, pos: i64) -> Option<i64> {
        if pos == 0 {
            return None;
        }
        let q = i128::from(pos.abs());
        let ppm = i128::from(PPM);
        let c = i128::from(cash);
        // Closed form within each tier; take the first tier consistent with its own notional.
        let mut guess: Option<i128> = None;
        let mut lower_cap: i128 = 0;
        for t in &self.tiers {
            let mmr = i128::from(t.mmr_ppm);
            let m = if pos > 0 {
                // M < (−c·1e6 − cum) / (q·(1e6 − mmr))
                ceil_div(-c * ppm - t.cum_scaled, q * (ppm - mmr)) - 1
            } else {
                // M > (c·1e6 + cum) / (q·(1e6 + mmr))
                floor_div(c * ppm + t.cum_scaled, q * (ppm + mmr)) + 1
            };
            let notional = q * m.max(0);
            if notional <= i128::from(t.cap) && notional >= lower_cap {
                guess = Some(m);
                break;
            }
            lower_cap = i128::from(t.cap);
        }
        let mut m = guess.unwrap_or_else(|| {
            let t = self.tiers.last().expect("a validated table has tiers");
            let mmr = i128::from(t.mmr_ppm);
            if pos > 0 {
                ceil_div(-c * ppm - t.cum_scaled, q * (ppm - mmr)) - 1
            } else {
                floor_div(c * ppm + t.cum_scaled, q * (ppm + mmr)) + 1
            }
        });
        let limit = i128::from(i64::MAX) / q.max(1) - 1;
        m = m.clamp(-1, limit);
        // Tier boundaries can leave the closed form a few ticks off: settle it exactly.
        let liq = |m: i128| m >= 1 && self.is_liquidatable(cash, pos, m as i64);
        for _ in 0..64 {
            if pos > 0 {
                if m >= 1 && !liq(m) {
                    m -= 1;
                } else if m < limit && liq(m + 1) {
                    m += 1;
                } else {
                    break;
                }
            } else if m > 1 && liq(m - 1) {
                m -= 1;
            } else if !liq(m) && m < limit {
                m += 1;
            } else {
                break;
            }
        }
        (m >= 1 && liq(m)).then_some(m as i64)
    }

    /// The bankruptcy price (equity zero), ticks as a float, for records: long −cash/pos,
    /// short cash/|pos|. Never below 0: the ledger settles a closure at the bankruptcy value
    /// clamped to 0 (a short whose cash went negative is handed over for nothing, not paid
    /// to be taken), and the tables say what the ledger did.
    pub fn bankruptcy_price(cash: i64, pos: i64) -> f64 {
        if pos == 0 {
            0.0
        } else {
            (-(cash as f64) / pos as f64).max(0.0)
        }
    }
}

/// Rounds toward +∞.
pub fn ceil_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    let d = a.div_euclid(b);
    if a.rem_euclid(b) == 0 {
        d
    } else {
        d + 1
    }
}

/// Rounds toward −∞.
pub fn floor_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    a.div_euclid(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{binance_tiers, MarginSpec, Tier};

    /// Units of one quote currency unit: tick 1, lot 1.
    fn binance() -> MarginTable {
        MarginTable::new(
            &MarginSpec {
                tiers: binance_tiers(),
            },
            1.0,
        )
    }

    #[test]
    fn an_account_exactly_at_maintenance_is_not_liquidatable() {
        // One tier at 5%: a long of 10 with cash −950 has equity 50 = maintenance 50 at 100.
        let t = MarginTable::new(
            &MarginSpec {
                tiers: vec![Tier {
                    notional_cap: 1e12,
                    max_leverage: 10.0,
                    maintenance_rate: 0.05,
                }],
            },
            1.0,
        );
        assert!(!t.is_liquidatable(-950, 10, 100), "equity = maintenance");
        assert!(
            t.is_liquidatable(-950, 10, 99),
            "equity 40 < maintenance 49.5"
        );
        assert_eq!(
            t.liquidation_key(-950, 10),
            Some(99),
            "the highest liquidating mark"
        );
        // The short mirror: cash 1,050, short 10: equity 50 = maintenance 50 at 100.
        assert!(!t.is_liquidatable(1_050, -10, 100));
        assert!(t.is_liquidatable(1_050, -10, 101));
        assert_eq!(t.liquidation_key(1_050, -10), Some(101));
    }

    #[test]
    fn maintenance_is_continuous_across_tiers() {
        let t = binance();
        // 50,000 at 0.4% = 200; just above it at 0.5% less the amount 50 (= 50,000 × 0.1%).
        assert_eq!(t.maintenance(50_000), 200);
        assert_eq!(t.tiers()[1].cum_scaled, 50_000 * 1_000);
        assert_eq!(t.maintenance(50_001), 201); // 250.005 − 50 = 200.005, rounded up
        assert_eq!(t.maintenance(250_000), 1_200); // 1,250 − 50
        assert_eq!(t.maintenance(250_001), 1_201); // 2,500.01 − 1,300 = 1,200.01 → 1,201
        for cap in [
            50_000i64, 250_000, 1_000_000, 10_000_000, 20_000_000, 50_000_000,
        ] {
            let below = t.maintenance_scaled(cap);
            let above = t.maintenance_scaled(cap + 1);
            assert!(above > below && above - below < 1_000_000, "jump at {cap}");
        }
    }

    #[test]
    fn initial_margin_is_notional_over_leverage() {
        let t = binance();
        assert_eq!(t.initial(10_000), 80); // 125x
        assert_eq!(t.initial(100_000), 1_000); // 100x
        assert_eq!(t.initial(2_000_000), 100_000); // 20x
    }

    #[test]
    fn max_notional_respects_the_tier_of_the_notional() {
        let t = binance();
        // 1,000 of equity at 125x would be 125,000, which is in the 100x tier: 100,000.
        assert_eq!(t.max_notional(1_000, 125.0), 100_000);
        assert_eq!(t.max_notional(1_000, 10.0), 10_000);
        assert!(t.initial(t.max_notional(12_345, 50.0)) <= 12_345);
    }

    #[test]
    fn long_liquidation_price_by_hand() {
        // Flat 1% maintenance, 10x: 10 lots bought at 100 with 100 of collateral.
        let spec = MarginSpec {
            tiers: vec![Tier {
                notional_cap: 1e12,
                max_leverage: 10.0,
                maintenance_rate: 0.01,
            }],
        };
        let t = MarginTable::new(&spec, 1.0);
        let (cash, pos) = (100 - 1_000, 10);
        // Equity 10·M − 900 < 0.1·M ⇔ M < 90.909…: liquidatable at 90, not at 91.
        assert_eq!(t.liquidation_key(cash, pos), Some(90));
        assert!(t.is_liquidatable(cash, pos, 90));
        assert!(!t.is_liquidatable(cash, pos, 91));
        // Bankruptcy: EP·(1 − 1/L) = 90.
        assert_eq!(MarginTable::bankruptcy_price(cash, pos), 90.0);
    }

    #[test]
    fn short_liquidation_price_by_hand() {
        let spec = MarginSpec {
            tiers: vec![Tier {
                notional_cap: 1e12,
                max_leverage: 10.0,
                maintenance_rate: 0.01,
            }],
        };
        let t = MarginTable::new(&spec, 1.0);
        // 10 lots sold at 100 with 100 of collateral: cash 1,100.
        let (cash, pos) = (1_100, -10);
        // Equity 1,100 − 10·M < 0.1·M ⇔ M > 108.91…: liquidatable at 109, not at 108.
        assert_eq!(t.liquidation_key(cash, pos), Some(109));
        assert!(t.is_liquidatable(cash, pos, 109));
        assert!(!t.is_liquidatable(cash, pos, 108));
        // Bankruptcy: EP·(1 + 1/L) = 110.
        assert_eq!(MarginTable::bankruptcy_price(cash, pos), 110.0);
    }

    #[test]
    fn unlevered_long_is_never_liquidated_and_keys_match_the_predicate_on_the_ladder() {
        let t = binance();
        assert_eq!(t.liquidation_key(0, 5), None);
        assert_eq!(t.liquidation_key(1_000, 0), None);
        for (cash, pos) in [
            (-95_000i64, 1_000i64),
            (-4_990_000, 50_000),
            (200_000, -1_900),
            (10_500_000, -100_000),
        ] {
            let k = t
                .liquidation_key(cash, pos)
                .expect("levered accounts have a price");
            assert!(t.is_liquidatable(cash, pos, k), "{cash} {pos} at {k}");
            let next = if pos > 0 { k + 1 } else { k - 1 };
            assert!(
                !t.is_liquidatable(cash, pos, next),
                "{cash} {pos} at {next}"
            );
        }
    }

    #[test]
    fn a_margin_change_moves_liquidation_prices() {
        let mut t = binance();
        let before = t.liquidation_key(-9_500_000, 1_000).unwrap();
        t.set_maintenance_multiplier(2.0);
        let after = t.liquidation_key(-9_500_000, 1_000).unwrap();
        assert!(
            after > before,
            "a higher maintenance liquidates a long sooner: {before} → {after}"
        );
    }
}
