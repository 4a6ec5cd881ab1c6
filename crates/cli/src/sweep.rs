//! `cascade sweep`: run a sweep on a local thread pool, merge shard folders, write Slurm
//! scripts.

use crate::input::bad;
use anyhow::{Context, Result};
use cascade_sweep::slurm::{check, write_scripts, Job, JobKind, SlurmFiles, SlurmOptions};
use cascade_sweep::{execute, ExecOptions, Progress, RunRecord, Shard, SweepError};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `cascade sweep`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    command: Option<SweepCommand>,
    #[command(flatten)]
    run: RunSweepArgs,
}

/// Arguments of a sweep run.
#[derive(Args, Debug)]
struct RunSweepArgs {
    /// The sweep file (RON, under scenarios/sweeps/).
    #[arg(required = true)]
    sweep: Option<PathBuf>,
    /// Output folder (default: output/sweeps/<name>, or .../shard-I-of-N with --shard).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads, at most 16 per core (default: SLURM_CPUS_PER_TASK when set, else
    /// every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Run only slice I of N (runs whose index is I modulo N), e.g. 0/4.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Continue the sweep in --out, skipping its finished runs.
    #[arg(long)]
    resume: bool,
    /// Also keep every run's full run folder under OUT/runs/.
    #[arg(long)]
    keep_runs: bool,
    /// Print one JSON object on stdout (run counts and the files written); messages go to
    /// stderr.
    #[arg(long)]
    json: bool,
}

impl SweepArgs {
    /// True when a sweep run was asked for JSON on stdout.
    pub fn json(&self) -> bool {
        self.command.is_none() && self.run.json
    }
}

#[derive(Subcommand, Debug)]
enum SweepCommand {
    /// Join shard folders into one sweep folder (the results of a single-machine sweep).
    Merge {
        /// The shard folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged sweep folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write an sbatch job array that runs the shards, and a merge job that depends on it.
    Slurm(SlurmArgs),
    /// Chart a sweep folder into DIR/charts: heatmaps over two axes, bands along each axis
    /// (also `cascade plot DIR`).
    Plot {
        /// The sweep folder.
        dir: PathBuf,
        /// A metric to chart, e.g. price.max_drawdown_pct (repeatable; default: headline
        /// metrics).
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// Image format.
        #[arg(long, value_enum, default_value = "both")]
        format: crate::plot::Format,
    },
}

/// Arguments of `cascade sweep slurm`.
#[derive(Args, Debug)]
struct SlurmArgs {
    /// The sweep file (RON).
    sweep: PathBuf,
    #[command(flatten)]
    job: SlurmJobArgs,
}

/// The options `sweep slurm` and `calibrate slurm` share.
#[derive(Args, Debug)]
pub(crate) struct SlurmJobArgs {
    /// Number of shards (array tasks, unless --chunk packs several into one).
    #[arg(long)]
    tasks: u32,
    /// Shards run one after the other by each array task (keeps the array under Slurm's
    /// MaxArraySize, 1001 by default).
    #[arg(long, default_value_t = 1)]
    chunk: u32,
    /// Slurm partition: a name of letters, digits, '-', '_', '.' (or a comma-separated list).
    #[arg(long)]
    partition: Option<String>,
    /// Time limit of each array task: minutes, minutes:seconds, hours:minutes:seconds,
    /// days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED.
    #[arg(long)]
    time: Option<String>,
    /// Cores per array task (the shard's threads).
    #[arg(long, default_value_t = 1)]
    cpus_per_task: u32,
    /// Output folder on a file system the nodes share (default: output/sweeps/<name>, or
    /// output/calibrations/<name>).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// The cascade binary the nodes run (default: this one).
    #[arg(long)]
    cascade: Option<PathBuf>,
}

impl SlurmJobArgs {
    /// Number of shards asked for.
    pub(crate) fn tasks(&self) -> u32 {
        self.tasks
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

/// Runs `cascade sweep …`.
pub fn sweep(args: SweepArgs) -> Result<()> {
    match args.command {
        Some(SweepCommand::Merge { dirs, out }) => merge(&dirs, &out),
        Some(SweepCommand::Slurm(a)) => slurm(&a),
        Some(SweepCommand::Plot {
            dir,
            metrics,
            format,
        }) => plot(&dir, &metrics, format),
        None => run(&args.run),
    }
}

/// A library error as bad input (exit 2) or a failure (exit 1).
pub fn lift(e: SweepError) -> anyhow::Error {
    if e.is_bad_input() {
        bad(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}

/// The worker threads: `--threads`, else SLURM_CPUS_PER_TASK when set, else every core;
/// a count above the cap ([`cascade_sweep::max_threads`]) is refused naming where it came from.
pub fn threads(given: Option<usize>) -> Result<usize> {
    let slurm = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    let (source, n) = match (given, slurm) {
        (Some(n), _) => ("--threads", n),
        (None, Some(n)) => ("SLURM_CPUS_PER_TASK", n),
        (None, None) => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            return Ok(cores);
        }
    };
    cascade_sweep::check_threads(n).map_err(|reason| bad(format!("{source}: {reason}")))?;
    Ok(n)
}

fn default_out(name: &str) -> PathBuf {
    PathBuf::from("output").join("sweeps").join(name)
}

fn run(args: &RunSweepArgs) -> Result<()> {
    let Some(file) = args.sweep.as_deref() else {
        return Err(bad("name a sweep file"));
    };
    let threads = threads(args.threads)?;
    let plan = cascade_sweep::load(file).map_err(lift)?;
    let warnings = warn(&plan);
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let out = args.out.clone().unwrap_or_else(|| {
        let d = default_out(&plan.design.name);
        if shard == Shard::WHOLE {
            d
        } else {
            d.join(format!("shard-{}-of-{}", shard.index, shard.count))
        }
    });
    let opts = ExecOptions {
        threads,
        shard,
        resume: args.resume,
        keep_runs: args.keep_runs,
    };
    let bar = Bar::new(std::io::stderr().is_terminal());
    let started = Instant::now();
    let outcome = execute(&plan, &out, &opts, &bar).map_err(lift)?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    crate::input::say(
        args.json,
        &format!(
            "{}: {} runs ({} done now, {} already done, {} failed) on {} threads in {:.2} s \
             ({:.1} runs/s) -> {}",
            plan.design.name,
            outcome.runs,
            outcome.ran,
            outcome.skipped,
            outcome.failed,
            threads,
            secs,
            outcome.ran as f64 / secs,
            out.display()
        ),
    );
    if outcome.failed > 0 {
        eprintln!(
            "warning: {} run(s) failed; see the status and error columns of {}",
            outcome.failed,
            out.join("results.csv").display()
        );
    }
    if args.json {
        let path = |name: &str| out.join(name).display().to_string();
        crate::input::print_json(&serde_json::json!({
            "ok": true,
            "name": plan.design.name,
            "hash": plan.hash,
            "out": out.display().to_string(),
            "shard": format!("{}/{}", shard.index, shard.count),
            "threads": threads,
            "runs": outcome.runs,
            "ran": outcome.ran,
            "skipped": outcome.skipped,
            "failed": outcome.failed,
            "elapsed_s": secs,
            "warnings": warnings,
            "files": {
                "sweep": path("sweep.json"),
                "runs_log": path("runs.jsonl"),
                "results_csv": path("results.csv"),
                "results_parquet": path("results.parquet"),
                "aggregate_csv": path("aggregate.csv"),
                "aggregate_parquet": path("aggregate.parquet"),
                "runs": args.keep_runs.then(|| path("runs")),
            },
        }))?;
    }
    Ok(())
}

fn merge(dirs: &[PathBuf], out: &Path) -> Result<()> {
    let merged = cascade_sweep::merge(dirs, out).map_err(lift)?;
    println!(
        "{}: merged {} runs from {} folders ({} failed) -> {}",
        merged.name,
        merged.runs,
        dirs.len(),
        merged.failed,
        out.display()
    );
    Ok(())
}

/// Prints the sweep's warnings on stderr, each naming the sweep file, and returns them.
fn warn(plan: &cascade_sweep::Plan) -> Vec<String> {
    let warnings = plan.warnings();
    for w in &warnings {
        eprintln!("warning: {}: {w}", plan.file);
    }
    warnings
}

fn slurm(args: &SlurmArgs) -> Result<()> {
    let plan = cascade_sweep::load(&args.sweep).map_err(lift)?;
    let _ = warn(&plan);
    let out = args
        .job
        .out
        .clone()
        .unwrap_or_else(|| default_out(&plan.design.name));
    let job = Job::of_plan(&plan);
    let (files, out) = write_slurm(JobKind::Sweep, &args.sweep, &job, &out, &args.job)?;
    println!(
        "{}: {} in {} shards, {} array task(s)\n  {}\n  {}\n  {}\nsubmit with: sh {}\n\
         results: {} once the merge job has run",
        plan.design.name,
        job.size,
        args.job.tasks,
        files.array_tasks,
        files.array.display(),
        files.merge.display(),
        files.submit.display(),
        files.submit.display(),
        out.join("results.csv").display()
    );
    Ok(())
}

/// Checks the options and writes the three scripts of `job` under `out/slurm/`; returns the
/// files and `out` made absolute.
pub(crate) fn write_slurm(
    kind: JobKind,
    file: &Path,
    job: &Job,
    out: &Path,
    args: &SlurmJobArgs,
) -> Result<(SlurmFiles, PathBuf)> {
    let cascade = match &args.cascade {
        Some(p) => p.clone(),
        None => std::env::current_exe().context("finding the cascade binary")?,
    };
    let mut opts = SlurmOptions {
        kind,
        cascade,
        file: file.to_path_buf(),
        out: out.to_path_buf(),
        tasks: args.tasks,
        chunk: args.chunk,
        cpus_per_task: args.cpus_per_task.max(1),
        partition: args.partition.clone(),
        time: args.time.clone(),
    };
    // Every value as given is checked before anything is created; write_scripts checks the
    // absolute forms again (the working folder's path joins them).
    check(&opts).map_err(bad)?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("creating the {} folder {}", kind.noun(), out.display()))?;
    let canonical = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("resolving {}", p.display()))
    };
    opts.file = canonical(file)?;
    opts.out = canonical(out)?;
    // Not resolved through links: the binary may exist only on the nodes.
    opts.cascade = std::path::absolute(&opts.cascade)
        .with_context(|| format!("resolving {}", opts.cascade.display()))?;
    let files = write_scripts(job, &opts).map_err(lift)?;
    Ok((files, opts.out))
}

/// True when `dir` holds a sweep (its sweep.json), so `cascade plot` charts the sweep.
pub fn is_sweep_dir(dir: &Path) -> bool {
    dir.join("sweep.json").is_file()
}

/// Charts a sweep folder into DIR/charts.
pub fn plot(dir: &Path, metrics: &[String], format: crate::plot::Format) -> Result<()> {
    let _lock = cascade_report::claim::lock_folder(dir).map_err(crate::input::report_error)?;
    let files = cascade_sweep::chart::write_charts(dir, metrics, format.formats()).map_err(lift)?;
    println!("{} charts -> {}", files.len(), dir.join("charts").display());
    Ok(())
}

/// The progress bar (on a terminal) or nothing.
pub(crate) struct Bar(Option<ProgressBar>);

impl Bar {
    pub(crate) fn new(on: bool) -> Self {
        Bar(on.then(|| {
            let bar = ProgressBar::new(0);
            let style =
                ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {rate}  ETA {eta}  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .with_key(
                        "rate",
                        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.1} runs/s", s.per_sec());
                        },
                    );
            bar.set_style(style);
            bar
        }))
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64, done: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
            b.set_position(done);
            b.reset_eta();
        }
    }

    fn run_done(&self, record: &RunRecord) {
        if let Some(b) = &self.0 {
            if record.status == cascade_sweep::Status::Failed {
                b.set_message("(some runs failed)");
            }
            b.inc(1);
        }
    }
}
