//! The price ladder: a flat array of price levels indexed by tick offset from a base price,
//! with a two-level bitset of the non-empty levels.
//!
//! Bids and asks share the one ladder. The book is never crossed, so every non-empty level at
//! or below the best bid holds bids and every one at or above the best ask holds asks: a scan
//! from either best toward the far side meets only that side's levels.

use crate::pool::NIL;

/// One price level: a FIFO of order slots linked through the pool, and its total quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Level {
    /// First (oldest) order slot, or [`NIL`] when the level is empty.
    pub head: u32,
    /// Last (newest) order slot, or [`NIL`] when the level is empty.
    pub tail: u32,
    /// Sum of the quantities resting here, in lots.
    pub qty: i64,
}

impl Level {
    const EMPTY: Level = Level {
        head: NIL,
        tail: NIL,
        qty: 0,
    };
}

/// The ladder. `levels[i]` is the level at price `base + i`.
///
/// `bits` has bit `i` set exactly when `levels[i]` is non-empty; `summary` has bit `w` set
/// exactly when `bits[w]` is non-zero, so a search skips 4096 empty levels per summary bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ladder {
    base: i64,
    levels: Vec<Level>,
    bits: Vec<u64>,
    summary: Vec<u64>,
}

impl Ladder {
    /// An empty ladder that holds no prices until [`Ladder::relocate`] sizes it.
    pub fn new() -> Self {
        Ladder {
            base: 0,
            levels: Vec::new(),
            bits: Vec::new(),
            summary: Vec::new(),
        }
    }

    /// Number of price levels the ladder spans.
    #[inline]
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// The level index of `price`, if the ladder spans it.
    #[inline]
    pub fn index(&self, price: i64) -> Option<u32> {
        // Wrapping is exact here: an out-of-span price wraps to an offset far above `len`.
        let offset = (price as u64).wrapping_sub(self.base as u64);
        if offset < self.levels.len() as u64 {
            Some(offset as u32)
        } else {
            None
        }
    }

    /// The price of level `index`.
    #[inline]
    pub fn price(&self, index: u32) -> i64 {
        debug_assert!((index as usize) < self.levels.len());
        self.base + i64::from(index)
    }

    /// The level at `index`.
    #[inline]
    pub fn level(&self, index: u32) -> &Level {
        &self.levels[index as usize]
    }

    /// The level at `index`, mutable. Callers keep the bitset in step with
    /// [`Ladder::mark_filled`] and [`Ladder::mark_empty`].
    #[inline]
    pub fn level_mut(&mut self, index: u32) -> &mut Level {
        &mut self.levels[index as usize]
    }

    /// Records that level `index` just became non-empty.
    #[inline]
    pub fn mark_filled(&mut self, index: u32) {
        let word = (index / 64) as usize;
        if self.bits[word] == 0 {
            self.summary[word / 64] |= 1 << (word % 64);
        }
        self.bits[word] |= 1 << (index % 64);
    }

    /// Records that level `index` just became empty.
    #[inline]
    pub fn mark_empty(&mut self, index: u32) {
        debug_assert!(self.levels[index as usize].head == NIL);
        let word = (index / 64) as usize;
        self.bits[word] &= !(1 << (index % 64));
        if self.bits[word] == 0 {
            self.summary[word / 64] &= !(1 << (word % 64));
        }
    }

    /// The lowest non-empty level at or above `index`.
    #[inline]
    pub fn next_at_or_above(&self, index: u32) -> Option<u32> {
        let word = (index / 64) as usize;
        if word >= self.bits.len() {
            return None;
        }
        let here = self.bits[word] & (!0u64 << (index % 64));
        if here != 0 {
            return Some(word as u32 * 64 + here.trailing_zeros());
        }
        let word = self.next_word_above(word + 1)?;
        Some(word as u32 * 64 + self.bits[word].trailing_zeros())
    }

    /// The highest non-empty level at or below `index`.
    #[inline]
    pub fn next_at_or_below(&self, index: u32) -> Option<u32> {
        let word = (index / 64) as usize;
        if word >= self.bits.len() {
            return self.last();
        }
        let here = self.bits[word] & (!0u64 >> (63 - index % 64));
        if here != 0 {
            return Some(word as u32 * 64 + 63 - here.leading_zeros());
        }
        let word = self.next_word_below(word.checked_sub(1)?)?;
        Some(word as u32 * 64 + 63 - self.bits[word].leading_zeros())
    }

    /// The lowest non-empty level.
    pub fn first(&self) -> Option<u32> {
        self.next_at_or_above(0)
    }

    /// The highest non-empty level.
    pub fn last(&self) -> Option<u32> {
        let top = u32::try_from(self.levels.len().checked_sub(1)?).ok()?;
        self.next_at_or_below(top)
    }

    /// The first non-zero bitset word at or above `word`.
    fn next_word_above(&self, word: usize) -> Option<usize> {
        let mut block = word / 64;
        let mut mask = self.summary.get(block)? & (!0u64 << (word % 64));
        loop {
            if mask != 0 {
                return Some(block * 64 + mask.trailing_zeros() as usize);
            }
            block += 1;
            mask = *self.summary.get(block)?;
        }
    }

    /// The last non-zero bitset word at or below `word`.
    fn next_word_below(&self, word: usize) -> Option<usize> {
        let mut block = word / 64;
        let mut mask = self.summary[block] & (!0u64 >> (63 - word % 64));
        loop {
            if mask != 0 {
                return Some(block * 64 + 63 - mask.leading_zeros() as usize);
            }
            block = block.checked_sub(1)?;
            mask = self.summary[block];
        }
    }

    /// Moves the ladder to span `len` levels from price `base`, keeping every non-empty level.
    /// Returns the shift to add to every level index held outside the ladder.
    ///
    /// `len` must be a multiple of 64 and the new span must cover every non-empty level.
    pub fn relocate(&mut self, base: i64, len: usize) -> i64 {
        debug_assert_eq!(len % 64, 0, "the bitset covers whole words");
        debug_assert!(len <= u32::MAX as usize);
        let shift = self.base - base;
        let mut moved = Ladder {
            base,
            levels: vec![Level::EMPTY; len],
            bits: vec![0; len / 64],
            summary: vec![0; (len / 64).div_ceil(64)],
        };
        if let (Some(first), Some(last)) = (self.first(), self.last()) {
            let to = |index: u32| -> u32 {
                let moved_index = i64::from(index) + shift;
                debug_assert!(0 <= moved_index && (moved_index as usize) < len);
                moved_index as u32
            };
            let (from, upto) = (first as usize, last as usize + 1);
            let start = to(first) as usize;
            moved.levels[start..start + (upto - from)].copy_from_slice(&self.levels[from..upto]);
            let mut index = Some(first);
            while let Some(i) = index {
                moved.mark_filled(to(i));
                index = self.next_at_or_above(i + 1);
            }
        }
        *self = moved;
        shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder_with(len: usize, filled: &[u32]) -> Ladder {
        let mut ladder = Ladder::new();
        ladder.relocate(1000, len);
        for &i in filled {
            ladder.level_mut(i).head = 0;
            ladder.mark_filled(i);
        }
        ladder
    }

    #[test]
    fn searches_find_neighbours_across_words_and_summary_blocks() {
        let ladder = ladder_with(64 * 64 * 3, &[0, 63, 64, 5000, 12_000]);
        assert_eq!(ladder.next_at_or_above(0), Some(0));
        assert_eq!(ladder.next_at_or_above(1), Some(63));
        assert_eq!(ladder.next_at_or_above(65), Some(5000));
        assert_eq!(ladder.next_at_or_above(5001), Some(12_000));
        assert_eq!(ladder.next_at_or_above(12_001), None);
        assert_eq!(ladder.next_at_or_below(12_287), Some(12_000));
        assert_eq!(ladder.next_at_or_below(11_999), Some(5000));
        assert_eq!(ladder.next_at_or_below(4999), Some(64));
        assert_eq!(ladder.next_at_or_below(62), Some(0));
        assert_eq!((ladder.first(), ladder.last()), (Some(0), Some(12_000)));
    }

    #[test]
    fn empty_ladder_has_no_levels() {
        let ladder = ladder_with(128, &[]);
        assert_eq!((ladder.first(), ladder.last()), (None, None));
        assert_eq!(Ladder::new().last(), None);
        assert_eq!(ladder.index(999), None);
        assert_eq!(ladder.index(1127), Some(127));
        assert_eq!(ladder.index(1128), None);
        assert_eq!(ladder.index(i64::MAX), None);
        assert_eq!(ladder.index(i64::MIN), None);
    }

    #[test]
    fn marking_empty_clears_the_summary_only_when_the_word_empties() {
        let mut ladder = ladder_with(64 * 64 * 2, &[4096, 4097]);
        ladder.level_mut(4096).head = NIL;
        ladder.mark_empty(4096);
        assert_eq!(ladder.next_at_or_below(8191), Some(4097));
        ladder.level_mut(4097).head = NIL;
        ladder.mark_empty(4097);
        assert_eq!(ladder.next_at_or_below(8191), None);
        assert_eq!(ladder.summary, vec![0, 0]);
    }

    #[test]
    fn relocation_keeps_levels_at_their_prices() {
        let mut ladder = ladder_with(128, &[3, 100]);
        ladder.level_mut(3).qty = 7;
        let shift = ladder.relocate(900, 256);
        assert_eq!(shift, 100);
        assert_eq!(ladder.index(1003), Some(103));
        assert_eq!(ladder.level(103).qty, 7);
        assert_eq!((ladder.first(), ladder.last()), (Some(103), Some(200)));
    }
}
