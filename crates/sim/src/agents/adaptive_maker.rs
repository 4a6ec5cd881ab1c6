//! Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent): ladders sized to a share of
//! recent volume, half-spread following an average of the observed spread.

#[cfg(test)]
use super::FlowHistory;
use super::{
    push_ladder, secs_to_ns, validate_index_weight, Action, Behaviour, Ctx, GroupSpec, Member,
    OrderList,
};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario, MAX_LEVELS};
use cascade_book::{Price, Qty, Side, Tif};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveMakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Quotes per side.
    #[schemars(extend("x-unit" = "quotes per side", "minimum" = 1, "maximum" = 1000))]
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    #[schemars(extend("x-unit" = "ticks", "minimum" = 1, "maximum" = 1000000))]
    pub level_spacing_ticks: i64,
    /// Size of each quote as a share of the volume traded since the last wake-up.
    #[schemars(extend("x-unit" = "share of volume", "minimum" = 0, "maximum" = 1))]
    pub pov: f64,
    /// Smallest quote, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub min_size: i64,
    /// Weight of the newest spread observation in the half-spread average.
    #[schemars(extend("x-unit" = "weight", "minimum" = 0, "maximum" = 1))]
    pub spread_alpha: f64,
    /// Where the ladder sits (default: centred on the reference price, half the average
    /// spread away, `level_spacing_ticks` apart).
    #[serde(default)]
    pub quotes: MakerQuotes,
    /// Weight of the index in the centre of the ladder, as a `Maker`'s: the ladder sits
    /// around (1 − w) × the book's reference price + w × the index (under `AbidesWindow`, the
    /// mid the window is placed around). 0 (the default) quotes around the book alone. Needs
    /// an index when above 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(extend("x-unit" = "weight", "minimum" = 0, "maximum" = 1, "default" = 0.0))]
    pub index_weight: f64,
    /// Size (and skew) from the taker volume of the last `volume_window_s` seconds, as
    /// ABIDES's fixed `get_transacted_volume` window, instead of the volume since the last
    /// wake-up; counted from whole seconds, in [1, 3600].
    #[serde(default)]
    #[schemars(extend("x-unit" = "s"))]
    pub volume_window_s: Option<f64>,
    /// First wake-up at the open, as ABIDES's agents do (default: after one exponential
    /// draw).
    #[serde(default)]
    pub wake_at_open: bool,
}

/// True for the default `index_weight` (left out of the manifest's scenario text).
fn is_zero(w: &f64) -> bool {
    *w == 0.0
}

/// Longest trailing flow window an agent of `scenario` reads, whole seconds (0: none).
pub(crate) fn flow_window_s(scenario: &Scenario) -> u32 {
    scenario
        .agents
        .iter()
        .filter_map(|g| match g {
            super::AgentGroup::AdaptiveMaker(s) => s.volume_window_s,
            _ => None,
        })
        .map(|w| w.clamp(0.0, MAX_VOLUME_WINDOW_S).ceil() as u32)
        .max()
        .unwrap_or(0)
}

/// Longest `volume_window_s`, seconds.
const MAX_VOLUME_WINDOW_S: f64 = 3600.0;

/// Where an adaptive maker's ladder sits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
// A misspelt field of a variant is refused, not left at its default.
#[serde(deny_unknown_fields)]
pub enum MakerQuotes {
    /// Centred on the reference price, half the average spread (at least a tick) away,
    /// `level_spacing_ticks` apart.
    #[default]
    Centred,
    /// ABIDES's adaptive window (AdaptiveMarketMakerAgent, `window_size="adaptive"`): the
    /// window is the spread average (starting at `initial_spread_ticks`), the best bid
    /// `floor(window / 2)` below the floored mid and the best ask `ceil(window / 2)` above —
    /// at the touch when the spread is a tick — levels `round(level_spacing_spreads × window)`
    /// ticks apart (at least one), the mid first moved by `price_skew_ticks` × the taker
    /// imbalance (2 × buys / volume − 1) of the volume since the last wake-up.
    /// `level_spacing_ticks` is ignored.
    AbidesWindow {
        /// Level spacing as a multiple of the window (`level_spacing`; RMSC04 5).
        #[schemars(extend("x-unit" = "spreads"))]
        level_spacing_spreads: f64,
        /// The spread average before the first observation, ticks (`INITIAL_SPREAD_VALUE`,
        /// 50).
        #[schemars(extend("x-unit" = "ticks"))]
        initial_spread_ticks: f64,
        /// Most the mid moves with the trade imbalance, ticks (`price_skew_param`; RMSC04 4).
        #[schemars(extend("x-unit" = "ticks"))]
        price_skew_ticks: f64,
    },
}

impl GroupSpec for AdaptiveMakerSpec {
    type Agent = AdaptiveMaker;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.positive("mean_wake_s", self.mean_wake_s);
        validate_index_weight(f, self.index_weight);
        f.int_range("levels", i64::from(self.levels), 1, i64::from(MAX_LEVELS));
        f.int_range(
            "level_spacing_ticks",
            self.level_spacing_ticks,
            1,
            1_000_000,
        );
        f.probability("pov", self.pov);
        f.lots("min_size", self.min_size);
        f.probability("spread_alpha", self.spread_alpha);
        if let Some(w) = self.volume_window_s {
            if f.positive("volume_window_s", w) && !(1.0..=MAX_VOLUME_WINDOW_S).contains(&w) {
                f.err(
                    "volume_window_s",
                    format!("must be in [1, {MAX_VOLUME_WINDOW_S}] seconds, got {w}"),
                );
            }
        }
        if let MakerQuotes::AbidesWindow {
            level_spacing_spreads,
            initial_spread_ticks,
            price_skew_ticks,
        } = self.quotes
        {
            let mut w = f.within("quotes");
            for (field, x) in [
                ("level_spacing_spreads", level_spacing_spreads),
                ("initial_spread_ticks", initial_spread_ticks),
                ("price_skew_ticks", price_skew_ticks),
            ] {
                if w.non_negative(field, x) && x > 1e6 {
                    w.err(field, "must be at most 1e6");
                }
            }
        }
    }

    fn max_resting(&self) -> usize {
        2 * self.levels as usize
    }

    fn build(&self, _: &mut Member<'_>) -> AdaptiveMaker {
        AdaptiveMaker::new(self)
    }
}

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
    quotes: MakerQuotes,
    index_weight: f64,
    buys_seen: i64,
    sells_seen: i64,
    last_mid: Option<i64>,
    volume_window_ns: Option<i64>,
    wake_at_open: bool,
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
            spread_avg_ticks: match spec.quotes {
                MakerQuotes::Centred => None,
                MakerQuotes::AbidesWindow {
                    initial_spread_ticks,
                    ..
                } => Some(initial_spread_ticks),
            },
            volume_seen: 0,
            quotes: spec.quotes,
            index_weight: spec.index_weight,
            buys_seen: 0,
            sells_seen: 0,
            last_mid: None,
            volume_window_ns: spec.volume_window_s.map(Scenario::ns),
            wake_at_open: spec.wake_at_open,
        }
    }

    /// ABIDES's adaptive window: reads the book and the flow since the last wake-up, then
    /// pushes the ladder (nothing before the first two-sided book).
    fn abides_window(&mut self, ctx: &mut Ctx<'_>, spacing_spreads: f64, skew_ticks: f64) {
        let l1 = ctx.book.l1();
        if let (Some((b, _)), Some((a, _))) = (l1.bid, l1.ask) {
            // The floored mid (at weight 0 the anchored centre is the book's mid).
            self.last_mid = Some(ctx.anchored_x2(self.index_weight).div_euclid(2));
            let s = (a.0 - b.0) as f64;
            let alpha = self.spread_alpha;
            self.spread_avg_ticks = self
                .spread_avg_ticks
                .map(|avg| alpha * s + (1.0 - alpha) * avg);
        }
        let (buys, sells) = self.flow(ctx);
        let (Some(mid), Some(window)) = (self.last_mid, self.spread_avg_ticks) else {
            return;
        };
        let size = ((self.pov * (buys + sells) as f64).round() as i64).max(self.min_size);
        let ladder = AbidesLadder::new(mid, window, spacing_spreads, skew_ticks, buys, sells);
        ladder.push(ctx.out, self.levels, Qty(size));
    }

    /// Taker (buys, sells) to size from: over the trailing window when the maker has one,
    /// else since its last wake-up.
    fn flow(&mut self, ctx: &Ctx<'_>) -> (i64, i64) {
        let m = ctx.market;
        let since = (
            m.cum_taker_buy - self.buys_seen,
            m.cum_taker_sell - self.sells_seen,
        );
        (self.buys_seen, self.sells_seen) = (m.cum_taker_buy, m.cum_taker_sell);
        self.volume_window_ns
            .and_then(|w| ctx.flow?.window(ctx.now_ns, w, m))
            .unwrap_or(since)
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }
}

impl Behaviour for AdaptiveMaker {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(if self.wake_at_open {
            0
        } else {
            self.next_wake(0, rng)
        })
    }

    /// Re-quotes its ladder.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        if let MakerQuotes::AbidesWindow {
            level_spacing_spreads,
            price_skew_ticks,
            ..
        } = self.quotes
        {
            orders.cancel_all(ctx.out);
            self.abides_window(ctx, level_spacing_spreads, price_skew_ticks);
            return Some(self.next_wake(ctx.now_ns, rng));
        }
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
        let mut volume = ctx.market.cum_volume - self.volume_seen;
        self.volume_seen = ctx.market.cum_volume;
        if self.volume_window_ns.is_some() {
            let (buys, sells) = self.flow(ctx);
            volume = buys + sells;
        }
        let size = ((self.pov * volume as f64).round() as i64).max(self.min_size);
        orders.cancel_all(ctx.out);
        push_ladder(
            ctx.out,
            ctx.anchored_x2(self.index_weight),
            half,
            self.levels,
            self.level_spacing_ticks,
            Qty(size),
        );
        Some(self.next_wake(ctx.now_ns, rng))
    }
}

/// The prices of an ABIDES adaptive ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AbidesLadder {
    best_bid: i64,
    best_ask: i64,
    spacing: i64,
}

impl AbidesLadder {
    /// From the floored mid, the window (spread average, ticks), the spacing as a multiple of
    /// it and the skew against the taker volumes `buys` and `sells`.
    fn new(mid: i64, window: f64, spacing_spreads: f64, skew: f64, buys: i64, sells: i64) -> Self {
        let imbalance = if buys + sells > 0 {
            2.0 * buys as f64 / (buys + sells) as f64 - 1.0
        } else {
            0.0
        };
        let centre = (mid as f64 + imbalance * skew).trunc() as i64;
        let half = 0.5 * window;
        Self {
            best_bid: centre - half.floor() as i64,
            best_ask: centre + half.ceil() as i64,
            spacing: ((spacing_spreads * window).round() as i64).max(1),
        }
    }

    /// Pushes `levels` quotes of `size` per side, best first, bids above zero only.
    fn push(&self, out: &mut Vec<Action>, levels: u32, size: Qty) {
        for k in 0..i64::from(levels) {
            let bid = self.best_bid - k * self.spacing;
            if bid >= 1 {
                out.push(Action::Limit {
                    side: Side::Buy,
                    price: Price(bid),
                    qty: size,
                    tif: Tif::Gtc,
                });
            }
        }
        for k in 0..i64::from(levels) {
            out.push(Action::Limit {
                side: Side::Sell,
                price: Price(self.best_ask + k * self.spacing),
                qty: size,
                tif: Tif::Gtc,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abides_window_quotes_at_the_touch_for_a_one_tick_spread() {
        // Bid 999, ask 1000: floored mid 999, window 1 -> bid 999, ask 1000, 5 ticks apart.
        let l = AbidesLadder::new(999, 1.0, 5.0, 4.0, 0, 0);
        assert_eq!(
            l,
            AbidesLadder {
                best_bid: 999,
                best_ask: 1000,
                spacing: 5
            }
        );
        let mut out = Vec::new();
        l.push(&mut out, 2, Qty(3));
        let prices: Vec<i64> = out
            .iter()
            .map(|a| match a {
                Action::Limit { price, .. } => price.0,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(prices, vec![999, 994, 1000, 1005]);
    }

    #[test]
    fn abides_window_widens_with_the_spread_and_skews_with_the_flow() {
        // Window 2.6: bid floor(1.3) = 1 below, ask ceil(1.3) = 2 above, spacing round(13).
        let l = AbidesLadder::new(1000, 2.6, 5.0, 0.0, 0, 0);
        assert_eq!((l.best_bid, l.best_ask, l.spacing), (999, 1002, 13));
        // All buys: the centre moves up by the whole skew; three quarters sells: down by 2.
        let up = AbidesLadder::new(1000, 1.0, 5.0, 4.0, 10, 0);
        assert_eq!((up.best_bid, up.best_ask), (1004, 1005));
        let down = AbidesLadder::new(1000, 1.0, 5.0, 4.0, 25, 75);
        assert_eq!((down.best_bid, down.best_ask), (998, 999));
    }

    fn maker(window_s: Option<f64>) -> AdaptiveMaker {
        AdaptiveMaker::new(&spec(window_s))
    }

    fn spec(window_s: Option<f64>) -> AdaptiveMakerSpec {
        AdaptiveMakerSpec {
            name: "mm".into(),
            count: 1,
            mean_wake_s: 60.0,
            levels: 1,
            level_spacing_ticks: 5,
            pov: 0.5,
            min_size: 1,
            spread_alpha: 0.75,
            quotes: MakerQuotes::AbidesWindow {
                level_spacing_spreads: 5.0,
                initial_spread_ticks: 1.0,
                price_skew_ticks: 0.0,
            },
            index_weight: 0.0,
            volume_window_s: window_s,
            wake_at_open: false,
        }
    }

    /// One wake at `now_s` on a 999/1000 book after `buy` taker lots since the start, with
    /// `history` recorded; the size of the bid it places.
    fn quoted_size(m: &mut AdaptiveMaker, now_s: i64, buy: i64, history: &FlowHistory) -> i64 {
        use crate::agents::MarketState;
        let book = crate::agents::testing::two_sided(999, 1000, 1);
        let market = MarketState {
            cum_volume: buy,
            cum_taker_buy: buy,
            ..MarketState::opening(Price(1000), None)
        };
        let flow = history.is_active().then_some(history);
        let now_ns = now_s * 1_000_000_000;
        let (_, out) = crate::agents::testing::wake_with(&book, &market, now_ns, 0, flow, |ctx| {
            m.wake(ctx, &mut crate::rng::stream(1, 1), &mut OrderList::new(4))
        });
        out.iter()
            .find_map(|a| match a {
                Action::Limit {
                    side: Side::Buy,
                    qty,
                    ..
                } => Some(qty.0),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn a_volume_window_sizes_from_the_last_minute_not_since_the_last_wake() {
        use crate::agents::MarketState;
        // 10 lots bought every second for 200 s.
        let mut history = FlowHistory::new(60);
        for s in 1..=200 {
            let m = MarketState {
                cum_taker_buy: 10 * s,
                ..MarketState::opening(Price(1000), None)
            };
            history.record(s * 1_000_000_000, &m);
        }
        // Last wake at 0: 2,000 lots since, 600 in the last 60 s; pov 0.5.
        let mut windowed = maker(Some(60.0));
        assert_eq!(quoted_size(&mut windowed, 200, 2000, &history), 300);
        let mut since_wake = maker(None);
        assert_eq!(
            quoted_size(&mut since_wake, 200, 2000, &FlowHistory::new(0)),
            1000
        );
    }

    /// Best bid and ask of a maker quoting in `quotes` mode with `index_weight` w, after one
    /// wake on a 9,999/10,001 book (mid 10,000) with the index at `index` ticks.
    fn touch_beside_index(quotes: MakerQuotes, w: f64, index: Option<f64>) -> (i64, i64) {
        use crate::agents::testing::{touch, two_sided, wake_with};
        use crate::agents::MarketState;
        let mut m = AdaptiveMaker::new(&AdaptiveMakerSpec {
            quotes,
            index_weight: w,
            ..spec(None)
        });
        let book = two_sided(9_999, 10_001, 1);
        let market = MarketState::opening(Price(10_000), index);
        let (_, out) = wake_with(&book, &market, 1_000_000_000, 0, None, |ctx| {
            m.wake(ctx, &mut crate::rng::stream(1, 1), &mut OrderList::new(4))
        });
        touch(&out)
    }

    #[test]
    fn an_index_weight_moves_the_quotes_toward_the_index() {
        // The index 40 ticks above the book's mid; spread 2, so a half-spread of 1.
        let centred = |w| touch_beside_index(MakerQuotes::Centred, w, Some(10_040.0));
        assert_eq!(centred(0.0), (9_999, 10_001), "weight 0: around the mid");
        assert_eq!(centred(1.0), (10_039, 10_041), "weight 1: around the index");
        assert_eq!(centred(0.5), (10_019, 10_021), "half way: 10,020");
        // 0.25 × 10,040 + 0.75 × 10,000 = 10,010.
        assert_eq!(centred(0.25), (10_009, 10_011));
        // No index: nothing to lean on.
        assert_eq!(
            touch_beside_index(MakerQuotes::Centred, 1.0, None),
            (9_999, 10_001)
        );
        // ABIDES's window (1.75 ticks after one spread of 2) placed around the anchored mid.
        let window = MakerQuotes::AbidesWindow {
            level_spacing_spreads: 5.0,
            initial_spread_ticks: 1.0,
            price_skew_ticks: 0.0,
        };
        let abides = |w| touch_beside_index(window, w, Some(10_040.0));
        assert_eq!(abides(0.0), (10_000, 10_001), "weight 0: the floored mid");
        assert_eq!(abides(1.0), (10_040, 10_041));
        assert_eq!(abides(0.5), (10_020, 10_021));
    }

    #[test]
    fn an_index_weight_is_a_weight_and_needs_an_index() {
        let text = |w: f64, index: &str| {
            format!(
                r#"Scenario(name: "t", duration_s: 10.0, sample_interval_s: 1.0,
                instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
                {index}
                agents: [AdaptiveMaker(name: "mm", count: 1, mean_wake_s: 1.0, levels: 1,
                    level_spacing_ticks: 1, pov: 0.1, min_size: 1, spread_alpha: 0.5,
                    index_weight: {w:?})])"#
            )
        };
        let problems = |w, index| {
            let s = Scenario::parse(&text(w, index)).unwrap();
            s.validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let ix = "index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0)])),";
        assert_eq!(problems(0.5, ix), "");
        assert_eq!(problems(0.0, ""), "");
        assert!(problems(1.5, ix).contains("agents[0].index_weight: must be a weight"));
        assert!(problems(0.5, "").contains("agents[0].index_weight: needs an index"));
        // The default weight is left out of the scenario's text (manifests are unchanged).
        let s = Scenario::parse(&text(0.0, "")).unwrap();
        assert!(!s.to_ron().unwrap().contains("index_weight"));
    }

    #[test]
    fn wake_at_open_starts_at_zero() {
        let mut m = maker(None);
        let mut rng = crate::rng::stream(1, 3);
        assert!(m.first_wake(100, &mut rng).unwrap() > 0);
        m.wake_at_open = true;
        assert_eq!(m.first_wake(100, &mut rng), Some(0));
    }
}
