//! `cascade calibrate merge`: joins the folders of a calibration's shards into the folder one
//! machine running every start writes — the same plan, journals and calibration.json bytes.
//!
//! Every input must hold the same calibration (same hash, its design matching the hash), and
//! together the inputs' shards must hold each start exactly once. Each start's search is then
//! replayed from its journal alone (nothing is run): a journal that does not hold the whole
//! search (a shard killed before it finished that start) or whose points are not the ones the
//! search asks for is refused, naming the file.
#![warn(clippy::indexing_slicing)]

use super::evaluate::Evaluator;
use super::journal::{self, journal_path_of, read_plan, Candidate, PlanFile};
use super::starts::StartRun;
use super::{result, Progress};
use crate::{Shard, SweepError};
use cascade_report::atomic::write_bytes;
use cascade_report::manifest::sha256_hex;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What a merge wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The calibration's name.
    pub name: String,
    /// Its starts (all present).
    pub starts: u32,
    /// Candidates over every start.
    pub candidates: u64,
    /// calibration.json's content.
    pub result: Value,
}

/// Replays quietly.
struct Quiet;

impl Progress for Quiet {
    fn candidate(&self, _: u32, _: &Candidate, _: Option<f64>, _: bool) {}
}

/// Merges the calibration shard folders `inputs` into `out`.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<Merged, SweepError> {
    let shards = read_inputs(inputs, out)?;
    let Some((plan, _, _)) = shards.first() else {
        return Err(SweepError::folder(
            out,
            "nothing to merge: name the shard folders",
        ));
    };
    let holders = holders(&shards, plan.design.starts, out)?;
    if let Some(held) = read_plan(out)? {
        if held.hash != plan.hash || held.shard.is_some() {
            return Err(SweepError::folder(
                out,
                format!(
                    "already holds {} of calibration {:?} ({}); choose another --out",
                    journal::shard_words(held.shard.as_deref()),
                    held.design.name,
                    held.hash
                ),
            ));
        }
    }
    let (d, hash) = (&plan.design, plan.hash.as_str());
    let mut runs = Vec::with_capacity(holders.len());
    for (k, dir) in (0..d.starts).zip(&holders) {
        let path = journal_path_of(dir, k, d.starts);
        let mut ev = Evaluator::new(d, hash, k, journal::read(&path, hash)?, &Quiet);
        ev.journal_file = path;
        runs.push(ev.search()?);
    }
    std::fs::create_dir_all(out).map_err(|e| SweepError::io(out, e))?;
    let whole = PlanFile {
        shard: None,
        ..plan.clone()
    };
    journal::write_json(&journal::plan_path(out), &whole)?;
    for run in &runs {
        write_journal(out, d.starts, run)?;
    }
    let result = result::write(out, d, hash, &runs)?;
    Ok(Merged {
        name: d.name.clone(),
        starts: d.starts,
        candidates: runs.iter().map(|r| r.done.len() as u64).sum(),
        result,
    })
}

/// Each input's plan file, folder and shard; all of one calibration.
fn read_inputs<'a>(
    inputs: &'a [PathBuf],
    out: &Path,
) -> Result<Vec<(PlanFile, &'a PathBuf, Shard)>, SweepError> {
    let mut shards: Vec<(PlanFile, &PathBuf, Shard)> = Vec::with_capacity(inputs.len());
    for dir in inputs {
        let plan = read_plan(dir)?.ok_or_else(|| {
            SweepError::folder(dir, "holds no calibration (no calibration-plan.json)")
        })?;
        let path = journal::plan_path(dir);
        let design_hash = sha256_hex(&serde_json::to_vec(&plan.design).unwrap_or_default());
        if design_hash != plan.hash {
            return Err(SweepError::folder(
                &path,
                format!(
                    "its design hashes to {design_hash}, not to its hash {} (was it edited?)",
                    plan.hash
                ),
            ));
        }
        if let Some((first, first_dir, _)) = shards.first() {
            if first.hash != plan.hash {
                return Err(SweepError::folder(
                    dir,
                    format!(
                        "holds calibration {:?} (hash {}), not the calibration of {} ({:?}, \
                         hash {}); only shards of one calibration merge",
                        plan.design.name,
                        plan.hash,
                        first_dir.display(),
                        first.design.name,
                        first.hash
                    ),
                ));
            }
        }
        let shard = match &plan.shard {
            None => Shard::WHOLE,
            Some(s) => s
                .parse()
                .map_err(|e| SweepError::folder(&path, format!("field shard: {e}")))?,
        };
        shards.push((plan, dir, shard));
    }
    if shards.is_empty() {
        return Err(SweepError::folder(
            out,
            "nothing to merge: name the shard folders",
        ));
    }
    Ok(shards)
}

/// The folder holding each start: exactly one per start.
fn holders<'a>(
    shards: &[(PlanFile, &'a PathBuf, Shard)],
    starts: u32,
    out: &Path,
) -> Result<Vec<&'a PathBuf>, SweepError> {
    let mut held: Vec<&PathBuf> = Vec::with_capacity(starts as usize);
    let mut missing: Vec<u32> = Vec::new();
    for k in 0..starts {
        let mut with = shards.iter().filter(|s| s.2.holds(u64::from(k)));
        match (with.next(), with.next()) {
            (Some(a), Some(b)) => {
                return Err(SweepError::folder(
                    out,
                    format!(
                        "start {k} is in two of the folders, {} (shard {}) and {} (shard {}); \
                         name each shard once",
                        a.1.display(),
                        a.2,
                        b.1.display(),
                        b.2
                    ),
                ))
            }
            (Some(a), None) => held.push(a.1),
            (None, _) => missing.push(k),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u32::to_string).collect();
        return Err(SweepError::folder(
            out,
            format!(
                "{} of the {starts} starts are in none of the folders (start {}{}); name every \
                 shard's folder",
                missing.len(),
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(held)
}

/// A start's journal as one machine appends it: every candidate, one line each.
fn write_journal(out: &Path, starts: u32, run: &StartRun) -> Result<(), SweepError> {
    let path = journal_path_of(out, run.start, starts);
    let mut bytes = Vec::new();
    for c in &run.done {
        bytes.extend(journal::line(&path, c)?);
    }
    Ok(write_bytes(&path, &bytes)?)
}
