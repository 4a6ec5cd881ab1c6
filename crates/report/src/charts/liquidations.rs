//! Charts of the liquidation engine, drawn when the run has liquidations:
//! - `liquidations`: liquidated notional per interval, closed in the book stacked by
//!   generation and closed by auto-deleveraging on top (top panel), over the insurance fund
//!   (bottom);
//! - `cascade`: each takeover as a dot in its slot of time order and at its generation, sized
//!   by notional, with a line from the liquidation whose fill triggered it — the cascade as a
//!   tree.
//!
//! Reads the `liquidations` table (`time_s`, `liquidation`, `notional`, `generation`,
//! `trigger` = `liquidation:<id>` for a child), the `adl` table when present (`time_s`,
//! `quantity`, `price`: a transfer's notional is quantity × bankruptcy price) and the series
//! column `insurance_fund`.

use super::style::{self, HouseLook, Mark, TimeAxis};
use super::RunData;
use crate::frame::Frame;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Most bars of the notional panel.
const MAX_BARS: f64 = 200.0;

/// True when the run has at least one liquidation.
pub(super) fn has_liquidations(data: &RunData) -> bool {
    data.frame("liquidations").is_some_and(|f| f.rows() > 0)
}

fn liquidations(data: &RunData) -> Result<&Frame, ReportError> {
    data.frame("liquidations")
        .ok_or_else(|| ReportError::input("liquidations.csv", "no liquidations table"))
}

/// Legend entries for the generations present (deeper ones share the last colour).
fn generation_legend(gens: impl Iterator<Item = usize>) -> Vec<(String, Mark)> {
    let mut present: Vec<usize> = gens.map(style::generation_bucket).collect();
    present.sort_unstable();
    present.dedup();
    present
        .into_iter()
        .map(|g| {
            let deeper = if g == style::GENERATIONS.len() - 1 {
                "+"
            } else {
                ""
            };
            (
                format!("generation {g}{deeper}"),
                Mark::Square(style::generation_colour(g)),
            )
        })
        .collect()
}

/// A bin width that gives at most [`MAX_BARS`] bars over `span_s`, and its label.
pub(super) fn bin_width(span_s: f64, sample_s: f64) -> (f64, String) {
    let candidates = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
    ];
    let w = candidates
        .into_iter()
        .find(|w| *w >= sample_s && span_s / w <= MAX_BARS)
        .unwrap_or_else(|| (span_s / MAX_BARS).ceil().max(1.0));
    let label = if w < 60.0 {
        format!("{w:.0} s")
    } else if w < 3600.0 {
        format!("{:.0} min", w / 60.0)
    } else {
        format!("{:.1} h", w / 3600.0)
    };
    (w, label)
}

pub(super) fn draw_volume<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let liq = liquidations(data)?;
    let (t, n, g) = (
        liq.need_num("time_s")?,
        liq.need_num("notional")?,
        liq.need_num("generation")?,
    );
    let series = data.series()?;
    let time = series.need_num("time_s")?;
    let axis = TimeAxis::for_times(time);
    let end_s = style::max_of(time.iter().chain(t).flatten().copied()).unwrap_or(1.0);
    // Bars as wide as the span shown needs (a window of the run gets narrow ones).
    let span_s = end_s - style::start_of(time);
    let (width, width_label) = bin_width(span_s, style::sample_interval(time));
    let stacks = volume_stacks(t, n, g, end_s, width);
    let adl = adl_bins(data.frame("adl"), stacks.len(), width)?;

    let mut legend = generation_legend(g.iter().flatten().map(|x| *x as usize));
    for l in &mut legend {
        l.0 = format!("{} in the book", l.0);
    }
    if adl.iter().any(|v| *v > 0.0) {
        legend.push((
            "auto-deleveraging (lots × bankruptcy price)".to_string(),
            Mark::Square(style::ADL),
        ));
    }
    let fund = series.num("insurance_fund");
    if fund.is_some() {
        legend.push((
            "insurance fund (bottom)".to_string(),
            Mark::Line(style::BLUE),
        ));
    }
    let plot = style::frame(root, &style::title("Liquidations", &data.label()), &legend)?;
    let h = plot.dim_in_pixel().1;
    let (top, bottom) = match fund {
        Some(_) => {
            let (a, b) =
                plot.split_vertically((h - style::X_LABEL_AREA_PX - style::MARGIN_PX) / 2 + 10);
            (a, Some(b))
        }
        None => (plot.clone(), None),
    };

    let hi = style::max_of(
        stacks
            .iter()
            .zip(&adl)
            .map(|(s, a)| s.iter().sum::<f64>() + a),
    )
    .unwrap_or(1.0);
    let mut chart = style::cartesian(
        &top,
        axis.range(time),
        0.0..super::liquidity::upper(hi),
        bottom.is_none(),
    )?;
    let y_desc = format!("notional per {width_label} (quote currency)");
    style::mesh(&mut chart, axis.label, &y_desc, bottom.is_none())?;
    let mut bars = Vec::new();
    for (b, stack) in stacks.iter().enumerate() {
        let (x0, x1) = (axis.x(b as f64 * width), axis.x((b + 1) as f64 * width));
        let mut y0 = 0.0;
        for (gen, v) in stack.iter().enumerate() {
            if *v > 0.0 {
                let colour = style::generation_colour(gen);
                bars.push(Rectangle::new([(x0, y0), (x1, y0 + v)], colour.filled()));
                y0 += v;
            }
        }
        if adl[b] > 0.0 {
            bars.push(Rectangle::new(
                [(x0, y0), (x1, y0 + adl[b])],
                style::ADL.filled(),
            ));
        }
    }
    chart.draw_series(bars)?;

    if let (Some(area), Some(fund)) = (bottom, fund) {
        draw_fund(&area, &axis, time, fund)?;
    }
    Ok(())
}

/// Liquidated notional per time bin of `width_s`, stacked by generation.
fn volume_stacks(
    t: &[Option<f64>],
    n: &[Option<f64>],
    g: &[Option<f64>],
    end_s: f64,
    width_s: f64,
) -> Vec<[f64; style::GENERATIONS.len()]> {
    let bins = (end_s / width_s).ceil().max(1.0) as usize;
    let mut stacks = vec![[0.0f64; style::GENERATIONS.len()]; bins];
    for i in 0..t.len() {
        let (Some(ti), Some(ni)) = (t[i], n[i]) else {
            continue;
        };
        let b = ((ti / width_s) as usize).min(bins - 1);
        stacks[b][style::generation_bucket(g[i].unwrap_or(0.0) as usize)] += ni.abs();
    }
    stacks
}

/// Notional transferred by auto-deleveraging per time bin of `width_s` (`bins` bins; a
/// transfer after the last bin counts in it).
fn adl_bins(adl: Option<&Frame>, bins: usize, width_s: f64) -> Result<Vec<f64>, ReportError> {
    let mut out = vec![0.0; bins];
    let Some(f) = adl else { return Ok(out) };
    let (t, q, p) = (
        f.need_num("time_s")?,
        f.need_num("quantity")?,
        f.need_num("price")?,
    );
    for i in 0..f.rows() {
        if let (Some(ti), Some(qi), Some(pi)) = (t[i], q[i], p[i]) {
            let b = ((ti / width_s) as usize).min(bins.saturating_sub(1));
            if let Some(slot) = out.get_mut(b) {
                *slot += (qi * pi).abs();
            }
        }
    }
    Ok(out)
}

/// The insurance fund over time, in the lower panel.
fn draw_fund<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    time: &[Option<f64>],
    fund: &[Option<f64>],
) -> Result<(), ReportError> {
    let segs = style::segments(axis, time, fund);
    let ys = segs.iter().flatten().map(|p| p.1);
    let (lo, hi) = (style::min_of(ys.clone()), style::max_of(ys));
    let y = style::padded(lo.unwrap_or(0.0), hi.unwrap_or(1.0), 0.08);
    let mut chart = style::cartesian(area, axis.range(time), y, true)?;
    style::mesh(
        &mut chart,
        axis.label,
        "insurance fund (quote currency)",
        true,
    )?;
    for seg in segs {
        chart.draw_series(LineSeries::new(seg, style::BLUE.stroke_width(2)))?;
    }
    Ok(())
}

/// One takeover: first step time, generation, total notional, parent takeover.
struct Takeover {
    time_s: f64,
    generation: usize,
    notional: f64,
    parent: Option<i64>,
}

fn takeovers(liq: &Frame) -> Result<BTreeMap<i64, Takeover>, ReportError> {
    let (t, id, n, g) = (
        liq.need_num("time_s")?,
        liq.need_num("liquidation")?,
        liq.need_num("notional")?,
        liq.need_num("generation")?,
    );
    let trigger = liq.text("trigger");
    let mut out: BTreeMap<i64, Takeover> = BTreeMap::new();
    for i in 0..liq.rows() {
        let (Some(ti), Some(idi)) = (t[i], id[i]) else {
            continue;
        };
        let parent = trigger
            .and_then(|tr| tr[i].as_deref())
            .and_then(|s| s.strip_prefix("liquidation:"))
            .and_then(|p| p.parse().ok());
        let e = out.entry(idi as i64).or_insert(Takeover {
            time_s: ti,
            generation: g[i].unwrap_or(0.0).max(0.0) as usize,
            notional: 0.0,
            parent,
        });
        e.time_s = e.time_s.min(ti);
        e.notional += n[i].unwrap_or(0.0).abs();
    }
    Ok(out)
}

/// A takeover's time on the cascade chart's axis. Slots crowd where the cascade is dense, so
/// neighbouring labels can be a fraction of a unit apart even over a long span: one decimal up
/// to 1,000 units (1254.8), more below 10 and 1 (1254.812 within a second).
fn time_label(t: f64, span: f64) -> String {
    let decimals = match span {
        s if s >= 1000.0 => 0,
        s if s >= 10.0 => 1,
        s if s >= 1.0 => 2,
        _ => 3,
    };
    format!("{t:.decimals$}")
}

/// The takeovers in time order (ties on id): the cascade chart's slots, left to right.
fn in_time_order(all: &BTreeMap<i64, Takeover>) -> Vec<i64> {
    let mut ids: Vec<i64> = all.keys().copied().collect();
    ids.sort_by(|a, b| {
        let (ta, tb) = (all[a].time_s, all[b].time_s);
        ta.total_cmp(&tb).then(a.cmp(b))
    });
    ids
}

/// The cascade as a tree: each takeover in its own slot along x, in time order (the delays
/// inside a cascade are milliseconds, so on a time scale a parent and its children fall on one
/// vertical line and hide each other), at its generation on y, joined to its parent by a
/// straight connector — a fan from each parent to its children. Tick labels give the time of
/// the takeover in that slot.
pub(super) fn draw_cascade<DB: DrawingBackend>(
    data: &RunData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ReportError> {
    let all = takeovers(liquidations(data)?)?;
    let order = in_time_order(&all);
    let slot: BTreeMap<i64, f64> = order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as f64))
        .collect();
    let times: Vec<f64> = order.iter().map(|id| all[id].time_s).collect();
    let (lo, hi) = (
        times.first().copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(1.0),
    );
    let axis = TimeAxis::for_span(hi - lo);
    let span = axis.x(hi) - axis.x(lo);
    let last = times.len().saturating_sub(1) as f64;
    let x = -0.5 - 0.02 * last..last + 0.5 + 0.02 * last;
    let max_gen = all.values().map(|k| k.generation).max().unwrap_or(0);
    let max_notional = style::max_of(all.values().map(|k| k.notional))
        .unwrap_or(1.0)
        .max(f64::MIN_POSITIVE);

    let mut legend = generation_legend(all.values().map(|k| k.generation));
    legend.push((
        "dot area ∝ notional; line: from the liquidation whose fill triggered it".to_string(),
        Mark::Line(style::GREY),
    ));
    let plot = style::frame(
        root,
        &style::title("Liquidation cascade", &data.label()),
        &legend,
    )?;
    let y = -0.5..max_gen as f64 + 0.5;
    let mut chart = style::cartesian(&plot, x, y, true)?;
    let x_desc = format!(
        "takeovers in time order, one slot each (labels: {})",
        axis.label
    );
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("generation")
        .x_labels(style::X_LABELS)
        .y_labels((max_gen + 2).min(21))
        .x_label_formatter(&|v: &f64| {
            let i = v.round();
            match times.get(i as usize) {
                Some(t) if i >= 0.0 && (v - i).abs() < 1e-6 => time_label(axis.x(*t), span),
                _ => String::new(),
            }
        })
        .y_label_formatter(&|v: &f64| {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 {
                format!("{r:.0}")
            } else {
                String::new()
            }
        })
        .house_look()
        .draw()?;

    let point = |id: &i64| (slot[id], all[id].generation as f64);
    chart.draw_series(order.iter().filter_map(|id| {
        let parent = all[id].parent.filter(|p| all.contains_key(p))?;
        Some(PathElement::new(
            [point(&parent), point(id)],
            style::GREY.mix(0.6).stroke_width(1),
        ))
    }))?;
    chart.draw_series(order.iter().map(|id| {
        let k = &all[id];
        let r = (2.0 + 7.0 * (k.notional / max_notional).sqrt()).round() as i32;
        let c = style::generation_colour(k.generation);
        Circle::new(point(id), r, c.mix(0.8).filled())
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::FrameColumn;

    #[test]
    fn adl_transfers_count_their_notional_in_their_bin() {
        let adl = Frame::new(
            vec![
                (
                    "time_s".into(),
                    FrameColumn::Num(vec![Some(5.0), Some(35.0), Some(99.0)]),
                ),
                (
                    "quantity".into(),
                    FrameColumn::Num(vec![Some(2.0), Some(3.0), Some(1.0)]),
                ),
                (
                    "price".into(),
                    FrameColumn::Num(vec![Some(10.0), Some(20.0), Some(7.0)]),
                ),
            ],
            3,
        );
        assert_eq!(adl_bins(Some(&adl), 3, 30.0).unwrap(), [20.0, 60.0, 7.0]);
        assert_eq!(adl_bins(None, 2, 30.0).unwrap(), [0.0, 0.0]);
    }

    #[test]
    fn cascade_time_labels_have_the_decimals_the_span_needs() {
        assert_eq!(time_label(1254.8123, 61.0), "1254.8");
        assert_eq!(time_label(1254.8123, 0.09), "1254.812");
        assert_eq!(time_label(1254.8123, 150.0), "1254.8");
        assert_eq!(time_label(3_600.4, 7_200.0), "3600");
    }

    #[test]
    fn cascade_slots_follow_time_then_id() {
        let k = |time_s: f64, parent: Option<i64>| Takeover {
            time_s,
            generation: usize::from(parent.is_some()),
            notional: 1.0,
            parent,
        };
        let all: BTreeMap<i64, Takeover> = [
            (1, k(5.0, None)),
            (2, k(2.0, None)),
            (3, k(5.0, Some(1))),
            (4, k(5.001, Some(2))),
        ]
        .into_iter()
        .collect();
        assert_eq!(in_time_order(&all), [2, 1, 3, 4]);
    }

    #[test]
    fn bins_are_round_and_few() {
        assert_eq!(bin_width(3600.0, 1.0), (30.0, "30 s".to_string()));
        assert_eq!(bin_width(60.0, 1.0), (1.0, "1 s".to_string()));
        assert_eq!(bin_width(23_400.0, 60.0), (120.0, "2 min".to_string()));
    }
}
