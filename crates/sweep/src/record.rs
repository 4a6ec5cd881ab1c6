//! Run records: one small JSON file per finished run under `DIR/runs/`, and the sweep
//! folder's manifest, `DIR/sweep.json`.
//!
//! A record is written to a temporary name beside its final one and renamed into place, so a
//! sweep killed at any instant leaves either the whole record or none (a stray temporary is
//! ignored and removed on resume). Records are not synced one by one: after a power cut a
//! record may read back empty or torn, and the tolerant reader then treats the run as not
//! done, so it runs again. The results table is built from the records alone.

use crate::plan::{Design, RunId};
use crate::SweepError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Flattens nested JSON objects into dotted keys: `{"price": {"min": 1}}` → `price.min`.
pub fn flatten(value: &Value) -> BTreeMap<String, Value> {
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}

/// The folder that holds the records (and `--keep-runs` run folders).
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join("runs")
}

/// The base name of a run's record and run folder: `p000012-r0003`.
pub fn run_name(id: RunId) -> String {
    format!("p{:06}-r{:04}", id.point, id.replicate)
}

/// Writes a record atomically (temporary name, then rename).
pub fn write_record(dir: &Path, record: &RunRecord) -> Result<(), SweepError> {
    let path = runs_dir(dir).join(format!("{}.json", run_name(record.id())));
    let mut bytes = serde_json::to_vec(record).unwrap_or_default();
    bytes.push(b'\n');
    write_renamed(&path, &bytes, false)
}

/// Writes `bytes` to a temporary name beside `path` and renames it into place; with `sync`,
/// the data reaches the disk before the rename.
pub fn write_renamed(path: &Path, bytes: &[u8], sync: bool) -> Result<(), SweepError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        SweepError::io(path, e)
    })
}

/// Reads every valid record of the sweep `hash` in `dir`, keyed by run. A record that does
/// not parse, belongs to another sweep, or does not match its file name is ignored (its run
/// is not done). Stray temporaries are removed when `clean` is set.
pub fn read_records(
    dir: &Path,
    hash: &str,
    clean: bool,
) -> Result<BTreeMap<RunId, RunRecord>, SweepError> {
    let runs = runs_dir(dir);
    let mut out = BTreeMap::new();
    let entries = match fs::read_dir(&runs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(SweepError::io(&runs, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| SweepError::io(&runs, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".tmp-") {
            if clean {
                let _ = fs::remove_file(entry.path());
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        let Ok(bytes) = fs::read(entry.path()) else {
            continue;
        };
        let Ok(record) = serde_json::from_slice::<RunRecord>(&bytes) else {
            continue;
        };
        if record.sweep == hash && run_name(record.id()) == stem {
            out.insert(record.id(), record);
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
    /// The sweep hash (FNV-1a of the design).
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
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SweepError::io(&path, e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| SweepError::folder(&path, format!("not a sweep manifest: {e}")))
}

/// Writes `DIR/sweep.json` atomically and durably.
pub fn write_manifest(dir: &Path, manifest: &SweepManifest) -> Result<(), SweepError> {
    let mut bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    bytes.push(b'\n');
    write_renamed(&manifest_path(dir), &bytes, true)
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
            metrics: flatten(&json!({"price": {"min": 1.5, "max": null}, "samples": 3})),
            wall_ms: 1.0,
        }
    }

    #[test]
    fn flatten_joins_nested_keys_with_dots() {
        let m = flatten(&json!({"price": {"min": 1.5, "max": null}, "samples": 3}));
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(keys, ["price.max", "price.min", "samples"]);
    }

    #[test]
    fn the_reader_ignores_torn_foreign_and_misnamed_records() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::create_dir_all(runs_dir(dir)).unwrap();
        write_record(dir, &record(0, 0)).unwrap();
        write_record(dir, &record(0, 1)).unwrap();
        // A torn record, another sweep's record, a misnamed record, a stray temporary.
        fs::write(
            runs_dir(dir).join("p000001-r0000.json"),
            b"{\"sweep\": \"ab",
        )
        .unwrap();
        let foreign = RunRecord {
            sweep: "zzz".into(),
            ..record(2, 0)
        };
        write_record(dir, &foreign).unwrap();
        let bytes = fs::read(runs_dir(dir).join("p000000-r0000.json")).unwrap();
        fs::write(runs_dir(dir).join("p000003-r0000.json"), bytes).unwrap();
        let stray = runs_dir(dir).join(".p000004-r0000.json.tmp-1");
        fs::write(&stray, b"{").unwrap();

        let got = read_records(dir, "abc", true).unwrap();
        let ids: Vec<RunId> = got.keys().copied().collect();
        assert_eq!(
            ids,
            [
                RunId {
                    point: 0,
                    replicate: 0
                },
                RunId {
                    point: 0,
                    replicate: 1
                }
            ]
        );
        assert_eq!(got[&ids[0]], record(0, 0));
        assert!(!stray.exists());
    }
}
