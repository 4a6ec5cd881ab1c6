//! A trading day's figures from the series — what docs/validation.md compares with ABIDES:
//! the standard deviation of 1-minute mid returns, the share of minutes whose mid did not
//! move, the day's mid range and the mean spread. Unlike the stylized facts they take the
//! whole run (no burn-in): the reference figures are a full day's.

use super::estimators::std_dev;
use super::Series;
use serde::Serialize;

/// Length of a bar, seconds.
pub const BAR_S: f64 = 60.0;

/// The day's figures; a figure without data is `None`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayFigures {
    /// Bar length, seconds.
    pub bar_s: f64,
    /// Bars with a mid at both ends.
    pub bars: usize,
    /// Standard deviation of the bars' log mid returns, basis points.
    pub return_std_bps: Option<f64>,
    /// Percent of those bars whose mid ends where it began.
    pub unchanged_mid_pct: Option<f64>,
    /// Highest minus lowest mid of all samples, quote currency.
    pub mid_range: Option<f64>,
    /// Mean of the spread over samples with both sides, quote currency.
    pub mean_spread: Option<f64>,
}

/// The figures of `series`: bars run between samples whose time is a whole number of
/// [`BAR_S`] (none when the sampling interval does not divide it).
pub fn figures(series: &Series) -> DayFigures {
    let on_bar = |t: f64| {
        let k = (t / BAR_S).round();
        k >= 1.0 && (t - k * BAR_S).abs() < 1e-6
    };
    let marks: Vec<Option<f64>> = series
        .time_s
        .iter()
        .zip(&series.mid)
        .filter(|(t, _)| on_bar(**t))
        .map(|(_, m)| *m)
        .collect();
    let returns: Vec<f64> = marks
        .windows(2)
        .filter_map(|w| match w {
            [Some(a), Some(b)] if *a > 0.0 && *b > 0.0 => Some((b / a).ln()),
            _ => None,
        })
        .collect();
    let unchanged = returns.iter().filter(|r| **r == 0.0).count();
    let mids = series.mid.iter().flatten().copied();
    let (lo, hi) = mids.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
        (lo.min(m), hi.max(m))
    });
    let spreads: Vec<f64> = series
        .mid
        .iter()
        .zip(&series.spread_bps)
        .filter_map(|(m, s)| Some((*m)? * (*s)? / 1e4))
        .collect();
    DayFigures {
        bar_s: BAR_S,
        bars: returns.len(),
        return_std_bps: std_dev(&returns).map(|s| s * 1e4),
        unchanged_mid_pct: (!returns.is_empty())
            .then(|| 100.0 * unchanged as f64 / returns.len() as f64),
        mid_range: (hi >= lo).then_some(hi - lo),
        mean_spread: (!spreads.is_empty())
            .then(|| spreads.iter().sum::<f64>() / spreads.len() as f64),
    }
}

/// The figures as one line of `cascade stats`.
pub fn to_text(d: &DayFigures) -> String {
    let num = |v: Option<f64>, p: usize| v.map_or_else(|| "—".to_string(), |v| format!("{v:.p$}"));
    format!(
        "whole day, {} s bars ({}): return std {} bp, unchanged mid {}%, mid range {}, \
         mean spread {}\n",
        super::trim(d.bar_s),
        d.bars,
        num(d.return_std_bps, 3),
        num(d.unchanged_mid_pct, 1),
        num(d.mid_range, 4),
        num(d.mean_spread, 5)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(time_s: Vec<f64>, mid: Vec<Option<f64>>, spread_bps: Vec<Option<f64>>) -> Series {
        Series {
            time_s,
            mid,
            spread_bps,
        }
    }

    #[test]
    fn minute_bars_skip_off_grid_samples_and_holes() {
        // 30 s sampling: the bars are 60 -> 120 -> 180 -> 240; 180 is a hole.
        let t: Vec<f64> = (1..=8).map(|k| 30.0 * k as f64).collect();
        let mid = vec![
            Some(100.0),
            Some(100.0),
            Some(999.0),
            Some(100.0),
            Some(50.0),
            None,
            Some(1.0),
            Some(101.0),
        ];
        let f = figures(&series(t, mid, vec![Some(2.0); 8]));
        // Returns: 60->120 unchanged, 120->180 and 180->240 lost to the hole.
        assert_eq!(f.bars, 1);
        assert_eq!(f.unchanged_mid_pct, Some(100.0));
        assert_eq!(f.mid_range, Some(998.0));
        let mean = [100.0, 100.0, 999.0, 100.0, 50.0, 1.0, 101.0]
            .iter()
            .map(|m| m * 2.0 / 1e4)
            .sum::<f64>()
            / 7.0;
        assert!((f.mean_spread.unwrap() - mean).abs() < 1e-12);
    }

    #[test]
    fn return_std_is_in_basis_points_of_one_minute_moves() {
        // Alternating ±1 tick on 1000.00: log returns ±1e-5 (0.1 bp), std ≈ 0.1 bp.
        let t: Vec<f64> = (1..=61).map(|k| 60.0 * k as f64).collect();
        let mid: Vec<Option<f64>> = (0..61)
            .map(|k| Some(if k % 2 == 0 { 1000.0 } else { 1000.01 }))
            .collect();
        let f = figures(&series(t, mid, vec![None; 61]));
        assert_eq!(f.bars, 60);
        assert_eq!(f.unchanged_mid_pct, Some(0.0));
        let s = f.return_std_bps.unwrap();
        // Sample std with n − 1: 1e-5 × √(60/59) = 0.1008 bp.
        assert!((s - 0.1 * (60.0f64 / 59.0).sqrt()).abs() < 1e-6, "{s}");
        assert_eq!(f.mean_spread, None);
        assert!((f.mid_range.unwrap() - 0.01).abs() < 1e-9);
    }
}
