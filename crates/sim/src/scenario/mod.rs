//! Scenario files: the RON schema, parsing with positions, and semantic validation.
//!
//! A scenario is plain data. [`Scenario::parse`] turns RON text into it (unknown fields are
//! rejected, errors carry line and column); [`Scenario::validate`] checks every value against
//! its meaning and reports each problem with the field's path, e.g. `agents[1].rate_per_s`.
//!
//! This module holds the top of the schema; the venue's sections are in `margin.rs`,
//! `mark.rs` (mark and index), `liquidation.rs` and `shock.rs`, each agent kind's section in
//! its file under `agents/`, the checks in `validate/`, the reading in `parse.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod collateral;
mod funding;
mod liquidation;
mod margin;
mod mark;
mod parse;
pub mod schema;
mod shock;
mod validate;
mod venue;
mod venues;

pub use crate::agents::AgentGroup;
pub use collateral::{
    CollateralAsset, CollateralPrice, CollateralShare, CollateralSpec, PricePoint,
};
pub use funding::{FeeRules, FeeSpec, FundingRules, FundingSpec, PremiumSource};
pub use liquidation::{
    Execution, LiquidationRules, LiquidationSpec, Remainder, Shortfall, StepMode,
};
pub use margin::{binance_tiers, MarginSpec, Tier};
pub use mark::{IndexSpec, MarkSpec};
pub use parse::{parse_ron, ParseError};
pub use shock::Shock;
use validate::Validator;
pub(crate) use validate::{check_share, Fields, PRICE_HEADROOM};
/// The run's budget: bounds on every rate and interval, derived in `validate/budget.rs`.
pub use validate::{
    Budget, ACCOUNT_BYTES, AGENT_BYTES, EVENTS_PER_S, MAX_EVENTS, MAX_JUMPS_PER_STEP,
    MAX_RATE_PER_S, MEMORY_BUDGET_BYTES, MIN_INTERVAL_S, RESTING_BYTES, SAMPLE_FOOTPRINT_BYTES,
    TIME_BUDGET_S, TRADE_FOOTPRINT_BYTES,
};
pub use validate::{FieldError, ValidationErrors};
pub use venue::Preset;
pub use venues::{IndexSource, IndexSources, VenueKind, VenueSpec};

/// A whole market: the instrument, the clock, the exogenous processes and the agents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name; the default run folder is `output/<name>/seed-<seed>/`.
    pub name: String,
    /// Seed used when the command line gives none.
    #[serde(default = "default_seed")]
    #[schemars(extend("x-unit" = "seed"))]
    pub seed: u64,
    /// Simulated time covered by the run, in seconds.
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0, "maximum" = 3.2e8))]
    pub duration_s: f64,
    /// Interval between two rows of the time series, in seconds.
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub sample_interval_s: f64,
    /// The venue whose rules the exchange follows (liquidation waterfall, funding, mark,
    /// fees, margin gate); any rule field given in the scenario overrides the preset's.
    #[serde(default)]
    pub venue: Preset,
    /// Delay between an agent's decision and its order reaching the exchange.
    #[serde(default)]
    pub latency: Latency,
    /// The traded instrument.
    pub instrument: Instrument,
    /// An exogenous fundamental value that value agents observe with noise.
    #[serde(default)]
    pub fundamental: Option<Fundamental>,
    /// Groups of agents, each of one kind.
    pub agents: Vec<AgentGroup>,
    /// Margin tiers (default: a Binance-style ladder).
    #[serde(default)]
    pub margin: MarginSpec,
    /// How the mark price is computed (default: the venue's rule; the mid under Custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<MarkSpec>,
    /// An exogenous index (needed by the Index and Median marks and index jumps).
    #[serde(default)]
    pub index: Option<IndexSpec>,
    /// The home venue's liquidation engine. Another perpetual of `venues` has its own
    /// (`venues[i].liquidation`): `enabled: false` here leaves it liquidating, and `cascade
    /// run`, `check` and `sweep` warn of it.
    #[serde(default)]
    pub liquidation: LiquidationSpec,
    /// Scripted events.
    #[serde(default)]
    pub shocks: Vec<Shock>,
    /// Funding between longs and shorts (default: the venue's; none under Custom).
    #[serde(default, skip_serializing_if = "FundingSpec::is_default")]
    pub funding: FundingSpec,
    /// Maker and taker fees (default: the venue's; none under Custom).
    #[serde(default, skip_serializing_if = "FeeSpec::is_default")]
    pub fees: FeeSpec,
    /// Refuse an order that would take a margin account past its tier's initial margin
    /// (default: on for every named venue, off under Custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_margin_gate: Option<bool>,
    /// The name of the scenario's own venue (the one its top-level sections describe), as
    /// summary.json's `venues.*` keys and the other venues' agents name it.
    #[serde(
        default = "venues::default_venue_name",
        skip_serializing_if = "venues::is_default_venue_name"
    )]
    pub venue_name: String,
    /// The home venue's index built from spot venues' prices (none: the scenario's `index`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_sources: Option<IndexSources>,
    /// More venues of the same instrument: perpetuals and spot markets, each with its own
    /// book, rules and agents (none: a one-venue run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub venues: Vec<VenueSpec>,
    /// Collateral assets besides the quote currency, each priced from a scripted path or a
    /// spot venue's book and counted at its price less a haircut (none: margin is cash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral: Option<CollateralSpec>,
}

fn default_seed() -> u64 {
    1
}

/// Order latency: every order of one wake-up arrives `base_us` plus a uniform draw in
/// `[0, jitter_us]` after the decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Fixed part, in microseconds.
    #[schemars(extend("x-unit" = "µs", "minimum" = 0, "maximum" = 1e9))]
    pub base_us: f64,
    /// Upper bound of the random part, in microseconds.
    #[serde(default)]
    #[schemars(extend("x-unit" = "µs", "minimum" = 0, "maximum" = 1e9))]
    pub jitter_us: f64,
    /// Places the exchange and every agent at uniform random points on a line this many
    /// metres long, as ABIDES's `generate_latency_model` (RMSC04: 3,866,660, New York to
    /// Seattle); each order then also waits twice the light time between its agent and the
    /// exchange (see `geo_latency.rs`). None: no distance.
    #[serde(default)]
    #[schemars(extend("x-unit" = "m"))]
    pub line_m: Option<f64>,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            base_us: 100.0,
            jitter_us: 0.0,
            line_m: None,
        }
    }
}

/// The instrument: price grid, lot size and opening price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Price of one tick in quote currency (e.g. 0.01 for cents).
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub tick_size: f64,
    /// Base units per lot.
    #[schemars(extend("x-unit" = "base units", "exclusiveMinimum" = 0))]
    pub lot_size: f64,
    /// Opening reference price in quote currency; a multiple of `tick_size`.
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub initial_price: f64,
}

/// A mean-reverting fundamental value with rare jumps (an Ornstein–Uhlenbeck process).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fundamental {
    /// Long-run mean in quote currency; the initial price when absent.
    #[serde(default)]
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub mean: Option<f64>,
    /// Mean-reversion speed, per second.
    #[schemars(extend("x-unit" = "1/s", "minimum" = 0))]
    pub kappa_per_s: f64,
    /// Diffusion, in quote currency per square root of a second.
    #[schemars(extend("x-unit" = "quote currency/√s", "minimum" = 0))]
    pub sigma_per_sqrt_s: f64,
    /// Jump intensity, per second.
    #[serde(default)]
    #[schemars(extend("x-unit" = "1/s", "minimum" = 0))]
    pub jump_rate_per_s: f64,
    /// Mean jump size, quote currency.
    #[serde(default)]
    #[schemars(extend("x-unit" = "quote currency"))]
    pub jump_mean: f64,
    /// Standard deviation of the jump size, quote currency.
    #[serde(default)]
    #[schemars(extend("x-unit" = "quote currency", "minimum" = 0))]
    pub jump_std: f64,
}

/// Scenario text above this size is refused before parsing.
pub const MAX_SCENARIO_BYTES: usize = 16 << 20;
/// Limits that keep a scenario within what one run can hold.
pub const MAX_AGENTS: u64 = 10_000_000;
/// Longest simulated duration accepted: about 10 years.
pub const MAX_DURATION_S: f64 = 3.2e8;
/// Longest ladder a maker may quote per side.
pub const MAX_LEVELS: u32 = 1_000;
/// Largest single order, lots.
pub const MAX_ORDER_LOTS: i64 = 1_000_000_000;
/// The room 64-bit cash keeps above the value of the largest order (or deposit) at the initial
/// price: prices may rise 16-fold and one account may hold 4,096 such orders (2^4 · 2^12)
/// before any sum of cash, value or open interest could reach `i64::MAX`.
pub const MONEY_HEADROOM: f64 = 65_536.0;
/// Largest value, units of tick × lot, of one order or one deposit at the initial price:
/// `i64::MAX / MONEY_HEADROOM`, about 1.4e14.
pub const MAX_ORDER_UNITS: f64 = i64::MAX as f64 / MONEY_HEADROOM;
/// Longest moving-average window.
pub const MAX_WINDOW: u32 = 100_000;

impl Scenario {
    /// Parses RON text. Unknown fields, missing fields and wrong types are errors with a
    /// line and column.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        parse_ron(
            text,
            // Implicit `Some`: a rule field that overrides a venue preset reads `fee_rate: 0.01`.
            ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
                | ron::extensions::Extensions::IMPLICIT_SOME,
            MAX_SCENARIO_BYTES,
        )
    }

    /// The scenario as RON text, as it was run (after overrides). Parses back to itself. An
    /// error (which plain data with string keys should never give) is returned, never an empty
    /// text that a manifest would then record as the scenario.
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let pretty = ron::ser::PrettyConfig::new()
            .depth_limit(8)
            .struct_names(true)
            .extensions(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES)
            .indentor("    ".to_string());
        ron::ser::to_string_pretty(self, pretty)
    }

    /// Checks every value against its meaning; returns all problems found.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::default();
        v.check(self);
        if v.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(v.errors))
        }
    }

    /// Total number of agents over all groups of every venue.
    pub fn agent_count(&self) -> u64 {
        self.groups().map(|(_, _, g)| u64::from(g.count())).sum()
    }

    /// Every agent group of every venue in agent order — the home venue's first, then each
    /// venue's in the order of `venues` — with its venue's id and its path in the file
    /// (`agents[1]`, `venues[0].agents[2]`).
    pub fn groups(&self) -> impl Iterator<Item = (u16, String, &AgentGroup)> + '_ {
        let home = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, g)| (0, format!("agents[{i}]"), g));
        let others = self.venues.iter().enumerate().flat_map(|(v, venue)| {
            venue
                .agents
                .iter()
                .enumerate()
                .map(move |(i, g)| (v as u16 + 1, format!("venues[{v}].agents[{i}]"), g))
        });
        home.chain(others)
    }

    /// The venue's id (0 for the home venue, 1 + its place in `venues` for another), by name.
    pub fn venue_id(&self, name: &str) -> Option<u16> {
        if name == self.venue_name {
            return Some(0);
        }
        self.venues
            .iter()
            .position(|v| v.name == name)
            .map(|i| i as u16 + 1)
    }

    /// The name of venue `id`.
    pub fn venue_name_of(&self, id: u16) -> &str {
        match id {
            0 => &self.venue_name,
            k => &self.venues[usize::from(k) - 1].name,
        }
    }

    /// The scenario as venue `id` of a multi-venue run sees its rules: the home venue is the
    /// scenario itself; another perpetual takes its preset's rules with its own rule sections
    /// over them (never the top-level ones, which are the home venue's), and the scenario's
    /// margin tiers and instrument.
    pub fn venue_view(&self, id: u16) -> std::borrow::Cow<'_, Scenario> {
        if id == 0 {
            return std::borrow::Cow::Borrowed(self);
        }
        let spec = &self.venues[usize::from(id) - 1];
        let mut s = self.clone();
        s.index_sources = spec.index_sources.clone();
        if spec.kind == VenueKind::Spot {
            // No margin rules apply; the mark is the mid (Custom's), nothing funds.
            s.venue = Preset::Custom;
            s.mark = None;
            s.liquidation = LiquidationSpec::default();
            s.funding = FundingSpec::default();
            s.fees = FeeSpec::default();
            s.initial_margin_gate = None;
        } else {
            s.venue = spec.preset;
            s.mark = spec.mark.clone();
            s.liquidation = spec.liquidation.clone();
            s.funding = spec.funding.clone();
            s.fees = spec.fees.clone();
            s.initial_margin_gate = spec.initial_margin_gate;
        }
        std::borrow::Cow::Owned(s)
    }

    /// What a researcher should know before running that is not an error: a top-level
    /// `liquidation.enabled=false` (the home venue's) beside other perpetuals that still
    /// liquidate, each named.
    pub fn warnings(&self) -> Vec<String> {
        if self.liquidation.rules(self.venue).enabled {
            return Vec::new();
        }
        let still: Vec<&str> = (1..=self.venues.len() as u16)
            .filter(|&id| !self.is_spot(id))
            .filter(|&id| {
                let view = self.venue_view(id);
                view.liquidation.rules(view.venue).enabled
            })
            .map(|id| self.venue_name_of(id))
            .collect();
        still
            .iter()
            .map(|name| {
                format!(
                    "liquidation.enabled=false turns off liquidations on the home venue {:?} \
                     only: perpetual {name:?} still liquidates (its own rules: set \
                     venues.{name}.liquidation.enabled=false too for a run without them)",
                    self.venue_name
                )
            })
            .collect()
    }

    /// True when the home venue has an index: the exogenous one or one built from spot
    /// venues.
    pub fn has_index(&self) -> bool {
        self.index.is_some() || self.index_sources.is_some()
    }

    /// True when venue `id` has an index: the home venue's (exogenous or from spot venues),
    /// another perpetual's own sources or else the scenario's exogenous index; never a spot
    /// market's.
    pub fn venue_has_index(&self, id: u16) -> bool {
        match id {
            0 => self.has_index(),
            _ if self.is_spot(id) => false,
            k => self.index.is_some() || self.venues[usize::from(k) - 1].index_sources.is_some(),
        }
    }

    /// The index sources of venue `id`, if it builds its index from spot venues.
    pub fn index_sources_of(&self, id: u16) -> Option<&IndexSources> {
        match id {
            0 => self.index_sources.as_ref(),
            k => self.venues[usize::from(k) - 1].index_sources.as_ref(),
        }
    }

    /// True when venue `id` is a spot market.
    pub fn is_spot(&self, id: u16) -> bool {
        id > 0 && self.venues[usize::from(id) - 1].kind == VenueKind::Spot
    }

    /// The initial price in ticks (valid scenarios only).
    pub fn initial_price_ticks(&self) -> i64 {
        (self.instrument.initial_price / self.instrument.tick_size).round() as i64
    }

    /// The mark rule in force: the scenario's, else the venue's.
    pub fn mark_rule(&self) -> MarkSpec {
        self.mark.clone().unwrap_or_else(|| self.venue.mark())
    }

    /// The funding rules in force, none when funding is off.
    pub fn funding_rules(&self) -> Option<FundingRules> {
        self.funding.resolve(self.venue, &self.margin)
    }

    /// The trading fees in force.
    pub fn fee_rules(&self) -> FeeRules {
        self.fees.resolve(self.venue)
    }

    /// True when the initial-margin gate is on.
    pub fn gate_on(&self) -> bool {
        self.initial_margin_gate
            .unwrap_or_else(|| self.venue.initial_margin_gate())
    }

    /// Seconds to nanoseconds, rounded.
    pub fn ns(seconds: f64) -> i64 {
        (seconds * 1e9).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"Scenario(
        name: "t",
        duration_s: 10.0,
        sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [
            Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                  market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                  size_min: 1, size_max: 5),
        ],
    )"#;

    fn check_invalid(edit: impl Fn(&mut Scenario), path: &str) {
        let mut s = Scenario::parse(MINIMAL).expect("minimal parses");
        edit(&mut s);
        let errs = s.validate().expect_err("must be refused").0;
        assert!(
            errs.iter().any(|e| e.path == path),
            "expected an error at {path}, got {errs:?}"
        );
    }

    #[test]
    fn minimal_scenario_is_valid_and_round_trips_through_ron() {
        let s = Scenario::parse(MINIMAL).unwrap();
        s.validate().unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.initial_price_ticks(), 10_000);
        assert_eq!(Scenario::parse(&s.to_ron().unwrap()).unwrap(), s);
    }

    #[test]
    fn unknown_field_is_a_parse_error_with_position() {
        let text = MINIMAL.replace("duration_s: 10.0,", "duration_s: 10.0,\n        speed: 3,");
        let e = Scenario::parse(&text).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("speed"), "{e}");
    }

    #[test]
    fn semantic_errors_name_the_field() {
        check_invalid(|s| s.instrument.tick_size = 0.0, "instrument.tick_size");
        check_invalid(
            |s| s.instrument.initial_price = 100.005,
            "instrument.initial_price",
        );
        check_invalid(|s| s.duration_s = -1.0, "duration_s");
        check_invalid(|s| s.duration_s = f64::NAN, "duration_s");
        check_invalid(|s| s.sample_interval_s = 0.0, "sample_interval_s");
        check_invalid(|s| s.agents.clear(), "agents");
        check_invalid(
            |s| {
                if let AgentGroup::Noise(n) = &mut s.agents[0] {
                    n.rate_per_s = -2.0;
                }
            },
            "agents[0].rate_per_s",
        );
        check_invalid(
            |s| {
                if let AgentGroup::Noise(n) = &mut s.agents[0] {
                    n.size_min = 9;
                }
            },
            "agents[0].size_max",
        );
        check_invalid(
            |s| {
                let g = s.agents[0].clone();
                s.agents.push(g);
            },
            "agents[1].name",
        );
        check_invalid(|s| s.name = "../x".into(), "name");
    }

    #[test]
    fn a_quote_edge_must_leave_the_bid_above_zero() {
        let with_arbs = |edge: f64| {
            let text = MINIMAL.replace(
                "        ],",
                &format!(
                    "            Arbitrageur(name: \"arbs\", count: 1, mean_wake_s: 1.0, \
                     edge_bps: 10.0, max_size: 10, max_position: 100, \
                     quote_edge_bps: Some({edge:?})),\n        ],\n        \
                     index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0)])),"
                ),
            );
            Scenario::parse(&text).unwrap()
        };
        for bad in [0.0, -5.0, 10_000.0, f64::NAN] {
            let errs = with_arbs(bad).validate().expect_err("refused").0;
            assert!(
                errs.iter().any(|e| e.path == "agents[1].quote_edge_bps"),
                "{bad}: {errs:?}"
            );
        }
        with_arbs(700.0).validate().unwrap();
    }
}
