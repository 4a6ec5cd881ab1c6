//! The mark and index sections: how the mark price is computed, and the exogenous index.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the mark price, on which liquidations trigger, is computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
// Struct variants refuse unknown fields too: a misspelt `overs:` must not leave `over_s` at
// its default without a word.
#[serde(deny_unknown_fields)]
pub enum MarkSpec {
    /// The last trade price.
    Last,
    /// The mid price (the last mark while one side of the book is empty).
    #[default]
    Mid,
    /// The exogenous index.
    Index,
    /// An exponential moving average of the mid.
    EmaMid {
        /// Half-life of the average, seconds.
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
        half_life_s: f64,
    },
    /// median(index + EMA of (mid − index), mid, last), as large perpetual venues compute it.
    Median {
        /// Half-life of the basis average, seconds.
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
        basis_half_life_s: f64,
    },
    /// Binance's and Bybit's mark: median(P1, P2, last) with P1 = index × (1 + F × τ /
    /// interval) (F the predicted funding rate, τ the time to the next payment) and P2 = index +
    /// the moving average of (mid − index) sampled each second over the window. A one-sided
    /// book adds no basis sample; a last trade older than the window counts as P1: the mark
    /// falls back on the index, it never freezes.
    VenueMedian {
        /// Window of the basis average, seconds (Binance 30, Bybit 300).
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0, "maximum" = 3600))]
        basis_window_s: f64,
    },
    /// OKX's mark: index + the moving average of (mid − index) sampled each second over the
    /// window (the index alone while no two-sided sample exists).
    IndexBasis {
        /// Window of the basis average, seconds.
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0, "maximum" = 3600))]
        basis_window_s: f64,
    },
    /// BitMEX's fair price: index × (1 + F × τ / interval); no book input.
    FairPrice,
    /// Hyperliquid's mark: oracle (index) + an EMA of (mid − oracle); a one-sided book leaves
    /// the average where it was.
    OracleEma {
        /// Half-life of the basis average, seconds.
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
        half_life_s: f64,
    },
}

impl MarkSpec {
    /// The variant's name, as written in a scenario.
    pub fn name(&self) -> &'static str {
        match self {
            MarkSpec::Last => "Last",
            MarkSpec::Mid => "Mid",
            MarkSpec::Index => "Index",
            MarkSpec::EmaMid { .. } => "EmaMid",
            MarkSpec::Median { .. } => "Median",
            MarkSpec::VenueMedian { .. } => "VenueMedian",
            MarkSpec::IndexBasis { .. } => "IndexBasis",
            MarkSpec::FairPrice => "FairPrice",
            MarkSpec::OracleEma { .. } => "OracleEma",
        }
    }

    /// True for the rules that read the index.
    pub fn needs_index(&self) -> bool {
        !matches!(
            self,
            MarkSpec::Last | MarkSpec::Mid | MarkSpec::EmaMid { .. }
        )
    }
}

/// An exogenous index: geometric Brownian motion with jumps, or a scripted path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    /// Time between two index updates, seconds.
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub interval_s: f64,
    /// Drift per second (log).
    #[serde(default)]
    #[schemars(extend("x-unit" = "1/s (log)"))]
    pub drift_per_s: f64,
    /// Volatility per square root of a second (log).
    #[serde(default)]
    #[schemars(extend("x-unit" = "1/√s (log)", "minimum" = 0))]
    pub vol_per_sqrt_s: f64,
    /// Jump intensity per second.
    #[serde(default)]
    #[schemars(extend("x-unit" = "1/s", "minimum" = 0))]
    pub jump_rate_per_s: f64,
    /// Mean jump, percent.
    #[serde(default)]
    #[schemars(extend("x-unit" = "%", "exclusiveMinimum" = -100))]
    pub jump_mean_pct: f64,
    /// Standard deviation of jumps, percent.
    #[serde(default)]
    #[schemars(extend("x-unit" = "%", "minimum" = 0))]
    pub jump_std_pct: f64,
    /// A scripted path of (time s, price), linearly interpolated; replaces the random walk.
    #[serde(default)]
    #[schemars(extend("x-unit" = "[(s, quote currency)]"))]
    pub path: Vec<(f64, f64)>,
}
