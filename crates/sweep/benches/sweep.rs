//! Per-run overhead of a sweep: a short run alone, against the same run as a sweep does it
//! (the point's scenario from the base and its overrides, the run, the summary, flattening,
//! and the record appended to the log). Thread speed-up is measured end to end with hyperfine
//! (see BENCHMARKS.md, "Sweeps").

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use cascade_sim::Simulation;
use cascade_sweep::exec::{point_scenario, record_run};
use cascade_sweep::record::RecordLog;
use cascade_sweep::RunId;
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn overhead(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/sweeps/smoke.ron");
    let plan = cascade_sweep::load(&file).expect("the smoke sweep plans");
    let id = RunId {
        point: 4,
        replicate: 0,
    };
    let seed = plan.design.seed_of(id);
    let scenario = point_scenario(&plan, id.point).expect("a valid point");
    let tmp = tempfile::tempdir().unwrap();
    let log = RecordLog::open(tmp.path()).unwrap();

    let mut g = c.benchmark_group("smoke point (300 s simulated)");
    g.sample_size(40);
    g.bench_function("run alone", |b| {
        b.iter(|| Simulation::new(&scenario, seed).record_trades(false).run())
    });
    g.bench_function("run as a sweep does it", |b| {
        b.iter(|| {
            let r = record_run(&plan, tmp.path(), id, false).unwrap();
            log.append(&r).unwrap();
            r
        })
    });
    g.bench_function("overhead alone (scenario, summary, record)", |b| {
        let rec = Simulation::new(&scenario, seed).record_trades(false).run();
        b.iter(|| {
            let s = point_scenario(&plan, id.point).unwrap();
            let summary = cascade_report::summarize(
                &rec,
                &cascade_report::PriceFormat::new(s.instrument.tick_size),
                None,
            );
            let r = cascade_sweep::RunRecord {
                sweep: plan.hash.clone(),
                point: id.point,
                replicate: id.replicate,
                seed,
                status: cascade_sweep::Status::Ok,
                error: String::new(),
                metrics: cascade_sweep::record::metrics(&summary).unwrap(),
                wall_ms: 0.0,
            };
            log.append(&r).unwrap();
        })
    });
    g.finish();

    let mut g = c.benchmark_group("overhead parts");
    g.bench_function("point scenario (overrides, validation)", |b| {
        b.iter(|| point_scenario(&plan, id.point).unwrap())
    });
    let rec = Simulation::new(&scenario, seed).record_trades(false).run();
    let fmt = cascade_report::PriceFormat::new(scenario.instrument.tick_size);
    g.bench_function("summary and flattening", |b| {
        b.iter(|| cascade_sweep::record::metrics(&cascade_report::summarize(&rec, &fmt, None)))
    });
    let r = record_run(&plan, tmp.path(), id, false).unwrap();
    g.bench_function("record appended to the log", |b| {
        b.iter(|| log.append(&r).unwrap())
    });
    g.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
