//! From evaluated candidates to the estimate: the objective, the moments at the estimate with
//! their standard errors across seeds, and bootstrap standard errors of the estimate.
//!
//! **Objective**: `J(θ) = Σ_k w_k ((m̄_k(θ) − t_k) / s_k)²`, where `m̄_k` is the mean of moment
//! k over the seeds, `t_k` its target, `w_k` its weight and `s_k = |t_k|` (1 when the target
//! is 0), so every moment counts in relative terms whatever its unit.
//!
//! **Bootstrap**: each resample draws the seeds with replacement; every evaluated candidate's
//! objective is recomputed from its stored per-seed moments, and the resample's estimate is
//! the candidate that minimises it. The standard error of a parameter is the standard
//! deviation of those estimates, the interval their 2.5% and 97.5% quantiles. It measures how
//! much the estimate owes to the particular seeds (simulation noise), among the candidates the
//! search evaluated; it costs no run.

use super::journal::Candidate;
use super::spec::Target;
use cascade_report::quantile::quantile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seed of the bootstrap's draws (fixed: the same journal gives the same errors).
pub const BOOTSTRAP_SEED: u64 = 0x626f_6f74_7374_7261; // "bootstra"

/// The objective from per-seed moments, each seed counted `counts[s]` times (all 1: the plain
/// objective); `None` when a moment is missing from a counted run.
pub fn objective(targets: &[Target], runs: &[Vec<Option<f64>>], counts: &[u32]) -> Option<f64> {
    let total: u32 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let mut j = 0.0;
    for (k, t) in targets.iter().enumerate() {
        let mut sum = 0.0;
        for (run, &c) in runs.iter().zip(counts) {
            if c > 0 {
                sum += f64::from(c) * run.get(k).copied().flatten()?;
            }
        }
        let mean = sum / f64::from(total);
        let scale = if t.value == 0.0 { 1.0 } else { t.value.abs() };
        j += t.weight * ((mean - t.value) / scale).powi(2);
    }
    j.is_finite().then_some(j)
}

/// Mean and standard error (sd / √n) of each target's moment across a candidate's seeds.
pub fn moment_stats(c: &Candidate, k: usize) -> (Option<f64>, Option<f64>) {
    let xs: Option<Vec<f64>> = c
        .runs
        .iter()
        .map(|r| r.moments.get(k).copied().flatten())
        .collect();
    let Some(xs) = xs.filter(|x| !x.is_empty()) else {
        return (None, None);
    };
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let se = (xs.len() > 1).then(|| {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    });
    (Some(mean), se)
}

/// The best candidate: least objective, the earliest on ties.
pub fn best(cands: &[Candidate]) -> Option<&Candidate> {
    let mut best: Option<&Candidate> = None;
    for c in cands {
        if let Some(f) = c.objective {
            if best.and_then(|b| b.objective).is_none_or(|b| f < b) {
                best = Some(c);
            }
        }
    }
    best
}

/// Bootstrap estimates of one parameter set per resample (each parameter's value as a
/// number); empty with fewer than two seeds or no candidate with every moment.
pub fn bootstrap(cands: &[Candidate], targets: &[Target], resamples: u32) -> Vec<Vec<f64>> {
    let seeds = cands.first().map_or(0, |c| c.runs.len());
    if seeds < 2 {
        return Vec::new();
    }
    let per_run: Vec<Vec<Vec<Option<f64>>>> = cands
        .iter()
        .map(|c| c.runs.iter().map(|r| r.moments.clone()).collect())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let mut out = Vec::with_capacity(resamples as usize);
    let mut counts = vec![0u32; seeds];
    for _ in 0..resamples {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..seeds {
            counts[rng.gen_range(0..seeds)] += 1;
        }
        let mut pick: Option<(f64, usize)> = None;
        for (i, runs) in per_run.iter().enumerate() {
            if let Some(f) = objective(targets, runs, &counts) {
                if pick.is_none_or(|(b, _)| f < b) {
                    pick = Some((f, i));
                }
            }
        }
        if let Some((_, i)) = pick {
            out.push(cands[i].values.iter().filter_map(|v| v.as_f64()).collect());
        }
    }
    out
}

/// Standard deviation and 95% interval of each parameter over the bootstrap estimates.
pub fn spread(estimates: &[Vec<f64>], params: usize) -> Vec<Option<(f64, [f64; 2])>> {
    (0..params)
        .map(|p| {
            let mut xs: Vec<f64> = estimates.iter().filter_map(|e| e.get(p).copied()).collect();
            if xs.len() < 2 {
                return None;
            }
            xs.sort_by(f64::total_cmp);
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            // Equal estimates have no spread (their float mean can miss them by an ulp).
            let sd = if xs[0] == xs[xs.len() - 1] {
                0.0
            } else {
                (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            };
            Some((sd, [quantile(&xs, 0.025), quantile(&xs, 0.975)]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::journal::SeedRun;
    use crate::plan::Cell;

    fn target(value: f64, weight: f64) -> Target {
        Target {
            metric: "m".into(),
            value,
            weight,
        }
    }

    fn cand(index: u64, x: f64, moments: &[f64]) -> Candidate {
        let runs = moments
            .iter()
            .enumerate()
            .map(|(s, &m)| SeedRun {
                seed: s as u64,
                moments: vec![Some(m)],
                error: String::new(),
            })
            .collect::<Vec<_>>();
        let per: Vec<Vec<Option<f64>>> = runs.iter().map(|r| r.moments.clone()).collect();
        Candidate {
            calibration: "h".into(),
            index,
            unit: vec![x],
            values: vec![Cell::Float(x)],
            objective: objective(&[target(10.0, 1.0)], &per, &vec![1; per.len()]),
            runs,
        }
    }

    #[test]
    fn the_objective_is_weighted_relative_squared_error_of_the_seed_means() {
        let runs = vec![vec![Some(9.0), Some(1.0)], vec![Some(13.0), Some(1.0)]];
        let t = [target(10.0, 2.0), target(0.0, 0.5)];
        // Means 11 and 1: 2·(1/10)² + 0.5·(1/1)².
        let j = objective(&t, &runs, &[1, 1]).unwrap();
        assert!((j - (2.0 * 0.01 + 0.5)).abs() < 1e-12, "{j}");
        // Seed 0 twice: means (9+9+13)/3 and 1.
        let j = objective(&t, &runs, &[2, 1]).unwrap();
        let want = 2.0 * ((31.0 / 3.0 - 10.0) / 10.0_f64).powi(2) + 0.5;
        assert!((j - want).abs() < 1e-12, "{j}");
        // A missing moment in a counted run: undefined; in an uncounted one: ignored.
        let runs = vec![vec![Some(9.0), None], vec![Some(13.0), Some(1.0)]];
        assert_eq!(objective(&t, &runs, &[1, 1]), None);
        assert!(objective(&t, &runs, &[0, 2]).is_some());
    }

    #[test]
    fn moments_have_their_standard_error_across_seeds() {
        let c = cand(0, 0.5, &[8.0, 10.0, 12.0]);
        let (mean, se) = moment_stats(&c, 0);
        assert_eq!(mean, Some(10.0));
        assert!((se.unwrap() - 2.0 / 3.0_f64.sqrt()).abs() < 1e-12);
        assert_eq!(moment_stats(&cand(0, 0.5, &[8.0]), 0), (Some(8.0), None));
    }

    #[test]
    fn the_bootstrap_spreads_with_the_seed_noise_and_is_deterministic() {
        // Candidate x matches the target on seed s when x = s/10: which one wins depends on
        // the seeds drawn, so the estimates spread over 0.1..0.4.
        let cands: Vec<Candidate> = (0..5)
            .map(|i| {
                let x = f64::from(i) / 10.0;
                let moments: Vec<f64> = (0..5)
                    .map(|s| 10.0 + 10.0 * (x - f64::from(s) / 10.0))
                    .collect();
                cand(i as u64, x, &moments)
            })
            .collect();
        let t = [target(10.0, 1.0)];
        assert_eq!(best(&cands).unwrap().index, 2);
        let a = bootstrap(&cands, &t, 300);
        assert_eq!(a.len(), 300);
        assert_eq!(a, bootstrap(&cands, &t, 300));
        let s = spread(&a, 1);
        let (sd, [lo, hi]) = s[0].unwrap();
        assert!(sd > 0.02 && sd < 0.2, "{sd}");
        assert!(
            lo <= 0.2 && hi >= 0.2 && lo >= 0.0 && hi <= 0.4,
            "{lo} {hi}"
        );
        // Noise-free moments: every resample picks the true candidate.
        let exact: Vec<Candidate> = (0..5)
            .map(|i| {
                let x = f64::from(i) / 10.0;
                cand(i as u64, x, &[10.0 + 10.0 * (x - 0.3); 4])
            })
            .collect();
        let s = spread(&bootstrap(&exact, &t, 50), 1);
        assert_eq!(s[0], Some((0.0, [0.3, 0.3])));
        // One seed: no bootstrap.
        assert!(bootstrap(&[cand(0, 0.1, &[1.0])], &t, 10).is_empty());
    }
}
