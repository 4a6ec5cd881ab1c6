//! Headline metrics of a run: summary.json.
//!
//! Prices are in quote currency (not ticks), ratios plain numbers, percentages in percent.
//! The spread and depth baselines are medians over the samples before `stress_from_ns` (the
//! first shock or liquidation); without one, over the whole run.
//!
//! The crash figures that published accounts of real crashes give are here too: the largest
//! fall within 1, 12 and 60 minutes, the share of the liquidated value that was long, and how
//! concentrated in time the liquidations were (the busiest minute, the busiest 40 minutes, the
//! shortest window holding 80%). Liquidated value is the quantity a step closed, in the book
//! and by ADL, at the mark of the step.

use crate::quantile::median;
use crate::PriceFormat;
use cascade_sim::{Recording, Sample};
use serde_json::{json, Value};

/// Computes summary.json's content. Keys are sorted, so the text is stable.
pub fn summarize(rec: &Recording, fmt: &PriceFormat, stress_from_ns: Option<i64>) -> Value {
    let stress_from_ns = stress_from_ns.or(rec.stress_from_ns);
    let samples = &rec.samples;
    let before = |s: &&Sample| stress_from_ns.is_none_or(|t| s.time_ns < t);
    let mids: Vec<i64> = samples.iter().filter_map(Sample::mid_x2).collect();
    let spreads: Vec<f64> = samples.iter().filter_map(spread_bps).collect();
    let baseline_spreads: Vec<f64> = samples
        .iter()
        .filter(before)
        .filter_map(spread_bps)
        .collect();
    let depths: Vec<f64> = samples.iter().map(|s| s.depth_1pct.0 as f64).collect();
    let baseline_depths: Vec<f64> = samples
        .iter()
        .filter(before)
        .map(|s| s.depth_1pct.0 as f64)
        .collect();

    let spread_baseline = median(&baseline_spreads);
    let spread_peak = spreads.iter().copied().fold(None, max_opt);
    let depth_baseline = median(&baseline_depths);
    let depth_min = depths.iter().copied().fold(None, min_opt);
    let c = &rec.counters;
    json!({
        "price": {
            "start": mids.first().map(|m| fmt.x2_to_quote(*m)),
            "min": mids.iter().min().map(|m| fmt.x2_to_quote(*m)),
            "max": mids.iter().max().map(|m| fmt.x2_to_quote(*m)),
            "end": mids.last().map(|m| fmt.x2_to_quote(*m)),
            "max_drawdown_pct": max_drawdown_pct(&mids),
            "max_fall_1min_pct": max_fall_within_pct(samples, 60 * SECOND),
            "max_fall_12min_pct": max_fall_within_pct(samples, 720 * SECOND),
            "max_fall_60min_pct": max_fall_within_pct(samples, 3600 * SECOND),
        },
        "spread": {
            "baseline_bps": spread_baseline,
            "peak_bps": spread_peak,
            "peak_over_baseline": ratio(spread_peak, spread_baseline),
            "one_sided_samples": samples.iter().filter(|s| s.mid_x2().is_none()).count(),
        },
        "depth": {
            "baseline_1pct": depth_baseline,
            "min_1pct": depth_min,
            "min_over_baseline": ratio(depth_min, depth_baseline),
        },
        "events": { "processed": c.events_processed },
        "trades": { "count": c.trades, "volume": c.volume },
        "orders": {
            "arrivals": c.arrivals,
            "limit": c.limit_orders,
            "limit_rested": c.limit_orders_rested,
            "limit_marketable": c.limit_orders_marketable,
            "market": c.market_orders,
            "cancel": c.cancels,
            "cancel_late": c.cancels_late,
            "rejected": c.rejects,
            "self_trade_cancels": c.self_trade_cancels,
        },
        "samples": samples.len(),
        "liquidations": liquidation_summary(rec),
        "insurance_fund": {
            "start": money(rec, rec.ledger.fund_start),
            "min": money(rec, rec.ledger.fund_min),
            "end": money(rec, rec.ledger.fund_end),
        },
        "ledger": {
            "fees": money(rec, rec.ledger.fees),
            "deposits": money(rec, rec.ledger.deposits),
            "open_interest": rec.ledger.open_interest,
        },
        "stress_from_s": stress_from_ns.map(|t| t as f64 / 1e9),
    })
}

/// Units of tick × lot as quote currency.
fn money(rec: &Recording, units: i64) -> f64 {
    units as f64 * rec.unit_quote
}

const SECOND: i64 = 1_000_000_000;

/// The `liquidations.*` keys.
fn liquidation_summary(rec: &Recording) -> Value {
    let l = rec.liquidation_stats();
    let value = |x: &cascade_sim::LiquidationRecord| {
        (x.book_qty + x.adl_qty) as f64 * x.mark as f64 * rec.unit_quote
    };
    // (time, value) of each step, in time order.
    let timed: Vec<(i64, f64)> = rec
        .liquidations
        .iter()
        .map(|x| (x.time_ns, value(x)))
        .collect();
    let total: f64 = timed.iter().map(|e| e.1).sum();
    let long: f64 = rec
        .liquidations
        .iter()
        .filter(|x| x.side == cascade_book::Side::Buy)
        .map(value)
        .sum();
    let share = |x: f64| (total > 0.0).then(|| x / total);
    json!({
        "count": l.count,
        "steps": rec.liquidations.len(),
        "volume": l.volume,
        "notional": money(rec, l.notional),
        "max_generation": l.max_generation,
        "bad_debt": money(rec, l.bad_debt),
        "adl_count": l.adl_count,
        "long_share": l.long_share,
        "value": total,
        "long_value_share": share(long),
        "busiest_minute_share": share(busiest_window(&timed, 60 * SECOND)),
        "busiest_40min_share": share(busiest_window(&timed, 2400 * SECOND)),
        "window_80pct_s": shortest_window_holding(&timed, 0.8 * total).map(|t| t as f64 / 1e9),
    })
}

/// Largest fall of the mid from a high to a later low at most `window_ns` after it, in percent
/// of the high; none without a two-sided sample.
pub fn max_fall_within_pct(samples: &[Sample], window_ns: i64) -> Option<f64> {
    let mids: Vec<(i64, i64)> = samples
        .iter()
        .filter_map(|s| s.mid_x2().map(|m| (s.time_ns, m)))
        .collect();
    // Highs of the trailing window, as a deque of indices with falling mids.
    let mut highs = std::collections::VecDeque::new();
    let mut worst: Option<f64> = None;
    for (j, &(t, m)) in mids.iter().enumerate() {
        while highs
            .front()
            .is_some_and(|&i: &usize| mids[i].0 < t - window_ns)
        {
            highs.pop_front();
        }
        while highs.back().is_some_and(|&i: &usize| mids[i].1 <= m) {
            highs.pop_back();
        }
        highs.push_back(j);
        let high = mids[highs[0]].1;
        let fall = if high > 0 {
            (high - m) as f64 * 100.0 / high as f64
        } else {
            0.0
        };
        worst = Some(worst.map_or(fall, |w| w.max(fall)));
    }
    worst
}

/// The largest total of `(time, value)` events (in time order) within any `window_ns`.
pub fn busiest_window(events: &[(i64, f64)], window_ns: i64) -> f64 {
    let (mut best, mut sum, mut first) = (0.0f64, 0.0, 0);
    for &(t, v) in events {
        sum += v;
        while events[first].0 < t - window_ns {
            sum -= events[first].1;
            first += 1;
        }
        best = best.max(sum);
    }
    best
}

/// The shortest time span (ns) whose `(time, value)` events (in time order) add up to at
/// least `target`; none when all of them do not.
pub fn shortest_window_holding(events: &[(i64, f64)], target: f64) -> Option<i64> {
    if events.is_empty() || target <= 0.0 {
        return None;
    }
    let (mut best, mut sum, mut first) = (None::<i64>, 0.0, 0);
    for &(t, v) in events {
        sum += v;
        while sum - events[first].1 >= target {
            sum -= events[first].1;
            first += 1;
        }
        if sum >= target {
            let span = t - events[first].0;
            best = Some(best.map_or(span, |b| b.min(span)));
        }
    }
    best
}

/// Spread of a two-sided sample, in basis points of the mid.
pub fn spread_bps(s: &Sample) -> Option<f64> {
    match (s.bid, s.ask) {
        (Some((b, _)), Some((a, _))) => Some((a.0 - b.0) as f64 * 20_000.0 / (a.0 + b.0) as f64),
        _ => None,
    }
}

/// Largest fall from a running peak, in percent of the peak.
pub fn max_drawdown_pct(mids_x2: &[i64]) -> f64 {
    let mut peak = i64::MIN;
    let mut worst = 0.0f64;
    for &m in mids_x2 {
        peak = peak.max(m);
        if peak > 0 {
            worst = worst.max((peak - m) as f64 * 100.0 / peak as f64);
        }
    }
    worst
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn max_opt(acc: Option<f64>, x: f64) -> Option<f64> {
    Some(acc.map_or(x, |a| a.max(x)))
}

fn min_opt(acc: Option<f64>, x: f64) -> Option<f64> {
    Some(acc.map_or(x, |a| a.min(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_book::{Price, Qty};

    fn sample(t: i64, bid: i64, ask: i64, depth: i64) -> Sample {
        Sample {
            time_ns: t,
            bid: Some((Price(bid), Qty(1))),
            ask: Some((Price(ask), Qty(1))),
            depth_1pct: Qty(depth),
            volume: Qty(0),
            trades: 0,
            last: Price(bid),
            fundamental: None,
            mark: Price(bid),
            index: None,
            insurance_fund: 0,
            open_interest: 0,
        }
    }

    #[test]
    fn drawdown_is_measured_from_the_running_peak() {
        assert_eq!(max_drawdown_pct(&[100, 120, 90, 130, 117]), 25.0);
        assert_eq!(max_drawdown_pct(&[100, 101, 102]), 0.0);
        assert_eq!(max_drawdown_pct(&[]), 0.0);
    }

    #[test]
    fn falls_count_only_lows_within_the_window_after_the_high() {
        // Mids 100, 120, 90 (t = 1, 2, 3 s) then 60 at t = 100 s.
        let samples = [
            sample(SECOND, 99, 101, 1),
            sample(2 * SECOND, 119, 121, 1),
            sample(3 * SECOND, 89, 91, 1),
            sample(100 * SECOND, 59, 61, 1),
        ];
        assert_eq!(max_fall_within_pct(&samples, 60 * SECOND), Some(25.0));
        assert_eq!(max_fall_within_pct(&samples, 98 * SECOND), Some(50.0));
        assert_eq!(max_fall_within_pct(&samples, 96 * SECOND), Some(25.0));
        // A low exactly `window` after the high counts: 90 → 60.
        let f = max_fall_within_pct(&samples, 97 * SECOND).unwrap();
        assert!((f - 100.0 / 3.0).abs() < 1e-9, "{f}");
        assert_eq!(max_fall_within_pct(&samples[..1], SECOND), Some(0.0));
        assert_eq!(max_fall_within_pct(&[], SECOND), None);
    }

    #[test]
    fn busiest_and_shortest_windows_over_timed_values() {
        let ev = [(0, 1.0), (10, 5.0), (15, 3.0), (40, 1.0), (100, 6.0)];
        assert_eq!(busiest_window(&ev, 5), 8.0);
        assert_eq!(busiest_window(&ev, 30), 9.0);
        assert_eq!(busiest_window(&ev, 4), 6.0);
        assert_eq!(busiest_window(&ev, 1000), 16.0);
        // 8 needs two events 5 ns apart; 11 needs 10..100 (90 ns) rather than 0..100.
        assert_eq!(shortest_window_holding(&ev, 8.0), Some(5));
        assert_eq!(shortest_window_holding(&ev, 11.0), Some(90));
        assert_eq!(shortest_window_holding(&ev, 6.0), Some(0));
        assert_eq!(shortest_window_holding(&ev, 17.0), None);
        assert_eq!(shortest_window_holding(&[], 1.0), None);
    }

    #[test]
    fn baselines_use_only_samples_before_the_stress() {
        let rec = Recording {
            samples: vec![
                sample(1, 99, 101, 100),
                sample(2, 99, 101, 100),
                sample(3, 90, 110, 10),
            ],
            ..Recording::default()
        };
        let s = summarize(&rec, &PriceFormat::new(1.0), Some(3));
        assert_eq!(s["spread"]["baseline_bps"], 200.0);
        assert_eq!(s["spread"]["peak_bps"], 2000.0);
        assert_eq!(s["spread"]["peak_over_baseline"], 10.0);
        assert_eq!(s["depth"]["baseline_1pct"], 100.0);
        assert_eq!(s["depth"]["min_over_baseline"], 0.1);
        assert_eq!(s["price"]["start"], 100.0);
        assert_eq!(s["price"]["max_drawdown_pct"], 0.0);
    }
}
