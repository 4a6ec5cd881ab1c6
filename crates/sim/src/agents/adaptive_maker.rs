//! Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent): ladders sized to a share of
//! recent volume, half-spread following an average of the observed spread.

use super::{push_ladder, secs_to_ns, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario, MAX_LEVELS};
use cascade_book::Qty;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveMakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Quotes per side.
    #[schemars(extend("x-unit" = "quotes per side", "minimum" = 1, "maximum" = 1000))]
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub level_spacing_ticks: i64,
    /// Size of each quote as a share of the volume traded since the last wake-up.
    #[schemars(extend("x-unit" = "share of volume", "minimum" = 0, "maximum" = 1))]
    pub pov: f64,
    /// Smallest quote, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub min_size: i64,
    /// Weight of the newest spread observation in the half-spread average.
    #[schemars(extend("x-unit" = "weight", "minimum" = 0, "maximum" = 1))]
    pub spread_alpha: f64,
}

impl GroupSpec for AdaptiveMakerSpec {
    type Agent = AdaptiveMaker;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.positive("mean_wake_s", self.mean_wake_s);
        f.int_range("levels", i64::from(self.levels), 1, i64::from(MAX_LEVELS));
        f.int_range(
            "level_spacing_ticks",
            self.level_spacing_ticks,
            1,
            1_000_000,
        );
        f.probability("pov", self.pov);
        f.lots("min_size", self.min_size);
        f.probability("spread_alpha", self.spread_alpha);
    }

    fn max_resting(&self) -> usize {
        2 * self.levels as usize
    }

    fn build(&self, _: &mut Member<'_>) -> AdaptiveMaker {
        AdaptiveMaker::new(self)
    }
}

/// An adaptive market maker.
#[derive(Clone, Debug)]
pub struct AdaptiveMaker {
    mean_wake_s: f64,
    levels: u32,
    level_spacing_ticks: i64,
    pov: f64,
    min_size: i64,
    spread_alpha: f64,
    spread_avg_ticks: Option<f64>,
    volume_seen: i64,
}

impl AdaptiveMaker {
    /// A maker following `spec`.
    pub fn new(spec: &AdaptiveMakerSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            levels: spec.levels,
            level_spacing_ticks: spec.level_spacing_ticks,
            pov: spec.pov,
            min_size: spec.min_size,
            spread_alpha: spec.spread_alpha,
            spread_avg_ticks: None,
            volume_seen: 0,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }
}

impl Behaviour for AdaptiveMaker {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(self.next_wake(0, rng))
    }

    /// Re-quotes its ladder.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        if let Some(s) = ctx.book.l1().spread_ticks() {
            let s = s as f64;
            let a = self.spread_alpha;
            self.spread_avg_ticks = Some(match self.spread_avg_ticks {
                Some(avg) => a * s + (1.0 - a) * avg,
                None => s,
            });
        }
        let half = self
            .spread_avg_ticks
            .map_or(1, |s| ((s / 2.0).round() as i64).max(1));
        let volume = ctx.market.cum_volume - self.volume_seen;
        self.volume_seen = ctx.market.cum_volume;
        let size = ((self.pov * volume as f64).round() as i64).max(self.min_size);
        orders.cancel_all(ctx.out);
        push_ladder(
            ctx.out,
            ctx.reference_x2(),
            half,
            self.levels,
            self.level_spacing_ticks,
            Qty(size),
        );
        Some(self.next_wake(ctx.now_ns, rng))
    }
}
