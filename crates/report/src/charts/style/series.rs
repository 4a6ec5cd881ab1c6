//! Lines from columns: segments split at missing values, thinning, rolling means, the sampling
//! interval.

use super::axes::TimeAxis;

/// Points of a line over time, split where a value is missing (a one-sided book has no mid),
/// thinned to at most about 4,000 points a segment.
pub fn segments(axis: &TimeAxis, t: &[Option<f64>], y: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    raw_segments(axis, t, y)
        .into_iter()
        .map(|s| thin(&s, MAX_POINTS))
        .collect()
}

/// Most points drawn of one line segment.
pub const MAX_POINTS: usize = 4000;

/// [`segments`] without thinning.
pub fn raw_segments(axis: &TimeAxis, t: &[Option<f64>], y: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![];
    let mut cur: Vec<(f64, f64)> = vec![];
    for (t, y) in t.iter().zip(y) {
        match (t, y) {
            (Some(t), Some(y)) if y.is_finite() => cur.push((axis.x(*t), *y)),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// At most about `max` points: the first, the last, and the lowest and highest of each run of
/// points in between, so spikes survive. Keeps SVG files small on long runs.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let per = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in points.chunks(per) {
        let lo = chunk.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
        let hi = chunk.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo.0 <= hi.0 {
                out.extend([lo, hi]);
            } else {
                out.extend([hi, lo]);
            }
        }
    }
    out.dedup_by(|a, b| a == b);
    out
}

/// The rolling mean window for a dense series of `n` samples `interval_s` apart: about 1/120
/// of the run, or none when that is a single sample. Returns (samples, legend text).
pub fn rolling_window(n: usize, interval_s: f64) -> Option<(usize, String)> {
    let w = (n as f64 / 120.0).round() as usize;
    if w < 2 {
        return None;
    }
    let secs = w as f64 * interval_s;
    let text = if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    };
    Some((w, text))
}

/// The centred mean over `w` points of each point (fewer at the ends).
pub fn rolling_mean(points: &[(f64, f64)], w: usize) -> Vec<(f64, f64)> {
    let half = w / 2;
    let mut prefix = Vec::with_capacity(points.len() + 1);
    prefix.push(0.0);
    for p in points {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + p.1);
    }
    (0..points.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + w - half).min(points.len());
            (points[i].0, (prefix[hi] - prefix[lo]) / (hi - lo) as f64)
        })
        .collect()
}

/// The typical time between samples (the median gap), seconds.
pub fn sample_interval(times_s: &[Option<f64>]) -> f64 {
    let t: Vec<f64> = times_s.iter().flatten().copied().collect();
    let mut gaps: Vec<f64> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied().unwrap_or(1.0)
}
