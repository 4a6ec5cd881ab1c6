//! `cascade schema` and `cascade new` through the binary: the JSON Schema of both file
//! formats carries every field's meaning and unit, docs/scenario-reference.md is what the
//! binary renders today, and a new scenario file checks.

mod common;
use common::*;
use serde_json::Value;
use std::fs;

fn schema(args: &[&str]) -> Value {
    let out = cascade(args);
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

/// Every property of every object in the schema: (where, name, its schema).
fn properties(v: &Value, at: &str, out: &mut Vec<(String, String, Value)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                for (name, p) in props {
                    out.push((at.to_string(), name.clone(), p.clone()));
                }
            }
            for (k, sub) in m {
                properties(sub, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, sub) in items.iter().enumerate() {
                properties(sub, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// True for a number, an integer or an optional one.
fn numeric(p: &Value) -> bool {
    let is_num = |t: &Value| matches!(t.as_str(), Some("number" | "integer"));
    match p.get("type") {
        Some(Value::Array(ts)) => ts.iter().any(is_num),
        Some(t) => is_num(t),
        None => false,
    }
}

#[test]
fn every_field_of_both_formats_has_a_meaning_and_every_number_a_unit() {
    for args in [&["schema"][..], &["schema", "sweep"][..]] {
        let s = schema(args);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{args:?}"
        );
        let mut props = Vec::new();
        properties(&s, "", &mut props);
        assert!(props.len() > 100, "{args:?}: only {} fields", props.len());
        for (at, name, p) in &props {
            // A variant's one property (`{"Noise": {...}}`) is the variant, described above it.
            let variant = name.starts_with(|c: char| c.is_ascii_uppercase());
            if !variant {
                let d = p.get("description").and_then(Value::as_str).unwrap_or("");
                assert!(
                    !d.trim().is_empty(),
                    "{args:?}: {at} field {name} has no meaning"
                );
            }
            if numeric(p) {
                let unit = p.get("x-unit").and_then(Value::as_str).unwrap_or("");
                assert!(!unit.is_empty(), "{args:?}: {at} field {name} has no unit");
            }
        }
    }
}

#[test]
fn the_schema_states_defaults_ranges_and_each_venues_rules() {
    let s = schema(&["schema"]);
    let noise = &s["$defs"]["NoiseSpec"]["properties"];
    assert_eq!(noise["max_orders"]["default"], 16);
    assert_eq!(noise["max_orders"]["minimum"], 1);
    assert_eq!(noise["max_orders"]["maximum"], 4096);
    assert_eq!(noise["rate_per_s"]["x-unit"], "1/s");
    assert_eq!(noise["rate_per_s"]["exclusiveMinimum"], 0);
    assert_eq!(s["properties"]["seed"]["default"], 1);
    // A rule resolved over the preset has each venue's value, from the preset tables.
    let cooldown = &s["$defs"]["LiquidationSpec"]["properties"]["cooldown_s"]["x-default-by-venue"];
    assert_eq!(cooldown["Custom"], 1.0);
    assert_eq!(cooldown["OKX"], 60.0);
    assert_eq!(cooldown["Hyperliquid"], 30.0);
    let taker = &s["$defs"]["FeeSpec"]["properties"]["taker_ppm"]["x-default-by-venue"];
    assert_eq!(
        (taker["Custom"].as_i64(), taker["BitMEX"].as_i64()),
        (Some(0), Some(750))
    );
    let funding = &s["$defs"]["FundingSpec"]["properties"]["enabled"]["x-default-by-venue"];
    assert_eq!(
        (funding["Custom"].as_bool(), funding["Binance"].as_bool()),
        (Some(false), Some(true))
    );
    let mark = &s["properties"]["mark"]["x-default-by-venue"];
    assert_eq!(mark["Custom"], "Mid");
    assert_eq!(mark["Hyperliquid"]["OracleEma"]["half_life_s"], 150.0);
    // The sweep file's own fields.
    let sweep = schema(&["schema", "sweep"]);
    assert_eq!(sweep["properties"]["replicates"]["default"], 1);
    assert!(
        sweep["$defs"]["AxisSpec"]["oneOf"]
            .as_array()
            .unwrap()
            .len()
            >= 5
    );
}

#[test]
fn the_committed_reference_is_what_the_binary_renders() {
    let out = cascade(&["schema", "--markdown"]);
    assert_ok(&out);
    let rendered = String::from_utf8(out.stdout).unwrap();
    let path = root().join("docs/scenario-reference.md");
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/scenario-reference.md is stale (or missing): the scenario or sweep types changed. \
         Regenerate it from the repository root with\n  \
         cargo run -p cascade-cli -- schema --markdown > docs/scenario-reference.md"
    );
    for section in [
        "### Scenario",
        "### NoiseSpec",
        "### LiquidationSpec",
        "### AxisSpec",
    ] {
        assert!(rendered.contains(section), "no {section}");
    }
    // The preset section has one column per venue.
    assert!(rendered.contains("| Binance | Bybit | OKX | BitMEX | Hyperliquid |"));
}

#[test]
fn new_writes_a_commented_scenario_that_checks_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cascade_in(tmp.path(), &["new", "mine"]);
    assert_ok(&out);
    let file = tmp.path().join("mine.ron");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("name: \"mine\""), "{text}");
    assert!(text.contains("Leveraged("), "a leveraged market: {text}");
    assert!(text.contains("// Wake-ups per second per agent"), "{text}");
    assert!(text.contains("[lots; [1, 1e9]]"), "{text}");
    assert_ok(&cascade_in(tmp.path(), &["check", "mine.ron"]));
    let run = cascade_in(
        tmp.path(),
        &["run", "mine.ron", "--no-charts", "--out", "run", "--json"],
    );
    assert_ok(&run);
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    let liquidations = v["summary"]["liquidations"]["count"].as_i64().unwrap();
    assert!(liquidations > 0, "the sell program liquidates: {v}");
}

#[test]
fn new_refuses_to_overwrite_without_force_and_starts_from_a_shipped_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&cascade_in(tmp.path(), &["new", "x"]));
    let before = fs::read(tmp.path().join("x.ron")).unwrap();
    let again = cascade_in(tmp.path(), &["new", "x", "--from", "flash-cascade"]);
    assert_bad_input(&again, &["x.ron", "already exists", "--force"]);
    assert_eq!(fs::read(tmp.path().join("x.ron")).unwrap(), before);

    let forced = cascade_in(
        tmp.path(),
        &["new", "x", "--from", "flash-cascade", "--force"],
    );
    assert_ok(&forced);
    let text = fs::read_to_string(tmp.path().join("x.ron")).unwrap();
    assert!(
        text.contains("qty: 10500"),
        "flash-cascade's sell program: {text}"
    );
    assert!(text.contains("count: 600"), "{text}");
    assert_ok(&cascade_in(tmp.path(), &["check", "x.ron"]));

    // From a path, and the scenario as written is the source's, renamed.
    let path = scenario("calm.ron");
    assert_ok(&cascade_in(
        tmp.path(),
        &["new", "c", "--from", path.to_str().unwrap()],
    ));
    let check = cascade_in(tmp.path(), &["check", "c.ron", "--json"]);
    assert_ok(&check);
    let v: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        (v["scenario"].as_str(), v["venue"].as_str()),
        (Some("c"), Some("Binance"))
    );

    let unknown = cascade_in(tmp.path(), &["new", "y", "--from", "no-such-scenario"]);
    assert_bad_input(&unknown, &["--from no-such-scenario", "flash-cascade"]);
    assert_bad_input(
        &cascade_in(tmp.path(), &["new", "a b"]),
        &["NAME", "letters"],
    );
    assert!(!tmp.path().join("y.ron").exists());
}
