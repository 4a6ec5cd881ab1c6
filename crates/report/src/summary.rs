//! Headline metrics of a run: summary.json.
//!
//! Prices are in quote currency (not ticks), ratios plain numbers, percentages in percent.
//! The spread and depth baselines are medians over the samples before `stress_from_ns` (the
//! first shock or liquidation); without one, over the whole run.
//!
//! The crash figures that published accounts of real crashes give are here too: the largest
//! fall within 1, 12 and 60 minutes, the share of the liquidated value that was long, and how
//! concentrated in time the liquidations were (the busiest minute, the busiest 40 minutes, the
//! shortest window holding 80%). Liquidated value is the quantity a step closed, in the book
//! and by ADL, at the mark of the step.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::quantile::median;
use crate::stats::headline::ReturnsSummary;
use crate::stats::Series;
use crate::PriceFormat;
use cascade_sim::{Recording, Sample};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// summary.json. Fields are in alphabetical order at every level, the order the file has
/// always had; a missing figure (no two-sided sample, no liquidation) is `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// The mid against the index, with funding on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<BasisSummary>,
    /// Collateral assets besides cash, when the scenario has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral: Option<CollateralSummary>,
    /// Depth within 1% of the mid.
    pub depth: DepthSummary,
    /// The event loop.
    pub events: EventsSummary,
    /// Trading fees, when the venue charges them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeesSummary>,
    /// Funding payments, with funding on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<FundingSummary>,
    /// The insurance fund, in quote currency.
    pub insurance_fund: InsuranceFundSummary,
    /// Fees, deposits and open interest at the end.
    pub ledger: LedgerSummary,
    /// Liquidations and their concentration in time.
    pub liquidations: LiquidationsSummary,
    /// Orders that reached the exchange.
    pub orders: OrdersSummary,
    /// The mid-price path, in quote currency, and its falls in percent.
    pub price: PriceSummary,
    /// Robust tail figures of the mid's returns (absent from folders written before them).
    #[serde(default)]
    pub returns: Option<ReturnsSummary>,
    /// Samples recorded.
    pub samples: u64,
    /// The spread in basis points of the mid.
    pub spread: SpreadSummary,
    /// When the stress began (the first shock or liquidation), seconds; none without one.
    pub stress_from_s: Option<f64>,
    /// Trades.
    pub trades: TradesSummary,
    /// Each venue of a multi-venue run, by name (absent from one-venue runs). Its keys depend
    /// on the scenario's venue names, so sweeps keep the fixed `contagion.*` keys instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venues: Option<BTreeMap<String, VenueSummary>>,
    /// How a cascade on the home venue reached the other venues of a multi-venue run (absent
    /// from one-venue runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contagion: Option<ContagionSummary>,
}

/// `venues.<name>.*`: one venue of a multi-venue run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueSummary {
    /// The mid against the venue's index, with funding on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<BasisSummary>,
    /// Largest |mid − home mid| / home mid over the samples with both, basis points (none on
    /// the home venue).
    pub basis_to_home_max_bps: Option<f64>,
    /// Takeovers on the venue set off by a change of a collateral price, when the scenario
    /// has collateral assets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral_liquidations: Option<u64>,
    /// Depth within 1% of the mid.
    pub depth: DepthSummary,
    /// Time of the venue's first liquidation after the home venue's first, seconds (negative
    /// when it came first; none without both).
    pub first_liquidation_after_home_s: Option<f64>,
    /// Funding payments, with funding on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<FundingSummary>,
    /// The insurance fund, in quote currency.
    pub insurance_fund: InsuranceFundSummary,
    /// The lag, seconds, at which the venue's one-sample mid returns correlate best with the
    /// home venue's (positive: the home venue leads), within ±30 samples; none on the home
    /// venue or without moves.
    pub lead_lag_s: Option<f64>,
    /// Liquidations on the venue.
    pub liquidations: LiquidationsSummary,
    /// Takeovers by what set off the root of their cascade.
    pub liquidation_roots: RootsSummary,
    /// The mid-price path.
    pub price: PriceSummary,
    /// The spread.
    pub spread: SpreadSummary,
    /// Trades.
    pub trades: TradesSummary,
}

/// Takeovers by what set off the root of their cascade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootsSummary {
    /// Set off by a move of the venue's own flow (its agents' trades, a shock, funding).
    pub own_flow: u64,
    /// Set off by an index update (a move imported through the index).
    pub index: u64,
    /// Set off by the trade of an agent trading on several venues (a move imported by an
    /// arbitrageur).
    pub arbitrage: u64,
}

/// `collateral.*`: collateral assets besides cash, over every venue of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralSummary {
    /// Takeovers set off by a change of a collateral asset's price (the mark unchanged), all
    /// venues.
    pub liquidations: u64,
    /// Lowest price any collateral asset had, quote currency per token.
    pub price_min: f64,
    /// Collateral sold at takeovers, quote currency at a price of 1 (its units × tick × lot).
    pub sold_par: f64,
    /// Cash credited for it (its price less the haircut at the takeover), quote currency.
    pub sold_value: f64,
}

/// `contagion.*`: the other venues of a multi-venue run against the home venue (where the
/// scenario's shocks act), taken together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContagionSummary {
    /// Largest |mid − home mid| / home mid of any other venue, basis points.
    pub basis_max_bps: Option<f64>,
    /// Time from the home venue's first liquidation to the first on another venue, seconds
    /// (none without both).
    pub first_liquidation_delay_s: Option<f64>,
    /// Takeovers on the other venues whose cascade an arbitrageur's trade set off.
    pub liquidations_by_arbitrage: u64,
    /// Takeovers on the other venues whose cascade an index update set off.
    pub liquidations_by_index: u64,
    /// Takeovers on the other venues set off by their own flow.
    pub liquidations_by_own_flow: u64,
    /// Takeovers on the home venue.
    pub liquidations_home: u64,
    /// Takeovers on the other venues.
    pub liquidations_other: u64,
    /// Takeovers on the other venues imported through the index or an arbitrageur, over all
    /// takeovers there; none without one.
    pub imported_share: Option<f64>,
    /// Takeovers, on any venue, whose parent in the cascade tree is a liquidation on another
    /// venue (its move carried by a cross-venue agent's trade or the index).
    pub cross_venue_links: u64,
    /// Deepest generation of the cascade tree over every venue, generations counted across
    /// venues.
    pub max_generation: u32,
}

/// `depth.*`: lots resting within 1% of the mid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepthSummary {
    /// Median before the stress.
    pub baseline_1pct: Option<f64>,
    /// Smallest.
    pub min_1pct: Option<f64>,
    /// `min_1pct / baseline_1pct`.
    pub min_over_baseline: Option<f64>,
}

/// `basis.*`: |mid − index| / index at each sample with both, basis points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasisSummary {
    /// Largest.
    pub max_abs_bps: Option<f64>,
    /// Median.
    pub median_abs_bps: Option<f64>,
}

/// `fees.*`: trading fees collected by the venue, quote currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeesSummary {
    /// Maker fees net of rebates (negative when rebates exceed them).
    pub maker: f64,
    /// Taker fees.
    pub taker: f64,
}

/// `funding.*`: rates per funding interval, basis points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingSummary {
    /// Payment rounds.
    pub payments: u64,
    /// Largest |rate| paid.
    pub rate_max_abs_bps: Option<f64>,
    /// Mean rate paid.
    pub rate_mean_bps: Option<f64>,
    /// Quote currency moved from payers to receivers.
    pub transferred: f64,
}

/// `events.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsSummary {
    /// Events the loop processed.
    pub processed: u64,
}

/// `insurance_fund.*`, quote currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuranceFundSummary {
    /// At the end.
    pub end: f64,
    /// Lowest.
    pub min: f64,
    /// At the start.
    pub start: f64,
}

/// `ledger.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerSummary {
    /// Cash deposited during the run, quote currency.
    pub deposits: f64,
    /// Fees paid, quote currency.
    pub fees: f64,
    /// Open interest at the end, lots.
    pub open_interest: i64,
}

/// `liquidations.*`. Value is quantity closed (in the book, by the fund and by ADL) at the
/// step's mark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LiquidationsSummary {
    /// Auto-deleveraging fills.
    pub adl_count: u64,
    /// Lots closed by auto-deleveraging.
    pub adl_lots: i64,
    /// Whole accounts the backstop vault took over.
    pub backstop_takeovers: u64,
    /// Losses beyond the bankrupt accounts' margin, quote currency.
    pub bad_debt: f64,
    /// Lots closed in the book by the liquidation orders themselves.
    pub book_lots: i64,
    /// Share of the liquidated lots closed in the book by the liquidation orders; none
    /// without a liquidation.
    pub book_share: Option<f64>,
    /// Share of the liquidated lots that reached the book, directly or through the fund's
    /// work-off (book lots + work-off lots, over liquidated lots); none without one.
    pub book_share_with_workoff: Option<f64>,
    /// Largest share of the value within any 40 minutes.
    pub busiest_40min_share: Option<f64>,
    /// Largest share of the value within any minute.
    pub busiest_minute_share: Option<f64>,
    /// Accounts liquidated (distinct liquidations).
    pub count: u64,
    /// Lots the insurance fund (or backstop vault) took over.
    pub fund_takeover_lots: i64,
    /// Lots the fund closed in the book working off what it took over.
    pub fund_workoff_lots: i64,
    /// Share of the liquidated quantity that was long.
    pub long_share: f64,
    /// Share of the liquidated value that was long.
    pub long_value_share: Option<f64>,
    /// Deepest generation of the cascade tree.
    pub max_generation: u32,
    /// Notional closed, quote currency.
    pub notional: f64,
    /// Steps of the liquidation engine.
    pub steps: u64,
    /// Value closed, quote currency.
    pub value: f64,
    /// Quantity closed, lots.
    pub volume: i64,
    /// Shortest window holding 80% of the value, seconds.
    pub window_80pct_s: Option<f64>,
}

/// `orders.*`: counts of what reached the exchange.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrdersSummary {
    /// Instructions that arrived.
    pub arrivals: u64,
    /// Cancels.
    pub cancel: u64,
    /// Cancels of orders already gone.
    pub cancel_late: u64,
    /// Limit orders.
    pub limit: u64,
    /// Limit orders that traded on arrival.
    pub limit_marketable: u64,
    /// Limit orders that rested.
    pub limit_rested: u64,
    /// Market orders.
    pub market: u64,
    /// Refused instructions.
    pub rejected: u64,
    /// Orders refused by the initial-margin gate (with the gate on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_margin: Option<u64>,
    /// Resting orders cancelled by self-trade prevention.
    pub self_trade_cancels: u64,
}

/// `price.*`: the mid, quote currency; falls in percent of the high.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceSummary {
    /// Last mid.
    pub end: Option<f64>,
    /// Highest mid.
    pub max: Option<f64>,
    /// Largest fall from a running peak.
    pub max_drawdown_pct: f64,
    /// Largest fall within 12 minutes.
    pub max_fall_12min_pct: Option<f64>,
    /// Largest fall within 1 minute.
    pub max_fall_1min_pct: Option<f64>,
    /// Largest fall within 60 minutes.
    pub max_fall_60min_pct: Option<f64>,
    /// Lowest mid.
    pub min: Option<f64>,
    /// First mid.
    pub start: Option<f64>,
}

/// `spread.*`, basis points of the mid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpreadSummary {
    /// Median before the stress.
    pub baseline_bps: Option<f64>,
    /// Samples with an empty side (no spread).
    pub one_sided_samples: u64,
    /// Widest.
    pub peak_bps: Option<f64>,
    /// `peak_bps / baseline_bps`.
    pub peak_over_baseline: Option<f64>,
}

/// `trades.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TradesSummary {
    /// Trades.
    pub count: u64,
    /// Lots traded.
    pub volume: i64,
}

impl Summary {
    /// Every figure under its dotted key (`spread.peak_bps`), in file order.
    /// `venues.*` is left out: its keys depend on the scenario's venue names (the fixed
    /// `contagion.*` keys carry the comparison across venues).
    pub fn metrics(&self) -> Result<Vec<(String, serde_json::Value)>, serde_json::Error> {
        let mut tree = serde_json::to_value(self)?;
        if let Some(map) = tree.as_object_mut() {
            map.remove("venues");
        }
        Ok(crate::json::flatten(&tree))
    }
}

/// Computes summary.json's content.
pub fn summarize(rec: &Recording, fmt: &PriceFormat, stress_from_ns: Option<i64>) -> Summary {
    let stress_from_ns = stress_from_ns.or(rec.stress_from_ns);
    let samples = &rec.samples;
    let c = &rec.counters;
    Summary {
        basis: rec.funding.map(|_| basis_summary(samples)),
        collateral: collateral_summary(rec),
        depth: depth_summary(samples, stress_from_ns),
        events: EventsSummary {
            processed: c.events_processed,
        },
        fees: rec.fees_on.then(|| FeesSummary {
            maker: money(rec, rec.ledger.maker_fees),
            taker: money(rec, rec.ledger.taker_fees),
        }),
        funding: rec.funding.map(|f| funding_summary(rec, &f)),
        insurance_fund: InsuranceFundSummary {
            end: money(rec, rec.ledger.fund_end),
            min: money(rec, rec.ledger.fund_min),
            start: money(rec, rec.ledger.fund_start),
        },
        ledger: LedgerSummary {
            deposits: money(rec, rec.ledger.deposits),
            fees: money(rec, rec.ledger.fees),
            open_interest: rec.ledger.open_interest,
        },
        liquidations: liquidation_summary(rec),
        orders: OrdersSummary {
            arrivals: c.arrivals,
            cancel: c.cancels,
            cancel_late: c.cancels_late,
            limit: c.limit_orders,
            limit_marketable: c.limit_orders_marketable,
            limit_rested: c.limit_orders_rested,
            market: c.market_orders,
            rejected: c.rejects,
            rejected_margin: rec.gate_on.then_some(c.rejected_margin),
            self_trade_cancels: c.self_trade_cancels,
        },
        price: price_summary(samples, fmt),
        returns: Some(ReturnsSummary::of(&Series::from_recording(rec, fmt))),
        samples: samples.len() as u64,
        spread: spread_summary(samples, stress_from_ns),
        stress_from_s: stress_from_ns.map(|t| t as f64 / 1e9),
        trades: TradesSummary {
            count: c.trades,
            volume: c.volume,
        },
        venues: None,
        contagion: None,
    }
    .with_venues(rec, fmt)
}

impl Summary {
    /// With the other venues of a multi-venue run: `venues.*` and `contagion.*`.
    fn with_venues(mut self, rec: &Recording, fmt: &PriceFormat) -> Self {
        if rec.venues.is_empty() {
            return self;
        }
        let home_first = rec.liquidations.first().map(|l| l.time_ns);
        let interval_s = sample_interval_s(&rec.samples);
        let mut venues = BTreeMap::new();
        let home_key = if rec.venue_name.is_empty() {
            HOME_KEY.to_string()
        } else {
            rec.venue_name.clone()
        };
        venues.insert(
            home_key,
            venue_summary(&self, rec, None, home_first, interval_s),
        );
        let mut c = ContagionSummary {
            basis_max_bps: None,
            first_liquidation_delay_s: None,
            liquidations_by_arbitrage: 0,
            liquidations_by_index: 0,
            liquidations_by_own_flow: 0,
            liquidations_home: roots_total(&rec.root_triggers),
            liquidations_other: 0,
            imported_share: None,
            cross_venue_links: cross_venue_links(rec),
            max_generation: rec
                .liquidations
                .iter()
                .map(|l| l.generation)
                .max()
                .unwrap_or(0),
        };
        for v in &rec.venues {
            let r = &v.recording;
            let own = summarize(r, fmt, None);
            let s = venue_summary(&own, r, Some(rec), home_first, interval_s);
            if let Some(b) = s.basis_to_home_max_bps {
                c.basis_max_bps = max_opt(c.basis_max_bps, b);
            }
            if let Some(d) = s.first_liquidation_after_home_s {
                c.first_liquidation_delay_s =
                    Some(c.first_liquidation_delay_s.map_or(d, |x: f64| x.min(d)));
            }
            c.liquidations_by_arbitrage += r.root_triggers.arbitrage;
            c.liquidations_by_index += r.root_triggers.index;
            c.liquidations_by_own_flow += r.root_triggers.own_flow;
            c.liquidations_other += roots_total(&r.root_triggers);
            c.cross_venue_links += cross_venue_links(r);
            c.max_generation = c.max_generation.max(
                r.liquidations
                    .iter()
                    .map(|l| l.generation)
                    .max()
                    .unwrap_or(0),
            );
            venues.insert(v.name.clone(), s);
        }
        let imported = c.liquidations_by_arbitrage + c.liquidations_by_index;
        c.imported_share =
            (c.liquidations_other > 0).then(|| imported as f64 / c.liquidations_other as f64);
        self.venues = Some(venues);
        self.contagion = Some(c);
        self
    }
}

/// Takeovers of one venue's recording whose cascade parent is on another venue.
fn cross_venue_links(rec: &Recording) -> u64 {
    let firsts = rec
        .liquidations
        .iter()
        .filter(|l| l.imported_from.is_some());
    // One per takeover: its steps share the id and the link (and may interleave with others').
    let mut ids: Vec<u32> = firsts.map(|l| l.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len() as u64
}

/// `collateral.*`, summed over the run's venues (none without collateral assets).
fn collateral_summary(rec: &Recording) -> Option<CollateralSummary> {
    let price_min_ppm = rec.collateral_price_min_ppm?;
    let all = std::iter::once(rec).chain(rec.venues.iter().map(|v| &v.recording));
    let (mut liquidations, mut units, mut value) = (0u64, 0i64, 0i64);
    for r in all {
        liquidations += r.root_triggers.collateral;
        units += r.ledger.collateral_units_sold;
        value += r.ledger.collateral_sold;
    }
    Some(CollateralSummary {
        liquidations,
        price_min: price_min_ppm as f64 / 1e6,
        sold_par: money(rec, units),
        sold_value: money(rec, value),
    })
}

/// The key under which `venues.*` lists the home venue when the recording does not name it.
const HOME_KEY: &str = "home";

/// Takeovers counted by their root.
fn roots_total(t: &cascade_sim::RootTriggers) -> u64 {
    t.own_flow + t.index + t.arbitrage + t.collateral
}

/// The time between the first two samples, seconds (1 without two).
fn sample_interval_s(samples: &[Sample]) -> f64 {
    match (samples.first(), samples.get(1)) {
        (Some(a), Some(b)) if b.time_ns > a.time_ns => (b.time_ns - a.time_ns) as f64 / 1e9,
        _ => 1.0,
    }
}

/// `venues.<name>.*` of a venue whose own summary is `own`, against `home` (none for the home
/// venue itself).
fn venue_summary(
    own: &Summary,
    rec: &Recording,
    home: Option<&Recording>,
    home_first: Option<i64>,
    interval_s: f64,
) -> VenueSummary {
    let first = rec.liquidations.first().map(|l| l.time_ns);
    VenueSummary {
        basis: own.basis.clone(),
        basis_to_home_max_bps: home.and_then(|h| basis_to(&rec.samples, &h.samples)),
        collateral_liquidations: own
            .collateral
            .as_ref()
            .map(|_| rec.root_triggers.collateral),
        depth: own.depth.clone(),
        first_liquidation_after_home_s: home.and_then(|_| {
            let (a, b) = (home_first?, first?);
            Some((b - a) as f64 / 1e9)
        }),
        funding: own.funding.clone(),
        insurance_fund: own.insurance_fund.clone(),
        lead_lag_s: home
            .and_then(|h| lead_lag(&h.samples, &rec.samples, LEAD_LAG_SAMPLES))
            .map(|k| k as f64 * interval_s),
        liquidations: own.liquidations.clone(),
        liquidation_roots: RootsSummary {
            own_flow: rec.root_triggers.own_flow,
            index: rec.root_triggers.index,
            arbitrage: rec.root_triggers.arbitrage,
        },
        price: own.price.clone(),
        spread: own.spread.clone(),
        trades: own.trades.clone(),
    }
}

/// Lags searched by the lead–lag measure, samples either way.
const LEAD_LAG_SAMPLES: usize = 30;

/// Largest |mid − home mid| / home mid over the samples both have, bps.
fn basis_to(samples: &[Sample], home: &[Sample]) -> Option<f64> {
    samples
        .iter()
        .zip(home)
        .filter_map(|(s, h)| {
            let (m, hm) = (s.mid_x2()?, h.mid_x2()?);
            (hm > 0).then(|| (m - hm).abs() as f64 / hm as f64 * 1e4)
        })
        .fold(None, max_opt)
}

/// One-sample log returns of the mid (none where a sample or the one before has no mid).
fn mid_returns(samples: &[Sample]) -> Vec<Option<f64>> {
    let mids: Vec<Option<i64>> = samples.iter().map(Sample::mid_x2).collect();
    std::iter::once(None)
        .chain(mids.windows(2).map(|w| match w {
            [Some(a), Some(b)] if *a > 0 && *b > 0 => Some((*b as f64 / *a as f64).ln()),
            _ => None,
        }))
        .collect()
}

/// The lag k in [−max, max] (samples) maximising the correlation of `home`'s return at t with
/// `other`'s at t + k: positive when the home venue leads. None when no lag has a defined
/// correlation (no moves).
pub fn lead_lag(home: &[Sample], other: &[Sample], max: usize) -> Option<i64> {
    let (a, b) = (mid_returns(home), mid_returns(other));
    let n = a.len().min(b.len());
    let mut best: Option<(f64, i64)> = None;
    let max = max as i64;
    for k in -max..=max {
        let pairs: Vec<(f64, f64)> = (0..n as i64)
            .filter_map(|t| {
                let u = t + k;
                if u < 0 || u >= n as i64 {
                    return None;
                }
                Some(((*a.get(t as usize)?)?, (*b.get(u as usize)?)?))
            })
            .collect();
        if let Some(r) = correlation(&pairs) {
            // Ties keep the smallest |k| found first (k runs from −max; compare strictly).
            let better = match best {
                None => true,
                Some((br, bk)) => r > br + 1e-12 || ((r - br).abs() <= 1e-12 && k.abs() < bk.abs()),
            };
            if better {
                best = Some((r, k));
            }
        }
    }
    best.map(|(_, k)| k)
}

/// Pearson's correlation of the pairs; none with fewer than 3 or no variance.
fn correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(x, y), &(a, b)| (x + a / n, y + b / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for &(a, b) in pairs {
        sab += (a - ma) * (b - mb);
        saa += (a - ma) * (a - ma);
        sbb += (b - mb) * (b - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// |mid − index| / index over the samples with both, basis points.
fn basis_summary(samples: &[Sample]) -> BasisSummary {
    let abs: Vec<f64> = samples
        .iter()
        .filter_map(|s| {
            let (mid_x2, ix) = (s.mid_x2()?, s.index?.0);
            (ix > 0).then(|| (mid_x2 as f64 / 2.0 - ix as f64).abs() / ix as f64 * 1e4)
        })
        .collect();
    BasisSummary {
        max_abs_bps: abs.iter().copied().fold(None, max_opt),
        median_abs_bps: median(&abs),
    }
}

/// The funding figures: rates paid per interval in basis points, money in quote currency.
fn funding_summary(rec: &Recording, f: &cascade_sim::FundingStats) -> FundingSummary {
    let bps = |ppb: f64| ppb / cascade_sim::PPB as f64 * 1e4;
    let paid = f.payments > 0;
    FundingSummary {
        payments: f.payments,
        rate_max_abs_bps: paid.then(|| bps(f.rate_max_abs_ppb as f64)),
        rate_mean_bps: paid.then(|| bps(f.rate_sum_ppb as f64 / f.payments as f64)),
        transferred: money(rec, f.transferred),
    }
}

/// True for a sample before the stress (every sample without one).
fn before(stress_from_ns: Option<i64>) -> impl Fn(&&Sample) -> bool {
    move |s| stress_from_ns.is_none_or(|t| s.time_ns < t)
}

fn price_summary(samples: &[Sample], fmt: &PriceFormat) -> PriceSummary {
    let mids: Vec<i64> = samples.iter().filter_map(Sample::mid_x2).collect();
    let quote = |m: &i64| fmt.x2_to_quote(*m);
    PriceSummary {
        end: mids.last().map(quote),
        max: mids.iter().max().map(quote),
        max_drawdown_pct: max_drawdown_pct(&mids),
        max_fall_12min_pct: max_fall_within_pct(samples, 720 * SECOND),
        max_fall_1min_pct: max_fall_within_pct(samples, 60 * SECOND),
        max_fall_60min_pct: max_fall_within_pct(samples, 3600 * SECOND),
        min: mids.iter().min().map(quote),
        start: mids.first().map(quote),
    }
}

fn spread_summary(samples: &[Sample], stress_from_ns: Option<i64>) -> SpreadSummary {
    let baseline: Vec<f64> = samples
        .iter()
        .filter(before(stress_from_ns))
        .filter_map(spread_bps)
        .collect();
    let baseline_bps = median(&baseline);
    let peak_bps = samples.iter().filter_map(spread_bps).fold(None, max_opt);
    SpreadSummary {
        baseline_bps,
        one_sided_samples: samples.iter().filter(|s| s.mid_x2().is_none()).count() as u64,
        peak_bps,
        peak_over_baseline: ratio(peak_bps, baseline_bps),
    }
}

fn depth_summary(samples: &[Sample], stress_from_ns: Option<i64>) -> DepthSummary {
    let depth = |s: &Sample| s.depth_1pct.0 as f64;
    let baseline: Vec<f64> = samples
        .iter()
        .filter(before(stress_from_ns))
        .map(&depth)
        .collect();
    let baseline_1pct = median(&baseline);
    let min_1pct = samples.iter().map(depth).fold(None, min_opt);
    DepthSummary {
        baseline_1pct,
        min_1pct,
        min_over_baseline: ratio(min_1pct, baseline_1pct),
    }
}

/// Units of tick × lot as quote currency.
fn money(rec: &Recording, units: i64) -> f64 {
    units as f64 * rec.unit_quote
}

const SECOND: i64 = 1_000_000_000;

/// The `liquidations.*` figures.
fn liquidation_summary(rec: &Recording) -> LiquidationsSummary {
    let l = rec.liquidation_stats();
    let value = |x: &cascade_sim::LiquidationRecord| {
        (x.book_qty + x.adl_qty + x.fund_qty) as f64 * x.mark as f64 * rec.unit_quote
    };
    // (time, value) of each step, in time order.
    let timed: Vec<(i64, f64)> = rec
        .liquidations
        .iter()
        .map(|x| (x.time_ns, value(x)))
        .collect();
    let total: f64 = timed.iter().map(|e| e.1).sum();
    let long: f64 = rec
        .liquidations
        .iter()
        .filter(|x| x.side == cascade_book::Side::Buy)
        .map(value)
        .sum();
    let share = |x: f64| (total > 0.0).then(|| x / total);
    let lots = |f: fn(&cascade_sim::LiquidationRecord) -> i64| -> i64 {
        rec.liquidations.iter().map(f).sum()
    };
    let book_lots = lots(|x| x.book_qty);
    let workoff = rec.counters.fund_workoff_lots as i64;
    let of_volume = |x: i64| (l.volume > 0).then(|| x as f64 / l.volume as f64);
    LiquidationsSummary {
        adl_count: l.adl_count,
        adl_lots: lots(|x| x.adl_qty),
        backstop_takeovers: rec.counters.backstop_takeovers,
        book_lots,
        book_share: of_volume(book_lots),
        book_share_with_workoff: of_volume(book_lots + workoff),
        fund_takeover_lots: lots(|x| x.fund_qty),
        fund_workoff_lots: workoff,
        bad_debt: money(rec, l.bad_debt),
        busiest_40min_share: share(busiest_window(&timed, 2400 * SECOND)),
        busiest_minute_share: share(busiest_window(&timed, 60 * SECOND)),
        count: l.count,
        long_share: l.long_share,
        long_value_share: share(long),
        max_generation: l.max_generation,
        notional: money(rec, l.notional),
        steps: rec.liquidations.len() as u64,
        value: total,
        volume: l.volume,
        window_80pct_s: shortest_window_holding(&timed, 0.8 * total).map(|t| t as f64 / 1e9),
    }
}

/// Largest fall of the mid from a high to a later low at most `window_ns` after it, in percent
/// of the high; none without a two-sided sample.
pub fn max_fall_within_pct(samples: &[Sample], window_ns: i64) -> Option<f64> {
    let mids: Vec<(i64, i64)> = samples
        .iter()
        .filter_map(|s| s.mid_x2().map(|m| (s.time_ns, m)))
        .collect();
    // Highs of the trailing window, as a deque of (time, mid) with falling mids.
    let mut highs: std::collections::VecDeque<(i64, i64)> = std::collections::VecDeque::new();
    let mut worst: Option<f64> = None;
    for &(t, m) in &mids {
        while highs
            .front()
            .is_some_and(|&(ti, _)| ti < t.saturating_sub(window_ns))
        {
            highs.pop_front();
        }
        while highs.back().is_some_and(|&(_, mi)| mi <= m) {
            highs.pop_back();
        }
        highs.push_back((t, m));
        let high = highs.front().map_or(m, |&(_, h)| h);
        let fall = if high > 0 {
            (high - m) as f64 * 100.0 / high as f64
        } else {
            0.0
        };
        worst = Some(worst.map_or(fall, |w| w.max(fall)));
    }
    worst
}

/// The largest total of `(time, value)` events (in time order) within any `window_ns`.
pub fn busiest_window(events: &[(i64, f64)], window_ns: i64) -> f64 {
    let (mut best, mut sum, mut first) = (0.0f64, 0.0, 0);
    for &(t, v) in events {
        sum += v;
        while let Some(&(t0, v0)) = events.get(first) {
            if t0 >= t.saturating_sub(window_ns) {
                break;
            }
            sum -= v0;
            first += 1;
        }
        best = best.max(sum);
    }
    best
}

/// The shortest time span (ns) whose `(time, value)` events (in time order) add up to at
/// least `target`; none when all of them do not.
pub fn shortest_window_holding(events: &[(i64, f64)], target: f64) -> Option<i64> {
    if events.is_empty() || target <= 0.0 {
        return None;
    }
    let (mut best, mut sum, mut first) = (None::<i64>, 0.0, 0);
    for &(t, v) in events {
        sum += v;
        while let Some(&(_, v0)) = events.get(first) {
            if sum - v0 < target {
                break;
            }
            sum -= v0;
            first += 1;
        }
        if sum >= target {
            let span = t - events.get(first).map_or(t, |e| e.0);
            best = Some(best.map_or(span, |b| b.min(span)));
        }
    }
    best
}

/// Spread of a two-sided sample, in basis points of the mid.
pub fn spread_bps(s: &Sample) -> Option<f64> {
    match (s.bid, s.ask) {
        (Some((b, _)), Some((a, _))) => Some((a.0 - b.0) as f64 * 20_000.0 / (a.0 + b.0) as f64),
        _ => None,
    }
}

/// Largest fall from a running peak, in percent of the peak.
pub fn max_drawdown_pct(mids_x2: &[i64]) -> f64 {
    let mut peak = i64::MIN;
    let mut worst = 0.0f64;
    for &m in mids_x2 {
        peak = peak.max(m);
        if peak > 0 {
            worst = worst.max((peak - m) as f64 * 100.0 / peak as f64);
        }
    }
    worst
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn max_opt(acc: Option<f64>, x: f64) -> Option<f64> {
    Some(acc.map_or(x, |a| a.max(x)))
}

fn min_opt(acc: Option<f64>, x: f64) -> Option<f64> {
    Some(acc.map_or(x, |a| a.min(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_book::{Price, Qty};

    fn sample(t: i64, bid: i64, ask: i64, depth: i64) -> Sample {
        Sample {
            time_ns: t,
            bid: Some((Price(bid), Qty(1))),
            ask: Some((Price(ask), Qty(1))),
            depth_1pct: Qty(depth),
            volume: Qty(0),
            trades: 0,
            last: Price(bid),
            fundamental: None,
            mark: Price(bid),
            index: None,
            insurance_fund: 0,
            open_interest: 0,
            funding: None,
        }
    }

    #[test]
    fn drawdown_is_measured_from_the_running_peak() {
        assert_eq!(max_drawdown_pct(&[100, 120, 90, 130, 117]), 25.0);
        assert_eq!(max_drawdown_pct(&[100, 101, 102]), 0.0);
        assert_eq!(max_drawdown_pct(&[]), 0.0);
    }

    #[test]
    fn falls_count_only_lows_within_the_window_after_the_high() {
        // Mids 100, 120, 90 (t = 1, 2, 3 s) then 60 at t = 100 s.
        let samples = [
            sample(SECOND, 99, 101, 1),
            sample(2 * SECOND, 119, 121, 1),
            sample(3 * SECOND, 89, 91, 1),
            sample(100 * SECOND, 59, 61, 1),
        ];
        assert_eq!(max_fall_within_pct(&samples, 60 * SECOND), Some(25.0));
        assert_eq!(max_fall_within_pct(&samples, 98 * SECOND), Some(50.0));
        assert_eq!(max_fall_within_pct(&samples, 96 * SECOND), Some(25.0));
        // A low exactly `window` after the high counts: 90 → 60.
        let f = max_fall_within_pct(&samples, 97 * SECOND).unwrap();
        assert!((f - 100.0 / 3.0).abs() < 1e-9, "{f}");
        assert_eq!(max_fall_within_pct(&samples[..1], SECOND), Some(0.0));
        assert_eq!(max_fall_within_pct(&[], SECOND), None);
    }

    #[test]
    fn busiest_and_shortest_windows_over_timed_values() {
        let ev = [(0, 1.0), (10, 5.0), (15, 3.0), (40, 1.0), (100, 6.0)];
        assert_eq!(busiest_window(&ev, 5), 8.0);
        assert_eq!(busiest_window(&ev, 30), 9.0);
        assert_eq!(busiest_window(&ev, 4), 6.0);
        assert_eq!(busiest_window(&ev, 1000), 16.0);
        // 8 needs two events 5 ns apart; 11 needs 10..100 (90 ns) rather than 0..100.
        assert_eq!(shortest_window_holding(&ev, 8.0), Some(5));
        assert_eq!(shortest_window_holding(&ev, 11.0), Some(90));
        assert_eq!(shortest_window_holding(&ev, 6.0), Some(0));
        assert_eq!(shortest_window_holding(&ev, 17.0), None);
        assert_eq!(shortest_window_holding(&[], 1.0), None);
    }

    #[test]
    fn the_fields_are_written_in_the_sorted_order_and_read_back() {
        let rec = Recording {
            samples: vec![sample(1, 99, 101, 100), sample(2, 98, 101, 90)],
            ..Recording::default()
        };
        let s = summarize(&rec, &PriceFormat::new(0.5), None);
        // A JSON object holds its keys sorted: the same text means the struct's fields are in
        // summary.json's order at every level.
        let direct = serde_json::to_string_pretty(&s).unwrap();
        let sorted = serde_json::to_string_pretty(&serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(direct, sorted);
        assert!(direct.contains("\"stress_from_s\": null"), "{direct}");
        assert_eq!(serde_json::from_str::<Summary>(&direct).unwrap(), s);
        let keys: Vec<String> = s.metrics().unwrap().into_iter().map(|m| m.0).collect();
        assert_eq!(
            keys.first().map(String::as_str),
            Some("depth.baseline_1pct")
        );
        assert!(keys.iter().any(|k| k == "liquidations.window_80pct_s"));
    }

    #[test]
    fn baselines_use_only_samples_before_the_stress() {
        let rec = Recording {
            samples: vec![
                sample(1, 99, 101, 100),
                sample(2, 99, 101, 100),
                sample(3, 90, 110, 10),
            ],
            ..Recording::default()
        };
        let s = summarize(&rec, &PriceFormat::new(1.0), Some(3));
        assert_eq!(s.spread.baseline_bps, Some(200.0));
        assert_eq!(s.spread.peak_bps, Some(2000.0));
        assert_eq!(s.spread.peak_over_baseline, Some(10.0));
        assert_eq!(s.depth.baseline_1pct, Some(100.0));
        assert_eq!(s.depth.min_over_baseline, Some(0.1));
        assert_eq!(s.price.start, Some(100.0));
        assert_eq!(s.price.max_drawdown_pct, 0.0);
    }
}
