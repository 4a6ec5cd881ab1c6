//! One-shot noise agents (ABIDES's NoiseAgent): one order at the opposite best price.

use super::{draw_side, draw_size, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::Rng;
use crate::scenario::{Fields, Scenario};
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
}

impl GroupSpec for OneShotSpec {
    type Agent = OneShot;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.sizes(self.size_min, self.size_max);
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
}

impl OneShot {
    /// An agent following `spec`.
    pub fn new(spec: &OneShotSpec) -> Self {
        Self {
            size_min: spec.size_min,
            size_max: spec.size_max,
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
}

impl Behaviour for OneShot {
    fn first_wake(&mut self, end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(OneShot::wake_time(end_ns, rng))
    }

    /// Buys at the best ask or sells at the best bid; never wakes again.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let side = draw_side(rng);
        let qty = draw_size(rng, self.size_min, self.size_max);
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
}
