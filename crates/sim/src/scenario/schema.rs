//! The JSON Schema of the scenario file, as `cascade schema` prints it.
//!
//! One way for every field: its doc comment is its `description` (first line: what it means),
//! `x-unit` its unit, the standard keywords `minimum`, `exclusiveMinimum`, `maximum` and
//! `exclusiveMaximum` its range as validation checks it (relations between fields are in the
//! description), and `default` its value when left out. The rule fields resolved over the venue
//! preset (`liquidation`, `funding`, `fees`, `mark`, `initial_margin_gate`) have no single
//! default: `x-default-by-venue` gives each preset's value, taken from the preset tables
//! themselves (`Preset::liquidation`, `funding`, `fees`, `mark`, `initial_margin_gate`).

use super::{MarginSpec, Preset, Scenario};
use serde_json::{Map, Value};

/// The key holding each preset's value of a rule field.
pub const BY_VENUE: &str = "x-default-by-venue";

/// The scenario file's JSON Schema (draft 2020-12), with each preset's rule values.
pub fn scenario_schema() -> Value {
    let mut schema = schemars::schema_for!(Scenario).to_value();
    let margin = MarginSpec::default();
    let mut sections: Vec<(&str, Vec<(Preset, Value)>)> = vec![
        ("LiquidationSpec", each(|p| json(&p.liquidation()))),
        ("FeeSpec", each(|p| json(&p.fees()))),
        ("FundingSpec", each(|p| funding(p, &margin))),
    ];
    for (def, values) in sections.drain(..) {
        if let Some(props) = schema
            .pointer_mut(&format!("/$defs/{def}/properties"))
            .and_then(Value::as_object_mut)
        {
            for (field, sub) in props.iter_mut() {
                let per: Map<String, Value> = values
                    .iter()
                    .map(|(p, v)| {
                        (
                            p.name().to_string(),
                            v.get(field).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                insert(sub, Value::Object(per));
            }
        }
    }
    let top = [
        ("mark", each(|p| json(&p.mark()))),
        (
            "initial_margin_gate",
            each(|p| Value::Bool(p.initial_margin_gate())),
        ),
    ];
    for (field, values) in top {
        if let Some(sub) = schema.pointer_mut(&format!("/properties/{field}")) {
            let per = values
                .into_iter()
                .map(|(p, v)| (p.name().to_string(), v))
                .collect();
            insert(sub, Value::Object(per));
        }
    }
    schema
}

fn each(f: impl Fn(Preset) -> Value) -> Vec<(Preset, Value)> {
    Preset::ALL.iter().map(|&p| (p, f(p))).collect()
}

fn json<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// The preset's funding fields; `enabled` false and the rest null under Custom (switched on,
/// Custom starts from Binance's, as the description says).
fn funding(p: Preset, margin: &MarginSpec) -> Value {
    let mut v = p
        .funding(margin)
        .map_or_else(|| Value::Object(Map::new()), |r| json(&r));
    if let Some(m) = v.as_object_mut() {
        m.insert("enabled".into(), Value::Bool(p.funding(margin).is_some()));
    }
    v
}

/// Adds the per-venue values to a property (a `$ref` beside them is fine in draft 2020-12).
fn insert(sub: &mut Value, per: Value) {
    if let Some(m) = sub.as_object_mut() {
        m.insert(BY_VENUE.into(), per);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object of the schema with named properties, with where it is.
    fn objects<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(m) => {
                if m.contains_key("properties") {
                    out.push((at.clone(), v));
                }
                for (k, sub) in m {
                    objects(sub, format!("{at}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, sub) in items.iter().enumerate() {
                    objects(sub, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_scenario_type_refuses_unknown_fields() {
        // `--set` relies on it: a path's last field that the text left out is tried as a slot,
        // and only the type's refusal tells a misspelt name from a field at its default.
        let schema = scenario_schema();
        let mut found = Vec::new();
        objects(&schema, String::new(), &mut found);
        assert!(found.len() > 40, "{} objects", found.len());
        let open: Vec<&String> = found
            .iter()
            .filter(|(_, o)| o.get("additionalProperties") != Some(&Value::Bool(false)))
            .map(|(at, _)| at)
            .collect();
        assert!(
            open.is_empty(),
            "objects that accept unknown fields: {open:?}"
        );
    }
}
