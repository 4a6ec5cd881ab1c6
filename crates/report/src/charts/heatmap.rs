//! The order-book depth heatmap: resting quantity by price and time, from the best levels of
//! each side recorded at every sample (the `book` table), with the mid drawn over it.
//!
//! Samples are averaged into at most [`MAX_TIME_BINS`] columns and prices into at most
//! [`MAX_PRICE_BINS`] rows, and equal neighbouring cells are merged into one rectangle, so the
//! SVG stays small on long runs.

use super::style::{self, Mark, TimeAxis};
use super::RunData;
use crate::quantile::order_statistic;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Most columns (time bins) drawn.
pub const MAX_TIME_BINS: usize = 320;
/// Most rows (price bins) drawn.
pub const MAX_PRICE_BINS: usize = 150;
/// Colour steps of the scale.
const STEPS: usize = 24;
/// Width of the colour bar panel, pixels.
const BAR_PANEL_PX: u32 = 150;

/// The binned grid: mean resting quantity per (time bin, price bin).
struct Grid {
    times: Vec<f64>,
    price_lo: f64,
    price_step: f64,
    cells: Vec<Vec<f64>>,
    scale_max: f64,
}

fn grid(time: &[Option<f64>], price: &[Option<f64>], qty: &[Option<f64>]) -> Option<Grid> {
    let rows: Vec<(f64, f64, f64)> = (0..time.len())
        .filter_map(|i| Some((time[i]?, price[i]?, qty[i]?)))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut times: Vec<f64> = rows.iter().map(|r| r.0).collect();
    times.dedup();
    let mut prices: Vec<f64> = rows.iter().map(|r| r.1).collect();
    prices.sort_by(f64::total_cmp);
    // The outermost 0.5% of levels would stretch the axis for a few far quotes.
    let (lo, hi) = (
        order_statistic(&prices, 0.005),
        order_statistic(&prices, 0.995),
    );
    prices.dedup();
    let tick = prices
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 1e-12)
        .fold(f64::INFINITY, f64::min);
    let tick = if tick.is_finite() { tick } else { 1.0 };
    let levels = ((hi - lo) / tick).round() as usize + 1;
    let per_bin = levels.div_ceil(MAX_PRICE_BINS).max(1) as f64;
    let price_step = tick * per_bin;
    let price_lo = lo - tick / 2.0;
    let n_price = (((hi - lo) / price_step).floor() as usize + 1).max(1);
    let n_time = times.len().min(MAX_TIME_BINS);

    let mut cells = vec![vec![0.0; n_price]; n_time];
    let mut samples = vec![0usize; n_time];
    let mut ti = 0;
    let mut prev = f64::NAN;
    for &(t, p, q) in &rows {
        if t != prev {
            if !prev.is_nan() {
                ti += 1;
            }
            prev = t;
            samples[ti * n_time / times.len()] += 1;
        }
        let tb = ti * n_time / times.len();
        let pb = ((p - price_lo) / price_step).floor();
        if pb >= 0.0 && (pb as usize) < n_price {
            cells[tb][pb as usize] += q;
        }
    }
    for (col, n) in cells.iter_mut().zip(&samples) {
        col.iter_mut().for_each(|c| *c /= (*n).max(1) as f64);
    }
    let mut nonzero: Vec<f64> = cells
        .iter()
        .flatten()
        .copied()
        .filter(|c| *c > 0.0)
        .collect();
    nonzero.sort_by(f64::total_cmp);
    let scale_max = if nonzero.is_empty() {
        1.0
    } else {
        order_statistic(&nonzero, 0.99)
    };
    Some(Grid {
        times,
        price_lo,
        price_step,
        cells,
        scale_max,
    })
}

/// The grid's non-empty cells as rectangles of their colour step, equal neighbours in a
/// column merged into one; columns end at `x_end`.
fn cell_rects(g: &Grid, axis: &TimeAxis, x_end: f64) -> Vec<Rectangle<(f64, f64)>> {
    let n_time = g.cells.len();
    let n_price = g.cells[0].len();
    // Column edges: halfway between the first and last sample times of neighbouring bins.
    let t_last = *g.times.last().unwrap_or(&0.0);
    let interval = if g.times.len() > 1 {
        t_last / g.times.len() as f64
    } else {
        t_last.max(1.0)
    };
    let edge = |b: usize| axis.x((b * g.times.len() / n_time) as f64 * interval);
    let step_of = |c: f64| -> Option<usize> {
        (c > 0.0).then(|| ((c / g.scale_max).min(1.0) * (STEPS - 1) as f64).round() as usize)
    };
    let mut rects = Vec::new();
    for (tb, col) in g.cells.iter().enumerate() {
        let (x0, x1) = (edge(tb), edge(tb + 1).min(x_end));
        let mut pb = 0;
        while pb < n_price {
            let Some(s) = step_of(col[pb]) else {
                pb += 1;
                continue;
            };
            let start = pb;
            while pb + 1 < n_price && step_of(col[pb + 1]) == Some(s) {
                pb += 1;
            }
            pb += 1;
            let y0 = g.price_lo + g.price_step * start as f64;
            let y1 = g.price_lo + g.price_step * pb as f64;
            let colour = style::heat_colour(s as f64 / (STEPS - 1) as f64);
            rects.push(Rectangle::new([(x0, y0), (x1, y1)], colour.filled()));
        }
    }
    rects
}

pub(super) fn draw<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let book = data
        .frame("book")
        .ok_or_else(|| ReportError::input("book.csv", "no book table"))?;
    let (time, price, qty) = (
        book.need_num("time_s")?,
        book.need_num("price")?,
        book.need_num("qty")?,
    );
    let series = data.series()?;
    let s_time = series.need_num("time_s")?;
    let mid = series.need_num("mid")?;
    let axis = TimeAxis::for_times(s_time);
    let legend = [
        (
            "mean resting quantity in the best 20 levels per side (colour, lots)".to_string(),
            Mark::Square(style::heat_colour(0.6)),
        ),
        ("mid".to_string(), Mark::Line(style::VERMILLION)),
    ];
    let plot = style::frame(
        root,
        &style::title("Order book depth", &data.label()),
        &legend,
    )?;
    let (w, _) = plot.dim_in_pixel();
    let (main, bar) = plot.split_horizontally(w - BAR_PANEL_PX);

    let Some(g) = grid(time, price, qty) else {
        // An empty book: axes and a note, not a blank image.
        let mut chart = style::cartesian(&main, axis.range(s_time), 0.0..1.0, true)?;
        style::mesh(&mut chart, axis.label, "price (quote currency)", true)?;
        main.draw(&Text::new(
            "the book was empty at every sample",
            (w as i32 / 3, 200),
            (style::FAMILY, style::LABEL_PX)
                .into_font()
                .color(&style::INK),
        ))?;
        return Ok(());
    };
    let n_price = g.cells[0].len();
    let y_range = g.price_lo..g.price_lo + g.price_step * n_price as f64;
    let x_range = axis.range(s_time);
    let mut chart = style::cartesian(&main, x_range.clone(), y_range.clone(), true)?;
    style::mesh(&mut chart, axis.label, "price (quote currency)", true)?;

    chart.draw_series(cell_rects(&g, &axis, x_range.end))?;
    for seg in style::segments(&axis, s_time, mid) {
        chart.draw_series(LineSeries::new(seg, style::VERMILLION.stroke_width(2)))?;
    }
    style::colour_bar(&bar, "resting quantity (lots)", 0.0, g.scale_max, STEPS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ramp_runs_light_to_dark() {
        let lum = |c: RGBColor| c.0 as u32 + c.1 as u32 + c.2 as u32;
        assert!(lum(style::heat_colour(0.0)) > lum(style::heat_colour(0.5)));
        assert!(lum(style::heat_colour(0.5)) > lum(style::heat_colour(1.0)));
        assert_eq!(style::heat_colour(2.0), style::heat_colour(1.0));
    }

    #[test]
    fn the_grid_averages_quantity_per_sample() {
        // Two samples; level 100.00 holds 10 then 30 lots: one time bin each, mean per bin.
        let t = [Some(1.0), Some(1.0), Some(2.0)];
        let p = [Some(100.0), Some(100.01), Some(100.0)];
        let q = [Some(10.0), Some(5.0), Some(30.0)];
        let g = grid(&t, &p, &q).unwrap();
        assert_eq!(g.cells.len(), 2);
        assert_eq!(g.cells[0], vec![10.0, 5.0]);
        assert_eq!(g.cells[1], vec![30.0, 0.0]);
    }
}
