//! Recording: the time series sampled on a fixed grid, the trade tape, and run counters.
//!
//! Everything here is integers (ticks, lots, ns); the report crate turns it into files.

use cascade_book::{OrderId, OwnerId, Price, Qty, Side};
use serde::Serialize;

/// One row of the time series: the market at the end of a sampling interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Sample time, ns.
    pub time_ns: i64,
    /// Best bid and its quantity.
    pub bid: Option<(Price, Qty)>,
    /// Best ask and its quantity.
    pub ask: Option<(Price, Qty)>,
    /// Resting quantity within ±1% of mid, both sides.
    pub depth_1pct: Qty,
    /// Lots traded during the interval.
    pub volume: Qty,
    /// Trades during the interval.
    pub trades: u32,
    /// Last trade price so far.
    pub last: Price,
    /// The fundamental value, rounded to ticks, if the scenario has one.
    pub fundamental: Option<Price>,
}

impl Sample {
    /// Twice the mid price (exact), when both sides rest.
    pub fn mid_x2(&self) -> Option<i64> {
        match (self.bid, self.ask) {
            (Some((b, _)), Some((a, _))) => Some(b.0 + a.0),
            _ => None,
        }
    }
}

/// One trade of the tape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Time, ns.
    pub time_ns: i64,
    /// Price, ticks.
    pub price: Price,
    /// Quantity, lots.
    pub qty: Qty,
    /// Side of the incoming order.
    pub taker_side: Side,
    /// Resting order.
    pub maker_order: OrderId,
    /// Incoming order.
    pub taker_order: OrderId,
    /// Owner of the resting order (agent index).
    pub maker: OwnerId,
    /// Owner of the incoming order (agent index).
    pub taker: OwnerId,
}

/// Counts of what happened during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Events popped from the queue and processed.
    pub events_processed: u64,
    /// Agent wake-ups.
    pub wakes: u64,
    /// Order instructions that reached the exchange.
    pub arrivals: u64,
    /// Limit orders received.
    pub limit_orders: u64,
    /// Limit orders that rested (in full or in part).
    pub limit_orders_rested: u64,
    /// Limit orders that traded on arrival (marketable limits).
    pub limit_orders_marketable: u64,
    /// Market orders received.
    pub market_orders: u64,
    /// Cancels received.
    pub cancels: u64,
    /// Cancels that found no resting order (already filled or cancelled).
    pub cancels_late: u64,
    /// Orders the book refused (post-only crossing, price out of range, …).
    pub rejects: u64,
    /// Trades.
    pub trades: u64,
    /// Lots traded.
    pub volume: i64,
    /// Resting orders cancelled by self-trade prevention.
    pub self_trade_cancels: u64,
}

/// Number of price levels per side kept in each book snapshot.
pub const SNAPSHOT_LEVELS: usize = 20;

/// One price level of a book snapshot taken at a sample time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelRow {
    /// Sample time, ns.
    pub time_ns: i64,
    /// Side of the level.
    pub side: Side,
    /// 0 for the best level of the side, 1 for the next, …
    pub level: u16,
    /// Price, ticks.
    pub price: Price,
    /// Resting quantity, lots.
    pub qty: Qty,
}

/// Everything a run produced, in memory.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    /// Time series, one row per sampling interval.
    pub samples: Vec<Sample>,
    /// Trade tape.
    pub trades: Vec<Trade>,
    /// The best [`SNAPSHOT_LEVELS`] levels of each side at every sample (for depth heatmaps).
    pub book_levels: Vec<LevelRow>,
    /// Run counters.
    pub counters: Counters,
}
