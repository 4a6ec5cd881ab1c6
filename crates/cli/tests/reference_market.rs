//! The RMSC04 replica through the binary: its ABIDES options refuse bad values naming the
//! field (exit 2), and seed 1 lands near ABIDES's own seed-1 day (issue 15, docs/validation.md).

mod common;
use common::*;
use std::fs;

/// The shipped scenario with `from` replaced by `to`, refused with `fragments` in the message.
fn refuse_edit(from: &str, to: &str, fragments: &[&str]) {
    let text = fs::read_to_string(scenario("reference-market.ron")).unwrap();
    assert!(text.contains(from), "{from} not in reference-market.ron");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("rm.ron");
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
    refuse(&file, &[], fragments);
}

#[test]
fn bad_abides_options_exit_2_naming_the_field() {
    refuse_edit(
        "kappa_per_ns: 1.67e-15",
        "kappa_per_ns: -1.0",
        &["agents[1].abides_belief.kappa_per_ns"],
    );
    refuse_edit(
        "shock_variance_ticks2: 100000.0",
        "shock_variance_ticks2: 1e300",
        &["agents[1].abides_belief.shock_variance_ticks2"],
    );
    refuse_edit(
        "observation_variance_ticks2: Some(1000.0)",
        "observation_variance_ticks2: Some(-1.0)",
        &["agents[1].observation_variance_ticks2"],
    );
    refuse_edit(
        "UQuadratic(from_s: -1800.0, to_s: 23400.0)",
        "UQuadratic(from_s: 23400.0, to_s: -1800.0)",
        &["agents[0].wake.to_s"],
    );
    refuse_edit(
        "UQuadratic(from_s: -1800.0, to_s: 23400.0)",
        "UQuadratic(from_s: -1e9, to_s: 23400.0)",
        &["agents[0].wake.from_s"],
    );
    refuse_edit(
        "price_skew_ticks: 4.0",
        "price_skew_ticks: -4.0",
        &["agents[3].quotes.price_skew_ticks"],
    );
    refuse_edit(
        "level_spacing_spreads: 5.0",
        "level_spacing_spreads: 1e9",
        &["agents[3].quotes.level_spacing_spreads"],
    );
    // 10,000 lots at a price of 1e12 ticks overflow the money budget.
    refuse_edit(
        "initial_price: 1000.00",
        "initial_price: 10000000000.00",
        &["agents[0].order_sizes"],
    );
    refuse_edit(
        "volume_window_s: Some(60.0)",
        "volume_window_s: Some(7200.0)",
        &["agents[3].volume_window_s"],
    );
    refuse_edit(
        "line_m: Some(3866660.0)",
        "line_m: Some(-1.0)",
        &["latency.line_m"],
    );
    refuse_edit("pricing: OppositeBest", "pricing: Opposite", &["Opposite"]);
}

/// A figure within `tol` (a fraction) of ABIDES's.
fn near(name: &str, got: f64, abides: f64, tol: f64) {
    assert!(
        (got / abides - 1.0).abs() <= tol,
        "{name}: {got} against ABIDES's {abides}"
    );
}

#[test]
fn seed_1_trades_like_abides_rmsc04() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rm");
    run_into("reference-market.ron", &dir, &["--no-charts"]);
    assert_ok(&cascade(&["stats", dir.to_str().unwrap(), "--json"]));
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("stats.json")).unwrap()).unwrap();
    let day = &stats["day"];
    // ABIDES RMSC04 seed 1: 18,730 trades, 1,027,188 shares, 0.94 bp, 1.54¢ (issue 15). One
    // seed of cascade against one of ABIDES: the mid range varies too much across seeds
    // (docs/validation.md) to pin on one.
    near(
        "trades",
        summary["trades"]["count"].as_f64().unwrap(),
        18_730.0,
        0.25,
    );
    near(
        "volume",
        summary["trades"]["volume"].as_f64().unwrap(),
        1_027_188.0,
        0.25,
    );
    near(
        "return std",
        day["return_std_bps"].as_f64().unwrap(),
        0.94,
        0.25,
    );
    near("spread", day["mean_spread"].as_f64().unwrap(), 0.0154, 0.25);
    assert_eq!(day["bars"].as_u64(), Some(389), "{day}");
}
