//! The venue rules beside the liquidation engine worked by hand: the initial-margin gate, maker
//! and taker fees (a maker rebate), and a funding round paid through the ledger, each checked
//! to the unit and against the audit.
//!
//! One unit is one tick × one lot (unit_quote 1); the mark is the index.

use super::*;
use crate::audit::Audit;
use crate::scenario::{MarginSpec, MarkSpec, PremiumSource, Tier};
use crate::scheduler::EventKind;
use cascade_book::Tif;

struct Bench {
    v: Venue,
    clock: Scheduler,
    rec: Recorder,
    orders: OrderList,
}

impl Bench {
    /// A venue at mark = index = `mark` ticks with `accounts`, one tier of 10x (initial 10%,
    /// maintenance 5%), and `rules`.
    fn new(accounts: Vec<Account>, mark: i64, rules: VenueRules) -> Self {
        let market = MarketState::opening(Price(mark), Some(mark as f64));
        let tiers = vec![Tier {
            notional_cap: 1e12,
            max_leverage: 10.0,
            maintenance_rate: 0.05,
        }];
        let mut clock = Scheduler::new(1_000_000_000_000, 16);
        let v = Venue::new(
            VenueId(0),
            accounts,
            MarginTable::new(&MarginSpec { tiers }, 1.0),
            EngineConfig::new(&crate::scenario::Preset::Custom.liquidation(), 1.0),
            Mark::new(&MarkSpec::Index, mark),
            market,
            Some(mark as f64),
        )
        .with_rules(&rules, &mut clock);
        Self {
            v,
            clock,
            rec: Recorder::new(1_000_000_000, 1_000_000_000_000, 1.0),
            orders: OrderList::new(4),
        }
    }

    /// `owner`'s order through the gate; a resting part is remembered as the owner's.
    fn send(&mut self, owner: u32, side: Side, price: Option<i64>, qty: i64) -> Option<OrderId> {
        let action = match price {
            Some(p) => Action::Limit {
                side,
                price: Price(p),
                qty: Qty(qty),
                tif: Tif::Gtc,
            },
            None => Action::Market {
                side,
                qty: Qty(qty),
            },
        };
        let rested =
            self.v
                .enter_gated(owner, action, &self.orders, &mut self.clock, &mut self.rec);
        if let Some(id) = rested {
            if owner == 0 {
                self.orders.push(id);
            }
        }
        rested
    }
}

fn gated() -> VenueRules {
    VenueRules {
        gate: true,
        unit_quote: 1.0,
        ..VenueRules::default()
    }
}

#[test]
fn the_gate_counts_resting_orders_of_the_same_side_and_lets_reductions_through() {
    // Account 0: margin, 100 units, flat; equity 100 covers 1,000 units of notional at 10x.
    // Account 1: a maker without margin offering 100 lots at 100.
    let mut b = Bench::new(
        vec![Account::margin(100, 0), Account::default()],
        100,
        gated(),
    );
    b.send(1, Side::Sell, Some(100), 100)
        .expect("the ask rests");
    // A bid of 5 at 90 rests: exposure 5 lots × mark 100 = 500, initial 50 ≤ 100.
    assert!(b.send(0, Side::Buy, Some(90), 5).is_some());
    // A market buy of 6 counts the resting 5: 11 lots, 1,100, initial 110 > 100: refused.
    b.send(0, Side::Buy, None, 6);
    assert_eq!(b.rec.out.counters.rejected_margin, 1);
    assert_eq!(b.v.accounts[0].pos, 0, "nothing traded");
    // 5 more: 10 lots, initial exactly 100: it fills at 100.
    b.send(0, Side::Buy, None, 5);
    assert_eq!((b.v.accounts[0].pos, b.v.accounts[0].cash), (5, -400));
    // Equity is still 100 (−400 + 5 × 100), the resting bid 5: another lot is refused …
    b.send(0, Side::Buy, None, 1);
    assert_eq!(b.rec.out.counters.rejected_margin, 2);
    // … a sell that only reduces passes whatever the margin, and the maker is never gated.
    b.send(0, Side::Sell, Some(100), 5);
    b.send(1, Side::Buy, None, 50);
    assert_eq!(b.rec.out.counters.rejected_margin, 2);
    assert_eq!(
        b.rec.out.counters.rejects, 2,
        "the gate's refusals are rejects too"
    );
}

#[test]
fn fees_go_to_the_pool_a_maker_rebate_comes_out_of_it_rounded_for_the_venue() {
    let rules = VenueRules {
        fees: FeeRules {
            maker_ppm: -100,
            taker_ppm: 500,
        },
        unit_quote: 1.0,
        ..VenueRules::default()
    };
    let mut b = Bench::new(vec![Account::default(), Account::default()], 1003, rules);
    b.v.track_dirty(true);
    let mut audit = Audit::new(&b.v);
    b.send(0, Side::Sell, Some(1003), 70).expect("rests");
    // Account 1 takes 70 @ 1003 = 70,210 units: taker fee ⌈35.105⌉ = 36, maker rebate
    // ⌊7.021⌋ = 7; the pool keeps 29.
    b.send(1, Side::Buy, None, 70);
    assert_eq!(b.v.accounts[1].cash, -70_210 - 36);
    assert_eq!(b.v.accounts[0].cash, 70_210 + 7);
    assert_eq!(
        (b.v.accounts[1].trading_fees, b.v.accounts[0].trading_fees),
        (36, -7)
    );
    assert_eq!(b.v.fee_pool, 29);
    assert_eq!((b.v.ledger.taker_fees, b.v.ledger.maker_fees), (36, -7));
    audit.check_event(&b.v, 1).expect("the event nets out");
    audit.ledger_holds(&b.v).expect("the ledger holds");
    // Taking a unit from the pool without an account paying it breaks the audit.
    b.v.fee_pool -= 1;
    b.v.accounts[0].cash += 1;
    b.v.dirty_for_test(0);
    assert!(
        audit.check_event(&b.v, 2).is_ok(),
        "cash and pool still net out …"
    );
    let e = audit.ledger_holds(&b.v).unwrap_err();
    assert!(
        e.contains("trading fees"),
        "… but not against the fees paid: {e}"
    );
}

fn funding_rules() -> VenueRules {
    VenueRules {
        funding: Some(FundingRules {
            interval_s: 100.0,
            pay_every_s: 100.0,
            premium_sample_s: 10.0,
            premium: PremiumSource::Mid,
            interest_bps: 1.0,
            band_bps: 5.0,
            cap_bps: 30.0,
        }),
        unit_quote: 1.0,
        ..VenueRules::default()
    }
}

fn holding(pos: i64) -> Account {
    let mut a = Account::default();
    a.pos = pos;
    a
}

#[test]
fn a_funding_round_moves_each_share_through_the_ledger_and_sums_to_zero() {
    // Longs 3 and 4 lots, shorts 5 and 2, mark 10,001. No premium sample: F = the interest,
    // 1 bp = 100,000 ppb. Exact shares −3.0003, −4.0004, +5.0005, +2.0002 floor to −4, −5,
    // 5, 2; the two units left go to the largest remainders (0.9997, 0.9996): −3, −4, 5, 2.
    let accounts = vec![holding(3), holding(4), holding(-5), holding(-2), holding(0)];
    let mut b = Bench::new(accounts, 10_001, funding_rules());
    b.v.ledger.open_interest = 7;
    b.v.track_dirty(true);
    let mut audit = Audit::new(&b.v);
    assert_eq!(
        b.clock.pop_until(i64::MAX),
        Some(EventKind::FundingSample(VenueId(0)))
    );
    b.v.funding_sample(&mut b.clock);
    b.v.funding_pay(&mut b.clock, &mut b.rec);
    let cash: Vec<i64> = b.v.accounts.iter().map(|a| a.cash).collect();
    assert_eq!(cash, vec![-3, -4, 5, 2, 0]);
    let funding: Vec<i64> = b.v.accounts.iter().map(|a| a.funding).collect();
    assert_eq!(funding, cash);
    audit.check_event(&b.v, 1).expect("the round nets out");
    audit.ledger_holds(&b.v).expect("the ledger holds");
    let stats = b.v.funding_stats().unwrap();
    assert_eq!(
        (stats.payments, stats.rate_max_abs_ppb, stats.transferred),
        (1, 100_000, 7)
    );
    assert!((b.v.market.funding_rate - 0.0001).abs() < 1e-15);
    // One unit of funding that nobody paid is caught by the full audit.
    b.v.accounts[4].funding += 1;
    let e = audit.ledger_holds(&b.v).unwrap_err();
    assert!(e.contains("funding"), "{e}");
}

#[test]
fn the_premium_average_sets_the_rate_and_the_mark_reads_the_basis() {
    // Mid 10,030 against the index 10,000 (30 bps) from a book of accounts 0 and 1; half the
    // interval paid per round. F = 30 + clamp(1 − 30, ±5) = 25 bps; a round pays 12.5 bps.
    let mut rules = funding_rules();
    if let Some(f) = rules.funding.as_mut() {
        f.pay_every_s = 50.0;
    }
    let accounts = vec![holding(0), holding(0), holding(10), holding(-10)];
    let mut b = Bench::new(accounts, 10_000, rules);
    b.send(0, Side::Buy, Some(10_020), 1);
    b.send(1, Side::Sell, Some(10_040), 1);
    b.v.funding_sample(&mut b.clock);
    assert!((b.v.market.predicted_funding_rate - 0.0025).abs() < 1e-12);
    // The basis P1 and a fair price read: F × τ / interval, τ = 50 s of 100 at t = 0.
    let f = b.v.funding.as_ref().unwrap();
    assert!((f.basis(0) - 0.00125).abs() < 1e-12);
    b.v.funding_pay(&mut b.clock, &mut b.rec);
    // 10 lots × 10,000 × 12.5 bps = 125 units from the long to the short.
    assert_eq!((b.v.accounts[2].cash, b.v.accounts[3].cash), (-125, 125));
    let (rate, premium) = b.v.funding_row().unwrap();
    assert_eq!(premium, 3_000_000, "the last premium, 30 bps in ppb");
    assert_eq!(rate, 100_000, "no sample since the payment: the interest");
}
