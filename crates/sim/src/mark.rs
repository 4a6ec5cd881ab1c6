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

/// Longest basis window of the `VenueMedian` and `IndexBasis` marks, seconds (one sample a
/// second is kept for each).
pub const MAX_BASIS_WINDOW_S: u32 = 3_600;

const SECOND_NS: i64 = 1_000_000_000;

/// What the mark reads at an update.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarkInputs {
    /// Twice the mid, ticks, when both sides rest.
    pub mid_x2: Option<i64>,
    /// The last trade price, ticks (the initial price before any trade).
    pub last: i64,
    /// When the last trade happened, ns (none before the first).
    pub last_trade_ns: Option<i64>,
    /// The index, ticks.
    pub index: Option<f64>,
    /// The predicted funding rate × time to the next payment / interval (a fraction): P1's and
    /// the fair price's basis.
    pub funding_basis: f64,
}

/// The mark price rule and its state.
#[derive(Clone, Debug)]
pub struct Mark {
    rule: MarkSpec,
    half_life_ns: f64,
    value: i64,
    ema: Option<f64>,
    last_ns: i64,
    /// The basis samples of a moving-average rule, one a second, newest last, and their sum.
    window: std::collections::VecDeque<f64>,
    window_len: usize,
    window_sum: f64,
    /// The next whole second at which a basis sample is due, and the basis as the market
    /// stood since the last update (none while the book was one-sided).
    next_sample_ns: i64,
    held_basis: Option<f64>,
}

impl Mark {
    /// A mark starting at `initial` ticks.
    pub fn new(rule: &MarkSpec, initial: i64) -> Self {
        let half_life_ns = match rule {
            MarkSpec::EmaMid { half_life_s } | MarkSpec::OracleEma { half_life_s } => {
                half_life_s * 1e9
            }
            MarkSpec::Median { basis_half_life_s } => basis_half_life_s * 1e9,
            _ => 1.0,
        };
        let window_len = match rule {
            MarkSpec::VenueMedian { basis_window_s } | MarkSpec::IndexBasis { basis_window_s } => {
                (basis_window_s.round() as usize).clamp(1, MAX_BASIS_WINDOW_S as usize)
            }
            _ => 0,
        };
        Self {
            rule: rule.clone(),
            half_life_ns,
            value: initial,
            ema: None,
            last_ns: 0,
            window: std::collections::VecDeque::with_capacity(window_len),
            window_len,
            window_sum: 0.0,
            next_sample_ns: SECOND_NS,
            held_basis: None,
        }
    }

    /// True when the rule reads the funding basis (P1, the fair price).
    pub fn reads_funding(&self) -> bool {
        matches!(
            self.rule,
            MarkSpec::VenueMedian { .. } | MarkSpec::FairPrice
        )
    }

    /// The current mark, ticks.
    pub fn value(&self) -> i64 {
        self.value
    }

    /// Recomputes the mark from the market at `now_ns` (the rules of today's scenarios, which
    /// read no funding); returns the new value.
    pub fn update(
        &mut self,
        now_ns: i64,
        mid_x2: Option<i64>,
        last: i64,
        index: Option<f64>,
    ) -> i64 {
        self.update_with(
            now_ns,
            &MarkInputs {
                mid_x2,
                last,
                last_trade_ns: None,
                index,
                funding_basis: 0.0,
            },
        )
    }

    /// Recomputes the mark from `inputs` at `now_ns`; returns the new value.
    pub fn update_with(&mut self, now_ns: i64, inputs: &MarkInputs) -> i64 {
        let mid = inputs.mid_x2.map(|m| m as f64 / 2.0);
        let last = inputs.last as f64;
        let value = match self.rule {
            MarkSpec::Last => Some(last),
            MarkSpec::Mid => mid,
            MarkSpec::Index => inputs.index,
            MarkSpec::EmaMid { .. } => mid.map(|m| self.average(now_ns, m)),
            MarkSpec::Median { .. } => match (mid, inputs.index) {
                (Some(m), Some(ix)) => {
                    let basis = self.average(now_ns, m - ix);
                    Some(median3(ix + basis, m, last))
                }
                (None, Some(ix)) => Some(median3(ix + self.ema.unwrap_or(0.0), ix, last)),
                _ => None,
            },
            MarkSpec::VenueMedian { .. } => inputs.index.map(|ix| {
                let p1 = ix * (1.0 + inputs.funding_basis);
                let p2 = ix + self.moving_basis(now_ns, mid, ix);
                let window_ns = self.window_len as i64 * SECOND_NS;
                let fresh = inputs
                    .last_trade_ns
                    .is_some_and(|t| now_ns - t <= window_ns);
                // A stale last trade says nothing about the market now: P1 stands in.
                median3(p1, p2, if fresh { last } else { p1 })
            }),
            MarkSpec::IndexBasis { .. } => inputs
                .index
                .map(|ix| ix + self.moving_basis(now_ns, mid, ix)),
            MarkSpec::FairPrice => inputs.index.map(|ix| ix * (1.0 + inputs.funding_basis)),
            MarkSpec::OracleEma { .. } => inputs.index.map(|ix| {
                let basis = match mid {
                    Some(m) => self.average(now_ns, m - ix),
                    None => self.ema.unwrap_or(0.0),
                };
                ix + basis
            }),
        };
        if let Some(v) = value {
            self.value = (v.round() as i64).max(1);
        }
        self.value
    }

    /// The moving average of (mid − index) sampled at each whole second over the window. The
    /// seconds since the last update are sampled with the basis that held through them; a
    /// one-sided book adds no sample; no sample yet gives 0 (the index alone).
    fn moving_basis(&mut self, now_ns: i64, mid: Option<f64>, ix: f64) -> f64 {
        if self.next_sample_ns <= now_ns {
            let due = (now_ns - self.next_sample_ns) / SECOND_NS + 1;
            if let Some(b) = self.held_basis {
                // More than a window of equal samples is the same as a window of them.
                for _ in 0..due.min(self.window_len as i64) {
                    self.push_basis(b);
                }
            }
            self.next_sample_ns += due * SECOND_NS;
        }
        self.held_basis = mid.map(|m| m - ix);
        if self.window.is_empty() {
            0.0
        } else {
            self.window_sum / self.window.len() as f64
        }
    }

    fn push_basis(&mut self, b: f64) {
        if self.window.len() == self.window_len {
            if let Some(old) = self.window.pop_front() {
                self.window_sum -= old;
            }
        }
        self.window.push_back(b);
        self.window_sum += b;
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

    fn at(mid_x2: Option<i64>, last: i64, last_trade_ns: Option<i64>, index: f64) -> MarkInputs {
        MarkInputs {
            mid_x2,
            last,
            last_trade_ns,
            index: Some(index),
            funding_basis: 0.0,
        }
    }

    const S: i64 = 1_000_000_000;

    #[test]
    fn venue_median_is_the_median_of_p1_p2_and_a_fresh_last() {
        let mut m = Mark::new(
            &MarkSpec::VenueMedian {
                basis_window_s: 3.0,
            },
            100,
        );
        // Index 1000, mid 1010 from t = 0; P1 = 1000 × (1 + 0.001) = 1001.
        let mut inputs = at(Some(2020), 1030, Some(0), 1000.0);
        inputs.funding_basis = 0.001;
        // No basis sample yet: P2 = index = 1000; median(1001, 1000, 1030) = 1001.
        assert_eq!(m.update_with(0, &inputs), 1001);
        // At 2.5 s the seconds 1 and 2 were sampled with basis 10: P2 = 1010;
        // median(1001, 1010, 1030) = 1010.
        assert_eq!(m.update_with(2 * S + S / 2, &inputs), 1010);
        // The book turns one-sided at 3.5 s (second 3 was sampled at 10); a trade at 3 s
        // keeps the last fresh: P2 stays 1010.
        inputs.mid_x2 = None;
        inputs.last_trade_ns = Some(3 * S);
        assert_eq!(m.update_with(3 * S + S / 2, &inputs), 1010);
        // The mid comes back at 980 (basis −20) at 3.5 s: seconds 4 and 5 sample −20, the
        // window is [10, −20, −20], P2 = 990. A fresh last of 995 is the median ...
        inputs.mid_x2 = Some(1960);
        inputs.last = 995;
        m.update_with(3 * S + S / 2, &inputs);
        let mut stale = m.clone();
        assert_eq!(m.update_with(5 * S, &inputs), 995);
        // ... a last trade older than the 3 s window is replaced by P1: median(1001, 990, 1001).
        inputs.last_trade_ns = Some(0);
        assert_eq!(stale.update_with(5 * S, &inputs), 1001);
    }

    #[test]
    fn index_basis_and_fair_price_fall_back_on_the_index() {
        let mut ib = Mark::new(
            &MarkSpec::IndexBasis {
                basis_window_s: 2.0,
            },
            1,
        );
        // One-sided from the start: the index alone.
        assert_eq!(ib.update_with(5 * S, &at(None, 7, None, 500.0)), 500);
        assert_eq!(ib.update_with(5 * S, &at(Some(1020), 7, None, 500.0)), 500);
        // Seconds 6 and 7 sampled at basis 10, second 8 at basis 30 (the mid moved at 7.5 s).
        ib.update_with(7 * S + S / 2, &at(Some(1060), 7, None, 500.0));
        assert_eq!(ib.update_with(8 * S, &at(Some(1060), 7, None, 500.0)), 520);
        let mut fair = Mark::new(&MarkSpec::FairPrice, 1);
        let mut i = at(Some(3000), 9, None, 2000.0);
        i.funding_basis = -0.0025;
        assert_eq!(fair.update_with(0, &i), 1995, "2000 × (1 − 0.0025)");
    }

    #[test]
    fn oracle_ema_holds_its_basis_while_the_book_is_one_sided() {
        let mut m = Mark::new(&MarkSpec::OracleEma { half_life_s: 1.0 }, 1);
        assert_eq!(m.update_with(0, &at(Some(2040), 0, None, 1000.0)), 1020);
        // One half-life later the basis is half-way from 20 to 0.
        assert_eq!(m.update_with(S, &at(Some(2000), 0, None, 1000.0)), 1010);
        // One-sided: the basis is kept, the index moves the mark.
        assert_eq!(m.update_with(2 * S, &at(None, 0, None, 900.0)), 910);
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
