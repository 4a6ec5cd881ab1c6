//! Tail figures that one event cannot own: the excess kurtosis without the largest |r|, Hill's
//! α with its cut-off chosen by the Kolmogorov–Smirnov distance, and a bootstrap interval of
//! that α.
//!
//! The cut-off follows Clauset, Shalizi & Newman (2009, "Power-law distributions in empirical
//! data", §3.3): among the candidate tail sizes k, take the one whose fitted Pareto tail is
//! closest to the empirical tail in KS distance. For tail size k the threshold is the
//! (k+1)-th largest |r| and α is Hill's estimate on the k above it, α = k / Σ ln(x_(i)/x_(k+1)).
//! Candidates run from [`MIN_TAIL`] to [`MAX_TAIL_SHARE`] of the values, every k up to 50 and
//! then in steps of 2% (the KS curve is smooth there), so a fit costs O(n) whatever n.
//! The interval is a percentile bootstrap: [`BOOTSTRAP_DRAWS`] resamples of the returns with
//! replacement from a fixed seed, the whole selection (k included) redone on each.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use super::estimators::excess_kurtosis;
use crate::quantile::quantile;

/// Share of the largest |r| left out of the trimmed kurtosis (at least one value).
pub const TRIM_SHARE: f64 = 0.001;
/// Fewest order statistics a tail fit uses.
pub const MIN_TAIL: usize = 10;
/// Largest share of the values a tail fit may use.
pub const MAX_TAIL_SHARE: f64 = 0.25;
/// Resamples in the bootstrap interval of α.
pub const BOOTSTRAP_DRAWS: usize = 200;
/// Seed of the bootstrap's resampling: fixed, so the same returns give the same interval.
pub const BOOTSTRAP_SEED: u64 = 0x7a11_5eed;
/// Coverage of the bootstrap interval.
pub const INTERVAL_LEVEL: f64 = 0.95;

/// Excess kurtosis of `x` without its ⌈share·n⌉ largest |x| (ties broken by position), and
/// how many were left out.
pub fn trimmed_excess_kurtosis(x: &[f64], share: f64) -> Option<(f64, usize)> {
    assert!((0.0..1.0).contains(&share), "trim share must be in [0, 1)");
    let drop = (share * x.len() as f64).ceil() as usize;
    let mut order: Vec<(f64, usize)> = x.iter().map(|v| v.abs()).zip(0..).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut kept: Vec<usize> = order.iter().skip(drop).map(|&(_, i)| i).collect();
    // Summed in the series' order, as the untrimmed kurtosis is.
    kept.sort_unstable();
    let rest: Vec<f64> = kept.iter().filter_map(|&i| x.get(i).copied()).collect();
    Some((excess_kurtosis(&rest)?, drop))
}

/// A Pareto tail fitted above a threshold chosen by the KS distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TailFit {
    /// The tail index α: P(|X| > x | |X| > threshold) = (x / threshold)^(−α).
    pub alpha: f64,
    /// Order statistics above the threshold.
    pub k: usize,
    /// The threshold: the (k+1)-th largest |x|.
    pub threshold: f64,
    /// KS distance between the k values and the fitted tail.
    pub ks: f64,
}

/// Hill's α of |values| with the KS-chosen tail size; none when fewer than [`MIN_TAIL`]
/// positive values lie above a positive threshold within [`MAX_TAIL_SHARE`] of the sample.
pub fn hill_ks(values: &[f64]) -> Option<TailFit> {
    fit_sorted(&magnitudes(values))
}

/// The percentile bootstrap interval (2.5%, 97.5%) of [`hill_ks`]'s α over `draws` resamples
/// drawn from `seed`; none when fewer than half the resamples give a fit.
pub fn hill_ks_interval(values: &[f64], draws: usize, seed: u64) -> Option<(f64, f64)> {
    let x = magnitudes(values);
    let n = x.len();
    if n == 0 || draws == 0 {
        return None;
    }
    let mut rng = SplitMix::new(seed);
    let mut counts = vec![0u32; n];
    let mut resample = Vec::with_capacity(n);
    let mut alphas = Vec::with_capacity(draws);
    for _ in 0..draws {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            if let Some(c) = counts.get_mut(rng.below(n)) {
                *c += 1;
            }
        }
        // Repeating each sorted value by its count keeps the resample sorted: no sort needed.
        resample.clear();
        for (&v, &c) in x.iter().zip(&counts) {
            resample.extend(std::iter::repeat_n(v, c as usize));
        }
        if let Some(fit) = fit_sorted(&resample) {
            alphas.push(fit.alpha);
        }
    }
    if alphas.len() * 2 < draws {
        return None;
    }
    alphas.sort_by(f64::total_cmp);
    let tail = (1.0 - INTERVAL_LEVEL) / 2.0;
    Some((quantile(&alphas, tail), quantile(&alphas, 1.0 - tail)))
}

/// Finite |values|, largest first.
fn magnitudes(values: &[f64]) -> Vec<f64> {
    let mut x: Vec<f64> = values
        .iter()
        .map(|v| v.abs())
        .filter(|v| v.is_finite())
        .collect();
    x.sort_by(|a, b| b.total_cmp(a));
    x
}

/// The next candidate tail size after `k`: every size up to 50, then 2% steps.
fn next_candidate(k: usize) -> usize {
    (k + 1).max((k as f64 * 1.02).ceil() as usize)
}

/// The KS-best tail fit of magnitudes sorted largest first.
fn fit_sorted(x: &[f64]) -> Option<TailFit> {
    let positive = x.iter().take_while(|v| **v > 0.0).count();
    let k_max = ((x.len() as f64 * MAX_TAIL_SHARE) as usize).min(positive.saturating_sub(1));
    let mut best: Option<TailFit> = None;
    let mut sum_ln = 0.0;
    let mut candidate = MIN_TAIL;
    for (k, (&v, &threshold)) in (1..=k_max).zip(x.iter().zip(x.iter().skip(1))) {
        sum_ln += v.ln();
        if k != candidate {
            continue;
        }
        candidate = next_candidate(k);
        let spread = sum_ln - k as f64 * threshold.ln();
        if spread <= 0.0 {
            continue; // the whole tail equals the threshold: no slope to fit
        }
        let alpha = k as f64 / spread;
        let ks = ks_distance(x.get(..k)?, threshold, alpha);
        if alpha.is_finite() && best.is_none_or(|b| ks < b.ks) {
            best = Some(TailFit {
                alpha,
                k,
                threshold,
                ks,
            });
        }
    }
    best
}

/// KS distance between `tail` (largest first, all ≥ `threshold`) and the Pareto tail of index
/// α above `threshold`: the largest gap between the fitted survival (x/threshold)^(−α) and the
/// empirical one, which steps from i/k to (i+1)/k at the i-th largest value.
fn ks_distance(tail: &[f64], threshold: f64, alpha: f64) -> f64 {
    let k = tail.len() as f64;
    tail.iter()
        .enumerate()
        .map(|(i, &v)| {
            let fitted = (v / threshold).powf(-alpha);
            let i = i as f64;
            ((i + 1.0) / k - fitted).max(fitted - i / k)
        })
        .fold(0.0, f64::max)
}

/// SplitMix64 (Steele, Lea & Flood 2014): the bootstrap's resampling stream and the tests'
/// synthetic samples. Not for the model, whose streams are ChaCha.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1): never 0, so its logarithm is finite.
    #[cfg(test)]
    pub(crate) fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    #[cfg(test)]
    pub(crate) fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Uniform in 0..n (multiply-shift; the bias is below n / 2^64).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::super::synthetic::{gaussian, pareto, student_t};
    use super::*;

    #[test]
    fn one_giant_outlier_moves_the_raw_kurtosis_but_not_the_trimmed_one() {
        let mut x = gaussian(10_000, 11);
        let (before, dropped) = trimmed_excess_kurtosis(&x, TRIM_SHARE).unwrap();
        assert_eq!(dropped, 10);
        let raw_before = excess_kurtosis(&x).unwrap();
        assert!(raw_before.abs() < 0.2, "{raw_before}");
        x[5_000] = 200.0;
        let raw_after = excess_kurtosis(&x).unwrap();
        let (after, _) = trimmed_excess_kurtosis(&x, TRIM_SHARE).unwrap();
        assert!(raw_after > 1_000.0, "raw kurtosis {raw_after}");
        assert!(after.abs() < 0.2, "trimmed kurtosis {after}");
        // Trimming the top ten of a Gaussian lowers its kurtosis a little, never raises it.
        assert!(before < raw_before && (after - before).abs() < 0.05);
    }

    #[test]
    fn trimming_drops_at_least_one_value_and_ties_by_position() {
        let x = [1.0, -4.0, 2.0, 4.0, 0.5, -1.0, 3.0, 0.0];
        let (k, dropped) = trimmed_excess_kurtosis(&x, TRIM_SHARE).unwrap();
        assert_eq!(dropped, 1);
        // The first of the two |4|s goes: the rest is [1, 2, 4, 0.5, −1, 3, 0].
        let rest = [1.0, 2.0, 4.0, 0.5, -1.0, 3.0, 0.0];
        assert_eq!(k, excess_kurtosis(&rest).unwrap());
        assert_eq!(trimmed_excess_kurtosis(&[1.0, 2.0, 3.0, 4.0], 0.001), None);
    }

    #[test]
    fn ks_distance_of_a_hand_computed_tail() {
        // Threshold 1, α = 1: fitted survival 1/x. Values 4, 2 (k = 2): at 4 the empirical
        // survival steps 0 → ½ against ¼; at 2, ½ → 1 against ½. Largest gap ½ (at 2, above).
        assert!((ks_distance(&[4.0, 2.0], 1.0, 1.0) - 0.5).abs() < 1e-12);
        // An exact Pareto quantile grid has the smallest possible distance, 1/(2k).
        let k = 100;
        let tail: Vec<f64> = (0..k)
            .map(|i| ((i as f64 + 0.5) / k as f64).powf(-1.0 / 3.0))
            .collect();
        assert!((ks_distance(&tail, 1.0, 3.0) - 0.5 / k as f64).abs() < 1e-12);
    }

    #[test]
    fn a_pareto_sample_with_alpha_3_is_recovered_within_the_interval() {
        let x = pareto(20_000, 3.0, 5);
        let fit = hill_ks(&x).unwrap();
        let (lo, hi) = hill_ks_interval(&x, BOOTSTRAP_DRAWS, BOOTSTRAP_SEED).unwrap();
        assert!(lo < 3.0 && 3.0 < hi, "α {} in [{lo}, {hi}]", fit.alpha);
        assert!(lo <= fit.alpha && fit.alpha <= hi);
        assert!(
            hi - lo < 1.0,
            "interval [{lo}, {hi}] too wide for 20,000 values"
        );
        assert!((fit.alpha - 3.0).abs() < 0.3, "{fit:?}");
    }

    #[test]
    fn the_cut_off_finds_the_pareto_tail_above_a_gaussian_body() {
        // Student-t with ν = 3: a Gaussian-like body, a power tail of index 3. A fixed 25%
        // share reaches into the body and overstates α; the KS cut-off stays in the tail.
        let x = student_t(50_000, 3, 9);
        let fit = hill_ks(&x).unwrap();
        let wide = super::super::estimators::hill(&x, 0.25).unwrap();
        assert!(fit.k < 12_500, "{fit:?}");
        assert!(
            (fit.alpha - 3.0).abs() < (wide.alpha - 3.0).abs(),
            "KS {fit:?} against a 25% share {wide:?}"
        );
        assert!((fit.alpha - 3.0).abs() < 0.6, "{fit:?}");
    }

    #[test]
    fn the_interval_is_deterministic_and_follows_the_seed() {
        let x = student_t(5_000, 4, 3);
        let a = hill_ks_interval(&x, 50, 1).unwrap();
        assert_eq!(a, hill_ks_interval(&x, 50, 1).unwrap());
        assert_ne!(a, hill_ks_interval(&x, 50, 2).unwrap());
    }

    #[test]
    fn no_fit_without_a_positive_tail() {
        assert_eq!(hill_ks(&[0.0; 1_000]), None);
        let mostly_zero: Vec<f64> = (0..1_000).map(|i| f64::from(i % 100 == 0)).collect();
        // Ten equal non-zero values above a zero threshold: nothing to fit.
        assert_eq!(hill_ks(&mostly_zero), None);
        assert_eq!(hill_ks_interval(&[], 10, 1), None);
        assert_eq!(hill_ks(&[1.0, 2.0, 3.0]), None);
    }
}
