//! The mark and index sections: how the mark price is computed, and the exogenous index.

use serde::{Deserialize, Serialize};

/// How the mark price, on which liquidations trigger, is computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
        half_life_s: f64,
    },
    /// median(index + EMA of (mid − index), mid, last), as large perpetual venues compute it.
    Median {
        /// Half-life of the basis average, seconds.
        basis_half_life_s: f64,
    },
}

/// An exogenous index: geometric Brownian motion with jumps, or a scripted path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    /// Time between two index updates, seconds.
    pub interval_s: f64,
    /// Drift per second (log).
    #[serde(default)]
    pub drift_per_s: f64,
    /// Volatility per square root of a second (log).
    #[serde(default)]
    pub vol_per_sqrt_s: f64,
    /// Jump intensity per second.
    #[serde(default)]
    pub jump_rate_per_s: f64,
    /// Mean jump, percent.
    #[serde(default)]
    pub jump_mean_pct: f64,
    /// Standard deviation of jumps, percent.
    #[serde(default)]
    pub jump_std_pct: f64,
    /// A scripted path of (time s, price), linearly interpolated; replaces the random walk.
    #[serde(default)]
    pub path: Vec<(f64, f64)>,
}
