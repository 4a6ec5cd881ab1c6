//! Noise traders: a Poisson flow of passive limits, market orders and cancels.

use super::{
    draw_side, draw_size, secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList,
};
use crate::rng::{exp_draw, geometric_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Side, Tif};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Noise traders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Wake-ups per second per agent (a Poisson process).
    #[schemars(extend("x-unit" = "1/s", "exclusiveMinimum" = 0))]
    pub rate_per_s: f64,
    /// Relative weight of a passive limit order at a wake-up.
    #[schemars(extend("x-unit" = "relative weight", "minimum" = 0))]
    pub limit_weight: f64,
    /// Relative weight of a market order.
    #[schemars(extend("x-unit" = "relative weight", "minimum" = 0))]
    pub market_weight: f64,
    /// Relative weight of cancelling one of the agent's resting orders.
    #[schemars(extend("x-unit" = "relative weight", "minimum" = 0))]
    pub cancel_weight: f64,
    /// Mean distance of a limit order behind the mid, in ticks (geometric).
    #[schemars(extend("x-unit" = "ticks", "minimum" = 0, "maximum" = 1e6))]
    pub offset_ticks_mean: f64,
    /// Widening of the offset with the market's realised volatility: the mean offset is
    /// `offset_ticks_mean × (1 + offset_vol_scale × vol_bps)`, vol_bps being the volatility of
    /// one-second mid returns. 0 (the default) keeps it fixed.
    #[serde(default)]
    #[schemars(extend("x-unit" = "1/bps", "minimum" = 0, "maximum" = 1000))]
    pub offset_vol_scale: f64,
    /// Largest widening factor of the offset (default 10).
    #[serde(default = "default_vol_cap")]
    #[schemars(extend("x-unit" = "×", "minimum" = 1, "maximum" = 1e6))]
    pub offset_vol_cap: f64,
    /// Smallest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_min: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_max: i64,
    /// Resting orders an agent keeps at most; the oldest is cancelled beyond it.
    #[serde(default = "default_max_orders")]
    #[schemars(extend("x-unit" = "orders", "minimum" = 1, "maximum" = 4096))]
    pub max_orders: u32,
}

fn default_vol_cap() -> f64 {
    10.0
}

fn default_max_orders() -> u32 {
    16
}

impl GroupSpec for NoiseSpec {
    type Agent = Noise;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.positive("rate_per_s", self.rate_per_s);
        let weights = [
            ("limit_weight", self.limit_weight),
            ("market_weight", self.market_weight),
            ("cancel_weight", self.cancel_weight),
        ];
        let mut all_ok = true;
        for (field, x) in weights {
            all_ok &= f.non_negative(field, x);
        }
        if all_ok && self.limit_weight + self.market_weight + self.cancel_weight <= 0.0 {
            f.err("limit_weight", "the three weights sum to zero");
        }
        if f.positive("offset_vol_cap", self.offset_vol_cap)
            && !(1.0..=1e6).contains(&self.offset_vol_cap)
        {
            f.err("offset_vol_cap", "must be in [1, 1e6]");
        }
        if f.non_negative("offset_vol_scale", self.offset_vol_scale) && self.offset_vol_scale > 1e3
        {
            f.err("offset_vol_scale", "must be at most 1000");
        }
        if f.non_negative("offset_ticks_mean", self.offset_ticks_mean)
            && self.offset_ticks_mean > 1e6
        {
            f.err("offset_ticks_mean", "must be at most 1e6 ticks");
        }
        f.sizes(self.size_min, self.size_max);
        f.int_range("max_orders", i64::from(self.max_orders), 1, 4096);
    }

    fn max_resting(&self) -> usize {
        self.max_orders as usize
    }

    fn build(&self, _: &mut Member<'_>) -> Noise {
        Noise::new(self)
    }
}

/// A noise trader.
#[derive(Clone, Debug)]
pub struct Noise {
    mean_wait_s: f64,
    limit_weight: f64,
    market_weight: f64,
    cancel_weight: f64,
    offset_ticks_mean: f64,
    offset_vol_scale: f64,
    offset_vol_cap: f64,
    size_min: i64,
    size_max: i64,
}

impl Noise {
    /// A trader following `spec`.
    pub fn new(spec: &NoiseSpec) -> Self {
        Self {
            mean_wait_s: 1.0 / spec.rate_per_s,
            limit_weight: spec.limit_weight,
            market_weight: spec.market_weight,
            cancel_weight: spec.cancel_weight,
            offset_ticks_mean: spec.offset_ticks_mean,
            offset_vol_scale: spec.offset_vol_scale,
            offset_vol_cap: spec.offset_vol_cap,
            size_min: spec.size_min,
            size_max: spec.size_max,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wait_s))
    }
}

impl Behaviour for Noise {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(self.next_wake(0, rng))
    }

    /// One decision: a passive limit, a market order, or a cancel.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        let total = self.limit_weight + self.market_weight + self.cancel_weight;
        let u = rng.gen::<f64>() * total;
        if u < self.limit_weight {
            let side = draw_side(rng);
            let widen = (1.0 + self.offset_vol_scale * ctx.market.vol_bps).min(self.offset_vol_cap);
            let mean = self.offset_ticks_mean * widen;
            let d = geometric_draw(rng, mean);
            let mid_x2 = ctx.reference_x2();
            // Strictly behind the mid: a buy below it, a sell above it.
            let price = match side {
                Side::Buy => (mid_x2 - 1).div_euclid(2) - d,
                Side::Sell => (mid_x2 + 2).div_euclid(2) + d,
            };
            let qty = draw_size(rng, self.size_min, self.size_max);
            if price >= 1 {
                if orders.is_full() {
                    orders.cancel_at(0, ctx.out);
                }
                ctx.out.push(Action::Limit {
                    side,
                    price: Price(price),
                    qty,
                    tif: Tif::Gtc,
                });
            }
        } else if u < self.limit_weight + self.market_weight {
            let side = draw_side(rng);
            let qty = draw_size(rng, self.size_min, self.size_max);
            ctx.out.push(Action::Market { side, qty });
        } else if !orders.is_empty() {
            let i = rng.gen_range(0..orders.len());
            orders.cancel_at(i, ctx.out);
        }
        Some(self.next_wake(ctx.now_ns, rng))
    }
}
