//! The report of a sweep folder: for each metric, a heatmap of its mean over the first two
//! grid axes and its median with the 5–95% band along every axis; the results as a table that
//! sorts; links to the runs kept with `--keep-runs`. The sweep crate reads the folder and hands
//! over a [`SweepInput`]; the statistics are computed here with [`crate::quantile`].

use crate::quantile::quantile;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Most runs listed in the page's table (every run counts in the charts): a page stays a few
/// megabytes; results.csv has every row.
pub const MAX_TABLE_ROWS: usize = 10_000;

/// One axis of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepAxis {
    /// Scenario path, the results column's name.
    pub path: String,
    /// Each value as shown.
    pub labels: Vec<String>,
    /// Drawn at random rather than crossed (no heatmap over it).
    pub sampled: bool,
}

/// One run of the sweep, finished or failed.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRun {
    /// Point index.
    pub point: u32,
    /// Replicate index.
    pub replicate: u32,
    /// Run seed.
    pub seed: u64,
    /// The index of its value on each axis.
    pub values: Vec<u32>,
    /// `ok` or `failed`.
    pub ok: bool,
    /// Why it failed, empty when it did not.
    pub error: String,
    /// Dotted summary keys to numbers (non-numbers left out).
    pub metrics: BTreeMap<String, f64>,
    /// The kept run folder, relative to the sweep folder, when it was kept.
    pub kept: Option<String>,
    /// The kept run's report.html relative to the sweep folder, when it has one.
    pub kept_report: Option<String>,
}

/// What the sweep page draws.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepInput {
    /// The sweep's name.
    pub name: String,
    /// The sweep hash (sweep.json).
    pub hash: String,
    /// Runs in the design.
    pub run_count: u64,
    /// The axes, in file order.
    pub axes: Vec<SweepAxis>,
    /// The runs found, sorted by (point, replicate).
    pub runs: Vec<SweepRun>,
    /// Metrics charted first, in order (the rest can be chosen on the page).
    pub headline: Vec<String>,
}

/// The page's title and data.
pub fn data(input: &SweepInput) -> (String, Value) {
    let title = format!("sweep {}", input.name);
    let metrics = varying_metrics(input);
    let mut charts = serde_json::Map::new();
    for m in &metrics {
        charts.insert(
            m.clone(),
            json!({"heatmap": heatmap(input, m), "bands": bands(input, m)}),
        );
    }
    let mut ordered: Vec<&String> = input
        .headline
        .iter()
        .filter(|h| metrics.contains(h))
        .collect();
    ordered.extend(metrics.iter().filter(|m| !input.headline.contains(m)));
    let all_metrics: Vec<&String> = {
        let mut v: Vec<&String> = input.runs.iter().flat_map(|r| r.metrics.keys()).collect();
        v.sort();
        v.dedup();
        v
    };
    let runs: Vec<Value> = input
        .runs
        .iter()
        .take(MAX_TABLE_ROWS)
        .map(|r| {
            json!({
                "point": r.point, "replicate": r.replicate, "seed": r.seed.to_string(),
                "values": r.values.iter().enumerate()
                    .map(|(a, &v)| input.axes[a].labels[v as usize].clone())
                    .collect::<Vec<_>>(),
                "status": if r.ok { "ok" } else { "failed" }, "error": r.error,
                "metrics": all_metrics.iter().map(|m| r.metrics.get(*m)).collect::<Vec<_>>(),
                "kept": r.kept, "report": r.kept_report,
            })
        })
        .collect();
    let data = json!({
        "title": title,
        "hash": input.hash,
        "run_count": input.run_count,
        "done": input.runs.len(),
        "failed": input.runs.iter().filter(|r| !r.ok).count(),
        "axes": input.axes.iter().map(|a| json!({"path": a.path, "labels": a.labels, "sampled": a.sampled})).collect::<Vec<_>>(),
        "metrics": ordered,
        "charts": charts,
        "columns": all_metrics,
        "runs": runs,
        "table_left_out": input.runs.len().saturating_sub(MAX_TABLE_ROWS),
    });
    (title, data)
}

/// Metrics with at least two different values over the ok runs.
fn varying_metrics(input: &SweepInput) -> Vec<String> {
    let mut seen: BTreeMap<&String, (f64, bool)> = BTreeMap::new();
    for r in input.runs.iter().filter(|r| r.ok) {
        for (k, &v) in &r.metrics {
            let e = seen.entry(k).or_insert((v, false));
            e.1 |= e.0 != v;
        }
    }
    seen.into_iter()
        .filter(|(_, (_, varies))| *varies)
        .map(|(k, _)| k.clone())
        .collect()
}

/// Grid axes of two values or more.
fn grid_axes(input: &SweepInput) -> Vec<usize> {
    (0..input.axes.len())
        .filter(|&a| !input.axes[a].sampled && input.axes[a].labels.len() > 1)
        .collect()
}

/// The mean of `metric` in each cell of the first two grid axes, `[x, y, mean, n]` (over
/// replicates and any other axes), or null with fewer than two grid axes.
fn heatmap(input: &SweepInput, metric: &str) -> Value {
    let [x, y, ..] = grid_axes(input)[..] else {
        return Value::Null;
    };
    let mut cells: BTreeMap<(u32, u32), Vec<f64>> = BTreeMap::new();
    for (r, v) in ok_values(input, metric) {
        cells.entry((r.values[x], r.values[y])).or_default().push(v);
    }
    let rows: Vec<Value> = cells
        .iter()
        .map(|(&(i, j), vs)| json!([i, j, vs.iter().sum::<f64>() / vs.len() as f64, vs.len()]))
        .collect();
    json!({"x": x, "y": y, "cells": rows})
}

/// Along every axis of two values or more: for each value, `[index, q05, median, q95, n]` of
/// `metric` over the ok runs at that value.
fn bands(input: &SweepInput, metric: &str) -> Value {
    let values = ok_values(input, metric);
    let mut out = Vec::new();
    for (a, axis) in input.axes.iter().enumerate() {
        if axis.labels.len() < 2 {
            continue;
        }
        let mut at: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
        for (r, v) in &values {
            at.entry(r.values[a]).or_default().push(*v);
        }
        let rows: Vec<Value> = at
            .into_iter()
            .map(|(i, mut vs)| {
                vs.sort_by(f64::total_cmp);
                json!([
                    i,
                    quantile(&vs, 0.05),
                    quantile(&vs, 0.5),
                    quantile(&vs, 0.95),
                    vs.len()
                ])
            })
            .collect();
        out.push(json!({"axis": a, "rows": rows}));
    }
    Value::Array(out)
}

fn ok_values<'a>(input: &'a SweepInput, metric: &str) -> Vec<(&'a SweepRun, f64)> {
    input
        .runs
        .iter()
        .filter(|r| r.ok)
        .filter_map(|r| Some((r, *r.metrics.get(metric)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(point: u32, values: Vec<u32>, v: f64, ok: bool) -> SweepRun {
        SweepRun {
            point,
            replicate: 0,
            seed: 1,
            values,
            ok,
            error: String::new(),
            metrics: [("m".to_string(), v), ("flat".to_string(), 1.0)].into(),
            kept: None,
            kept_report: None,
        }
    }

    fn axis(path: &str, n: usize) -> SweepAxis {
        SweepAxis {
            path: path.into(),
            labels: (0..n).map(|i| i.to_string()).collect(),
            sampled: false,
        }
    }

    #[test]
    fn heatmap_means_and_bands_come_from_ok_runs_only() {
        let input = SweepInput {
            name: "s".into(),
            hash: "h".into(),
            run_count: 5,
            axes: vec![axis("a", 2), axis("b", 2)],
            runs: vec![
                run(0, vec![0, 0], 1.0, true),
                run(0, vec![0, 0], 3.0, true),
                run(1, vec![0, 1], 5.0, true),
                run(2, vec![1, 0], 7.0, true),
                run(3, vec![1, 1], 100.0, false),
            ],
            headline: vec!["m".into()],
        };
        let (_, data) = data(&input);
        assert_eq!(
            data["metrics"],
            json!(["m"]),
            "flat metrics are not charted"
        );
        let m = &data["charts"]["m"];
        assert_eq!(
            m["heatmap"]["cells"],
            json!([[0, 0, 2.0, 2], [0, 1, 5.0, 1], [1, 0, 7.0, 1]])
        );
        // Along axis a: value 0 holds {1, 3, 5}, value 1 holds {7}.
        assert_eq!(
            m["bands"][0]["rows"],
            json!([[0, 1.2, 3.0, 4.8, 3], [1, 7.0, 7.0, 7.0, 1]])
        );
        assert_eq!(data["failed"], json!(1));
        assert_eq!(data["table_left_out"], json!(0));
    }

    #[test]
    fn the_table_lists_at_most_its_limit_and_says_how_many_it_leaves_out() {
        let runs: Vec<SweepRun> = (0..MAX_TABLE_ROWS as u32 + 3)
            .map(|i| run(i % 2, vec![i % 2], f64::from(i), true))
            .collect();
        let input = SweepInput {
            name: "big".into(),
            hash: "h".into(),
            run_count: runs.len() as u64,
            axes: vec![axis("a", 2)],
            runs,
            headline: vec![],
        };
        let (_, data) = data(&input);
        assert_eq!(data["runs"].as_array().unwrap().len(), MAX_TABLE_ROWS);
        assert_eq!(data["table_left_out"], json!(3));
        // The charts count every run.
        let n: u64 = data["charts"]["m"]["bands"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[4].as_u64().unwrap())
            .sum();
        assert_eq!(n, MAX_TABLE_ROWS as u64 + 3);
    }
}
