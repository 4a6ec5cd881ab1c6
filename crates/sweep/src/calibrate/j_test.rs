//! Hansen's over-identification test at the estimate: do the targets sit where the model can
//! put its moments, given how much the moments vary from seed to seed?
//!
//! With g = t − m̄(θ̂) (targets minus the moments' mean over the S seeds at the estimate) and Σ
//! the covariance of one run's moments, the data moments (the mean of R realisations; R = 1
//! for one observed market) have variance Σ/R and the simulated mean Σ/S, so
//! Var(g) = (1/R + 1/S)·Σ and
//!
//! ```text
//! J = g′ Ŵ g / (1/R + 1/S),   Ŵ = c · Σ̂⁻¹,   c = (S − K − 2) / (S − 1)
//! ```
//!
//! is χ² with K − P degrees of freedom (K moments, P parameters) when the model is right. Σ̂ is
//! the sample covariance of the moments over the seeds at the estimate; its inverse
//! overestimates Σ⁻¹ by (S − 1)/(S − K − 2) on average (Wishart; Hartlap, Simon & Schneider
//! 2007), a factor 2.3 with 8 seeds and 3 moments, which `c` removes. So the test needs
//! S ≥ K + 3 seeds. The moments are standardised before Σ̂ is factored (Cholesky on the
//! correlation matrix), so moments of very different scales do not make it look singular.
//!
//! The estimate minimises the relative-error objective of `estimate`, not g′Ŵg, so J here is
//! at least the J of the efficient (two-step) estimate: the test leans toward rejecting.

use super::chi_square;

/// Smallest pivot of the correlation matrix's Cholesky factor accepted (below it, a moment is
/// a linear combination of the others across the seeds, to working precision).
const MIN_PIVOT: f64 = 1e-10;

/// The statistic, its degrees of freedom and p-value.
#[derive(Clone, Debug, PartialEq)]
pub struct JTest {
    /// J.
    pub statistic: f64,
    /// K − P.
    pub dof: u32,
    /// P(χ²(dof) > J).
    pub p_value: f64,
    /// The bias correction `c` applied to Σ̂⁻¹.
    pub precision_correction: f64,
    /// 1/R + 1/S.
    pub variance_factor: f64,
}

/// The J-test from the per-seed moments at the estimate (`runs[s][k]`, every one present),
/// the targets, the number of parameters and of realisations the targets average; the reason
/// when it cannot be computed.
pub fn j_test(
    runs: &[Vec<f64>],
    targets: &[f64],
    parameters: usize,
    target_runs: u32,
) -> Result<JTest, String> {
    let k = targets.len();
    let s = runs.len();
    if k <= parameters {
        return Err(format!(
            "{k} moments and {parameters} parameters leave no degree of freedom: the J-test \
             needs more moments than parameters"
        ));
    }
    if s < k + 3 {
        return Err(format!(
            "{s} seeds cannot estimate the inverse covariance of {k} moments: the J-test needs \
             at least moments + 3 = {} seeds",
            k + 3
        ));
    }
    assert!(target_runs >= 1, "targets average at least one realisation");
    assert!(runs.iter().all(|r| r.len() == k), "a moment per target");
    let n = s as f64;
    let mean: Vec<f64> = (0..k)
        .map(|j| runs.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let sd: Vec<f64> = (0..k)
        .map(|j| (runs.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
        .collect();
    if let Some(j) = sd.iter().position(|&d| !(d > 0.0 && d.is_finite())) {
        return Err(format!(
            "moment {} takes the same value on every seed at the estimate: its covariance is \
             singular",
            j + 1
        ));
    }
    // The correlation matrix and the standardised distance.
    let mut corr = vec![vec![0.0; k]; k];
    for a in 0..k {
        for b in 0..=a {
            let c = runs
                .iter()
                .map(|r| (r[a] - mean[a]) / sd[a] * (r[b] - mean[b]) / sd[b])
                .sum::<f64>()
                / (n - 1.0);
            corr[a][b] = c;
            corr[b][a] = c;
        }
    }
    let z: Vec<f64> = (0..k).map(|j| (targets[j] - mean[j]) / sd[j]).collect();
    let quadratic = quadratic_form_inverse(&corr, &z).ok_or_else(|| {
        "the moments' covariance across the seeds is singular at the estimate (a moment is a \
         linear combination of the others)"
            .to_string()
    })?;
    let correction = (n - k as f64 - 2.0) / (n - 1.0);
    let variance_factor = 1.0 / f64::from(target_runs) + 1.0 / n;
    let statistic = correction * quadratic / variance_factor;
    let dof = (k - parameters) as u32;
    Ok(JTest {
        statistic,
        dof,
        p_value: chi_square::survival(statistic, dof),
        precision_correction: correction,
        variance_factor,
    })
}

/// z′ A⁻¹ z for a symmetric positive definite A (Cholesky, A = L L′: |L⁻¹ z|²); none when a
/// pivot falls under [`MIN_PIVOT`].
fn quadratic_form_inverse(a: &[Vec<f64>], z: &[f64]) -> Option<f64> {
    let k = z.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let pivot = a[i][i] - dot;
                // A NaN pivot (a NaN moment) is refused too.
                if pivot.is_nan() || pivot <= MIN_PIVOT {
                    return None;
                }
                l[i][i] = pivot.sqrt();
            } else {
                l[i][j] = (a[i][j] - dot) / l[j][j];
            }
        }
    }
    // Forward substitution: L y = z; z′ A⁻¹ z = y′ y.
    let mut y = vec![0.0; k];
    for i in 0..k {
        let dot: f64 = (0..i).map(|m| l[i][m] * y[m]).sum();
        y[i] = (z[i] - dot) / l[i][i];
    }
    Some(y.iter().map(|v| v * v).sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A standard normal draw (Box–Muller).
    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        let u: f64 = 1.0 - rng.gen::<f64>();
        let v: f64 = rng.gen();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    #[test]
    fn the_quadratic_form_solves_the_system() {
        // A = [[4, 2], [2, 3]], A⁻¹ = [[3, −2], [−2, 4]] / 8; z = (1, 2): z′A⁻¹z = (3 − 8 + 16)/8.
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let q = quadratic_form_inverse(&a, &[1.0, 2.0]).unwrap();
        assert!((q - 11.0 / 8.0).abs() < 1e-12, "{q}");
        // Singular: the second row repeats the first.
        let s = vec![vec![1.0, 1.0], vec![1.0, 1.0]];
        assert_eq!(quadratic_form_inverse(&s, &[1.0, 0.0]), None);
    }

    /// `s` seeds of K independent moments, mean `mu`, standard deviation `sd`, correlated
    /// through a shared draw when `shared` > 0.
    fn draws(rng: &mut ChaCha8Rng, s: usize, mu: &[f64], sd: &[f64], shared: f64) -> Vec<Vec<f64>> {
        (0..s)
            .map(|_| {
                let common = normal(rng);
                mu.iter()
                    .zip(sd)
                    .map(|(m, d)| {
                        let own = normal(rng);
                        m + d * (shared * common + (1.0 - shared * shared).sqrt() * own)
                    })
                    .collect()
            })
            .collect()
    }

    /// Rejections at 5% and the mean p-value of `trials` J-tests where the targets are one
    /// more draw of the model (R = 1, no parameter estimated: J ~ χ²(K)), with moments of very
    /// different scales and correlated, as real ones are. Also the rejections of the same
    /// statistic without the correction c, and with the targets taken as exact
    /// (Var g = Σ/S instead of (1 + 1/S)·Σ).
    fn level(seeds: usize, trials: u32) -> (f64, f64, f64, f64) {
        let mu = [1.0e4, 50.0, 0.3];
        let sd = [300.0, 4.0, 0.05];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut rejected, mut sum, mut uncorrected, mut exact_targets) = (0, 0.0, 0, 0);
        for _ in 0..trials {
            let sims = draws(&mut rng, seeds, &mu, &sd, 0.6);
            let data = draws(&mut rng, 1, &mu, &sd, 0.6).remove(0);
            let j = j_test(&sims, &data, 0, 1).unwrap();
            assert_eq!(j.dof, 3);
            rejected += usize::from(j.p_value < 0.05);
            sum += j.p_value;
            let raw = j.statistic / j.precision_correction;
            uncorrected += usize::from(chi_square::survival(raw, 3) < 0.05);
            let naive = j.statistic * j.variance_factor * seeds as f64;
            exact_targets += usize::from(chi_square::survival(naive, 3) < 0.05);
        }
        let share = |n: usize| n as f64 / f64::from(trials);
        (
            share(rejected),
            sum / f64::from(trials),
            share(uncorrected),
            share(exact_targets),
        )
    }

    #[test]
    fn under_a_true_model_the_test_has_its_level_and_far_targets_are_rejected() {
        // With 100 seeds J is close to χ²(3): Hotelling's T² puts the exact rejection rate
        // near 5.2% (binomial sd over 4,000 trials: 0.35 points), the mean p-value near ½.
        let (rejected, mean, _, exact_targets) = level(100, 4000);
        assert!((0.038..=0.066).contains(&rejected), "rejected {rejected}");
        assert!((0.47..=0.53).contains(&mean), "mean p-value {mean}");
        // Taking the targets as exact rejects a true model most of the time.
        assert!(exact_targets > 0.5, "exact targets {exact_targets}");
        // With 10 seeds Σ̂⁻¹ is inflated by 9/5: uncorrected, the test rejects a true model
        // about one time in five; corrected, near its level (the F tail of T² keeps it a
        // little above 5%).
        let (rejected, _, uncorrected, _) = level(10, 4000);
        assert!(uncorrected > 0.15, "uncorrected {uncorrected}");
        assert!(rejected < 0.09, "corrected {rejected}");

        // A target the model never reaches: 10 standard deviations off.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mu, sd) = ([1.0e4, 50.0, 0.3], [300.0, 4.0, 0.05]);
        let sims = draws(&mut rng, 20, &mu, &sd, 0.6);
        let mut far = mu.to_vec();
        far[1] += 10.0 * sd[1];
        let j = j_test(&sims, &far, 1, 1).unwrap();
        assert_eq!(j.dof, 2);
        assert!((j.variance_factor - 1.05).abs() < 1e-12);
        assert!((j.precision_correction - 15.0 / 19.0).abs() < 1e-12);
        assert!(j.p_value < 1e-10, "{j:?}");
    }

    #[test]
    fn targets_averaged_over_more_realisations_count_more() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let sims = draws(&mut rng, 12, &[5.0, 7.0], &[1.0, 2.0], 0.0);
        let t = [6.0, 6.0];
        let one = j_test(&sims, &t, 1, 1).unwrap();
        let four = j_test(&sims, &t, 1, 4).unwrap();
        // Var(g) ∝ 1/R + 1/S: (1 + 1/12) against (1/4 + 1/12).
        let ratio = four.statistic / one.statistic;
        assert!(
            (ratio - (13.0 / 12.0) / (4.0 / 12.0)).abs() < 1e-9,
            "{ratio}"
        );
        assert!(four.p_value < one.p_value);
    }

    #[test]
    fn it_says_why_when_it_cannot_be_computed() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let sims = draws(&mut rng, 10, &[1.0, 2.0], &[1.0, 1.0], 0.0);
        let e = j_test(&sims, &[1.0, 2.0], 2, 1).unwrap_err();
        assert!(e.contains("no degree of freedom"), "{e}");
        let e = j_test(&sims[..4], &[1.0, 2.0], 1, 1).unwrap_err();
        assert!(e.contains("at least moments + 3 = 5 seeds"), "{e}");
        // A moment that does not vary, and one that copies another.
        let flat: Vec<Vec<f64>> = sims.iter().map(|r| vec![r[0], 3.0]).collect();
        let e = j_test(&flat, &[1.0, 2.0], 1, 1).unwrap_err();
        assert!(e.contains("moment 2 takes the same value"), "{e}");
        let copy: Vec<Vec<f64>> = sims.iter().map(|r| vec![r[0], 2.0 * r[0] + 1.0]).collect();
        let e = j_test(&copy, &[1.0, 2.0], 1, 1).unwrap_err();
        assert!(e.contains("singular"), "{e}");
    }
}
