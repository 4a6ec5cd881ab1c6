//! The mark price (on which liquidations trigger) and the exogenous index it may follow.

use crate::rng::Rng;
use crate::scenario::{IndexSpec, MarkSpec};
use rand_distr::{Distribution, Poisson, StandardNormal};

/// The exogenous index: geometric Brownian motion with jumps, or a scripted path. In ticks.
#[derive(Clone, Debug)]
pub struct Index {
    value_ticks: f64,
    drift_per_ns: f64,
    vol_per_sqrt_ns: f64,
    jump_rate_per_ns: f64,
    jump_mean: f64,
    jump_std: f64,
    /// Scripted path: (time ns, ticks).
    path: Vec<(i64, f64)>,
    /// Multiplier from index-jump shocks applied to a scripted path.
    path_factor: f64,
    time_ns: i64,
    rng: Rng,
}

impl Index {
    /// An index starting at `start_ticks`.
    pub fn new(spec: &IndexSpec, tick_size: f64, start_ticks: f64, rng: Rng) -> Self {
        Self {
            value_ticks: start_ticks,
            drift_per_ns: spec.drift_per_s * 1e-9,
            vol_per_sqrt_ns: spec.vol_per_sqrt_s * (1e-9f64).sqrt(),
            jump_rate_per_ns: spec.jump_rate_per_s * 1e-9,
            jump_mean: spec.jump_mean_pct / 100.0,
            jump_std: spec.jump_std_pct / 100.0,
            path: spec
                .path
                .iter()
                .map(|(t, p)| ((t * 1e9).round() as i64, p / tick_size))
                .collect(),
            path_factor: 1.0,
            time_ns: 0,
            rng,
        }
    }

    /// The value at `t_ns` (not earlier than the last call), ticks.
    pub fn advance_to(&mut self, t_ns: i64) -> f64 {
        if !self.path.is_empty() {
            self.time_ns = t_ns;
            self.value_ticks = self.path_value(t_ns) * self.path_factor;
            return self.value_ticks;
        }
        if t_ns > self.time_ns {
            let dt = (t_ns - self.time_ns) as f64;
            let z: f64 = StandardNormal.sample(&mut self.rng);
            let v = self.vol_per_sqrt_ns;
            let mut log_step = (self.drift_per_ns - 0.5 * v * v) * dt + v * dt.sqrt() * z;
            let lambda = self.jump_rate_per_ns * dt;
            if lambda > 0.0 {
                let n = Poisson::new(lambda)
                    .map(|p| p.sample(&mut self.rng))
                    .unwrap_or(0.0);
                for _ in 0..(n as u32).min(1000) {
                    let j: f64 = StandardNormal.sample(&mut self.rng);
                    log_step += (1.0 + self.jump_mean + self.jump_std * j).max(1e-6).ln();
                }
            }
            self.value_ticks = (self.value_ticks * log_step.exp()).max(1.0);
            self.time_ns = t_ns;
        }
        self.value_ticks
    }

    /// The current value, ticks.
    pub fn value(&self) -> f64 {
        self.value_ticks
    }

    /// Multiplies the index by (1 + pct/100): a scripted jump.
    pub fn jump(&mut self, pct: f64) {
        let f = (1.0 + pct / 100.0).max(1e-6);
        self.value_ticks = (self.value_ticks * f).max(1.0);
        self.path_factor *= f;
    }

    fn path_value(&self, t: i64) -> f64 {
        let p = &self.path;
        if t <= p[0].0 {
            return p[0].1;
        }
        for w in p.windows(2) {
            let ((t0, v0), (t1, v1)) = (w[0], w[1]);
            if t <= t1 {
                return v0 + (v1 - v0) * (t - t0) as f64 / (t1 - t0) as f64;
            }
        }
        p[p.len() - 1].1
    }
}

/// The mark price rule and its state.
#[derive(Clone, Debug)]
pub struct Mark {
    rule: MarkSpec,
    half_life_ns: f64,
    value: i64,
    ema: Option<f64>,
    last_ns: i64,
}

impl Mark {
    /// A mark starting at `initial` ticks.
    pub fn new(rule: &MarkSpec, initial: i64) -> Self {
        let half_life_ns = match rule {
            MarkSpec::EmaMid { half_life_s } => half_life_s * 1e9,
            MarkSpec::Median { basis_half_life_s } => basis_half_life_s * 1e9,
            _ => 1.0,
        };
        Self {
            rule: rule.clone(),
            half_life_ns,
            value: initial,
            ema: None,
            last_ns: 0,
        }
    }

    /// The current mark, ticks.
    pub fn value(&self) -> i64 {
        self.value
    }

    /// Recomputes the mark from the market at `now_ns`; returns the new value.
    pub fn update(
        &mut self,
        now_ns: i64,
        mid_x2: Option<i64>,
        last: i64,
        index: Option<f64>,
    ) -> i64 {
        let mid = mid_x2.map(|m| m as f64 / 2.0);
        let value = match self.rule {
            MarkSpec::Last => Some(last as f64),
            MarkSpec::Mid => mid,
            MarkSpec::Index => index,
            MarkSpec::EmaMid { .. } => mid.map(|m| self.average(now_ns, m)),
            MarkSpec::Median { .. } => match (mid, index) {
                (Some(m), Some(ix)) => {
                    let basis = self.average(now_ns, m - ix);
                    Some(median3(ix + basis, m, last as f64))
                }
                (None, Some(ix)) => Some(median3(ix + self.ema.unwrap_or(0.0), ix, last as f64)),
                _ => None,
            },
        };
        if let Some(v) = value {
            self.value = (v.round() as i64).max(1);
        }
        self.value
    }

    /// Time-weighted exponential average with the rule's half-life.
    fn average(&mut self, now_ns: i64, x: f64) -> f64 {
        let avg = match self.ema {
            None => x,
            Some(prev) => {
                let dt = (now_ns - self.last_ns).max(0) as f64;
                let w = 1.0 - (-(dt / self.half_life_ns) * std::f64::consts::LN_2).exp();
                prev + w * (x - prev)
            }
        };
        self.ema = Some(avg);
        self.last_ns = now_ns;
        avg
    }
}

fn median3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b).min(a.min(b).max(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn median_of_three() {
        assert_eq!(median3(1.0, 2.0, 3.0), 2.0);
        assert_eq!(median3(3.0, 1.0, 2.0), 2.0);
        assert_eq!(median3(2.0, 3.0, 1.0), 2.0);
    }

    #[test]
    fn each_rule_reads_its_source() {
        let mut last = Mark::new(&MarkSpec::Last, 100);
        assert_eq!(last.update(1, Some(210), 97, Some(120.0)), 97);
        let mut mid = Mark::new(&MarkSpec::Mid, 100);
        assert_eq!(mid.update(1, Some(210), 97, None), 105);
        assert_eq!(
            mid.update(2, None, 50, None),
            105,
            "a one-sided book keeps the last mark"
        );
        let mut ix = Mark::new(&MarkSpec::Index, 100);
        assert_eq!(ix.update(1, Some(210), 97, Some(120.4)), 120);
        let mut med = Mark::new(
            &MarkSpec::Median {
                basis_half_life_s: 1.0,
            },
            100,
        );
        // First basis = mid − index = −15: P2 = 105, so median(105, 105, 97) = 105.
        assert_eq!(med.update(1, Some(210), 97, Some(120.0)), 105);
        // A single print far away does not move a median mark.
        assert_eq!(med.update(2, Some(210), 10, Some(120.0)), 105);
    }

    #[test]
    fn ema_mid_moves_half_way_in_one_half_life() {
        let mut m = Mark::new(&MarkSpec::EmaMid { half_life_s: 1.0 }, 100);
        m.update(0, Some(200), 100, None);
        assert_eq!(m.update(1_000_000_000, Some(400), 100, None), 150);
    }

    #[test]
    fn scripted_index_interpolates_and_jumps_scale_it() {
        let spec = IndexSpec {
            interval_s: 1.0,
            drift_per_s: 0.0,
            vol_per_sqrt_s: 0.0,
            jump_rate_per_s: 0.0,
            jump_mean_pct: 0.0,
            jump_std_pct: 0.0,
            path: vec![(0.0, 100.0), (10.0, 90.0)],
        };
        let mut ix = Index::new(&spec, 1.0, 100.0, stream(1, 1));
        assert_eq!(ix.advance_to(5_000_000_000), 95.0);
        ix.jump(-10.0);
        assert!((ix.advance_to(10_000_000_000) - 81.0).abs() < 1e-9);
    }
}
