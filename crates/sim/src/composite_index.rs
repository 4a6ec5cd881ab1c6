//! An index computed from spot venues' prices, as venues compute theirs.
//!
//! Each source gives a price: a spot venue its mid when both sides of its book rest, else its
//! last trade unless that is older than the stale limit (then the source is stale and left
//! out); the scripted source the exogenous index. Sources further than the deviation limit
//! from the median of the sources present are dropped; the index is the weighted mean of the
//! rest, weights normalised over them. With nothing left it keeps its last value.

use crate::scenario::{IndexSource, IndexSources, Scenario};

/// Where a source's price comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SourceOf {
    /// A venue, by id.
    Venue(u16),
    /// The exogenous index.
    Scripted,
}

/// One perpetual's index rule, resolved against the scenario's venues.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompositeIndex {
    sources: Vec<(SourceOf, f64)>,
    /// The deviation limit, a fraction.
    max_deviation: f64,
    /// A one-sided source whose last trade is older than this is stale, ns.
    pub(crate) stale_ns: i64,
    /// The last value computed.
    last: Option<f64>,
    /// Each source's price at the last update (none: stale or absent).
    prices: Vec<Option<f64>>,
    /// The source whose price moved the index most at the last update (weight × |change|
    /// of a source present at both updates), if one moved.
    moved_most: Option<SourceOf>,
    /// Buffers reused by every update: (price, weight) of the sources present, sorted prices.
    present: Vec<(f64, f64)>,
    sorted: Vec<f64>,
}

impl CompositeIndex {
    /// The rule of `spec` in `scenario` (a valid scenario: every venue it names exists).
    pub(crate) fn new(spec: &IndexSources, scenario: &Scenario) -> Self {
        let sources = spec
            .sources
            .iter()
            .filter_map(|s| match s {
                IndexSource::Venue { name, weight } => scenario
                    .venue_id(name)
                    .map(|v| (SourceOf::Venue(v), *weight)),
                IndexSource::Scripted { weight } => Some((SourceOf::Scripted, *weight)),
            })
            .collect();
        Self::of(
            sources,
            spec.max_deviation_pct / 100.0,
            Scenario::ns(spec.stale_s),
        )
    }

    fn of(sources: Vec<(SourceOf, f64)>, max_deviation: f64, stale_ns: i64) -> Self {
        let n = sources.len();
        Self {
            sources,
            max_deviation,
            stale_ns,
            last: None,
            prices: vec![None; n],
            moved_most: None,
            present: Vec::with_capacity(n),
            sorted: Vec::with_capacity(n),
        }
    }

    /// The index now, given each source's price (`None`: stale or absent), ticks; its last
    /// value when no source is left.
    pub(crate) fn update(&mut self, price_of: impl Fn(SourceOf) -> Option<f64>) -> Option<f64> {
        self.present.clear();
        self.moved_most = None;
        let mut largest = 0.0;
        for (&(s, w), last) in self.sources.iter().zip(self.prices.iter_mut()) {
            let price = price_of(s).filter(|p| w > 0.0 && p.is_finite() && *p > 0.0);
            if let (Some(p), Some(q)) = (price, *last) {
                let moved = w * (p - q).abs();
                if moved > largest {
                    largest = moved;
                    self.moved_most = Some(s);
                }
            }
            *last = price;
            if let Some(p) = price {
                self.present.push((p, w));
            }
        }
        if let Some(value) = combine(&self.present, self.max_deviation, &mut self.sorted) {
            self.last = Some(value);
        }
        self.last
    }

    /// The source whose price moved the index most at the last update, if one moved.
    pub(crate) fn moved_most(&self) -> Option<SourceOf> {
        self.moved_most
    }
}

/// The weighted mean of the prices within `max_deviation` of their median, or none when no
/// weight is left.
fn combine(present: &[(f64, f64)], max_deviation: f64, prices: &mut Vec<f64>) -> Option<f64> {
    if present.is_empty() {
        return None;
    }
    prices.clear();
    prices.extend(present.iter().map(|&(p, _)| p));
    prices.sort_by(f64::total_cmp);
    let n = prices.len();
    let median = if n % 2 == 1 {
        prices[n / 2]
    } else {
        (prices[n / 2 - 1] + prices[n / 2]) / 2.0
    };
    let (sum, weight) = present
        .iter()
        .filter(|&&(p, _)| (p / median - 1.0).abs() <= max_deviation)
        .fold((0.0, 0.0), |(s, w), &(p, wt)| (s + p * wt, w + wt));
    (weight > 0.0).then(|| sum / weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(sources: Vec<(SourceOf, f64)>) -> CompositeIndex {
        CompositeIndex::of(sources, 0.05, 1)
    }

    #[test]
    fn weighted_mean_of_the_sources_near_the_median() {
        // 100 (w 1), 102 (w 3), 80 (w 1; 21.6% under the median 100): 80 is dropped and the
        // rest give (100 + 306) / 4 = 101.5.
        let mut ix = index(vec![
            (SourceOf::Venue(1), 1.0),
            (SourceOf::Venue(2), 3.0),
            (SourceOf::Venue(3), 1.0),
        ]);
        let prices = [0.0, 100.0, 102.0, 80.0];
        let got = ix.update(|s| match s {
            SourceOf::Venue(v) => Some(prices[usize::from(v)]),
            SourceOf::Scripted => None,
        });
        assert_eq!(got, Some(101.5));
    }

    #[test]
    fn a_stale_source_is_left_out_and_with_none_left_the_last_value_stays() {
        let mut ix = index(vec![(SourceOf::Venue(1), 1.0), (SourceOf::Scripted, 1.0)]);
        // Both present: the mean of 100 and 104 (within 5% of their median 102).
        assert_eq!(
            ix.update(|s| Some(if s == SourceOf::Scripted {
                104.0
            } else {
                100.0
            })),
            Some(102.0)
        );
        // The venue stale: the scripted source alone.
        assert_eq!(
            ix.update(|s| (s == SourceOf::Scripted).then_some(90.0)),
            Some(90.0)
        );
        // Nothing present: the last value.
        assert_eq!(ix.update(|_| None), Some(90.0));
        // A zero weight counts for nothing: with only it present, the last value stays.
        let mut ix = index(vec![(SourceOf::Venue(1), 0.0), (SourceOf::Scripted, 1.0)]);
        assert_eq!(
            ix.update(|s| (s != SourceOf::Scripted).then_some(100.0)),
            None
        );
    }

    #[test]
    fn the_source_that_moved_the_index_most_is_named() {
        // Weights 1 and 3: venue 1 falls 4, venue 2 falls 2 (3 × 2 = 6 > 4): venue 2 moved it
        // most. A source absent at either update takes no part; nothing moved, none.
        let mut ix = index(vec![(SourceOf::Venue(1), 1.0), (SourceOf::Venue(2), 3.0)]);
        assert_eq!(ix.moved_most(), None);
        ix.update(|_| Some(100.0));
        assert_eq!(
            ix.moved_most(),
            None,
            "the first update has nothing to compare"
        );
        ix.update(|s| Some(if s == SourceOf::Venue(1) { 96.0 } else { 98.0 }));
        assert_eq!(ix.moved_most(), Some(SourceOf::Venue(2)));
        ix.update(|s| (s == SourceOf::Venue(1)).then_some(90.0));
        assert_eq!(ix.moved_most(), Some(SourceOf::Venue(1)));
        ix.update(|s| Some(if s == SourceOf::Venue(1) { 90.0 } else { 50.0 }));
        assert_eq!(
            ix.moved_most(),
            None,
            "venue 2 was absent, venue 1 did not move"
        );
    }
}
