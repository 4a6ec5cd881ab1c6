//! The comparison chart: two runs overlaid — mid price, spread and depth — on one time axis.

use super::style::{self, Mark, TimeAxis};
use super::{render_picture, ChartFormat, Picture, RunData};
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// File stem of the comparison chart.
pub const STEM: &str = "compare";
/// Size of the comparison chart, pixels.
pub const SIZE: (u32, u32) = (1280, 1040);

/// Two runs and how the legend names them.
pub struct Overlay<'a> {
    /// Run A.
    pub a: &'a RunData,
    /// Run B.
    pub b: &'a RunData,
    /// Legend label of A.
    pub label_a: String,
    /// Legend label of B.
    pub label_b: String,
}

impl Overlay<'_> {
    /// The chart's image file bytes.
    pub fn render(&self, format: ChartFormat) -> Result<Vec<u8>, ReportError> {
        render_picture(self, format)
    }
}

/// Panels: series column, axis description, whether the axis starts at zero.
const PANELS: [(&str, &str, bool); 3] = [
    ("mid", "mid price (quote currency)", false),
    ("spread_bps", "spread (bps of mid)", true),
    ("depth_1pct", "depth within ±1% (lots)", true),
];

impl Picture for Overlay<'_> {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        let (sa, sb) = (self.a.series()?, self.b.series()?);
        let (ta, tb) = (sa.need_num("time_s")?, sb.need_num("time_s")?);
        let t_all: Vec<Option<f64>> = ta.iter().chain(tb).copied().collect();
        let axis = TimeAxis::for_times(&t_all);
        let x_range = axis.range(&t_all);
        let legend = [
            (format!("A: {}", self.label_a), Mark::Line(style::BLUE)),
            (format!("B: {}", self.label_b), Mark::Line(style::ORANGE)),
        ];
        let plot = style::frame(root, "Comparison: price, spread and depth", &legend)?;
        let h = plot.dim_in_pixel().1;
        // Equal plot heights: the bottom panel also holds the time axis labels.
        let inner = (h - style::X_LABEL_AREA_PX - style::MARGIN_PX) / 3;
        let (p0, rest) = plot.split_vertically(inner + 10);
        let (p1, p2) = rest.split_vertically(inner + 10);
        for (i, (area, (col, desc, from_zero))) in [p0, p1, p2].iter().zip(PANELS).enumerate() {
            let last = i == PANELS.len() - 1;
            let a = style::segments(&axis, ta, sa.need_num(col)?);
            let b = style::segments(&axis, tb, sb.need_num(col)?);
            let ys = a.iter().chain(&b).flatten().map(|p| p.1);
            let (lo, hi) = (
                style::min_of(ys.clone()).unwrap_or(0.0),
                style::max_of(ys).unwrap_or(1.0),
            );
            let y = if from_zero {
                0.0..super::liquidity::upper(hi)
            } else {
                style::padded(lo, hi, 0.05)
            };
            let mut chart = style::cartesian(area, x_range.clone(), y, last)?;
            style::mesh(&mut chart, axis.label, desc, last)?;
            for (segs, colour) in [(&a, style::BLUE), (&b, style::ORANGE)] {
                for seg in segs {
                    chart.draw_series(LineSeries::new(
                        seg.iter().copied(),
                        colour.mix(0.85).stroke_width(1),
                    ))?;
                }
            }
        }
        Ok(())
    }
}
