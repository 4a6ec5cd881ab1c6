//! `cascade calibrate CALIBRATION.ron [--out DIR] [--threads N] [--shard I/N] [--resume]
//! [--json]`: the method of simulated moments over a sweep's machinery
//! (cascade_sweep::calibrate); `calibrate merge` joins the folders of shards, `calibrate
//! slurm` writes the sweep's kind of Slurm scripts for them.

use crate::input::bad;
use crate::sweep::{lift, threads, write_slurm, SlurmJobArgs};
use anyhow::Result;
use cascade_sweep::calibrate::journal::Candidate;
use cascade_sweep::calibrate::{self, Calibration, Options, Progress};
use cascade_sweep::slurm::{Job, JobKind};
use cascade_sweep::Shard;
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Arguments of `cascade calibrate`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CalibrateArgs {
    #[command(subcommand)]
    command: Option<CalibrateCommand>,
    #[command(flatten)]
    run: RunCalibrateArgs,
}

impl CalibrateArgs {
    /// True when one JSON object was asked for on stdout.
    pub fn json(&self) -> bool {
        match &self.command {
            None => self.run.json,
            Some(CalibrateCommand::Merge { json, .. }) => *json,
            Some(CalibrateCommand::Slurm(_)) => false,
        }
    }
}

#[derive(Subcommand, Debug)]
enum CalibrateCommand {
    /// Join the folders of a calibration's shards into one folder: the calibration.json one
    /// machine running every start writes.
    Merge {
        /// The shard folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged calibration folder.
        #[arg(long)]
        out: PathBuf,
        /// Print calibration.json to stdout instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Write an sbatch job array that runs the shards (of the starts), and a merge job that
    /// depends on it.
    Slurm(CalibrateSlurmArgs),
}

/// Arguments of `cascade calibrate slurm`.
#[derive(Args, Debug)]
struct CalibrateSlurmArgs {
    /// The calibration file (RON).
    calibration: PathBuf,
    #[command(flatten)]
    job: SlurmJobArgs,
}

/// Arguments of a calibration run.
#[derive(Args, Debug)]
struct RunCalibrateArgs {
    /// The calibration file (RON, under scenarios/calibrations/).
    #[arg(required = true)]
    calibration: Option<PathBuf>,
    /// Output folder (default: output/calibrations/<name>, or .../shard-I-of-N with --shard).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads, at most 16 per core (default: SLURM_CPUS_PER_TASK when set, else every
    /// core).
    #[arg(long)]
    threads: Option<usize>,
    /// Run only the starts whose index is I modulo N, e.g. 0/4 (join the folders with
    /// `cascade calibrate merge`).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Continue the calibration in --out: replay its journal, then go on.
    #[arg(long)]
    resume: bool,
    /// Print calibration.json (a shard of several: its starts) to stdout instead of the table.
    #[arg(long)]
    json: bool,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

/// A line on stderr every 5 s: candidates, runs, the best objective so far.
struct Lines {
    started: Instant,
    last: std::cell::Cell<Instant>,
}

impl Progress for Lines {
    fn candidate(&self, start: u32, c: &Candidate, best: Option<f64>, replayed: bool) {
        if replayed || self.last.get().elapsed() < Duration::from_secs(5) {
            return;
        }
        self.last.set(Instant::now());
        eprintln!(
            "calibrate: start {start}: {} candidates ({} runs), best objective {}, {:.1} s \
             elapsed",
            c.index + 1,
            (c.index + 1) * c.runs.len() as u64,
            best.map_or_else(|| "none yet".into(), |b| format!("{b:.6}")),
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// The value at `keys` in `v`, or null.
fn at<'a>(v: &'a Value, keys: &[&str]) -> &'a Value {
    keys.iter()
        .try_fold(v, |v, k| v.get(k))
        .unwrap_or(&Value::Null)
}

/// Runs `cascade calibrate …`.
pub fn calibrate(args: &CalibrateArgs) -> Result<()> {
    match &args.command {
        Some(CalibrateCommand::Merge { dirs, out, json }) => merge(dirs, out, *json),
        Some(CalibrateCommand::Slurm(a)) => slurm(a),
        None => run(&args.run),
    }
}

fn default_out(name: &str) -> PathBuf {
    PathBuf::from("output").join("calibrations").join(name)
}

fn run(args: &RunCalibrateArgs) -> Result<()> {
    let Some(file) = args.calibration.as_deref() else {
        return Err(bad("name a calibration file"));
    };
    let threads = threads(args.threads)?;
    let cal = calibrate::load(file).map_err(lift)?;
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let out = args.out.clone().unwrap_or_else(|| {
        let d = default_out(&cal.design.name);
        if shard == Shard::WHOLE {
            d
        } else {
            d.join(format!("shard-{}-of-{}", shard.index, shard.count))
        }
    });
    let opts = Options {
        threads,
        resume: args.resume,
        shard,
    };
    let lines = Lines {
        started: Instant::now(),
        last: std::cell::Cell::new(Instant::now()),
    };
    let started = Instant::now();
    let outcome = calibrate::calibrate(&cal, &out, &opts, &lines).map_err(lift)?;
    let wall = started.elapsed().as_secs_f64();
    if args.json {
        let bytes = cascade_report::json::json_bytes(&outcome.result)?;
        print!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    }
    println!(
        "{}: {} candidates ({} replayed from the journal), {} runs now on {} threads in {:.2} s{}",
        cal.design.name,
        outcome.candidates,
        outcome.replayed,
        outcome.runs,
        threads,
        wall,
        if outcome.whole {
            format!(
                "; stopped: {}",
                at(&outcome.result, &["stopped"]).as_str().unwrap_or("?")
            )
        } else {
            format!(
                "; shard {shard}: {} of {} starts",
                outcome.starts.len(),
                cal.design.starts
            )
        }
    );
    if outcome.whole {
        print_result(&cal, &outcome.result);
    } else {
        print_starts(&outcome.result);
    }
    if outcome.runs > 0 {
        let per_run = outcome.run_time.as_secs_f64() / outcome.runs as f64;
        let per_candidate =
            outcome.overhead.as_secs_f64() / (outcome.candidates - outcome.replayed).max(1) as f64;
        println!(
            "overhead: {:.3} ms per candidate outside its runs; a run takes {:.1} ms ({:.3}%)",
            per_candidate * 1e3,
            per_run * 1e3,
            100.0 * per_candidate / per_run
        );
    }
    if outcome.whole {
        println!("-> {}", calibrate::journal::result_path(&out).display());
    } else {
        println!(
            "-> {} (join the shards with `cascade calibrate merge`)",
            out.display()
        );
    }
    Ok(())
}

/// Each start's end point and objective, from a `starts` list.
fn print_starts(r: &Value) {
    for s in r["starts"].as_array().into_iter().flatten() {
        println!(
            "  start {:>3}: objective {}, {} candidates, stopped: {}, estimate {}",
            s["start"],
            s["objective"],
            s["candidates"],
            s["stopped"].as_str().unwrap_or("?"),
            s["estimate"]
        );
    }
}

/// calibration.json as a table.
fn print_result(cal: &Calibration, r: &Value) {
    if let Some(best) = r["start"].as_u64() {
        println!("best of {} starts: start {best}", cal.design.starts);
        print_starts(r);
    }
    println!("objective {}", r["objective"]);
    for p in &cal.design.parameters {
        println!(
            "  {:<40} {:>14}  se {}  95% {}",
            p.path,
            at(r, &["estimate", &p.path]),
            at(r, &["standard_errors", "se", &p.path]),
            at(r, &["standard_errors", "interval_95", &p.path])
        );
    }
    println!("moments (target, simulated ± se):");
    for m in r["moments"].as_array().into_iter().flatten() {
        println!(
            "  {:<40} {:>14} {:>14} ± {}",
            m["metric"].as_str().unwrap_or(""),
            m["target"],
            m["simulated"],
            m["se"]
        );
    }
    match r["j_test"].as_object() {
        Some(j) => println!(
            "J-test: J = {} on {} degrees of freedom, p-value {}",
            j["statistic"], j["dof"], j["p_value"]
        ),
        None => println!(
            "J-test: none ({})",
            r["j_test_reason"].as_str().unwrap_or("?")
        ),
    }
}

fn merge(dirs: &[PathBuf], out: &Path, json: bool) -> Result<()> {
    let started = Instant::now();
    let merged = calibrate::merge::merge(dirs, out).map_err(lift)?;
    if json {
        let bytes = cascade_report::json::json_bytes(&merged.result)?;
        print!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    }
    println!(
        "{}: merged {} starts ({} candidates) from {} folders in {:.3} s -> {}",
        merged.name,
        merged.starts,
        merged.candidates,
        dirs.len(),
        started.elapsed().as_secs_f64(),
        calibrate::journal::result_path(out).display()
    );
    let r = &merged.result;
    println!("objective {}, estimate {}", r["objective"], r["estimate"]);
    Ok(())
}

fn slurm(args: &CalibrateSlurmArgs) -> Result<()> {
    let cal = calibrate::load(&args.calibration).map_err(lift)?;
    let starts = cal.design.starts;
    if args.job.tasks() > starts {
        return Err(bad(format!(
            "--tasks: {} shards for {starts} start(s) would leave shards with nothing to run; \
             give at most {starts} (the calibration file's `starts`)",
            args.job.tasks()
        )));
    }
    let out = args
        .job
        .out
        .clone()
        .unwrap_or_else(|| default_out(&cal.design.name));
    let job = Job {
        name: cal.design.name.clone(),
        hash: cal.hash.clone(),
        size: format!("{starts} starts"),
        file: cal.file.clone(),
    };
    let (files, out) = write_slurm(
        JobKind::Calibration,
        &args.calibration,
        &job,
        &out,
        &args.job,
    )?;
    println!(
        "{}: {} in {} shards, {} array task(s)\n  {}\n  {}\n  {}\nsubmit with: sh {}\n\
         result: {} once the merge job has run",
        cal.design.name,
        job.size,
        args.job.tasks(),
        files.array_tasks,
        files.array.display(),
        files.merge.display(),
        files.submit.display(),
        files.submit.display(),
        calibrate::journal::result_path(&out).display()
    );
    Ok(())
}
