//! Axes: the time axis, value ranges, the shared mesh (grid, ticks, axis descriptions) and the
//! 2-D chart builder.

use super::theme::*;
use super::ticks::tick_label;
use crate::ReportError;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// A 2-D chart of floats on both axes, as every chart builds it.
pub type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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
        let end = max_of(times_s.iter().flatten().copied()).unwrap_or(1.0);
        Self::for_span(end - start_of(times_s))
    }

    /// A time in seconds on this axis.
    pub fn x(&self, t_s: f64) -> f64 {
        t_s / self.seconds
    }

    /// The axis range from its start ([`start_of`]) to the last time.
    pub fn range(&self, times_s: &[Option<f64>]) -> Range<f64> {
        let end = max_of(times_s.iter().flatten().copied()).unwrap_or(1.0);
        let start = self.x(start_of(times_s));
        start..self.x(end).max(start + f64::MIN_POSITIVE)
    }
}

/// Where a time axis starts: at 0 for a whole run (its first sample comes one interval in),
/// at the first time when the times begin late — a window of the run (`plot --window`),
/// whose first time is more than a tenth of its last.
pub fn start_of(times_s: &[Option<f64>]) -> f64 {
    let finite = || times_s.iter().flatten().copied();
    let (first, end) = (min_of(finite()), max_of(finite()));
    match (first, end) {
        (Some(first), Some(end)) if first > 0.1 * end => first,
        _ => 0.0,
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

/// Configures the grid, tick labels and axis descriptions of a 2-D chart the same way for
/// every chart. `show_x` false hides the x tick labels and description (a panel stacked above
/// another that shares its time axis).
pub fn mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
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

/// Builds a 2-D chart with the shared label areas and margins.
pub fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Range<f64>,
    x_labels: bool,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, ReportError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_run_starts_at_zero_and_a_window_at_its_first_time() {
        let run: Vec<Option<f64>> = (1..=1800).map(|t| Some(f64::from(t))).collect();
        assert_eq!(start_of(&run), 0.0);
        let axis = TimeAxis::for_times(&run);
        assert_eq!(axis.label, "simulated time (min)");
        assert_eq!(axis.range(&run), 0.0..30.0);
        let window: Vec<Option<f64>> = (1200..=1320).map(|t| Some(f64::from(t))).collect();
        assert_eq!(start_of(&window), 1200.0);
        let axis = TimeAxis::for_times(&window);
        assert_eq!(axis.label, "simulated time (s)");
        assert_eq!(axis.range(&window), 1200.0..1320.0);
    }
}
