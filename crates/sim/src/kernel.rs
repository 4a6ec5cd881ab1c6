//! The simulation: the parts of one run and the loop that hands each event to its owner.
//!
//! - [`Scheduler`] — the event queue and the clock;
//! - [`Venue`] — the exchange: book, accounts, margin, mark, fund, liquidation engine;
//! - the agents — one per group member, each with its own stream, woken by the scheduler;
//!   their instructions reach the venue after the scenario's latency;
//! - [`Exogenous`] — the fundamental, the index, the volatility clock, scripted shocks;
//! - [`Recorder`] — series, tape, book snapshots, liquidation and ADL tables, counters;
//! - [`Audit`] — with `--audit`, observes the venue's ledger after every event.
//!
//! The kernel holds what crosses parts: an agent waking reads the venue, the venue taking an
//! account over makes the kernel cancel that agent's orders, a maker outage reaches the makers.

use crate::agents::{build_agents, AccountView, Action, Agent, Ctx};
use crate::agents::{flow_window_s, AgentKind, FlowHistory, MarketState};
use crate::audit::Audit;
use crate::exogenous::{Exogenous, Outage};
use crate::margin::MarginTable;
use crate::mark::Mark;
use crate::record::{AuditError, Counters, Recording};
use crate::recorder::Recorder;
use crate::scenario::{Budget, Scenario, MEMORY_BUDGET_BYTES};
use crate::scheduler::{EventKind, Scheduler};
use crate::venue::{EngineConfig, Venue, VenueId, VenueRules};
use cascade_book::{Book, Price};
use rand::Rng as _;

/// The venue the agents trade on: a run holds one venue today, `VenueId(0)`.
const HOME: usize = 0;

/// One run of a scenario with one seed.
pub struct Simulation {
    pub(crate) clock: Scheduler,
    /// The run's venues, indexed by [`VenueId`]; one today.
    pub(crate) venues: Vec<Venue>,
    agents: Vec<Agent>,
    /// Group index of each agent.
    agent_group: Vec<u16>,
    group_names: Vec<String>,
    latency_base_ns: i64,
    latency_jitter_ns: i64,
    /// Each agent's round trip along the latency line, ns (empty without one).
    latency_line_ns: Vec<i64>,
    /// Taker flow per second, kept when a maker sizes from a trailing window.
    flow: FlowHistory,
    /// Instructions written by the waking agent (reused).
    actions: Vec<Action>,
    pub(crate) exo: Exogenous,
    pub(crate) rec: Recorder,
    /// One audit per venue with `--audit`, none without.
    audits: Vec<Audit>,
    pub(crate) last_event: EventKind,
}

impl Simulation {
    /// Builds the market of a validated scenario for one seed. Nothing random happens outside
    /// the streams derived here from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let end_ns = Scenario::ns(scenario.duration_s);
        let sample_interval_ns = Scenario::ns(scenario.sample_interval_s).max(1);
        let initial = scenario.initial_price_ticks();
        let unit_quote = scenario.instrument.tick_size * scenario.instrument.lot_size;
        let exo = Exogenous::new(scenario, seed, initial);
        let (agents, agent_group, accounts) = build_agents(scenario, seed, unit_quote);
        let market = MarketState::opening(
            Price(initial),
            scenario.index.as_ref().map(|_| initial as f64),
        );
        let venue = Venue::new(
            VenueId(0),
            accounts,
            MarginTable::new(&scenario.margin, unit_quote),
            EngineConfig::new(&scenario.liquidation.rules(scenario.venue), unit_quote),
            Mark::new(&scenario.mark_rule(), initial),
            market,
            exo.index_value(),
        );
        let mut clock = Scheduler::new(end_ns, agents.len() + 1024);
        let rules = VenueRules {
            funding: scenario.funding_rules(),
            fees: scenario.fee_rules(),
            gate: scenario.gate_on(),
            unit_quote,
        };
        let venue = venue.with_rules(&rules, &mut clock);
        let mut sim = Self {
            clock,
            venues: vec![venue],
            group_names: scenario
                .agents
                .iter()
                .map(|g| g.name().to_string())
                .collect(),
            agents,
            agent_group,
            latency_base_ns: (scenario.latency.base_us * 1e3).round() as i64,
            latency_jitter_ns: (scenario.latency.jitter_us * 1e3).round() as i64,
            flow: FlowHistory::new(flow_window_s(scenario)),
            latency_line_ns: crate::geo_latency::round_trip_ns(scenario, seed),
            actions: Vec::with_capacity(256),
            exo,
            rec: Recorder::new(sample_interval_ns, end_ns, unit_quote)
                .with_tape_cap(Budget::of(scenario).tape_rows(MEMORY_BUDGET_BYTES)),
            audits: Vec::new(),
            last_event: EventKind::Sample,
        };
        for (i, agent) in sim.agents.iter_mut().enumerate() {
            if let Some(t) = agent.first_wake(end_ns) {
                sim.clock.schedule(t, EventKind::Wake(i as u32));
            }
        }
        sim.rec.start(&mut sim.clock);
        sim.exo.start(&mut sim.clock);
        sim
    }

    /// Keeps the trade tape or not (the series and counters are always kept).
    pub fn record_trades(mut self, on: bool) -> Self {
        self.rec.record_trades = on;
        self
    }

    /// Caps the trade tape at `rows` (by default what [`MEMORY_BUDGET_BYTES`] leaves it after
    /// the scenario's certain cost, `Budget::tape_rows`). A trade past the cap stops the run
    /// and is reported in [`Recording::tape_full`]; without a tape there is no cap.
    pub fn tape_cap_rows(mut self, rows: u64) -> Self {
        self.rec.tape_cap_rows = rows;
        self
    }

    /// Checks the ledger invariant after every event; a violation stops the run and is
    /// reported in [`Recording::audit`].
    pub fn audit(mut self, on: bool) -> Self {
        self.audits = if on {
            self.venues.iter().map(Audit::new).collect()
        } else {
            Vec::new()
        };
        self
    }

    /// Gives each external agent (`PythonAgent` groups) the brain `make` builds for it, in
    /// agent order; without one such an agent never acts. Call before running.
    pub fn attach_brains(
        mut self,
        make: impl FnMut(&crate::agents::ExternalAgent<'_>) -> Box<dyn crate::agents::Brain>,
    ) -> Self {
        crate::agents::attach(&mut self.agents, &self.agent_group, &self.group_names, make);
        self
    }

    /// Simulated time of the last processed event, ns.
    pub fn now_ns(&self) -> i64 {
        self.clock.now()
    }

    /// End of the run, ns.
    pub fn end_ns(&self) -> i64 {
        self.clock.end()
    }

    /// Time of the next scheduled event, if any.
    pub fn next_event_ns(&self) -> Option<i64> {
        self.clock.peek_time()
    }

    /// True when no event at or before the end remains, or an audit or a full tape stopped
    /// the run.
    pub fn is_done(&self) -> bool {
        self.rec.stopped() || self.clock.peek_time().is_none_or(|t| t > self.clock.end())
    }

    /// The venue the agents trade on (the exchange of the run's one instrument).
    pub fn venue(&self) -> &Venue {
        &self.venues[HOME]
    }

    /// Every venue of the run, indexed by [`VenueId`].
    pub fn venues(&self) -> &[Venue] {
        &self.venues
    }

    /// The book, for inspection.
    pub fn book(&self) -> &Book {
        self.venue().book()
    }

    /// Position of every account, lots (sums to zero).
    pub fn positions(&self) -> Vec<i64> {
        self.venue().accounts().iter().map(|a| a.pos).collect()
    }

    /// Cash of every account, units of tick × lot.
    pub fn cash(&self) -> Vec<i64> {
        self.venue().accounts().iter().map(|a| a.cash).collect()
    }

    /// The insurance fund, units.
    pub fn insurance_fund(&self) -> i64 {
        self.venue().fund()
    }

    /// All deposits so far (initial collateral, the initial fund, top-ups), units.
    pub fn deposits(&self) -> i64 {
        self.venue().ledger().deposits
    }

    /// Counters so far.
    pub fn counters(&self) -> &Counters {
        &self.rec.out.counters
    }

    /// Processes every event up to `until_ns` (and not past the end of the run).
    pub fn run_until(&mut self, until_ns: i64) {
        let limit = until_ns.min(self.clock.end());
        while !self.rec.stopped() {
            let Some(kind) = self.clock.pop_until(limit) else {
                break;
            };
            self.rec.out.counters.events_processed += 1;
            self.last_event = kind;
            self.dispatch(kind);
            self.cancel_taken_over();
            if !self.audits.is_empty() {
                self.audit_event();
            }
            for venue in &mut self.venues {
                venue.clear_dirty();
            }
        }
    }

    /// Hands one event to the part that owns it.
    fn dispatch(&mut self, kind: EventKind) {
        let (clock, venue, rec, exo) = (
            &mut self.clock,
            &mut self.venues[HOME],
            &mut self.rec,
            &mut self.exo,
        );
        match kind {
            EventKind::Wake(agent) => self.wake(agent),
            EventKind::Arrive(agent, action) => self.arrive(agent, action),
            EventKind::Sample => rec.sample(clock, venue, exo),
            EventKind::IndexTick => exo.index_tick(clock, venue, rec),
            EventKind::LiqStep(v, account) => {
                self.venues[usize::from(v.0)].liquidation_step(account, clock, rec)
            }
            EventKind::FundWorkOff(v) => self.venues[usize::from(v.0)].fund_workoff(clock, rec),
            EventKind::Shock(i) => {
                // The account after the agents' (the fund's trading account, if any, follows).
                let shock_account = self.agents.len() as u32;
                if let Some(outage) = exo.shock(i, shock_account, clock, venue, rec) {
                    self.maker_outage(&outage);
                    self.venues[HOME].after_shock(i, &mut self.clock, &mut self.rec);
                }
            }
            EventKind::VolTick => {
                self.flow.record(clock.now(), &venue.market);
                exo.vol_tick(clock, venue);
            }
            EventKind::FundingSample(v) => self.venues[usize::from(v.0)].funding_sample(clock),
            EventKind::FundingPay(v) => self.venues[usize::from(v.0)].funding_pay(clock, rec),
        }
    }

    /// Runs to the end and hands over the recording.
    pub fn run(mut self) -> Recording {
        self.run_until(self.clock.end());
        self.finish()
    }

    /// Hands over the recording (after a last full audit when auditing).
    pub fn finish(mut self) -> Recording {
        for (audit, venue) in self.audits.iter().zip(&self.venues) {
            if self.rec.out.audit.is_none() {
                if let Err(reason) = audit.ledger_holds(venue) {
                    self.rec.out.audit = Some(AuditError {
                        event: self.rec.out.counters.events_processed,
                        time_ns: self.clock.now(),
                        what: "end of run".into(),
                        reason,
                    });
                }
            }
        }
        let home = &mut self.venues[HOME];
        self.rec.out.ledger = home.finish();
        self.rec.out.funding = home.funding_stats();
        self.rec.out.fees_on = !home.fee_rules().is_zero();
        self.rec.out.gate_on = home.gate_on();
        self.rec.out
    }

    /// The audit's check of the event just processed; a failure stops the run.
    pub(crate) fn audit_event(&mut self) {
        let event = self.rec.out.counters.events_processed;
        let failed = self
            .audits
            .iter_mut()
            .zip(&self.venues)
            .find_map(|(audit, venue)| audit.check_event(venue, event).err());
        if let Some(reason) = failed {
            self.rec.out.audit = Some(AuditError {
                event,
                time_ns: self.clock.now(),
                what: format!("{:?}", self.last_event),
                reason,
            });
        }
    }

    fn wake(&mut self, agent: u32) {
        self.rec.out.counters.wakes += 1;
        let a = &mut self.agents[agent as usize];
        let venue = &self.venues[HOME];
        let acc = &venue.accounts[agent as usize];
        let mark = venue.market.mark.0;
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
                venue.margin.maintenance(notional)
            } else {
                0
            },
            liquidations: acc.liquidations,
            in_liquidation: acc.in_liquidation(),
        };
        let now = self.clock.now();
        let mut ctx = Ctx {
            now_ns: now,
            end_ns: self.clock.end(),
            book: &venue.book,
            market: &venue.market,
            position: acc.pos,
            account: view,
            margin: &venue.margin,
            fundamental: self.exo.fundamental.as_mut(),
            out: &mut self.actions,
            flow: self.flow.is_active().then_some(&self.flow),
        };
        let next = a.wake(&mut ctx);
        let jitter = if self.latency_jitter_ns > 0 && !self.actions.is_empty() {
            a.rng.gen_range(0..=self.latency_jitter_ns)
        } else {
            0
        };
        let line = self
            .latency_line_ns
            .get(agent as usize)
            .copied()
            .unwrap_or(0);
        let arrival = now + self.latency_base_ns + jitter + line;
        for action in self.actions.drain(..) {
            self.clock
                .schedule(arrival, EventKind::Arrive(agent, action));
        }
        if let Some(t) = next {
            // A wake-up never goes back in time, so the loop always makes progress.
            self.clock
                .schedule_within(t.max(now + 1), EventKind::Wake(agent));
        }
    }

    fn arrive(&mut self, agent: u32, action: Action) {
        let rested = self.venues[HOME].enter_gated(
            agent,
            action,
            &self.agents[agent as usize].orders,
            &mut self.clock,
            &mut self.rec,
        );
        if let Some(id) = rested {
            self.agents[agent as usize].on_resting(id);
        }
    }

    /// Cancels the resting orders of every account the venue took over during this event.
    fn cancel_taken_over(&mut self) {
        let venue = &mut self.venues[HOME];
        while let Some(id) = venue.next_take_over() {
            if let Some(a) = self.agents.get_mut(id as usize) {
                venue.cancel_all(&mut a.orders, &mut self.actions);
            }
        }
    }

    /// A maker outage: the group's makers cancel everything and stop quoting until its end.
    fn maker_outage(&mut self, outage: &Outage) {
        for a in 0..self.agents.len() {
            let g = self.agent_group[a] as usize;
            if self.group_names[g] == outage.group {
                self.venues[HOME].cancel_all(&mut self.agents[a].orders, &mut self.actions);
                if let AgentKind::Maker(m) = &mut self.agents[a].kind {
                    m.outage_until(outage.until_ns);
                }
            }
        }
    }
}
