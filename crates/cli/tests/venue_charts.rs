//! The multi-venue charts end to end: a run of two perpetuals and a spot market draws
//! `venues-price` and `contagion`, labelled as summary.json measures the delay between the
//! venues' first liquidations; `cascade plot` redraws the same bytes from the folder alone
//! (Parquet or CSV, the other venues' tables under venues/<name>/); a broken venue table is bad
//! input naming it.

mod common;
use common::*;
use std::fs;
use std::path::Path;

/// Two perpetuals (perp-a the home venue, perp-b) whose indexes read spot-x, an arbitrageur
/// across the three, longs on both perps and shorts on perp-b, a sell program on perp-a. Both
/// perps liquidate (perp-b's shorts in the rally while the crowd enters, perp-a's longs in the
/// sell program), in under a second of a debug build.
const TWO_PERPS_ONE_SPOT: &str = r#"Scenario(
    name: "two-perps",
    seed: 1,
    duration_s: 240.0,
    sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    venue: Binance,
    venue_name: "perp-a",
    index_sources: Some(IndexSources(sources: [Venue(name: "spot-x", weight: 1.0)])),
    liquidation: LiquidationSpec(insurance_fund: 100000.0),
    agents: [
        Noise(name: "noise-a", count: 50, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.20,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        Maker(name: "makers-a", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 10,
              level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
        Leveraged(name: "longs-a", count: 100, long_share: 1.0, collateral: 300.0,
                  leverage_min: 5.0, leverage_max: 50.0, entry_start_s: 0.0, entry_end_s: 60.0,
                  check_interval_s: 30.0),
        CrossArb(name: "arb", count: 2, venues: ["perp-a", "perp-b", "spot-x"], mean_wake_s: 0.2,
                 capital: 500000.0, leverage: 5.0, max_position: 5000, max_size: 200,
                 entry_bps: 10.0, exit_bps: 2.0, latency_us: 2000.0),
    ],
    venues: [
        VenueSpec(name: "perp-b", kind: Perp, preset: Bybit,
            index_sources: Some(IndexSources(sources: [Venue(name: "spot-x", weight: 1.0)])),
            agents: [
                Noise(name: "noise-b", count: 50, rate_per_s: 0.5, limit_weight: 0.55,
                      market_weight: 0.20, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                      size_min: 1, size_max: 10, max_orders: 4),
                Maker(name: "makers-b", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 10,
                      level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
                Leveraged(name: "longs-b", count: 100, long_share: 1.0, collateral: 300.0,
                          leverage_min: 5.0, leverage_max: 50.0, entry_start_s: 0.0,
                          entry_end_s: 60.0, check_interval_s: 30.0),
                Leveraged(name: "shorts-b", count: 100, long_share: 0.0, collateral: 300.0,
                          leverage_min: 5.0, leverage_max: 50.0, entry_start_s: 0.0,
                          entry_end_s: 60.0, check_interval_s: 30.0),
            ]),
        VenueSpec(name: "spot-x", kind: Spot, agents: [
            Noise(name: "noise-x", count: 50, rate_per_s: 0.5, limit_weight: 0.55,
                  market_weight: 0.20, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                  size_min: 1, size_max: 10, max_orders: 4),
            Maker(name: "makers-x", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 10,
                  level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
        ]),
    ],
    shocks: [MarketSell(at_s: 120.0, qty: 20000, over_s: 30.0)],
)
"#;

/// Runs the scenario into `dir/run`, returning the run folder.
fn run_two_perps(tmp: &Path) -> std::path::PathBuf {
    let file = tmp.join("two-perps.ron");
    fs::write(&file, TWO_PERPS_ONE_SPOT).unwrap();
    let dir = tmp.join("run");
    assert_ok(&cascade_file_out("run", &file, &dir, &[]));
    dir
}

/// A venue's legend entry from summary.json: "perp-b: 4,535 lots, 57 takeovers".
fn legend_totals(summary: &serde_json::Value, label: &str, venue: &str) -> String {
    let liq = &summary["venues"][venue]["liquidations"];
    let lots = liq["volume"].as_u64().unwrap();
    assert!((1..1_000_000).contains(&lots), "{venue}: {lots} lots");
    let lots = if lots >= 1000 {
        format!("{},{:03}", lots / 1000, lots % 1000)
    } else {
        lots.to_string()
    };
    format!("{label}: {lots} lots, {} takeovers", liq["count"])
}

fn charts_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    folder_bytes(&dir.join("charts"))
}

fn svg(dir: &Path, stem: &str) -> String {
    fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap()
}

#[test]
fn a_multi_venue_run_draws_both_charts_and_plot_redraws_them_from_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_two_perps(tmp.path());
    for (stem, size) in [("venues-price", (1280, 720)), ("contagion", (1280, 800))] {
        let png = fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        assert_eq!(png_size(&png), size, "{stem}.png");
        assert_eq!(svg_size(&svg(&dir, stem)), size, "{stem}.svg");
    }
    let prices = svg(&dir, "venues-price");
    for text in [
        "Price on every venue — two-perps, seed 1",
        ">\nperp-a (home)\n<",
        ">\nperp-a index\n<",
        ">\nperp-b index\n<",
        ">\nspot-x (spot)\n<",
        ">\nshock\n<",
    ] {
        assert!(prices.contains(text), "venues-price.svg lacks {text:?}");
    }

    // The contagion chart's labels say what summary.json measures.
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let delay = summary["venues"]["perp-b"]["first_liquidation_after_home_s"]
        .as_f64()
        .expect("both perps liquidated");
    assert!(delay.abs() >= 10.0, "one decimal in the label: {delay}");
    let when = if delay < 0.0 { "before" } else { "after" };
    let contagion = svg(&dir, "contagion");
    for text in [
        "Liquidations per venue — two-perps, seed 1".to_string(),
        format!("{:.1} s {when} perp-a", delay.abs()),
        legend_totals(&summary, "perp-a (home)", "perp-a"),
        legend_totals(&summary, "perp-b", "perp-b"),
        "perp-b (lots /".to_string(),
    ] {
        assert!(contagion.contains(&text), "contagion.svg lacks {text:?}");
    }
    assert!(!contagion.contains("spot-x"), "a spot market has no panel");

    // Redrawn from the folder alone: from Parquet, then from CSV only, the same bytes.
    let drawn = charts_of(&dir);
    fs::remove_dir_all(dir.join("charts")).unwrap();
    let d = dir.to_str().unwrap();
    assert_ok(&cascade(&["plot", d]));
    assert_eq!(charts_of(&dir), drawn, "charts redrawn from Parquet differ");
    for venue in ["perp-b", "spot-x"] {
        for t in ["series", "liquidations"] {
            fs::remove_file(dir.join(format!("venues/{venue}/{t}.parquet"))).unwrap();
        }
    }
    assert_ok(&cascade(&["plot", d]));
    assert_eq!(charts_of(&dir), drawn, "charts redrawn from CSV differ");
}

#[test]
fn a_broken_venue_table_is_bad_input_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_two_perps(tmp.path());
    let venue = dir.join("venues/perp-b");
    fs::remove_file(venue.join("series.parquet")).unwrap();
    fs::write(venue.join("series.csv"), "time_s,bid\n1,2\n").unwrap();
    assert_bad_input(
        &cascade(&["plot", dir.to_str().unwrap()]),
        &["venues/perp-b/series.csv", "no column \"mid\""],
    );
    fs::remove_file(venue.join("series.csv")).unwrap();
    assert_bad_input(
        &cascade(&["plot", dir.to_str().unwrap()]),
        &["venues/perp-b/series.csv", "no such file"],
    );
}
