//! Funding: the premium index sampled on a clock, the rate of an interval, and the payments
//! between longs and shorts at the mark, through the ledger.
//!
//! Premium P = (max(0, ImpBid − Idx) − max(0, Idx − ImpAsk)) / Idx with impact prices, or
//! (mid − Idx) / Idx; P̄ is the mean of the samples since the last payment (samples on a fixed
//! clock, so the mean is time-weighted); F = P̄ + clamp(I − P̄, ±band), capped at ±cap, per
//! interval. Each payment moves F × pay_every / interval of every position's value at the mark:
//! longs pay shorts when F > 0. Rates are turned into integer parts per billion before any
//! money moves, and each account's exact share (a rational of denominator 10^9) is rounded by
//! the largest remainder, so the payments of a round sum to exactly zero — no unit is created,
//! lost or routed through the insurance fund.

use super::Venue;
use crate::agents::MarketState;
use crate::record::{FundingStats, Trigger};
use crate::recorder::Recorder;
use crate::scenario::{FundingRules, PremiumSource, Scenario};
use crate::scheduler::{EventKind, Scheduler};
use cascade_book::{Book, Price, Qty, Side};
use std::cmp::Reverse;

/// Rates are paid in parts per billion.
pub const PPB: i64 = 1_000_000_000;
/// Price levels walked for an impact price (a thinner book gives the average over them).
const IMPACT_LEVELS: usize = 256;

/// A venue's funding clock and its running premium.
#[derive(Debug)]
pub(crate) struct Funding {
    interval_ns: i64,
    pay_every_ns: i64,
    sample_ns: i64,
    /// Impact notional, units of tick × lot; none: the mid.
    impact_units: Option<i64>,
    interest: f64,
    band: f64,
    cap: f64,
    premium_sum: f64,
    premium_samples: u32,
    /// The last premium sampled, a fraction.
    last_premium: f64,
    next_pay_ns: i64,
    pub(crate) stats: FundingStats,
    /// (account, exact share's floor, remainder) of the round being paid (reused).
    shares: Vec<(u32, i64, i64)>,
    levels: Vec<(Price, Qty)>,
}

impl Funding {
    /// The funding of `rules` on an instrument of `unit_quote` quote currency per unit.
    pub(crate) fn new(rules: &FundingRules, unit_quote: f64) -> Self {
        let impact_units = match rules.premium {
            PremiumSource::Mid => None,
            PremiumSource::Impact { notional } => Some((notional / unit_quote).round() as i64),
        };
        let pay_every_ns = Scenario::ns(rules.pay_every_s).max(1);
        Self {
            interval_ns: Scenario::ns(rules.interval_s).max(1),
            pay_every_ns,
            sample_ns: Scenario::ns(rules.premium_sample_s).max(1),
            impact_units,
            interest: rules.interest_bps / 1e4,
            band: rules.band_bps / 1e4,
            cap: rules.cap_bps / 1e4,
            premium_sum: 0.0,
            premium_samples: 0,
            last_premium: 0.0,
            next_pay_ns: pay_every_ns,
            stats: FundingStats::default(),
            shares: Vec::new(),
            levels: Vec::with_capacity(IMPACT_LEVELS),
        }
    }

    /// Schedules the first premium sample and the first payment of venue `v`.
    pub(crate) fn start(&self, clock: &mut Scheduler, v: super::VenueId) {
        clock.schedule_within(self.sample_ns, EventKind::FundingSample(v));
        clock.schedule_within(self.next_pay_ns, EventKind::FundingPay(v));
    }

    /// F for the interval from a premium average: P̄ + clamp(I − P̄, ±band), capped.
    pub(crate) fn rate(&self, mean_premium: f64) -> f64 {
        let f = mean_premium + (self.interest - mean_premium).clamp(-self.band, self.band);
        f.clamp(-self.cap, self.cap)
    }

    /// The rate the running premium average gives now (the interest alone before a sample).
    pub(crate) fn predicted(&self) -> f64 {
        let mean = if self.premium_samples == 0 {
            0.0
        } else {
            self.premium_sum / f64::from(self.premium_samples)
        };
        self.rate(mean)
    }

    /// The predicted rate × the time left to the next payment / interval: the basis of
    /// Binance's P1 and BitMEX's fair price.
    pub(crate) fn basis(&self, now_ns: i64) -> f64 {
        let tau = (self.next_pay_ns - now_ns).max(0) as f64;
        self.predicted() * tau / self.interval_ns as f64
    }

    /// The premium index of the book against `index` ticks, a fraction; none when the book has
    /// no side to read.
    pub(crate) fn premium(&mut self, book: &Book, index: f64) -> Option<f64> {
        if index <= 0.0 {
            return None;
        }
        match self.impact_units {
            None => book.l1().mid_x2().map(|m| (m as f64 / 2.0 - index) / index),
            Some(units) => {
                let bid = self.impact_price(book, Side::Buy, units)?;
                let ask = self.impact_price(book, Side::Sell, units)?;
                Some(((bid - index).max(0.0) - (index - ask).max(0.0)) / index)
            }
        }
    }

    /// The average fill price, ticks, of a market order of `units` notional against `side`'s
    /// resting orders (the average over what rests when it is thinner than that).
    fn impact_price(&mut self, book: &Book, side: Side, units: i64) -> Option<f64> {
        book.levels(side, IMPACT_LEVELS, &mut self.levels);
        impact_average(&self.levels, units)
    }

    /// Premium sample: adds to the interval's average; schedules the next.
    pub(crate) fn sample(&mut self, book: &Book, index: Option<f64>, now_ns: i64) -> i64 {
        if let Some(p) = index.and_then(|ix| self.premium(book, ix)) {
            self.premium_sum += p;
            self.premium_samples += 1;
            self.last_premium = p;
        }
        now_ns + self.sample_ns
    }

    /// What agents read: the last paid rate, the predicted one, the next payment time.
    pub(crate) fn show(&self, market: &mut MarketState) {
        market.predicted_funding_rate = self.predicted();
        market.next_funding_ns = self.next_pay_ns;
    }

    /// The series' figures now: (predicted rate, last premium), parts per billion.
    pub(crate) fn sample_row(&self) -> (i64, i64) {
        (to_ppb(self.predicted()), to_ppb(self.last_premium))
    }
}

fn to_ppb(x: f64) -> i64 {
    (x * PPB as f64).round() as i64
}

/// The average price, ticks, of the first `units` of notional over `levels` (best first).
fn impact_average(levels: &[(Price, Qty)], units: i64) -> Option<f64> {
    let (mut value, mut qty) = (0i128, 0i128);
    for &(p, q) in levels {
        let level_value = i128::from(p.0) * i128::from(q.0);
        let left = i128::from(units) - value;
        if level_value >= left {
            // Part of this level: the lots (fractional) that fill the rest.
            let part = left as f64 / p.0 as f64;
            return Some((value + left) as f64 / (qty as f64 + part));
        }
        value += level_value;
        qty += i128::from(q.0);
    }
    (qty > 0).then(|| value as f64 / qty as f64)
}

/// Shares of one payment round: for each (account, position), the cash it receives (negative:
/// pays) when a rate of `rate_ppb` is paid on positions at `mark` ticks. The exact share
/// −pos × mark × rate / 10^9 is floored, and the units the floors leave over (a whole number,
/// since positions sum to zero) go one each to the largest remainders, ties to the lower
/// account id. The shares sum to exactly zero.
pub(crate) fn allocate(
    positions: impl Iterator<Item = (u32, i64)>,
    mark: i64,
    rate_ppb: i64,
    shares: &mut Vec<(u32, i64, i64)>,
) {
    shares.clear();
    let ppb = i128::from(PPB);
    let mut floors = 0i128;
    for (id, pos) in positions.filter(|&(_, p)| p != 0) {
        let exact = -i128::from(pos) * i128::from(mark) * i128::from(rate_ppb);
        let floor = exact.div_euclid(ppb);
        floors += floor;
        shares.push((id, floor as i64, exact.rem_euclid(ppb) as i64));
    }
    let left = usize::try_from(-floors).expect("floors never exceed the zero sum");
    debug_assert!(left <= shares.len(), "at most one unit per share is left");
    if left > 0 {
        shares.sort_unstable_by_key(|&(id, _, rem)| (Reverse(rem), id));
        for s in shares.iter_mut().take(left) {
            s.1 += 1;
        }
    }
}

impl Venue {
    /// A premium sample of the funding clock. Rare: kept out of the event loop's code.
    #[inline(never)]
    pub(crate) fn funding_sample(&mut self, clock: &mut Scheduler) {
        let Some(f) = self.funding.as_mut() else {
            return;
        };
        let next = f.sample(&self.book, self.index, clock.now());
        f.show(&mut self.market);
        clock.schedule_within(next, EventKind::FundingSample(self.id));
    }

    /// A payment round: every open position pays or receives at the mark, then the margin of
    /// every account is checked (the payment may cross accounts).
    #[inline(never)]
    pub(crate) fn funding_pay(&mut self, clock: &mut Scheduler, rec: &mut Recorder) {
        let Some(f) = self.funding.as_mut() else {
            return;
        };
        let rate = f.predicted();
        let paid = rate * f.pay_every_ns as f64 / f.interval_ns as f64;
        let rate_ppb = to_ppb(paid);
        let mark = self.mark.value();
        let mut shares = std::mem::take(&mut f.shares);
        allocate(
            self.accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (i as u32, a.pos)),
            mark,
            rate_ppb,
            &mut shares,
        );
        let mut moved = 0i64;
        for &(id, amount, _) in &shares {
            let acc = &mut self.accounts[id as usize];
            acc.cash += amount;
            acc.funding += amount;
            moved += amount.max(0);
            self.mark_dirty(id);
            self.touched.push(id);
        }
        let f = self.funding.as_mut().expect("checked above");
        f.shares = shares;
        f.stats.payments += 1;
        f.stats.rate_sum_ppb += i128::from(to_ppb(rate));
        f.stats.rate_max_abs_ppb = f.stats.rate_max_abs_ppb.max(to_ppb(rate).abs());
        f.stats.transferred += moved;
        f.premium_sum = 0.0;
        f.premium_samples = 0;
        f.next_pay_ns += f.pay_every_ns;
        self.market.funding_rate = rate;
        f.show(&mut self.market);
        clock.schedule_within(f.next_pay_ns, EventKind::FundingPay(self.id));
        self.reindex_touched();
        self.moved_by(Trigger::Funding, None);
        self.after_market_change(clock, rec);
    }

    /// The funding figures of the run, if funding is on.
    pub(crate) fn funding_stats(&self) -> Option<FundingStats> {
        self.funding.as_ref().map(|f| f.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::FundingRules;

    fn funding(premium: PremiumSource) -> Funding {
        Funding::new(
            &FundingRules {
                interval_s: 28_800.0,
                pay_every_s: 28_800.0,
                premium_sample_s: 5.0,
                premium,
                interest_bps: 1.0,
                band_bps: 5.0,
                cap_bps: 30.0,
            },
            1.0,
        )
    }

    #[test]
    fn the_rate_is_the_premium_plus_the_clamped_interest_gap_within_the_cap() {
        let f = funding(PremiumSource::Mid);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
        // −4 bps ≤ P̄ ≤ 6 bps: the clamp gives the interest back, F = I = 1 bp.
        assert!(close(f.rate(0.0003), 0.0001));
        assert!(close(f.rate(-0.0004), 0.0001));
        // P̄ = 10 bps: F = 10 + clamp(1 − 10, ±5) = 5 bps.
        assert!(close(f.rate(0.0010), 0.0005));
        // P̄ = −10 bps: F = −10 + 5 = −5 bps.
        assert!(close(f.rate(-0.0010), -0.0005));
        // P̄ = 50 bps: 45 bps, capped at 30.
        assert!(close(f.rate(0.0050), 0.0030));
        assert!(close(f.rate(-0.0050), -0.0030));
    }

    #[test]
    fn the_premium_reads_impact_prices_against_the_index() {
        let mut book = Book::with_capacity(16);
        let mut ev = Vec::new();
        let mut rest = |side, price, qty| {
            book.limit(
                cascade_book::OwnerId(1),
                side,
                Price(price),
                Qty(qty),
                cascade_book::Tif::Gtc,
                &mut ev,
            )
            .unwrap();
        };
        rest(Side::Buy, 1001, 10);
        rest(Side::Buy, 999, 10);
        rest(Side::Sell, 1003, 10);
        rest(Side::Sell, 1007, 10);
        let mut f = funding(PremiumSource::Impact { notional: 15_000.0 });
        // Impact bid: 10 lots at 1001 (10,010) then 4,990 at 999 → 15,000 / (10 + 4.99499...)
        // = 1000.33; impact ask: 10,030 at 1003 then 4,970 at 1007 → 1004.31. Index 1000:
        // P = (0.33 − 0) / 1000.
        let p = f.premium(&book, 1000.0).unwrap();
        let bid = 15_000.0 / (10.0 + 4_990.0 / 999.0);
        assert!((p - (bid - 1000.0) / 1000.0).abs() < 1e-12, "{p}");
        // Index 1005: the bid is below it (0), the ask 1004.31 is below: −(1005 − ask)/1005.
        let ask = 15_000.0 / (10.0 + 4_970.0 / 1007.0);
        let p = f.premium(&book, 1005.0).unwrap();
        assert!((p + (1005.0 - ask) / 1005.0).abs() < 1e-12, "{p}");
        // Too thin: the average over what rests (20 lots of the bids).
        let mut big = funding(PremiumSource::Impact { notional: 1e9 });
        let p = big.premium(&book, 1000.0).unwrap();
        assert!(
            (p - 0.0).abs() < 1e-12,
            "bid 1000 on average, not above the index: {p}"
        );
        let mut mid = funding(PremiumSource::Mid);
        assert!((mid.premium(&book, 1000.0).unwrap() - 0.002).abs() < 1e-12);
    }

    #[test]
    fn a_round_with_odd_rounding_sums_to_exactly_zero() {
        // Longs 3 and 4 lots, shorts 5 and 2, mark 333 ticks, rate 0.0001234 (123,400 ppb).
        // Exact shares (units): −0.1232766, −0.1643688, +0.205461, +0.0821844.
        // Floors: −1, −1, 0, 0 → 2 units left, to the two largest remainders:
        // account 0 (0.8767) and account 1 (0.8356).
        let mut shares = Vec::new();
        let pos = [(0u32, 3i64), (1, 4), (2, -5), (3, -2), (4, 0)];
        allocate(pos.into_iter(), 333, 123_400, &mut shares);
        shares.sort_unstable();
        assert_eq!(
            shares.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
            vec![(0, 0), (1, 0), (2, 0), (3, 0)]
        );
        // A bigger round: 1,000 lots long against 7 shorts, rate 1 bp at mark 10,001.
        let pos: Vec<(u32, i64)> = (0..8)
            .map(|i| {
                (
                    i,
                    if i == 0 {
                        1000
                    } else {
                        -[143, 143, 143, 143, 142, 143, 143][i as usize - 1]
                    },
                )
            })
            .collect();
        allocate(pos.iter().copied(), 10_001, 100_000, &mut shares);
        assert_eq!(shares.iter().map(|s| s.1).sum::<i64>(), 0);
        shares.sort_unstable();
        // The long's exact share is −1000 × 10,001 × 1e-4 = −1,000.1, floored to −1,001; the
        // shorts' 143.0143 and 142.0142 floor to 143 and 142. The floors leave one unit over,
        // which goes to the largest remainder (the long's 0.9): it pays 1,000.
        assert_eq!(shares[0].1, -1000);
        let received: Vec<i64> = shares[1..].iter().map(|s| s.1).collect();
        assert_eq!(received, vec![143, 143, 143, 143, 142, 143, 143]);
    }
}
