//! Hand-written cases, each a script of operations and the expected rendering of what the
//! book did. See [`run`] for the script language.

use std::collections::HashMap;
use std::fmt::Write;

use super::*;

/// A book driven by a script, with the names the script gave its orders.
struct Scripted {
    book: Book,
    ids: HashMap<String, OrderId>,
    names: HashMap<OrderId, String>,
    owners: HashMap<OrderId, OwnerId>,
}

/// Runs `script`, one operation per line:
///
/// ```text
/// a = o1 buy 5 @ 100        limit order, Gtc unless `ioc` or `post` follows the price
/// m = o2 sell 3 market      market order
/// cancel a
/// amend a 4 @ 101
/// ```
///
/// and renders, per operation, its outcome (`a: resting 5`, `m: filled 2 cancelled 1`,
/// `cancel a: 5`, `a: error WouldCross`) followed by its events (`fill MAKER QTY @ PRICE`,
/// with ` done` when the maker left the book, and `stp MAKER QTY`), then the resting book best
/// level first: `asks: 101 [a 3] 102 [b 1, c 2]` and `bids: ...`. Checks the book's internal
/// invariants after every operation.
fn run(script: &str) -> (Scripted, String) {
    let mut s = Scripted {
        book: Book::new(),
        ids: HashMap::new(),
        names: HashMap::new(),
        owners: HashMap::new(),
    };
    let mut out = String::new();
    let mut events = Vec::new();
    for line in script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        events.clear();
        let words: Vec<&str> = line.split_whitespace().collect();
        let (label, result, owner, qty) = match words.as_slice() {
            ["cancel", name] => {
                let outcome = s.book.cancel(s.ids[*name]);
                let rendered = match outcome {
                    Ok(qty) => format!("cancel {name}: {}", qty.0),
                    Err(e) => format!("cancel {name}: error {}", error_kind(e)),
                };
                writeln!(out, "{rendered}").unwrap();
                s.book.assert_valid();
                continue;
            }
            ["amend", name, qty, "@", price] => {
                let id = s.ids[*name];
                let result = s
                    .book
                    .amend(id, Price(num(price)), Qty(num(qty)), &mut events);
                if let Ok(done) = result {
                    assert_eq!(done.id, id, "amend keeps the handle");
                }
                (format!("amend {name}"), result, s.owners[&id], num(qty))
            }
            [name, "=", owner, side, qty, "market"] => {
                let owner = OwnerId(num(&owner[1..]) as u32);
                let result = s
                    .book
                    .market(owner, parse_side(side), Qty(num(qty)), &mut events);
                s.bind(name, &result, owner);
                (name.to_string(), result, owner, num(qty))
            }
            [name, "=", owner, side, qty, "@", price, tif @ ..] => {
                let owner = OwnerId(num(&owner[1..]) as u32);
                let tif = match tif {
                    [] => Tif::Gtc,
                    ["ioc"] => Tif::Ioc,
                    ["post"] => Tif::PostOnly,
                    _ => panic!("bad time in force in {line:?}"),
                };
                let (side, price, qty) = (parse_side(side), Price(num(price)), Qty(num(qty)));
                let result = s.book.limit(owner, side, price, qty, tif, &mut events);
                s.bind(name, &result, owner);
                (name.to_string(), result, owner, qty.0)
            }
            _ => panic!("cannot parse {line:?}"),
        };
        s.book.assert_valid();
        match result {
            Err(e) => {
                assert!(events.is_empty(), "a refused operation reported events");
                writeln!(out, "{label}: error {}", error_kind(e)).unwrap();
            }
            Ok(done) => {
                let filled: i64 = events
                    .iter()
                    .map(|e| match e {
                        BookEvent::Fill(fill) => fill.qty.0,
                        BookEvent::SelfTradeCancel { .. } => 0,
                    })
                    .sum();
                assert_eq!(
                    done.filled.0, filled,
                    "Submitted.filled disagrees with the fills"
                );
                assert_eq!(done.filled.0 + done.resting.0 + done.cancelled.0, qty);
                match s.book.order(done.id) {
                    Some(view) => assert_eq!(view.qty, done.resting),
                    None => assert_eq!(done.resting, Qty(0), "a resting order has a live handle"),
                }
                let parts = [
                    ("filled", done.filled),
                    ("resting", done.resting),
                    ("cancelled", done.cancelled),
                ];
                let parts: Vec<String> = parts
                    .iter()
                    .filter(|(_, q)| q.0 != 0)
                    .map(|(k, q)| format!("{k} {}", q.0))
                    .collect();
                writeln!(out, "{label}: {}", parts.join(" ")).unwrap();
                for event in &events {
                    writeln!(out, "{}", s.render_event(event, done.id, owner)).unwrap();
                }
            }
        }
    }
    for side in [Side::Sell, Side::Buy] {
        out.push_str(match side {
            Side::Sell => "asks:",
            Side::Buy => "bids:",
        });
        let mut last_price = None;
        for (id, view) in s.book.orders(side) {
            if last_price == Some(view.price) {
                out.pop();
                write!(out, ", {} {}]", s.names[&id], view.qty.0).unwrap();
            } else {
                write!(out, " {} [{} {}]", view.price.0, s.names[&id], view.qty.0).unwrap();
            }
            last_price = Some(view.price);
        }
        out.push('\n');
    }
    (s, out)
}

impl Scripted {
    fn bind(&mut self, name: &str, result: &Result<Submitted, BookError>, owner: OwnerId) {
        if let Ok(done) = result {
            self.ids.insert(name.to_string(), done.id);
            self.names.insert(done.id, name.to_string());
            self.owners.insert(done.id, owner);
        }
    }

    fn render_event(&self, event: &BookEvent, taker: OrderId, owner: OwnerId) -> String {
        match *event {
            BookEvent::Fill(fill) => {
                assert_eq!((fill.taker, fill.taker_owner), (taker, owner));
                assert_eq!(fill.maker_owner, self.owners[&fill.maker]);
                let done = if fill.maker_done { " done" } else { "" };
                format!(
                    "  fill {} {} @ {}{done}",
                    self.names[&fill.maker], fill.qty.0, fill.price.0
                )
            }
            BookEvent::SelfTradeCancel {
                id,
                owner: stp_owner,
                qty,
            } => {
                assert_eq!(stp_owner, owner);
                assert_eq!(self.owners[&id], owner);
                format!("  stp {} {}", self.names[&id], qty.0)
            }
        }
    }
}

fn num(word: &str) -> i64 {
    word.parse()
        .unwrap_or_else(|_| panic!("not a number: {word:?}"))
}

fn parse_side(word: &str) -> Side {
    match word {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        _ => panic!("not a side: {word:?}"),
    }
}

fn error_kind(error: BookError) -> &'static str {
    match error {
        BookError::NonPositiveQty(_) => "NonPositiveQty",
        BookError::PriceOutOfRange(_) => "PriceOutOfRange",
        BookError::WouldCross => "WouldCross",
        BookError::UnknownOrder(_) => "UnknownOrder",
        BookError::Full => "Full",
    }
}

/// Trims every line so expectations can be indented with the test code.
fn normalize(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[track_caller]
fn check(script: &str, expect: &str) {
    let (_, actual) = run(script);
    let (actual, expect) = (normalize(&actual), normalize(expect));
    assert!(
        actual == expect,
        "\n--- expected\n{expect}\n--- actual\n{actual}\n"
    );
}

/// The book after `script`.
fn book(script: &str) -> Book {
    run(script).0.book
}

impl Book {
    /// Walks every structure and panics on the first broken invariant.
    fn assert_valid(&self) {
        let mut seen = 0;
        let mut side_qty = [0, 0];
        let (mut highest_bid, mut lowest_ask) = (None, None);
        for index in 0..self.ladder.len() as u32 {
            let level = self.ladder.level(index);
            let marked = self.ladder.next_at_or_above(index) == Some(index);
            assert_eq!(
                marked,
                level.head != NIL,
                "bitset disagrees with level {index}"
            );
            let (mut slot, mut prev, mut qty, mut side) = (level.head, NIL, 0, None);
            while slot != NIL {
                let node = self.pool.node(slot);
                assert_eq!(
                    (node.level, node.prev),
                    (index, prev),
                    "bad links at slot {slot}"
                );
                assert!(node.qty > 0);
                if let Some(side) = side {
                    assert_eq!(side, node.side, "two sides share level {index}");
                }
                side = Some(node.side);
                qty += node.qty;
                seen += 1;
                (prev, slot) = (slot, node.next);
            }
            assert_eq!(
                (level.tail, level.qty),
                (prev, qty),
                "bad tail or total at level {index}"
            );
            match side {
                Some(Side::Buy) => {
                    assert!(lowest_ask.is_none(), "a bid rests above an ask");
                    highest_bid = Some(index);
                }
                Some(Side::Sell) => lowest_ask = lowest_ask.or(Some(index)),
                None => {}
            }
            if let Some(side) = side {
                side_qty[side_index(side)] += qty;
            }
        }
        assert_eq!(seen, self.pool.used(), "orders in levels vs slots in use");
        assert_eq!(side_qty, self.side_qty);
        assert_eq!(highest_bid.unwrap_or(NIL), self.best[0]);
        assert_eq!(lowest_ask.unwrap_or(NIL), self.best[1]);
    }
}

// ---- matching ---------------------------------------------------------------------------------

#[test]
fn better_price_trades_first() {
    check(
        "a = o1 sell 5 @ 102
         b = o2 sell 5 @ 101
         c = o3 buy 6 @ 102",
        "a: resting 5
         b: resting 5
         c: filled 6
           fill b 5 @ 101 done
           fill a 1 @ 102
         asks: 102 [a 4]
         bids:",
    );
}

#[test]
fn earlier_order_at_a_price_trades_first() {
    check(
        "a = o1 buy 3 @ 100
         b = o2 buy 3 @ 100
         c = o3 buy 3 @ 100
         d = o4 sell 4 @ 100",
        "a: resting 3
         b: resting 3
         c: resting 3
         d: filled 4
           fill a 3 @ 100 done
           fill b 1 @ 100
         asks:
         bids: 100 [b 2, c 3]",
    );
}

#[test]
fn partially_filled_maker_keeps_its_place_at_the_head() {
    check(
        "a = o1 sell 10 @ 100
         b = o2 sell 1 @ 100
         c = o3 buy 4 @ 100
         d = o4 buy 4 @ 100",
        "a: resting 10
         b: resting 1
         c: filled 4
           fill a 4 @ 100
         d: filled 4
           fill a 4 @ 100
         asks: 100 [a 2, b 1]
         bids:",
    );
}

#[test]
fn trades_happen_at_the_makers_price() {
    check(
        "a = o1 buy 5 @ 100
         b = o2 sell 2 @ 90
         c = o3 sell 2 @ 110
         d = o4 buy 1 @ 200",
        "a: resting 5
         b: filled 2
           fill a 2 @ 100
         c: resting 2
         d: filled 1
           fill c 1 @ 110
         asks: 110 [c 1]
         bids: 100 [a 3]",
    );
}

#[test]
fn gtc_sweeps_levels_up_to_its_limit_then_rests_the_rest() {
    check(
        "a = o1 sell 1 @ 100
         b = o1 sell 1 @ 101
         c = o1 sell 1 @ 103
         d = o2 buy 5 @ 102",
        "a: resting 1
         b: resting 1
         c: resting 1
         d: filled 2 resting 3
           fill a 1 @ 100 done
           fill b 1 @ 101 done
         asks: 103 [c 1]
         bids: 102 [d 3]",
    );
}

#[test]
fn ioc_remainder_is_cancelled_and_never_rests() {
    check(
        "a = o1 sell 2 @ 100
         b = o2 buy 5 @ 100 ioc
         c = o2 buy 5 @ 99 ioc",
        "a: resting 2
         b: filled 2 cancelled 3
           fill a 2 @ 100 done
         c: cancelled 5
         asks:
         bids:",
    );
}

#[test]
fn market_order_on_an_empty_side_cancels_everything() {
    check(
        "a = o1 buy 5 @ 100
         m = o2 buy 5 market",
        "a: resting 5
         m: cancelled 5
         asks:
         bids: 100 [a 5]",
    );
}

#[test]
fn market_order_on_a_thin_side_takes_all_and_cancels_the_rest() {
    check(
        "a = o1 buy 2 @ 100
         b = o1 buy 2 @ 50
         m = o2 sell 7 market",
        "a: resting 2
         b: resting 2
         m: filled 4 cancelled 3
           fill a 2 @ 100 done
           fill b 2 @ 50 done
         asks:
         bids:",
    );
}

#[test]
fn post_only_that_would_cross_is_refused() {
    check(
        "a = o1 sell 2 @ 100
         b = o2 buy 1 @ 100 post
         c = o1 buy 1 @ 101 post
         d = o2 buy 1 @ 99 post",
        "a: resting 2
         b: error WouldCross
         c: error WouldCross
         d: resting 1
         asks: 100 [a 2]
         bids: 99 [d 1]",
    );
}

#[test]
fn self_trade_cancels_the_resting_order_and_matching_goes_on() {
    check(
        "a = o1 sell 2 @ 100
         b = o7 sell 3 @ 100
         c = o1 sell 4 @ 101
         d = o7 buy 6 @ 101",
        "a: resting 2
         b: resting 3
         c: resting 4
         d: filled 6
           fill a 2 @ 100 done
           stp b 3
           fill c 4 @ 101 done
         asks:
         bids:",
    );
}

#[test]
fn self_trade_cancel_alone_leaves_the_taker_unfilled() {
    check(
        "a = o1 sell 2 @ 100
         b = o1 buy 3 @ 100
         m = o2 sell 1 market",
        "a: resting 2
         b: resting 3
           stp a 2
         m: filled 1
           fill b 1 @ 100
         asks:
         bids: 100 [b 2]",
    );
}

// ---- handles, cancel, amend -------------------------------------------------------------------

#[test]
fn cancel_returns_what_was_left_and_the_handle_goes_stale() {
    check(
        "a = o1 sell 5 @ 100
         b = o2 buy 2 @ 100
         cancel a
         cancel a
         cancel b",
        "a: resting 5
         b: filled 2
           fill a 2 @ 100
         cancel a: 3
         cancel a: error UnknownOrder
         cancel b: error UnknownOrder
         asks:
         bids:",
    );
}

#[test]
fn stale_handle_does_not_reach_the_order_reusing_its_slot() {
    let (s, _) = run("a = o1 buy 1 @ 100
         cancel a
         b = o1 buy 1 @ 100");
    let (a, b) = (s.ids["a"], s.ids["b"]);
    assert_eq!(a.slot(), b.slot(), "the freed slot is reused");
    assert_ne!(a, b);
    let mut book = s.book;
    assert_eq!(book.order(a), None);
    assert_eq!(book.cancel(a), Err(BookError::UnknownOrder(a)));
    let never_issued = OrderId::new(77, 0);
    assert_eq!(
        book.cancel(never_issued),
        Err(BookError::UnknownOrder(never_issued))
    );
    assert_eq!(book.order(never_issued), None);
    assert_eq!(book.cancel(b), Ok(Qty(1)));
}

#[test]
fn fully_filled_taker_gets_a_handle_that_is_already_stale() {
    let (s, _) = run("a = o1 sell 5 @ 100
         b = o2 buy 5 @ 100");
    let b = s.ids["b"];
    assert_eq!(s.book.order(b), None);
    assert_eq!(s.book.live_orders(), 0);
}

#[test]
fn amend_down_at_the_same_price_keeps_priority() {
    check(
        "a = o1 buy 5 @ 100
         b = o2 buy 5 @ 100
         amend a 2 @ 100
         amend b 5 @ 100
         c = o3 sell 3 @ 100",
        "a: resting 5
         b: resting 5
         amend a: resting 2
         amend b: resting 5
         c: filled 3
           fill a 2 @ 100 done
           fill b 1 @ 100
         asks:
         bids: 100 [b 4]",
    );
}

#[test]
fn amend_up_loses_priority() {
    check(
        "a = o1 buy 5 @ 100
         b = o2 buy 5 @ 100
         amend a 6 @ 100
         c = o3 sell 3 @ 100",
        "a: resting 5
         b: resting 5
         amend a: resting 6
         c: filled 3
           fill b 3 @ 100
         asks:
         bids: 100 [b 2, a 6]",
    );
}

#[test]
fn amend_to_a_new_price_goes_to_the_back_of_that_level() {
    check(
        "a = o1 buy 5 @ 100
         b = o2 buy 5 @ 99
         amend a 1 @ 99
         amend b 5 @ 98
         amend b 5 @ 99",
        "a: resting 5
         b: resting 5
         amend a: resting 1
         amend b: resting 5
         amend b: resting 5
         asks:
         bids: 99 [a 1, b 5]",
    );
}

#[test]
fn amend_to_a_crossing_price_trades_and_a_full_fill_stales_the_handle() {
    check(
        "a = o1 sell 3 @ 101
         b = o1 sell 3 @ 102
         c = o2 buy 4 @ 100
         amend c 4 @ 101
         cancel b
         d = o2 buy 2 @ 100
         amend d 2 @ 102
         amend d 1 @ 100",
        "a: resting 3
         b: resting 3
         c: resting 4
         amend c: filled 3 resting 1
           fill a 3 @ 101 done
         cancel b: 3
         d: resting 2
         amend d: resting 2
         amend d: resting 1
         asks:
         bids: 101 [c 1] 100 [d 1]",
    );
    check(
        "a = o1 sell 3 @ 101
         c = o2 buy 3 @ 100
         amend c 3 @ 105
         cancel c",
        "a: resting 3
         c: resting 3
         amend c: filled 3
           fill a 3 @ 101 done
         cancel c: error UnknownOrder
         asks:
         bids:",
    );
}

#[test]
fn amend_that_crosses_cancels_its_owners_resting_orders() {
    check(
        "a = o1 sell 3 @ 101
         b = o1 buy 2 @ 100
         amend b 2 @ 101",
        "a: resting 3
         b: resting 2
         amend b: resting 2
           stp a 3
         asks:
         bids: 101 [b 2]",
    );
}

// ---- refusals change nothing ------------------------------------------------------------------

#[test]
fn refused_operations_leave_the_book_unchanged() {
    let (s, _) = run("a = o1 sell 5 @ 101
         b = o2 buy 5 @ 100
         c = o3 buy 1 @ 99");
    let (a, c) = (s.ids["a"], s.ids["c"]);
    let mut book = s.book;
    book.cancel(c).unwrap();
    let before = book.clone();
    let mut events = Vec::new();
    let (o, buy, sell) = (OwnerId(9), Side::Buy, Side::Sell);
    let refusals = [
        book.limit(o, buy, Price(100), Qty(0), Tif::Gtc, &mut events)
            .unwrap_err(),
        book.limit(o, buy, Price(100), Qty(-3), Tif::Ioc, &mut events)
            .unwrap_err(),
        book.limit(o, buy, Price(0), Qty(1), Tif::Gtc, &mut events)
            .unwrap_err(),
        book.limit(o, sell, Price(-5), Qty(1), Tif::Ioc, &mut events)
            .unwrap_err(),
        book.limit(o, buy, Price(101), Qty(1), Tif::PostOnly, &mut events)
            .unwrap_err(),
        book.limit(o, sell, Price(99), Qty(1), Tif::PostOnly, &mut events)
            .unwrap_err(),
        book.limit(
            o,
            sell,
            Price(100 + Book::MAX_PRICE_SPAN),
            Qty(1),
            Tif::Gtc,
            &mut events,
        )
        .unwrap_err(),
        book.market(o, buy, Qty(0), &mut events).unwrap_err(),
        book.cancel(c).unwrap_err(),
        book.amend(c, Price(100), Qty(1), &mut events).unwrap_err(),
        book.amend(a, Price(101), Qty(0), &mut events).unwrap_err(),
        book.amend(a, Price(0), Qty(1), &mut events).unwrap_err(),
        book.amend(a, Price(100 + Book::MAX_PRICE_SPAN), Qty(5), &mut events)
            .unwrap_err(),
    ];
    assert_eq!(
        refusals.map(error_kind),
        [
            "NonPositiveQty",
            "NonPositiveQty",
            "PriceOutOfRange",
            "PriceOutOfRange",
            "WouldCross",
            "WouldCross",
            "PriceOutOfRange",
            "NonPositiveQty",
            "UnknownOrder",
            "UnknownOrder",
            "NonPositiveQty",
            "PriceOutOfRange",
            "PriceOutOfRange",
        ]
    );
    assert!(events.is_empty());
    assert!(book == before, "a refusal changed the book");
}

// ---- prices far apart -------------------------------------------------------------------------

#[test]
fn ladder_grows_for_a_price_far_below_then_far_above() {
    let far_above = 1 + Book::MAX_PRICE_SPAN - 1;
    check(
        &format!(
            "a = o1 buy 1 @ 1000
             b = o1 buy 1 @ 1
             c = o2 sell 1 @ 50000
             d = o2 sell 1 @ {far_above}
             e = o2 sell 1 @ {}
             f = o3 sell 1 @ 1 ioc",
            far_above + 1
        ),
        &format!(
            "a: resting 1
             b: resting 1
             c: resting 1
             d: resting 1
             e: error PriceOutOfRange
             f: filled 1
               fill a 1 @ 1000 done
             asks: 50000 [c 1] {far_above} [d 1]
             bids: 1 [b 1]"
        ),
    );
}

#[test]
fn span_limit_counts_resting_prices_only() {
    let far = 10 + Book::MAX_PRICE_SPAN;
    check(
        &format!(
            "a = o1 buy 1 @ 10
             b = o2 sell 1 @ {far} ioc
             cancel a
             c = o2 sell 1 @ {far}
             d = o1 buy 1 @ 10
             amend c 1 @ 11
             d = o1 buy 1 @ 10"
        ),
        "a: resting 1
         b: cancelled 1
         cancel a: 1
         c: resting 1
         d: error PriceOutOfRange
         amend c: resting 1
         d: resting 1
         asks: 11 [c 1]
         bids: 10 [d 1]",
    );
}

#[test]
fn amend_far_away_is_judged_without_the_order_itself() {
    // Counting a itself, 100..far is too wide; without it, 1000..far fits.
    let far = 100 + Book::MAX_PRICE_SPAN + 500;
    check(
        &format!(
            "a = o1 buy 1 @ 100
             b = o1 buy 1 @ 1000
             amend b 1 @ {far}
             amend a 1 @ {far}"
        ),
        &format!(
            "a: resting 1
             b: resting 1
             amend b: error PriceOutOfRange
             amend a: resting 1
             asks:
             bids: {far} [a 1] 1000 [b 1]"
        ),
    );
    // Another order at a's level still counts.
    check(
        &format!(
            "a = o1 buy 1 @ 100
             b = o2 buy 1 @ 100
             c = o1 buy 1 @ 1000
             amend a 1 @ {far}"
        ),
        "a: resting 1
         b: resting 1
         c: resting 1
         amend a: error PriceOutOfRange
         asks:
         bids: 1000 [c 1] 100 [a 1, b 1]",
    );
}

#[test]
fn re_basing_an_empty_book_keeps_working() {
    let far = 5 * Book::MAX_PRICE_SPAN;
    check(
        &format!(
            "a = o1 buy 1 @ 100
             cancel a
             b = o1 sell 2 @ {far}
             c = o2 buy 1 @ {far}
             d = o2 buy 1 @ 100"
        ),
        &format!(
            "a: resting 1
             cancel a: 1
             b: resting 2
             c: filled 1
               fill b 1 @ {far}
             d: error PriceOutOfRange
             asks: {far} [b 1]
             bids:"
        ),
    );
}

#[test]
fn prices_near_the_top_of_i64_do_not_overflow() {
    let top = i64::MAX;
    let (s, out) = run(&format!(
        "a = o1 sell 2 @ {}
         b = o1 sell 2 @ {top}
         c = o2 buy 3 @ {top} ioc
         d = o2 buy 1 @ {}",
        top - 5,
        top - 9
    ));
    assert_eq!(
        normalize(&out),
        normalize(&format!(
            "a: resting 2
             b: resting 2
             c: filled 3
               fill a 2 @ {} done
               fill b 1 @ {top}
             d: resting 1
             asks: {top} [b 1]
             bids: {} [d 1]",
            top - 5,
            top - 9
        ))
    );
    assert_eq!(s.book.depth_within_bps(1), Qty(2));
}

// ---- market data ------------------------------------------------------------------------------

const LADDER: &str = "
    a = o1 sell 4 @ 103
    b = o1 sell 1 @ 101
    c = o2 sell 2 @ 101
    d = o3 buy 3 @ 100
    e = o3 buy 5 @ 98
    f = o4 buy 7 @ 90";

#[test]
fn l1_and_levels_report_best_first() {
    let book = book(LADDER);
    assert_eq!(book.best_bid(), Some(Price(100)));
    assert_eq!(book.best_ask(), Some(Price(101)));
    let l1 = book.l1();
    assert_eq!(
        l1,
        L1 {
            bid: Some((Price(100), Qty(3))),
            ask: Some((Price(101), Qty(3)))
        }
    );
    assert_eq!((l1.mid_x2(), l1.spread_ticks()), (Some(201), Some(1)));
    let mut out = vec![(Price(1), Qty(1))];
    book.levels(Side::Buy, 2, &mut out);
    assert_eq!(out, [(Price(100), Qty(3)), (Price(98), Qty(5))]);
    book.levels(Side::Sell, 10, &mut out);
    assert_eq!(out, [(Price(101), Qty(3)), (Price(103), Qty(4))]);
    book.levels(Side::Sell, 0, &mut out);
    assert_eq!(out, []);
    assert_eq!(
        (book.total_qty(Side::Buy), book.total_qty(Side::Sell)),
        (Qty(15), Qty(7))
    );
    assert_eq!(book.live_orders(), 6);
}

#[test]
fn depth_is_measured_around_a_half_tick_mid() {
    // Mid 100.5, ref_x2 = 201. Within b bps: |2p - 201| * 10_000 <= 201 * b.
    let book = book(LADDER);
    let depth = |bps| {
        let (bid, ask) = (
            book.depth_within_bps_side(Side::Buy, bps),
            book.depth_within_bps_side(Side::Sell, bps),
        );
        assert_eq!(book.depth_within_bps(bps).0, bid.0 + ask.0);
        (bid.0, ask.0)
    };
    assert_eq!(depth(0), (0, 0));
    assert_eq!(
        depth(49),
        (0, 0),
        "|2*100 - 201| * 10_000 = 10_000 > 201 * 49"
    );
    assert_eq!(depth(50), (3, 3), "10_000 <= 201 * 50: 100 and 101 are in");
    assert_eq!(depth(248), (3, 3), "98 and 103 need 50_000 <= 201 * bps");
    assert_eq!(depth(249), (8, 7));
    assert_eq!(depth(1044), (8, 7));
    assert_eq!(depth(1045), (15, 7), "|180 - 201| * 10_000 <= 201 * 1045");
    assert_eq!(depth(u32::MAX), (15, 7));
}

#[test]
fn depth_of_a_one_sided_book_is_measured_from_its_best() {
    let book = book(
        "a = o1 buy 3 @ 100
         b = o1 buy 4 @ 99
         c = o1 buy 5 @ 98",
    );
    // ref_x2 = 200: 99 is in at 100 bps (|198 - 200| * 10_000 <= 200 * 100).
    assert_eq!(book.depth_within_bps_side(Side::Buy, 99), Qty(3));
    assert_eq!(book.depth_within_bps_side(Side::Buy, 100), Qty(7));
    assert_eq!(book.depth_within_bps_side(Side::Sell, 10_000), Qty(0));
    assert_eq!(book.depth_within_bps(200), Qty(12));
    assert_eq!(
        book.l1(),
        L1 {
            bid: Some((Price(100), Qty(3))),
            ask: None
        }
    );
    assert_eq!(book.l1().mid_x2(), None);
}

#[test]
fn empty_book_reports_nothing() {
    let book = Book::default();
    assert_eq!(book.l1(), L1::default());
    assert_eq!(book.depth_within_bps(10_000), Qty(0));
    assert_eq!((book.best_bid(), book.best_ask()), (None, None));
    let mut out = vec![(Price(1), Qty(1))];
    book.levels(Side::Buy, 5, &mut out);
    assert!(out.is_empty());
    assert!(book.orders(Side::Sell).is_empty());
    assert_eq!(book.live_orders(), 0);
}

#[test]
fn order_view_reports_the_resting_order() {
    let (s, _) = run(LADDER);
    let view = s.book.order(s.ids["c"]).unwrap();
    assert_eq!(
        view,
        OrderView {
            owner: OwnerId(2),
            side: Side::Sell,
            price: Price(101),
            qty: Qty(2)
        }
    );
}
