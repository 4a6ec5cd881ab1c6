//! Funding, fees and the initial-margin gate through the binary: calm on the Binance preset
//! reports its basis and funding under `--audit`, and broken rules exit 2 naming the field.

mod common;
use common::*;
use std::fs;
use std::path::Path;

/// calm.ron as shipped: an index flat at its initial price and a group of basis arbitrageurs
/// (funding needs an index).
fn calm_with_index(dir: &Path) -> std::path::PathBuf {
    let text = fs::read_to_string(scenario("calm.ron")).unwrap();
    assert!(text.contains("BasisArb") && text.contains("IndexSpec"));
    let file = dir.join("calm-index.ron");
    fs::write(&file, text).unwrap();
    file
}

fn num(v: &serde_json::Value, path: &str) -> f64 {
    let mut cur = v;
    for k in path.split('.') {
        cur = &cur[k];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number: {cur}"))
}

#[test]
fn calm_on_the_binance_preset_reports_basis_funding_and_fees_and_passes_the_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let file = calm_with_index(tmp.path());
    let out = tmp.path().join("run");
    let f = file.to_str().unwrap();
    assert_ok(&cascade(&[
        "run",
        f,
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "--audit",
        "--set",
        "venue=Binance",
        "--set",
        "mark=None",
        "--set",
        "duration_s=600",
        "--set",
        "funding.interval_s=120",
    ]));
    let s = summary(&out);
    assert_eq!(num(&s, "funding.payments"), 5.0, "every 120 s of 600");
    let max = num(&s, "funding.rate_max_abs_bps");
    assert!(max <= 30.0 + 1e-9, "capped at Binance's 30 bps: {max}");
    assert!(num(&s, "funding.rate_mean_bps").abs() <= max);
    assert!(num(&s, "funding.transferred") > 0.0);
    let median = num(&s, "basis.median_abs_bps");
    assert!(
        median < 10.0,
        "basis arbitrage holds the perp near the index: {median}"
    );
    assert!(num(&s, "basis.max_abs_bps") >= median);
    assert!(num(&s, "fees.maker") > 0.0 && num(&s, "fees.taker") > 0.0);
    assert!(num(&s, "orders.rejected_margin") >= 0.0);
    let series = fs::read_to_string(out.join("series.csv")).unwrap();
    let header = series.lines().next().unwrap();
    assert!(header.ends_with(",funding_rate,premium_bps"), "{header}");
    // The same scenario without the preset has none of these keys.
    let plain = tmp.path().join("plain");
    assert_ok(&cascade(&[
        "run",
        f,
        "--out",
        plain.to_str().unwrap(),
        "--no-charts",
        "--set",
        "venue=Custom",
        "--set",
        "duration_s=60",
        "--set",
        "agents.longs.entry_end_s=30",
        "--set",
        "agents.shorts.entry_end_s=30",
    ]));
    let s = summary(&plain);
    for key in ["funding", "basis", "fees"] {
        assert!(s.get(key).is_none(), "{key} without a venue: {s}");
    }
    assert!(s["orders"].get("rejected_margin").is_none());
}

/// Median |mid − index| / index over the rows of a run's series.csv with both, bps.
fn median_abs_basis_bps(run: &Path) -> f64 {
    let text = fs::read_to_string(run.join("series.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (mid, index) = (col("mid"), col("index"));
    let mut basis: Vec<f64> = lines
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let m: f64 = cells[mid].parse().ok()?;
            let ix: f64 = cells[index].parse().ok()?;
            Some((m - ix).abs() / ix * 1e4)
        })
        .collect();
    assert!(
        basis.len() > 1000,
        "{} rows with a mid and an index",
        basis.len()
    );
    basis.sort_by(f64::total_cmp);
    let n = basis.len();
    (basis[(n - 1) / 2] + basis[n / 2]) / 2.0
}

#[test]
fn calm_as_shipped_holds_the_perp_near_the_index_and_drifts_with_its_anchors_off() {
    let tmp = tempfile::tempdir().unwrap();
    let on = tmp.path().join("on");
    run_into("calm.ron", &on, &["--no-charts"]);
    let shipped = num(&summary(&on), "basis.median_abs_bps");
    assert!(shipped < 10.0, "calm's default seed: {shipped} bps");
    let from_series = median_abs_basis_bps(&on);
    assert!(
        (from_series - shipped).abs() < 1e-6,
        "series.csv ({from_series}) and summary.json ({shipped}) agree"
    );
    // Makers on their own mid, no basis arbitrage, no funding: nothing ties the book to the
    // index and it wanders off.
    let off = tmp.path().join("off");
    run_into(
        "calm.ron",
        &off,
        &[
            "--no-charts",
            "--set",
            "agents.makers.index_weight=0",
            "--set",
            "agents.basis.count=0",
            "--set",
            "funding.enabled=false",
        ],
    );
    let drift = median_abs_basis_bps(&off);
    assert!(
        drift > 2.0 * 10.0,
        "without its anchors calm drifts: {drift} bps"
    );
}

const GOOD: &str = r#"Scenario(
    name: "t",
    duration_s: 5.0,
    sample_interval_s: 1.0,
    venue: Binance,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    index: Some(IndexSpec(interval_s: 1.0)),
    agents: [
        Noise(name: "noise", count: 5, rate_per_s: 1.0, limit_weight: 1.0, market_weight: 0.2,
              cancel_weight: 0.5, offset_ticks_mean: 2.0, size_min: 1, size_max: 5),
    ],
)"#;

/// `GOOD` with `line` added after the venue; `check` and `run` both refuse it naming
/// `fragments`.
fn refused(line: &str, fragments: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.ron");
    let text = GOOD.replacen(
        "    venue: Binance,\n",
        &format!("    venue: Binance,\n{line}\n"),
        1,
    );
    fs::write(&file, text).unwrap();
    refuse(&file, &[], fragments);
}

#[test]
fn the_good_scenario_on_a_preset_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("good.ron");
    fs::write(&file, GOOD).unwrap();
    assert_ok(&cascade(&["check", file.to_str().unwrap()]));
}

#[test]
fn a_funding_cap_below_the_band_is_refused_naming_the_cap() {
    refused(
        "    funding: FundingSpec(cap_bps: 2.0),",
        &["funding.cap_bps", "below the band"],
    );
}

#[test]
fn a_funding_interval_of_zero_is_refused() {
    refused(
        "    funding: FundingSpec(interval_s: 0.0),",
        &["funding.interval_s"],
    );
    refused(
        "    funding: FundingSpec(premium_sample_s: 0.0),",
        &["funding.premium_sample_s"],
    );
}

#[test]
fn fees_whose_sum_is_negative_are_refused_naming_the_maker_fee() {
    refused(
        "    fees: FeeSpec(maker_ppm: -600),",
        &["fees.maker_ppm", "below 0"],
    );
}

#[test]
fn a_preset_that_does_not_exist_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.ron");
    fs::write(&file, GOOD.replace("venue: Binance", "venue: Kraken")).unwrap();
    let shown = file.display().to_string();
    assert_bad_input(
        &cascade(&["check", file.to_str().unwrap()]),
        &[&shown, "Kraken"],
    );
}

#[test]
fn a_named_venue_without_an_index_is_refused_naming_the_venue() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.ron");
    fs::write(
        &file,
        GOOD.replace("    index: Some(IndexSpec(interval_s: 1.0)),\n", ""),
    )
    .unwrap();
    let shown = file.display().to_string();
    assert_bad_input(
        &cascade(&["check", file.to_str().unwrap()]),
        &[&shown, "venue", "needs an index"],
    );
}
