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
//!
//! A calibration of `starts: K` runs K independent searches ([`starts`]), each with its own
//! journal; `--shard I/N` runs the starts k ≡ I (mod N), and [`merge`] joins shard folders
//! into the folder (and calibration.json bytes) one machine running every start writes.

pub mod chi_square;
pub mod estimate;
mod evaluate;
pub mod j_test;
pub mod journal;
pub mod merge;
pub mod moments;
pub mod nelder_mead;
mod result;
pub mod spec;
pub mod starts;

use crate::plan::{plan_spec, read_text, AxisValue, Kind, Plan};
use crate::spec::{check_name, AxisSpec, Sampling, SweepSpec};
use crate::{Shard, SweepError};
use cascade_report::manifest::sha256_hex;
use evaluate::{Evaluator, Running};
use journal::{Candidate, Journal, PlanFile};
use moments::{check_metric, Moments};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use spec::{CalibrationSpec, Optimiser, Target};
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
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub target_runs: u32,
    /// Independent searches ([`starts`]); left out of the JSON at its default of 1, so a
    /// calibration of one start keeps its hash.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub starts: u32,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// Most starts a calibration may ask for (each is a whole search).
pub const MAX_STARTS: u32 = 100_000;

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
    if !(1..=MAX_STARTS).contains(&spec.starts) {
        return Err(format!(
            "field starts: must be between 1 (one search) and {MAX_STARTS}, got {}",
            spec.starts
        ));
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
        starts: spec.starts,
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
    /// The starts to run: those whose index is `shard.index` modulo `shard.count`.
    pub shard: Shard,
}

/// Receives each evaluated candidate (on the calling thread).
pub trait Progress {
    /// After each candidate of start `start`; `best` is that start's least objective so far;
    /// `replayed` when it came from the journal.
    fn candidate(&self, start: u32, c: &Candidate, best: Option<f64>, replayed: bool);
}

/// What a calibration did, besides calibration.json.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// calibration.json's content; for a shard of several (which writes no calibration.json),
    /// `calibration`, `hash`, `shard` and the summary of each of its `starts`.
    pub result: Value,
    /// True when calibration.json was written (the shard holds every start).
    pub whole: bool,
    /// The starts this shard ran.
    pub starts: Vec<u32>,
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

/// Runs the starts of `opts.shard` into `dir`; writes `dir/calibration.json` when the shard
/// holds every start.
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
    let shard = (opts.shard != Shard::WHOLE).then(|| opts.shard.to_string());
    let plan_file = PlanFile {
        cascade_version: env!("CARGO_PKG_VERSION").to_string(),
        hash: cal.hash.clone(),
        calibration_file: cal.file.clone(),
        design: cal.design.clone(),
        shard,
    };
    journal::prepare(dir, &plan_file, opts.resume)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| SweepError::io(dir, std::io::Error::other(e)))?;
    let moments = Moments::new(
        cal.design
            .targets
            .iter()
            .map(|t| t.metric.clone())
            .collect(),
    );
    let ours: Vec<u32> = (0..cal.design.starts)
        .filter(|&k| opts.shard.holds(u64::from(k)))
        .collect();
    let mut runs = Vec::with_capacity(ours.len());
    let (mut run_count, mut run_time, mut pool_time, mut worker_overhead) =
        (0, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for &k in &ours {
        let path = journal::journal_path_of(dir, k, cal.design.starts);
        let mut ev = Evaluator::new(
            &cal.design,
            &cal.hash,
            k,
            journal::read(&path, &cal.hash)?,
            progress,
        );
        ev.log = Some(Journal::open(&path)?);
        ev.journal_file = path;
        ev.running = Some(Running {
            plan: &cal.plan,
            file: &cal.file,
            moments: &moments,
            pool: &pool,
        });
        let run = ev.search()?;
        if let Some(log) = &ev.log {
            log.sync()?;
        }
        run_count += ev.runs;
        run_time += ev.run_time;
        pool_time += ev.pool_time;
        worker_overhead += ev.worker_overhead;
        runs.push(run);
    }
    let whole = opts.shard == Shard::WHOLE;
    let result = if whole {
        result::write(dir, &cal.design, &cal.hash, &runs)?
    } else {
        result::shard_summary(&cal.design, &cal.hash, opts.shard, &runs)
    };
    let candidates: u64 = runs.iter().map(|r| r.done.len() as u64).sum();
    let replayed = candidates - run_count / cal.design.seeds.len() as u64;
    // The calling thread's time outside the pool (the search, the journal, the result), and
    // the workers' time spent on moments rather than runs.
    let overhead = started.elapsed().saturating_sub(pool_time) + worker_overhead;
    Ok(Outcome {
        result,
        whole,
        starts: ours,
        candidates,
        replayed,
        runs: run_count,
        run_time,
        overhead,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A design of `params` Uniform(0, 1) parameters (what the pure functions need).
    pub(crate) fn design(params: usize) -> Design {
        Design {
            name: "t".into(),
            scenario: String::new(),
            set: Vec::new(),
            seeds: vec![1, 2],
            parameters: (0..params)
                .map(|i| Parameter {
                    path: format!("p{i}"),
                    from: 0.0,
                    to: 1.0,
                    log: false,
                    kind: Kind::Float,
                })
                .collect(),
            start: vec![0.5; params],
            targets: Vec::new(),
            budget: 100,
            optimiser: Optimiser::default(),
            bootstrap: 0,
            target_runs: 1,
            starts: 1,
        }
    }
}
