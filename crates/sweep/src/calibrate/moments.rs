//! The moments a calibration can target: every summary.json key (`price.max_fall_12min_pct`),
//! and every number of `cascade stats` under `stats.` — per horizon as
//! `stats.<seconds>s.<field>` (`stats.1s.excess_kurtosis`, `stats.60s.std`) and the run-wide
//! ones as `stats.<field>` (`stats.spread_vol_slope`), computed with the default options of
//! `cascade stats` (horizons of 1, 10 and 60 sampling intervals).

use cascade_report::json::flatten;
use cascade_report::stats::{
    self, HorizonStats, Series, Stats, StatsOptions, DEFAULT_HORIZON_STEPS,
};
use cascade_report::{metric_types, PriceFormat, Summary};
use cascade_sim::Recording;
use serde_json::Value;
use std::collections::BTreeMap;

/// The prefix of stats keys.
const STATS: &str = "stats.";

/// True when `metric` is a stats key (and the runs must compute the statistics).
pub fn is_stats_key(metric: &str) -> bool {
    metric.starts_with(STATS)
}

/// Checks that `metric` names a moment the runs of a scenario sampled every `interval_s`
/// seconds report; the reason (with what exists) when it does not.
pub fn check_metric(metric: &str, interval_s: f64) -> Result<(), String> {
    if is_stats_key(metric) {
        let known = stats_keys(interval_s);
        if known.iter().any(|k| k == metric) {
            return Ok(());
        }
        return Err(format!(
            "no stats key {metric:?}; the stats keys of this scenario are {}",
            known.join(", ")
        ));
    }
    if metric_types().iter().any(|(k, ..)| k == metric) {
        return Ok(());
    }
    Err(format!(
        "no summary key {metric:?} (the keys are listed in README under summary.json; stats \
         keys start with \"stats.\")"
    ))
}

/// Every stats key of a scenario sampled every `interval_s` seconds.
fn stats_keys(interval_s: f64) -> Vec<String> {
    // The field names come from statistics of a synthetic series, so a field added to
    // `cascade stats` is a target at once; the horizons are those of this scenario.
    let n = 4_000;
    let time_s: Vec<f64> = (0..n).map(|i| f64::from(i) * interval_s).collect();
    let mut price = 100.0_f64;
    let mut state = 0x2545_f491_u64;
    let mid = (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            price *= 1.0 + ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e-3;
            Some(price)
        })
        .collect();
    let spread_bps = (0..n).map(|i| Some(1.0 + f64::from(i % 7))).collect();
    let series = Series {
        time_s,
        mid,
        spread_bps,
    };
    let opts = StatsOptions {
        min_returns: 10,
        ..StatsOptions::default()
    };
    let Ok(s) = stats::compute(&series, &opts) else {
        return Vec::new();
    };
    let fields: Vec<String> = s
        .horizons
        .first()
        .map(horizon_fields)
        .unwrap_or_default()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    // The run-wide numbers: `stats.<field>`, one dot.
    let mut keys: Vec<String> = stats_metrics(&s)
        .into_keys()
        .filter(|k| k.matches('.').count() == 1)
        .collect();
    for step in DEFAULT_HORIZON_STEPS {
        let h = horizon_name(step as f64 * interval_s);
        for f in &fields {
            let key = format!("{STATS}{h}.{f}");
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.sort();
    keys
}

/// `1s`, `0.5s`, `60s`.
fn horizon_name(seconds: f64) -> String {
    format!("{seconds}s")
}

/// A horizon's numbers (a number or null, not a list) under their field names.
fn horizon_fields(h: &HorizonStats) -> Vec<(String, Value)> {
    let Ok(v) = serde_json::to_value(h) else {
        return Vec::new();
    };
    flatten(&v)
        .into_iter()
        .filter(|(_, v)| v.is_number() || v.is_null())
        .collect()
}

/// The numbers of `cascade stats` under their keys.
fn stats_metrics(s: &Stats) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Ok(Value::Object(top)) = serde_json::to_value(s) else {
        return out;
    };
    for (k, v) in top {
        match (k.as_str(), v) {
            ("horizons", _) => {
                for h in &s.horizons {
                    let prefix = format!("{STATS}{}", horizon_name(h.seconds));
                    for (f, v) in horizon_fields(h) {
                        out.insert(format!("{prefix}.{f}"), v);
                    }
                }
            }
            (_, v) if v.is_number() => {
                out.insert(format!("{STATS}{k}"), v);
            }
            _ => {}
        }
    }
    out
}

/// What the runs must report: the target metrics, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    metrics: Vec<String>,
    stats: bool,
}

impl Moments {
    /// The moments named by `metrics` (already checked).
    pub fn new(metrics: Vec<String>) -> Self {
        let stats = metrics.iter().any(|m| is_stats_key(m));
        Moments { metrics, stats }
    }

    /// Number of moments.
    pub fn count(&self) -> usize {
        self.metrics.len()
    }

    /// The statistics a run needs for its moments, if any (computed from its recording).
    pub fn stats_of(&self, rec: &Recording, tick_size: f64) -> Option<Stats> {
        if !self.stats {
            return None;
        }
        let series = Series::from_recording(rec, &PriceFormat::new(tick_size));
        stats::compute(&series, &StatsOptions::default()).ok()
    }

    /// Each target metric's value in a run (`None` where the run has none).
    pub fn of_run(
        &self,
        summary: &Summary,
        stats: Option<&Stats>,
    ) -> Result<Vec<Option<f64>>, serde_json::Error> {
        let summary: BTreeMap<String, Value> = summary.metrics()?.into_iter().collect();
        let stats = stats.map(stats_metrics).unwrap_or_default();
        Ok(self
            .metrics
            .iter()
            .map(|m| {
                let from = if is_stats_key(m) { &stats } else { &summary };
                from.get(m).and_then(Value::as_f64)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_and_stats_keys_are_known_and_others_refused() {
        for ok in [
            "price.max_fall_12min_pct",
            "liquidations.count",
            "events.processed",
            "stats.1s.excess_kurtosis",
            "stats.60s.std",
            "stats.10s.hill_tail_index",
            "stats.spread_vol_slope",
        ] {
            assert_eq!(check_metric(ok, 1.0), Ok(()), "{ok}");
        }
        assert_eq!(check_metric("stats.0.5s.std", 0.5), Ok(()));
        let e = check_metric("price.maximum", 1.0).unwrap_err();
        assert!(e.contains("no summary key \"price.maximum\""), "{e}");
        // A horizon the scenario does not have names the ones it has.
        let e = check_metric("stats.2s.std", 1.0).unwrap_err();
        assert!(
            e.contains("stats.10s.std") && e.contains("stats.60s.std"),
            "{e}"
        );
        assert!(check_metric("stats.1s.acf_abs", 1.0).is_err());
        assert!(check_metric("stats.1s.kurtosis", 1.0).is_err());
    }

    #[test]
    fn a_runs_moments_are_its_summary_and_stats_figures() {
        let rec = cascade_sim::Recording::default();
        let summary = cascade_report::summarize(&rec, &PriceFormat::new(0.01), None);
        let m = Moments::new(vec![
            "samples".into(),
            "price.max".into(),
            "stats.1s.std".into(),
        ]);
        // No samples: no stats, and a mid-less summary.
        assert_eq!(m.stats_of(&rec, 0.01), None);
        assert_eq!(m.of_run(&summary, None).unwrap(), [Some(0.0), None, None]);
    }
}
