//! Collateral that can fall, end to end: in collateral-depeg.ron the token's fall during a sell
//! program liquidates holders under the `collateral` trigger, and with the token held at its
//! peg none is set off by the collateral and fewer are liquidated; the audit holds; the folder
//! replays; bad collateral input exits 2 naming the field. (A fall of the collateral alone, the
//! mark unchanged, is pinned to the unit in `cascade-sim`'s `venue::collateral` tests.)

mod common;
use common::*;

/// The counterfactual of docs/validation.md: the token held at its peg.
const AT_PEG: &[&str] = &[
    "--set",
    "collateral.assets.USDe.price.points=[(at_s: 0.0, price: 1.0)]",
];

#[test]
fn the_depeg_liquidates_holders_through_their_collateral_and_at_peg_it_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let depeg = tmp.path().join("depeg");
    run_into("collateral-depeg.ron", &depeg, &["--no-charts", "--audit"]);
    let s = summary(&depeg);
    let by_collateral = int(&s, &["collateral", "liquidations"]);
    assert!(by_collateral > 0, "{s}");
    assert!(by_collateral <= int(&s, &["liquidations", "count"]));
    assert_eq!(s["collateral"]["price_min"].as_f64(), Some(0.65));
    assert!(s["collateral"]["sold_value"].as_f64().unwrap() > 0.0);
    assert!(
        s["collateral"]["sold_value"].as_f64().unwrap()
            < s["collateral"]["sold_par"].as_f64().unwrap() * 0.95 * 1.0001,
        "units are sold at no more than their price less the haircut: {s}"
    );
    // The liquidation table names the trigger.
    let table = std::fs::read_to_string(depeg.join("liquidations.csv")).unwrap();
    assert!(table.contains("collateral:0"), "no collateral trigger");

    let peg = tmp.path().join("peg");
    let mut extra = vec!["--no-charts", "--audit"];
    extra.extend_from_slice(AT_PEG);
    run_into("collateral-depeg.ron", &peg, &extra);
    let p = summary(&peg);
    assert_eq!(int(&p, &["collateral", "liquidations"]), 0, "{p}");
    assert_eq!(p["collateral"]["price_min"].as_f64(), Some(1.0));
    assert!(
        int(&p, &["liquidations", "count"]) < int(&s, &["liquidations", "count"]),
        "the depeg liquidates more than the peg"
    );

    // The run replays.
    assert_ok(&cascade(&["replay", depeg.to_str().unwrap()]));
}

/// A two-venue scenario with a collateral section, to break field by field.
const GOOD: &str = r#"Scenario(
    name: "t", duration_s: 5.0, sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    venue_name: "perp",
    collateral: Some(CollateralSpec(assets: [
        CollateralAsset(name: "USDe", haircut: 0.1, price: Book(venue: "usde")),
        CollateralAsset(name: "BNSOL", haircut: 0.2, price: Path(points: [
            (at_s: 0.0, price: 200.0), (at_s: 3.0, price: 150.0)])),
    ])),
    agents: [
        Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 1, levels: 2,
              level_spacing_ticks: 1, size: 5),
        Leveraged(name: "longs", count: 2, long_share: 1.0, collateral: 100.0,
                  leverage_min: 5.0, leverage_max: 5.0, entry_start_s: 0.0, entry_end_s: 1.0,
                  collateral_asset: Some((asset: "USDe", share: 0.5))),
    ],
    venues: [VenueSpec(name: "usde", kind: Spot, agents: [
        Maker(name: "usde-makers", count: 1, refresh_s: 1.0, half_spread_ticks: 1, levels: 2,
              level_spacing_ticks: 1, size: 5),
    ])],
)"#;

fn refuse_edit(name: &str, from: &str, to: &str, fragments: &[&str]) {
    assert!(GOOD.contains(from), "{from} not in the good scenario");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(format!("{name}.ron"));
    std::fs::write(&file, GOOD.replacen(from, to, 1)).unwrap();
    refuse(&file, &[], fragments);
}

#[test]
fn the_good_collateral_scenario_runs_with_its_ledger_holding() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("good.ron");
    std::fs::write(&file, GOOD).unwrap();
    let out = tmp.path().join("run");
    assert_ok(&cascade_file_out(
        "run",
        &file,
        &out,
        &["--no-charts", "--audit"],
    ));
    let s = summary(&out);
    assert_eq!(s["collateral"]["price_min"].as_f64(), Some(1.0), "{s}");
    assert_eq!(int(&s, &["venues", "perp", "collateral_liquidations"]), 0);
}

#[test]
fn a_haircut_outside_0_to_1_exits_2_naming_the_field() {
    for bad in ["1.0", "-0.1", "1.5"] {
        refuse_edit(
            "haircut",
            "haircut: 0.1",
            &format!("haircut: {bad}"),
            &["collateral.assets[0].haircut", "must be in [0, 1)"],
        );
    }
}

#[test]
fn an_unknown_asset_in_a_group_exits_2_naming_the_field() {
    refuse_edit(
        "asset",
        "asset: \"USDe\"",
        "asset: \"USDC\"",
        &[
            "agents[1].collateral_asset.asset",
            "\"USDC\" is not an asset",
        ],
    );
    refuse_edit(
        "share",
        "share: 0.5",
        "share: 0.0",
        &["agents[1].collateral_asset.share", "(0, 1]"],
    );
}

#[test]
fn a_price_source_naming_an_unknown_venue_or_a_perpetual_exits_2() {
    refuse_edit(
        "unknown",
        "Book(venue: \"usde\")",
        "Book(venue: \"usdx\")",
        &[
            "collateral.assets[0].price.venue",
            "\"usdx\" names no venue",
        ],
    );
    refuse_edit(
        "perp",
        "Book(venue: \"usde\")",
        "Book(venue: \"perp\")",
        &[
            "collateral.assets[0].price.venue",
            "\"perp\" is a perpetual",
        ],
    );
}

#[test]
fn a_path_with_a_non_positive_price_or_unsorted_times_exits_2() {
    refuse_edit(
        "price",
        "(at_s: 3.0, price: 150.0)",
        "(at_s: 3.0, price: 0.0)",
        &["collateral.assets[1].price.points[1].price", "positive"],
    );
    refuse_edit(
        "times",
        "(at_s: 3.0, price: 150.0)",
        "(at_s: 0.0, price: 150.0)",
        &["collateral.assets[1].price.points[1].at_s", "must increase"],
    );
    refuse_edit(
        "twice",
        "name: \"BNSOL\"",
        "name: \"USDe\"",
        &["collateral.assets[1].name", "names two assets"],
    );
}
