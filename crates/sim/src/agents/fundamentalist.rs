//! Fundamental traders: when the mid strays from the index (or the fundamental) by more than a
//! threshold, they trade toward it at market, more the further it strayed.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Qty, Side};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Fundamental traders: trade toward the index (or the fundamental) when the mid strays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundamentalistSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Act only when the mid is this far from the reference value, basis points.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0))]
    pub threshold_bps: f64,
    /// Lots per basis point of deviation beyond the threshold.
    #[schemars(extend("x-unit" = "lots/bps", "exclusiveMinimum" = 0))]
    pub lots_per_bps: f64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_size: i64,
}

impl GroupSpec for FundamentalistSpec {
    type Agent = Fundamentalist;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        if !scenario.has_index() && scenario.fundamental.is_none() {
            f.section_err("fundamental traders need an index or a fundamental to revert to");
        }
        f.positive("mean_wake_s", self.mean_wake_s);
        f.non_negative("threshold_bps", self.threshold_bps);
        f.positive("lots_per_bps", self.lots_per_bps);
        f.lots("max_size", self.max_size);
    }

    fn max_resting(&self) -> usize {
        1
    }

    fn build(&self, _: &mut Member<'_>) -> Fundamentalist {
        Fundamentalist::new(self)
    }
}

/// A fundamental trader.
#[derive(Clone, Debug)]
pub struct Fundamentalist {
    mean_wake_s: f64,
    threshold_bps: f64,
    lots_per_bps: f64,
    max_size: i64,
}

impl Fundamentalist {
    /// A trader following `spec`.
    pub fn new(spec: &FundamentalistSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            threshold_bps: spec.threshold_bps,
            lots_per_bps: spec.lots_per_bps,
            max_size: spec.max_size,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }
}

impl Behaviour for Fundamentalist {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(self.next_wake(0, rng))
    }

    /// Compares the mid with the reference value and trades toward it.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let value = match (ctx.market.index, ctx.fundamental.as_deref_mut()) {
            (Some(ix), _) => Some(ix),
            (None, Some(f)) => Some(f.value_at(ctx.now_ns)),
            (None, None) => None,
        };
        if let Some(value) = value {
            let mid = ctx.reference_x2() as f64 / 2.0;
            let dev_bps = (mid - value) / value * 1e4;
            let excess = dev_bps.abs() - self.threshold_bps;
            if excess > 0.0 {
                let qty = ((excess * self.lots_per_bps).round() as i64).clamp(1, self.max_size);
                let side = if dev_bps > 0.0 { Side::Sell } else { Side::Buy };
                ctx.out.push(Action::Market {
                    side,
                    qty: Qty(qty),
                });
            }
        }
        Some(self.next_wake(ctx.now_ns, rng))
    }
}
