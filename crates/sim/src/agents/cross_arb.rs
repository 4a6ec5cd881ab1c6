//! Cross-venue arbitrageurs: buy where the instrument is cheap and sell where it is rich, on
//! two or more venues at once, within capital and position limits on each.
//!
//! An arbitrageur holds an account on every venue it trades (a margin account with `capital`
//! of collateral on a perpetual, a cash account on a spot market, where it may sell short —
//! borrowing is not modelled). It wakes at exponential intervals and reads every venue's best
//! prices as they are now; its orders reach each venue after the scenario's latency plus its
//! own `latency_us`, so a gap can close before they arrive. When one venue's best bid is more
//! than `entry_bps` above another's best ask it sends two IOCs at those prices: a sell where
//! the bid is and a buy where the ask is, as much as both touches and its limits allow. With
//! no gap to take it unwinds a pair of opposite positions once their prices have met (the
//! bid where it is long at or above the ask where it is short, within `exit_bps`). Its
//! limits are where contagion meets its end: with the capital spent or zero, the venues
//! decouple.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Qty, Side, Tif};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Cross-venue arbitrageurs: take a price gap between venues within capital and position
/// limits on each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossArbSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// The venues it trades on, by name (`venue_name` or a `venues` entry), at least two.
    pub venues: Vec<String>,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Collateral of each agent on each venue, quote currency (zero: it never trades).
    #[schemars(extend("x-unit" = "quote currency", "minimum" = 0))]
    pub capital: f64,
    /// Largest position value on one venue as a multiple of the capital.
    #[schemars(extend("x-unit" = "×", "minimum" = 1))]
    pub leverage: f64,
    /// Largest position either way on one venue, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_position: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_size: i64,
    /// Take a gap when one venue's bid exceeds another's ask by more than this, basis points.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0, "exclusiveMaximum" = 10000))]
    pub entry_bps: f64,
    /// Unwind a pair of opposite positions once the bid where it is long is within this of
    /// the ask where it is short (or above it), basis points.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0, "exclusiveMaximum" = 10000))]
    pub exit_bps: f64,
    /// Latency from the arbitrageur to every venue on top of the scenario's, microseconds.
    #[serde(default)]
    #[schemars(extend("x-unit" = "µs", "minimum" = 0, "maximum" = 1000000000))]
    pub latency_us: f64,
}

impl CrossArbSpec {
    /// The venues named exist and are at least two distinct ones (checked with the venues).
    pub(crate) fn check_venues(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        check_venue_names(
            &self.venues,
            f,
            scenario,
            "a cross-venue arbitrageur trades",
        );
    }
}

/// A cross-venue agent's `venues`: each names a venue of `scenario`, none twice, at least two
/// (`who` says what the agent does there, for the message).
pub(crate) fn check_venue_names(
    venues: &[String],
    f: &mut Fields<'_>,
    scenario: &Scenario,
    who: &str,
) {
    let mut ids = Vec::new();
    for (k, name) in venues.iter().enumerate() {
        match scenario.venue_id(name) {
            None => f.err(
                &format!("venues[{k}]"),
                format!("{name:?} names no venue of the scenario"),
            ),
            Some(id) if ids.contains(&id) => {
                f.err(&format!("venues[{k}]"), format!("{name:?} is named twice"))
            }
            Some(id) => ids.push(id),
        }
    }
    if venues.len() < 2 {
        f.err("venues", format!("{who} on at least two venues"));
    }
}

/// The ids of the venues named (valid scenarios only).
pub(crate) fn venue_ids(venues: &[String], scenario: &Scenario) -> Vec<u16> {
    venues.iter().filter_map(|n| scenario.venue_id(n)).collect()
}

impl GroupSpec for CrossArbSpec {
    type Agent = CrossArb;

    fn validate(&self, f: &mut Fields<'_>, _scenario: &Scenario) {
        f.positive("mean_wake_s", self.mean_wake_s);
        if f.non_negative("capital", self.capital) {
            f.money("capital", self.capital);
        }
        if f.positive("leverage", self.leverage) && self.leverage < 1.0 {
            f.err(
                "leverage",
                format!("must be at least 1, got {}", self.leverage),
            );
        }
        f.lots("max_position", self.max_position);
        f.lots("max_size", self.max_size);
        for (field, x) in [("entry_bps", self.entry_bps), ("exit_bps", self.exit_bps)] {
            if f.non_negative(field, x) && x >= 10_000.0 {
                f.err(field, "must be below 10000");
            }
        }
        if f.non_negative("latency_us", self.latency_us) && self.latency_us > 1e9 {
            f.err("latency_us", "must be at most 1e9 µs");
        }
    }

    fn max_resting(&self) -> usize {
        0
    }

    fn build(&self, member: &mut Member<'_>) -> CrossArb {
        member.on_margin(self.capital);
        CrossArb {
            venues: venue_ids(&self.venues, member.scenario),
            mean_wake_s: self.mean_wake_s,
            capital_units: (self.capital / member.unit_quote).round() as i64,
            leverage: self.leverage,
            max_position: self.max_position,
            max_size: self.max_size,
            entry_bps: self.entry_bps,
            exit_bps: self.exit_bps,
            latency_ns: (self.latency_us * 1e3).round() as i64,
            quotes: Vec::with_capacity(self.venues.len()),
        }
    }
}

/// A cross-venue arbitrageur.
#[derive(Clone, Debug)]
pub struct CrossArb {
    /// The venues it trades on.
    pub(crate) venues: Vec<u16>,
    mean_wake_s: f64,
    capital_units: i64,
    leverage: f64,
    max_position: i64,
    max_size: i64,
    entry_bps: f64,
    exit_bps: f64,
    /// Its latency to every venue on top of the scenario's, ns.
    pub(crate) latency_ns: i64,
    /// What it read of each venue at its last wake (reused: no allocation per wake).
    quotes: Vec<Quote>,
}

/// What the arbitrageur reads of one venue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The venue's id.
    pub venue: u16,
    /// Best bid and its size.
    pub bid: Option<(i64, i64)>,
    /// Best ask and its size.
    pub ask: Option<(i64, i64)>,
    /// The arbitrageur's position there, lots.
    pub position: i64,
    /// The venue's mark, ticks.
    pub mark: i64,
    /// True while that venue's liquidation engine holds its account.
    pub held: bool,
}

impl CrossArb {
    /// Its position limit at `mark`: `max_position`, and the capital × leverage.
    fn limit(&self, mark: i64) -> i64 {
        let by_capital =
            (self.capital_units as f64 * self.leverage / mark.max(1) as f64).floor() as i64;
        self.max_position.min(by_capital).max(0)
    }

    /// The pair of orders it sends given every venue's quotes: (venue, action) twice, or none.
    pub fn decide(&self, quotes: &[Quote]) -> Option<[(u16, Action); 2]> {
        let mut best: Option<(f64, usize, usize, i64)> = None;
        // Open: sell at venue i's bid, buy at venue j's ask, when the bid is rich enough.
        for (i, qi) in quotes.iter().enumerate() {
            for (j, qj) in quotes.iter().enumerate() {
                let (Some((bid, bid_qty)), Some((ask, ask_qty))) = (qi.bid, qj.ask) else {
                    continue;
                };
                if i == j || qi.held || qj.held {
                    continue;
                }
                let edge = (bid - ask) as f64 / ask as f64 * 1e4;
                if edge <= self.entry_bps {
                    continue;
                }
                let room_sell = self.limit(qi.mark) + qi.position;
                let room_buy = self.limit(qj.mark) - qj.position;
                let qty = self
                    .max_size
                    .min(bid_qty)
                    .min(ask_qty)
                    .min(room_sell)
                    .min(room_buy);
                if qty > 0 && best.is_none_or(|(e, ..)| edge > e) {
                    best = Some((edge, i, j, qty));
                }
            }
        }
        if best.is_none() {
            // Unwind: sell where it is long, buy where it is short, once the prices have met.
            for (i, qi) in quotes.iter().enumerate() {
                for (j, qj) in quotes.iter().enumerate() {
                    let (Some((bid, bid_qty)), Some((ask, ask_qty))) = (qi.bid, qj.ask) else {
                        continue;
                    };
                    if i == j || qi.held || qj.held || qi.position <= 0 || qj.position >= 0 {
                        continue;
                    }
                    let edge = (bid - ask) as f64 / ask as f64 * 1e4;
                    if edge < -self.exit_bps {
                        continue;
                    }
                    let qty = self
                        .max_size
                        .min(bid_qty)
                        .min(ask_qty)
                        .min(qi.position)
                        .min(-qj.position);
                    if qty > 0 && best.is_none_or(|(e, ..)| edge > e) {
                        best = Some((edge, i, j, qty));
                    }
                }
            }
        }
        let (_, i, j, qty) = best?;
        let order = |side, price| Action::Limit {
            side,
            price: Price(price),
            qty: Qty(qty),
            tif: Tif::Ioc,
        };
        let (sell_at, buy_at) = (quotes[i].bid?.0, quotes[j].ask?.0);
        Some([
            (quotes[i].venue, order(Side::Sell, sell_at)),
            (quotes[j].venue, order(Side::Buy, buy_at)),
        ])
    }
}

impl Behaviour for CrossArb {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(secs_to_ns(exp_draw(rng, self.mean_wake_s)))
    }

    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let next = Some(ctx.now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s)));
        let Some(cross) = ctx.cross.as_mut() else {
            return next;
        };
        let mut quotes = std::mem::take(&mut self.quotes);
        quotes.clear();
        quotes.extend(self.venues.iter().map(|&v| {
            let venue = &cross.venues[usize::from(v)];
            let l1 = venue.book().l1();
            let acc = &venue.accounts()[cross.agent as usize];
            Quote {
                venue: v,
                bid: l1.bid.map(|(p, q)| (p.0, q.0)),
                ask: l1.ask.map(|(p, q)| (p.0, q.0)),
                position: acc.pos,
                mark: venue.market.mark.0,
                held: acc.in_liquidation(),
            }
        }));

        if let Some(orders) = self.decide(&quotes) {
            cross.routed.extend(orders);
        }
        self.quotes = quotes;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arb(capital_units: i64) -> CrossArb {
        CrossArb {
            venues: vec![0, 1],
            mean_wake_s: 1.0,
            capital_units,
            leverage: 5.0,
            max_position: 100,
            max_size: 30,
            entry_bps: 10.0,
            exit_bps: 2.0,
            latency_ns: 0,
            quotes: Vec::new(),
        }
    }

    fn quote(venue: u16, bid: (i64, i64), ask: (i64, i64), position: i64) -> Quote {
        Quote {
            venue,
            bid: Some(bid),
            ask: Some(ask),
            position,
            mark: (bid.0 + ask.0) / 2,
            held: false,
        }
    }

    fn ioc(side: Side, price: i64, qty: i64) -> Action {
        Action::Limit {
            side,
            price: Price(price),
            qty: Qty(qty),
            tif: Tif::Ioc,
        }
    }

    #[test]
    fn sells_where_the_bid_is_rich_and_buys_where_the_ask_is_cheap() {
        let a = arb(1_000_000);
        // Venue 0 crashed to 9,890/9,900; venue 1 still 10,000/10,010: venue 1's bid is 101
        // bps over venue 0's ask. Sell at 10,000 on 1, buy at 9,900 on 0; 20 lots at the bid.
        let q = [
            quote(0, (9_890, 50), (9_900, 40), 0),
            quote(1, (10_000, 20), (10_010, 50), 0),
        ];
        assert_eq!(
            a.decide(&q),
            Some([
                (1, ioc(Side::Sell, 10_000, 20)),
                (0, ioc(Side::Buy, 9_900, 20))
            ])
        );
        // A gap of 10 bps or less is not taken: 10,010 against 10,000.
        let q = [
            quote(0, (9_990, 50), (10_000, 40), 0),
            quote(1, (10_010, 20), (10_020, 50), 0),
        ];
        assert_eq!(a.decide(&q), None);
    }

    #[test]
    fn capital_and_position_bound_what_it_takes() {
        // Capital 300,000 units × 5 at a mark of ~10,000 allows 150 lots; max_position 100;
        // short 95 on venue 1 already: 5 more.
        let a = arb(300_000);
        let q = [
            quote(0, (9_890, 50), (9_900, 40), 0),
            quote(1, (10_000, 80), (10_010, 50), -95),
        ];
        assert_eq!(
            a.decide(&q),
            Some([
                (1, ioc(Side::Sell, 10_000, 5)),
                (0, ioc(Side::Buy, 9_900, 5))
            ])
        );
        // Capital 100,000 × 5 / ~9,895 allows 50 lots: long 50 on venue 0, nothing to buy.
        let a = arb(100_000);
        let q = [
            quote(0, (9_890, 50), (9_900, 40), 50),
            quote(1, (10_000, 80), (10_010, 50), -50),
        ];
        assert_eq!(a.decide(&q), None);
        // No capital, no trade.
        let q = [
            quote(0, (9_890, 50), (9_900, 40), 0),
            quote(1, (10_000, 80), (10_010, 50), 0),
        ];
        assert_eq!(arb(0).decide(&q), None);
    }

    #[test]
    fn unwinds_a_pair_once_the_prices_meet_and_not_while_an_engine_holds_it() {
        let a = arb(1_000_000);
        // Long 40 on venue 0, short 40 on venue 1; venue 0's bid 10,000 is 1 bp under venue 1's
        // ask 10,001 (within exit_bps 2): sell 30 (max_size) on 0, buy 30 on 1.
        let q = [
            quote(0, (10_000, 60), (10_002, 60), 40),
            quote(1, (9_999, 60), (10_001, 60), -40),
        ];
        assert_eq!(
            a.decide(&q),
            Some([
                (0, ioc(Side::Sell, 10_000, 30)),
                (1, ioc(Side::Buy, 10_001, 30))
            ])
        );
        // 5 bps apart: it holds.
        let q = [
            quote(0, (10_000, 60), (10_002, 60), 40),
            quote(1, (10_003, 60), (10_005, 60), -40),
        ];
        assert_eq!(a.decide(&q), None);
        // A gap it would take, but venue 1's engine holds its account there: nothing.
        let mut q = [
            quote(0, (9_890, 50), (9_900, 40), 0),
            quote(1, (10_000, 80), (10_010, 50), 0),
        ];
        q[1].held = true;
        assert_eq!(a.decide(&q), None);
    }
}
