//! `cascade sweep` end to end: results do not depend on threads, shards or interruptions;
//! bad sweep files exit 2 naming the axis; a failing run is a row, not an abort.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RESULT_FILES: [&str; 4] = [
    "results.csv",
    "results.parquet",
    "aggregate.csv",
    "aggregate.parquet",
];

fn smoke() -> PathBuf {
    root().join("scenarios/sweeps/smoke.ron")
}

/// A sweep file over the shipped baseline, written into `dir`.
fn sweep_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    let base = scenario("baseline.ron");
    let text = format!(
        "Sweep(name: {name:?}, base: {:?}, {body})",
        base.to_str().unwrap()
    );
    fs::write(&path, text).unwrap();
    path
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    cascade_file_out("sweep", file, out, extra)
}

/// The results files of a sweep folder.
fn results(dir: &Path) -> Vec<(String, Vec<u8>)> {
    RESULT_FILES
        .iter()
        .map(|f| {
            let bytes = fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            (f.to_string(), bytes)
        })
        .collect()
}

fn assert_same_results(a: &Path, b: &Path) {
    for ((name, x), (_, y)) in results(a).iter().zip(results(b)) {
        assert!(
            *x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn results_do_not_depend_on_threads_or_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |n: &str| tmp.path().join(n);
    assert_ok(&sweep(&smoke(), &t("one"), &["--threads", "1"]));
    assert_ok(&sweep(&smoke(), &t("two"), &["--threads", "2"]));
    assert_same_results(&t("one"), &t("two"));

    assert_ok(&sweep(
        &smoke(),
        &t("s0"),
        &["--shard", "0/2", "--threads", "2"],
    ));
    assert_ok(&sweep(
        &smoke(),
        &t("s1"),
        &["--shard", "1/2", "--threads", "1"],
    ));
    let s0 = fs::read_to_string(t("s0").join("results.csv")).unwrap();
    assert_eq!(
        s0.lines().count(),
        1 + 18,
        "shard 0/2 holds half the 36 runs"
    );
    let out = cascade(&[
        "sweep",
        "merge",
        t("s0").to_str().unwrap(),
        t("s1").to_str().unwrap(),
        "--out",
        t("merged").to_str().unwrap(),
    ]);
    assert_ok(&out);
    assert_same_results(&t("one"), &t("merged"));

    // The table: one row per run, sorted, the axes as columns, the documented metrics.
    let csv = fs::read_to_string(t("one").join("results.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..7],
        [
            "point",
            "replicate",
            "seed",
            "agents.makers.size",
            "agents.noise.rate_per_s",
            "status",
            "error"
        ]
    );
    for metric in [
        "price.max_drawdown_pct",
        "spread.peak_over_baseline",
        "depth.min_over_baseline",
        "events.processed",
    ] {
        assert!(header.contains(&metric), "no column {metric}: {header:?}");
    }
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 36);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (i / 4).to_string());
        assert_eq!(r[1], (i % 4).to_string());
        assert_eq!(r[5], "ok");
    }
    // `cascade plot` on a sweep folder draws the sweep's charts.
    let out = cascade(&["plot", t("one").to_str().unwrap(), "--format", "png"]);
    assert_ok(&out);
    for chart in [
        "heatmap-price.max_drawdown_pct-agents.makers.size-agents.noise.rate_per_s.png",
        "band-price.max_drawdown_pct-agents.noise.rate_per_s.png",
    ] {
        let bytes = fs::read(t("one").join("charts").join(chart)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{chart} is not a PNG");
    }
    let agg = fs::read_to_string(t("one").join("aggregate.csv")).unwrap();
    assert!(agg.starts_with(
        "point,agents.makers.size,agents.noise.rate_per_s,metric,n,mean,std,min,q05,q50,q95,max\n"
    ));
}

#[test]
fn a_sweep_killed_mid_way_and_resumed_gives_the_same_results() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "kill",
        r#"set: ["duration_s=300"], seed: 3, replicates: 6,
           axes: [Values(path: "agents.makers.size", values: [4, 8, 12, 16, 20, 24, 28, 32])]"#,
    );
    let whole = tmp.path().join("whole");
    assert_ok(&sweep(&file, &whole, &["--threads", "2"]));

    let killed = tmp.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cascade"))
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&killed)
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Whole lines of the run log.
    let records = |dir: &Path| {
        fs::read(dir.join("runs.jsonl"))
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while records(&killed) < 5 {
        assert!(Instant::now() < deadline, "no runs recorded within 60 s");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let done = records(&killed);
    assert!(done < 48, "all runs finished before the kill ({done})");
    assert!(!killed.join("results.csv").exists());

    // Without --resume the folder is refused; with it, only the missing runs run.
    assert_bad_input(&sweep(&file, &killed, &[]), &["--resume"]);
    let out = sweep(&file, &killed, &["--resume", "--threads", "2"]);
    assert_ok(&out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("{done} already done")), "{said}");
    assert_same_results(&whole, &killed);
}

#[test]
fn a_folder_of_another_sweep_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = sweep_file(
        tmp.path(),
        "a",
        r#"set: ["duration_s=5"], seed: 1, replicates: 2, axes: [Values(path: "agents.makers.size", values: [5])]"#,
    );
    let b = sweep_file(
        tmp.path(),
        "b",
        r#"set: ["duration_s=5"], seed: 2, replicates: 2, axes: [Values(path: "agents.makers.size", values: [5])]"#,
    );
    let (da, db) = (tmp.path().join("da"), tmp.path().join("db"));
    assert_ok(&sweep(&a, &da, &["--shard", "0/2"]));
    assert_ok(&sweep(&b, &db, &["--shard", "1/2"]));
    assert_bad_input(
        &sweep(&b, &da, &["--resume", "--shard", "0/2"]),
        &["different sweep", "refusing to resume"],
    );
    assert_bad_input(
        &sweep(&a, &da, &["--resume", "--shard", "1/2"]),
        &["holds shard 0/2"],
    );
    let merged = tmp.path().join("m");
    assert_bad_input(
        &cascade(&[
            "sweep",
            "merge",
            da.to_str().unwrap(),
            db.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ]),
        &["different sweep", "refusing to merge"],
    );
    assert_bad_input(
        &cascade(&[
            "sweep",
            "merge",
            da.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ]),
        &["1 of 2 runs", "missing"],
    );
}

#[test]
fn bad_sweep_files_exit_2_naming_the_axis() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 5] = [
        (
            r#"Values(path: "agents.makers.sise", values: [1, 2])"#,
            &["axis agents.makers.sise", "no field \"sise\""],
        ),
        (
            r#"Values(path: "agents.makers.size", values: [])"#,
            &["axis agents.makers.size", "no values"],
        ),
        (
            r#"Values(path: "agents.makers.size", values: [5, "many"])"#,
            &[
                "axis agents.makers.size",
                "value \"many\"",
                "expected a number",
            ],
        ),
        (
            r#"Values(path: "duration_s", values: [1.0]), Values(path: "duration_s", values: [2.0])"#,
            &["axis duration_s", "appears twice"],
        ),
        (
            r#"Linear(path: "agents.nobody.size", from: 1.0, to: 2.0, steps: 2)"#,
            &["axis agents.nobody.size", "no entry named \"nobody\""],
        ),
    ];
    for (i, (axes, fragments)) in cases.iter().enumerate() {
        let file = sweep_file(
            tmp.path(),
            &format!("bad{i}"),
            &format!("seed: 1, axes: [{axes}]"),
        );
        let out = sweep(&file, &tmp.path().join(format!("o{i}")), &[]);
        let mut want = vec![file.to_str().unwrap()];
        want.extend_from_slice(fragments);
        assert_bad_input(&out, &want);
        assert!(
            !tmp.path().join(format!("o{i}")).exists(),
            "case {i} wrote output"
        );
    }
    // Syntax errors give the line and the field.
    let path = tmp.path().join("syntax.ron");
    fs::write(&path, "Sweep(\n  name: \"s\",\n  seed: -1,\n  axes: [],\n)").unwrap();
    assert_bad_input(
        &sweep(&path, &tmp.path().join("os"), &[]),
        &["syntax.ron:3:", "field seed"],
    );
    assert_bad_input(
        &sweep(&tmp.path().join("missing.ron"), &tmp.path().join("om"), &[]),
        &["missing.ron", "no such file"],
    );
    assert_bad_input(
        &sweep(&smoke(), &tmp.path().join("ot"), &["--threads", "0"]),
        &["--threads"],
    );
}

#[test]
fn a_failing_run_is_a_row_and_the_sweep_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "fails",
        r#"set: ["duration_s=20"], seed: 1, replicates: 2,
           axes: [Values(path: "agents.makers.size", values: [5, -3, 10])]"#,
    );
    let out_dir = tmp.path().join("out");
    let out = sweep(&file, &out_dir, &["--threads", "2"]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 run(s) failed"));
    let csv = fs::read_to_string(out_dir.join("results.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| &r[col("status")]).collect();
    assert_eq!(statuses, ["ok", "ok", "failed", "failed", "ok", "ok"]);
    let error = &rows[2][col("error")];
    assert!(error.contains("agents[1].size"), "{error}");
    assert_eq!(&rows[2][col("events.processed")], "");
    assert_ne!(&rows[4][col("events.processed")], "");
    let agg = fs::read_to_string(out_dir.join("aggregate.csv")).unwrap();
    assert!(agg.contains("\n1,-3,events.processed,0,,,,,,,\n"), "{agg}");

    // Charts skip the failed point; an unknown metric is bad input.
    let dir = out_dir.to_str().unwrap();
    let out = cascade(&[
        "sweep",
        "plot",
        dir,
        "--metric",
        "events.processed",
        "--format",
        "svg",
    ]);
    assert_ok(&out);
    assert!(out_dir
        .join("charts/band-events.processed-agents.makers.size.svg")
        .is_file());
    assert_bad_input(
        &cascade(&["sweep", "plot", dir, "--metric", "price.nope"]),
        &["no metric \"price.nope\""],
    );
}

#[test]
fn slurm_scripts_run_the_shards_and_a_dependent_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("cluster");
    let out = cascade(&[
        "sweep",
        "slurm",
        smoke().to_str().unwrap(),
        "--tasks",
        "5",
        "--chunk",
        "2",
        "--partition",
        "short",
        "--time",
        "00:10:00",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let array = fs::read_to_string(out_dir.join("slurm/array.sbatch")).unwrap();
    for line in [
        "#SBATCH --array=0-2\n",
        "#SBATCH --partition=short\n",
        "#SBATCH --time=00:10:00\n",
        "SHARDS=5\n",
        "--shard \"$shard/$SHARDS\" --resume",
    ] {
        assert!(
            array.contains(line),
            "array.sbatch lacks {line:?}:\n{array}"
        );
    }
    let submit = fs::read_to_string(out_dir.join("slurm/submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"), "{submit}");
    for script in ["array.sbatch", "merge.sbatch", "submit.sh"] {
        let check = Command::new("bash")
            .arg("-n")
            .arg(out_dir.join("slurm").join(script))
            .status()
            .unwrap();
        assert!(check.success(), "{script} is not valid shell");
    }
    assert_bad_input(
        &cascade(&[
            "sweep",
            "slurm",
            smoke().to_str().unwrap(),
            "--tasks",
            "5000",
            "--out",
            out_dir.to_str().unwrap(),
        ]),
        &["MaxArraySize", "--chunk 5"],
    );
}

#[test]
fn explicit_seeds_give_the_runs_of_cascade_run_with_those_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "seeds",
        r#"set: ["duration_s=60"], seed: 1, seeds: [5, 3], axes: []"#,
    );
    let out_dir = tmp.path().join("s");
    let out = sweep(&file, &out_dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = fs::read_to_string(out_dir.join("results.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    for (row, seed) in rows.iter().zip(["5", "3"]) {
        assert_eq!(&row[col("seed")], seed);
        let run_dir = tmp.path().join(format!("run{seed}"));
        let base = scenario("baseline.ron");
        let ran = cascade(&[
            "run",
            base.to_str().unwrap(),
            "--seed",
            seed,
            "--set",
            "duration_s=60",
            "--no-charts",
            "--out",
            run_dir.to_str().unwrap(),
        ]);
        assert!(ran.status.success());
        let summary: serde_json::Value =
            serde_json::from_slice(&fs::read(run_dir.join("summary.json")).unwrap()).unwrap();
        for key in ["events.processed", "trades.volume", "price.end"] {
            let want = key.split('.').fold(&summary, |v, k| &v[k]);
            let got: f64 = row[col(key)].parse().unwrap();
            assert_eq!(got, want.as_f64().unwrap(), "seed {seed}, {key}");
        }
    }
    assert_ne!(
        rows[0][col("events.processed")],
        rows[1][col("events.processed")]
    );
    let agg = fs::read_to_string(out_dir.join("aggregate.csv")).unwrap();
    assert!(agg.contains(",events.processed,2,"), "{agg}");

    for (i, (body, fragment)) in [
        ("seeds: [], axes: []", "give at least one seed"),
        (
            "seeds: [1, 2], replicates: 3, axes: []",
            "2 seeds but replicates: 3",
        ),
    ]
    .iter()
    .enumerate()
    {
        let file = sweep_file(tmp.path(), &format!("bad{i}"), &format!("seed: 1, {body}"));
        let out = sweep(&file, &tmp.path().join(format!("b{i}")), &[]);
        assert_bad_input(&out, &[file.to_str().unwrap(), "field seeds", fragment]);
    }
}

/// The columns of a sweep's results.parquet and aggregate.parquet have one type whatever the
/// data: the smoke sweep (no liquidation, so every liquidation share is null) and a sweep over
/// flash-cascade (liquidations in every run) on the same axes have equal schemas, so their
/// tables concatenate in pandas or polars.
#[test]
fn results_of_two_sweeps_have_one_schema_whatever_the_data() {
    use cascade_report::parquet_io::parquet_schema;
    let tmp = tempfile::tempdir().unwrap();
    let flash = tmp.path().join("flash.ron");
    let base = scenario("flash-cascade.ron");
    fs::write(
        &flash,
        format!(
            "Sweep(name: \"flash\", base: {:?}, seed: 3, replicates: 1,
               set: [\"duration_s=300\", \"shocks[0].at_s=150\",
                     \"agents.longs.entry_end_s=100\", \"agents.shorts.entry_end_s=100\"],
               axes: [Values(path: \"agents.makers.size\", values: [20]),
                      Values(path: \"agents.noise.rate_per_s\", values: [0.5])])",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    assert_ok(&sweep(&smoke(), &tmp.path().join("smoke"), &[]));
    assert_ok(&sweep(&flash, &tmp.path().join("flash"), &[]));

    let csv_of = |dir: &str| fs::read_to_string(tmp.path().join(dir).join("results.csv")).unwrap();
    let column = |text: &str, name: &str| -> Vec<String> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
        r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
    };
    // The data differ as the issue found them: null in one sweep, numbers in the other.
    let share = "liquidations.busiest_40min_share";
    assert!(column(&csv_of("smoke"), share).iter().all(String::is_empty));
    assert!(column(&csv_of("flash"), share)
        .iter()
        .all(|v| !v.is_empty()));

    for table in ["results.parquet", "aggregate.parquet"] {
        let smoke = parquet_schema(&tmp.path().join("smoke").join(table)).unwrap();
        let flash = parquet_schema(&tmp.path().join("flash").join(table)).unwrap();
        assert_eq!(smoke, flash, "{table}: the schemas differ");
        let ty = |name: &str| smoke.iter().find(|(n, _)| n == name).unwrap().1.clone();
        if table == "results.parquet" {
            assert_eq!(ty(share), "OPTIONAL DOUBLE");
            assert_eq!(ty("liquidations.count"), "OPTIONAL INT64");
            assert_eq!(ty("seed"), "REQUIRED INT64 UINT64");
        } else {
            assert_eq!(ty("metric"), "OPTIONAL BYTE_ARRAY UTF8");
            assert_eq!(ty("n"), "OPTIONAL INT64");
            assert_eq!(ty("std"), "OPTIONAL DOUBLE");
        }
    }
    // The smoke sweep's charts: 4 replicates make no 5–95% band, and no run failed.
    let smoke_dir = tmp.path().join("smoke");
    assert_ok(&cascade(&[
        "plot",
        smoke_dir.to_str().unwrap(),
        "--format",
        "svg",
    ]));
    let chart = |name: &str| fs::read_to_string(smoke_dir.join("charts").join(name)).unwrap();
    let band = chart("band-price.max_drawdown_pct-agents.noise.rate_per_s.svg");
    assert!(band.contains("band: min–max of 4 runs per point"), "{band}");
    assert!(!band.contains("5–95%"));
    let heat =
        chart("heatmap-price.max_drawdown_pct-agents.makers.size-agents.noise.rate_per_s.svg");
    assert!(!heat.contains("no successful run"));

    // aggregate.parquet holds what aggregate.csv holds.
    let agg = cascade_report::parquet_io::read_parquet(&tmp.path().join("smoke/aggregate.parquet"))
        .unwrap();
    let csv = cascade_report::frame::read_csv(&tmp.path().join("smoke/aggregate.csv")).unwrap();
    assert_eq!(agg, csv);
}

#[test]
fn a_sweep_over_python_agents_exits_2_naming_the_group() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(scenario("baseline.ron")).unwrap();
    let at = base.rfind("],").expect("the agents list ends");
    let with_python = format!(
        "{}    PythonAgent(name: \"mine\", count: 1, wake_every_s: 1.0, class: \"Mine\"),\n{}",
        &base[..at],
        &base[at..]
    );
    let scenario_path = tmp.path().join("python.ron");
    fs::write(&scenario_path, with_python).unwrap();
    let file = tmp.path().join("py-sweep.ron");
    fs::write(
        &file,
        format!(
            "Sweep(name: \"py\", base: {:?}, seed: 1, axes: [Values(path: \"duration_s\", values: [10.0])])",
            scenario_path.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert_bad_input(
        &sweep(&file, &out, &[]),
        &[
            "py-sweep.ron",
            "field base",
            "(\"mine\")",
            "PythonAgent groups run only",
        ],
    );
    assert!(!out.exists());
}
