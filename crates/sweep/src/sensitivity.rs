//! Variance-based (Sobol) sensitivity indices of a sweep run on a `Sobol` design
//! (`samples: Sobol(points: N)`), from its run records alone: sensitivity.csv and
//! sensitivity.parquet, one row per (metric, random axis).
//!
//! The design's points come in blocks of N ([`crate::sample::unit_design`]): A, B, and for each
//! random axis i the matrix A_B^(i) (A with column i from B). A point's value of a metric is the
//! mean over its successful replicates. With f_A, f_B, f_ABi the values over the N rows and V
//! the variance of f_A and f_B pooled:
//! - first-order index S_i = mean(f_B · (f_ABi − f_A)) / V (Saltelli et al. 2010, eq. (b));
//! - total index ST_i = mean((f_A − f_ABi)²) / (2V) (Jansen 1999).
//!
//! Rows where any of the d + 2 points has no value are left out (n counts the rest). The 95%
//! intervals are percentile bootstraps over the N rows (1,000 resamples, a fixed seed), so the
//! file is the same bytes for the same records. Replicates with common seeds
//! (`common_seeds: true`) keep the simulation noise from posing as sensitivity.

#![warn(clippy::indexing_slicing)]

use crate::plan::Design;
use crate::record::{RunRecord, Status};
use cascade_report::Table;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Bootstrap resamples behind each interval.
const RESAMPLES: usize = 1000;

/// The indices of one metric on one axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Indices {
    /// Rows that went in.
    pub n: usize,
    /// First-order index and its 95% interval.
    pub first: Option<(f64, f64, f64)>,
    /// Total index and its 95% interval.
    pub total: Option<(f64, f64, f64)>,
}

/// The first-order and total indices of each of `d` parameters from Saltelli's blocks:
/// `a[n]`, `b[n]`, `ab[i][n]`, each `None` where the point had no value.
pub fn indices(a: &[Option<f64>], b: &[Option<f64>], ab: &[Vec<Option<f64>>]) -> Vec<Indices> {
    // Rows where every block has a value.
    let rows: Vec<usize> = (0..a.len())
        .filter(|&r| {
            a.get(r).copied().flatten().is_some()
                && b.get(r).copied().flatten().is_some()
                && ab.iter().all(|col| col.get(r).copied().flatten().is_some())
        })
        .collect();
    let value = |v: &[Option<f64>], r: usize| v.get(r).copied().flatten().unwrap_or(0.0);
    let mut rng = ChaCha8Rng::seed_from_u64(0x5a17_e111);
    let resamples: Vec<Vec<usize>> = (0..RESAMPLES)
        .map(|_| {
            (0..rows.len())
                .map(|_| {
                    rows.get(rng.gen_range(0..rows.len().max(1)))
                        .copied()
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect();
    ab.iter()
        .map(|abi| {
            let estimate = |sample: &[usize]| -> Option<(f64, f64)> {
                let n = sample.len() as f64;
                if sample.len() < 2 {
                    return None;
                }
                let pooled = sample.iter().flat_map(|&r| [value(a, r), value(b, r)]);
                let mean = pooled.clone().sum::<f64>() / (2.0 * n);
                let var = pooled.map(|y| (y - mean).powi(2)).sum::<f64>() / (2.0 * n);
                if var.is_nan() || var <= 0.0 {
                    return None;
                }
                let first = sample
                    .iter()
                    .map(|&r| value(b, r) * (value(abi, r) - value(a, r)))
                    .sum::<f64>()
                    / n
                    / var;
                let total = sample
                    .iter()
                    .map(|&r| (value(a, r) - value(abi, r)).powi(2))
                    .sum::<f64>()
                    / n
                    / (2.0 * var);
                Some((first, total))
            };
            let Some((first, total)) = estimate(&rows) else {
                return Indices {
                    n: rows.len(),
                    first: None,
                    total: None,
                };
            };
            let boots: Vec<(f64, f64)> = resamples.iter().filter_map(|s| estimate(s)).collect();
            let interval = |pick: fn(&(f64, f64)) -> f64, point: f64| {
                let mut xs: Vec<f64> = boots.iter().map(pick).collect();
                xs.sort_by(f64::total_cmp);
                let q = |p: f64| match xs.is_empty() {
                    true => point,
                    false => cascade_report::quantile::quantile(&xs, p),
                };
                (point, q(0.025), q(0.975))
            };
            Indices {
                n: rows.len(),
                first: Some(interval(|x| x.0, first)),
                total: Some(interval(|x| x.1, total)),
            }
        })
        .collect()
}

/// The sensitivity table of a sweep on a Sobol design (None for any other design).
pub fn sensitivity_table(design: &Design, records: &[&RunRecord]) -> Option<Table> {
    let n = design.sobol_points? as usize;
    let random: Vec<&str> = design
        .axes
        .iter()
        .filter(|a| a.sampled)
        .map(|a| a.path.as_str())
        .collect();
    // Each point's mean over its successful replicates, per numeric metric.
    let mut sums: BTreeMap<&str, BTreeMap<u32, (f64, u32)>> = BTreeMap::new();
    let mut metrics: BTreeSet<&str> = BTreeSet::new();
    for r in records {
        for (k, v) in &r.metrics {
            if v.is_number() || v.is_null() {
                metrics.insert(k);
            }
            if r.status != Status::Ok {
                continue;
            }
            if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
                let cell = sums
                    .entry(k)
                    .or_default()
                    .entry(r.point)
                    .or_insert((0.0, 0));
                cell.0 += x;
                cell.1 += 1;
            }
        }
    }
    let mut rows: Vec<(&str, &str, Indices)> = Vec::new();
    for metric in metrics {
        let by_point = sums.get(metric);
        let block = |k: usize| -> Vec<Option<f64>> {
            (0..n)
                .map(|r| {
                    let p = u32::try_from(k * n + r).ok()?;
                    by_point?.get(&p).map(|(s, c)| s / f64::from(*c))
                })
                .collect()
        };
        let ab: Vec<Vec<Option<f64>>> = (0..random.len()).map(|i| block(2 + i)).collect();
        for (axis, ix) in random.iter().zip(indices(&block(0), &block(1), &ab)) {
            rows.push((metric, axis, ix));
        }
    }
    let col = |f: fn(&Indices) -> Option<f64>| rows.iter().map(move |(_, _, ix)| f(ix));
    Some(
        Table::new("sensitivity", rows.len())
            .text("metric", rows.iter().map(|(m, ..)| Some(m.to_string())))
            .text("axis", rows.iter().map(|(_, a, _)| Some(a.to_string())))
            .uint("n", rows.iter().map(|(.., ix)| ix.n as u64))
            .float_full("first_order", col(|ix| ix.first.map(|x| x.0)))
            .float_full("first_order_low", col(|ix| ix.first.map(|x| x.1)))
            .float_full("first_order_high", col(|ix| ix.first.map(|x| x.2)))
            .float_full("total", col(|ix| ix.total.map(|x| x.0)))
            .float_full("total_low", col(|ix| ix.total.map(|x| x.1)))
            .float_full("total_high", col(|ix| ix.total.map(|x| x.2))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ishigami function (a = 7, b = 0.1) on [−π, π]³ has known indices: S = (0.3139,
    /// 0.4424, 0), ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, §4.6).
    #[test]
    fn recovers_the_ishigami_indices() {
        let n = 20_000;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut draw = || -> Vec<[f64; 3]> {
            (0..n)
                .map(|_| {
                    let mut x = [0.0; 3];
                    for v in &mut x {
                        *v = (rng.gen::<f64>() * 2.0 - 1.0) * std::f64::consts::PI;
                    }
                    x
                })
                .collect()
        };
        let (a, b) = (draw(), draw());
        let f =
            |x: &[f64; 3]| x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
        let fa: Vec<Option<f64>> = a.iter().map(|x| Some(f(x))).collect();
        let fb: Vec<Option<f64>> = b.iter().map(|x| Some(f(x))).collect();
        let fab: Vec<Vec<Option<f64>>> = (0..3)
            .map(|i| {
                a.iter()
                    .zip(&b)
                    .map(|(xa, xb)| {
                        let mut x = *xa;
                        x[i] = xb[i];
                        Some(f(&x))
                    })
                    .collect()
            })
            .collect();
        let ix = indices(&fa, &fb, &fab);
        let s = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let (first, lo, hi) = ix[i].first.unwrap();
            assert!((first - s[i]).abs() < 0.03, "S{} = {first}", i + 1);
            assert!(lo <= first && first <= hi, "S{}: [{lo}, {hi}]", i + 1);
            assert!(
                lo <= s[i] + 0.01 && s[i] - 0.01 <= hi,
                "S{} interval [{lo}, {hi}]",
                i + 1
            );
            let (total, lo, hi) = ix[i].total.unwrap();
            assert!((total - st[i]).abs() < 0.03, "ST{} = {total}", i + 1);
            assert!(
                lo <= st[i] + 0.01 && st[i] - 0.01 <= hi,
                "ST{} interval [{lo}, {hi}]",
                i + 1
            );
            assert_eq!(ix[i].n, n);
        }
    }

    #[test]
    fn a_parameter_that_changes_nothing_has_zero_indices_and_missing_rows_are_left_out() {
        // f depends on x0 only; x1 changes nothing, so f_AB1 = f_A exactly.
        let a = vec![Some(1.0), Some(2.0), None, Some(4.0), Some(0.5)];
        let b = vec![Some(3.0), Some(1.0), Some(2.0), Some(0.0), Some(2.5)];
        let ab0 = b.clone();
        let ab1 = a.clone();
        let ix = indices(&a, &b, &[ab0, ab1]);
        assert_eq!(ix[1].n, 4);
        assert_eq!(ix[1].first.unwrap().0, 0.0);
        assert_eq!(ix[1].total.unwrap(), (0.0, 0.0, 0.0));
        // x0 decides everything: f_AB0 = f_B, so ST = mean((f_A − f_B)²) / 2V; on these four
        // rows (worked by hand) mean((f_A − f_B)²) / 2 = 6.25 / 2 and V = 13 / 8.
        assert!((ix[0].total.unwrap().0 - 3.125 / 1.625).abs() < 1e-12);
        // No variance: no index.
        let flat = vec![Some(1.0); 4];
        assert_eq!(
            indices(&flat, &flat, std::slice::from_ref(&flat))[0].first,
            None
        );
    }
}
