//! The liquidation engine: the takeover of accounts the mark crosses and its partial steps.
//!
//! A step closes part of the position in the book (an IOC at the worst price the fund can
//! cover, or at the bankruptcy price); what the book does not fill goes to the shortfall rule
//! of the venue (ADL or socialised loss). Every liquidation records the event that caused it,
//! so a cascade is a tree with generations.

use super::Venue;
use crate::accounts::Account;
use crate::margin::{ceil_div, floor_div, MarginTable, PPM};
use crate::record::{LiquidationRecord, Trigger};
use crate::recorder::Recorder;
use crate::scenario::{Execution, LiquidationSpec, Shortfall, StepMode};
use crate::scheduler::{EventKind, Scheduler};
use cascade_book::{OwnerId, Price, Qty, Side, Tif};

/// The liquidation engine's settings in integer units.
#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Liquidations happen at all.
    pub enabled: bool,
    /// Share of the position closed per step, ppm.
    pub step_ppm: i64,
    /// Fraction of the position or down one tier.
    pub step_mode: StepMode,
    /// Time between steps, ns.
    pub cooldown_ns: i64,
    /// How steps reach the book.
    pub execution: Execution,
    /// Fee rate, ppm.
    pub fee_ppm: i64,
    /// Fund at the start, units.
    pub fund_start: i64,
    /// What closes a shortfall.
    pub shortfall: Shortfall,
}

impl EngineConfig {
    /// From the scenario section; `unit_quote` converts quote currency to units.
    pub fn new(spec: &LiquidationSpec, unit_quote: f64) -> Self {
        Self {
            enabled: spec.enabled,
            step_ppm: ((spec.step_fraction * 1e6).round() as i64).clamp(1, PPM),
            step_mode: spec.step_mode,
            cooldown_ns: (spec.cooldown_s * 1e9).round() as i64,
            execution: spec.execution,
            fee_ppm: (spec.fee_rate * 1e6).round() as i64,
            fund_start: (spec.insurance_fund / unit_quote).round() as i64,
            shortfall: spec.shortfall,
        }
    }
}

/// Consecutive steps that close nothing in the book after which a venue stops waiting for the
/// book and hands the remainder to auto-deleveraging (under either shortfall rule): a step
/// that cannot fill does not spin.
pub const MAX_DRY_STEPS: u32 = 3;

/// An account the engine holds.
#[derive(Clone, Copy, Debug)]
pub struct LiqRun {
    /// Liquidation id.
    pub id: u32,
    /// Generation in the cascade.
    pub generation: u32,
    /// What started it.
    pub trigger: Trigger,
    /// The trade (1-based number in the tape) that moved the mark, when a trade did.
    pub trigger_trade: Option<u64>,
    /// Consecutive steps that closed nothing in the book.
    pub dry_steps: u32,
}

/// Fills of the current liquidation step, accumulated by settlement.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct StepTally {
    pub(super) qty: i64,
    pub(super) notional: i64,
    pub(super) fee: i64,
}

impl Venue {
    /// Takes over every margin account the mark crosses, deepest first.
    pub(super) fn check_liquidations(
        &mut self,
        mark: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) {
        let mut stale = Vec::new();
        while let Some(id) = self.liq_index.pop_crossed(mark, &mut self.accounts) {
            let acc = &mut self.accounts[id as usize];
            if !self.margin.is_liquidatable(acc.cash, acc.pos, mark) {
                debug_assert!(false, "index key out of date for account {id}");
                stale.push(id);
                continue;
            }
            acc.take_over();
            let run = LiqRun {
                id: self.next_liq_id,
                generation: self.mover_gen.map_or(0, |g| g + 1),
                trigger: self.mover,
                trigger_trade: self.mover_trade,
                dry_steps: 0,
            };
            self.next_liq_id += 1;
            self.liq_runs.insert(id, run);
            rec.out.stress_from_ns.get_or_insert(clock.now());
            self.take_overs.push(id);
            clock.schedule(clock.now(), EventKind::LiqStep(self.id, id));
        }
        for id in stale {
            let acc = &mut self.accounts[id as usize];
            self.liq_index.reindex(id, acc, &self.margin);
        }
    }

    /// One step of the takeover of `id`.
    pub(crate) fn liquidation_step(&mut self, id: u32, clock: &mut Scheduler, rec: &mut Recorder) {
        let Some(run) = self.liq_runs.get(&id).copied() else {
            return;
        };
        let mark = self.mark.value();
        let acc = self.accounts[id as usize];
        if acc.pos == 0 || !self.margin.is_liquidatable(acc.cash, acc.pos, mark) {
            self.release(id, acc.pos == 0);
            return;
        }
        let q = self.step_qty_for(&acc, mark);
        let side = if acc.pos > 0 { Side::Sell } else { Side::Buy };
        let bankruptcy = MarginTable::bankruptcy_price(acc.cash, acc.pos);
        let limit = self.step_limit(&acc, q);
        let (fund_before, socialized_before) = (self.fund, self.socialized);

        let mut tally = StepTally::default();
        self.active_liq = Some((id, run.generation));
        let order = self.book.limit(
            OwnerId(id),
            side,
            Price(limit),
            Qty(q),
            Tif::Ioc,
            &mut self.book_events,
        );
        if order.is_err() {
            // Only a full order pool refuses an IOC at a positive price: the step fills nothing.
            rec.out.counters.rejects += 1;
        }
        let traded = self.settle_liquidation_fills(id, clock.now(), rec, &mut tally);
        let adl_qty = self.close_shortfall(id, run.id, side, q - tally.qty, clock, rec, &mut tally);
        self.active_liq = None;
        self.ledger.fund_min = self.ledger.fund_min.min(self.fund);
        rec.out.counters.liquidation_steps += 1;
        rec.out.liquidations.push(LiquidationRecord {
            time_ns: clock.now(),
            id: run.id,
            account: id,
            side: side.opposite(),
            book_qty: tally.qty,
            adl_qty,
            avg_price: if tally.qty > 0 {
                tally.notional as f64 / tally.qty as f64
            } else {
                0.0
            },
            bankruptcy_price: bankruptcy,
            mark,
            notional: tally.notional,
            fee: tally.fee,
            fund_change: self.fund - fund_before,
            socialized: self.socialized - socialized_before,
            trigger: run.trigger,
            trigger_trade: run.trigger_trade,
            generation: run.generation,
        });
        if traded {
            self.mover = Trigger::Liquidation(run.id);
            self.mover_gen = Some(run.generation);
            self.mover_trade = Some(rec.out.counters.trades);
        }
        self.next_step_or_release(id, traded || adl_qty > 0, clock);
        self.after_market_change(clock, rec);
    }

    /// What the book did not fill of a step. Under ADL it is transferred at once. Under
    /// socialised loss it goes to the book at any price and the fund's loss is shared; if the
    /// book has closed nothing for [`MAX_DRY_STEPS`] steps in a row, the remainder is
    /// transferred by ADL instead of waiting for bids that do not come. Returns the lots
    /// transferred by ADL.
    #[allow(clippy::too_many_arguments)]
    fn close_shortfall(
        &mut self,
        id: u32,
        liq: u32,
        side: Side,
        remainder: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
        tally: &mut StepTally,
    ) -> i64 {
        if remainder <= 0 {
            self.note_progress(id, true);
            return 0;
        }
        let mut left = remainder;
        if self.engine.shortfall == Shortfall::SocializedLoss {
            let before = tally.qty;
            if self
                .book
                .market(OwnerId(id), side, Qty(remainder), &mut self.book_events)
                .is_err()
            {
                rec.out.counters.rejects += 1;
            }
            self.settle_liquidation_fills(id, clock.now(), rec, tally);
            self.socialize(id);
            left -= tally.qty - before;
            let hand_on = self.note_progress(id, tally.qty > 0);
            if left == 0 || !hand_on {
                return 0;
            }
        }
        self.deleverage(id, liq, left, clock.now(), rec)
    }

    /// Counts a step that closed something (or nothing) in the book; true when the account
    /// has waited [`MAX_DRY_STEPS`] dry steps and its remainder must be handed on.
    fn note_progress(&mut self, id: u32, closed_some: bool) -> bool {
        let Some(run) = self.liq_runs.get_mut(&id) else {
            return false;
        };
        run.dry_steps = if closed_some { 0 } else { run.dry_steps + 1 };
        run.dry_steps >= MAX_DRY_STEPS
    }

    /// Schedules the next step of `id` after the cooldown, or releases a closed account.
    fn next_step_or_release(&mut self, id: u32, progressed: bool, clock: &mut Scheduler) {
        if self.accounts[id as usize].pos == 0 {
            self.release(id, true);
            return;
        }
        let wait = if progressed {
            self.engine.cooldown_ns
        } else {
            self.engine.cooldown_ns.max(1_000_000)
        };
        clock.schedule(clock.now() + wait, EventKind::LiqStep(self.id, id));
    }

    /// Lots one step closes: a fraction of the position, or down to the next lower tier.
    fn step_qty_for(&self, acc: &Account, mark: i64) -> i64 {
        let total = acc.pos.abs();
        let q = match self.engine.step_mode {
            StepMode::Fraction => ceil_div(
                i128::from(total) * i128::from(self.engine.step_ppm),
                i128::from(PPM),
            ) as i64,
            StepMode::DownOneTier => {
                let notional =
                    (i128::from(total) * i128::from(mark)).min(i128::from(i64::MAX)) as i64;
                let tiers = self.margin.tiers();
                let t = tiers
                    .iter()
                    .position(|t| notional <= t.cap)
                    .unwrap_or(tiers.len() - 1);
                if t == 0 {
                    total
                } else {
                    // Keep at most the lower tier's cap in notional.
                    total - tiers[t - 1].cap / mark.max(1)
                }
            }
        };
        q.clamp(1, total)
    }

    /// The worst price a step may trade at: the bankruptcy price (IOC mode), or as far beyond
    /// it as the fund can cover for `q` lots (market mode).
    fn step_limit(&self, acc: &Account, q: i64) -> i64 {
        let fund = match self.engine.execution {
            Execution::IocAtBankruptcy => 0,
            Execution::Market => self.fund.max(0),
        };
        let (c, p, q, f) = (
            i128::from(acc.cash),
            i128::from(acc.pos),
            i128::from(q),
            i128::from(fund),
        );
        let limit = if acc.pos > 0 {
            // Sell no lower than (−c·q/p − f)/q.
            ceil_div(-c * q - f * p, p * q)
        } else {
            // Buy no higher than (c·q/|p| + f)/q.
            floor_div(c * q + f * p.abs(), p.abs() * q)
        };
        limit.clamp(1, i128::from(i64::MAX / 4)) as i64
    }

    /// Settles the fills in the book-event buffer for a liquidation of `id`.
    fn settle_liquidation_fills(
        &mut self,
        id: u32,
        now_ns: i64,
        rec: &mut Recorder,
        tally: &mut StepTally,
    ) -> bool {
        debug_assert_eq!(self.active_liq.map(|(a, _)| a), Some(id));
        let fee_before = self.ledger.fees;
        let traded = self.settle_book_events(now_ns, rec);
        tally.fee += self.ledger.fees - fee_before;
        tally.qty += self.step_qty;
        tally.notional += self.step_notional;
        self.step_qty = 0;
        self.step_notional = 0;
        traded
    }

    /// Ends the engine's hold on `id`.
    fn release(&mut self, id: u32, closed: bool) {
        self.liq_runs.remove(&id);
        let acc = &mut self.accounts[id as usize];
        acc.release(closed);
        self.liq_index.reindex(id, acc, &self.margin);
    }
}
