//! Value agents (ABIDES's ValueAgent): noisy observations of the fundamental, filtered, and
//! orders toward the estimated end-of-day value.

use super::{draw_size, secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Side, Tif};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Value agents (ABIDES's ValueAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Standard deviation of the observation noise, quote currency.
    #[schemars(extend("x-unit" = "quote currency", "minimum" = 0))]
    pub observation_noise: f64,
    /// Probability that an order crosses the spread.
    #[schemars(extend("x-unit" = "probability", "minimum" = 0, "maximum" = 1))]
    pub aggressive_prob: f64,
    /// Passive orders sit up to this many spreads behind the estimate.
    #[schemars(extend("x-unit" = "spreads", "minimum" = 0, "maximum" = 1000))]
    pub depth_spreads: f64,
    /// Smallest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_min: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_max: i64,
}

impl GroupSpec for ValueSpec {
    type Agent = Value;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        if scenario.fundamental.is_none() {
            f.section_err(
                "value agents need a fundamental: add `fundamental: Some(Fundamental(...))`",
            );
        }
        f.positive("mean_wake_s", self.mean_wake_s);
        f.non_negative("observation_noise", self.observation_noise);
        f.probability("aggressive_prob", self.aggressive_prob);
        if f.non_negative("depth_spreads", self.depth_spreads) && self.depth_spreads > 1000.0 {
            f.err("depth_spreads", "must be at most 1000");
        }
        f.sizes(self.size_min, self.size_max);
    }

    fn max_resting(&self) -> usize {
        4
    }

    fn build(&self, member: &mut Member<'_>) -> Value {
        Value::new(self, member.tick_size)
    }
}

/// A value agent with a Kalman-filtered belief about the fundamental.
#[derive(Clone, Debug)]
pub struct Value {
    mean_wake_s: f64,
    noise_ticks: f64,
    aggressive_prob: f64,
    depth_spreads: f64,
    size_min: i64,
    size_max: i64,
    /// Current estimate of the fundamental, ticks (none before the first look).
    estimate: Option<f64>,
    /// Variance of the estimate, ticks².
    variance: f64,
    last_ns: i64,
}

impl Value {
    /// An agent following `spec`; `tick_size` converts the observation noise to ticks.
    pub fn new(spec: &ValueSpec, tick_size: f64) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            noise_ticks: spec.observation_noise / tick_size,
            aggressive_prob: spec.aggressive_prob,
            depth_spreads: spec.depth_spreads,
            size_min: spec.size_min,
            size_max: spec.size_max,
            estimate: None,
            variance: 0.0,
            last_ns: 0,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }

    fn adjust(&self, rng: &mut Rng, spread: i64) -> i64 {
        let max = (self.depth_spreads * spread as f64).floor() as i64;
        if max > 0 {
            rng.gen_range(0..=max)
        } else {
            0
        }
    }

    /// One Kalman step of the OU belief: predict to `now`, then weigh in the observation.
    fn filter(&mut self, observed: f64, now_ns: i64, mu: f64, kappa: f64, sigma: f64) -> f64 {
        let prior = self.estimate.unwrap_or(mu);
        let dt = (now_ns - self.last_ns) as f64;
        let (decay, var_add) = if kappa > 0.0 {
            let d = (-kappa * dt).exp();
            (d, sigma * sigma * (1.0 - d * d) / (2.0 * kappa))
        } else {
            (1.0, sigma * sigma * dt)
        };
        let m = mu + (prior - mu) * decay;
        let v = self.variance * decay * decay + var_add;
        let noise_var = self.noise_ticks * self.noise_ticks;
        let gain = if v + noise_var > 0.0 {
            v / (v + noise_var)
        } else {
            1.0
        };
        let estimate = if self.estimate.is_none() && noise_var == 0.0 {
            observed
        } else {
            m + gain * (observed - m)
        };
        self.estimate = Some(estimate);
        self.variance = v * (1.0 - gain);
        self.last_ns = now_ns;
        estimate
    }
}

impl Behaviour for Value {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(self.next_wake(0, rng))
    }

    /// Observes, updates the belief, replaces its order.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        let f = ctx.fundamental.as_deref_mut()?;
        let truth = f.value_at(ctx.now_ns);
        let (mu, kappa, sigma) = (
            f.mean_ticks(),
            f.kappa_per_ns(),
            f.sigma_ticks_per_sqrt_ns(),
        );
        let z: f64 = StandardNormal.sample(rng);
        let observed = truth + self.noise_ticks * z;
        let estimate = self.filter(observed, ctx.now_ns, mu, kappa, sigma);
        // Projected to the end of the run, as ABIDES's agents do.
        let horizon = (ctx.end_ns - ctx.now_ns) as f64;
        let target = mu + (estimate - mu) * (-kappa * horizon).exp();

        orders.cancel_all(ctx.out);
        let l1 = ctx.book.l1();
        let mid = ctx.reference_x2() as f64 / 2.0;
        let side = if target > mid { Side::Buy } else { Side::Sell };
        let aggressive = rng.gen::<f64>() < self.aggressive_prob;
        let spread = l1.spread_ticks().unwrap_or(1).max(1);
        let target_ticks = target.round() as i64;
        let price = match (side, aggressive) {
            (Side::Buy, true) => l1.ask.map(|(p, _)| p.0).unwrap_or(target_ticks),
            (Side::Sell, true) => l1.bid.map(|(p, _)| p.0).unwrap_or(target_ticks),
            (Side::Buy, false) => {
                let adj = self.adjust(rng, spread);
                let cap = l1.ask.map(|(p, _)| p.0 - 1).unwrap_or(i64::MAX);
                (target_ticks - adj).min(cap)
            }
            (Side::Sell, false) => {
                let adj = self.adjust(rng, spread);
                let floor = l1.bid.map(|(p, _)| p.0 + 1).unwrap_or(1);
                (target_ticks + adj).max(floor)
            }
        };
        if price >= 1 {
            let qty = draw_size(rng, self.size_min, self.size_max);
            ctx.out.push(Action::Limit {
                side,
                price: Price(price),
                qty,
                tif: Tif::Gtc,
            });
        }
        Some(self.next_wake(ctx.now_ns, rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(noise: f64) -> Value {
        let spec = ValueSpec {
            name: "v".into(),
            count: 1,
            mean_wake_s: 1.0,
            observation_noise: noise,
            aggressive_prob: 0.0,
            depth_spreads: 0.0,
            size_min: 1,
            size_max: 1,
        };
        Value::new(&spec, 1.0)
    }

    #[test]
    fn noiseless_observation_is_taken_as_the_truth() {
        let mut a = agent(0.0);
        assert_eq!(a.filter(105.0, 10, 100.0, 0.0, 0.0), 105.0);
    }

    #[test]
    fn noisy_observation_is_weighed_against_the_prior() {
        let mut a = agent(1.0);
        // Prior variance 0 at the mean, then one unit of diffusion: gain 1/2.
        let e = a.filter(110.0, 1, 100.0, 0.0, 1.0);
        assert!((e - 105.0).abs() < 1e-12, "{e}");
        assert!((a.variance - 0.5).abs() < 1e-12);
    }
}
