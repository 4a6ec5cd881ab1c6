//! The statistics chart of `cascade stats`: the ACF of returns and of absolute returns at the
//! shortest horizon with the ±1.96/√n band of independent returns (and the fitted power law
//! on the latter), over the distribution of standardised returns at every horizon against a
//! standard Gaussian on a log density axis.

use super::style::{self, HouseLook, Mark};
use super::{render_picture, ChartFormat, Picture};
use crate::stats::estimators::{mean, power_law_decay, std_dev};
use crate::stats::{HorizonStats, Stats, DECAY_FIT_LAGS};
use crate::ReportError;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// File stem under charts/.
pub const STEM: &str = "stats";
/// Image size, pixels.
pub const SIZE: (u32, u32) = (1280, 1000);

/// Colours of the horizons in the distribution panel, shortest first.
const HORIZON_COLOURS: [RGBColor; 4] = [style::BLUE, style::ORANGE, style::GREEN, style::PURPLE];

/// A run's statistics and the run's label ("baseline, seed 1").
pub struct StatsChart<'a> {
    /// The statistics, with each horizon's returns.
    pub stats: &'a Stats,
    /// Title label.
    pub label: String,
}

impl StatsChart<'_> {
    /// The chart's image file bytes.
    pub fn render(&self, format: ChartFormat) -> Result<Vec<u8>, ReportError> {
        render_picture(self, format)
    }
}

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Picture for StatsChart<'_> {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        let Some(first) = self.stats.horizons.first() else {
            return Err(ReportError::Chart("no horizon to draw".into()));
        };
        let secs = |h: &HorizonStats| format!("{} s", crate::stats::trim(h.seconds));
        let beta = first
            .acf_abs_exponent
            .map_or_else(String::new, |b| format!(", β = {b:.2}"));
        let mut legend = vec![
            (
                format!("ACF of r at {} (n = {})", secs(first), first.returns),
                Mark::Line(style::BLUE),
            ),
            ("ACF of |r|".to_string(), Mark::Line(style::VERMILLION)),
            (format!("fitted A·τ^(−β){beta}"), Mark::Dashed(style::INK)),
            ("±1.96/√n".to_string(), Mark::Square(style::GREY)),
        ];
        for (h, c) in self.stats.horizons.iter().zip(HORIZON_COLOURS) {
            legend.push((format!("returns at {}", secs(h)), Mark::Dot(c)));
        }
        legend.push(("standard Gaussian".to_string(), Mark::Dashed(style::GREY)));
        let title = style::title("Return statistics", &self.label);
        let plot = style::frame(root, &title, &legend)?;
        let (w, h) = plot.dim_in_pixel();
        let (top, bottom) = plot.split_vertically(h * 9 / 20);
        let (left, right) = top.split_horizontally(w / 2);
        let lag_desc = format!("lag (bars of {})", secs(first));
        acf_panel(
            &left,
            &first.acf_returns,
            first.acf_band,
            style::BLUE,
            &lag_desc,
            "ACF of r",
            None,
        )?;
        let fit = power_law_decay(&first.acf_abs, DECAY_FIT_LAGS.0, DECAY_FIT_LAGS.1);
        let curve = fit.map(|f| {
            (f.lags.0..=f.lags.1)
                .map(|l| (l as f64, f.prefactor * (l as f64).powf(-f.exponent)))
                .collect::<Vec<_>>()
        });
        acf_panel(
            &right,
            &first.acf_abs,
            first.acf_band,
            style::VERMILLION,
            &lag_desc,
            "ACF of |r|",
            curve,
        )?;
        distribution_panel(&bottom, &self.stats.horizons)
    }
}

/// Stems of an ACF over the band of independent returns.
fn acf_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    acf: &[f64],
    band: f64,
    colour: RGBColor,
    x_desc: &str,
    y_desc: &str,
    curve: Option<Vec<(f64, f64)>>,
) -> Result<(), ReportError> {
    let lags = acf.len().max(1) as f64;
    let lo = style::min_of(acf.iter().copied())
        .unwrap_or(0.0)
        .min(-band)
        .min(0.0);
    let hi = style::max_of(acf.iter().copied()).unwrap_or(0.0).max(band);
    let mut chart: Plot<'_, DB> =
        style::cartesian(area, 0.0..lags + 0.5, style::padded(lo, hi, 0.08), true)?;
    panel_mesh(&mut chart, x_desc, y_desc, style::Y_LABELS, &decimals)?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, -band), (lags + 0.5, band)],
        style::GREY.mix(0.25).filled(),
    )))?;
    chart.draw_series(LineSeries::new(
        [(0.0, 0.0), (lags + 0.5, 0.0)],
        style::INK.mix(0.6).stroke_width(1),
    ))?;
    let width = if acf.len() > 100 { 1 } else { 2 };
    chart.draw_series(acf.iter().enumerate().map(|(i, v)| {
        let x = (i + 1) as f64;
        PathElement::new([(x, 0.0), (x, *v)], colour.stroke_width(width))
    }))?;
    if acf.len() <= 100 {
        chart.draw_series(
            acf.iter()
                .enumerate()
                .map(|(i, v)| Circle::new(((i + 1) as f64, *v), 3, colour.filled())),
        )?;
    }
    if let Some(points) = curve {
        chart.draw_series(DashedLineSeries::new(
            points,
            8,
            5,
            style::INK.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// Standardised returns binned into a density: runs of adjacent non-empty bins, each bin as
/// (z at its centre, density).
///
/// Mid returns move in half-ticks, so on a short horizon they sit on a lattice; bins a
/// quarter of a standard deviation wide would alternate full and empty. When the smallest
/// non-zero move is over a tenth of a standard deviation, bins are whole multiples of it,
/// centred on zero. Empty bins split the runs, so no line is drawn across them.
fn density(sample: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let (Some(m), Some(sd)) = (mean(sample), std_dev(sample)) else {
        return Vec::new();
    };
    if sd <= 0.0 {
        return Vec::new();
    }
    let quantum = sample
        .iter()
        .map(|r| r.abs())
        .filter(|r| *r > 0.0)
        .fold(f64::INFINITY, f64::min);
    let mut width = 0.25 * sd;
    if quantum.is_finite() && quantum > 0.1 * sd {
        width = (width / quantum).ceil() * quantum;
    }
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for r in sample {
        *counts.entry((r / width).round() as i64).or_default() += 1;
    }
    let n = sample.len() as f64;
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut last = None;
    for (k, c) in counts {
        let point = ((k as f64 * width - m) / sd, c as f64 / (n * width / sd));
        match runs.last_mut() {
            Some(run) if last == Some(k - 1) => run.push(point),
            _ => runs.push(vec![point]),
        }
        last = Some(k);
    }
    runs
}

/// The distribution of standardised returns at each horizon against a standard Gaussian,
/// log10 density on the y axis.
fn distribution_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    horizons: &[HorizonStats],
) -> Result<(), ReportError> {
    let curves: Vec<Vec<Vec<(f64, f64)>>> = horizons
        .iter()
        .map(|h| {
            density(&h.sample)
                .into_iter()
                .map(|run| run.into_iter().map(|(z, d)| (z, d.log10())).collect())
                .collect()
        })
        .collect();
    let all = curves.iter().flatten().flatten();
    let zlo = style::min_of(all.clone().map(|p| p.0))
        .unwrap_or(-4.0)
        .min(-4.0)
        .floor();
    let zhi = style::max_of(all.clone().map(|p| p.0))
        .unwrap_or(4.0)
        .max(4.0)
        .ceil();
    let ylo = style::min_of(all.map(|p| p.1)).unwrap_or(-4.0).floor() - 0.2;
    let yhi = 0.2;
    let mut chart: Plot<'_, DB> = style::cartesian(area, zlo - 0.2..zhi + 0.2, ylo..yhi, true)?;
    // Decade labels: 10⁻³ at −3; nothing between decades.
    let y_fmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            format!("10{}", superscript(v.round() as i64))
        } else {
            String::new()
        }
    };
    let decades = ((yhi - ylo).ceil() as usize + 1).max(2);
    panel_mesh(
        &mut chart,
        "return in standard deviations, (r − mean) / std",
        "density (log scale)",
        decades,
        &y_fmt,
    )?;
    let gauss =
        |z: f64| (-0.5 * z * z - 0.5 * std::f64::consts::TAU.ln()) / std::f64::consts::LN_10;
    let steps = 400;
    let line = (0..=steps)
        .map(|i| zlo + (zhi - zlo) * i as f64 / steps as f64)
        .map(|z| (z, gauss(z)))
        .filter(|p| p.1 >= ylo);
    chart.draw_series(DashedLineSeries::new(
        line,
        8,
        5,
        style::GREY.stroke_width(2),
    ))?;
    for (runs, colour) in curves.iter().zip(HORIZON_COLOURS) {
        for run in runs {
            chart.draw_series(LineSeries::new(
                run.iter().copied(),
                colour.mix(0.5).stroke_width(1),
            ))?;
            chart.draw_series(run.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
        }
    }
    Ok(())
}

/// The shared mesh (grid, fonts, x tick labels) with this panel's y labels.
fn panel_mesh<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    x_desc: &str,
    y_desc: &str,
    y_labels: usize,
    y_fmt: &dyn Fn(&f64) -> String,
) -> Result<(), ReportError> {
    let x_span = chart.x_range().end - chart.x_range().start;
    let x_fmt = move |v: &f64| style::tick_label(*v, x_span, style::X_LABELS);
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(style::X_LABELS)
        .y_labels(y_labels)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(y_fmt)
        .house_look()
        .draw()?;
    Ok(())
}

/// An autocorrelation tick: up to three decimals, trailing zeros trimmed ("0.25", "0.3",
/// "-0.05"), so ticks a half-step apart never print alike.
fn decimals(v: &f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { *v };
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

/// "⁻³" for −3.
fn superscript(n: i64) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s: String = n
        .unsigned_abs()
        .to_string()
        .bytes()
        .map(|b| DIGITS[usize::from(b - b'0')])
        .collect();
    if n < 0 {
        s.insert(0, '⁻');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn densities_integrate_to_one_and_lattice_returns_fill_every_bin() {
        // Returns on a lattice of 1 with std ≈ 1.4: bins are one lattice step wide.
        let sample: Vec<f64> = (0..1000).map(|i| f64::from(i % 5) - 2.0).collect();
        let d = density(&sample);
        assert_eq!(d.len(), 1, "one run of adjacent bins: {d:?}");
        assert_eq!(d[0].len(), 5, "{d:?}");
        let sd = std_dev(&sample).unwrap();
        let total: f64 = d[0].iter().map(|p| p.1 * (1.0 / sd)).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        // A gap between bins splits the runs.
        let gapped = [0.0, 0.0, 1.0, 1.0, 5.0, -1.0, 0.5, -0.5];
        assert!(density(&gapped).len() >= 2);
        assert_eq!(superscript(-3), "⁻³");
        let ticks: Vec<String> = [0.25, 0.3, -0.05, 0.0, 1e-17]
            .iter()
            .map(decimals)
            .collect();
        assert_eq!(ticks, ["0.25", "0.3", "-0.05", "0.0", "0.0"]);
        assert_eq!(superscript(10), "¹⁰");
    }
}
