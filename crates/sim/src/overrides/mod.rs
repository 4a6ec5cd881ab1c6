//! `--set path=value` overrides: change any scenario field by its path.
//!
//! A path is a dotted list of field names with `[i]` indices for lists, e.g.
//! `instrument.tick_size` or `agents[1].rate_per_s`. A group of agents may also be named by
//! its `name`: `agents.makers.size`, and so may a venue: `venues.perp-b.preset`. The value is
//! RON read as the field's type, exactly as in a scenario file (`3`, `0.5`, `true`, `"text"`,
//! `Some(2.0)` or `2.0` for an option, `Market`, `EmaMid(half_life_s: 3.0)`, lists of variants
//! with fields such as `shocks=[MarketSell(at_s: 60.0, qty: 500, over_s: 30.0)]`); a bare word
//! is also taken as a string and a quoted name as a variant. The result is validated like a
//! file.

mod hole;

use crate::scenario::Scenario;
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
    let mut current = std::borrow::Cow::Borrowed(scenario);
    for o in overrides {
        let next = apply_one(&current, o).map_err(|reason| OverrideError {
            path: o.path.clone(),
            reason,
        })?;
        current = std::borrow::Cow::Owned(next);
    }
    Ok(current.into_owned())
}

/// One override: the value read as the type of the field at its path (see `hole.rs`), as
/// written or, when that fails, a bare word as a string or a quoted name as a variant.
fn apply_one(scenario: &Scenario, o: &Override) -> Result<Scenario, String> {
    use serde::Deserialize;
    let mut root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    // The hole is a text no scenario should hold; one that does could not be told from it.
    if holds(&root, hole::HOLE) {
        return Err(
            "a text of the scenario is the override's internal marker (it holds NUL \
                    characters); remove them"
                .into(),
        );
    }
    with_left_out_sections(&mut root);
    let (slot, left_out) = match locate(&mut root, &o.path) {
        Ok(found) => found,
        Err((reason, None)) => return Err(reason),
        // A field on the way the text left out: an option at `None` (a section not given)
        // takes a value whole before its fields can be set one by one.
        Err((reason, Some(prefix))) => {
            let none = Override {
                path: prefix.clone(),
                value: "None".into(),
            };
            return Err(match apply_one(scenario, &none) {
                Ok(_) => format!("{prefix} is none; set it whole first (--set {prefix}=...)"),
                Err(_) => reason,
            });
        }
    };
    let old = std::mem::replace(slot, Value::String(hole::HOLE.into()));
    let mut first_error = None;
    for text in readings(&o.value) {
        let holed = hole::Holed {
            value: root.clone(),
            text: &text,
        };
        match Scenario::deserialize(holed) {
            Ok(s) => return Ok(s),
            Err(e) => {
                first_error.get_or_insert(e.0);
            }
        }
    }
    // A name the object's text did not hold that its type does not know either: serde's
    // message lists every field the type has (those left out at their default too).
    if let (Some((here, name)), Some(e)) = (&left_out, &first_error) {
        if e.contains("unknown field") {
            return Err(format!("{here} has no field {name:?} ({e})"));
        }
    }
    // Not the field's type: say which kind the value is and the field wants, when they
    // differ, else what the type's reading said.
    if let Ok(value) = parse_value(&o.value) {
        check_kind(&old, &value)?;
    }
    Err(format!(
        "value {:?}: {}",
        o.value,
        first_error.unwrap_or_default()
    ))
}

/// True when a string of the tree is `text`.
fn holds(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s == text,
        Value::Array(items) => items.iter().any(|i| holds(i, text)),
        Value::Object(m) => m.values().any(|i| holds(i, text)),
        _ => false,
    }
}

/// The texts a value is tried as, in order: as written; a bare word (`calm`) also quoted, as
/// the string it is taken for; a quoted name (`"Binance"`, as sweep files write one) also
/// bare, as the variant it names.
fn readings(text: &str) -> Vec<String> {
    let word = |w: &str| {
        !w.is_empty()
            && w.starts_with(|c: char| c.is_alphabetic())
            && w.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
    };
    let mut out = vec![text.to_string()];
    if word(text) {
        out.push(format!("\"{text}\""));
    } else if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        if word(inner) {
            out.push(inner.to_string());
        }
    }
    out
}

/// Puts back the venue rule fields a scenario's text leaves out when not given — the home
/// venue's `venue`, `mark`, `funding`, `fees`, `initial_margin_gate`, `index_sources` (and
/// `collateral`), each other venue's `mark`, `liquidation`, `funding`, `fees`,
/// `initial_margin_gate` and `index_sources`, and each field of `funding`, `fees` and
/// `liquidation` — as none, so that an override can reach them; what stays none is left out
/// again.
fn with_left_out_sections(root: &mut Value) {
    let Value::Object(top) = root else {
        return;
    };
    top.entry("venue").or_insert(Value::String("Custom".into()));
    top.entry("collateral").or_insert(Value::Null);
    with_left_out_rules(top);
    if let Some(Value::Array(venues)) = top.get_mut("venues") {
        for venue in venues {
            if let Value::Object(venue) = venue {
                with_left_out_rules(venue);
            }
        }
    }
}

/// The rule sections of one venue (the scenario's top level or an entry of `venues`), every
/// field named.
fn with_left_out_rules(venue: &mut serde_json::Map<String, Value>) {
    use crate::scenario::{FeeSpec, FundingSpec, LiquidationSpec, PremiumSource};
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
    for key in ["mark", "initial_margin_gate", "index_sources"] {
        venue.entry(key).or_insert(Value::Null);
    }
    for (key, full) in [
        ("funding", serde_json::to_value(funding)),
        ("fees", serde_json::to_value(fees)),
        (
            "liquidation",
            serde_json::to_value(LiquidationSpec::every_field()),
        ),
    ] {
        let Ok(Value::Object(full)) = full else {
            continue;
        };
        let section = venue
            .entry(key)
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(fields) = section {
            for name in full.keys() {
                fields.entry(name.clone()).or_insert(Value::Null);
            }
        }
    }
}

/// A value as RON reads it without its field's type: what says which kind it is when it is
/// not of the field's type.
fn parse_value(text: &str) -> Result<Value, String> {
    // RON's generic value reads integers past i64::MAX as floats; a seed is a u64.
    if let Ok(u) = text.parse::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    let bare_word = readings(text).len() == 2 && !text.starts_with('"');
    match ron::from_str::<ron::Value>(text) {
        // A bare word such as `calm` is a string, not a unit struct.
        Ok(ron::Value::Unit) | Err(_) if bare_word => Ok(Value::String(text.to_string())),
        Ok(v) => serde_json::to_value(v).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
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

/// The slot at `path`, and — when its last step names a field the object's JSON does not
/// hold (a field its type leaves out at its default, such as a `false` flag or a `None`
/// option) — where and which, the slot then made for it: whether the type has that field is
/// for its deserializer to say, since every scenario type refuses unknown fields.
type Located<'a> = (&'a mut Value, Option<(String, String)>);

/// Why a path was not found, and the path up to a field on the way that its object does not
/// hold (perhaps one its type leaves out at its default).
type NotFound = (String, Option<String>);

/// Finds the value at `path`, looking through enum variant wrappers (`{"Noise": {...}}`).
fn locate<'a>(root: &'a mut Value, path: &str) -> Result<Located<'a>, NotFound> {
    let mut cur = root;
    let mut walked = String::new();
    let mut left_out = None;
    let segments: Vec<&str> = path.split('.').collect();
    for (k, segment) in segments.iter().enumerate() {
        let (name, indices) = split_indices(segment).map_err(|e| (e, None))?;
        let last = k + 1 == segments.len() && indices.is_empty();
        if !name.is_empty() {
            let missing =
                matches!(unwrap_variant(cur), Value::Object(map) if !map.contains_key(name));
            if missing && last {
                if let Value::Object(map) = unwrap_variant(cur) {
                    map.insert(name.to_string(), Value::Null);
                }
                left_out = Some((here(&walked).to_string(), name.to_string()));
            }
            let on_the_way = (missing && !last).then(|| segments[..=k].join("."));
            cur = step_field(cur, name, &walked).map_err(|e| (e, on_the_way))?;
            push_path(&mut walked, name);
        }
        for i in indices {
            cur = unwrap_variant(cur);
            match cur {
                Value::Array(items) => {
                    let len = items.len();
                    cur = items
                        .get_mut(i)
                        .ok_or_else(|| (format!("{walked} has {len} entries, no [{i}]"), None))?;
                }
                _ => return Err((format!("{walked} is not a list"), None)),
            }
            walked.push_str(&format!("[{i}]"));
        }
    }
    Ok((cur, left_out))
}

fn push_path(walked: &mut String, name: &str) {
    if !walked.is_empty() {
        walked.push('.');
    }
    walked.push_str(name);
}

/// The path walked so far as messages name it.
fn here(walked: &str) -> &str {
    if walked.is_empty() {
        "the scenario"
    } else {
        walked
    }
}

fn step_field<'a>(cur: &'a mut Value, name: &str, walked: &str) -> Result<&'a mut Value, String> {
    let here = here(walked);
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
    use crate::scenario::{AgentGroup, Shock};

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

    /// A scenario with a perpetual and a spot venue besides the home one.
    const VENUES: &str = r#"Scenario(name: "t", duration_s: 10.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
            market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0, size_min: 1,
            size_max: 5)],
        venues: [
            VenueSpec(name: "perp-b", kind: Perp, preset: Bybit,
                index_sources: Some(IndexSources(sources: [Venue(name: "spot-x", weight: 1.0)])),
                agents: [Noise(name: "noise-b", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                    market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                    size_min: 1, size_max: 5)]),
            VenueSpec(name: "spot-x", kind: Spot,
                agents: [Noise(name: "noise-x", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                    market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                    size_min: 1, size_max: 5)]),
        ])"#;

    fn set_venues(pairs: &[&str]) -> Result<Scenario, OverrideError> {
        let s = Scenario::parse(VENUES).unwrap();
        let o: Vec<Override> = pairs.iter().map(|p| Override::parse(p).unwrap()).collect();
        apply(&s, &o)
    }

    #[test]
    fn a_list_of_enum_variants_with_fields_reads_as_its_type() {
        use crate::scenario::IndexSource;
        let s = set_venues(&[
            "venues.perp-b.index_sources.sources=[Venue(name: \"spot-x\", weight: 2.0), \
             Scripted(weight: 1.0)]",
        ])
        .unwrap();
        let sources = &s.venues[0].index_sources.as_ref().unwrap().sources;
        assert_eq!(
            sources,
            &[
                IndexSource::Venue {
                    name: "spot-x".into(),
                    weight: 2.0
                },
                IndexSource::Scripted { weight: 1.0 }
            ]
        );
        // The whole section, its list nested in a structure, and one entry alone.
        let s = set_venues(&[
            "venues.perp-b.index_sources=Some(IndexSources(sources: [Scripted(weight: 3.0)], \
             stale_s: 4.0))",
        ])
        .unwrap();
        let ix = s.venues[0].index_sources.as_ref().unwrap();
        assert_eq!(ix.sources, [IndexSource::Scripted { weight: 3.0 }]);
        assert_eq!(ix.stale_s, 4.0);
        let s =
            set_venues(&["venues.perp-b.index_sources.sources[0]=Scripted(weight: 5.0)"]).unwrap();
        assert_eq!(
            s.venues[0].index_sources.as_ref().unwrap().sources,
            [IndexSource::Scripted { weight: 5.0 }]
        );
        // A misspelt variant inside the list is refused, naming it.
        let e =
            set_venues(&["venues.perp-b.index_sources.sources=[Venu(name: \"x\", weight: 1.0)]"])
                .unwrap_err();
        assert!(e.reason.contains("Venu"), "{e}");
    }

    #[test]
    fn another_venues_rule_sections_can_be_set_though_left_out() {
        let s = set_venues(&[
            "venues.perp-b.liquidation.enabled=false",
            "venues.perp-b.funding.interval_s=600",
            "venues.perp-b.mark=Last",
            "venues.perp-b.preset=\"Binance\"",
        ])
        .unwrap();
        let b = &s.venues[0];
        assert_eq!(b.liquidation.enabled, Some(false));
        assert_eq!(b.funding.interval_s, Some(600.0));
        assert_eq!(b.mark, Some(crate::scenario::MarkSpec::Last));
        assert_eq!(b.preset, crate::scenario::Preset::Binance, "a quoted name");
        assert_eq!(s.liquidation.enabled, None, "the home venue's are its own");
        // What stays unset is left out of the text again.
        let text = set_venues(&["venues.perp-b.liquidation.enabled=false"])
            .unwrap()
            .to_ron()
            .unwrap();
        assert!(text.contains("enabled: Some(false)"), "{text}");
        assert!(!text.contains("cooldown_s"), "{text}");
    }

    #[test]
    fn every_value_reads_as_its_fields_type() {
        use crate::scenario::{CollateralShare, Execution};
        // An option written bare or as Some; a variant bare or quoted; a bare word a string.
        assert_eq!(set(&["index=None"]).unwrap().index, None);
        let s = set(&["liquidation.execution=IocAtBankruptcy"]).unwrap();
        assert_eq!(s.liquidation.execution, Some(Execution::IocAtBankruptcy));
        let s = set(&["liquidation.execution=\"FokAtBankruptcy\""]).unwrap();
        assert_eq!(s.liquidation.execution, Some(Execution::FokAtBankruptcy));
        let s = set(&["agents.noise.name=calm"]).unwrap();
        assert_eq!(s.agents[0].name(), "calm");
        // A list of tuples inside an option, and a struct with an unnamed structure inside.
        let s =
            set(&["index=IndexSpec(interval_s: 2.0, path: [(0.0, 100.0), (5.0, 90.0)])"]).unwrap();
        assert_eq!(s.index.unwrap().path, [(0.0, 100.0), (5.0, 90.0)]);
        let s = set(&[
            "agents=[Leveraged(name: \"l\", count: 1, long_share: 1.0, collateral: 100.0, \
             leverage_min: 2.0, leverage_max: 3.0, entry_start_s: 0.0, entry_end_s: 1.0, \
             check_interval_s: 1.0, collateral_asset: Some((asset: \"coin\", share: 0.5)))]",
        ])
        .unwrap();
        match &s.agents[0] {
            AgentGroup::Leveraged(l) => assert_eq!(
                l.collateral_asset,
                Some(CollateralShare {
                    asset: "coin".into(),
                    share: 0.5
                })
            ),
            other => panic!("{other:?}"),
        }
        // Trailing text is refused, not dropped.
        let e = set(&["duration_s=20 30"]).unwrap_err();
        assert!(e.reason.contains("20 30"), "{e}");
    }

    #[test]
    fn reaches_a_field_its_scenario_leaves_out_at_its_default() {
        // A `false` flag and a `None` option are not written, so they are not in the tree the
        // path walks; the type still has them.
        let fundamentalist = "agents=[Fundamentalist(name: \"f\", count: 1, mean_wake_s: 10.0, \
             threshold_bps: 25.0, lots_per_bps: 1.0, max_size: 5)]";
        let s = set(&[
            fundamentalist,
            "agents.f.wait_for_book=true",
            "agents.f.max_position=300",
            "shocks=[MarketSell(at_s: 1.0, qty: 5)]",
            "shocks[0].venue=\"spot-x\"",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        match &s.agents[0] {
            AgentGroup::Fundamentalist(f) => {
                assert!(f.wait_for_book);
                assert_eq!(f.max_position, Some(300));
            }
            other => panic!("{other:?}"),
        }
        match &s.shocks[0] {
            Shock::MarketSell { venue, .. } => assert_eq!(venue.as_deref(), Some("spot-x")),
            other => panic!("{other:?}"),
        }
        // Set back to its default, it is left out again.
        let s = set(&[fundamentalist, "agents.f.wait_for_book=false"]).unwrap();
        assert!(!s.to_ron().unwrap().contains("wait_for_book"));
        // A misspelt name is still refused, with every field the type has (the left-out
        // ones too).
        let e = set(&[fundamentalist, "agents.f.wait_for_bok=true"]).unwrap_err();
        assert!(
            e.reason.contains("agents.f has no field \"wait_for_bok\""),
            "{e}"
        );
        assert!(e.reason.contains("wait_for_book"), "{e}");
        let e = set(&["instrument.tick_sise=0.5"]).unwrap_err();
        assert!(
            e.reason.contains("instrument has no field \"tick_sise\""),
            "{e}"
        );
        assert!(e.reason.contains("tick_size"), "{e}");
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
        // Through an option the text left out: set it whole first.
        let e = set(&["agents.makers.stress.withdraw=false"]).unwrap_err();
        assert!(
            e.reason
                .contains("agents.makers.stress is none; set it whole first"),
            "{e}"
        );
        // A text that is the hole's marker cannot be told from it: refused, not misread.
        let e = set(&["name=\"\u{0}--set value\u{0}\"", "agents.noise.name=calm"]).unwrap_err();
        assert!(e.reason.contains("internal marker"), "{e}");
        // Through a misspelt name on the way: no such field.
        let e = set(&["agents.makers.stres.withdraw=false"]).unwrap_err();
        assert!(e.reason.contains("no field \"stres\""), "{e}");
    }
}
