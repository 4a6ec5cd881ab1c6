//! The spread–volatility relation: per window of the clock grid, the mean spread against the
//! realised volatility, and a least-squares line through the windows.
//!
//! Wyart et al. (2008) find the spread proportional to the volatility per trade (R² > 0.9
//! across stocks). Within one run we regress window means instead: a market whose spread
//! follows its volatility shows a positive slope and a high R².

use super::estimators::{linear_fit, mean, std_dev, LinearFit};
use super::returns::Grid;

/// One window: realised volatility and mean spread, both in basis points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Standard deviation of the one-slot log returns in the window, bps.
    pub volatility_bps: f64,
    /// Mean spread over the window's samples, bps of the mid.
    pub spread_bps: f64,
}

/// Windows of `slots` grid slots from the start of the grid (a partial last window is
/// dropped). A window counts when at least half its one-slot returns and at least 2 of them
/// exist, and it has a spread.
pub fn windows(grid: &Grid, slots: usize) -> Vec<Window> {
    assert!(slots >= 2, "a window needs at least two returns");
    let returns = grid.log_returns(1);
    let mut out = Vec::new();
    for (w, chunk) in returns.chunks_exact(slots).enumerate() {
        let r: Vec<f64> = chunk.iter().flatten().map(|v| v * 1e4).collect();
        if r.len() < 2 || 2 * r.len() < slots {
            continue;
        }
        // The spread at the end of each of the window's returns.
        let spreads: Vec<f64> = grid
            .spread_bps
            .iter()
            .skip(w * slots + 1)
            .take(slots)
            .flatten()
            .copied()
            .collect();
        if let (Some(vol), Some(spread)) = (std_dev(&r), mean(&spreads)) {
            out.push(Window {
                volatility_bps: vol,
                spread_bps: spread,
            });
        }
    }
    out
}

/// Mean spread = intercept + slope · volatility over the windows.
pub fn fit(windows: &[Window]) -> Option<LinearFit> {
    let x: Vec<f64> = windows.iter().map(|w| w.volatility_bps).collect();
    let y: Vec<f64> = windows.iter().map(|w| w.spread_bps).collect();
    linear_fit(&x, &y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_that_tracks_volatility_fits_a_line() {
        // Windows of 4 returns; window w alternates the mid by ±(w+1) bps and quotes a spread
        // of 3 + 2 · that volatility.
        let mut mid = vec![Some(100.0)];
        let mut spread = vec![Some(0.0)];
        let mut vols = Vec::new();
        for w in 0..6 {
            let step = f64::from(w + 1) * 1e-4;
            let rs = [step, -step, step, -step];
            let v = std_dev(&rs.map(|r| r * 1e4)).unwrap();
            vols.push(v);
            for r in rs {
                let last = mid.last().copied().flatten().unwrap();
                mid.push(Some(last * f64::exp(r)));
                spread.push(Some(3.0 + 2.0 * v));
            }
        }
        let t: Vec<f64> = (0..mid.len()).map(|i| i as f64).collect();
        let grid = Grid::new(&t, &mid, &spread, 1.0, 0.0);
        let ws = windows(&grid, 4);
        assert_eq!(ws.len(), 6);
        for (w, v) in ws.iter().zip(&vols) {
            assert!((w.volatility_bps - v).abs() < 1e-9, "{w:?}");
        }
        let f = fit(&ws).unwrap();
        assert!(
            (f.slope - 2.0).abs() < 1e-9 && (f.intercept - 3.0).abs() < 1e-9,
            "{f:?}"
        );
        assert!((f.r2 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn windows_mostly_without_a_mid_are_skipped() {
        let t: Vec<f64> = (0..9).map(f64::from).collect();
        let mut mid: Vec<Option<f64>> = (0..9).map(|i| Some(100.0 + f64::from(i % 2))).collect();
        for m in &mut mid[1..4] {
            *m = None;
        }
        let grid = Grid::new(&t, &mid, &[Some(1.0); 9], 1.0, 0.0);
        // Window 0 (returns 0..4) has none present; window 1 has all four.
        assert_eq!(windows(&grid, 4).len(), 1);
    }
}
