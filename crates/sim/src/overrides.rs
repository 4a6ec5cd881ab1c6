//! `--set path=value` overrides: change any scenario field by its path.
//!
//! A path is a dotted list of field names with `[i]` indices for lists, e.g.
//! `instrument.tick_size` or `agents[1].rate_per_s`. A group of agents may also be named by
//! its `name`: `agents.makers.size`. The value is RON (`3`, `0.5`, `true`, `"text"`,
//! `Some(2.0)`); a bare word is taken as a string. Whole lists of agents or shocks are read as
//! what they are (`shocks=[MarketSell(at_s: 60.0, qty: 500, over_s: 30.0)]`). The result is
//! validated like a file.

use crate::scenario::{AgentGroup, Scenario, Shock};
use serde_json::Value;

/// An override that could not be applied: which one and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("--set {path}: {reason}")]
pub struct OverrideError {
    /// The path as given.
    pub path: String,
    /// Why it was refused.
    pub reason: String,
}

/// One parsed `path=value` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// Field path.
    pub path: String,
    /// Value text, RON.
    pub value: String,
}

impl Override {
    /// Splits `path=value` at the first `=`.
    pub fn parse(text: &str) -> Result<Self, OverrideError> {
        match text.split_once('=') {
            Some((p, v)) if !p.trim().is_empty() => Ok(Self {
                path: p.trim().to_string(),
                value: v.trim().to_string(),
            }),
            _ => Err(OverrideError {
                path: text.to_string(),
                reason: "expected path=value".into(),
            }),
        }
    }
}

/// Applies overrides in order and returns the new scenario (not yet validated).
pub fn apply(scenario: &Scenario, overrides: &[Override]) -> Result<Scenario, OverrideError> {
    if overrides.is_empty() {
        return Ok(scenario.clone());
    }
    let mut root = serde_json::to_value(scenario).map_err(|e| OverrideError {
        path: String::new(),
        reason: e.to_string(),
    })?;
    with_left_out_sections(&mut root);
    for o in overrides {
        let fail = |reason: String| OverrideError {
            path: o.path.clone(),
            reason,
        };
        let slot = locate(&mut root, &o.path).map_err(fail)?;
        let value = match o.path.as_str() {
            "agents" => parse_typed::<Vec<AgentGroup>>(&o.value),
            "shocks" => parse_typed::<Vec<Shock>>(&o.value),
            _ => parse_value(&o.value, slot),
        }
        .map_err(fail)?;
        check_kind(slot, &value).map_err(fail)?;
        *slot = value;
    }
    serde_json::from_value(root).map_err(|e| OverrideError {
        path: overrides
            .iter()
            .map(|o| o.path.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        reason: e.to_string(),
    })
}

/// Puts back the venue rule fields a scenario's text leaves out when not given (`venue`,
/// `mark`, `funding`, `fees`, `initial_margin_gate`, and each field of `funding`, `fees` and
/// `liquidation`),
/// as none, so that an override can reach them; what stays none is left out again.
fn with_left_out_sections(root: &mut Value) {
    use crate::scenario::{FeeSpec, FundingSpec, PremiumSource};
    // Every field given, so that each one's name appears; the values are dropped.
    let funding = FundingSpec {
        enabled: Some(true),
        interval_s: Some(1.0),
        pay_every_s: Some(1.0),
        premium_sample_s: Some(1.0),
        premium: Some(PremiumSource::Mid),
        interest_bps: Some(1.0),
        band_bps: Some(1.0),
        cap_bps: Some(1.0),
    };
    let fees = FeeSpec {
        maker_ppm: Some(1),
        taker_ppm: Some(1),
    };
    let Value::Object(top) = root else {
        return;
    };
    top.entry("venue").or_insert(Value::String("Custom".into()));
    for key in ["mark", "initial_margin_gate"] {
        top.entry(key).or_insert(Value::Null);
    }
    for (key, full) in [
        ("funding", serde_json::to_value(funding)),
        ("fees", serde_json::to_value(fees)),
        (
            "liquidation",
            serde_json::to_value(crate::scenario::LiquidationSpec::every_field()),
        ),
    ] {
        let Ok(Value::Object(full)) = full else {
            continue;
        };
        let section = top
            .entry(key)
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(fields) = section {
            for name in full.keys() {
                fields.entry(name.clone()).or_insert(Value::Null);
            }
        }
    }
}

/// A value read as its own type: lists of enum variants, whose names RON's generic value drops.
fn parse_typed<T: serde::de::DeserializeOwned + serde::Serialize>(
    text: &str,
) -> Result<Value, String> {
    let v: T = crate::scenario::parse_ron(
        text,
        ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
        crate::scenario::MAX_SCENARIO_BYTES,
    )
    .map_err(|e| format!("value {text:?}: {e}"))?;
    serde_json::to_value(v).map_err(|e| format!("value {text:?}: {e}"))
}

fn parse_value(text: &str, old: &Value) -> Result<Value, String> {
    let bare_word = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c))
        && text.starts_with(|c: char| c.is_alphabetic());
    // `Variant(field: value, ...)`: an enum variant with fields, which RON's generic value
    // would read without its name.
    if let Some(open) = text.find('(') {
        let name = &text[..open];
        let old_is_variant = match old {
            Value::String(_) | Value::Null => true,
            Value::Object(m) => {
                m.len() == 1
                    && m.keys()
                        .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
            }
            _ => false,
        };
        if old_is_variant
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name != "Some"
            && text.ends_with(')')
        {
            let inner = parse_value(&text[open..], &Value::Null)?;
            if inner.is_object() {
                return Ok(Value::Object(
                    [(name.to_string(), inner)].into_iter().collect(),
                ));
            }
        }
    }
    // RON's generic value reads integers past i64::MAX as floats; a seed is a u64.
    if let Ok(u) = text.parse::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    // Inside a structure or a list, RON's generic value reads a bare variant name (`execution:
    // Market`) as a unit and the name is lost; quoted, it reads back as the variant.
    let quoted;
    let text = if text.contains(['(', '[']) {
        quoted = quote_bare_names(text);
        quoted.as_str()
    } else {
        text
    };
    match ron::from_str::<ron::Value>(text) {
        // A bare word such as `calm` is a string, not a unit struct.
        Ok(ron::Value::Unit) if text != "()" => Ok(Value::String(text.to_string())),
        Ok(v) => serde_json::to_value(v).map_err(|e| format!("value {text:?}: {e}")),
        Err(_) if bare_word => Ok(Value::String(text.to_string())),
        Err(e) => Err(format!("value {text:?} is not RON: {e}")),
    }
}

/// Puts quotes around every bare identifier of `text` in a value position — not a field name
/// (followed by `:`), not a struct or variant name (followed by `(`), not `true`, `false`,
/// `None`, `Some`, `inf` or `NaN` — outside strings: `LiquidationSpec(execution: Market)` becomes
/// `LiquidationSpec(execution: "Market")`.
fn quote_bare_names(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    let mut in_string = false;
    while let Some(&c) = chars.get(i) {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        let starts_word = (c.is_alphabetic() || c == '_')
            && !i
                .checked_sub(1)
                .and_then(|j| chars.get(j))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_' || *p == '.');
        if !starts_word {
            in_string = c == '"';
            out.push(c);
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| {
                chars
                    .get(j)
                    .is_some_and(|c| !(c.is_alphanumeric() || *c == '_'))
            })
            .unwrap_or(chars.len());
        let word: String = chars.get(i..end).unwrap_or_default().iter().collect();
        let next = chars
            .get(end..)
            .unwrap_or_default()
            .iter()
            .find(|c| !c.is_whitespace());
        let keyword = ["true", "false", "None", "Some", "inf", "NaN"].contains(&word.as_str());
        if keyword || matches!(next, Some(':') | Some('(')) {
            out.push_str(&word);
        } else {
            out.push('"');
            out.push_str(&word);
            out.push('"');
        }
        i = end;
    }
    out
}

fn check_kind(old: &Value, new: &Value) -> Result<(), String> {
    let kind = |v: &Value| match v {
        Value::Null => "none",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a structure",
    };
    let is_variant = |v: &Value| match v {
        Value::String(s) => s.starts_with(|c: char| c.is_ascii_uppercase()),
        Value::Object(m) => {
            m.len() == 1
                && m.keys()
                    .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
        }
        _ => false,
    };
    let ok = match (old, new) {
        // An enum may switch variants: `mark=Mid` replaces `EmaMid(half_life_s: 2.0)`.
        (o, n) if is_variant(o) && is_variant(n) => true,
        (Value::Number(o), Value::Number(n)) => !(o.is_u64() || o.is_i64()) || !n.is_f64(),
        // An optional field may switch between none and a value.
        (Value::Null, _) | (_, Value::Null) => true,
        (o, n) => std::mem::discriminant(o) == std::mem::discriminant(n),
    };
    if ok {
        Ok(())
    } else if matches!((old, new), (Value::Number(_), Value::Number(_))) {
        Err(format!("expected an integer, got {new}"))
    } else {
        Err(format!("expected {}, got {} ({new})", kind(old), kind(new)))
    }
}

/// Finds the value at `path`, looking through enum variant wrappers (`{"Noise": {...}}`).
fn locate<'a>(root: &'a mut Value, path: &str) -> Result<&'a mut Value, String> {
    let mut cur = root;
    let mut walked = String::new();
    for segment in path.split('.') {
        let (name, indices) = split_indices(segment)?;
        if !name.is_empty() {
            cur = step_field(cur, name, &walked)?;
            push_path(&mut walked, name);
        }
        for i in indices {
            cur = unwrap_variant(cur);
            match cur {
                Value::Array(items) => {
                    let len = items.len();
                    cur = items
                        .get_mut(i)
                        .ok_or_else(|| format!("{walked} has {len} entries, no [{i}]"))?;
                }
                _ => return Err(format!("{walked} is not a list")),
            }
            walked.push_str(&format!("[{i}]"));
        }
    }
    Ok(cur)
}

fn push_path(walked: &mut String, name: &str) {
    if !walked.is_empty() {
        walked.push('.');
    }
    walked.push_str(name);
}

fn step_field<'a>(cur: &'a mut Value, name: &str, walked: &str) -> Result<&'a mut Value, String> {
    let here = if walked.is_empty() {
        "the scenario"
    } else {
        walked
    };
    let cur = unwrap_variant(cur);
    match cur {
        Value::Object(map) => {
            if map.contains_key(name) {
                return Ok(map.get_mut(name).expect("key checked above"));
            }
            let known: Vec<&String> = map.keys().collect();
            Err(format!("{here} has no field {name:?} (fields: {known:?})"))
        }
        // A list of agent groups can be indexed by group name.
        Value::Array(items) => {
            let pos = items
                .iter()
                .position(|g| variant_fields(g).get("name").and_then(Value::as_str) == Some(name));
            match pos {
                Some(p) => Ok(&mut items[p]),
                None => Err(format!("{here} has no entry named {name:?}")),
            }
        }
        Value::Null => Err(format!("{here} is none; set it whole first")),
        _ => Err(format!("{here} has no fields")),
    }
}

fn unwrap_variant(v: &mut Value) -> &mut Value {
    let is_variant = matches!(v, Value::Object(m) if m.len() == 1
        && m.keys().all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
        && m.values().all(Value::is_object));
    if is_variant {
        if let Value::Object(m) = v {
            return m.values_mut().next().expect("one entry checked above");
        }
    }
    v
}

/// The fields of an enum variant as serde_json holds it (`{"Noise": {...}}`), or the value
/// itself when it is not a variant. Shared with the sweep crate's axis paths.
pub fn variant_fields(v: &Value) -> &Value {
    match v {
        Value::Object(m)
            if m.len() == 1
                && m.keys()
                    .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase())) =>
        {
            m.values().next().unwrap_or(v)
        }
        _ => v,
    }
}

fn split_indices(segment: &str) -> Result<(&str, Vec<usize>), String> {
    let (name, mut rest) = match segment.find('[') {
        Some(p) => (&segment[..p], &segment[p..]),
        None => (segment, ""),
    };
    if name.is_empty() && rest.is_empty() {
        return Err("empty path segment".into());
    }
    let mut indices = Vec::new();
    while !rest.is_empty() {
        let close = rest
            .find(']')
            .ok_or_else(|| format!("unclosed '[' in {segment:?}"))?;
        let idx = rest[1..close]
            .parse::<usize>()
            .map_err(|_| format!("bad index in {segment:?}"))?;
        indices.push(idx);
        rest = &rest[close + 1..];
        if !rest.is_empty() && !rest.starts_with('[') {
            return Err(format!("unexpected text after ']' in {segment:?}"));
        }
    }
    Ok((name, indices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::AgentGroup;

    const S: &str = r#"Scenario(name: "t", duration_s: 10.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [
          Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0, market_weight: 0.1,
                cancel_weight: 0.5, offset_ticks_mean: 3.0, size_min: 1, size_max: 5),
          Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 2, levels: 3,
                level_spacing_ticks: 1, size: 10),
        ])"#;

    fn set(pairs: &[&str]) -> Result<Scenario, OverrideError> {
        let s = Scenario::parse(S).unwrap();
        let o = pairs
            .iter()
            .map(|p| Override::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        apply(&s, &o)
    }

    #[test]
    fn sets_nested_fields_by_index_and_by_group_name() {
        let s = set(&[
            "duration_s=20",
            "agents[0].rate_per_s=2.5",
            "agents.makers.size=7",
            "name=other",
        ])
        .unwrap();
        assert_eq!(s.duration_s, 20.0);
        assert_eq!(s.name, "other");
        match (&s.agents[0], &s.agents[1]) {
            (AgentGroup::Noise(n), AgentGroup::Maker(m)) => {
                assert_eq!(n.rate_per_s, 2.5);
                assert_eq!(m.size, 7);
            }
            other => panic!("unexpected groups {other:?}"),
        }
    }

    #[test]
    fn a_seed_takes_every_u64_as_the_file_and_seed_do() {
        assert_eq!(set(&["seed=18446744073709551615"]).unwrap().seed, u64::MAX);
        assert_eq!(set(&["seed=0"]).unwrap().seed, 0);
        assert!(set(&["seed=18446744073709551616"]).is_err(), "past u64");
        assert_eq!(
            set(&["duration_s=20"]).unwrap().duration_s,
            20.0,
            "floats still read"
        );
    }

    #[test]
    fn switches_enum_variants_with_and_without_fields() {
        let s = set(&["agents[0].name=x"]).unwrap();
        assert_eq!(s.mark_rule(), crate::scenario::MarkSpec::Mid);
        let s = set(&["mark=EmaMid(half_life_s: 3.0)"]).unwrap();
        assert_eq!(
            s.mark,
            Some(crate::scenario::MarkSpec::EmaMid { half_life_s: 3.0 })
        );
        let s = set(&["mark=EmaMid(half_life_s: 3.0)", "mark=Last"]).unwrap();
        assert_eq!(s.mark, Some(crate::scenario::MarkSpec::Last));
    }

    #[test]
    fn sections_left_out_of_the_text_can_still_be_set() {
        let s = set(&[
            "venue=Binance",
            "funding.interval_s=600",
            "fees.maker_ppm=-100",
        ])
        .unwrap();
        assert_eq!(s.venue, crate::scenario::Preset::Binance);
        assert_eq!(s.funding.interval_s, Some(600.0));
        assert_eq!(s.fees.maker_ppm, Some(-100));
        let s = set(&["initial_margin_gate=true", "funding.enabled=false"]).unwrap();
        assert_eq!(s.initial_margin_gate, Some(true));
        assert_eq!(s.funding.enabled, Some(false));
        let e = set(&["funding.intervl_s=600"]).unwrap_err();
        assert!(e.reason.contains("intervl_s"), "{e}");
    }

    #[test]
    fn a_whole_section_keeps_its_variant_names() {
        use crate::scenario::{Execution, Shortfall};
        let s = set(&[
            "liquidation=LiquidationSpec(enabled: true, execution: Market, \
                       shortfall: SocializedLoss, insurance_fund: 0.0)",
        ])
        .unwrap();
        assert_eq!(s.liquidation.execution, Some(Execution::Market));
        assert_eq!(s.liquidation.shortfall, Some(Shortfall::SocializedLoss));
        assert_eq!(s.liquidation.insurance_fund, Some(0.0));
        let s = set(&["liquidation=LiquidationSpec(execution: Some(IocAtBankruptcy))"]).unwrap();
        assert_eq!(s.liquidation.execution, Some(Execution::IocAtBankruptcy));
        // A misspelt variant is refused, not dropped.
        let e = set(&["liquidation=LiquidationSpec(execution: Markt)"]).unwrap_err();
        assert!(e.reason.contains("Markt"), "{e}");
        // Strings keep their words; names, numbers and keywords are left alone.
        assert_eq!(
            quote_bare_names(r#"A(x: B, s: "C d", n: 1e-3, t: true, o: Some(E), l: [F, G(h: 1)])"#),
            r#"A(x: "B", s: "C d", n: 1e-3, t: true, o: Some("E"), l: ["F", G(h: 1)])"#
        );
    }

    #[test]
    fn sets_whole_lists_of_shocks_and_agents() {
        let s = set(&["shocks=[MarketSell(at_s: 60.0, qty: 500, over_s: 30.0), IndexJump(at_s: 90.0, pct: -5.0)]"]);
        let s = s.unwrap();
        assert_eq!(s.shocks.len(), 2);
        assert!(matches!(s.shocks[0], Shock::MarketSell { qty: 500, .. }));
        let s = set(&["agents=[Noise(name: \"n\", count: 3, rate_per_s: 1.0, limit_weight: 0.5, market_weight: 0.2, cancel_weight: 0.3, offset_ticks_mean: 2.0, size_min: 1, size_max: 2, max_orders: 2)]"]).unwrap();
        assert_eq!(s.agents.len(), 1);
        assert_eq!(s.agents[0].name(), "n");
        let e = set(&["shocks=[MarketSell(at_s: 60.0)]"]).unwrap_err();
        assert!(e.reason.contains("qty"), "{e}");
    }

    #[test]
    fn refuses_unknown_paths_and_wrong_types() {
        let e = set(&["instrument.tick"]).unwrap_err();
        assert!(e.reason.contains("path=value"), "{e}");
        let e = set(&["instrument.tick=1"]).unwrap_err();
        assert!(e.reason.contains("no field \"tick\""), "{e}");
        let e = set(&["agents[5].count=1"]).unwrap_err();
        assert!(e.reason.contains("no [5]"), "{e}");
        let e = set(&["agents.makers.size=1.5"]).unwrap_err();
        assert!(e.reason.contains("integer"), "{e}");
        let e = set(&["duration_s=\"long\""]).unwrap_err();
        assert!(e.reason.contains("expected a number"), "{e}");
        let e = set(&["agents.nobody.size=1"]).unwrap_err();
        assert!(e.reason.contains("no entry named"), "{e}");
    }
}
