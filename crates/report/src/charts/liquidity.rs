//! Spread and depth: the spread in basis points of the mid (top) over the resting quantity
//! within 1% of the mid (bottom), on one time axis. Every sample is drawn light, and a rolling
//! mean bold over it, so a jittery series still shows its level and its trend.

use super::style::{self, Mark, TimeAxis};
use super::RunData;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Panels from top to bottom: series column, legend name, axis description, colour.
const PANELS: [(&str, &str, &str, RGBColor); 2] = [
    (
        "spread_bps",
        "spread (top)",
        "spread (bps of mid)",
        style::VERMILLION,
    ),
    (
        "depth_1pct",
        "depth within ±1% of mid, both sides (bottom)",
        "depth within ±1% (lots)",
        style::BLUE,
    ),
];

/// The top of a value axis that starts at zero.
pub(super) fn upper(hi: f64) -> f64 {
    if hi > 0.0 && hi.is_finite() {
        hi * 1.08
    } else {
        1.0
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let series = data.series()?;
    let time = series.need_num("time_s")?;
    let axis = TimeAxis::for_times(time);
    let window = style::rolling_window(series.rows(), style::sample_interval(time));
    let mut legend = Vec::new();
    for (_, name, _, colour) in PANELS {
        legend.push((name.to_string(), Mark::Line(colour)));
    }
    if let Some((_, span)) = &window {
        legend.push((
            format!("light: every sample; bold: mean over {span}"),
            Mark::Line(style::GREY),
        ));
    }
    let plot = style::frame(
        root,
        &style::title("Spread and depth", &data.label()),
        &legend,
    )?;
    let h = plot.dim_in_pixel().1;
    // Equal plot heights: the bottom panel also holds the time axis labels.
    let (top, bottom) =
        plot.split_vertically((h - style::X_LABEL_AREA_PX - style::MARGIN_PX) / 2 + 10);
    for (i, (area, (col, _, desc, colour))) in [top, bottom].iter().zip(PANELS).enumerate() {
        let last = i == PANELS.len() - 1;
        let raw_segs = style::raw_segments(&axis, time, series.need_num(col)?);
        let segs: Vec<_> = raw_segs
            .iter()
            .map(|s| style::thin(s, style::MAX_POINTS))
            .collect();
        let hi = style::max_of(segs.iter().flatten().map(|p| p.1)).unwrap_or(1.0);
        let mut chart = style::cartesian(area, axis.range(time), 0.0..upper(hi), last)?;
        style::mesh(&mut chart, axis.label, desc, last)?;
        let raw = if window.is_some() {
            colour.mix(0.3)
        } else {
            colour.to_rgba()
        };
        for seg in &segs {
            chart.draw_series(LineSeries::new(seg.iter().copied(), raw.stroke_width(1)))?;
        }
        if let Some((w, _)) = &window {
            for seg in &raw_segs {
                let mean = style::thin(&style::rolling_mean(seg, *w), style::MAX_POINTS);
                chart.draw_series(LineSeries::new(mean, colour.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}
