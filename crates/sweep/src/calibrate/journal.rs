//! A calibration folder: `calibration-plan.json` (what the calibration is, by hash, and the
//! shard it runs, if any) and one journal per start — `candidates.jsonl` for a calibration of
//! one start, `candidates-<k>.jsonl` for start k of several — one JSON line per evaluated
//! candidate, appended in the order the search asked for them, each written whole in one write
//! (a kill leaves at most a torn last line, cut on reopening, as a sweep's runs.jsonl).

use super::Design;
use crate::plan::Cell;
use crate::record::{open_append, whole_lines};
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use cascade_report::json::json_bytes;
use cascade_report::read::{read_bounded, RUNS_LOG, SWEEP_MANIFEST};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One seed's run of a candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRun {
    /// The run seed.
    pub seed: u64,
    /// Each target's metric in this run, in target order (null where the run has none).
    pub moments: Vec<Option<f64>>,
    /// Why the run failed (empty when it did not).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// One evaluated candidate: a line of `candidates.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The calibration hash.
    pub calibration: String,
    /// Its place in the order of evaluation, from 0.
    pub index: u64,
    /// Its unit coordinates, as the search asked for them.
    pub unit: Vec<f64>,
    /// The value each parameter took (integers where the field takes integers).
    pub values: Vec<Cell>,
    /// Its runs, one per seed, in seed order.
    pub runs: Vec<SeedRun>,
    /// The objective (null when a moment is missing from a run).
    pub objective: Option<f64>,
}

/// `DIR/calibration-plan.json`: which calibration a folder holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// Version of cascade that made the folder.
    pub cascade_version: String,
    /// The calibration hash (SHA-256 of the design).
    pub hash: String,
    /// The calibration file as given.
    pub calibration_file: String,
    /// Everything that decides the result.
    pub design: Design,
    /// The shard this folder runs (`I/N`), absent when it runs every start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// The plan file's path.
pub fn plan_path(dir: &Path) -> PathBuf {
    dir.join("calibration-plan.json")
}

/// The journal's path (of a calibration of one start).
pub fn journal_path(dir: &Path) -> PathBuf {
    dir.join("candidates.jsonl")
}

/// The journal of start `start` of a calibration of `starts`.
pub fn journal_path_of(dir: &Path, start: u32, starts: u32) -> PathBuf {
    if starts == 1 {
        journal_path(dir)
    } else {
        dir.join(format!("candidates-{start}.jsonl"))
    }
}

/// Reads and parses `dir/calibration-plan.json`; None when there is none.
pub fn read_plan(dir: &Path) -> Result<Option<PlanFile>, SweepError> {
    let path = plan_path(dir);
    if path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let bytes = read_bounded(&path, SWEEP_MANIFEST)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| SweepError::folder(&path, format!("not a calibration plan: {e}")))
}

/// How a plan file names its shard: `shard I/N`, or `every start`.
pub fn shard_words(shard: Option<&str>) -> String {
    shard.map_or_else(|| "every start".into(), |s| format!("shard {s}"))
}

/// The result's path.
pub fn result_path(dir: &Path) -> PathBuf {
    dir.join("calibration.json")
}

/// Creates the folder and its plan file, or checks that it holds this calibration (with
/// `resume`).
pub fn prepare(dir: &Path, plan: &PlanFile, resume: bool) -> Result<(), SweepError> {
    let path = plan_path(dir);
    if let Some(held) = read_plan(dir)? {
        if !resume {
            return Err(SweepError::folder(
                dir,
                format!(
                    "already holds calibration {:?} ({}); pass --resume to continue it, or \
                     choose another --out",
                    held.design.name, held.hash
                ),
            ));
        }
        if held.hash != plan.hash {
            return Err(SweepError::folder(
                dir,
                format!(
                    "was made by a different calibration ({:?}, hash {}; this one is {:?}, hash \
                     {}); refusing to resume",
                    held.design.name, held.hash, plan.design.name, plan.hash
                ),
            ));
        }
        if held.shard != plan.shard {
            return Err(SweepError::folder(
                dir,
                format!(
                    "holds {} of this calibration, not {}; refusing to resume",
                    shard_words(held.shard.as_deref()),
                    shard_words(plan.shard.as_deref())
                ),
            ));
        }
        return Ok(());
    }
    let non_empty = fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if non_empty {
        return Err(SweepError::folder(
            dir,
            "exists, is not empty and holds no calibration; choose another --out",
        ));
    }
    // The plan comes first: a folder killed before it is empty, and reusable.
    fs::create_dir_all(dir).map_err(|e| SweepError::io(dir, e))?;
    write_json(&path, plan)
}

/// Writes `value` as pretty JSON to `path`, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), SweepError> {
    let bytes = json_bytes(value).map_err(|e| SweepError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(write_bytes(path, &bytes)?)
}

/// Every whole line of this calibration in the journal at `path`, by index (the first of an
/// index wins); torn, malformed and foreign lines are ignored, and their candidates run again.
pub fn read(path: &Path, hash: &str) -> Result<BTreeMap<u64, Candidate>, SweepError> {
    let mut out = BTreeMap::new();
    if path.symlink_metadata().is_err() {
        return Ok(out);
    }
    let bytes = read_bounded(path, RUNS_LOG)?;
    for line in whole_lines(&bytes) {
        if let Ok(c) = serde_json::from_slice::<Candidate>(line) {
            if c.calibration == hash {
                out.entry(c.index).or_insert(c);
            }
        }
    }
    Ok(out)
}

/// A candidate as its journal line (JSON and a newline).
pub fn line(path: &Path, c: &Candidate) -> Result<Vec<u8>, SweepError> {
    let mut bytes = serde_json::to_vec(c).map_err(|e| SweepError::Encode {
        path: path.to_path_buf(),
        message: format!("candidate {}: {e}", c.index),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The journal open for appending.
pub struct Journal {
    path: PathBuf,
    file: fs::File,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, cutting a torn last line.
    pub fn open(path: &Path) -> Result<Self, SweepError> {
        let file = open_append(path)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one candidate as one line, in one write.
    pub fn append(&mut self, c: &Candidate) -> Result<(), SweepError> {
        let bytes = line(&self.path, c)?;
        self.file
            .write_all(&bytes)
            .map_err(|e| SweepError::io(&self.path, e))
    }

    /// Makes the appended lines durable.
    pub fn sync(&self) -> Result<(), SweepError> {
        self.file
            .sync_all()
            .map_err(|e| SweepError::io(&self.path, e))
    }
}
