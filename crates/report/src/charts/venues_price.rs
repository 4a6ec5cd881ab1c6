//! The `venues_price` chart of a multi-venue run: every venue's mid over time, one colour per
//! venue (the home venue first, in the price chart's blue), each perpetual's index dashed in a
//! lighter tint of its venue's colour, and the shocks as dashed grey lines.
//!
//! Reads each venue's `series` (`time_s`, `mid`, and `index` when the venue has one: a spot
//! market's is empty and not drawn).

use super::price::{self, Line};
use super::style::{self, Mark, TimeAxis};
use super::venues::{self, Shown};
use super::RunData;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The lines of one venue (its mid, then its index when it has one) and their legend entries.
fn venue_lines(
    v: &Shown<'_>,
    axis: &TimeAxis,
    lines: &mut Vec<Line>,
    legend: &mut Vec<(String, Mark)>,
) -> Result<(), ReportError> {
    let Some(series) = v.series else {
        return Ok(());
    };
    let time = series.need_num("time_s")?;
    lines.push((
        style::segments(axis, time, series.need_num("mid")?),
        v.colour,
        false,
    ));
    legend.push((v.label.clone(), Mark::Line(v.colour)));
    if let Some(index) = series
        .num("index")
        .filter(|i| i.iter().any(Option::is_some))
    {
        let c = venues::tint(v.colour);
        lines.push((style::segments(axis, time, index), c, true));
        legend.push((format!("{} index", v.name), Mark::Dashed(c)));
    }
    Ok(())
}

pub(super) fn draw<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let time = data.series()?.need_num("time_s")?;
    let axis = TimeAxis::for_times(time);
    let mut lines: Vec<Line> = Vec::new();
    let mut legend = Vec::new();
    for v in venues::shown(data) {
        venue_lines(&v, &axis, &mut lines, &mut legend)?;
    }
    let shocks = venues::shock_times(data)?;
    if !shocks.is_empty() {
        legend.push(("shock".to_string(), Mark::Dashed(style::GREY)));
    }
    let ys = lines
        .iter()
        .flat_map(|(segs, _, _)| segs.iter().flatten().map(|p| p.1));
    let (lo, hi) = (style::min_of(ys.clone()), style::max_of(ys));
    let y_range = style::padded(lo.unwrap_or(0.0), hi.unwrap_or(1.0), 0.05);

    let plot = style::frame(
        root,
        &style::title("Price on every venue", &data.label()),
        &legend,
    )?;
    let mut chart = style::cartesian(&plot, axis.range(time), y_range.clone(), true)?;
    style::mesh(&mut chart, axis.label, "price (quote currency)", true)?;
    price::draw_shocks(&mut chart, &axis, &shocks, &y_range)?;
    price::draw_lines(&mut chart, &lines)
}

#[cfg(test)]
mod tests {
    use super::super::venues::fixture;
    use super::super::{render, Chart, ChartFormat};
    use super::*;

    fn svg(data: &RunData) -> String {
        String::from_utf8(render(Chart::VenuesPrice, data, ChartFormat::Svg).unwrap()).unwrap()
    }

    /// Elements stroked in `c`.
    fn stroked(svg: &str, c: RGBColor) -> usize {
        svg.matches(&format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2))
            .count()
    }

    #[test]
    fn only_multi_venue_runs_get_the_chart() {
        let multi = fixture::two_perps_one_spot();
        assert!(Chart::VenuesPrice.applies(&multi));
        let one = RunData::from_tables("one", 1, &[fixture::series(300, true)]);
        assert!(!Chart::VenuesPrice.applies(&one));
    }

    #[test]
    fn every_venue_has_its_mid_and_each_perpetual_its_index_in_a_tint() {
        let data = fixture::two_perps_one_spot();
        let png = render(Chart::VenuesPrice, &data, ChartFormat::Png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            png[16..24],
            [1280u32.to_be_bytes(), 720u32.to_be_bytes()].concat()[..]
        );
        let svg = svg(&data);
        assert!(svg.starts_with("<svg width=\"1280\" height=\"720\""));
        assert!(svg.contains("Price on every venue — multi, seed 4"));
        for text in [
            ">\nperp-a (home)\n<",
            ">\nperp-a index\n<",
            ">\nperp-b\n<",
            ">\nperp-b index\n<",
            ">\nspot-x (spot)\n<",
            ">\nshock\n<",
        ] {
            assert!(svg.contains(text), "no {text:?}");
        }
        assert!(!svg.contains("spot-x index"), "a spot market has no index");
        for v in 0..3 {
            // The mid: one polyline (and the legend's mark).
            assert!(stroked(&svg, venues::colour(v)) >= 2, "venue {v}'s mid");
        }
        for v in 0..2 {
            // The index: dashes, many short segments.
            let dashes = stroked(&svg, venues::tint(venues::colour(v)));
            assert!(dashes > 20, "venue {v}'s index: {dashes} dashes");
        }
        assert_eq!(stroked(&svg, venues::tint(venues::colour(2))), 0);
    }
}
