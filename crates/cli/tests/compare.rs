//! `cascade compare` end to end: the metric table, compare.csv and .md, the overlay chart.

mod common;
use common::*;
use std::fs;

#[test]
fn compare_prints_the_metrics_and_writes_the_table_and_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, out) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("cmp"),
    );
    run_into(
        "baseline.ron",
        &a,
        &["--set", "duration_s=120", "--no-charts"],
    );
    run_into(
        "baseline.ron",
        &b,
        &[
            "--set",
            "duration_s=120",
            "--set",
            "agents.makers.size=3",
            "--no-charts",
        ],
    );
    let res = cascade(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&res);
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(
        stdout.contains("B: baseline, seed 1, duration_s=120, agents.makers.size=3"),
        "{stdout}"
    );
    let spread = stdout
        .lines()
        .find(|l| l.starts_with("spread.peak_bps"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(spread.split_whitespace().count(), 5, "{spread}");

    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(csv.starts_with("metric,a,b,diff,change_pct\n"), "{csv}");
    let depth = csv
        .lines()
        .find(|l| l.starts_with("depth.baseline_1pct,"))
        .unwrap();
    let cells: Vec<f64> = depth
        .split(',')
        .skip(1)
        .map(|c| c.parse().unwrap())
        .collect();
    assert!((cells[1] - cells[0] - cells[2]).abs() < 1e-3, "{depth}");
    assert!(cells[1] < cells[0], "smaller makers, less depth: {depth}");
    let md = fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("| `depth.baseline_1pct` |"), "{md}");

    let png = fs::read(out.join("compare.png")).unwrap();
    assert_eq!(png_size(&png), (1280, 1040));
    let svg = fs::read_to_string(out.join("compare.svg")).unwrap();
    assert_eq!(svg_size(&svg), (1280, 1040));
    for t in [
        "mid price (quote currency)",
        "spread (bps of mid)",
        "depth within ±1% (lots)",
        "A: baseline, seed 1",
    ] {
        assert!(svg.contains(t), "compare.svg lacks {t:?}");
    }
}

#[test]
fn compare_with_a_missing_run_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    run_into(
        "baseline.ron",
        &a,
        &["--set", "duration_s=10", "--no-charts"],
    );
    let res = cascade(&[
        "compare",
        a.to_str().unwrap(),
        tmp.path().join("b").to_str().unwrap(),
    ]);
    assert_bad_input(&res, &["no such folder"]);
    fs::remove_file(a.join("summary.json")).unwrap();
    let res = cascade(&["compare", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_bad_input(&res, &["summary.json", "no such file"]);
}
