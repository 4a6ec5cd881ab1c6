//! `cascade calibrate` end to end: known parameters recovered from their moments alone, the
//! same calibration.json after SIGKILL and --resume, bad calibration files exit 2 naming the
//! field.

mod common;
use common::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The two noise-trader parameters the small case estimates, and their true values.
const RATE: &str = "agents.noise.rate_per_s";
const MARKET: &str = "agents.noise.market_weight";
const TRUTH: [f64; 2] = [0.5, 0.2];
/// The moments that identify them: message count, market orders, trades.
const MOMENTS: [&str; 3] = ["events.processed", "orders.market", "trades.count"];

/// A calibration file over the shipped baseline (`duration_s` simulated seconds), written
/// into `dir`.
fn calibration_file(dir: &Path, name: &str, duration_s: u32, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    let base = scenario("baseline.ron");
    let text = format!(
        "Calibration(name: {name:?}, base: {:?}, set: [\"duration_s={duration_s}\"], {body})",
        base.to_str().unwrap()
    );
    fs::write(&path, text).unwrap();
    path
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    cascade_file_out("calibrate", file, out, extra)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// The mean of each of `MOMENTS` over runs of the baseline at the true values.
fn moments_at_truth(dir: &Path, seeds: &[u64]) -> Vec<f64> {
    let mut sums = [0.0; MOMENTS.len()];
    for seed in seeds {
        let out = dir.join(format!("truth-{seed}"));
        let base = scenario("baseline.ron");
        let rate = format!("{RATE}={}", TRUTH[0]);
        let market = format!("{MARKET}={}", TRUTH[1]);
        let seed = seed.to_string();
        let args = [
            "run",
            base.to_str().unwrap(),
            "--seed",
            &seed,
            "--set",
            "duration_s=60",
            "--set",
            &rate,
            "--set",
            &market,
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        assert_ok(&cascade(&args));
        let metrics = cascade_report::json::flatten(&json(&out.join("summary.json")));
        for (sum, m) in sums.iter_mut().zip(MOMENTS) {
            let v = metrics.iter().find(|(k, _)| k == m).unwrap().1.as_f64();
            *sum += v.unwrap();
        }
    }
    sums.iter().map(|s| s / seeds.len() as f64).collect()
}

fn targets(values: &[f64]) -> String {
    MOMENTS
        .iter()
        .zip(values)
        .map(|(m, v)| format!("Target(metric: {m:?}, value: {v:?}, weight: 1.0)"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parameters() -> String {
    format!(
        "parameters: [Uniform(path: {RATE:?}, from: 0.2, to: 1.0), \
         Uniform(path: {MARKET:?}, from: 0.05, to: 0.5)]"
    )
}

#[test]
fn known_parameters_are_recovered_from_their_moments_alone() {
    let tmp = tempfile::tempdir().unwrap();
    // The "data": runs at the true values on seeds the calibration never uses.
    let data = moments_at_truth(tmp.path(), &[101, 102]);
    let file = calibration_file(
        tmp.path(),
        "identify",
        60,
        &format!(
            "seeds: [1, 2], {}, targets: [{}], budget: 120",
            parameters(),
            targets(&data)
        ),
    );
    let out = tmp.path().join("out");
    let ran = calibrate(&file, &out, &["--threads", "2"]);
    assert_ok(&ran);
    let r = json(&out.join("calibration.json"));
    for (path, truth) in [RATE, MARKET].iter().zip(TRUTH) {
        let got = r["estimate"][path].as_f64().unwrap();
        assert!(
            (got - truth).abs() <= 0.1 * truth,
            "{path}: estimated {got}, true {truth}\n{r:#}"
        );
        assert!(r["standard_errors"]["se"][path].is_number(), "{r:#}");
    }
    // The moments at the estimate, each with its target and a standard error across seeds.
    let moments = r["moments"].as_array().unwrap();
    assert_eq!(moments.len(), MOMENTS.len());
    for (m, (name, target)) in moments.iter().zip(MOMENTS.iter().zip(&data)) {
        assert_eq!(m["metric"], *name);
        assert_eq!(m["target"].as_f64(), Some(*target));
        let sim = m["simulated"].as_f64().unwrap();
        assert!((sim - target).abs() <= 0.05 * target, "{m}");
        assert!(m["se"].as_f64().unwrap() >= 0.0, "{m}");
    }
    // The objective path: one entry per candidate, its running best never rising, ending at
    // the estimate's objective.
    let path = r["objective_path"].as_array().unwrap();
    assert_eq!(path.len() as u64, r["candidates"].as_u64().unwrap());
    assert!(r["runs"].as_u64().unwrap() <= 120);
    let bests: Vec<f64> = path.iter().filter_map(|p| p["best"].as_f64()).collect();
    assert!(bests.windows(2).all(|w| w[1] <= w[0]));
    assert_eq!(bests.last().copied(), r["objective"].as_f64());
    assert!(
        bests[0] > 10.0 * bests[bests.len() - 1],
        "the search improved: {bests:?}"
    );
    // Two seeds cannot estimate the moments' inverse covariance: no J-test, and why.
    assert!(r["j_test"].is_null(), "{r:#}");
    let why = r["j_test_reason"].as_str().unwrap();
    assert!(why.contains("at least moments + 3 = 6 seeds"), "{why}");
}

/// Calibrates the identification case on eight seeds against `targets` (the mean of two
/// runs: `target_runs: 2`) and returns calibration.json.
fn calibrate_on_eight_seeds(dir: &Path, name: &str, values: &[f64]) -> Value {
    let file = calibration_file(
        dir,
        name,
        60,
        &format!(
            "seeds: [1, 2, 3, 4, 5, 6, 7, 8], {}, targets: [{}], budget: 480, target_runs: 2, \
             bootstrap: 0",
            parameters(),
            targets(values)
        ),
    );
    let out = dir.join(name);
    let ran = calibrate(&file, &out, &["--threads", "2"]);
    assert_ok(&ran);
    assert!(
        String::from_utf8_lossy(&ran.stdout).contains("J-test: J = "),
        "{ran:?}"
    );
    json(&out.join("calibration.json"))
}

#[test]
fn the_j_test_accepts_the_true_model_and_rejects_a_target_out_of_reach() {
    let tmp = tempfile::tempdir().unwrap();
    let data = moments_at_truth(tmp.path(), &[101, 102]);
    // The moments of the true parameters: 3 moments, 2 parameters, J on one degree of
    // freedom, far from rejected.
    let r = calibrate_on_eight_seeds(tmp.path(), "truth", &data);
    let j = &r["j_test"];
    assert_eq!(j["dof"], 1, "{r:#}");
    assert_eq!(j["seeds"], 8);
    assert_eq!(j["target_runs"], 2);
    // Var(target − simulated) = (1/2 + 1/8)·Σ; Σ⁻¹ corrected by (8 − 3 − 2)/(8 − 1).
    let near = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-12;
    assert!(near(&j["variance_factor"], 0.625), "{j}");
    assert!(near(&j["precision_correction"], 3.0 / 7.0), "{j}");
    let p = j["p_value"].as_f64().unwrap();
    assert!(p > 0.05, "the true model is rejected: {j}");
    assert!(j["statistic"].as_f64().unwrap() >= 0.0);
    // Three times the trades for the same messages and market orders: no noise-trader
    // parameters give that (each trade needs a market order or a crossing limit), so the
    // test rejects whatever the estimate.
    let mut far = data.clone();
    far[2] *= 3.0;
    let r = calibrate_on_eight_seeds(tmp.path(), "far", &far);
    let p = r["j_test"]["p_value"].as_f64().unwrap();
    assert!(
        p < 1e-6,
        "a target out of reach is not rejected: {:#}",
        r["j_test"]
    );
}

/// Whole lines in a calibration's journal.
fn candidates(dir: &Path) -> usize {
    fs::read(dir.join("candidates.jsonl"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn a_calibration_killed_mid_way_and_resumed_writes_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let file = calibration_file(
        tmp.path(),
        "kill",
        20,
        &format!(
            "seeds: [1, 2], {}, targets: [{}], budget: 60, bootstrap: 50",
            parameters(),
            targets(&[11000.0, 700.0, 1200.0])
        ),
    );

    let whole = tmp.path().join("whole");
    assert_ok(&calibrate(&file, &whole, &["--threads", "2"]));

    let killed = tmp.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cascade"))
        .args(["calibrate", file.to_str().unwrap(), "--out"])
        .arg(&killed)
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while candidates(&killed) < 6 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the calibration ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let done = candidates(&killed);
    assert!(
        done < 30,
        "every candidate finished before the kill ({done})"
    );
    assert!(!killed.join("calibration.json").exists());
    // A torn last line, as a kill in the middle of a write leaves.
    let mut journal = fs::OpenOptions::new()
        .append(true)
        .open(killed.join("candidates.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut journal, b"{\"calibration\":\"").unwrap();
    drop(journal);

    // Without --resume the folder is refused; with it, the journal is replayed.
    assert_bad_input(&calibrate(&file, &killed, &[]), &["--resume"]);
    let resumed = calibrate(&file, &killed, &["--resume", "--threads", "2"]);
    assert_ok(&resumed);
    let said = String::from_utf8_lossy(&resumed.stdout);
    assert!(said.contains(&format!("({done} replayed")), "{said}");
    for f in ["calibration.json", "candidates.jsonl"] {
        assert!(
            fs::read(whole.join(f)).unwrap() == fs::read(killed.join(f)).unwrap(),
            "{f} differs after a kill and --resume"
        );
    }
    // Resuming a finished calibration runs nothing and writes the same bytes again.
    let again = calibrate(&file, &killed, &["--resume"]);
    assert_ok(&again);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 runs now"));
    assert_eq!(
        fs::read(whole.join("calibration.json")).unwrap(),
        fs::read(killed.join("calibration.json")).unwrap()
    );
}

#[test]
fn bad_calibration_files_exit_2_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let target = "targets: [Target(metric: \"trades.count\", value: 100.0, weight: 1.0)]";
    let rate = format!("Uniform(path: {RATE:?}, from: 0.2, to: 1.0)");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("seeds: [1], parameters: [Values(path: {RATE:?}, values: [0.5])], {target}, budget: 10"),
            vec!["parameters[0]", RATE, "needs bounds"],
        ),
        (
            format!("seeds: [1], parameters: [Uniform(path: {RATE:?}, from: 0.2)], {target}, budget: 10"),
            vec!["field parameters[0]", "to"],
        ),
        (
            format!("seeds: [1], parameters: [Uniform(path: {RATE:?}, from: 1.0, to: 1.0)], {target}, budget: 10"),
            vec!["parameters[0]", "from must be below to"],
        ),
        (
            format!("seeds: [1], parameters: [LogUniform(path: {RATE:?}, from: 2.0, to: 1.0)], {target}, budget: 10"),
            vec!["parameters[0]", "from must be below to"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], targets: [Target(metric: \"price.maximum\", value: 1.0, weight: 1.0)], budget: 10"),
            vec!["targets[0].metric", "price.maximum"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], targets: [Target(metric: \"stats.7s.std\", value: 1.0, weight: 1.0)], budget: 10"),
            vec!["targets[0].metric", "stats.7s.std", "stats.10s.std"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], targets: [Target(metric: \"trades.count\", value: 1.0, weight: 0.0)], budget: 10"),
            vec!["targets[0].weight", "positive"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], {target}, budget: 10")
                .replace("weight: 1.0", "weight: -2.0"),
            vec!["targets[0].weight", "-2"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], {target}, budget: 0"),
            vec!["field budget", "at least 1"],
        ),
        (
            format!("seeds: [1], parameters: [Uniform(path: \"agents.noise.colour\", from: 0.2, to: 1.0)], {target}, budget: 10"),
            vec!["parameter agents.noise.colour"],
        ),
        (
            format!("seeds: [], parameters: [{rate}], {target}, budget: 10"),
            vec!["field seeds"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], {target}, budget: 10, target_runs: 0"),
            vec!["field target_runs", "at least 1"],
        ),
        (
            format!("seeds: [1], parameters: [{rate}], start: {{\"agents.noise.rate_per_s\": 5.0}}, {target}, budget: 10"),
            vec!["field start", "outside its bounds"],
        ),
    ];
    for (i, (body, fragments)) in cases.iter().enumerate() {
        let file = calibration_file(tmp.path(), &format!("bad{i}"), 60, body);
        let out = tmp.path().join(format!("out{i}"));
        let ran = calibrate(&file, &out, &[]);
        let mut want = vec![file.to_str().unwrap()];
        want.extend(fragments);
        assert_bad_input(&ran, &want);
        assert!(
            !out.exists(),
            "case {i}: a refused calibration created its folder"
        );
    }
}
