//! The ablation table: for each mechanism and metric, the mean difference from the baseline
//! paired by seed, with a 95% Student-t interval over the seeds.
//!
//! With n seeds where both runs succeeded and report the metric, d_s = variant_s − baseline_s,
//! the interval is mean(d) ± t(0.975, n − 1) · sd(d) / √n (sd with divisor n − 1); one pair
//! gives the difference without an interval. The t quantile is the tabled value for 1–30
//! degrees of freedom and the Cornish–Fisher expansion above (within 1e-4 of the exact value).

use super::mechanisms::Mechanism;
use crate::plan::Design;
use crate::record::{RunRecord, Status};
use cascade_report::{metric_types, Table};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// t(0.975, df) for df = 1..=30.
const T975: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
    2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
    2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom (df ≥ 1).
pub fn t975(df: usize) -> f64 {
    if let Some(t) = df.checked_sub(1).and_then(|i| T975.get(i)) {
        return *t;
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v)
}

/// How a metric moves when a mechanism is off.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// Seeds with both runs and the metric.
    pub n: u32,
    /// The baseline's mean over those seeds.
    pub baseline_mean: f64,
    /// The variant's mean over those seeds.
    pub mean: f64,
    /// Mean of the paired differences (variant − baseline).
    pub diff: f64,
    /// Lower end of the 95% interval of `diff` (none with one pair).
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
}

/// The paired effect of `variant` against `base` (same seeds, same order); none without a
/// pair.
pub fn paired(base: &[Option<f64>], variant: &[Option<f64>]) -> Option<Effect> {
    let pairs: Vec<(f64, f64)> = base
        .iter()
        .zip(variant)
        .filter_map(|(b, v)| Some(((*b)?, (*v)?)))
        .collect();
    let n = pairs.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let baseline_mean = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    let diffs: Vec<f64> = pairs.iter().map(|(b, v)| v - b).collect();
    let diff = diffs.iter().sum::<f64>() / nf;
    let (lo, hi) = if n >= 2 {
        let ss: f64 = diffs.iter().map(|d| (d - diff) * (d - diff)).sum();
        let half = t975(n - 1) * (ss / (nf - 1.0)).sqrt() / nf.sqrt();
        (Some(diff - half), Some(diff + half))
    } else {
        (None, None)
    };
    Some(Effect {
        n: n as u32,
        baseline_mean,
        mean,
        diff,
        lo,
        hi,
    })
}

/// What became of one mechanism.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MechanismResult {
    /// The mechanism and its switch.
    #[serde(flatten)]
    pub mechanism: Mechanism,
    /// `baseline`, `ok`, `not present`, `no off-switch` or `failed` (every run of it failed).
    pub status: String,
    /// Runs that succeeded and failed.
    pub runs_ok: u32,
    /// Runs that failed.
    pub runs_failed: u32,
    /// The first failed run's error.
    pub error: Option<String>,
    /// Each metric's effect (for the baseline: its mean over its runs, `diff` 0).
    pub metrics: BTreeMap<String, Effect>,
}

/// The baseline row's mechanism.
pub fn baseline_mechanism() -> Mechanism {
    Mechanism {
        name: "baseline".into(),
        what: "the scenario as given".into(),
        sets: Vec::new(),
        absent: None,
        no_switch: false,
    }
}

/// One result per mechanism — the baseline first, then every mechanism in `all` (those not
/// present with no runs) — from the records of an ablation sweep whose point 0 is the
/// baseline and point i the i-th present mechanism.
pub fn results(design: &Design, all: &[Mechanism], records: &[&RunRecord]) -> Vec<MechanismResult> {
    let reps = design.replicates as usize;
    let mut by_point: Vec<Vec<Option<&RunRecord>>> = vec![vec![None; reps]; design.points.len()];
    for r in records {
        if let Some(slot) = by_point
            .get_mut(r.point as usize)
            .and_then(|p| p.get_mut(r.replicate as usize))
        {
            *slot = Some(*r);
        }
    }
    let names: Vec<String> = metric_types().into_iter().map(|(n, ..)| n).collect();
    let values = |point: usize, metric: &str| -> Vec<Option<f64>> {
        by_point.get(point).map_or_else(Vec::new, |runs| {
            runs.iter()
                .map(|r| {
                    r.filter(|r| r.status == Status::Ok)?
                        .metrics
                        .get(metric)
                        .and_then(Value::as_f64)
                })
                .collect()
        })
    };
    let one = |mechanism: Mechanism, point: Option<usize>| {
        let Some(p) = point else {
            let status = if mechanism.no_switch {
                "no off-switch"
            } else {
                "not present"
            };
            return MechanismResult {
                mechanism,
                status: status.into(),
                runs_ok: 0,
                runs_failed: 0,
                error: None,
                metrics: BTreeMap::new(),
            };
        };
        let runs: Vec<&RunRecord> = by_point
            .get(p)
            .map(|v| v.iter().flatten().copied().collect())
            .unwrap_or_default();
        let ok = runs.iter().filter(|r| r.status == Status::Ok).count() as u32;
        let failed = runs.len() as u32 - ok;
        let metrics: BTreeMap<String, Effect> = names
            .iter()
            .filter_map(|m| {
                let base = values(0, m);
                let effect = if p == 0 {
                    paired(&base, &base)
                } else {
                    paired(&base, &values(p, m))
                };
                Some((m.clone(), effect?))
            })
            .collect();
        let status = match (p, ok) {
            (0, _) => "baseline",
            (_, 0) => "failed",
            _ => "ok",
        };
        MechanismResult {
            mechanism,
            status: status.into(),
            runs_ok: ok,
            runs_failed: failed,
            error: runs
                .iter()
                .find(|r| r.status == Status::Failed)
                .map(|r| r.error.clone()),
            metrics,
        }
    };
    let mut out = vec![one(baseline_mechanism(), Some(0))];
    let mut point = 0;
    for m in all {
        let p = m.present().then(|| {
            point += 1;
            point
        });
        out.push(one(m.clone(), p));
    }
    out
}

/// ablation.csv / .parquet: one row per (mechanism, metric), in the results' order; a
/// mechanism not present or whose runs all failed is one row without a metric, its reason in
/// `note`.
pub fn table(results: &[MechanismResult]) -> Table {
    let mut rows: Vec<(&MechanismResult, Option<(&String, &Effect)>)> = Vec::new();
    for r in results {
        if r.metrics.is_empty() {
            rows.push((r, None));
        } else {
            rows.extend(r.metrics.iter().map(|m| (r, Some(m))));
        }
    }
    let column = |f: fn(&Effect) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter()
            .map(|(_, m)| m.and_then(|(_, e)| f(e)))
            .collect()
    };
    Table::new("ablation", rows.len())
        .text(
            "mechanism",
            rows.iter().map(|(r, _)| Some(r.mechanism.name.clone())),
        )
        .text("status", rows.iter().map(|(r, _)| Some(r.status.clone())))
        .text(
            "metric",
            rows.iter().map(|(_, m)| m.map(|(k, _)| k.clone())),
        )
        .int(
            "n",
            rows.iter().map(|(_, m)| m.map(|(_, e)| i64::from(e.n))),
        )
        .float_full("baseline_mean", column(|e| Some(e.baseline_mean)))
        .float_full("mean", column(|e| Some(e.mean)))
        .float_full("diff_mean", column(|e| Some(e.diff)))
        .float_full("diff_lo", column(|e| e.lo))
        .float_full("diff_hi", column(|e| e.hi))
        .text(
            "note",
            rows.iter().map(|(r, _)| {
                r.mechanism
                    .absent
                    .clone()
                    .or_else(|| (r.status == "failed").then(|| r.error.clone()).flatten())
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_t_quantile_is_tabled_then_expanded_smoothly() {
        assert_eq!(t975(1), 12.7062);
        assert_eq!(t975(19), 2.0930);
        // The expansion meets the table at 30 and tends to the normal quantile.
        assert!((t975(31) - 2.0395).abs() < 1e-3, "{}", t975(31));
        assert!((t975(60) - 2.0003).abs() < 1e-3, "{}", t975(60));
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
        assert!((2..200).all(|d| t975(d) < t975(d - 1)));
    }

    #[test]
    fn a_paired_difference_of_hand_computed_pairs() {
        // Differences 1, 2, 3: mean 2, sd 1, half-width t(0.975, 2) / √3.
        let base = [Some(10.0), Some(20.0), Some(30.0), None];
        let var = [Some(11.0), Some(22.0), Some(33.0), Some(5.0)];
        let e = paired(&base, &var).unwrap();
        assert_eq!(e.n, 3);
        assert_eq!((e.baseline_mean, e.mean, e.diff), (20.0, 22.0, 2.0));
        let half = 4.3027 / 3f64.sqrt();
        assert!((e.lo.unwrap() - (2.0 - half)).abs() < 1e-12);
        assert!((e.hi.unwrap() - (2.0 + half)).abs() < 1e-12);
        // Pairing removes the spread between seeds: a constant shift has a zero-width interval.
        let shifted: Vec<Option<f64>> = base.iter().map(|b| b.map(|b| b + 5.0)).collect();
        let e = paired(&base, &shifted).unwrap();
        assert_eq!((e.lo, e.hi), (Some(5.0), Some(5.0)));
        // One pair: no interval; none: no effect.
        let one = paired(&[Some(1.0)], &[Some(3.0)]).unwrap();
        assert_eq!((one.diff, one.lo), (2.0, None));
        assert_eq!(paired(&[None], &[Some(1.0)]), None);
    }
}
