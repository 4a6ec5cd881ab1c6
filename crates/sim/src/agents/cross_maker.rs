//! Market makers quoting on several venues with one inventory.
//!
//! A cross-venue maker holds a cash account on every venue it names (as a plain maker does on
//! its one) and quotes a ladder in each of their books, around that book's own mid. Its
//! inventory is shared: the ladder on every venue is shifted against the sum of its positions
//! on all of them, and once that sum reaches `max_inventory` either way it stops quoting, on
//! every venue, the side that would grow it. So a fill on one venue moves its quotes on the
//! others: a maker long from buying a falling perpetual quotes lower on the spot markets too,
//! which is how a real maker hedging across venues carries one venue's selling to the next.
//! Its orders reach each venue after the scenario's latency plus its own `latency_us`; it
//! pulls its old ladder on a venue before quoting the new one there. With `withdraw` it pulls
//! every ladder, on every venue, when the price of any one of them jumps between two refreshes,
//! and stays out for a cooldown: a maker that sees one venue gap does not wait to be run over
//! on the others.

use super::cross_arb::{check_venue_names, venue_ids};
use super::{
    push_ladder, secs_to_ns, validate_ladder, Action, Behaviour, Ctx, GroupSpec, Member, OrderList,
};
use crate::rng::Rng;
use crate::scenario::{Fields, Scenario};
use cascade_book::{OrderId, Qty, Side};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Market makers quoting on several venues, every ladder shifted against one shared inventory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossMakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// The venues it quotes on, by name (`venue_name` or a `venues` entry), at least two.
    pub venues: Vec<String>,
    /// Time between two refreshes of its ladders, seconds.
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub refresh_s: f64,
    /// Distance from a venue's mid to the first quote on each side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub half_spread_ticks: i64,
    /// Quotes per side on each venue.
    #[schemars(extend("x-unit" = "quotes per side", "minimum" = 1, "maximum" = 1000))]
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub level_spacing_ticks: i64,
    /// Size of each quote, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size: i64,
    /// Shift of every ladder against the shared inventory, ticks per lot held over all its
    /// venues (a long maker quotes lower everywhere).
    #[schemars(extend("x-unit" = "ticks/lot", "minimum" = 0, "maximum" = 1000000))]
    pub skew_ticks_per_lot: f64,
    /// Stop quoting, on every venue, the side that would grow the shared inventory beyond
    /// this many lots either way.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_inventory: i64,
    /// Latency from the maker to every venue on top of the scenario's, microseconds.
    #[serde(default)]
    #[schemars(extend("x-unit" = "µs", "minimum" = 0, "maximum" = 1000000000))]
    pub latency_us: f64,
    /// Pull out of every venue when one venue's price jumps (none: it always quotes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdraw: Option<CrossWithdraw>,
}

/// When a cross-venue maker pulls its ladders from every venue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossWithdraw {
    /// Pull out when the reference price (mid, else last trade) of any of its venues moved
    /// more than this between two of its refreshes, basis points.
    #[schemars(extend("x-unit" = "bps", "exclusiveMinimum" = 0))]
    pub move_bps: f64,
    /// Time out of every venue after the last such jump, seconds.
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub cooldown_s: f64,
}

impl GroupSpec for CrossMakerSpec {
    type Agent = CrossMaker;

    fn validate(&self, f: &mut Fields<'_>, _scenario: &Scenario) {
        f.positive("refresh_s", self.refresh_s);
        validate_ladder(
            f,
            self.half_spread_ticks,
            self.levels,
            self.level_spacing_ticks,
            self.size,
        );
        f.lots("max_inventory", self.max_inventory);
        if f.non_negative("skew_ticks_per_lot", self.skew_ticks_per_lot)
            && self.skew_ticks_per_lot > 1e6
        {
            f.err("skew_ticks_per_lot", "must be at most 1e6");
        }
        if f.non_negative("latency_us", self.latency_us) && self.latency_us > 1e9 {
            f.err("latency_us", "must be at most 1e9 µs");
        }
        if let Some(w) = &self.withdraw {
            f.positive("withdraw.move_bps", w.move_bps);
            f.non_negative("withdraw.cooldown_s", w.cooldown_s);
        }
    }

    /// The orders it tracks on one venue (the kernel's list; each venue has its own, held by
    /// the maker).
    fn max_resting(&self) -> usize {
        2 * self.levels as usize
    }

    fn build(&self, member: &mut Member<'_>) -> CrossMaker {
        let venues = venue_ids(&self.venues, member.scenario);
        let orders = venues
            .iter()
            .map(|_| OrderList::new(self.max_resting()))
            .collect();
        CrossMaker {
            venues,
            orders,
            refresh_ns: secs_to_ns(self.refresh_s),
            half_spread_ticks: self.half_spread_ticks,
            levels: self.levels,
            level_spacing_ticks: self.level_spacing_ticks,
            size: Qty(self.size),
            skew_ticks_per_lot: self.skew_ticks_per_lot,
            max_inventory: self.max_inventory,
            latency_ns: (self.latency_us * 1e3).round() as i64,
            withdraw: self
                .withdraw
                .as_ref()
                .map(|w| (w.move_bps, secs_to_ns(w.cooldown_s))),
            last_ref_x2: vec![0; self.venues.len()],
            away_until_ns: 0,
            buf: Vec::with_capacity(4 * self.levels as usize),
        }
    }
}

impl CrossMakerSpec {
    /// The venues named exist and are at least two distinct ones (checked with the venues).
    pub(crate) fn check_venues(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        check_venue_names(&self.venues, f, scenario, "a cross-venue maker quotes");
    }
}

/// A market maker quoting on several venues with one inventory.
#[derive(Clone, Debug)]
pub struct CrossMaker {
    /// The venues it quotes on.
    pub(crate) venues: Vec<u16>,
    /// Its resting orders on each of them (same order as `venues`).
    orders: Vec<OrderList>,
    refresh_ns: i64,
    half_spread_ticks: i64,
    levels: u32,
    level_spacing_ticks: i64,
    size: Qty,
    skew_ticks_per_lot: f64,
    max_inventory: i64,
    /// Its latency to every venue on top of the scenario's, ns.
    pub(crate) latency_ns: i64,
    /// The jump that pulls it out, bps, and the cooldown after it, ns.
    withdraw: Option<(f64, i64)>,
    /// Each venue's reference price at the last refresh, twice in ticks (0: none yet).
    last_ref_x2: Vec<i64>,
    /// Out of every venue until then, ns.
    away_until_ns: i64,
    /// One venue's instructions (reused: no allocation per wake).
    buf: Vec<Action>,
}

impl CrossMaker {
    /// One of its orders came to rest on venue `venue` under `id`.
    pub(crate) fn on_resting(&mut self, venue: u16, id: OrderId) {
        if let Some(k) = self.venues.iter().position(|&v| v == venue) {
            self.orders[k].push(id);
        }
    }

    /// Records venue `k`'s reference price (twice, ticks) at `now_ns`; with `withdraw`, a move
    /// past its threshold since the last refresh keeps the maker out of every venue for the
    /// cooldown from now. True while it is out.
    fn observe(&mut self, k: usize, reference_x2: i64, now_ns: i64) -> bool {
        let last = std::mem::replace(&mut self.last_ref_x2[k], reference_x2);
        if let Some((move_bps, cooldown_ns)) = self.withdraw {
            let moved_bps = (reference_x2 - last).abs() as f64 / last.max(1) as f64 * 1e4;
            if last > 0 && moved_bps > move_bps {
                self.away_until_ns = now_ns + cooldown_ns;
            }
        }
        now_ns < self.away_until_ns
    }

    /// Its ladder on one venue given that venue's reference price (twice a price, ticks) and
    /// the shared inventory, lots: shifted against the inventory, without the side that would
    /// grow it past `max_inventory`. Written to `out`.
    pub fn ladder(&self, reference_x2: i64, inventory: i64, out: &mut Vec<Action>) {
        let skew_x2 = (2.0 * self.skew_ticks_per_lot * inventory as f64).round() as i64;
        let start = out.len();
        push_ladder(
            out,
            reference_x2 - skew_x2,
            self.half_spread_ticks,
            self.levels,
            self.level_spacing_ticks,
            self.size,
        );
        let (bids, asks) = (
            inventory < self.max_inventory,
            inventory > -self.max_inventory,
        );
        let mut i = 0;
        out.retain(|a| {
            i += 1;
            i <= start
                || match a {
                    Action::Limit { side, .. } => {
                        (*side == Side::Buy && bids) || (*side == Side::Sell && asks)
                    }
                    _ => true,
                }
        });
    }
}

impl Behaviour for CrossMaker {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(rng.gen_range(0..self.refresh_ns))
    }

    /// On every venue: pulls the old ladder, quotes a new one around that venue's mid,
    /// shifted against the inventory summed over every venue.
    fn wake(&mut self, ctx: &mut Ctx<'_>, _rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let next = Some(ctx.now_ns + self.refresh_ns);
        let Some(cross) = ctx.cross.as_mut() else {
            return next;
        };
        let inventory: i64 = self
            .venues
            .iter()
            .map(|&v| cross.venues[usize::from(v)].accounts()[cross.agent as usize].pos)
            .sum();
        let reference_x2 = |v: u16| {
            let venue = &cross.venues[usize::from(v)];
            venue
                .book()
                .l1()
                .mid_x2()
                .unwrap_or(2 * venue.market.last_price.0)
        };
        let mut away = false;
        for k in 0..self.venues.len() {
            away |= self.observe(k, reference_x2(self.venues[k]), ctx.now_ns);
        }
        let mut buf = std::mem::take(&mut self.buf);
        for k in 0..self.venues.len() {
            let v = self.venues[k];
            self.orders[k].prune(cross.venues[usize::from(v)].book());
            buf.clear();
            self.orders[k].cancel_all(&mut buf);
            if !away {
                self.ladder(self.last_ref_x2[k], inventory, &mut buf);
            }
            cross.routed.extend(buf.drain(..).map(|a| (v, a)));
        }
        self.buf = buf;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_book::Tif;

    fn maker(max_inventory: i64, skew: f64) -> CrossMaker {
        CrossMaker {
            venues: vec![0, 2],
            orders: vec![OrderList::new(4), OrderList::new(4)],
            refresh_ns: 1_000_000_000,
            half_spread_ticks: 2,
            levels: 2,
            level_spacing_ticks: 1,
            size: Qty(5),
            skew_ticks_per_lot: skew,
            max_inventory,
            latency_ns: 0,
            withdraw: None,
            last_ref_x2: vec![0; 2],
            away_until_ns: 0,
            buf: Vec::new(),
        }
    }

    #[test]
    fn a_jump_on_one_venue_keeps_it_out_of_every_venue_for_the_cooldown() {
        let mut m = maker(10, 0.0);
        m.withdraw = Some((50.0, 10_000_000_000));
        let s = 1_000_000_000;
        // First looks: nothing to compare with.
        assert!(!m.observe(0, 20_000, 0));
        assert!(!m.observe(1, 30_000, 0));
        // 50 bps on venue 0 is not past the threshold; 51 bps on venue 1 is.
        assert!(!m.observe(0, 20_100, s));
        assert!(m.observe(1, 30_153, s));
        // Out of every venue for 10 s from the jump, even where nothing moved.
        assert!(m.observe(0, 20_100, 2 * s));
        assert!(m.observe(1, 30_153, 10 * s));
        assert!(!m.observe(0, 20_100, 11 * s));
        // Without `withdraw` the same jump changes nothing.
        let mut q = maker(10, 0.0);
        assert!(!q.observe(1, 30_000, 0));
        assert!(!q.observe(1, 40_000, s));
    }

    fn prices(out: &[Action]) -> Vec<(Side, i64)> {
        out.iter()
            .filter_map(|a| match a {
                Action::Limit {
                    side, price, tif, ..
                } => {
                    assert_eq!(*tif, Tif::Gtc);
                    Some((*side, price.0))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_ladder_shifts_against_the_shared_inventory() {
        let m = maker(100, 0.5);
        let mut flat = Vec::new();
        m.ladder(200, 0, &mut flat);
        assert_eq!(
            prices(&flat),
            vec![
                (Side::Buy, 98),
                (Side::Sell, 102),
                (Side::Buy, 97),
                (Side::Sell, 103)
            ]
        );
        // Long 4 lots over all venues: 0.5 tick per lot, 2 ticks lower everywhere.
        let mut long = Vec::new();
        m.ladder(200, 4, &mut long);
        assert_eq!(
            prices(&long),
            vec![
                (Side::Buy, 96),
                (Side::Sell, 100),
                (Side::Buy, 95),
                (Side::Sell, 101)
            ]
        );
    }

    #[test]
    fn at_its_inventory_limit_it_quotes_only_the_side_that_reduces_it() {
        let m = maker(10, 0.0);
        let mut long = Vec::new();
        m.ladder(200, 10, &mut long);
        assert!(prices(&long).iter().all(|&(s, _)| s == Side::Sell));
        assert_eq!(long.len(), 2);
        let mut short = vec![Action::Cancel(OrderId::new(7, 0))];
        m.ladder(200, -12, &mut short);
        assert_eq!(
            short[0],
            Action::Cancel(OrderId::new(7, 0)),
            "what was there stays"
        );
        assert!(prices(&short).iter().all(|&(s, _)| s == Side::Buy));
        assert_eq!(short.len(), 3);
    }

    #[test]
    fn resting_orders_are_tracked_per_venue() {
        let mut m = maker(10, 0.0);
        m.on_resting(2, OrderId::new(11, 0));
        m.on_resting(0, OrderId::new(12, 0));
        m.on_resting(5, OrderId::new(13, 0)); // not one of its venues: ignored
        assert_eq!(m.orders[0].get(0), Some(OrderId::new(12, 0)));
        assert_eq!(m.orders[1].get(0), Some(OrderId::new(11, 0)));
        assert_eq!(m.orders[0].len() + m.orders[1].len(), 2);
    }
}
