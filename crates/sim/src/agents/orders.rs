//! The handles of an agent's resting orders.

use super::Action;
use cascade_book::{Book, OrderId};

/// An agent's resting orders, oldest first, bounded by `cap`.
#[derive(Clone, Debug)]
pub struct OrderList {
    ids: Vec<OrderId>,
    cap: usize,
}

impl OrderList {
    /// An empty list holding at most `cap` handles.
    pub fn new(cap: usize) -> Self {
        Self {
            ids: Vec::with_capacity(cap.min(64)),
            cap: cap.max(1),
        }
    }

    /// Records a handle; past the bound the oldest is forgotten (the agent cancels it first).
    pub fn push(&mut self, id: OrderId) {
        if self.ids.len() >= self.cap {
            self.ids.remove(0);
        }
        self.ids.push(id);
    }

    /// Drops handles of orders that no longer rest (filled or cancelled).
    pub fn prune(&mut self, book: &Book) {
        self.ids.retain(|id| book.order(*id).is_some());
    }

    /// The handle at position `i` (0 = oldest).
    pub fn get(&self, i: usize) -> Option<OrderId> {
        self.ids.get(i).copied()
    }

    /// Number of handles held.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no handle is held.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// True when the list is at its bound.
    pub fn is_full(&self) -> bool {
        self.ids.len() >= self.cap
    }

    /// Cancels every held order and forgets them.
    pub fn cancel_all(&mut self, out: &mut Vec<Action>) {
        out.extend(self.ids.drain(..).map(Action::Cancel));
    }

    /// Cancels the order at position `i` (0 = oldest) and forgets it.
    pub fn cancel_at(&mut self, i: usize, out: &mut Vec<Action>) {
        if i < self.ids.len() {
            out.push(Action::Cancel(self.ids.remove(i)));
        }
    }
}
