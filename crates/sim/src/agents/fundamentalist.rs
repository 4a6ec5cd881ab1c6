//! Fundamental traders: when the mid strays from the index (or the fundamental) by more than a
//! threshold, they trade toward it at market, more the further it strayed.
//!
//! With `anchor_half_life_s` the value they revert to is their own slow average of their
//! venue's last trade price instead: the belief of holders on a market without an index (a spot market),
//! who buy more the further the price falls below what it was. `max_position` bounds what
//! they hold either way (unlevered holders with finite cash), so they absorb a fall only
//! until their money runs out. With `resting` they do not take: each keeps a bid
//! `threshold_bps` below its value and an ask as far above it, replaced at every wake-up, so
//! the book holds their demand between their wake-ups and a fall that reaches their price
//! fills them whatever the makers do.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Qty, Side, Tif};
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
    /// Revert to the agent's own exponential average of its venue's last trade price with
    /// this half-life, seconds, sampled at its wake-ups from the first after the venue's
    /// first trade (before it the agent does nothing), instead of the index or the
    /// fundamental; what an agent on a spot venue, which has no index, reverts to. The last
    /// trade rather than the mid: at the open and in a hollow book the mid is set by whoever
    /// rests furthest out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub anchor_half_life_s: Option<f64>,
    /// Largest position either way, lots: an order only up to it (none: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_position: Option<i64>,
    /// Rest a bid `threshold_bps` below the value and an ask as far above it, `max_size`
    /// lots each within `max_position`, instead of taking at market when the mid strays.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schemars(extend("default" = false))]
    pub resting: bool,
    /// With `resting`: quote first only once the book has formed around the agent's quotes
    /// (a best bid above its bid and a best ask below its ask), so that at a thin open a
    /// holder's quote is never the only one on its side and the market's first prices are
    /// not set on it. Once it has quoted it keeps quoting whatever the book does.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schemars(extend("default" = false))]
    pub wait_for_book: bool,
}

impl GroupSpec for FundamentalistSpec {
    type Agent = Fundamentalist;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        match self.anchor_half_life_s {
            Some(h) => {
                f.positive("anchor_half_life_s", h);
            }
            None if !scenario.has_index() && scenario.fundamental.is_none() => {
                f.section_err(
                    "fundamental traders need an index, a fundamental or `anchor_half_life_s` \
                     to revert to",
                );
            }
            None => {}
        }
        f.positive("mean_wake_s", self.mean_wake_s);
        f.non_negative("threshold_bps", self.threshold_bps);
        f.positive("lots_per_bps", self.lots_per_bps);
        f.lots("max_size", self.max_size);
        if let Some(m) = self.max_position {
            f.lots("max_position", m);
        }
        if self.wait_for_book && !self.resting {
            f.err(
                "wait_for_book",
                "applies only to resting agents (`resting: true`)",
            );
        }
    }

    fn max_resting(&self) -> usize {
        if self.resting {
            2
        } else {
            1
        }
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
    anchor_half_life_s: Option<f64>,
    max_position: Option<i64>,
    resting: bool,
    /// True once a resting agent has quoted (always, without `wait_for_book`).
    quoting: bool,
    /// The agent's average of the last trade price, ticks, and when it was last updated (ns); none before
    /// its first look.
    anchor: Option<(f64, i64)>,
}

impl Fundamentalist {
    /// A trader following `spec`.
    pub fn new(spec: &FundamentalistSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            threshold_bps: spec.threshold_bps,
            lots_per_bps: spec.lots_per_bps,
            max_size: spec.max_size,
            anchor_half_life_s: spec.anchor_half_life_s,
            max_position: spec.max_position,
            resting: spec.resting,
            quoting: !spec.wait_for_book,
            anchor: None,
        }
    }

    /// Weighs `price` (ticks, at `now_ns`) into the agent's average by the time since the
    /// last look, and returns the average.
    fn update_anchor(&mut self, half_life_s: f64, price: f64, now_ns: i64) -> f64 {
        let value = match self.anchor {
            None => price,
            Some((value, then_ns)) => {
                let dt_s = (now_ns - then_ns).max(0) as f64 / 1e9;
                let keep = 0.5f64.powf(dt_s / half_life_s);
                value + (1.0 - keep) * (price - value)
            }
        };
        self.anchor = Some((value, now_ns));
        value
    }

    /// Lots the agent may still buy or sell from `position` (`i64::MAX` without a limit).
    fn room(&self, side: Side, position: i64) -> i64 {
        match (self.max_position, side) {
            (None, _) => i64::MAX,
            (Some(m), Side::Buy) => m - position,
            (Some(m), Side::Sell) => m + position,
        }
    }

    /// The bid and the ask a resting agent keeps around `value` (ticks): `threshold_bps`
    /// below it (rounded down) and above it (rounded up), `max_size` lots within the room
    /// `max_position` leaves; a side without room is left out.
    fn resting_quotes(&self, value: f64, position: i64) -> [Option<(Side, i64, i64)>; 2] {
        let off = value * self.threshold_bps / 1e4;
        let bid = ((value - off).floor() as i64).max(1);
        let ask = (value + off).ceil() as i64;
        [(Side::Buy, bid), (Side::Sell, ask)].map(|(side, price)| {
            let qty = self.max_size.min(self.room(side, position));
            (qty > 0).then_some((side, price, qty))
        })
    }

    /// Whether the book `l1` has formed inside the resting `quotes`: a best bid above the
    /// agent's bid and a best ask below its ask (a side it does not quote needs no check).
    fn book_formed(quotes: &[Option<(Side, i64, i64)>; 2], l1: &cascade_book::L1) -> bool {
        quotes.iter().flatten().all(|&(side, price, _)| match side {
            Side::Buy => l1.bid.is_some_and(|(b, _)| b.0 > price),
            Side::Sell => l1.ask.is_some_and(|(a, _)| a.0 < price),
        })
    }

    /// The order toward `value` (ticks) from `mid`, at most `max_size` and within
    /// `max_position` of the agent's `position`; none inside the threshold or at the limit.
    fn order(&self, mid: f64, value: f64, position: i64) -> Option<(Side, i64)> {
        let dev_bps = (mid - value) / value * 1e4;
        let excess = dev_bps.abs() - self.threshold_bps;
        if excess <= 0.0 {
            return None;
        }
        let side = if dev_bps > 0.0 { Side::Sell } else { Side::Buy };
        let qty = ((excess * self.lots_per_bps).round() as i64).clamp(1, self.max_size);
        let room = self.room(side, position);
        (room > 0).then_some((side, qty.min(room)))
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
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        let mid = ctx.reference_x2() as f64 / 2.0;
        let value = match (
            self.anchor_half_life_s,
            ctx.market.index,
            ctx.fundamental.as_deref_mut(),
        ) {
            // No price to believe in before the venue's first trade.
            (Some(_), _, _) if ctx.market.cum_volume == 0 => None,
            (Some(h), _, _) => {
                Some(self.update_anchor(h, ctx.market.last_price.0 as f64, ctx.now_ns))
            }
            (None, Some(ix), _) => Some(ix),
            (None, None, Some(f)) => Some(f.value_at(ctx.now_ns)),
            (None, None, None) => None,
        };
        if self.resting {
            let quotes = value.map(|v| self.resting_quotes(v, ctx.position));
            if !self.quoting {
                match &quotes {
                    Some(q) if Self::book_formed(q, &ctx.book.l1()) => self.quoting = true,
                    _ => return Some(self.next_wake(ctx.now_ns, rng)),
                }
            }
            orders.cancel_all(ctx.out);
            for (side, price, qty) in quotes.into_iter().flatten().flatten() {
                ctx.out.push(Action::Limit {
                    side,
                    price: Price(price),
                    qty: Qty(qty),
                    tif: Tif::Gtc,
                });
            }
        } else if let Some((side, qty)) = value.and_then(|v| self.order(mid, v, ctx.position)) {
            ctx.out.push(Action::Market {
                side,
                qty: Qty(qty),
            });
        }
        Some(self.next_wake(ctx.now_ns, rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(anchor_half_life_s: Option<f64>, max_position: Option<i64>) -> FundamentalistSpec {
        FundamentalistSpec {
            name: "f".into(),
            count: 1,
            mean_wake_s: 1.0,
            threshold_bps: 100.0,
            lots_per_bps: 0.5,
            max_size: 40,
            anchor_half_life_s,
            max_position,
            resting: false,
            wait_for_book: false,
        }
    }

    #[test]
    fn anchor_starts_at_the_first_price_and_halves_its_gap_each_half_life() {
        let mut a = Fundamentalist::new(&spec(Some(600.0), None));
        assert_eq!(a.update_anchor(600.0, 1_000.0, 5_000_000_000), 1_000.0);
        // 600 s later at 900: half the way; 1,200 s after that at 900: three quarters of the rest.
        let v = a.update_anchor(600.0, 900.0, 605_000_000_000);
        assert!((v - 950.0).abs() < 1e-9, "{v}");
        let v = a.update_anchor(600.0, 900.0, 1_805_000_000_000);
        assert!((v - 912.5).abs() < 1e-9, "{v}");
    }

    #[test]
    fn buys_more_the_further_the_mid_falls_below_the_value() {
        let a = Fundamentalist::new(&spec(Some(600.0), None));
        // 100 bps is the threshold: nothing at 1%, 0.5 lots per bps beyond it, 40 at most.
        assert_eq!(a.order(9_900.0, 10_000.0, 0), None);
        assert_eq!(a.order(9_850.0, 10_000.0, 0), Some((Side::Buy, 25)));
        assert_eq!(a.order(9_820.0, 10_000.0, 0), Some((Side::Buy, 40)));
        assert_eq!(a.order(10_160.0, 10_000.0, 0), Some((Side::Sell, 30)));
    }

    #[test]
    fn max_position_bounds_what_it_holds_either_way() {
        let a = Fundamentalist::new(&spec(None, Some(100)));
        assert_eq!(a.order(9_850.0, 10_000.0, 90), Some((Side::Buy, 10)));
        assert_eq!(a.order(9_850.0, 10_000.0, 100), None);
        assert_eq!(a.order(9_850.0, 10_000.0, 130), None);
        // Holding 100 it may still sell, down to -100.
        assert_eq!(a.order(10_160.0, 10_000.0, 100), Some((Side::Sell, 30)));
        assert_eq!(a.order(10_160.0, 10_000.0, -80), Some((Side::Sell, 20)));
        assert_eq!(a.order(10_160.0, 10_000.0, -100), None);
    }

    #[test]
    fn resting_quotes_sit_the_threshold_either_side_of_the_value_within_the_room() {
        let mut s = spec(Some(600.0), Some(100));
        s.resting = true;
        let a = Fundamentalist::new(&s);
        // 100 bps of 10,000.5 is 100.005: the bid rounds down, the ask up.
        assert_eq!(
            a.resting_quotes(10_000.5, 0),
            [Some((Side::Buy, 9_900, 40)), Some((Side::Sell, 10_101, 40))]
        );
        // Holding 80 it bids only 20 more; holding 100 it only offers, 40 of its 200 of room.
        assert_eq!(
            a.resting_quotes(10_000.0, 80)[0],
            Some((Side::Buy, 9_900, 20))
        );
        assert_eq!(
            a.resting_quotes(10_000.0, 100),
            [None, Some((Side::Sell, 10_100, 40))]
        );
        assert_eq!(a.resting_quotes(10_000.0, -100)[1], None);
    }

    /// One wake-up of `a` at `now_s` over a book of one bid and one ask (lots 100 each), the
    /// last trade at `last`, no index and no fundamental; the actions sent.
    fn wake(a: &mut Fundamentalist, now_s: i64, bid: i64, ask: i64, last: i64) -> Vec<Action> {
        wake_traded(a, now_s, bid, ask, last, true)
    }

    /// `wake` on a venue that has traded or not.
    fn wake_traded(
        a: &mut Fundamentalist,
        now_s: i64,
        bid: i64,
        ask: i64,
        last: i64,
        traded: bool,
    ) -> Vec<Action> {
        let book = crate::agents::testing::two_sided(bid, ask, 100);
        let market = crate::agents::MarketState {
            cum_volume: i64::from(traded),
            ..crate::agents::MarketState::opening(Price(last), None)
        };
        let now_ns = now_s * 1_000_000_000;
        let ((), out) = crate::agents::testing::wake_with(&book, &market, now_ns, 0, None, |ctx| {
            a.wake(ctx, &mut crate::rng::stream(1, 1), &mut OrderList::new(2));
        });
        out
    }

    #[test]
    fn on_a_hollow_book_the_anchor_is_the_last_trade_not_the_mid() {
        let mut s = spec(Some(600.0), Some(100));
        s.resting = true;
        let mut a = Fundamentalist::new(&s);
        // Before the venue's first trade it neither quotes nor starts its average.
        assert!(wake_traded(&mut a, 5, 8_000, 10_000, 12_000, false).is_empty());
        assert_eq!(a.anchor, None);
        // Mid 9,000 between far quotes, the last trade at 10,000: quotes around 10,000.
        let limit = |side, price| Action::Limit {
            side,
            price: Price(price),
            qty: Qty(40),
            tif: Tif::Gtc,
        };
        assert_eq!(
            wake(&mut a, 10, 8_000, 10_000, 10_000),
            vec![limit(Side::Buy, 9_900), limit(Side::Sell, 10_100)]
        );
        // One half-life later the last trade is 8,000: the anchor is 9,000.
        assert_eq!(
            wake(&mut a, 610, 7_990, 8_010, 8_000),
            vec![limit(Side::Buy, 8_910), limit(Side::Sell, 9_090)]
        );
        // Taking instead: the same path puts the anchor at 9,000 and the mid 1,111 bps
        // under it, 1,011 past the threshold: the most, 40 lots, bought at market.
        let mut m = Fundamentalist::new(&spec(Some(600.0), None));
        assert!(wake(&mut m, 10, 9_990, 10_010, 10_000).is_empty());
        assert_eq!(
            wake(&mut m, 610, 7_990, 8_010, 8_000),
            vec![Action::Market {
                side: Side::Buy,
                qty: Qty(40)
            }]
        );
    }

    #[test]
    fn waiting_for_the_book_it_first_quotes_once_the_book_is_inside_its_quotes() {
        let mut s = spec(Some(600.0), Some(100));
        s.resting = true;
        s.wait_for_book = true;
        let mut a = Fundamentalist::new(&s);
        // Value 10,000, quotes at 9,900 and 10,100. A best bid below its bid: the holder's
        // bid would lead the book, so it waits (its average still starts).
        assert!(wake(&mut a, 10, 9_800, 10_050, 10_000).is_empty());
        assert!(a.anchor.is_some());
        // A best ask beyond its ask: it still waits.
        assert!(wake(&mut a, 11, 9_950, 10_200, 10_000).is_empty());
        // Both inside: it quotes, and keeps quoting once the book hollows out again.
        assert_eq!(wake(&mut a, 12, 9_950, 10_050, 10_000).len(), 2);
        assert_eq!(wake(&mut a, 13, 9_000, 11_000, 10_000).len(), 2);
        // Without the option it quotes on the first wake over the same hollow book.
        s.wait_for_book = false;
        let mut b = Fundamentalist::new(&s);
        assert_eq!(wake(&mut b, 10, 9_800, 10_050, 10_000).len(), 2);
    }
}
