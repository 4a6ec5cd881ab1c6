//! Damaged sweep folders through the binary: a runs.jsonl record that is not a record of one of
//! the sweep's runs, or a sweep.json whose design is not whole, is refused alike by
//! `cascade sweep merge`, `cascade sweep plot`, `cascade plot`, `cascade report` and
//! `cascade sweep --resume`:
//! exit 2 naming the file (and the line of the log) and what is wrong, never a panic (exit 101).
//! The folder they are cut from passes all five.

mod common;
use common::*;
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A sweep of 2 points × 2 replicates over the baseline, 5 s a run, run into `dir/pristine`;
/// returns the sweep file and the folder.
fn pristine(dir: &Path) -> (PathBuf, PathBuf) {
    let file = dir.join("damaged.ron");
    let text = format!(
        "Sweep(name: \"damaged\", base: {:?}, set: [\"duration_s=5\"], seed: 3, replicates: 2, \
         axes: [Values(path: \"agents.makers.size\", values: [5, 10])])",
        scenario("baseline.ron").to_str().unwrap()
    );
    fs::write(&file, text).unwrap();
    let folder = dir.join("pristine");
    let args = [
        "sweep",
        file.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
    ];
    assert_ok(&cascade(&args));
    (file, folder)
}

/// The commands that read a sweep folder, each on `folder`, named.
fn read_all(file: &Path, folder: &Path, merged: &Path) -> [(&'static str, Output); 5] {
    let f = folder.to_str().unwrap();
    [
        (
            "sweep merge",
            cascade(&["sweep", "merge", f, "--out", merged.to_str().unwrap()]),
        ),
        (
            "sweep plot",
            cascade(&["sweep", "plot", f, "--format", "svg"]),
        ),
        ("plot", cascade(&["plot", f, "--format", "svg"])),
        ("report", cascade(&["report", f])),
        (
            "sweep --resume",
            cascade(&["sweep", file.to_str().unwrap(), "--out", f, "--resume"]),
        ),
    ]
}

/// A copy of `from` at `to` with `file` (runs.jsonl or sweep.json) changed by `change`, which
/// edits it as JSON: the log's first line, or the manifest.
fn tampered(from: &Path, to: &Path, file: &str, change: fn(&mut Value)) {
    copy_folder(from, to);
    let path = to.join(file);
    let text = fs::read_to_string(&path).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let edit = |s: &str| {
        let mut v: Value = serde_json::from_str(s).unwrap();
        change(&mut v);
        serde_json::to_string(&v).unwrap()
    };
    let out = if file == "runs.jsonl" {
        format!("{}\n{rest}", edit(first))
    } else {
        edit(&text)
    };
    fs::write(&path, out).unwrap();
}

/// A record's metric.
fn metric<'a>(record: &'a mut Value, name: &str) -> &'a mut Value {
    &mut record["metrics"][name]
}

/// One damage: the file changed, how, and what the message must say besides the file's path.
type Damage = (&'static str, fn(&mut Value), &'static str);

const DAMAGES: [Damage; 12] = [
    (
        "runs.jsonl",
        |r| r["point"] = json!(2),
        "line 1: run p000002-r0000: point 2 is outside the sweep's 2 points",
    ),
    (
        "runs.jsonl",
        |r| r["point"] = json!(u32::MAX),
        "point 4294967295 is outside the sweep's 2 points",
    ),
    (
        "runs.jsonl",
        |r| r["replicate"] = json!(u32::MAX),
        "replicate 4294967295 is outside the sweep's 2 replicates",
    ),
    (
        "runs.jsonl",
        |r| r["replicate"] = json!(-1),
        "line 1: not a run record: invalid value: integer `-1`",
    ),
    (
        "runs.jsonl",
        |r| r["seed"] = json!(12345),
        "seed 12345 is not the run's seed",
    ),
    (
        "runs.jsonl",
        |r| *metric(r, "price.typo") = json!(1.0),
        "unknown metric \"price.typo\"",
    ),
    (
        "runs.jsonl",
        |r| *metric(r, "liquidations.count") = json!("many"),
        "metric liquidations.count is \"many\", not an integer or null",
    ),
    (
        "runs.jsonl",
        |r| *metric(r, "price.min") = json!({"nested": 1}),
        "metric price.min is {\"nested\":1}, not a number or null",
    ),
    (
        "sweep.json",
        |m| m["design"]["axes"] = json!([]),
        "design.points[0]: 1 value indices for the design's 0 axes",
    ),
    (
        "sweep.json",
        |m| m["design"]["points"][1][0] = json!(7),
        "design.points[1][0]: value 7 of axis 0 (agents.makers.size), which has 2 values",
    ),
    (
        "sweep.json",
        |m| m["design"]["seeds"] = json!([1]),
        "design.seeds: 1 seeds for 2 replicates",
    ),
    (
        "sweep.json",
        |m| m["runs"] = json!(5),
        "runs: 5 but the design has 4 runs",
    ),
];

#[test]
fn damaged_sweep_files_exit_2_from_every_reader_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, master) = pristine(tmp.path());

    // The undamaged folder passes every reader, and merging it changes no byte of its results.
    let copy = tmp.path().join("copy");
    copy_folder(&master, &copy);
    let merged = tmp.path().join("merged");
    for (what, out) in read_all(&file, &copy, &merged) {
        assert_eq!(out.status.code(), Some(0), "{what}: {}", describe(&out));
    }
    for f in ["results.csv", "aggregate.csv", "results.parquet"] {
        let same = fs::read(master.join(f)).unwrap() == fs::read(merged.join(f)).unwrap();
        assert!(same, "{f} differs after a merge");
    }

    for (i, (name, change, reason)) in DAMAGES.iter().enumerate() {
        let folder = tmp.path().join(format!("damaged-{i}"));
        tampered(&master, &folder, name, *change);
        let damaged = folder.join(name).display().to_string();
        let merged = tmp.path().join(format!("merged-{i}"));
        for (what, out) in read_all(&file, &folder, &merged) {
            assert_eq!(
                out.status.code(),
                Some(2),
                "{what}, {reason}: {}",
                describe(&out)
            );
            assert_bad_input(&out, &[&damaged, reason]);
        }
        assert!(
            !merged.exists(),
            "a refused merge wrote {}",
            merged.display()
        );
    }
}
