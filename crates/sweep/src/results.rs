//! The results table (results.csv, results.parquet) and the per-point statistics
//! (aggregate.csv), built from run records alone.
//!
//! results: one row per run, sorted by (point, replicate): `point, replicate, seed`, one
//! column per axis (named by its path), `status, error`, then every summary metric (dotted
//! keys, sorted). aggregate: one row per (point, metric) over the point's successful runs:
//! `n, mean, std` (sample standard deviation, n − 1), `min`, the 5/50/95% quantiles (linear
//! interpolation between order statistics, as numpy's default) and `max`.

use crate::parquet_out::write_parquet;
use crate::plan::{Cell, Design, Kind};
use crate::record::{RunRecord, Status};
use crate::SweepError;
use cascade_report::atomic::{write_bytes, write_with};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// Names of the columns every results table starts with.
pub const FIXED_COLUMNS: [&str; 5] = ["point", "replicate", "seed", "status", "error"];

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// Integers (none = empty cell).
    Int(Vec<Option<i64>>),
    /// Unsigned integers (seeds).
    UInt(Vec<u64>),
    /// Floating-point numbers (none = empty cell).
    Float(Vec<Option<f64>>),
    /// Text (none = empty cell).
    Text(Vec<Option<String>>),
}

impl Data {
    /// One cell as CSV text.
    pub fn cell(&self, row: usize) -> String {
        match self {
            Data::Int(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            Data::UInt(v) => v[row].to_string(),
            Data::Float(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            Data::Text(v) => v[row].clone().unwrap_or_default(),
        }
    }

    /// One cell as a number, when it holds one.
    pub fn number(&self, row: usize) -> Option<f64> {
        match self {
            Data::Int(v) => v[row].map(|x| x as f64),
            Data::UInt(v) => Some(v[row] as f64),
            Data::Float(v) => v[row],
            Data::Text(_) => None,
        }
    }
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Header name.
    pub name: String,
    /// Values, one per row.
    pub data: Data,
}

/// The results table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Number of rows.
    pub rows: usize,
    /// Names of the metric columns (a suffix of `columns`).
    pub metrics: Vec<String>,
    /// The point of each row.
    pub points: Vec<u32>,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Builds the table from records sorted by (point, replicate).
pub fn table(design: &Design, rows: &[&RunRecord]) -> Table {
    let n = rows.len();
    let mut columns = vec![
        Column {
            name: "point".into(),
            data: Data::Int(rows.iter().map(|r| Some(i64::from(r.point))).collect()),
        },
        Column {
            name: "replicate".into(),
            data: Data::Int(rows.iter().map(|r| Some(i64::from(r.replicate))).collect()),
        },
        Column {
            name: "seed".into(),
            data: Data::UInt(rows.iter().map(|r| r.seed).collect()),
        },
    ];
    for (a, axis) in design.axes.iter().enumerate() {
        let cell = |r: &&RunRecord| -> &Cell {
            &axis.values[design.points[r.point as usize][a] as usize].cell
        };
        let data = match axis.kind {
            Kind::Int => Data::Int(
                rows.iter()
                    .map(|r| match cell(r) {
                        Cell::Int(i) => Some(*i),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::Float => Data::Float(rows.iter().map(|r| cell(r).as_f64()).collect()),
            Kind::Text => Data::Text(rows.iter().map(|r| Some(cell(r).to_text())).collect()),
        };
        columns.push(Column {
            name: axis.path.clone(),
            data,
        });
    }
    columns.push(Column {
        name: "status".into(),
        data: Data::Text(
            rows.iter()
                .map(|r| Some(r.status.as_str().to_string()))
                .collect(),
        ),
    });
    columns.push(Column {
        name: "error".into(),
        data: Data::Text(
            rows.iter()
                .map(|r| (!r.error.is_empty()).then(|| r.error.clone()))
                .collect(),
        ),
    });
    let names: BTreeSet<&String> = rows.iter().flat_map(|r| r.metrics.keys()).collect();
    let metrics: Vec<String> = names.into_iter().cloned().collect();
    for name in &metrics {
        let values: Vec<Option<&Value>> = rows
            .iter()
            .map(|r| r.metrics.get(name).filter(|v| v.is_number()))
            .collect();
        let all_int = values.iter().flatten().all(|v| v.is_i64());
        let data = if all_int {
            Data::Int(values.iter().map(|v| v.and_then(Value::as_i64)).collect())
        } else {
            Data::Float(values.iter().map(|v| v.and_then(Value::as_f64)).collect())
        };
        columns.push(Column {
            name: name.clone(),
            data,
        });
    }
    Table {
        columns,
        rows: n,
        metrics,
        points: rows.iter().map(|r| r.point).collect(),
    }
}

/// Writes results.csv, results.parquet and aggregate.csv into `dir`, each atomically.
pub fn write_results(dir: &Path, design: &Design, rows: &[&RunRecord]) -> Result<(), SweepError> {
    debug_assert!(rows.windows(2).all(|w| w[0].id() < w[1].id()));
    let t = table(design, rows);
    write_with(&dir.join("results.csv"), |w| write_csv(w, &t))?;
    let parquet_path = dir.join("results.parquet");
    let bytes = write_parquet(&t).map_err(|message| SweepError::Encode {
        path: parquet_path.clone(),
        message,
    })?;
    write_bytes(&parquet_path, &bytes)?;
    write_with(&dir.join("aggregate.csv"), |w| {
        write_aggregate(w, design, &t, rows)
    })?;
    Ok(())
}

fn write_csv(w: &mut dyn Write, t: &Table) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(t.columns.iter().map(|c| c.name.as_str()))?;
    for row in 0..t.rows {
        out.write_record(t.columns.iter().map(|c| c.data.cell(row)))?;
    }
    out.flush()
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
        min: sorted[0],
        q05: quantile(&sorted, 0.05),
        q50: quantile(&sorted, 0.50),
        q95: quantile(&sorted, 0.95),
        max: sorted[n - 1],
    })
}

/// The p-quantile of sorted values, interpolating linearly between order statistics.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The statistics of every metric at every point: (point, metric index, stats).
pub fn aggregate(t: &Table, rows: &[&RunRecord]) -> Vec<(u32, usize, Option<Stats>)> {
    let mut out = Vec::new();
    let first_metric = t.columns.len() - t.metrics.len();
    let mut start = 0;
    while start < t.rows {
        let point = t.points[start];
        let end = start
            + t.points[start..]
                .iter()
                .take_while(|&&p| p == point)
                .count();
        for m in 0..t.metrics.len() {
            let col = &t.columns[first_metric + m].data;
            let values: Vec<f64> = (start..end)
                .filter(|&r| rows[r].status == Status::Ok)
                .filter_map(|r| col.number(r))
                .collect();
            out.push((point, m, stats(&values)));
        }
        start = end;
    }
    out
}

fn write_aggregate(
    w: &mut dyn Write,
    design: &Design,
    t: &Table,
    rows: &[&RunRecord],
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let mut header = vec!["point".to_string()];
    header.extend(design.axes.iter().map(|a| a.path.clone()));
    header.extend(
        [
            "metric", "n", "mean", "std", "min", "q05", "q50", "q95", "max",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out.write_record(&header)?;
    for (point, m, s) in aggregate(t, rows) {
        let mut rec = vec![point.to_string()];
        rec.extend(design.cells(point).iter().map(|c| c.to_text()));
        rec.push(t.metrics[m].clone());
        match s {
            Some(s) => rec.extend([
                s.n.to_string(),
                s.mean.to_string(),
                s.std.map(|x| x.to_string()).unwrap_or_default(),
                s.min.to_string(),
                s.q05.to_string(),
                s.q50.to_string(),
                s.q95.to_string(),
                s.max.to_string(),
            ]),
            None => {
                rec.push("0".to_string());
                rec.extend(std::iter::repeat_n(String::new(), 7));
            }
        }
        out.write_record(&rec)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(quantile(&xs, 0.5), 6.0);
        assert_eq!(quantile(&xs, 0.05), 1.5);
        assert_eq!(quantile(&xs, 0.95), 10.5);
        assert_eq!(quantile(&[4.0], 0.95), 4.0);
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
