//! The recorder: the time series, the trade tape, book snapshots, liquidation and ADL tables
//! and the run's counters. Parts write into it; it never reaches back into them.

use crate::exogenous::Exogenous;
use crate::record::{LevelRow, Recording, Sample, SNAPSHOT_LEVELS};
use crate::scheduler::{EventKind, Scheduler};
use crate::venue::Venue;
use cascade_book::{Price, Qty, Side};

/// What a run records, and how.
#[derive(Debug)]
pub(crate) struct Recorder {
    /// Everything recorded so far.
    pub(crate) out: Recording,
    /// Keep the trade tape (the series and counters are always kept).
    pub(crate) record_trades: bool,
    /// Time between samples, ns.
    sample_interval_ns: i64,
    levels_buf: Vec<(Price, Qty)>,
}

impl Recorder {
    /// A recorder sampling every `sample_interval_ns` until `end_ns`.
    pub(crate) fn new(sample_interval_ns: i64, end_ns: i64, unit_quote: f64) -> Self {
        let samples = (end_ns / sample_interval_ns) as usize;
        Self {
            out: Recording {
                samples: Vec::with_capacity(samples.min(1 << 24)),
                unit_quote,
                ..Recording::default()
            },
            record_trades: true,
            sample_interval_ns,
            levels_buf: Vec::with_capacity(SNAPSHOT_LEVELS),
        }
    }

    /// Schedules the first sample.
    pub(crate) fn start(&self, clock: &mut Scheduler) {
        clock.schedule(self.sample_interval_ns, EventKind::Sample);
    }

    /// One row of the series and one book snapshot of `venue`; schedules the next sample.
    pub(crate) fn sample(&mut self, clock: &mut Scheduler, venue: &mut Venue, exo: &mut Exogenous) {
        let now = clock.now();
        let l1 = venue.book.l1();
        self.out.samples.push(Sample {
            time_ns: now,
            bid: l1.bid,
            ask: l1.ask,
            depth_1pct: venue.book.depth_within_bps(100),
            volume: Qty(venue.interval_volume),
            trades: venue.interval_trades,
            last: venue.market.last_price,
            fundamental: exo.fundamental_at(now),
            mark: venue.market.mark,
            index: exo.index_ticks(),
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
        clock.schedule_within(now + self.sample_interval_ns, EventKind::Sample);
    }
}
