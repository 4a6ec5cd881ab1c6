//! Matching and the level queues: an incoming order takes from the opposite best levels in
//! time order; what is left rests at the back of its level; cancels unlink in O(1).

use super::{at_or_through, side_index, side_sign, Book};
use crate::pool::NIL;
use crate::types::{BookEvent, Fill, OrderId, OwnerId, Price, Qty, Side, Submitted};

impl Book {
    /// Trades an incoming order against the opposite side while the best price there is at
    /// or through `limit`. Returns the quantity filled.
    #[inline]
    pub(super) fn take(
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
            if !at_or_through(side, price, limit) {
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
                events.push(BookEvent::SelfTradeCancel {
                    id: maker,
                    owner,
                    qty,
                });
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
    pub(super) fn finish(
        &mut self,
        id: OrderId,
        side: Side,
        price: i64,
        qty: i64,
        filled: i64,
        rest: bool,
    ) -> Submitted {
        let left = qty - filled;
        debug_assert!((0..=qty).contains(&left));
        if rest && left > 0 {
            self.rest(id.slot(), side, price, left);
            Submitted {
                id,
                filled: Qty(filled),
                resting: Qty(left),
                cancelled: Qty(0),
            }
        } else {
            self.pool.free(id.slot());
            let cancelled = if rest { 0 } else { left };
            Submitted {
                id,
                filled: Qty(filled),
                resting: Qty(0),
                cancelled: Qty(cancelled),
            }
        }
    }

    /// Links the allocated, unlinked order in `slot` at the back of the level at `price`.
    /// The price must have passed [`Book::check_fits`] and must not cross the opposite side.
    #[inline]
    pub(super) fn rest(&mut self, slot: u32, side: Side, price: i64, qty: i64) {
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
            let best = &mut self.best[side_index(side)];
            // Higher than the best bid, or lower than the best ask.
            if *best == NIL || side_sign(side) * (i64::from(index) - i64::from(*best)) > 0 {
                *best = index;
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
        debug_assert!(self.best[0] == NIL || self.best[1] == NIL || self.best[0] < self.best[1]);
    }

    /// Unlinks the resting order in `slot` from its level (the slot stays allocated) and
    /// returns its quantity.
    #[inline]
    pub(super) fn unlink(&mut self, slot: u32) -> i64 {
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
            Side::Buy if index == self.best[0] => {
                self.best[0] = self.ladder.next_at_or_below(index).unwrap_or(NIL);
            }
            Side::Sell if index == self.best[1] => {
                self.best[1] = self.ladder.next_at_or_above(index).unwrap_or(NIL);
            }
            _ => {}
        }
    }
}
