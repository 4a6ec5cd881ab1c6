//! `cascade replay RUN_DIR`: run again from the folder's manifest alone and verify every file.

use anyhow::{anyhow, Context, Result};
use cascade_report::verify::verify_folder;
use cascade_report::{write_run_with, RunManifest, RunOptions};
use cascade_sim::Simulation;
use std::path::Path;

/// Replays the run in `dir` into a scratch folder and compares. Prints "verified" on a match;
/// on a mismatch, names each differing file and where it first differs (exit 1).
pub fn replay(dir: &Path) -> Result<()> {
    let manifest = RunManifest::read(dir).map_err(crate::input::report_error)?;
    let scenario = crate::input::manifest_scenario(dir, &manifest)?;
    scenario.refuse_external().map_err(|reason| {
        crate::input::bad(format!(
            "{}: field scenario: {reason}",
            dir.join("manifest.json").display()
        ))
    })?;
    let label = format!("replay {}", dir.display());
    let recording = crate::progress::simulate(
        Simulation::new(&scenario, manifest.seed),
        &label,
        crate::progress::ProgressMode::Auto,
    );
    if let Some(full) = &recording.tape_full {
        // A run made with a larger --memory-budget-mib than the default replays to the cap.
        let budget = crate::run::DEFAULT_BUDGET_MIB;
        let shown = dir.join("manifest.json");
        return Err(crate::input::bad(crate::run::tape_full_message(
            &shown, budget, full,
        )));
    }

    let scratch = tempfile::Builder::new()
        .prefix("cascade-replay-")
        .tempdir()
        .context("creating a scratch folder for the replay")?;
    let options = RunOptions {
        charts: manifest.charts,
    };
    let replayed = write_run_with(
        scratch.path(),
        &manifest.request(),
        &scenario,
        &recording,
        options,
    )
    .context("writing the replay")?;
    let mismatches = verify_folder(&manifest, dir, &replayed.manifest, scratch.path());
    if mismatches.is_empty() {
        println!("verified");
        return Ok(());
    }
    for m in &mismatches {
        eprintln!("mismatch: {}", dir.join(&m.file).display());
        eprintln!("  {}", m.detail);
    }
    let mut message = format!(
        "{}: the replay does not match: {} of {} files differ ({})",
        dir.display(),
        mismatches.len(),
        manifest.files.len(),
        mismatches
            .iter()
            .map(|m| m.file.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let this = &replayed.manifest;
    if manifest.cascade_version != this.cascade_version || manifest.git_commit != this.git_commit {
        message.push_str(&format!(
            "; note: the folder was written by cascade {} ({}), this is {} ({})",
            manifest.cascade_version,
            manifest.git_commit.as_deref().unwrap_or("commit unknown"),
            this.cascade_version,
            this.git_commit.as_deref().unwrap_or("commit unknown"),
        ));
    }
    Err(anyhow!(message))
}
