//! Run records: one JSON line per finished run in `DIR/runs.jsonl`, an append-only log, and
//! the sweep folder's manifest, `DIR/sweep.json`.
//!
//! A record is appended with a single write of a whole line, under a lock, so a sweep killed
//! at any instant (SIGKILL included) leaves whole lines and at most one torn last line. The
//! reader is tolerant: a torn last line, a line that does not parse, or another sweep's
//! record is ignored, and its run is simply not done; reopening the log for appending cuts a
//! torn tail first. Lines are not synced one by one (the log is synced when the runs end):
//! after a power cut the tail may be lost and those runs run again. The results table is
//! built from the records alone.

use crate::plan::{Design, RunId};
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use cascade_report::json::json_bytes;
use cascade_report::read::{check_file, read_bounded};
use cascade_report::Summary;
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
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes[..whole]
        .split(|&b| b == b'\n')
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

/// Reads every valid record of the sweep `hash` in `dir`'s log, keyed by run (the first
/// record of a run wins). Torn, malformed and foreign lines are ignored: their runs are not
/// done.
pub fn read_records(dir: &Path, hash: &str) -> Result<BTreeMap<RunId, RunRecord>, SweepError> {
    let path = log_path(dir);
    if path.symlink_metadata().is_err() {
        return Ok(BTreeMap::new());
    }
    let bytes = read_bounded(&path, cascade_report::read::RUNS_LOG)?;
    let mut out = BTreeMap::new();
    for l in whole_lines(&bytes) {
        let Ok(record) = serde_json::from_slice::<RunRecord>(l) else {
            continue;
        };
        if record.sweep == hash {
            out.entry(record.id()).or_insert(record);
        }
    }
    Ok(out)
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
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| SweepError::folder(&path, format!("not a sweep manifest: {e}")))
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
        let got = read_records(dir, "abc").unwrap();
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
        let got = read_records(dir, "abc").unwrap();
        assert_eq!(ids(&got), [(0, 0), (0, 1), (1, 0)]);
    }
}
