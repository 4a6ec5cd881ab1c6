//! The ranges the scenario's JSON Schema declares (`minimum`, `exclusiveMinimum`, `maximum`,
//! `exclusiveMaximum`, what `cascade schema` prints and docs/scenario-reference.md shows) are
//! the ones validation enforces: every numeric field of a scenario with every agent kind and
//! every optional section (the rule fields left out included), set just past each declared
//! bound, is refused naming that field. A bound declared but not checked — or checked looser
//! than declared — fails here. The fields are found by walking the scenario beside its schema,
//! so a new field with a declared range is covered without editing this test.

use cascade_sim::scenario::schema::scenario_schema;
use cascade_sim::{prepare, Override, Scenario, ScenarioError};
use serde_json::{Map, Value};

const EVERY_KIND: &str = include_str!("data/every-kind.ron");

/// The schema a property stands for: `$ref` followed, an option's non-null alternative.
fn resolve<'a>(root: &'a Value, p: &'a Value) -> &'a Value {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        return root.pointer(&r.replacen('#', "", 1)).unwrap_or(p);
    }
    if let Some(alts) = p.get("anyOf").and_then(Value::as_array) {
        if let Some(a) = alts
            .iter()
            .find(|a| a.get("type").and_then(Value::as_str) != Some("null"))
        {
            return resolve(root, a);
        }
    }
    p
}

fn is_numeric(p: &Value) -> bool {
    let num = |t: &Value| matches!(t.as_str(), Some("number" | "integer"));
    match p.get("type") {
        Some(Value::Array(ts)) => ts.iter().any(num),
        Some(t) => num(t),
        None => false,
    }
}

fn join(at: &str, k: &str) -> String {
    if at.is_empty() {
        k.to_string()
    } else {
        format!("{at}.{k}")
    }
}

/// Every numeric field under `v` (as `--set` and validation name it) with its property schema;
/// in a struct whose fields may all be left out (a rule section), the absent ones too.
fn fields(root: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<(String, Value)>) {
    let schema = resolve(root, schema);
    match v {
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, x) in items.iter().enumerate() {
                    fields(root, item, x, &format!("{at}[{i}]"), out);
                }
            }
        }
        Value::Object(m) => {
            // An enum variant with fields: `{"Noise": {...}}`, at the variant's own path.
            if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
                let Some((tag, inner)) = m.iter().next() else {
                    return;
                };
                let variant = variants
                    .iter()
                    .find_map(|var| var.pointer(&format!("/properties/{tag}")));
                if let Some(var) = variant {
                    fields(root, var, inner, at, out);
                }
                return;
            }
            let empty = Map::new();
            let props = schema
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let required = schema.get("required").and_then(Value::as_array);
            for (k, p) in props {
                let path = join(at, k);
                match m.get(k) {
                    Some(x) if x.is_number() => out.push((path, resolve(root, p).clone())),
                    Some(x) => fields(root, p, x, &path, out),
                    None if required.is_none() && is_numeric(p) => {
                        out.push((path, p.clone()));
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
}

/// Values just past each declared bound (an integer one step, a float by a hair).
fn past_bounds(p: &Value) -> Vec<String> {
    let integer = p.get("type").is_some_and(|t| {
        t == "integer"
            || t.as_array()
                .is_some_and(|ts| ts.iter().any(|x| x == "integer"))
    });
    let unsigned = p
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| f.starts_with("uint"));
    let num = |k: &str| p.get(k).and_then(Value::as_f64);
    let step = |x: f64| {
        if integer {
            1.0
        } else {
            (x.abs() * 1e-9).max(1e-12)
        }
    };
    let mut out = Vec::new();
    let mut push = |x: f64| {
        out.push(if integer {
            format!("{}", x as i64)
        } else {
            format!("{x:e}")
        })
    };
    // A type's own bound (an unsigned integer's 0) is the parser's, not validation's.
    if let Some(m) = num("minimum").filter(|m| !(unsigned && *m == 0.0)) {
        push(m - step(m));
    }
    if let Some(m) = num("exclusiveMinimum") {
        push(m);
    }
    if let Some(m) = num("maximum") {
        push(m + step(m));
    }
    if let Some(m) = num("exclusiveMaximum") {
        push(m);
    }
    out
}

/// The fields of `text` that `keep` selects, each set just past each declared bound: how many
/// fields and bounds, and the settings not refused at their field.
fn unenforced(text: &str, keep: impl Fn(&str) -> bool) -> (usize, usize, Vec<String>) {
    let root = scenario_schema();
    let scenario = Scenario::parse(text).unwrap();
    prepare(text, &[]).expect("the scenario is valid");
    let value = serde_json::to_value(&scenario).unwrap();
    let mut found = Vec::new();
    fields(&root, &root, &value, "", &mut found);
    found.retain(|(path, _)| keep(path));
    let mut tested = 0;
    let mut wrong = Vec::new();
    for (path, p) in &found {
        for x in past_bounds(p) {
            tested += 1;
            let set = Override {
                path: path.clone(),
                value: x.clone(),
            };
            let named = match prepare(text, &[set]) {
                Err(ScenarioError::Invalid(v)) => v.0.iter().any(|e| &e.path == path),
                _ => false,
            };
            if !named {
                wrong.push(format!("{path}={x}"));
            }
        }
    }
    (found.len(), tested, wrong)
}

#[test]
fn every_declared_range_is_enforced_by_validation() {
    let (found, tested, wrong) = unenforced(EVERY_KIND, |_| true);
    assert!(found > 100, "only {found} numeric fields found");
    assert!(tested > 100, "only {tested} bounds tested");
    assert!(
        wrong.is_empty(),
        "declared out of range but not refused at that field: {wrong:?}"
    );
}

/// A second perpetual with each of its own rule sections given (the fields left out of them
/// included): every bound is refused at its field under `venues[0]`, as the home venue's are.
#[test]
fn every_declared_range_of_another_perps_rules_is_enforced_under_it() {
    let text = r#"Scenario(name: "t", duration_s: 20.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0)])),
        agents: [Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
            market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0, size_min: 1,
            size_max: 5)],
        venues: [VenueSpec(name: "b", kind: Perp, preset: OKX,
            mark: Some(EmaMid(half_life_s: 2.0)),
            liquidation: LiquidationSpec(cooldown_s: 1.0),
            funding: FundingSpec(enabled: true, premium: Impact(notional: 1000.0)),
            fees: FeeSpec(maker_ppm: -100),
            agents: [Noise(name: "noise-b", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0, size_min: 1,
                size_max: 5)])])"#;
    let rules = ["mark", "liquidation", "funding", "fees"];
    let (found, tested, wrong) = unenforced(text, |path| {
        rules
            .iter()
            .any(|r| path.starts_with(&format!("venues[0].{r}.")))
    });
    assert!(found >= 20, "only {found} numeric rule fields found");
    assert!(tested >= 20, "only {tested} bounds tested");
    assert!(
        wrong.is_empty(),
        "declared out of range but not refused at that field: {wrong:?}"
    );
}
