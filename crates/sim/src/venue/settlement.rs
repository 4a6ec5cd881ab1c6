//! Settlement: fills into accounts, the trade tape and volumes, the liquidation fee, deposits,
//! and the liquidation-index keys of the accounts an operation touched.
//!
//! A fill of the account under liquidation is closed at its bankruptcy price (it loses the
//! margin on the closed part); the fund receives the difference between the fill and the
//! bankruptcy value — a surplus when the fill is better, a draw when it is worse — and a
//! liquidation fee on the closed notional out of whatever equity the account keeps. Every
//! transfer is an integer moved from one holder to another, so cash + fund only changes by
//! declared deposits.

use super::Venue;
use crate::margin::{ceil_div, floor_div, PPM};
use crate::record::Trade;
use crate::recorder::Recorder;
use crate::scheduler::Scheduler;
use cascade_book::{BookEvent, Fill, Side};

impl Venue {
    /// Books the trades of the last book operation: accounts, tape, volume. True if anything
    /// traded.
    pub(crate) fn settle_book_events(&mut self, now_ns: i64, rec: &mut Recorder) -> bool {
        let mut traded = false;
        for i in 0..self.book_events.len() {
            match self.book_events[i] {
                BookEvent::Fill(f) => {
                    traded = true;
                    self.settle_fill(&f);
                    self.tally_fill(&f, now_ns, rec);
                }
                BookEvent::SelfTradeCancel { .. } => {
                    rec.out.counters.self_trade_cancels += 1;
                }
            }
        }
        self.book_events.clear();
        self.reindex_touched();
        traded
    }

    /// The market's figures and the tape for one fill.
    fn tally_fill(&mut self, f: &Fill, now_ns: i64, rec: &mut Recorder) {
        self.market.last_price = f.price;
        self.last_trade_ns = Some(now_ns);
        self.market.cum_volume += f.qty.0;
        match f.taker_side {
            Side::Buy => self.market.cum_taker_buy += f.qty.0,
            Side::Sell => self.market.cum_taker_sell += f.qty.0,
        }
        self.interval_volume += f.qty.0;
        self.interval_trades += 1;
        let c = &mut rec.out.counters;
        c.trades += 1;
        c.volume += f.qty.0;
        rec.tape(Trade {
            time_ns: now_ns,
            price: f.price,
            qty: f.qty,
            taker_side: f.taker_side,
            maker_order: f.maker,
            taker_order: f.taker,
            maker: f.maker_owner,
            taker: f.taker_owner,
        });
    }

    /// Applies a trade to an account and keeps the open interest (sum of longs) current.
    pub(super) fn trade(&mut self, id: u32, signed_qty: i64, value: i64) {
        let a = &mut self.accounts[id as usize];
        let before = a.pos.max(0);
        a.trade(signed_qty, value);
        self.ledger.open_interest += a.pos.max(0) - before;
        self.mark_dirty(id);
    }

    /// Settles one fill into the two accounts. A fill of the account under liquidation is
    /// closed at its bankruptcy value with the fund taking the difference.
    fn settle_fill(&mut self, f: &Fill) {
        let value = (f.price * f.qty).0;
        let (buyer, seller) = match f.taker_side {
            Side::Buy => (f.taker_owner.0, f.maker_owner.0),
            Side::Sell => (f.maker_owner.0, f.taker_owner.0),
        };
        let liquidated = self
            .active_liq
            .map(|(a, _)| a)
            .filter(|&a| a == f.taker_owner.0);
        // A step order resting in the book (BitMEX) fills as a maker, outside its step.
        let resting = liquidated.is_none()
            && self.accounts[f.maker_owner.0 as usize].in_liquidation()
            && self
                .liq_runs
                .get(&f.maker_owner.0)
                .is_some_and(|r| r.resting == Some(f.maker));
        let liquidated = liquidated.or(resting.then_some(f.maker_owner.0));
        match liquidated {
            None => {
                self.trade(buyer, f.qty.0, value);
                self.trade(seller, -f.qty.0, value);
                if !self.fees.is_zero() {
                    let taker = self.trading_fee(f.taker_owner.0, value, self.fees.taker_ppm);
                    self.ledger.taker_fees += taker;
                    let maker = self.trading_fee(f.maker_owner.0, value, self.fees.maker_ppm);
                    self.ledger.maker_fees += maker;
                }
            }
            Some(id) => {
                let other = if buyer == id { seller } else { buyer };
                let sign = if buyer == id { 1 } else { -1 };
                self.trade(other, -sign * f.qty.0, value);
                let b = self.bankruptcy_value(id, f.qty.0);
                // The account pays (buying) or receives (selling) its bankruptcy value, or,
                // where the trader keeps the margin left, the fill when it is better.
                let own = match (self.engine.surplus_to_fund, sign > 0) {
                    (true, _) => b,
                    (false, true) => b.min(value),
                    (false, false) => b.max(value),
                };
                self.trade(id, sign * f.qty.0, own);
                let to_fund = if sign > 0 { own - value } else { value - own };
                self.fund += to_fund;
                // The liquidation fee replaces the taker fee (Binance's clearance fee does);
                // the other side pays its trading fee as on any fill: the maker fee against
                // a step's IOC, the taker fee against a step order resting in the book.
                let fee = self.charge_fee(id, value);
                if !self.fees.is_zero() {
                    if resting {
                        let taker = self.trading_fee(other, value, self.fees.taker_ppm);
                        self.ledger.taker_fees += taker;
                    } else {
                        let maker = self.trading_fee(other, value, self.fees.maker_ppm);
                        self.ledger.maker_fees += maker;
                    }
                }
                if resting {
                    if let Some(run) = self.liq_runs.get_mut(&id) {
                        run.pending.qty += f.qty.0;
                        run.pending.notional += value;
                        run.pending.fee += fee;
                        run.pending.fund += to_fund + fee;
                    }
                } else {
                    self.step_qty += f.qty.0;
                    self.step_notional += value;
                }
            }
        }
        self.touched.push(buyer);
        self.touched.push(seller);
    }

    /// The bankruptcy value of `q` lots of `id`'s position, rounded in the fund's favour:
    /// what a long receives for them, or what a short pays.
    pub(super) fn bankruptcy_value(&self, id: u32, q: i64) -> i64 {
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
        acc.fees_paid += fee;
        self.mark_dirty(id);
        self.fund += fee;
        self.ledger.fees += fee;
        fee
    }

    /// A trading fee of `ppm` on `notional` from account `id` to the venue's fee pool; a
    /// negative rate is a rebate from the pool. Rounded in the venue's favour (a fee up, a
    /// rebate down), so with maker + taker ≥ 0 no fill takes from the pool.
    fn trading_fee(&mut self, id: u32, notional: i64, ppm: i64) -> i64 {
        if ppm == 0 {
            return 0;
        }
        let exact = i128::from(notional) * i128::from(ppm.abs());
        let fee = if ppm > 0 {
            ceil_div(exact, i128::from(PPM)) as i64
        } else {
            -(floor_div(exact, i128::from(PPM)) as i64)
        };
        let acc = &mut self.accounts[id as usize];
        acc.cash -= fee;
        acc.trading_fees += fee;
        self.fee_pool += fee;
        self.mark_dirty(id);
        fee
    }

    /// A deposit of `units` into an account: a declared flow.
    pub(crate) fn deposit(
        &mut self,
        id: u32,
        units: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) {
        if units <= 0 {
            return;
        }
        self.accounts[id as usize].cash += units;
        self.mark_dirty(id);
        self.ledger.deposits += units;
        rec.out.counters.deposits += 1;
        self.touched.push(id);
        self.reindex_touched();
        self.after_market_change(clock, rec);
    }

    /// Refreshes the liquidation-index key of every account touched since the last call.
    pub(super) fn reindex_touched(&mut self) {
        while let Some(id) = self.touched.pop() {
            let acc = &mut self.accounts[id as usize];
            if acc.margin {
                self.liq_index.reindex(id, acc, &self.margin);
            }
        }
    }
}
