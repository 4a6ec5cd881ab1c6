//! Axis paths in canonical form, so that two axes over one field are seen as one.
//!
//! `--set` paths may name an agent group by its name or by its index (`agents.makers.size` and
//! `agents[1].size`), and may write an index as its own segment (`agents.[1].size`). The
//! canonical form resolves names against the base scenario and writes every index after its
//! list: `agents[1].size`. Paths are followed the way `cascade_sim::overrides` follows them
//! (through enum variant wrappers, a list entry found by its `name`); a path that cannot be
//! followed is kept as written from there on, and planning refuses it when it applies it.

use cascade_sim::overrides::variant_fields;
use serde_json::Value;

/// The canonical form of `path` against the base scenario (as JSON).
pub(super) fn canonical(base: &Value, path: &str) -> String {
    let mut out = String::new();
    let mut cur = Some(base);
    for segment in path.split('.') {
        let Some((name, indices)) = split_indices(segment) else {
            return path.to_string();
        };
        if !name.is_empty() {
            cur = match cur.map(variant_fields) {
                Some(Value::Array(items)) => match position_by_name(items, name) {
                    Some(p) => {
                        out.push_str(&format!("[{p}]"));
                        items.get(p)
                    }
                    None => {
                        push_name(&mut out, name);
                        None
                    }
                },
                Some(Value::Object(map)) => {
                    push_name(&mut out, name);
                    map.get(name)
                }
                _ => {
                    push_name(&mut out, name);
                    None
                }
            };
        }
        for i in indices {
            out.push_str(&format!("[{i}]"));
            cur = match cur.map(variant_fields) {
                Some(Value::Array(items)) => items.get(i),
                _ => None,
            };
        }
    }
    out
}

/// True when the field at canonical path `inner` lies inside (or is) the one at `outer`.
pub(super) fn contains(outer: &str, inner: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

fn push_name(out: &mut String, name: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(name);
}

/// The entry of a list whose (variant's) `name` is `name`: the first, as overrides take it.
fn position_by_name(items: &[Value], name: &str) -> Option<usize> {
    items
        .iter()
        .position(|g| variant_fields(g).get("name").and_then(Value::as_str) == Some(name))
}

/// `name[i][j]` as (`name`, [i, j]); `None` when the indices are malformed.
fn split_indices(segment: &str) -> Option<(&str, Vec<usize>)> {
    let (name, mut rest) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
    let mut indices = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        indices.push(inner[..close].parse().ok()?);
        rest = &inner[close + 1..];
    }
    rest.is_empty().then_some((name, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Value {
        serde_json::json!({
            "duration_s": 10.0,
            "agents": [
                {"Noise": {"name": "noise", "rate_per_s": 1.0}},
                {"Maker": {"name": "makers", "size": 10, "stress": {"Widen": {"factor": 2.0}}}},
            ],
            "shocks": [{"MarketSell": {"at_s": 1.0, "qty": 5}}],
        })
    }

    #[test]
    fn names_and_index_segments_become_indices() {
        let b = base();
        for (given, want) in [
            ("agents.makers.size", "agents[1].size"),
            ("agents[1].size", "agents[1].size"),
            ("agents.[1].size", "agents[1].size"),
            ("agents.noise", "agents[0]"),
            ("agents.makers.stress.factor", "agents[1].stress.factor"),
            ("shocks[0].qty", "shocks[0].qty"),
            ("duration_s", "duration_s"),
            ("agents.nobody.size", "agents.nobody.size"),
            ("nope.deeper[2]", "nope.deeper[2]"),
            ("agents[x].size", "agents[x].size"),
        ] {
            assert_eq!(canonical(&b, given), want, "{given}");
        }
    }

    #[test]
    fn a_field_is_inside_itself_and_its_parents_only() {
        assert!(contains("agents[1]", "agents[1].size"));
        assert!(contains("agents", "agents[1]"));
        assert!(contains("agents[1].size", "agents[1].size"));
        assert!(!contains("agents[1]", "agents[10].size"));
        assert!(!contains("agents[1].size", "agents[1].size_max"));
        assert!(!contains("agents[1].size", "agents[1]"));
    }
}
