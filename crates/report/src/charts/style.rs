//! The look shared by every chart: the embedded font, colours, text sizes, the time axis, the
//! legend strip under the title, tick labels, and helpers that turn columns into lines.

use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};
use std::ops::Range;
use std::sync::Once;

/// DejaVu Sans 2.37 (licence in assets/LICENSE-DejaVu.txt).
pub const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The font family every chart text uses. An SVG names it as is, so a viewer with DejaVu Sans
/// shows the text as laid out, and one without falls back to its sans-serif font.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded font for our family and for the generic families plotters falls
/// back to, in every style, once.
pub fn ensure_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in [FAMILY, "sans-serif", "serif", "monospace"] {
            for style in [
                FontStyle::Normal,
                FontStyle::Bold,
                FontStyle::Italic,
                FontStyle::Oblique,
            ] {
                // The bytes are a valid TrueType font (a unit test draws text with it).
                let _ = register_font(family, style, FONT);
            }
        }
    });
}

/// Title text size, pixels.
pub const TITLE_PX: u32 = 26;
/// Axis description size.
pub const LABEL_PX: u32 = 17;
/// Tick label size.
pub const TICK_PX: u32 = 14;
/// Legend text size.
pub const LEGEND_PX: u32 = 15;
/// Height of the legend strip under the title.
pub const LEGEND_STRIP_PX: u32 = 34;
/// Width kept left of a plot for tick labels and the axis description.
pub const Y_LABEL_AREA_PX: u32 = 96;
/// Height kept under a plot for tick labels and the axis description.
pub const X_LABEL_AREA_PX: u32 = 56;
/// Most tick labels on a time axis.
pub const X_LABELS: usize = 10;
/// Most tick labels on a value axis.
pub const Y_LABELS: usize = 8;
/// Outer margin around a plot.
pub const MARGIN_PX: u32 = 18;

/// Okabe–Ito colours, readable by colour-blind readers.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Brown, for the fundamental value.
pub const BROWN: RGBColor = RGBColor(140, 86, 75);
/// Near-black for text and axes.
pub const INK: RGBColor = RGBColor(30, 30, 30);
/// Grey for grid lines and annotations.
pub const GREY: RGBColor = RGBColor(150, 150, 150);

/// Colours of liquidation generations 0, 1, 2, …; the last also stands for deeper ones.
/// None of them is the colour of a price line.
pub const GENERATIONS: [RGBColor; 5] = [
    RGBColor(40, 40, 40),
    VERMILLION,
    PURPLE,
    ORANGE,
    RGBColor(150, 130, 0),
];

/// The colour index of a generation (deep generations share the last).
pub fn generation_bucket(generation: usize) -> usize {
    generation.min(GENERATIONS.len() - 1)
}

/// The colour of a liquidation generation.
pub fn generation_colour(generation: usize) -> RGBColor {
    GENERATIONS[generation_bucket(generation)]
}

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

/// The unit of a time axis, chosen so tick labels stay short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    /// Seconds per unit.
    pub seconds: f64,
    /// Axis description.
    pub label: &'static str,
}

impl TimeAxis {
    /// Seconds up to 10 minutes, minutes up to 3 hours, hours beyond.
    pub fn for_span(span_s: f64) -> Self {
        if span_s <= 600.0 {
            TimeAxis {
                seconds: 1.0,
                label: "simulated time (s)",
            }
        } else if span_s <= 3.0 * 3600.0 {
            TimeAxis {
                seconds: 60.0,
                label: "simulated time (min)",
            }
        } else {
            TimeAxis {
                seconds: 3600.0,
                label: "simulated time (h)",
            }
        }
    }

    /// The axis for a column of times in seconds (from 0 to its last value).
    pub fn for_times(times_s: &[Option<f64>]) -> Self {
        Self::for_span(max_of(times_s.iter().flatten().copied()).unwrap_or(1.0))
    }

    /// A time in seconds on this axis.
    pub fn x(&self, t_s: f64) -> f64 {
        t_s / self.seconds
    }

    /// The axis range from 0 to the last time.
    pub fn range(&self, times_s: &[Option<f64>]) -> Range<f64> {
        let end = max_of(times_s.iter().flatten().copied()).unwrap_or(1.0);
        0.0..self.x(end).max(f64::MIN_POSITIVE)
    }
}

/// Largest of finite values.
pub fn max_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
}

/// Smallest of finite values.
pub fn min_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |m, v| Some(m.map_or(v, |m: f64| m.min(v))))
}

/// `[lo, hi]` widened by `frac` of its span on each side (a flat range gets a unit span).
pub fn padded(lo: f64, hi: f64, frac: f64) -> Range<f64> {
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        let pad = (lo.abs() * 0.01).max(1.0);
        return (lo - pad)..(hi + pad);
    }
    (lo - span * frac)..(hi + span * frac)
}

/// Tick label text on an axis of `span` with at most `max_labels` labels: as many decimals as
/// the tick step needs. Plotters steps by 1, 2 or 5 × 10^k and takes at least `span / max`;
/// the smallest such step bounds the decimals needed from above.
pub fn tick_label(v: f64, span: f64, max_labels: usize) -> String {
    let step = nice_up(span / max_labels.max(1) as f64);
    let decimals = if step >= 1.0 || step <= 0.0 || !step.is_finite() {
        0
    } else {
        (-step.log10() - 1e-9).ceil().clamp(0.0, 6.0) as usize
    };
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    // Plotters may step finer than span / max_labels (0.05 where 0.1 was expected): add
    // decimals until the tick value is shown exactly, so two ticks never print alike.
    let mut decimals = decimals;
    while decimals < 6 {
        let scale = 10f64.powi(decimals as i32);
        if ((v * scale).round() / scale - v).abs() <= 1e-9 * v.abs().max(1.0) {
            break;
        }
        decimals += 1;
    }
    let text = format!("{v:.decimals$}");
    if decimals == 0 && v.abs() >= 10_000.0 {
        thousands(&text)
    } else {
        text
    }
}

/// The smallest 1, 2 or 5 × 10^k at least `x`.
fn nice_up(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// "1234567" → "1,234,567" (integers only).
fn thousands(text: &str) -> String {
    let (sign, digits) = text.strip_prefix('-').map_or(("", text), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// Points of a line over time, split where a value is missing (a one-sided book has no mid),
/// thinned to at most about 4,000 points a segment.
pub fn segments(axis: &TimeAxis, t: &[Option<f64>], y: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    raw_segments(axis, t, y)
        .into_iter()
        .map(|s| thin(&s, MAX_POINTS))
        .collect()
}

/// Most points drawn of one line segment.
pub const MAX_POINTS: usize = 4000;

/// [`segments`] without thinning.
pub fn raw_segments(axis: &TimeAxis, t: &[Option<f64>], y: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![];
    let mut cur: Vec<(f64, f64)> = vec![];
    for (t, y) in t.iter().zip(y) {
        match (t, y) {
            (Some(t), Some(y)) if y.is_finite() => cur.push((axis.x(*t), *y)),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// At most about `max` points: the first, the last, and the lowest and highest of each run of
/// points in between, so spikes survive. Keeps SVG files small on long runs.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let per = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in points.chunks(per) {
        let lo = chunk.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
        let hi = chunk.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo.0 <= hi.0 {
                out.extend([lo, hi]);
            } else {
                out.extend([hi, lo]);
            }
        }
    }
    out.dedup_by(|a, b| a == b);
    out
}

/// The rolling mean window for a dense series of `n` samples `interval_s` apart: about 1/120
/// of the run, or none when that is a single sample. Returns (samples, legend text).
pub fn rolling_window(n: usize, interval_s: f64) -> Option<(usize, String)> {
    let w = (n as f64 / 120.0).round() as usize;
    if w < 2 {
        return None;
    }
    let secs = w as f64 * interval_s;
    let text = if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    };
    Some((w, text))
}

/// The centred mean over `w` points of each point (fewer at the ends).
pub fn rolling_mean(points: &[(f64, f64)], w: usize) -> Vec<(f64, f64)> {
    let half = w / 2;
    let mut prefix = Vec::with_capacity(points.len() + 1);
    prefix.push(0.0);
    for p in points {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + p.1);
    }
    (0..points.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + w - half).min(points.len());
            (points[i].0, (prefix[hi] - prefix[lo]) / (hi - lo) as f64)
        })
        .collect()
}

/// The typical time between samples (the median gap), seconds.
pub fn sample_interval(times_s: &[Option<f64>]) -> f64 {
    let t: Vec<f64> = times_s.iter().flatten().copied().collect();
    let mut gaps: Vec<f64> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied().unwrap_or(1.0)
}

/// Configures the grid, tick labels and axis descriptions of a 2-D chart the same way for
/// every chart. `show_x` false hides the x tick labels and description (a panel stacked above
/// another that shares its time axis).
pub fn mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    x_desc: &str,
    y_desc: &str,
    show_x: bool,
) -> Result<(), ReportError> {
    let x_span = chart.x_range().end - chart.x_range().start;
    let y_span = chart.y_range().end - chart.y_range().start;
    let x_fmt = move |v: &f64| {
        if show_x {
            tick_label(*v, x_span, X_LABELS)
        } else {
            String::new()
        }
    };
    let y_fmt = move |v: &f64| tick_label(*v, y_span, Y_LABELS);
    chart
        .configure_mesh()
        .x_desc(if show_x { x_desc } else { "" })
        .y_desc(y_desc)
        .x_labels(X_LABELS)
        .y_labels(Y_LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .house_look()
        .draw()?;
    Ok(())
}

/// The shared look of tick labels, axis titles, grid lines and axes, chained into any mesh
/// configuration: `chart.configure_mesh().x_desc(..).house_look().draw()`.
pub trait HouseLook {
    /// Applies the look.
    fn house_look(&mut self) -> &mut Self;
}

impl<
        X: plotters::coord::ranged1d::Ranged,
        Y: plotters::coord::ranged1d::Ranged,
        DB: DrawingBackend,
    > HouseLook for plotters::chart::MeshStyle<'_, '_, X, Y, DB>
{
    fn house_look(&mut self) -> &mut Self {
        self.label_style((FAMILY, TICK_PX).into_font().color(&INK))
            .axis_desc_style((FAMILY, LABEL_PX).into_font().color(&INK))
            .bold_line_style(GREY.mix(0.35))
            .light_line_style(GREY.mix(0.12))
            .axis_style(INK.mix(0.8))
    }
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
    chart.draw_series((0..steps).map(|k| {
        let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
        Rectangle::new(
            [(0.0, lo + a * span), (1.0, lo + b * span)],
            heat_colour(k as f64 / (steps - 1) as f64).filled(),
        )
    }))?;
    chart.draw_series([Rectangle::new([(0.0, lo), (1.0, hi)], INK.stroke_width(1))])?;
    Ok(())
}

/// Builds a 2-D chart with the shared label areas and margins.
pub fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Range<f64>,
    x_labels: bool,
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    ReportError,
> {
    let chart = ChartBuilder::on(area)
        .margin_left(MARGIN_PX)
        .margin_right(MARGIN_PX + 12)
        .margin_top(6)
        .margin_bottom(if x_labels { MARGIN_PX } else { 4 })
        .x_label_area_size(if x_labels { X_LABEL_AREA_PX } else { 8 })
        .y_label_area_size(Y_LABEL_AREA_PX)
        .build_cartesian_2d(x, y)?;
    Ok(chart)
}

/// A light-to-dark ramp (yellow–green–blue); empty cells stay white.
pub const HEAT_RAMP: [(f64, [f64; 3]); 5] = [
    (0.0, [237.0, 248.0, 177.0]),
    (0.25, [127.0, 205.0, 187.0]),
    (0.5, [29.0, 145.0, 192.0]),
    (0.75, [34.0, 94.0, 168.0]),
    (1.0, [8.0, 29.0, 88.0]),
];

/// The heat colour of `u` in [0, 1] on [`HEAT_RAMP`], interpolated linearly.
pub fn heat_colour(u: f64) -> RGBColor {
    let u = u.clamp(0.0, 1.0);
    let i = HEAT_RAMP
        .iter()
        .rposition(|(x, _)| *x <= u)
        .unwrap_or(0)
        .min(HEAT_RAMP.len() - 2);
    let ((x0, c0), (x1, c1)) = (HEAT_RAMP[i], HEAT_RAMP[i + 1]);
    let f = (u - x0) / (x1 - x0);
    let ch = |k: usize| (c0[k] + (c1[k] - c0[k]) * f).round() as u8;
    RGBColor(ch(0), ch(1), ch(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_carry_the_decimals_the_step_needs() {
        // Span 2 with 8 labels: plotters steps by 0.5.
        assert_eq!(tick_label(100.5, 2.0, 8), "100.5");
        // Span 0.4 with 8 labels: steps of 0.05.
        assert_eq!(tick_label(99.95, 0.4, 8), "99.95");
        assert_eq!(tick_label(100.0, 40.0, 8), "100");
        assert_eq!(tick_label(12_500.0, 50_000.0, 8), "12,500");
        assert_eq!(tick_label(-1e-15, 1.0, 8), "0.0");
        // A finer step than span / max_labels still gives distinct labels.
        assert_eq!(tick_label(0.25, 0.5, 8), "0.25");
        assert_eq!(tick_label(0.3, 0.5, 8), "0.3");
        assert_eq!(nice_up(0.25), 0.5);
        assert_eq!(nice_up(0.1), 0.1);
    }

    #[test]
    fn time_axes_pick_a_readable_unit() {
        assert_eq!(TimeAxis::for_span(60.0).label, "simulated time (s)");
        assert_eq!(TimeAxis::for_span(3600.0).x(1800.0), 30.0);
        assert_eq!(TimeAxis::for_span(23_400.0).label, "simulated time (h)");
    }

    #[test]
    fn lines_break_at_missing_values_and_thin_keeps_the_extremes() {
        let axis = TimeAxis::for_span(10.0);
        let t: Vec<Option<f64>> = (0..5).map(|i| Some(i as f64)).collect();
        let y = [Some(1.0), None, Some(2.0), Some(3.0), None];
        assert_eq!(
            segments(&axis, &t, &y),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| (i as f64, if i == 500 { 99.0 } else { 0.0 }))
            .collect();
        let thin = thin(&pts, 100);
        assert!(thin.len() <= 102, "{}", thin.len());
        assert!(thin.contains(&(500.0, 99.0)));
    }

    #[test]
    fn the_rolling_mean_is_centred_and_shrinks_at_the_ends() {
        let pts: Vec<(f64, f64)> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .enumerate()
            .map(|(i, y)| (i as f64, *y))
            .collect();
        assert_eq!(
            rolling_mean(&pts, 3)
                .iter()
                .map(|p| p.1)
                .collect::<Vec<_>>(),
            [1.5, 2.0, 3.0, 3.5]
        );
        assert_eq!(rolling_window(3600, 1.0), Some((30, "30 s".to_string())));
        assert_eq!(rolling_window(100, 1.0), None);
    }
}
