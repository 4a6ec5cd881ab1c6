//! The kernel end to end in one process: latency, conservation, determinism.

use cascade_sim::{prepare, Override, Scenario, Simulation};
use proptest::prelude::*;

fn scenario(text: &str, sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    prepare(text, &o).unwrap()
}

const MARKET: &str = r#"Scenario(
    name: "k",
    duration_s: 60.0,
    sample_interval_s: 0.5,
    latency: Latency(base_us: 250.0, jitter_us: 0.0),
    instrument: Instrument(tick_size: 0.5, lot_size: 1.0, initial_price: 50.0),
    agents: [
        Maker(name: "makers", count: 2, refresh_s: 1.0, half_spread_ticks: 1, levels: 3,
              level_spacing_ticks: 1, size: 4, skew_ticks_per_lot: 0.05),
        Noise(name: "noise", count: 20, rate_per_s: 2.0, limit_weight: 0.5, market_weight: 0.2,
              cancel_weight: 0.3, offset_ticks_mean: 2.0, size_min: 1, size_max: 6),
    ],
)"#;

#[test]
fn orders_reach_the_book_exactly_one_latency_after_the_decision() {
    let s = scenario(MARKET, &["agents.noise.count=0", "agents.makers.count=1"]);
    let mut sim = Simulation::new(&s, 4);
    let wake = sim.next_event_ns().unwrap();
    assert!(
        wake < 1_000_000_000,
        "the maker's first wake is within its refresh interval"
    );
    sim.run_until(wake);
    assert_eq!(sim.book().live_orders(), 0, "orders are still in flight");
    sim.run_until(wake + 250_000 - 1);
    assert_eq!(sim.book().live_orders(), 0, "orders are still in flight");
    sim.run_until(wake + 250_000);
    assert_eq!(
        sim.book().live_orders(),
        6,
        "three levels a side arrived together"
    );
}

#[test]
fn two_runs_in_one_process_are_identical_even_when_interleaved() {
    let s = scenario(MARKET, &[]);
    let mut a = Simulation::new(&s, 9);
    let mut b = Simulation::new(&s, 9);
    let mut t = 0;
    while !a.is_done() {
        t += 3_000_000_000;
        a.run_until(t);
        b.run_until(t / 2);
    }
    b.run_until(i64::MAX);
    let (ra, rb) = (a.finish(), b.finish());
    assert_eq!(ra.samples, rb.samples);
    assert_eq!(ra.trades, rb.trades);
    assert_eq!(ra.counters, rb.counters);
    assert!(
        ra.counters.trades > 100,
        "the market trades: {:?}",
        ra.counters
    );
}

#[test]
fn adding_a_group_does_not_perturb_the_streams_of_the_others() {
    // The makers' first wake-ups come from their own streams, keyed by group name.
    let s = scenario(MARKET, &["agents.noise.count=0"]);
    let wider = scenario(MARKET, &["agents.noise.count=0", "agents.makers.count=3"]);
    let first = |s: &Scenario| Simulation::new(s, 5).next_event_ns();
    assert_eq!(first(&s), first(&wider));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Every trade has two sides: positions and cash sum to zero, the book is never crossed
    /// at a sample, and the tape's volume is the sampled volume.
    #[test]
    fn trades_conserve_positions_and_cash(
        seed in 0u64..1_000,
        noise in 1u32..40,
        makers in 0u32..4,
        market_weight in 0.0f64..1.0,
        latency_us in 0.0f64..5_000.0,
    ) {
        let s = scenario(MARKET, &[
            &format!("agents.noise.count={noise}"),
            &format!("agents.makers.count={makers}"),
            &format!("agents.noise.market_weight={market_weight}"),
            &format!("latency.jitter_us={latency_us}"),
            "duration_s=20",
        ]);
        let mut sim = Simulation::new(&s, seed);
        sim.run_until(i64::MAX);
        prop_assert_eq!(sim.positions().iter().sum::<i64>(), 0);
        prop_assert_eq!(sim.cash().iter().sum::<i64>(), 0);
        let rec = sim.finish();
        for smp in &rec.samples {
            if let (Some((b, _)), Some((a, _))) = (smp.bid, smp.ask) {
                prop_assert!(b < a, "crossed book at {}: {:?} {:?}", smp.time_ns, b, a);
            }
        }
        let tape: i64 = rec.trades.iter().map(|t| t.qty.0).sum();
        let sampled: i64 = rec.samples.iter().map(|s| s.volume.0).sum();
        prop_assert_eq!(tape, sampled);
        prop_assert_eq!(tape, rec.counters.volume);
    }
}
