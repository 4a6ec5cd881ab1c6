//! Several venues in one run: the venues besides the scenario's own, and an index computed from
//! spot venues' prices.
//!
//! The scenario's top-level sections describe its own venue (the *home* venue, named by
//! `venue_name`), where its top-level `agents` trade and its `shocks` act. Each entry of
//! `venues` adds a perpetual venue (its rules from a preset: liquidation waterfall, funding,
//! mark, fees, gate; the margin tiers are the scenario's) or a spot venue (no margin: no
//! liquidations, no funding), each with its own book and its own agents. A perpetual's rule
//! sections (`mark`, `liquidation`, `funding`, `fees`, `initial_margin_gate`) override its
//! preset field by field, as the top-level ones do the home venue's: the top-level sections
//! are the home venue's alone. A perpetual's index
//! is the scenario's `index` (a scripted path or a random walk) unless `index_sources` builds
//! it from spot venues' prices.

use crate::agents::AgentGroup;
use crate::scenario::{FeeSpec, FundingSpec, LiquidationSpec, MarkSpec, Preset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One more venue: a perpetual or a spot market of the scenario's instrument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueSpec {
    /// The venue's name, unique in the scenario (and not the home venue's `venue_name`).
    pub name: String,
    /// A perpetual swap (margin, liquidations, funding) or a spot market (none of them).
    pub kind: VenueKind,
    /// The perpetual's rules (liquidation waterfall, funding, mark, fees, margin gate), as the
    /// named venue documents them; the margin tiers are the scenario's `margin`. Refused on
    /// a spot venue (which has none of these rules).
    #[serde(default)]
    pub preset: Preset,
    /// The perpetual's mark price rule (default: its preset's), as the top-level `mark` is
    /// the home venue's. Refused on a spot venue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<MarkSpec>,
    /// The perpetual's liquidation engine: each field given overrides its preset's, as the
    /// top-level `liquidation` does the home venue's. The top-level section is the home
    /// venue's alone: `liquidation.enabled=false` turns off the home venue's liquidations and
    /// leaves this venue liquidating (`cascade run`, `check` and `sweep` warn); a run without any
    /// liquidation also sets `venues.<name>.liquidation.enabled=false` for each perpetual.
    /// Refused on a spot venue.
    #[serde(default, skip_serializing_if = "LiquidationSpec::is_default")]
    pub liquidation: LiquidationSpec,
    /// The perpetual's funding over its preset's, as the top-level `funding` is the home
    /// venue's. Refused on a spot venue.
    #[serde(default, skip_serializing_if = "FundingSpec::is_default")]
    pub funding: FundingSpec,
    /// The perpetual's maker and taker fees over its preset's, as the top-level `fees` are the
    /// home venue's. Refused on a spot venue.
    #[serde(default, skip_serializing_if = "FeeSpec::is_default")]
    pub fees: FeeSpec,
    /// The perpetual's initial-margin gate (default: its preset's), as the top-level
    /// `initial_margin_gate` is the home venue's. Refused on a spot venue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_margin_gate: Option<bool>,
    /// The perpetual's index built from spot venues (none: the scenario's `index`, if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_sources: Option<IndexSources>,
    /// The agents trading on this venue (names unique across the whole scenario).
    pub agents: Vec<AgentGroup>,
}

/// What a venue trades.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VenueKind {
    /// A perpetual swap: margin accounts, liquidations, funding against its index.
    Perp,
    /// A spot market: no margin, no liquidation, no funding; an index source.
    Spot,
}

/// A perpetual's index computed from spot venues' prices, as venues compute theirs: each
/// source's price (its mid, or its last trade when one side of its book is empty), sources
/// more than `max_deviation_pct` from the median dropped, stale sources dropped, the weighted
/// mean of the rest. With no source left the index keeps its last value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexSources {
    /// The sources and their weights (normalised over the sources kept).
    pub sources: Vec<IndexSource>,
    /// A source further than this from the median of the sources is dropped, percent.
    #[serde(default = "default_max_deviation_pct")]
    #[schemars(extend("x-unit" = "%", "exclusiveMinimum" = 0))]
    pub max_deviation_pct: f64,
    /// A spot source whose book is one-sided and whose last trade is older than this is stale
    /// and dropped, seconds.
    #[serde(default = "default_stale_s")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub stale_s: f64,
    /// Time between two updates of the index when the scenario has no `index` to set the
    /// clock, seconds (with an `index`, its `interval_s` is the clock).
    #[serde(default = "default_sources_interval_s")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub interval_s: f64,
}

fn default_max_deviation_pct() -> f64 {
    5.0
}

fn default_stale_s() -> f64 {
    10.0
}

fn default_sources_interval_s() -> f64 {
    1.0
}

/// One source of an index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum IndexSource {
    /// A spot venue's price.
    Venue {
        /// The spot venue's name.
        name: String,
        /// Its weight (relative to the other sources').
        #[schemars(extend("x-unit" = "1", "minimum" = 0))]
        weight: f64,
    },
    /// The scenario's exogenous `index` (its scripted path or random walk).
    Scripted {
        /// Its weight (relative to the other sources').
        #[schemars(extend("x-unit" = "1", "minimum" = 0))]
        weight: f64,
    },
}

impl VenueSpec {
    /// The rule sections given (not left to the preset), by field name: what a spot venue,
    /// which has no rules, refuses.
    pub fn rules_given(&self) -> Vec<&'static str> {
        [
            ("mark", self.mark.is_some()),
            ("liquidation", !self.liquidation.is_default()),
            ("funding", !self.funding.is_default()),
            ("fees", !self.fees.is_default()),
            ("initial_margin_gate", self.initial_margin_gate.is_some()),
            ("preset", self.preset != Preset::Custom),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

impl IndexSource {
    /// The source's weight.
    pub fn weight(&self) -> f64 {
        match self {
            IndexSource::Venue { weight, .. } | IndexSource::Scripted { weight } => *weight,
        }
    }
}

/// The home venue's name when the scenario does not give one.
pub fn default_venue_name() -> String {
    "home".to_string()
}

/// True for the default home venue name (left out of the manifest's scenario text).
pub fn is_default_venue_name(name: &String) -> bool {
    *name == default_venue_name()
}
