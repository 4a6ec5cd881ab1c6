//! Orders live in a `Pool` of 32-byte nodes; each price level is an intrusive FIFO of those
//! nodes on a `Ladder` indexed by tick. The best bid and best ask are kept as ladder indices,
//! and the ladder's bitset finds the next non-empty level when a best level empties.
//!
//! This file holds the public API and the queries; `matching` holds matching and the level
//! queues, `range` the span rule and the ladder's growth.

use std::fmt;

use crate::levels::Ladder;
use crate::pool::{Pool, NIL};
use crate::types::{
    BookError, BookEvent, OrderId, OrderView, OwnerId, Price, Qty, Side, Submitted, Tif, L1,
};

/// Levels the ladder spans when the first order arrives.
const INITIAL_LEVELS: usize = 4096;

/// A limit order book for one instrument.
///
/// Every operation either succeeds or returns an error and leaves the book exactly as it was.
/// Equality compares the whole state, pool and handles included.
///
/// Every submitted order gets a handle, even one that never rests. A handle is a pool slot
/// and the slot's generation, which changes each time the slot is freed, so a stale handle is
/// refused rather than reaching the order that reuses the slot. (A generation is 32 bits: a
/// handle kept through 2^32 reuses of its slot would name a live order again.)
#[derive(Clone, PartialEq, Eq)]
pub struct Book {
    pool: Pool,
    ladder: Ladder,
    /// Ladder index of the best level per side (bid, ask), or [`NIL`]; indexed by
    /// [`side_index`] so that side-dependent code needs no branch.
    best: [u32; 2],
    /// Resting quantity per side, indexed by [`side_index`].
    side_qty: [i64; 2],
}

impl Default for Book {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Book {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Book")
            .field("l1", &self.l1())
            .field("live_orders", &self.live_orders())
            .field("bid_qty", &self.side_qty[0])
            .field("ask_qty", &self.side_qty[1])
            .field("ladder_levels", &self.ladder.len())
            .finish()
    }
}

impl Book {
    /// The widest range of resting prices the book holds at once, in ticks: a resting order
    /// is refused with [`BookError::PriceOutOfRange`] when the highest and lowest resting
    /// prices, its own included, would be this far apart or more.
    pub const MAX_PRICE_SPAN: i64 = 1 << 22;

    /// An empty book.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty book whose order pool holds `orders` resting orders before it reallocates.
    pub fn with_capacity(orders: usize) -> Self {
        Book {
            pool: Pool::with_capacity(orders),
            ladder: Ladder::new(),
            best: [NIL, NIL],
            side_qty: [0, 0],
        }
    }

    /// Submits a limit order.
    ///
    /// It first trades against the opposite side at prices up to (buy) or down to (sell)
    /// `price`. Then a [`Tif::Gtc`] remainder rests, a [`Tif::Ioc`] remainder is cancelled,
    /// and a [`Tif::PostOnly`] order is refused with [`BookError::WouldCross`] (book unchanged)
    /// if the opposite best is at or through `price`, even when the orders there are its own
    /// owner's. A `Gtc` or `PostOnly` price must fit the book's span (see
    /// [`Book::MAX_PRICE_SPAN`]) even if the order would fill at once; an `Ioc` price need only
    /// be positive.
    #[inline]
    pub fn limit(
        &mut self,
        owner: OwnerId,
        side: Side,
        price: Price,
        qty: Qty,
        tif: Tif,
        events: &mut Vec<BookEvent>,
    ) -> Result<Submitted, BookError> {
        check_qty(qty)?;
        check_price(price)?;
        let crosses = self.crosses(side, price.0);
        match tif {
            Tif::PostOnly if crosses => return Err(BookError::WouldCross),
            Tif::Gtc | Tif::PostOnly => self.check_fits(price.0, None)?,
            Tif::Ioc => {}
        }
        let id = self.pool.alloc(owner, side).ok_or(BookError::Full)?;
        let filled = if crosses {
            self.take(id, owner, side, price.0, qty.0, events)
        } else {
            0
        };
        Ok(self.finish(id, side, price.0, qty.0, filled, tif != Tif::Ioc))
    }

    /// Submits a market order: it trades against the opposite side until filled or the side
    /// is empty; the remainder is reported as `cancelled`. Its handle is stale on return.
    #[inline]
    pub fn market(
        &mut self,
        owner: OwnerId,
        side: Side,
        qty: Qty,
        events: &mut Vec<BookEvent>,
    ) -> Result<Submitted, BookError> {
        check_qty(qty)?;
        let id = self.pool.alloc(owner, side).ok_or(BookError::Full)?;
        // Limits that every (positive) price is at or through.
        let limit = match side {
            Side::Buy => i64::MAX,
            Side::Sell => 1,
        };
        let filled = self.take(id, owner, side, limit, qty.0, events);
        Ok(self.finish(id, side, 0, qty.0, filled, false))
    }

    /// Cancels a resting order and returns the quantity it had left. O(1).
    #[inline]
    pub fn cancel(&mut self, id: OrderId) -> Result<Qty, BookError> {
        let slot = self.pool.resting(id).ok_or(BookError::UnknownOrder(id))?;
        let qty = self.unlink(slot);
        self.pool.free(slot);
        Ok(Qty(qty))
    }

    /// Amends a resting order to `qty` at `price`.
    ///
    /// At the same price with `qty` at most the current quantity, the order shrinks in place
    /// and keeps its queue priority (an equal `qty` changes nothing). Otherwise it loses
    /// priority: it leaves the book and re-enters at the back of its new level as a
    /// [`Tif::Gtc`] limit of its owner, trading first if the new price crosses.
    ///
    /// The handle never changes: `Submitted.id` is always `id`, which stays valid while the
    /// order rests and turns stale if the re-entered order fills completely. A refused amend
    /// (unknown handle, non-positive `qty` or `price`, a price outside the span the book could
    /// hold once this order left it) changes nothing.
    #[inline]
    pub fn amend(
        &mut self,
        id: OrderId,
        price: Price,
        qty: Qty,
        events: &mut Vec<BookEvent>,
    ) -> Result<Submitted, BookError> {
        let slot = self.pool.resting(id).ok_or(BookError::UnknownOrder(id))?;
        check_qty(qty)?;
        check_price(price)?;
        let node = *self.pool.node(slot);
        if price.0 == self.ladder.price(node.level) && qty.0 <= node.qty {
            let cut = node.qty - qty.0;
            self.pool.node_mut(slot).qty = qty.0;
            self.ladder.level_mut(node.level).qty -= cut;
            self.side_qty[side_index(node.side)] -= cut;
            return Ok(Submitted {
                id,
                filled: Qty(0),
                resting: qty,
                cancelled: Qty(0),
            });
        }
        self.check_fits(price.0, Some(slot))?;
        self.unlink(slot);
        let owner = OwnerId(node.owner);
        let filled = if self.crosses(node.side, price.0) {
            self.take(id, owner, node.side, price.0, qty.0, events)
        } else {
            0
        };
        Ok(self.finish(id, node.side, price.0, qty.0, filled, true))
    }

    /// The resting order named by `id`; `None` for a stale or unknown handle.
    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        let slot = self.pool.resting(id)?;
        let node = self.pool.node(slot);
        Some(OrderView {
            owner: OwnerId(node.owner),
            side: node.side,
            price: Price(self.ladder.price(node.level)),
            qty: Qty(node.qty),
        })
    }

    /// The highest bid price, if any bid rests.
    #[inline]
    pub fn best_bid(&self) -> Option<Price> {
        self.best_level(Side::Buy).map(|(price, _)| price)
    }

    /// The lowest ask price, if any ask rests.
    #[inline]
    pub fn best_ask(&self) -> Option<Price> {
        self.best_level(Side::Sell).map(|(price, _)| price)
    }

    /// Best bid and best ask with the quantity at each.
    #[inline]
    pub fn l1(&self) -> L1 {
        L1 {
            bid: self.best_level(Side::Buy),
            ask: self.best_level(Side::Sell),
        }
    }

    /// Clears `out`, then pushes up to `n` non-empty levels of `side`, best first, as
    /// (price, total quantity at that price).
    pub fn levels(&self, side: Side, n: usize, out: &mut Vec<(Price, Qty)>) {
        out.clear();
        let mut index = Some(self.best(side)).filter(|&index| index != NIL);
        while let Some(i) = index.filter(|_| out.len() < n) {
            out.push((Price(self.ladder.price(i)), Qty(self.ladder.level(i).qty)));
            index = self.next_level(side, i);
        }
    }

    /// Resting quantity on `side` at prices `p` with `|2p - ref_x2| * 10_000 <= ref_x2 * bps`.
    ///
    /// `ref_x2` is twice the mid (best bid + best ask) when both sides rest, else twice the
    /// best price of the side that rests; an empty book has no depth.
    pub fn depth_within_bps_side(&self, side: Side, bps: u32) -> Qty {
        let Some(ref_x2) = self.ref_x2() else {
            return Qty(0);
        };
        let best = self.best(side);
        if best == NIL {
            return Qty(0);
        }
        // |2p - R| * 10_000 <= R * bps  <=>  |2p - R| <= floor(R * bps / 10_000) =: D
        //                               <=>  ceil((R - D) / 2) <= p <= floor((R + D) / 2).
        let reach = ref_x2 * i128::from(bps) / 10_000;
        let low = -(reach - ref_x2).div_euclid(2);
        let high = (ref_x2 + reach).div_euclid(2);
        let base = i128::from(self.ladder.price(0));
        let (low, high) = (low - base, high - base);
        let mut index = match side {
            Side::Buy if i128::from(best) <= high => Some(best),
            Side::Buy => u32::try_from(high)
                .ok()
                .and_then(|i| self.ladder.next_at_or_below(i)),
            Side::Sell if i128::from(best) >= low => Some(best),
            Side::Sell => u32::try_from(low)
                .ok()
                .and_then(|i| self.ladder.next_at_or_above(i)),
        };
        let mut depth = 0;
        while let Some(i) = index.filter(|&i| (low..=high).contains(&i128::from(i))) {
            depth += self.ladder.level(i).qty;
            index = self.next_level(side, i);
        }
        Qty(depth)
    }

    /// Resting quantity a taker on `taker_side` could fill at `limit` or better, counted up
    /// to `enough` (the scan stops there): what a fill-or-kill order checks before it trades.
    pub fn fillable(&self, taker_side: Side, limit: Price, enough: Qty) -> Qty {
        let side = taker_side.opposite();
        let mut index = Some(self.best(side)).filter(|&index| index != NIL);
        let mut qty = 0;
        while let Some(i) = index.filter(|_| qty < enough.0) {
            let price = self.ladder.price(i);
            let reachable = match taker_side {
                Side::Buy => price <= limit.0,
                Side::Sell => price >= limit.0,
            };
            if !reachable {
                break;
            }
            qty += self.ladder.level(i).qty;
            index = self.next_level(side, i);
        }
        Qty(qty)
    }

    /// Resting quantity on both sides within `bps` of the same reference as
    /// [`Book::depth_within_bps_side`]: `depth_within_bps(100)` is the quantity within ±1% of
    /// the mid.
    pub fn depth_within_bps(&self, bps: u32) -> Qty {
        Qty(self.depth_within_bps_side(Side::Buy, bps).0
            + self.depth_within_bps_side(Side::Sell, bps).0)
    }

    /// Number of resting orders.
    #[inline]
    pub fn live_orders(&self) -> usize {
        self.pool.used()
    }

    /// Total resting quantity on `side`.
    #[inline]
    pub fn total_qty(&self, side: Side) -> Qty {
        Qty(self.side_qty[side_index(side)])
    }

    /// All resting orders of `side` in priority order: best price first, then time.
    /// For tests and audits: it allocates.
    pub fn orders(&self, side: Side) -> Vec<(OrderId, OrderView)> {
        let mut orders = Vec::new();
        let mut index = Some(self.best(side)).filter(|&index| index != NIL);
        while let Some(i) = index {
            let mut slot = self.ladder.level(i).head;
            while slot != NIL {
                let node = self.pool.node(slot);
                let view = OrderView {
                    owner: OwnerId(node.owner),
                    side,
                    price: Price(self.ladder.price(i)),
                    qty: Qty(node.qty),
                };
                orders.push((self.pool.id(slot), view));
                slot = node.next;
            }
            index = self.next_level(side, i);
        }
        orders
    }

    // ---- prices and the ladder ------------------------------------------------------------

    /// Ladder index of the best level of `side`, or [`NIL`].
    #[inline]
    fn best(&self, side: Side) -> u32 {
        self.best[side_index(side)]
    }

    /// The best level of `side` as (price, total quantity).
    #[inline]
    fn best_level(&self, side: Side) -> Option<(Price, Qty)> {
        let best = self.best(side);
        (best != NIL).then(|| {
            (
                Price(self.ladder.price(best)),
                Qty(self.ladder.level(best).qty),
            )
        })
    }

    /// The next non-empty level of `side` after `index`, moving away from the spread.
    #[inline]
    fn next_level(&self, side: Side, index: u32) -> Option<u32> {
        match side {
            Side::Buy => self.ladder.next_at_or_below(index.checked_sub(1)?),
            Side::Sell => self.ladder.next_at_or_above(index + 1),
        }
    }

    /// True when an order of `side` at `price` would meet the opposite best.
    #[inline]
    fn crosses(&self, side: Side, price: i64) -> bool {
        let best = self.best[1 - side_index(side)];
        best != NIL && at_or_through(side, self.ladder.price(best), price)
    }

    /// Twice the reference price of the depth queries, if anything rests.
    fn ref_x2(&self) -> Option<i128> {
        let bid = self.best_bid().map(|p| i128::from(p.0));
        let ask = self.best_ask().map(|p| i128::from(p.0));
        match (bid, ask) {
            (Some(bid), Some(ask)) => Some(bid + ask),
            (Some(one), None) | (None, Some(one)) => Some(2 * one),
            (None, None) => None,
        }
    }
}

/// Index of `side` in per-side arrays: 0 for a buy, 1 for a sell.
#[inline]
fn side_index(side: Side) -> usize {
    side as usize
}

const _: () = assert!(Side::Buy as usize == 0 && Side::Sell as usize == 1);

/// +1 for a buy, -1 for a sell, computed without a branch (LLVM turns a `match` on the side
/// into a jump, and the side of the next order is as good as random).
#[inline]
fn side_sign(side: Side) -> i64 {
    1 - 2 * side as i64
}

/// True when an order of `side` limited at `limit` may trade at `price`: a buy at or below
/// its limit, a sell at or above. Arithmetic on the side's sign rather than a branch on the
/// side, which is unpredictable in a mixed flow.
#[inline]
fn at_or_through(side: Side, price: i64, limit: i64) -> bool {
    // Both positive, so the difference cannot overflow.
    debug_assert!(price > 0 && limit > 0);
    side_sign(side) * (price - limit) <= 0
}

fn check_qty(qty: Qty) -> Result<(), BookError> {
    if qty.0 > 0 {
        Ok(())
    } else {
        Err(BookError::NonPositiveQty(qty))
    }
}

fn check_price(price: Price) -> Result<(), BookError> {
    if price.0 > 0 {
        Ok(())
    } else {
        Err(BookError::PriceOutOfRange(price))
    }
}

mod matching;
mod range;
#[cfg(test)]
mod tests;
