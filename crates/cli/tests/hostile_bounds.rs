//! Through the binary: a rate or interval past its bound is bad input naming the field and the
//! bound, and commands that write into a folder wait for no one: a locked folder is refused.

mod common;

use common::{assert_bad_input, assert_ok, cascade, run_into, scenario};
use std::path::Path;

fn check(sets: &[&str]) -> std::process::Output {
    let s = scenario("baseline.ron");
    let mut args = vec!["check", s.to_str().unwrap()];
    for set in sets {
        args.extend(["--set", set]);
    }
    cascade(&args)
}

#[test]
fn a_rate_or_interval_past_its_bound_is_refused_naming_the_field_and_the_bound() {
    // Over a millisecond the resolution bounds bind, not the budget.
    let short = "duration_s=0.001";
    assert_ok(&check(&[short, "agents[0].rate_per_s=1e6"]));
    assert_bad_input(
        &check(&[short, "agents[0].rate_per_s=1.000001e6"]),
        &["agents[0].rate_per_s", "must be at most 1e6 per second"],
    );
    assert_ok(&check(&[short, "sample_interval_s=1e-6"]));
    assert_bad_input(
        &check(&[short, "sample_interval_s=9.99e-7"]),
        &["sample_interval_s", "must be at least 1e-6 s"],
    );
    // Within the resolution, but a sample every 10 µs for an hour is 360 million samples:
    // the budget names the field and the shortest interval the rest of the run leaves it.
    assert_bad_input(
        &check(&["sample_interval_s=1e-5"]),
        &[
            "sample_interval_s",
            "GiB of samples, book snapshots, agents and resting orders",
            "over the 4 GiB a run may hold",
            "at least ",
        ],
    );
    assert_bad_input(
        &check(&["duration_s=3e8"]),
        &[
            "expected kernel events, over the 3.0e9 a run may have",
            "at ",
        ],
    );
}

/// Writes `DIR/.lock` as a run in progress (process 1 is always running) would.
fn lock(dir: &Path) {
    std::fs::write(dir.join(".lock"), "1\n").unwrap();
}

#[test]
fn plot_stats_and_compare_refuse_a_folder_being_written_and_leave_no_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    run_into(
        "baseline.ron",
        &run,
        &["--set", "duration_s=120", "--no-charts"],
    );
    let run_s = run.to_str().unwrap();
    lock(&run);
    for args in [
        vec!["plot", run_s, "--format", "svg"],
        vec!["stats", run_s, "--horizons", "1", "--min-returns", "50"],
    ] {
        let out = cascade(&args);
        assert_bad_input(&out, &["is locked by process 1", "remove"]);
    }
    assert!(
        !run.join("charts").exists(),
        "plot drew into a locked folder"
    );
    assert!(
        !run.join("stats.json").exists(),
        "stats wrote into a locked folder"
    );
    std::fs::remove_file(run.join(".lock")).unwrap();
    assert_ok(&cascade(&["plot", run_s, "--format", "svg"]));
    assert_ok(&cascade(&[
        "stats",
        run_s,
        "--horizons",
        "1",
        "--min-returns",
        "50",
    ]));
    assert!(
        !run.join(".lock").exists(),
        "the lock goes with the command"
    );

    let out_dir = tmp.path().join("cmp");
    std::fs::create_dir(&out_dir).unwrap();
    lock(&out_dir);
    let cmp = ["compare", run_s, run_s, "--out", out_dir.to_str().unwrap()];
    assert_bad_input(&cascade(&cmp), &["is locked by process 1"]);
    assert!(!out_dir.join("compare.csv").exists());
    std::fs::remove_file(out_dir.join(".lock")).unwrap();
    assert_ok(&cascade(&cmp));
    assert!(out_dir.join("compare.csv").is_file() && !out_dir.join(".lock").exists());
}

#[test]
fn venue_day_passes_the_check_its_tape_bounded_at_run_time() {
    let s = scenario("bench/venue-day.ron");
    assert_ok(&cascade(&["check", s.to_str().unwrap()]));
}

#[test]
fn a_run_whose_tape_passes_the_budget_exits_2_and_writes_no_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("baseline.ron");
    let run = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            s.to_str().unwrap(),
            "--set",
            "duration_s=60",
            "--no-charts",
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(extra);
        cascade(&args)
    };
    // 1 MiB leaves baseline's tape about 1,000 rows of the 1,900 its 60 s trade.
    let fresh = tmp.path().join("fresh");
    assert_bad_input(
        &run(&fresh, &["--memory-budget-mib", "1"]),
        &[
            "baseline.ron",
            "the trade tape filled the memory budget",
            "rows recorded",
            "of the 60.000 s asked for",
            "1 MiB budget",
            "no run folder was written",
            "Shorten duration_s, use fewer or slower agents, or raise --memory-budget-mib",
        ],
    );
    assert!(!fresh.exists(), "a folder was left for a stopped run");
    // Over an earlier run (--force): that run is cleared and nothing of the new one written.
    let earlier = tmp.path().join("earlier");
    assert_ok(&run(&earlier, &[]));
    assert!(earlier.join("manifest.json").is_file());
    assert_bad_input(
        &run(&earlier, &["--force", "--memory-budget-mib", "1"]),
        &["the trade tape filled the memory budget"],
    );
    let left: Vec<_> = std::fs::read_dir(&earlier).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
