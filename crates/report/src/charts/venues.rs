//! The other venues of a multi-venue run as the charts see them: each venue's `series` and
//! `liquidations` tables, read from the run folder's `venues/<name>/` (or viewed from the
//! tables being written), with its name and whether it is a spot market; and the colour each
//! venue is drawn in on every multi-venue chart.

use super::style;
use super::RunData;
use crate::frame::Frame;
use crate::table::Table;
use crate::ReportError;
use cascade_sim::scenario::VenueKind;
use cascade_sim::Scenario;
use plotters::style::RGBColor;
use std::path::Path;

/// The tables of another venue the charts read (those missing are skipped, except `series`).
pub const VENUE_TABLES: &[&str] = &["series", "liquidations"];

/// One other venue of a multi-venue run: its name, kind and tables.
#[derive(Clone, Debug)]
pub struct VenueFrames {
    /// The venue's name (its folder under `venues/`).
    pub name: String,
    /// True for a spot market (no margin, so no liquidations and no index).
    pub spot: bool,
    frames: Vec<(String, Frame)>,
}

impl VenueFrames {
    /// From the tables of a venue being written (those not in [`VENUE_TABLES`] are left out).
    pub fn from_tables(name: &str, spot: bool, tables: &[Table]) -> Self {
        let frames = tables
            .iter()
            .filter(|t| VENUE_TABLES.contains(&t.name))
            .map(|t| (t.name.to_string(), Frame::from_table(t)))
            .collect();
        VenueFrames {
            name: name.to_string(),
            spot,
            frames,
        }
    }

    /// From `run_dir/venues/<name>/`: `series` must be there, `liquidations` may be missing.
    pub fn read(run_dir: &Path, name: &str, spot: bool) -> Result<Self, ReportError> {
        let dir = run_dir.join("venues").join(name);
        let data = RunData::read(&dir, "", 0, VENUE_TABLES)?;
        Ok(VenueFrames {
            name: name.to_string(),
            spot,
            frames: data.into_frames(),
        })
    }

    /// The frame of a table, if the venue has it.
    pub fn frame(&self, name: &str) -> Option<&Frame> {
        self.frames.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// Every frame, for [`RunData::window`].
    pub(super) fn frames_mut(&mut self) -> impl Iterator<Item = &mut Frame> {
        self.frames.iter_mut().map(|(_, f)| f)
    }
}

/// The other venues of `scenario` as (name, spot), in the scenario's order.
pub fn other_venues(scenario: &Scenario) -> Vec<(String, bool)> {
    scenario
        .venues
        .iter()
        .map(|v| (v.name.clone(), v.kind == VenueKind::Spot))
        .collect()
}

impl RunData {
    /// With the other venues of `scenario` read from the run folder `dir` (none for a
    /// one-venue scenario): what the multi-venue charts draw besides the home venue's tables.
    pub fn with_venues_read(self, dir: &Path, scenario: &Scenario) -> Result<Self, ReportError> {
        let venues = other_venues(scenario)
            .into_iter()
            .map(|(name, spot)| VenueFrames::read(dir, &name, spot))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.with_venues(&scenario.venue_name, venues))
    }
}

/// One venue on a multi-venue chart, the home venue first: its name as shown, whether it is a
/// spot market, its colour, and its frames.
pub(super) struct Shown<'a> {
    pub label: String,
    pub name: &'a str,
    pub spot: bool,
    pub colour: RGBColor,
    pub series: Option<&'a Frame>,
    pub liquidations: Option<&'a Frame>,
}

/// Venue colours, the home venue's first (the mid blue of the price chart); past the last they
/// repeat.
const COLOURS: [RGBColor; 7] = [
    style::BLUE,
    style::VERMILLION,
    style::GREEN,
    style::PURPLE,
    style::ORANGE,
    style::SKY,
    style::BROWN,
];

/// The colour of the venue in place `i` (0 the home venue).
pub(super) fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// A lighter tint of `c` (same family): a perpetual's index beside its mid.
pub(super) fn tint(c: RGBColor) -> RGBColor {
    let up = |v: u8| v + ((255 - v) as f64 * 0.45).round() as u8;
    RGBColor(up(c.0), up(c.1), up(c.2))
}

/// Every venue of a multi-venue run, the home venue first, then the others in scenario order.
pub(super) fn shown(data: &RunData) -> Vec<Shown<'_>> {
    let home = Shown {
        label: format!("{} (home)", data.home_venue()),
        name: data.home_venue(),
        spot: false,
        colour: colour(0),
        series: data.frame("series"),
        liquidations: data.frame("liquidations"),
    };
    let others = data.venues().iter().enumerate().map(|(i, v)| Shown {
        label: if v.spot {
            format!("{} (spot)", v.name)
        } else {
            v.name.clone()
        },
        name: &v.name,
        spot: v.spot,
        colour: colour(i + 1),
        series: v.frame("series"),
        liquidations: v.frame("liquidations"),
    });
    std::iter::once(home).chain(others).collect()
}

/// The shock times (seconds) of the run, for the dashed lines every price chart draws.
pub(super) fn shock_times(data: &RunData) -> Result<Vec<f64>, ReportError> {
    Ok(match data.frame("shocks") {
        Some(f) => f.need_num("time_s")?.iter().flatten().copied().collect(),
        None => Vec::new(),
    })
}

/// A synthetic two-perp, one-spot run for the multi-venue charts' tests.
#[cfg(test)]
pub(super) mod fixture {
    use super::*;
    use crate::PriceFormat;

    /// Samples, one a second.
    pub const SAMPLES: usize = 600;

    fn ns(t_s: usize) -> Option<i64> {
        Some(t_s as i64 * 1_000_000_000)
    }

    /// A venue's series: the mid falls `drop` ticks from 300 s; the index follows (none for
    /// a spot market).
    pub fn series(drop: i64, index: bool) -> Table {
        let fmt = PriceFormat::new(0.01);
        let mid = move |i: usize| 10_000 - if i > 300 { drop } else { 0 } + (i as i64 % 5);
        Table::new("series", SAMPLES)
            .seconds("time_s", (1..=SAMPLES).map(ns))
            .price_x2("mid", &fmt, (1..=SAMPLES).map(|i| Some(2 * mid(i))))
            .price(
                "index",
                &fmt,
                (1..=SAMPLES).map(|i| index.then(|| 10_000 - if i > 300 { drop / 2 } else { 0 })),
            )
    }

    /// `count` takeovers from `from_s`, one a second, of 10 + id lots each.
    pub fn liquidations(from_s: usize, count: usize) -> Table {
        Table::new("liquidations", count)
            .seconds("time_s", (0..count).map(|j| ns(from_s + j)))
            .int("liquidation", (0..count).map(|j| Some(j as i64)))
            .int("quantity", (0..count).map(|j| Some(10 + j as i64)))
    }

    /// perp-a (home; 30 takeovers from 301 s), perp-b (10 from 313 s), spot-x (none), a shock
    /// at 300 s.
    pub fn two_perps_one_spot() -> RunData {
        let home = [series(300, true), liquidations(301, 30)];
        let perp_b = [series(200, true), liquidations(313, 10)];
        let spot_x = [series(250, false), liquidations(0, 0)];
        RunData::from_tables("multi", 4, &home)
            .with_shocks([300.0])
            .with_venues(
                "perp-a",
                vec![
                    VenueFrames::from_tables("perp-b", false, &perp_b),
                    VenueFrames::from_tables("spot-x", true, &spot_x),
                ],
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_trims_the_other_venues_tables_too() {
        let data = fixture::two_perps_one_spot().window(310.0, 315.0);
        let b = &data.venues()[0];
        assert_eq!(b.frame("series").unwrap().rows(), 6);
        // perp-b's takeovers at 313..322 s: 313, 314, 315 stay.
        assert_eq!(b.frame("liquidations").unwrap().rows(), 3);
        assert_eq!(data.frame("liquidations").unwrap().rows(), 6);
    }

    #[test]
    fn the_home_venue_comes_first_and_spot_markets_say_so() {
        let data = fixture::two_perps_one_spot();
        let shown = shown(&data);
        let labels: Vec<&str> = shown.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels, ["perp-a (home)", "perp-b", "spot-x (spot)"]);
        assert_eq!(
            shown.iter().map(|v| v.colour).collect::<Vec<_>>(),
            [colour(0), colour(1), colour(2)]
        );
        assert!(shown[2].spot && !shown[1].spot);
    }

    #[test]
    fn venues_get_distinct_colours_and_indexes_a_lighter_tint() {
        let first: Vec<RGBColor> = (0..COLOURS.len()).map(colour).collect();
        for (i, a) in first.iter().enumerate() {
            for b in &first[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(colour(COLOURS.len()), colour(0));
        let t = tint(style::BLUE);
        assert!(t.0 > style::BLUE.0 && t.1 > style::BLUE.1 && t.2 > style::BLUE.2);
        assert_eq!(tint(RGBColor(255, 255, 255)), RGBColor(255, 255, 255));
    }
}
