//! Grids and random designs over the unit cube, and the maps from it onto an axis's range.

use crate::spec::Sampling;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `steps` evenly spaced values from `from` to `to`, both ends exact.
pub fn linear(from: f64, to: f64, steps: u32) -> Vec<f64> {
    let n = steps.max(1);
    (0..n)
        .map(|i| match i {
            0 => from,
            i if i == n - 1 => to,
            i => tidy(from + (to - from) * f64::from(i) / f64::from(n - 1)),
        })
        .collect()
}

/// `steps` geometrically spaced values from `from` to `to` (both positive), both ends exact.
pub fn log(from: f64, to: f64, steps: u32) -> Vec<f64> {
    let n = steps.max(1);
    let (a, b) = (from.ln(), to.ln());
    (0..n)
        .map(|i| match i {
            0 => from,
            i if i == n - 1 => to,
            i => tidy((a + (b - a) * f64::from(i) / f64::from(n - 1)).exp()),
        })
        .collect()
}

/// Rounds away the last bits of floating-point noise (0.30000000000000004 → 0.3): 12
/// significant digits, far below any meaningful parameter resolution.
pub fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// `points` rows of `dims` coordinates in [0, 1): independent draws, or a Latin hypercube
/// (each coordinate's n strata each used once, a uniform draw inside the stratum).
///
/// `Sobol`: Saltelli's design, `points × (dims + 2)` rows — A (N rows), B (N rows), then for
/// each coordinate i the rows of A with coordinate i from B — where A and B are independent
/// uniform draws (pseudo-random, not a low-discrepancy sequence).
pub fn unit_design(sampling: Sampling, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let n = sampling.points() as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if let Sampling::Sobol { .. } = sampling {
        let mut draw = || -> Vec<Vec<f64>> {
            (0..n)
                .map(|_| (0..dims).map(|_| rng.gen::<f64>()).collect())
                .collect()
        };
        let a = draw();
        let b = draw();
        let mut rows = Vec::with_capacity(n * (dims + 2));
        rows.extend(a.iter().cloned());
        rows.extend(b.iter().cloned());
        for i in 0..dims {
            for (ra, rb) in a.iter().zip(&b) {
                let mut row = ra.clone();
                if let (Some(x), Some(&y)) = (row.get_mut(i), rb.get(i)) {
                    *x = y;
                }
                rows.push(row);
            }
        }
        return rows;
    }
    let mut rows = vec![vec![0.0; dims]; n];
    match sampling {
        Sampling::Random { .. } => {
            for row in &mut rows {
                for x in row.iter_mut() {
                    *x = rng.gen::<f64>();
                }
            }
        }
        Sampling::LatinHypercube { .. } => {
            for d in 0..dims {
                let mut strata: Vec<usize> = (0..n).collect();
                // Fisher–Yates, written out so the order is pinned by this code alone.
                for i in (1..n).rev() {
                    let j = rng.gen_range(0..=i);
                    strata.swap(i, j);
                }
                for (row, s) in rows.iter_mut().zip(&strata) {
                    row[d] = (*s as f64 + rng.gen::<f64>()) / n as f64;
                }
            }
        }
        Sampling::Sobol { .. } => unreachable!("drawn above"),
    }
    rows
}

/// Maps u in [0, 1) onto [from, to], linearly or on a log scale.
pub fn scale(u: f64, from: f64, to: f64, log_scale: bool) -> f64 {
    if log_scale {
        (from.ln() + (to.ln() - from.ln()) * u).exp()
    } else {
        from + (to - from) * u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_both_ends_without_float_noise() {
        assert_eq!(linear(0.1, 0.5, 5), [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(linear(2.0, 9.0, 1), [2.0]);
        assert_eq!(log(1.0, 1000.0, 4), [1.0, 10.0, 100.0, 1000.0]);
    }

    #[test]
    fn a_latin_hypercube_uses_every_stratum_once() {
        let rows = unit_design(Sampling::LatinHypercube { points: 10 }, 3, 42);
        assert_eq!(rows.len(), 10);
        for d in 0..3 {
            let mut strata: Vec<usize> = rows.iter().map(|r| (r[d] * 10.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(
            rows,
            unit_design(Sampling::LatinHypercube { points: 10 }, 3, 42)
        );
    }

    #[test]
    fn random_designs_stay_in_the_unit_cube() {
        let rows = unit_design(Sampling::Random { points: 50 }, 2, 1);
        assert!(rows.iter().flatten().all(|x| (0.0..1.0).contains(x)));
        assert!((scale(0.5, 1.0, 100.0, true) - 10.0).abs() < 1e-12);
        assert_eq!(scale(0.5, 1.0, 3.0, false), 2.0);
    }
}
