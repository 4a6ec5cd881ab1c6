//! Orders live in a `Pool` of 32-byte nodes; each price level is an intrusive FIFO of those
//! nodes on a `Ladder` indexed by tick. The best bid and best ask are kept as ladder indices,
//! and the ladder's bitset finds the next non-empty level when a best level empties.

use std::fmt;

use crate::levels::Ladder;
use crate::pool::{Pool, NIL};
use crate::types::{
    BookError, BookEvent, Fill, OrderId, OrderView, OwnerId, Price, Qty, Side, Submitted, Tif, L1,
};

/// Levels the ladder spans when the first order arrives.
const INITIAL_LEVELS: usize = 4096;

/// A limit order book for one instrument.
///
/// Every operation either succeeds or returns an error and leaves the book exactly as it was.
/// Equality compares the whole state, pool and handles included.
#[derive(Clone, PartialEq, Eq)]
pub struct Book {
    pool: Pool,
    ladder: Ladder,
    /// Ladder index of the best bid, or [`NIL`].
    best_bid: u32,
    /// Ladder index of the best ask, or [`NIL`].
    best_ask: u32,
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
            best_bid: NIL,
            best_ask: NIL,
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
        let filled = if crosses { self.take(id, owner, side, price.0, qty.0, events) } else { 0 };
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
        let limit = match side {
            Side::Buy => i64::MAX,
            Side::Sell => i64::MIN,
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
            return Ok(Submitted { id, filled: Qty(0), resting: qty, cancelled: Qty(0) });
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
        L1 { bid: self.best_level(Side::Buy), ask: self.best_level(Side::Sell) }
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
            Side::Buy => u32::try_from(high).ok().and_then(|i| self.ladder.next_at_or_below(i)),
            Side::Sell if i128::from(best) >= low => Some(best),
            Side::Sell => u32::try_from(low).ok().and_then(|i| self.ladder.next_at_or_above(i)),
        };
        let mut depth = 0;
        while let Some(i) = index.filter(|&i| (low..=high).contains(&i128::from(i))) {
            depth += self.ladder.level(i).qty;
            index = self.next_level(side, i);
        }
        Qty(depth)
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

    // ---- matching -------------------------------------------------------------------------

    /// Trades an incoming order against the opposite side while the best price there is at
    /// or through `limit`. Returns the quantity filled.
    #[inline]
    fn take(
        &mut self,
        taker: OrderId,
        owner: OwnerId,
        side: Side,
        limit: i64,
        qty: i64,
        events: &mut Vec<BookEvent>,
    ) -> i64 {
        let maker_side = side.opposite();
        let mut left = qty;
        while left > 0 {
            let best = self.best(maker_side);
            if best == NIL {
                break;
            }
            let price = self.ladder.price(best);
            let crosses = match side {
                Side::Buy => price <= limit,
                Side::Sell => price >= limit,
            };
            if !crosses {
                break;
            }
            left = self.take_level(best, taker, owner, side, left, events);
            if self.ladder.level(best).head == NIL {
                self.ladder.mark_empty(best);
                self.level_emptied(maker_side, best);
            }
        }
        qty - left
    }

    /// Trades up to `left` against level `index` from its head, cancelling the taker's own
    /// orders on the way. Returns the quantity still to fill.
    fn take_level(
        &mut self,
        index: u32,
        taker: OrderId,
        owner: OwnerId,
        side: Side,
        mut left: i64,
        events: &mut Vec<BookEvent>,
    ) -> i64 {
        let price = Price(self.ladder.price(index));
        let mut slot = self.ladder.level(index).head;
        let mut removed = 0;
        while left > 0 && slot != NIL {
            let node = *self.pool.node(slot);
            let maker = OrderId::new(slot, node.generation);
            if node.owner == owner.0 {
                let qty = Qty(node.qty);
                events.push(BookEvent::SelfTradeCancel { id: maker, owner, qty });
                removed += node.qty;
            } else {
                let qty = left.min(node.qty);
                let maker_done = qty == node.qty;
                left -= qty;
                removed += qty;
                events.push(BookEvent::Fill(Fill {
                    maker,
                    taker,
                    maker_owner: OwnerId(node.owner),
                    taker_owner: owner,
                    taker_side: side,
                    price,
                    qty: Qty(qty),
                    maker_done,
                }));
                if !maker_done {
                    self.pool.node_mut(slot).qty -= qty;
                    break;
                }
            }
            self.pool.node_mut(slot).level = NIL;
            self.pool.free(slot);
            slot = node.next;
        }
        let level = self.ladder.level_mut(index);
        level.head = slot;
        level.qty -= removed;
        if slot == NIL {
            level.tail = NIL;
        } else {
            self.pool.node_mut(slot).prev = NIL;
        }
        self.side_qty[side_index(side.opposite())] -= removed;
        left
    }

    /// Rests what is left of an order after matching, or frees its slot.
    #[inline]
    fn finish(&mut self, id: OrderId, side: Side, price: i64, qty: i64, filled: i64, rest: bool) -> Submitted {
        let left = qty - filled;
        debug_assert!((0..=qty).contains(&left));
        if rest && left > 0 {
            self.rest(id.slot(), side, price, left);
            Submitted { id, filled: Qty(filled), resting: Qty(left), cancelled: Qty(0) }
        } else {
            self.pool.free(id.slot());
            let cancelled = if rest { 0 } else { left };
            Submitted { id, filled: Qty(filled), resting: Qty(0), cancelled: Qty(cancelled) }
        }
    }

    // ---- resting orders -------------------------------------------------------------------

    /// Links the allocated, unlinked order in `slot` at the back of the level at `price`.
    /// The price must have passed [`Book::check_fits`] and must not cross the opposite side.
    #[inline]
    fn rest(&mut self, slot: u32, side: Side, price: i64, qty: i64) {
        debug_assert!(self.pool.node(slot).side == side);
        let index = match self.ladder.index(price) {
            Some(index) => index,
            None => self.grow(price),
        };
        let level = self.ladder.level_mut(index);
        let tail = level.tail;
        level.tail = slot;
        level.qty += qty;
        if tail == NIL {
            level.head = slot;
            self.ladder.mark_filled(index);
            match side {
                Side::Buy if self.best_bid == NIL || index > self.best_bid => self.best_bid = index,
                Side::Sell if self.best_ask == NIL || index < self.best_ask => self.best_ask = index,
                _ => {}
            }
        } else {
            self.pool.node_mut(tail).next = slot;
        }
        let node = self.pool.node_mut(slot);
        node.qty = qty;
        node.level = index;
        node.prev = tail;
        node.next = NIL;
        self.side_qty[side_index(side)] += qty;
        debug_assert!(self.best_bid == NIL || self.best_ask == NIL || self.best_bid < self.best_ask);
    }

    /// Unlinks the resting order in `slot` from its level (the slot stays allocated) and
    /// returns its quantity.
    #[inline]
    fn unlink(&mut self, slot: u32) -> i64 {
        let node = *self.pool.node(slot);
        debug_assert!(node.level != NIL);
        if node.prev != NIL {
            self.pool.node_mut(node.prev).next = node.next;
        }
        if node.next != NIL {
            self.pool.node_mut(node.next).prev = node.prev;
        }
        let level = self.ladder.level_mut(node.level);
        if node.prev == NIL {
            level.head = node.next;
        }
        if node.next == NIL {
            level.tail = node.prev;
        }
        level.qty -= node.qty;
        let emptied = level.head == NIL;
        self.pool.node_mut(slot).level = NIL;
        self.side_qty[side_index(node.side)] -= node.qty;
        if emptied {
            self.ladder.mark_empty(node.level);
            self.level_emptied(node.side, node.level);
        }
        node.qty
    }

    /// Moves the best of `side` on if the level at `index`, just emptied, was it.
    #[inline]
    fn level_emptied(&mut self, side: Side, index: u32) {
        match side {
            Side::Buy if index == self.best_bid => {
                self.best_bid = self.ladder.next_at_or_below(index).unwrap_or(NIL);
            }
            Side::Sell if index == self.best_ask => {
                self.best_ask = self.ladder.next_at_or_above(index).unwrap_or(NIL);
            }
            _ => {}
        }
    }

    // ---- prices and the ladder ------------------------------------------------------------

    /// Ladder index of the best level of `side`, or [`NIL`].
    #[inline]
    fn best(&self, side: Side) -> u32 {
        match side {
            Side::Buy => self.best_bid,
            Side::Sell => self.best_ask,
        }
    }

    /// The best level of `side` as (price, total quantity).
    #[inline]
    fn best_level(&self, side: Side) -> Option<(Price, Qty)> {
        let best = self.best(side);
        (best != NIL).then(|| (Price(self.ladder.price(best)), Qty(self.ladder.level(best).qty)))
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
        match side {
            Side::Buy => self.best_ask != NIL && self.ladder.price(self.best_ask) <= price,
            Side::Sell => self.best_bid != NIL && self.ladder.price(self.best_bid) >= price,
        }
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

    /// Refuses a resting price that would stretch the resting prices (without the order in
    /// `exclude`, which is about to move) to [`Book::MAX_PRICE_SPAN`] or more.
    #[inline]
    fn check_fits(&self, price: i64, exclude: Option<u32>) -> Result<(), BookError> {
        if self.ladder.index(price).is_some() {
            // The ladder never spans more than MAX_PRICE_SPAN levels.
            return Ok(());
        }
        match self.span(exclude) {
            Some((low, high)) if high.max(price) - low.min(price) >= Self::MAX_PRICE_SPAN => {
                Err(BookError::PriceOutOfRange(Price(price)))
            }
            _ => Ok(()),
        }
    }

    /// Lowest and highest resting prices, leaving out the order in `exclude`.
    fn span(&self, exclude: Option<u32>) -> Option<(i64, i64)> {
        let mut first = self.ladder.first()?;
        let mut last = self.ladder.last()?;
        if let Some(slot) = exclude {
            let node = self.pool.node(slot);
            if self.ladder.level(node.level).qty == node.qty {
                // The order is alone at its level: its level does not count.
                if first == node.level {
                    first = self.ladder.next_at_or_above(first + 1)?;
                }
                if last == node.level {
                    last = self.ladder.next_at_or_below(last.checked_sub(1)?)?;
                }
            }
        }
        Some((self.ladder.price(first), self.ladder.price(last)))
    }

    /// Resizes or re-bases the ladder so it spans `price` and every resting level; returns the
    /// index of `price`. Rare: the ladder at least doubles when it grows.
    #[cold]
    fn grow(&mut self, price: i64) -> u32 {
        let live = self.span(None);
        let (low, high) = match live {
            Some((low, high)) => (low.min(price), high.max(price)),
            None => (price, price),
        };
        let needed = (high - low + 1) as usize;
        debug_assert!(needed as i64 <= Self::MAX_PRICE_SPAN, "check_fits let an unfit price by");
        let old = self.ladder.len();
        let len = if old >= 2 * needed {
            old
        } else {
            (2 * old)
                .max(2 * needed)
                .max(INITIAL_LEVELS)
                .next_multiple_of(64)
                .min(Self::MAX_PRICE_SPAN as usize)
        };
        // Leave most of the spare room on the side the prices are moving to.
        let spare = (len - needed) as i64;
        let below = match live {
            Some((live_low, _)) if price < live_low => spare * 3 / 4,
            Some(_) => spare / 4,
            None => spare / 2,
        };
        let shift = self.ladder.relocate(low - below, len);
        self.pool.shift_levels(shift);
        for best in [&mut self.best_bid, &mut self.best_ask] {
            if *best != NIL {
                *best = (i64::from(*best) + shift) as u32;
            }
        }
        self.ladder.index(price).expect("the relocated ladder spans the price")
    }
}

/// Index of `side` in per-side arrays.
#[inline]
fn side_index(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
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

#[cfg(test)]
mod tests;
