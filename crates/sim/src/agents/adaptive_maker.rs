//! Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent): ladders sized to a share of
//! recent volume, half-spread following an average of the observed spread.

use super::{push_ladder, secs_to_ns, Ctx, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::AdaptiveMakerSpec;
use cascade_book::Qty;

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

    /// Re-quotes its ladder.
    pub fn wake(
        &mut self,
        ctx: &mut Ctx<'_>,
        rng: &mut Rng,
        orders: &mut OrderList,
    ) -> Option<i64> {
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
