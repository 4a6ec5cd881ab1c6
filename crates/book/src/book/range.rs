//! The range of prices the book holds: the span rule for resting prices, and moving or
//! growing the ladder when a price falls outside it.

use super::{Book, INITIAL_LEVELS};
use crate::pool::NIL;
use crate::types::{BookError, Price};

impl Book {
    /// Refuses a resting price that would stretch the resting prices (without the order in
    /// `exclude`, which is about to move) to [`Book::MAX_PRICE_SPAN`] or more.
    #[inline]
    pub(super) fn check_fits(&self, price: i64, exclude: Option<u32>) -> Result<(), BookError> {
        if self.ladder.index(price).is_some() {
            // The ladder never spans more than MAX_PRICE_SPAN levels.
            return Ok(());
        }
        match self.span(exclude) {
            Some((low, high)) if high.max(price) - low.min(price) >= Self::MAX_PRICE_SPAN => {
                Err(BookError::PriceOutOfRange(Price(price)))
            }
            _ => Ok(()),
        }
    }

    /// Lowest and highest resting prices, leaving out the order in `exclude`.
    fn span(&self, exclude: Option<u32>) -> Option<(i64, i64)> {
        let mut first = self.ladder.first()?;
        let mut last = self.ladder.last()?;
        if let Some(slot) = exclude {
            let node = self.pool.node(slot);
            if self.ladder.level(node.level).qty == node.qty {
                // The order is alone at its level: its level does not count.
                if first == node.level {
                    first = self.ladder.next_at_or_above(first + 1)?;
                }
                if last == node.level {
                    last = self.ladder.next_at_or_below(last.checked_sub(1)?)?;
                }
            }
        }
        Some((self.ladder.price(first), self.ladder.price(last)))
    }

    /// Resizes or re-bases the ladder so it spans `price` and every resting level; returns the
    /// index of `price`. Rare: the ladder at least doubles when it grows.
    #[cold]
    pub(super) fn grow(&mut self, price: i64) -> u32 {
        let live = self.span(None);
        let (low, high) = match live {
            Some((low, high)) => (low.min(price), high.max(price)),
            None => (price, price),
        };
        let needed = (high - low + 1) as usize;
        debug_assert!(
            needed as i64 <= Self::MAX_PRICE_SPAN,
            "check_fits let an unfit price by"
        );
        let old = self.ladder.len();
        let len = if old >= 2 * needed {
            old
        } else {
            (2 * old)
                .max(2 * needed)
                .max(INITIAL_LEVELS)
                .next_multiple_of(64)
                .min(Self::MAX_PRICE_SPAN as usize)
        };
        // Leave most of the spare room on the side the prices are moving to.
        let spare = (len - needed) as i64;
        let below = match live {
            Some((live_low, _)) if price < live_low => spare * 3 / 4,
            Some(_) => spare / 4,
            None => spare / 2,
        };
        let shift = self.ladder.relocate(low - below, len);
        self.pool.shift_levels(shift);
        for best in &mut self.best {
            if *best != NIL {
                *best = (i64::from(*best) + shift) as u32;
            }
        }
        self.ladder
            .index(price)
            .expect("the relocated ladder spans the price")
    }
}
