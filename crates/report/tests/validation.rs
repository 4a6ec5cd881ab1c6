//! Validation targets of docs/validation.md on the default seeds: the stylized facts of a calm
//! leveraged market, the leverage contrast, and the calibrated crash of 10 October 2025.

use cascade_book::Side;
use cascade_report::stats::{compute, HorizonStats, Series, StatsOptions};
use cascade_report::PriceFormat;
use cascade_sim::{prepare, Recording, Scenario, Simulation};
use std::path::Path;

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    prepare(&std::fs::read_to_string(path).unwrap(), &[]).unwrap()
}

fn run(s: &Scenario) -> Recording {
    Simulation::new(s, s.seed).run()
}

fn shortest_horizon(s: &Scenario, rec: &Recording) -> HorizonStats {
    let series = Series::from_recording(rec, &PriceFormat::new(s.instrument.tick_size));
    let stats = compute(&series, &StatsOptions::default()).unwrap();
    stats.horizons.into_iter().next().unwrap()
}

#[test]
fn the_leveraged_market_shows_the_stylized_facts_and_the_unlevered_one_thinner_tails() {
    let s = shipped("stylized-facts.ron");
    let h = shortest_horizon(&s, &run(&s));
    let kurtosis = h.excess_kurtosis.unwrap();
    assert!(kurtosis > 3.0, "excess kurtosis {kurtosis}");
    let linear = h.acf_returns[4..20]
        .iter()
        .fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(linear < 0.1, "|ACF(r)| at lags 5-20 reaches {linear}");
    assert!(
        h.acf_abs[..10].iter().all(|&x| x > h.acf_band),
        "ACF(|r|) lags 1-10: {:?}",
        &h.acf_abs[..10]
    );
    let beta = h.acf_abs_exponent.unwrap();
    assert!((0.1..=0.6).contains(&beta), "|r| ACF decay exponent {beta}");
    let alpha = h.hill_tail_index.unwrap();
    assert!((2.0..=5.0).contains(&alpha), "tail index {alpha}");

    let u = shipped("stylized-facts-unlevered.ron");
    let hu = shortest_horizon(&u, &run(&u));
    let ku = hu.excess_kurtosis.unwrap();
    assert!(
        ku < kurtosis,
        "unlevered kurtosis {ku} is not below the leveraged {kurtosis}"
    );
    assert!(
        hu.hill_tail_index.unwrap() > alpha,
        "unlevered tails are thinner"
    );
}

#[test]
fn the_calibrated_crash_lands_near_the_published_figures() {
    let s = shipped("2025-10-10.ron");
    let rec = run(&s);
    let mids: Vec<(i64, f64)> = rec
        .samples
        .iter()
        .filter_map(|x| x.mid_x2().map(|m| (x.time_ns, m as f64 / 2.0)))
        .collect();
    // Largest fall within any 12 minutes: about 13% on one large venue.
    let mut drop12 = 0.0f64;
    for (i, &(t, m)) in mids.iter().enumerate() {
        let low = mids[i..]
            .iter()
            .take_while(|(u, _)| *u <= t + 720_000_000_000)
            .map(|x| x.1)
            .fold(m, f64::min);
        drop12 = drop12.max((m - low) / m * 100.0);
    }
    assert!(
        (10.0..=16.0).contains(&drop12),
        "fall within 12 minutes {drop12}%"
    );
    // Share of the liquidated notional that was long: 87-91% reported.
    let value =
        |l: &cascade_sim::LiquidationRecord| (l.book_qty + l.adl_qty) as f64 * l.mark as f64;
    let total: f64 = rec.liquidations.iter().map(value).sum();
    let long: f64 = rec
        .liquidations
        .iter()
        .filter(|l| l.side == Side::Buy)
        .map(value)
        .sum();
    let share = long / total * 100.0;
    assert!(
        (80.0..=95.0).contains(&share),
        "long share of liquidated notional {share}%"
    );
    // Depth fell by 90% or more; spreads from single-digit bps, widening a hundredfold or more
    // (the stress multipliers of real crashes: depth −90% to −99%, spreads ×100 or more).
    let stress = rec.stress_from_ns.unwrap();
    let spread = |x: &cascade_sim::Sample| match (x.bid, x.ask) {
        (Some((b, _)), Some((a, _))) => Some((a.0 - b.0) as f64 * 2e4 / (a.0 + b.0) as f64),
        _ => None,
    };
    let mut before: Vec<f64> = rec
        .samples
        .iter()
        .filter(|x| x.time_ns < stress)
        .filter_map(spread)
        .collect();
    before.sort_by(f64::total_cmp);
    let base = before[before.len() / 2];
    let peak = rec.samples.iter().filter_map(spread).fold(0.0, f64::max);
    assert!(base < 10.0, "baseline spread {base} bps");
    assert!(
        peak >= 100.0 * base,
        "peak spread {peak} bps against a baseline of {base}"
    );
    let mut depth: Vec<i64> = rec
        .samples
        .iter()
        .filter(|x| x.time_ns < stress)
        .map(|x| x.depth_1pct.0)
        .collect();
    depth.sort_unstable();
    let depth_base = depth[depth.len() / 2] as f64;
    let depth_min = rec.samples.iter().map(|x| x.depth_1pct.0).min().unwrap() as f64;
    assert!(
        depth_min <= 0.1 * depth_base,
        "depth {depth_base} → {depth_min}"
    );
}
