//! Arbitrageurs: take asks priced below the index (or bids above it) by more than an edge,
//! up to a position limit, which pulls the book back toward the index. With a quote edge they
//! also rest a deep bid and ask around the index, moved as the index moves: outside liquidity
//! that a crash can reach but not run through.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Qty, Side, Tif};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Arbitrageurs: take asks below (or bids above) the index by more than an edge, pulling the
/// book toward the index; optionally they also rest a deep bid and ask around the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArbitrageurSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Required distance from the index, basis points.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0))]
    pub edge_bps: f64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_size: i64,
    /// Largest position either way, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_position: i64,
    /// Also rest a bid and an ask of `max_size` lots this far from the index, basis points, and
    /// move them with the index: the deep, slow liquidity of traders who would buy this
    /// venue's dip and hedge elsewhere. None: take only.
    #[serde(default)]
    #[schemars(extend("x-unit" = "bps", "exclusiveMinimum" = 0, "exclusiveMaximum" = 10000))]
    pub quote_edge_bps: Option<f64>,
}

impl GroupSpec for ArbitrageurSpec {
    type Agent = Arbitrageur;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        if !scenario.has_index() {
            f.section_err("arbitrageurs need an index: add `index: Some(IndexSpec(...))`");
        }
        f.positive("mean_wake_s", self.mean_wake_s);
        f.non_negative("edge_bps", self.edge_bps);
        f.lots("max_size", self.max_size);
        f.lots("max_position", self.max_position);
        if let Some(q) = self.quote_edge_bps {
            if !(q > 0.0 && q < 10_000.0) {
                f.err(
                    "quote_edge_bps",
                    format!("must be above 0 and below 10000 (a bid above zero), got {q}"),
                );
            }
        }
    }

    fn max_resting(&self) -> usize {
        2
    }

    fn build(&self, _: &mut Member<'_>) -> Arbitrageur {
        Arbitrageur::new(self)
    }
}

/// An arbitrageur.
#[derive(Clone, Debug)]
pub struct Arbitrageur {
    mean_wake_s: f64,
    edge_bps: f64,
    max_size: i64,
    max_position: i64,
    quote_edge_bps: Option<f64>,
}

/// A resting quote is moved once its price is this far (basis points) from where it belongs.
const REQUOTE_BPS: f64 = 10.0;

impl Arbitrageur {
    /// An agent following `spec`.
    pub fn new(spec: &ArbitrageurSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            edge_bps: spec.edge_bps,
            max_size: spec.max_size,
            max_position: spec.max_position,
            quote_edge_bps: spec.quote_edge_bps,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }

    /// Cancels quotes that drifted from index ∓ `edge_bps`, and rests the missing ones, each as
    /// large as the position limit still allows.
    fn quote(&self, ctx: &mut Ctx<'_>, orders: &mut OrderList, ix: f64, edge_bps: f64) {
        let edge = edge_bps / 1e4;
        let bid = (ix * (1.0 - edge)).floor() as i64;
        let ask = (ix * (1.0 + edge)).ceil() as i64;
        let tolerance = ((ix * REQUOTE_BPS / 1e4) as i64).max(1);
        let (mut has_bid, mut has_ask) = (false, false);
        let mut i = 0;
        let target = |side| if side == Side::Buy { bid } else { ask };
        while let Some(id) = orders.get(i) {
            // The list was pruned at wake-up, so every handle rests.
            match ctx
                .book
                .order(id)
                .filter(|o| (o.price.0 - target(o.side)).abs() <= tolerance)
            {
                Some(o) => {
                    has_bid |= o.side == Side::Buy;
                    has_ask |= o.side == Side::Sell;
                    i += 1;
                }
                None => orders.cancel_at(i, ctx.out),
            }
        }
        let pos = ctx.position;
        let buy_room = (self.max_position - pos).min(self.max_size);
        if !has_bid && buy_room > 0 && bid >= 1 {
            ctx.out.push(Action::Limit {
                side: Side::Buy,
                price: Price(bid),
                qty: Qty(buy_room),
                tif: Tif::Gtc,
            });
        }
        let sell_room = (self.max_position + pos).min(self.max_size);
        if !has_ask && sell_room > 0 {
            ctx.out.push(Action::Limit {
                side: Side::Sell,
                price: Price(ask),
                qty: Qty(sell_room),
                tif: Tif::Gtc,
            });
        }
    }
}

impl Behaviour for Arbitrageur {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(self.next_wake(0, rng))
    }

    /// Sends an IOC that only trades at prices beyond the edge, then keeps the quotes in place.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        if let Some(ix) = ctx.market.index {
            if let Some(q) = self.quote_edge_bps {
                self.quote(ctx, orders, ix, q);
            }
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
