//! Every time field of a scenario, driven to its bound and one past it.
//!
//! Times are kept in i64 nanoseconds, so every field in seconds is bounded by
//! `MAX_DURATION_S` (3.2e8 s): at the bound the time check accepts the field, one step past it
//! the scenario is refused naming the field (by that check or an earlier one). The fields are
//! found by walking a scenario with every agent kind and every optional section, so a new time
//! field is covered without editing this test.

use cascade_sim::scenario::MAX_DURATION_S;
use cascade_sim::{prepare, Override, ScenarioError};
use serde_json::Value;

const EVERY_KIND: &str = include_str!("data/every-kind.ron");

/// Paths of the numeric fields named `…_s` that are times (not rates), as `--set` takes them.
fn time_paths(v: &Value, at: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                time_paths(item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(m) if m.len() == 1 && m.keys().all(|k| k.starts_with(char::is_uppercase)) => {
            time_paths(m.values().next().unwrap(), at, out);
        }
        Value::Object(m) => {
            for (k, x) in m {
                let time =
                    k.ends_with("_s") && !k.ends_with("_per_s") && !k.ends_with("_per_sqrt_s");
                if time && x.is_number() {
                    out.push(join(k));
                } else {
                    time_paths(x, &join(k), out);
                }
            }
        }
        _ => {}
    }
}

/// The problems with `path` when it is set to `value`.
fn problems(path: &str, value: f64) -> Vec<String> {
    let set = Override {
        path: path.to_string(),
        value: format!("{value:e}"),
    };
    match prepare(EVERY_KIND, &[set]) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid(v)) => {
            v.0.iter()
                .filter(|e| e.path == path)
                .map(|e| e.reason.clone())
                .collect()
        }
        Err(e) => panic!("{path}={value}: {e}"),
    }
}

#[test]
fn every_time_field_is_accepted_by_the_time_check_at_its_bound_and_refused_past_it() {
    let base = prepare(EVERY_KIND, &[]).expect("the every-kind scenario is valid");
    let mut paths = Vec::new();
    time_paths(&serde_json::to_value(&base).unwrap(), "", &mut paths);
    assert!(paths.len() >= 15, "found only {paths:?}");
    for want in [
        "duration_s",
        "liquidation.cooldown_s",
        "mark.half_life_s",
        "shocks[0].at_s",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "{want} not found in {paths:?}"
        );
    }
    for path in &paths {
        let at = problems(path, MAX_DURATION_S);
        assert!(
            !at.iter().any(|r| r.contains("64-bit nanoseconds")),
            "{path} at the bound: {at:?}"
        );
        let past = problems(path, MAX_DURATION_S * 1.000_001);
        assert!(!past.is_empty(), "{path} one past the bound was accepted");
    }
}
