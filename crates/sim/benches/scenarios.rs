//! End-to-end benchmarks: shipped scenarios run from start to end with recording on.
//!
//! Throughput is reported in kernel events (wake-ups, order arrivals, samples) per second.
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use cascade_sim::Simulation;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;
use common::load;

fn bench_scenario(c: &mut Criterion, file: &str) {
    let scenario = load(file);
    let seed = scenario.seed;
    let events = Simulation::new(&scenario, seed)
        .run()
        .counters
        .events_processed;
    let mut group = c.benchmark_group("scenario");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function(file.trim_end_matches(".ron"), |b| {
        b.iter(|| {
            let rec = Simulation::new(&scenario, seed).run();
            assert_eq!(rec.counters.events_processed, events);
            rec
        })
    });
    group.finish();
}

fn scenarios(c: &mut Criterion) {
    bench_scenario(c, "baseline.ron");
    bench_scenario(c, "reference-market.ron");
    bench_scenario(c, "flash-cascade.ron");
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
