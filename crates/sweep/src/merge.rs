//! `cascade sweep merge`: joins the folders of a sweep's shards into one sweep folder whose
//! results are the bytes a single-machine sweep writes.
//!
//! Every input must hold the same sweep (same hash); together they must hold a record of
//! every run. The records are written, sorted, as `OUT/runs.jsonl` and the results are rebuilt
//! from them. (Kept run folders stay in the shard folders.)
#![warn(clippy::indexing_slicing)]

use crate::plan::{Design, RunId};
use crate::record::{
    read_manifest, read_records, run_name, write_log, write_manifest, RunRecord, SweepManifest,
};
use crate::results::write_results;
use crate::SweepError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// The sweep's name.
    pub name: String,
    /// Runs in the sweep (all present).
    pub runs: u64,
    /// Runs whose status is failed.
    pub failed: u64,
}

/// Merges the sweep folders `inputs` into `out`.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<Merged, SweepError> {
    let (m, records) = gather(inputs, out)?;
    let design = &m.design;
    check_complete(design, &records, out)?;
    match read_manifest(out)? {
        Some(o) if o.hash != m.hash || o.shard.is_some() => {
            return Err(SweepError::folder(
                out,
                "already holds another sweep or a shard; choose another --out",
            ))
        }
        _ => {}
    }
    std::fs::create_dir_all(out).map_err(|e| SweepError::io(out, e))?;
    write_manifest(
        out,
        &SweepManifest {
            shard: None,
            ..m.clone()
        },
    )?;
    write_log(out, records.values())?;
    let rows: Vec<&RunRecord> = records.values().collect();
    write_results(out, design, &rows)?;
    Ok(Merged {
        name: design.name.clone(),
        runs: design.run_count(),
        failed: rows
            .iter()
            .filter(|r| r.status == crate::Status::Failed)
            .count() as u64,
    })
}

/// The manifest of the first folder and every run's record across `inputs`, which must all
/// hold the same sweep (the same hash and design) and agree on any run two of them hold. Every
/// record is checked against the first folder's design, the one the results are built from.
fn gather(
    inputs: &[PathBuf],
    out: &Path,
) -> Result<(SweepManifest, BTreeMap<RunId, RunRecord>), SweepError> {
    let Some(first) = inputs.first() else {
        return Err(SweepError::folder(
            out,
            "nothing to merge: name the shard folders",
        ));
    };
    let mut manifest: Option<(SweepManifest, &PathBuf)> = None;
    let mut records: BTreeMap<RunId, RunRecord> = BTreeMap::new();
    for dir in inputs {
        let m = read_manifest(dir)?
            .ok_or_else(|| SweepError::folder(dir, "not a sweep folder (no sweep.json)"))?;
        if let Some((first_m, first_dir)) = &manifest {
            if first_m.hash == m.hash && first_m.design != m.design {
                return Err(SweepError::folder(
                    crate::record::manifest_path(dir),
                    format!(
                        "has the hash of {}'s sweep but another design (damaged?); \
                         refusing to merge",
                        first_dir.display()
                    ),
                ));
            }
            if first_m.hash != m.hash {
                return Err(SweepError::folder(
                    dir,
                    format!(
                        "holds a different sweep ({:?}, hash {}) from {} ({:?}, hash {}); \
                         refusing to merge",
                        m.design.name,
                        m.hash,
                        first_dir.display(),
                        first_m.design.name,
                        first_m.hash
                    ),
                ));
            }
        }
        let design = manifest
            .as_ref()
            .map_or(&m.design, |(first_m, _)| &first_m.design);
        for (id, r) in read_records(dir, design, &m.hash)? {
            match records.get(&id) {
                Some(old) if !same_result(old, &r) => {
                    return Err(SweepError::folder(
                        dir,
                        format!(
                            "run {} differs from the same run in another folder",
                            run_name(id)
                        ),
                    ))
                }
                Some(_) => {}
                None => {
                    records.insert(id, r);
                }
            }
        }
        if manifest.is_none() {
            manifest = Some((m, dir));
        }
    }
    let (m, _) = manifest.ok_or_else(|| SweepError::folder(first, "no sweep folders"))?;
    Ok((m, records))
}

/// Refuses a merge that lacks a record of any run of the sweep.
fn check_complete(
    design: &Design,
    records: &BTreeMap<RunId, RunRecord>,
    out: &Path,
) -> Result<(), SweepError> {
    let missing: Vec<RunId> = (0..design.run_count())
        .map(|k| design.run_id(k))
        .filter(|id| !records.contains_key(id))
        .collect();
    if let Some(example) = missing.first() {
        return Err(SweepError::folder(
            out,
            format!(
                "{} of {} runs of sweep {:?} are missing from the folders given (the first is {}); \
                 merge needs every shard, finished",
                missing.len(),
                design.run_count(),
                design.name,
                run_name(*example)
            ),
        ));
    }
    Ok(())
}

/// Two records of one run agree on everything the results hold.
fn same_result(a: &RunRecord, b: &RunRecord) -> bool {
    (a.seed, a.status, &a.error, &a.metrics) == (b.seed, b.status, &b.error, &b.metrics)
}
