//! ablation.png: one panel per headline metric, each mechanism's mean change from the
//! baseline as a dot with its 95% interval, and a line at no change.

use super::table::MechanismResult;
use crate::SweepError;
use cascade_report::charts::style::{self, HouseLook};
use cascade_report::charts::{render_picture, Picture};
use cascade_report::{ChartFormat, ReportError};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::PathBuf;

/// The metrics charted, those the runs report.
pub const METRICS: [&str; 6] = [
    "price.max_drawdown_pct",
    "liquidations.count",
    "spread.peak_over_baseline",
    "depth.min_over_baseline",
    "returns.excess_kurtosis_trimmed",
    "returns.hill_alpha",
];
const SIZE: (u32, u32) = (1400, 1000);

struct AblationPicture<'a> {
    results: &'a [MechanismResult],
    title: &'a str,
}

/// ablation.png's bytes.
pub fn render(results: &[MechanismResult], title: &str) -> Result<Vec<u8>, SweepError> {
    render_picture(&AblationPicture { results, title }, ChartFormat::Png).map_err(|e| {
        SweepError::Encode {
            path: PathBuf::from("ablation.png"),
            message: e.to_string(),
        }
    })
}

impl Picture for AblationPicture<'_> {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        let title = style::title(
            "change from the baseline with each mechanism off",
            self.title,
        );
        let legend = [(
            "mean difference over seeds, 95% paired t-interval".to_string(),
            style::Mark::Line(style::BLUE),
        )];
        let plot = style::frame(root, &title, &legend)?;
        let ran: Vec<&MechanismResult> = self.results.iter().filter(|r| r.status == "ok").collect();
        for (metric, area) in METRICS.iter().zip(plot.split_evenly((3, 2)).iter()) {
            panel(area, metric, &ran, self.results.first())?;
        }
        Ok(())
    }
}

/// One metric's panel: mechanisms down, the difference across.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    metric: &str,
    ran: &[&MechanismResult],
    baseline: Option<&MechanismResult>,
) -> Result<(), ReportError> {
    let rows: Vec<(String, f64, f64, f64)> = ran
        .iter()
        .filter_map(|r| {
            let e = r.metrics.get(metric)?;
            let (lo, hi) = (e.lo.unwrap_or(e.diff), e.hi.unwrap_or(e.diff));
            [e.diff, lo, hi]
                .iter()
                .all(|v| v.is_finite())
                .then(|| (r.mechanism.name.clone(), e.diff, lo, hi))
        })
        .collect();
    let base = baseline
        .and_then(|b| b.metrics.get(metric))
        .map_or_else(|| "—".to_string(), |e| format!("{:.4}", e.baseline_mean));
    let caption = format!("{metric} (baseline mean {base})");
    let lo = rows.iter().map(|r| r.2).fold(0.0, f64::min);
    let hi = rows.iter().map(|r| r.3).fold(0.0, f64::max);
    let x = style::padded(lo, if hi > lo { hi } else { lo + 1.0 }, 0.08);
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (style::FAMILY, style::LABEL_PX).into_font())
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(170)
        .build_cartesian_2d(x.clone(), -0.5..n - 0.5)?;
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let label = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .y_labels(rows.len().max(1) * 2 + 1)
        .y_label_formatter(&label)
        .x_labels(6)
        .disable_y_mesh()
        .house_look()
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n - 0.5)],
        style::INK.mix(0.6),
    )))?;
    for (i, (_, diff, lo, hi)) in rows.iter().enumerate() {
        let y = i as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*lo, y), (*hi, y)],
            style::BLUE.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (*diff, y),
            5,
            style::BLUE.filled(),
        )))?;
    }
    Ok(())
}
