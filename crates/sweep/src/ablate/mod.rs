//! Ablations: a scenario run as given and with each of its mechanisms switched off in turn, on
//! the same seeds, and how every summary metric moves.
//!
//! An ablation is a sweep: one bundle axis `mechanism` whose values are the baseline (no
//! override) and each present mechanism (the overrides that switch it off, [`mechanisms`]),
//! crossed with explicit seeds shared by every point. It runs through [`crate::execute`] —
//! the same pool, records, resume and results.csv as any sweep — and then adds
//! ablation.csv/.parquet, ablation.json and ablation.png, built from the records alone
//! ([`table`]), so the thread count cannot change a byte of them.

pub mod chart;
pub mod mechanisms;
pub mod table;

use crate::exec::{execute, ExecOptions, Outcome, Progress};
use crate::plan::{Axis, AxisValue, Cell, Design, Kind, Plan, MAX_POINTS};
use crate::record::read_records;
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use cascade_report::json::json_bytes;
use cascade_sim::Scenario;
pub use mechanisms::{mechanisms, Mechanism};
use serde::Serialize;
use std::path::{Path, PathBuf};
pub use table::{Effect, MechanismResult};

/// The column (and axis) naming each row's mechanism in results.csv.
pub const AXIS: &str = "mechanism";

/// A planned ablation.
#[derive(Clone, Debug)]
pub struct Ablation {
    /// The sweep that runs it.
    pub plan: Plan,
    /// Every mechanism of the scenario (those asked for), present or not, in table order.
    pub mechanisms: Vec<Mechanism>,
}

/// Plans the ablation of `base` (read from `file`) over `seeds`; `only` keeps the mechanisms
/// named (all when empty; an unknown name is bad input listing the known ones).
pub fn plan(
    base: Scenario,
    file: &str,
    seeds: Vec<u64>,
    only: &[String],
) -> Result<Ablation, SweepError> {
    let bad = |message: String| SweepError::BadSweep {
        file: file.to_string(),
        message,
    };
    base.refuse_external().map_err(|e| bad(e.to_string()))?;
    if seeds.is_empty() {
        return Err(bad("--seeds: give at least one seed".into()));
    }
    let all = mechanisms(&base);
    if let Some(unknown) = only.iter().find(|n| !all.iter().any(|m| &m.name == *n)) {
        let known: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        return Err(bad(format!(
            "--only: no mechanism {unknown:?} in this scenario (mechanisms: {})",
            known.join(", ")
        )));
    }
    let chosen: Vec<Mechanism> = all
        .into_iter()
        .filter(|m| only.is_empty() || only.contains(&m.name))
        .collect();
    let value = |name: &str, sets: &[String]| AxisValue {
        cell: Cell::Text(name.to_string()),
        ron: String::new(),
        sets: sets.to_vec(),
    };
    let mut values = vec![value("baseline", &[])];
    values.extend(
        chosen
            .iter()
            .filter(|m| m.present())
            .map(|m| value(&m.name, &m.sets)),
    );
    let design = Design {
        name: base.name.clone(),
        scenario: base
            .to_ron()
            .map_err(|e| bad(format!("the scenario cannot be written as RON: {e}")))?,
        set: Vec::new(),
        seed: 0,
        replicates: seeds.len() as u32,
        common_seeds: true,
        seeds: Some(seeds),
        points: (0..values.len() as u32).map(|i| vec![i]).collect(),
        sobol_points: None,
        axes: vec![Axis {
            path: AXIS.into(),
            kind: Kind::Text,
            values,
            sampled: false,
            log: false,
            bundle: true,
        }],
    };
    let hash = design
        .hash()
        .map_err(|e| bad(format!("the design cannot be hashed: {e}")))?;
    Ok(Ablation {
        plan: Plan {
            file: file.to_string(),
            design,
            base,
            hash,
        },
        mechanisms: chosen,
    })
}

/// Seeds from `A..B` (both included), a list `A,B,C`, or one seed; at most [`MAX_POINTS`].
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("{:?} is not a seed (a whole number ≥ 0)", s.trim()))
    };
    let seeds = if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (number(a)?, number(b.trim_start_matches('='))?);
        if b < a {
            return Err(format!("{text:?}: the range is empty ({b} is below {a})"));
        }
        if b - a >= MAX_POINTS {
            return Err(format!("{text:?}: more than {MAX_POINTS} seeds"));
        }
        (a..=b).collect()
    } else {
        text.split(',').map(number).collect::<Result<Vec<_>, _>>()?
    };
    let mut sorted = seeds.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("{text:?}: seed {} appears twice", w[0]));
    }
    Ok(seeds)
}

/// ablation.json.
#[derive(Debug, Serialize)]
pub struct AblationJson<'a> {
    /// The scenario's name.
    pub scenario: &'a str,
    /// The sweep hash of the ablation (its sweep.json).
    pub hash: &'a str,
    /// The seeds every mechanism ran on.
    pub seeds: &'a [u64],
    /// How the intervals are made.
    pub interval: &'static str,
    /// The baseline, then every mechanism.
    pub mechanisms: &'a [MechanismResult],
}

/// How the intervals are made (in ablation.json and the README).
pub const INTERVAL: &str = "95% Student-t interval of the mean difference, paired by seed";

/// Runs the ablation into `dir` (a sweep folder: `--resume` continues one) and writes its
/// table, JSON and chart; returns what the sweep did, the results and the files written.
pub fn run(
    ab: &Ablation,
    dir: &Path,
    opts: &ExecOptions,
    progress: &dyn Progress,
) -> Result<(Outcome, Vec<MechanismResult>, Vec<PathBuf>), SweepError> {
    let outcome = execute(&ab.plan, dir, opts, progress)?;
    let records = read_records(dir, &ab.plan.design, &ab.plan.hash)?;
    let rows: Vec<_> = records.values().collect();
    let results = table::results(&ab.plan.design, &ab.mechanisms, &rows);
    let written = write(ab, dir, &results)?;
    Ok((outcome, results, written))
}

/// ablation.csv, ablation.parquet, ablation.json and ablation.png, each atomically.
fn write(
    ab: &Ablation,
    dir: &Path,
    results: &[MechanismResult],
) -> Result<Vec<PathBuf>, SweepError> {
    let t = table::table(results);
    let mut written = crate::results::write_table(dir, &t)?;
    let json_path = dir.join("ablation.json");
    let json = AblationJson {
        scenario: &ab.plan.design.name,
        hash: &ab.plan.hash,
        seeds: ab.plan.design.seeds.as_deref().unwrap_or_default(),
        interval: INTERVAL,
        mechanisms: results,
    };
    let bytes = json_bytes(&json).map_err(|e| SweepError::Encode {
        path: json_path.clone(),
        message: e.to_string(),
    })?;
    write_bytes(&json_path, &bytes)?;
    written.push(json_path);
    let png = dir.join("ablation.png");
    let title = format!(
        "{}, {} seeds",
        ab.plan.design.name, ab.plan.design.replicates
    );
    write_bytes(&png, &chart::render(results, &title)?)?;
    written.push(png);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_as_an_inclusive_range_or_a_list() {
        assert_eq!(parse_seeds("1..5").unwrap(), [1, 2, 3, 4, 5]);
        assert_eq!(parse_seeds("1..=3").unwrap(), [1, 2, 3]);
        assert_eq!(parse_seeds("7").unwrap(), [7]);
        assert_eq!(parse_seeds("3, 1,2").unwrap(), [3, 1, 2]);
        for (bad, fragment) in [
            ("5..1", "range is empty"),
            ("a..3", "\"a\" is not a seed"),
            ("1,,2", "\"\" is not a seed"),
            ("-1", "not a seed"),
            ("1,2,1", "seed 1 appears twice"),
            ("0..100000000", "more than"),
        ] {
            let e = parse_seeds(bad).unwrap_err();
            assert!(e.contains(fragment), "{bad}: {e}");
        }
    }
}
