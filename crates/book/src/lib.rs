//! The limit order book of cascade: one instrument, strict price-time priority, exact.
//!
//! [`Book`] takes limit orders (good-till-cancelled, immediate-or-cancel, post-only), market
//! orders, cancels and amends, and reports what happened as [`BookEvent`]s appended to a
//! caller-owned `Vec`. Trades happen at the resting (maker) order's price. An incoming order
//! that would trade with a resting order of its own owner cancels that resting order instead
//! (self-trade prevention). Every refused operation leaves the book unchanged.
//!
//! **Architecture invariant:** the book does no I/O, reads no clock and no randomness, and
//! uses no floats: prices are integer ticks ([`Price`]), quantities integer lots ([`Qty`]).
//! The same operations in the same order always give the same events and the same handles.
//!
//! **Architecture invariant:** no allocation per order on the hot path. Orders live in a
//! pooled slab with a free list and levels in a flat array indexed by tick; both grow only
//! amortised (doubling), and [`Book::with_capacity`] pre-sizes the pool. Handles
//! ([`OrderId`]) are slot + generation, so cancel and amend are O(1) without a map.
//!
//! **API boundary:** the public types live in [`types`]; the book is [`Book`].

/// The order book itself: matching, cancels, amends, depth queries.
pub mod book;
mod levels;
mod pool;
/// The public types: prices, quantities, handles, events and errors.
pub mod types;

pub use book::Book;
pub use types::*;
