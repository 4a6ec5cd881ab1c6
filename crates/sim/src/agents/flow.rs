//! Taker flow over a trailing window: the cumulative taker buys and sells at each whole
//! second, kept for the longest window an agent asks for, so a maker can size its quotes from
//! the volume of the last 60 s as ABIDES's do (`get_transacted_volume(lookback_period)`).

use super::MarketState;

/// Nanoseconds in a second, the history's resolution.
const SECOND_NS: i64 = 1_000_000_000;

/// Cumulative taker buys and sells at the last whole seconds, a ring of fixed size.
#[derive(Clone, Debug, Default)]
pub struct FlowHistory {
    /// (buys, sells) at second k, at index k mod len.
    ring: Vec<(i64, i64)>,
    /// The last second recorded.
    last_s: i64,
}

impl FlowHistory {
    /// A history for windows up to `window_s` seconds (empty when 0: nothing is recorded).
    pub fn new(window_s: u32) -> Self {
        Self {
            ring: vec![
                (0, 0);
                if window_s == 0 {
                    0
                } else {
                    window_s as usize + 2
                }
            ],
            last_s: 0,
        }
    }

    /// True when the history keeps anything.
    pub fn is_active(&self) -> bool {
        !self.ring.is_empty()
    }

    /// Records the market's cumulative flow at `now_ns`, a whole second after the last.
    pub fn record(&mut self, now_ns: i64, market: &MarketState) {
        if self.ring.is_empty() {
            return;
        }
        let s = now_ns.div_euclid(SECOND_NS);
        let n = self.ring.len() as i64;
        // Seconds skipped (none on the 1 s clock) repeat the last value.
        let last = self.at(self.last_s);
        for k in (self.last_s + 1)..s.min(self.last_s + n) {
            self.ring[k.rem_euclid(n) as usize] = last;
        }
        self.ring[s.rem_euclid(n) as usize] = (market.cum_taker_buy, market.cum_taker_sell);
        self.last_s = s.max(self.last_s);
    }

    fn at(&self, s: i64) -> (i64, i64) {
        if s <= 0 || self.ring.is_empty() {
            return (0, 0);
        }
        self.ring[s.rem_euclid(self.ring.len() as i64) as usize]
    }

    /// Taker (buys, sells) over the `window_ns` before `now_ns`, counted from the last whole
    /// second at or before the window's start (so up to a second more than the window); none
    /// when the window reaches past what the history keeps.
    pub fn window(&self, now_ns: i64, window_ns: i64, market: &MarketState) -> Option<(i64, i64)> {
        let start_s = (now_ns - window_ns).div_euclid(SECOND_NS);
        let kept_from = self.last_s - self.ring.len() as i64 + 2;
        if self.ring.is_empty() || start_s > self.last_s || (start_s > 0 && start_s < kept_from) {
            return None;
        }
        let (b, s) = self.at(start_s);
        Some((market.cum_taker_buy - b, market.cum_taker_sell - s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_book::Price;

    fn market(buy: i64, sell: i64) -> MarketState {
        MarketState {
            cum_taker_buy: buy,
            cum_taker_sell: sell,
            ..MarketState::opening(Price(100), None)
        }
    }

    #[test]
    fn a_window_counts_the_flow_since_its_start_second() {
        let mut h = FlowHistory::new(60);
        // 10 lots bought and 1 sold every second.
        for s in 1..=200 {
            h.record(s * SECOND_NS, &market(10 * s, s));
        }
        // At 200.5 s, 200 lots bought since second 140 (the window starts at 140.5 s).
        let now = 200 * SECOND_NS + SECOND_NS / 2;
        assert_eq!(
            h.window(now, 60 * SECOND_NS, &market(2000, 200)),
            Some((600, 60))
        );
        // Early in the run the window starts before the open: all the flow so far.
        let mut early = FlowHistory::new(60);
        early.record(SECOND_NS, &market(7, 3));
        assert_eq!(
            early.window(SECOND_NS + 5, 60 * SECOND_NS, &market(9, 3)),
            Some((9, 3))
        );
        // A window longer than the history is refused rather than miscounted.
        assert_eq!(h.window(now, 100 * SECOND_NS, &market(2000, 200)), None);
        assert!(!FlowHistory::new(0).is_active());
    }
}
