//! Global sensitivity through `cascade sweep` on a Sobol design (`samples: Sobol(points: N)`):
//! sensitivity.csv gives each metric's first-order and total index on each random axis; a
//! parameter that changes nothing has indices of exactly zero; bad designs exit 2.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};

fn sweep_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    let base = scenario("baseline.ron");
    fs::write(
        &path,
        format!(
            "Sweep(name: {name:?}, base: {:?}, set: [\"duration_s=60\"], seed: 3, {body})",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

fn run_sweep(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    cascade_file_out("sweep", file, out, extra)
}

fn rows(csv_text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_sobol_sweep_writes_first_order_and_total_indices() {
    let tmp = tempfile::tempdir().unwrap();
    // The unlevered baseline never liquidates, so its insurance fund changes no trade; the noise
    // traders' rate changes how many trades there are. Common seeds: every point runs on the
    // same seed, so the fund's rows equal A's exactly.
    let file = sweep_file(
        tmp.path(),
        "sobol",
        "common_seeds: true, samples: Sobol(points: 6), axes: [
            Uniform(path: \"agents.noise.rate_per_s\", from: 0.2, to: 1.0),
            Uniform(path: \"liquidation.insurance_fund\", from: 1000.0, to: 100000.0),
        ]",
    );
    let out = tmp.path().join("out");
    assert_ok(&run_sweep(&file, &out, &[]));
    // 6 × (2 + 2) points.
    let results = fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count() - 1, 24);
    let text = fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(
        text.starts_with("metric,axis,n,first_order,first_order_low,first_order_high,total,total_low,total_high\n"),
        "{text}"
    );
    assert!(out.join("sensitivity.parquet").is_file());
    let find = |metric: &str, axis: &str| {
        rows(&text)
            .into_iter()
            .find(|r| &r[0] == metric && &r[1] == axis)
            .unwrap_or_else(|| panic!("no row for {metric} on {axis}"))
    };
    let num = |r: &csv::StringRecord, i: usize| -> f64 { r[i].parse().unwrap() };
    let fund = find("trades.count", "liquidation.insurance_fund");
    assert_eq!(&fund[2], "6");
    for i in 3..9 {
        assert_eq!(num(&fund, i), 0.0, "column {i} of {fund:?}");
    }
    let rate = find("trades.count", "agents.noise.rate_per_s");
    assert!(
        num(&rate, 6) > 0.5,
        "total index of the noise rate: {rate:?}"
    );
    assert!(num(&rate, 7) <= num(&rate, 6) && num(&rate, 6) <= num(&rate, 8));
    // Two runs of the same sweep give the same bytes.
    let again = tmp.path().join("again");
    assert_ok(&run_sweep(&file, &again, &["--threads", "1"]));
    assert_eq!(
        fs::read(again.join("sensitivity.csv")).unwrap(),
        text.as_bytes()
    );

    // A grid sweep writes no sensitivity table.
    let grid = sweep_file(
        tmp.path(),
        "grid",
        "axes: [Values(path: \"agents.makers.size\", values: [5, 10])]",
    );
    let grid_out = tmp.path().join("grid-out");
    assert_ok(&run_sweep(&grid, &grid_out, &[]));
    assert!(!grid_out.join("sensitivity.csv").exists());
}

#[test]
fn bad_sobol_designs_exit_2_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 3] = [
        (
            "samples: Sobol(points: 4), axes: [Uniform(path: \"agents.noise.rate_per_s\", from: 0.2, to: 1.0), Values(path: \"agents.makers.size\", values: [5, 10])]",
            &["axis agents.makers.size", "only Uniform and LogUniform"],
        ),
        (
            "samples: Sobol(points: 1), axes: [Uniform(path: \"agents.noise.rate_per_s\", from: 0.2, to: 1.0)]",
            &["field samples", "at least 2"],
        ),
        (
            "samples: Sobol(points: 5000000), axes: [Uniform(path: \"agents.noise.rate_per_s\", from: 0.2, to: 1.0)]",
            &["field samples", "N × (random axes + 2) = 15000000"],
        ),
    ];
    for (i, (body, fragments)) in cases.iter().enumerate() {
        let file = sweep_file(tmp.path(), &format!("bad{i}"), body);
        let out = tmp.path().join(format!("o{i}"));
        let mut want = vec![file.to_str().unwrap()];
        want.extend_from_slice(fragments);
        assert_bad_input(
            &cascade(&[
                "sweep",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ]),
            &want,
        );
        assert!(!out.exists(), "case {i} wrote output");
    }
}
