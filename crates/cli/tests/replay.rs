//! `cascade replay` end to end: a run verifies against its manifest; a changed byte, a changed
//! seed or a broken manifest does not, and the message says which file and where.

mod common;
use common::*;
use std::fs;
use std::path::Path;

fn replay(dir: &Path) -> std::process::Output {
    cascade(&["replay", dir.to_str().unwrap()])
}

/// Asserts exit 1 with every fragment in stderr and no panic.
fn assert_mismatch(out: &std::process::Output, fragments: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", describe(out));
    assert!(!err.contains("panicked"), "{err}");
    for f in fragments {
        assert!(err.contains(f), "stderr lacks {f:?}: {err}");
    }
}

/// A short baseline run (one minute simulated), with charts.
fn short_run(dir: &Path) {
    run_into("baseline.ron", dir, &["--set", "duration_s=60"]);
}

#[test]
fn every_shipped_scenario_replays_and_verifies() {
    for entry in fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        let p = path.to_str().unwrap();
        assert_ok(&cascade(&["run", p, "--out", dir.to_str().unwrap()]));
        let out = replay(&dir);
        assert_ok(&out);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "verified\n",
            "{p}: {}",
            describe(&out)
        );
    }
}

#[test]
fn the_manifest_holds_a_digest_of_every_file_and_of_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let files = m["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    for name in [
        "summary.json",
        "series.csv",
        "series.parquet",
        "charts/price.png",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    for f in files {
        let bytes = fs::read(dir.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(m["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["manifest_version"], 1);
    assert_eq!(m["charts"], true);
    assert!(m["cascade_version"].is_string());
    assert!(m["git_commit"].is_null() || m["git_commit"].as_str().unwrap().len() == 40);
}

#[test]
fn one_changed_byte_in_a_table_fails_naming_the_file_and_row() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    // The first byte of the sixth line: the time of data row 5 ("5" becomes "1").
    let path = dir.join("series.csv");
    let text = fs::read_to_string(&path).unwrap();
    let at: usize = text.lines().take(5).map(|l| l.len() + 1).sum();
    flip_byte(&path, at);
    assert_mismatch(
        &replay(&dir),
        &["series.csv", "first differing row 5 (line 6)", "1 of "],
    );
}

#[test]
fn one_changed_byte_in_parquet_or_an_image_fails_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    let png = dir.join("charts/price.png");
    let len = fs::metadata(&png).unwrap().len() as usize;
    flip_byte(&png, len / 2);
    assert_mismatch(&replay(&dir), &["charts/price.png", "first differing byte"]);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    // Parquet files end with "PAR1"; the byte before the footer length is metadata.
    let pq = dir.join("trades.parquet");
    let len = fs::metadata(&pq).unwrap().len() as usize;
    flip_byte(&pq, len - 9);
    assert_mismatch(&replay(&dir), &["trades.parquet"]);
}

#[test]
fn a_changed_seed_in_the_manifest_fails_naming_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    let path = dir.join("manifest.json");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"seed\": 1,"));
    fs::write(&path, text.replace("\"seed\": 1,", "\"seed\": 2,")).unwrap();
    assert_mismatch(
        &replay(&dir),
        &[
            "series.csv",
            "first differing row 1",
            "trades.csv",
            "summary.json",
        ],
    );
}

#[test]
fn an_edited_digest_is_reported_as_an_edited_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    m["files"][1]["sha256"] = serde_json::json!("0".repeat(64));
    let name = m["files"][1]["name"].as_str().unwrap().to_string();
    fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    assert_mismatch(&replay(&dir), &[&name, "the manifest was edited"]);
}

#[test]
fn a_missing_file_fails_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    fs::remove_file(dir.join("book.csv")).unwrap();
    assert_mismatch(&replay(&dir), &["book.csv", "missing from the run folder"]);
}

#[test]
fn a_broken_manifest_or_folder_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    short_run(&dir);
    let path = dir.join("manifest.json");
    let good = fs::read_to_string(&path).unwrap();

    fs::write(&path, &good[..good.len() / 2]).unwrap();
    assert_bad_input(&replay(&dir), &["manifest.json", "truncated"]);

    fs::write(&path, good.replacen("\"seed\"", "\"sead\"", 1)).unwrap();
    assert_bad_input(&replay(&dir), &["manifest.json", "hand-edited", "sead"]);

    fs::write(&path, good.replace("duration_s: 60.0", "duration_s: 61.0")).unwrap();
    assert_bad_input(
        &replay(&dir),
        &["manifest.json", "field scenario", "scenario_sha256"],
    );

    fs::write(&path, "[]").unwrap();
    assert_bad_input(&replay(&dir), &["manifest.json"]);

    fs::remove_file(&path).unwrap();
    assert_bad_input(&replay(&dir), &["manifest.json", "no such file"]);

    assert_bad_input(
        &replay(&tmp.path().join("nope")),
        &["nope", "no such folder"],
    );
    assert_bad_input(
        &replay(&dir.join("series.csv")),
        &["series.csv", "not a folder"],
    );
}
