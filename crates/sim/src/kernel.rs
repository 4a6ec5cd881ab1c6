//! The event kernel: a priority queue on (time, sequence) and the loop that drains it.
//!
//! Three kinds of event exist: an agent wakes up, an agent's instruction reaches the exchange,
//! or the recorder samples the market. The loop pops the earliest, dispatches on its kind and
//! schedules what follows; ties in time break on the sequence number, so the order of events
//! depends only on the scenario and the seed.

use crate::agents::{
    Action, AdaptiveMaker, Agent, AgentKind, Ctx, Maker, MarketState, Momentum, Noise, OneShot,
    OrderList, Value,
};
use crate::fundamental::Fundamental;
use crate::record::{Counters, LevelRow, Recording, Sample, Trade, SNAPSHOT_LEVELS};
use crate::rng::{process_stream_id, stream, stream_id};
use crate::scenario::{AgentGroup, Scenario};
use cascade_book::{Book, BookError, BookEvent, OwnerId, Price, Side, Tif};
use rand::Rng as _;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// What an event does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventKind {
    /// Agent `0` wakes up.
    Wake(u32),
    /// An instruction of agent `0` reaches the exchange.
    Arrive(u32, Action),
    /// The recorder samples the market.
    Sample,
}

/// A scheduled event. Ordered by time, then by the sequence number given when scheduled.
#[derive(Clone, Copy, Debug)]
struct Event {
    time_ns: i64,
    seq: u64,
    kind: EventKind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time_ns, self.seq).cmp(&(other.time_ns, other.seq))
    }
}

/// One run of a scenario with one seed.
pub struct Simulation {
    now_ns: i64,
    end_ns: i64,
    sample_interval_ns: i64,
    latency_base_ns: i64,
    latency_jitter_ns: i64,
    seq: u64,
    queue: BinaryHeap<Reverse<Event>>,
    book: Book,
    agents: Vec<Agent>,
    fundamental: Option<Fundamental>,
    market: MarketState,
    /// Signed position of each agent, lots.
    positions: Vec<i64>,
    /// Cash of each agent, ticks × lots (a buyer pays price × qty).
    cash: Vec<i64>,
    book_events: Vec<BookEvent>,
    actions: Vec<Action>,
    levels_buf: Vec<(Price, cascade_book::Qty)>,
    interval_volume: i64,
    interval_trades: u32,
    recording: Recording,
    record_trades: bool,
}

impl Simulation {
    /// Builds the market of a validated scenario for one seed. Nothing random happens outside
    /// the streams derived here from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let end_ns = Scenario::ns(scenario.duration_s);
        let sample_interval_ns = Scenario::ns(scenario.sample_interval_s).max(1);
        let initial = scenario.initial_price_ticks();
        let tick = scenario.instrument.tick_size;
        let fundamental = scenario.fundamental.as_ref().map(|f| {
            Fundamental::new(
                f,
                tick,
                initial as f64,
                stream(seed, process_stream_id("fundamental")),
            )
        });
        let agents = build_agents(scenario, seed);
        let n = agents.len();
        let samples = (end_ns / sample_interval_ns) as usize;
        let mut sim = Self {
            now_ns: 0,
            end_ns,
            sample_interval_ns,
            latency_base_ns: (scenario.latency.base_us * 1e3).round() as i64,
            latency_jitter_ns: (scenario.latency.jitter_us * 1e3).round() as i64,
            seq: 0,
            queue: BinaryHeap::with_capacity(n + 1024),
            book: Book::with_capacity(4096),
            agents,
            fundamental,
            market: MarketState {
                last_price: Price(initial),
                cum_volume: 0,
            },
            positions: vec![0; n],
            cash: vec![0; n],
            book_events: Vec::with_capacity(256),
            actions: Vec::with_capacity(256),
            levels_buf: Vec::with_capacity(SNAPSHOT_LEVELS),
            interval_volume: 0,
            interval_trades: 0,
            recording: Recording {
                samples: Vec::with_capacity(samples.min(1 << 24)),
                ..Recording::default()
            },
            record_trades: true,
        };
        for i in 0..n {
            if let Some(t) = sim.agents[i].first_wake(end_ns) {
                sim.schedule(t, EventKind::Wake(i as u32));
            }
        }
        sim.schedule(sample_interval_ns, EventKind::Sample);
        sim
    }

    /// Keeps the trade tape or not (the series and counters are always kept).
    pub fn record_trades(mut self, on: bool) -> Self {
        self.record_trades = on;
        self
    }

    /// Simulated time of the last processed event, ns.
    pub fn now_ns(&self) -> i64 {
        self.now_ns
    }

    /// End of the run, ns.
    pub fn end_ns(&self) -> i64 {
        self.end_ns
    }

    /// True when no event at or before the end remains.
    pub fn is_done(&self) -> bool {
        self.queue
            .peek()
            .is_none_or(|Reverse(e)| e.time_ns > self.end_ns)
    }

    /// Time of the next scheduled event, if any.
    pub fn next_event_ns(&self) -> Option<i64> {
        self.queue.peek().map(|Reverse(e)| e.time_ns)
    }

    /// The book, for inspection.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Position of every agent, lots (sums to zero).
    pub fn positions(&self) -> &[i64] {
        &self.positions
    }

    /// Cash of every agent, ticks × lots (sums to zero).
    pub fn cash(&self) -> &[i64] {
        &self.cash
    }

    /// Counters so far.
    pub fn counters(&self) -> &Counters {
        &self.recording.counters
    }

    /// Processes every event up to `until_ns` (and not past the end of the run).
    pub fn run_until(&mut self, until_ns: i64) {
        let limit = until_ns.min(self.end_ns);
        while let Some(Reverse(event)) = self.queue.peek().copied() {
            if event.time_ns > limit {
                break;
            }
            self.queue.pop();
            self.now_ns = event.time_ns;
            self.recording.counters.events_processed += 1;
            match event.kind {
                EventKind::Wake(agent) => self.wake(agent),
                EventKind::Arrive(agent, action) => self.arrive(agent, action),
                EventKind::Sample => self.sample(),
            }
        }
    }

    /// Runs to the end and hands over the recording.
    pub fn run(mut self) -> Recording {
        self.run_until(self.end_ns);
        self.finish()
    }

    /// Hands over the recording.
    pub fn finish(self) -> Recording {
        self.recording
    }

    fn schedule(&mut self, time_ns: i64, kind: EventKind) {
        self.seq += 1;
        self.queue.push(Reverse(Event {
            time_ns,
            seq: self.seq,
            kind,
        }));
    }

    fn wake(&mut self, agent: u32) {
        self.recording.counters.wakes += 1;
        let a = &mut self.agents[agent as usize];
        let mut ctx = Ctx {
            now_ns: self.now_ns,
            end_ns: self.end_ns,
            book: &self.book,
            market: &self.market,
            position: self.positions[agent as usize],
            fundamental: self.fundamental.as_mut(),
            out: &mut self.actions,
        };
        let next = a.wake(&mut ctx);
        let jitter = if self.latency_jitter_ns > 0 && !self.actions.is_empty() {
            a.rng.gen_range(0..=self.latency_jitter_ns)
        } else {
            0
        };
        let arrival = self.now_ns + self.latency_base_ns + jitter;
        for i in 0..self.actions.len() {
            let action = self.actions[i];
            self.schedule(arrival, EventKind::Arrive(agent, action));
        }
        self.actions.clear();
        if let Some(t) = next {
            // A wake-up never goes back in time, so the loop always makes progress.
            let t = t.max(self.now_ns + 1);
            if t <= self.end_ns {
                self.schedule(t, EventKind::Wake(agent));
            }
        }
    }

    fn arrive(&mut self, agent: u32, action: Action) {
        let c = &mut self.recording.counters;
        c.arrivals += 1;
        let owner = OwnerId(agent);
        let result = match action {
            Action::Limit {
                side,
                price,
                qty,
                tif,
            } => {
                c.limit_orders += 1;
                self.book
                    .limit(owner, side, price, qty, tif, &mut self.book_events)
            }
            Action::Market { side, qty } => {
                c.market_orders += 1;
                self.book.market(owner, side, qty, &mut self.book_events)
            }
            Action::Cancel(id) => {
                c.cancels += 1;
                if let Err(BookError::UnknownOrder(_)) = self.book.cancel(id) {
                    c.cancels_late += 1;
                }
                return;
            }
        };
        match result {
            Ok(done) => {
                if let Action::Limit { tif, .. } = action {
                    if done.filled.0 > 0 {
                        self.recording.counters.limit_orders_marketable += 1;
                    }
                    if done.resting.0 > 0 {
                        debug_assert!(tif != Tif::Ioc);
                        self.recording.counters.limit_orders_rested += 1;
                        self.agents[agent as usize].on_resting(done.id);
                    }
                }
            }
            Err(_) => self.recording.counters.rejects += 1,
        }
        self.settle_book_events();
    }

    /// Books the trades of the last operation: positions, cash, tape, volume.
    fn settle_book_events(&mut self) {
        for i in 0..self.book_events.len() {
            match self.book_events[i] {
                BookEvent::Fill(f) => {
                    let notional = f.price.0 * f.qty.0;
                    let (buyer, seller) = match f.taker_side {
                        Side::Buy => (f.taker_owner, f.maker_owner),
                        Side::Sell => (f.maker_owner, f.taker_owner),
                    };
                    self.positions[buyer.0 as usize] += f.qty.0;
                    self.positions[seller.0 as usize] -= f.qty.0;
                    self.cash[buyer.0 as usize] -= notional;
                    self.cash[seller.0 as usize] += notional;
                    self.market.last_price = f.price;
                    self.market.cum_volume += f.qty.0;
                    self.interval_volume += f.qty.0;
                    self.interval_trades += 1;
                    let c = &mut self.recording.counters;
                    c.trades += 1;
                    c.volume += f.qty.0;
                    if self.record_trades {
                        self.recording.trades.push(Trade {
                            time_ns: self.now_ns,
                            price: f.price,
                            qty: f.qty,
                            taker_side: f.taker_side,
                            maker_order: f.maker,
                            taker_order: f.taker,
                            maker: f.maker_owner,
                            taker: f.taker_owner,
                        });
                    }
                }
                BookEvent::SelfTradeCancel { .. } => {
                    self.recording.counters.self_trade_cancels += 1;
                }
            }
        }
        self.book_events.clear();
    }

    fn sample(&mut self) {
        let l1 = self.book.l1();
        let fundamental = self
            .fundamental
            .as_mut()
            .map(|f| Price(f.value_at(self.now_ns).round() as i64));
        self.recording.samples.push(Sample {
            time_ns: self.now_ns,
            bid: l1.bid,
            ask: l1.ask,
            depth_1pct: self.book.depth_within_bps(100),
            volume: cascade_book::Qty(self.interval_volume),
            trades: self.interval_trades,
            last: self.market.last_price,
            fundamental,
        });
        for side in [Side::Buy, Side::Sell] {
            self.book
                .levels(side, SNAPSHOT_LEVELS, &mut self.levels_buf);
            for (level, &(price, qty)) in self.levels_buf.iter().enumerate() {
                self.recording.book_levels.push(LevelRow {
                    time_ns: self.now_ns,
                    side,
                    level: level as u16,
                    price,
                    qty,
                });
            }
        }
        self.interval_volume = 0;
        self.interval_trades = 0;
        let next = self.now_ns + self.sample_interval_ns;
        if next <= self.end_ns {
            self.schedule(next, EventKind::Sample);
        }
    }
}

/// One agent per group member, each with its own stream.
fn build_agents(scenario: &Scenario, seed: u64) -> Vec<Agent> {
    let tick = scenario.instrument.tick_size;
    let mut agents = Vec::with_capacity(scenario.agent_count() as usize);
    for group in &scenario.agents {
        for i in 0..group.count() {
            let rng = stream(seed, stream_id(group.name(), i));
            let (kind, cap) = match group {
                AgentGroup::Noise(s) => (AgentKind::Noise(Noise::new(s)), s.max_orders as usize),
                AgentGroup::Maker(s) => (AgentKind::Maker(Maker::new(s)), 2 * s.levels as usize),
                AgentGroup::OneShot(s) => (AgentKind::OneShot(OneShot::new(s)), 1),
                AgentGroup::Value(s) => (AgentKind::Value(Value::new(s, tick)), 4),
                AgentGroup::Momentum(s) => (AgentKind::Momentum(Momentum::new(s)), 4),
                AgentGroup::AdaptiveMaker(s) => (
                    AgentKind::AdaptiveMaker(AdaptiveMaker::new(s)),
                    2 * s.levels as usize,
                ),
            };
            agents.push(Agent {
                rng,
                orders: OrderList::new(cap),
                kind,
            });
        }
    }
    agents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_order_by_time_then_sequence() {
        let mut q = BinaryHeap::new();
        for (t, s) in [(5, 3), (2, 9), (5, 1), (2, 4)] {
            q.push(Reverse(Event {
                time_ns: t,
                seq: s,
                kind: EventKind::Sample,
            }));
        }
        let order: Vec<(i64, u64)> =
            std::iter::from_fn(|| q.pop().map(|Reverse(e)| (e.time_ns, e.seq))).collect();
        assert_eq!(order, vec![(2, 4), (2, 9), (5, 1), (5, 3)]);
    }
}
