//! The exogenous fundamental value: an Ornstein–Uhlenbeck process with rare jumps.
//!
//! It is advanced lazily to the times it is read at, with the exact OU transition, so its path
//! depends only on the seed and the (deterministic) times of the queries.

use crate::rng::Rng;
use crate::scenario::Fundamental as Spec;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// The fundamental value process, in ticks (as a float: it is an input to decisions only).
#[derive(Clone, Debug)]
pub struct Fundamental {
    mean_ticks: f64,
    kappa_per_ns: f64,
    sigma_ticks_per_sqrt_ns: f64,
    jump_rate_per_ns: f64,
    jump_mean_ticks: f64,
    jump_std_ticks: f64,
    value_ticks: f64,
    time_ns: i64,
    rng: Rng,
}

impl Fundamental {
    /// A process starting at `start_ticks` at time 0.
    pub fn new(spec: &Spec, tick_size: f64, start_ticks: f64, rng: Rng) -> Self {
        let to_ticks = |x: f64| x / tick_size;
        Self {
            mean_ticks: spec.mean.map(to_ticks).unwrap_or(start_ticks),
            kappa_per_ns: spec.kappa_per_s * 1e-9,
            sigma_ticks_per_sqrt_ns: to_ticks(spec.sigma_per_sqrt_s) * (1e-9f64).sqrt(),
            jump_rate_per_ns: spec.jump_rate_per_s * 1e-9,
            jump_mean_ticks: to_ticks(spec.jump_mean),
            jump_std_ticks: to_ticks(spec.jump_std),
            value_ticks: start_ticks,
            time_ns: 0,
            rng,
        }
    }

    /// Long-run mean, ticks.
    pub fn mean_ticks(&self) -> f64 {
        self.mean_ticks
    }

    /// Mean-reversion speed per nanosecond.
    pub fn kappa_per_ns(&self) -> f64 {
        self.kappa_per_ns
    }

    /// Diffusion in ticks per square root of a nanosecond.
    pub fn sigma_ticks_per_sqrt_ns(&self) -> f64 {
        self.sigma_ticks_per_sqrt_ns
    }

    /// The value at `t_ns` (not earlier than the last query), in ticks, never below one tick.
    pub fn value_at(&mut self, t_ns: i64) -> f64 {
        if t_ns > self.time_ns {
            self.advance((t_ns - self.time_ns) as f64);
            self.time_ns = t_ns;
        }
        self.value_ticks
    }

    fn advance(&mut self, dt_ns: f64) {
        let k = self.kappa_per_ns;
        let (decay, var) = if k > 0.0 {
            let d = (-k * dt_ns).exp();
            (
                d,
                self.sigma_ticks_per_sqrt_ns.powi(2) * (1.0 - d * d) / (2.0 * k),
            )
        } else {
            (1.0, self.sigma_ticks_per_sqrt_ns.powi(2) * dt_ns)
        };
        let z: f64 = StandardNormal.sample(&mut self.rng);
        let mut x = self.mean_ticks + (self.value_ticks - self.mean_ticks) * decay + var.sqrt() * z;
        let lambda = self.jump_rate_per_ns * dt_ns;
        if lambda > 0.0 {
            let jumps = Poisson::new(lambda)
                .map(|p| p.sample(&mut self.rng))
                .unwrap_or(0.0);
            for _ in 0..(jumps as u32).min(1000) {
                let j: f64 = StandardNormal.sample(&mut self.rng);
                x += self.jump_mean_ticks + self.jump_std_ticks * j;
            }
        }
        self.value_ticks = x.max(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn spec(kappa: f64, sigma: f64) -> Spec {
        Spec {
            mean: Some(100.0),
            kappa_per_s: kappa,
            sigma_per_sqrt_s: sigma,
            jump_rate_per_s: 0.0,
            jump_mean: 0.0,
            jump_std: 0.0,
        }
    }

    #[test]
    fn reverts_to_its_mean_without_noise() {
        let mut f = Fundamental::new(&spec(0.1, 0.0), 0.01, 12_000.0, stream(1, 1));
        let v = f.value_at(10_000_000_000);
        // Exact OU decay: 10000 + 2000 * e^{-1}.
        assert!(
            (v - (10_000.0 + 2_000.0 * (-1.0f64).exp())).abs() < 1e-6,
            "{v}"
        );
    }

    #[test]
    fn diffusion_variance_matches_brownian_motion_without_reversion() {
        let n = 20_000;
        let mut sum_sq = 0.0;
        for i in 0..n {
            let mut f = Fundamental::new(&spec(0.0, 0.5), 0.01, 10_000.0, stream(3, i));
            let d = f.value_at(4_000_000_000) - 10_000.0;
            sum_sq += d * d;
        }
        // sigma 0.5 quote = 50 ticks per sqrt(s); over 4 s the variance is 2500 * 4.
        let var = sum_sq / n as f64;
        assert!((var / 10_000.0 - 1.0).abs() < 0.05, "variance {var}");
    }
}
