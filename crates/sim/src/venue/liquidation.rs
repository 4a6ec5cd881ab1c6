//! The liquidation engine: the takeover of accounts the mark crosses and its partial steps.
//!
//! A step closes part of the position in the book (an IOC at the worst price the fund can
//! cover, or at the bankruptcy price); what the book does not fill goes to the shortfall rule
//! of the venue (ADL or socialised loss). Every liquidation records the event that caused it,
//! so a cascade is a tree with generations.

use super::Venue;
use crate::accounts::Account;
use crate::margin::{ceil_div, floor_div, MarginTable, PPM};
use crate::record::{CascadeLink, LiquidationRecord, Trigger};
use crate::recorder::Recorder;
use crate::scenario::{Execution, LiquidationRules, Remainder, Shortfall, StepMode};
use crate::scheduler::{EventKind, Scheduler};
use cascade_book::{OrderId, OwnerId, Price, Qty, Side, Tif};

/// What a step did, besides its fills, for its record.
struct StepOutcome {
    side: Side,
    bankruptcy: f64,
    mark: i64,
    /// The fund's equity before the step (and before the fills a resting order made).
    fund_before: i64,
    socialized_before: i64,
    adl_qty: i64,
    fund_qty: i64,
}

/// The liquidation engine's settings in integer units.
#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Liquidations happen at all.
    pub enabled: bool,
    /// Share of the position closed per step, ppm.
    pub step_ppm: i64,
    /// Fraction of the position or down one tier.
    pub step_mode: StepMode,
    /// Positions of at most this notional (units) are closed whole.
    pub partial_above: i64,
    /// Time between steps, ns.
    pub cooldown_ns: i64,
    /// How steps reach the book.
    pub execution: Execution,
    /// Fee rate, ppm.
    pub fee_ppm: i64,
    /// A fill better than bankruptcy pays the margin left to the fund.
    pub surplus_to_fund: bool,
    /// Fund at the start, units.
    pub fund_start: i64,
    /// What happens to what a step did not fill.
    pub remainder: Remainder,
    /// The fund's position notional stays within this multiple of its equity, ppm.
    pub fund_capacity_ppm: i64,
    /// Share of maintenance below which the fund takes the account over, ppm (0: never).
    pub backstop_ppm: i64,
    /// Time between the fund's work-off orders, ns.
    pub workoff_ns: i64,
    /// Share of its position the fund offers per work-off order, ppm.
    pub workoff_ppm: i64,
    /// Work-off price limit beyond the mark, ppm of the mark.
    pub workoff_slip_ppm: i64,
    /// Fund drawdown from its peak that triggers ADL, ppm (0: off).
    pub adl_drawdown_ppm: i64,
    /// Window of that peak, ns.
    pub adl_window_ns: i64,
    /// What closes a shortfall.
    pub shortfall: Shortfall,
}

impl EngineConfig {
    /// From the resolved rules; `unit_quote` converts quote currency to units.
    pub fn new(rules: &LiquidationRules, unit_quote: f64) -> Self {
        let ppm = |x: f64| (x * 1e6).round() as i64;
        let ns = |s: f64| (s * 1e9).round() as i64;
        Self {
            enabled: rules.enabled,
            step_ppm: ppm(rules.step_fraction).clamp(1, PPM),
            step_mode: rules.step_mode,
            partial_above: (rules.partial_above / unit_quote).round() as i64,
            cooldown_ns: ns(rules.cooldown_s),
            execution: rules.execution,
            fee_ppm: ppm(rules.fee_rate),
            surplus_to_fund: rules.surplus_to_fund,
            fund_start: (rules.insurance_fund / unit_quote).round() as i64,
            remainder: rules.remainder,
            fund_capacity_ppm: ppm(rules.fund_capacity),
            backstop_ppm: ppm(rules.backstop_below),
            workoff_ns: ns(rules.workoff_interval_s).max(1),
            workoff_ppm: ppm(rules.workoff_fraction).clamp(1, PPM),
            workoff_slip_ppm: (rules.workoff_slippage_bps * 100.0).round() as i64,
            adl_drawdown_ppm: ppm(rules.adl_drawdown),
            adl_window_ns: ns(rules.adl_drawdown_window_s),
            shortfall: rules.shortfall,
        }
    }

    /// True when the fund holds positions: it takes remainders over or backs accounts stop.
    pub fn fund_trades(&self) -> bool {
        self.remainder == Remainder::Fund || self.backstop_ppm > 0
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
    /// The liquidation on another venue whose move set this one off, if one did.
    pub imported_from: Option<CascadeLink>,
    /// Consecutive steps that closed nothing in the book.
    pub dry_steps: u32,
    /// The step order resting in the book (`RestAtBankruptcy`), if one rests.
    pub resting: Option<OrderId>,
    /// What the resting order filled since the last step (reported by the next step).
    pub pending: StepTally,
    /// The side of the step orders (`Sell` for a long), fixed at the takeover: a step that
    /// only reports a resting order's fills may find the position already flat.
    pub side: Side,
}

/// Fills of the current liquidation step, accumulated by settlement.
#[derive(Clone, Copy, Debug, Default)]
pub struct StepTally {
    pub(super) qty: i64,
    pub(super) notional: i64,
    pub(super) fee: i64,
    /// Change of the fund's cash reserve from fills settled outside a step (a resting order).
    pub(super) fund: i64,
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
            if !self
                .margin
                .is_liquidatable(acc.margin_cash(), acc.pos, mark)
            {
                debug_assert!(false, "index key out of date for account {id}");
                stale.push(id);
                continue;
            }
            acc.take_over();
            let side = if acc.pos > 0 { Side::Sell } else { Side::Buy };
            self.sell_collateral(id);
            self.count_root();
            let imported_from = self.link.map(|(l, _)| l).filter(|l| l.venue != self.id.0);
            let run = LiqRun {
                id: self.next_liq_id,
                generation: match imported_from {
                    Some(l) => l.generation + 1,
                    None => self.mover_gen.map_or(0, |g| g + 1),
                },
                trigger: self.mover,
                trigger_trade: self.mover_trade,
                imported_from,
                dry_steps: 0,
                resting: None,
                pending: StepTally::default(),
                side,
            };
            self.next_liq_id += 1;
            self.liq_runs.insert(id, run);
            rec.out.stress_from_ns.get_or_insert(clock.now());
            clock.take_over(self.id, id);
            clock.schedule(clock.now(), EventKind::LiqStep(self.id, id));
        }
        for id in stale {
            let acc = &mut self.accounts[id as usize];
            self.liq_index.reindex(id, acc, &self.margin);
        }
    }

    /// One step of the takeover of `id`: the venue's waterfall — a backstop takeover below
    /// its threshold; else a step order to the book (IOC, fill-or-kill or resting at the
    /// bankruptcy price); what it did not fill to the next step, the fund or the shortfall
    /// rule.
    pub(crate) fn liquidation_step(&mut self, id: u32, clock: &mut Scheduler, rec: &mut Recorder) {
        let Some(run) = self.liq_runs.get(&id).copied() else {
            return;
        };
        let mark = self.mark.value();
        let fund_before = self.fund_equity();
        let socialized_before = self.socialized;
        let mut tally = self.take_resting(id);
        let acc = self.accounts[id as usize];
        let side = run.side;
        debug_assert!(acc.pos == 0 || (acc.pos > 0) == (side == Side::Sell));
        let bankruptcy = MarginTable::bankruptcy_price(acc.cash, acc.pos);
        let mut step = StepOutcome {
            side,
            bankruptcy,
            mark,
            fund_before: fund_before - tally.fund,
            socialized_before,
            adl_qty: 0,
            fund_qty: 0,
        };
        if acc.pos == 0 || !self.margin.is_liquidatable(acc.cash, acc.pos, mark) {
            if tally.qty > 0 {
                self.record_step(id, &run, &step, &tally, clock.now(), rec);
            }
            self.release(id, acc.pos == 0);
            return;
        }
        if self.below_backstop(&acc, mark) {
            step.fund_qty = self.backstop_take(id, mark, clock, rec);
            if step.fund_qty > 0 {
                self.fund_origin = Some((run.id, run.generation));
                self.record_step(id, &run, &step, &tally, clock.now(), rec);
                self.release(id, true);
                self.after_market_change(clock, rec);
                return;
            }
        }
        let q = self.step_qty_for(&acc, mark);
        let limit = self.step_limit(&acc, q);
        self.active_liq = Some((id, run.generation));
        let before = tally.qty;
        let rested = self.send_step(id, side, limit, q, rec);
        let traded = self.settle_liquidation_fills(id, clock.now(), rec, &mut tally);
        let filled = tally.qty - before;
        // A resting order waits for the next step while the mark has not passed bankruptcy.
        let past_bankruptcy = self.accounts[id as usize].equity(mark) < 0;
        let mut remainder = q - filled;
        if let Some(order) = rested {
            if past_bankruptcy {
                self.cancel_step_order(order);
            } else {
                remainder = 0;
                if let Some(r) = self.liq_runs.get_mut(&id) {
                    r.resting = Some(order);
                }
            }
        }
        let progressed = filled > 0 || rested.is_some() && !past_bankruptcy;
        let (adl_qty, fund_qty) = self.close_remainder(
            id, &run, side, remainder, progressed, clock, rec, &mut tally,
        );
        step.adl_qty = adl_qty;
        step.fund_qty = fund_qty;
        self.active_liq = None;
        self.record_step(id, &run, &step, &tally, clock.now(), rec);
        if traded {
            self.moved_by_liquidation(run.id, run.generation, clock.now());
            self.mover_trade = Some(rec.out.counters.trades);
        }
        self.next_step_or_release(id, traded || adl_qty > 0 || fund_qty > 0, clock);
        self.after_market_change(clock, rec);
    }

    /// Sends one step's order: IOC at `limit` (market and IOC modes), fill-or-kill (nothing
    /// unless the book holds all of `q` at `limit` or better), or a limit that rests. Returns
    /// the resting order's handle.
    fn send_step(
        &mut self,
        id: u32,
        side: Side,
        limit: i64,
        q: i64,
        rec: &mut Recorder,
    ) -> Option<OrderId> {
        let tif = match self.engine.execution {
            Execution::Market | Execution::IocAtBankruptcy => Tif::Ioc,
            Execution::FokAtBankruptcy => {
                if self.book.fillable(side, Price(limit), Qty(q)).0 < q {
                    return None;
                }
                Tif::Ioc
            }
            Execution::RestAtBankruptcy => Tif::Gtc,
        };
        match self.book.limit(
            OwnerId(id),
            side,
            Price(limit),
            Qty(q),
            tif,
            &mut self.book_events,
        ) {
            Ok(done) => (tif == Tif::Gtc && done.resting.0 > 0).then_some(done.id),
            Err(_) => {
                // Only a full order pool refuses a limit at a positive price: nothing fills.
                rec.out.counters.rejects += 1;
                None
            }
        }
    }

    /// Takes the step order that rested since the last step out of the book; returns what it
    /// filled meanwhile.
    fn take_resting(&mut self, id: u32) -> StepTally {
        let Some(run) = self.liq_runs.get_mut(&id) else {
            return StepTally::default();
        };
        let pending = std::mem::take(&mut run.pending);
        if let Some(order) = run.resting.take() {
            self.cancel_step_order(order);
        }
        pending
    }

    fn cancel_step_order(&mut self, order: OrderId) {
        match self.book.cancel(order) {
            Ok(_) | Err(cascade_book::BookError::UnknownOrder(_)) => {}
            Err(e) => unreachable!("a cancel fails only on an unknown order: {e:?}"),
        }
    }

    /// Writes the record of one step.
    fn record_step(
        &mut self,
        id: u32,
        run: &LiqRun,
        step: &StepOutcome,
        tally: &StepTally,
        now_ns: i64,
        rec: &mut Recorder,
    ) {
        self.note_fund();
        rec.out.counters.liquidation_steps += 1;
        rec.out.liquidations.push(LiquidationRecord {
            time_ns: now_ns,
            id: run.id,
            account: id,
            side: step.side.opposite(),
            book_qty: tally.qty,
            adl_qty: step.adl_qty,
            fund_qty: step.fund_qty,
            avg_price: if tally.qty > 0 {
                tally.notional as f64 / tally.qty as f64
            } else {
                0.0
            },
            bankruptcy_price: step.bankruptcy,
            mark: step.mark,
            notional: tally.notional,
            fee: tally.fee,
            fund_change: self.fund_equity() - step.fund_before,
            socialized: self.socialized - step.socialized_before,
            trigger: run.trigger,
            trigger_trade: run.trigger_trade,
            generation: run.generation,
            imported_from: run.imported_from,
        });
    }

    /// What a step's order did not fill (`remainder` lots), by the venue's rule: kept for
    /// the next step, taken over by the fund, or the shortfall rule (ADL, or the book at any
    /// price under socialised loss). ADL comes first when the fund has fallen past its
    /// drawdown trigger, and after [`MAX_DRY_STEPS`] steps that closed nothing. Returns the
    /// lots transferred by ADL and taken over by the fund.
    #[allow(clippy::too_many_arguments)]
    fn close_remainder(
        &mut self,
        id: u32,
        run: &LiqRun,
        side: Side,
        remainder: i64,
        progressed: bool,
        clock: &mut Scheduler,
        rec: &mut Recorder,
        tally: &mut StepTally,
    ) -> (i64, i64) {
        if remainder <= 0 {
            self.note_progress(id, true);
            return (0, 0);
        }
        let now = clock.now();
        let forced = self.adl_forced(now);
        match self.engine.remainder {
            Remainder::Shortfall => (
                self.close_shortfall(id, run.id, side, remainder, clock, rec, tally),
                0,
            ),
            Remainder::NextStep => {
                let exhausted = self.note_progress(id, progressed);
                if forced || exhausted {
                    (self.deleverage(id, run.id, remainder, now, rec), 0)
                } else {
                    (0, 0)
                }
            }
            Remainder::Fund => {
                let taken = if forced {
                    0
                } else {
                    self.fund_take(id, remainder, clock, rec)
                };
                if taken > 0 {
                    self.fund_origin = Some((run.id, run.generation));
                }
                // ADL only for what the fund cannot hold (checked in every test run).
                debug_assert!(
                    forced || taken == remainder || !self.fund_can_take(id, 1),
                    "ADL while the fund could take more over"
                );
                let adl = if remainder > taken {
                    self.deleverage(id, run.id, remainder - taken, now, rec)
                } else {
                    0
                };
                self.note_progress(id, true);
                (adl, taken)
            }
        }
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
        let notional = i128::from(total) * i128::from(mark);
        if notional <= i128::from(self.engine.partial_above) {
            return total;
        }
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
            Execution::IocAtBankruptcy
            | Execution::FokAtBankruptcy
            | Execution::RestAtBankruptcy => 0,
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
