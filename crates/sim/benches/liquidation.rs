//! Cost per liquidation as the number of margin accounts grows from 10^3 to 10^6.
//!
//! Each iteration moves the mark so that it crosses the 256 deepest long accounts, pops them
//! from the liquidation index (checking each one exactly against maintenance), and puts them
//! back with a changed position — the index work of a takeover plus a reindex. The figure per
//! liquidation should stay flat as accounts grow: the index is ordered, so a mark move touches
//! only the accounts it crosses.
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use cascade_sim::accounts::{Account, LiquidationIndex};
use cascade_sim::margin::MarginTable;
use cascade_sim::scenario::MarginSpec;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::{Duration, Instant};

const CROSSED: usize = 256;

/// A splitmix64 step: a fixed, dependency-free generator for the bench's accounts.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn accounts(n: usize, table: &MarginTable) -> (Vec<Account>, LiquidationIndex) {
    let mut rng = n as u64;
    let mut accs = Vec::with_capacity(n);
    let mut index = LiquidationIndex::default();
    for i in 0..n {
        let pos = 10 + (next(&mut rng) % 90) as i64;
        let leverage = 2 + (next(&mut rng) % 49) as i64;
        let entry = 10_000i64;
        let collateral = pos * entry / leverage;
        let long = next(&mut rng) & 1 == 0;
        let mut a = if long {
            Account::margin(collateral - pos * entry, pos)
        } else {
            Account::margin(collateral + pos * entry, -pos)
        };
        index.reindex(i as u32, &mut a, table);
        accs.push(a);
    }
    (accs, index)
}

fn bench(c: &mut Criterion) {
    let table = MarginTable::new(&MarginSpec::default(), 1.0);
    let mut group = c.benchmark_group("liquidation_per_account_count");
    group.throughput(Throughput::Elements(CROSSED as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    eprintln!(
        "memory per margin account: {} bytes (Account) + about 48 bytes (index entry)",
        std::mem::size_of::<Account>()
    );
    for n in [1_000usize, 10_000, 100_000, 1_000_000] {
        let (mut accs, mut index) = accounts(n, &table);
        // The mark that crosses exactly the CROSSED deepest longs.
        let mut keys: Vec<i64> = accs
            .iter()
            .filter(|a| a.pos > 0)
            .filter_map(|a| a.liq_key())
            .collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        let mark = keys[CROSSED - 1];
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut popped = Vec::with_capacity(CROSSED * 2);
                let start = Instant::now();
                for _ in 0..iters {
                    while let Some(id) = index.pop_crossed(mark, &mut accs) {
                        let a = &accs[id as usize];
                        assert!(table.is_liquidatable(a.cash, a.pos, mark));
                        popped.push(id);
                    }
                    for id in popped.drain(..) {
                        index.reindex(id, &mut accs[id as usize], &table);
                    }
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
