//! The `contagion` chart of a multi-venue run: lots liquidated per interval on each venue that
//! can liquidate (the home venue on top, then each perpetual in scenario order; a spot market
//! only if its table has rows), one panel per venue on a shared time axis and one lots scale,
//! so the panels compare. The first liquidation on each venue is a dashed line labelled with
//! its time and, for another venue, its delay after the home venue's first (summary.json's
//! `venues.<name>.first_liquidation_after_home_s`); an arrow runs from the home venue's first
//! to each other venue's.
//!
//! The cascade tree's edges across venues (liquidations.csv `parent_venue`,
//! `parent_liquidation`, written by multi-venue runs) are thin lines from the parent's first
//! step on its venue's panel to each child's first step on its own, ending in a dot.
//!
//! Reads each venue's `liquidations` table (`time_s`, `liquidation`, `quantity`, and the
//! parent columns when present) and the home venue's `series` for the time axis. In a window
//! of the run (`plot --window`), "first" means first within the window, and an edge is drawn
//! when both ends are in it.

use super::liquidations::bin_width;
use super::liquidity::upper;
use super::price;
use super::style::{self, Mark, TimeAxis};
use super::venues::{self, Shown};
use super::RunData;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// True for a multi-venue run with a liquidation on some venue.
pub(super) fn applies(data: &RunData) -> bool {
    !data.venues().is_empty()
        && venues::shown(data)
            .iter()
            .any(|v| v.liquidations.is_some_and(|f| f.rows() > 0))
}

/// One venue's panel: lots liquidated per bin, its totals, the time of its first liquidation.
struct Row<'a> {
    venue: Shown<'a>,
    bins: Vec<f64>,
    lots: f64,
    takeovers: usize,
    first_s: Option<f64>,
    /// Each takeover's first step, by its id.
    starts: BTreeMap<i64, f64>,
    /// Takeovers set off from another venue: (parent venue, parent id, child's first step, s).
    parents: Vec<(String, i64, f64)>,
}

/// The liquidations of `venue` in `bins` bins of `width_s` (one after the last bin counts in
/// it).
fn row(venue: Shown<'_>, width_s: f64, bins: usize) -> Result<Row<'_>, ReportError> {
    let mut out = Row {
        venue,
        bins: vec![0.0; bins.max(1)],
        lots: 0.0,
        takeovers: 0,
        first_s: None,
        starts: BTreeMap::new(),
        parents: Vec::new(),
    };
    let Some(f) = out.venue.liquidations else {
        return Ok(out);
    };
    let parent_venue = f.text("parent_venue");
    let parent_id = f.num("parent_liquidation");
    let (t, q, id) = (
        f.need_num("time_s")?,
        f.need_num("quantity")?,
        f.need_num("liquidation")?,
    );
    for (i, ((t, q), id)) in t.iter().zip(q).zip(id).enumerate() {
        let Some(t) = *t else { continue };
        let lots = q.unwrap_or(0.0).abs();
        let b = ((t / width_s).max(0.0) as usize).min(out.bins.len() - 1);
        out.bins[b] += lots;
        out.lots += lots;
        if let Some(id) = id {
            let first = out.starts.entry(*id as i64).or_insert(t);
            if t < *first {
                *first = t;
            }
            let parent = (
                parent_venue.and_then(|c| c[i].as_deref()),
                parent_id.and_then(|c| c[i]),
            );
            if let (Some(v), Some(p)) = parent {
                if v != out.venue.name && t <= out.starts[&(*id as i64)] {
                    out.parents.push((v.to_string(), p as i64, t));
                }
            }
        }
        out.first_s = Some(out.first_s.map_or(t, |f: f64| f.min(t)));
    }
    out.takeovers = out.starts.len();
    Ok(out)
}

/// The panels' venues: every perpetual, and a spot market only if it liquidated.
fn rows(data: &RunData, width_s: f64, bins: usize) -> Result<Vec<Row<'_>>, ReportError> {
    venues::shown(data)
        .into_iter()
        .filter(|v| !v.spot || v.liquidations.is_some_and(|f| f.rows() > 0))
        .map(|v| row(v, width_s, bins))
        .collect()
}

/// The cascade tree's edges between panels: (parent's row, its first step, s; child's row, its
/// first step, s), for the parents that are in the chart.
fn edges(rows: &[Row<'_>]) -> Vec<(usize, f64, usize, f64)> {
    let mut out = Vec::new();
    for (k, r) in rows.iter().enumerate() {
        for (venue, id, t) in &r.parents {
            let parent = rows.iter().enumerate().find(|(_, p)| p.venue.name == venue);
            if let Some((pk, p)) = parent {
                if let Some(&pt) = p.starts.get(id) {
                    out.push((pk, pt, k, *t));
                }
            }
        }
    }
    out
}

/// "12.3 s after", "0.250 s before": a delay with the decimals its size needs.
fn delay_text(d_s: f64) -> String {
    let a = d_s.abs();
    let decimals = if a < 1.0 {
        3
    } else if a < 10.0 {
        2
    } else {
        1
    };
    let when = if d_s < 0.0 { "before" } else { "after" };
    format!("{a:.decimals$} s {when}")
}

/// The label at a venue's first liquidation.
fn first_label(r: &Row<'_>, home: Option<(&str, f64)>, is_home: bool) -> String {
    let Some(t) = r.first_s else {
        return "no liquidation".to_string();
    };
    match home {
        Some((name, h)) if !is_home => {
            format!("first at {t:.1} s, {} {name}'s first", delay_text(t - h))
        }
        _ => format!("first at {t:.1} s"),
    }
}

/// A venue's legend entry: its colour and totals.
fn legend_entry(r: &Row<'_>) -> (String, Mark) {
    let text = if r.takeovers == 0 {
        format!("{}: none", r.venue.label)
    } else {
        let lots = style::thousands(&format!("{:.0}", r.lots));
        let s = if r.takeovers == 1 { "" } else { "s" };
        format!(
            "{}: {lots} lots, {} takeover{s}",
            r.venue.label, r.takeovers
        )
    };
    (text, Mark::Square(r.venue.colour))
}

/// Splits `plot` into `n` stacked panels of equal plotting height; the last also holds the
/// time axis labels.
fn panels<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    n: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    let h = plot.dim_in_pixel().1 as i32;
    let axis_px = (style::X_LABEL_AREA_PX + style::MARGIN_PX) as i32;
    let each = ((h - axis_px) / n.max(1) as i32).max(1);
    let breaks: Vec<i32> = (1..n as i32).map(|k| k * each).collect();
    plot.split_by_breakpoints(Vec::<i32>::new(), breaks)
}

/// A backend pixel in `root`'s own coordinates.
fn in_area<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: (i32, i32)) -> (i32, i32) {
    let base = root.get_base_pixel();
    (p.0 - base.0, p.1 - base.1)
}

/// An arrow on `root` from pixel `a` to pixel `b` (backend coordinates).
fn arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
) -> Result<(), ReportError> {
    let (a, b) = (in_area(root, a), in_area(root, b));
    let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
    let len = dx.hypot(dy);
    if len < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let colour = style::INK.mix(0.75);
    root.draw(&PathElement::new([a, b], colour.stroke_width(2)))?;
    let at = |along: f64, across: f64| {
        (
            b.0 - (ux * along - uy * across).round() as i32,
            b.1 - (uy * along + ux * across).round() as i32,
        )
    };
    root.draw(&Polygon::new(
        vec![b, at(12.0, 5.0), at(12.0, -5.0)],
        colour.filled(),
    ))?;
    Ok(())
}

/// What every panel shares: the time axis and its bins, the lots scale, the shocks, the home
/// venue's first liquidation.
struct Panels<'a> {
    axis: TimeAxis,
    x: std::ops::Range<f64>,
    width_s: f64,
    width_label: String,
    hi: f64,
    shocks: Vec<f64>,
    home: Option<(&'a str, f64)>,
}

/// Where a panel's times are in pixels (backend coordinates): the pixels of the axis's two
/// ends at the panel's middle height.
#[derive(Clone, Copy, Debug)]
struct PanelPixels {
    from: (i32, i32),
    to: (i32, i32),
    x: (f64, f64),
}

impl PanelPixels {
    /// The pixel at axis value `x`, at the panel's middle height.
    fn at(&self, x: f64) -> (i32, i32) {
        let f = (x - self.x.0) / (self.x.1 - self.x.0);
        let px = f64::from(self.from.0) + f * f64::from(self.to.0 - self.from.0);
        (px.round() as i32, self.from.1)
    }
}

/// Draws row `k`'s panel into `area`; returns the pixel (backend coordinates) of the middle
/// of its first-liquidation line, where an arrow starts or ends, and where its times are.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panels<'_>,
    r: &Row<'_>,
    k: usize,
    last: bool,
) -> Result<(Option<(i32, i32)>, PanelPixels), ReportError> {
    let (axis, y) = (&p.axis, 0.0..p.hi);
    let mut chart = style::cartesian(area, p.x.clone(), y.clone(), last)?;
    let y_desc = format!("{} (lots / {})", r.venue.name, p.width_label);
    style::mesh(&mut chart, axis.label, &y_desc, last)?;
    price::draw_shocks(&mut chart, axis, &p.shocks, &y)?;
    chart.draw_series(
        r.bins
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .map(|(b, v)| {
                let x0 = axis.x(b as f64 * p.width_s);
                let x1 = axis.x((b + 1) as f64 * p.width_s);
                Rectangle::new([(x0, 0.0), (x1, *v)], r.venue.colour.filled())
            }),
    )?;
    // The label goes right of the line unless the line is in the last quarter of the axis.
    let at = r.first_s.map_or(p.x.start, |t| axis.x(t));
    let (pos, dx) = if at > p.x.start + 0.75 * (p.x.end - p.x.start) {
        (Pos::new(HPos::Right, VPos::Top), -8)
    } else {
        (Pos::new(HPos::Left, VPos::Top), 8)
    };
    let font = (style::FAMILY, style::LEGEND_PX)
        .into_font()
        .color(&style::INK);
    if r.first_s.is_some() {
        chart.draw_series(DashedLineSeries::new(
            [(at, 0.0), (at, p.hi)],
            6,
            4,
            style::INK.stroke_width(2),
        ))?;
    }
    let label = first_label(r, p.home, k == 0);
    chart.draw_series([EmptyElement::at((at, p.hi)) + Text::new(label, (dx, 4), font.pos(pos))])?;
    let pixels = PanelPixels {
        from: chart.backend_coord(&(p.x.start, p.hi / 2.0)),
        to: chart.backend_coord(&(p.x.end, p.hi / 2.0)),
        x: (p.x.start, p.x.end),
    };
    Ok((
        r.first_s.map(|_| chart.backend_coord(&(at, p.hi / 2.0))),
        pixels,
    ))
}

/// A thin line on `root` from pixel `a` to pixel `b` (backend coordinates), a dot at `b`: an
/// edge of the cascade tree between venues.
fn edge<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
) -> Result<(), ReportError> {
    let (a, b) = (in_area(root, a), in_area(root, b));
    let colour = style::INK.mix(0.45);
    root.draw(&PathElement::new([a, b], colour.stroke_width(1)))?;
    root.draw(&Circle::new(b, 3, colour.filled()))?;
    Ok(())
}

/// The legend: each venue's totals, the first-liquidation line, the arrow when one is drawn,
/// the shocks.
fn legend(rows: &[Row<'_>], p: &Panels<'_>, edges: usize) -> Vec<(String, Mark)> {
    let mut legend: Vec<(String, Mark)> = rows.iter().map(legend_entry).collect();
    legend.push(("first liquidation".to_string(), Mark::Dashed(style::INK)));
    if p.home.is_some() && rows.iter().skip(1).any(|r| r.first_s.is_some()) {
        legend.push((
            "from the home venue's first to each venue's first".to_string(),
            Mark::Line(style::INK),
        ));
    }
    if edges > 0 {
        let s = if edges == 1 { "" } else { "s" };
        legend.push((
            format!("{edges} takeover{s} set off from another venue (cascade tree)"),
            Mark::Dot(style::INK),
        ));
    }
    if !p.shocks.is_empty() {
        legend.push(("shock".to_string(), Mark::Dashed(style::GREY)));
    }
    legend
}

pub(super) fn draw<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let time = data.series()?.need_num("time_s")?;
    let axis = TimeAxis::for_times(time);
    let x = axis.range(time);
    let end_s = x.end * axis.seconds;
    let (width_s, width_label) =
        bin_width(end_s - style::start_of(time), style::sample_interval(time));
    let rows = rows(data, width_s, (end_s / width_s).ceil().max(1.0) as usize)?;
    let p = Panels {
        axis,
        x,
        width_s,
        width_label,
        hi: upper(style::max_of(rows.iter().flat_map(|r| r.bins.iter().copied())).unwrap_or(0.0)),
        shocks: venues::shock_times(data)?,
        home: rows.first().and_then(|r| Some((r.venue.name, r.first_s?))),
    };
    let edges = edges(&rows);
    let plot = style::frame(
        root,
        &style::title("Liquidations per venue", &data.label()),
        &legend(&rows, &p, edges.len()),
    )?;
    let areas = panels(&plot, rows.len());
    let mut anchors = Vec::with_capacity(rows.len());
    let mut pixels = Vec::with_capacity(rows.len());
    for (k, (r, area)) in rows.iter().zip(&areas).enumerate() {
        let (anchor, px) = draw_panel(area, &p, r, k, k + 1 == rows.len())?;
        anchors.push(anchor);
        pixels.push(px);
    }
    for &(pk, pt, k, t) in &edges {
        edge(root, pixels[pk].at(p.axis.x(pt)), pixels[k].at(p.axis.x(t)))?;
    }
    if let Some(Some(from)) = anchors.first() {
        for to in anchors.iter().skip(1).flatten() {
            arrow(root, *from, *to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::venues::{fixture, VenueFrames};
    use super::super::{render, Chart, ChartFormat};
    use super::*;

    fn svg(data: &RunData) -> String {
        String::from_utf8(render(Chart::Contagion, data, ChartFormat::Svg).unwrap()).unwrap()
    }

    /// A home venue and perp-b whose takeovers are `home` and `other` (start s, count).
    fn two_perps(home: (usize, usize), other: (usize, usize)) -> RunData {
        let a = [
            fixture::series(300, true),
            fixture::liquidations(home.0, home.1),
        ];
        let b = [
            fixture::series(200, true),
            fixture::liquidations(other.0, other.1),
        ];
        RunData::from_tables("pair", 2, &a).with_venues(
            "perp-a",
            vec![VenueFrames::from_tables("perp-b", false, &b)],
        )
    }

    #[test]
    fn only_multi_venue_runs_with_a_liquidation_get_the_chart() {
        assert!(Chart::Contagion.applies(&fixture::two_perps_one_spot()));
        // A liquidation on another venue alone is enough.
        assert!(Chart::Contagion.applies(&two_perps((0, 0), (313, 2))));
        assert!(!Chart::Contagion.applies(&two_perps((0, 0), (0, 0))));
        let one = RunData::from_tables(
            "one",
            1,
            &[fixture::series(300, true), fixture::liquidations(301, 5)],
        );
        assert!(!Chart::Contagion.applies(&one));
    }

    #[test]
    fn rows_count_lots_per_bin_takeovers_and_the_first_of_each_venue() {
        let data = fixture::two_perps_one_spot();
        let rows = rows(&data, 10.0, 60).unwrap();
        // The spot market never liquidated: no panel.
        let names: Vec<&str> = rows.iter().map(|r| r.venue.name).collect();
        assert_eq!(names, ["perp-a", "perp-b"]);
        let (a, b) = (&rows[0], &rows[1]);
        assert_eq!((a.takeovers, a.first_s), (30, Some(301.0)));
        assert_eq!((b.takeovers, b.first_s), (10, Some(313.0)));
        // perp-a: takeover j (10 + j lots) at 301 + j s; bin 30 holds 301..309 (j 0..8).
        assert_eq!(a.bins[30], (0..9).map(|j| 10.0 + j as f64).sum::<f64>());
        assert_eq!(a.lots, (0..30).map(|j| 10.0 + j as f64).sum::<f64>());
        assert_eq!(a.bins.iter().sum::<f64>(), a.lots);
        // perp-b: 313..319 in bin 31, 320..322 in bin 32.
        assert_eq!(b.bins[31], (0..7).map(|j| 10.0 + j as f64).sum::<f64>());
        assert_eq!(b.bins[32], 17.0 + 18.0 + 19.0);
    }

    #[test]
    fn each_first_is_labelled_with_its_delay_and_linked_to_the_home_venues() {
        let data = fixture::two_perps_one_spot();
        let png = render(Chart::Contagion, &data, ChartFormat::Png).unwrap();
        assert_eq!(
            png[16..24],
            [1280u32.to_be_bytes(), 800u32.to_be_bytes()].concat()[..]
        );
        let svg = svg(&data);
        assert!(svg.starts_with("<svg width=\"1280\" height=\"800\""));
        for text in [
            "Liquidations per venue — multi, seed 4",
            ">\nperp-a (home): 735 lots, 30 takeovers\n<",
            ">\nperp-b: 145 lots, 10 takeovers\n<",
            ">\nfirst at 301.0 s\n<",
            "first at 313.0 s, 12.0 s after perp-a",
            "perp-a (lots / 5 s)",
            "perp-b (lots / 5 s)",
            ">\nshock\n<",
        ] {
            assert!(svg.contains(text), "no {text:?}");
        }
        assert!(
            !svg.contains("spot-x"),
            "a spot market without liquidations has no panel"
        );
        // The arrow's head, and its line in the legend.
        assert_eq!(svg.matches("<polygon").count(), 1);
        assert!(
            svg.contains("first to each venue"),
            "no arrow in the legend"
        );
    }

    #[test]
    fn without_a_home_liquidation_there_is_nothing_to_link() {
        let svg = svg(&two_perps((0, 0), (313, 2)));
        assert!(svg.contains(">\nno liquidation\n<"));
        assert!(svg.contains(">\nfirst at 313.0 s\n<"));
        assert!(svg.contains(">\nperp-a (home): none\n<"));
        assert_eq!(svg.matches("<polygon").count(), 0);
        assert!(!svg.contains("first to each venue"));
    }

    #[test]
    fn a_venue_liquidating_before_the_home_venue_says_before() {
        let svg = svg(&two_perps((320, 3), (305, 1)));
        assert!(svg.contains("first at 305.0 s, 15.0 s before perp-a"));
        assert_eq!(svg.matches("<polygon").count(), 1);
    }

    #[test]
    fn takeovers_set_off_from_another_venue_are_linked_to_their_parents() {
        // perp-b's takeovers 0 and 2 (at 313 s and 315 s) were set off by perp-a's 1 (302 s)
        // and 4 (305 s); its takeover 1 by its own 0 (not an edge between venues).
        let parents = [Some("perp-a"), Some("perp-b"), Some("perp-a")];
        let ids = [Some(1), Some(0), Some(4)];
        let b = [
            fixture::series(200, true),
            fixture::liquidations(313, 3)
                .text(
                    "parent_venue",
                    parents.iter().map(|p| p.map(str::to_string)),
                )
                .int("parent_liquidation", ids.iter().copied()),
        ];
        let a = [fixture::series(300, true), fixture::liquidations(301, 30)];
        let data = RunData::from_tables("pair", 2, &a).with_venues(
            "perp-a",
            vec![VenueFrames::from_tables("perp-b", false, &b)],
        );
        let rows = rows(&data, 10.0, 60).unwrap();
        assert_eq!(
            edges(&rows),
            vec![(0, 302.0, 1, 313.0), (0, 305.0, 1, 315.0)]
        );
        let svg = svg(&data);
        assert!(svg.contains("2 takeovers set off from another venue (cascade tree)"));
        // Two edges end in a dot each, one more in the legend.
        assert_eq!(svg.matches("<circle").count(), 3);
        // Without the parent columns (a folder from before them), no edge.
        assert!(edges(&super::rows(&fixture::two_perps_one_spot(), 10.0, 60).unwrap()).is_empty());
    }

    #[test]
    fn delays_say_before_or_after_with_the_decimals_their_size_needs() {
        assert_eq!(delay_text(12.34), "12.3 s after");
        assert_eq!(delay_text(-0.25), "0.250 s before");
        assert_eq!(delay_text(3.0), "3.00 s after");
        assert_eq!(delay_text(0.0), "0.000 s after");
    }
}
