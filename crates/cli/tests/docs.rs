//! The documentation covers what the binary writes: every key of summary.json and every column
//! of every table of a run folder and of a sweep folder is named in README.md. A new key or
//! column that nobody documented fails here.

mod common;
use common::*;
use std::fs;
use std::path::Path;

/// True when README names `key` (a column, or a dotted summary key): as `key`, or for a
/// dotted key `a.b`, as `a.*` or as `.b` on a line that also names a key under `a.`.
fn documented(readme: &str, key: &str) -> bool {
    if readme.contains(&format!("`{key}`")) {
        return true;
    }
    let Some((group, leaf)) = key.rsplit_once('.') else {
        return false;
    };
    readme.contains(&format!("`{group}.*`"))
        || readme
            .lines()
            .any(|l| l.contains(&format!("`{group}.")) && l.contains(&format!("`.{leaf}`")))
}

fn header(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let first = text.lines().next().unwrap_or_default();
    first.split(',').map(str::to_string).collect()
}

fn undocumented(readme: &str, keys: impl IntoIterator<Item = String>) -> Vec<String> {
    keys.into_iter()
        .filter(|k| !documented(readme, k))
        .collect()
}

#[test]
fn every_summary_key_and_every_column_is_in_the_readme() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // A short flash-cascade: liquidations and ADL fills, so every table has rows.
    let run = tmp.path().join("run");
    let out = cascade(&[
        "run",
        scenario("flash-cascade.ron").to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--no-charts",
        "--set",
        "duration_s=300",
        "--set",
        "shocks[0].at_s=150",
        "--set",
        "agents.longs.entry_end_s=100",
        "--set",
        "agents.shorts.entry_end_s=100",
    ]);
    assert_ok(&out);
    let mut missing = Vec::new();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    let keys = cascade_report::json::flatten(&summary)
        .into_iter()
        .map(|(k, _)| k);
    missing.extend(
        undocumented(&readme, keys)
            .into_iter()
            .map(|k| format!("summary.json: {k}")),
    );
    for table in cascade_report::TABLE_NAMES {
        let cols = header(&run.join(format!("{table}.csv")));
        assert!(cols.len() > 1, "{table}.csv has no header");
        missing.extend(
            undocumented(&readme, cols)
                .into_iter()
                .map(|c| format!("{table}.csv: {c}")),
        );
    }
    // A sweep folder's tables: fixed columns (axes and metrics are named by the sweep and
    // the summary).
    let sweep = tmp.path().join("sweep");
    let file = tmp.path().join("s.ron");
    fs::write(
        &file,
        format!(
            "Sweep(name: \"s\", base: {:?}, set: [\"duration_s=30\"], seed: 1, replicates: 1, \
             axes: [Values(path: \"agents.makers.size\", values: [5])])",
            scenario("baseline.ron").to_str().unwrap()
        ),
    )
    .unwrap();
    assert_ok(&cascade(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        sweep.to_str().unwrap(),
    ]));
    for table in ["results", "aggregate"] {
        let cols = header(&sweep.join(format!("{table}.csv")));
        let fixed = cols
            .into_iter()
            .filter(|c| c != "agents.makers.size" && !documented_metric(&summary, c));
        missing.extend(
            undocumented(&readme, fixed)
                .into_iter()
                .map(|c| format!("{table}.csv: {c}")),
        );
    }
    assert!(
        missing.is_empty(),
        "undocumented in README.md:\n  {}",
        missing.join("\n  ")
    );
}

/// A results column that is a summary key (checked as one above).
fn documented_metric(summary: &serde_json::Value, column: &str) -> bool {
    cascade_report::json::flatten(summary)
        .iter()
        .any(|(k, _)| k == column)
}

#[test]
fn the_rule_finds_keys_written_in_full_by_group_or_abbreviated() {
    let readme = "| `price.min`, `.max` | x |\n| `trades.*` | y |\n| `mark` | z |";
    assert!(documented(readme, "price.min"));
    assert!(documented(readme, "price.max"));
    assert!(documented(readme, "trades.count"));
    assert!(documented(readme, "mark"));
    assert!(!documented(readme, "price.end"));
    assert!(!documented(readme, "index"));
    assert!(!documented(readme, "ledger.fees"));
}
