//! Running a simulation in slices of simulated time, with progress on stderr once the run
//! takes more than a second: a bar on a terminal, one line every few seconds elsewhere (a log,
//! a notebook, a Slurm job), or nothing (`--progress auto|bar|lines|none`).
//!
//! The estimate of the time left is the wall time so far scaled by the simulated time still to
//! run ([`eta`]): the run's own average rate, not a recent one, so a burst of slow steps (a
//! cascade) does not swing it. Progress is reported between slices, never inside the event
//! loop; slicing does not change the run (events are processed in the same order whatever the
//! slices).

use cascade_sim::{Recording, Simulation};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Slices of the run: progress moves in steps of 1/SLICES of the simulated time.
const SLICES: i64 = 500;
/// Runs shorter than this show no progress.
const QUIET_FOR: Duration = Duration::from_secs(1);
/// Least time between two progress lines.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// How progress is shown (`--progress`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A bar on a terminal, lines otherwise.
    #[default]
    Auto,
    /// A bar (redrawn in place).
    Bar,
    /// A line on stderr every few seconds.
    Lines,
    /// Nothing.
    None,
}

impl ProgressMode {
    /// `Auto` resolved against stderr.
    fn resolve(self) -> ProgressMode {
        match self {
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
            ProgressMode::Auto => ProgressMode::Lines,
            other => other,
        }
    }
}

/// The wall time left when `fraction` of the simulated time took `elapsed`: the same average
/// rate for the rest. None before 1% (too little to go on).
pub fn eta(elapsed: Duration, fraction: f64) -> Option<Duration> {
    if !(0.01..=1.0).contains(&fraction) {
        return None;
    }
    Some(elapsed.mul_f64((1.0 - fraction) / fraction))
}

/// "12.3 s" or "4 min 05 s".
fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        let whole = s.round() as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

/// One progress report: "28% of simulated time (504 of 1800 s), 3.4 s elapsed, about 8.7 s
/// left".
fn report(fraction: f64, sim_s: (f64, f64), elapsed: Duration) -> String {
    let left = eta(elapsed, fraction)
        .map(|d| format!(", about {} left", human(d)))
        .unwrap_or_default();
    format!(
        "{:.0}% of simulated time ({:.0} of {:.0} s), {} elapsed{left}",
        fraction * 100.0,
        sim_s.0,
        sim_s.1,
        human(elapsed)
    )
}

/// Runs `sim` to the end and hands over the recording; `label` names it in the progress.
pub fn simulate(mut sim: Simulation, label: &str, mode: ProgressMode) -> Recording {
    let mode = mode.resolve();
    let end = sim.end_ns();
    let step = (end / SLICES).max(1);
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let mut last_line: Option<Instant> = None;
    let mut t = 0i64;
    loop {
        t = t.saturating_add(step).min(end);
        sim.run_until(t);
        let elapsed = started.elapsed();
        let fraction = t as f64 / end.max(1) as f64;
        let text = || report(fraction, (t as f64 / 1e9, end as f64 / 1e9), elapsed);
        if elapsed >= QUIET_FOR && t < end {
            match mode {
                ProgressMode::Bar => {
                    let b = bar.get_or_insert_with(|| new_bar(label, end));
                    b.set_position(t.max(0) as u64);
                    b.set_message(format!("{label}: {}", text()));
                }
                ProgressMode::Lines if last_line.is_none_or(|l| l.elapsed() >= LINE_EVERY) => {
                    eprintln!("{label}: {}", text());
                    last_line = Some(Instant::now());
                }
                _ => {}
            }
        }
        if t >= end || sim.is_done() {
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    sim.finish()
}

fn new_bar(label: &str, end_ns: i64) -> ProgressBar {
    let bar = ProgressBar::new(end_ns.max(1) as u64);
    let style = ProgressStyle::with_template("[{bar:30.cyan/blue}] {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wall time a run takes to reach `fraction` when the rate (simulated time per wall
    /// second) is `fast` up to `switch` and `slow` after.
    fn wall(fraction: f64, switch: f64, fast: f64, slow: f64) -> f64 {
        if fraction <= switch {
            fraction / fast
        } else {
            switch / fast + (fraction - switch) / slow
        }
    }

    #[test]
    fn a_steady_run_is_estimated_exactly() {
        let e = eta(Duration::from_secs(3), 0.25).unwrap();
        assert!((e.as_secs_f64() - 9.0).abs() < 1e-9);
        assert_eq!(eta(Duration::from_secs(3), 0.005), None);
        assert_eq!(eta(Duration::from_secs(3), 1.0), Some(Duration::ZERO));
    }

    #[test]
    fn the_estimate_is_within_twice_the_truth_after_a_tenth_when_the_rate_halves() {
        // A cascade in the middle of the run: it runs at half the speed from there on.
        for &switch in &[0.3, 0.5, 0.7] {
            let total = wall(1.0, switch, 1.0, 0.5);
            for k in 10..100 {
                let f = f64::from(k) / 100.0;
                let elapsed = wall(f, switch, 1.0, 0.5);
                let guess = eta(Duration::from_secs_f64(elapsed), f)
                    .unwrap()
                    .as_secs_f64();
                let truth = total - elapsed;
                assert!(
                    guess <= 2.0 * truth + 1e-9 && truth <= 2.0 * guess + 1e-9,
                    "switch {switch}, at {f}: guessed {guess}, truth {truth}"
                );
            }
        }
    }

    #[test]
    fn a_line_says_how_far_and_how_long() {
        let line = report(0.28, (504.0, 1800.0), Duration::from_millis(3400));
        assert_eq!(
            line,
            "28% of simulated time (504 of 1800 s), 3.4 s elapsed, about 8.7 s left"
        );
        assert_eq!(human(Duration::from_secs(245)), "4 min 05 s");
    }
}
