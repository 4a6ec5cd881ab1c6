//! Momentum agents (ABIDES's MomentumAgent): short against long moving average of the mid.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList, OrderSizes};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario, MAX_WINDOW};
use cascade_book::{Side, Tif};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Momentum agents (ABIDES's MomentumAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MomentumSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Observations in the short moving average.
    #[schemars(extend("x-unit" = "observations", "minimum" = 1, "maximum" = 100000))]
    pub short_window: u32,
    /// Observations in the long moving average.
    #[schemars(extend("x-unit" = "observations", "minimum" = 1, "maximum" = 100000))]
    pub long_window: u32,
    /// Smallest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_min: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub size_max: i64,
    /// How order sizes are drawn (default: uniform in `[size_min, size_max]`).
    #[serde(default)]
    pub order_sizes: OrderSizes,
    /// Buy when the two averages are equal, as ABIDES's MomentumAgent (`>=`); by default an
    /// agent does nothing on a tie.
    #[serde(default)]
    pub ties_buy: bool,
    /// ABIDES's averages (`momentum_agent.py`, `place_orders`): record the mid only while both
    /// sides rest (and act only then), signal from the (`long_window` + 1)th observation, and
    /// compare the averages rounded to 0.01 tick.
    #[serde(default)]
    pub abides_averages: bool,
    /// First wake-up at the open, as ABIDES's agents do (default: after one exponential
    /// draw).
    #[serde(default)]
    pub wake_at_open: bool,
}

impl GroupSpec for MomentumSpec {
    type Agent = Momentum;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        let max = i64::from(MAX_WINDOW);
        f.positive("mean_wake_s", self.mean_wake_s);
        f.int_range("short_window", i64::from(self.short_window), 1, max);
        f.int_range("long_window", i64::from(self.long_window), 1, max);
        if self.short_window >= self.long_window {
            f.err(
                "long_window",
                format!(
                    "must be longer than short_window ({}), got {}",
                    self.short_window, self.long_window
                ),
            );
        }
        self.order_sizes.validate(f, self.size_min, self.size_max);
    }

    fn max_resting(&self) -> usize {
        4
    }

    fn build(&self, _: &mut Member<'_>) -> Momentum {
        Momentum::new(self)
    }
}

/// A momentum agent.
#[derive(Clone, Debug)]
pub struct Momentum {
    mean_wake_s: f64,
    short: usize,
    size_min: i64,
    size_max: i64,
    order_sizes: OrderSizes,
    ties_buy: bool,
    abides_averages: bool,
    wake_at_open: bool,
    /// The last `long_window` observations of twice the mid, oldest overwritten first.
    history_x2: Vec<i64>,
    seen: usize,
}

impl Momentum {
    /// An agent following `spec`.
    pub fn new(spec: &MomentumSpec) -> Self {
        Self {
            mean_wake_s: spec.mean_wake_s,
            short: spec.short_window as usize,
            size_min: spec.size_min,
            size_max: spec.size_max,
            order_sizes: spec.order_sizes,
            ties_buy: spec.ties_buy,
            abides_averages: spec.abides_averages,
            wake_at_open: spec.wake_at_open,
            history_x2: vec![0; spec.long_window as usize],
            seen: 0,
        }
    }

    /// The next wake-up after `now_ns`.
    pub fn next_wake(&self, now_ns: i64, rng: &mut Rng) -> i64 {
        now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s))
    }

    /// Buy when the short average is above the long one, sell when below; on a tie, buy if
    /// `ties_buy`.
    fn signal(&self) -> Option<Side> {
        let long = self.history_x2.len();
        if self.seen < long + usize::from(self.abides_averages) {
            return None;
        }
        let newest = (self.seen - 1) % long;
        let short_sum: i64 = (0..self.short)
            .map(|k| self.history_x2[(newest + long - k) % long])
            .sum();
        let long_sum: i64 = self.history_x2.iter().sum();
        if self.abides_averages {
            // Averages of the mid (half of twice it), rounded to 0.01 tick as ABIDES's.
            let avg = |sum: i64, n: usize| (sum as f64 / (2 * n) as f64 * 100.0).round();
            let (s, l) = (avg(short_sum, self.short), avg(long_sum, long));
            return match s.partial_cmp(&l) {
                Some(std::cmp::Ordering::Greater) => Some(Side::Buy),
                Some(std::cmp::Ordering::Less) => Some(Side::Sell),
                _ => self.ties_buy.then_some(Side::Buy),
            };
        }
        // Compare the averages exactly: short_sum / short vs long_sum / long.
        let lhs = i128::from(short_sum) * long as i128;
        let rhs = i128::from(long_sum) * self.short as i128;
        match lhs.cmp(&rhs) {
            std::cmp::Ordering::Greater => Some(Side::Buy),
            std::cmp::Ordering::Less => Some(Side::Sell),
            std::cmp::Ordering::Equal => self.ties_buy.then_some(Side::Buy),
        }
    }
}

impl Behaviour for Momentum {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(if self.wake_at_open {
            0
        } else {
            self.next_wake(0, rng)
        })
    }

    /// Records the mid; once the long window is full, crosses the spread in the trend's
    /// direction.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let long = self.history_x2.len();
        let mid_x2 = if self.abides_averages {
            ctx.book.l1().mid_x2()
        } else {
            Some(ctx.reference_x2())
        };
        let Some(mid_x2) = mid_x2 else {
            return Some(self.next_wake(ctx.now_ns, rng));
        };
        self.history_x2[self.seen % long] = mid_x2;
        self.seen += 1;
        if let Some(side) = self.signal() {
            let l1 = ctx.book.l1();
            let opposite = match side {
                Side::Buy => l1.ask,
                Side::Sell => l1.bid,
            };
            let qty =
                opposite.and_then(|_| self.order_sizes.draw(rng, self.size_min, self.size_max));
            if let (Some((price, _)), Some(qty)) = (opposite, qty) {
                ctx.out.push(Action::Limit {
                    side,
                    price,
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

    fn agent() -> Momentum {
        Momentum::new(&MomentumSpec {
            name: "m".into(),
            count: 1,
            mean_wake_s: 1.0,
            short_window: 2,
            long_window: 4,
            size_min: 1,
            size_max: 1,
            order_sizes: OrderSizes::Uniform,
            ties_buy: false,
            abides_averages: false,
            wake_at_open: false,
        })
    }

    fn feed(a: &mut Momentum, xs: &[i64]) {
        for x in xs {
            let long = a.history_x2.len();
            a.history_x2[a.seen % long] = *x;
            a.seen += 1;
        }
    }

    #[test]
    fn needs_a_full_long_window() {
        let mut a = agent();
        feed(&mut a, &[1, 2, 3]);
        assert_eq!(a.signal(), None);
    }

    #[test]
    fn rising_prices_buy_and_falling_prices_sell_across_the_ring_boundary() {
        let mut a = agent();
        feed(&mut a, &[10, 10, 10, 10, 11, 12]);
        assert_eq!(a.signal(), Some(Side::Buy));
        feed(&mut a, &[9, 8]);
        assert_eq!(a.signal(), Some(Side::Sell));
        feed(&mut a, &[8, 8, 8, 8]);
        assert_eq!(a.signal(), None);
    }

    #[test]
    fn ties_buy_only_when_asked() {
        let mut a = agent();
        feed(&mut a, &[8, 8, 8, 8]);
        assert_eq!(a.signal(), None);
        a.ties_buy = true;
        assert_eq!(a.signal(), Some(Side::Buy));
        feed(&mut a, &[7, 7]);
        assert_eq!(a.signal(), Some(Side::Sell), "a strict fall still sells");
    }

    #[test]
    fn abides_averages_wait_one_more_observation_and_round_to_a_hundredth_tick() {
        let mut a = agent();
        a.abides_averages = true;
        // Four observations fill the window but ABIDES needs a fifth.
        feed(&mut a, &[20, 20, 20, 22]);
        assert_eq!(a.signal(), None);
        feed(&mut a, &[22]);
        assert_eq!(a.signal(), Some(Side::Buy));
        // Short average 10.0 ticks against long 10.0025: equal at 0.01 tick, so no signal
        // without ties_buy (the exact comparison sells).
        let mut b = agent();
        b.abides_averages = true;
        b.history_x2 = vec![0; 400];
        b.short = 200;
        feed(&mut b, &[20; 200]);
        feed(&mut b, &[20; 199]);
        feed(&mut b, &[22]);
        feed(&mut b, &[20; 200]);
        assert_eq!(b.signal(), None, "rounded averages tie");
        b.abides_averages = false;
        assert_eq!(b.signal(), Some(Side::Sell), "exact averages differ");
    }

    #[test]
    fn wake_at_open_starts_at_zero() {
        let mut a = agent();
        a.wake_at_open = true;
        assert_eq!(a.first_wake(100, &mut crate::rng::stream(1, 2)), Some(0));
    }
}
