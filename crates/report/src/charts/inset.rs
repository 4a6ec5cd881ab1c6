//! The cascade inset of the price chart: when the liquidations of a run fall within a short
//! window of it (a 90-second cascade in a 30-minute run), that window is drawn again, zoomed,
//! in the corner of the plot that hides the least of the main lines.

use super::style::{self, TimeAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// The inset is drawn when the cascade window is at most this share of the run.
const MAX_SHARE: f64 = 0.2;
/// Share of the plot's width and height the inset takes.
const SIZE: (f64, f64) = (0.4, 0.44);
/// Gap between the inset and the plot's edge, pixels.
const GAP_PX: i32 = 14;

/// The window to zoom on, seconds: the span of the central 95% of the liquidation times,
/// widened by a tenth of itself (at least 5 s) on each side; none when it is not much shorter
/// than the run (`run_s`), or without liquidations.
pub fn cascade_window(liquidation_times: &[f64], run: Range<f64>) -> Option<Range<f64>> {
    let window = central_window(liquidation_times)?;
    let window = window.start.max(run.start)..window.end.min(run.end);
    let short = window.end - window.start <= MAX_SHARE * (run.end - run.start);
    short.then_some(window)
}

/// The span of the central 95% of `times`, widened by a tenth of itself (at least 5 s) on
/// each side: where a cascade happened, without the odd late straggler.
pub fn central_window(times: &[f64]) -> Option<Range<f64>> {
    let mut t: Vec<f64> = times.iter().copied().filter(|x| x.is_finite()).collect();
    if t.is_empty() {
        return None;
    }
    t.sort_by(f64::total_cmp);
    let (lo, hi) = (
        crate::quantile::order_statistic(&t, 0.025),
        crate::quantile::order_statistic(&t, 0.975),
    );
    let pad = ((hi - lo) * 0.1).max(5.0);
    Some((lo - pad)..(hi + pad))
}

/// Pixel rectangles of the four candidate corners of `plot` (x range, y range), in the order
/// they are preferred on a tie: top left, top right, bottom left, bottom right.
fn corners(plot: (Range<i32>, Range<i32>)) -> [(i32, i32, i32, i32); 4] {
    let (xs, ys) = plot;
    let w = (f64::from(xs.end - xs.start) * SIZE.0) as i32;
    let h = (f64::from(ys.end - ys.start) * SIZE.1) as i32;
    let (left, right) = (xs.start + GAP_PX, xs.end - GAP_PX - w);
    let (top, bottom) = (ys.start + GAP_PX, ys.end - GAP_PX - h);
    [
        (left, top, w, h),
        (right, top, w, h),
        (left, bottom, w, h),
        (right, bottom, w, h),
    ]
}

/// The corner holding the fewest of `points` (pixels), first on a tie.
pub fn emptiest_corner(
    plot: (Range<i32>, Range<i32>),
    points: impl Iterator<Item = (i32, i32)> + Clone,
) -> (i32, i32, i32, i32) {
    let corners = corners(plot);
    let count = |&(x, y, w, h): &(i32, i32, i32, i32)| {
        points
            .clone()
            .filter(|&(px, py)| px >= x && px < x + w && py >= y && py < y + h)
            .count()
    };
    let mut best = corners[0];
    let mut least = count(&best);
    for c in &corners[1..] {
        let n = count(c);
        if n < least {
            best = *c;
            least = n;
        }
    }
    best
}

/// A price line of the inset: times (s), values, colour, dashed.
pub type InsetLine<'a> = (&'a [Option<f64>], &'a [Option<f64>], RGBColor, bool);

/// What the inset draws: lines and dots (time s, price, radius px, colour), all in seconds
/// and quote currency.
pub struct InsetData<'a> {
    /// Price lines.
    pub lines: Vec<InsetLine<'a>>,
    /// Liquidation dots.
    pub dots: Vec<(f64, f64, i32, RGBColor)>,
}

/// Draws the inset of `window` (seconds) at `rect` (x, y, width, height, pixels of `root`).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rect: (i32, i32, i32, i32),
    window: Range<f64>,
    data: &InsetData<'_>,
) -> Result<(), crate::ReportError> {
    let (x, y, w, h) = rect;
    let area = root
        .clone()
        .shrink((x, y), (w.max(1) as u32, h.max(1) as u32));
    area.fill(&WHITE)?;
    let axis = TimeAxis::for_span(window.end - window.start);
    let inside = |t: &f64| window.contains(t);
    let mut lines = Vec::new();
    for (time, values, colour, dashed) in &data.lines {
        let (t, v): (Vec<Option<f64>>, Vec<Option<f64>>) = time
            .iter()
            .zip(values.iter())
            .filter(|(t, _)| t.is_some_and(|t| inside(&t)))
            .map(|(t, v)| (*t, *v))
            .unzip();
        lines.push((style::segments(&axis, &t, &v), *colour, *dashed));
    }
    let dots: Vec<_> = data.dots.iter().filter(|d| inside(&d.0)).collect();
    let ys = lines
        .iter()
        .flat_map(|(segs, _, _)| segs.iter().flatten().map(|p| p.1))
        .chain(dots.iter().map(|d| d.1));
    let y_range = style::padded(
        style::min_of(ys.clone()).unwrap_or(0.0),
        style::max_of(ys).unwrap_or(1.0),
        0.06,
    );
    let x_range = axis.x(window.start)..axis.x(window.end);
    let (x_span, y_span) = (x_range.end - x_range.start, y_range.end - y_range.start);
    let font = (style::FAMILY, style::TICK_PX - 2).into_font();
    let mut chart = ChartBuilder::on(&area)
        .margin(6)
        .caption(
            format!("cascade window, {}", axis.label),
            (style::FAMILY, style::TICK_PX)
                .into_font()
                .color(&style::INK),
        )
        .x_label_area_size(22)
        .y_label_area_size(52)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|v: &f64| style::tick_label(*v, x_span, 6))
        .y_label_formatter(&|v: &f64| style::tick_label(*v, y_span, 5))
        .label_style(font.color(&style::INK))
        .bold_line_style(style::GREY.mix(0.3))
        .light_line_style(style::GREY.mix(0.1))
        .axis_style(style::INK.mix(0.8))
        .draw()?;
    super::price::draw_lines(&mut chart, &lines)?;
    chart.draw_series(dots.iter().map(|&&(t, p, r, c)| {
        Circle::new((axis.x(t), p), (r * 2 / 3).max(2), c.mix(0.55).filled())
    }))?;
    area.draw(&Rectangle::new(
        [(0, 0), (w - 1, h - 1)],
        style::INK.mix(0.8).stroke_width(1),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_cascade_gets_a_window_and_a_long_one_none() {
        let burst: Vec<f64> = (0..100).map(|i| 1200.0 + f64::from(i)).collect();
        let w = cascade_window(&burst, 0.0..1800.0).unwrap();
        assert!(w.start < 1205.0 && w.start > 1180.0, "{w:?}");
        assert!(w.end > 1294.0 && w.end < 1320.0, "{w:?}");
        // One straggler out of a hundred does not stretch it.
        let mut straggler = burst.clone();
        straggler.push(1700.0);
        let s = cascade_window(&straggler, 0.0..1800.0).unwrap();
        assert!(s.end < 1320.0, "{s:?}");
        let spread: Vec<f64> = (0..100).map(|i| f64::from(i) * 18.0).collect();
        assert_eq!(cascade_window(&spread, 0.0..1800.0), None);
        assert_eq!(cascade_window(&[], 0.0..1800.0), None);
    }

    #[test]
    fn the_inset_goes_where_the_fewest_points_are() {
        let plot = (0..1000, 0..500);
        // A line along the top: the bottom left corner is free.
        let top = (0..1000).map(|x| (x, 20));
        assert_eq!(emptiest_corner(plot.clone(), top).1, 500 - GAP_PX - 220);
        let c = emptiest_corner(plot.clone(), (0..1000).map(|x| (x, 20)));
        assert_eq!(c.0, GAP_PX);
        // Nothing anywhere: the first corner, top left.
        assert_eq!(
            emptiest_corner(plot, std::iter::empty()),
            (GAP_PX, GAP_PX, 400, 220)
        );
    }
}
