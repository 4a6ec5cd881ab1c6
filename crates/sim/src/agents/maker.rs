//! Market makers: a ladder refreshed on a timer, shifted against inventory and — under a
//! `stress` section — widened by realised volatility and inventory, one-sided at the inventory
//! limit, and pulled entirely when volatility or one-sided flow crosses a threshold.

use super::{
    secs_to_ns, validate_index_weight, validate_ladder, Action, Behaviour, Ctx, GroupSpec, Member,
    OrderList,
};
use crate::rng::Rng;
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Qty, Side, Tif};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Market makers with a fixed ladder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Time between two refreshes of the ladder, seconds.
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub refresh_s: f64,
    /// Distance from the mid to the first quote on each side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub half_spread_ticks: i64,
    /// Quotes per side.
    #[schemars(extend("x-unit" = "quotes per side", "minimum" = 1, "maximum" = 1000))]
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub level_spacing_ticks: i64,
    /// Size of each quote, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size: i64,
    /// Ladder shift against inventory, ticks per lot held (a long maker quotes lower).
    #[serde(default)]
    #[schemars(extend("x-unit" = "ticks/lot", "minimum" = 0, "maximum" = 1e6))]
    pub skew_ticks_per_lot: f64,
    /// Weight of the index in the centre of the ladder: the ladder sits around
    /// (1 − w) × the book's mid + w × the index. 0 (the default) quotes around the mid alone,
    /// anchored on nothing but the book; a perpetual's makers hedge their fills on spot, so
    /// they value the contract at the index and quote around it (1), whatever the book's mid
    /// has wandered to. Needs an index when above 0.
    #[serde(default)]
    #[schemars(extend("x-unit" = "weight", "minimum" = 0, "maximum" = 1))]
    pub index_weight: f64,
    /// Volatility- and inventory-driven spreads and withdrawal under stress.
    #[serde(default)]
    pub stress: Option<MakerStress>,
    /// Collateral, quote currency: with it the maker is a margin account that can be
    /// liquidated, and it stops quoting the side that would grow its position once its
    /// equity falls below twice its maintenance margin (its capital limit).
    #[serde(default)]
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0, "maximum" = 1e12))]
    pub collateral: Option<f64>,
}

/// Stress behaviour of a market maker: volatility- and inventory-driven spreads, withdrawal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MakerStress {
    /// Weight of the newest squared return in the volatility average (per wake-up).
    #[schemars(extend("x-unit" = "weight", "minimum" = 0, "maximum" = 1))]
    pub vol_alpha: f64,
    /// Extra half-spread, ticks per basis point of realised volatility.
    #[schemars(extend("x-unit" = "ticks/bps", "minimum" = 0))]
    pub spread_per_vol_bps: f64,
    /// Extra half-spread, ticks per lot of inventory.
    #[serde(default)]
    #[schemars(extend("x-unit" = "ticks/lot", "minimum" = 0))]
    pub spread_per_inventory_lot: f64,
    /// Stop quoting the side that would grow inventory beyond this many lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_inventory: i64,
    /// Withdraw or not (false: a counterfactual maker that never withdraws).
    #[serde(default = "yes")]
    pub withdraw: bool,
    /// Withdraw when realised volatility per wake-up exceeds this, basis points.
    #[schemars(extend("x-unit" = "bps", "exclusiveMinimum" = 0))]
    pub withdraw_vol_bps: f64,
    /// Withdraw when one-sided taker flow since the last wake-up exceeds this share (0.5–1).
    #[schemars(extend("x-unit" = "share of taker flow", "minimum" = 0.5, "maximum" = 1))]
    pub withdraw_imbalance: f64,
    /// Time out of the market after a withdrawal, seconds.
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub cooldown_s: f64,
}

fn yes() -> bool {
    true
}

impl GroupSpec for MakerSpec {
    type Agent = Maker;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.positive("refresh_s", self.refresh_s);
        validate_index_weight(f, self.index_weight);
        validate_ladder(
            f,
            self.half_spread_ticks,
            self.levels,
            self.level_spacing_ticks,
            self.size,
        );
        if let Some(st) = &self.stress {
            st.validate(&mut f.within("stress"));
        }
        if let Some(c) = self.collateral {
            if f.positive("collateral", c) && c > 1e12 {
                f.err("collateral", "must be at most 1e12");
            } else if c > 0.0 {
                f.money("collateral", c);
            }
        }
        if f.non_negative("skew_ticks_per_lot", self.skew_ticks_per_lot)
            && self.skew_ticks_per_lot > 1e6
        {
            f.err("skew_ticks_per_lot", "must be at most 1e6");
        }
    }

    fn max_resting(&self) -> usize {
        2 * self.levels as usize
    }

    fn build(&self, member: &mut Member<'_>) -> Maker {
        if let Some(c) = self.collateral {
            member.on_margin(c);
        }
        Maker::new(self)
    }
}

impl MakerStress {
    fn validate(&self, f: &mut Fields<'_>) {
        f.probability("vol_alpha", self.vol_alpha);
        f.non_negative("spread_per_vol_bps", self.spread_per_vol_bps);
        f.non_negative("spread_per_inventory_lot", self.spread_per_inventory_lot);
        f.lots("max_inventory", self.max_inventory);
        f.positive("withdraw_vol_bps", self.withdraw_vol_bps);
        let imbalance = self.withdraw_imbalance;
        if !(imbalance.is_finite() && (0.5..=1.0).contains(&imbalance)) {
            f.err(
                "withdraw_imbalance",
                format!("must be in [0.5, 1], got {imbalance}"),
            );
        }
        f.non_negative("cooldown_s", self.cooldown_s);
    }
}

/// A market maker.
#[derive(Clone, Debug)]
pub struct Maker {
    refresh_ns: i64,
    half_spread_ticks: i64,
    levels: u32,
    level_spacing_ticks: i64,
    size: Qty,
    skew_ticks_per_lot: f64,
    index_weight: f64,
    stress: Option<MakerStress>,
    /// Average squared mid return per wake-up, bps².
    vol_sq_bps: f64,
    last_mid_x2: Option<i64>,
    seen_buy: i64,
    seen_sell: i64,
    /// Out of the market until then (withdrawal or outage), ns.
    away_until: i64,
    withdrawals: u32,
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
            index_weight: spec.index_weight,
            stress: spec.stress.clone(),
            vol_sq_bps: 0.0,
            last_mid_x2: None,
            seen_buy: 0,
            seen_sell: 0,
            away_until: 0,
            withdrawals: 0,
        }
    }

    /// Keeps the maker out of the market until `t_ns` (its orders were pulled by the exchange).
    pub fn outage_until(&mut self, t_ns: i64) {
        self.away_until = self.away_until.max(t_ns);
    }

    /// Realised volatility per wake-up, basis points.
    pub fn vol_bps(&self) -> f64 {
        self.vol_sq_bps.sqrt()
    }

    /// Times the maker withdrew.
    pub fn withdrawals(&self) -> u32 {
        self.withdrawals
    }

    /// Updates the volatility estimate; returns (taker-flow imbalance, volatility in bps).
    fn observe(&mut self, ctx: &Ctx<'_>, mid_x2: i64) -> (f64, f64) {
        if let (Some(st), Some(prev)) = (&self.stress, self.last_mid_x2) {
            let r_bps = (mid_x2 as f64 / prev as f64).ln() * 1e4;
            self.vol_sq_bps = st.vol_alpha * r_bps * r_bps + (1.0 - st.vol_alpha) * self.vol_sq_bps;
        }
        self.last_mid_x2 = Some(mid_x2);
        let buy = ctx.market.cum_taker_buy - self.seen_buy;
        let sell = ctx.market.cum_taker_sell - self.seen_sell;
        self.seen_buy = ctx.market.cum_taker_buy;
        self.seen_sell = ctx.market.cum_taker_sell;
        let imbalance = if buy + sell > 0 {
            (buy - sell) as f64 / (buy + sell) as f64
        } else {
            0.0
        };
        (imbalance, self.vol_bps())
    }

    fn push_quotes(
        &self,
        out: &mut Vec<Action>,
        center_x2: i64,
        half: i64,
        bids: bool,
        asks: bool,
    ) {
        let bid0 = center_x2.div_euclid(2) - half;
        let ask0 = (center_x2 + 1).div_euclid(2) + half;
        for k in 0..i64::from(self.levels) {
            let bid = bid0 - k * self.level_spacing_ticks;
            if bids && bid >= 1 {
                out.push(Action::Limit {
                    side: Side::Buy,
                    price: Price(bid),
                    qty: self.size,
                    tif: Tif::Gtc,
                });
            }
            if asks {
                let ask = ask0 + k * self.level_spacing_ticks;
                out.push(Action::Limit {
                    side: Side::Sell,
                    price: Price(ask.max(1)),
                    qty: self.size,
                    tif: Tif::Gtc,
                });
            }
        }
    }
}

impl Behaviour for Maker {
    /// A random phase within the first refresh interval, so makers do not move in lockstep.
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(rng.gen_range(0..self.refresh_ns))
    }

    /// Pulls the old ladder and quotes a new one — or stays out.
    fn wake(&mut self, ctx: &mut Ctx<'_>, _rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        orders.cancel_all(ctx.out);
        let mid_x2 = ctx.reference_x2();
        let (imbalance, vol) = self.observe(ctx, mid_x2);
        if ctx.now_ns < self.away_until {
            return Some(self.away_until);
        }
        let mut half = self.half_spread_ticks as f64;
        let inventory = ctx.position;
        let (mut bids, mut asks) = (true, true);
        if let Some(st) = &self.stress {
            if st.withdraw && (vol > st.withdraw_vol_bps || imbalance.abs() > st.withdraw_imbalance)
            {
                self.withdrawals += 1;
                self.away_until = ctx.now_ns + secs_to_ns(st.cooldown_s);
                return Some(self.away_until);
            }
            half +=
                st.spread_per_vol_bps * vol + st.spread_per_inventory_lot * inventory.abs() as f64;
            bids = inventory < st.max_inventory;
            asks = inventory > -st.max_inventory;
        }
        // Capital limit of a maker on margin: near maintenance, quote only the side that
        // reduces the position.
        let acc = ctx.account;
        if acc.maintenance > 0 && acc.equity < 2 * acc.maintenance {
            bids &= inventory < 0;
            asks &= inventory > 0;
        }
        let skew_x2 = (2.0 * self.skew_ticks_per_lot * inventory as f64).round() as i64;
        let half = half.round().clamp(1.0, 1e9) as i64;
        let centre_x2 = ctx.anchored_x2(self.index_weight);
        self.push_quotes(ctx.out, centre_x2 - skew_x2, half, bids, asks);
        Some(ctx.now_ns + self.refresh_ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testing::touch;
    use crate::agents::MarketState;
    use crate::rng::stream;

    fn maker(withdraw: bool) -> Maker {
        anchored_maker(withdraw, 0.0)
    }

    fn anchored_maker(withdraw: bool, index_weight: f64) -> Maker {
        Maker::new(&MakerSpec {
            name: "m".into(),
            count: 1,
            refresh_s: 1.0,
            half_spread_ticks: 2,
            levels: 2,
            level_spacing_ticks: 1,
            size: 5,
            skew_ticks_per_lot: 0.0,
            index_weight,
            stress: Some(MakerStress {
                vol_alpha: 1.0,
                spread_per_vol_bps: 1.0,
                spread_per_inventory_lot: 0.0,
                max_inventory: 100,
                withdraw,
                withdraw_vol_bps: 50.0,
                withdraw_imbalance: 0.8,
                cooldown_s: 10.0,
            }),
            collateral: None,
        })
    }

    /// Wakes the maker on a book whose mid is `mid` with `buy`/`sell` taker lots since start.
    fn wake(
        m: &mut Maker,
        now_s: i64,
        mid: i64,
        buy: i64,
        sell: i64,
        position: i64,
    ) -> (Option<i64>, Vec<Action>) {
        wake_with_index(m, now_s, mid, None, (buy, sell), position)
    }

    /// [`wake`] with an index (ticks) beside the book.
    fn wake_with_index(
        m: &mut Maker,
        now_s: i64,
        mid: i64,
        index: Option<f64>,
        (buy, sell): (i64, i64),
        position: i64,
    ) -> (Option<i64>, Vec<Action>) {
        let book = crate::agents::testing::two_sided(mid - 1, mid + 1, 1);
        let market = MarketState {
            last_price: Price(mid),
            mark: Price(mid),
            index,
            vol_bps: 0.0,
            cum_volume: buy + sell,
            cum_taker_buy: buy,
            cum_taker_sell: sell,
            funding_rate: 0.0,
            predicted_funding_rate: 0.0,
            next_funding_ns: 0,
        };
        let now_ns = now_s * 1_000_000_000;
        crate::agents::testing::wake_with(&book, &market, now_ns, position, None, |ctx| {
            m.wake(ctx, &mut stream(1, 1), &mut OrderList::new(8))
        })
    }

    fn quotes(out: &[Action]) -> Vec<(Side, i64)> {
        out.iter()
            .filter_map(|a| match a {
                Action::Limit { side, price, .. } => Some((*side, price.0)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_sided_flow_makes_it_withdraw_and_it_returns_after_the_cooldown() {
        let mut m = maker(true);
        let (_, out) = wake(&mut m, 1, 10_000, 0, 0, 0);
        assert_eq!(quotes(&out).len(), 4, "a calm market gets a full ladder");
        let (next, out) = wake(&mut m, 2, 10_000, 0, 1_000, 0);
        assert!(quotes(&out).is_empty(), "sell-only flow: pulled");
        assert_eq!(next, Some(12_000_000_000), "out for the 10 s cooldown");
        assert_eq!(m.withdrawals, 1);
        let (_, out) = wake(&mut m, 12, 10_000, 0, 1_000, 0);
        assert_eq!(quotes(&out).len(), 4, "back after the cooldown");
    }

    #[test]
    fn a_maker_that_never_withdraws_keeps_quoting_wider() {
        let mut m = maker(false);
        wake(&mut m, 1, 10_000, 0, 0, 0);
        // A 30 bps move: volatility 30 bps, 30 more ticks of half-spread.
        let (_, out) = wake(&mut m, 2, 10_030, 0, 1_000, 0);
        assert_eq!(quotes(&out).len(), 4);
        let (best_bid, best_ask) = touch(&out);
        assert!(
            best_ask - best_bid >= 2 * (2 + 29),
            "spread {}",
            best_ask - best_bid
        );
    }

    #[test]
    fn at_the_inventory_limit_it_quotes_only_the_reducing_side() {
        let mut m = maker(true);
        let (_, out) = wake(&mut m, 1, 10_000, 0, 0, 100);
        assert!(
            quotes(&out).iter().all(|(s, _)| *s == Side::Sell),
            "{:?}",
            quotes(&out)
        );
        let (_, out) = wake(&mut m, 2, 10_000, 0, 0, -100);
        assert!(quotes(&out).iter().all(|(s, _)| *s == Side::Buy));
    }

    #[test]
    fn an_index_weight_centres_the_ladder_between_the_mid_and_the_index() {
        // Mid 10,000 ticks, index 10,020 (the book 20 bps cheap), half-spread 2.
        let ladder = |w: f64, position: i64| {
            let mut m = anchored_maker(true, w);
            touch(&wake_with_index(&mut m, 1, 10_000, Some(10_020.0), (0, 0), position).1)
        };
        assert_eq!(ladder(0.0, 0), (9_998, 10_002), "weight 0: around the mid");
        assert_eq!(
            ladder(1.0, 0),
            (10_018, 10_022),
            "weight 1: around the index"
        );
        assert_eq!(ladder(0.5, 0), (10_008, 10_012), "half way: 10,010");
        // 0.25 × 10,020 + 0.75 × 10,000 = 10,005.
        assert_eq!(ladder(0.25, 0), (10_003, 10_007));
        // Without an index the weight has nothing to pull toward.
        let mut m = anchored_maker(true, 1.0);
        let (_, out) = wake_with_index(&mut m, 1, 10_000, None, (0, 0), 0);
        assert_eq!(touch(&out), (9_998, 10_002));
    }

    #[test]
    fn the_inventory_skew_applies_around_the_anchored_centre() {
        let mut m = anchored_maker(true, 1.0);
        m.skew_ticks_per_lot = 0.1;
        // Long 30 lots: 3 ticks lower than the index-centred ladder.
        let (_, out) = wake_with_index(&mut m, 1, 10_000, Some(10_020.0), (0, 0), 30);
        assert_eq!(touch(&out), (10_015, 10_019));
    }
}
