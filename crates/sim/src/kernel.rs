//! The event kernel: a priority queue on (time, sequence) and the loop that drains it.
//!
//! An event is an agent waking up, an agent's instruction reaching the exchange, a sample, an
//! index update, a liquidation step or a scripted shock. The loop pops the earliest, dispatches
//! on its kind and schedules what follows; ties in time break on the sequence number, so the
//! order of events depends only on the scenario and the seed. Margin, the mark price and the
//! liquidation engine live in `engine.rs`.

use crate::accounts::{Account, LiquidationIndex};
use crate::agents::{build_agents, AccountView, Action, Agent, Ctx, MarketState};
use crate::engine::{EngineConfig, LiqRun};
use crate::exogenous::VOL_INTERVAL_NS;
use crate::fundamental::Fundamental;
use crate::margin::MarginTable;
use crate::mark::{Index, Mark};
use crate::record::{Counters, LedgerStats, LevelRow, Recording, Sample, Trigger, SNAPSHOT_LEVELS};
use crate::rng::{process_stream_id, stream};
use crate::scenario::{Scenario, Shock};
use cascade_book::{Book, BookError, BookEvent, OwnerId, Price, Qty, Side};
use rand::Rng as _;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};

/// What an event does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// Agent `0` wakes up.
    Wake(u32),
    /// An instruction of agent `0` reaches the exchange.
    Arrive(u32, Action),
    /// The recorder samples the market.
    Sample,
    /// The index moves on.
    IndexTick,
    /// The liquidation engine works on account `0`.
    LiqStep(u32),
    /// Scripted shock number `0`.
    Shock(u32),
    /// The market's realised volatility is updated.
    VolTick,
}

/// A scheduled event. Ordered by time, then by the sequence number given when scheduled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
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
    pub(crate) now_ns: i64,
    pub(crate) end_ns: i64,
    pub(crate) sample_interval_ns: i64,
    pub(crate) latency_base_ns: i64,
    pub(crate) latency_jitter_ns: i64,
    pub(crate) seq: u64,
    pub(crate) queue: BinaryHeap<Reverse<Event>>,
    pub(crate) book: Book,
    pub(crate) agents: Vec<Agent>,
    /// Group index of each agent.
    pub(crate) agent_group: Vec<u16>,
    pub(crate) group_names: Vec<String>,
    pub(crate) fundamental: Option<Fundamental>,
    pub(crate) index: Option<Index>,
    pub(crate) index_interval_ns: i64,
    pub(crate) mark: Mark,
    pub(crate) market: MarketState,
    /// One account per agent, plus one for scripted shocks (the last).
    pub(crate) accounts: Vec<Account>,
    pub(crate) liq_index: LiquidationIndex,
    pub(crate) margin: MarginTable,
    pub(crate) engine: EngineConfig,
    pub(crate) fund: i64,
    pub(crate) ledger: LedgerStats,
    /// Accounts the engine holds, by account id.
    pub(crate) liq_runs: BTreeMap<u32, LiqRun>,
    pub(crate) next_liq_id: u32,
    /// The ADL queue last ranked.
    pub(crate) adl_cache: Option<crate::engine::AdlCache>,
    /// The liquidation whose order is in the book right now.
    pub(crate) active_liq: Option<(u32, u32)>,
    /// Mid of the last volatility update and the average squared return, bps².
    pub(crate) vol_mid_x2: Option<i64>,
    pub(crate) vol_sq_bps: f64,
    /// What last moved the market, for the causality of liquidations.
    pub(crate) mover: Trigger,
    pub(crate) mover_gen: Option<u32>,
    /// Number (1-based, in the tape) of the trade that last moved the market, if a trade did.
    pub(crate) mover_trade: Option<u64>,
    pub(crate) shocks: Vec<Shock>,
    /// Slices already executed of each sell or buy program.
    pub(crate) shock_slices: Vec<u32>,
    pub(crate) book_events: Vec<BookEvent>,
    pub(crate) actions: Vec<Action>,
    pub(crate) levels_buf: Vec<(Price, Qty)>,
    /// Accounts touched by the current operation (reindexed after it).
    pub(crate) touched: Vec<u32>,
    /// Accounts changed since the last audit (every change of cash or position lands here).
    pub(crate) dirty: Vec<u32>,
    /// The audit's own copy of every account's (cash, position), updated from `dirty`.
    pub(crate) audit_shadow: Vec<(i64, i64)>,
    pub(crate) audit_fund: i64,
    pub(crate) audit_deposits: i64,
    /// Lots and notional of liquidation fills settled since the step began.
    pub(crate) step_qty: i64,
    pub(crate) step_notional: i64,
    pub(crate) interval_volume: i64,
    pub(crate) interval_trades: u32,
    pub(crate) recording: Recording,
    pub(crate) record_trades: bool,
    pub(crate) audit: bool,
    pub(crate) last_event: EventKind,
}

impl Simulation {
    /// Builds the market of a validated scenario for one seed. Nothing random happens outside
    /// the streams derived here from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let end_ns = Scenario::ns(scenario.duration_s);
        let sample_interval_ns = Scenario::ns(scenario.sample_interval_s).max(1);
        let initial = scenario.initial_price_ticks();
        let tick = scenario.instrument.tick_size;
        let unit_quote = tick * scenario.instrument.lot_size;
        let fundamental = scenario.fundamental.as_ref().map(|f| {
            Fundamental::new(
                f,
                tick,
                initial as f64,
                stream(seed, process_stream_id("fundamental")),
            )
        });
        let index = scenario.index.as_ref().map(|ix| {
            Index::new(
                ix,
                tick,
                initial as f64,
                stream(seed, process_stream_id("index")),
            )
        });
        let index_interval_ns = scenario
            .index
            .as_ref()
            .map_or(0, |ix| Scenario::ns(ix.interval_s).max(1));
        let margin = MarginTable::new(&scenario.margin, unit_quote);
        let (agents, agent_group, accounts) = build_agents(scenario, seed, unit_quote);
        let n = agents.len();
        let engine = EngineConfig::new(&scenario.liquidation, unit_quote);
        let fund = engine.fund_start;
        let deposits = fund + accounts.iter().map(|a| a.cash).sum::<i64>();
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
            agent_group,
            group_names: scenario
                .agents
                .iter()
                .map(|g| g.name().to_string())
                .collect(),
            fundamental,
            index,
            index_interval_ns,
            mark: Mark::new(&scenario.mark, initial),
            market: MarketState {
                last_price: Price(initial),
                mark: Price(initial),
                index: scenario.index.as_ref().map(|_| initial as f64),
                vol_bps: 0.0,
                cum_volume: 0,
                cum_taker_buy: 0,
                cum_taker_sell: 0,
            },
            accounts,
            liq_index: LiquidationIndex::default(),
            margin,
            engine,
            fund,
            ledger: LedgerStats {
                fund_start: fund,
                fund_min: fund,
                fund_end: fund,
                deposits,
                ..LedgerStats::default()
            },
            liq_runs: BTreeMap::new(),
            next_liq_id: 0,
            active_liq: None,
            adl_cache: None,
            vol_mid_x2: None,
            vol_sq_bps: 0.0,
            mover: Trigger::Flow,
            mover_gen: None,
            mover_trade: None,
            shocks: scenario.shocks.clone(),
            shock_slices: vec![0; scenario.shocks.len()],
            book_events: Vec::with_capacity(256),
            actions: Vec::with_capacity(256),
            levels_buf: Vec::with_capacity(SNAPSHOT_LEVELS),
            touched: Vec::with_capacity(64),
            dirty: Vec::with_capacity(64),
            audit_shadow: Vec::new(),
            audit_fund: 0,
            audit_deposits: 0,
            step_qty: 0,
            step_notional: 0,
            interval_volume: 0,
            interval_trades: 0,
            recording: Recording {
                samples: Vec::with_capacity(samples.min(1 << 24)),
                unit_quote,
                ..Recording::default()
            },
            record_trades: true,
            audit: false,
            last_event: EventKind::Sample,
        };
        for i in 0..n {
            if let Some(t) = sim.agents[i].first_wake(end_ns) {
                sim.schedule(t, EventKind::Wake(i as u32));
            }
        }
        sim.schedule(sample_interval_ns, EventKind::Sample);
        if sim.index.is_some() {
            sim.schedule(index_interval_ns, EventKind::IndexTick);
        }
        sim.schedule(VOL_INTERVAL_NS, EventKind::VolTick);
        for i in 0..sim.shocks.len() {
            let t = Scenario::ns(sim.shocks[i].at_s());
            sim.schedule(t, EventKind::Shock(i as u32));
        }
        sim
    }

    /// Keeps the trade tape or not (the series and counters are always kept).
    pub fn record_trades(mut self, on: bool) -> Self {
        self.record_trades = on;
        self
    }

    /// Checks the ledger invariant after every event; a violation stops the run and is
    /// reported in [`Recording::audit`].
    pub fn audit(mut self, on: bool) -> Self {
        self.audit = on;
        self.audit_shadow = if on {
            self.accounts.iter().map(|a| (a.cash, a.pos)).collect()
        } else {
            Vec::new()
        };
        self.audit_fund = self.fund;
        self.audit_deposits = self.ledger.deposits;
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

    /// Time of the next scheduled event, if any.
    pub fn next_event_ns(&self) -> Option<i64> {
        self.queue.peek().map(|Reverse(e)| e.time_ns)
    }

    /// True when no event at or before the end remains, or an audit stopped the run.
    pub fn is_done(&self) -> bool {
        self.recording.audit.is_some()
            || self
                .queue
                .peek()
                .is_none_or(|Reverse(e)| e.time_ns > self.end_ns)
    }

    /// The book, for inspection.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Position of every account, lots (sums to zero).
    pub fn positions(&self) -> Vec<i64> {
        self.accounts.iter().map(|a| a.pos).collect()
    }

    /// Cash of every account, units of tick × lot.
    pub fn cash(&self) -> Vec<i64> {
        self.accounts.iter().map(|a| a.cash).collect()
    }

    /// The insurance fund, units.
    pub fn insurance_fund(&self) -> i64 {
        self.fund
    }

    /// All deposits so far (initial collateral, the initial fund, top-ups), units.
    pub fn deposits(&self) -> i64 {
        self.ledger.deposits
    }

    /// Counters so far.
    pub fn counters(&self) -> &Counters {
        &self.recording.counters
    }

    /// Processes every event up to `until_ns` (and not past the end of the run).
    pub fn run_until(&mut self, until_ns: i64) {
        let limit = until_ns.min(self.end_ns);
        while let Some(Reverse(event)) = self.queue.peek().copied() {
            if event.time_ns > limit || self.recording.audit.is_some() {
                break;
            }
            self.queue.pop();
            self.now_ns = event.time_ns;
            self.recording.counters.events_processed += 1;
            self.last_event = event.kind;
            match event.kind {
                EventKind::Wake(agent) => self.wake(agent),
                EventKind::Arrive(agent, action) => self.arrive(agent, action),
                EventKind::Sample => self.sample(),
                EventKind::IndexTick => self.index_tick(),
                EventKind::LiqStep(account) => self.liquidation_step(account),
                EventKind::Shock(i) => self.shock(i),
                EventKind::VolTick => self.vol_tick(),
            }
            if self.audit {
                self.check_ledger();
            } else {
                self.dirty.clear();
            }
        }
    }

    /// Runs to the end and hands over the recording.
    pub fn run(mut self) -> Recording {
        self.run_until(self.end_ns);
        self.finish()
    }

    /// Hands over the recording (after a last full audit when auditing).
    pub fn finish(mut self) -> Recording {
        if self.audit && self.recording.audit.is_none() {
            if let Err(reason) = self.ledger_holds() {
                self.recording.audit = Some(crate::record::AuditError {
                    event: self.recording.counters.events_processed,
                    time_ns: self.now_ns,
                    what: "end of run".into(),
                    reason,
                });
            }
        }
        self.ledger.fund_end = self.fund;
        self.recording.ledger = self.ledger;
        self.recording
    }

    pub(crate) fn schedule(&mut self, time_ns: i64, kind: EventKind) {
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
        let acc = &self.accounts[agent as usize];
        let mark = self.market.mark.0;
        let notional =
            (i128::from(acc.pos.abs()) * i128::from(mark)).min(i128::from(i64::MAX)) as i64;
        let view = AccountView {
            cash: acc.cash,
            position: acc.pos,
            entry_value: acc.entry_value,
            equity: acc
                .equity(mark)
                .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            maintenance: if acc.margin {
                self.margin.maintenance(notional)
            } else {
                0
            },
            liquidations: acc.liquidations,
            in_liquidation: acc.in_liquidation,
        };
        let mut ctx = Ctx {
            now_ns: self.now_ns,
            end_ns: self.end_ns,
            book: &self.book,
            market: &self.market,
            position: acc.pos,
            account: view,
            margin: &self.margin,
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
        // The engine holds accounts under liquidation: their own orders are refused.
        if self.accounts[agent as usize].in_liquidation && !matches!(action, Action::Cancel(_)) {
            c.rejects += 1;
            return;
        }
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
            Action::Deposit(units) => {
                self.deposit(agent, units);
                return;
            }
        };
        match result {
            Ok(done) => {
                if let Action::Limit { .. } = action {
                    if done.filled.0 > 0 {
                        self.recording.counters.limit_orders_marketable += 1;
                    }
                    if done.resting.0 > 0 {
                        self.recording.counters.limit_orders_rested += 1;
                        self.agents[agent as usize].on_resting(done.id);
                    }
                }
            }
            Err(_) => self.recording.counters.rejects += 1,
        }
        let traded = self.settle_book_events();
        if traded {
            self.mover = Trigger::Flow;
            self.mover_gen = None;
            self.mover_trade = Some(self.recording.counters.trades);
        }
        self.after_market_change();
    }

    /// Books the trades of the last operation: accounts, tape, volume. True if anything traded.
    pub(crate) fn settle_book_events(&mut self) -> bool {
        let mut traded = false;
        for i in 0..self.book_events.len() {
            match self.book_events[i] {
                BookEvent::Fill(f) => {
                    traded = true;
                    self.settle_fill(&f);
                    self.market.last_price = f.price;
                    self.market.cum_volume += f.qty.0;
                    match f.taker_side {
                        Side::Buy => self.market.cum_taker_buy += f.qty.0,
                        Side::Sell => self.market.cum_taker_sell += f.qty.0,
                    }
                    self.interval_volume += f.qty.0;
                    self.interval_trades += 1;
                    let c = &mut self.recording.counters;
                    c.trades += 1;
                    c.volume += f.qty.0;
                    if self.record_trades {
                        self.recording.trades.push(crate::record::Trade {
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
        self.reindex_touched();
        traded
    }

    fn sample(&mut self) {
        let l1 = self.book.l1();
        let fundamental = self
            .fundamental
            .as_mut()
            .map(|f| Price(f.value_at(self.now_ns).round() as i64));
        let index = self
            .index
            .as_ref()
            .map(|ix| Price(ix.value().round() as i64));
        let open_interest = self.ledger.open_interest;
        self.recording.samples.push(Sample {
            time_ns: self.now_ns,
            bid: l1.bid,
            ask: l1.ask,
            depth_1pct: self.book.depth_within_bps(100),
            volume: Qty(self.interval_volume),
            trades: self.interval_trades,
            last: self.market.last_price,
            fundamental,
            mark: self.market.mark,
            index,
            insurance_fund: self.fund,
            open_interest,
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

    /// Cancels every resting order of an account's agent (exchange side, immediately).
    pub(crate) fn cancel_orders_of(&mut self, agent: u32) {
        if let Some(a) = self.agents.get_mut(agent as usize) {
            self.actions.clear();
            a.orders.cancel_all(&mut self.actions);
            for i in 0..self.actions.len() {
                if let Action::Cancel(id) = self.actions[i] {
                    let _ = self.book.cancel(id);
                }
            }
            self.actions.clear();
        }
    }
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
