//! The heatmap of a metric over two grid axes: the mean over replicates (and any other axes)
//! in each cell, written in it, with a colour bar.
#![warn(clippy::indexing_slicing)]

use super::{axis_of, cell_label, err, index_label, short, Drawn, SweepData, BAR_PANEL_PX};
use cascade_report::charts::style::{self, HouseLook, Mark};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn draw_heatmap<DB: DrawingBackend>(
    data: &SweepData,
    metric: &str,
    xa: usize,
    ya: usize,
    root: &DrawingArea<DB, Shift>,
) -> Drawn {
    let d = &data.design;
    let (x_axis, y_axis) = (axis_of(d, xa)?, axis_of(d, ya)?);
    let (nx, ny) = (x_axis.values.len(), y_axis.values.len());
    let means = heat_means(data, metric, (xa, nx), (ya, ny));
    let all: Vec<f64> = means.iter().flatten().flatten().copied().collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let others = d.axes.len() > 2 || d.replicates > 1;
    let what = format!(
        "{metric}{}",
        if others { ", mean over replicates" } else { "" }
    );
    let mut legend = vec![(
        format!("{metric} (colour)"),
        Mark::Square(style::heat_colour(0.6)),
    )];
    // Grey cells are named only when there is one.
    if means.iter().flatten().any(Option::is_none) {
        legend.push(("no successful run".to_string(), Mark::Square(style::GREY)));
    }
    let plot = style::frame(root, &data.title(&what), &legend).map_err(err)?;
    let (w, _) = plot.dim_in_pixel();
    let (main, bar) = plot.split_horizontally(w - BAR_PANEL_PX);
    let x_labels: Vec<String> = x_axis.values.iter().map(|v| cell_label(&v.cell)).collect();
    let y_labels: Vec<String> = y_axis.values.iter().map(|v| cell_label(&v.cell)).collect();
    let mut chart = ChartBuilder::on(&main)
        .margin_left(style::MARGIN_PX)
        .margin_right(style::MARGIN_PX)
        .margin_top(6)
        .margin_bottom(style::MARGIN_PX)
        .x_label_area_size(style::X_LABEL_AREA_PX)
        .y_label_area_size(style::Y_LABEL_AREA_PX)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)
        .map_err(err)?;
    let xf = |v: &f64| index_label(&x_labels, *v);
    let yf = |v: &f64| index_label(&y_labels, *v);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_axis.path.as_str())
        .y_desc(y_axis.path.as_str())
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .house_look()
        .draw()
        .map_err(err)?;
    draw_cells(&mut chart, &means, lo, hi)?;
    style::colour_bar(&bar, metric, lo, hi, 48).map_err(err)
}

/// The mean of `metric` over the ok runs in each (x value, y value) cell of axes `xa` and
/// `ya`, of `nx` and `ny` values; none where no run succeeded. A run whose value index is
/// outside an axis (none is, in a folder the readers accepted) is left out.
fn heat_means(
    data: &SweepData,
    metric: &str,
    (xa, nx): (usize, usize),
    (ya, ny): (usize, usize),
) -> Vec<Vec<Option<f64>>> {
    let mut sums = vec![vec![(0.0f64, 0usize); ny]; nx];
    for (idx, v) in data.values(metric) {
        let cell = idx
            .get(xa)
            .zip(idx.get(ya))
            .and_then(|(&x, &y)| sums.get_mut(x as usize)?.get_mut(y as usize));
        if let Some(cell) = cell {
            cell.0 += v;
            cell.1 += 1;
        }
    }
    sums.iter()
        .map(|col| {
            col.iter()
                .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                .collect()
        })
        .collect()
}

/// The heatmap's cells, coloured on [lo, hi], each with its value written in it.
fn draw_cells<DB: DrawingBackend>(
    chart: &mut style::Chart2d<'_, DB>,
    means: &[Vec<Option<f64>>],
    lo: f64,
    hi: f64,
) -> Drawn {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let font = (style::FAMILY, style::TICK_PX).into_font();
    for (i, col) in means.iter().enumerate() {
        for (j, m) in col.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let colour = m.map_or(style::GREY, |m| style::heat_colour((m - lo) / span));
            chart
                .draw_series([Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    colour.filled(),
                )])
                .map_err(err)?;
            if let Some(m) = m {
                let ink = if (m - lo) / span > 0.5 {
                    WHITE
                } else {
                    style::INK
                };
                let pos = plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                );
                chart
                    .draw_series([Text::new(
                        short(*m),
                        (x, y),
                        font.clone().color(&ink).pos(pos),
                    )])
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}
