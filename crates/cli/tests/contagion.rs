//! Several venues in one run, end to end: contagion.ron's cascade on perp-a reaches perp-b
//! through the index and the arbitrageurs, and not without them; perp-b's coin collateral
//! counts less its haircut, and more without it; the ledger holds on every venue; the folder
//! replays; a sweep runs; bad venue input is refused naming the field.

mod common;
use common::*;
use std::path::Path;

/// The counterfactual of docs/validation.md: no arbitrage capital, perp-b's index from spot-z
/// alone (a spot market no arbitrageur trades).
const ISOLATED: &[&str] = &[
    "--set",
    "agents.arb-perps.capital=0",
    "--set",
    "agents.arb-basis.capital=0",
    "--set",
    "venues.perp-b.index_sources.sources[0].weight=0",
    "--set",
    "venues.perp-b.index_sources.sources[1].weight=0",
];

/// perp-b's leveraged crowd holds its margin as cash instead of in the coin.
const MARGIN_AS_CASH: &[&str] = &[
    "--set",
    "venues.perp-b.agents.longs-b.collateral_asset=None",
    "--set",
    "venues.perp-b.agents.shorts-b.collateral_asset=None",
];

#[test]
fn a_cascade_on_perp_a_reaches_perp_b_through_the_index_and_the_arbitrageurs_only() {
    let tmp = tempfile::tempdir().unwrap();
    let linked = tmp.path().join("linked");
    run_into("contagion.ron", &linked, &["--no-charts", "--audit"]);
    let s = summary(&linked);
    let b = &s["venues"]["perp-b"];
    let imported =
        int(b, &["liquidation_roots", "index"]) + int(b, &["liquidation_roots", "arbitrage"]);
    let b_total = int(b, &["liquidations", "count"]);
    assert!(int(&s, &["contagion", "liquidations_home"]) > 0, "{s}");
    assert!(imported > 0, "perp-b has no imported liquidation: {b}");
    assert_eq!(int(&s, &["contagion", "liquidations_other"]), b_total);
    assert!(
        s["contagion"]["first_liquidation_delay_s"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    // Every venue's tables are in the folder, and the spot markets liquidate nothing.
    for v in ["perp-b", "spot-x", "spot-y", "spot-z"] {
        for t in ["series", "trades", "book", "liquidations", "adl"] {
            assert!(linked.join(format!("venues/{v}/{t}.parquet")).is_file());
        }
    }
    assert_eq!(int(&s, &["venues", "spot-x", "liquidations", "count"]), 0);
    let links = cascade_tree_edges(&linked);
    assert_eq!(int(&s, &["contagion", "cross_venue_links"]), links);
    // The tree crosses venues on the same market with perp-b's margin held as cash (the
    // scenario before its coin collateral, byte for byte): takeovers on perp-b with a parent
    // on perp-a. With the coin the paths differ and none of seeds 1-10 keeps such an edge
    // (docs/validation.md, "Contagion between venues").
    let cash = tmp.path().join("margin-as-cash");
    let mut extra = vec!["--no-charts", "--audit"];
    extra.extend_from_slice(MARGIN_AS_CASH);
    run_into("contagion.ron", &cash, &extra);
    let cash_links = cascade_tree_edges(&cash);
    assert!(
        cash_links >= 1,
        "no liquidation has a parent on another venue"
    );
    let m = summary(&cash);
    assert_eq!(int(&m, &["contagion", "cross_venue_links"]), cash_links);
    // Held as cash, the coin sets off nothing and nothing of it is sold.
    assert_eq!(int(&m, &["collateral", "liquidations"]), 0);
    assert_eq!(m["collateral"]["sold_par"].as_f64(), Some(0.0));

    let isolated = tmp.path().join("isolated");
    let mut extra = vec!["--no-charts", "--audit"];
    extra.extend_from_slice(ISOLATED);
    run_into("contagion.ron", &isolated, &extra);
    let c = summary(&isolated);
    let b_isolated = int(&c, &["venues", "perp-b", "liquidations", "count"]);
    assert!(
        2 * b_isolated <= b_total,
        "isolating perp-b should at least halve its liquidations: {b_isolated} against {b_total}"
    );
    assert_eq!(cascade_tree_edges(&isolated), 0);
    assert_eq!(int(&c, &["contagion", "cross_venue_links"]), 0);
    // The isolation cuts the collateral channel too: perp-b counts its crowd's coin at
    // spot-x's price, and without arbitrage capital nothing carries the program to spot-x.
    assert_eq!(int(&c, &["venues", "perp-b", "collateral_liquidations"]), 0);
}

/// perp-b's own `liquidation` section over its Bybit preset: `enabled=false` there leaves
/// perp-b with no liquidation while perp-a (the home venue, whose section is the top-level
/// one) keeps liquidating; the top-level switch alone is perp-a's, and `check` says so.
#[test]
fn perp_b_s_own_liquidation_section_turns_off_its_liquidations_and_the_top_one_only_perp_a_s() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario("contagion.ron");
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let mut args = vec![
            "run",
            file.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(&["--no-charts"]);
        args.extend_from_slice(extra);
        let out = cascade(&args);
        assert_ok(&out);
        (
            summary(&dir),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (shipped, line) = run("shipped", &[]);
    let (off, _) = run(
        "b-off",
        &["--set", "venues.perp-b.liquidation.enabled=false"],
    );
    let b = |s: &serde_json::Value, key: &str| int(s, &["venues", "perp-b", "liquidations", key]);
    assert!(
        b(&shipped, "count") > 0,
        "the shipped run liquidates on perp-b"
    );
    assert_eq!(b(&off, "count"), 0);
    assert_eq!(b(&off, "volume"), 0);
    assert_eq!(b(&off, "steps"), 0);
    assert_eq!(
        int(&off, &["venues", "perp-b", "collateral_liquidations"]),
        0
    );
    assert!(
        int(&off, &["liquidations", "count"]) > 0,
        "perp-a still liquidates"
    );

    // The run line names every venue's trades, which sum to the total it gives.
    let trades = |v: &serde_json::Value| int(v, &["trades", "count"]);
    let mut each = vec![("perp-a", trades(&shipped))];
    for v in ["perp-b", "spot-x", "spot-y", "spot-z"] {
        each.push((v, trades(&shipped["venues"][v])));
    }
    let total: u64 = each.iter().map(|(_, n)| n).sum();
    let named: Vec<String> = each.iter().map(|(v, n)| format!("{v} {n}")).collect();
    let said = format!("{total} trades ({})", named.join(", "));
    assert!(line.contains(&said), "{said:?} not in {line}");

    // The top-level switch is perp-a's: a warning (not an error) names perp-b.
    let check = |sets: &[&str]| {
        let mut args = vec!["check", file.to_str().unwrap()];
        for s in sets {
            args.extend_from_slice(&["--set", s]);
        }
        cascade(&args)
    };
    let out = check(&["liquidation.enabled=false"]);
    assert_ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("perpetual \"perp-b\" still liquidates"),
        "{}",
        describe(&out)
    );
    // `--json` carries it too.
    let out = cascade(&[
        "check",
        file.to_str().unwrap(),
        "--set",
        "liquidation.enabled=false",
        "--json",
    ]);
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].as_array().expect("a warnings list");
    assert_eq!(warnings.len(), 1, "{v}");
    assert!(warnings[0].as_str().unwrap().contains("perp-b"), "{v}");
    let out = check(&[
        "liquidation.enabled=false",
        "venues.perp-b.liquidation.enabled=false",
    ]);
    assert_ok(&out);
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    // A spot venue has no liquidation section, and no preset to take one from.
    assert_bad_input(
        &check(&["venues.spot-x.liquidation.enabled=false"]),
        &["venues[1].liquidation", "spot venue"],
    );
    assert_bad_input(
        &check(&["venues.spot-x.preset=Bybit"]),
        &["venues[1].preset", "spot venue"],
    );
    // A maker leaning on the index: perp-a's comes from spot venues, perp-b's too; a spot
    // market has none to lean on.
    assert_ok(&check(&["agents.makers-a.index_weight=0.5"]));
    assert_ok(&check(&["venues.perp-b.agents.makers-b.index_weight=0.5"]));
    assert_bad_input(
        &check(&["venues.spot-x.agents.makers-x.index_weight=0.5"]),
        &["venues[1].agents[1].index_weight", "spot venue"],
    );
}

/// `--set` reads a list of enum variants with fields as its field's type: perp-b's index
/// sources replaced whole are what the run's manifest records; a misspelt variant is refused.
#[test]
fn a_list_of_index_sources_set_whole_is_run_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let sources = "venues.perp-b.index_sources.sources=\
                   [Venue(name: \"spot-z\", weight: 2.0), Venue(name: \"spot-y\", weight: 1.0)]";
    run_into(
        "contagion.ron",
        &dir,
        // Short: to the end of the crowd's entries, without the program.
        &[
            "--no-charts",
            "--set",
            "duration_s=601",
            "--set",
            "shocks=[]",
            "--set",
            sources,
        ],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let text = manifest["scenario"].as_str().unwrap();
    let ran = cascade_sim::Scenario::parse(text).unwrap();
    let b = ran.venues[0].index_sources.as_ref().unwrap();
    assert_eq!(
        b.sources,
        [
            cascade_sim::scenario::IndexSource::Venue {
                name: "spot-z".into(),
                weight: 2.0
            },
            cascade_sim::scenario::IndexSource::Venue {
                name: "spot-y".into(),
                weight: 1.0
            },
        ]
    );
    let file = scenario("contagion.ron");
    let out = cascade(&[
        "check",
        file.to_str().unwrap(),
        "--set",
        "venues.perp-b.index_sources.sources=[Venu(name: \"spot-z\", weight: 1.0)]",
    ]);
    assert_bad_input(&out, &["venues.perp-b.index_sources.sources", "Venu"]);
}

/// Perp-b's crowd holds its margin in the coin, counted at spot-x's price less a 10% haircut.
/// With the haircut off the same margin counts 1/0.9 as much: the crowd opens positions about
/// 11% larger, and the coin sold at a takeover is credited at its full price instead of 90%
/// of it.
#[test]
fn collateral_haircuts_off_count_perp_b_s_coin_at_its_full_price() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, set: &[&str]| {
        let dir = tmp.path().join(name);
        let mut extra = vec!["--no-charts", "--audit"];
        for s in set {
            extra.extend_from_slice(&["--set", s]);
        }
        run_into("contagion.ron", &dir, &extra);
        dir
    };
    let shipped = run("shipped", &[]);
    let off = run("haircuts-off", &["collateral.assets.coin.haircut=0"]);
    let (s, o) = (summary(&shipped), summary(&off));
    let float =
        |v: &serde_json::Value, path: &[&str]| path.iter().fold(v, |v, k| &v[*k]).as_f64().unwrap();

    // The channel: as shipped, the coin's fall on spot-x sets off takeovers on perp-b (the
    // only venue whose crowd holds it), and perp-b sells its holders' coin.
    let b_coin = int(&s, &["venues", "perp-b", "collateral_liquidations"]);
    assert!(
        b_coin >= 1,
        "no takeover set off by the coin: {}",
        s["collateral"]
    );
    assert_eq!(int(&s, &["collateral", "liquidations"]), b_coin);
    assert_eq!(int(&s, &["venues", "perp-a", "collateral_liquidations"]), 0);
    assert!(
        float(&s, &["collateral", "price_min"]) < 0.99,
        "{}",
        s["collateral"]
    );

    // What a unit of coin sold was credited, over its value at the opening price (1.0): at
    // most 90% of the coin's highest price with the haircut (spot-x's highest sampled mid,
    // with 0.5% for the price read between two samples), at least its lowest price without.
    let credited = |v: &serde_json::Value| {
        float(v, &["collateral", "sold_value"]) / float(v, &["collateral", "sold_par"])
    };
    let highest = float(&s, &["venues", "spot-x", "price", "max"]) / 100.0;
    assert!(
        credited(&s) <= 0.9 * highest * 1.005,
        "with the haircut the coin was credited {} of par, over 90% of {highest}",
        credited(&s)
    );
    let lowest_off = float(&o, &["collateral", "price_min"]);
    assert!(
        credited(&o) >= lowest_off * (1.0 - 1e-4),
        "without the haircut the coin was credited {} of par, under its lowest price {lowest_off}",
        credited(&o)
    );

    // The margin the crowd sizes its positions from: perp-b's open interest as the entries end
    // (600 s, before any shock) is about 1/0.9 as large without the haircut; at least 5% larger.
    let oi_600 = |dir: &Path| {
        let rows = rows(&dir.join("venues/perp-b/series.csv"));
        let at = rows
            .iter()
            .find(|r| r["time_s"].parse::<f64>().unwrap() == 600.0)
            .expect("a sample at 600 s");
        at["open_interest"].parse::<f64>().unwrap()
    };
    let (oi_on, oi_off) = (oi_600(&shipped), oi_600(&off));
    assert!(
        oi_off >= 1.05 * oi_on,
        "perp-b's open interest at 600 s: {oi_off} with the haircut off, {oi_on} with it"
    );
}

/// The rows of a CSV table as maps from column to cell.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// Checks every edge of the cascade tree in the perpetuals' liquidations.csv (`parent_venue`,
/// `parent_liquidation`): a `liquidation:N` trigger's parent is N on its own venue; every
/// parent exists, started no later than its child, and is one generation up. Returns the
/// takeovers whose parent is on another venue.
fn cascade_tree_edges(dir: &Path) -> u64 {
    let tables = [
        ("perp-a", dir.join("liquidations.csv")),
        ("perp-b", dir.join("venues/perp-b/liquidations.csv")),
    ];
    // (venue, id) → (first step time, generation).
    let mut nodes = std::collections::HashMap::new();
    let all: Vec<_> = tables.iter().map(|(v, p)| (*v, rows(p))).collect();
    for (venue, rows) in &all {
        for r in rows {
            assert_eq!(r["venue"], *venue);
            let t: f64 = r["time_s"].parse().unwrap();
            let g: u32 = r["generation"].parse().unwrap();
            nodes
                .entry((venue.to_string(), r["liquidation"].clone()))
                .or_insert((t, g));
        }
    }
    let mut cross = std::collections::BTreeSet::new();
    for (venue, rows) in &all {
        for r in rows {
            if let Some(n) = r["trigger"].strip_prefix("liquidation:") {
                assert_eq!(
                    (r["parent_venue"].as_str(), r["parent_liquidation"].as_str()),
                    (*venue, n)
                );
            }
            if r["parent_venue"].is_empty() {
                assert!(r["parent_liquidation"].is_empty());
                continue;
            }
            let parent = (r["parent_venue"].clone(), r["parent_liquidation"].clone());
            let (pt, pg) = nodes[&parent];
            let (ct, cg) = nodes[&(venue.to_string(), r["liquidation"].clone())];
            assert!(
                pt <= ct,
                "parent {parent:?} at {pt} s after its child at {ct} s"
            );
            assert_eq!(
                cg,
                pg + 1,
                "generation of {venue} {} under {parent:?}",
                r["liquidation"]
            );
            if parent.0 != *venue {
                cross.insert((venue.to_string(), r["liquidation"].clone()));
            }
        }
    }
    cross.len() as u64
}

#[test]
fn a_multi_venue_folder_replays_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into(
        "contagion.ron",
        &dir,
        &[
            "--no-charts",
            "--set",
            "duration_s=700",
            "--set",
            "shocks=[]",
        ],
    );
    assert_ok(&cascade(&["replay", dir.to_str().unwrap()]));
    // A changed byte of another venue's table is found.
    flip_byte(&dir.join("venues/perp-b/series.csv"), 40);
    let out = cascade(&["replay", dir.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn a_sweep_of_a_multi_venue_scenario_carries_the_contagion_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sweep.ron");
    std::fs::write(
        &file,
        format!(
            "Sweep(name: \"venues\", base: {:?}, set: [\"duration_s=660\", \"shocks=[]\"],\n\
             seed: 3, replicates: 2, axes: [Values(path: \"agents.arb-perps.capital\", \
             values: [0.0, 500000.0])])",
            scenario("contagion.ron")
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert_ok(&cascade_file_out("sweep", &file, &out, &["--threads", "2"]));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for col in ["contagion.liquidations_other", "contagion.basis_max_bps"] {
        assert!(header.contains(col), "results.csv lacks {col}: {header}");
    }
    assert_eq!(csv.lines().count(), 5, "{csv}");
    // Every run ran (a failed one would leave its row, with its metrics empty).
    for row in rows(&out.join("results.csv")) {
        assert_eq!(row["status"], "ok", "{row:?}");
        assert!(!row["contagion.basis_max_bps"].is_empty(), "{row:?}");
    }
}

#[test]
fn a_sweep_that_turns_off_only_the_home_venues_liquidations_warns_naming_the_other_perp() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sweep.ron");
    std::fs::write(
        &file,
        format!(
            "Sweep(name: \"home-off\", base: {:?}, set: [\"duration_s=660\", \"shocks=[]\"],\n\
             seed: 3, replicates: 1, axes: [Values(path: \"liquidation.enabled\", \
             values: [true, false])])",
            scenario("contagion.ron")
        ),
    )
    .unwrap();
    let out = cascade_file_out("sweep", &file, &tmp.path().join("out"), &["--threads", "1"]);
    assert_ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert!(
        rows(&tmp.path().join("out").join("results.csv"))
            .iter()
            .all(|r| r["status"] == "ok"),
        "{err}"
    );
    assert_eq!(warnings.len(), 1, "{err}");
    for part in [
        "sweep.ron",
        "perpetual \"perp-b\" still liquidates",
        "venues.perp-b.liquidation.enabled=false",
        "on 1 of the sweep's 2 points",
    ] {
        assert!(warnings[0].contains(part), "{part}: {err}");
    }
}

/// The contagion scenario with `from` replaced by `to`, written to `dir`.
fn edited(dir: &Path, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(scenario("contagion.ron")).unwrap();
    assert!(text.contains(from), "{from:?} not in contagion.ron");
    let path = dir.join("edited.ron");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn bad_venue_input_is_refused_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "Venue(name: \"spot-x\", weight: 1.0),",
            "Venue(name: \"spot-q\", weight: 1.0),",
            &["index_sources.sources[0].name", "\"spot-q\" names no venue"],
        ),
        (
            "Venue(name: \"spot-x\", weight: 1.0),",
            "Venue(name: \"perp-a\", weight: 1.0),",
            &["index_sources.sources[0].name", "cannot read its own book"],
        ),
        (
            "Venue(name: \"spot-x\", weight: 1.0),",
            "Venue(name: \"perp-b\", weight: 1.0),",
            &[
                "index_sources.sources[0].name",
                "index sources are spot venues",
            ],
        ),
        (
            "VenueSpec(name: \"spot-y\"",
            "VenueSpec(name: \"spot-x\"",
            &["venues[2].name", "\"spot-x\" names two venues"],
        ),
        (
            "venues: [\"perp-a\", \"perp-b\"]",
            "venues: [\"perp-a\", \"perp-c\"]",
            &["agents[4].venues[1]", "\"perp-c\" names no venue"],
        ),
        (
            "VenueSpec(name: \"perp-b\"",
            "VenueSpec(name: \"perp/b\"",
            &["venues[0].name", "names a folder"],
        ),
        (
            "Noise(name: \"noise-x\"",
            "Leveraged(name: \"lev-x\", count: 2, long_share: 1.0, collateral: 300.0,\n\
             leverage_min: 5.0, leverage_max: 10.0, entry_start_s: 0.0, entry_end_s: 60.0,\n\
             check_interval_s: 30.0),\n            Noise(name: \"noise-x\"",
            &["venues[1].agents[0]", "spot venue does not offer"],
        ),
        (
            "Noise(name: \"noise-x\"",
            "Fundamentalist(name: \"holders-x\", count: 2, mean_wake_s: 10.0, threshold_bps: 50.0,\n\
             lots_per_bps: 0.5, max_size: 20),\n            Noise(name: \"noise-x\"",
            &[
                "venues[1].agents[0].anchor_half_life_s",
                "which a spot venue has not",
            ],
        ),
        (
            "Noise(name: \"noise-x\"",
            "Fundamentalist(name: \"holders-x\", count: 2, mean_wake_s: 10.0, threshold_bps: 50.0,\n\
             lots_per_bps: 0.5, max_size: 20, anchor_half_life_s: Some(0.0),\n\
             max_position: Some(0)),\n            Noise(name: \"noise-x\"",
            &[
                "venues[1].agents[0].anchor_half_life_s",
                "venues[1].agents[0].max_position",
            ],
        ),
        (
            "Noise(name: \"noise-x\"",
            "CrossMaker(name: \"cm\", count: 1, venues: [\"spot-x\", \"spot-q\"], refresh_s: 1.0,\n\
             half_spread_ticks: 1, levels: 2, level_spacing_ticks: 1, size: 5,\n\
             skew_ticks_per_lot: 0.1, max_inventory: 100),\n            Noise(name: \"noise-x\"",
            &["venues[1].agents[0].venues[1]", "\"spot-q\" names no venue"],
        ),
        (
            "Noise(name: \"noise-x\"",
            "CrossMaker(name: \"cm\", count: 1, venues: [\"spot-x\"], refresh_s: 1.0,\n\
             half_spread_ticks: 1, levels: 0, level_spacing_ticks: 1, size: 5,\n\
             skew_ticks_per_lot: 0.1, max_inventory: 100),\n            Noise(name: \"noise-x\"",
            &[
                "venues[1].agents[0].levels",
                "venues[1].agents[0].venues",
                "a cross-venue maker quotes on at least two venues",
            ],
        ),
        (
            "Noise(name: \"noise-x\"",
            "CrossMaker(name: \"cm\", count: 1, venues: [\"spot-x\", \"perp-a\"], refresh_s: 1.0,\n\
             half_spread_ticks: 1, levels: 2, level_spacing_ticks: 1, size: 5,\n\
             skew_ticks_per_lot: 0.1, max_inventory: 100,\n\
             withdraw: Some(CrossWithdraw(move_bps: 0.0, cooldown_s: -1.0))),\n            Noise(name: \"noise-x\"",
            &[
                "venues[1].agents[0].withdraw.move_bps",
                "venues[1].agents[0].withdraw.cooldown_s",
            ],
        ),
        (
            "Noise(name: \"noise-x\"",
            "Fundamentalist(name: \"holders-x\", count: 2, mean_wake_s: 10.0, threshold_bps: 50.0,\n\
             lots_per_bps: 0.5, max_size: 20, anchor_half_life_s: Some(60.0),\n\
             wait_for_book: true),\n            Noise(name: \"noise-x\"",
            &[
                "venues[1].agents[0].wait_for_book",
                "applies only to resting agents",
            ],
        ),
    ];
    for (from, to, fragments) in cases {
        refuse(&edited(d, from, to), &[], fragments);
    }
    // Weights that sum to nothing.
    let file = scenario("contagion.ron");
    let zero = [
        "--set",
        "index_sources.sources[0].weight=0",
        "--set",
        "index_sources.sources[1].weight=0",
        "--set",
        "index_sources.sources[2].weight=0",
    ];
    refuse(
        &file,
        &zero,
        &["index_sources.sources", "must sum to a positive number"],
    );
}
