//! `cascade new NAME [--from SCENARIO] [--force]`: write NAME.ron, a commented scenario to
//! start from — a small leveraged market, or a shipped scenario (by name) or any scenario
//! file (by path) renamed NAME.
//!
//! The file is the scenario as `to_ron` writes it (every field, with its value), and above
//! each field a comment generated from the scenario's JSON Schema: its meaning, unit and the
//! range `cascade check` accepts. The source is validated first, so what is written checks.

use crate::input::{bad, report_error};
use anyhow::Result;
use cascade_report::scenario_file::{prepare_text, read_text};
use cascade_sim::scenario::schema::{scenario_schema, BY_VENUE};
use cascade_sim::scenario::MAX_SCENARIO_BYTES;
use clap::Args;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Arguments of `cascade new`.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The scenario's name; writes NAME.ron (NAME may include a folder: runs/mine → runs/mine.ron).
    name: PathBuf,
    /// Start from a shipped scenario (flash-cascade, baseline, calm, …) or a scenario file,
    /// instead of the small leveraged market.
    #[arg(long, value_name = "SCENARIO")]
    from: Option<String>,
    /// Replace NAME.ron if it exists.
    #[arg(long)]
    force: bool,
}

/// The default start: a small leveraged market hit by a sell program.
const TEMPLATE: &str = include_str!("../assets/new-scenario.ron");

/// The shipped scenarios `--from` knows by name (built into the binary, so it works anywhere).
const SHIPPED: &[(&str, &str)] = &[
    ("baseline", include_str!("../../../scenarios/baseline.ron")),
    (
        "flash-cascade",
        include_str!("../../../scenarios/flash-cascade.ron"),
    ),
    ("calm", include_str!("../../../scenarios/calm.ron")),
    ("adl", include_str!("../../../scenarios/adl.ron")),
    (
        "stylized-facts",
        include_str!("../../../scenarios/stylized-facts.ron"),
    ),
    (
        "stylized-facts-unlevered",
        include_str!("../../../scenarios/stylized-facts-unlevered.ron"),
    ),
    (
        "2025-10-10",
        include_str!("../../../scenarios/2025-10-10.ron"),
    ),
    (
        "reference-market",
        include_str!("../../../scenarios/reference-market.ron"),
    ),
];

/// Where NAME goes: NAME.ron (NAME already ending in .ron is kept), and the scenario's name.
fn target(name: &Path) -> Result<(PathBuf, String)> {
    let path = if name.extension().is_some_and(|e| e == "ron") {
        name.to_path_buf()
    } else {
        let mut p = name.as_os_str().to_owned();
        p.push(".ron");
        PathBuf::from(p)
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    // The scenario name rule (it names the run folder), as a sweep's name follows it.
    cascade_sweep::spec::check_name(&stem).map_err(|reason| {
        bad(format!(
            "NAME {:?}: {}",
            name.display().to_string(),
            reason.trim_start_matches("field name: ")
        ))
    })?;
    Ok((path, stem))
}

/// The source text and how to name it.
fn source(from: Option<&str>) -> Result<(String, String)> {
    let Some(from) = from else {
        return Ok((TEMPLATE.to_string(), "a small leveraged market".to_string()));
    };
    if let Some((name, text)) = SHIPPED.iter().find(|(n, _)| *n == from) {
        return Ok((text.to_string(), format!("the shipped scenario {name}")));
    }
    let path = Path::new(from);
    if path.symlink_metadata().is_err() {
        let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
        return Err(bad(format!(
            "--from {from}: neither a shipped scenario ({}) nor a file",
            names.join(", ")
        )));
    }
    let text = read_text(path, "a scenario file (.ron)", MAX_SCENARIO_BYTES as u64)
        .map_err(report_error)?;
    Ok((text, path.display().to_string()))
}

/// Writes NAME.ron.
pub fn new(args: &NewArgs) -> Result<()> {
    let (path, name) = target(&args.name)?;
    if path.symlink_metadata().is_ok() && !args.force {
        return Err(bad(format!(
            "{}: already exists; pass --force to replace it",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(bad(format!("{}: is a directory", path.display())));
    }
    let (text, from) = source(args.from.as_deref())?;
    let mut scenario = prepare_text(&text, &from, &[]).map_err(|e| bad(e.0))?;
    scenario.name = name.clone();
    let body = scenario
        .to_ron()
        .map_err(|e| anyhow::anyhow!("writing the scenario: {e}"))?;
    let header = format!(
        "// {name}: a scenario to start from, written by `cascade new` from {from}.\n\
         // Every field is written out with its value; the comment above a field says what it \
         means,\n// its unit and the range `cascade check` accepts. All fields: \
         docs/scenario-reference.md\n// or `cascade schema`. Check it with `cascade check {0}`, \
         run it with `cascade run {0}`.\n",
        path.display()
    );
    let out = format!("{header}{}", annotate(&body, &scenario_schema()));
    cascade_report::atomic::write_bytes(&path, out.as_bytes()).map_err(report_error)?;
    eprintln!("wrote {} (from {from})", path.display());
    Ok(())
}

/// What one RON type name (`Latency`, a variant such as `Noise` or `EmaMid`) holds: its fields
/// and its description.
struct Shape<'a> {
    fields: Option<&'a Map<String, Value>>,
    description: Option<&'a str>,
}

/// Every struct and variant of the schema by the name RON writes before its `(`.
fn shapes(schema: &Value) -> BTreeMap<String, Shape<'_>> {
    fn props(v: &Value) -> Option<&Map<String, Value>> {
        v.get("properties").and_then(Value::as_object)
    }
    fn desc(v: &Value) -> Option<&str> {
        v.get("description").and_then(Value::as_str)
    }
    let mut out = BTreeMap::new();
    out.insert(
        "Scenario".to_string(),
        Shape {
            fields: props(schema),
            description: desc(schema),
        },
    );
    let defs = schema.get("$defs").and_then(Value::as_object);
    for (name, def) in defs.into_iter().flatten() {
        if props(def).is_some() {
            out.insert(
                name.clone(),
                Shape {
                    fields: props(def),
                    description: desc(def),
                },
            );
        }
        for variant in def
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some((tag, inner)) = props(variant).and_then(|p| p.iter().next()) else {
                continue;
            };
            let target = inner
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| schema.pointer(&r.replace("#/", "/")))
                .unwrap_or(inner);
            out.insert(
                tag.clone(),
                Shape {
                    fields: props(target),
                    description: desc(variant),
                },
            );
        }
    }
    out
}

/// The RON body with a comment above each field (and each agent kind or shock variant).
fn annotate(body: &str, schema: &Value) -> String {
    let shapes = shapes(schema);
    let mut stack: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in body.lines().filter(|l| !l.starts_with("#![")) {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with(')') || trimmed.starts_with(']') {
            stack.pop();
        }
        let field = trimmed
            .split_once(':')
            .map(|(f, _)| f)
            .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let within = stack.last().and_then(|t| shapes.get(t));
        let comment = match (field, within) {
            (Some(f), Some(shape)) => shape.fields.and_then(|m| m.get(f)).map(field_comment),
            // A variant opening a list entry: `Noise(`, `MarketSell(`.
            (None, _) if trimmed.ends_with('(') => shapes
                .get(opened(trimmed))
                .and_then(|s| s.description)
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
            _ => None,
        };
        if let Some(c) = comment {
            for l in wrap(&c, 96usize.saturating_sub(indent.len() + 3)) {
                out.push_str(&format!("{indent}// {l}\n"));
            }
        }
        out.push_str(line);
        out.push('\n');
        if trimmed.ends_with('(') || trimmed.ends_with('[') {
            stack.push(opened(trimmed).to_string());
        }
    }
    out
}

/// The type name right before a line's final `(` (`stress: Some(MakerStress(` → MakerStress).
fn opened(trimmed: &str) -> &str {
    let head = trimmed.trim_end_matches(['(', '[']);
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    head.get(start..).unwrap_or("")
}

/// "Wake-ups per second per agent (a Poisson process). [1/s; > 0]"
fn field_comment(p: &Value) -> String {
    let meaning = p
        .get("description")
        .and_then(Value::as_str)
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(u) = p.get("x-unit").and_then(Value::as_str) {
        facts.push(u.to_string());
    }
    let range = crate::schema::range_of(p);
    if !range.is_empty() {
        facts.push(range);
    }
    if p.get(BY_VENUE).is_some() {
        facts.push("left out: the venue preset's value".to_string());
    }
    if facts.is_empty() {
        meaning
    } else {
        format!("{meaning} [{}]", facts.join("; "))
    }
}

/// Words into lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_ron_files_and_bad_names_are_refused() {
        let (p, n) = target(Path::new("runs/mine")).unwrap();
        assert_eq!((p, n.as_str()), (PathBuf::from("runs/mine.ron"), "mine"));
        let (p, _) = target(Path::new("x.ron")).unwrap();
        assert_eq!(p, PathBuf::from("x.ron"));
        for bad in ["a b", ".hidden", ""] {
            assert!(target(Path::new(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_opened_type_is_the_name_before_the_last_parenthesis() {
        assert_eq!(opened("stress: Some(MakerStress("), "MakerStress");
        assert_eq!(opened("Noise("), "Noise");
        // A list opens no type: its entries name their own.
        assert_eq!(opened("agents: ["), "");
        assert_eq!(opened("("), "");
    }

    #[test]
    fn every_field_of_the_template_gets_its_comment() {
        let s = prepare_text(TEMPLATE, "t", &[]).unwrap();
        let text = annotate(&s.to_ron().unwrap(), &scenario_schema());
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let is_field = t
                .split_once(": ")
                .is_some_and(|(f, _)| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if is_field {
                let above = i.checked_sub(1).and_then(|j| lines.get(j)).unwrap_or(&"");
                assert!(
                    above.trim_start().starts_with("// "),
                    "no comment above {line:?}"
                );
            }
        }
        assert!(text.contains("// Wake-ups per second per agent"), "{text}");
        assert!(text.contains("[s; > 0]"), "{text}");
    }
}
