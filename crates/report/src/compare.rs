//! Comparing two runs: their summary metrics side by side with the differences, as a text
//! table for the terminal, compare.csv and compare.md.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::json::flatten;
use crate::{ReportError, Summary};
use serde_json::Value;
use std::path::Path;

/// One metric of both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow {
    /// Dotted key in summary.json (`spread.peak_bps`).
    pub metric: String,
    /// Run A's value (none when A lacks it or it is null).
    pub a: Option<f64>,
    /// Run B's value.
    pub b: Option<f64>,
}

impl MetricRow {
    /// B − A.
    pub fn diff(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// (B − A) / |A|, percent; none when A is zero.
    pub fn change_pct(&self) -> Option<f64> {
        let (a, b) = (self.a?, self.b?);
        (a != 0.0).then(|| (b - a) / a.abs() * 100.0)
    }
}

/// Reads `dir/summary.json`; a file that is not a summary is refused with the reason.
pub fn read_summary(dir: &Path) -> Result<Summary, ReportError> {
    let path = dir.join("summary.json");
    let bytes = crate::read::read_bounded(&path, crate::read::SUMMARY)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ReportError::input(&path, format!("not a run summary: {e}")))
}

/// The rows of two summaries: every figure of A in file order, then any only B has.
pub fn summary_rows(a: &Summary, b: &Summary) -> Result<Vec<MetricRow>, serde_json::Error> {
    Ok(metric_rows(
        &serde_json::to_value(a)?,
        &serde_json::to_value(b)?,
    ))
}

/// Every numeric (or null) leaf of either summary, A's keys first in A's order, then B's.
pub fn metric_rows(a: &Value, b: &Value) -> Vec<MetricRow> {
    let (la, lb) = (leaves(a), leaves(b));
    let mut names: Vec<String> = la.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &lb {
        if !names.contains(k) {
            names.push(k.clone());
        }
    }
    let get =
        |l: &[(String, Option<f64>)], k: &str| l.iter().find(|(n, _)| n == k).and_then(|(_, v)| *v);
    names
        .into_iter()
        .map(|metric| MetricRow {
            a: get(&la, &metric),
            b: get(&lb, &metric),
            metric,
        })
        .collect()
}

/// The numeric and null leaves of a summary under their dotted keys.
fn leaves(v: &Value) -> Vec<(String, Option<f64>)> {
    flatten(v)
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::Number(n) => Some((k, n.as_f64())),
            Value::Null => Some((k, None)),
            _ => None,
        })
        .collect()
}

/// A number for a table: integers whole, others with up to 4 decimals, trailing zeros trimmed.
pub fn number(v: Option<f64>) -> String {
    let Some(v) = v else { return String::new() };
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:+.2}%")).unwrap_or_default()
}

/// compare.csv: `metric,a,b,diff,change_pct`.
pub fn to_csv(rows: &[MetricRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["metric", "a", "b", "diff", "change_pct"])?;
    for r in rows {
        let change = r
            .change_pct()
            .map(|p| format!("{p:.4}"))
            .unwrap_or_default();
        out.write_record([
            r.metric.clone(),
            number(r.a),
            number(r.b),
            number(r.diff()),
            change,
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// compare.md: a Markdown table with the runs named in the header.
pub fn to_markdown(rows: &[MetricRow], label_a: &str, label_b: &str) -> String {
    let mut s = format!(
        "# Comparison\n\n- A: {label_a}\n- B: {label_b}\n\n| metric | A | B | B − A | change |\n|---|---:|---:|---:|---:|\n"
    );
    for r in rows {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.metric,
            number(r.a),
            number(r.b),
            number(r.diff()),
            pct(r.change_pct())
        ));
    }
    s
}

/// The table for a terminal, columns aligned.
pub fn to_text(rows: &[MetricRow]) -> String {
    let header = ["metric", "A", "B", "B - A", "change"].map(String::from);
    let body: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.metric.clone(),
                number(r.a),
                number(r.b),
                number(r.diff()),
                pct(r.change_pct()),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &body {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String; 5]| {
        let mut s = format!("{:<w$}", cells[0], w = widths[0]);
        for (c, w) in cells.iter().zip(widths).skip(1) {
            s.push_str(&format!("  {c:>w$}"));
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    for row in &body {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_pair_the_leaves_and_compute_differences() {
        let a = json!({"price": {"end": 100.0, "min": 90.0}, "events": {"processed": 10}});
        let b = json!({"price": {"end": 95.0, "min": null}, "events": {"processed": 10}, "x": 1});
        let rows = metric_rows(&a, &b);
        let names: Vec<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
        assert_eq!(names, ["events.processed", "price.end", "price.min", "x"]);
        assert_eq!(rows[1].diff(), Some(-5.0));
        assert_eq!(rows[1].change_pct(), Some(-5.0));
        assert_eq!(rows[2].diff(), None);
        let csv = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert!(
            csv.starts_with("metric,a,b,diff,change_pct\nevents.processed,10,10,0,0.0000\n"),
            "{csv}"
        );
        assert!(to_markdown(&rows, "a", "b").contains("| `price.end` | 100 | 95 | -5 | -5.00% |"));
        assert!(to_text(&rows)
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("price.end"));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(Some(3.0)), "3");
        assert_eq!(number(Some(2.123456)), "2.1235");
        assert_eq!(number(Some(0.5)), "0.5");
        assert_eq!(number(None), "");
    }
}
