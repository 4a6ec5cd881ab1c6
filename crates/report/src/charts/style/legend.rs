//! Titles and legends: the frame every chart is drawn in (title, legend strip, plot area) and
//! the colour bar of a heatmap.

use super::theme::*;
use super::ticks::tick_label;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A chart title: "What — scenario, seed N".
pub fn title(what: &str, run: &str) -> String {
    format!("{what} — {run}")
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// A filled square (a colour scale or an area).
    Square(RGBColor),
}

/// Splits `root` into a title, a legend strip and the plot area; draws the title and the
/// legend, and returns the plot area. The legend sits outside the data, never over it.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title_text: &str,
    legend: &[(String, Mark)],
) -> Result<DrawingArea<DB, Shift>, ReportError> {
    let body = root
        .margin(12, 0, 0, 0)
        .titled(title_text, (FAMILY, TITLE_PX).into_font().color(&INK))?;
    let placed = legend_rows(&body, legend)?;
    let rows = placed.iter().map(|p| p.0).max().unwrap_or(0) as u32 + 1;
    let (strip, plot) = body.split_vertically(LEGEND_STRIP_PX + LEGEND_ROW_PX * (rows - 1));
    draw_legend(&strip, &placed)?;
    Ok(plot)
}

/// Height of each further legend row when the entries do not fit on one line.
const LEGEND_ROW_PX: u32 = 24;
/// Room for an entry's mark before its text.
const MARK_PX: i32 = 36;
/// Room between entries.
const GAP_PX: i32 = 28;

/// One placed legend entry: row, x, text, mark.
type Placed = (usize, i32, String, Mark);

/// Places entries left to right from the plot's left edge, wrapping to a new row at the
/// right margin, so no entry is cut off.
fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<Vec<Placed>, ReportError> {
    let font = (FAMILY, LEGEND_PX).into_font().color(&INK);
    let left = (MARGIN_PX + Y_LABEL_AREA_PX) as i32;
    let right = area.dim_in_pixel().0 as i32 - MARGIN_PX as i32;
    let (mut row, mut x) = (0, left);
    let mut out = Vec::with_capacity(entries.len());
    for (label, mark) in entries {
        let w = MARK_PX + area.estimate_text_size(label, &font)?.0 as i32;
        if x > left && x + w > right {
            row += 1;
            x = left;
        }
        out.push((row, x, label.clone(), *mark));
        x += w + GAP_PX;
    }
    Ok(out)
}

/// Draws placed legend entries.
fn draw_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    entries: &[Placed],
) -> Result<(), ReportError> {
    let font = (FAMILY, LEGEND_PX).into_font().color(&INK);
    for (row, x, label, mark) in entries {
        let (x, mid_y) = (
            *x,
            (LEGEND_STRIP_PX / 2 + LEGEND_ROW_PX * *row as u32) as i32,
        );
        match *mark {
            Mark::Line(c) => strip.draw(&PathElement::new(
                [(x, mid_y), (x + 28, mid_y)],
                c.stroke_width(3),
            ))?,
            Mark::Dashed(c) => {
                for k in 0..3 {
                    let x0 = x + k * 11;
                    strip.draw(&PathElement::new(
                        [(x0, mid_y), (x0 + 6, mid_y)],
                        c.stroke_width(3),
                    ))?;
                }
            }
            Mark::Dot(c) => strip.draw(&Circle::new((x + 14, mid_y), 6, c.filled()))?,
            Mark::Square(c) => strip.draw(&Rectangle::new(
                [(x + 7, mid_y - 7), (x + 21, mid_y + 7)],
                c.filled(),
            ))?,
        }
        strip.draw(&Text::new(
            label.clone(),
            (x + MARK_PX, mid_y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A vertical colour bar for a heatmap: `steps` bands of [`heat_colour`] from `lo` (bottom) to
/// `hi` (top), titled `title` on its right-hand axis.
pub fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    lo: f64,
    hi: f64,
    steps: usize,
) -> Result<(), ReportError> {
    colour_bars(area, title, lo, hi, steps, &[heat_colour])
}

/// A colour bar with one column per ramp side by side on one scale (bids | asks).
pub fn colour_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    lo: f64,
    hi: f64,
    steps: usize,
    ramps: &[fn(f64) -> RGBColor],
) -> Result<(), ReportError> {
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 0.5, lo + 0.5)
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    let mut chart = ChartBuilder::on(area)
        .margin_top(6)
        .margin_bottom(MARGIN_PX + X_LABEL_AREA_PX)
        .margin_right(64)
        .y_label_area_size(0)
        .right_y_label_area_size(58)
        .build_cartesian_2d(0.0..1.0, lo..hi)?
        .set_secondary_coord(0.0..1.0, lo..hi);
    chart
        .configure_secondary_axes()
        .y_desc(title)
        .y_labels(8)
        .set_all_tick_mark_size(6)
        .y_label_formatter(&|v: &f64| tick_label(*v, span, 8))
        .label_style((FAMILY, TICK_PX).into_font().color(&INK))
        .axis_desc_style((FAMILY, LABEL_PX).into_font().color(&INK))
        .draw()?;
    let steps = steps.max(2);
    let width = 1.0 / ramps.len().max(1) as f64;
    for (r, ramp) in ramps.iter().enumerate() {
        let (x0, x1) = (r as f64 * width, (r + 1) as f64 * width);
        chart.draw_series((0..steps).map(|k| {
            let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
            Rectangle::new(
                [(x0, lo + a * span), (x1, lo + b * span)],
                ramp(k as f64 / (steps - 1) as f64).filled(),
            )
        }))?;
    }
    chart.draw_series([Rectangle::new([(0.0, lo), (1.0, hi)], INK.stroke_width(1))])?;
    Ok(())
}
