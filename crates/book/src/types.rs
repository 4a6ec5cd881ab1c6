//! Integer newtypes of the market: prices in ticks, quantities in lots, ids, sides.

use std::fmt;

/// A price in ticks of the instrument. Always positive inside the book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(pub i64);

/// A quantity in lots of the instrument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(pub i64);

/// A quote value in units of one tick × one lot: what `q` lots at `p` ticks are worth.
///
/// The one way to multiply a price by a quantity. The product is checked: scenario validation
/// bounds ticks × lots so that a run cannot reach `i64::MAX`, and a product that would
/// overflow anyway stops the run with this message instead of wrapping silently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Notional(pub i64);

impl Notional {
    /// `price` × `qty`, checked.
    #[inline]
    pub fn of(price: Price, qty: Qty) -> Self {
        match price.0.checked_mul(qty.0) {
            Some(v) => Notional(v),
            None => panic!(
                "notional of {} lots at {} ticks overflows 64-bit units (validation bounds ticks × lots)",
                qty.0, price.0
            ),
        }
    }
}

impl std::ops::Mul<Qty> for Price {
    type Output = Notional;
    #[inline]
    fn mul(self, qty: Qty) -> Notional {
        Notional::of(self, qty)
    }
}

/// The owner of an order: an agent or an account. Self-trade prevention compares owners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OwnerId(pub u32);

/// A handle to an order: a slot in the book's pool and the slot's generation.
///
/// A handle stays unique for the life of the book: when a slot is reused its generation
/// changes, so a stale handle is recognised as unknown instead of reaching another order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(u64);

impl OrderId {
    /// Builds a handle from a pool slot and its generation.
    pub const fn new(slot: u32, generation: u32) -> Self {
        Self(((generation as u64) << 32) | slot as u64)
    }

    /// The pool slot this handle points to.
    pub const fn slot(self) -> u32 {
        self.0 as u32
    }

    /// The generation of the slot when the handle was issued.
    pub const fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The handle as one integer, for tables and logs.
    pub const fn raw(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The side of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// A bid: buys.
    Buy,
    /// An ask: sells.
    Sell,
}

impl Side {
    /// The other side.
    pub const fn opposite(self) -> Self {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// +1 for a buy, -1 for a sell: the sign of the position change.
    pub const fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }
}

/// How long a limit order may live and whether it may take liquidity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tif {
    /// Good till cancelled: matches what it can, rests the remainder.
    Gtc,
    /// Immediate or cancel: matches what it can, cancels the remainder.
    Ioc,
    /// Post-only: rejected if any part would match on arrival; otherwise rests in full.
    PostOnly,
}

/// One trade: a resting (maker) order met an incoming (taker) order at the maker's price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// The resting order.
    pub maker: OrderId,
    /// The incoming order.
    pub taker: OrderId,
    /// Owner of the resting order.
    pub maker_owner: OwnerId,
    /// Owner of the incoming order.
    pub taker_owner: OwnerId,
    /// Side of the incoming order (a buy taker lifts asks).
    pub taker_side: Side,
    /// Trade price: always the maker's price.
    pub price: Price,
    /// Traded quantity, positive.
    pub qty: Qty,
    /// True when this fill exhausted the resting order, which left the book.
    pub maker_done: bool,
}

/// What the book reports while it processes one operation, in the order it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookEvent {
    /// A trade.
    Fill(Fill),
    /// A resting order was cancelled because the incoming order of the same owner would have
    /// traded with it (self-trade prevention: cancel the resting order).
    SelfTradeCancel {
        /// The cancelled resting order.
        id: OrderId,
        /// Its owner (also the owner of the incoming order).
        owner: OwnerId,
        /// The quantity it had left.
        qty: Qty,
    },
}

/// The outcome of a submitted or amended order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// The order's handle (valid while `resting` > 0).
    pub id: OrderId,
    /// Quantity traded on arrival.
    pub filled: Qty,
    /// Quantity left resting in the book.
    pub resting: Qty,
    /// Quantity dropped: the unfilled remainder of an IOC or market order.
    pub cancelled: Qty,
}

/// A resting order as seen from outside the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    /// Owner of the order.
    pub owner: OwnerId,
    /// Side of the order.
    pub side: Side,
    /// Limit price.
    pub price: Price,
    /// Quantity still resting.
    pub qty: Qty,
}

/// Best bid and best ask with the quantity resting at each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct L1 {
    /// Best bid price and its total quantity, if any bid rests.
    pub bid: Option<(Price, Qty)>,
    /// Best ask price and its total quantity, if any ask rests.
    pub ask: Option<(Price, Qty)>,
}

impl L1 {
    /// Twice the mid price, in ticks (exact: the mid may fall on a half tick).
    pub fn mid_x2(&self) -> Option<i64> {
        match (self.bid, self.ask) {
            (Some((b, _)), Some((a, _))) => Some(b.0 + a.0),
            _ => None,
        }
    }

    /// The spread in ticks, when both sides are present.
    pub fn spread_ticks(&self) -> Option<i64> {
        match (self.bid, self.ask) {
            (Some((b, _)), Some((a, _))) => Some(a.0 - b.0),
            _ => None,
        }
    }
}

/// Why the book refused an operation. The book is unchanged after a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// Quantity zero or negative.
    #[error("quantity must be positive, got {0:?}")]
    NonPositiveQty(Qty),
    /// Price not positive, or too far from the prices the book already holds.
    #[error("price {0:?} is outside the range the book can hold")]
    PriceOutOfRange(Price),
    /// A post-only order would have traded on arrival.
    #[error("post-only order would cross the book")]
    WouldCross,
    /// The handle does not name a resting order (filled, cancelled, or never issued).
    #[error("no resting order {0}")]
    UnknownOrder(OrderId),
    /// The order pool is at its limit.
    #[error("the book holds its maximum number of orders")]
    Full,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notional_is_ticks_times_lots() {
        assert_eq!(Price(12_345) * Qty(7), Notional(86_415));
        assert_eq!(
            Price(i64::MAX / 2) * Qty(2),
            Notional(i64::MAX - 1),
            "the largest even product"
        );
    }

    #[test]
    #[should_panic(expected = "overflows 64-bit units")]
    fn a_notional_past_i64_stops_instead_of_wrapping() {
        let _ = Price(1_000_000_000_000_000) * Qty(1_000_000_000);
    }
}
