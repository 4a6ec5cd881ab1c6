//! `cascade calibrate` with several starts: shards (`--shard I/N`) merged by `calibrate merge`
//! write the calibration.json of one machine running every start, byte for byte, whatever the
//! split and the threads, also when the shards are run by the scripts `calibrate slurm` writes;
//! bad shards, starts and merges exit 2 naming what is wrong.

mod common;
use common::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A calibration of two noise-trader parameters on the baseline (10 simulated seconds, two
/// seeds), `starts` searches of at most 9 candidates each.
fn calibration(dir: &Path, name: &str, starts: &str) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    let base = scenario("baseline.ron");
    let text = format!(
        "Calibration(name: {name:?}, base: {:?}, set: [\"duration_s=10\"], seeds: [1, 2], \
         parameters: [Uniform(path: \"agents.noise.rate_per_s\", from: 0.2, to: 1.0), \
         Uniform(path: \"agents.noise.market_weight\", from: 0.05, to: 0.5)], \
         targets: [Target(metric: \"events.processed\", value: 2000.0), \
         Target(metric: \"trades.count\", value: 150.0)], \
         budget: 18, bootstrap: 20{starts})",
        base.to_str().unwrap()
    );
    fs::write(&path, text).unwrap();
    path
}

fn calibrate(args: &[&str]) -> std::process::Output {
    let mut all = vec!["calibrate"];
    all.extend_from_slice(args);
    cascade(&all)
}

/// `cascade calibrate FILE --out OUT EXTRA...`.
fn calibrate_into(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    cascade_file_out("calibrate", file, out, extra)
}

/// `cascade calibrate slurm FILE --tasks TASKS --out OUT EXTRA...`.
fn slurm_into(file: &Path, out: &Path, tasks: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["slurm", s(file), "--tasks", tasks, "--out", s(out)];
    args.extend_from_slice(extra);
    calibrate(&args)
}

/// `cascade calibrate merge DIRS... --out OUT EXTRA...`.
fn merge_into(dirs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| s(d)));
    args.extend_from_slice(&["--out", s(out)]);
    args.extend_from_slice(extra);
    calibrate(&args)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
}

/// calibration.json and every start's journal of `a` and `b` are the same bytes.
fn assert_same_calibration(a: &Path, b: &Path, starts: u32) {
    let mut files = vec!["calibration.json".to_string()];
    files.extend((0..starts).map(|k| format!("candidates-{k}.jsonl")));
    for f in files {
        assert!(
            bytes(a, &f) == bytes(b, &f),
            "{f} of {} differs from {}'s",
            b.display(),
            a.display()
        );
    }
}

#[test]
fn shards_merged_write_the_bytes_of_one_machine_whatever_the_split_and_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = calibration(tmp.path(), "multi", ", starts: 3");
    let whole = tmp.path().join("whole");
    assert_ok(&calibrate_into(&file, &whole, &["--threads", "2"]));
    let r: Value = serde_json::from_slice(&bytes(&whole, "calibration.json")).unwrap();

    // Every start's end point and objective; the estimate is the best start's.
    let starts = r["starts"].as_array().unwrap();
    assert_eq!(starts.len(), 3, "{r:#}");
    assert_eq!(starts[0]["from_unit"], serde_json::json!([0.5, 0.5]));
    assert_eq!(starts[1]["from_unit"], serde_json::json!([0.25, 2.0 / 3.0]));
    let objectives: Vec<f64> = starts
        .iter()
        .map(|s| s["objective"].as_f64().unwrap())
        .collect();
    let least = objectives.iter().copied().fold(f64::INFINITY, f64::min);
    let best = objectives.iter().position(|&f| f == least).unwrap();
    assert_eq!(r["start"], best, "{r:#}");
    assert_eq!(r["objective"].as_f64(), Some(least));
    assert_eq!(r["estimate"], starts[best]["estimate"]);
    assert_eq!(r["candidate"], starts[best]["candidate"]);
    let total: u64 = starts
        .iter()
        .map(|s| s["candidates"].as_u64().unwrap())
        .sum();
    assert_eq!(r["candidates"], total);
    assert_eq!(r["runs"], total * 2);
    for (k, s) in starts.iter().enumerate() {
        assert_eq!(s["start"], k);
        assert!(s["runs"].as_u64().unwrap() <= 18, "{s}");
    }
    assert!(!whole.join("candidates.jsonl").exists());
    // Every key of calibration.json and of a start's summary is named in the README.
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let keys = r
        .as_object()
        .unwrap()
        .keys()
        .chain(starts[0].as_object().unwrap().keys());
    for key in keys {
        assert!(readme.contains(&format!("`{key}`")), "README lacks `{key}`");
    }

    // Two shards, one thread each, run by the scripts `calibrate slurm` writes (bash in place
    // of sbatch), merged by the merge script.
    let cluster = tmp.path().join("cluster");
    assert_ok(&slurm_into(&file, &cluster, "2", &[]));
    let array = fs::read_to_string(cluster.join("slurm/array.sbatch")).unwrap();
    assert!(
        array.contains(
            "\"$CASCADE\" calibrate \"$CALIBRATION\" --out \"$OUT/shards/$shard\" --shard \
             \"$shard/$SHARDS\" --resume"
        ),
        "{array}"
    );
    assert!(array.contains("# Calibration \"multi\" (hash "), "{array}");
    assert!(array.contains("3 starts in 2 shards"), "{array}");
    let merge = fs::read_to_string(cluster.join("slurm/merge.sbatch")).unwrap();
    assert!(merge.contains("\"$CASCADE\" calibrate merge \"${dirs[@]}\" --out \"$OUT\""));
    for task in ["0", "1"] {
        let ran = Command::new("bash")
            .arg(cluster.join("slurm/array.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", task)
            .env("SLURM_CPUS_PER_TASK", "1")
            .current_dir(&cluster)
            .output()
            .unwrap();
        assert_ok(&ran);
    }
    // A shard of several starts writes no calibration.json.
    assert!(!cluster.join("shards/0/calibration.json").exists());
    assert!(cluster.join("shards/0/candidates-2.jsonl").exists());
    assert!(!cluster.join("shards/0/candidates-1.jsonl").exists());
    let merged = Command::new("bash")
        .arg(cluster.join("slurm/merge.sbatch"))
        .current_dir(&cluster)
        .output()
        .unwrap();
    assert_ok(&merged);
    assert_same_calibration(&whole, &cluster, 3);

    // Three shards on two threads, named to merge in another order.
    let dirs: Vec<PathBuf> = (0..3).map(|i| tmp.path().join(format!("s{i}"))).collect();
    for (i, dir) in dirs.iter().enumerate() {
        let shard = format!("{i}/3");
        let ran = calibrate_into(&file, dir, &["--shard", &shard, "--threads", "2"]);
        assert_ok(&ran);
        let said = String::from_utf8_lossy(&ran.stdout);
        assert!(
            said.contains(&format!("shard {i}/3: 1 of 3 starts")),
            "{said}"
        );
        // The shard's own start is in its journal alone.
        assert!(dir.join(format!("candidates-{i}.jsonl")).exists());
    }
    // A shard's --json: its starts' summaries (resumed: nothing runs again).
    let again = calibrate_into(&file, &dirs[0], &["--shard", "0/3", "--resume", "--json"]);
    assert_ok(&again);
    let shard: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(shard["shard"], "0/3");
    assert_eq!(shard["hash"], r["hash"]);
    assert_eq!(shard["starts"], serde_json::json!([starts[0]]));
    let three = tmp.path().join("three");
    let out = merge_into(&[&dirs[2], &dirs[0], &dirs[1]], &three, &["--json"]);
    assert_ok(&out);
    assert_eq!(out.stdout, bytes(&whole, "calibration.json"));
    assert_same_calibration(&whole, &three, 3);
    // The merged folder resumes as a whole calibration: nothing left to run.
    let again = calibrate_into(&file, &three, &["--resume"]);
    assert_ok(&again);
    assert!(String::from_utf8_lossy(&again.stdout).contains(" 0 runs now"));
    assert_same_calibration(&whole, &three, 3);

    // Bad merges: a missing shard, a shard named twice, an unfinished start, another
    // calibration's shard.
    let bad = tmp.path().join("bad");
    assert_bad_input(
        &merge_into(&[&dirs[0], &dirs[1]], &bad, &[]),
        &["1 of the 3 starts", "start 2", "none of the folders"],
    );
    assert_bad_input(
        &merge_into(&[&dirs[0], &dirs[1], &dirs[2], &dirs[1]], &bad, &[]),
        &["start 1 is in two of the folders", "shard 1/3"],
    );
    assert_bad_input(
        &merge_into(&[&whole, &dirs[0]], &bad, &[]),
        &["start 0 is in two of the folders", "shard 0/1", "shard 0/3"],
    );
    let journal = dirs[1].join("candidates-1.jsonl");
    let full = fs::read(&journal).unwrap();
    let cut = full[..full.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap();
    fs::write(&journal, &full[..=cut]).unwrap();
    assert_bad_input(
        &merge_into(&[&dirs[0], &dirs[1], &dirs[2]], &bad, &[]),
        &["candidates-1.jsonl", "start 1 is not finished", "--resume"],
    );
    // Resumed, the shard finishes start 1 again and the merge goes through.
    assert_bad_input(
        &calibrate_into(&file, &dirs[1], &["--shard", "0/3", "--resume"]),
        &["holds shard 1/3", "not shard 0/3"],
    );
    assert_ok(&calibrate_into(
        &file,
        &dirs[1],
        &["--shard", "1/3", "--resume"],
    ));
    let other = calibration(tmp.path(), "other", ", starts: 3");
    let foreign = tmp.path().join("foreign");
    assert_ok(&calibrate_into(
        &other,
        &foreign,
        &["--shard", "2/3", "--threads", "2"],
    ));
    assert_bad_input(
        &merge_into(&[&dirs[0], &dirs[1], &foreign], &bad, &[]),
        &[
            s(&foreign),
            "holds calibration \"other\"",
            "only shards of one calibration merge",
        ],
    );
    assert!(!bad.exists(), "a refused merge created its folder");
    let fixed = tmp.path().join("fixed");
    assert_ok(&merge_into(&[&dirs[0], &dirs[1], &dirs[2]], &fixed, &[]));
    assert_same_calibration(&whole, &fixed, 3);
}

#[test]
fn bad_shards_and_starts_exit_2_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let file = calibration(tmp.path(), "bad", ", starts: 2");
    let out = tmp.path().join("out");
    for (shard, said) in [
        ("2/2", "need I/N with 0 <= I < N"),
        ("0/0", "need I/N with 0 <= I < N"),
        ("1", "expected I/N"),
    ] {
        assert_bad_input(
            &calibrate_into(&file, &out, &["--shard", shard]),
            &["--shard", said],
        );
    }
    let zero = calibration(tmp.path(), "zero", ", starts: 0");
    assert_bad_input(
        &calibrate_into(&zero, &out, &[]),
        &[s(&zero), "field starts", "between 1"],
    );
    assert_bad_input(
        &slurm_into(&file, &out, "3", &[]),
        &["--tasks", "2 start(s)"],
    );
    // The sweep's checks of Slurm options, before a file is written.
    for (option, value) in [
        ("--partition", "a\nb"),
        ("--partition", "$(id)"),
        ("--time", "1h"),
    ] {
        assert_bad_input(&slurm_into(&file, &out, "2", &[option, value]), &[option]);
    }
    // A hostile --out stays text in the scripts.
    let evil = tmp.path().join("it's $(touch pwned)");
    assert_ok(&slurm_into(&file, &evil, "2", &[]));
    let array = fs::read_to_string(evil.join("slurm/array.sbatch")).unwrap();
    assert!(array.contains(r"it'\''s $(touch pwned)'"), "{array}");
    assert_bad_input(
        &merge_into(&[&tmp.path().join("nothing")], &out, &[]),
        &["nothing", "no calibration-plan.json"],
    );
    assert!(!out.exists(), "a refused command created its folder");
}
