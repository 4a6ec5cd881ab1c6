//! Price levels a scenario sets: within the headroom the money bound leaves.
//!
//! The money bound (`MAX_ORDER_UNITS` = i64::MAX / `MONEY_HEADROOM`) keeps 64-bit cash exact
//! while prices stay within [`PRICE_HEADROOM`] = 16 times the initial price. So every level the
//! scenario itself asks for — the fundamental's mean, its mean jump and the jumps' spread, the
//! points of a scripted index, the index's drift over the run and its mean jump — is refused
//! past that factor, naming the field and the bound. (Random paths can still wander past it
//! with a small probability; the bound is on what the scenario asks, not on chance.)

use super::Validator;
use crate::scenario::Scenario;

/// How far above the initial price the money bound leaves room for: 16-fold (2^4 of the
/// 2^16 of `MONEY_HEADROOM`).
pub const PRICE_HEADROOM: f64 = 16.0;

impl Validator {
    /// The price levels of the fundamental and the index (see the module).
    pub(super) fn prices(&mut self, s: &Scenario) {
        let initial = s.instrument.initial_price;
        if !(initial.is_finite() && initial > 0.0) {
            return;
        }
        let top = initial * PRICE_HEADROOM;
        let at_most = |v: &mut Self, path: &str, x: f64, bound: f64, what: &str| {
            if x.is_finite() && x.abs() > bound && !v.errors.iter().any(|e| e.path == path) {
                v.err(
                    path,
                    format!(
                        "must be at most {bound:e} in magnitude ({what}: {PRICE_HEADROOM} × \
                         instrument.initial_price, the room the money bound leaves), got {x}"
                    ),
                );
            }
        };
        if let Some(f) = &s.fundamental {
            if let Some(mean) = f.mean {
                at_most(self, "fundamental.mean", mean, top, "a price");
            }
            at_most(
                self,
                "fundamental.jump_mean",
                f.jump_mean,
                top,
                "a price move",
            );
            at_most(
                self,
                "fundamental.jump_std",
                f.jump_std,
                top,
                "a price move",
            );
        }
        if let Some(ix) = &s.index {
            for (i, (_, p)) in ix.path.iter().enumerate() {
                at_most(self, &format!("index.path[{i}].1"), *p, top, "a price");
            }
            // A log drift of ln 16 over the run, and jumps of at most +1,500%.
            let ln_top = PRICE_HEADROOM.ln();
            let d = s.duration_s;
            if d.is_finite() && d > 0.0 {
                at_most(
                    self,
                    "index.drift_per_s",
                    ix.drift_per_s,
                    ln_top / d,
                    "a log drift of ln 16 over duration_s",
                );
            }
            let pct = (PRICE_HEADROOM - 1.0) * 100.0;
            at_most(self, "index.jump_mean_pct", ix.jump_mean_pct, pct, "a jump");
            at_most(self, "index.jump_std_pct", ix.jump_std_pct, pct, "a jump");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    const MARKET: &str = r#"Scenario(
        name: "t", duration_s: 100.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        fundamental: Some(Fundamental(kappa_per_s: 0.01, sigma_per_sqrt_s: 0.01)),
        index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0), (50.0, 99.0)])),
        agents: [
            Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                  market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                  size_min: 1, size_max: 5),
            Leveraged(name: "longs", count: 2, long_share: 1.0, collateral: 400.0,
                  leverage_min: 2.0, leverage_max: 5.0, entry_start_s: 0.0, entry_end_s: 5.0),
        ],
    )"#;

    /// The reasons given for `path` once `edit` is applied.
    fn reasons(path: &str, edit: impl Fn(&mut Scenario)) -> Vec<String> {
        let mut s = Scenario::parse(MARKET).unwrap();
        edit(&mut s);
        match s.validate() {
            Ok(()) => Vec::new(),
            Err(e) => {
                e.0.into_iter()
                    .filter(|e| e.path == path)
                    .map(|e| e.reason)
                    .collect()
            }
        }
    }

    /// `path` is accepted at `bound` and refused just past it, the refusal stating the bound.
    fn check(path: &str, bound: f64, set: impl Fn(&mut Scenario, f64)) {
        assert!(
            reasons(path, |s| set(s, bound)).is_empty(),
            "{path} at {bound}"
        );
        let past = reasons(path, |s| set(s, bound * (1.0 + 1e-9)));
        assert!(
            past.iter()
                .any(|r| r.contains(&format!("at most {bound:e}"))),
            "{path} past {bound}: {past:?}"
        );
    }

    #[test]
    fn every_price_level_is_accepted_at_sixteen_times_the_initial_price_and_refused_past_it() {
        Scenario::parse(MARKET).unwrap().validate().unwrap();
        check("fundamental.mean", 1600.0, |s, x| {
            s.fundamental.as_mut().unwrap().mean = Some(x)
        });
        check("fundamental.jump_mean", 1600.0, |s, x| {
            s.fundamental.as_mut().unwrap().jump_mean = -x
        });
        check("fundamental.jump_std", 1600.0, |s, x| {
            s.fundamental.as_mut().unwrap().jump_std = x
        });
        check("index.path[1].1", 1600.0, |s, x| {
            s.index.as_mut().unwrap().path[1].1 = x
        });
        check("index.drift_per_s", 16f64.ln() / 100.0, |s, x| {
            s.index.as_mut().unwrap().drift_per_s = x
        });
        check("index.jump_mean_pct", 1500.0, |s, x| {
            s.index.as_mut().unwrap().jump_mean_pct = x
        });
        check("index.jump_std_pct", 1500.0, |s, x| {
            s.index.as_mut().unwrap().jump_std_pct = x
        });
    }

    #[test]
    fn an_amount_below_one_unit_of_tick_times_lot_is_refused_not_rounded_to_nothing() {
        // 400 quote of collateral is 4e4 units at a cent tick and a lot of 1.
        let at = |lot: f64| reasons("agents[1].collateral", |s| s.instrument.lot_size = lot);
        assert!(at(40_000.0).is_empty(), "{:?}", at(40_000.0));
        let past = at(40_000.0 * (1.0 + 1e-9));
        assert!(
            past.iter().any(|r| r.contains("less than the one unit")),
            "{past:?}"
        );
    }
}
