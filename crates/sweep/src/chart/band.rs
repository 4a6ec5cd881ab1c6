//! The band chart of a metric along one axis: the median over runs with a band, one line per
//! value of a second axis. The band is the 5–95% range when every value has at least
//! [`MIN_RUNS_FOR_QUANTILES`] runs behind it, and the min–max range otherwise (a 5% quantile of
//! four runs is an interpolation between two of them, not a 5% quantile); the legend says which
//! and over how many runs.
#![warn(clippy::indexing_slicing)]

use super::{axis_of, cell_label, err, index_label, series_colour, short, Drawn, SweepData};
use crate::plan::Axis;
use crate::results::stats;
use cascade_report::charts::style::{self, HouseLook, Mark};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One line of a band chart: (x, low, median, high) per axis value, in x order.
type Band = Vec<(f64, f64, f64, f64)>;

/// Fewest runs behind every point for the band to be the 5–95% range: with 20, the 5% and 95%
/// quantiles each leave one run outside.
pub const MIN_RUNS_FOR_QUANTILES: usize = 20;

/// Which range a band chart shades, and the fewest and most runs behind a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BandKind {
    quantiles: bool,
    fewest: usize,
    most: usize,
}

impl BandKind {
    fn of(counts: &[usize]) -> Self {
        let fewest = counts.iter().copied().min().unwrap_or(0);
        BandKind {
            quantiles: fewest >= MIN_RUNS_FOR_QUANTILES,
            fewest,
            most: counts.iter().copied().max().unwrap_or(0),
        }
    }

    fn label(self) -> String {
        let runs = if self.fewest == self.most {
            format!("{} runs", self.fewest)
        } else {
            format!("{}–{} runs", self.fewest, self.most)
        };
        if self.quantiles {
            format!("band: 5–95% of {runs} per point")
        } else {
            format!("band: min–max of {runs} per point")
        }
    }
}

pub(super) fn draw_band<DB: DrawingBackend>(
    data: &SweepData,
    metric: &str,
    xa: usize,
    by: Option<usize>,
    root: &DrawingArea<DB, Shift>,
) -> Drawn {
    let d = &data.design;
    let axis = axis_of(d, xa)?;
    let by_axis = by.map(|b| axis_of(d, b)).transpose()?;
    let numeric = axis.values.iter().all(|v| v.cell.as_f64().is_some());
    let log = axis.log && axis.values.iter().all(|v| v.cell.as_f64() > Some(0.0));
    let x_of = |i: usize| -> f64 {
        if !numeric {
            return i as f64;
        }
        let v = axis
            .values
            .get(i)
            .and_then(|v| v.cell.as_f64())
            .unwrap_or_default();
        if log {
            v.log10()
        } else {
            v
        }
    };
    let (bands, kind) = bands(data, metric, xa, by, x_of);
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
    let legend = band_legend(by_axis, kind);
    let what = format!("{metric} by {}", axis.path);
    let plot = style::frame(root, &data.title(&what), &legend).map_err(err)?;
    let mut chart = style::cartesian(&plot, x_range.clone(), y_range.clone(), true).map_err(err)?;
    let labels: Vec<String> = axis.values.iter().map(|v| cell_label(&v.cell)).collect();
    let x_span = x_range.end - x_range.start;
    let y_span = y_range.end - y_range.start;
    let xf = |v: &f64| {
        if !numeric {
            return index_label(&labels, *v);
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
    draw_bands(&mut chart, &bands)
}

/// One band per value of axis `by` (one in all without it): the median of `metric` at each
/// value of axis `xa`, placed at `x_of(value index)`, in x order, between the 5% and 95%
/// quantiles or, with fewer than [`MIN_RUNS_FOR_QUANTILES`] runs behind some point, between
/// the least and the greatest value. A run whose value index is outside an axis (none is,
/// in a folder the readers accepted) is left out.
fn bands(
    data: &SweepData,
    metric: &str,
    xa: usize,
    by: Option<usize>,
    x_of: impl Fn(usize) -> f64,
) -> (Vec<Band>, BandKind) {
    let d = &data.design;
    let len = |a: usize| d.axes.get(a).map_or(0, |a| a.values.len());
    let groups = by.map_or(1, len);
    let mut per_group: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); len(xa)]; groups];
    for (idx, v) in data.values(metric) {
        let g = match by {
            None => Some(0),
            Some(b) => idx.get(b).map(|&g| g as usize),
        };
        let cell = g
            .zip(idx.get(xa))
            .and_then(|(g, &x)| per_group.get_mut(g)?.get_mut(x as usize));
        if let Some(cell) = cell {
            cell.push(v);
        }
    }
    let counts: Vec<usize> = per_group
        .iter()
        .flatten()
        .map(Vec::len)
        .filter(|&n| n > 0)
        .collect();
    let kind = BandKind::of(&counts);
    let bands = per_group
        .iter()
        .map(|per_x| {
            let mut band: Band = per_x
                .iter()
                .enumerate()
                .filter_map(|(i, vs)| {
                    let s = stats(vs)?;
                    let (lo, hi) = if kind.quantiles {
                        (s.q05, s.q95)
                    } else {
                        (s.min, s.max)
                    };
                    Some((x_of(i), lo, s.q50, hi))
                })
                .collect();
            band.sort_by(|a, b| a.0.total_cmp(&b.0));
            band
        })
        .collect();
    (bands, kind)
}

/// A band chart's legend: a line per group (named by its value of axis `by`), then the band.
fn band_legend(by: Option<&Axis>, kind: BandKind) -> Vec<(String, Mark)> {
    let labels: Vec<String> = match by {
        Some(b) => b
            .values
            .iter()
            .map(|v| format!("{} = {}", b.path, cell_label(&v.cell)))
            .collect(),
        None => vec!["median".to_string()],
    };
    let mut legend: Vec<(String, Mark)> = labels
        .into_iter()
        .enumerate()
        .map(|(g, label)| (label, Mark::Line(series_colour(g))))
        .collect();
    legend.push((kind.label(), Mark::Square(RGBColor(200, 200, 200))));
    legend
}

/// Each band's area (a bar where it has one point), median line and median dots.
fn draw_bands<DB: DrawingBackend>(chart: &mut style::Chart2d<'_, DB>, bands: &[Band]) -> Drawn {
    for (g, band) in bands.iter().enumerate() {
        let c = series_colour(g);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_runs_make_a_min_max_band_and_the_label_says_how_many() {
        let four = BandKind::of(&[4, 4, 4]);
        assert!(!four.quantiles);
        assert_eq!(four.label(), "band: min–max of 4 runs per point");
        let mixed = BandKind::of(&[19, 40]);
        assert!(!mixed.quantiles);
        assert_eq!(mixed.label(), "band: min–max of 19–40 runs per point");
        let many = BandKind::of(&[20, 20]);
        assert!(many.quantiles);
        assert_eq!(many.label(), "band: 5–95% of 20 runs per point");
    }
}
