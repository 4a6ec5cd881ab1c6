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
                    CollateralPrice::Path { points } => Source::Path(
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

    /// A perpetual whose traders hold all their margin in a token priced from a spot venue's
    /// book ("usde"), with a 5% haircut, and the book's maker.
    const BOOK_PRICED: &str = r#"Scenario(name: "t", duration_s: 60.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        venue_name: "perp",
        collateral: Some(CollateralSpec(assets: [
            CollateralAsset(name: "USDe", haircut: 0.05, price: Book(venue: "usde")),
        ])),
        agents: [
          Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 2, levels: 20,
                level_spacing_ticks: 1, size: 50),
          Leveraged(name: "longs", count: 20, long_share: 1.0, collateral: 100.0,
                    leverage_min: 100.0, leverage_max: 100.0, entry_start_s: 1.0, entry_end_s: 2.0,
                    collateral_asset: Some((asset: "USDe", share: 1.0))),
        ],
        venues: [VenueSpec(name: "usde", kind: Spot, agents: [
          Maker(name: "usde-makers", count: 1, refresh_s: 5.0, half_spread_ticks: 1,
                levels: 5, level_spacing_ticks: 2000, size: 100),
        ])])"#;

    /// Runs the book-priced market to 10 s, sells `lots` into the token's book, runs on.
    fn book_run(lots: i64) -> crate::kernel::Simulation {
        use cascade_book::{OwnerId, Qty, Side};
        let s = crate::prepare(BOOK_PRICED, &[]).unwrap();
        let mut sim = crate::kernel::Simulation::new(&s, 1).audit(true);
        sim.run_until(10_000_000_000);
        assert!(
            sim.rec.out.liquidations.is_empty(),
            "nothing before the sale"
        );
        let mut rec = crate::recorder::Recorder::new(1_000_000_000, 60_000_000_000, 0.01);
        if lots > 0 {
            // Account 0 (the perp's maker) holds a zero account on the spot venue.
            let now = sim.now_ns();
            sim.venues[1].market_order(OwnerId(0), Side::Sell, Qty(lots), now, &mut rec);
        }
        sim.run_until(60_000_000_000);
        sim
    }

    #[test]
    fn a_fall_of_the_token_s_own_book_liquidates_the_holders_on_the_perpetual() {
        // Without a sale the token's mid stays at the opening price: no liquidation.
        let calm = book_run(0).finish();
        assert_eq!(calm.collateral_price_min_ppm, Some(PPM));
        assert!(calm.liquidations.is_empty());
        assert!(calm.audit.is_none());
        // Selling all five bid levels (9,999 down to 1,999 ticks, 2,000 apart) leaves the book
        // one-sided until the maker's next refresh: the token is priced at its last trade,
        // 1,999 / 10,000 = 0.1999. At 100x the holders' margin (95 at the peg after the
        // haircut, about 19 now) is below maintenance (0.4% of about 9,500).
        let rec = book_run(500).finish();
        assert_eq!(rec.collateral_price_min_ppm, Some(199_900));
        assert!(rec.audit.is_none(), "{:?}", rec.audit);
        assert!(!rec.liquidations.is_empty());
        // Every takeover's cascade is rooted in the token's fall: the first set off at a
        // collateral tick, the rest by it or by a parent liquidation's fills on the perpetual.
        assert_eq!(
            rec.liquidations[0].trigger,
            crate::record::Trigger::Collateral(0)
        );
        let r = rec.root_triggers;
        assert_eq!((r.own_flow, r.index, r.arbitrage), (0, 0, 0), "{r:?}");
        let mut taken: Vec<u32> = rec.liquidations.iter().map(|l| l.account).collect();
        taken.sort_unstable();
        taken.dedup();
        assert_eq!(
            r.collateral as usize,
            taken.len(),
            "one takeover each: {r:?}"
        );
        assert!(
            r.collateral >= 10,
            "most of the 20 holders taken over: {r:?}"
        );
        assert!(rec.ledger.collateral_units_sold > 0);
    }
}
