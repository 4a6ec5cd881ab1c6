//! Exogenous events: the index, the market's realised volatility, and scripted shocks.

use crate::agents::AgentKind;
use crate::kernel::{EventKind, Simulation};
use crate::record::Trigger;
use crate::scenario::{Scenario, Shock};
use cascade_book::{OwnerId, Qty, Side};

/// Interval of the market's realised-volatility update, ns.
pub(crate) const VOL_INTERVAL_NS: i64 = 1_000_000_000;
/// Weight of the newest squared return in the realised volatility.
const VOL_WEIGHT: f64 = 0.07;

/// Time between two slices of a scripted sell or buy program, seconds.
const SHOCK_SLICE_S: f64 = 0.1;

impl Simulation {
    /// Updates the realised volatility agents read: one-second mid returns, averaged with a
    /// weight of 0.07 (a half-life of about 10 s). A one-sided second keeps the last mid.
    pub(crate) fn vol_tick(&mut self) {
        if let Some(mid) = self.book.l1().mid_x2() {
            if let Some(prev) = self.vol_mid_x2 {
                let r_bps = (mid as f64 / prev as f64).ln() * 1e4;
                self.vol_sq_bps = VOL_WEIGHT * r_bps * r_bps + (1.0 - VOL_WEIGHT) * self.vol_sq_bps;
                self.market.vol_bps = self.vol_sq_bps.sqrt();
            }
            self.vol_mid_x2 = Some(mid);
        }
        let next = self.now_ns + VOL_INTERVAL_NS;
        if next <= self.end_ns {
            self.schedule(next, EventKind::VolTick);
        }
    }

    pub(crate) fn index_tick(&mut self) {
        if let Some(ix) = self.index.as_mut() {
            self.market.index = Some(ix.advance_to(self.now_ns));
        }
        self.mover = Trigger::Index;
        self.mover_gen = None;
        self.mover_trade = None;
        self.after_market_change();
        let next = self.now_ns + self.index_interval_ns;
        if next <= self.end_ns {
            self.schedule(next, EventKind::IndexTick);
        }
    }

    pub(crate) fn shock(&mut self, i: u32) {
        self.recording.stress_from_ns.get_or_insert(self.now_ns);
        let shock_account = (self.accounts.len() - 1) as u32;
        match self.shocks[i as usize].clone() {
            Shock::MarketSell { qty, over_s, .. } | Shock::MarketBuy { qty, over_s, .. } => {
                let side = if matches!(self.shocks[i as usize], Shock::MarketSell { .. }) {
                    Side::Sell
                } else {
                    Side::Buy
                };
                let slices = ((over_s / SHOCK_SLICE_S).round() as i64).max(1);
                let k = i64::from(self.shock_slices[i as usize]);
                // Slice k trades floor((k+1)·qty/n) − floor(k·qty/n): every lot once, evenly.
                let share = |k: i64| (i128::from(k) * i128::from(qty) / i128::from(slices)) as i64;
                let slice = share(k + 1) - share(k);
                self.shock_slices[i as usize] += 1;
                if k + 1 < slices {
                    self.schedule(
                        self.now_ns + Scenario::ns(SHOCK_SLICE_S),
                        EventKind::Shock(i),
                    );
                }
                if slice > 0 {
                    let _ = self.book.market(
                        OwnerId(shock_account),
                        side,
                        Qty(slice),
                        &mut self.book_events,
                    );
                    self.settle_book_events();
                }
            }
            Shock::IndexJump { pct, .. } => {
                self.mover_trade = None;
                if let Some(ix) = self.index.as_mut() {
                    ix.jump(pct);
                    self.market.index = Some(ix.value());
                }
            }
            Shock::MakerOutage {
                group, duration_s, ..
            } => {
                let until = self.now_ns + Scenario::ns(duration_s);
                for a in 0..self.agents.len() {
                    let g = self.agent_group[a] as usize;
                    if self.group_names[g] == group {
                        self.cancel_orders_of(a as u32);
                        if let AgentKind::Maker(m) = &mut self.agents[a].kind {
                            m.outage_until(until);
                        }
                    }
                }
            }
            Shock::MarginChange {
                maintenance_multiplier,
                ..
            } => {
                self.margin
                    .set_maintenance_multiplier(maintenance_multiplier);
                for id in 0..self.accounts.len() as u32 {
                    let acc = &mut self.accounts[id as usize];
                    if acc.margin {
                        self.liq_index.reindex(id, acc, &self.margin);
                    }
                }
                self.mover = Trigger::MarginChange;
                self.mover_gen = None;
                self.mover_trade = None;
                self.after_market_change();
                return;
            }
        }
        self.mover = Trigger::Shock(i);
        self.mover_gen = None;
        self.after_market_change();
    }
}
