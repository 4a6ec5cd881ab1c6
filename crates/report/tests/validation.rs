//! Validation targets of docs/validation.md on the default seeds: the stylized facts of a calm
//! leveraged market, the leverage contrast, and the calibrated crash of 10 October 2025.

use cascade_report::stats::{compute, HorizonStats, Series, StatsOptions};
use cascade_report::{summarize, PriceFormat};
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
    let summary = summarize(&rec, &PriceFormat::new(s.instrument.tick_size), None);
    let get = |value: Option<f64>, path: &str| {
        value.unwrap_or_else(|| panic!("summary.json has no number at {path}"))
    };
    // On one large venue bitcoin fell 13.1% in 12 minutes.
    let fall = get(summary.price.max_fall_12min_pct, "price.max_fall_12min_pct");
    assert!(
        (10.0..=16.0).contains(&fall),
        "fall within 12 minutes {fall}%"
    );
    // 87-91% of the liquidated notional was long.
    let long = get(
        summary.liquidations.long_value_share,
        "liquidations.long_value_share",
    ) * 100.0;
    assert!((87.0..=91.0).contains(&long), "long share {long}%");
    // The bulk came within about 40 minutes.
    let bulk = get(
        summary.liquidations.busiest_40min_share,
        "liquidations.busiest_40min_share",
    );
    assert!(bulk >= 0.9, "busiest 40 minutes hold {bulk} of the value");
    // Spreads went from single-digit basis points to double-digit percent.
    let base = get(summary.spread.baseline_bps, "spread.baseline_bps");
    let peak = get(summary.spread.peak_bps, "spread.peak_bps");
    assert!(base < 10.0, "baseline spread {base} bps");
    assert!(peak >= 1000.0, "peak spread {peak} bps");
    // Top-of-book depth fell by 90% or more.
    let depth = get(summary.depth.min_over_baseline, "depth.min_over_baseline");
    assert!(
        depth <= 0.1,
        "depth within 1% fell to {depth} of its baseline"
    );
}
