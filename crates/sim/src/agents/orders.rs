//! The handles of an agent's resting orders.

use super::Action;
use cascade_book::{Book, OrderId};

/// Handles kept inside the list itself (no allocation of their own) when the bound allows: a
/// noise trader's 4, a leveraged trader's 2. An agent's handles are read on every wake, and a
/// separate allocation is one more cache line to fetch for each of thousands of agents.
const INLINE: usize = 4;

/// An agent's resting orders, oldest first, bounded by `cap`.
#[derive(Clone, Debug)]
pub struct OrderList {
    store: Store,
    cap: u32,
}

/// Where the handles live: inline up to `INLINE`, else on the heap.
#[derive(Clone, Debug)]
enum Store {
    Inline { ids: [OrderId; INLINE], len: u8 },
    Heap(Vec<OrderId>),
}

impl OrderList {
    /// An empty list holding at most `cap` handles.
    pub fn new(cap: usize) -> Self {
        let cap = cap.clamp(1, u32::MAX as usize);
        let store = if cap <= INLINE {
            Store::Inline {
                ids: [OrderId::new(0, 0); INLINE],
                len: 0,
            }
        } else {
            Store::Heap(Vec::with_capacity(cap.min(64)))
        };
        Self {
            store,
            cap: cap as u32,
        }
    }

    /// The handles held, oldest first.
    fn ids(&self) -> &[OrderId] {
        match &self.store {
            Store::Inline { ids, len } => &ids[..usize::from(*len)],
            Store::Heap(v) => v,
        }
    }

    /// Forgets the handle at position `i` and returns it.
    fn remove(&mut self, i: usize) -> OrderId {
        match &mut self.store {
            Store::Inline { ids, len } => {
                let id = ids[i];
                ids.copy_within(i + 1..usize::from(*len), i);
                *len -= 1;
                id
            }
            Store::Heap(v) => v.remove(i),
        }
    }

    /// Records a handle; past the bound the oldest is forgotten (the agent cancels it first).
    pub fn push(&mut self, id: OrderId) {
        if self.is_full() {
            self.remove(0);
        }
        match &mut self.store {
            Store::Inline { ids, len } => {
                ids[usize::from(*len)] = id;
                *len += 1;
            }
            Store::Heap(v) => v.push(id),
        }
    }

    /// Drops handles of orders that no longer rest (filled or cancelled).
    pub fn prune(&mut self, book: &Book) {
        match &mut self.store {
            Store::Inline { ids, len } => {
                let mut kept = 0;
                for r in 0..usize::from(*len) {
                    if book.order(ids[r]).is_some() {
                        ids[kept] = ids[r];
                        kept += 1;
                    }
                }
                *len = kept as u8;
            }
            Store::Heap(v) => v.retain(|id| book.order(*id).is_some()),
        }
    }

    /// The handle at position `i` (0 = oldest).
    pub fn get(&self, i: usize) -> Option<OrderId> {
        self.ids().get(i).copied()
    }

    /// Number of handles held.
    pub fn len(&self) -> usize {
        self.ids().len()
    }

    /// True when no handle is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the list is at its bound.
    pub fn is_full(&self) -> bool {
        self.len() >= self.cap as usize
    }

    /// Cancels every held order and forgets them.
    pub fn cancel_all(&mut self, out: &mut Vec<Action>) {
        out.extend(self.ids().iter().copied().map(Action::Cancel));
        match &mut self.store {
            Store::Inline { len, .. } => *len = 0,
            Store::Heap(v) => v.clear(),
        }
    }

    /// Cancels the order at position `i` (0 = oldest) and forgets it.
    pub fn cancel_at(&mut self, i: usize, out: &mut Vec<Action>) {
        if i < self.len() {
            out.push(Action::Cancel(self.remove(i)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Inline (cap ≤ 4) and heap (cap > 4) lists both behave as a bounded queue of
        /// handles, oldest first, the oldest forgotten past the bound.
        #[test]
        fn behaves_as_a_bounded_queue(cap in 1usize..9, ops in proptest::collection::vec((0u8..4, 0usize..10), 0..60)) {
            let mut list = OrderList::new(cap);
            let mut model: Vec<OrderId> = Vec::new();
            let mut next = 0u32;
            for (op, i) in ops {
                let (mut got, mut want) = (Vec::new(), Vec::new());
                match op {
                    0 | 1 => {
                        let id = OrderId::new(next, 1);
                        next += 1;
                        list.push(id);
                        if model.len() >= cap {
                            model.remove(0);
                        }
                        model.push(id);
                    }
                    2 => {
                        list.cancel_at(i, &mut got);
                        if i < model.len() {
                            want.push(Action::Cancel(model.remove(i)));
                        }
                    }
                    _ => {
                        list.cancel_all(&mut got);
                        want.extend(model.drain(..).map(Action::Cancel));
                    }
                }
                prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
                prop_assert_eq!(list.len(), model.len());
                prop_assert_eq!(list.is_full(), model.len() >= cap);
                for (k, id) in model.iter().enumerate() {
                    prop_assert_eq!(list.get(k), Some(*id));
                }
                prop_assert_eq!(list.get(model.len()), None);
            }
        }
    }

    #[test]
    fn small_bounds_are_held_inline() {
        assert!(matches!(OrderList::new(4).store, Store::Inline { .. }));
        assert!(matches!(OrderList::new(5).store, Store::Heap(_)));
        assert!(std::mem::size_of::<OrderList>() <= 48);
    }
}
