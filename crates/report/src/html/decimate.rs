//! Fewer points for the page: a long run's series are thinned outside a window kept whole (the
//! cascade), keeping each bucket's smallest and largest value so no spike disappears.

/// Points of one series as `(time, value)`, gaps (`None`) left out.
pub type Points = Vec<(f64, f64)>;

/// How a series was thinned, said on the chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thinning {
    /// Samples per bucket outside the kept window (1: not thinned).
    pub bucket: usize,
}

/// The samples per bucket that bring `rows` samples, of which `kept` lie in the window kept
/// whole, to about `budget` points (two per bucket outside the window).
pub fn bucket_size(rows: usize, kept: usize, budget: usize) -> Thinning {
    let outside = rows.saturating_sub(kept);
    let room = budget.saturating_sub(kept).max(budget / 4).max(2);
    if outside <= room {
        return Thinning { bucket: 1 };
    }
    Thinning {
        bucket: outside.div_ceil(room / 2).max(2),
    }
}

/// `values` at `times`, with rows inside `[from, to]` kept whole and the others in buckets of
/// `bucket` consecutive rows reduced to their smallest and largest value, in time order.
pub fn min_max(
    times: &[f64],
    values: &[Option<f64>],
    window: Option<(f64, f64)>,
    bucket: usize,
) -> Points {
    assert_eq!(times.len(), values.len(), "a column of another table");
    let inside = |t: f64| window.is_some_and(|(a, b)| t >= a && t <= b);
    let mut out = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, out: &mut Points| {
        for chunk in run.chunks(bucket.max(1)) {
            push_extremes(chunk, out);
        }
        run.clear();
    };
    for (&t, v) in times.iter().zip(values) {
        let Some(v) = *v else { continue };
        if inside(t) {
            flush(&mut run, &mut out);
            out.push((t, v));
        } else {
            run.push((t, v));
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A chunk's smallest and largest point, in time order (one point when they coincide).
fn push_extremes(chunk: &[(f64, f64)], out: &mut Points) {
    let Some(first) = chunk.first() else { return };
    let (mut lo, mut hi) = (first, first);
    for p in chunk {
        if p.1 < lo.1 {
            lo = p;
        }
        if p.1 > hi.1 {
            hi = p;
        }
    }
    if lo.0 == hi.0 {
        out.push(*lo);
    } else if lo.0 < hi.0 {
        out.extend([*lo, *hi]);
    } else {
        out.extend([*hi, *lo]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_series_is_not_thinned() {
        assert_eq!(bucket_size(1_800, 0, 4_000).bucket, 1);
        let t = [0.0, 1.0, 2.0];
        let v = [Some(1.0), None, Some(3.0)];
        assert_eq!(min_max(&t, &v, None, 1), vec![(0.0, 1.0), (2.0, 3.0)]);
    }

    #[test]
    fn buckets_keep_their_extremes_in_time_order_and_the_window_whole() {
        let t: Vec<f64> = (0..12).map(f64::from).collect();
        let v: Vec<Option<f64>> = [5., 9., 1., 4., 4., 4., 7., 8., 6., 0., 3., 2.]
            .into_iter()
            .map(Some)
            .collect();
        // Buckets of 3 outside [6, 8]: {0,1,2} → max at 1, min at 2; {3,4,5} → one point.
        let p = min_max(&t, &v, Some((6.0, 8.0)), 3);
        assert_eq!(
            p,
            vec![
                (1.0, 9.0),
                (2.0, 1.0),
                (3.0, 4.0),
                (6.0, 7.0),
                (7.0, 8.0),
                (8.0, 6.0),
                (9.0, 0.0),
                (10.0, 3.0),
            ]
        );
    }

    #[test]
    fn a_day_of_seconds_fits_the_budget() {
        let rows = 86_400;
        let th = bucket_size(rows, 600, 4_000);
        assert!(th.bucket > 1);
        let t: Vec<f64> = (0..rows).map(|i| i as f64).collect();
        let v: Vec<Option<f64>> = (0..rows).map(|i| Some((i % 97) as f64)).collect();
        let p = min_max(&t, &v, Some((1_000.0, 1_599.0)), th.bucket);
        assert!(p.len() <= 4_000 + 2, "{}", p.len());
        assert!(
            p.iter()
                .filter(|q| q.0 >= 1_000.0 && q.0 <= 1_599.0)
                .count()
                == 600
        );
        // The spikes survive: every value of 96 appears within its bucket.
        assert!(p.iter().any(|q| q.1 == 96.0) && p.iter().any(|q| q.1 == 0.0));
    }
}
