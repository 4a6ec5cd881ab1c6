//! The results table (results.csv, results.parquet) and the per-point statistics
//! (aggregate.csv, aggregate.parquet), built from run records alone.
//!
//! results: one row per run, sorted by (point, replicate): `point, replicate, seed`, one
//! column per axis (named by its path), `status, error`, then every summary metric (dotted
//! keys, sorted, typed by the summary). aggregate (aggregate.csv, aggregate.parquet): one row
//! per (point, metric) over the point's successful runs: `point`, the axes, `metric`,
//! `n, mean, std` (sample standard deviation, n − 1), `min`, the 5/50/95% quantiles (linear
//! interpolation, `cascade_report::quantile`) and `max`. Every column has one type whatever
//! the data.
#![warn(clippy::indexing_slicing)]

use crate::plan::{Cell, Design, Kind};
use crate::record::{RunRecord, Status};
use crate::SweepError;
use cascade_report::atomic::{write_bytes, write_with};
use cascade_report::parquet_io::to_parquet;
use cascade_report::quantile::quantile;
use cascade_report::{metric_types, MetricType, Table};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Names of the columns every results table starts with.
pub const FIXED_COLUMNS: [&str; 5] = ["point", "replicate", "seed", "status", "error"];

/// The results table and what aggregating it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    /// The table written as results.csv and results.parquet.
    pub table: Table,
    /// Names of the metric columns (a suffix of the table's columns).
    pub metrics: Vec<String>,
    /// The point of each row.
    pub points: Vec<u32>,
}

/// Builds the table from records sorted by (point, replicate). The metric columns are every
/// figure of a summary, typed by [`cascade_report::metric_types`] (an integer figure INT64, a
/// float one DOUBLE), whatever the runs hold: a metric null in every run keeps its type, and a
/// sweep whose runs all failed still has every column.
pub fn table(design: &Design, rows: &[&RunRecord]) -> Results {
    let t = Table::new("results", rows.len())
        .int("point", rows.iter().map(|r| Some(i64::from(r.point))))
        .int(
            "replicate",
            rows.iter().map(|r| Some(i64::from(r.replicate))),
        )
        .uint("seed", rows.iter().map(|r| r.seed));
    let mut t = axis_columns(t, design, rows.iter().map(|r| r.point))
        .text(
            "status",
            rows.iter().map(|r| Some(r.status.as_str().to_string())),
        )
        .text(
            "error",
            rows.iter()
                .map(|r| (!r.error.is_empty()).then(|| r.error.clone())),
        );
    let types = metric_types();
    for (name, ty, _) in &types {
        let values = rows
            .iter()
            .map(|r| r.metrics.get(name).filter(|v| v.is_number()));
        t = match ty {
            MetricType::Int => t.int(name.clone(), values.map(|v| v.and_then(Value::as_i64))),
            MetricType::Float => {
                t.float_full(name.clone(), values.map(|v| v.and_then(Value::as_f64)))
            }
        };
    }
    Results {
        table: t,
        metrics: types.into_iter().map(|(name, ..)| name).collect(),
        points: rows.iter().map(|r| r.point).collect(),
    }
}

/// One column per axis of the design, typed by the axis, holding each row's point's value
/// (every point and value index is within the design: [`crate::record::check_design`] and
/// [`crate::record::check_record`] refuse a folder where one is not; an empty cell otherwise).
fn axis_columns(mut t: Table, design: &Design, points: impl Iterator<Item = u32> + Clone) -> Table {
    for (a, axis) in design.axes.iter().enumerate() {
        let cells = points.clone().map(|p| {
            let v = *design.points.get(p as usize)?.get(a)?;
            Some(&axis.values.get(v as usize)?.cell)
        });
        t = match axis.kind {
            Kind::Int => t.int(
                axis.path.clone(),
                cells.map(|c| match c {
                    Some(Cell::Int(i)) => Some(*i),
                    _ => None,
                }),
            ),
            Kind::Float => t.float_full(axis.path.clone(), cells.map(|c| c?.as_f64())),
            Kind::Text => t.text(axis.path.clone(), cells.map(|c| Some(c?.to_text()))),
        };
    }
    t
}

/// Writes results.csv, results.parquet, aggregate.csv and aggregate.parquet into `dir`, each
/// atomically.
pub fn write_results(dir: &Path, design: &Design, rows: &[&RunRecord]) -> Result<(), SweepError> {
    debug_assert!(rows
        .iter()
        .zip(rows.iter().skip(1))
        .all(|(a, b)| a.id() < b.id()));
    let r = table(design, rows);
    write_table(dir, &r.table)?;
    write_table(dir, &aggregate_table(design, &r, rows))?;
    if let Some(t) = crate::sensitivity::sensitivity_table(design, rows) {
        write_table(dir, &t)?;
    }
    Ok(())
}

/// `NAME.csv` and `NAME.parquet` of a table; returns the two paths.
pub(crate) fn write_table(dir: &Path, table: &Table) -> Result<Vec<PathBuf>, SweepError> {
    let csv_path = dir.join(format!("{}.csv", table.name));
    write_with(&csv_path, |w| table.write_csv(w))?;
    let parquet_path = dir.join(format!("{}.parquet", table.name));
    let bytes = to_parquet(table).map_err(|e| SweepError::Encode {
        path: parquet_path.clone(),
        message: e.to_string(),
    })?;
    write_bytes(&parquet_path, &bytes)?;
    Ok(vec![csv_path, parquet_path])
}

/// Per-point statistics of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Values that went in.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (none below two values).
    pub std: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// 5% quantile.
    pub q05: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Largest value.
    pub max: f64,
}

/// Statistics of a list of values (none when it is empty).
pub fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let std = (n > 1).then(|| {
        let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        (ss / (n - 1) as f64).sqrt()
    });
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Stats {
        n,
        mean,
        std,
        min: *sorted.first()?,
        q05: quantile(&sorted, 0.05),
        q50: quantile(&sorted, 0.50),
        q95: quantile(&sorted, 0.95),
        max: *sorted.last()?,
    })
}

/// The statistics of every metric at every point: (point, metric index, stats). `rows` are
/// the rows of `t`, in its order.
pub fn aggregate(t: &Results, rows: &[&RunRecord]) -> Vec<(u32, usize, Option<Stats>)> {
    let mut out = Vec::new();
    // The metric columns are the last ones.
    let first_metric = t.table.columns.len().saturating_sub(t.metrics.len());
    let metric_columns = t.table.columns.get(first_metric..).unwrap_or_default();
    let mut start = 0;
    for point_rows in rows.chunk_by(|a, b| a.point == b.point) {
        let Some(first) = point_rows.first() else {
            continue;
        };
        for (m, col) in metric_columns.iter().enumerate() {
            let values: Vec<f64> = (start..)
                .zip(point_rows)
                .filter(|(_, r)| r.status == Status::Ok)
                .filter_map(|(i, _)| col.values.number(i))
                .collect();
            out.push((first.point, m, stats(&values)));
        }
        start += point_rows.len();
    }
    out
}

/// The aggregate table: one row per (point, metric), `point`, the axes, `metric`, `n` and
/// the statistics (empty where no successful run had the metric, `std` below two values).
pub fn aggregate_table(design: &Design, t: &Results, rows: &[&RunRecord]) -> Table {
    let cells = aggregate(t, rows);
    let stat = |f: fn(&Stats) -> Option<f64>| {
        cells
            .iter()
            .map(move |(_, _, s)| s.as_ref().and_then(f))
            .collect::<Vec<_>>()
    };
    let table = Table::new("aggregate", cells.len())
        .int("point", cells.iter().map(|(p, ..)| Some(i64::from(*p))));
    axis_columns(table, design, cells.iter().map(|(p, ..)| *p))
        .text(
            "metric",
            cells.iter().map(|(_, m, _)| t.metrics.get(*m).cloned()),
        )
        .int(
            "n",
            cells
                .iter()
                .map(|(.., s)| Some(s.as_ref().map_or(0, |s| s.n as i64))),
        )
        .float_full("mean", stat(|s| Some(s.mean)))
        .float_full("std", stat(|s| s.std))
        .float_full("min", stat(|s| Some(s.min)))
        .float_full("q05", stat(|s| Some(s.q05)))
        .float_full("q50", stat(|s| Some(s.q50)))
        .float_full("q95", stat(|s| Some(s.q95)))
        .float_full("max", stat(|s| Some(s.max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_quantiles_interpolate_like_numpy() {
        let xs: Vec<f64> = (1..=11).map(f64::from).collect();
        let s = stats(&xs).unwrap();
        assert_eq!((s.q05, s.q50, s.q95), (1.5, 6.0, 10.5));
        let one = stats(&[4.0]).unwrap();
        assert_eq!((one.q05, one.q50, one.q95), (4.0, 4.0, 4.0));
    }

    #[test]
    fn stats_use_the_sample_standard_deviation() {
        let s = stats(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        assert!((s.std.unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (2.0, 9.0));
        assert_eq!(stats(&[1.0]).unwrap().std, None);
        assert_eq!(stats(&[]), None);
    }
}
