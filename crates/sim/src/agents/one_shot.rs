//! One-shot noise agents (ABIDES's NoiseAgent): one order at the opposite best price.

use super::{draw_side, Action, Behaviour, Ctx, GroupSpec, Member, OrderList, OrderSizes};
use crate::rng::Rng;
use crate::scenario::{Fields, Scenario, MAX_DURATION_S};
use cascade_book::{Side, Tif};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One-shot noise agents (ABIDES's NoiseAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneShotSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Smallest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_min: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_max: i64,
    /// How order sizes are drawn (default: uniform in `[size_min, size_max]`).
    #[serde(default)]
    pub order_sizes: OrderSizes,
    /// When the agent wakes (default: arcsine over the run).
    #[serde(default)]
    pub wake: OneShotWake,
}

/// The law of a one-shot agent's wake time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
// A misspelt field of a variant is refused, not left at its default.
#[serde(deny_unknown_fields)]
pub enum OneShotWake {
    /// Arcsine over `[0, duration)`: busy at the open and the close.
    #[default]
    Arcsine,
    /// U-quadratic over `[from_s, to_s)` seconds from the open, as ABIDES's `get_wake_time`
    /// (abides-core `utils.py`); RMSC04 draws over 09:00–16:00 for a 09:30 open, so
    /// `from_s: -1800`. A time before the open wakes the agent at the open; one at or after
    /// the end of the run never wakes it (so a shortened run keeps the window).
    UQuadratic {
        /// Start of the window, seconds from the open (may be negative).
        #[schemars(extend("x-unit" = "s"))]
        from_s: f64,
        /// End of the window, seconds from the open.
        #[schemars(extend("x-unit" = "s"))]
        to_s: f64,
    },
}

/// Furthest a wake window may reach before the open, seconds.
const MAX_PRE_OPEN_S: f64 = 86_400.0;

impl GroupSpec for OneShotSpec {
    type Agent = OneShot;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        self.order_sizes.validate(f, self.size_min, self.size_max);
        if let OneShotWake::UQuadratic { from_s, to_s } = self.wake {
            let mut w = f.within("wake");
            let from_ok = from_s.is_finite() && from_s >= -MAX_PRE_OPEN_S;
            if !from_ok {
                w.err(
                    "from_s",
                    format!("must be a number of at least -{MAX_PRE_OPEN_S}, got {from_s}"),
                );
            }
            if w.positive("to_s", to_s) && to_s > MAX_DURATION_S {
                w.err(
                    "to_s",
                    format!("must be at most {MAX_DURATION_S} s, got {to_s}"),
                );
            }
            if from_ok && to_s.is_finite() && from_s >= to_s {
                w.err(
                    "to_s",
                    format!("must be after from_s ({from_s}), got {to_s}"),
                );
            }
        }
    }

    fn max_resting(&self) -> usize {
        1
    }

    fn build(&self, _: &mut Member<'_>) -> OneShot {
        OneShot::new(self)
    }
}

/// A one-shot noise agent.
#[derive(Clone, Debug)]
pub struct OneShot {
    size_min: i64,
    size_max: i64,
    order_sizes: OrderSizes,
    wake: OneShotWake,
}

impl OneShot {
    /// An agent following `spec`.
    pub fn new(spec: &OneShotSpec) -> Self {
        Self {
            size_min: spec.size_min,
            size_max: spec.size_max,
            order_sizes: spec.order_sizes,
            wake: spec.wake,
        }
    }

    /// A U-shaped (arcsine) random time in `[0, end_ns)`: busy at the open and the close.
    pub fn wake_time(end_ns: i64, rng: &mut Rng) -> i64 {
        let u: f64 = rng.gen();
        let s = (std::f64::consts::FRAC_PI_2 * u).sin();
        ((s * s) * end_ns as f64)
            .floor()
            .clamp(0.0, (end_ns - 1).max(0) as f64) as i64
    }

    /// A U-quadratic random time in `[from_ns, to_ns)` (inverse transform: the CDF is
    /// 4(x − ½)³ + ½ on [0, 1]), clamped to the open; none at or after `end_ns`.
    pub fn u_quadratic_time(from_ns: i64, to_ns: i64, end_ns: i64, rng: &mut Rng) -> Option<i64> {
        let u: f64 = rng.gen();
        let x = 0.5 + ((u - 0.5) / 4.0).cbrt();
        let t = from_ns as f64 + x * (to_ns - from_ns) as f64;
        let t = (t.floor() as i64).max(0);
        (t < end_ns).then_some(t)
    }
}

impl Behaviour for OneShot {
    fn first_wake(&mut self, end_ns: i64, rng: &mut Rng) -> Option<i64> {
        match self.wake {
            OneShotWake::Arcsine => Some(OneShot::wake_time(end_ns, rng)),
            OneShotWake::UQuadratic { from_s, to_s } => {
                OneShot::u_quadratic_time(Scenario::ns(from_s), Scenario::ns(to_s), end_ns, rng)
            }
        }
    }

    /// Buys at the best ask or sells at the best bid; never wakes again.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let side = draw_side(rng);
        let qty = self.order_sizes.draw(rng, self.size_min, self.size_max)?;
        let opposite = match side {
            Side::Buy => ctx.book.best_ask(),
            Side::Sell => ctx.book.best_bid(),
        };
        if let Some(price) = opposite {
            ctx.out.push(Action::Limit {
                side,
                price,
                qty,
                tif: Tif::Gtc,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn wake_times_are_u_shaped() {
        let mut rng = stream(5, 5);
        let end = 1_000_000;
        let mut bins = [0u32; 10];
        for _ in 0..100_000 {
            let t = OneShot::wake_time(end, &mut rng);
            assert!((0..end).contains(&t));
            bins[(t * 10 / end) as usize] += 1;
        }
        // Arcsine law: the outer tenths hold about 20.5% each, the middle ones about 6.4%.
        assert!(bins[0] > 3 * bins[5] && bins[9] > 3 * bins[4], "{bins:?}");
    }

    #[test]
    fn u_quadratic_wakes_follow_the_cdf_and_pre_open_times_wake_at_the_open() {
        let mut rng = stream(6, 6);
        let (from, to, end) = (-1_800, 25_200, 23_400);
        let n = 100_000;
        let times: Vec<Option<i64>> = (0..n)
            .map(|_| OneShot::u_quadratic_time(from, to, end, &mut rng))
            .collect();
        let cdf = |t: f64| {
            let x = (t - from as f64) / (to - from) as f64;
            4.0 * (x - 0.5).powi(3) + 0.5
        };
        let share = |pred: &dyn Fn(i64) -> bool| {
            times.iter().filter(|t| t.is_some_and(pred)).count() as f64 / n as f64
        };
        // 09:00-09:30 of 09:00-16:00 carries F(1/14) = 18.5% of the mass, all at the open.
        let at_open = share(&|t| t == 0);
        assert!((at_open - cdf(0.0)).abs() < 0.005, "at open {at_open}");
        let middle = share(&|t| (11_000..13_000).contains(&t));
        assert!(
            (middle - (cdf(13_000.0) - cdf(11_000.0))).abs() < 0.002,
            "{middle}"
        );
        // The window ends after the run: no wake at or after the end.
        let never = times.iter().filter(|t| t.is_none()).count() as f64 / n as f64;
        assert!(
            (never - (1.0 - cdf(23_400.0))).abs() < 0.005,
            "never {never}"
        );
        assert!(times.iter().flatten().all(|&t| (0..end).contains(&t)));
    }
}
