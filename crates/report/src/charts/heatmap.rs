//! The order-book depth heatmap: resting quantity by price and time, from the best levels of
//! each side recorded at every sample (the `book` table), with the mid drawn over it. Bids are
//! on a blue scale and asks on an orange one (one quantity scale for both); the price axis
//! holds every recorded quote and the whole mid path.
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

/// The binned grid: mean resting quantity per (time bin, price bin), bids and asks apart.
struct Grid {
    times: Vec<f64>,
    price_lo: f64,
    price_step: f64,
    /// `cells[side][time bin][price bin]`, side 0 bids, 1 asks.
    cells: [Vec<Vec<f64>>; 2],
    scale_max: f64,
}

/// One recorded level: time, price, quantity, and whether it is an ask.
type Level = (f64, f64, f64, bool);

fn grid(levels: &[Level], mid: (f64, f64)) -> Option<Grid> {
    if levels.is_empty() {
        return None;
    }
    let mut times: Vec<f64> = levels.iter().map(|r| r.0).collect();
    times.dedup();
    let mut prices: Vec<f64> = levels.iter().map(|r| r.1).collect();
    prices.sort_by(f64::total_cmp);
    // Every quote, however deep, and the mid wherever it went.
    let lo = prices[0].min(mid.0);
    let hi = prices[prices.len() - 1].max(mid.1);
    prices.dedup();
    let tick = prices
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 1e-12)
        .fold(f64::INFINITY, f64::min);
    let tick = if tick.is_finite() { tick } else { 1.0 };
    let n_levels = ((hi - lo) / tick).round() as usize + 1;
    let per_bin = n_levels.div_ceil(MAX_PRICE_BINS).max(1) as f64;
    let price_step = tick * per_bin;
    let price_lo = lo - tick / 2.0;
    let n_price = (((hi - lo) / price_step).floor() as usize + 1).max(1);
    let n_time = times.len().min(MAX_TIME_BINS);

    let mut cells = [
        vec![vec![0.0; n_price]; n_time],
        vec![vec![0.0; n_price]; n_time],
    ];
    let mut samples = vec![0usize; n_time];
    let mut ti = 0;
    let mut prev = f64::NAN;
    for &(t, p, q, ask) in levels {
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
            cells[usize::from(ask)][tb][pb as usize] += q;
        }
    }
    for side in &mut cells {
        for (col, n) in side.iter_mut().zip(&samples) {
            col.iter_mut().for_each(|c| *c /= (*n).max(1) as f64);
        }
    }
    let mut nonzero: Vec<f64> = cells
        .iter()
        .flatten()
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

/// The non-empty cells of one side as rectangles of their colour step on `ramp`, equal
/// neighbours in a column merged into one; columns run from `x_start` and end at `x_end`.
fn cell_rects(
    g: &Grid,
    side: usize,
    ramp: fn(f64) -> RGBColor,
    axis: &TimeAxis,
    (t_start, x_end): (f64, f64),
) -> Vec<Rectangle<(f64, f64)>> {
    let cells = &g.cells[side];
    let n_time = cells.len();
    let n_price = cells[0].len();
    // Column edges: the span from the axis start to the last sample, cut evenly.
    let t_last = *g.times.last().unwrap_or(&0.0);
    let interval = if g.times.len() > 1 {
        (t_last - t_start) / g.times.len() as f64
    } else {
        (t_last - t_start).max(1.0)
    };
    let edge = |b: usize| axis.x(t_start + (b * g.times.len() / n_time) as f64 * interval);
    let step_of = |c: f64| -> Option<usize> {
        (c > 0.0).then(|| ((c / g.scale_max).min(1.0) * (STEPS - 1) as f64).round() as usize)
    };
    let mut rects = Vec::new();
    for (tb, col) in cells.iter().enumerate() {
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
            let colour = ramp(s as f64 / (STEPS - 1) as f64);
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
    let (time, price, qty, side) = (
        book.need_num("time_s")?,
        book.need_num("price")?,
        book.need_num("qty")?,
        book.need_text("side")?,
    );
    let levels: Vec<Level> = (0..book.rows())
        .filter_map(|i| {
            let ask = side[i].as_deref() == Some("ask");
            Some((time[i]?, price[i]?, qty[i]?, ask))
        })
        .collect();
    let series = data.series()?;
    let s_time = series.need_num("time_s")?;
    let mid = series.need_num("mid")?;
    let mid_range = (
        style::min_of(mid.iter().flatten().copied()),
        style::max_of(mid.iter().flatten().copied()),
    );
    let axis = TimeAxis::for_times(s_time);
    let legend = [
        (
            "bids: mean resting lots in the best 20 levels".to_string(),
            Mark::Square(style::heat_colour(0.6)),
        ),
        (
            "asks: the same".to_string(),
            Mark::Square(style::ask_colour(0.6)),
        ),
        ("mid".to_string(), Mark::Line(style::INK)),
    ];
    let plot = style::frame(
        root,
        &style::title("Order book depth", &data.label()),
        &legend,
    )?;
    let (w, _) = plot.dim_in_pixel();
    let (main, bar) = plot.split_horizontally(w - BAR_PANEL_PX);

    let mid_range = match mid_range {
        (Some(a), Some(b)) => (a, b),
        _ => (f64::INFINITY, f64::NEG_INFINITY),
    };
    let Some(g) = grid(&levels, mid_range) else {
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
    let n_price = g.cells[0][0].len();
    let y_range = g.price_lo..g.price_lo + g.price_step * n_price as f64;
    let x_range = axis.range(s_time);
    let mut chart = style::cartesian(&main, x_range.clone(), y_range.clone(), true)?;
    style::mesh(&mut chart, axis.label, "price (quote currency)", true)?;

    let span = (style::start_of(s_time), x_range.end);
    chart.draw_series(cell_rects(&g, 0, style::heat_colour, &axis, span))?;
    chart.draw_series(cell_rects(&g, 1, style::ask_colour, &axis, span))?;
    for seg in style::segments(&axis, s_time, mid) {
        chart.draw_series(LineSeries::new(seg, style::INK.stroke_width(1)))?;
    }
    style::colour_bars(
        &bar,
        "resting quantity (lots): bids | asks",
        0.0,
        g.scale_max,
        STEPS,
        &[style::heat_colour, style::ask_colour],
    )
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
        let levels = [
            (1.0, 100.0, 10.0, false),
            (1.0, 100.01, 5.0, true),
            (2.0, 100.0, 30.0, false),
        ];
        let g = grid(&levels, (100.0, 100.01)).unwrap();
        assert_eq!(g.cells[0].len(), 2);
        assert_eq!(g.cells[0][0], vec![10.0, 0.0]);
        assert_eq!(g.cells[1][0], vec![0.0, 5.0]);
        assert_eq!(g.cells[0][1], vec![30.0, 0.0]);
        assert_eq!(g.cells[1][1], vec![0.0, 0.0]);
    }

    #[test]
    fn the_price_range_holds_every_quote_and_the_mid() {
        // 200 levels near 100 and one deep bid at 50; the mid dips to 90.
        let mut levels: Vec<Level> = (0..200)
            .map(|i| (1.0, 100.0 + f64::from(i) * 0.01, 1.0, true))
            .collect();
        levels.push((1.0, 50.0, 1.0, false));
        let g = grid(&levels, (90.0, 100.5)).unwrap();
        let n = g.cells[0][0].len() as f64;
        let top = g.price_lo + g.price_step * n;
        assert!(g.price_lo <= 50.0, "{}", g.price_lo);
        assert!(top >= 101.99, "{top}");
        // The deep bid is in a cell, on the bid side.
        assert!(g.cells[0][0][0] > 0.0);
    }
}
