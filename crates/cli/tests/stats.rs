//! `cascade stats` end to end: stats.json's shape, the chart, determinism, horizons, and bad
//! input (exit 2, naming the folder or file and the reason).

mod common;
use common::*;
use serde_json::Value;
use std::fs;

/// Every number in `v` is finite (a NaN would have been written as null: the callers check
/// the keys that must be numbers).
fn all_finite(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        Value::Array(a) => a.iter().all(all_finite),
        Value::Object(o) => o.values().all(all_finite),
        _ => true,
    }
}

#[test]
fn stats_of_the_baseline_write_stats_json_and_the_chart_and_print_the_same_json() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("baseline");
    run_into("baseline.ron", &run, &["--no-charts"]);
    let dir = run.to_str().unwrap();

    let out = cascade(&["stats", dir, "--json"]);
    assert_ok(&out);
    let written = fs::read(run.join("stats.json")).unwrap();
    assert_eq!(out.stdout, written, "--json prints stats.json");
    let v: Value = serde_json::from_slice(&written).unwrap();
    assert!(all_finite(&v));
    let horizons = v["horizons"].as_array().unwrap();
    // One hour at 1 s, 300 s burn-in: 3,300 one-second returns; 10 s leaves 330 (< 500).
    assert_eq!(horizons.len(), 1, "{v}");
    let h = &horizons[0];
    assert_eq!(h["seconds"], 1.0);
    assert_eq!(h["returns"], 3300);
    assert_eq!(h["acf_returns"].as_array().unwrap().len(), 50);
    assert_eq!(h["acf_abs"].as_array().unwrap().len(), 200);
    for key in [
        "zero_return_share",
        "excess_kurtosis",
        "acf_abs_exponent",
        "hill_tail_index",
        "hill_std_error",
    ] {
        assert!(h[key].as_f64().is_some(), "{key}: {}", h[key]);
    }
    assert!(h["hill_k"].as_u64().unwrap() >= 10);
    // The robust figures: 0.1% of 3,300 returns is 4 left out of the trimmed kurtosis; the
    // KS-chosen Hill α lies inside its bootstrap interval.
    assert_eq!(h["trimmed_returns"], 4);
    assert!(
        h["excess_kurtosis_trimmed"].as_f64().unwrap() <= h["excess_kurtosis"].as_f64().unwrap()
    );
    let (a, lo, hi) = (
        h["hill_ks_alpha"].as_f64().unwrap(),
        h["hill_ks_alpha_lo"].as_f64().unwrap(),
        h["hill_ks_alpha_hi"].as_f64().unwrap(),
    );
    assert!(lo <= a && a <= hi && lo > 0.0, "α {a} in [{lo}, {hi}]");
    assert!(
        h["hill_ks_k"].as_u64().unwrap() >= 10 && h["hill_ks_distance"].as_f64().unwrap() < 1.0
    );
    assert!(v["spread_vol_r2"].is_number() || v["spread_vol_r2"].is_null());
    assert!(v["spread_vol_slope"].is_number() || v["spread_vol_slope"].is_null());
    assert!(v["impact"].is_null(), "no metaorders in a run folder yet");

    assert_eq!(
        png_size(&fs::read(run.join("charts/stats.png")).unwrap()),
        (1280, 1000)
    );
    let svg = fs::read_to_string(run.join("charts/stats.svg")).unwrap();
    assert_eq!(svg_size(&svg), (1280, 1000));
    assert!(svg.contains("baseline, seed 1"), "no title");

    // The table, and the same bytes again.
    let table = cascade(&["stats", dir]);
    assert_ok(&table);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("excess kurtosis")
            && text.contains("Hill")
            && text.contains("top 0.1% |r| left out")
            && text.contains("95% bootstrap interval"),
        "{text}"
    );
    assert_eq!(fs::read(run.join("stats.json")).unwrap(), written);

    // Explicit horizons, shortest first whatever the order given.
    let out = cascade(&[
        "stats",
        dir,
        "--json",
        "--horizons",
        "5,1",
        "--min-returns",
        "100",
    ]);
    assert_ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let secs: Vec<f64> = v["horizons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["seconds"].as_f64().unwrap())
        .collect();
    assert_eq!(secs, [1.0, 5.0]);
    assert_bad_input(
        &cascade(&["stats", dir, "--horizons", "1.5"]),
        &["series.parquet", "not a multiple of the sampling interval"],
    );
    assert_bad_input(
        &cascade(&["stats", dir, "--horizons", "60"]),
        &[
            "series.parquet",
            "horizon 60 s leaves 55 returns",
            "fewer than 500",
        ],
    );
}

#[test]
fn stats_refuse_missing_folders_series_and_short_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    assert_bad_input(
        &cascade(&["stats", missing.to_str().unwrap()]),
        &["nope", "no such folder"],
    );
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_bad_input(
        &cascade(&["stats", empty.to_str().unwrap()]),
        &["series.csv", "no such file"],
    );
    let no_mid = tmp.path().join("no-mid");
    fs::create_dir(&no_mid).unwrap();
    fs::write(no_mid.join("series.csv"), "time_s,spread_bps\n1,2\n2,2\n").unwrap();
    assert_bad_input(
        &cascade(&["stats", no_mid.to_str().unwrap()]),
        &["series.csv", "\"mid\""],
    );
    let short = tmp.path().join("short");
    run_into(
        "baseline.ron",
        &short,
        &["--no-charts", "--set", "duration_s=120"],
    );
    assert_bad_input(
        &cascade(&["stats", short.to_str().unwrap()]),
        &["short", "series.parquet", "fewer than 500"],
    );
    assert!(
        !short.join("stats.json").exists(),
        "nothing written on bad input"
    );
}
