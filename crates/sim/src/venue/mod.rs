//! A venue: one instrument's exchange, held in one hand.
//!
//! A [`Venue`] owns the book, the accounts and their margin, the mark price, the insurance
//! fund, the liquidation engine and its own ledger figures. It talks to the rest of a run
//! through narrow types: the [`Scheduler`] to schedule its liquidation steps, the [`Recorder`]
//! to record trades, liquidations and counters. It never sees the agents: accounts it takes over
//! are queued in the scheduler ([`Scheduler::take_over`]) for the kernel to cancel their
//! agents' orders.
//!
//! - `settlement.rs` — fills into accounts, fees, deposits, the liquidation-index keys;
//! - `liquidation.rs` — the takeover and its partial steps;
//! - `adl.rs` — auto-deleveraging; `socialize.rs` — socialised loss;
//! - `funding.rs` — the premium, the funding rate and its payments; `gate.rs` — the
//!   initial-margin gate at order entry.

mod adl;
mod collateral;
mod fund;
mod funding;
mod gate;
mod liquidation;
#[cfg(test)]
mod rules_tests;
mod settlement;
mod socialize;
#[cfg(test)]
mod tests;

pub use adl::{AdlCache, ADL_REFRESH_NS};
pub use funding::PPB;
pub use liquidation::{EngineConfig, LiqRun, StepTally, MAX_DRY_STEPS};

use crate::accounts::{Account, LiquidationIndex};
use crate::agents::{Action, MarketState, OrderList};
use crate::margin::MarginTable;
use crate::mark::{Mark, MarkInputs};
use crate::record::{CascadeLink, LedgerStats, RootTriggers, Trigger};
use crate::recorder::Recorder;
use crate::scenario::{FeeRules, FundingRules};
use crate::scheduler::Scheduler;
use cascade_book::{Book, BookError, BookEvent, OrderId, OwnerId, Price, Qty, Side};
use std::collections::{BTreeMap, VecDeque};

/// Which venue of a simulation (its index in the simulation's list of venues).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VenueId(pub u16);

/// One instrument's exchange.
#[derive(Debug)]
pub struct Venue {
    id: VenueId,
    pub(crate) book: Book,
    /// One account per agent, plus one for scripted shocks (the last).
    pub(crate) accounts: Vec<Account>,
    liq_index: LiquidationIndex,
    pub(crate) margin: MarginTable,
    engine: EngineConfig,
    /// The insurance fund's cash reserve, units (its trading account is `fund_acct`).
    pub(crate) fund: i64,
    /// The fund's trading account, when the rules let it hold positions (after the shock
    /// account, the last account).
    pub(super) fund_acct: Option<u32>,
    /// (time, fund equity) with decreasing equity within the drawdown window: its peak.
    fund_peaks: VecDeque<(i64, i64)>,
    /// The takeover (liquidation id, generation) whose position the fund works off.
    fund_origin: Option<(u32, u32)>,
    /// A work-off order of the fund is scheduled.
    workoff_scheduled: bool,
    pub(crate) ledger: LedgerStats,
    pub(crate) mark: Mark,
    /// What agents read besides the book: last price, mark, index, volatility, volumes.
    pub(crate) market: MarketState,
    /// The index value the mark reads, ticks (fed by the kernel from the exogenous index).
    index: Option<f64>,
    /// Accounts the engine holds, by account id.
    liq_runs: BTreeMap<u32, LiqRun>,
    next_liq_id: u32,
    /// The ADL queue last ranked.
    adl_cache: Option<AdlCache>,
    /// The liquidation whose order is in the book right now.
    active_liq: Option<(u32, u32)>,
    /// What last moved the market, for the causality of liquidations.
    mover: Trigger,
    mover_gen: Option<u32>,
    /// Number (1-based, in the tape) of the trade that last moved the market, if a trade did.
    mover_trade: Option<u64>,
    /// The liquidation, on this venue or another, whose move last moved this market (none
    /// when ordinary flow, a shock or a rule moved it last), and when it was set, ns: the
    /// cascade tree's link across venues.
    link: Option<(CascadeLink, i64)>,
    /// The link an instruction now entering carries (set by the kernel for a cross-venue
    /// agent's instruction, taken by `enter`).
    incoming_link: Option<(CascadeLink, i64)>,
    book_events: Vec<BookEvent>,
    /// Accounts touched by the current operation (reindexed after it).
    touched: Vec<u32>,
    /// Accounts changed since the last audit (every change of cash or position lands here).
    dirty: Vec<u32>,
    /// Whether `dirty` is kept (an audit after every event reads it).
    track_dirty: bool,
    /// Lots and notional of liquidation fills settled since the step began.
    step_qty: i64,
    step_notional: i64,
    /// Units collected from winners under socialised loss.
    socialized: i64,
    /// Lots and trades since the last sample.
    pub(crate) interval_volume: i64,
    pub(crate) interval_trades: u32,
    /// Time of the last trade, ns (what a stale-last mark rule reads).
    last_trade_ns: Option<i64>,
    /// Funding, when on.
    funding: Option<funding::Funding>,
    /// Trading fees charged on every fill.
    fees: FeeRules,
    /// Trading fees collected, net of maker rebates: the venue's own money, units.
    pub(crate) fee_pool: i64,
    /// The initial-margin gate at order entry.
    gate: bool,
    /// Accounts of agents trading on several venues (empty in a one-venue run).
    importers: Vec<bool>,
    /// The trade that last moved the market was an importer's.
    mover_import: bool,
    /// The last trade was an importer's (kept across index ticks).
    last_trade_import: bool,
    /// The last index tick moved the index by at least [`INDEX_MOVE_BPS`].
    index_moved: bool,
    /// Class of each takeover's root (by liquidation id): what set its cascade off.
    root_class: Vec<RootClass>,
    /// Takeovers counted by the class of their root.
    pub(crate) root_triggers: RootTriggers,
    /// Accounts holding units of each collateral asset (empty without collateral).
    holders: Vec<Vec<u32>>,
    /// Collateral units sold at takeovers, by asset.
    units_sold: Vec<i64>,
}

/// An index tick that moves the index by less than this (basis points) is not counted as the
/// index moving: a takeover it sets off is put down to what last moved the book (the mark
/// folds the venue's own basis in at index ticks).
pub const INDEX_MOVE_BPS: f64 = 2.0;

/// What set off the root of a cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RootClass {
    OwnFlow,
    Index,
    Arbitrage,
    Collateral,
}

/// The rules of a venue beyond margin, mark and liquidation: funding, fees, the margin gate.
#[derive(Clone, Debug, Default)]
pub(crate) struct VenueRules {
    pub(crate) funding: Option<FundingRules>,
    pub(crate) fees: FeeRules,
    pub(crate) gate: bool,
    /// Quote currency per unit of cash.
    pub(crate) unit_quote: f64,
}

impl Venue {
    /// A venue with `accounts` (their starting cash counts as deposits) and an empty book.
    pub(crate) fn new(
        id: VenueId,
        mut accounts: Vec<Account>,
        margin: MarginTable,
        engine: EngineConfig,
        mark: Mark,
        market: MarketState,
        index: Option<f64>,
    ) -> Self {
        let fund = engine.fund_start;
        let fund_acct = engine.fund_trades().then(|| {
            accounts.push(Account::default());
            (accounts.len() - 1) as u32
        });
        let deposits = fund + accounts.iter().map(|a| a.cash).sum::<i64>();
        Self {
            id,
            book: Book::with_capacity(4096),
            accounts,
            liq_index: LiquidationIndex::default(),
            margin,
            engine,
            fund,
            fund_acct,
            fund_peaks: VecDeque::new(),
            fund_origin: None,
            workoff_scheduled: false,
            ledger: LedgerStats {
                fund_start: fund,
                fund_min: fund,
                fund_end: fund,
                deposits,
                ..LedgerStats::default()
            },
            mark,
            market,
            index,
            liq_runs: BTreeMap::new(),
            next_liq_id: 0,
            adl_cache: None,
            active_liq: None,
            mover: Trigger::Flow,
            mover_gen: None,
            mover_trade: None,
            link: None,
            incoming_link: None,
            book_events: Vec::with_capacity(256),
            touched: Vec::with_capacity(64),
            dirty: Vec::with_capacity(64),
            track_dirty: false,
            step_qty: 0,
            step_notional: 0,
            socialized: 0,
            interval_volume: 0,
            interval_trades: 0,
            last_trade_ns: None,
            funding: None,
            fees: FeeRules::default(),
            fee_pool: 0,
            gate: false,
            importers: Vec::new(),
            mover_import: false,
            last_trade_import: false,
            index_moved: false,
            root_class: Vec::new(),
            root_triggers: RootTriggers::default(),
            holders: Vec::new(),
            units_sold: Vec::new(),
        }
    }

    /// Marks the accounts of agents that trade on several venues: a trade of theirs that
    /// moves the market is counted as imported when it sets off a cascade.
    pub(crate) fn set_importers(&mut self, accounts: &[u32]) {
        for &a in accounts {
            if self.importers.len() <= a as usize {
                self.importers.resize(a as usize + 1, false);
            }
            self.importers[a as usize] = true;
        }
    }

    /// Counts a takeover started now by the class of its cascade's root.
    fn count_root(&mut self) {
        let class = match self.mover {
            Trigger::Liquidation(parent) => self
                .root_class
                .get(parent as usize)
                .copied()
                .unwrap_or(RootClass::OwnFlow),
            Trigger::Index if self.index_moved => RootClass::Index,
            Trigger::Index if self.last_trade_import => RootClass::Arbitrage,
            Trigger::Index => RootClass::OwnFlow,
            Trigger::Flow if self.mover_import => RootClass::Arbitrage,
            Trigger::Collateral(_) => RootClass::Collateral,
            _ => RootClass::OwnFlow,
        };
        self.root_class.push(class);
        let t = &mut self.root_triggers;
        match class {
            RootClass::OwnFlow => t.own_flow += 1,
            RootClass::Index => t.index += 1,
            RootClass::Arbitrage => t.arbitrage += 1,
            RootClass::Collateral => t.collateral += 1,
        }
    }

    /// The price an index reads from this venue at `now_ns`: its mid when both sides rest,
    /// else its last trade if not older than `stale_ns`; none when stale.
    pub(crate) fn source_price(&self, now_ns: i64, stale_ns: i64) -> Option<f64> {
        if let Some(mid_x2) = self.book.l1().mid_x2() {
            return Some(mid_x2 as f64 / 2.0);
        }
        self.last_trade_ns
            .filter(|&t| now_ns - t <= stale_ns)
            .map(|_| self.market.last_price.0 as f64)
    }

    /// The venue under `rules` (funding, fees, gate); schedules its funding clock.
    pub(crate) fn with_rules(mut self, rules: &VenueRules, clock: &mut Scheduler) -> Self {
        self.fees = rules.fees;
        self.gate = rules.gate;
        self.funding = rules
            .funding
            .as_ref()
            .map(|r| funding::Funding::new(r, rules.unit_quote));
        if let Some(f) = &self.funding {
            f.start(clock, self.id);
            f.show(&mut self.market);
        }
        self
    }

    /// The fees in force.
    pub(crate) fn fee_rules(&self) -> FeeRules {
        self.fees
    }

    /// True when the initial-margin gate is on.
    pub(crate) fn gate_on(&self) -> bool {
        self.gate
    }

    /// With funding on, the series' (predicted rate, last premium), parts per billion.
    pub(crate) fn funding_row(&self) -> Option<(i64, i64)> {
        self.funding.as_ref().map(|f| f.sample_row())
    }

    /// This venue's id.
    pub fn id(&self) -> VenueId {
        self.id
    }

    /// The book.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Every account.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The insurance fund's cash reserve, units (see [`Venue::fund_equity`] for its worth).
    pub fn fund(&self) -> i64 {
        self.fund
    }

    /// The index the venue marks against now, ticks (none without one).
    pub fn index(&self) -> Option<f64> {
        self.index
    }

    /// The ledger's figures so far.
    pub fn ledger(&self) -> &LedgerStats {
        &self.ledger
    }

    /// What closes a shortfall on this venue.
    pub(crate) fn shortfall(&self) -> crate::scenario::Shortfall {
        self.engine.shortfall
    }

    /// Accounts changed since the last call to [`Venue::clear_dirty`].
    pub(crate) fn dirty(&self) -> &[u32] {
        &self.dirty
    }

    /// Forgets the changed accounts (after the audit has seen them).
    pub(crate) fn clear_dirty(&mut self) {
        self.dirty.clear();
    }

    /// Keeps the list of changed accounts for an audit after every event, or (off, the default)
    /// keeps none, so a run without an audit spends nothing on it.
    pub(crate) fn track_dirty(&mut self, on: bool) {
        self.track_dirty = on;
        self.dirty.clear();
    }

    /// Notes that account `id` changed, if an audit is watching.
    #[inline]
    pub(crate) fn mark_dirty(&mut self, id: u32) {
        if self.track_dirty {
            self.dirty.push(id);
        }
    }

    /// The index the mark reads, rounded to ticks, if the venue has one.
    pub(crate) fn index_ticks(&self) -> Option<Price> {
        self.index.map(|v| Price(v.round() as i64))
    }

    /// Feeds the index value the mark reads, ticks.
    pub(crate) fn set_index(&mut self, value: f64) {
        self.index_moved = self
            .index
            .is_some_and(|old| old > 0.0 && ((value - old) / old).abs() * 1e4 >= INDEX_MOVE_BPS);
        self.index = Some(value);
        self.market.index = Some(value);
    }

    /// Records what moved the market (for the causality of the liquidations it causes).
    pub(crate) fn moved_by(&mut self, trigger: Trigger, trade: Option<u64>) {
        self.mover = trigger;
        self.mover_gen = None;
        self.mover_trade = trade;
        self.mover_import = false;
        self.link = None;
    }

    /// A fill of liquidation `run_id` (generation `generation`) moved the market at `now_ns`.
    fn moved_by_liquidation(&mut self, run_id: u32, generation: u32, now_ns: i64) {
        self.mover = Trigger::Liquidation(run_id);
        self.mover_gen = Some(generation);
        let link = CascadeLink {
            venue: self.id.0,
            liquidation: run_id,
            generation,
        };
        self.link = Some((link, now_ns));
    }

    /// The liquidation whose move last moved this market, and when (see [`CascadeLink`]).
    pub(crate) fn link(&self) -> Option<(CascadeLink, i64)> {
        self.link
    }

    /// An index update moved the market (after [`Venue::moved_by`]): if the index moved by
    /// [`INDEX_MOVE_BPS`] or more, it carries `link` (the link of the source venue whose price
    /// moved the index most); else the mark moved with the venue's own basis, and the link
    /// stays `before`, what last moved the book.
    pub(crate) fn index_carries(
        &mut self,
        link: Option<(CascadeLink, i64)>,
        before: Option<(CascadeLink, i64)>,
    ) {
        self.link = if self.index_moved { link } else { before };
    }

    /// The link the next instruction entering carries (a cross-venue agent's: what moved
    /// the other venues it trades on).
    pub(crate) fn set_incoming_link(&mut self, link: Option<(CascadeLink, i64)>) {
        self.incoming_link = link;
    }

    /// Forgets the trade that last moved the market, keeping the trigger.
    pub(crate) fn forget_mover_trade(&mut self) {
        self.mover_trade = None;
    }

    /// An instruction of `owner` reaching the exchange; returns the handle of a limit order's
    /// resting part, if one rests. The engine holds accounts under liquidation: their own
    /// orders are refused, cancels go through.
    pub(crate) fn enter(
        &mut self,
        owner: u32,
        action: Action,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) -> Option<OrderId> {
        let c = &mut rec.out.counters;
        c.arrivals += 1;
        if self.accounts[owner as usize].in_liquidation() && !matches!(action, Action::Cancel(_)) {
            c.rejects += 1;
            return None;
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
                    .limit(OwnerId(owner), side, price, qty, tif, &mut self.book_events)
            }
            Action::Market { side, qty } => {
                c.market_orders += 1;
                self.book
                    .market(OwnerId(owner), side, qty, &mut self.book_events)
            }
            Action::Cancel(id) => {
                c.cancels += 1;
                if let Err(BookError::UnknownOrder(_)) = self.book.cancel(id) {
                    c.cancels_late += 1;
                }
                return None;
            }
            Action::Deposit(units) => {
                self.deposit(owner, units, clock, rec);
                return None;
            }
        };
        let rested = match result {
            Ok(done) => {
                let limit = matches!(action, Action::Limit { .. });
                if limit && done.filled.0 > 0 {
                    rec.out.counters.limit_orders_marketable += 1;
                }
                let rested = (limit && done.resting.0 > 0).then_some(done.id);
                if rested.is_some() {
                    rec.out.counters.limit_orders_rested += 1;
                }
                rested
            }
            Err(_) => {
                rec.out.counters.rejects += 1;
                None
            }
        };
        if self.settle_book_events(clock.now(), rec) {
            self.moved_by(Trigger::Flow, Some(rec.out.counters.trades));
            self.mover_import = self.importers.get(owner as usize) == Some(&true);
            self.last_trade_import = self.mover_import;
            if self.mover_import {
                self.link = self.incoming_link;
            }
        }
        self.incoming_link = None;
        self.after_market_change(clock, rec);
        rested
    }

    /// Cancels every resting order in `orders` (exchange side, immediately). A handle that no
    /// longer rests (filled or already cancelled) is skipped: the book detects a stale handle.
    pub(crate) fn cancel_all(&mut self, orders: &mut OrderList, buf: &mut Vec<Action>) {
        buf.clear();
        orders.cancel_all(buf);
        for action in buf.drain(..) {
            if let Action::Cancel(id) = action {
                match self.book.cancel(id) {
                    Ok(_) | Err(BookError::UnknownOrder(_)) => {}
                    Err(e) => unreachable!("a cancel fails only on an unknown order: {e:?}"),
                }
            }
        }
    }

    /// Recomputes the mark and, if liquidations are on, takes over the accounts it crosses.
    pub(crate) fn after_market_change(&mut self, clock: &mut Scheduler, rec: &mut Recorder) {
        let now = clock.now();
        let inputs = MarkInputs {
            mid_x2: self.book.l1().mid_x2(),
            last: self.market.last_price.0,
            last_trade_ns: self.last_trade_ns,
            index: self.index,
            funding_basis: match &self.funding {
                Some(f) if self.mark.reads_funding() => f.basis(now),
                _ => 0.0,
            },
        };
        let mark = self.mark.update_with(now, &inputs);
        self.market.mark = Price(mark);
        if self.engine.enabled {
            self.check_liquidations(mark, clock, rec);
        }
    }

    /// A market order of `owner` (a scripted program), settled at once. A refusal (the book
    /// holds its maximum number of orders) is counted as a reject.
    pub(crate) fn market_order(
        &mut self,
        owner: OwnerId,
        side: Side,
        qty: Qty,
        now_ns: i64,
        rec: &mut Recorder,
    ) {
        match self.book.market(owner, side, qty, &mut self.book_events) {
            Ok(_) => {
                self.settle_book_events(now_ns, rec);
            }
            Err(_) => rec.out.counters.rejects += 1,
        }
    }

    /// After scripted shock `i` acted: it is what moved the market; the mark is recomputed.
    pub(crate) fn after_shock(&mut self, i: u32, clock: &mut Scheduler, rec: &mut Recorder) {
        self.mover = Trigger::Shock(i);
        self.mover_gen = None;
        self.link = None;
        self.after_market_change(clock, rec);
    }

    /// Sets the maintenance multiplier (a scripted margin change) and reindexes every margin
    /// account under the new rates.
    pub(crate) fn set_maintenance_multiplier(&mut self, multiplier: f64) {
        self.margin.set_maintenance_multiplier(multiplier);
        for id in 0..self.accounts.len() as u32 {
            let acc = &mut self.accounts[id as usize];
            if acc.margin {
                self.liq_index.reindex(id, acc, &self.margin);
            }
        }
    }

    /// Marks `id` changed, as settlement would (for the audit's tests).
    #[cfg(test)]
    pub(crate) fn dirty_for_test(&mut self, id: u32) {
        self.dirty.push(id);
    }

    /// Closes the ledger's figures at the end of the run.
    pub(crate) fn finish(&mut self) -> LedgerStats {
        self.ledger.fund_end = self.fund_equity();
        self.ledger.bad_debt = self.bad_debt();
        self.ledger
    }

    /// Loss the fund could not cover: collected from winners under socialised loss, plus the
    /// deficit the fund still carries. Zero under ADL, where the fund never goes negative.
    pub fn bad_debt(&self) -> i64 {
        self.socialized + (-self.fund).max(0)
    }
}
