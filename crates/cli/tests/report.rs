//! `cascade report` and `cascade run --report` through the binary: one self-contained page,
//! the same bytes every time, what it embeds matches the folder's tables, and a missing,
//! partial or damaged folder is refused naming the file, with no page written.

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

/// The JSON the page draws from.
fn embedded(html: &str) -> Value {
    let start = html.find("id=\"report-data\">").expect("the data element") + 17;
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end].replace("<\\/", "</")).expect("valid JSON")
}

fn read_html(dir: &Path) -> String {
    fs::read_to_string(dir.join("report.html")).expect("report.html")
}

fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

#[test]
fn flash_cascades_report_is_one_small_page_that_matches_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("flash");
    let d = dir.to_str().unwrap();
    let out = cascade(&[
        "run",
        scenario("flash-cascade.ron").to_str().unwrap(),
        "--out",
        d,
        "--no-charts",
        "--report",
    ]);
    assert_ok(&out);
    let first = fs::read(dir.join("report.html")).unwrap();
    assert!(first.len() < 5_000_000, "{} bytes", first.len());
    let html = String::from_utf8(first.clone()).unwrap();
    // Self-contained: every script is inline, no other element loads anything, and the policy
    // forbids every fetch.
    let mut markup = String::new();
    for (i, part) in html.split("<script").enumerate() {
        let rest = if i == 0 {
            part
        } else {
            assert!(
                part.starts_with('>') || part.starts_with(" type=\"application/json\""),
                "a script that is not inline: <script{}",
                &part[..40]
            );
            &part[part.find("</script>").expect("closed")..]
        };
        markup.push_str(rest);
    }
    for tag in ["<link", "<img", "<iframe", "src=", "url(", "://"] {
        assert!(!markup.contains(tag), "the page's markup holds {tag}");
    }
    assert!(html.contains("default-src 'none'"));

    // The same folder gives the same bytes; report.html is not in the manifest and replay
    // still verifies the folder with it present.
    assert_ok(&cascade(&["report", d]));
    assert_eq!(fs::read(dir.join("report.html")).unwrap(), first);
    assert!(!fs::read_to_string(dir.join("manifest.json"))
        .unwrap()
        .contains("report.html"));
    assert_ok(&cascade(&["replay", d]));

    let data = embedded(&html);
    let summary: Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        data["liquidations"].as_array().unwrap().len(),
        csv_rows(&dir.join("liquidations.csv")),
        "every engine step is drawn"
    );
    assert_eq!(
        data["tree"].as_array().unwrap().len() as u64,
        summary["liquidations"]["count"].as_u64().unwrap(),
        "one tree node per liquidation"
    );
    let max_gen = data["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[2].as_u64().unwrap())
        .max();
    assert_eq!(max_gen, summary["liquidations"]["max_generation"].as_u64());
    // 1,800 samples fit the budget: the mid is drawn whole, every value as in series.csv
    assert_eq!(data["bucket"], 1);
    // (An empty cell, one side of the book empty, is a gap in the line.)
    let mids: Vec<f64> = csv::Reader::from_path(dir.join("series.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .filter_map(|r| r.unwrap()["mid"].parse().ok())
        .collect();
    let drawn: Vec<f64> = data["series"]["mid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_f64().unwrap())
        .collect();
    assert_eq!(drawn, mids);
    // The window holds the cascade and its cause (the sell program at 1,200 s) and is much
    // shorter than the run.
    let w: Vec<f64> = serde_json::from_value(data["window"].clone()).unwrap();
    assert!(
        w[0] > 0.0 && w[0] < 1_200.0 && w[1] < 1_800.0 && w[1] - w[0] < 300.0,
        "{w:?}"
    );
    // It holds at least 90% of the liquidated value (r[1]).
    let value = |inside: bool| -> f64 {
        data["liquidations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !inside || (w[0]..=w[1]).contains(&r[0].as_f64().unwrap()))
            .map(|r| r[1].as_f64().unwrap())
            .sum()
    };
    assert!(
        value(true) >= 0.9 * value(false),
        "{} of {}",
        value(true),
        value(false)
    );
    // Shocks, the summary and the manifest are on the page.
    assert!(!data["shocks"].as_array().unwrap().is_empty());
    assert_eq!(data["manifest"]["seed"], 1);
    assert!(data["summary"]
        .as_array()
        .unwrap()
        .iter()
        .any(|kv| kv[0] == "liquidations.max_generation"));
    let heat = &data["heatmap"];
    assert!(
        !heat["bids"].as_array().unwrap().is_empty()
            && !heat["asks"].as_array().unwrap().is_empty()
    );

    // A re-run with --force replaces a folder holding a report.
    assert_ok(&cascade(&[
        "run",
        scenario("flash-cascade.ron").to_str().unwrap(),
        "--out",
        d,
        "--no-charts",
        "--force",
    ]));
    assert!(!dir.join("report.html").exists());
}

/// A damaged folder: its name, the damage, what the message must say.
type Case = (&'static str, fn(&Path), &'static [&'static str]);

/// A short run folder to damage.
fn short_run(dir: &Path) {
    assert_ok(&cascade(&[
        "run",
        scenario("baseline.ron").to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--no-charts",
        "--set",
        "duration_s=60",
    ]));
}

#[test]
fn a_missing_partial_or_damaged_folder_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let report = |dir: &Path| cascade(&["report", dir.to_str().unwrap()]);

    assert_bad_input(
        &report(&tmp.path().join("nowhere")),
        &["nowhere", "no such folder"],
    );

    let cases: [Case; 5] = [
        (
            "no-manifest",
            |d| fs::remove_file(d.join("manifest.json")).unwrap(),
            &["manifest.json"],
        ),
        (
            "no-book",
            |d| fs::remove_file(d.join("book.parquet")).unwrap(),
            &["book.parquet", "no such file"],
        ),
        (
            "changed-byte",
            |d| {
                let p = d.join("series.parquet");
                let mut b = fs::read(&p).unwrap();
                let i = b.len() / 2;
                b[i] ^= 1;
                fs::write(p, b).unwrap();
            },
            &["series.parquet", "does not match its SHA-256"],
        ),
        (
            "summary-edited",
            |d| {
                let p = d.join("summary.json");
                let t = fs::read_to_string(&p).unwrap().replacen('1', "2", 1);
                fs::write(p, t).unwrap();
            },
            &["summary.json", "does not match"],
        ),
        (
            "unlisted-table",
            |d| {
                let p = d.join("manifest.json");
                let mut m: Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
                let files = m["files"].as_array_mut().unwrap();
                files.retain(|f| !f["name"].as_str().unwrap().starts_with("liquidations."));
                fs::write(p, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
            },
            &[
                "manifest.json",
                "neither liquidations.parquet nor liquidations.csv",
            ],
        ),
    ];
    for (name, damage, fragments) in cases {
        let dir = tmp.path().join(name);
        short_run(&dir);
        damage(&dir);
        assert_bad_input(&report(&dir), fragments);
        assert!(
            !dir.join("report.html").exists(),
            "{name}: a page was written"
        );
    }
}

#[test]
fn the_smoke_sweeps_report_has_every_run_and_links_the_kept_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("smoke");
    let d = dir.to_str().unwrap();
    let sweep = root().join("scenarios/sweeps/smoke.ron");
    assert_ok(&cascade(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        d,
        "--keep-runs",
        "--threads",
        "2",
    ]));
    let kept = dir.join("runs/p000000-r0000");
    assert_ok(&cascade(&["report", kept.to_str().unwrap()]));
    assert_ok(&cascade(&["report", d]));
    let data = embedded(&read_html(&dir));
    assert_eq!(data["run_count"], 36);
    assert_eq!(data["done"], 36);
    assert_eq!(
        data["runs"].as_array().unwrap().len(),
        csv_rows(&dir.join("results.csv"))
    );
    assert_eq!(data["runs"][0]["report"], "runs/p000000-r0000/report.html");
    assert_eq!(data["runs"][1]["kept"], "runs/p000000-r0001/");
    assert!(data["runs"][1]["report"].is_null());
    // Two grid axes: every charted metric has a heatmap and a band along each axis.
    let metrics = data["metrics"].as_array().unwrap();
    assert!(!metrics.is_empty());
    for m in metrics {
        let c = &data["charts"][m.as_str().unwrap()];
        assert!(!c["heatmap"]["cells"].as_array().unwrap().is_empty(), "{m}");
        assert_eq!(c["bands"].as_array().unwrap().len(), 2, "{m}");
    }

    // A damaged sweep.json is bad input naming it.
    fs::write(dir.join("sweep.json"), "{ not json").unwrap();
    assert_bad_input(&cascade(&["report", d]), &["sweep.json"]);
}
