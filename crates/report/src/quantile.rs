//! Quantiles of a sample: one definition for the whole program.
//!
//! The p-quantile of n sorted values sits at position h = (n − 1)·p among them, counting from
//! 0 (numpy's default, Hyndman–Fan type 7). [`quantile`] interpolates linearly between the two
//! values either side of h; halfway between them it is their mean, so [`median`] is the middle
//! value of an odd count and the mean of the two middle values of an even one.
//! [`order_statistic`] takes the value nearest h instead (halves round up), for where the
//! answer must be one of the values, such as a price level that was quoted.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

/// The p-quantile (0 ≤ p ≤ 1) of values sorted ascending, interpolated linearly.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "the quantile of no values");
    let last = sorted.len() - 1;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    // Both positions are clamped to the slice, which is not empty.
    let value = |i: usize| sorted.get(i).copied().unwrap_or(f64::NAN);
    let (a, b, f) = (value(lo), value(hi), h - lo as f64);
    if f == 0.0 {
        a
    } else if f == 0.5 {
        // The mean of the two, exactly as a median has always been computed here: the same
        // number as a + f·(b − a) to within one unit in the last place, not always to the bit.
        (a + b) / 2.0
    } else {
        a + f * (b - a)
    }
}

/// The value of `sorted` (ascending) at the position of the p-quantile rounded to the nearest
/// rank, halves up: one of the values, never between two.
pub fn order_statistic(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "the order statistic of no values");
    let last = sorted.len() - 1;
    let i = ((last as f64 * p.clamp(0.0, 1.0)).round() as usize).min(last);
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// The median of unsorted values ([`quantile`] at ½); none for no values.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(quantile(&sorted, 0.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(quantile(&xs, 0.5), 6.0);
        assert_eq!(quantile(&xs, 0.05), 1.5);
        assert_eq!(quantile(&xs, 0.95), 10.5);
        assert_eq!(quantile(&xs, 0.12), 2.2);
        assert_eq!(quantile(&[4.0], 0.95), 4.0);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        // The mean of the middle two, to the bit (a + (b − a)/2 would give 0.30000000000000004).
        assert_eq!(median(&[0.1, 0.5]), Some((0.1 + 0.5) / 2.0));
    }

    #[test]
    fn order_statistics_are_values_of_the_sample() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(order_statistic(&xs, 0.5), 3.0);
        assert_eq!(order_statistic(&xs, 0.0), 1.0);
        assert_eq!(order_statistic(&xs, 0.99), 4.0);
        assert_eq!(order_statistic(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }
}
