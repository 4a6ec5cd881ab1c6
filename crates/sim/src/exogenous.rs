//! Exogenous processes: the fundamental, the index, the market's realised volatility clock, and
//! scripted shocks.

use crate::fundamental::Fundamental;
use crate::mark::Index;
use crate::record::Trigger;
use crate::recorder::Recorder;
use crate::rng::{process_stream_id, stream};
use crate::scenario::{Scenario, Shock};
use crate::scheduler::{EventKind, Scheduler};
use crate::venue::Venue;
use cascade_book::{OwnerId, Price, Qty, Side};

/// Interval of the market's realised-volatility update, ns.
pub(crate) const VOL_INTERVAL_NS: i64 = 1_000_000_000;
/// Weight of the newest squared return in the realised volatility.
const VOL_WEIGHT: f64 = 0.07;

/// Time between two slices of a scripted sell or buy program, seconds.
const SHOCK_SLICE_S: f64 = 0.1;

/// The processes no agent controls.
#[derive(Debug)]
pub(crate) struct Exogenous {
    pub(crate) fundamental: Option<Fundamental>,
    index: Option<Index>,
    index_interval_ns: i64,
    /// The home venue's realised volatility.
    vol: VolState,
    shocks: Vec<Shock>,
    /// The venue each shock acts on (a sell or buy program may name one; the rest act on the
    /// home venue, 0).
    shock_venues: Vec<usize>,
    /// Slices already executed of each sell or buy program.
    shock_slices: Vec<u32>,
}

/// One venue's realised volatility: the mid of the last update and the average squared
/// return, bps².
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct VolState {
    mid_x2: Option<i64>,
    sq_bps: f64,
}

impl VolState {
    /// Updates the realised volatility agents read: one-second mid returns, averaged with a
    /// weight of 0.07 (a half-life of about 10 s). A one-sided second keeps the last mid.
    pub(crate) fn update(&mut self, venue: &mut Venue) {
        if let Some(mid) = venue.book.l1().mid_x2() {
            if let Some(prev) = self.mid_x2 {
                let r_bps = (mid as f64 / prev as f64).ln() * 1e4;
                self.sq_bps = VOL_WEIGHT * r_bps * r_bps + (1.0 - VOL_WEIGHT) * self.sq_bps;
                venue.market.vol_bps = self.sq_bps.sqrt();
            }
            self.mid_x2 = Some(mid);
        }
    }
}

/// A shock the kernel must finish because it reaches the agents: a maker outage.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Outage {
    /// The group whose makers stop quoting.
    pub(crate) group: String,
    /// Until when, ns.
    pub(crate) until_ns: i64,
}

impl Exogenous {
    /// The processes of `scenario` for one seed, starting at `initial` ticks.
    pub(crate) fn new(scenario: &Scenario, seed: u64, initial: i64) -> Self {
        let tick = scenario.instrument.tick_size;
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
        // The index clock: the exogenous index's, else the first endogenous index's.
        let sources_interval = (0..=scenario.venues.len() as u16)
            .find_map(|v| scenario.index_sources_of(v))
            .map(|ix| ix.interval_s);
        let index_interval_ns = scenario
            .index
            .as_ref()
            .map(|ix| ix.interval_s)
            .or(sources_interval)
            .map_or(0, |s| Scenario::ns(s).max(1));
        Self {
            fundamental,
            index,
            index_interval_ns,
            vol: VolState::default(),
            shocks: scenario.shocks.clone(),
            shock_venues: scenario
                .shocks
                .iter()
                .map(|s| {
                    s.venue()
                        .and_then(|n| scenario.venue_id(n))
                        .map_or(0, usize::from)
                })
                .collect(),
            shock_slices: vec![0; scenario.shocks.len()],
        }
    }

    /// Schedules the first index tick, volatility update and every shock.
    pub(crate) fn start(&self, clock: &mut Scheduler) {
        if self.index_interval_ns > 0 {
            clock.schedule(self.index_interval_ns, EventKind::IndexTick);
        }
        clock.schedule(VOL_INTERVAL_NS, EventKind::VolTick);
        for (i, shock) in self.shocks.iter().enumerate() {
            clock.schedule(Scenario::ns(shock.at_s()), EventKind::Shock(i as u32));
        }
    }

    /// The index now, ticks (unrounded), if the scenario has one.
    pub(crate) fn index_value(&self) -> Option<f64> {
        self.index.as_ref().map(|ix| ix.value())
    }

    /// The fundamental at `now_ns`, rounded to ticks.
    pub(crate) fn fundamental_at(&mut self, now_ns: i64) -> Option<Price> {
        self.fundamental
            .as_mut()
            .map(|f| Price(f.value_at(now_ns).round() as i64))
    }

    /// Updates the home venue's realised volatility (see [`VolState::update`]) and schedules
    /// the next update.
    pub(crate) fn vol_tick(&mut self, clock: &mut Scheduler, venue: &mut Venue) {
        self.vol.update(venue);
        clock.schedule_within(clock.now() + VOL_INTERVAL_NS, EventKind::VolTick);
    }

    /// The exogenous index moves on to `now_ns`: its value, if the scenario has one. The
    /// kernel feeds each perpetual its index, then calls [`Exogenous::next_index_tick`].
    pub(crate) fn advance_index(&mut self, now_ns: i64) -> Option<f64> {
        self.index.as_mut().map(|ix| ix.advance_to(now_ns))
    }

    /// Schedules the next index tick.
    pub(crate) fn next_index_tick(&self, clock: &mut Scheduler) {
        clock.schedule_within(clock.now() + self.index_interval_ns, EventKind::IndexTick);
    }

    /// The venue scripted shock `i` acts on.
    pub(crate) fn shock_venue(&self, i: u32) -> usize {
        self.shock_venues[i as usize]
    }

    /// Scripted shock `i`, on its venue ([`Exogenous::shock_venue`]). A maker outage is returned for the kernel to apply to the agents,
    /// after which it calls [`Venue::after_shock`].
    pub(crate) fn shock(
        &mut self,
        i: u32,
        shock_account: u32,
        clock: &mut Scheduler,
        venue: &mut Venue,
        rec: &mut Recorder,
    ) -> Option<Outage> {
        rec.out.stress_from_ns.get_or_insert(clock.now());
        match &self.shocks[i as usize] {
            Shock::MarketSell { qty, over_s, .. } => self.program_slice(
                i,
                Side::Sell,
                *qty,
                *over_s,
                shock_account,
                clock,
                venue,
                rec,
            ),
            Shock::MarketBuy { qty, over_s, .. } => self.program_slice(
                i,
                Side::Buy,
                *qty,
                *over_s,
                shock_account,
                clock,
                venue,
                rec,
            ),
            Shock::IndexJump { pct, .. } => {
                venue.forget_mover_trade();
                if let Some(ix) = self.index.as_mut() {
                    ix.jump(*pct);
                    venue.set_index(ix.value());
                }
            }
            Shock::MakerOutage {
                group, duration_s, ..
            } => {
                return Some(Outage {
                    group: group.clone(),
                    until_ns: clock.now() + Scenario::ns(*duration_s),
                });
            }
            Shock::MarginChange {
                maintenance_multiplier,
                ..
            } => {
                venue.set_maintenance_multiplier(*maintenance_multiplier);
                venue.moved_by(Trigger::MarginChange, None);
                venue.after_market_change(clock, rec);
                return None;
            }
        }
        venue.after_shock(i, clock, rec);
        None
    }

    /// One 100 ms slice of a sell or buy program of `qty` lots over `over_s` seconds.
    #[allow(clippy::too_many_arguments)]
    fn program_slice(
        &mut self,
        i: u32,
        side: Side,
        qty: i64,
        over_s: f64,
        shock_account: u32,
        clock: &mut Scheduler,
        venue: &mut Venue,
        rec: &mut Recorder,
    ) {
        let slices = ((over_s / SHOCK_SLICE_S).round() as i64).max(1);
        let k = i64::from(self.shock_slices[i as usize]);
        // Slice k trades floor((k+1)·qty/n) − floor(k·qty/n): every lot once, evenly.
        let share = |k: i64| (i128::from(k) * i128::from(qty) / i128::from(slices)) as i64;
        let slice = share(k + 1) - share(k);
        self.shock_slices[i as usize] += 1;
        if k + 1 < slices {
            clock.schedule(
                clock.now() + Scenario::ns(SHOCK_SLICE_S),
                EventKind::Shock(i),
            );
        }
        if slice > 0 {
            venue.market_order(OwnerId(shock_account), side, Qty(slice), clock.now(), rec);
        }
    }
}
