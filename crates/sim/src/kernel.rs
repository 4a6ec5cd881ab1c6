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

use crate::accounts::Account;
use crate::agents::{build_agents, AccountView, Action, Agent, CrossCtx, Ctx};
use crate::agents::{flow_window_s, AgentKind, FlowHistory, MarketState};
use crate::audit::Audit;
use crate::collateral::CollateralFeed;
use crate::composite_index::{CompositeIndex, SourceOf};
use crate::exogenous::{Exogenous, Outage, VolState};
use crate::margin::MarginTable;
use crate::mark::Mark;
use crate::record::{AuditError, Counters, Recording, Trigger, VenueRecording};
use crate::recorder::Recorder;
use crate::scenario::{Budget, Scenario, MEMORY_BUDGET_BYTES};
use crate::scheduler::{EventKind, Scheduler};
use crate::venue::{EngineConfig, Venue, VenueId, VenueRules};
use cascade_book::{Book, Price};
use rand::Rng as _;

/// The home venue: the scenario's own, where its top-level agents trade and its shocks act.
const HOME: usize = 0;

/// One run of a scenario with one seed.
pub struct Simulation {
    pub(crate) clock: Scheduler,
    /// The run's venues, indexed by [`VenueId`]: the home venue first, then the scenario's
    /// `venues` in order.
    pub(crate) venues: Vec<Venue>,
    agents: Vec<Agent>,
    /// Group index of each agent.
    agent_group: Vec<u16>,
    /// The venue each agent belongs to.
    agent_venue: Vec<u16>,
    group_names: Vec<String>,
    latency_base_ns: i64,
    latency_jitter_ns: i64,
    /// Each agent's round trip along the latency line, ns (empty without one).
    latency_line_ns: Vec<i64>,
    /// Taker flow per second, kept when a maker sizes from a trailing window.
    flow: FlowHistory,
    /// Instructions written by the waking agent (reused).
    actions: Vec<Action>,
    /// Instructions to other venues written by the waking agent (reused).
    routed: Vec<(u16, Action)>,
    pub(crate) exo: Exogenous,
    /// The home venue's recorder (and the run's counters of events and wake-ups).
    pub(crate) rec: Recorder,
    /// The other venues' recorders, by venue id − 1.
    others: Vec<Recorder>,
    /// The other venues' realised volatility, by venue id − 1.
    other_vol: Vec<VolState>,
    /// Each venue's index built from spot venues, if it builds one.
    composites: Vec<Option<CompositeIndex>>,
    /// Each venue's index at the current tick (reused: no allocation per tick).
    index_values: Vec<Option<f64>>,
    /// The run's venue names and which are spot markets, by id.
    venue_names: Vec<String>,
    spot: Vec<bool>,
    /// One audit per venue with `--audit`, none without.
    audits: Vec<Audit>,
    pub(crate) last_event: EventKind,
    /// The collateral assets' prices, when the scenario has collateral.
    collateral: Option<CollateralFeed>,
    /// Assets whose price changed at the last collateral tick (reused).
    collateral_changed: Vec<u16>,
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
        let built = build_agents(scenario, seed, unit_quote);
        let n_venues = 1 + scenario.venues.len();
        let mut clock = Scheduler::new(end_ns, built.agents.len() + 1024);
        // Which agents hold an account on each venue: its own, and each venue a cross-venue
        // agent trades on.
        let mut on_venue: Vec<Vec<u32>> = vec![Vec::new(); n_venues];
        let mut importers = Vec::new();
        for (i, a) in built.agents.iter().enumerate() {
            match a.kind.cross_venues() {
                Some(cross) => {
                    importers.push(i as u32);
                    for &v in cross {
                        on_venue[usize::from(v)].push(i as u32);
                    }
                }
                None => on_venue[usize::from(built.venues[i])].push(i as u32),
            }
        }
        let mut venues = Vec::with_capacity(n_venues);
        let mut composites = Vec::with_capacity(n_venues);
        for v in 0..n_venues as u16 {
            let view = scenario.venue_view(v);
            let spot = scenario.is_spot(v);
            let mut accounts = if n_venues == 1 {
                built.accounts.clone()
            } else {
                let mut accs = vec![Account::default(); built.accounts.len()];
                for &a in &on_venue[usize::from(v)] {
                    accs[a as usize] = built.accounts[a as usize];
                    accs[a as usize].margin &= !spot;
                }
                accs
            };
            if spot {
                for acc in &mut accounts {
                    acc.margin = false;
                }
            }
            let composite = scenario
                .index_sources_of(v)
                .map(|ix| CompositeIndex::new(ix, scenario));
            // A perpetual starts from the exogenous index or, with sources, the opening price;
            // a spot market has none.
            let index = if spot {
                None
            } else if composite.is_some() {
                Some(initial as f64)
            } else {
                exo.index_value()
            };
            let market = MarketState::opening(
                Price(initial),
                if spot {
                    None
                } else {
                    (view.index.is_some() || composite.is_some()).then_some(initial as f64)
                },
            );
            let venue = Venue::new(
                VenueId(v),
                accounts,
                MarginTable::new(&view.margin, unit_quote),
                EngineConfig::new(&view.liquidation.rules(view.venue), unit_quote),
                Mark::new(&view.mark_rule(), initial),
                market,
                index,
            );
            let rules = VenueRules {
                funding: if spot { None } else { view.funding_rules() },
                fees: view.fee_rules(),
                gate: !spot && view.gate_on(),
                unit_quote,
            };
            let mut venue = venue.with_rules(&rules, &mut clock);
            venue.set_importers(&importers);
            venues.push(venue);
            composites.push(composite);
        }
        let rec = Recorder::new(sample_interval_ns, end_ns, unit_quote);
        let others = (1..n_venues).map(|_| rec.sibling()).collect();
        let mut sim = Self {
            clock,
            venues,
            group_names: scenario
                .groups()
                .map(|(_, _, g)| g.name().to_string())
                .collect(),
            agents: built.agents,
            agent_group: built.groups,
            agent_venue: built.venues,
            latency_base_ns: (scenario.latency.base_us * 1e3).round() as i64,
            latency_jitter_ns: (scenario.latency.jitter_us * 1e3).round() as i64,
            flow: FlowHistory::new(flow_window_s(scenario)),
            latency_line_ns: crate::geo_latency::round_trip_ns(scenario, seed),
            actions: Vec::with_capacity(256),
            routed: Vec::new(),
            exo,
            rec,
            others,
            other_vol: vec![VolState::default(); n_venues - 1],
            composites,
            index_values: Vec::with_capacity(n_venues),
            venue_names: (0..n_venues as u16)
                .map(|v| scenario.venue_name_of(v).to_string())
                .collect(),
            spot: (0..n_venues as u16).map(|v| scenario.is_spot(v)).collect(),
            audits: Vec::new(),
            last_event: EventKind::Sample,
            collateral: scenario
                .collateral
                .as_ref()
                .map(|c| CollateralFeed::new(c, scenario)),
            collateral_changed: Vec::new(),
        };
        if let Some(feed) = &sim.collateral {
            for venue in &mut sim.venues {
                venue.start_collateral(feed.len(), |a| feed.quote(a));
            }
            sim.clock
                .schedule(feed.interval_ns, EventKind::CollateralTick);
        }
        for (i, agent) in sim.agents.iter_mut().enumerate() {
            if let Some(t) = agent.first_wake(end_ns) {
                sim.clock.schedule(t, EventKind::Wake(i as u32));
            }
        }
        sim.rec.start(&mut sim.clock);
        sim.exo.start(&mut sim.clock);
        sim.tape_cap_rows(Budget::of(scenario).tape_rows(MEMORY_BUDGET_BYTES))
    }

    /// Keeps the trade tape or not (the series and counters are always kept).
    pub fn record_trades(mut self, on: bool) -> Self {
        for rec in std::iter::once(&mut self.rec).chain(&mut self.others) {
            rec.record_trades = on;
        }
        self
    }

    /// Caps the run's trade tapes at `rows` in all (by default what [`MEMORY_BUDGET_BYTES`]
    /// leaves them after the scenario's certain cost, `Budget::tape_rows`), shared equally
    /// by its venues: each venue's tape holds `rows / venues`. A trade past its venue's share
    /// stops the run and is reported in [`Recording::tape_full`] (with the rows of every
    /// tape); without a tape there is no cap.
    pub fn tape_cap_rows(mut self, rows: u64) -> Self {
        let share = rows / (1 + self.others.len() as u64);
        for rec in std::iter::once(&mut self.rec).chain(&mut self.others) {
            rec.tape_cap_rows = share;
        }
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
        for venue in &mut self.venues {
            venue.track_dirty(on);
        }
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
        while !self.stopped() {
            let Some(kind) = self.clock.pop_until(limit) else {
                break;
            };
            self.rec.out.counters.events_processed += 1;
            self.last_event = kind;
            self.dispatch(kind);
            self.cancel_taken_over();
            if !self.audits.is_empty() {
                self.audit_event();
                for venue in &mut self.venues {
                    venue.clear_dirty();
                }
            }
        }
    }

    /// True once a recorder stopped the run (an audit failure, a full tape on any venue: the
    /// recorders share one flag).
    fn stopped(&self) -> bool {
        self.rec.stopped()
    }

    /// The recorder of venue `v`.
    fn rec_of<'a>(rec: &'a mut Recorder, others: &'a mut [Recorder], v: usize) -> &'a mut Recorder {
        match v {
            HOME => rec,
            k => &mut others[k - 1],
        }
    }

    /// Hands one event to the part that owns it.
    fn dispatch(&mut self, kind: EventKind) {
        match kind {
            EventKind::Wake(agent) => self.wake(agent),
            EventKind::Arrive((agent, v, action)) => self.arrive(agent, v, action),
            EventKind::Sample => self.sample(),
            EventKind::IndexTick => self.index_tick(),
            EventKind::LiqStep(v, account) => {
                let v = usize::from(v.0);
                let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
                self.venues[v].liquidation_step(account, &mut self.clock, rec)
            }
            EventKind::FundWorkOff(v) => {
                let v = usize::from(v.0);
                let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
                self.venues[v].fund_workoff(&mut self.clock, rec)
            }
            EventKind::Shock(i) => {
                // The run's stress starts with its first shock, wherever it acts.
                self.rec.out.stress_from_ns.get_or_insert(self.clock.now());
                let v = self.exo.shock_venue(i);
                let (clock, venue, rec, exo) = (
                    &mut self.clock,
                    &mut self.venues[v],
                    Self::rec_of(&mut self.rec, &mut self.others, v),
                    &mut self.exo,
                );
                // The account after the agents' (the fund's trading account, if any, follows).
                let shock_account = self.agents.len() as u32;
                if let Some(outage) = exo.shock(i, shock_account, clock, venue, rec) {
                    self.maker_outage(&outage);
                    self.venues[HOME].after_shock(i, &mut self.clock, &mut self.rec);
                }
            }
            EventKind::VolTick => {
                let venue = &mut self.venues[HOME];
                self.flow.record(self.clock.now(), &venue.market);
                for (state, venue) in self.other_vol.iter_mut().zip(&mut self.venues[1..]) {
                    state.update(venue);
                }
                self.exo.vol_tick(&mut self.clock, &mut self.venues[HOME]);
            }
            EventKind::FundingSample(v) => {
                self.venues[usize::from(v.0)].funding_sample(&mut self.clock)
            }
            EventKind::FundingPay(v) => {
                let v = usize::from(v.0);
                let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
                self.venues[v].funding_pay(&mut self.clock, rec)
            }
            EventKind::CollateralTick => self.collateral_tick(),
        }
    }

    /// The collateral clock: every asset's price is read; on every venue the holders of an
    /// asset whose price changed are re-valued and those now below maintenance taken over.
    fn collateral_tick(&mut self) {
        let Some(feed) = &mut self.collateral else {
            return;
        };
        let now = self.clock.now();
        feed.read(now, &self.venues, &mut self.collateral_changed);
        for &asset in &self.collateral_changed {
            let (price, haircut) = feed.quote(asset);
            for (v, venue) in self.venues.iter_mut().enumerate() {
                let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
                venue.revalue_collateral(asset, price, haircut, &mut self.clock, rec);
            }
        }
        self.clock
            .schedule(now + feed.interval_ns, EventKind::CollateralTick);
    }

    /// A row of every venue's series; the next sample.
    fn sample(&mut self) {
        let now = self.clock.now();
        let fundamental = self.exo.fundamental_at(now);
        self.rec.sample(now, &mut self.venues[HOME], fundamental);
        for (rec, venue) in self.others.iter_mut().zip(&mut self.venues[1..]) {
            rec.sample(now, venue, fundamental);
        }
        self.rec.next_sample(&mut self.clock);
    }

    /// The index moves on: every perpetual reads its index (the exogenous one, or one built
    /// from spot venues' prices) and recomputes its mark.
    fn index_tick(&mut self) {
        let now = self.clock.now();
        let scripted = self.exo.advance_index(now);
        let mut values = std::mem::take(&mut self.index_values);
        values.clear();
        for (v, composite) in self.composites.iter_mut().enumerate() {
            let value = match composite {
                Some(c) => {
                    let (venues, stale_ns) = (&self.venues, c.stale_ns);
                    c.update(|s| match s {
                        SourceOf::Scripted => scripted,
                        SourceOf::Venue(k) => venues[usize::from(k)].source_price(now, stale_ns),
                    })
                }
                None if self.spot[v] => None,
                None => scripted,
            };
            values.push(value);
        }
        for (v, &value) in values.iter().enumerate() {
            // A spot market has no index; a perpetual without one (no exogenous index, no
            // sources) is not touched by the index clock another venue's index runs.
            let Some(x) = value.filter(|_| !self.spot[v]) else {
                continue;
            };
            // The cascade's link across venues: what last moved the source venue that moved
            // this index most.
            let carried = match self.composites[v].as_ref().and_then(|c| c.moved_most()) {
                Some(SourceOf::Venue(k)) => self.venues[usize::from(k)].link(),
                _ => None,
            };
            let venue = &mut self.venues[v];
            let before = venue.link();
            venue.set_index(x);
            venue.moved_by(Trigger::Index, None);
            venue.index_carries(carried, before);
            let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
            venue.after_market_change(&mut self.clock, rec);
        }
        self.index_values = values;
        self.exo.next_index_tick(&mut self.clock);
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
                        what: match venue.id().0 {
                            0 => "end of run".into(),
                            v => format!("end of run (venue {v})"),
                        },
                        reason,
                    });
                }
            }
        }
        // A stop on another venue (its tape full) is the run's, with the rows of every tape.
        for other in &mut self.others {
            if self.rec.out.tape_full.is_none() {
                self.rec.out.tape_full = other.out.tape_full.take();
            }
        }
        let rows: u64 = std::iter::once(&self.rec)
            .chain(&self.others)
            .map(|r| r.out.trades.len() as u64)
            .sum();
        if let Some(full) = &mut self.rec.out.tape_full {
            full.rows = rows;
        }
        let mut venues = Vec::with_capacity(self.others.len());
        for (k, (venue, rec)) in self
            .venues
            .iter_mut()
            .zip(std::iter::once(&mut self.rec).chain(self.others.iter_mut()))
            .enumerate()
        {
            rec.out.ledger = venue.finish();
            rec.out.funding = venue.funding_stats();
            rec.out.fees_on = !venue.fee_rules().is_zero();
            rec.out.gate_on = venue.gate_on();
            rec.out.root_triggers = venue.root_triggers;
            rec.out.venue_name = self.venue_names[k].clone();
            if k > 0 {
                venues.push(VenueRecording {
                    name: self.venue_names[k].clone(),
                    spot: self.spot[k],
                    recording: std::mem::take(&mut rec.out),
                });
            }
        }
        let price_min = self.collateral.as_ref().map(|f| f.price_min_ppm);
        for v in &mut venues {
            v.recording.collateral_price_min_ppm = price_min;
        }
        self.rec.out.venues = venues;
        self.rec.out.collateral_price_min_ppm = price_min;
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
        let own = usize::from(self.agent_venue[agent as usize]);
        let venue = &self.venues[own];
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
        let cross = a.kind.cross_venues().is_some();
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
            cross: cross.then_some(CrossCtx {
                venues: &self.venues,
                agent,
                routed: &mut self.routed,
            }),
        };
        let next = a.wake(&mut ctx);
        let sends = !self.actions.is_empty() || !self.routed.is_empty();
        let jitter = if self.latency_jitter_ns > 0 && sends {
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
        let v = VenueId(own as u16);
        for action in self.actions.drain(..) {
            self.clock
                .schedule(arrival, EventKind::Arrive((agent, v, action)));
        }
        let extra = a.kind.cross_latency_ns();
        for (v, action) in self.routed.drain(..) {
            self.clock.schedule(
                arrival + extra,
                EventKind::Arrive((agent, VenueId(v), action)),
            );
        }
        if let Some(t) = next {
            // A wake-up never goes back in time, so the loop always makes progress.
            self.clock
                .schedule_within(t.max(now + 1), EventKind::Wake(agent));
        }
    }

    fn arrive(&mut self, agent: u32, v: VenueId, action: Action) {
        let v = usize::from(v.0);
        if let Some(venues) = self.agents[agent as usize].kind.cross_venues() {
            // A cross-venue agent's instruction carries what last moved the other venues it
            // trades on (the most recent liquidation link among them): the gap it trades.
            let link = venues
                .iter()
                .filter(|&&k| usize::from(k) != v)
                .filter_map(|&k| self.venues[usize::from(k)].link())
                .max_by_key(|&(_, t)| t);
            self.venues[v].set_incoming_link(link);
        }
        let rec = Self::rec_of(&mut self.rec, &mut self.others, v);
        let rested = self.venues[v].enter_gated(
            agent,
            action,
            &self.agents[agent as usize].orders,
            &mut self.clock,
            rec,
        );
        if let Some(id) = rested {
            match &mut self.agents[agent as usize].kind {
                AgentKind::CrossMaker(m) => m.on_resting(v as u16, id),
                _ => self.agents[agent as usize].on_resting(id),
            }
        }
    }

    /// Cancels the resting orders of every account a venue took over during this event (an
    /// agent's resting orders are all on its own venue).
    fn cancel_taken_over(&mut self) {
        while let Some((v, id)) = self.clock.next_take_over() {
            if self.agent_venue.get(id as usize) != Some(&v.0) {
                continue;
            }
            if let Some(a) = self.agents.get_mut(id as usize) {
                self.venues[usize::from(v.0)].cancel_all(&mut a.orders, &mut self.actions);
            }
        }
    }

    /// A maker outage: the group's makers cancel everything and stop quoting until its end.
    fn maker_outage(&mut self, outage: &Outage) {
        for a in 0..self.agents.len() {
            let g = self.agent_group[a] as usize;
            if self.group_names[g] == outage.group {
                let v = usize::from(self.agent_venue[a]);
                self.venues[v].cancel_all(&mut self.agents[a].orders, &mut self.actions);
                if let AgentKind::Maker(m) = &mut self.agents[a].kind {
                    m.outage_until(outage.until_ns);
                }
            }
        }
    }
}
