//! `cascade calibrate CALIBRATION.ron [--out DIR] [--threads N] [--resume] [--json]`: the
//! method of simulated moments over a sweep's machinery (cascade_sweep::calibrate).

use crate::sweep::{lift, threads};
use anyhow::Result;
use cascade_sweep::calibrate::journal::Candidate;
use cascade_sweep::calibrate::{self, Options, Progress};
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `cascade calibrate`.
#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// The calibration file (RON, under scenarios/calibrations/).
    calibration: PathBuf,
    /// Output folder (default: output/calibrations/<name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads, at most 16 per core (default: SLURM_CPUS_PER_TASK when set, else every
    /// core).
    #[arg(long)]
    threads: Option<usize>,
    /// Continue the calibration in --out: replay its journal, then go on.
    #[arg(long)]
    resume: bool,
    /// Print calibration.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// A line on stderr every 5 s: candidates, runs, the best objective so far.
struct Lines {
    started: Instant,
    last: std::cell::Cell<Instant>,
}

impl Progress for Lines {
    fn candidate(&self, c: &Candidate, best: Option<f64>, replayed: bool) {
        if replayed || self.last.get().elapsed() < Duration::from_secs(5) {
            return;
        }
        self.last.set(Instant::now());
        eprintln!(
            "calibrate: {} candidates ({} runs), best objective {}, {:.1} s elapsed",
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

/// Runs `cascade calibrate`.
pub fn calibrate(args: &CalibrateArgs) -> Result<()> {
    let threads = threads(args.threads)?;
    let cal = calibrate::load(&args.calibration).map_err(lift)?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join("calibrations")
            .join(&cal.design.name)
    });
    let opts = Options {
        threads,
        resume: args.resume,
    };
    let lines = Lines {
        started: Instant::now(),
        last: std::cell::Cell::new(Instant::now()),
    };
    let started = Instant::now();
    let outcome = calibrate::calibrate(&cal, &out, &opts, &lines).map_err(lift)?;
    let wall = started.elapsed().as_secs_f64();
    let path = calibrate::journal::result_path(&out);
    if args.json {
        let bytes = cascade_report::json::json_bytes(&outcome.result)?;
        print!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    }
    let r = &outcome.result;
    println!(
        "{}: {} candidates ({} replayed from the journal), {} runs now on {} threads in {:.2} s; \
         stopped: {}",
        cal.design.name,
        outcome.candidates,
        outcome.replayed,
        outcome.runs,
        threads,
        wall,
        r["stopped"].as_str().unwrap_or("?")
    );
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
    println!("-> {}", path.display());
    Ok(())
}
