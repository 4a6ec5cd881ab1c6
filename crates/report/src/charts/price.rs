//! The price chart: mid, and mark, index and fundamental when the series has them;
//! liquidations as markers sized by notional and coloured by generation; shocks as lines; and
//! when the liquidations fall in a short window of the run, that window zoomed in an inset.
//!
//! Optional inputs, drawn when present:
//! - series columns `mark`, `index`, `fundamental` (quote currency);
//! - a `liquidations` table with `time_s`, `price`, `notional` and `generation` columns;
//! - a `shocks` table with `time_s` and, optionally, a text column `kind`.

use super::inset::{self, InsetData};
use super::style::{self, Mark, TimeAxis};
use super::RunData;
use crate::frame::Frame;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Series columns drawn as lines, in legend order: column, legend label, colour, dashed. The
/// mark is orange and dashed, drawn over the mid: where the mark rule is the mid they coincide
/// and both still show.
const LINES: [(&str, &str, RGBColor, bool); 4] = [
    ("mid", "mid", style::BLUE, false),
    ("mark", "mark", style::ORANGE, true),
    ("index", "index", style::GREEN, true),
    ("fundamental", "fundamental", style::BROWN, true),
];

/// Liquidation markers: time (s), price, notional, generation.
struct Markers {
    points: Vec<(f64, f64, f64, usize)>,
    max_notional: f64,
}

fn markers(liq: Option<&Frame>) -> Result<Option<Markers>, ReportError> {
    let Some(f) = liq else { return Ok(None) };
    let (t, p, n, g) = (
        f.need_num("time_s")?,
        f.need_num("price")?,
        f.need_num("notional")?,
        f.need_num("generation")?,
    );
    let points: Vec<_> = (0..f.rows())
        .filter_map(|i| {
            let gen = g[i].unwrap_or(0.0).max(0.0) as usize;
            Some((t[i]?, p[i]?, n[i].unwrap_or(0.0).abs(), gen))
        })
        .collect();
    let max_notional = style::max_of(points.iter().map(|m| m.2)).unwrap_or(1.0);
    Ok(Some(Markers {
        points,
        max_notional: max_notional.max(f64::MIN_POSITIVE),
    }))
}

/// The legend entries of the liquidation dots: one per generation present.
fn marker_legend(m: &Markers) -> Vec<(String, Mark)> {
    let mut gens: Vec<usize> = m
        .points
        .iter()
        .map(|p| style::generation_bucket(p.3))
        .collect();
    gens.sort_unstable();
    gens.dedup();
    let mut legend = Vec::new();
    for (i, g) in gens.into_iter().enumerate() {
        let deeper = if g == style::GENERATIONS.len() - 1 {
            "+"
        } else {
            ""
        };
        let what = if i == 0 {
            "liquidations (dot area ∝ notional): "
        } else {
            ""
        };
        legend.push((
            format!("{what}generation {g}{deeper}"),
            Mark::Dot(style::generation_colour(g)),
        ));
    }
    legend
}

/// A price line: its segments, colour, and whether it is dashed.
pub(super) type Line = (Vec<Vec<(f64, f64)>>, RGBColor, bool);

/// Draws the solid lines (the mid), then the dashed ones over them, so a dashed line that
/// coincides with the mid shows in its gaps.
pub(super) fn draw_lines<DB: DrawingBackend>(
    chart: &mut style::Chart2d<'_, DB>,
    lines: &[Line],
) -> Result<(), ReportError> {
    // One pixel wide when there are more points than pixels, or the lines merge into a band.
    let points: usize = lines
        .iter()
        .flat_map(|(segs, _, _)| segs.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    let width = if points > 1500 { 1 } else { 2 };
    let order = lines
        .iter()
        .filter(|l| !l.2)
        .chain(lines.iter().filter(|l| l.2));
    for (segs, colour, dashed) in order {
        for seg in segs {
            if *dashed {
                chart.draw_series(DashedLineSeries::new(
                    seg.iter().copied(),
                    10,
                    6,
                    colour.stroke_width(width),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(
                    seg.iter().copied(),
                    colour.stroke_width(width),
                ))?;
            }
        }
    }
    Ok(())
}

/// The shocks at `times_s` as dashed grey lines across `y_range`.
pub(super) fn draw_shocks<DB: DrawingBackend>(
    chart: &mut style::Chart2d<'_, DB>,
    axis: &TimeAxis,
    times_s: &[f64],
    y_range: &std::ops::Range<f64>,
) -> Result<(), ReportError> {
    for t in times_s {
        let x = axis.x(*t);
        chart.draw_series(DashedLineSeries::new(
            [(x, y_range.start), (x, y_range.end)],
            8,
            6,
            style::GREY.stroke_width(2),
        ))?;
    }
    Ok(())
}

pub(super) fn draw<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let series = data.series()?;
    let time = series.need_num("time_s")?;
    series.need_num("mid")?;
    let axis = TimeAxis::for_times(time);

    let mut lines: Vec<Line> = Vec::new();
    let mut inset = InsetData {
        lines: Vec::new(),
        dots: Vec::new(),
    };
    let mut legend = Vec::new();
    for (col, label, colour, dashed) in LINES {
        let Some(values) = series.num(col) else {
            continue;
        };
        if col != "mid" && values.iter().all(Option::is_none) {
            continue;
        }
        lines.push((style::segments(&axis, time, values), colour, dashed));
        inset.lines.push((time, values, colour, dashed));
        let mark = if dashed {
            Mark::Dashed(colour)
        } else {
            Mark::Line(colour)
        };
        legend.push((label.to_string(), mark));
    }
    let markers = markers(data.frame("liquidations"))?;
    let shocks = super::venues::shock_times(data)?;
    if let Some(m) = &markers {
        legend.extend(marker_legend(m));
    }
    if !shocks.is_empty() {
        legend.push(("shock".to_string(), Mark::Dashed(style::GREY)));
    }

    let ys = lines
        .iter()
        .flat_map(|(segs, _, _)| segs.iter().flatten().map(|p| p.1))
        .chain(markers.iter().flat_map(|m| m.points.iter().map(|p| p.1)));
    let (lo, hi) = (style::min_of(ys.clone()), style::max_of(ys));
    let y_range = style::padded(lo.unwrap_or(0.0), hi.unwrap_or(1.0), 0.05);

    let plot = style::frame(root, &style::title("Price", &data.label()), &legend)?;
    let mut chart = style::cartesian(&plot, axis.range(time), y_range.clone(), true)?;
    style::mesh(&mut chart, axis.label, "price (quote currency)", true)?;

    draw_shocks(&mut chart, &axis, &shocks, &y_range)?;
    draw_lines(&mut chart, &lines)?;
    if let Some(m) = &markers {
        // Area proportional to notional: radius ∝ sqrt; the largest is 14 px.
        inset.dots = m
            .points
            .iter()
            .map(|&(t, p, n, g)| {
                let r = (3.0 + 11.0 * (n / m.max_notional).sqrt()).round() as i32;
                (t, p, r, style::generation_colour(g))
            })
            .collect();
        chart.draw_series(
            inset
                .dots
                .iter()
                .map(|&(t, p, r, c)| Circle::new((axis.x(t), p), r, c.mix(0.55).filled())),
        )?;
        let run =
            style::start_of(time)..style::max_of(time.iter().flatten().copied()).unwrap_or(1.0);
        let liq_times: Vec<f64> = m.points.iter().map(|p| p.0).collect();
        if let Some(window) = inset::cascade_window(&liq_times, run) {
            let pixels = lines
                .iter()
                .flat_map(|(segs, _, _)| segs.iter().flatten())
                .copied()
                .chain(inset.dots.iter().map(|d| (axis.x(d.0), d.1)))
                .map(|p| chart.backend_coord(&p))
                .collect::<Vec<_>>();
            let corner = inset::emptiest_corner(
                chart.plotting_area().get_pixel_range(),
                pixels.iter().copied(),
            );
            inset::draw(root, corner, window, &inset)?;
        }
    }
    Ok(())
}
