//! Running a plan: one run per (point, replicate) on a local rayon pool, each recorded as
//! soon as it ends; then the results table from the records.
//!
//! A run that cannot be made (its point is not a valid scenario) or that fails is a row with
//! status `failed` and its error; it does not stop the sweep. Memory stays bounded by the
//! runs in flight: a run's recording is summarised (and written as a run folder only with
//! `keep_runs`) and dropped before the worker takes the next run.

use crate::plan::{Plan, RunId};
use crate::record::{
    log_path, metrics, read_manifest, read_records, run_name, runs_dir, write_manifest, RecordLog,
    RunRecord, Status, SweepManifest,
};
use crate::results::write_results;
use crate::SweepError;
use cascade_report::{summarize, write_run_with, Manifest, PriceFormat, RunOptions, Summary};
use cascade_sim::overrides::apply;
use cascade_sim::{Scenario, Simulation};
use rayon::prelude::*;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

/// A slice of a sweep: runs whose index is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole sweep.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// True when run `index` belongs to this shard.
    pub fn holds(&self, run_index: u64) -> bool {
        run_index % u64::from(self.count) == u64::from(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = s
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if count > 0 && index < count => Ok(Shard { index, count }),
            Some(_) => Err(format!("shard {s:?}: need I/N with 0 <= I < N")),
            None => Err(format!("shard {s:?}: expected I/N, e.g. 0/4")),
        }
    }
}

/// How to run a plan.
#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// Worker threads.
    pub threads: usize,
    /// Which slice of the runs.
    pub shard: Shard,
    /// Continue the sweep already in the folder (skip its finished runs).
    pub resume: bool,
    /// Also write each run's full run folder under `DIR/runs/`.
    pub keep_runs: bool,
}

/// Worker threads allowed per available core. A run is single-threaded and CPU-bound, so
/// workers beyond the cores add no speed, only memory (each holds one run in flight); 16 per
/// core leaves room for a count of visible cores that is too low (a CPU quota, a container)
/// while a typo such as `--threads 100000` is refused at once instead of spawning threads for
/// a minute.
pub const THREADS_PER_CORE: usize = 16;

/// The most worker threads a sweep may use on this machine: [`THREADS_PER_CORE`] per core it
/// may run on.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(THREADS_PER_CORE)
}

/// Checks a worker thread count: at least 1 and at most [`max_threads`].
pub fn check_threads(threads: usize) -> Result<(), String> {
    let max = max_threads();
    match threads {
        0 => Err("must be at least 1".into()),
        n if n > max => Err(format!(
            "{n} is more than {max} ({THREADS_PER_CORE} per core on this machine's {} cores)",
            max / THREADS_PER_CORE
        )),
        _ => Ok(()),
    }
}

/// What running a plan did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Runs in this shard.
    pub runs: u64,
    /// Runs found finished in the folder and skipped.
    pub skipped: u64,
    /// Runs done now.
    pub ran: u64,
    /// Runs (of all in this shard) whose status is failed.
    pub failed: u64,
}

/// Receives progress while runs finish (called from worker threads).
pub trait Progress: Sync {
    /// Before the first run: runs in this shard and how many are already done.
    fn start(&self, total: u64, done: u64);
    /// After each run is recorded.
    fn run_done(&self, record: &RunRecord);
}

/// A [`Progress`] that ignores everything.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64, _: u64) {}
    fn run_done(&self, _: &RunRecord) {}
}

/// Why one run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The point's overrides do not make a valid scenario.
    #[error("invalid scenario: {0}")]
    Scenario(String),
    /// The model panicked (a bug; the sweep goes on).
    #[error("the run panicked: {0}")]
    Panicked(String),
    /// A kept run's trade tape reached what the memory budget leaves it; it stopped there and
    /// no folder or summary was written for it.
    #[error(
        "the trade tape filled the memory budget: {rows} rows by {reached_s:.3} s of the run; \
         shorten duration_s, use fewer or slower agents, or sweep without keeping runs"
    )]
    TapeFull {
        /// Rows recorded.
        rows: u64,
        /// Simulated time reached, seconds.
        reached_s: f64,
    },
}

/// The scenario of a point: the base with the point's values applied, validated.
pub fn point_scenario(plan: &Plan, point: u32) -> Result<Scenario, RunError> {
    let overrides = plan.design.overrides(point);
    let s = apply(&plan.base, &overrides).map_err(|e| RunError::Scenario(e.to_string()))?;
    s.validate()
        .map_err(|e| RunError::Scenario(e.to_string()))?;
    Ok(s)
}

/// Runs one run and returns its summary (summary.json's content); with `keep`, also writes
/// its run folder.
pub fn run_one(
    plan: &Plan,
    id: RunId,
    seed: u64,
    keep: Option<&Path>,
) -> Result<Result<Summary, RunError>, SweepError> {
    let ran = run_one_with(plan, id, seed, keep, |_, _| ())?;
    Ok(ran.map(|(summary, ())| summary))
}

/// [`run_one`], also handing the recording (and the point's scenario) to `also` before it is
/// dropped: figures a summary does not hold (a calibration's stats moments).
pub fn run_one_with<T>(
    plan: &Plan,
    id: RunId,
    seed: u64,
    keep: Option<&Path>,
    also: impl FnOnce(&cascade_sim::Recording, &Scenario) -> T,
) -> Result<Result<(Summary, T), RunError>, SweepError> {
    let scenario = match point_scenario(plan, id.point) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let simulate = || {
        Simulation::new(&scenario, seed)
            .record_trades(keep.is_some())
            .run()
    };
    let recording = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(simulate)) {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            return Ok(Err(RunError::Panicked(message)));
        }
    };
    if let Some(full) = recording.tape_full {
        return Ok(Err(RunError::TapeFull {
            rows: full.rows,
            reached_s: full.time_ns as f64 / 1e9,
        }));
    }
    let summary = summarize(
        &recording,
        &PriceFormat::new(scenario.instrument.tick_size),
        None,
    );
    if let Some(dir) = keep {
        let overrides = plan
            .design
            .overrides(id.point)
            .iter()
            .map(|o| format!("{}={}", o.path, o.value))
            .collect();
        let manifest =
            Manifest::of_run(&scenario, &plan.file, seed, overrides).map_err(|message| {
                SweepError::Encode {
                    path: dir.join("manifest.json"),
                    message,
                }
            })?;
        // Charts of every run would cost more than the run; `cascade plot` draws them later.
        // Any option added to RunOptions later keeps its default here.
        #[allow(clippy::needless_update)]
        let options = RunOptions {
            charts: false,
            ..RunOptions::default()
        };
        write_run_with(dir, &manifest, &scenario, &recording, options)?;
    }
    let extra = also(&recording, &scenario);
    Ok(Ok((summary, extra)))
}

/// Runs the plan's runs of `opts.shard` into `dir` and writes the results there.
pub fn execute(
    plan: &Plan,
    dir: &Path,
    opts: &ExecOptions,
    progress: &dyn Progress,
) -> Result<Outcome, SweepError> {
    check_threads(opts.threads).map_err(|reason| SweepError::BadSweep {
        file: plan.file.clone(),
        message: format!("threads: {reason}"),
    })?;
    prepare_folder(plan, dir, opts)?;
    let design = &plan.design;
    let mine: Vec<u64> = (0..design.run_count())
        .filter(|&k| opts.shard.holds(k))
        .collect();
    let log = RecordLog::open(dir)?;
    let done = read_records(dir, &plan.design, &plan.hash)?;
    let pending: Vec<RunId> = mine
        .iter()
        .map(|&k| design.run_id(k))
        .filter(|id| !done.contains_key(id))
        .collect();
    let skipped = mine.len() as u64 - pending.len() as u64;
    progress.start(mine.len() as u64, skipped);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| SweepError::io(dir, std::io::Error::other(e)))?;
    let one = |id: &RunId| -> Result<(), SweepError> {
        let record = record_run(plan, dir, *id, opts.keep_runs)?;
        log.append(&record)?;
        progress.run_done(&record);
        Ok(())
    };
    // One run per work unit keeps every thread busy to the end when runs differ in length.
    let ran = pool.install(|| pending.par_iter().with_max_len(1).try_for_each(one));
    log.sync()?;
    ran?;

    let records = read_records(dir, &plan.design, &plan.hash)?;
    let rows: Vec<&RunRecord> = mine
        .iter()
        .filter_map(|&k| records.get(&design.run_id(k)))
        .collect();
    if rows.len() != mine.len() {
        return Err(SweepError::folder(
            dir,
            format!(
                "{} of {} runs have no record after the sweep (was the folder changed while it ran?)",
                mine.len() - rows.len(),
                mine.len()
            ),
        ));
    }
    write_results(dir, design, &rows)?;
    Ok(Outcome {
        runs: mine.len() as u64,
        skipped,
        ran: pending.len() as u64,
        failed: rows.iter().filter(|r| r.status == Status::Failed).count() as u64,
    })
}

/// Runs one run and makes its record (not yet written).
pub fn record_run(plan: &Plan, dir: &Path, id: RunId, keep: bool) -> Result<RunRecord, SweepError> {
    let seed = plan.design.seed_of(id);
    let keep_dir: Option<PathBuf> = keep.then(|| runs_dir(dir).join(run_name(id)));
    let started = Instant::now();
    let result = run_one(plan, id, seed, keep_dir.as_deref())?;
    let wall_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let (status, error, metrics) = match result {
        Ok(summary) => {
            let metrics = metrics(&summary).map_err(|e| SweepError::Encode {
                path: log_path(dir),
                message: format!("run {}: the summary as metrics: {e}", run_name(id)),
            })?;
            (Status::Ok, String::new(), metrics)
        }
        Err(e) => (Status::Failed, e.to_string(), Default::default()),
    };
    Ok(RunRecord {
        sweep: plan.hash.clone(),
        point: id.point,
        replicate: id.replicate,
        seed,
        status,
        error,
        metrics,
        wall_ms,
    })
}

/// Creates the folder and its manifest, or checks that it holds this sweep (and shard).
fn prepare_folder(plan: &Plan, dir: &Path, opts: &ExecOptions) -> Result<(), SweepError> {
    let shard = (opts.shard != Shard::WHOLE).then(|| opts.shard.to_string());
    match read_manifest(dir)? {
        Some(m) if !opts.resume => {
            return Err(SweepError::folder(
                dir,
                format!(
                    "already holds sweep {:?} ({}); pass --resume to continue it, or choose another --out",
                    m.design.name, m.hash
                ),
            ))
        }
        Some(m) if m.hash != plan.hash => {
            return Err(SweepError::folder(
                dir,
                format!(
                    "was made by a different sweep ({:?}, hash {}; this sweep is {:?}, hash {}); \
                     refusing to resume",
                    m.design.name, m.hash, plan.design.name, plan.hash
                ),
            ))
        }
        Some(m) if m.shard != shard => {
            return Err(SweepError::folder(
                dir,
                format!(
                    "holds shard {} of this sweep, not {}; resume it with the same --shard",
                    m.shard.as_deref().unwrap_or("(whole sweep)"),
                    shard.as_deref().unwrap_or("(whole sweep)")
                ),
            ))
        }
        Some(_) => {}
        None => {
            let non_empty = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if non_empty {
                return Err(SweepError::folder(
                    dir,
                    "exists, is not empty and holds no sweep; choose another --out",
                ));
            }
            // The manifest comes first: a folder killed before it is empty, and reusable.
            std::fs::create_dir_all(dir).map_err(|e| SweepError::io(dir, e))?;
            let manifest = SweepManifest {
                cascade_version: env!("CARGO_PKG_VERSION").to_string(),
                hash: plan.hash.clone(),
                sweep_file: plan.file.clone(),
                shard,
                runs: plan.design.run_count(),
                design: plan.design.clone(),
            };
            write_manifest(dir, &manifest)?;
        }
    }
    if opts.keep_runs {
        std::fs::create_dir_all(runs_dir(dir)).map_err(|e| SweepError::io(dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_capped_at_a_multiple_of_the_cores() {
        let max = max_threads();
        assert!(max >= THREADS_PER_CORE);
        assert_eq!(check_threads(1), Ok(()));
        assert_eq!(check_threads(max), Ok(()));
        assert!(check_threads(0).is_err());
        let e = check_threads(max + 1).unwrap_err();
        assert!(e.contains(&max.to_string()), "{e}");
        assert!(check_threads(usize::MAX).is_err());
    }

    #[test]
    fn shards_parse_and_partition_the_runs() {
        let s: Shard = "1/3".parse().unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        assert_eq!(s.to_string(), "1/3");
        assert!("3/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        for k in 0..30u64 {
            let owners = (0..3)
                .filter(|&i| Shard { index: i, count: 3 }.holds(k))
                .count();
            assert_eq!(owners, 1);
        }
    }
}
