//! One start's search: the Nelder–Mead batches evaluated from the start's journal when it
//! holds them, else run on the pool (every seed of every new candidate) and appended to it. A
//! merge evaluates with nothing to run: the journal must hold the whole search.

use super::journal::{Candidate, Journal, SeedRun};
use super::moments::Moments;
use super::nelder_mead::{minimize, Settings};
use super::spec::Optimiser;
use super::starts::{self, StartRun};
use super::{estimate, Design, Progress};
use crate::exec::run_one_with;
use crate::plan::{Axis, AxisValue, Plan, RunId};
use crate::SweepError;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// What running new candidates needs (a merge, which only replays journals, has none).
pub(super) struct Running<'a> {
    pub(super) plan: &'a Plan,
    pub(super) file: &'a str,
    pub(super) moments: &'a Moments,
    pub(super) pool: &'a rayon::ThreadPool,
}

/// Evaluates one start's batches: from the journal when it holds them, else by running them.
pub(super) struct Evaluator<'a> {
    design: &'a Design,
    hash: &'a str,
    start: u32,
    pub(super) journal_file: std::path::PathBuf,
    journal: BTreeMap<u64, Candidate>,
    /// Where new candidates are appended (none when only replaying).
    pub(super) log: Option<Journal>,
    /// None when the journal must hold every candidate (a merge).
    pub(super) running: Option<Running<'a>>,
    done: Vec<Candidate>,
    /// Candidates by their parameter values (integers round: two points can be one candidate).
    by_values: HashMap<Vec<String>, usize>,
    best: Option<f64>,
    progress: &'a dyn Progress,
    pub(super) runs: u64,
    pub(super) run_time: Duration,
    pub(super) pool_time: Duration,
    pub(super) worker_overhead: Duration,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of start `start` that only replays `journal` (no log, nothing to run
    /// with): set `log` and `running` to run what the journal lacks.
    pub(super) fn new(
        design: &'a Design,
        hash: &'a str,
        start: u32,
        journal: BTreeMap<u64, Candidate>,
        progress: &'a dyn Progress,
    ) -> Self {
        Evaluator {
            design,
            hash,
            start,
            journal_file: std::path::PathBuf::new(),
            journal,
            log: None,
            running: None,
            done: Vec::new(),
            by_values: HashMap::new(),
            best: None,
            progress,
            runs: 0,
            run_time: Duration::ZERO,
            pool_time: Duration::ZERO,
            worker_overhead: Duration::ZERO,
        }
    }

    /// Runs (or replays) this start's whole search.
    pub(super) fn search(&mut self) -> Result<StartRun, SweepError> {
        let Optimiser::NelderMead {
            step,
            x_tol,
            f_tol,
            restarts,
        } = self.design.optimiser;
        let settings = Settings {
            step,
            x_tol,
            f_tol,
            restarts,
            max_iterations: 1_000_000,
        };
        let from = starts::start_point(self.design, self.start);
        let found = minimize(&from, &settings, |batch| self.batch(batch))?;
        Ok(StartRun {
            start: self.start,
            done: std::mem::take(&mut self.done),
            stop: found.stop,
        })
    }

    fn batch(&mut self, points: &[Vec<f64>]) -> Result<Option<Vec<f64>>, SweepError> {
        let params = &self.design.parameters;
        let values: Vec<Vec<AxisValue>> = points
            .iter()
            .map(|u| params.iter().zip(u).map(|(p, &u)| p.value(u)).collect())
            .collect();
        let key = |v: &[AxisValue]| v.iter().map(|a| a.ron.clone()).collect::<Vec<_>>();
        // The new candidates of this batch (a repeat within it counts once).
        let mut new: Vec<usize> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let k = key(v);
            if !self.by_values.contains_key(&k) && !new.iter().any(|&j| key(&values[j]) == k) {
                new.push(i);
            }
        }
        let seeds = self.design.seeds.len() as u64;
        let spent = self.done.len() as u64 * seeds;
        if spent + new.len() as u64 * seeds > self.design.budget {
            return Ok(None);
        }
        let first = self.done.len() as u64;
        let mut to_run = Vec::new();
        for (n, &i) in new.iter().enumerate() {
            let index = first + n as u64;
            match self.journal.get(&index) {
                Some(c) if c.unit == points[i] => {}
                Some(c) => {
                    return Err(SweepError::folder(
                        &self.journal_file,
                        format!(
                            "candidate {index} is {:?} in the journal but the replayed search \
                             asks for {:?} (was the journal edited, or made by another build?)",
                            c.unit, points[i]
                        ),
                    ))
                }
                None => to_run.push((index, i)),
            }
        }
        let ran = self.run(&to_run, points, &values)?;
        for (n, &i) in new.iter().enumerate() {
            let index = first + n as u64;
            let (c, replayed) = match ran.iter().position(|c| c.index == index) {
                Some(p) => (ran[p].clone(), false),
                None => (self.journal[&index].clone(), true),
            };
            if !replayed {
                if let Some(log) = &mut self.log {
                    log.append(&c)?;
                }
            }
            if let Some(f) = c.objective {
                self.best = Some(self.best.map_or(f, |b| b.min(f)));
            }
            self.progress.candidate(self.start, &c, self.best, replayed);
            self.by_values.insert(key(&values[i]), self.done.len());
            self.done.push(c);
        }
        Ok(Some(
            values
                .iter()
                .map(|v| {
                    self.done[self.by_values[&key(v)]]
                        .objective
                        .unwrap_or(f64::INFINITY)
                })
                .collect(),
        ))
    }

    /// Runs every seed of the candidates `(index, point)` on the pool.
    fn run(
        &mut self,
        todo: &[(u64, usize)],
        points: &[Vec<f64>],
        values: &[Vec<AxisValue>],
    ) -> Result<Vec<Candidate>, SweepError> {
        let Some(&(first, _)) = todo.first() else {
            return Ok(Vec::new());
        };
        let Some(running) = &self.running else {
            return Err(SweepError::folder(
                &self.journal_file,
                format!(
                    "start {} is not finished: its search asks for candidate {first}, which the \
                     journal does not hold (resume its shard with --resume, then merge again)",
                    self.start
                ),
            ));
        };
        let plan = batch_plan(running, self.hash, todo.iter().map(|&(_, i)| &values[i]));
        let seeds = &self.design.seeds;
        let jobs: Vec<(usize, usize)> = (0..todo.len())
            .flat_map(|c| (0..seeds.len()).map(move |s| (c, s)))
            .collect();
        let moments = running.moments;
        let journal_file = &self.journal_file;
        let one = |&(c, s): &(usize, usize)| -> Result<(SeedRun, Duration, Duration), SweepError> {
            let id = RunId {
                point: c as u32,
                replicate: s as u32,
            };
            let t0 = Instant::now();
            let ran = run_one_with(&plan, id, seeds[s], None, |rec, sc| {
                let t = Instant::now();
                (moments.stats_of(rec, sc.instrument.tick_size), t)
            })?;
            let t1 = Instant::now();
            let run = match ran {
                Ok((summary, (stats, stats_started))) => {
                    let m = moments.of_run(&summary, stats.as_ref()).map_err(|e| {
                        SweepError::Encode {
                            path: journal_file.clone(),
                            message: format!("the summary as metrics: {e}"),
                        }
                    })?;
                    // The statistics are the calibration's own cost, not the run's.
                    let stats_time = t1 - stats_started;
                    let extra = stats_time + t1.elapsed();
                    let run = SeedRun {
                        seed: seeds[s],
                        moments: m,
                        error: String::new(),
                    };
                    return Ok((run, (t1 - t0) - stats_time, extra));
                }
                Err(e) => SeedRun {
                    seed: seeds[s],
                    moments: vec![None; moments.count()],
                    error: e.to_string(),
                },
            };
            Ok((run, t1 - t0, t1.elapsed()))
        };
        let in_pool = Instant::now();
        let results: Vec<(SeedRun, Duration, Duration)> = running.pool.install(|| {
            jobs.par_iter()
                .with_max_len(1)
                .map(one)
                .collect::<Result<_, _>>()
        })?;
        self.pool_time += in_pool.elapsed();
        self.runs += jobs.len() as u64;
        let mut per: Vec<Vec<SeedRun>> = vec![Vec::with_capacity(seeds.len()); todo.len()];
        for ((c, _), (run, run_time, extra)) in jobs.iter().zip(results) {
            self.run_time += run_time;
            self.worker_overhead += extra;
            per[*c].push(run);
        }
        let targets = &self.design.targets;
        let all = vec![1; seeds.len()];
        Ok(todo
            .iter()
            .zip(per)
            .map(|(&(index, i), runs)| {
                let m: Vec<Vec<Option<f64>>> = runs.iter().map(|r| r.moments.clone()).collect();
                Candidate {
                    calibration: self.hash.to_string(),
                    index,
                    unit: points[i].clone(),
                    values: values[i].iter().map(|v| v.cell.clone()).collect(),
                    objective: estimate::objective(targets, &m, &all),
                    runs,
                }
            })
            .collect())
    }
}

/// The sweep plan whose point c is the c-th of `candidates`.
fn batch_plan<'v>(
    running: &Running<'_>,
    hash: &str,
    candidates: impl Iterator<Item = &'v Vec<AxisValue>>,
) -> Plan {
    let mut plan = running.plan.clone();
    let cands: Vec<&Vec<AxisValue>> = candidates.collect();
    let axes: Vec<Axis> = plan
        .design
        .axes
        .iter()
        .enumerate()
        .map(|(a, axis)| Axis {
            values: cands.iter().map(|v| v[a].clone()).collect(),
            ..axis.clone()
        })
        .collect();
    plan.design.axes = axes;
    plan.design.points = (0..cands.len() as u32)
        .map(|c| vec![c; plan.design.axes.len()])
        .collect();
    plan.hash = hash.to_string();
    plan.file = running.file.to_string();
    plan
}
