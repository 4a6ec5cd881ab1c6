//! Synthetic return series with known statistics, for the tests: Box–Muller normals from the
//! bootstrap's SplitMix64, and Gaussian, GARCH(1,1), Student-t and Pareto samples.

pub(crate) use super::tails::SplitMix;

/// i.i.d. standard normals.
pub(crate) fn gaussian(n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix::new(seed);
    (0..n).map(|_| g.normal()).collect()
}

/// GARCH(1,1): σ²_t = 0.05 + 0.1 r²_{t−1} + 0.85 σ²_{t−1}, r_t = σ_t z_t, after 1,000 steps
/// of burn-in. Persistence 0.95 gives a slowly decaying |r| autocorrelation; the fourth
/// moment exists (3α² + 2αβ + β² < 1).
pub(crate) fn garch(n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix::new(seed);
    let (omega, alpha, beta) = (0.05, 0.1, 0.85);
    let mut var = omega / (1.0 - alpha - beta);
    let mut prev: f64 = 0.0;
    let mut out = Vec::with_capacity(n);
    for i in 0..n + 1000 {
        var = omega + alpha * prev * prev + beta * var;
        prev = var.sqrt() * g.normal();
        if i >= 1000 {
            out.push(prev);
        }
    }
    out
}

/// Student-t with `nu` degrees of freedom: Z / √(χ²_ν / ν). Tail index ν.
pub(crate) fn student_t(n: usize, nu: u32, seed: u64) -> Vec<f64> {
    let mut g = SplitMix::new(seed);
    (0..n)
        .map(|_| {
            let z = g.normal();
            let chi2: f64 = (0..nu).map(|_| g.normal().powi(2)).sum();
            z / (chi2 / f64::from(nu)).sqrt()
        })
        .collect()
}

/// Pareto with tail index `alpha` and minimum 1, with a random sign.
pub(crate) fn pareto(n: usize, alpha: f64, seed: u64) -> Vec<f64> {
    let mut g = SplitMix::new(seed);
    (0..n)
        .map(|_| {
            let x = g.uniform().powf(-1.0 / alpha);
            if g.uniform() < 0.5 {
                -x
            } else {
                x
            }
        })
        .collect()
}
