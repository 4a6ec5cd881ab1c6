//! calibration.json: the estimate, its moments, standard errors and J-test, from the
//! candidates of every start (the least objective over all of them; ties go to the lower
//! start, then the earlier candidate).

use super::estimate;
use super::j_test;
use super::journal::{self, Candidate};
use super::starts::{self, StartRun};
use super::Design;
use crate::{Shard, SweepError};
use serde_json::{json, Map, Value};
use std::path::Path;

/// Writes `dir/calibration.json` from the starts' candidates and returns its content.
pub(super) fn write(
    dir: &Path,
    d: &Design,
    hash: &str,
    runs: &[StartRun],
) -> Result<Value, SweepError> {
    let result = content(d, hash, runs);
    journal::write_json(&journal::result_path(dir), &result)?;
    Ok(result)
}

/// What a shard of several prints (it writes no calibration.json): each start's summary.
pub(super) fn shard_summary(d: &Design, hash: &str, shard: Shard, runs: &[StartRun]) -> Value {
    json!({
        "calibration": d.name,
        "hash": hash,
        "shard": shard.to_string(),
        "starts": runs.iter().map(|r| starts::summary(d, r)).collect::<Vec<_>>(),
    })
}

/// The J-test at candidate `c` (which has every moment on every seed).
fn j_test_at(c: &Candidate, d: &Design) -> Result<j_test::JTest, String> {
    let runs: Vec<Vec<f64>> = c
        .runs
        .iter()
        .map(|r| r.moments.iter().copied().collect::<Option<Vec<f64>>>())
        .collect::<Option<_>>()
        .ok_or("a run at the estimate lacks a moment")?;
    let targets: Vec<f64> = d.targets.iter().map(|t| t.value).collect();
    j_test::j_test(&runs, &targets, d.parameters.len(), d.target_runs)
}

/// calibration.json's content. With one start, the keys it always had; with several, also
/// `start` (the best one's index) and `starts` (each one's summary), and the bootstrap
/// resamples every start's candidates (the estimator is the least objective over all).
fn content(d: &Design, hash: &str, runs: &[StartRun]) -> Value {
    // The start holding the least objective (the lower start on ties).
    let mut chosen: Option<(&StartRun, f64)> = None;
    for r in runs {
        if let Some(f) = estimate::best(&r.done).and_then(|b| b.objective) {
            if chosen.is_none_or(|(_, b)| f < b) {
                chosen = Some((r, f));
            }
        }
    }
    let of_best = chosen.map(|(r, _)| r).or(runs.first());
    let best = of_best.and_then(|r| estimate::best(&r.done));
    let all: Vec<Candidate> = runs.iter().flat_map(|r| r.done.iter().cloned()).collect();
    let done: &[Candidate] = of_best.map_or(&[], |r| &r.done);
    let mut estimate_map = Map::new();
    let mut unit = Value::Null;
    if let Some(b) = best {
        for (p, v) in d.parameters.iter().zip(&b.values) {
            estimate_map.insert(
                p.path.clone(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            );
        }
        unit = json!(b.unit);
    }
    let moments: Vec<Value> = d
        .targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let (sim, se) = best.map_or((None, None), |b| estimate::moment_stats(b, k));
            json!({"metric": t.metric, "target": t.value, "weight": t.weight,
                   "simulated": sim, "se": se})
        })
        .collect();
    let boots = estimate::bootstrap(&all, &d.targets, d.bootstrap);
    let spread = estimate::spread(&boots, d.parameters.len());
    let mut se = Map::new();
    let mut ci = Map::new();
    for (p, s) in d.parameters.iter().zip(&spread) {
        se.insert(p.path.clone(), json!(s.map(|s| s.0)));
        ci.insert(p.path.clone(), json!(s.map(|s| s.1)));
    }
    let (j_test, j_test_reason) = match best.map(|b| j_test_at(b, d)) {
        Some(Ok(j)) => (
            json!({"statistic": j.statistic, "dof": j.dof, "p_value": j.p_value,
                   "seeds": d.seeds.len(), "target_runs": d.target_runs,
                   "variance_factor": j.variance_factor,
                   "precision_correction": j.precision_correction}),
            Value::Null,
        ),
        Some(Err(reason)) => (Value::Null, json!(reason)),
        None => (Value::Null, json!("no candidate has every moment")),
    };
    let mut running: Option<f64> = None;
    let path: Vec<Value> = done
        .iter()
        .map(|c| {
            if let Some(f) = c.objective {
                running = Some(running.map_or(f, |b| b.min(f)));
            }
            json!({"candidate": c.index, "objective": c.objective, "best": running})
        })
        .collect();
    let mut out = json!({
        "calibration": d.name,
        "hash": hash,
        "method": "method of simulated moments: J = sum_k w_k ((mean over seeds of m_k - t_k) / |t_k|)^2, \
                   Nelder-Mead on the unit cube of the bounds; standard errors by bootstrap over seeds; \
                   Hansen's J at the estimate: (t - m)' W (t - m) / (1/target_runs + 1/seeds), \
                   W the inverse covariance of the moments over the seeds at the estimate \
                   times (seeds - moments - 2)/(seeds - 1), chi-square with moments - parameters \
                   degrees of freedom",
        "estimate": estimate_map,
        "estimate_unit": unit,
        "objective": best.and_then(|b| b.objective),
        "candidate": best.map(|b| b.index),
        "moments": moments,
        "standard_errors": {
            "method": "bootstrap over seeds: the seeds drawn with replacement, each evaluated \
                       candidate's objective recomputed, the least one taken",
            "resamples": boots.len(),
            "se": se,
            "interval_95": ci,
        },
        "j_test": j_test,
        "j_test_reason": j_test_reason,
        "seeds": d.seeds,
        "candidates": all.len(),
        "runs": all.len() * d.seeds.len(),
        "budget": d.budget,
        "stopped": of_best.map_or("budget", |r| starts::stop_word(r.stop)),
        "objective_path": path,
    });
    if d.starts > 1 {
        if let Value::Object(m) = &mut out {
            m.insert("start".into(), json!(of_best.map(|r| r.start)));
            m.insert(
                "starts".into(),
                runs.iter().map(|r| starts::summary(d, r)).collect(),
            );
            m.insert(
                "method".into(),
                json!(format!(
                    "{} {}",
                    m.get("method").and_then(Value::as_str).unwrap_or_default(),
                    MULTI_START
                )),
            );
        }
    }
    out
}

/// What the method says besides, with several starts.
const MULTI_START: &str = "Several independent Nelder-Mead searches (start 0 from the given \
    start, start k from point k + 1 of the Halton sequence), each with the whole budget and the \
    same seeds; the estimate is the least objective over all of them (the lower start, then the \
    earlier candidate, on ties), the bootstrap resamples every start's candidates; estimate, \
    candidate, stopped and objective_path are the best start's, candidates and runs the total.";
