//! Noise traders: a Poisson flow of passive limits, market orders and cancels.

use super::{draw_side, draw_size, secs_to_ns, Action, Ctx, OrderList};
use crate::rng::{exp_draw, geometric_draw, Rng};
use crate::scenario::NoiseSpec;
use cascade_book::{Price, Side, Tif};
use rand::Rng as _;

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

    /// One decision: a passive limit, a market order, or a cancel.
    pub fn wake(
        &mut self,
        ctx: &mut Ctx<'_>,
        rng: &mut Rng,
        orders: &mut OrderList,
    ) -> Option<i64> {
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
