//! `cascade run`: simulate a scenario and write its run folder.

use crate::input::{bad, load, print_json, report_error, say};
use anyhow::{Context, Result};
use cascade_report::claim::claim_run_folder;
use cascade_report::{write_failed_run, write_run_with, Manifest, RunOptions};
use cascade_sim::scenario::{Budget, TRADE_FOOTPRINT_BYTES};
use cascade_sim::{Recording, Scenario, Simulation, TapeFull};
use clap::Args;
use std::path::{Path, PathBuf};
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
    /// Also write RUN_DIR/report.html (as `cascade report RUN_DIR` would).
    #[arg(long)]
    report: bool,
    /// Progress on stderr: a bar on a terminal, a line every few seconds elsewhere (auto), or
    /// always one of them, or none.
    #[arg(long, value_enum, default_value = "auto")]
    progress: crate::progress::ProgressMode,
    /// Memory the run may hold, MiB (default 4096): the trade tape gets what the samples,
    /// book snapshots and agents leave of it; a run whose tape would pass that stops, exit 2,
    /// and writes no folder. `cascade check` holds the certain part to 4 GiB whatever this is.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_BUDGET_MIB)]
    memory_budget_mib: u64,
    /// Print one JSON object on stdout (the folder, counts and the whole summary); messages
    /// go to stderr.
    #[arg(long)]
    pub json: bool,
}

/// The default of `--memory-budget-mib`: the budget `cascade check` admits runs on.
pub(crate) const DEFAULT_BUDGET_MIB: u64 = 4096;

/// The message for a run stopped by a full tape: the budget, the rows, the time reached and
/// what to change.
pub(crate) fn tape_full_message(scenario_file: &Path, budget_mib: u64, full: &TapeFull) -> String {
    format!(
        "{}: the trade tape filled the memory budget: {} rows recorded ({} bytes each at the \
         peak) by {:.3} s of the {:.3} s asked for, within the {budget_mib} MiB budget after \
         the samples, book snapshots and agents; the run stopped and no run folder was \
         written. Shorten duration_s, use fewer or slower agents, or raise \
         --memory-budget-mib if this machine has the memory",
        scenario_file.display(),
        full.rows,
        TRADE_FOOTPRINT_BYTES,
        full.time_ns as f64 / 1e9,
        full.end_ns as f64 / 1e9,
    )
}

/// Writes the folder of a finished simulation: with its manifest when the run holds, without
/// one (and an error, exit 1) when its audit failed, so a failed run never looks complete.
fn write_outcome(
    dir: &Path,
    scenario_file: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    recording: &Recording,
    options: RunOptions,
) -> Result<()> {
    if let Some(failure) = &recording.audit {
        write_failed_run(dir, manifest, scenario, recording, options)
            .with_context(|| format!("writing the run folder {}", dir.display()))?;
        anyhow::bail!(
            "{}: {failure} (the data is in {}, without manifest.json: not a complete run)",
            scenario_file.display(),
            dir.display()
        );
    }
    write_run_with(dir, manifest, scenario, recording, options)
        .with_context(|| format!("writing the run folder {}", dir.display()))?;
    Ok(())
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
    let existed = dir.exists();
    let lock = claim_run_folder(&dir, args.force)
        .map_err(report_error)
        .with_context(|| format!("run folder {}", dir.display()))?;

    let started = Instant::now();
    let budget_bytes = args.memory_budget_mib as f64 * 1024.0 * 1024.0;
    let cap = Budget::of(&scenario).tape_rows(budget_bytes);
    let recording = crate::progress::simulate(
        Simulation::new(&scenario, seed)
            .audit(args.audit)
            .tape_cap_rows(cap),
        &scenario.name,
        args.progress,
    );
    let elapsed = started.elapsed();
    if let Some(full) = &recording.tape_full {
        // Nothing of the run is written; a folder the claim created goes with the lock.
        drop(lock);
        if !existed {
            let _ = std::fs::remove_dir(&dir);
        }
        return Err(bad(tape_full_message(
            &args.scenario,
            args.memory_budget_mib,
            full,
        )));
    }

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
    write_outcome(
        &dir,
        &args.scenario,
        &manifest,
        &scenario,
        &recording,
        options,
    )?;
    let events = recording.counters.events_processed;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let json = args.json;
    say(
        json,
        &format!(
            "{}: {} events, {} in {:.3} s ({:.2} M events/s) -> {}",
            scenario.name,
            events,
            trades_said(&recording),
            secs,
            events as f64 / secs / 1e6,
            dir.display()
        ),
    );
    if args.audit {
        say(
            json,
            &format!("audit: the ledger held after all {events} events"),
        );
    }
    let report = if args.report {
        Some(crate::report_cmd::write_run_report(&dir, json)?)
    } else {
        None
    };
    if json {
        let summary = read_json(&dir.join("summary.json"))?;
        print_json(&serde_json::json!({
            "ok": true,
            "scenario": scenario.name,
            "seed": seed,
            "out": dir.display().to_string(),
            "events": events,
            "trades": recording.counters.trades,
            "trades_by_venue": trades_by_venue(&recording)
                .map(|(name, n)| (name.to_string(), serde_json::json!(n)))
                .collect::<serde_json::Map<_, _>>(),
            "elapsed_s": secs,
            "audit": args.audit.then_some("held"),
            "report": report.map(|p| p.display().to_string()),
            "warnings": scenario.warnings(),
            "summary": summary,
        }))?;
    }
    drop(lock);
    Ok(())
}

/// Each venue's name and trade count, the home venue first, then the scenario's `venues` in
/// order.
fn trades_by_venue(recording: &Recording) -> impl Iterator<Item = (&str, u64)> {
    std::iter::once(&recording.venue_name)
        .zip(std::iter::once(recording.counters.trades))
        .chain(
            recording
                .venues
                .iter()
                .map(|v| (&v.name, v.recording.counters.trades)),
        )
        .map(|(name, n)| (name.as_str(), n))
}

/// The trades of the run line: `N trades` on one venue; on several, the total and each
/// venue's (`N trades (perp-a 10, spot-x 5)`).
fn trades_said(recording: &Recording) -> String {
    let total: u64 = trades_by_venue(recording).map(|(_, n)| n).sum();
    if recording.venues.is_empty() {
        return format!("{total} trades");
    }
    let each: Vec<String> = trades_by_venue(recording)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    format!("{total} trades ({})", each.join(", "))
}

/// A JSON file the run just wrote, read back with the bounded reader.
fn read_json(path: &Path) -> Result<serde_json::Value> {
    let limit = cascade_report::read::SUMMARY;
    let bytes = cascade_report::read::read_bounded(path, limit).map_err(report_error)?;
    serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_sim::record::AuditError;

    const SMALL: &str = r#"Scenario(
        name: "t", duration_s: 5.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [
            Noise(name: "noise", count: 4, rate_per_s: 2.0, limit_weight: 1.0,
                  market_weight: 0.2, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                  size_min: 1, size_max: 5),
        ],
    )"#;

    /// The folder written for a real run of SMALL whose recording says `audit`, and the
    /// outcome.
    fn outcome(audit: Option<AuditError>) -> (tempfile::TempDir, Result<()>) {
        let scenario = cascade_sim::prepare(SMALL, &[]).unwrap();
        let mut recording = Simulation::new(&scenario, 3).audit(true).run();
        assert_eq!(recording.audit, None, "the real run holds its ledger");
        recording.audit = audit;
        let manifest = Manifest {
            cascade_version: "test".into(),
            scenario_name: scenario.name.clone(),
            scenario_file: "t.ron".into(),
            seed: 3,
            overrides: Vec::new(),
            scenario: scenario.to_ron().unwrap(),
            files: Vec::new(),
        };
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        // An earlier run's manifest, as a killed --force re-run could leave it.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("manifest.json"), "{\"old\": true}").unwrap();
        let options = RunOptions { charts: false };
        let result = write_outcome(
            &dir,
            Path::new("t.ron"),
            &manifest,
            &scenario,
            &recording,
            options,
        );
        (tmp, result)
    }

    #[test]
    fn a_run_whose_audit_failed_exits_1_and_writes_its_data_but_no_manifest() {
        let failure = AuditError {
            event: 17,
            time_ns: 1_000,
            what: "Arrive".into(),
            reason: "cash + collateral changed by 1 unit".into(),
        };
        let (tmp, result) = outcome(Some(failure));
        let e = result.expect_err("a failed audit is a failed run");
        assert_eq!(crate::input::exit_code(&e), 1, "{e:#}");
        assert!(
            format!("{e:#}").contains("cash + collateral changed"),
            "{e:#}"
        );
        let dir = tmp.path().join("run");
        assert!(dir.join("summary.json").is_file());
        assert!(dir.join("series.csv").is_file());
        assert!(!dir.join("manifest.json").exists());
    }

    #[test]
    fn the_run_line_says_every_venues_trades() {
        let mut r = Recording {
            venue_name: "home".into(),
            ..Recording::default()
        };
        r.counters.trades = 12;
        assert_eq!(trades_said(&r), "12 trades", "one venue: as it always said");
        for (name, n, spot) in [("perp-b", 30, false), ("spot-x", 5, true)] {
            let mut recording = Recording::default();
            recording.counters.trades = n;
            r.venues.push(cascade_sim::VenueRecording {
                name: name.into(),
                spot,
                recording,
            });
        }
        assert_eq!(trades_said(&r), "47 trades (home 12, perp-b 30, spot-x 5)");
        let each: Vec<(&str, u64)> = trades_by_venue(&r).collect();
        assert_eq!(each, [("home", 12), ("perp-b", 30), ("spot-x", 5)]);
    }

    #[test]
    fn a_run_whose_audit_held_writes_its_manifest() {
        let (tmp, result) = outcome(None);
        result.unwrap();
        let manifest = std::fs::read_to_string(tmp.path().join("run").join("manifest.json"));
        assert!(
            manifest.unwrap().contains("\"test\""),
            "the new run's manifest"
        );
    }
}
