//! `cascade ablate` end to end: the table's shape, the baseline against plain runs, a
//! switched-off mechanism that is really off, the same bytes whatever the thread count, and
//! bad input.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ablate-tiny.ron")
}

fn ablate(out: &Path, extra: &[&str]) -> std::process::Output {
    cascade_file_out("ablate", &tiny(), out, extra)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// summary.json of a plain run, as dotted keys.
fn run_summary(seed: u64, dir: &Path) -> BTreeMap<String, f64> {
    let out = dir.join(format!("run-{seed}"));
    let tiny = tiny();
    assert_ok(&cascade(&[
        "run",
        tiny.to_str().unwrap(),
        "--seed",
        &seed.to_string(),
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]));
    let mut flat = BTreeMap::new();
    fn walk(prefix: &str, v: &Value, flat: &mut BTreeMap<String, f64>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&key, v, flat)
            }),
            Value::Number(n) => {
                flat.insert(prefix.to_string(), n.as_f64().unwrap());
            }
            _ => {}
        }
    }
    walk("", &json(&out.join("summary.json")), &mut flat);
    flat
}

#[test]
fn an_ablation_lists_every_mechanism_and_its_baseline_is_the_plain_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ab");
    let o = ablate(&out, &["--seeds", "1..2", "--threads", "2"]);
    assert_ok(&o);
    for f in [
        "ablation.csv",
        "ablation.parquet",
        "ablation.json",
        "ablation.png",
        "results.csv",
        "sweep.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let j = json(&out.join("ablation.json"));
    assert_eq!(j["seeds"], serde_json::json!([1, 2]));
    let mechs = j["mechanisms"].as_array().unwrap();
    let status: Vec<(&str, &str)> = mechs
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("baseline", "baseline"),
            ("liquidations", "ok"),
            ("stop-losses", "ok"),
            ("maker-withdrawal", "ok"),
            ("funding", "not present"),
            ("adl", "ok"),
            ("group:noise", "ok"),
            ("group:makers", "ok"),
            ("group:longs", "ok"),
            ("group:shorts", "ok"),
        ]
    );
    assert_eq!(mechs[4]["absent"], "the venue pays no funding");

    // The baseline's mean is the mean of two plain runs, metric by metric, to the bit.
    let (s1, s2) = (run_summary(1, tmp.path()), run_summary(2, tmp.path()));
    let base = mechs[0]["metrics"].as_object().unwrap();
    assert!(base.len() > 40, "{} metrics", base.len());
    for (k, e) in base {
        let want = (0.0 + s1[k] + s2[k]) / 2.0;
        assert_eq!(e["baseline_mean"].as_f64().unwrap(), want, "{k}");
        assert_eq!(e["n"], 2, "{k}");
    }
    assert!(s1["liquidations.count"] > 0.0 && s2["liquidations.count"] > 0.0);
    assert!(base.contains_key("returns.hill_alpha"));

    // With liquidations off there are none, and the difference is minus the baseline's.
    let liq = &mechs[1]["metrics"]["liquidations.count"];
    assert_eq!(liq["mean"], 0.0);
    assert_eq!(
        liq["diff"].as_f64().unwrap(),
        -(s1["liquidations.count"] + s2["liquidations.count"]) / 2.0
    );
    assert_eq!(mechs[1]["metrics"]["liquidations.adl_count"]["mean"], 0.0);
    assert_eq!(mechs[1]["sets"][0], "liquidation.enabled=false");

    // ablation.csv: one row per (mechanism, metric); a mechanism not present is one row.
    let mut reader = csv::Reader::from_path(out.join("ablation.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "mechanism",
            "status",
            "metric",
            "n",
            "baseline_mean",
            "mean",
            "diff_mean",
            "diff_lo",
            "diff_hi",
            "note"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let funding: Vec<_> = rows.iter().filter(|r| &r[0] == "funding").collect();
    assert_eq!(funding.len(), 1);
    assert_eq!((&funding[0][1], &funding[0][2]), ("not present", ""));
    let expected: usize = mechs
        .iter()
        .map(|m| m["metrics"].as_object().unwrap().len().max(1))
        .sum();
    assert_eq!(rows.len(), expected);
    let png = fs::read(out.join("ablation.png")).unwrap();
    assert_eq!(png_size(&png), (1400, 1000));

    // One thread: the same bytes.
    let out1 = tmp.path().join("ab1");
    assert_ok(&ablate(&out1, &["--seeds", "1..2", "--threads", "1"]));
    for f in [
        "ablation.csv",
        "ablation.json",
        "ablation.png",
        "results.csv",
    ] {
        assert!(
            fs::read(out.join(f)).unwrap() == fs::read(out1.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn only_runs_the_mechanisms_named_and_json_prints_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ab");
    let o = ablate(
        &out,
        &[
            "--seeds",
            "3",
            "--only",
            "stop-losses",
            "--only",
            "funding",
            "--json",
        ],
    );
    assert_ok(&o);
    assert_eq!(o.stdout, fs::read(out.join("ablation.json")).unwrap());
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = j["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "stop-losses", "funding"]);
    // One seed: a difference without an interval.
    let e = &j["mechanisms"][1]["metrics"]["trades.count"];
    assert_eq!(e["n"], 1);
    assert!(e["lo"].is_null() && e["diff"].is_number());
}

#[test]
fn bad_input_exits_2_naming_the_option() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ab");
    assert_bad_input(
        &ablate(&out, &["--seeds", "1..2", "--only", "gravity"]),
        &["--only", "gravity", "liquidations", "group:noise"],
    );
    assert_bad_input(
        &ablate(&out, &["--seeds", "5..1"]),
        &["--seeds", "range is empty"],
    );
    assert_bad_input(&ablate(&out, &["--seeds", "x"]), &["--seeds", "not a seed"]);
    assert_bad_input(
        &ablate(&out, &["--seeds", "1", "--set", "duration_s=-1"]),
        &["ablate-tiny.ron", "duration_s"],
    );
    assert!(!out.exists(), "nothing written for bad input");
    let missing = tmp.path().join("nope.ron");
    assert_bad_input(
        &cascade(&["ablate", missing.to_str().unwrap(), "--seeds", "1"]),
        &["nope.ron"],
    );
}
