//! Reading scenario files: every failure becomes a message naming the file and the field.

use anyhow::Result;
use cascade_report::scenario_file::{describe, read_text};
use cascade_sim::scenario::MAX_SCENARIO_BYTES;
use cascade_sim::{prepare, Override, Scenario, ScenarioError};
use clap::Args;
use serde::Serialize;
use serde_json::json;
use std::fmt;
use std::path::{Path, PathBuf};

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
    if e.chain().any(|c| c.is::<BadInput>() || c.is::<Problems>()) {
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
/// cannot host. Bad input naming the file and the field, each problem kept for `--json`.
/// What the scenario's `warnings` say goes to stderr, naming the file.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario> {
    let s = load_checked(path, sets)?;
    for w in s.warnings() {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(s)
}

/// Arguments of `cascade check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The scenario file (RON).
    scenario: PathBuf,
    /// Override a scenario field before validating: path=value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Print one JSON object on stdout: `ok`, the scenario's figures, or the problems (each
    /// with file, line, column, field and reason).
    #[arg(long)]
    pub json: bool,
}

/// One problem of a scenario file, as `check --json` lists it.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file (or `<scenario>`).
    file: String,
    /// 1-based line, for problems found while reading the text.
    line: Option<usize>,
    /// 1-based column, with `line`.
    column: Option<usize>,
    /// The field's path (`agents[1].rate_per_s`), when one is to blame.
    field: Option<String>,
    /// What is wrong.
    reason: String,
}

/// A scenario that cannot run: the message (as `cascade run` gives it) and each problem. Bad
/// input (exit 2).
#[derive(Debug)]
pub struct Problems {
    message: String,
    problems: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problems {}

impl Problems {
    fn one(file: &str, field: Option<String>, reason: String, message: String) -> Self {
        let problems = vec![Problem {
            file: file.to_string(),
            line: None,
            column: None,
            field,
            reason,
        }];
        Self { message, problems }
    }

    fn of(file: &str, e: &ScenarioError) -> Self {
        let problem = |line, column, field, reason| Problem {
            file: file.to_string(),
            line,
            column,
            field,
            reason,
        };
        let problems = match e {
            ScenarioError::Parse(p) => vec![problem(
                Some(p.line),
                Some(p.column),
                p.field.clone(),
                p.message.clone(),
            )],
            ScenarioError::Override(o) => vec![problem(None, None, None, o.to_string())],
            ScenarioError::Invalid(v) => {
                v.0.iter()
                    .map(|f| problem(None, None, Some(f.path.clone()), f.reason.clone()))
                    .collect()
            }
        };
        Self {
            message: describe(file, e),
            problems,
        }
    }
}

/// What `load` does, keeping each problem apart for `check --json`; the messages are the same.
fn load_checked(path: &Path, sets: &[String]) -> std::result::Result<Scenario, Problems> {
    let shown = path.display().to_string();
    let text = read_text(path, "a scenario file (.ron)", MAX_SCENARIO_BYTES as u64)
        .map_err(|e| Problems::one(&shown, None, e.to_string(), e.to_string()))?;
    let overrides = sets
        .iter()
        .map(|s| Override::parse(s))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Problems::one(&shown, None, e.to_string(), format!("{shown}: {e}")))?;
    let scenario = prepare(&text, &overrides).map_err(|e| Problems::of(&shown, &e))?;
    scenario.refuse_external().map_err(|reason| {
        Problems::one(
            &shown,
            Some("agents".into()),
            reason.clone(),
            format!("{shown}: {reason}"),
        )
    })?;
    Ok(scenario)
}

/// `cascade check`: validate and describe.
pub fn check(args: &CheckArgs) -> Result<()> {
    let path = &args.scenario;
    let s = load(path, &args.set)?;
    if args.json {
        return print_json(&json!({
            "ok": true,
            "file": path.display().to_string(),
            "scenario": s.name,
            "seed": s.seed,
            "venue": s.venue.name(),
            "duration_s": s.duration_s,
            "agents": s.agent_count(),
            "groups": s.groups().count(),
            "venues": 1 + s.venues.len(),
            "problems": [],
            "warnings": s.warnings(),
        }));
    }
    let venues = if s.venues.is_empty() {
        String::new()
    } else {
        format!(" on {} venues", 1 + s.venues.len())
    };
    println!(
        "ok: {} — scenario {:?}, {} agents in {} groups{venues}, {} s simulated",
        path.display(),
        s.name,
        s.agent_count(),
        s.groups().count(),
        s.duration_s
    );
    Ok(())
}

/// A line for people: on stdout, or on stderr under `--json` (stdout then holds only the
/// JSON object).
pub fn say(json: bool, text: &str) {
    if json {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}

/// One JSON object on stdout, pretty, with a final newline (as `stats --json` prints).
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    emit(&cascade_report::json::json_bytes(value)?)
}

/// Bytes to stdout; a reader that went away (`| head`) is not an error.
pub fn emit(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Under `--json`, a failure is also one JSON object on stdout: `ok: false`, the exit code,
/// the message (as on stderr) and, for a scenario, its problems.
pub fn print_json_error(e: &anyhow::Error, code: u8) {
    let problems = e
        .chain()
        .find_map(|c| c.downcast_ref::<Problems>())
        .map(|p| &p.problems);
    let value = json!({
        "ok": false,
        "exit_code": code,
        "error": format!("{e:#}"),
        "problems": problems,
    });
    // Nothing more can be said if stdout is gone.
    let _ = print_json(&value);
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
