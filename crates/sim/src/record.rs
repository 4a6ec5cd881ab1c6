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
    /// The mark price, ticks.
    pub mark: Price,
    /// The index, rounded to ticks, if the scenario has one.
    pub index: Option<Price>,
    /// The insurance fund, units (tick × lot).
    pub insurance_fund: i64,
    /// Open interest (sum of long positions), lots.
    pub open_interest: i64,
    /// With funding on: (predicted funding rate per interval, last premium sample), parts per
    /// billion.
    pub funding: Option<(i64, i64)>,
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
    /// Steps of the liquidation engine.
    pub liquidation_steps: u64,
    /// Auto-deleveraging fills.
    pub adl_fills: u64,
    /// Lots the insurance fund took over from liquidated accounts (backstop included).
    pub fund_takeover_lots: u64,
    /// Whole accounts the backstop took over.
    pub backstop_takeovers: u64,
    /// Lots the fund closed in the book working off what it took over.
    pub fund_workoff_lots: u64,
    /// Deposits after the start (top-ups, re-entries).
    pub deposits: u64,
    /// Orders refused by the initial-margin gate.
    pub rejected_margin: u64,
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
    /// Liquidation steps.
    pub liquidations: Vec<LiquidationRecord>,
    /// Auto-deleveraging fills.
    pub adl: Vec<AdlRecord>,
    /// Fund, fees, bad debt, deposits.
    pub ledger: LedgerStats,
    /// Time of the first shock or liquidation: spread and depth baselines end there.
    pub stress_from_ns: Option<i64>,
    /// Set when `--audit` found the ledger invariant broken; the run stopped there.
    pub audit: Option<AuditError>,
    /// Set when the trade tape reached its cap; the run stopped there, its tape incomplete.
    pub tape_full: Option<TapeFull>,
    /// Quote currency per unit of cash (tick size × lot size).
    pub unit_quote: f64,
    /// Run counters.
    pub counters: Counters,
    /// The funding figures, with funding on.
    pub funding: Option<FundingStats>,
    /// True when trading fees are charged.
    pub fees_on: bool,
    /// True when the initial-margin gate is on.
    pub gate_on: bool,
    /// Takeovers by what set off the root of their cascade (a multi-venue run reports them).
    pub root_triggers: RootTriggers,
    /// The name of the venue recorded (the scenario's `venue_name` for the home venue).
    pub venue_name: String,
    /// The other venues of a multi-venue run, in the order of the scenario's `venues` (empty
    /// in a one-venue run).
    pub venues: Vec<VenueRecording>,
    /// The lowest price any collateral asset had, parts per million of the quote currency
    /// (none without collateral assets).
    pub collateral_price_min_ppm: Option<i64>,
}

/// Takeovers of a venue by what set off the root of their cascade: a move of the venue's own
/// flow (its agents' trades, a shock, a margin change, funding), an index update, or a trade
/// of an agent that trades on several venues (an arbitrageur importing another venue's move).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RootTriggers {
    /// Roots set off by the venue's own flow.
    pub own_flow: u64,
    /// Roots set off by an index update.
    pub index: u64,
    /// Roots set off by a cross-venue agent's trade.
    pub arbitrage: u64,
    /// Roots set off by a fall of a collateral asset's price (the mark unchanged).
    pub collateral: u64,
}

/// Another venue of a multi-venue run and what it recorded (its series, tape, book,
/// liquidations, ADL, ledger, counters of its own orders).
#[derive(Clone, Debug, Default)]
pub struct VenueRecording {
    /// The venue's name.
    pub name: String,
    /// True for a spot market.
    pub spot: bool,
    /// What it recorded.
    pub recording: Recording,
}

/// A liquidation on one venue of the run, as a node of the cascade tree (which crosses
/// venues in a multi-venue run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CascadeLink {
    /// The venue (0 = home, then the scenario's `venues` in order).
    pub venue: u16,
    /// The liquidation's id on that venue.
    pub liquidation: u32,
    /// Its generation in the cascade.
    pub generation: u32,
}

/// What moved the mark before a liquidation started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A trade of ordinary flow (the trade's index in the tape, when recorded).
    Flow,
    /// A fill of the liquidation with this id (its generation is the parent's).
    Liquidation(u32),
    /// An index update.
    Index,
    /// The scripted shock with this index.
    Shock(u32),
    /// A change of margin rules.
    MarginChange,
    /// A funding payment.
    Funding,
    /// A change of a collateral asset's price (the asset's index in `collateral.assets`).
    Collateral(u16),
}

/// One step of a liquidation: part (or all) of an account's position closed by the engine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiquidationRecord {
    /// Time of the step, ns.
    pub time_ns: i64,
    /// Liquidation id (one per takeover; steps of one takeover share it).
    pub id: u32,
    /// The account (agent index).
    pub account: u32,
    /// Side of the closed position (Buy = a long was closed).
    pub side: Side,
    /// Lots closed in the book.
    pub book_qty: i64,
    /// Lots closed by auto-deleveraging.
    pub adl_qty: i64,
    /// Lots the insurance fund (or backstop vault) took over.
    pub fund_qty: i64,
    /// Average book fill price, ticks (0 when nothing filled in the book).
    pub avg_price: f64,
    /// Bankruptcy price, ticks.
    pub bankruptcy_price: f64,
    /// Mark price at the step, ticks.
    pub mark: i64,
    /// Notional closed in the book, units.
    pub notional: i64,
    /// Liquidation fee paid into the fund, units.
    pub fee: i64,
    /// Change of the insurance fund from this step, units (fee and socialised loss included).
    pub fund_change: i64,
    /// Units collected from accounts in profit to refill the fund (socialised loss).
    pub socialized: i64,
    /// What started the takeover.
    pub trigger: Trigger,
    /// The trade that moved the mark across the account (1-based number in the tape), when a
    /// trade did (an index move or a margin change has none).
    pub trigger_trade: Option<u64>,
    /// 0 when triggered by ordinary flow, an index move or a shock; n+1 when triggered by a
    /// fill of a generation-n liquidation, on this venue or (see `imported_from`) another.
    pub generation: u32,
    /// In a multi-venue run, the liquidation on another venue whose move set this takeover
    /// off: a cross-venue agent's trade, or an index update, carrying that liquidation's move
    /// here (see `Venue::link`). None on a one-venue run.
    pub imported_from: Option<CascadeLink>,
}

/// One auto-deleveraging fill: a bankrupt position handed to a ranked opposite account.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdlRecord {
    /// Time, ns.
    pub time_ns: i64,
    /// The liquidation it completes.
    pub liquidation: u32,
    /// The bankrupt account.
    pub bankrupt: u32,
    /// The account deleveraged.
    pub counterparty: u32,
    /// Lots transferred.
    pub qty: i64,
    /// Transfer price (the bankruptcy price), ticks.
    pub price: f64,
    /// The counterparty's ADL score (PnL% × effective leverage when in profit).
    pub score: f64,
}

/// The ledger's headline figures, units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LedgerStats {
    /// Insurance fund at the start.
    pub fund_start: i64,
    /// Lowest insurance fund.
    pub fund_min: i64,
    /// Insurance fund at the end.
    pub fund_end: i64,
    /// Liquidation fees collected.
    pub fees: i64,
    /// Loss the fund could not cover (spread over winners under socialised loss).
    pub bad_debt: i64,
    /// All deposits, including initial collateral and the initial fund.
    pub deposits: i64,
    /// Open interest at the end (sum of long positions), lots.
    pub open_interest: i64,
    /// Maker fees, net of rebates (negative when rebates exceed fees).
    pub maker_fees: i64,
    /// Taker fees.
    pub taker_fees: i64,
    /// Cash credited to accounts for the collateral units sold at their takeovers (a declared
    /// flow, like a deposit), units.
    pub collateral_sold: i64,
    /// Collateral units sold at takeovers, all assets.
    pub collateral_units_sold: i64,
}

/// The funding figures of a run (with funding on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingStats {
    /// Payment rounds.
    pub payments: u64,
    /// Sum of the interval rates paid, parts per billion.
    pub rate_sum_ppb: i128,
    /// Largest |interval rate| paid, parts per billion.
    pub rate_max_abs_ppb: i64,
    /// Units moved from payers to receivers over all rounds.
    pub transferred: i64,
}

/// The ledger invariant broke: which event and how.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit failed after event {event} at {time_ns} ns ({what}): {reason}")]
pub struct AuditError {
    /// Sequence number of the event (in processing order, 1-based).
    pub event: u64,
    /// Its time, ns.
    pub time_ns: i64,
    /// Its kind.
    pub what: String,
    /// What broke.
    pub reason: String,
}

/// The trade tape reached the rows the memory budget leaves it: the run stopped there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TapeFull {
    /// Rows recorded on every venue's tape (each full at its share of the cap, or short of it).
    pub rows: u64,
    /// Simulated time of the trade that found the tape full, ns.
    pub time_ns: i64,
    /// The end of the run the scenario asked for, ns.
    pub end_ns: i64,
}

/// Headline figures of the liquidations of a run (units of tick × lot for money).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LiquidationStats {
    /// Takeovers (an account handed to the engine counts once, however many steps).
    pub count: u64,
    /// Lots closed, in the book and by ADL.
    pub volume: i64,
    /// Notional closed in the book, units.
    pub notional: i64,
    /// Highest generation reached.
    pub max_generation: u32,
    /// Loss beyond the insurance fund, units.
    pub bad_debt: i64,
    /// Auto-deleveraging fills.
    pub adl_count: u64,
    /// Share of the closed volume that was long positions.
    pub long_share: f64,
}

impl Recording {
    /// The liquidation figures of summary.json.
    pub fn liquidation_stats(&self) -> LiquidationStats {
        let mut ids: Vec<u32> = self.liquidations.iter().map(|l| l.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let volume: i64 = self
            .liquidations
            .iter()
            .map(|l| l.book_qty + l.adl_qty + l.fund_qty)
            .sum();
        let long: i64 = self
            .liquidations
            .iter()
            .filter(|l| l.side == Side::Buy)
            .map(|l| l.book_qty + l.adl_qty + l.fund_qty)
            .sum();
        LiquidationStats {
            count: ids.len() as u64,
            volume,
            notional: self.liquidations.iter().map(|l| l.notional).sum(),
            max_generation: self
                .liquidations
                .iter()
                .map(|l| l.generation)
                .max()
                .unwrap_or(0),
            bad_debt: self.ledger.bad_debt,
            adl_count: self.adl.len() as u64,
            long_share: if volume > 0 {
                long as f64 / volume as f64
            } else {
                0.0
            },
        }
    }
}
