//! Venue presets through the binary: a preset name that does not exist and impossible
//! waterfall rules exit 2 naming the field; a field given in the file overrides the preset.

mod common;
use common::*;
use std::fs;

const GOOD: &str = r#"Scenario(
    name: "t",
    duration_s: 5.0,
    sample_interval_s: 1.0,
    venue: Binance,
    index: Some(IndexSpec(interval_s: 1.0)),
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    agents: [
        Noise(name: "noise", count: 5, rate_per_s: 1.0, limit_weight: 1.0, market_weight: 0.2,
              cancel_weight: 0.5, offset_ticks_mean: 2.0, size_min: 1, size_max: 5),
        Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 1, levels: 2,
              level_spacing_ticks: 1, size: 5),
    ],
)"#;

fn check_args(text: &str, set: &[&str]) -> std::process::Output {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("venue.ron");
    fs::write(&file, text).unwrap();
    let mut args = vec!["check", file.to_str().unwrap()];
    for s in set {
        args.push("--set");
        args.push(s);
    }
    cascade(&args)
}

#[test]
fn every_preset_is_accepted() {
    for venue in ["Binance", "Bybit", "OKX", "BitMEX", "Hyperliquid", "Custom"] {
        assert_ok(&check_args(GOOD, &[&format!("venue={venue}")]));
    }
}

#[test]
fn a_preset_that_does_not_exist_is_refused_naming_the_field() {
    let text = GOOD.replace("venue: Binance", "venue: Kraken");
    assert_bad_input(&check_args(&text, &[]), &["venue", "Kraken"]);
    assert_bad_input(&check_args(GOOD, &["venue=Deribit"]), &["venue"]);
}

#[test]
fn impossible_waterfall_rules_are_refused_naming_the_field() {
    for (set, field) in [
        ("liquidation.fund_capacity=0", "liquidation.fund_capacity"),
        (
            "liquidation.backstop_below=1.5",
            "liquidation.backstop_below",
        ),
        (
            "liquidation.workoff_fraction=0",
            "liquidation.workoff_fraction",
        ),
        (
            "liquidation.workoff_interval_s=0",
            "liquidation.workoff_interval_s",
        ),
        (
            "liquidation.workoff_slippage_bps=20000",
            "liquidation.workoff_slippage_bps",
        ),
        ("liquidation.adl_drawdown=-0.1", "liquidation.adl_drawdown"),
        ("liquidation.partial_above=-1", "liquidation.partial_above"),
        ("liquidation.execution=Teleport", "liquidation.execution"),
    ] {
        assert_bad_input(&check_args(GOOD, &[set]), &[field]);
    }
    // A shortfall rule the preset's waterfall never consults is refused, not ignored; with
    // `remainder: Shortfall` (or on Custom) it is the rule.
    assert_bad_input(
        &check_args(GOOD, &["liquidation.shortfall=SocializedLoss"]),
        &["liquidation.shortfall", "has no effect", "remainder: Fund"],
    );
    assert_ok(&check_args(
        GOOD,
        &[
            "liquidation.shortfall=SocializedLoss",
            "liquidation.remainder=Shortfall",
        ],
    ));
    assert_ok(&check_args(
        GOOD,
        &["venue=Custom", "liquidation.shortfall=SocializedLoss"],
    ));
}
