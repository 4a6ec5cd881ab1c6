//! `cascade run` end to end: the run folder, determinism, seeds and overrides.

mod common;
use common::*;
use serde_json::Value;
use std::fs;

fn run_baseline(dir: &std::path::Path, extra: &[&str]) {
    let s = scenario("baseline.ron");
    let mut args = vec!["run", s.to_str().unwrap(), "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    assert_ok(&cascade(&args));
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    run_baseline(&a, &["--seed", "7"]);
    run_baseline(&b, &["--seed", "7"]);
    run_baseline(&c, &["--seed", "8"]);
    let (fa, fb, fc) = (folder_bytes(&a), folder_bytes(&b), folder_bytes(&c));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "manifest.json",
        "summary.json",
        "series.csv",
        "series.parquet",
        "trades.csv",
        "trades.parquet",
        "book.csv",
        "book.parquet",
    ] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    assert_eq!(fa, fb, "two runs of one seed differ");
    assert_eq!(
        folder_bytes(&a.join("charts")),
        folder_bytes(&b.join("charts")),
        "two runs of one seed drew different charts"
    );
    for ((name, x), (_, z)) in fa.iter().zip(&fc) {
        // Tables of events a calm market never has (liquidations, ADL) hold only a header.
        let data = ["summary.json", "series", "trades", "book"];
        if data.iter().any(|d| name.starts_with(d)) {
            assert_ne!(x, z, "{name} is the same for seeds 7 and 8");
        }
    }
}

#[test]
fn run_folder_holds_the_documented_keys_and_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_baseline(&dir, &[]);
    let summary: Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    for (group, key) in [
        ("price", "start"),
        ("price", "min"),
        ("price", "end"),
        ("price", "max_drawdown_pct"),
        ("spread", "baseline_bps"),
        ("spread", "peak_bps"),
        ("spread", "peak_over_baseline"),
        ("depth", "baseline_1pct"),
        ("depth", "min_1pct"),
        ("depth", "min_over_baseline"),
        ("events", "processed"),
    ] {
        assert!(
            summary[group][key].is_number(),
            "summary.{group}.{key} missing: {summary}"
        );
    }
    let start = summary["price"]["start"].as_f64().unwrap();
    assert!(
        (start - 100.0).abs() < 1.0,
        "baseline opens near 100.00, got {start}"
    );
    assert!(summary["events"]["processed"].as_u64().unwrap() > 100_000);

    let series = fs::read_to_string(dir.join("series.csv")).unwrap();
    let mut lines = series.lines();
    // The documented columns come first, in this order; later issues add columns after them.
    let header = lines.next().unwrap();
    assert!(
        header.starts_with(
            "time_s,bid,ask,mid,spread_bps,bid_qty,ask_qty,depth_1pct,volume,trades,last,fundamental"
        ),
        "{header}"
    );
    assert_eq!(lines.count(), 3600, "one row per second of a one-hour run");
    let trades = fs::read_to_string(dir.join("trades.csv")).unwrap();
    assert!(trades.starts_with("time_s,price,qty,taker_side,maker_order,taker_order,maker,taker\n"));
    // Volume in the series equals the volume of the tape.
    let tape: i64 = trades
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse::<i64>().unwrap())
        .sum();
    let sampled: i64 = series
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(8).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(tape, sampled);
    assert_eq!(summary["trades"]["volume"].as_i64().unwrap(), tape);

    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["seed"], 1,
        "the scenario's own seed is the default"
    );
    assert_eq!(manifest["scenario_name"], "baseline");
    assert!(manifest["scenario"].as_str().unwrap().contains("Noise("));
}

#[test]
fn overrides_change_the_run_and_are_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_baseline(
        &dir,
        &["--set", "duration_s=60", "--set", "agents.makers.size=3"],
    );
    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["overrides"],
        serde_json::json!(["duration_s=60", "agents.makers.size=3"])
    );
    let text = manifest["scenario"].as_str().unwrap();
    assert!(
        text.contains("duration_s: 60.0") && text.contains("size: 3,"),
        "{text}"
    );
    let rows = fs::read_to_string(dir.join("series.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 61);
}

#[test]
fn default_folder_is_output_name_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("baseline.ron");
    let out = cascade_in(
        tmp.path(),
        &[
            "run",
            s.to_str().unwrap(),
            "--seed",
            "3",
            "--set",
            "duration_s=5",
        ],
    );
    assert_ok(&out);
    assert!(tmp
        .path()
        .join("output/baseline/seed-3/summary.json")
        .is_file());
}

#[test]
fn every_shipped_scenario_checks_and_runs() {
    for entry in fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let p = path.to_str().unwrap();
            assert_ok(&cascade(&["check", p]));
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("r");
            assert_ok(&cascade(&["run", p, "--out", out.to_str().unwrap()]));
            assert!(out.join("manifest.json").is_file(), "{p}");
        }
    }
}
