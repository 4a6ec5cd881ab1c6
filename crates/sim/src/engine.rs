//! The exchange's risk engine: settling fills into accounts, the mark price, and the
//! liquidation engine (takeover, partial steps, insurance fund, auto-deleveraging or
//! socialised loss), with the causality of every liquidation.
//!
//! Settlement of a liquidation fill: the liquidated account is closed at its bankruptcy price
//! (it loses the margin on the closed part); the fund receives the difference between the fill
//! and the bankruptcy value — a surplus when the fill is better, a draw when it is worse — and
//! a liquidation fee on the closed notional out of whatever equity the account keeps. Every
//! transfer is an integer moved from one holder to another, so cash + fund only changes by
//! declared deposits.

use crate::kernel::{EventKind, Simulation};
use crate::margin::{ceil_div, floor_div, MarginTable, PPM};
use crate::record::{AdlRecord, LiquidationRecord, Trigger};
use crate::scenario::{Execution, LiquidationSpec, Shortfall, StepMode};
use cascade_book::{Fill, OwnerId, Price, Qty, Side, Tif};

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

/// How long an ADL queue is used before it is ranked again, ns.
pub const ADL_REFRESH_NS: i64 = 1_000_000_000;

/// The ranked ADL queue of one side and when it was ranked.
#[derive(Clone, Debug)]
pub struct AdlCache {
    /// Time of the ranking, ns.
    pub computed_ns: i64,
    /// Against bankrupt longs (shorts ranked) or bankrupt shorts (longs ranked).
    pub bankrupt_long: bool,
    /// (score, account), best first.
    pub ranked: Vec<(f64, u32)>,
}

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
}

/// Fills of the current liquidation step, accumulated by settlement.
#[derive(Clone, Copy, Debug, Default)]
struct StepTally {
    qty: i64,
    notional: i64,
    fee: i64,
}

impl Simulation {
    /// Recomputes the mark and, if liquidations are on, hands crossed accounts to the engine.
    pub(crate) fn after_market_change(&mut self) {
        let mid_x2 = self.book.l1().mid_x2();
        let index = self.index.as_ref().map(|ix| ix.value());
        let mark = self
            .mark
            .update(self.now_ns, mid_x2, self.market.last_price.0, index);
        self.market.mark = Price(mark);
        if self.engine.enabled {
            self.check_liquidations(mark);
        }
    }

    fn check_liquidations(&mut self, mark: i64) {
        let mut stale = Vec::new();
        while let Some(id) = self.liq_index.pop_crossed(mark) {
            let acc = &mut self.accounts[id as usize];
            acc.liq_key = None;
            if !self.margin.is_liquidatable(acc.cash, acc.pos, mark) {
                debug_assert!(false, "index key out of date for account {id}");
                stale.push(id);
                continue;
            }
            acc.in_liquidation = true;
            let run = LiqRun {
                id: self.next_liq_id,
                generation: self.mover_gen.map_or(0, |g| g + 1),
                trigger: self.mover,
                trigger_trade: self.mover_trade,
            };
            self.next_liq_id += 1;
            self.liq_runs.insert(id, run);
            self.recording.stress_from_ns.get_or_insert(self.now_ns);
            self.cancel_orders_of(id);
            self.schedule(self.now_ns, EventKind::LiqStep(id));
        }
        for id in stale {
            let acc = &mut self.accounts[id as usize];
            self.liq_index.reindex(id, acc, &self.margin);
        }
    }

    /// One step of the takeover of `id`.
    pub(crate) fn liquidation_step(&mut self, id: u32) {
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
        let fund_before = self.fund;

        let mut tally = StepTally::default();
        self.active_liq = Some((id, run.generation));
        let _ = self.book.limit(
            OwnerId(id),
            side,
            Price(limit),
            Qty(q),
            Tif::Ioc,
            &mut self.book_events,
        );
        let traded = self.settle_liquidation_fills(id, &mut tally);
        let remainder = q - tally.qty;
        let mut adl_qty = 0;
        if remainder > 0 {
            match self.engine.shortfall {
                Shortfall::Adl => {
                    adl_qty = self.deleverage(id, run.id, remainder);
                }
                Shortfall::SocializedLoss => {
                    let _ =
                        self.book
                            .market(OwnerId(id), side, Qty(remainder), &mut self.book_events);
                    self.settle_liquidation_fills(id, &mut tally);
                    self.socialize(id);
                }
            }
        }
        self.active_liq = None;
        self.ledger.fund_min = self.ledger.fund_min.min(self.fund);
        let c = &mut self.recording.counters;
        c.liquidation_steps += 1;
        self.recording.liquidations.push(LiquidationRecord {
            time_ns: self.now_ns,
            id: run.id,
            account: id,
            side: if side == Side::Sell {
                Side::Buy
            } else {
                Side::Sell
            },
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
            trigger: run.trigger,
            trigger_trade: run.trigger_trade,
            generation: run.generation,
        });
        if traded {
            self.mover = Trigger::Liquidation(run.id);
            self.mover_gen = Some(run.generation);
            self.mover_trade = Some(self.recording.counters.trades);
        }
        let pos = self.accounts[id as usize].pos;
        if pos == 0 {
            self.release(id, true);
        } else {
            let wait = if traded || adl_qty > 0 {
                self.engine.cooldown_ns
            } else {
                self.engine.cooldown_ns.max(1_000_000)
            };
            self.schedule(self.now_ns + wait, EventKind::LiqStep(id));
        }
        self.after_market_change();
    }

    /// Lots one step closes: a fraction of the position, or down to the next lower tier.
    fn step_qty_for(&self, acc: &crate::accounts::Account, mark: i64) -> i64 {
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
    fn step_limit(&self, acc: &crate::accounts::Account, q: i64) -> i64 {
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
    fn settle_liquidation_fills(&mut self, id: u32, tally: &mut StepTally) -> bool {
        debug_assert_eq!(self.active_liq.map(|(a, _)| a), Some(id));
        let fee_before = self.ledger.fees;
        let traded = self.settle_book_events();
        tally.fee += self.ledger.fees - fee_before;
        tally.qty += self.step_qty;
        tally.notional += self.step_notional;
        self.step_qty = 0;
        self.step_notional = 0;
        traded
    }

    /// Applies a trade to an account and keeps the open interest (sum of longs) current.
    fn trade(&mut self, id: u32, signed_qty: i64, value: i64) {
        let a = &mut self.accounts[id as usize];
        let before = a.pos.max(0);
        a.trade(signed_qty, value);
        self.dirty.push(id);
        self.ledger.open_interest += a.pos.max(0) - before;
    }

    /// Settles one fill into the two accounts. A fill of the account under liquidation is
    /// closed at its bankruptcy value with the fund taking the difference.
    pub(crate) fn settle_fill(&mut self, f: &Fill) {
        let value = f.price.0 * f.qty.0;
        let (buyer, seller) = match f.taker_side {
            Side::Buy => (f.taker_owner.0, f.maker_owner.0),
            Side::Sell => (f.maker_owner.0, f.taker_owner.0),
        };
        let liquidated = self
            .active_liq
            .map(|(a, _)| a)
            .filter(|&a| a == f.taker_owner.0);
        match liquidated {
            None => {
                self.trade(buyer, f.qty.0, value);
                self.trade(seller, -f.qty.0, value);
            }
            Some(id) => {
                let other = if buyer == id { seller } else { buyer };
                let sign = if buyer == id { 1 } else { -1 };
                self.trade(other, -sign * f.qty.0, value);
                let b = self.bankruptcy_value(id, f.qty.0);
                // The account pays (buying) or receives (selling) its bankruptcy value.
                self.trade(id, sign * f.qty.0, b);
                self.fund += if sign > 0 { b - value } else { value - b };
                self.charge_fee(id, value);
                self.step_qty += f.qty.0;
                self.step_notional += value;
            }
        }
        self.touched.push(buyer);
        self.touched.push(seller);
    }

    /// The bankruptcy value of `q` lots of `id`'s position, rounded in the fund's favour:
    /// what a long receives for them, or what a short pays.
    fn bankruptcy_value(&self, id: u32, q: i64) -> i64 {
        let acc = &self.accounts[id as usize];
        let (c, p, q) = (i128::from(acc.cash), i128::from(acc.pos), i128::from(q));
        if acc.pos > 0 {
            floor_div(-c * q, p).max(0) as i64
        } else {
            ceil_div(c * q, -p).max(0) as i64
        }
    }

    /// The liquidation fee on `notional`, out of the equity the account keeps at the mark.
    fn charge_fee(&mut self, id: u32, notional: i64) -> i64 {
        let mark = self.mark.value();
        let acc = &mut self.accounts[id as usize];
        let nominal = ceil_div(
            i128::from(notional) * i128::from(self.engine.fee_ppm),
            i128::from(PPM),
        );
        let fee = nominal.min(acc.equity(mark).max(0)) as i64;
        acc.cash -= fee;
        self.dirty.push(id);
        acc.fees_paid += fee;
        self.fund += fee;
        self.ledger.fees += fee;
        fee
    }

    /// Hands `qty` lots of the bankrupt `id` to opposite accounts ranked by profit × leverage,
    /// at the bankruptcy price. Returns the lots transferred.
    fn deleverage(&mut self, id: u32, liq: u32, qty: i64) -> i64 {
        let bankrupt_long = self.accounts[id as usize].pos > 0;
        let ranked = self.adl_queue(bankrupt_long);
        let mut left = qty;
        let mut cursor = 0;
        while left > 0 && cursor < ranked.len() {
            let (score, other) = ranked[cursor];
            cursor += 1;
            let opposite = self.accounts[other as usize].pos;
            // The queue may be up to a refresh old: skip accounts that have since closed.
            if other == id || opposite == 0 || (opposite > 0) == bankrupt_long {
                continue;
            }
            let take = left.min(opposite.abs());
            let price = MarginTable::bankruptcy_price(
                self.accounts[id as usize].cash,
                self.accounts[id as usize].pos,
            );
            let b = self.bankruptcy_value(id, take);
            let sign = if bankrupt_long { -1 } else { 1 };
            self.trade(id, sign * take, b);
            self.trade(other, -sign * take, b);
            self.touched.push(other);
            left -= take;
            self.recording.counters.adl_fills += 1;
            self.recording.adl.push(AdlRecord {
                time_ns: self.now_ns,
                liquidation: liq,
                bankrupt: id,
                counterparty: other,
                qty: take,
                price,
                score,
            });
        }
        self.adl_cache = Some(AdlCache {
            ranked,
            ..self.adl_cache.take().expect("built by adl_queue")
        });
        self.reindex_touched();
        qty - left
    }

    /// The ADL queue against a bankrupt long (or short): opposite accounts by descending
    /// score, ties on id. Ranking every account is O(accounts), so, as venues do, the queue is
    /// kept and refreshed at most every [`ADL_REFRESH_NS`].
    fn adl_queue(&mut self, bankrupt_long: bool) -> Vec<(f64, u32)> {
        if let Some(c) = self.adl_cache.as_mut() {
            if c.bankrupt_long == bankrupt_long && self.now_ns - c.computed_ns < ADL_REFRESH_NS {
                return std::mem::take(&mut c.ranked);
            }
        }
        let mark = self.mark.value();
        let mut ranked: Vec<(f64, u32)> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|&(_, a)| a.pos != 0 && (a.pos > 0) != bankrupt_long)
            .map(|(i, a)| (adl_score(a, mark), i as u32))
            .collect();
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        self.adl_cache = Some(AdlCache {
            computed_ns: self.now_ns,
            bankrupt_long,
            ranked: Vec::new(),
        });
        ranked
    }

    /// Shares a negative fund among the accounts in profit, in proportion to their profit.
    fn socialize(&mut self, id: u32) {
        if self.fund >= 0 {
            return;
        }
        let deficit = -self.fund;
        self.ledger.bad_debt += deficit;
        let mark = self.mark.value();
        let winners: Vec<(u32, i64)> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|&(i, a)| i as u32 != id && a.pos != 0)
            .map(|(i, a)| (i as u32, pnl(a, mark)))
            .filter(|&(_, p)| p > 0)
            .collect();
        let total: i128 = winners.iter().map(|&(_, p)| i128::from(p)).sum();
        if total == 0 {
            return;
        }
        let share_of = |p: i64| {
            (i128::from(deficit.min(total.min(i128::from(i64::MAX)) as i64)) * i128::from(p)
                / total) as i64
        };
        let mut collected = 0;
        for &(i, p) in &winners {
            let s = share_of(p);
            self.accounts[i as usize].cash -= s;
            self.dirty.push(i);
            self.touched.push(i);
            collected += s;
        }
        self.fund += collected;
        self.reindex_touched();
    }

    /// Ends the engine's hold on `id`.
    fn release(&mut self, id: u32, closed: bool) {
        self.liq_runs.remove(&id);
        let acc = &mut self.accounts[id as usize];
        acc.in_liquidation = false;
        if closed {
            acc.liquidations += 1;
        }
        self.liq_index.reindex(id, acc, &self.margin);
    }

    /// A deposit of `units` into an account: a declared flow.
    pub(crate) fn deposit(&mut self, id: u32, units: i64) {
        if units <= 0 {
            return;
        }
        self.accounts[id as usize].cash += units;
        self.dirty.push(id);
        self.ledger.deposits += units;
        self.recording.counters.deposits += 1;
        self.touched.push(id);
        self.reindex_touched();
        self.after_market_change();
    }

    /// Refreshes the liquidation-index key of every account touched since the last call.
    pub(crate) fn reindex_touched(&mut self) {
        while let Some(id) = self.touched.pop() {
            let acc = &mut self.accounts[id as usize];
            if acc.margin {
                self.liq_index.reindex(id, acc, &self.margin);
            }
        }
    }
}

/// Unrealised profit at the mark, units.
fn pnl(a: &crate::accounts::Account, mark: i64) -> i64 {
    (i128::from(a.pos) * i128::from(mark) - i128::from(a.entry_value)) as i64
}

/// BitMEX's ranking: PnL% × effective leverage when in profit, PnL% / leverage otherwise.
fn adl_score(a: &crate::accounts::Account, mark: i64) -> f64 {
    let entry = (a.entry_value as f64).abs().max(1.0);
    let pnl_pct = pnl(a, mark) as f64 / entry;
    let mark_value = (a.pos as f64 * mark as f64).abs();
    let equity = a.equity(mark) as f64;
    let lev = if a.margin && equity > 0.0 {
        mark_value / equity
    } else {
        1.0
    };
    if pnl_pct > 0.0 {
        pnl_pct * lev
    } else {
        pnl_pct / lev.max(1e-9)
    }
}
