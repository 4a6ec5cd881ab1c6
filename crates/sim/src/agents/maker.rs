//! Market makers with a fixed ladder, refreshed on a timer.

use super::{push_ladder, secs_to_ns, Ctx, OrderList};
use crate::rng::Rng;
use crate::scenario::MakerSpec;
use cascade_book::Qty;
use rand::Rng as _;

/// A fixed-ladder market maker.
#[derive(Clone, Debug)]
pub struct Maker {
    refresh_ns: i64,
    half_spread_ticks: i64,
    levels: u32,
    level_spacing_ticks: i64,
    size: Qty,
    skew_ticks_per_lot: f64,
}

impl Maker {
    /// A maker following `spec`.
    pub fn new(spec: &MakerSpec) -> Self {
        Self {
            refresh_ns: secs_to_ns(spec.refresh_s),
            half_spread_ticks: spec.half_spread_ticks,
            levels: spec.levels,
            level_spacing_ticks: spec.level_spacing_ticks,
            size: Qty(spec.size),
            skew_ticks_per_lot: spec.skew_ticks_per_lot,
        }
    }

    /// A random phase within the first refresh interval, so makers do not move in lockstep.
    pub fn first_wake(&self, rng: &mut Rng) -> i64 {
        rng.gen_range(0..self.refresh_ns)
    }

    /// Pulls the old ladder and quotes a new one around the reference price, shifted against
    /// its inventory.
    pub fn wake(
        &mut self,
        ctx: &mut Ctx<'_>,
        _rng: &mut Rng,
        orders: &mut OrderList,
    ) -> Option<i64> {
        orders.cancel_all(ctx.out);
        let skew_x2 = (2.0 * self.skew_ticks_per_lot * ctx.position as f64).round() as i64;
        push_ladder(
            ctx.out,
            ctx.reference_x2() - skew_x2,
            self.half_spread_ticks,
            self.levels,
            self.level_spacing_ticks,
            self.size,
        );
        Some(ctx.now_ns + self.refresh_ns)
    }
}
