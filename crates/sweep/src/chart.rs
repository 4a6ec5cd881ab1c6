//! Sweep charts, PNG and SVG: a heatmap of a metric over the first two grid axes (the mean
//! over replicates and over any other axes), and for each axis a line of the metric's median
//! with the 5–95% band across replicates (one line per value of a second axis when it has at
//! most six values).
//!
//! Charts draw from the run records alone, so they can be drawn for a sweep still running.
//! The look (embedded font, colours, text sizes, title and legend strip, tick labels) is the
//! run charts' own, from [`cascade_report::charts::style`].

use crate::plan::{Cell, Design};
use crate::record::{read_manifest, read_records, RunRecord, Status};
use crate::results::stats;
use crate::SweepError;
use cascade_report::charts::style::{self, HouseLook, Mark};
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
    /// Every record found, sorted by run.
    pub records: Vec<RunRecord>,
}

impl SweepData {
    /// Reads a sweep folder (its manifest and whatever records it holds).
    pub fn read(dir: &Path) -> Result<Self, SweepError> {
        let m = read_manifest(dir)?
            .ok_or_else(|| SweepError::folder(dir, "not a sweep folder (no sweep.json)"))?;
        let records = read_records(dir, &m.hash)?.into_values().collect();
        Ok(SweepData {
            design: m.design,
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
                Some((self.design.points[r.point as usize].as_slice(), v))
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
        let varied: Vec<usize> = (0..design.axes.len())
            .filter(|&i| design.axes[i].values.len() > 1)
            .collect();
        let grid: Vec<usize> = varied
            .iter()
            .copied()
            .filter(|&i| !design.axes[i].sampled)
            .collect();
        let mut out = Vec::new();
        if let [x, y, ..] = grid[..] {
            out.push(SweepChart::Heatmap {
                metric: metric.to_string(),
                x,
                y,
            });
        }
        for &x in &varied {
            let by = grid
                .iter()
                .copied()
                .find(|&b| b != x && design.axes[b].values.len() <= MAX_SERIES);
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
        match self {
            SweepChart::Heatmap { metric, x, y } => format!(
                "heatmap-{metric}-{}-{}",
                design.axes[*x].path, design.axes[*y].path
            ),
            SweepChart::Band { metric, x, .. } => {
                format!("band-{metric}-{}", design.axes[*x].path)
            }
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

fn draw_heatmap<DB: DrawingBackend>(
    data: &SweepData,
    metric: &str,
    xa: usize,
    ya: usize,
    root: &DrawingArea<DB, Shift>,
) -> Drawn {
    let d = &data.design;
    let (nx, ny) = (d.axes[xa].values.len(), d.axes[ya].values.len());
    let mut sums = vec![vec![(0.0f64, 0usize); ny]; nx];
    for (idx, v) in data.values(metric) {
        let cell = &mut sums[idx[xa] as usize][idx[ya] as usize];
        cell.0 += v;
        cell.1 += 1;
    }
    let means: Vec<Vec<Option<f64>>> = sums
        .iter()
        .map(|col| {
            col.iter()
                .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                .collect()
        })
        .collect();
    let all: Vec<f64> = means.iter().flatten().flatten().copied().collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let others = d.axes.len() > 2 || d.replicates > 1;
    let what = format!(
        "{metric}{}",
        if others { ", mean over replicates" } else { "" }
    );
    let legend = [
        (
            format!("{metric} (colour)"),
            Mark::Square(style::heat_colour(0.6)),
        ),
        ("no successful run".to_string(), Mark::Square(style::GREY)),
    ];
    let plot = style::frame(root, &data.title(&what), &legend).map_err(err)?;
    let (w, _) = plot.dim_in_pixel();
    let (main, bar) = plot.split_horizontally(w - BAR_PANEL_PX);
    let x_labels: Vec<String> = d.axes[xa]
        .values
        .iter()
        .map(|v| cell_label(&v.cell))
        .collect();
    let y_labels: Vec<String> = d.axes[ya]
        .values
        .iter()
        .map(|v| cell_label(&v.cell))
        .collect();
    let mut chart = ChartBuilder::on(&main)
        .margin_left(style::MARGIN_PX)
        .margin_right(style::MARGIN_PX)
        .margin_top(6)
        .margin_bottom(style::MARGIN_PX)
        .x_label_area_size(style::X_LABEL_AREA_PX)
        .y_label_area_size(style::Y_LABEL_AREA_PX)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)
        .map_err(err)?;
    let label_at = |labels: &[String], v: f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
            labels[i as usize].clone()
        } else {
            String::new()
        }
    };
    let xf = |v: &f64| label_at(&x_labels, *v);
    let yf = |v: &f64| label_at(&y_labels, *v);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(d.axes[xa].path.as_str())
        .y_desc(d.axes[ya].path.as_str())
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .house_look()
        .draw()
        .map_err(err)?;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let font = (style::FAMILY, style::TICK_PX).into_font();
    for (i, col) in means.iter().enumerate() {
        for (j, m) in col.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let colour = m.map_or(style::GREY, |m| style::heat_colour((m - lo) / span));
            chart
                .draw_series([Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    colour.filled(),
                )])
                .map_err(err)?;
            if let Some(m) = m {
                let ink = if (m - lo) / span > 0.5 {
                    WHITE
                } else {
                    style::INK
                };
                let pos = plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                );
                chart
                    .draw_series([Text::new(
                        short(*m),
                        (x, y),
                        font.clone().color(&ink).pos(pos),
                    )])
                    .map_err(err)?;
            }
        }
    }
    style::colour_bar(&bar, metric, lo, hi, 48).map_err(err)
}

/// One line of a band chart: (x, q05, q50, q95) per axis value, in x order.
type Band = Vec<(f64, f64, f64, f64)>;

fn draw_band<DB: DrawingBackend>(
    data: &SweepData,
    metric: &str,
    xa: usize,
    by: Option<usize>,
    root: &DrawingArea<DB, Shift>,
) -> Drawn {
    let d = &data.design;
    let axis = &d.axes[xa];
    let numeric = axis.values.iter().all(|v| v.cell.as_f64().is_some());
    let log = axis.log && axis.values.iter().all(|v| v.cell.as_f64() > Some(0.0));
    let x_of = |i: u32| -> f64 {
        if !numeric {
            return f64::from(i);
        }
        let v = axis.values[i as usize].cell.as_f64().unwrap_or_default();
        if log {
            v.log10()
        } else {
            v
        }
    };
    let groups = by.map_or(1, |b| d.axes[b].values.len());
    let values = data.values(metric);
    let mut bands: Vec<Band> = Vec::with_capacity(groups);
    for g in 0..groups {
        let mut per_x: Vec<Vec<f64>> = vec![Vec::new(); axis.values.len()];
        for (idx, v) in &values {
            if by.is_none_or(|b| idx[b] as usize == g) {
                per_x[idx[xa] as usize].push(*v);
            }
        }
        let mut band: Band = per_x
            .iter()
            .enumerate()
            .filter_map(|(i, vs)| {
                let s = stats(vs)?;
                Some((x_of(i as u32), s.q05, s.q50, s.q95))
            })
            .collect();
        band.sort_by(|a, b| a.0.total_cmp(&b.0));
        bands.push(band);
    }
    let xs: Vec<f64> = bands.iter().flatten().map(|p| p.0).collect();
    let lows: Vec<f64> = bands.iter().flatten().map(|p| p.1).collect();
    let highs: Vec<f64> = bands.iter().flatten().map(|p| p.3).collect();
    let x_range = style::padded(
        style::min_of(xs.iter().copied()).unwrap_or(0.0),
        style::max_of(xs.iter().copied()).unwrap_or(1.0),
        0.04,
    );
    let y_range = style::padded(
        style::min_of(lows.iter().copied()).unwrap_or(0.0),
        style::max_of(highs.iter().copied()).unwrap_or(1.0),
        0.06,
    );
    let mut legend = Vec::new();
    for g in 0..groups {
        let c = SERIES_COLOURS[g % MAX_SERIES];
        let label = match by {
            Some(b) => format!(
                "{} = {}",
                d.axes[b].path,
                cell_label(&d.axes[b].values[g].cell)
            ),
            None => "median".to_string(),
        };
        legend.push((label, Mark::Line(c)));
    }
    legend.push((
        "band: 5–95% of runs".to_string(),
        Mark::Square(RGBColor(200, 200, 200)),
    ));
    let what = format!("{metric} by {}", axis.path);
    let plot = style::frame(root, &data.title(&what), &legend).map_err(err)?;
    let mut chart = style::cartesian(&plot, x_range.clone(), y_range.clone(), true).map_err(err)?;
    let labels: Vec<String> = axis.values.iter().map(|v| cell_label(&v.cell)).collect();
    let x_span = x_range.end - x_range.start;
    let y_span = y_range.end - y_range.start;
    let xf = |v: &f64| {
        if !numeric {
            let i = v.round();
            return if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            };
        }
        if log {
            short(10f64.powf(*v))
        } else {
            style::tick_label(*v, x_span, style::X_LABELS)
        }
    };
    let yf = |v: &f64| style::tick_label(*v, y_span, style::Y_LABELS);
    let x_desc = if log {
        format!("{} (log scale)", axis.path)
    } else {
        axis.path.clone()
    };
    chart
        .configure_mesh()
        .x_desc(x_desc.as_str())
        .y_desc(metric)
        .x_labels(if numeric {
            style::X_LABELS
        } else {
            labels.len() * 2 + 1
        })
        .y_labels(style::Y_LABELS)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .house_look()
        .draw()
        .map_err(err)?;
    for (g, band) in bands.iter().enumerate() {
        let c = SERIES_COLOURS[g % MAX_SERIES];
        if band.len() > 1 {
            let mut poly: Vec<(f64, f64)> = band.iter().map(|p| (p.0, p.1)).collect();
            poly.extend(band.iter().rev().map(|p| (p.0, p.3)));
            chart
                .draw_series([Polygon::new(poly, c.mix(0.18).filled())])
                .map_err(err)?;
        } else if let Some(p) = band.first() {
            chart
                .draw_series([PathElement::new(
                    [(p.0, p.1), (p.0, p.3)],
                    c.mix(0.5).stroke_width(6),
                )])
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                band.iter().map(|p| (p.0, p.2)),
                c.stroke_width(3),
            ))
            .map_err(err)?;
        chart
            .draw_series(band.iter().map(|p| Circle::new((p.0, p.2), 4, c.filled())))
            .map_err(err)?;
    }
    Ok(())
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
