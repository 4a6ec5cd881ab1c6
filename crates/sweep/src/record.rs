//! Run records: one JSON line per finished run in `DIR/runs.jsonl`, an append-only log, and
//! the sweep folder's manifest, `DIR/sweep.json`.
//!
//! A record is appended with a single write of a whole line, under a lock, so a sweep killed
//! at any instant (SIGKILL included) leaves whole lines and at most one torn last line. The
//! reader is tolerant of what a crash leaves: a torn last line, a line that is not JSON (a
//! power cut can leave zeros) or another sweep's record is ignored, and its run is simply not
//! done; reopening the log for appending cuts a torn tail first. Lines are not synced one by
//! one (the log is synced when the runs end): after a power cut the tail may be lost and those
//! runs run again. The results table is built from the records alone.
//!
//! Both files are read here and only here, and both are files a user can damage, so this is
//! where they are checked: a manifest's design must be whole (every point has one value index
//! per axis, each within its axis; the replicates, the explicit seeds and the run count agree;
//! [`check_design`]), and a line of JSON naming the sweep must be a record of one of its runs,
//! with that run's seed and only known metrics of their types ([`check_record`]). Anything
//! else is refused naming the file (and the line of the log), exit 2: the modules that build
//! results, charts and the report page index by a record's point and a point's value indices,
//! and rely on this.
#![warn(clippy::indexing_slicing)]

use crate::plan::{Design, RunId, MAX_POINTS, MAX_RUNS};
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use cascade_report::json::json_bytes;
use cascade_report::read::{check_file, read_bounded};
use cascade_report::{metric_types, MetricType, Summary};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The run finished and its metrics are in the record.
    Ok,
    /// The run could not be made or did not finish; the error says why.
    Failed,
}

impl Status {
    /// The status as written in the results.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
        }
    }
}

/// One finished run: what the results table needs, and nothing that depends on timing
/// except `wall_ms`, which the results leave out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// The sweep hash.
    pub sweep: String,
    /// Point index.
    pub point: u32,
    /// Replicate index.
    pub replicate: u32,
    /// Run seed.
    pub seed: u64,
    /// How it ended.
    pub status: Status,
    /// Why it failed (empty when it did not).
    #[serde(default)]
    pub error: String,
    /// summary.json flattened into dotted keys; numbers, or null where undefined.
    #[serde(default)]
    pub metrics: BTreeMap<String, Value>,
    /// Wall-clock time of the run, milliseconds (not part of the results).
    #[serde(default)]
    pub wall_ms: f64,
}

impl RunRecord {
    /// The run this record is of.
    pub fn id(&self) -> RunId {
        RunId {
            point: self.point,
            replicate: self.replicate,
        }
    }
}

/// A summary's figures under dotted keys (`price.min`), sorted: a record's `metrics`.
pub fn metrics(summary: &Summary) -> Result<BTreeMap<String, Value>, serde_json::Error> {
    Ok(summary.metrics()?.into_iter().collect())
}

/// The folder that holds `--keep-runs` run folders.
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join("runs")
}

/// The log of finished runs.
pub fn log_path(dir: &Path) -> PathBuf {
    dir.join("runs.jsonl")
}

/// The name of a run's kept run folder: `p000012-r0003`.
pub fn run_name(id: RunId) -> String {
    format!("p{:06}-r{:04}", id.point, id.replicate)
}

/// A record as one line of the log (`log` names the file in an error).
fn line(record: &RunRecord, log: &Path) -> Result<Vec<u8>, SweepError> {
    let mut bytes = serde_json::to_vec(record).map_err(|e| SweepError::Encode {
        path: log.to_path_buf(),
        message: format!("run {}: {e}", run_name(record.id())),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The run log open for appending; shared by the worker threads.
#[derive(Debug)]
pub struct RecordLog {
    path: PathBuf,
    file: Mutex<fs::File>,
}

impl RecordLog {
    /// Opens (or creates) the log of `dir`, first cutting a torn last line.
    pub fn open(dir: &Path) -> Result<Self, SweepError> {
        let path = log_path(dir);
        let file = open_append(&path)?;
        Ok(RecordLog {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends one record as one line.
    pub fn append(&self, record: &RunRecord) -> Result<(), SweepError> {
        let bytes = line(record, &self.path)?;
        // A poisoned lock means a writer panicked between whole lines; the file is still fine.
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&bytes)
            .map_err(|e| SweepError::io(&self.path, e))
    }

    /// Makes the appended records durable.
    pub fn sync(&self) -> Result<(), SweepError> {
        let f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.sync_all().map_err(|e| SweepError::io(&self.path, e))
    }
}

/// Opens (or creates) an append-only log of JSON lines, first cutting a torn last line, so the
/// next line starts on a line of its own.
pub(crate) fn open_append(path: &Path) -> Result<fs::File, SweepError> {
    let io = |e| SweepError::io(path, e);
    // Checked before opening: a FIFO would block the open, /dev/zero the read.
    if path.symlink_metadata().is_ok() {
        check_file(path, cascade_report::read::RUNS_LOG)?;
    }
    let mut file = fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if whole < bytes.len() {
        file.set_len(whole as u64).map_err(io)?;
    }
    Ok(file)
}

/// The whole (newline-terminated) lines of a log; what follows the last newline is torn.
pub(crate) fn whole_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .filter_map(|l| l.strip_suffix(b"\n"))
        .filter(|l| !l.is_empty())
}

/// Writes a whole log (records in the order given) atomically and durably: a merge's output.
pub fn write_log<'a>(
    dir: &Path,
    records: impl Iterator<Item = &'a RunRecord>,
) -> Result<(), SweepError> {
    let path = log_path(dir);
    let mut bytes = Vec::new();
    for r in records {
        bytes.extend_from_slice(&line(r, &path)?);
    }
    Ok(write_bytes(&path, &bytes)?)
}

/// Reads every record of the sweep `hash` (whose design is `design`) in `dir`'s log, keyed by
/// run (the first record of a run wins). Torn, malformed and foreign lines are ignored: their
/// runs are not done. A record of this sweep that [`check_record`] refuses is damage, not an
/// unfinished run: it is refused naming the log and the line.
pub fn read_records(
    dir: &Path,
    design: &Design,
    hash: &str,
) -> Result<BTreeMap<RunId, RunRecord>, SweepError> {
    let path = log_path(dir);
    if path.symlink_metadata().is_err() {
        return Ok(BTreeMap::new());
    }
    let bytes = read_bounded(&path, cascade_report::read::RUNS_LOG)?;
    let known = known_metrics();
    let mut out = BTreeMap::new();
    // Only newline-terminated lines are whole; what follows the last newline is torn.
    let lines = bytes
        .split_inclusive(|&b| b == b'\n')
        .filter_map(|l| l.strip_suffix(b"\n"));
    for (n, l) in lines.enumerate() {
        let damaged = |reason: String| {
            SweepError::folder(
                &path,
                format!(
                    "line {}: {reason}; the log is damaged (remove the line to run that run again)",
                    n + 1
                ),
            )
        };
        let record = match serde_json::from_slice::<RunRecord>(l) {
            Ok(record) if record.sweep == hash => record,
            Ok(_) => continue,
            // JSON that names this sweep but is no record (a replicate of -1, a field of the
            // wrong type) is damage; a crash leaves only a torn or zeroed line, not JSON.
            Err(e) if names_sweep(l, hash) => {
                return Err(damaged(format!("not a run record: {e}")));
            }
            Err(_) => continue,
        };
        check_record(design, &known, &record).map_err(damaged)?;
        out.entry(record.id()).or_insert(record);
    }
    Ok(out)
}

/// True when the line is a JSON object whose `sweep` is `hash`.
fn names_sweep(line: &[u8], hash: &str) -> bool {
    serde_json::from_slice::<Value>(line)
        .is_ok_and(|v| v.get("sweep").and_then(Value::as_str) == Some(hash))
}

/// Every summary metric and its type: the metrics a record may hold.
pub fn known_metrics() -> BTreeMap<String, MetricType> {
    metric_types()
        .into_iter()
        .map(|(name, ty, _)| (name, ty))
        .collect()
}

/// Why `record` cannot be a record of a run of `design` (already checked by [`check_design`]):
/// its point or replicate is outside the design, its seed is not its run's, or a metric is
/// not one of `known` or not a number of its type (null stands for an undefined figure).
pub fn check_record(
    design: &Design,
    known: &BTreeMap<String, MetricType>,
    record: &RunRecord,
) -> Result<(), String> {
    let run = run_name(record.id());
    let points = design.points.len();
    if record.point as usize >= points {
        return Err(format!(
            "run {run}: point {} is outside the sweep's {points} points (0 to {})",
            record.point,
            points.saturating_sub(1)
        ));
    }
    if record.replicate >= design.replicates {
        return Err(format!(
            "run {run}: replicate {} is outside the sweep's {} replicates per point",
            record.replicate, design.replicates
        ));
    }
    let seed = design.seed_of(record.id());
    if record.seed != seed {
        return Err(format!(
            "run {run}: seed {} is not the run's seed {seed}",
            record.seed
        ));
    }
    for (name, value) in &record.metrics {
        let Some(ty) = known.get(name) else {
            return Err(format!("run {run}: unknown metric {name:?}"));
        };
        let fits = match ty {
            _ if value.is_null() => true,
            MetricType::Int => value.as_i64().is_some(),
            MetricType::Float => value.is_number(),
        };
        if !fits {
            let what = match ty {
                MetricType::Int => "an integer",
                MetricType::Float => "a number",
            };
            return Err(format!(
                "run {run}: metric {name} is {value}, not {what} or null"
            ));
        }
    }
    Ok(())
}

/// Why `design` (read from a manifest) is not whole: the invariants the results, charts and
/// the report page index by. Every axis has a value; every point holds one value index per
/// axis, each within its axis; there are points and replicates, within [`MAX_POINTS`] and
/// [`MAX_RUNS`]; explicit seeds are one per replicate.
pub fn check_design(design: &Design) -> Result<(), String> {
    if design.replicates == 0 {
        return Err("design.replicates: must be at least 1".into());
    }
    if let Some(seeds) = &design.seeds {
        if seeds.len() != design.replicates as usize {
            return Err(format!(
                "design.seeds: {} seeds for {} replicates; one per replicate",
                seeds.len(),
                design.replicates
            ));
        }
    }
    if design.points.is_empty() || design.points.len() as u64 > MAX_POINTS {
        return Err(format!(
            "design.points: {} points; a sweep has 1 to {MAX_POINTS}",
            design.points.len()
        ));
    }
    if design.run_count() > MAX_RUNS {
        return Err(format!(
            "design: {} runs, more than the {MAX_RUNS} allowed",
            design.run_count()
        ));
    }
    if let Some((a, axis)) = design
        .axes
        .iter()
        .enumerate()
        .find(|(_, axis)| axis.values.is_empty())
    {
        return Err(format!("design.axes[{a}] ({}): has no values", axis.path));
    }
    for (p, point) in design.points.iter().enumerate() {
        if point.len() != design.axes.len() {
            return Err(format!(
                "design.points[{p}]: {} value indices for the design's {} axes",
                point.len(),
                design.axes.len()
            ));
        }
        for (a, (&v, axis)) in point.iter().zip(&design.axes).enumerate() {
            if v as usize >= axis.values.len() {
                return Err(format!(
                    "design.points[{p}][{a}]: value {v} of axis {} ({}), which has {} values",
                    a,
                    axis.path,
                    axis.values.len()
                ));
            }
        }
    }
    Ok(())
}

/// `DIR/sweep.json`: which sweep a folder holds, and which part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepManifest {
    /// Version of cascade that made the folder.
    pub cascade_version: String,
    /// The sweep hash (SHA-256 of the design).
    pub hash: String,
    /// The sweep file as given.
    pub sweep_file: String,
    /// This folder's shard, `I/N`, or none for the whole sweep.
    pub shard: Option<String>,
    /// Number of runs in the whole sweep.
    pub runs: u64,
    /// What runs.
    pub design: Design,
}

/// The manifest's path.
pub fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("sweep.json")
}

/// Reads `DIR/sweep.json`; none when the folder has no manifest.
pub fn read_manifest(dir: &Path) -> Result<Option<SweepManifest>, SweepError> {
    let path = manifest_path(dir);
    if path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let bytes = read_bounded(&path, cascade_report::read::SWEEP_MANIFEST)?;
    let m: SweepManifest = serde_json::from_slice(&bytes)
        .map_err(|e| SweepError::folder(&path, format!("not a sweep manifest: {e}")))?;
    let damaged = |reason: String| {
        SweepError::folder(
            &path,
            format!("not a whole sweep manifest (damaged?): {reason}"),
        )
    };
    check_design(&m.design).map_err(damaged)?;
    if m.runs != m.design.run_count() {
        return Err(damaged(format!(
            "runs: {} but the design has {} runs",
            m.runs,
            m.design.run_count()
        )));
    }
    Ok(Some(m))
}

/// Writes `DIR/sweep.json` atomically and durably.
pub fn write_manifest(dir: &Path, manifest: &SweepManifest) -> Result<(), SweepError> {
    let path = manifest_path(dir);
    let bytes = json_bytes(manifest).map_err(|e| SweepError::Encode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(write_bytes(&path, &bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One change to a value, for tables of damaged cases.
    type Change<T> = fn(&mut T);

    /// A design of 3 points on one axis × 2 replicates, whose runs all have seed 9; built
    /// from JSON, as a manifest holds it.
    fn design() -> Design {
        serde_json::from_value(json!({
            "name": "t", "scenario": "", "set": [], "seed": 1, "replicates": 2,
            "common_seeds": false, "seeds": [9, 9],
            "axes": [{"path": "agents.makers.size", "kind": "int", "sampled": false,
                "values": [{"cell": 5, "ron": "5"}, {"cell": 10, "ron": "10"},
                           {"cell": 20, "ron": "20"}]}],
            "points": [[0], [1], [2]],
        }))
        .unwrap()
    }

    fn record(point: u32, replicate: u32) -> RunRecord {
        RunRecord {
            sweep: "abc".into(),
            point,
            replicate,
            seed: 9,
            status: Status::Ok,
            error: String::new(),
            metrics: cascade_report::json::flatten(&json!({"price": {"min": 1.5}, "samples": 3}))
                .into_iter()
                .collect(),
            wall_ms: 1.0,
        }
    }

    #[test]
    fn metrics_are_the_summary_under_sorted_dotted_keys() {
        let rec = cascade_sim::Recording::default();
        let summary = cascade_report::summarize(&rec, &cascade_report::PriceFormat::new(1.0), None);
        let m = metrics(&summary).unwrap();
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        assert!(keys.contains(&"price.max") && keys.contains(&"samples"));
        assert_eq!(m["price.max"], Value::Null);
    }

    #[test]
    fn the_reader_ignores_torn_malformed_and_foreign_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let log = RecordLog::open(dir).unwrap();
        log.append(&record(0, 0)).unwrap();
        let foreign = RunRecord {
            sweep: "zzz".into(),
            ..record(2, 0)
        };
        log.append(&foreign).unwrap();
        log.append(&record(0, 1)).unwrap();
        drop(log);
        // Garbage in the middle (a power cut) and a torn last line (a kill mid-write).
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(log_path(dir))
            .unwrap();
        f.write_all(b"\0\0\0\n").unwrap();
        f.write_all(&line(&record(1, 0), &log_path(dir)).unwrap()[..20])
            .unwrap();
        drop(f);

        let ids = |m: &BTreeMap<RunId, RunRecord>| -> Vec<(u32, u32)> {
            m.keys().map(|id| (id.point, id.replicate)).collect()
        };
        let got = read_records(dir, &design(), "abc").unwrap();
        assert_eq!(ids(&got), [(0, 0), (0, 1)]);
        assert_eq!(
            got[&RunId {
                point: 0,
                replicate: 0
            }],
            record(0, 0)
        );

        // Reopening cuts the torn tail, so the next record starts on a line of its own.
        let log = RecordLog::open(dir).unwrap();
        log.append(&record(1, 0)).unwrap();
        let got = read_records(dir, &design(), "abc").unwrap();
        assert_eq!(ids(&got), [(0, 0), (0, 1), (1, 0)]);
    }

    #[test]
    fn a_record_outside_the_design_or_with_a_bad_metric_is_refused() {
        let d = design();
        let known = known_metrics();
        assert_eq!(check_record(&d, &known, &record(2, 1)), Ok(()));
        let with = |f: fn(&mut RunRecord)| {
            let mut r = record(0, 0);
            f(&mut r);
            check_record(&d, &known, &r).unwrap_err()
        };
        let cases: [(Change<RunRecord>, &str); 7] = [
            (|r| r.point = 3, "point 3 is outside the sweep's 3 points"),
            (|r| r.point = u32::MAX, "is outside the sweep's 3 points"),
            (|r| r.replicate = 2, "replicate 2 is outside"),
            (|r| r.seed = 8, "seed 8 is not the run's seed 9"),
            (
                |r| drop(r.metrics.insert("price.nope".into(), json!(1))),
                "unknown metric \"price.nope\"",
            ),
            (
                |r| drop(r.metrics.insert("samples".into(), json!(1.5))),
                "metric samples is 1.5, not an integer",
            ),
            (
                |r| drop(r.metrics.insert("price.min".into(), json!("x"))),
                "metric price.min is \"x\", not a number",
            ),
        ];
        for (change, expected) in cases {
            let e = with(change);
            assert!(e.contains(expected), "{e:?} lacks {expected:?}");
        }
        // Null is an undefined figure of either type.
        let mut r = record(1, 0);
        r.metrics.insert("samples".into(), Value::Null);
        assert_eq!(check_record(&d, &known, &r), Ok(()));
    }

    #[test]
    fn a_design_that_is_not_whole_is_refused() {
        assert_eq!(check_design(&design()), Ok(()));
        let with = |f: fn(&mut Design)| {
            let mut d = design();
            f(&mut d);
            check_design(&d).unwrap_err()
        };
        let cases: [(Change<Design>, &str); 7] = [
            (|d| d.replicates = 0, "replicates: must be at least 1"),
            (|d| d.seeds = Some(vec![1]), "1 seeds for 2 replicates"),
            (|d| d.points.clear(), "0 points"),
            (
                |d| d.axes.clear(),
                "points[0]: 1 value indices for the design's 0 axes",
            ),
            (|d| d.points[1].push(0), "points[1]: 2 value indices"),
            (|d| d.points[2][0] = 3, "points[2][0]: value 3 of axis 0"),
            (
                |d| d.axes[0].values.clear(),
                "axes[0] (agents.makers.size): has no values",
            ),
        ];
        for (change, expected) in cases {
            let e = with(change);
            assert!(e.contains(expected), "{e:?} lacks {expected:?}");
        }
    }

    #[test]
    fn a_damaged_record_of_the_sweep_is_refused_naming_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let log = RecordLog::open(dir).unwrap();
        log.append(&record(0, 0)).unwrap();
        // Another sweep's record may name any point: it is not this sweep's to check.
        log.append(&RunRecord {
            sweep: "zzz".into(),
            ..record(7, 0)
        })
        .unwrap();
        log.append(&record(5, 0)).unwrap();
        drop(log);
        let e = read_records(dir, &design(), "abc").unwrap_err().to_string();
        assert!(
            e.contains("runs.jsonl: line 3: run p000005-r0000: point 5"),
            "{e}"
        );

        // JSON that names the sweep but is no record: damage too, where garbage is not.
        let torn = b"\0\0\0\n{\"sweep\":\"zzz\",\"point\":-1}\n";
        fs::write(log_path(dir), torn).unwrap();
        assert!(read_records(dir, &design(), "abc").unwrap().is_empty());
        let bad = br#"{"sweep":"abc","point":0,"replicate":-1,"seed":9,"status":"ok"}"#;
        fs::write(log_path(dir), [&torn[..], bad, b"\n"].concat()).unwrap();
        let e = read_records(dir, &design(), "abc").unwrap_err().to_string();
        assert!(
            e.contains("line 3: not a run record: invalid value: integer `-1`"),
            "{e}"
        );
    }
}
