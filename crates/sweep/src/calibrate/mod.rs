//! `cascade calibrate`: parameters estimated by the method of simulated moments.
//!
//! A calibration file ([`spec`]) names a base scenario, parameters with bounds (sweep axes,
//! `Uniform` or `LogUniform`), target moments with weights ([`moments`]), the seeds every
//! candidate runs (common random numbers), a budget of runs and the optimiser. It is planned
//! through the sweep machinery (the same file reading, overrides and checks), and every
//! candidate's runs are a sweep plan's runs ([`crate::exec::run_one_with`]) on one rayon
//! pool. Nelder–Mead ([`nelder_mead`]) searches the unit cube of the bounds; each candidate is
//! appended to a journal ([`journal`]) once its runs are done. The search is a pure function
//! of the values it is told, so a resumed calibration replays the journal to the same state
//! and writes the same calibration.json bytes as an uninterrupted one. The estimate, its
//! moments and bootstrap standard errors are computed from the journal ([`estimate`]).

pub mod chi_square;
pub mod estimate;
pub mod j_test;
pub mod journal;
pub mod moments;
pub mod nelder_mead;
pub mod spec;

use crate::exec::run_one_with;
use crate::plan::{plan_spec, read_text, Axis, AxisValue, Kind, Plan, RunId};
use crate::spec::{check_name, AxisSpec, Sampling, SweepSpec};
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use cascade_report::json::json_bytes;
use cascade_report::manifest::sha256_hex;
use journal::{Candidate, Journal, PlanFile, SeedRun};
use moments::{check_metric, Moments};
use nelder_mead::{minimize, Settings, Stop};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use spec::{CalibrationSpec, Optimiser, Target};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// One estimated parameter, resolved against the base scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Scenario path.
    pub path: String,
    /// Lower bound.
    pub from: f64,
    /// Upper bound.
    pub to: f64,
    /// Searched on a log scale.
    pub log: bool,
    /// Integers when the field takes integers (values are rounded).
    pub kind: Kind,
}

impl Parameter {
    /// The value at unit coordinate `u`.
    pub fn value(&self, u: f64) -> AxisValue {
        let x = crate::sample::scale(u, self.from, self.to, self.log);
        crate::plan::axes::numeric_value(x, self.kind)
    }

    /// The unit coordinate of value `x` (inside the bounds).
    pub fn unit(&self, x: f64) -> f64 {
        let u = if self.log {
            (x.ln() - self.from.ln()) / (self.to.ln() - self.from.ln())
        } else {
            (x - self.from) / (self.to - self.from)
        };
        u.clamp(0.0, 1.0)
    }
}

/// What a calibration runs: everything that decides its result, and nothing else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// The calibration's name.
    pub name: String,
    /// The base scenario after the fixed overrides, RON.
    pub scenario: String,
    /// The fixed overrides, as written.
    pub set: Vec<String>,
    /// The seeds of every candidate.
    pub seeds: Vec<u64>,
    /// The parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The start, unit coordinates.
    pub start: Vec<f64>,
    /// The target moments.
    pub targets: Vec<Target>,
    /// Most runs.
    pub budget: u64,
    /// The search.
    pub optimiser: Optimiser,
    /// Bootstrap resamples.
    pub bootstrap: u32,
    /// Realisations the targets average (the J-test's scaling); left out of the JSON at its
    /// default of 1, so calibrations planned before it existed keep their hash.
    #[serde(default = "one_run", skip_serializing_if = "is_one_run")]
    pub target_runs: u32,
}

fn one_run() -> u32 {
    1
}

fn is_one_run(n: &u32) -> bool {
    *n == 1
}

/// A planned calibration.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The calibration file as given.
    pub file: String,
    /// What it runs.
    pub design: Design,
    /// The calibration hash: SHA-256 of the design's JSON.
    pub hash: String,
    /// The sweep plan of the parameters (its axes' values are replaced per batch).
    plan: Plan,
}

/// Reads and plans a calibration file; a base scenario path is taken relative to it.
pub fn load(path: &Path) -> Result<Calibration, SweepError> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|message| SweepError::BadSweep {
        file: file.clone(),
        message,
    })?;
    plan_text(&text, &file, path.parent().unwrap_or(Path::new(".")))
}

/// Plans calibration text; `dir` is where a relative base path starts.
pub fn plan_text(text: &str, file: &str, dir: &Path) -> Result<Calibration, SweepError> {
    let spec = CalibrationSpec::parse(text).map_err(|e| SweepError::BadSweep {
        file: format!("{file}:{}:{}", e.line, e.column),
        message: match &e.field {
            Some(f) => format!("field {f}: {}", e.message),
            None => e.message.clone(),
        },
    })?;
    plan_spec_of(&spec, dir)
        .map(|(design, plan)| {
            let hash = sha256_hex(&serde_json::to_vec(&design).unwrap_or_default());
            Calibration {
                file: file.to_string(),
                design,
                hash,
                plan,
            }
        })
        .map_err(|message| SweepError::BadSweep {
            file: file.to_string(),
            message,
        })
}

fn plan_spec_of(spec: &CalibrationSpec, dir: &Path) -> Result<(Design, Plan), String> {
    check_name(&spec.name)?;
    if spec.parameters.is_empty() {
        return Err("field parameters: give at least one parameter".into());
    }
    for (i, p) in spec.parameters.iter().enumerate() {
        check_bounds(p).map_err(|e| format!("field parameters[{i}] ({}): {e}", p.path()))?;
    }
    if spec.targets.is_empty() {
        return Err("field targets: give at least one target".into());
    }
    if spec.seeds.is_empty() {
        return Err("field seeds: give at least one seed".into());
    }
    if spec.budget == 0 {
        return Err("field budget: must be at least 1 run".into());
    }
    if spec.target_runs == 0 {
        return Err("field target_runs: the targets average at least 1 realisation".into());
    }
    let first = (spec.parameters.len() as u64 + 1).saturating_mul(spec.seeds.len() as u64);
    if spec.budget < first {
        return Err(format!(
            "field budget: {} runs cannot evaluate the first simplex ({} candidates × {} seeds \
             = {first} runs)",
            spec.budget,
            spec.parameters.len() + 1,
            spec.seeds.len()
        ));
    }
    check_optimiser(&spec.optimiser)?;
    // The sweep machinery reads the base, applies the fixed overrides and checks every
    // parameter's path and type (one sample point of the bounds).
    let sweep = SweepSpec {
        name: spec.name.clone(),
        base: spec.base.clone(),
        scenario: spec.scenario.clone(),
        set: spec.set.clone(),
        seed: 0,
        replicates: 1,
        common_seeds: true,
        seeds: Some(spec.seeds.clone()),
        samples: Some(Sampling::Random { points: 1 }),
        axes: spec.parameters.clone(),
    };
    let plan = plan_spec(&sweep, dir).map_err(|e| e.replace("axis ", "parameter "))?;
    let interval_s = plan.base.sample_interval_s;
    for (i, t) in spec.targets.iter().enumerate() {
        check_metric(&t.metric, interval_s)
            .map_err(|e| format!("field targets[{i}].metric: {e}"))?;
        if !(t.weight > 0.0 && t.weight.is_finite()) {
            return Err(format!(
                "field targets[{i}].weight: must be a positive number, got {}",
                t.weight
            ));
        }
        if !t.value.is_finite() {
            return Err(format!("field targets[{i}].value: must be a finite number"));
        }
    }
    let parameters: Vec<Parameter> = spec
        .parameters
        .iter()
        .zip(&plan.design.axes)
        .map(|(p, axis)| {
            let (from, to, log) = bounds(p).unwrap_or_default();
            Parameter {
                path: p.path().to_string(),
                from,
                to,
                log,
                kind: axis.kind,
            }
        })
        .collect();
    let start = start(spec, &parameters)?;
    let design = Design {
        name: spec.name.clone(),
        scenario: plan.design.scenario.clone(),
        set: spec.set.clone(),
        seeds: spec.seeds.clone(),
        parameters,
        start,
        targets: spec.targets.clone(),
        budget: spec.budget,
        optimiser: spec.optimiser.clone(),
        bootstrap: spec.bootstrap,
        target_runs: spec.target_runs,
    };
    Ok((design, plan))
}

/// (from, to, log) of a parameter with bounds.
fn bounds(p: &AxisSpec) -> Option<(f64, f64, bool)> {
    match *p {
        AxisSpec::Uniform { from, to, .. } => Some((from, to, false)),
        AxisSpec::LogUniform { from, to, .. } => Some((from, to, true)),
        _ => None,
    }
}

fn check_bounds(p: &AxisSpec) -> Result<(), String> {
    let Some((from, to, log)) = bounds(p) else {
        return Err(
            "a parameter needs bounds: Uniform(path, from, to) or LogUniform(path, from, to)"
                .into(),
        );
    };
    if !from.is_finite() || !to.is_finite() {
        return Err(format!("from and to must be finite, got {from} and {to}"));
    }
    if from >= to {
        return Err(format!(
            "from must be below to, got from {from} and to {to}"
        ));
    }
    if log && from <= 0.0 {
        return Err(format!(
            "a log scale needs positive bounds, got from {from}"
        ));
    }
    Ok(())
}

fn check_optimiser(o: &Optimiser) -> Result<(), String> {
    let Optimiser::NelderMead {
        step, x_tol, f_tol, ..
    } = *o;
    if !(step > 0.0 && step <= 1.0) {
        return Err(format!(
            "field optimiser.step: must be in (0, 1], got {step}"
        ));
    }
    let tolerance = |t: f64| t >= 0.0 && t.is_finite();
    if !(tolerance(x_tol) && tolerance(f_tol)) {
        return Err(format!(
            "field optimiser: x_tol and f_tol must be non-negative numbers, got {x_tol} and {f_tol}"
        ));
    }
    Ok(())
}

/// The start in unit coordinates: the middle of each range unless `start` names the value.
fn start(spec: &CalibrationSpec, params: &[Parameter]) -> Result<Vec<f64>, String> {
    if let Some(unknown) = spec
        .start
        .keys()
        .find(|k| !params.iter().any(|p| &p.path == *k))
    {
        return Err(format!(
            "field start: {unknown:?} is not one of the parameters' paths"
        ));
    }
    params
        .iter()
        .map(|p| match spec.start.get(&p.path) {
            None => Ok(0.5),
            Some(&x) if x >= p.from && x <= p.to => Ok(p.unit(x)),
            Some(&x) => Err(format!(
                "field start: {} = {x} is outside its bounds [{}, {}]",
                p.path, p.from, p.to
            )),
        })
        .collect()
}

/// How to run a calibration.
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads.
    pub threads: usize,
    /// Continue the calibration already in the folder.
    pub resume: bool,
}

/// Receives each evaluated candidate (on the calling thread).
pub trait Progress {
    /// After each candidate; `best` is the least objective so far; `replayed` when it came
    /// from the journal.
    fn candidate(&self, c: &Candidate, best: Option<f64>, replayed: bool);
}

/// What a calibration did, besides calibration.json.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// calibration.json's content.
    pub result: Value,
    /// Candidates evaluated in all.
    pub candidates: u64,
    /// Candidates replayed from the journal.
    pub replayed: u64,
    /// Runs done now.
    pub runs: u64,
    /// Time inside the runs, summed over the workers.
    pub run_time: Duration,
    /// Time of everything but the runs: the calling thread's time outside the pool (the
    /// search, the journal, calibration.json) and the workers' time on moments.
    pub overhead: Duration,
}

/// Runs the calibration into `dir` and writes `dir/calibration.json`.
pub fn calibrate(
    cal: &Calibration,
    dir: &Path,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, SweepError> {
    crate::check_threads(opts.threads).map_err(|reason| SweepError::BadSweep {
        file: cal.file.clone(),
        message: format!("threads: {reason}"),
    })?;
    let started = Instant::now();
    let plan_file = PlanFile {
        cascade_version: env!("CARGO_PKG_VERSION").to_string(),
        hash: cal.hash.clone(),
        calibration_file: cal.file.clone(),
        design: cal.design.clone(),
    };
    journal::prepare(dir, &plan_file, opts.resume)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| SweepError::io(dir, std::io::Error::other(e)))?;
    let mut ev = Evaluator {
        cal,
        dir,
        moments: Moments::new(
            cal.design
                .targets
                .iter()
                .map(|t| t.metric.clone())
                .collect(),
        ),
        journal: journal::read(dir, &cal.hash)?,
        log: Journal::open(dir)?,
        pool,
        done: Vec::new(),
        by_values: HashMap::new(),
        best: None,
        progress,
        runs: 0,
        run_time: Duration::ZERO,
        pool_time: Duration::ZERO,
        worker_overhead: Duration::ZERO,
    };
    let Optimiser::NelderMead {
        step,
        x_tol,
        f_tol,
        restarts,
    } = cal.design.optimiser;
    let settings = Settings {
        step,
        x_tol,
        f_tol,
        restarts,
        max_iterations: 1_000_000,
    };
    let found = minimize(&cal.design.start, &settings, |batch| ev.batch(batch))?;
    ev.log.sync()?;
    let result = result(cal, &ev.done, found.stop);
    let bytes = json_bytes(&result).map_err(|e| SweepError::Encode {
        path: journal::result_path(dir),
        message: e.to_string(),
    })?;
    write_bytes(&journal::result_path(dir), &bytes)?;
    let replayed = ev.done.len() as u64 - ev.runs / cal.design.seeds.len() as u64;
    // The calling thread's time outside the pool (the search, the journal, the result), and
    // the workers' time spent on moments rather than runs.
    let overhead = started.elapsed().saturating_sub(ev.pool_time) + ev.worker_overhead;
    Ok(Outcome {
        result,
        candidates: ev.done.len() as u64,
        replayed,
        runs: ev.runs,
        run_time: ev.run_time,
        overhead,
    })
}

/// Evaluates the search's batches: from the journal when it holds them, else by running them.
struct Evaluator<'a> {
    cal: &'a Calibration,
    dir: &'a Path,
    moments: Moments,
    journal: BTreeMap<u64, Candidate>,
    log: Journal,
    pool: rayon::ThreadPool,
    done: Vec<Candidate>,
    /// Candidates by their parameter values (integers round: two points can be one candidate).
    by_values: HashMap<Vec<String>, usize>,
    best: Option<f64>,
    progress: &'a dyn Progress,
    runs: u64,
    run_time: Duration,
    pool_time: Duration,
    worker_overhead: Duration,
}

impl Evaluator<'_> {
    fn batch(&mut self, points: &[Vec<f64>]) -> Result<Option<Vec<f64>>, SweepError> {
        let params = &self.cal.design.parameters;
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
        let seeds = self.cal.design.seeds.len() as u64;
        let spent = self.done.len() as u64 * seeds;
        if spent + new.len() as u64 * seeds > self.cal.design.budget {
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
                        journal::journal_path(self.dir),
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
                self.log.append(&c)?;
            }
            if let Some(f) = c.objective {
                self.best = Some(self.best.map_or(f, |b| b.min(f)));
            }
            self.progress.candidate(&c, self.best, replayed);
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
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        let plan = self.batch_plan(todo.iter().map(|&(_, i)| &values[i]));
        let seeds = &self.cal.design.seeds;
        let jobs: Vec<(usize, usize)> = (0..todo.len())
            .flat_map(|c| (0..seeds.len()).map(move |s| (c, s)))
            .collect();
        let moments = &self.moments;
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
                            path: journal::journal_path(self.dir),
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
        let results: Vec<(SeedRun, Duration, Duration)> = self.pool.install(|| {
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
        let targets = &self.cal.design.targets;
        let all = vec![1; seeds.len()];
        Ok(todo
            .iter()
            .zip(per)
            .map(|(&(index, i), runs)| {
                let m: Vec<Vec<Option<f64>>> = runs.iter().map(|r| r.moments.clone()).collect();
                Candidate {
                    calibration: self.cal.hash.clone(),
                    index,
                    unit: points[i].clone(),
                    values: values[i].iter().map(|v| v.cell.clone()).collect(),
                    objective: estimate::objective(targets, &m, &all),
                    runs,
                }
            })
            .collect())
    }

    /// The sweep plan whose point c is the c-th of `candidates`.
    fn batch_plan<'v>(&self, candidates: impl Iterator<Item = &'v Vec<AxisValue>>) -> Plan {
        let mut plan = self.cal.plan.clone();
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
        plan.hash = self.cal.hash.clone();
        plan.file = self.cal.file.clone();
        plan
    }
}

/// The J-test at candidate `c` (which has every moment on every seed).
fn j_test_at(c: &Candidate, d: &Design) -> Result<j_test::JTest, String> {
    let runs: Vec<Vec<f64>> = c
        .runs
        .iter()
        .map(|r| r.moments.iter().copied().collect::<Option<Vec<f64>>>())
        .collect::<Option<_>>()
        .ok_or("a run at the estimate lacks a moment")?;
    let targets: Vec<f64> = d.targets.iter().map(|t| t.value).collect();
    j_test::j_test(&runs, &targets, d.parameters.len(), d.target_runs)
}

/// calibration.json's content.
fn result(cal: &Calibration, done: &[Candidate], stop: Stop) -> Value {
    let d = &cal.design;
    let best = estimate::best(done);
    let mut estimate_map = Map::new();
    let mut unit = Value::Null;
    if let Some(b) = best {
        for (p, v) in d.parameters.iter().zip(&b.values) {
            estimate_map.insert(
                p.path.clone(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            );
        }
        unit = json!(b.unit);
    }
    let moments: Vec<Value> = d
        .targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let (sim, se) = best.map_or((None, None), |b| estimate::moment_stats(b, k));
            json!({"metric": t.metric, "target": t.value, "weight": t.weight,
                   "simulated": sim, "se": se})
        })
        .collect();
    let boots = estimate::bootstrap(done, &d.targets, d.bootstrap);
    let spread = estimate::spread(&boots, d.parameters.len());
    let mut se = Map::new();
    let mut ci = Map::new();
    for (p, s) in d.parameters.iter().zip(&spread) {
        se.insert(p.path.clone(), json!(s.map(|s| s.0)));
        ci.insert(p.path.clone(), json!(s.map(|s| s.1)));
    }
    let (j_test, j_test_reason) = match best.map(|b| j_test_at(b, d)) {
        Some(Ok(j)) => (
            json!({"statistic": j.statistic, "dof": j.dof, "p_value": j.p_value,
                   "seeds": d.seeds.len(), "target_runs": d.target_runs,
                   "variance_factor": j.variance_factor,
                   "precision_correction": j.precision_correction}),
            Value::Null,
        ),
        Some(Err(reason)) => (Value::Null, json!(reason)),
        None => (Value::Null, json!("no candidate has every moment")),
    };
    let mut running: Option<f64> = None;
    let path: Vec<Value> = done
        .iter()
        .map(|c| {
            if let Some(f) = c.objective {
                running = Some(running.map_or(f, |b| b.min(f)));
            }
            json!({"candidate": c.index, "objective": c.objective, "best": running})
        })
        .collect();
    json!({
        "calibration": d.name,
        "hash": cal.hash,
        "method": "method of simulated moments: J = sum_k w_k ((mean over seeds of m_k - t_k) / |t_k|)^2, \
                   Nelder-Mead on the unit cube of the bounds; standard errors by bootstrap over seeds; \
                   Hansen's J at the estimate: (t - m)' W (t - m) / (1/target_runs + 1/seeds), \
                   W the inverse covariance of the moments over the seeds at the estimate \
                   times (seeds - moments - 2)/(seeds - 1), chi-square with moments - parameters \
                   degrees of freedom",
        "estimate": estimate_map,
        "estimate_unit": unit,
        "objective": best.and_then(|b| b.objective),
        "candidate": best.map(|b| b.index),
        "moments": moments,
        "standard_errors": {
            "method": "bootstrap over seeds: the seeds drawn with replacement, each evaluated \
                       candidate's objective recomputed, the least one taken",
            "resamples": boots.len(),
            "se": se,
            "interval_95": ci,
        },
        "j_test": j_test,
        "j_test_reason": j_test_reason,
        "seeds": d.seeds,
        "candidates": done.len(),
        "runs": done.len() * d.seeds.len(),
        "budget": d.budget,
        "stopped": match stop {
            Stop::Converged => "converged",
            Stop::Budget => "budget",
            Stop::Iterations => "iterations",
        },
        "objective_path": path,
    })
}
