//! The recorder: the time series, the trade tape, book snapshots, liquidation and ADL tables
//! and the run's counters. Parts write into it; it never reaches back into them.

use crate::record::{LevelRow, Recording, Sample, TapeFull, Trade, SNAPSHOT_LEVELS};
use crate::scheduler::{EventKind, Scheduler};
use crate::venue::Venue;
use cascade_book::{Price, Qty, Side};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What a run records, and how.
#[derive(Debug)]
pub(crate) struct Recorder {
    /// Everything recorded so far.
    pub(crate) out: Recording,
    /// Keep the trade tape (the series and counters are always kept).
    pub(crate) record_trades: bool,
    /// Most rows the trade tape may hold: this venue's share of what the memory budget leaves
    /// the run's tapes (`Simulation::tape_cap_rows`); a trade past it stops the run
    /// ([`Recording::tape_full`]).
    pub(crate) tape_cap_rows: u64,
    /// End of the run, ns (named when the tape fills).
    end_ns: i64,
    /// Time between samples, ns.
    sample_interval_ns: i64,
    levels_buf: Vec<(Price, Qty)>,
    /// Raised when this recorder's tape fills, and shared by all the run's recorders (one per
    /// venue), so the kernel asks one flag after every event whichever venue's tape filled.
    halt: Arc<AtomicBool>,
}

impl Recorder {
    /// A recorder sampling every `sample_interval_ns` until `end_ns`.
    pub(crate) fn new(sample_interval_ns: i64, end_ns: i64, unit_quote: f64) -> Self {
        let samples = (end_ns / sample_interval_ns) as usize;
        Self {
            out: Recording {
                samples: Vec::with_capacity(samples.min(1 << 24)),
                // Every sample adds at most this many book rows: reserved once (the pages are
                // only touched as rows arrive), the table is never copied to grow, which in a
                // run of several venues costs a tenth of the cache misses.
                book_levels: Vec::with_capacity((samples * 2 * SNAPSHOT_LEVELS).min(1 << 24)),
                unit_quote,
                ..Recording::default()
            },
            record_trades: true,
            tape_cap_rows: u64::MAX,
            end_ns,
            sample_interval_ns,
            levels_buf: Vec::with_capacity(SNAPSHOT_LEVELS),
            halt: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A recorder like this one (its sampling, end and tape cap) for another venue of the same
    /// run: a full tape on either stops the run.
    pub(crate) fn sibling(&self) -> Self {
        let mut other = Self::new(self.sample_interval_ns, self.end_ns, self.out.unit_quote);
        other.tape_cap_rows = self.tape_cap_rows;
        other.record_trades = self.record_trades;
        other.halt = Arc::clone(&self.halt);
        other
    }

    /// Schedules the first sample.
    pub(crate) fn start(&self, clock: &mut Scheduler) {
        clock.schedule(self.sample_interval_ns, EventKind::Sample);
    }

    /// Appends a row to the tape if there is room under the cap; otherwise marks the tape full
    /// (the kernel stops at the end of this event) and drops the row.
    pub(crate) fn tape(&mut self, trade: Trade) {
        if !self.record_trades {
            return;
        }
        let rows = self.out.trades.len() as u64;
        if rows < self.tape_cap_rows {
            self.out.trades.push(trade);
        } else if self.out.tape_full.is_none() {
            self.out.tape_full = Some(TapeFull {
                rows,
                time_ns: trade.time_ns,
                end_ns: self.end_ns,
            });
            self.halt.store(true, Ordering::Relaxed);
        }
    }

    /// True once the audit failed or the tape of any of the run's recorders is full: the run
    /// stops.
    pub(crate) fn stopped(&self) -> bool {
        self.out.audit.is_some() || self.halt.load(Ordering::Relaxed)
    }

    /// Schedules the next sample after the one taken now.
    pub(crate) fn next_sample(&self, clock: &mut Scheduler) {
        clock.schedule_within(clock.now() + self.sample_interval_ns, EventKind::Sample);
    }

    /// One row of the series and one book snapshot of `venue` at `now` (the fundamental, if
    /// the scenario has one, read by the kernel once for every venue).
    pub(crate) fn sample(&mut self, now: i64, venue: &mut Venue, fundamental: Option<Price>) {
        let l1 = venue.book.l1();
        self.out.samples.push(Sample {
            time_ns: now,
            bid: l1.bid,
            ask: l1.ask,
            depth_1pct: venue.book.depth_within_bps(100),
            volume: Qty(venue.interval_volume),
            trades: venue.interval_trades,
            last: venue.market.last_price,
            fundamental,
            mark: venue.market.mark,
            index: venue.index_ticks(),
            insurance_fund: venue.fund_equity(),
            open_interest: venue.ledger.open_interest,
            funding: venue.funding_row(),
        });
        for side in [Side::Buy, Side::Sell] {
            venue
                .book
                .levels(side, SNAPSHOT_LEVELS, &mut self.levels_buf);
            for (level, &(price, qty)) in self.levels_buf.iter().enumerate() {
                self.out.book_levels.push(LevelRow {
                    time_ns: now,
                    side,
                    level: level as u16,
                    price,
                    qty,
                });
            }
        }
        venue.interval_volume = 0;
        venue.interval_trades = 0;
    }
}
