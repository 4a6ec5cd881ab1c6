//! The book against a deliberately naive reference book, over random operation sequences.
//!
//! The reference keeps resting orders in one `Vec` and finds everything by linear scan: slow
//! and obviously right. After every operation the two books must agree on the outcome, the
//! events, the resting orders in priority order and every market-data query; the real book
//! must never be crossed and must conserve quantity.

use std::collections::HashMap;

use cascade_book::{
    Book, BookError, BookEvent, OrderId, OrderView, OwnerId, Price, Qty, Side, Submitted, Tif, L1,
};
use proptest::prelude::*;

// ---- the reference ----------------------------------------------------------------------------

/// A resting order of the reference. `handle` is the order's submission number.
#[derive(Clone, Debug)]
struct Resting {
    handle: usize,
    owner: OwnerId,
    side: Side,
    price: i64,
    qty: i64,
    /// When the order (re-)entered its level: lower goes first at equal price.
    seq: u64,
}

/// An event with handles as submission numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
    Fill {
        maker: usize,
        taker: usize,
        maker_owner: u32,
        taker_owner: u32,
        side: Side,
        price: i64,
        qty: i64,
        done: bool,
    },
    SelfTradeCancel {
        id: usize,
        owner: u32,
        qty: i64,
    },
}

/// An outcome with the handle as a submission number; errors by kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Done {
        handle: usize,
        filled: i64,
        resting: i64,
        cancelled: i64,
    },
    Cancelled(i64),
    Refused(&'static str),
}

#[derive(Default)]
struct Naive {
    orders: Vec<Resting>,
    next_seq: u64,
    next_handle: usize,
}

impl Naive {
    /// Index in `orders` of the order a taker of `side` meets first.
    fn best_opposite(&self, side: Side) -> Option<usize> {
        let candidates = self
            .orders
            .iter()
            .enumerate()
            .filter(|(_, o)| o.side != side);
        match side {
            Side::Buy => candidates.min_by_key(|(_, o)| (o.price, o.seq)),
            Side::Sell => candidates.min_by_key(|(_, o)| (-o.price, o.seq)),
        }
        .map(|(i, _)| i)
    }

    fn crosses(&self, side: Side, price: i64) -> bool {
        self.best_opposite(side).is_some_and(|i| match side {
            Side::Buy => self.orders[i].price <= price,
            Side::Sell => self.orders[i].price >= price,
        })
    }

    /// The span rule: resting prices (other than `exclude`'s) and `price` stay closer than
    /// `Book::MAX_PRICE_SPAN`.
    fn fits(&self, price: i64, exclude: Option<usize>) -> bool {
        let prices = self
            .orders
            .iter()
            .filter(|o| Some(o.handle) != exclude)
            .map(|o| o.price);
        let low = prices.clone().min().map_or(price, |p| p.min(price));
        let high = prices.max().map_or(price, |p| p.max(price));
        high - low < Book::MAX_PRICE_SPAN
    }

    fn take(
        &mut self,
        taker: usize,
        owner: OwnerId,
        side: Side,
        limit: Option<i64>,
        mut left: i64,
        events: &mut Vec<Event>,
    ) -> i64 {
        let qty = left;
        while left > 0 {
            let Some(i) = self.best_opposite(side) else {
                break;
            };
            let maker = self.orders[i].clone();
            if limit.is_some_and(|limit| !self.crosses(side, limit)) {
                break;
            }
            if maker.owner == owner {
                events.push(Event::SelfTradeCancel {
                    id: maker.handle,
                    owner: owner.0,
                    qty: maker.qty,
                });
                self.orders.remove(i);
                continue;
            }
            let traded = left.min(maker.qty);
            left -= traded;
            self.orders[i].qty -= traded;
            let done = self.orders[i].qty == 0;
            if done {
                self.orders.remove(i);
            }
            events.push(Event::Fill {
                maker: maker.handle,
                taker,
                maker_owner: maker.owner.0,
                taker_owner: owner.0,
                side,
                price: maker.price,
                qty: traded,
                done,
            });
        }
        qty - left
    }

    fn rest(&mut self, handle: usize, owner: OwnerId, side: Side, price: i64, qty: i64) {
        self.next_seq += 1;
        self.orders.push(Resting {
            handle,
            owner,
            side,
            price,
            qty,
            seq: self.next_seq,
        });
    }

    fn limit(
        &mut self,
        owner: OwnerId,
        side: Side,
        price: i64,
        qty: i64,
        tif: Tif,
        events: &mut Vec<Event>,
    ) -> Outcome {
        if qty <= 0 {
            return Outcome::Refused("NonPositiveQty");
        }
        if price <= 0 {
            return Outcome::Refused("PriceOutOfRange");
        }
        if tif == Tif::PostOnly && self.crosses(side, price) {
            return Outcome::Refused("WouldCross");
        }
        if tif != Tif::Ioc && !self.fits(price, None) {
            return Outcome::Refused("PriceOutOfRange");
        }
        let handle = self.new_handle();
        let filled = self.take(handle, owner, side, Some(price), qty, events);
        let left = qty - filled;
        if tif == Tif::Ioc {
            return Outcome::Done {
                handle,
                filled,
                resting: 0,
                cancelled: left,
            };
        }
        if left > 0 {
            self.rest(handle, owner, side, price, left);
        }
        Outcome::Done {
            handle,
            filled,
            resting: left,
            cancelled: 0,
        }
    }

    fn market(&mut self, owner: OwnerId, side: Side, qty: i64, events: &mut Vec<Event>) -> Outcome {
        if qty <= 0 {
            return Outcome::Refused("NonPositiveQty");
        }
        let handle = self.new_handle();
        let filled = self.take(handle, owner, side, None, qty, events);
        Outcome::Done {
            handle,
            filled,
            resting: 0,
            cancelled: qty - filled,
        }
    }

    fn cancel(&mut self, handle: usize) -> Outcome {
        match self.orders.iter().position(|o| o.handle == handle) {
            Some(i) => Outcome::Cancelled(self.orders.remove(i).qty),
            None => Outcome::Refused("UnknownOrder"),
        }
    }

    fn amend(&mut self, handle: usize, price: i64, qty: i64, events: &mut Vec<Event>) -> Outcome {
        let Some(i) = self.orders.iter().position(|o| o.handle == handle) else {
            return Outcome::Refused("UnknownOrder");
        };
        if qty <= 0 {
            return Outcome::Refused("NonPositiveQty");
        }
        if price <= 0 {
            return Outcome::Refused("PriceOutOfRange");
        }
        let order = self.orders[i].clone();
        if price == order.price && qty <= order.qty {
            self.orders[i].qty = qty;
            return Outcome::Done {
                handle,
                filled: 0,
                resting: qty,
                cancelled: 0,
            };
        }
        if !self.fits(price, Some(handle)) {
            return Outcome::Refused("PriceOutOfRange");
        }
        self.orders.remove(i);
        let filled = self.take(handle, order.owner, order.side, Some(price), qty, events);
        if qty > filled {
            self.rest(handle, order.owner, order.side, price, qty - filled);
        }
        Outcome::Done {
            handle,
            filled,
            resting: qty - filled,
            cancelled: 0,
        }
    }

    fn new_handle(&mut self) -> usize {
        self.next_handle += 1;
        self.next_handle - 1
    }

    /// Resting orders of `side` in priority order.
    fn sorted(&self, side: Side) -> Vec<Resting> {
        let mut orders: Vec<Resting> = self
            .orders
            .iter()
            .filter(|o| o.side == side)
            .cloned()
            .collect();
        orders.sort_by_key(|o| (if side == Side::Buy { -o.price } else { o.price }, o.seq));
        orders
    }

    fn best(&self, side: Side) -> Option<(Price, Qty)> {
        let best = self.sorted(side).first()?.price;
        let qty = self
            .orders
            .iter()
            .filter(|o| o.side == side && o.price == best)
            .map(|o| o.qty)
            .sum();
        Some((Price(best), Qty(qty)))
    }

    fn levels(&self, side: Side, n: usize) -> Vec<(Price, Qty)> {
        let mut levels: Vec<(Price, Qty)> = Vec::new();
        for o in self.sorted(side) {
            match levels.last_mut() {
                Some((price, qty)) if price.0 == o.price => qty.0 += o.qty,
                _ => levels.push((Price(o.price), Qty(o.qty))),
            }
        }
        levels.truncate(n);
        levels
    }

    /// Straight from the definition, in i128.
    fn depth(&self, side: Side, bps: u32) -> i64 {
        let reference = match (self.best(Side::Buy), self.best(Side::Sell)) {
            (Some((bid, _)), Some((ask, _))) => i128::from(bid.0) + i128::from(ask.0),
            (Some((one, _)), None) | (None, Some((one, _))) => 2 * i128::from(one.0),
            (None, None) => return 0,
        };
        self.orders
            .iter()
            .filter(|o| o.side == side)
            .filter(|o| {
                (2 * i128::from(o.price) - reference).abs() * 10_000 <= reference * i128::from(bps)
            })
            .map(|o| o.qty)
            .sum()
    }
}

// ---- operations -------------------------------------------------------------------------------

/// Which handle a cancel or amend names: the `n`-th (modulo their count) of the resting
/// orders when `live`, else of all handles issued so far, most of which are stale.
#[derive(Clone, Copy, Debug)]
struct Pick {
    live: bool,
    n: usize,
}

#[derive(Clone, Debug)]
enum Op {
    Limit {
        owner: u32,
        side: Side,
        price: i64,
        qty: i64,
        tif: Tif,
    },
    Market {
        owner: u32,
        side: Side,
        qty: i64,
    },
    /// Cancel a handle issued so far.
    Cancel(Pick),
    /// Amend a handle issued so far; `None` keeps the order's price.
    Amend(Pick, Option<i64>, i64),
}

/// Mostly a narrow band so that orders cross often; sometimes far away, at the span limit, or
/// not positive.
fn price() -> impl Strategy<Value = i64> {
    let span = Book::MAX_PRICE_SPAN;
    prop_oneof![
        60 => 95i64..=105,
        1 => prop::sample::select(vec![-3, 0, 1, 2, 50_000, span - 2, span, span + 1, span + 200, 1 << 40]),
    ]
}

fn qty() -> impl Strategy<Value = i64> {
    prop_oneof![30 => 1i64..=10, 1 => -1i64..=0]
}

fn pick() -> impl Strategy<Value = Pick> {
    (prop::bool::weighted(0.8), any::<usize>()).prop_map(|(live, n)| Pick { live, n })
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn op() -> impl Strategy<Value = Op> {
    let tif = prop_oneof![Just(Tif::Gtc), Just(Tif::Ioc), Just(Tif::PostOnly)];
    prop_oneof![
        50 => (0u32..4, side(), price(), qty(), tif)
            .prop_map(|(owner, side, price, qty, tif)| Op::Limit { owner, side, price, qty, tif }),
        6 => (0u32..4, side(), 1i64..=25).prop_map(|(owner, side, qty)| Op::Market { owner, side, qty }),
        20 => pick().prop_map(Op::Cancel),
        15 => (pick(), prop::option::weighted(0.6, price()), qty())
            .prop_map(|(pick, price, qty)| Op::Amend(pick, price, qty)),
    ]
}

// ---- the comparison ---------------------------------------------------------------------------

/// Both books, the handles the real one issued (indexed by submission number) and a ledger.
#[derive(Default)]
struct Pair {
    book: Book,
    naive: Naive,
    ids: Vec<OrderId>,
    handles: HashMap<OrderId, usize>,
    submitted: i64,
    traded: i64,
    cancelled: i64,
}

impl Pair {
    fn apply(&mut self, op: &Op) {
        let mut real_events = Vec::new();
        let mut events = Vec::new();
        let (real, expected) = match *op {
            Op::Limit {
                owner,
                side,
                price,
                qty,
                tif,
            } => {
                let real = self.book.limit(
                    OwnerId(owner),
                    side,
                    Price(price),
                    Qty(qty),
                    tif,
                    &mut real_events,
                );
                let expected = self
                    .naive
                    .limit(OwnerId(owner), side, price, qty, tif, &mut events);
                (self.submitted(real, qty), expected)
            }
            Op::Market { owner, side, qty } => {
                let real = self
                    .book
                    .market(OwnerId(owner), side, Qty(qty), &mut real_events);
                let expected = self.naive.market(OwnerId(owner), side, qty, &mut events);
                (self.submitted(real, qty), expected)
            }
            Op::Cancel(pick) => {
                let Some(handle) = self.pick(pick) else {
                    return;
                };
                let real = match self.book.cancel(self.ids[handle]) {
                    Ok(qty) => Outcome::Cancelled(qty.0),
                    Err(e) => Outcome::Refused(kind(e)),
                };
                if let Outcome::Cancelled(qty) = real {
                    self.cancelled += qty;
                }
                (real, self.naive.cancel(handle))
            }
            Op::Amend(pick, price, qty) => {
                let Some(handle) = self.pick(pick) else {
                    return;
                };
                let id = self.ids[handle];
                let old = self
                    .naive
                    .orders
                    .iter()
                    .find(|o| o.handle == handle)
                    .map(|o| (o.price, o.qty));
                let price = price.unwrap_or(old.map_or(100, |(price, _)| price));
                let real = self
                    .book
                    .amend(id, Price(price), Qty(qty), &mut real_events);
                if let (Ok(done), Some((old_price, old_qty))) = (&real, old) {
                    assert_eq!(done.id, id, "amend keeps the handle");
                    if price == old_price && qty <= old_qty {
                        self.cancelled += old_qty - qty;
                    } else {
                        self.cancelled += old_qty;
                        self.submitted += qty;
                    }
                }
                let real = self.outcome(real, qty);
                (real, self.naive.amend(handle, price, qty, &mut events))
            }
        };
        assert_eq!(real, expected, "outcome of {op:?}");
        let real_events: Vec<Event> = real_events.iter().map(|e| self.event(e)).collect();
        assert_eq!(real_events, events, "events of {op:?}");
        self.compare();
    }

    /// Records the handle of a newly submitted order and the quantity it brought.
    fn submitted(&mut self, real: Result<Submitted, BookError>, qty: i64) -> Outcome {
        if let Ok(done) = real {
            assert!(
                !self.handles.contains_key(&done.id),
                "handle {} issued twice",
                done.id
            );
            self.handles.insert(done.id, self.ids.len());
            self.ids.push(done.id);
            self.submitted += qty;
        }
        self.outcome(real, qty)
    }

    fn outcome(&mut self, real: Result<Submitted, BookError>, qty: i64) -> Outcome {
        match real {
            Ok(done) => {
                assert_eq!(done.filled.0 + done.resting.0 + done.cancelled.0, qty);
                self.cancelled += done.cancelled.0;
                Outcome::Done {
                    handle: self.handles[&done.id],
                    filled: done.filled.0,
                    resting: done.resting.0,
                    cancelled: done.cancelled.0,
                }
            }
            Err(e) => Outcome::Refused(kind(e)),
        }
    }

    fn pick(&self, pick: Pick) -> Option<usize> {
        let mut live: Vec<usize> = self.naive.orders.iter().map(|o| o.handle).collect();
        live.sort_unstable();
        if pick.live && !live.is_empty() {
            return Some(live[pick.n % live.len()]);
        }
        pick.n.checked_rem(self.ids.len())
    }

    fn event(&mut self, event: &BookEvent) -> Event {
        match *event {
            BookEvent::Fill(f) => {
                self.traded += f.qty.0;
                Event::Fill {
                    maker: self.handles[&f.maker],
                    taker: self.handles[&f.taker],
                    maker_owner: f.maker_owner.0,
                    taker_owner: f.taker_owner.0,
                    side: f.taker_side,
                    price: f.price.0,
                    qty: f.qty.0,
                    done: f.maker_done,
                }
            }
            BookEvent::SelfTradeCancel { id, owner, qty } => {
                self.cancelled += qty.0;
                Event::SelfTradeCancel {
                    id: self.handles[&id],
                    owner: owner.0,
                    qty: qty.0,
                }
            }
        }
    }

    /// Everything observable about the real book must match the reference.
    fn compare(&self) {
        let (book, naive) = (&self.book, &self.naive);
        for side in [Side::Buy, Side::Sell] {
            let real: Vec<(usize, OrderView)> = book
                .orders(side)
                .into_iter()
                .map(|(id, view)| (self.handles[&id], view))
                .collect();
            let expected: Vec<(usize, OrderView)> = naive
                .sorted(side)
                .into_iter()
                .map(|o| {
                    (
                        o.handle,
                        OrderView {
                            owner: o.owner,
                            side,
                            price: Price(o.price),
                            qty: Qty(o.qty),
                        },
                    )
                })
                .collect();
            assert_eq!(real, expected, "resting {side:?} orders");
            let mut levels = Vec::new();
            book.levels(side, 3, &mut levels);
            assert_eq!(levels, naive.levels(side, 3), "{side:?} levels");
            let total: i64 = expected.iter().map(|(_, view)| view.qty.0).sum();
            assert_eq!(book.total_qty(side), Qty(total));
            for bps in [0, 1, 50, 100, 1000, 10_000, u32::MAX] {
                assert_eq!(
                    book.depth_within_bps_side(side, bps),
                    Qty(naive.depth(side, bps)),
                    "{side:?} depth {bps}"
                );
            }
        }
        assert_eq!(
            book.l1(),
            L1 {
                bid: naive.best(Side::Buy),
                ask: naive.best(Side::Sell)
            }
        );
        assert_eq!(
            (book.best_bid(), book.best_ask()),
            (book.l1().bid.map(|l| l.0), book.l1().ask.map(|l| l.0))
        );
        if let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) {
            assert!(bid < ask, "crossed book: {bid:?} >= {ask:?}");
        }
        assert_eq!(book.live_orders(), naive.orders.len());
        for (handle, &id) in self.ids.iter().enumerate() {
            let expected = naive.orders.iter().find(|o| o.handle == handle);
            let expected = expected.map(|o| OrderView {
                owner: o.owner,
                side: o.side,
                price: Price(o.price),
                qty: Qty(o.qty),
            });
            assert_eq!(book.order(id), expected, "order view of handle {handle}");
        }
        let resting = book.total_qty(Side::Buy).0 + book.total_qty(Side::Sell).0;
        assert_eq!(
            self.submitted,
            resting + self.cancelled + 2 * self.traded,
            "quantity not conserved"
        );
    }
}

fn kind(error: BookError) -> &'static str {
    match error {
        BookError::NonPositiveQty(_) => "NonPositiveQty",
        BookError::PriceOutOfRange(_) => "PriceOutOfRange",
        BookError::WouldCross => "WouldCross",
        BookError::UnknownOrder(_) => "UnknownOrder",
        BookError::Full => "Full",
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn book_matches_the_naive_reference(ops in prop::collection::vec(op(), 1..200)) {
        let mut pair = Pair::default();
        for op in &ops {
            pair.apply(op);
        }
    }
}

/// A scripted sequence exercising each path once, so a failure here is easy to read.
#[test]
fn reference_agrees_on_a_fixed_sequence() {
    let mut pair = Pair::default();
    let ops = [
        Op::Limit {
            owner: 1,
            side: Side::Sell,
            price: 101,
            qty: 5,
            tif: Tif::Gtc,
        },
        Op::Limit {
            owner: 2,
            side: Side::Sell,
            price: 101,
            qty: 5,
            tif: Tif::Gtc,
        },
        Op::Limit {
            owner: 1,
            side: Side::Buy,
            price: 99,
            qty: 5,
            tif: Tif::PostOnly,
        },
        Op::Limit {
            owner: 2,
            side: Side::Buy,
            price: 101,
            qty: 7,
            tif: Tif::Ioc,
        },
        Op::Market {
            owner: 3,
            side: Side::Buy,
            qty: 9,
        },
        Op::Cancel(Pick { live: false, n: 0 }),
        Op::Amend(Pick { live: true, n: 0 }, Some(102), 3),
        Op::Limit {
            owner: 3,
            side: Side::Sell,
            price: 5_000_000,
            qty: 1,
            tif: Tif::Gtc,
        },
    ];
    for op in &ops {
        pair.apply(op);
    }
}
