//! Charts end to end: `cascade run` draws them, `cascade plot` redraws the same bytes from the
//! folder alone, and each is a valid PNG or SVG of the documented size with its text.

mod common;
use common::*;
use std::fs;
use std::path::Path;

/// Every chart of a calm run: file stem, size, and text its SVG must carry.
const CHARTS: [(&str, (u32, u32), &[&str]); 3] = [
    (
        "price",
        (1280, 720),
        &[
            "Price — baseline, seed 1",
            "simulated time (min)",
            "price (quote currency)",
            ">\nmid\n<",
        ],
    ),
    (
        "spread-depth",
        (1280, 800),
        &[
            "Spread and depth — baseline, seed 1",
            "spread (bps of mid)",
            "depth within ±1% (lots)",
            "simulated time (min)",
            "mean over",
        ],
    ),
    (
        "book-heatmap",
        (1280, 720),
        &[
            "Order book depth — baseline, seed 1",
            "resting quantity (lots)",
            "price (quote currency)",
            "simulated time (min)",
        ],
    ),
];

fn charts_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    folder_bytes(&dir.join("charts"))
}

#[test]
fn run_draws_each_chart_as_a_valid_png_and_svg_with_its_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into("baseline.ron", &dir, &["--set", "duration_s=900"]);
    for (stem, size, texts) in CHARTS {
        let png = fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        assert_eq!(png_size(&png), size, "{stem}.png");
        let svg = fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap();
        assert_eq!(svg_size(&svg), size, "{stem}.svg");
        assert!(
            svg.contains("font-family=\"DejaVu Sans, sans-serif\""),
            "{stem}.svg"
        );
        for t in texts {
            assert!(svg.contains(t), "{stem}.svg lacks {t:?}");
        }
        // Tick labels: numbers on both axes.
        assert!(
            svg.matches("<text").count() >= 12,
            "{stem}.svg has few labels"
        );
    }
    assert_eq!(charts_of(&dir).len(), 2 * CHARTS.len());
}

#[test]
fn plot_redraws_the_same_charts_from_the_folder_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into("baseline.ron", &dir, &["--set", "duration_s=120"]);
    let drawn = charts_of(&dir);
    fs::remove_dir_all(dir.join("charts")).unwrap();

    let d = dir.to_str().unwrap();
    assert_ok(&cascade(&["plot", d, "--format", "svg"]));
    let svgs: Vec<_> = drawn
        .iter()
        .filter(|(n, _)| n.ends_with(".svg"))
        .cloned()
        .collect();
    assert_eq!(charts_of(&dir), svgs, "SVGs redrawn from Parquet differ");

    // Without the Parquet files, from the CSV files: the same pictures.
    for t in ["series", "book", "trades"] {
        fs::remove_file(dir.join(format!("{t}.parquet"))).unwrap();
    }
    assert_ok(&cascade(&["plot", d]));
    assert_eq!(charts_of(&dir), drawn, "charts redrawn from CSV differ");
}

#[test]
fn no_charts_draws_none_and_replay_still_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into(
        "baseline.ron",
        &dir,
        &["--set", "duration_s=30", "--no-charts"],
    );
    assert!(!dir.join("charts").exists());
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["charts"], false);
    let out = cascade(&["replay", dir.to_str().unwrap()]);
    assert_ok(&out);
    assert!(!dir.join("charts").exists(), "replay drew into the folder");
}

#[test]
fn plot_of_a_missing_or_broken_folder_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    assert_bad_input(
        &cascade(&["plot", missing.to_str().unwrap()]),
        &["nope", "no such folder"],
    );
    let dir = tmp.path().join("run");
    run_into(
        "baseline.ron",
        &dir,
        &["--set", "duration_s=10", "--no-charts"],
    );
    fs::remove_file(dir.join("series.parquet")).unwrap();
    fs::write(dir.join("series.csv"), "time_s,bid\n1,2\n").unwrap();
    assert_bad_input(
        &cascade(&["plot", dir.to_str().unwrap()]),
        &["series.csv", "no column \"mid\""],
    );
    fs::remove_file(dir.join("series.csv")).unwrap();
    assert_bad_input(
        &cascade(&["plot", dir.to_str().unwrap()]),
        &["series.csv", "no such file"],
    );
}

#[test]
fn runs_without_a_terminal_print_no_progress_bar() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let s = scenario("baseline.ron");
    let run = |progress: &str| {
        cascade(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--no-charts",
            "--force",
            "--progress",
            progress,
        ])
    };
    let out = run("auto");
    assert_ok(&out);
    // Outside a terminal, auto means plain lines: nothing redrawn in place.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    let out = run("none");
    assert_ok(&out);
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

#[test]
fn progress_lines_say_how_far_the_run_is_and_how_long_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // Long enough (a few seconds) for a line past the first second.
    let out = cascade(&[
        "run",
        scenario("stylized-facts.ron").to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--no-charts",
        "--set",
        "duration_s=5400",
        "--progress",
        "lines",
    ]);
    assert_ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("stylized-facts: ") && l.contains("% of simulated time ("))
        .unwrap_or_else(|| panic!("no progress line: {err:?}"));
    assert!(
        line.contains("elapsed, about") && line.ends_with(" left"),
        "{line}"
    );
    // stdout keeps only the result line.
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("stylized-facts: "));
}

#[test]
fn a_run_with_liquidations_draws_the_liquidation_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into("flash-cascade.ron", &dir, &[]);
    for (stem, size, texts) in [
        (
            "liquidations",
            (1280, 800),
            &[
                "Liquidations — flash-cascade, seed 1",
                "insurance fund (quote currency)",
                "generation 0 in the book",
                // flash-cascade closes most lots by ADL: the chart shows them too.
                "auto-deleveraging (lots × bankruptcy price)",
            ][..],
        ),
        (
            "cascade",
            (1280, 720),
            &[
                "Liquidation cascade — flash-cascade, seed 1",
                "generation",
                // One slot per takeover in time order, labelled with its time.
                "takeovers in time order, one slot each (labels: simulated time (s))",
            ][..],
        ),
        (
            "price",
            (1280, 720),
            &[
                "liquidations (dot area ∝ notional): generation 0",
                // The scenario's MarketSell at 1200 s.
                ">\nshock\n<",
                ">\nmark\n<",
                // The 90-second cascade of a 30-minute run, zoomed in an inset.
                "cascade window, simulated time (s)",
            ][..],
        ),
    ] {
        let png = fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        assert_eq!(png_size(&png), size, "{stem}.png");
        let svg = fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap();
        assert_eq!(svg_size(&svg), size, "{stem}.svg");
        for t in texts {
            assert!(svg.contains(t), "{stem}.svg lacks {t:?}");
        }
    }
    // The cascade chart's slots are labelled with simulated times of the cascade: after the
    // sell program starts at 1200 s, within the run.
    let svg = fs::read_to_string(dir.join("charts/cascade.svg")).unwrap();
    let times: Vec<f64> = svg
        .lines()
        .filter_map(|l| l.trim().parse::<f64>().ok())
        .filter(|x| x.fract() != 0.0)
        .collect();
    assert!(!times.is_empty(), "no time labels on the cascade chart");
    assert!(
        times.iter().all(|t| (1200.0..=1800.0).contains(t)),
        "{times:?}"
    );
}

#[test]
fn plot_window_draws_the_zoomed_charts_into_another_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into("baseline.ron", &dir, &["--set", "duration_s=900"]);
    let own = charts_of(&dir);
    let d = dir.to_str().unwrap();
    let zoom = tmp.path().join("zoom");
    let z = zoom.to_str().unwrap();
    let out = cascade(&[
        "plot", d, "--window", "120..180", "--out", z, "--format", "svg",
    ]);
    assert_ok(&out);
    let price = fs::read_to_string(zoom.join("charts/price.svg")).unwrap();
    // A one-minute window is labelled in seconds, the whole run in minutes.
    assert!(price.contains("simulated time (s)"), "not zoomed");
    assert!(fs::read_to_string(dir.join("charts/price.svg"))
        .unwrap()
        .contains("simulated time (min)"));
    // The run folder's own charts are untouched, and it still verifies.
    assert_eq!(charts_of(&dir), own);
    assert_ok(&cascade(&["replay", d]));

    assert_bad_input(
        &cascade(&["plot", d, "--window", "120..180"]),
        &["--window", "--out"],
    );
    assert_bad_input(
        &cascade(&["plot", d, "--window", "180..120", "--out", z]),
        &["--window", "TO must be after FROM"],
    );
    assert_bad_input(
        &cascade(&["plot", d, "--window", "5000..6000", "--out", z]),
        &["--window", "no sample"],
    );
}
