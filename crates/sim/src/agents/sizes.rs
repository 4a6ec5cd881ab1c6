//! Order-size models shared by the background agents: a uniform range, or ABIDES's fitted
//! mixture (abides-markets `models/order_size_model.py`, `OrderSizeModel`).

use super::draw_size;
use crate::rng::Rng;
use crate::scenario::Fields;
use cascade_book::Qty;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How an agent draws the size of an order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OrderSizes {
    /// Uniform in `[size_min, size_max]` lots.
    #[default]
    Uniform,
    /// ABIDES's mixture (mean about 105, median 100): a log-normal (μ 2.9, σ 1.2) with weight
    /// 0.2 and normals of std 0.15 around 100, 200, …, 1,000 lots, rounded to whole lots;
    /// `size_min` and `size_max` are ignored. A draw that rounds to 0 places no order, as in
    /// ABIDES; a draw above [`MIXTURE_MAX_LOTS`] is cut to it.
    AbidesMixture,
}

/// The largest size the mixture gives, lots (the log-normal passes it with probability
/// below 1e-7).
pub const MIXTURE_MAX_LOTS: i64 = 10_000;

/// Weights of the mixture's components: the log-normal, then the normals at 100 × (k + 1).
const WEIGHTS: [f64; 11] = [
    0.2, 0.7, 0.06, 0.004, 0.0329, 0.001, 0.0006, 0.0004, 0.0005, 0.0003, 0.0003,
];
const LOGNORMAL_MU: f64 = 2.9;
const LOGNORMAL_SIGMA: f64 = 1.2;
const NORMAL_STD: f64 = 0.15;

impl OrderSizes {
    /// Checks the sizes the model can give against the order bounds of the run.
    pub(crate) fn validate(&self, f: &mut Fields<'_>, size_min: i64, size_max: i64) {
        match self {
            OrderSizes::Uniform => f.sizes(size_min, size_max),
            OrderSizes::AbidesMixture => f.lots("order_sizes", MIXTURE_MAX_LOTS),
        }
    }

    /// One order's size, or none when the draw rounds to zero.
    pub fn draw(&self, rng: &mut Rng, size_min: i64, size_max: i64) -> Option<Qty> {
        match self {
            OrderSizes::Uniform => Some(draw_size(rng, size_min, size_max)),
            OrderSizes::AbidesMixture => {
                let lots = mixture_draw(rng).round().min(MIXTURE_MAX_LOTS as f64);
                (lots >= 1.0).then_some(Qty(lots as i64))
            }
        }
    }
}

/// One draw of the mixture, unrounded.
fn mixture_draw(rng: &mut Rng) -> f64 {
    let u: f64 = rng.gen::<f64>() * WEIGHTS.iter().sum::<f64>();
    let mut acc = 0.0;
    let mut component = WEIGHTS.len() - 1;
    for (k, w) in WEIGHTS.iter().enumerate() {
        acc += w;
        if u < acc {
            component = k;
            break;
        }
    }
    let z: f64 = StandardNormal.sample(rng);
    if component == 0 {
        (LOGNORMAL_MU + LOGNORMAL_SIGMA * z).exp()
    } else {
        100.0 * component as f64 + NORMAL_STD * z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn the_mixture_has_abides_mean_median_and_round_lot_share() {
        let mut rng = stream(3, 3);
        let n = 200_000;
        let mut sizes: Vec<i64> = (0..n)
            .filter_map(|_| OrderSizes::AbidesMixture.draw(&mut rng, 1, 1))
            .map(|q| q.0)
            .collect();
        // The log-normal part rounds to 0 only below 0.5 lots: P ≈ 0.2 × Φ(−2.99) ≈ 0.03%.
        assert!(sizes.len() > n - n / 500, "{} of {n}", sizes.len());
        let mean = sizes.iter().sum::<i64>() as f64 / sizes.len() as f64;
        // 0.2 × e^{2.9 + 0.72} + Σ w_k × 100k = 7.47 + 98.1 ≈ 105.6.
        assert!((mean - 105.6).abs() < 2.0, "mean {mean}");
        let hundreds = sizes.iter().filter(|&&s| s == 100).count() as f64 / sizes.len() as f64;
        assert!((hundreds - 0.70).abs() < 0.01, "share at 100: {hundreds}");
        let at_400 = sizes.iter().filter(|&&s| s == 400).count() as f64 / sizes.len() as f64;
        assert!((at_400 - 0.0329).abs() < 0.003, "share at 400: {at_400}");
        sizes.sort_unstable();
        assert_eq!(sizes[sizes.len() / 2], 100);
        assert!(sizes.iter().all(|&s| (1..=MIXTURE_MAX_LOTS).contains(&s)));
    }

    #[test]
    fn uniform_sizes_stay_in_their_range() {
        let mut rng = stream(4, 4);
        for _ in 0..1000 {
            let q = OrderSizes::Uniform.draw(&mut rng, 20, 50).unwrap();
            assert!((20..=50).contains(&q.0));
        }
    }
}
