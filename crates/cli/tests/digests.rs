//! Regression guard: every shipped scenario on seeds 1–3 gives the pinned digests.
//!
//! `tests/digests/pinned.txt` lists `<scenario> <seed> <file> <sha256>` for every file of each
//! run folder (pinned by `tests/digests/pin.sh`, which also checks the charts). This test runs
//! each (scenario, seed) without charts and compares the summary and every table. A change that
//! moves a byte of model output fails here; a change that means to must re-pin and say why in
//! its commit.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::fs;

/// (scenario, seed) → file → sha256, from the pinned list, charts left out.
fn pinned() -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let text = fs::read_to_string(root().join("tests/digests/pinned.txt")).unwrap();
    let mut runs: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 4, "malformed pinned line {line:?}");
        if f[2].starts_with("charts/") {
            continue;
        }
        runs.entry((f[0].to_string(), f[1].to_string()))
            .or_default()
            .insert(f[2].to_string(), f[3].to_string());
    }
    runs
}

#[test]
fn every_shipped_scenario_gives_its_pinned_digests_on_seeds_1_to_3() {
    let runs = pinned();
    let shipped = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "ron")
        })
        .count();
    assert_eq!(
        runs.len(),
        shipped * 3,
        "every shipped scenario pinned on 3 seeds"
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut differ = Vec::new();
    for ((name, seed), files) in &runs {
        let dir = tmp.path().join(format!("{name}-{seed}"));
        let s = scenario(&format!("{name}.ron"));
        let out = cascade(&[
            "run",
            s.to_str().unwrap(),
            "--seed",
            seed,
            "--no-charts",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_ok(&out);
        let m: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        let got: BTreeMap<String, String> = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_string(),
                    f["sha256"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for (file, sha) in files {
            match got.get(file) {
                Some(g) if g == sha => {}
                Some(_) => differ.push(format!("{name} seed {seed}: {file} differs")),
                None => differ.push(format!("{name} seed {seed}: {file} missing")),
            }
        }
        for file in got.keys().filter(|f| !files.contains_key(*f)) {
            differ.push(format!("{name} seed {seed}: {file} not pinned"));
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    assert!(differ.is_empty(), "digests moved:\n{}", differ.join("\n"));
}
