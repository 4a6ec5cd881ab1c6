//! The insurance fund as a trader: it takes over what the book did not fill (Binance, Bybit,
//! BitMEX) or a whole account below the backstop threshold (Hyperliquid's vault), holds the
//! position in its own account, and works it off into the book on a clock.
//!
//! The fund is two ledger entries: its cash reserve (`Venue::fund`: fees, fill differences,
//! socialised refills) and, when the venue's rules let it hold positions, its trading account
//! (`accounts[fund]`, a plain non-margin account after the shock account): a takeover moves
//! lots from the bankrupt account to it at the bankruptcy value, as an ADL transfer would, and
//! its work-off orders are ordinary IOCs. What the tables call the insurance fund is its
//! equity at the mark: reserve + trading cash + position × mark.

use super::Venue;
use crate::accounts::Account;
use crate::margin::{ceil_div, floor_div, PPM};
use crate::record::Trigger;
use crate::recorder::Recorder;
use crate::scheduler::{EventKind, Scheduler};
use cascade_book::{OwnerId, Price, Qty, Side, Tif};

impl Venue {
    /// The fund's equity at the mark, units: its reserve plus its trading account.
    pub fn fund_equity(&self) -> i64 {
        match self.fund_acct {
            None => self.fund,
            Some(f) => {
                let acc = &self.accounts[f as usize];
                (i128::from(self.fund) + acc.equity(self.mark.value())) as i64
            }
        }
    }

    /// The fund's trading account, when the venue's rules give it one.
    pub fn fund_account(&self) -> Option<u32> {
        self.fund_acct
    }

    /// Notes the fund's equity for the ledger's minimum and the drawdown trigger's peak.
    pub(super) fn note_fund(&mut self) {
        let e = self.fund_equity();
        self.ledger.fund_min = self.ledger.fund_min.min(e);
    }

    /// True when the fund has fallen the rules' drawdown from its peak within the window
    /// (OKX, Bybit): ADL then fires instead of the fund or another step. The peak is the
    /// largest equity seen at a liquidation step or work-off within the window.
    pub(super) fn adl_forced(&mut self, now_ns: i64) -> bool {
        if self.engine.adl_drawdown_ppm == 0 {
            return false;
        }
        let e = self.fund_equity();
        // A deque of (time, equity) with decreasing equity: the front is the window's peak.
        while self.fund_peaks.back().is_some_and(|&(_, v)| v <= e) {
            self.fund_peaks.pop_back();
        }
        self.fund_peaks.push_back((now_ns, e));
        let window = self.engine.adl_window_ns;
        while self
            .fund_peaks
            .front()
            .is_some_and(|&(t, _)| t < now_ns.saturating_sub(window))
        {
            self.fund_peaks.pop_front();
        }
        let peak = self.fund_peaks.front().map_or(e, |&(_, v)| v).max(e);
        peak > 0
            && i128::from(peak - e) * i128::from(PPM)
                >= i128::from(peak) * i128::from(self.engine.adl_drawdown_ppm)
    }

    /// True when the account's equity is below the backstop share of its maintenance margin.
    pub(super) fn below_backstop(&self, acc: &Account, mark: i64) -> bool {
        if self.engine.backstop_ppm == 0 || self.fund_acct.is_none() {
            return false;
        }
        let notional = (i128::from(acc.pos.abs()) * i128::from(mark)).min(i128::from(i64::MAX));
        let mm_scaled = self.margin.maintenance_scaled(notional as i64);
        // equity < backstop × MM, with MM kept × 1e6 and the share in ppm.
        acc.equity(mark) * i128::from(PPM) * i128::from(PPM)
            < mm_scaled * i128::from(self.engine.backstop_ppm)
    }

    /// Whether the fund may hold `pos` lots with `cash` in its trading account: equity stays
    /// positive and the position's notional within the capacity multiple of it.
    fn fund_can_hold(&self, cash: i64, pos: i64, mark: i64) -> bool {
        let equity = i128::from(self.fund) + i128::from(cash) + i128::from(pos) * i128::from(mark);
        let notional = i128::from(pos.abs()) * i128::from(mark);
        equity > 0
            && notional * i128::from(PPM) <= equity * i128::from(self.engine.fund_capacity_ppm)
    }

    /// The backstop takes account `id` over whole — its position and its margin — if the
    /// fund can hold the result. Returns the lots taken over (0 when it cannot).
    pub(super) fn backstop_take(
        &mut self,
        id: u32,
        mark: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) -> i64 {
        let Some(f) = self.fund_acct else {
            return 0;
        };
        let acc = self.accounts[id as usize];
        let fund = self.accounts[f as usize];
        if !self.fund_can_hold(fund.cash + acc.cash, fund.pos + acc.pos, mark) {
            return 0;
        }
        let before = fund.pos.max(0) + acc.pos.max(0);
        {
            let to = &mut self.accounts[f as usize];
            to.cash += acc.cash;
            to.pos += acc.pos;
            to.entry_value += acc.entry_value;
        }
        let from = &mut self.accounts[id as usize];
        from.cash = 0;
        from.pos = 0;
        from.entry_value = 0;
        let after = self.accounts[f as usize].pos.max(0);
        self.ledger.open_interest += after - before;
        self.mark_dirty(id);
        self.mark_dirty(f);
        self.touched.push(id);
        self.reindex_touched();
        let lots = acc.pos.abs();
        rec.out.counters.fund_takeover_lots += lots as u64;
        rec.out.counters.backstop_takeovers += 1;
        self.schedule_workoff(clock);
        lots
    }

    /// The fund takes over up to `qty` lots of bankrupt `id` at the bankruptcy value, as many
    /// as it can hold. Returns the lots taken over.
    pub(super) fn fund_take(
        &mut self,
        id: u32,
        qty: i64,
        clock: &mut Scheduler,
        rec: &mut Recorder,
    ) -> i64 {
        let Some(f) = self.fund_acct else {
            return 0;
        };
        let holds = |v: &Self, k: i64| v.fund_can_take(id, k);
        // The largest k ≤ qty the fund can hold (holding more only lowers its equity per lot
        // taken past bankruptcy and raises its notional, so the test is monotone in k).
        let (mut lo, mut hi) = (0i64, qty.min(self.accounts[id as usize].pos.abs()));
        if holds(self, hi) {
            lo = hi;
        } else {
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if holds(self, mid) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        if lo == 0 {
            return 0;
        }
        let sign = if self.accounts[id as usize].pos > 0 {
            1
        } else {
            -1
        };
        let b = self.bankruptcy_value(id, lo);
        self.trade(id, -sign * lo, b);
        self.trade(f, sign * lo, b);
        self.touched.push(id);
        self.reindex_touched();
        rec.out.counters.fund_takeover_lots += lo as u64;
        self.schedule_workoff(clock);
        lo
    }

    /// Whether the fund could take `k` more lots of bankrupt `id` over at their bankruptcy
    /// value and still hold its position.
    pub(super) fn fund_can_take(&self, id: u32, k: i64) -> bool {
        let Some(f) = self.fund_acct else {
            return false;
        };
        let acc = &self.accounts[id as usize];
        if k > acc.pos.abs() {
            return false;
        }
        let sign = if acc.pos > 0 { 1 } else { -1 };
        let fund = &self.accounts[f as usize];
        let b = self.bankruptcy_value(id, k);
        self.fund_can_hold(fund.cash - sign * b, fund.pos + sign * k, self.mark.value())
    }

    fn schedule_workoff(&mut self, clock: &mut Scheduler) {
        if !self.workoff_scheduled {
            self.workoff_scheduled = true;
            clock.schedule(
                clock.now() + self.engine.workoff_ns,
                EventKind::FundWorkOff(self.id),
            );
        }
    }

    /// One work-off order of the fund: an IOC for its rules' share of its position, no
    /// further than the slippage limit beyond the mark. Its trades carry the causality of the
    /// takeover that gave the fund its position.
    pub(crate) fn fund_workoff(&mut self, clock: &mut Scheduler, rec: &mut Recorder) {
        self.workoff_scheduled = false;
        let Some(f) = self.fund_acct else {
            return;
        };
        let pos = self.accounts[f as usize].pos;
        if pos == 0 {
            return;
        }
        let total = pos.abs();
        let q = (ceil_div(
            i128::from(total) * i128::from(self.engine.workoff_ppm),
            i128::from(PPM),
        ) as i64)
            .clamp(1, total);
        let mark = i128::from(self.mark.value());
        let slip = i128::from(self.engine.workoff_slip_ppm) * 100;
        let scale = i128::from(PPM) * 100;
        let (side, limit) = if pos > 0 {
            (Side::Sell, ceil_div(mark * (scale - slip), scale).max(1))
        } else {
            (Side::Buy, floor_div(mark * (scale + slip), scale))
        };
        let limit = limit.min(i128::from(i64::MAX / 4)) as i64;
        if self
            .book
            .limit(
                OwnerId(f),
                side,
                Price(limit),
                Qty(q),
                Tif::Ioc,
                &mut self.book_events,
            )
            .is_err()
        {
            rec.out.counters.rejects += 1;
        }
        let traded = self.settle_book_events(clock.now(), rec);
        let filled = (pos - self.accounts[f as usize].pos).abs();
        rec.out.counters.fund_workoff_lots += filled as u64;
        if traded {
            match self.fund_origin {
                Some((liq, generation)) => {
                    self.moved_by_liquidation(liq, generation, clock.now());
                }
                None => {
                    self.mover = Trigger::Flow;
                    self.mover_import = false;
                    self.mover_gen = None;
                    self.link = None;
                }
            }
            self.mover_trade = Some(rec.out.counters.trades);
        }
        if self.accounts[f as usize].pos != 0 {
            self.schedule_workoff(clock);
        }
        self.note_fund();
        self.after_market_change(clock, rec);
    }
}
