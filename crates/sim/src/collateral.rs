//! Collateral prices at run time: each asset's price in parts per million of the quote
//! currency, read from its scripted path or its spot venue's book on the collateral clock, and
//! the exact value of a holding after the haircut.

use crate::margin::PPM;
use crate::scenario::{CollateralPrice, CollateralSpec, Scenario};
use crate::venue::Venue;

/// The value, units of cash, that `units` of an asset count for at `price_ppm` less a haircut
/// of `haircut_ppm`: `units × price × (1 − haircut)`, rounded down (in the venue's favour).
/// One unit is worth one unit of cash at a price of 1 (10^6 ppm).
pub fn haircut_value(units: i64, price_ppm: i64, haircut_ppm: i64) -> i64 {
    debug_assert!(units >= 0 && price_ppm >= 0 && (0..PPM).contains(&haircut_ppm));
    let scale = i128::from(PPM) * i128::from(PPM);
    let v = i128::from(units) * i128::from(price_ppm) * i128::from(PPM - haircut_ppm) / scale;
    // Validation bounds holdings and prices far below this; a book price is not bounded by
    // the scenario, so the product is capped rather than wrapped.
    v.min(i128::from(MAX_VALUE)) as i64
}

/// Highest value one holding counts for, units (a quarter of i64: cash plus it cannot wrap).
pub const MAX_VALUE: i64 = i64::MAX / 4;

/// Where one asset's price comes from, in integer units.
#[derive(Clone, Debug)]
enum Source {
    /// (time ns, price ppm) points, times increasing.
    Path(Vec<(i64, i64)>),
    /// A spot venue's mid: price = peg × mid / opening, ppm.
    Book {
        venue: u16,
        peg_ppm: i64,
        opening_ticks: i64,
    },
}

/// One asset's price and haircut.
#[derive(Clone, Debug)]
struct Asset {
    haircut_ppm: i64,
    source: Source,
    price_ppm: i64,
}

/// Every collateral asset of a run, and the clock that reads their prices.
#[derive(Clone, Debug)]
pub(crate) struct CollateralFeed {
    assets: Vec<Asset>,
    /// Time between two readings, ns.
    pub(crate) interval_ns: i64,
    /// Lowest price any asset had, ppm.
    pub(crate) price_min_ppm: i64,
}

/// Rounds quote currency to parts per million (a validated price is at least one).
fn to_ppm(quote: f64) -> i64 {
    (quote * 1e6).round() as i64
}

impl CollateralFeed {
    /// The feed of a validated scenario's `collateral`, each price at its opening value.
    pub(crate) fn new(spec: &CollateralSpec, scenario: &Scenario) -> Self {
        let opening_ticks = scenario.initial_price_ticks().max(1);
        let assets: Vec<Asset> = spec
            .assets
            .iter()
            .map(|a| {
                let source = match &a.price {
                    CollateralPrice::Path(points) => Source::Path(
                        points
                            .iter()
                            .map(|p| (Scenario::ns(p.at_s), to_ppm(p.price)))
                            .collect(),
                    ),
                    CollateralPrice::Book { venue, peg } => Source::Book {
                        venue: scenario.venue_id(venue).expect("a validated venue"),
                        peg_ppm: to_ppm(*peg),
                        opening_ticks,
                    },
                };
                let price_ppm = opening_ppm(&source);
                Asset {
                    haircut_ppm: to_ppm(a.haircut).clamp(0, PPM - 1),
                    source,
                    price_ppm,
                }
            })
            .collect();
        let price_min_ppm = assets.iter().map(|a| a.price_ppm).min().unwrap_or(PPM);
        Self {
            assets,
            interval_ns: Scenario::ns(spec.interval_s).max(1),
            price_min_ppm,
        }
    }

    /// Number of assets.
    pub(crate) fn len(&self) -> usize {
        self.assets.len()
    }

    /// Asset `a`'s price now, ppm, and its haircut, ppm.
    pub(crate) fn quote(&self, a: u16) -> (i64, i64) {
        let x = &self.assets[usize::from(a)];
        (x.price_ppm, x.haircut_ppm)
    }

    /// Reads every asset's price at `now_ns`; returns the assets whose price changed.
    pub(crate) fn read(&mut self, now_ns: i64, venues: &[Venue], changed: &mut Vec<u16>) {
        changed.clear();
        for (i, a) in self.assets.iter_mut().enumerate() {
            let price = match &a.source {
                Source::Path(points) => path_price(points, now_ns),
                Source::Book {
                    venue,
                    peg_ppm,
                    opening_ticks,
                } => match book_price_x2(&venues[usize::from(*venue)]) {
                    Some(x2) => book_ppm(x2, *peg_ppm, *opening_ticks),
                    None => a.price_ppm,
                },
            };
            if price != a.price_ppm {
                a.price_ppm = price;
                self.price_min_ppm = self.price_min_ppm.min(price);
                changed.push(i as u16);
            }
        }
    }
}

/// An asset's price before the first reading: its path's first point, or its peg.
fn opening_ppm(source: &Source) -> i64 {
    match source {
        Source::Path(points) => path_price(points, 0),
        Source::Book { peg_ppm, .. } => *peg_ppm,
    }
}

/// The price of a path at `t`, ppm: linear between points (rounded down), flat outside them.
fn path_price(points: &[(i64, i64)], t: i64) -> i64 {
    let Some(&(t0, p0)) = points.first() else {
        return PPM;
    };
    if t <= t0 {
        return p0;
    }
    for w in points.windows(2) {
        let ((ta, pa), (tb, pb)) = (w[0], w[1]);
        if t <= tb {
            let num = i128::from(pb - pa) * i128::from(t - ta);
            let step = crate::margin::floor_div(num, i128::from(tb - ta));
            return pa + step as i64;
        }
    }
    points.last().map_or(PPM, |&(_, p)| p)
}

/// Twice a book's price in ticks: its mid when both sides rest, else its last trade.
fn book_price_x2(venue: &Venue) -> Option<i64> {
    venue
        .book()
        .l1()
        .mid_x2()
        .or_else(|| Some(2 * venue.market.last_price.0))
        .filter(|&x2| x2 > 0)
}

/// peg × (mid / opening), ppm, rounded down, from twice the mid in ticks.
fn book_ppm(mid_x2: i64, peg_ppm: i64, opening_ticks: i64) -> i64 {
    let v = i128::from(mid_x2) * i128::from(peg_ppm) / (2 * i128::from(opening_ticks));
    v.min(i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holding_counts_at_its_price_less_the_haircut_rounded_down() {
        // 1,000 units at 0.65 with a 10% haircut: 1,000 × 0.65 × 0.9 = 585 exactly.
        assert_eq!(haircut_value(1_000, 650_000, 100_000), 585);
        // 7 units at 0.333333 with no haircut: 2.333331 → 2.
        assert_eq!(haircut_value(7, 333_333, 0), 2);
        // 3 units at 1.0 with a 1 ppm haircut: 2.999997 → 2, never rounded up.
        assert_eq!(haircut_value(3, PPM, 1), 2);
        assert_eq!(haircut_value(0, PPM, 0), 0);
        // Validated holdings at the highest path price stay far below the cap; a book price
        // a million times its peg would pass it, and is capped rather than wrapped.
        assert!(haircut_value(i64::MAX / 65_536, 1_000 * PPM, 0) < MAX_VALUE);
        assert_eq!(haircut_value(i64::MAX / 65_536, PPM * PPM, 0), MAX_VALUE);
    }

    #[test]
    fn a_path_is_linear_between_points_and_flat_outside() {
        let s = 1_000_000_000;
        let pts = [(10 * s, PPM), (20 * s, 650_000), (30 * s, 950_000)];
        assert_eq!(path_price(&pts, 0), PPM);
        assert_eq!(path_price(&pts, 10 * s), PPM);
        assert_eq!(path_price(&pts, 15 * s), 825_000);
        // A third of the way down: 1,000,000 − 350,000/3 = 883,333.33 → floor 883,333.
        assert_eq!(path_price(&pts, 10 * s + s * 10 / 3), 883_333);
        assert_eq!(path_price(&pts, 20 * s), 650_000);
        assert_eq!(path_price(&pts, 25 * s), 800_000);
        assert_eq!(path_price(&pts, 99 * s), 950_000);
    }

    #[test]
    fn a_book_price_is_the_peg_times_the_mid_over_the_opening_price() {
        // Opening 10,000 ticks stands for 1.0; a mid of 6,500.5 ticks is 0.65005.
        assert_eq!(book_ppm(13_001, PPM, 10_000), 650_050);
        assert_eq!(book_ppm(20_000, PPM, 10_000), PPM);
        // Rounded down: 1 tick of 3 at a peg of 1.0 is 0.333333.
        assert_eq!(book_ppm(2, PPM, 3), 333_333);
    }
}
