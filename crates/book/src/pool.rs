//! The order pool: a slab of fixed-size order nodes with a free list and per-slot generations.
//!
//! A node is 32 bytes, two to a cache line, so that a cancel touches one line for the order
//! and one for each neighbour, and 25k resting orders take 800 KB. Handles are
//! `(slot, generation)` pairs, checked on every lookup, so a stale handle never reaches the order
//! that reuses its slot.

use crate::types::{OrderId, OwnerId, Side};

/// The "no slot" / "no level" link.
pub(crate) const NIL: u32 = u32::MAX;

/// One order slot. While the order rests, `prev`/`next` link it into its level's FIFO; while the
/// slot is free, `next` links the free list and `level` is [`NIL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    /// Quantity left, in lots.
    pub qty: i64,
    /// Older neighbour in the level, or [`NIL`].
    pub prev: u32,
    /// Newer neighbour in the level (or next free slot), or [`NIL`].
    pub next: u32,
    /// The owner, as `OwnerId.0`.
    pub owner: u32,
    /// Index of the level the order rests at; [`NIL`] while not resting.
    pub level: u32,
    /// Generation of the slot; bumped when the slot is freed.
    pub generation: u32,
    /// Side of the order.
    pub side: Side,
}

const _: () = assert!(std::mem::size_of::<Node>() == 32);

/// The slab. Slots are handed out last-freed first, so a new order reuses a cache-warm slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pool {
    nodes: Vec<Node>,
    free: u32,
    used: usize,
}

impl Pool {
    /// The most slots a pool holds: slot numbers must stay below [`NIL`].
    pub const MAX_SLOTS: usize = NIL as usize;

    /// An empty pool with room for `capacity` orders before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Pool {
            nodes: Vec::with_capacity(capacity.min(Self::MAX_SLOTS)),
            free: NIL,
            used: 0,
        }
    }

    /// Number of slots in use.
    #[inline]
    pub fn used(&self) -> usize {
        self.used
    }

    /// Takes a slot for a new order, not yet resting (its `qty` and links are set when it
    /// rests). `None` when the pool is at [`Pool::MAX_SLOTS`]; nothing changes then.
    #[inline]
    pub fn alloc(&mut self, owner: OwnerId, side: Side) -> Option<OrderId> {
        let slot = if self.free != NIL {
            let slot = self.free;
            self.free = self.nodes[slot as usize].next;
            slot
        } else if self.nodes.len() < Self::MAX_SLOTS {
            let empty = Node {
                qty: 0,
                prev: NIL,
                next: NIL,
                owner: 0,
                level: NIL,
                generation: 0,
                side,
            };
            self.nodes.push(empty);
            (self.nodes.len() - 1) as u32
        } else {
            return None;
        };
        let node = &mut self.nodes[slot as usize];
        debug_assert!(node.level == NIL);
        node.owner = owner.0;
        node.side = side;
        self.used += 1;
        Some(OrderId::new(slot, node.generation))
    }

    /// Returns a slot to the free list; its handle becomes stale. The slot must not be resting.
    #[inline]
    pub fn free(&mut self, slot: u32) {
        let node = &mut self.nodes[slot as usize];
        debug_assert!(
            node.level == NIL,
            "freeing a slot still linked into a level"
        );
        node.generation = node.generation.wrapping_add(1);
        node.next = self.free;
        self.free = slot;
        self.used -= 1;
    }

    /// The slot of `id` if it names a resting order.
    #[inline]
    pub fn resting(&self, id: OrderId) -> Option<u32> {
        let node = self.nodes.get(id.slot() as usize)?;
        (node.generation == id.generation() && node.level != NIL).then_some(id.slot())
    }

    /// The handle currently issued for `slot`.
    #[inline]
    pub fn id(&self, slot: u32) -> OrderId {
        OrderId::new(slot, self.nodes[slot as usize].generation)
    }

    /// The node in `slot`.
    #[inline]
    pub fn node(&self, slot: u32) -> &Node {
        &self.nodes[slot as usize]
    }

    /// The node in `slot`, mutable.
    #[inline]
    pub fn node_mut(&mut self, slot: u32) -> &mut Node {
        &mut self.nodes[slot as usize]
    }

    /// Adds `shift` to the level index of every resting order (after the ladder moved).
    pub fn shift_levels(&mut self, shift: i64) {
        for node in self.nodes.iter_mut().filter(|node| node.level != NIL) {
            let moved = i64::from(node.level) + shift;
            debug_assert!((0..i64::from(NIL)).contains(&moved));
            node.level = moved as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_last_in_first_out_with_a_new_generation() {
        let mut pool = Pool::with_capacity(4);
        let mut alloc = |owner| pool.alloc(OwnerId(owner), Side::Buy).unwrap();
        let (a, b) = (alloc(1), alloc(1));
        pool.free(a.slot());
        pool.free(b.slot());
        let (c, d) = (
            pool.alloc(OwnerId(2), Side::Sell).unwrap(),
            pool.alloc(OwnerId(2), Side::Sell).unwrap(),
        );
        assert_eq!((c.slot(), c.generation()), (b.slot(), 1));
        assert_eq!((d.slot(), d.generation()), (a.slot(), 1));
        assert_eq!(pool.used(), 2);
        assert_eq!(pool.resting(a), None, "a stale handle names nothing");
    }
}
