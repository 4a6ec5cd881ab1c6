//! `returns.*` of summary.json: the robust tail figures of the mid's returns at the sampling
//! interval, after the default burn-in — the first column of `cascade stats`, without its
//! bootstrap interval (200 refits per run would cost more than the summary itself).
//!
//! In the summary, so sweeps, ablations and calibrations can read them like any other metric.

use super::estimators::excess_kurtosis;
use super::returns::{default_burn_in_s, sampling_interval, Grid};
use super::tails::{hill_ks, trimmed_excess_kurtosis, TRIM_SHARE};
use super::Series;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `returns.*`: log returns of the mid over one sampling interval, after the burn-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnsSummary {
    /// Returns measured (intervals with a mid at both ends).
    pub count: u64,
    /// Excess kurtosis of the returns.
    pub excess_kurtosis: Option<f64>,
    /// Excess kurtosis without the largest 0.1% of |r| (at least one).
    pub excess_kurtosis_trimmed: Option<f64>,
    /// Hill tail index of |r|, the tail size chosen by the KS distance (Clauset).
    pub hill_alpha: Option<f64>,
    /// Order statistics in that Hill estimate.
    pub hill_k: Option<u64>,
    /// The return horizon (the sampling interval), seconds.
    pub interval_s: Option<f64>,
}

impl ReturnsSummary {
    /// The figures of a series (as `cascade stats` reads it).
    pub fn of(series: &Series) -> Self {
        let none = ReturnsSummary {
            count: 0,
            excess_kurtosis: None,
            excess_kurtosis_trimmed: None,
            hill_alpha: None,
            hill_k: None,
            interval_s: None,
        };
        let t = &series.time_s;
        let Some(interval_s) = sampling_interval(t) else {
            return none;
        };
        let end_s = t.last().copied().unwrap_or(0.0);
        let grid = Grid::new(
            t,
            &series.mid,
            &series.spread_bps,
            interval_s,
            default_burn_in_s(end_s),
        );
        let sample: Vec<f64> = grid.log_returns(1).into_iter().flatten().collect();
        let tail = hill_ks(&sample);
        ReturnsSummary {
            count: sample.len() as u64,
            excess_kurtosis: excess_kurtosis(&sample),
            excess_kurtosis_trimmed: trimmed_excess_kurtosis(&sample, TRIM_SHARE).map(|t| t.0),
            hill_alpha: tail.map(|f| f.alpha),
            hill_k: tail.map(|f| f.k as u64),
            interval_s: Some(interval_s),
        }
    }
}
