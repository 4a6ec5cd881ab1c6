//! The type of every summary metric, read from the typed [`Summary`] through its JSON Schema,
//! so a sweep's results and aggregate columns have one type whatever the data (a figure that
//! is null in every run is still a DOUBLE when the summary holds it as a float).

use crate::summary::Summary;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// How a metric is held in summary.json, and so in a sweep's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricType {
    /// An integer (a count, lots): INT64 in Parquet.
    Int,
    /// A float, possibly missing (a price, a ratio): DOUBLE in Parquet.
    Float,
}

/// The JSON Schema of summary.json, sub-schemas inlined, with each field's doc comment as its
/// description.
pub fn summary_schema() -> Value {
    SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<Summary>()
        .to_value()
}

/// Every metric of a summary under its dotted key, sorted, with its type and its description.
pub fn metric_types() -> Vec<(String, MetricType, String)> {
    let mut out = Vec::new();
    walk("", &summary_schema(), &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn walk(prefix: &str, schema: &Value, out: &mut Vec<(String, MetricType, String)>) {
    // A map keyed by the scenario's names (`venues.<name>.*`) has no fixed keys: not a metric.
    if schema
        .get("additionalProperties")
        .is_some_and(Value::is_object)
    {
        return;
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, sub) in props {
            let key = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            walk(&key, sub, out);
        }
        return;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let ty = if types.contains(&"integer") {
        MetricType::Int
    } else if types.contains(&"number") {
        MetricType::Float
    } else {
        // Summary holds numbers only; a field of another type is a change to this module too.
        panic!("summary field {prefix} is neither an integer nor a number: {schema}");
    };
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    out.push((prefix.to_string(), ty, description));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(key: &str) -> MetricType {
        metric_types()
            .into_iter()
            .find(|(k, ..)| k == key)
            .unwrap_or_else(|| panic!("no metric {key}"))
            .1
    }

    #[test]
    fn optional_floats_are_floats_and_counts_integers() {
        assert_eq!(ty("liquidations.busiest_40min_share"), MetricType::Float);
        assert_eq!(ty("stress_from_s"), MetricType::Float);
        assert_eq!(ty("price.max_drawdown_pct"), MetricType::Float);
        assert_eq!(ty("liquidations.count"), MetricType::Int);
        assert_eq!(ty("ledger.open_interest"), MetricType::Int);
        assert_eq!(ty("samples"), MetricType::Int);
        assert_eq!(ty("collateral.liquidations"), MetricType::Int);
        assert_eq!(ty("collateral.price_min"), MetricType::Float);
        assert_eq!(ty("collateral.sold_value"), MetricType::Float);
    }

    #[test]
    fn the_keys_are_the_summary_keys_each_described() {
        // Every optional section present: funding (and the basis), fees, the margin gate,
        // another venue (contagion.*; venues.* is not a metric) and collateral assets.
        let rec = cascade_sim::Recording {
            funding: Some(Default::default()),
            collateral_price_min_ppm: Some(650_000),
            fees_on: true,
            gate_on: true,
            venues: vec![cascade_sim::VenueRecording::default()],
            ..Default::default()
        };
        let summary = crate::summarize(&rec, &crate::PriceFormat::new(0.01), None);
        assert!(summary.venues.is_some());
        let mut keys: Vec<String> = summary
            .metrics()
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        let types = metric_types();
        let typed: Vec<&String> = types.iter().map(|(k, ..)| k).collect();
        assert_eq!(typed, keys.iter().collect::<Vec<_>>());
        for (k, _, d) in &types {
            assert!(!d.is_empty(), "{k} has no doc comment");
        }
    }
}
