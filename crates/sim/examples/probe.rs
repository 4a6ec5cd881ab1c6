//! Prints the headline figures of a scenario run: `cargo run --release --example probe -- FILE [SEED] [path=value ...]`.
use cascade_sim::{prepare, Override, Simulation};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("scenario file");
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let sets: Vec<Override> = args
        .iter()
        .skip(3)
        .map(|s| Override::parse(s).expect("path=value"))
        .collect();
    let s = prepare(&text, &sets).unwrap_or_else(|e| panic!("{e}"));
    let rec = Simulation::new(&s, seed).audit(true).run();
    if std::env::var("PROBE_AT").is_ok() {
        let at: i64 = std::env::var("PROBE_AT").unwrap().parse().unwrap();
        around(&rec, at);
        trades_around(&rec, at);
    }
    let mids: Vec<f64> = rec
        .samples
        .iter()
        .filter_map(|x| x.mid_x2())
        .map(|m| m as f64 / 2.0)
        .collect();
    let mut peak = f64::MIN;
    let mut dd = 0.0f64;
    for &m in &mids {
        peak = peak.max(m);
        dd = dd.max((peak - m) / peak * 100.0);
    }
    let stress = rec.stress_from_ns.unwrap_or(i64::MAX);
    let spread = |x: &cascade_sim::Sample| match (x.bid, x.ask) {
        (Some((b, _)), Some((a, _))) => Some((a.0 - b.0) as f64 * 2e4 / (a.0 + b.0) as f64),
        _ => None,
    };
    let mut base: Vec<f64> = rec
        .samples
        .iter()
        .filter(|x| x.time_ns < stress)
        .filter_map(spread)
        .collect();
    base.sort_by(f64::total_cmp);
    let sb = base.get(base.len() / 2).copied().unwrap_or(f64::NAN);
    let sp = rec.samples.iter().filter_map(spread).fold(0.0f64, f64::max);
    let mut dbase: Vec<i64> = rec
        .samples
        .iter()
        .filter(|x| x.time_ns < stress)
        .map(|x| x.depth_1pct.0)
        .collect();
    dbase.sort();
    let db = dbase.get(dbase.len() / 2).copied().unwrap_or(0) as f64;
    let dmin = rec
        .samples
        .iter()
        .filter(|x| x.time_ns >= stress)
        .map(|x| x.depth_1pct.0)
        .min()
        .unwrap_or(0) as f64;
    let maxgen = rec.liquidations.iter().map(|l| l.generation).max();
    let takeovers = rec
        .liquidations
        .iter()
        .map(|l| l.id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "seed {seed}: drawdown {dd:.2}% spread {sb:.2}->{sp:.1} bps (x{:.1}) depth {db}->{dmin} (x{:.3}) liquidations {takeovers} steps {} maxgen {maxgen:?} adl {} fund {}->{} (min {}) audit {:?} events {}",
        sp / sb, dmin / db, rec.liquidations.len(), rec.adl.len(), rec.ledger.fund_start, rec.ledger.fund_end, rec.ledger.fund_min, rec.audit.as_ref().map(|a| a.to_string()), rec.counters.events_processed
    );
}

#[allow(dead_code)]
fn around(rec: &cascade_sim::Recording, t_s: i64) {
    for s in rec
        .samples
        .iter()
        .filter(|s| (s.time_ns / 1_000_000_000 - t_s).abs() <= 5)
    {
        println!(
            "{} {:?} {:?} depth {} vol {} mark {}",
            s.time_ns / 1_000_000_000,
            s.bid,
            s.ask,
            s.depth_1pct.0,
            s.volume.0,
            s.mark.0
        );
    }
}

#[allow(dead_code)]
fn trades_around(rec: &cascade_sim::Recording, t_s: i64) {
    let ts: Vec<_> = rec
        .trades
        .iter()
        .filter(|t| t.time_ns >= t_s * 1_000_000_000 && t.time_ns < (t_s + 2) * 1_000_000_000)
        .collect();
    for t in ts.iter().step_by((ts.len() / 40).max(1)) {
        println!(
            "  {} {} x{} {:?} maker {} taker {}",
            t.time_ns, t.price.0, t.qty.0, t.taker_side, t.maker.0, t.taker.0
        );
    }
}
