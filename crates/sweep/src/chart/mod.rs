//! Sweep charts, PNG and SVG: a heatmap of a metric over the first two grid axes (the mean
//! over replicates and over any other axes), and for each axis a line of the metric's median
//! with a band across replicates — the 5–95% range with at least 20 runs behind every point,
//! the min–max range with fewer, as the legend says (one line per value of a second axis when
//! it has at most six values).
//!
//! Charts draw from the run records alone, so they can be drawn for a sweep still running.
//! The look (embedded font, colours, text sizes, title and legend strip, tick labels) is the
//! run charts' own, from [`cascade_report::charts::style`].
#![warn(clippy::indexing_slicing)]

mod band;
mod heatmap;

use band::draw_band;
use heatmap::draw_heatmap;

use crate::plan::{Axis, Cell, Design};
use crate::record::{read_manifest, read_records, RunRecord, Status};
use crate::SweepError;
use cascade_report::charts::style;
use cascade_report::charts::{render_picture, Picture};
use cascade_report::{ChartFormat, ReportError};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Metrics charted when none are named, those the sweep has.
pub const HEADLINE_METRICS: [&str; 6] = [
    "price.max_drawdown_pct",
    "spread.peak_over_baseline",
    "depth.min_over_baseline",
    "liquidations.count",
    "liquidations.notional",
    "liquidations.max_generation",
];
/// Most series on one line chart (one per value of the second axis).
const MAX_SERIES: usize = 6;
/// Width of the heatmap's colour bar panel, pixels.
const BAR_PANEL_PX: u32 = 130;
/// Chart size, pixels.
const SIZE: (u32, u32) = (1280, 760);

const SERIES_COLOURS: [RGBColor; MAX_SERIES] = [
    style::BLUE,
    style::VERMILLION,
    style::GREEN,
    style::ORANGE,
    style::PURPLE,
    style::SKY,
];

/// A sweep folder's design and records.
#[derive(Clone, Debug)]
pub struct SweepData {
    /// What the sweep runs.
    pub design: Design,
    /// The sweep hash.
    pub hash: String,
    /// Every record found, sorted by run: each of a run of the design (checked on reading).
    pub records: Vec<RunRecord>,
}

impl SweepData {
    /// Reads a sweep folder (its manifest and whatever records it holds), both checked by
    /// the readers of [`crate::record`].
    pub fn read(dir: &Path) -> Result<Self, SweepError> {
        let m = read_manifest(dir)?
            .ok_or_else(|| SweepError::folder(dir, "not a sweep folder (no sweep.json)"))?;
        let records = read_records(dir, &m.design, &m.hash)?
            .into_values()
            .collect();
        Ok(SweepData {
            design: m.design,
            hash: m.hash,
            records,
        })
    }

    /// The metrics of the records that are numbers somewhere.
    pub fn metrics(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .records
            .iter()
            .flat_map(|r| r.metrics.iter())
            .filter(|(_, v)| v.is_number())
            .map(|(k, _)| k.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The headline metrics this sweep has and that vary across its runs (or its first
    /// metric): a metric that is the same everywhere makes an empty chart.
    pub fn default_metrics(&self) -> Vec<String> {
        let have = self.metrics();
        let varies = |m: &str| {
            let vs: Vec<f64> = self.values(m).into_iter().map(|(_, v)| v).collect();
            vs.iter().any(|v| Some(v) != vs.first())
        };
        let mut out: Vec<String> = HEADLINE_METRICS
            .iter()
            .filter(|m| have.iter().any(|h| h == *m) && varies(m))
            .map(|m| m.to_string())
            .collect();
        if out.is_empty() {
            out.extend(have.into_iter().take(1));
        }
        out
    }

    /// Values of `metric` over the ok runs, with each run's value index on every axis.
    fn values(&self, metric: &str) -> Vec<(&[u32], f64)> {
        self.records
            .iter()
            .filter(|r| r.status == Status::Ok)
            .filter_map(|r| {
                let v = r.metrics.get(metric)?.as_f64()?;
                Some((self.design.points.get(r.point as usize)?.as_slice(), v))
            })
            .collect()
    }

    fn title(&self, what: &str) -> String {
        let ok = self
            .records
            .iter()
            .filter(|r| r.status == Status::Ok)
            .count();
        style::title(
            what,
            &format!(
                "sweep {}, {ok} of {} runs",
                self.design.name,
                self.design.run_count()
            ),
        )
    }
}

/// One chart of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SweepChart {
    /// `metric` over axes x and y (indices into the design's axes).
    Heatmap {
        /// Metric key.
        metric: String,
        /// Axis across.
        x: usize,
        /// Axis up.
        y: usize,
    },
    /// `metric` along axis `x`, one line per value of axis `by` when given.
    Band {
        /// Metric key.
        metric: String,
        /// Axis across.
        x: usize,
        /// Axis whose values make separate lines.
        by: Option<usize>,
    },
}

impl SweepChart {
    /// The charts of `metric`: a heatmap when there are two grid axes of two values or more,
    /// a band chart along every axis of two values or more.
    pub fn for_metric(design: &Design, metric: &str) -> Vec<SweepChart> {
        let varied: Vec<(usize, &Axis)> = design
            .axes
            .iter()
            .enumerate()
            .filter(|(_, a)| a.values.len() > 1)
            .collect();
        let grid: Vec<(usize, &Axis)> =
            varied.iter().copied().filter(|(_, a)| !a.sampled).collect();
        let mut out = Vec::new();
        if let [(x, _), (y, _), ..] = *grid.as_slice() {
            out.push(SweepChart::Heatmap {
                metric: metric.to_string(),
                x,
                y,
            });
        }
        for &(x, _) in &varied {
            let by = grid
                .iter()
                .find(|(b, a)| *b != x && a.values.len() <= MAX_SERIES)
                .map(|&(b, _)| b);
            out.push(SweepChart::Band {
                metric: metric.to_string(),
                x,
                by,
            });
        }
        out
    }

    /// File stem under charts/.
    pub fn stem(&self, design: &Design) -> String {
        // A chart of another design's axis names the axis by its index.
        let path = |i: usize| {
            design
                .axes
                .get(i)
                .map_or(format!("axis{i}"), |a| a.path.clone())
        };
        match self {
            SweepChart::Heatmap { metric, x, y } => {
                format!("heatmap-{metric}-{}-{}", path(*x), path(*y))
            }
            SweepChart::Band { metric, x, .. } => format!("band-{metric}-{}", path(*x)),
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &SweepData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), SweepError> {
        let r = match self {
            SweepChart::Heatmap { metric, x, y } => draw_heatmap(data, metric, *x, *y, root),
            SweepChart::Band { metric, x, by } => draw_band(data, metric, *x, *by, root),
        };
        r.map_err(|message| SweepError::Encode {
            path: PathBuf::from(self.stem(&data.design)),
            message,
        })
    }
}

type Drawn = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Short text of a value: up to four significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn cell_label(c: &Cell) -> String {
    match c {
        Cell::Float(f) => short(*f),
        other => other.to_text(),
    }
}

/// The label of the axis value at index `v` when `v` is (nearly) a whole index, else none:
/// the tick labels of an axis of categories.
fn index_label(labels: &[String], v: f64) -> String {
    let i = v.round();
    let whole = (v - i).abs() < 1e-6 && i >= 0.0;
    whole
        .then(|| labels.get(i as usize).cloned())
        .flatten()
        .unwrap_or_default()
}

/// The colour of series `g` (colours repeat after [`MAX_SERIES`]).
#[expect(
    clippy::indexing_slicing,
    reason = "g % MAX_SERIES < MAX_SERIES, the length of SERIES_COLOURS"
)]
fn series_colour(g: usize) -> RGBColor {
    SERIES_COLOURS[g % MAX_SERIES]
}

/// Axis `i` of the design, or why a chart cannot be drawn (a chart made for another design).
fn axis_of(design: &Design, i: usize) -> Result<&Axis, String> {
    design
        .axes
        .get(i)
        .ok_or_else(|| format!("the sweep has no axis {i}"))
}

/// A sweep chart with its data, drawn through the report crate's renderer.
struct SweepPicture<'a>(&'a SweepChart, &'a SweepData);

impl Picture for SweepPicture<'_> {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        self.0
            .draw(self.1, root)
            .map_err(|e| ReportError::Chart(e.to_string()))
    }
}

/// Draws `chart` as an image file's bytes.
pub fn render(
    chart: &SweepChart,
    data: &SweepData,
    format: ChartFormat,
) -> Result<Vec<u8>, SweepError> {
    render_picture(&SweepPicture(chart, data), format).map_err(|e| SweepError::Encode {
        path: PathBuf::from(format!("{}.{}", chart.stem(&data.design), format.ext())),
        message: e.to_string(),
    })
}

/// Draws the charts of `metrics` (the headline metrics when empty) into `DIR/charts/`;
/// returns the files written.
pub fn write_charts(
    dir: &Path,
    metrics: &[String],
    formats: &[ChartFormat],
) -> Result<Vec<PathBuf>, SweepError> {
    let data = SweepData::read(dir)?;
    let have = data.metrics();
    if let Some(m) = metrics.iter().find(|m| !have.contains(m)) {
        return Err(SweepError::folder(
            dir,
            format!(
                "no metric {m:?} in the sweep's records (metrics: {})",
                have.join(", ")
            ),
        ));
    }
    let metrics = if metrics.is_empty() {
        data.default_metrics()
    } else {
        metrics.to_vec()
    };
    let charts: Vec<SweepChart> = metrics
        .iter()
        .flat_map(|m| SweepChart::for_metric(&data.design, m))
        .collect();
    if charts.is_empty() {
        return Err(SweepError::folder(
            dir,
            "nothing to chart: no axis has two values or more, or no run succeeded",
        ));
    }
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|e| SweepError::io(&out, e))?;
    let mut written = Vec::new();
    for chart in &charts {
        for &format in formats {
            let path = out.join(format!("{}.{}", chart.stem(&data.design), format.ext()));
            let bytes = render(chart, &data, format)?;
            cascade_report::atomic::write_bytes(&path, &bytes)?;
            written.push(path);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_keep_four_significant_digits() {
        assert_eq!(short(0.123456), "0.1235");
        assert_eq!(short(12.5), "12.5");
        assert_eq!(short(12345.6), "12346");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.0), "0");
    }

    #[test]
    fn the_ramp_runs_light_to_dark() {
        let (a, b) = (style::heat_colour(0.0), style::heat_colour(1.0));
        assert!(u32::from(a.0) + u32::from(a.1) > u32::from(b.0) + u32::from(b.1));
    }
}
