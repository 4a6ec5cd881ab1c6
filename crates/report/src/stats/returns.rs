//! Log returns of the mid on a fixed clock grid.
//!
//! The series is sampled every `interval_s`; after the burn-in, sample i sits at grid slot
//! round((t_i − t_0) / interval_s). A return at horizon m slots runs from slot k·m to slot
//! (k+1)·m (non-overlapping bars). A bar whose start or end has no mid (a one-sided book, or
//! a missing row) is a hole: left out of moments and the tail, and kept as a hole in the
//! grid so autocorrelation lags stay in clock time.

/// The mid (and the spread) on a regular clock grid after the burn-in.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Seconds between slots.
    pub interval_s: f64,
    /// Time of slot 0, seconds.
    pub start_s: f64,
    /// Mid at each slot (`None`: no mid, or no sample).
    pub mid: Vec<Option<f64>>,
    /// Spread in bps of the mid at each slot.
    pub spread_bps: Vec<Option<f64>>,
}

impl Grid {
    /// Places the samples at or after `burn_in_s` on the grid. `time_s` must increase.
    pub fn new(
        time_s: &[f64],
        mid: &[Option<f64>],
        spread_bps: &[Option<f64>],
        interval_s: f64,
        burn_in_s: f64,
    ) -> Self {
        assert!(interval_s > 0.0, "the sampling interval must be positive");
        let first = time_s
            .iter()
            .position(|t| *t >= burn_in_s - 1e-9 * interval_s);
        let Some(first) = first else {
            return Grid {
                interval_s,
                start_s: burn_in_s,
                mid: Vec::new(),
                spread_bps: Vec::new(),
            };
        };
        let start_s = time_s.get(first).copied().unwrap_or(burn_in_s);
        let slot = |t: f64| ((t - start_s) / interval_s).round() as usize;
        let len = time_s.last().map_or(0, |t| slot(*t) + 1);
        let mut grid = Grid {
            interval_s,
            start_s,
            mid: vec![None; len],
            spread_bps: vec![None; len],
        };
        for (i, &t) in time_s.iter().enumerate().skip(first) {
            let s = slot(t);
            // A time out of order (which `compute` refuses first) lands nowhere.
            if let (Some(m), Some(sp)) = (grid.mid.get_mut(s), grid.spread_bps.get_mut(s)) {
                // A mid that is not positive has no logarithm: treat it as missing.
                *m = mid.get(i).copied().flatten().filter(|m| *m > 0.0);
                *sp = spread_bps.get(i).copied().flatten();
            }
        }
        grid
    }

    /// Log returns over `step` slots, one per non-overlapping bar; `None` for a hole.
    pub fn log_returns(&self, step: usize) -> Vec<Option<f64>> {
        assert!(step >= 1, "a horizon is at least one slot");
        let bars = self.mid.len().saturating_sub(1) / step;
        (0..bars)
            .map(
                |k| match (self.mid.get(k * step), self.mid.get((k + 1) * step)) {
                    (Some(Some(a)), Some(Some(b))) => Some((b / a).ln()),
                    _ => None,
                },
            )
            .collect()
    }
}

/// The default burn-in: the first 10% of the run or 5 minutes, whichever is shorter. Long
/// enough for the book to fill from empty and makers to reach their ladder; short enough to
/// keep 90% of any run.
pub fn default_burn_in_s(end_s: f64) -> f64 {
    (0.1 * end_s).min(300.0)
}

/// The sampling interval of a time column: the median gap between successive samples (the
/// upper one of an even count: a gap that occurred).
pub fn sampling_interval(time_s: &[f64]) -> Option<f64> {
    let mut gaps: Vec<f64> = time_s
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => Some(b - a),
            _ => None,
        })
        .filter(|g| *g > 0.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    (!gaps.is_empty()).then(|| crate::quantile::order_statistic(&gaps, 0.5))
}

/// Share of bars whose return is exactly zero (the mid did not move), among present returns.
pub fn zero_share(returns: &[f64]) -> Option<f64> {
    (!returns.is_empty())
        .then(|| returns.iter().filter(|r| **r == 0.0).count() as f64 / returns.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(t: &[f64], mid: &[Option<f64>], burn: f64) -> Grid {
        Grid::new(t, mid, &vec![Some(1.0); t.len()], 1.0, burn)
    }

    #[test]
    fn returns_skip_the_burn_in_and_leave_holes_for_one_sided_books() {
        let t: Vec<f64> = (1..=9).map(f64::from).collect();
        let e = std::f64::consts::E;
        let mid = [
            Some(50.0), // burn-in
            Some(1.0),
            Some(e),
            None,
            Some(e),
            Some(e),
            Some(1.0),
            Some(1.0),
            Some(e),
        ];
        let g = grid(&t, &mid, 2.0);
        assert_eq!(g.start_s, 2.0);
        assert_eq!(g.mid.len(), 8);
        let r = g.log_returns(1);
        let want = [
            Some(1.0),
            None,
            None,
            Some(0.0),
            Some(-1.0),
            Some(0.0),
            Some(1.0),
        ];
        assert_eq!(r.len(), want.len());
        for (a, b) in r.iter().zip(want) {
            assert_eq!(
                a.map(|v| (v * 1e12).round()),
                b.map(|v: f64| (v * 1e12).round())
            );
        }
        // Two slots: bars (0→2), (2→4), (4→6); the first two touch the hole at slot 2.
        let r2 = g.log_returns(2);
        assert_eq!(r2.len(), 3);
        assert_eq!(r2[..2], [None, None]);
        assert!((r2[2].unwrap() + 1.0).abs() < 1e-12);
        let present: Vec<f64> = r.iter().flatten().copied().collect();
        assert_eq!(zero_share(&present), Some(0.4));
    }

    #[test]
    fn a_missing_row_is_a_hole_in_the_grid() {
        let t = [0.0, 1.0, 3.0, 4.0];
        let g = grid(&t, &[Some(1.0), Some(1.0), Some(1.0), Some(1.0)], 0.0);
        assert_eq!(
            g.mid,
            vec![Some(1.0), Some(1.0), None, Some(1.0), Some(1.0)]
        );
        assert_eq!(g.log_returns(1), vec![Some(0.0), None, None, Some(0.0)]);
    }

    #[test]
    fn burn_in_and_interval_defaults() {
        assert_eq!(default_burn_in_s(3600.0), 300.0);
        assert_eq!(default_burn_in_s(600.0), 60.0);
        assert_eq!(sampling_interval(&[1.0, 2.0, 3.0, 5.0, 6.0]), Some(1.0));
        assert_eq!(sampling_interval(&[1.0]), None);
    }
}
