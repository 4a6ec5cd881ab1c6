//! Arbitrageurs: take asks priced below the index (or bids above it) by more than an edge,
//! up to a position limit, which pulls the book back toward the index.

use super::{secs_to_ns, Action, Ctx, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::ArbitrageurSpec;
use cascade_book::{Price, Qty, Side, Tif};

/// An arbitrageur.
#[derive(Clone, Debug)]
pub struct Arbitrageur {
    mean_wake_s: f64,
    edge_bps: f64,
    max_size: i64,
    max_position: i64,
}

impl Arbitrageur {
    /// An agent following `spec`.
    pub fn new(spec: &ArbitrageurSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            edge_bps: spec.edge_bps,
            max_size: spec.max_size,
            max_position: spec.max_position,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }

    /// Sends an IOC that only trades at prices beyond the edge.
    pub fn wake(
        &mut self,
        ctx: &mut Ctx<'_>,
        rng: &mut Rng,
        _orders: &mut OrderList,
    ) -> Option<i64> {
        if let Some(ix) = ctx.market.index {
            let l1 = ctx.book.l1();
            let edge = self.edge_bps / 1e4;
            let pos = ctx.position;
            let buy_below = (ix * (1.0 - edge)).floor() as i64;
            let sell_above = (ix * (1.0 + edge)).ceil() as i64;
            if let Some((ask, _)) = l1.ask.filter(|(a, _)| a.0 <= buy_below) {
                let room = self.max_position - pos;
                if room > 0 && ask.0 >= 1 {
                    let qty = room.min(self.max_size);
                    ctx.out.push(Action::Limit {
                        side: Side::Buy,
                        price: Price(buy_below),
                        qty: Qty(qty),
                        tif: Tif::Ioc,
                    });
                }
            } else if let Some((bid, _)) = l1.bid.filter(|(b, _)| b.0 >= sell_above) {
                let room = self.max_position + pos;
                if room > 0 && bid.0 >= 1 {
                    let qty = room.min(self.max_size);
                    ctx.out.push(Action::Limit {
                        side: Side::Sell,
                        price: Price(sell_above),
                        qty: Qty(qty),
                        tif: Tif::Ioc,
                    });
                }
            }
        }
        Some(self.next_wake(ctx.now_ns, rng))
    }
}
