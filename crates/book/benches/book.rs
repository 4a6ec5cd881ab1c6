//! Throughput of the book on a mixed stream of passive adds, cancels and marketable orders.
//!
//! The book is pre-filled to [`LIVE_ORDERS`] orders around [`MID`]; then a stream of
//! [`STREAM_OPS`] operations is generated, before any timing, by running a tiny deterministic
//! PRNG against a scratch copy of the book (so that every cancel names an order that is live at
//! that point). The book is deterministic, so replaying the stream on a fresh copy of the
//! pre-filled book issues the same handles. Only the replay is timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cascade_book::{Book, BookEvent, OrderId, OwnerId, Price, Qty, Side, Tif};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

/// The operation mix, in percent; set from the simulator's measured proportions.
const MIX: Mix = Mix {
    add_pct: 55,
    cancel_pct: 35,
    take_pct: 10,
};
/// An alternative mix, benched alongside.
const ALT_MIX: Mix = Mix {
    add_pct: 50,
    cancel_pct: 40,
    take_pct: 10,
};
/// Live orders after the pre-fill; the stream keeps the count near it.
const LIVE_ORDERS: usize = 25_000;
/// Operations in one timed stream.
const STREAM_OPS: usize = 400_000;
/// Mean distance of a passive add behind the opposite best, in ticks (geometric).
const ADD_DISTANCE_MEAN_TICKS: f64 = 12.0;
/// Mean distance of a crossing IOC's limit through the opposite best, in ticks (geometric).
const IOC_REACH_MEAN_TICKS: f64 = 2.0;
/// Largest passive order, in lots (sizes are uniform from 1).
const MAX_ADD_LOTS: u64 = 100;
/// Owners drawn uniformly, so self-trade prevention happens now and then.
const OWNERS: u64 = 1000;
/// The price the book starts around, in ticks.
const MID: i64 = 1_000_000;

/// Shares of the three kinds of operation, in percent (they sum to 100).
struct Mix {
    add_pct: u64,
    cancel_pct: u64,
    take_pct: u64,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    /// A passive Gtc limit order.
    Add {
        owner: u32,
        side: Side,
        price: i64,
        qty: i64,
    },
    Cancel(OrderId),
    Market {
        owner: u32,
        side: Side,
        qty: i64,
    },
    /// An IOC limit through the opposite best.
    Ioc {
        owner: u32,
        side: Side,
        price: i64,
        qty: i64,
    },
}

/// SplitMix64: small, fast and deterministic.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Geometric-ish: exponential with `mean`, rounded down.
    fn distance(&mut self, mean: f64) -> i64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (-(1.0 - unit).ln() * mean) as i64
    }

    fn side(&mut self) -> Side {
        if self.next() & 1 == 0 {
            Side::Buy
        } else {
            Side::Sell
        }
    }

    fn owner(&mut self) -> u32 {
        self.below(OWNERS) as u32
    }
}

/// A passive order a few ticks behind the opposite best, so it never crosses.
fn add(book: &Book, rng: &mut SplitMix) -> Op {
    let side = rng.side();
    let distance = rng.distance(ADD_DISTANCE_MEAN_TICKS);
    let price = match side {
        Side::Buy => book.best_ask().map_or(MID, |p| p.0) - 1 - distance,
        Side::Sell => book.best_bid().map_or(MID, |p| p.0) + 1 + distance,
    };
    let qty = 1 + rng.below(MAX_ADD_LOTS) as i64;
    Op::Add {
        owner: rng.owner(),
        side,
        price: price.max(1),
        qty,
    }
}

/// A market order or a crossing IOC, sized to take about two orders on average so that the
/// live count stays put: larger while the book is above its target, smaller below.
fn take(book: &Book, rng: &mut SplitMix) -> Op {
    let side = rng.side();
    let scale = if book.live_orders() > LIVE_ORDERS {
        3
    } else {
        1
    };
    let qty = (1 + rng.below(MAX_ADD_LOTS) as i64) * scale;
    let owner = rng.owner();
    if rng.next() & 1 == 0 {
        return Op::Market { owner, side, qty };
    }
    let reach = rng.distance(IOC_REACH_MEAN_TICKS);
    let price = match side {
        Side::Buy => book.best_ask().map_or(MID, |p| p.0) + reach,
        Side::Sell => (book.best_bid().map_or(MID, |p| p.0) - reach).max(1),
    };
    Op::Ioc {
        owner,
        side,
        price,
        qty,
    }
}

/// Applies one operation; returns a value the optimiser cannot see through.
#[inline(always)]
fn apply(book: &mut Book, op: Op, events: &mut Vec<BookEvent>) -> Option<OrderId> {
    events.clear();
    match op {
        Op::Add {
            owner,
            side,
            price,
            qty,
        } => {
            let done = book.limit(
                OwnerId(owner),
                side,
                Price(price),
                Qty(qty),
                Tif::Gtc,
                events,
            );
            Some(done.expect("valid add").id)
        }
        Op::Cancel(id) => book.cancel(id).ok().map(|_| id),
        Op::Market { owner, side, qty } => Some(
            book.market(OwnerId(owner), side, Qty(qty), events)
                .expect("valid market")
                .id,
        ),
        Op::Ioc {
            owner,
            side,
            price,
            qty,
        } => {
            let done = book.limit(
                OwnerId(owner),
                side,
                Price(price),
                Qty(qty),
                Tif::Ioc,
                events,
            );
            Some(done.expect("valid ioc").id)
        }
    }
}

/// The pre-filled book and the stream to replay on it.
fn scenario(mix: &Mix, seed: u64) -> (Book, Vec<Op>) {
    assert_eq!(mix.add_pct + mix.cancel_pct + mix.take_pct, 100);
    let mut rng = SplitMix(seed);
    let mut book = Book::with_capacity(2 * LIVE_ORDERS);
    let mut events = Vec::new();
    // Handles that may still rest; filled ones are dropped when drawn.
    let mut live: Vec<OrderId> = Vec::with_capacity(2 * LIVE_ORDERS);
    while book.live_orders() < LIVE_ORDERS {
        let op = add(&book, &mut rng);
        live.extend(apply(&mut book, op, &mut events));
    }
    let start = book.clone();
    let mut ops = Vec::with_capacity(STREAM_OPS);
    while ops.len() < STREAM_OPS {
        let roll = rng.below(100);
        let op = if roll < mix.add_pct {
            add(&book, &mut rng)
        } else if roll < mix.add_pct + mix.cancel_pct {
            let Some(id) = draw_live(&book, &mut live, &mut rng) else {
                continue;
            };
            Op::Cancel(id)
        } else {
            take(&book, &mut rng)
        };
        let id = apply(&mut book, op, &mut events);
        if let (Op::Add { .. }, Some(id)) = (op, id) {
            live.push(id);
        }
        ops.push(op);
    }
    // The replay must do exactly what the generation did.
    let mut replayed = start.clone();
    for &op in &ops {
        apply(&mut replayed, op, &mut events);
    }
    assert!(
        replayed == book,
        "the stream does not replay deterministically"
    );
    eprintln!(
        "  stream: {} ops, live orders {} -> {}, spread {:?}",
        ops.len(),
        start.live_orders(),
        book.live_orders(),
        book.l1().spread_ticks()
    );
    (start, ops)
}

/// Removes and returns a random live handle, dropping stale ones on the way.
fn draw_live(book: &Book, live: &mut Vec<OrderId>, rng: &mut SplitMix) -> Option<OrderId> {
    while !live.is_empty() {
        let id = live.swap_remove(rng.below(live.len() as u64) as usize);
        if book.order(id).is_some() {
            return Some(id);
        }
    }
    None
}

#[inline(never)]
fn replay(book: &mut Book, ops: &[Op], events: &mut Vec<BookEvent>) -> usize {
    let mut issued = 0;
    for &op in ops {
        issued += usize::from(apply(book, op, events).is_some()) + events.len();
    }
    issued
}

fn mixed(c: &mut Criterion) {
    let mut group = c.benchmark_group("book");
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    for (name, mix) in [("55-35-10", &MIX), ("50-40-10", &ALT_MIX)] {
        let (start, ops) = scenario(mix, 0x00C0_FFEE);
        group.throughput(Throughput::Elements(ops.len() as u64));
        group.bench_function(BenchmarkId::new("mixed", name), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut events = Vec::with_capacity(256);
                for _ in 0..iters {
                    let mut book = start.clone();
                    let began = Instant::now();
                    black_box(replay(&mut book, black_box(&ops), &mut events));
                    timed += began.elapsed();
                    black_box(&book);
                }
                timed
            })
        });
    }
    group.finish();
}

// `criterion_main!` would also define an undocumented public function; this is what it does.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    mixed(&mut criterion);
    criterion.final_summary();
}
