//! Running a simulation in slices of simulated time, with a progress bar on stderr when the
//! run takes more than a second and stderr is a terminal (nothing otherwise).
//!
//! The bar is updated between slices, never inside the event loop; slicing does not change
//! the run (events are processed in the same order whatever the slices).

use cascade_sim::{Recording, Simulation};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Slices of the run: the bar moves in steps of 1/SLICES of the simulated time.
const SLICES: i64 = 500;
/// Runs shorter than this show no bar.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// Runs `sim` to the end and hands over the recording; `label` names it on the bar.
pub fn simulate(mut sim: Simulation, label: &str) -> Recording {
    let end = sim.end_ns();
    let step = (end / SLICES).max(1);
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut t = 0i64;
    loop {
        t = t.saturating_add(step).min(end);
        sim.run_until(t);
        if terminal && bar.is_none() && started.elapsed() >= QUIET_FOR {
            bar = Some(new_bar(label, end));
        }
        if let Some(b) = &bar {
            b.set_position(t.max(0) as u64);
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
    let style = ProgressStyle::with_template(
        "{msg} [{bar:40.cyan/blue}] {percent:>3}% of simulated time, {elapsed} elapsed, eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}
