//! Who holds what while the basis moves: every `STEP` seconds (60 unless given), the basis of
//! the mid against the index in bps and each agent group's net position in lots (a group of
//! four or fewer agents member by member).
//! `cargo run --release --example basis_probe -- FILE SEED [path=value ...]`; the evidence
//! behind docs/validation.md, "Funding and the basis".
use cascade_sim::{prepare, Override, Simulation};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("scenario file");
    let seed: u64 = args[2].parse().expect("seed");
    let sets: Vec<Override> = args[3..]
        .iter()
        .map(|s| Override::parse(s).expect("path=value"))
        .collect();
    let s = prepare(&text, &sets).unwrap_or_else(|e| panic!("{e}"));
    let step_ns: i64 =
        std::env::var("STEP").map_or(60, |v| v.parse().expect("STEP")) * 1_000_000_000;
    let mut sim = Simulation::new(&s, seed);
    let mut t = step_ns;
    while t <= sim.end_ns() {
        sim.run_until(t);
        let pos = sim.positions();
        let basis = match (sim.book().l1().mid_x2(), sim.venue().index()) {
            (Some(m), Some(ix)) => format!("{:+.1}", (m as f64 / 2.0 - ix) / ix * 1e4),
            _ => "-".into(),
        };
        let mut line = format!("t {:5} basis {basis:>6}", t / 1_000_000_000);
        let mut at = 0usize;
        for g in &s.agents {
            let n = g.count() as usize;
            let held = &pos[at..at + n];
            if n <= 4 {
                line += &format!(" {} {held:?}", g.name());
            } else {
                line += &format!(" {} {}", g.name(), held.iter().sum::<i64>());
            }
            at += n;
        }
        println!("{line}");
        t += step_ns;
    }
}
