//! `cascade run`: simulate a scenario and write its run folder.

use crate::input::{load, report_error};
use anyhow::{Context, Result};
use cascade_report::claim::claim_run_folder;
use cascade_report::{write_failed_run, write_run_with, Manifest, RunOptions};
use cascade_sim::Simulation;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `cascade run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (RON).
    scenario: PathBuf,
    /// Run seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Run folder (default: output/<scenario name>/seed-<seed>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override a scenario field: path=value (repeatable), e.g. agents[0].rate_per_s=2.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Do not draw the charts (RUN_DIR/charts); `cascade plot` can draw them later.
    #[arg(long)]
    no_charts: bool,
    /// Check the ledger invariant after every event; stop with exit 1 at the first violation
    /// (the folder then holds the data but no manifest.json).
    #[arg(long)]
    audit: bool,
    /// Replace the run already in the folder (its files are removed first), or clear the lock
    /// a killed run left. A folder that is not a run folder is never written.
    #[arg(long)]
    force: bool,
}

/// Runs the scenario and writes the folder.
pub fn run(args: &RunArgs) -> Result<()> {
    let scenario = load(&args.scenario, &args.set)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join(&scenario.name)
            .join(format!("seed-{seed}"))
    });

    // Claimed before the simulation, so a refused folder costs nothing; held until written.
    let _lock = claim_run_folder(&dir, args.force)
        .map_err(report_error)
        .with_context(|| format!("run folder {}", dir.display()))?;

    let started = Instant::now();
    let recording = crate::progress::simulate(
        Simulation::new(&scenario, seed).audit(args.audit),
        &scenario.name,
    );
    let elapsed = started.elapsed();

    let manifest = Manifest::of_run(
        &scenario,
        &args.scenario.display().to_string(),
        seed,
        args.set.clone(),
    )
    .map_err(anyhow::Error::msg)?;
    let options = RunOptions {
        charts: !args.no_charts,
    };
    if let Some(failure) = &recording.audit {
        write_failed_run(&dir, &manifest, &scenario, &recording, options)
            .with_context(|| format!("writing the run folder {}", dir.display()))?;
        anyhow::bail!(
            "{}: {failure} (the data is in {}, without manifest.json: not a complete run)",
            args.scenario.display(),
            dir.display()
        );
    }
    write_run_with(&dir, &manifest, &scenario, &recording, options)
        .with_context(|| format!("writing the run folder {}", dir.display()))?;
    let events = recording.counters.events_processed;
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "{}: {} events, {} trades in {:.3} s ({:.2} M events/s) -> {}",
        scenario.name,
        events,
        recording.counters.trades,
        secs,
        events as f64 / secs / 1e6,
        dir.display()
    );
    if args.audit {
        println!("audit: the ledger held after all {events} events");
    }
    Ok(())
}
