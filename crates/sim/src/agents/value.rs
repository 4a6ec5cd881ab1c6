//! Value agents (ABIDES's ValueAgent): noisy observations of the fundamental, filtered, and
//! orders toward the estimated end-of-day value.

use super::{
    draw_side, secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList, OrderSizes,
};
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
    /// How order sizes are drawn (default: uniform in `[size_min, size_max]`).
    #[serde(default)]
    pub order_sizes: OrderSizes,
    /// Observation noise as a variance, ticks² (ABIDES's `sigma_n`, "observation noise
    /// variance"); replaces `observation_noise` when given.
    #[serde(default)]
    #[schemars(extend("x-unit" = "ticks²"))]
    pub observation_variance_ticks2: Option<f64>,
    /// ABIDES's belief update instead of the Kalman filter on the fundamental's own law.
    #[serde(default)]
    pub abides_belief: Option<AbidesBelief>,
    /// How a passive order is priced (default: behind the estimate).
    #[serde(default)]
    pub pricing: ValuePricing,
    /// First wake-up at the open, as ABIDES's agents do (default: after one exponential
    /// draw).
    #[serde(default)]
    pub wake_at_open: bool,
}

/// ABIDES's ValueAgent belief (`updateEstimates`): a discrete mean reversion per nanosecond
/// step toward the fundamental's mean, with the agent's own `kappa` and shock variance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbidesBelief {
    /// The agent's mean reversion per nanosecond (`kappa`; RMSC04 1.67e-15).
    #[schemars(extend("x-unit" = "per ns"))]
    pub kappa_per_ns: f64,
    /// The agent's shock variance per nanosecond, ticks² (`sigma_s`; ABIDES's default
    /// 100,000, which RMSC04 leaves alone).
    #[schemars(extend("x-unit" = "ticks² per ns"))]
    pub shock_variance_ticks2: f64,
}

/// How a value agent prices its order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ValuePricing {
    /// At the estimate, passive orders up to `depth_spreads` spreads behind it, never
    /// crossing; aggressive ones at the opposite best.
    #[default]
    Estimate,
    /// ABIDES's `placeOrder`: the side from the estimate against the mid, the price the
    /// opposite best moved by a uniform whole number of ticks in `[0, depth_spreads × spread)`
    /// toward the agent's side (0 when aggressive), so many orders trade on arrival; at the
    /// estimate with a random side while one side of the book is empty.
    OppositeBest,
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
        self.order_sizes.validate(f, self.size_min, self.size_max);
        if let Some(v) = self.observation_variance_ticks2 {
            if f.non_negative("observation_variance_ticks2", v) && v > 1e12 {
                f.err("observation_variance_ticks2", "must be at most 1e12");
            }
        }
        if let Some(b) = &self.abides_belief {
            let mut w = f.within("abides_belief");
            if w.positive("kappa_per_ns", b.kappa_per_ns) && b.kappa_per_ns >= 1e-3 {
                w.err("kappa_per_ns", "must be below 1e-3 (a rate per nanosecond)");
            }
            if w.non_negative("shock_variance_ticks2", b.shock_variance_ticks2)
                && b.shock_variance_ticks2 > 1e12
            {
                w.err("shock_variance_ticks2", "must be at most 1e12");
            }
        }
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
    order_sizes: OrderSizes,
    abides_belief: Option<AbidesBelief>,
    pricing: ValuePricing,
    wake_at_open: bool,
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
            noise_ticks: spec
                .observation_variance_ticks2
                .map_or(spec.observation_noise / tick_size, f64::sqrt),
            order_sizes: spec.order_sizes,
            abides_belief: spec.abides_belief,
            pricing: spec.pricing,
            wake_at_open: spec.wake_at_open,
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

    /// Today's price: at the estimate, passive orders behind it and never crossing.
    fn estimate_order(&self, target: f64, ctx: &Ctx<'_>, rng: &mut Rng) -> (Side, i64) {
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
        (side, price)
    }

    /// ABIDES's update: advance the belief `dt` one-nanosecond steps of mean reversion at
    /// the agent's `kappa` (variance growing by the shock variance per step), weigh in the
    /// observation against `noise_ticks²`, then project to the end of the run. With RMSC04's
    /// values the prior variance after seconds dwarfs the observation's, so the agent takes
    /// the observation as nearly true.
    fn abides_update(
        &mut self,
        b: AbidesBelief,
        observed: f64,
        now_ns: i64,
        end_ns: i64,
        mu: f64,
    ) -> f64 {
        let prior = self.estimate.unwrap_or(mu);
        let log_keep = (-b.kappa_per_ns).ln_1p();
        let dt = (now_ns - self.last_ns).max(0) as f64;
        let keep = (dt * log_keep).exp();
        // Σ_{k<dt} (1−κ)^{2k} = (1 − (1−κ)^{2dt}) / (1 − (1−κ)²), with expm1 for precision.
        let steps = if dt > 0.0 {
            (2.0 * dt * log_keep).exp_m1() / (2.0 * log_keep).exp_m1()
        } else {
            0.0
        };
        let r_prior = mu + (prior - mu) * keep;
        let v_prior = keep * keep * self.variance + steps * b.shock_variance_ticks2;
        let noise_var = self.noise_ticks * self.noise_ticks;
        let gain = if v_prior + noise_var > 0.0 {
            v_prior / (v_prior + noise_var)
        } else {
            1.0
        };
        let r = r_prior + gain * (observed - r_prior);
        self.estimate = Some(r);
        self.variance = v_prior * (1.0 - gain);
        self.last_ns = now_ns;
        let horizon = (end_ns - now_ns).max(0) as f64;
        (mu + (r - mu) * (horizon * log_keep).exp()).round()
    }

    /// ABIDES's price: side from the estimate against the floored mid, the opposite best
    /// moved toward the agent's side by `[0, depth_spreads × spread)` ticks (0 when
    /// aggressive); the estimate with a random side while a side of the book is empty.
    fn opposite_best_order(
        &self,
        target: f64,
        l1: &cascade_book::L1,
        rng: &mut Rng,
    ) -> (Side, i64) {
        let (Some((bid, _)), Some((ask, _))) = (l1.bid, l1.ask) else {
            return (draw_side(rng), target.round() as i64);
        };
        let (bid, ask) = (bid.0, ask.0);
        let mid = (bid + ask).div_euclid(2);
        let spread = (ask - bid).max(0);
        let aggressive = rng.gen::<f64>() < self.aggressive_prob;
        let room = (self.depth_spreads * spread as f64).floor() as i64;
        let adjust = if aggressive || room < 1 {
            0
        } else {
            rng.gen_range(0..room)
        };
        if target >= mid as f64 {
            (Side::Buy, ask - adjust)
        } else {
            (Side::Sell, bid + adjust)
        }
    }
}

impl Behaviour for Value {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(if self.wake_at_open {
            0
        } else {
            self.next_wake(0, rng)
        })
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
        let target = match self.abides_belief {
            Some(b) => self.abides_update(b, observed.round(), ctx.now_ns, ctx.end_ns, mu),
            None => {
                let estimate = self.filter(observed, ctx.now_ns, mu, kappa, sigma);
                // Projected to the end of the run, as ABIDES's agents do.
                let horizon = (ctx.end_ns - ctx.now_ns) as f64;
                mu + (estimate - mu) * (-kappa * horizon).exp()
            }
        };

        orders.cancel_all(ctx.out);
        let l1 = ctx.book.l1();
        let (side, price) = match self.pricing {
            ValuePricing::Estimate => self.estimate_order(target, ctx, rng),
            ValuePricing::OppositeBest => self.opposite_best_order(target, &l1, rng),
        };
        if price >= 1 {
            if let Some(qty) = self.order_sizes.draw(rng, self.size_min, self.size_max) {
                ctx.out.push(Action::Limit {
                    side,
                    price: Price(price),
                    qty,
                    tif: Tif::Gtc,
                });
            }
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
            order_sizes: OrderSizes::Uniform,
            observation_variance_ticks2: None,
            abides_belief: None,
            pricing: ValuePricing::Estimate,
            wake_at_open: false,
        };
        Value::new(&spec, 1.0)
    }

    const RMSC04: AbidesBelief = AbidesBelief {
        kappa_per_ns: 1.67e-15,
        shock_variance_ticks2: 100_000.0,
    };

    fn abides_agent(variance: f64, depth_spreads: f64, aggressive_prob: f64) -> Value {
        let mut a = agent(0.0);
        a.noise_ticks = variance.sqrt();
        a.abides_belief = Some(RMSC04);
        a.depth_spreads = depth_spreads;
        a.aggressive_prob = aggressive_prob;
        a
    }

    fn l1(bid: i64, ask: i64) -> cascade_book::L1 {
        cascade_book::L1 {
            bid: Some((Price(bid), cascade_book::Qty(1))),
            ask: Some((Price(ask), cascade_book::Qty(1))),
        }
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

    #[test]
    fn observation_variance_is_a_variance_not_a_std() {
        let mut spec = ValueSpec {
            observation_variance_ticks2: Some(1000.0),
            ..agent_spec()
        };
        spec.observation_noise = 10.0;
        let a = Value::new(&spec, 0.01);
        assert!(
            (a.noise_ticks - 1000f64.sqrt()).abs() < 1e-12,
            "{}",
            a.noise_ticks
        );
    }

    fn agent_spec() -> ValueSpec {
        ValueSpec {
            name: "v".into(),
            count: 1,
            mean_wake_s: 1.0,
            observation_noise: 0.0,
            aggressive_prob: 0.0,
            depth_spreads: 0.0,
            size_min: 1,
            size_max: 1,
            order_sizes: OrderSizes::Uniform,
            observation_variance_ticks2: None,
            abides_belief: None,
            pricing: ValuePricing::Estimate,
            wake_at_open: false,
        }
    }

    #[test]
    fn abides_belief_takes_an_observation_seconds_apart_as_nearly_true() {
        let mut a = abides_agent(1000.0, 2.0, 0.1);
        // 175 s after the open, 300 ticks above the mean: prior variance 1.75e11 × 1e5.
        let t = 175_000_000_000;
        let end = 23_400_000_000_000;
        let target = a.abides_update(RMSC04, 100_300.0, t, end, 100_000.0);
        let r = a.estimate.unwrap();
        assert!((r - 100_300.0).abs() < 1e-6, "estimate {r}");
        // Projected to the close at κ = 1.67e-15/ns: 300 × e^{-1.67e-15 × 2.3225e13} = 288.6.
        let expect = 100_000.0 + 300.0 * (-1.67e-15f64 * (end - t) as f64).exp();
        assert_eq!(target, expect.round());
        assert_eq!(target, 100_289.0);
    }

    #[test]
    fn abides_belief_weighs_a_prior_of_equal_variance_half() {
        let mut a = abides_agent(1.0, 0.0, 0.0);
        // One nanosecond step with unit shock variance against unit noise: gain 1/2.
        let b = AbidesBelief {
            kappa_per_ns: 1e-12,
            shock_variance_ticks2: 1.0,
        };
        a.abides_update(b, 110.0, 1, 1, 100.0);
        assert!(
            (a.estimate.unwrap() - 105.0).abs() < 1e-9,
            "{:?}",
            a.estimate
        );
        assert!((a.variance - 0.5).abs() < 1e-9);
    }

    #[test]
    fn opposite_best_pricing_crosses_about_half_the_time_at_a_one_tick_spread() {
        let a = abides_agent(0.0, 2.0, 0.1);
        let mut rng = crate::rng::stream(9, 9);
        let book = l1(999, 1000);
        let n = 20_000;
        let mut at_ask = 0;
        for _ in 0..n {
            let (side, price) = a.opposite_best_order(1_001.0, &book, &mut rng);
            assert_eq!(side, Side::Buy);
            assert!(price == 999 || price == 1000, "{price}");
            at_ask += usize::from(price == 1000);
        }
        // 10% aggressive plus half of the rest: 0.1 + 0.9 / 2 = 0.55.
        let share = at_ask as f64 / n as f64;
        assert!((share - 0.55).abs() < 0.015, "{share}");
        // Below the floored mid it sells, from the bid upward.
        let (side, price) = a.opposite_best_order(990.0, &l1(990, 1000), &mut rng);
        assert_eq!(side, Side::Sell);
        assert!((990..1010).contains(&price), "{price}");
        // Equal to the mid buys, as ABIDES's `r_T >= mid`.
        let (side, _) = a.opposite_best_order(995.0, &l1(990, 1000), &mut rng);
        assert_eq!(side, Side::Buy);
    }

    #[test]
    fn opposite_best_pricing_on_an_empty_side_uses_the_estimate() {
        let a = abides_agent(0.0, 2.0, 0.1);
        let mut rng = crate::rng::stream(9, 10);
        let empty = cascade_book::L1 {
            bid: None,
            ask: None,
        };
        let (_, price) = a.opposite_best_order(1_234.4, &empty, &mut rng);
        assert_eq!(price, 1_234);
    }
}
