//! Issue 12's target, "a 5-venue run with 5× the agents within 6× the wall time of one venue":
//! `cargo bench -p cascade-sim --bench venues`.
//!
//! Runs `scenarios/bench/venues-1.ron` and `venues-5.ron` (1,800 simulated seconds, recording
//! on, no run folder) alternately, five times each, and prints the best of each by the
//! thread's CPU time (which leaves out the time a shared machine kept the thread waiting for a
//! core, though not what the other load does to the caches) and by wall time, and their ratios.

use cascade_sim::Simulation;
use std::time::Instant;

mod common;
use common::load;

const REPEATS: usize = 5;

/// CPU time of this thread so far, seconds (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// One whole run: (CPU seconds, wall seconds, kernel events).
fn run(s: &cascade_sim::Scenario) -> (f64, f64, u64) {
    let (start, cpu) = (Instant::now(), thread_cpu_s());
    let rec = Simulation::new(s, s.seed).run();
    let cpu = thread_cpu_s() - cpu;
    (
        cpu,
        start.elapsed().as_secs_f64(),
        rec.counters.events_processed,
    )
}

fn main() {
    let scenarios = [load("bench/venues-1.ron"), load("bench/venues-5.ron")];
    let mut best = [(f64::MAX, f64::MAX, 0u64); 2];
    for _ in 0..REPEATS {
        for (s, b) in scenarios.iter().zip(&mut best) {
            let (cpu, wall, events) = run(s);
            *b = (b.0.min(cpu), b.1.min(wall), events);
        }
    }
    println!("best of {REPEATS}, alternating:");
    println!(
        "{:>10} {:>10} {:>10} {:>10}",
        "scenario", "events", "CPU (s)", "wall (s)"
    );
    for (name, b) in ["venues-1", "venues-5"].iter().zip(&best) {
        println!("{name:>10} {:>10} {:>10.3} {:>10.3}", b.2, b.0, b.1);
    }
    let [one, five] = best;
    println!(
        "ratio five / one: events {:.2}x, CPU {:.2}x, wall {:.2}x (target: wall within 6x)",
        five.2 as f64 / one.2 as f64,
        five.0 / one.0,
        five.1 / one.1
    );
}
