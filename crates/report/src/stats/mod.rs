//! Stylized facts of a run's returns: stats.json and the text `cascade stats` prints.
//!
//! Conventions (see README → Statistics):
//! - log returns of the **mid** on the sampling grid, after a burn-in (default the first 10%
//!   of the run or 5 minutes, whichever is shorter), over non-overlapping bars of each
//!   horizon; a bar with no mid at either end (one-sided book) is a hole, kept as such so
//!   lags stay in clock time ([`returns`]);
//! - excess kurtosis with moment estimators; ACF of r at lags 1–50 and of |r| at lags 1–200
//!   (at most a quarter of the bars); β of ACF_|r|(τ) ~ τ^−β by least squares on log-log
//!   over lags 10–200, positive values only; Hill α of |r| on the top 2.5% with standard
//!   error α/√k ([`estimators`]);
//! - robust tails ([`tails`]): the kurtosis without the top 0.1% of |r|, Hill α with the
//!   tail size chosen by the KS distance (Clauset) and its 95% bootstrap interval (200
//!   resamples, fixed seed);
//! - spread against realised volatility per 60 s window ([`spread_vol`]);
//! - the square-root impact fit, `null` until run folders record metaorders ([`impact`]).
//!
//! Pure functions of the series: the same folder gives the same stats.json bytes.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

pub mod day;
pub mod estimators;
pub mod headline;
pub mod impact;
pub mod returns;
pub mod spread_vol;
#[cfg(test)]
pub(crate) mod synthetic;
pub mod tails;

use crate::charts::stats::{StatsChart, STEM};
use crate::charts::ChartFormat;
use crate::frame::Frame;
use crate::json::json_bytes;
use crate::run_folder::{series_table, FolderWriter};
use crate::{PriceFormat, ReportError};
use cascade_sim::Recording;
use estimators::{acf, excess_kurtosis, hill, power_law_decay, std_dev};
use returns::{default_burn_in_s, sampling_interval, zero_share, Grid};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tails::{
    hill_ks, hill_ks_interval, trimmed_excess_kurtosis, BOOTSTRAP_DRAWS, BOOTSTRAP_SEED, TRIM_SHARE,
};

pub use impact::{fit_square_root_impact, ImpactFit, Metaorder};

/// Horizons tried by default, in sampling intervals.
pub const DEFAULT_HORIZON_STEPS: [usize; 3] = [1, 10, 60];
/// Fewest returns a horizon needs, by default.
pub const MIN_RETURNS: usize = 500;
/// Most lags of the returns' ACF.
pub const ACF_LAGS: usize = 50;
/// Most lags of the absolute returns' ACF.
pub const ACF_ABS_LAGS: usize = 200;
/// The lags over which the |r| ACF decay exponent is fitted.
pub const DECAY_FIT_LAGS: (usize, usize) = (10, 200);
/// Share of the largest |r| in the Hill estimator.
pub const HILL_SHARE: f64 = 0.025;
/// Window of the spread–volatility regression, seconds (at least 10 samples).
pub const SPREAD_WINDOW_S: f64 = 60.0;

/// What the statistics read from a run: times, mid and spread of each sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Sample times, seconds, increasing.
    pub time_s: Vec<f64>,
    /// Mid price (`None` when the book is one-sided).
    pub mid: Vec<Option<f64>>,
    /// Spread, bps of the mid (all `None` when the table has no such column).
    pub spread_bps: Vec<Option<f64>>,
}

impl Series {
    /// From a series frame (`time_s`, `mid`, and `spread_bps` if present).
    pub fn from_frame(frame: &Frame) -> Result<Self, ReportError> {
        let time = frame.need_num("time_s")?;
        let mid = frame.need_num("mid")?.to_vec();
        let spread_bps = frame
            .num("spread_bps")
            .map_or_else(|| vec![None; frame.rows()], <[_]>::to_vec);
        let time_s: Option<Vec<f64>> = time.iter().copied().collect();
        let time_s = time_s.ok_or_else(|| {
            let row = time.iter().position(Option::is_none).unwrap_or(0) + 1;
            ReportError::input("series", format!("row {row}: no time_s"))
        })?;
        Ok(Series {
            time_s,
            mid,
            spread_bps,
        })
    }

    /// From a recording in memory: the numbers its series.csv would hold.
    pub fn from_recording(rec: &Recording, fmt: &PriceFormat) -> Self {
        // The series table always has time_s (never empty) and mid.
        Series::from_frame(&Frame::from_table(&series_table(rec, fmt)))
            .expect("a recording's series table has time_s and mid")
    }

    /// Reads RUN_DIR/series.parquet (or series.csv).
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        if !dir.is_dir() {
            let reason = if dir.exists() {
                "not a folder (expected a run folder)"
            } else {
                "no such folder"
            };
            return Err(ReportError::input(dir, reason));
        }
        let frame = Frame::read(dir, "series")?;
        Series::from_frame(&frame).map_err(|e| match e {
            ReportError::Input { reason, .. } => {
                let file = if dir.join("series.parquet").is_file() {
                    "series.parquet"
                } else {
                    "series.csv"
                };
                ReportError::input(dir.join(file), reason)
            }
            other => other,
        })
    }
}

/// Choices of `cascade stats`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsOptions {
    /// Horizons in seconds, each a multiple of the sampling interval; `None`: 1, 10 and 60
    /// sampling intervals, those that leave `min_returns`.
    pub horizons_s: Option<Vec<f64>>,
    /// Seconds skipped at the start; `None`: [`returns::default_burn_in_s`].
    pub burn_in_s: Option<f64>,
    /// Fewest returns a horizon needs.
    pub min_returns: usize,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions {
            horizons_s: None,
            burn_in_s: None,
            min_returns: MIN_RETURNS,
        }
    }
}

/// Why statistics cannot be computed (bad input: the CLI exits 2).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// Fewer than two samples, or none after the burn-in.
    #[error("{0}")]
    TooShort(String),
    /// Sample times that do not increase.
    #[error("time_s does not increase at row {row}")]
    TimeNotIncreasing {
        /// Row (from 1).
        row: usize,
    },
    /// A requested horizon that is not a positive multiple of the sampling interval.
    #[error("horizon {horizon_s} s is not a multiple of the sampling interval ({interval_s} s)")]
    NotAMultiple {
        /// The horizon asked for.
        horizon_s: f64,
        /// The series' sampling interval.
        interval_s: f64,
    },
    /// A horizon with too few returns.
    #[error(
        "horizon {horizon_s} s leaves {returns} returns after a {burn_in_s} s burn-in, \
         fewer than {min} (a longer run, a shorter horizon or --min-returns)"
    )]
    TooFewReturns {
        /// The horizon.
        horizon_s: f64,
        /// Returns it has.
        returns: usize,
        /// Burn-in, seconds.
        burn_in_s: f64,
        /// Returns it needs.
        min: usize,
    },
}

/// The statistics of one horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HorizonStats {
    /// The horizon, seconds.
    pub seconds: f64,
    /// Returns measured (bars with a mid at both ends).
    pub returns: usize,
    /// Share of those returns that are exactly zero.
    pub zero_return_share: Option<f64>,
    /// Excess kurtosis of the returns.
    pub excess_kurtosis: Option<f64>,
    /// ACF of the returns, lags 1, 2, … (in bars of this horizon).
    pub acf_returns: Vec<f64>,
    /// ACF of the absolute returns, lags 1, 2, ….
    pub acf_abs: Vec<f64>,
    /// β of ACF_|r|(τ) ~ τ^−β.
    pub acf_abs_exponent: Option<f64>,
    /// Hill tail index of |r|.
    pub hill_tail_index: Option<f64>,
    /// Order statistics in the Hill estimate.
    pub hill_k: Option<usize>,
    /// Standard error of the Hill index, α/√k.
    pub hill_std_error: Option<f64>,
    /// Excess kurtosis without the largest 0.1% of |r| (at least one return).
    pub excess_kurtosis_trimmed: Option<f64>,
    /// Returns left out of `excess_kurtosis_trimmed`.
    pub trimmed_returns: usize,
    /// Hill tail index of |r| with the tail size chosen by the KS distance (Clauset).
    pub hill_ks_alpha: Option<f64>,
    /// Order statistics in that estimate.
    pub hill_ks_k: Option<usize>,
    /// KS distance between that tail and its fitted Pareto.
    pub hill_ks_distance: Option<f64>,
    /// 2.5% end of the bootstrap 95% interval of `hill_ks_alpha`.
    pub hill_ks_alpha_lo: Option<f64>,
    /// 97.5% end.
    pub hill_ks_alpha_hi: Option<f64>,
    /// Bars on the grid, holes included.
    pub bars: usize,
    /// Bars without a return (no mid at one end).
    pub missing: usize,
    /// Standard deviation of the returns (log units).
    pub std: Option<f64>,
    /// The 95% band of an ACF of independent returns, ±1.96/√n.
    pub acf_band: f64,
    /// R² of the log-log fit behind `acf_abs_exponent`.
    pub acf_abs_exponent_r2: Option<f64>,
    /// Lags (first, last) of that fit's window.
    pub acf_abs_exponent_lags: Option<(usize, usize)>,
    /// Points in that fit.
    pub acf_abs_exponent_points: Option<usize>,
    /// The returns themselves, for the chart (not written).
    #[serde(skip)]
    pub sample: Vec<f64>,
}

/// Everything stats.json holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Each horizon, shortest first.
    pub horizons: Vec<HorizonStats>,
    /// R² of mean spread on realised volatility per window.
    pub spread_vol_r2: Option<f64>,
    /// Slope of that line (bps of spread per bp of volatility).
    pub spread_vol_slope: Option<f64>,
    /// Its intercept, bps.
    pub spread_vol_intercept: Option<f64>,
    /// Windows in the regression.
    pub spread_vol_windows: usize,
    /// Window length, seconds.
    pub spread_vol_window_s: f64,
    /// The square-root impact fit; `null` while run folders hold no metaorders.
    pub impact: Option<ImpactFit>,
    /// The series' sampling interval, seconds.
    pub sample_interval_s: f64,
    /// Seconds skipped at the start.
    pub burn_in_s: f64,
    /// The whole day's 1-minute figures (no burn-in), see [`day`].
    pub day: day::DayFigures,
}

impl Stats {
    /// stats.json's bytes: pretty JSON, fields in a fixed order.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        json_bytes(self)
    }
}

/// Writes `dir/stats.json` and `dir/charts/stats.<ext>` for each format, atomically; returns
/// the paths written.
pub fn write(
    dir: &Path,
    stats: &Stats,
    label: &str,
    formats: &[ChartFormat],
) -> Result<Vec<PathBuf>, ReportError> {
    let mut out = FolderWriter::new(dir)?;
    out.json("stats.json", stats)?;
    let chart = StatsChart {
        stats,
        label: label.to_string(),
    };
    for &format in formats {
        let name = format!("charts/{STEM}.{}", format.ext());
        let bytes = chart
            .render(format)
            .map_err(|e| e.in_file(dir.join(&name)))?;
        out.put(&name, &bytes)?;
    }
    Ok(out.paths().to_vec())
}

/// Computes the statistics of `series`.
pub fn compute(series: &Series, opts: &StatsOptions) -> Result<Stats, StatsError> {
    let t = &series.time_s;
    if let Some(i) = t
        .windows(2)
        .position(|w| matches!(w, [a, b] if b <= a || !b.is_finite()))
    {
        return Err(StatsError::TimeNotIncreasing { row: i + 2 });
    }
    let interval_s = sampling_interval(t)
        .ok_or_else(|| StatsError::TooShort(format!("{} samples: too few", t.len())))?;
    let end_s = t.last().copied().unwrap_or(0.0);
    let burn_in_s = opts.burn_in_s.unwrap_or_else(|| default_burn_in_s(end_s));
    let grid = Grid::new(t, &series.mid, &series.spread_bps, interval_s, burn_in_s);
    if grid.mid.len() < 2 {
        return Err(StatsError::TooShort(format!(
            "no samples after the {burn_in_s} s burn-in (the run ends at {end_s} s)"
        )));
    }
    let steps = horizon_steps(opts, interval_s)?;
    let mut horizons = Vec::new();
    for (step, explicit) in steps {
        let h = horizon(&grid, step);
        if h.returns >= opts.min_returns {
            horizons.push(h);
        } else if explicit || horizons.is_empty() {
            return Err(StatsError::TooFewReturns {
                horizon_s: h.seconds,
                returns: h.returns,
                burn_in_s,
                min: opts.min_returns,
            });
        }
    }
    let window = ((SPREAD_WINDOW_S / interval_s).round() as usize).max(10);
    let windows = spread_vol::windows(&grid, window);
    let fit = spread_vol::fit(&windows);
    Ok(Stats {
        horizons,
        spread_vol_r2: fit.map(|f| f.r2),
        spread_vol_slope: fit.map(|f| f.slope),
        spread_vol_intercept: fit.map(|f| f.intercept),
        spread_vol_windows: windows.len(),
        spread_vol_window_s: window as f64 * interval_s,
        impact: None,
        sample_interval_s: interval_s,
        burn_in_s,
        day: day::figures(series),
    })
}

/// The horizons in grid steps, shortest first, each marked explicit (asked for) or not.
fn horizon_steps(opts: &StatsOptions, interval_s: f64) -> Result<Vec<(usize, bool)>, StatsError> {
    let Some(asked) = &opts.horizons_s else {
        return Ok(DEFAULT_HORIZON_STEPS.iter().map(|s| (*s, false)).collect());
    };
    let mut steps = Vec::with_capacity(asked.len());
    for &h in asked {
        let m = (h / interval_s).round();
        if !(m >= 1.0 && (m * interval_s - h).abs() <= 1e-6 * h.max(interval_s)) {
            return Err(StatsError::NotAMultiple {
                horizon_s: h,
                interval_s,
            });
        }
        steps.push((m as usize, true));
    }
    steps.sort_unstable();
    steps.dedup();
    Ok(steps)
}

/// The statistics of returns over `step` grid slots.
fn horizon(grid: &Grid, step: usize) -> HorizonStats {
    let r = grid.log_returns(step);
    let sample: Vec<f64> = r.iter().flatten().copied().collect();
    let abs: Vec<Option<f64>> = r.iter().map(|v| v.map(f64::abs)).collect();
    let quarter = r.len() / 4;
    let acf_returns = acf(&r, ACF_LAGS.min(quarter));
    let acf_abs = acf(&abs, ACF_ABS_LAGS.min(quarter));
    let decay = power_law_decay(&acf_abs, DECAY_FIT_LAGS.0, DECAY_FIT_LAGS.1);
    let tail = hill(&sample, HILL_SHARE);
    let trimmed = trimmed_excess_kurtosis(&sample, TRIM_SHARE);
    let ks = hill_ks(&sample);
    let interval = ks.and_then(|_| hill_ks_interval(&sample, BOOTSTRAP_DRAWS, BOOTSTRAP_SEED));
    HorizonStats {
        seconds: step as f64 * grid.interval_s,
        returns: sample.len(),
        zero_return_share: zero_share(&sample),
        excess_kurtosis: excess_kurtosis(&sample),
        acf_returns,
        acf_abs,
        acf_abs_exponent: decay.map(|d| d.exponent),
        hill_tail_index: tail.map(|h| h.alpha),
        hill_k: tail.map(|h| h.k),
        hill_std_error: tail.map(|h| h.std_error),
        excess_kurtosis_trimmed: trimmed.map(|t| t.0),
        trimmed_returns: trimmed.map_or(0, |t| t.1),
        hill_ks_alpha: ks.map(|f| f.alpha),
        hill_ks_k: ks.map(|f| f.k),
        hill_ks_distance: ks.map(|f| f.ks),
        hill_ks_alpha_lo: interval.map(|i| i.0),
        hill_ks_alpha_hi: interval.map(|i| i.1),
        bars: r.len(),
        missing: r.len() - sample.len(),
        std: std_dev(&sample),
        acf_band: 1.96 / (sample.len().max(1) as f64).sqrt(),
        acf_abs_exponent_r2: decay.map(|d| d.r2),
        acf_abs_exponent_lags: decay.map(|d| d.lags),
        acf_abs_exponent_points: decay.map(|d| d.points),
        sample,
    }
}

/// Rows of the table `cascade stats` prints, one cell per horizon from [`cells`].
const ROWS: [&str; 16] = [
    "returns",
    "missing (one-sided book)",
    "zero-return share",
    "std of returns (bps)",
    "excess kurtosis",
    "  top 0.1% |r| left out",
    "ACF r, lag 1",
    "max |ACF r|, lags 5–20",
    "±1.96/√n band",
    "ACF |r|, lag 1",
    "ACF |r|, lag 10",
    "|r| ACF decay β",
    "Hill tail index α",
    "  ± std error (k)",
    "Hill α, KS cut-off (k)",
    "  95% bootstrap interval",
];

/// One horizon's column of the table, in the order of [`ROWS`].
fn cells(h: &HorizonStats) -> [String; ROWS.len()] {
    let num = |v: Option<f64>, d: usize| v.map_or_else(|| "—".to_string(), |v| format!("{v:.d$}"));
    let lag = |v: &[f64], lag: usize| v.get(lag - 1).copied();
    let max_abs = |v: &[f64], lo: usize, hi: usize| {
        let s = v.get(lo - 1..hi.min(v.len()))?;
        s.iter().map(|x| x.abs()).reduce(f64::max)
    };
    [
        h.returns.to_string(),
        h.missing.to_string(),
        num(h.zero_return_share, 3),
        num(h.std.map(|s| s * 1e4), 3),
        num(h.excess_kurtosis, 2),
        num(h.excess_kurtosis_trimmed, 2),
        num(lag(&h.acf_returns, 1), 3),
        num(max_abs(&h.acf_returns, 5, 20), 3),
        num(Some(h.acf_band), 3),
        num(lag(&h.acf_abs, 1), 3),
        num(lag(&h.acf_abs, 10), 3),
        num(h.acf_abs_exponent, 3),
        num(h.hill_tail_index, 2),
        match (h.hill_std_error, h.hill_k) {
            (Some(e), Some(k)) => format!("{e:.2} ({k})"),
            _ => "—".into(),
        },
        match (h.hill_ks_alpha, h.hill_ks_k) {
            (Some(a), Some(k)) => format!("{a:.2} ({k})"),
            _ => "—".into(),
        },
        match (h.hill_ks_alpha_lo, h.hill_ks_alpha_hi) {
            (Some(lo), Some(hi)) => format!("{lo:.2}–{hi:.2}"),
            _ => "—".into(),
        },
    ]
}

/// The table `cascade stats` prints: one column per horizon.
pub fn to_text(stats: &Stats) -> String {
    let num = |v: Option<f64>, d: usize| v.map_or_else(|| "—".to_string(), |v| format!("{v:.d$}"));
    let head: Vec<String> = stats
        .horizons
        .iter()
        .map(|h| format!("{} s", trim(h.seconds)))
        .collect();
    let mut out = format!(
        "sample interval {} s, burn-in {} s\n{:<26}{}\n",
        trim(stats.sample_interval_s),
        trim(stats.burn_in_s),
        "horizon",
        head.iter().map(|h| format!("{h:>14}")).collect::<String>()
    );
    let cells: Vec<[String; ROWS.len()]> = stats.horizons.iter().map(cells).collect();
    for (i, name) in ROWS.iter().enumerate() {
        out.push_str(&format!("{name:<26}"));
        for c in &cells {
            out.push_str(&format!("{:>14}", c.get(i).map_or("", String::as_str)));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "spread vs volatility per {} s window ({} windows): slope {}, R² {}\n",
        trim(stats.spread_vol_window_s),
        stats.spread_vol_windows,
        num(stats.spread_vol_slope, 3),
        num(stats.spread_vol_r2, 3)
    ));
    out.push_str(&match &stats.impact {
        Some(f) => format!(
            "square-root impact ({} metaorders): exponent {:.3}, Y {:.3}\n",
            f.metaorders, f.exponent, f.y
        ),
        None => "square-root impact: — (the run records no metaorders)\n".into(),
    });
    out.push_str(&day::to_text(&stats.day));
    out
}

/// "60" for 60.0, "0.5" for 0.5.
pub(crate) fn trim(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::synthetic::garch;
    use super::*;

    /// A series of `n` one-second samples whose mid follows exp(cumulative returns).
    fn series(returns: &[f64]) -> Series {
        let mut mid = vec![Some(100.0)];
        for r in returns {
            let last = mid.last().copied().flatten().unwrap();
            mid.push(Some(last * r.exp()));
        }
        let n = mid.len();
        Series {
            time_s: (1..=n).map(|i| i as f64).collect(),
            mid,
            spread_bps: (0..n).map(|i| Some(1.0 + (i / 60) as f64 % 3.0)).collect(),
        }
    }

    #[test]
    fn default_horizons_keep_those_with_enough_returns() {
        let x: Vec<f64> = garch(20_000, 5).iter().map(|r| r * 1e-4).collect();
        let s = compute(&series(&x), &StatsOptions::default()).unwrap();
        // Samples at 1..=20,001 s, burn-in 300 s: slots 300..=20,001, so 19,701 one-second
        // bars, 1,970 of 10 s, 328 of 60 s (dropped).
        let secs: Vec<f64> = s.horizons.iter().map(|h| h.seconds).collect();
        assert_eq!(secs, [1.0, 10.0]);
        assert_eq!(s.burn_in_s, 300.0);
        let h = &s.horizons[0];
        assert_eq!((h.returns, h.missing, h.bars), (19_701, 0, 19_701));
        assert_eq!((h.acf_returns.len(), h.acf_abs.len()), (50, 200));
        assert!(h.acf_abs[..10].iter().all(|v| *v > h.acf_band));
        assert!(h.acf_abs_exponent.unwrap() > 0.0);
        assert_eq!(s.horizons[1].acf_abs.len(), 200);
        assert!(s.spread_vol_windows > 300 && s.spread_vol_window_s == 60.0);
        assert_eq!(s.impact, None);
        let json = String::from_utf8(s.to_json().unwrap()).unwrap();
        assert!(json.contains("\"impact\": null") && !json.contains("sample\""));
        assert!(to_text(&s).contains("excess kurtosis"));
    }

    #[test]
    fn explicit_horizons_must_be_multiples_with_enough_returns() {
        let x = vec![0.0; 1_000];
        let ser = series(&x);
        let opts = |h: &[f64]| StatsOptions {
            horizons_s: Some(h.to_vec()),
            burn_in_s: Some(0.0),
            min_returns: 100,
        };
        assert!(matches!(
            compute(&ser, &opts(&[1.5])),
            Err(StatsError::NotAMultiple { .. })
        ));
        let err = compute(&ser, &opts(&[20.0])).unwrap_err();
        assert!(
            matches!(err, StatsError::TooFewReturns { returns: 50, .. }),
            "{err}"
        );
        let s = compute(&ser, &opts(&[5.0, 1.0, 5.0])).unwrap();
        assert_eq!(
            s.horizons.iter().map(|h| h.seconds).collect::<Vec<_>>(),
            [1.0, 5.0]
        );
        // A flat mid has no variance: no kurtosis, no ACF, no fit — and no NaN.
        assert_eq!(s.horizons[0].excess_kurtosis, None);
        assert!(s.horizons[0].acf_returns.is_empty());
        assert!(!String::from_utf8(s.to_json().unwrap())
            .unwrap()
            .contains("NaN"));
    }

    #[test]
    fn short_or_broken_series_are_refused() {
        let few = series(&[0.0; 100]);
        let err = compute(&few, &StatsOptions::default()).unwrap_err();
        assert!(err.to_string().contains("fewer than 500"), "{err}");
        let mut bad = series(&[0.0; 10]);
        bad.time_s[4] = 2.0;
        assert_eq!(
            compute(&bad, &StatsOptions::default()),
            Err(StatsError::TimeNotIncreasing { row: 5 })
        );
        let one = Series {
            time_s: vec![1.0],
            mid: vec![Some(1.0)],
            spread_bps: vec![None],
        };
        assert!(matches!(
            compute(&one, &StatsOptions::default()),
            Err(StatsError::TooShort(_))
        ));
    }
}
