//! Reading scenario files: every failure becomes a message naming the file and the field.

use anyhow::Result;
use cascade_sim::{prepare, Scenario};
use std::fmt;
use std::path::Path;

/// Marks an error as bad input (exit code 2).
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// A bad-input error with this message.
pub fn bad(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

/// 2 for bad input anywhere in the chain, 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if e.chain().any(|c| c.is::<BadInput>()) {
        2
    } else {
        1
    }
}

/// The scenario a run folder's manifest.json holds, validated; bad input naming the file and
/// the field when it is not one.
pub fn manifest_scenario(dir: &Path, manifest: &cascade_report::RunManifest) -> Result<Scenario> {
    prepare(&manifest.scenario, &[]).map_err(|e| {
        bad(format!(
            "{}: field scenario: not a valid scenario: {e}",
            dir.join("manifest.json").display()
        ))
    })
}

/// Reads, overrides and validates a scenario file; refuses Python agents, which the CLI
/// cannot host.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario> {
    let scenario = cascade_report::scenario_file::load(path, sets).map_err(|e| bad(e.0))?;
    scenario
        .refuse_external()
        .map_err(|reason| bad(format!("{}: {reason}", path.display())))?;
    Ok(scenario)
}

/// `cascade check`: validate and describe.
pub fn check(path: &Path, sets: &[String]) -> Result<()> {
    let s = load(path, sets)?;
    println!(
        "ok: {} — scenario {:?}, {} agents in {} groups, {} s simulated",
        path.display(),
        s.name,
        s.agent_count(),
        s.agents.len(),
        s.duration_s
    );
    Ok(())
}

/// A run-folder error for the CLI: a missing or malformed file to read is bad input (exit 2),
/// a failure to write is a failed run (exit 1).
pub fn report_error(e: cascade_report::ReportError) -> anyhow::Error {
    if e.is_bad_input() {
        bad(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}
