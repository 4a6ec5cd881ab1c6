//! Hostile folders and files through the binary: a folder that looks complete is whole, no
//! reader panics on a damaged file, no read blocks or fills the memory.

mod common;

use common::{assert_bad_input, assert_ok, cascade, copy_folder, describe, scenario};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A one-minute run of the flash-cascade scenario with its events brought forward, so every
/// table has rows.
const SHORT: &[&str] = &[
    "--set",
    "duration_s=120",
    "--set",
    "agents[2].entry_end_s=40",
    "--set",
    "agents[3].entry_end_s=40",
    "--set",
    "shocks[0].at_s=60",
    "--set",
    "shocks[0].over_s=20",
];

fn run(dir: &Path, extra: &[&str]) -> Output {
    let s = scenario("flash-cascade.ron");
    let mut args = vec!["run", s.to_str().unwrap(), "--out", dir.to_str().unwrap()];
    args.extend_from_slice(SHORT);
    args.extend_from_slice(extra);
    cascade(&args)
}

fn assert_no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{}", describe(out));
    assert_ne!(out.status.code(), Some(101), "{}", describe(out));
}

#[test]
fn a_rerun_into_a_run_folder_needs_force_and_leaves_no_stale_file() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("r");
    assert_ok(&run(&run_dir, &[]));
    assert!(run_dir.join("charts/price.png").is_file());
    std::fs::write(run_dir.join("stats.json"), "{}").unwrap();

    let out = run(&run_dir, &["--seed", "2", "--no-charts"]);
    assert_bad_input(&out, &["already holds a run", "--force"]);

    assert_ok(&run(&run_dir, &["--seed", "2", "--no-charts", "--force"]));
    assert!(!run_dir.join("charts").exists(), "stale charts kept");
    assert!(
        !run_dir.join("stats.json").exists(),
        "stale stats.json kept"
    );
    assert!(!run_dir.join(".lock").exists());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 2);
    assert_ok(&cascade(&["replay", run_dir.to_str().unwrap()]));
}

#[test]
fn a_folder_that_is_not_a_run_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("summary.json"), "{\"mine\": true}\n").unwrap();
    for force in [&[][..], &["--force"][..]] {
        assert_bad_input(&run(dir.path(), force), &["holds no run of cascade"]);
    }
    std::fs::write(dir.path().join("paper.tex"), "x").unwrap();
    let out = run(dir.path(), &["--force"]);
    assert_bad_input(&out, &["\"paper.tex\"", "even with --force"]);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(
        std::fs::read(dir.path().join("summary.json")).unwrap(),
        b"{\"mine\": true}\n"
    );
}

#[test]
fn a_locked_folder_is_refused_and_force_clears_only_a_stale_lock() {
    let dir = tempfile::tempdir().unwrap();
    // This test's own process: alive, so the lock is not stale even with --force.
    std::fs::write(
        dir.path().join(".lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    assert_bad_input(&run(dir.path(), &[]), &["is locked by process", "--force"]);
    assert_bad_input(&run(dir.path(), &["--force"]), &["still running"]);
    // A process id above the kernel's pid_max: a killed run's lock.
    std::fs::write(dir.path().join(".lock"), "4294967\n").unwrap();
    assert_bad_input(&run(dir.path(), &[]), &["clear the lock"]);
    assert_ok(&run(dir.path(), &["--force"]));
    assert!(!dir.path().join(".lock").exists());
}

#[test]
fn a_run_killed_while_overwriting_leaves_no_manifest_or_one_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("r");
    assert_ok(&run(&run_dir, &["--no-charts"]));
    let started = Instant::now();
    assert_ok(&run(&run_dir, &["--no-charts", "--force"]));
    let whole = started.elapsed();
    let s = scenario("flash-cascade.ron");
    // Killed at a sixth, a third, ... of a whole run's time: in the simulation and the writing.
    for sixth in 1..6 {
        let delay = whole * sixth / 6;
        let mut args = vec![
            "run",
            s.to_str().unwrap(),
            "--out",
            run_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(SHORT);
        args.extend_from_slice(&["--seed", "2", "--force"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cascade"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if run_dir.join("manifest.json").exists() {
            let out = cascade(&["replay", run_dir.to_str().unwrap()]);
            assert_ok(&out);
        }
    }
    // The killed runs' lock is stale: --force clears it, and the folder is whole again.
    assert_ok(&run(&run_dir, &["--no-charts", "--force"]));
    assert_ok(&cascade(&["replay", run_dir.to_str().unwrap()]));
}

#[test]
fn plot_does_not_write_through_a_symlinked_charts_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("r");
    assert_ok(&run(&run_dir, &["--no-charts"]));
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, run_dir.join("charts")).unwrap();
    let out = cascade(&["plot", run_dir.to_str().unwrap()]);
    assert_bad_input(&out, &["charts", "symbolic link"]);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// Asserts exit 2 within a second.
fn assert_refused_at_once(args: &[&str], fragments: &[&str]) -> Duration {
    let started = Instant::now();
    let out = cascade(args);
    let took = started.elapsed();
    assert_bad_input(&out, fragments);
    assert!(took < Duration::from_secs(1), "{args:?} took {took:?}");
    took
}

#[test]
fn fifos_and_devices_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.ron");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let mut slowest = assert_refused_at_once(&["check", fifo], &["a FIFO"]);
    let took = assert_refused_at_once(&["check", "/dev/zero"], &["a character device"]);
    slowest = slowest.max(took);

    let run_dir = dir.path().join("r");
    assert_ok(&run(&run_dir, &["--no-charts"]));
    let r = run_dir.to_str().unwrap();
    for (file, commands) in [
        (
            "manifest.json",
            &[&["replay", r][..], &["plot", r], &["stats", r]][..],
        ),
        ("summary.json", &[&["compare", r, r][..]]),
        ("series.parquet", &[&["stats", r][..], &["plot", r]]),
    ] {
        let path = run_dir.join(file);
        let saved = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        for args in commands {
            let took = assert_refused_at_once(args, &[file, "a character device"]);
            slowest = slowest.max(took);
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, saved).unwrap();
    }
    eprintln!("slowest refusal of a FIFO or /dev/zero: {slowest:?}");
}

#[test]
fn the_damaged_parquet_corpus_exits_2_everywhere_and_1_for_replay() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/damaged");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    assert_ok(&run(&good, &["--no-charts"]));
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for damaged in &files {
        let name = damaged.file_name().unwrap().to_str().unwrap();
        let table = name.split('-').next().unwrap();
        let bad = dir.path().join(name);
        copy_folder(&good, &bad);
        std::fs::copy(damaged, bad.join(format!("{table}.parquet"))).unwrap();
        let (b, g) = (bad.to_str().unwrap(), good.to_str().unwrap());
        let out_dir = dir.path().join(format!("cmp-{name}"));
        let o = out_dir.to_str().unwrap();
        let mut commands: Vec<Vec<&str>> = Vec::new();
        if ["series", "book", "liquidations"].contains(&table) {
            commands.push(vec!["plot", b]);
        }
        if table == "series" {
            commands.push(vec!["stats", b]);
            commands.push(vec!["compare", g, b, "--out", o]);
        }
        for args in &commands {
            assert_bad_input(&cascade(args), &[&format!("{table}.parquet")]);
        }
        let out = cascade(&["replay", b]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("{table}.parquet")),
            "{}",
            describe(&out)
        );
    }
}

#[test]
fn a_shortened_file_list_does_not_verify_when_the_dropped_file_was_edited() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("r");
    assert_ok(&run(&run_dir, &["--no-charts"]));
    let path = run_dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let files = m["files"].as_array_mut().unwrap();
    files.retain(|f| f["name"] != "trades.csv");
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    std::fs::write(run_dir.join("trades.csv"), "edited\n").unwrap();
    let out = cascade(&["replay", run_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("trades.csv") && err.contains("does not list it"),
        "{err}"
    );
}
