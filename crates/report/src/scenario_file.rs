//! Reading a scenario for a run: the file (bounded, regular, UTF-8), the `path=value`
//! overrides and validation, every failure one message naming the file, the line or field,
//! and the reason. The CLI and the Python package read scenarios through here, so both say
//! the same thing about the same bad file.

use crate::read::{read_bounded, Limit};
use crate::ReportError;
use cascade_sim::{prepare, Override, Scenario, ScenarioError};
use std::fs;
use std::path::Path;

/// A scenario that cannot be run, as one message: `file:line:column: field f: reason`,
/// `file: invalid scenario:` and one problem per line, or `file: reason`. Always bad input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadScenario(pub String);

/// Reads a text file that the user named, refusing directories, anything but a regular file
/// (a FIFO, `/dev/zero`), more than `limit` bytes, and non-UTF-8 content.
pub fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String, ReportError> {
    let meta = fs::metadata(path).map_err(|e| ReportError::read(path, e))?;
    if meta.is_dir() {
        return Err(ReportError::input(
            path,
            format!("is a directory, expected {what}"),
        ));
    }
    let bytes = read_bounded(path, Limit { what, bytes: limit })?;
    String::from_utf8(bytes).map_err(|e| {
        ReportError::input(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads, overrides (`path=value` each) and validates the scenario file `path`.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, BadScenario> {
    let limit = cascade_sim::scenario::MAX_SCENARIO_BYTES as u64;
    let text =
        read_text(path, "a scenario file (.ron)", limit).map_err(|e| BadScenario(e.to_string()))?;
    prepare_text(&text, &path.display().to_string(), sets)
}

/// Overrides and validates scenario text; `shown` names it in messages (the file, or
/// `<scenario>` for text given directly).
pub fn prepare_text(text: &str, shown: &str, sets: &[String]) -> Result<Scenario, BadScenario> {
    let overrides = sets
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BadScenario(format!("{shown}: {e}")))?;
    prepare(text, &overrides).map_err(|e| BadScenario(describe(shown, &e)))
}

/// The message for a scenario error in `shown`.
pub fn describe(shown: &str, e: &ScenarioError) -> String {
    match e {
        ScenarioError::Parse(p) => match &p.field {
            Some(f) => format!("{shown}:{}:{}: field {f}: {}", p.line, p.column, p.message),
            None => format!("{shown}:{}:{}: {}", p.line, p.column, p.message),
        },
        ScenarioError::Override(o) => format!("{shown}: {o}"),
        ScenarioError::Invalid(v) => {
            let lines: Vec<String> = v.shown().iter().map(|l| format!("  {l}")).collect();
            format!("{shown}: invalid scenario:\n{}", lines.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_names_the_source_line_and_field() {
        let e = prepare_text("Scenario(name: 3)", "x.ron", &[]).unwrap_err();
        assert!(e.0.starts_with("x.ron:1:"), "{e}");
        assert!(e.0.contains("name"), "{e}");
    }

    #[test]
    fn a_bad_override_names_the_source() {
        let e = prepare_text("Scenario()", "y.ron", &["nonsense".into()]).unwrap_err();
        assert!(e.0.starts_with("y.ron: "), "{e}");
    }

    #[test]
    fn a_missing_file_and_a_folder_are_named() {
        let e = load(Path::new("/nonexistent/s.ron"), &[]).unwrap_err();
        assert_eq!(e.0, "/nonexistent/s.ron: no such file");
        let e = load(Path::new("/"), &[]).unwrap_err();
        assert_eq!(e.0, "/: is a directory, expected a scenario file (.ron)");
    }
}
