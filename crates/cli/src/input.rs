//! Reading scenario files: every failure becomes a message naming the file and the field.

use anyhow::Result;
use cascade_sim::{prepare, Override, Scenario, ScenarioError};
use std::fmt;
use std::fs;
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

/// Reads a text file that the user named, refusing directories, anything but a regular file
/// (a FIFO, `/dev/zero`), more than `limit` bytes, and non-UTF-8 content.
pub fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String> {
    let shown = path.display();
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad(format!("{shown}: no such file")),
        _ => bad(format!("{shown}: cannot read: {e}")),
    })?;
    if meta.is_dir() {
        return Err(bad(format!("{shown}: is a directory, expected {what}")));
    }
    let limit = cascade_report::read::Limit { what, bytes: limit };
    let bytes = cascade_report::read::read_bounded(path, limit).map_err(report_error)?;
    String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "{shown}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads, overrides and validates a scenario file.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario> {
    let limit = cascade_sim::scenario::MAX_SCENARIO_BYTES as u64;
    let text = read_text(path, "a scenario file (.ron)", limit)?;
    let shown = path.display();
    let overrides = sets
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("{shown}: {e}")))?;
    prepare(&text, &overrides).map_err(|e| match e {
        ScenarioError::Parse(p) => match &p.field {
            Some(f) => bad(format!(
                "{shown}:{}:{}: field {f}: {}",
                p.line, p.column, p.message
            )),
            None => bad(format!("{shown}:{}:{}: {}", p.line, p.column, p.message)),
        },
        ScenarioError::Override(o) => bad(format!("{shown}: {o}")),
        ScenarioError::Invalid(v) => {
            let lines: Vec<String> = v.shown().iter().map(|l| format!("  {l}")).collect();
            bad(format!("{shown}: invalid scenario:\n{}", lines.join("\n")))
        }
    })
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
