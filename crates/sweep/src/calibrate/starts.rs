//! Multi-start: where each of a calibration's independent searches begins, and what each one
//! found.
//!
//! Start 0 begins at the calibration's `start` (the middle of the bounds unless given), so a
//! calibration of one start is the single search it always was. Start k ≥ 1 begins at point
//! k + 1 of the Halton sequence in the unit cube of the bounds (coordinate i the radical
//! inverse of k + 1 in the i-th prime base: 2, 3, 5, 7, …). Point 1, (½, ⅓, ⅕, …), is skipped:
//! with one parameter it is the middle, start 0's default. The points are low-discrepancy (they
//! spread over the box as K grows), fixed (no random draw), never on a bound, and the same
//! whatever the shard that runs them.

use super::journal::Candidate;
use super::nelder_mead::Stop;
use super::Design;
use serde_json::{json, Value};

/// The unit coordinates where start `k` begins.
pub fn start_point(design: &Design, k: u32) -> Vec<f64> {
    if k == 0 {
        return design.start.clone();
    }
    primes(design.parameters.len())
        .into_iter()
        .map(|base| radical_inverse(u64::from(k) + 1, base))
        .collect()
}

/// The radical inverse of `n` in `base`: its digits mirrored behind the point.
fn radical_inverse(mut n: u64, base: u64) -> f64 {
    let b = base as f64;
    let (mut x, mut scale) = (0.0, 1.0 / b);
    while n > 0 {
        x += (n % base) as f64 * scale;
        n /= base;
        scale /= b;
    }
    x
}

/// The first `count` primes.
fn primes(count: usize) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::with_capacity(count);
    let mut n = 2;
    while out.len() < count {
        if out.iter().take_while(|&&p| p * p <= n).all(|&p| n % p != 0) {
            out.push(n);
        }
        n += 1;
    }
    out
}

/// One search's candidates, in the order it asked for them, and why it stopped.
#[derive(Clone, Debug)]
pub struct StartRun {
    /// The start's index.
    pub start: u32,
    /// Its evaluated candidates.
    pub done: Vec<Candidate>,
    /// Why its search stopped.
    pub stop: Stop,
}

/// The word calibration.json uses for a stop.
pub fn stop_word(stop: Stop) -> &'static str {
    match stop {
        Stop::Converged => "converged",
        Stop::Budget => "budget",
        Stop::Iterations => "iterations",
    }
}

/// One start as calibration.json's `starts` lists it: where it began, where it ended, its
/// objective there, what it cost and why it stopped.
pub fn summary(design: &Design, s: &StartRun) -> Value {
    let best = super::estimate::best(&s.done);
    let from = start_point(design, s.start);
    let mut values = serde_json::Map::new();
    let mut from_values = serde_json::Map::new();
    for (i, p) in design.parameters.iter().enumerate() {
        if let Some(v) = best.and_then(|b| b.values.get(i)) {
            values.insert(p.path.clone(), json!(v));
        }
        if let Some(&u) = from.get(i) {
            from_values.insert(p.path.clone(), json!(p.value(u).cell));
        }
    }
    json!({
        "start": s.start,
        "from": from_values,
        "from_unit": from,
        "estimate": values,
        "estimate_unit": best.map(|b| b.unit.clone()),
        "objective": best.and_then(|b| b.objective),
        "candidate": best.map(|b| b.index),
        "candidates": s.done.len(),
        "runs": s.done.len() * design.seeds.len(),
        "stopped": stop_word(s.stop),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radical_inverses_mirror_the_digits() {
        assert_eq!(radical_inverse(1, 2), 0.5);
        assert_eq!(radical_inverse(2, 2), 0.25);
        assert_eq!(radical_inverse(3, 2), 0.75);
        assert_eq!(radical_inverse(6, 2), 0.375); // 110 -> .011
        assert!((radical_inverse(2, 3) - 2.0 / 3.0).abs() < 1e-15);
        assert!((radical_inverse(5, 3) - (2.0 / 3.0 + 1.0 / 9.0)).abs() < 1e-15);
        // 12 -> .21
    }

    #[test]
    fn the_first_primes_are_the_bases() {
        assert_eq!(primes(6), [2, 3, 5, 7, 11, 13]);
        assert!(primes(0).is_empty());
    }

    #[test]
    fn starts_spread_over_the_box_inside_it_and_apart() {
        let mut d = crate::calibrate::tests::design(3);
        d.start = vec![0.5, 0.5, 0.5];
        assert_eq!(start_point(&d, 0), d.start);
        assert_eq!(start_point(&d, 1), [0.25, 2.0 / 3.0, 0.4]);
        let points: Vec<Vec<f64>> = (0..64).map(|k| start_point(&d, k)).collect();
        for (k, p) in points.iter().enumerate() {
            assert!(p.iter().all(|&u| u > 0.0 && u < 1.0), "start {k}: {p:?}");
            assert!(!points[..k].contains(p), "start {k} repeats an earlier one");
        }
        // Low discrepancy: each half of every coordinate holds about half of the starts.
        for i in 0..3 {
            let low = points.iter().filter(|p| p[i] < 0.5).count();
            assert!(
                (28..=36).contains(&low),
                "coordinate {i}: {low} of 64 below 1/2"
            );
        }
    }
}
