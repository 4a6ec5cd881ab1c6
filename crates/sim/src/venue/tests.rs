//! The liquidation engine worked by hand: a venue with a few accounts, a book set up order by
//! order, the index as the mark, and every figure checked to the unit.
//!
//! One unit is one tick × one lot (unit_quote 1), so a fill of q lots at p ticks is worth p·q
//! units. A long of 10 lots entered at 100 with 100 units of collateral has cash −900 and goes
//! bankrupt at 90.

use super::*;
use crate::record::LiquidationRecord;
use crate::scenario::{Execution, MarginSpec, MarkSpec, Shortfall, StepMode, Tier};
use crate::scheduler::EventKind;
use cascade_book::{Side, Tif};

/// A venue and the two parts it talks to.
struct Bench {
    v: Venue,
    clock: Scheduler,
    rec: Recorder,
}

/// Engine settings: no fee unless given, full steps, no cooldown.
fn engine(shortfall: Shortfall, execution: Execution, fund: i64) -> EngineConfig {
    EngineConfig {
        enabled: true,
        step_ppm: 1_000_000,
        step_mode: StepMode::Fraction,
        cooldown_ns: 0,
        execution,
        fee_ppm: 0,
        fund_start: fund,
        shortfall,
    }
}

/// One tier: maintenance 5% (a 10-lot long with cash −900 is liquidatable below 94.74).
fn one_tier() -> Vec<Tier> {
    vec![Tier {
        notional_cap: 1e12,
        max_leverage: 10.0,
        maintenance_rate: 0.05,
    }]
}

fn short(cash: i64, lots: i64, entry_value: i64) -> Account {
    let mut a = Account::margin(cash, -lots);
    a.entry_value = -entry_value;
    a
}

fn long(cash: i64, lots: i64, entry_value: i64) -> Account {
    let mut a = Account::margin(cash, lots);
    a.entry_value = entry_value;
    a
}

impl Bench {
    fn new(accounts: Vec<Account>, engine: EngineConfig, tiers: Vec<Tier>) -> Self {
        let market = MarketState {
            last_price: Price(100),
            mark: Price(100),
            index: Some(100.0),
            vol_bps: 0.0,
            cum_volume: 0,
            cum_taker_buy: 0,
            cum_taker_sell: 0,
            funding_rate: 0.0,
            predicted_funding_rate: 0.0,
            next_funding_ns: 0,
        };
        let n = accounts.len() as u32;
        let mut v = Venue::new(
            VenueId(0),
            accounts,
            MarginTable::new(&MarginSpec { tiers }, 1.0),
            engine,
            Mark::new(&MarkSpec::Index, 100),
            market,
            Some(100.0),
        );
        v.touched.extend(0..n);
        v.reindex_touched();
        Self {
            v,
            clock: Scheduler::new(1_000_000_000_000, 16),
            rec: Recorder::new(1_000_000_000, 1_000_000_000_000, 1.0),
        }
    }

    /// A resting bid of `owner`.
    fn bid(&mut self, owner: u32, price: i64, qty: i64) {
        let order = Action::Limit {
            side: Side::Buy,
            price: Price(price),
            qty: Qty(qty),
            tif: Tif::Gtc,
        };
        let rested = self.v.enter(owner, order, &mut self.clock, &mut self.rec);
        assert!(rested.is_some(), "the bid rests");
    }

    /// Moves the index (the mark) to `price` and runs the engine's steps until `until_ns`.
    fn mark_to(&mut self, price: i64, until_ns: i64) -> &[LiquidationRecord] {
        self.v.set_index(price as f64);
        self.v.after_market_change(&mut self.clock, &mut self.rec);
        while let Some(kind) = self.clock.pop_until(until_ns) {
            if let EventKind::LiqStep(_, id) = kind {
                self.v.liquidation_step(id, &mut self.clock, &mut self.rec);
            }
        }
        &self.rec.out.liquidations
    }

    fn cash(&self, id: usize) -> i64 {
        self.v.accounts[id].cash
    }

    fn pos(&self, id: usize) -> i64 {
        self.v.accounts[id].pos
    }
}

#[test]
fn the_fee_and_the_fill_difference_go_to_the_fund_surplus_then_draw() {
    // Account 0: the long; account 1: a maker bidding 4 @ 93 and 6 @ 89. Fee 1%, fund 1,000:
    // in market mode the fund covers any price, so the IOC sweeps both levels.
    let mut e = engine(Shortfall::Adl, Execution::Market, 1_000);
    e.fee_ppm = 10_000;
    let mut b = Bench::new(
        vec![long(-900, 10, 1_000), Account::default()],
        e,
        one_tier(),
    );
    b.bid(1, 93, 4);
    b.bid(1, 89, 6);
    let steps = b.mark_to(94, 0).to_vec();
    assert_eq!(steps.len(), 1);
    let s = steps[0];
    // Fill 1: 4 @ 93 = 372 against a bankruptcy value of ⌊900·4/10⌋ = 360: surplus +12.
    //   Fee ⌈3.72⌉ = 4, out of the equity the account keeps at the mark (−540 + 6·94 = 24).
    // Fill 2: 6 @ 89 = 534 against ⌊544·6/6⌋ = 544: a draw of 10. Fee 0: no equity left.
    assert_eq!((s.book_qty, s.adl_qty, s.notional), (10, 0, 906));
    assert_eq!(s.fee, 4);
    assert_eq!(s.fund_change, 12 + 4 - 10);
    assert_eq!(b.v.fund(), 1_006);
    assert_eq!(
        (b.cash(0), b.pos(0)),
        (0, 0),
        "closed at bankruptcy, fee paid"
    );
    assert_eq!((b.cash(1), b.pos(1)), (-906, 10));
    assert_eq!(b.v.ledger().fees, 4);
    assert_eq!(b.v.bad_debt(), 0);
    assert_eq!(s.bankruptcy_price, 90.0);
}

#[test]
fn ioc_at_bankruptcy_leaves_worse_bids_alone() {
    // The only bid is below the bankruptcy price: nothing trades in the book, ADL closes all.
    let e = engine(Shortfall::Adl, Execution::IocAtBankruptcy, 0);
    let accounts = vec![
        long(-900, 10, 1_000),
        Account::default(),
        short(1_200, 10, 1_000),
    ];
    let mut b = Bench::new(accounts, e, one_tier());
    b.bid(1, 89, 10);
    let s = b.mark_to(94, 0)[0];
    assert_eq!((s.book_qty, s.adl_qty, s.fund_change), (0, 10, 0));
    assert_eq!(
        b.v.book().l1().bid.map(|l| l.0),
        Some(Price(89)),
        "the bid still rests"
    );
}

#[test]
fn adl_takes_the_highest_profit_times_leverage_first_ties_to_the_lower_id() {
    // No bids: the whole long goes to ADL at its bankruptcy price (90). At mark 94 every
    // short below is 6% in profit; leverage = 94·lots / equity:
    //   1: 3 lots, equity 400−282 = 118 → 2.39 → score 0.143
    //   2: 3 lots, equity 330−282 = 48  → 5.88 → score 0.353
    //   3: as 1                                  → score 0.143 (tie: after 1)
    //   4: 1 lot,  equity 300−94 = 206  → 0.46 → score 0.027
    let e = engine(Shortfall::Adl, Execution::IocAtBankruptcy, 0);
    let accounts = vec![
        long(-900, 10, 1_000),
        short(400, 3, 300),
        short(330, 3, 300),
        short(400, 3, 300),
        short(300, 1, 100),
    ];
    let mut b = Bench::new(accounts, e, one_tier());
    let s = b.mark_to(94, 0)[0];
    assert_eq!((s.book_qty, s.adl_qty), (0, 10));
    let order: Vec<(u32, i64)> = b
        .rec
        .out
        .adl
        .iter()
        .map(|a| (a.counterparty, a.qty))
        .collect();
    assert_eq!(order, vec![(2, 3), (1, 3), (3, 3), (4, 1)]);
    assert!(b
        .rec
        .out
        .adl
        .iter()
        .all(|a| a.price == 90.0 && a.bankrupt == 0));
    let scores: Vec<f64> = b.rec.out.adl.iter().map(|a| a.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Each counterparty buys back at the bankruptcy value: ⌊900·q/10⌋ for q of the 10 lots,
    // taken in turn from what is left (3 → 270, then 3 of 7 with cash −630 → 270, …).
    assert_eq!((b.cash(2), b.pos(2)), (330 - 270, 0));
    assert_eq!((b.cash(1), b.pos(1)), (400 - 270, 0));
    assert_eq!((b.cash(3), b.pos(3)), (400 - 270, 0));
    assert_eq!((b.cash(4), b.pos(4)), (300 - 90, 0));
    assert_eq!((b.cash(0), b.pos(0)), (0, 0));
    assert_eq!(b.v.fund(), 0, "ADL at bankruptcy costs the fund nothing");
}

#[test]
fn socialised_loss_collects_the_deficit_to_the_unit_by_the_largest_remainder() {
    // Fund 0; the only bid is 10 @ 86, below bankruptcy (90): the market order closes the long
    // for 860 against a bankruptcy value of 900, a deficit of 40. Winners at mark 94:
    //   1: short 4 from 100 → profit 24;  2, 3: short 3 from 100 → 18 each;
    //   5: the maker, long 10 bought at 86 → profit 80.           Total 140.
    // Exact shares 40·p/140 = 6.86, 5.14, 5.14, 22.86 → floors 6, 5, 5, 22 (38); the two units
    // left go to the largest remainders (1 and 5, equal): 7, 5, 5, 23.
    let e = engine(Shortfall::SocializedLoss, Execution::Market, 0);
    let accounts = vec![
        long(-900, 10, 1_000),
        short(1_400, 4, 400),
        short(1_300, 3, 300),
        short(1_300, 3, 300),
        Account::default(),
        Account::default(),
    ];
    let mut b = Bench::new(accounts, e, one_tier());
    b.bid(5, 86, 10);
    let s = b.mark_to(94, 0)[0];
    assert_eq!((s.book_qty, s.adl_qty, s.notional), (10, 0, 860));
    assert_eq!(s.socialized, 40);
    assert_eq!(s.fund_change, -40 + 40);
    assert_eq!(
        [b.cash(1), b.cash(2), b.cash(3), b.cash(5)],
        [1_400 - 7, 1_300 - 5, 1_300 - 5, -860 - 23]
    );
    assert_eq!(b.v.fund(), 0);
    assert_eq!(
        b.v.bad_debt(),
        40,
        "bad debt = collected + carried, to the unit"
    );
    assert_eq!(b.v.finish().bad_debt, 40);
}

#[test]
fn fraction_steps_close_a_share_and_wait_the_cooldown() {
    // Steps of 25% (rounded up), 2 s apart; plenty of bids at 93.
    let mut e = engine(Shortfall::Adl, Execution::Market, 0);
    e.step_ppm = 250_000;
    e.cooldown_ns = 2_000_000_000;
    let mut b = Bench::new(
        vec![long(-900, 10, 1_000), Account::default()],
        e,
        one_tier(),
    );
    b.bid(1, 93, 100);
    let steps = b.mark_to(94, 3_999_999_999).to_vec();
    let got: Vec<(i64, i64)> = steps.iter().map(|s| (s.time_ns, s.book_qty)).collect();
    // ⌈10/4⌉ = 3 at 0 s, ⌈7/4⌉ = 2 at 2 s; the third step waits for 4 s.
    assert_eq!(got, vec![(0, 3), (2_000_000_000, 2)]);
    assert_eq!(b.pos(0), 5);
    assert_eq!(b.clock.peek_time(), Some(4_000_000_000));
}

#[test]
fn down_one_tier_steps_keep_the_lower_tiers_cap() {
    // Tier 0 up to 500 units of notional, tier 1 above. At 94 the 10 lots are 940 units: one
    // step keeps ⌊500/94⌋ = 5 lots and closes the other 5.
    let mut e = engine(Shortfall::Adl, Execution::Market, 0);
    e.step_mode = StepMode::DownOneTier;
    e.cooldown_ns = 1_000_000_000;
    let tiers = vec![
        Tier {
            notional_cap: 500.0,
            max_leverage: 20.0,
            maintenance_rate: 0.05,
        },
        Tier {
            notional_cap: 1e12,
            max_leverage: 10.0,
            maintenance_rate: 0.10,
        },
    ];
    let mut b = Bench::new(vec![long(-900, 10, 1_000), Account::default()], e, tiers);
    b.bid(1, 93, 100);
    let first = b.mark_to(94, 0)[0];
    assert_eq!(first.book_qty, 5);
    assert_eq!(b.pos(0), 5);
}

#[test]
fn a_step_that_cannot_fill_is_handed_to_adl_after_the_retry_bound() {
    // Socialised loss and no bids at all: the book closes nothing. The venue waits
    // MAX_DRY_STEPS steps (1 ms apart, the floor when nothing happened), then transfers the
    // remainder by ADL instead of retrying forever.
    let e = engine(Shortfall::SocializedLoss, Execution::Market, 0);
    let accounts = vec![long(-900, 10, 1_000), short(1_200, 10, 1_000)];
    let mut b = Bench::new(accounts, e, one_tier());
    let steps = b.mark_to(94, 10_000_000_000).to_vec();
    let got: Vec<(i64, i64, i64)> = steps
        .iter()
        .map(|s| (s.time_ns, s.book_qty, s.adl_qty))
        .collect();
    let mut want: Vec<(i64, i64, i64)> = (0..i64::from(MAX_DRY_STEPS) - 1)
        .map(|k| (k * 1_000_000, 0, 0))
        .collect();
    want.push((i64::from(MAX_DRY_STEPS - 1) * 1_000_000, 0, 10));
    assert_eq!(got, want);
    assert_eq!((b.pos(0), b.pos(1)), (0, 0));
    assert_eq!(b.clock.peek_time(), None, "nothing left to retry");
}

#[test]
fn the_bankruptcy_value_rounds_in_the_funds_favour() {
    // A long of 3 lots with cash −250 goes bankrupt at 83⅓. A step of 30% closes ⌈0.9⌉ = 1 lot
    // against a bid at 86: the long receives ⌊250/3⌋ = 83 (not 84), the fund keeps 86 − 83 = 3.
    let mut e = engine(Shortfall::Adl, Execution::Market, 0);
    e.step_ppm = 300_000;
    e.cooldown_ns = 1_000_000_000;
    let mut b = Bench::new(vec![long(-250, 3, 300), Account::default()], e, one_tier());
    b.bid(1, 86, 1);
    let s = b.mark_to(87, 0)[0];
    assert_eq!((s.book_qty, s.notional, s.fee), (1, 86, 0));
    assert_eq!(s.fund_change, 3);
    assert_eq!((b.cash(0), b.pos(0)), (-250 + 83, 2));
}

#[test]
fn a_negative_bankruptcy_price_is_recorded_as_what_the_ledger_did() {
    // A short of 10 whose cash went negative (−100) is past bankruptcy at any price: its
    // bankruptcy price −10 would mean the long taking it over is paid 100. The ledger clamps the
    // value to 0, and the ADL and liquidation records say 0, not −10.
    let e = engine(Shortfall::Adl, Execution::IocAtBankruptcy, 0);
    let accounts = vec![short(-100, 10, 1_000), long(-400, 10, 1_000)];
    let mut b = Bench::new(accounts, e, one_tier());
    let s = b.mark_to(100, 0)[0];
    assert_eq!((s.book_qty, s.adl_qty), (0, 10));
    assert_eq!(s.bankruptcy_price, 0.0);
    let adl = b.rec.out.adl[0];
    assert_eq!((adl.counterparty, adl.qty, adl.price), (1, 10, 0.0));
    assert_eq!(
        (b.cash(1), b.pos(1)),
        (-400, 0),
        "the long sold its 10 lots for 0"
    );
    assert_eq!((b.cash(0), b.pos(0)), (-100, 0));
}
