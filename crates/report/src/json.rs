//! JSON as cascade writes and reads it: pretty text with a final newline for every JSON file
//! of a run folder, and nested objects flattened into dotted keys, the one way a summary's
//! metrics are named (`spread.peak_bps`) in comparisons and sweep results.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use serde::Serialize;
use serde_json::Value;

/// Pretty JSON with a final newline.
pub fn json_bytes<T: Serialize>(v: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(v)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Every leaf of `value` (anything but an object) under its dotted path, in document order:
/// `{"price": {"min": 1}, "samples": 3}` → `[("price.min", 1), ("samples", 3)]`.
pub fn flatten(value: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flatten_joins_nested_keys_with_dots() {
        let m = flatten(&json!({"price": {"min": 1.5, "max": null}, "samples": 3}));
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["price.max", "price.min", "samples"]);
        assert_eq!(m[1].1, json!(1.5));
        assert_eq!(m[0].1, Value::Null);
    }
}
