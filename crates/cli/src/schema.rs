//! `cascade schema [scenario|sweep] [--markdown]`: the JSON Schema of the scenario and sweep
//! file formats, and docs/scenario-reference.md rendered from it.
//!
//! The schemas come from the types themselves (`cascade_sim::scenario::schema`,
//! `cascade_sweep::spec::sweep_schema`); this module only prints them and turns them into one
//! Markdown page: a table per section with each field's type, unit (`x-unit`), default, range
//! (the standard range keywords) and meaning (the doc comment), and for the rule sections
//! resolved over a venue preset, one default column per venue (`x-default-by-venue`).

use anyhow::Result;
use cascade_sim::scenario::schema::{scenario_schema, BY_VENUE};
use cascade_sim::scenario::Preset;
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Which file format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A scenario file (`Scenario(...)`).
    #[default]
    Scenario,
    /// A sweep file (`Sweep(...)`).
    Sweep,
}

/// Arguments of `cascade schema`.
#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// The format whose JSON Schema is printed.
    #[arg(value_enum, default_value = "scenario")]
    format: Format,
    /// Print the Markdown reference of both formats instead (docs/scenario-reference.md).
    #[arg(long)]
    markdown: bool,
}

/// The command that regenerates the committed reference (said by the page and by the test).
pub const REGENERATE: &str =
    "cargo run -p cascade-cli -- schema --markdown > docs/scenario-reference.md";

/// Prints the schema or the reference.
pub fn schema(args: &SchemaArgs) -> Result<()> {
    if args.markdown {
        return crate::input::emit(reference().as_bytes());
    }
    let value = match args.format {
        Format::Scenario => scenario_schema(),
        Format::Sweep => cascade_sweep::spec::sweep_schema(),
    };
    crate::input::print_json(&value)
}

/// The Markdown reference of both formats.
pub fn reference() -> String {
    let scenario = scenario_schema();
    let sweep = cascade_sweep::spec::sweep_schema();
    let mut out = String::new();
    out.push_str(&format!(
        "# Scenario and sweep file reference\n\n\
         Generated from the JSON Schema that `cascade schema` (scenario) and `cascade schema \
         sweep` print, which is generated from the types the files are read into: do not edit \
         this page by hand. Regenerate it with\n\n```sh\n{REGENERATE}\n```\n\n\
         (a test, `crates/cli/tests/schema.rs`, fails when this page is stale).\n\n\
         Files are RON: `Type(field: value, ...)`; unknown fields are refused. A field shown \
         as *optional* may be left out or written `Some(x)` (or just `x`); *required* fields \
         must be given. **Range** is what `cascade check` accepts for the field on its own; \
         relations between fields are in the meaning. Besides these, every field obeys the \
         bounds of README.md's *Limits*: any time in seconds (`…_s`) at most 3.2e8 s, any \
         interval at least 1 µs, any rate (`…_per_s`) at most 1e6 per second, order sizes and \
         amounts of money within what 64-bit cash keeps exact, and the run within the event \
         and memory budget. Units: *quote currency* is the instrument's price currency, \
         *lots* whole lots, *bps* basis points (0.01%), *ppm* parts per million, *fraction* \
         a share in [0, 1] unless the range says otherwise.\n\n"
    ));
    let mut seen = BTreeSet::new();
    out.push_str("## Scenario file\n\n");
    render_root(&mut out, "Scenario", &scenario, &scenario, &mut seen);
    // The sweep's inline `scenario` links to the section above.
    seen.insert("Scenario".to_string());
    out.push_str("## Sweep file\n\n");
    render_root(&mut out, "Sweep", &sweep, &sweep, &mut seen);
    out
}

/// The root's table, then every definition it reaches, each once, in the order reached.
fn render_root(
    out: &mut String,
    name: &str,
    root: &Value,
    schema: &Value,
    seen: &mut BTreeSet<String>,
) {
    let mut queue = vec![];
    render_def(out, name, root, schema, &mut queue);
    let mut i = 0;
    while let Some(def) = queue.get(i).cloned() {
        i += 1;
        if !seen.insert(def.clone()) {
            continue;
        }
        if let Some(sub) = schema.pointer(&format!("/$defs/{def}")) {
            render_def(out, &def, sub, schema, &mut queue);
        }
    }
}

/// One definition: a struct's table, or an enum's variants (with a table per variant that has
/// fields).
fn render_def(out: &mut String, name: &str, def: &Value, schema: &Value, queue: &mut Vec<String>) {
    out.push_str(&format!("### {name}\n\n"));
    if let Some(d) = description(def) {
        out.push_str(&format!("{d}\n\n"));
    }
    if def.get("properties").is_some() {
        render_fields(out, def, schema, queue);
        return;
    }
    let variants = def
        .get("oneOf")
        .or_else(|| def.get("anyOf"))
        .and_then(Value::as_array);
    let Some(variants) = variants else {
        if let Some(values) = def.get("enum").and_then(Value::as_array) {
            let names: Vec<String> = values.iter().map(ron).collect();
            out.push_str(&format!("One of: {}.\n\n", names.join(", ")));
        }
        return;
    };
    for v in variants {
        let meaning = description(v).unwrap_or_default();
        if let Some(unit) = v
            .get("const")
            .or_else(|| v.get("enum").and_then(|e| e.get(0)))
        {
            out.push_str(&format!("- `{}` — {meaning}\n", ron(unit)));
            continue;
        }
        let Some((tag, inner)) = v
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|p| p.iter().next())
        else {
            continue;
        };
        match inner.get("$ref").and_then(Value::as_str).map(def_name) {
            Some(target) => {
                out.push_str(&format!(
                    "- `{tag}(...)` — {meaning} Fields: [{target}](#{}).\n",
                    target.to_lowercase()
                ));
                queue.push(target.to_string());
            }
            None => {
                out.push_str(&format!("- `{tag}(...)` — {meaning}\n\n"));
                render_fields(out, inner, schema, queue);
            }
        }
    }
    out.push('\n');
}

/// A table of a struct's fields; a rule section resolved over the venue preset gets one
/// default column per venue.
fn render_fields(out: &mut String, def: &Value, schema: &Value, queue: &mut Vec<String>) {
    let Some(props) = def.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: BTreeSet<&str> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let by_venue = props.values().all(|p| p.get(BY_VENUE).is_some());
    if by_venue {
        let venues: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        out.push_str(&format!(
            "Left out, a field takes the value of the scenario's `venue` preset:\n\n\
             | field | type | unit | range | {} | meaning |\n|---|---|---|---|{}---|\n",
            venues.join(" | "),
            "---|".repeat(venues.len())
        ));
    } else {
        out.push_str(
            "| field | type | unit | default | range | meaning |\n|---|---|---|---|---|---|\n",
        );
    }
    for (field, p) in props {
        let ty = type_name(p, queue);
        let unit = p.get("x-unit").and_then(Value::as_str).unwrap_or("");
        let range = range(p, schema);
        let meaning = description(p).unwrap_or_default();
        let default = if let Some(per) = p.get(BY_VENUE).filter(|_| !by_venue) {
            venue_defaults(per)
        } else {
            default(p, required.contains(field.as_str()), schema)
        };
        if by_venue {
            let per: Vec<String> = Preset::ALL
                .iter()
                .map(|v| match p.get(BY_VENUE).and_then(|m| m.get(v.name())) {
                    Some(x) if !x.is_null() => cell(&ron(x)),
                    _ => "—".to_string(),
                })
                .collect();
            out.push_str(&format!(
                "| `{field}` | {ty} | {unit} | {range} | {} | {} |\n",
                per.join(" | "),
                cell(&meaning)
            ));
        } else {
            out.push_str(&format!(
                "| `{field}` | {ty} | {unit} | {} | {range} | {} |\n",
                cell(&default),
                cell(&meaning)
            ));
        }
    }
    out.push('\n');
}

/// "Custom: Mid; Binance: VenueMedian(basis_window_s: 30.0); …"
fn venue_defaults(per: &Value) -> String {
    let parts: Vec<String> = Preset::ALL
        .iter()
        .map(|v| {
            format!(
                "{}: {}",
                v.name(),
                ron(per.get(v.name()).unwrap_or(&Value::Null))
            )
        })
        .collect();
    format!("by venue — {}", parts.join("; "))
}

/// The default as RON; a long one (the margin ladder) is pointed to where it is given.
fn default(p: &Value, required: bool, schema: &Value) -> String {
    let section = p.get("$ref").and_then(Value::as_str).map(def_name);
    match (p.get("default"), section) {
        (Some(v), Some(def)) if ron(v).len() > 60 => {
            format!("see [{def}](#{})", def.to_lowercase())
        }
        (Some(v), _) => format!("`{}`", ron(v)),
        (None, _) if required => "required".into(),
        // A section left out whole: each of its fields takes its own default.
        (None, Some(def))
            if schema
                .pointer(&format!("/$defs/{def}/properties"))
                .is_some() =>
        {
            "`()`".into()
        }
        (None, _) => "`None`".into(),
    }
}

/// The field's range from the standard keywords ("> 0", "[1, 1000]", "(-100, 1000)"); the
/// variants of an enum; empty when any value is accepted.
fn range(p: &Value, schema: &Value) -> String {
    let numeric = range_of(p);
    if !numeric.is_empty() {
        return numeric;
    }
    let target = refs(p).into_iter().next();
    let values = target
        .and_then(|t| schema.pointer(&format!("/$defs/{t}/enum")))
        .and_then(Value::as_array);
    values.map_or_else(String::new, |v| {
        v.iter().map(ron).collect::<Vec<_>>().join(", ")
    })
}

/// A numeric field's range from the standard keywords, empty without any.
pub fn range_of(p: &Value) -> String {
    let num = |k: &str| p.get(k).and_then(Value::as_f64).map(number);
    let lo = num("minimum")
        .map(|x| ('[', x))
        .or(num("exclusiveMinimum").map(|x| ('(', x)));
    let hi = num("maximum")
        .map(|x| (']', x))
        .or(num("exclusiveMaximum").map(|x| (')', x)));
    match (lo, hi) {
        (Some((a, x)), Some((b, y))) => format!("{a}{x}, {y}{b}"),
        (Some(('[', x)), None) => format!("≥ {x}"),
        (Some((_, x)), None) => format!("> {x}"),
        (None, Some((']', y))) => format!("≤ {y}"),
        (None, Some((_, y))) => format!("< {y}"),
        (None, None) => String::new(),
    }
}

/// A number as written: a million and more in scientific notation (3.2e8), integers without
/// a decimal point, others in full.
fn number(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:e}")
    } else if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The field's type: a scalar, a list, a link to a definition, optional or not.
fn type_name(p: &Value, queue: &mut Vec<String>) -> String {
    if let Some(target) = p.get("$ref").and_then(Value::as_str).map(def_name) {
        queue.push(target.to_string());
        return format!("[{target}](#{})", target.to_lowercase());
    }
    let alternatives = p.get("anyOf").or_else(|| p.get("oneOf"));
    if let Some(alts) = alternatives.and_then(Value::as_array) {
        let non_null: Vec<&Value> = alts.iter().filter(|a| !is_null(a)).collect();
        let inner: Vec<String> = non_null.iter().map(|a| type_name(a, queue)).collect();
        let optional = non_null.len() < alts.len();
        return format!(
            "{}{}",
            if optional { "optional " } else { "" },
            inner.join(" or ")
        );
    }
    let types: Vec<&str> = match p.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let optional = types.contains(&"null");
    let base = types
        .iter()
        .find(|t| **t != "null")
        .map_or("any".to_string(), |t| match *t {
            "number" => "float".into(),
            "integer" => "integer".into(),
            "boolean" => "bool".into(),
            "string" => "string".into(),
            "array" => {
                let item = p
                    .get("items")
                    .map(|i| type_name(i, queue))
                    .or_else(|| {
                        p.get("prefixItems").and_then(Value::as_array).map(|items| {
                            let parts: Vec<String> =
                                items.iter().map(|i| type_name(i, queue)).collect();
                            format!("({})", parts.join(", "))
                        })
                    })
                    .unwrap_or_else(|| "any".into());
                format!("[{item}]")
            }
            other => other.to_string(),
        });
    if optional {
        format!("optional {base}")
    } else {
        base
    }
}

fn is_null(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

/// The definitions a property refers to, directly or through an option.
fn refs(p: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        out.push(def_name(r).to_string());
    }
    for key in ["anyOf", "oneOf"] {
        for alt in p.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.extend(refs(alt));
        }
    }
    out
}

/// `#/$defs/Latency` → `Latency`.
fn def_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

/// The doc comment on one line.
fn description(v: &Value) -> Option<String> {
    let d = v.get("description")?.as_str()?;
    Some(d.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// A JSON value as RON writes it: `Some` left implicit, enum variants as `Name(field: …)`.
pub fn ron(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => format!("{x:?}"),
            _ => n.to_string(),
        },
        Value::String(s) if s.starts_with(|c: char| c.is_ascii_uppercase()) => s.clone(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(ron).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(m) => ron_object(m),
    }
}

fn ron_object(m: &Map<String, Value>) -> String {
    let fields = |m: &Map<String, Value>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {}", ron(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match m.iter().next() {
        Some((tag, Value::Object(inner)))
            if m.len() == 1 && tag.starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            format!("{tag}({})", fields(inner))
        }
        _ => format!("({})", fields(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_read_the_standard_keywords() {
        let s = json!({});
        let r = |p: Value| range(&p, &s);
        assert_eq!(r(json!({"exclusiveMinimum": 0})), "> 0");
        assert_eq!(r(json!({"minimum": 0})), "≥ 0");
        assert_eq!(r(json!({"minimum": 1, "maximum": 1000})), "[1, 1000]");
        assert_eq!(
            r(json!({"exclusiveMinimum": -100, "exclusiveMaximum": 1000})),
            "(-100, 1000)"
        );
        assert_eq!(
            r(json!({"minimum": 0, "exclusiveMaximum": 0.5})),
            "[0, 0.5)"
        );
        assert_eq!(r(json!({"type": "number"})), "");
    }

    #[test]
    fn values_are_written_as_ron() {
        assert_eq!(
            ron(&json!({"EmaMid": {"half_life_s": 30.0}})),
            "EmaMid(half_life_s: 30.0)"
        );
        assert_eq!(ron(&json!("Mid")), "Mid");
        assert_eq!(ron(&json!("noise")), "\"noise\"");
        assert_eq!(ron(&json!(null)), "None");
        assert_eq!(ron(&json!(16)), "16");
        assert_eq!(ron(&json!([1.5, 2])), "[1.5, 2]");
    }
}
