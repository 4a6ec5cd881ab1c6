//! `--json` on run, check, compare and sweep: one JSON object on stdout (parsed here with
//! serde_json), every message for people on stderr, and on failure exit 2 with the message on
//! stderr and an `ok: false` object on stdout.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {}", describe(out)))
}

#[test]
fn run_json_holds_the_folder_the_counts_and_the_whole_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let s = scenario("baseline.ron");
    let out = cascade(&[
        "run",
        s.to_str().unwrap(),
        "--set",
        "duration_s=60",
        "--no-charts",
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["out"], dir.to_str().unwrap());
    assert_eq!(v["scenario"], "baseline");
    assert_eq!(v["seed"], 1);
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["summary"], summary, "the whole summary.json");
    assert_eq!(v["events"], summary["events"]["processed"]);
    assert_eq!(v["trades"], summary["trades"]["count"]);
    // The line for people went to stderr.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("events") && err.contains("->"), "{err}");
}

#[test]
fn check_json_says_ok_or_lists_each_problem_with_its_field() {
    let ok = cascade(&[
        "check",
        scenario("flash-cascade.ron").to_str().unwrap(),
        "--json",
    ]);
    assert_ok(&ok);
    let v = json_of(&ok);
    assert_eq!(
        (v["ok"].as_bool(), v["agents"].as_u64()),
        (Some(true), Some(1404))
    );
    assert_eq!(v["problems"], serde_json::json!([]));

    let bad = cascade(&[
        "check",
        scenario("baseline.ron").to_str().unwrap(),
        "--set",
        "duration_s=-1",
        "--set",
        "agents.noise.rate_per_s=-2",
        "--json",
    ]);
    assert_bad_input(&bad, &["duration_s", "rate_per_s"]);
    let v = json_of(&bad);
    assert_eq!(
        (v["ok"].as_bool(), v["exit_code"].as_u64()),
        (Some(false), Some(2))
    );
    let fields: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"duration_s"), "{v}");
    assert!(fields.contains(&"agents[0].rate_per_s"), "{v}");
    for p in v["problems"].as_array().unwrap() {
        assert!(p["file"].as_str().unwrap().ends_with("baseline.ron"), "{p}");
        assert!(!p["reason"].as_str().unwrap().is_empty(), "{p}");
    }

    // A parse error has its line and column.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("broken.ron");
    std::fs::write(
        &file,
        "Scenario(\n    name: \"x\",\n    seed: \"one\",\n)\n",
    )
    .unwrap();
    let parse = cascade(&["check", file.to_str().unwrap(), "--json"]);
    assert_bad_input(&parse, &["broken.ron:3:"]);
    let v = json_of(&parse);
    let p = &v["problems"][0];
    assert_eq!(
        (p["line"].as_u64(), p["field"].as_str()),
        (Some(3), Some("seed")),
        "{v}"
    );
}

fn run_small(dir: &Path, extra: &[&str]) {
    let mut args = vec!["--set", "duration_s=60", "--no-charts"];
    args.extend_from_slice(extra);
    run_into("baseline.ron", dir, &args);
}

#[test]
fn compare_json_holds_both_runs_the_files_and_every_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, out_dir) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("cmp"),
    );
    run_small(&a, &[]);
    run_small(&b, &["--set", "agents.makers.size=3"]);
    let out = cascade(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--json",
    ]);
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["a"]["dir"], a.to_str().unwrap());
    assert_eq!(v["b"]["overrides"][1], "agents.makers.size=3");
    for f in v["files"].as_array().unwrap() {
        assert!(Path::new(f.as_str().unwrap()).is_file(), "{f}");
    }
    let metrics = v["metrics"].as_array().unwrap();
    let trades = metrics
        .iter()
        .find(|m| m["metric"] == "trades.count")
        .expect("trades.count");
    let (ta, tb) = (trades["a"].as_f64().unwrap(), trades["b"].as_f64().unwrap());
    assert_eq!(trades["diff"].as_f64().unwrap(), tb - ta);
    // compare.csv has the same rows.
    let csv = std::fs::read_to_string(out_dir.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count() - 1, metrics.len());
    assert!(String::from_utf8_lossy(&out.stderr).contains("trades.count"));
}

#[test]
fn sweep_json_holds_the_counts_and_the_files_and_errors_are_json_too() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("sw");
    let sweep = root().join("scenarios/sweeps/smoke.ron");
    let out = cascade(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--threads",
        "2",
        "--json",
    ]);
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["name"], "smoke");
    assert_eq!(v["runs"], 36);
    assert_eq!(
        (v["ran"].as_u64(), v["failed"].as_u64()),
        (Some(36), Some(0))
    );
    for key in [
        "results_csv",
        "results_parquet",
        "aggregate_csv",
        "aggregate_parquet",
    ] {
        assert!(
            Path::new(v["files"][key].as_str().unwrap()).is_file(),
            "{key}"
        );
    }
    let results = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 37);

    // A refused sweep: exit 2, the message on stderr, an ok: false object on stdout.
    let again = cascade(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", describe(&again));
    let v = json_of(&again);
    assert_eq!(
        (v["ok"].as_bool(), v["exit_code"].as_u64()),
        (Some(false), Some(2))
    );
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains(v["error"].as_str().unwrap()), "{err}");
}
