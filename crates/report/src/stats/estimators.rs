//! Estimators on plain slices: moments, autocorrelation, the power-law decay of an
//! autocorrelation function, the Hill tail index, and least-squares lines.
//!
//! Every function returns `None` (or an empty vector) rather than a non-finite number when its
//! input cannot support the estimate: too few values, zero variance, no positive values.

/// Mean of the values.
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample standard deviation (divisor n − 1).
pub fn std_dev(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (x.len() - 1) as f64).sqrt())
}

/// Excess kurtosis m4 / m2² − 3 with the moment (divisor n) estimators: 0 for a Gaussian,
/// 6 for a Laplace, infinite in theory for Student-t with ν ≤ 4. Needs 4 values and a
/// positive variance.
pub fn excess_kurtosis(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    let m = mean(x)?;
    let n = x.len() as f64;
    let (m2, m4) = x.iter().fold((0.0, 0.0), |(m2, m4), v| {
        let d2 = (v - m) * (v - m);
        (m2 + d2 / n, m4 + d2 * d2 / n)
    });
    finite((m2 > 0.0).then(|| m4 / (m2 * m2) - 3.0)?)
}

/// Autocorrelation at lags 1..=`max_lag` of a series on a clock grid with holes (`None`).
///
/// With c = x − mean over the n present values, ρ(τ) = (n − τ)/n · ⟨c_t c_{t+τ}⟩ / ⟨c²⟩,
/// where ⟨c_t c_{t+τ}⟩ averages over the pairs τ grid steps apart that are both present. With
/// no holes this is the usual estimator Σ c_t c_{t+τ} / Σ c² (Box–Jenkins, as in
/// statsmodels); with holes, lags stay in clock time and the average is over the pairs that
/// exist. The result stops at the first lag with no pair; it is empty when fewer than two
/// values are present or they are all equal.
pub fn acf(x: &[Option<f64>], max_lag: usize) -> Vec<f64> {
    let present: Vec<f64> = x.iter().flatten().copied().collect();
    let n = present.len();
    let Some(m) = mean(&present) else {
        return Vec::new();
    };
    let var = present.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
    if n < 2 || var <= 0.0 || !var.is_finite() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(max_lag);
    for lag in 1..=max_lag.min(x.len().saturating_sub(1)) {
        let (mut sum, mut pairs) = (0.0, 0usize);
        for (a, b) in x.iter().zip(x.iter().skip(lag)) {
            if let (Some(a), Some(b)) = (a, b) {
                sum += (a - m) * (b - m);
                pairs += 1;
            }
        }
        if pairs == 0 {
            break;
        }
        let shrink = n.saturating_sub(lag) as f64 / n as f64;
        out.push(shrink * (sum / pairs as f64) / var);
    }
    out
}

/// A least-squares line y = intercept + slope · x.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearFit {
    /// Slope.
    pub slope: f64,
    /// Value at x = 0.
    pub intercept: f64,
    /// Coefficient of determination, 1 − SS_res / SS_tot.
    pub r2: f64,
    /// Points fitted.
    pub n: usize,
}

/// Ordinary least squares of `y` on `x`. Needs 3 points, and x and y that both vary (R² of a
/// constant y is undefined, so a flat spread gives no fit rather than a perfect one).
pub fn linear_fit(x: &[f64], y: &[f64]) -> Option<LinearFit> {
    assert_eq!(x.len(), y.len(), "linear_fit: x and y differ in length");
    let n = x.len();
    if n < 3 {
        return None;
    }
    let (mx, my) = (mean(x)?, mean(y)?);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxx += (a - mx) * (a - mx);
        sxy += (a - mx) * (b - my);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r2 = (sxy * sxy) / (sxx * syy);
    let fit = LinearFit {
        slope,
        intercept: my - slope * mx,
        r2,
        n,
    };
    [fit.slope, fit.intercept, fit.r2]
        .iter()
        .all(|v| v.is_finite())
        .then_some(fit)
}

/// A power-law decay ρ(τ) ≈ A · τ^(−β) fitted to an autocorrelation function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerLawFit {
    /// The decay exponent β (positive when the function decays).
    pub exponent: f64,
    /// The prefactor A.
    pub prefactor: f64,
    /// R² of the log-log line.
    pub r2: f64,
    /// Lags used (those in the window with a positive value).
    pub points: usize,
    /// First and last lag of the window.
    pub lags: (usize, usize),
}

/// Fits ln ρ(τ) = ln A − β ln τ by least squares over lags `first..=last` of `acf` (whose
/// element i is lag i + 1), using only the positive values; `last` is cut to the lags
/// available. Needs 3 positive values.
pub fn power_law_decay(acf: &[f64], first: usize, last: usize) -> Option<PowerLawFit> {
    assert!(first >= 1, "lags start at 1");
    let last = last.min(acf.len());
    if last < first {
        return None;
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = (first..=last)
        .filter_map(|lag| Some((lag, *acf.get(lag - 1)?)))
        .filter(|&(_, a)| a > 0.0)
        .map(|(lag, a)| ((lag as f64).ln(), a.ln()))
        .unzip();
    let fit = linear_fit(&xs, &ys)?;
    Some(PowerLawFit {
        exponent: -fit.slope,
        prefactor: fit.intercept.exp(),
        r2: fit.r2,
        points: fit.n,
        lags: (first, last),
    })
}

/// The Hill estimate of a tail index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HillEstimate {
    /// The tail index α: P(|X| > x) ~ x^(−α).
    pub alpha: f64,
    /// Order statistics used (the k largest).
    pub k: usize,
    /// Asymptotic standard error α / √k.
    pub std_error: f64,
    /// The threshold: the (k+1)-th largest value.
    pub threshold: f64,
}

/// Hill's estimator on the largest `share` of `values` (magnitudes, so pass |r|):
/// α = k / Σ_{i≤k} ln(x_(i) / x_(k+1)) with x_(1) ≥ x_(2) ≥ … and k = ⌊share · n⌋. Scale-free,
/// so standardising the values first changes nothing. Needs k ≥ 10 and a positive threshold
/// (a series of mostly zero returns has no tail to measure).
pub fn hill(values: &[f64], share: f64) -> Option<HillEstimate> {
    assert!(share > 0.0 && share < 1.0, "hill: share must be in (0, 1)");
    let mut x: Vec<f64> = values
        .iter()
        .map(|v| v.abs())
        .filter(|v| v.is_finite())
        .collect();
    let k = (share * x.len() as f64).floor() as usize;
    if k < 10 || k >= x.len() {
        return None;
    }
    x.sort_by(|a, b| b.total_cmp(a));
    let threshold = *x.get(k)?;
    if threshold <= 0.0 {
        return None;
    }
    let sum: f64 = x.iter().take(k).map(|v| (v / threshold).ln()).sum();
    let alpha = finite(k as f64 / sum)?;
    Some(HillEstimate {
        alpha,
        k,
        std_error: alpha / (k as f64).sqrt(),
        threshold,
    })
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::super::synthetic::{garch, gaussian, pareto, student_t};
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn kurtosis_of_hand_computed_series() {
        // Two-point ±1: m2 = 1, m4 = 1 → 1 − 3.
        assert_eq!(excess_kurtosis(&[1.0, -1.0, 1.0, -1.0]), Some(-2.0));
        // [0, 0, 0, 4]: mean 1, deviations −1,−1,−1,3: m2 = 3, m4 = 21 → 21/9 − 3.
        let k = excess_kurtosis(&[0.0, 0.0, 0.0, 4.0]).unwrap();
        assert!(close(k, 21.0 / 9.0 - 3.0, 1e-12), "{k}");
        assert_eq!(excess_kurtosis(&[1.0, 1.0, 1.0, 1.0]), None);
        assert_eq!(excess_kurtosis(&[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn acf_of_hand_computed_series() {
        // 1, 2, 3, 4: c = −1.5, −.5, .5, 1.5, Σc² = 5; lag 1: (.75 − .25 + .75) / 5 = .25.
        let x: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0].into_iter().map(Some).collect();
        let r = acf(&x, 10);
        assert_eq!(r.len(), 3, "stops at the last lag with a pair");
        assert!(close(r[0], 0.25, 1e-12), "{r:?}");
        assert!(close(r[1], (-0.75 - 0.75) / 5.0, 1e-12), "{r:?}");
        assert!(close(r[2], -2.25 / 5.0, 1e-12), "{r:?}");
        // Alternating signs: lag 1 is −(n−1)/n.
        let alt: Vec<Option<f64>> = (0..10)
            .map(|i| Some(if i % 2 == 0 { 1.0 } else { -1.0 }))
            .collect();
        assert!(close(acf(&alt, 1)[0], -0.9, 1e-12));
        assert!(acf(&[Some(1.0); 5], 3).is_empty(), "no variance, no ACF");
    }

    #[test]
    fn acf_with_holes_averages_the_pairs_that_exist() {
        // The same alternating series with a hole keeps lag 1 near −1, lag 2 near +1.
        let mut x: Vec<Option<f64>> = (0..40)
            .map(|i| Some(if i % 2 == 0 { 1.0 } else { -1.0 }))
            .collect();
        x[7] = None;
        let r = acf(&x, 2);
        assert!(r[0] < -0.9 && r[1] > 0.9, "{r:?}");
    }

    #[test]
    fn linear_fit_of_a_hand_computed_line() {
        let f = linear_fit(&[0.0, 1.0, 2.0, 3.0], &[1.0, 3.0, 5.0, 7.0]).unwrap();
        assert!(close(f.slope, 2.0, 1e-12) && close(f.intercept, 1.0, 1e-12));
        assert!(close(f.r2, 1.0, 1e-12));
        // Points (0,0), (1,2), (2,1): slope 0.5, intercept 0.5, R² = 0.25.
        let f = linear_fit(&[0.0, 1.0, 2.0], &[0.0, 2.0, 1.0]).unwrap();
        assert!(close(f.slope, 0.5, 1e-12) && close(f.intercept, 0.5, 1e-12));
        assert!(close(f.r2, 0.25, 1e-12), "{}", f.r2);
        assert_eq!(linear_fit(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(linear_fit(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn power_law_decay_recovers_an_exact_exponent_and_skips_negative_values() {
        let mut rho: Vec<f64> = (1..=200).map(|l| 0.3 * (l as f64).powf(-0.35)).collect();
        rho[49] = -0.01;
        let fit = power_law_decay(&rho, 10, 200).unwrap();
        assert!(close(fit.exponent, 0.35, 1e-9) && close(fit.prefactor, 0.3, 1e-9));
        assert_eq!((fit.points, fit.lags), (190, (10, 200)));
        let short = power_law_decay(&rho[..30], 10, 200).unwrap();
        assert_eq!(short.lags, (10, 30));
        assert_eq!(power_law_decay(&rho[..11], 10, 200), None, "two points");
    }

    #[test]
    fn hill_of_a_hand_computed_sample() {
        // 40 values: 1..=40; share 0.25 → k = 10, threshold 30.
        let x: Vec<f64> = (1..=40).map(f64::from).collect();
        let h = hill(&x, 0.25).unwrap();
        let sum: f64 = (31..=40).map(|v| (f64::from(v) / 30.0).ln()).sum();
        assert_eq!((h.k, h.threshold), (10, 30.0));
        assert!(close(h.alpha, 10.0 / sum, 1e-12));
        assert!(close(h.std_error, h.alpha / 10f64.sqrt(), 1e-12));
        assert_eq!(hill(&x[..20], 0.25), None, "k = 5 is too few");
        assert_eq!(hill(&[0.0; 1000], 0.025), None, "no tail above zero");
    }

    // Synthetic series with known answers. n = 20,000 keeps the sampling error of the ACF at
    // 1/√n ≈ 0.007 and of the kurtosis at √(24/n) ≈ 0.035 for a Gaussian.

    #[test]
    fn gaussian_returns_have_no_excess_kurtosis_and_no_autocorrelation() {
        let x = gaussian(20_000, 1);
        let k = excess_kurtosis(&x).unwrap();
        assert!(k.abs() < 4.0 * (24.0 / 20_000f64).sqrt(), "kurtosis {k}");
        let band = 4.0 / (20_000f64).sqrt();
        let opt: Vec<Option<f64>> = x.iter().copied().map(Some).collect();
        let abs: Vec<Option<f64>> = x.iter().map(|v| Some(v.abs())).collect();
        for (name, r) in [("r", acf(&opt, 50)), ("|r|", acf(&abs, 200))] {
            // 4 standard errors: a false alarm in 250 lags is unlikely (p ≈ 0.016 overall).
            let worst = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(worst < band, "ACF of {name}: {worst} beyond {band}");
        }
        // Gaussian tails are thinner than any power law: the Hill index at 2.5% is large.
        assert!(hill(&x, 0.025).unwrap().alpha > 5.0);
    }

    #[test]
    fn garch_returns_cluster_and_their_absolute_acf_decays() {
        let x = garch(20_000, 2);
        let opt: Vec<Option<f64>> = x.iter().copied().map(Some).collect();
        let abs: Vec<Option<f64>> = x.iter().map(|v| Some(v.abs())).collect();
        let band = 1.96 / (20_000f64).sqrt();
        let r = acf(&opt, 50);
        assert!(
            r[..10].iter().all(|v| v.abs() < 3.0 * band),
            "linear ACF {r:?}"
        );
        let a = acf(&abs, 200);
        assert!(
            a[..10].iter().all(|v| *v > 3.0 * band),
            "|r| ACF {:?}",
            &a[..10]
        );
        assert!(a[0] > a[49], "the |r| ACF decays");
        // Theoretical excess kurtosis 3(1 − 0.95²)/(1 − 0.95² − 2·0.1²) − 3 ≈ 0.77.
        assert!(excess_kurtosis(&x).unwrap() > 0.3);
    }

    #[test]
    fn hill_recovers_known_tail_indices() {
        // Pareto(α = 3): exact power tail, so the only error is sampling, α/√k = 3/√500.
        let x = pareto(20_000, 3.0, 3);
        let h = hill(&x, 0.025).unwrap();
        assert_eq!(h.k, 500);
        assert!(close(h.alpha, 3.0, 4.0 * h.std_error), "{h:?}");
        // Student-t with ν = 3 has tail index 3, but its tail is a power law only
        // asymptotically: the second-order term biases Hill downwards at 2.5% (here about
        // −9%, 2.73 at k = 1,000). Allow 4 standard errors either side plus 0.3 below.
        let t = student_t(40_000, 3, 4);
        let h = hill(&t, 0.025).unwrap();
        let band = 4.0 * h.std_error;
        assert!(h.alpha > 3.0 - band - 0.3 && h.alpha < 3.0 + band, "{h:?}");
        assert!(excess_kurtosis(&t).unwrap() > 3.0);
    }
}
