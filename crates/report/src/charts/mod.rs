//! Charts of a run, PNG and SVG, drawn with plotters from the run's tables.
//!
//! Charts draw from [`Frame`]s, never from the in-memory recording, so `cascade run` and
//! `cascade plot` (which reads the folder back) draw the same picture, byte for byte. Text
//! is laid out with DejaVu Sans embedded in the binary (see `assets/`), so no system font is
//! needed. Each chart is a variant of the closed enum [`Chart`]: adding one is a variant, a
//! file with its `draw` function, and a line in each `match`.
//!
//! Charts look for optional tables and columns and draw what is there: the price chart draws
//! `mark` and `index` series columns when present, liquidation markers when the run has a
//! `liquidations` table, ADL transfers when it has an `adl` table, shock lines for the
//! scenario's shocks ([`RunData::with_shocks`]).
//!
//! A multi-venue run adds the other venues' tables ([`RunData::with_venues`], read from
//! `venues/<name>/`), and two charts drawn only then: `venues_price` (every venue's mid and
//! each perpetual's index) and `contagion` (liquidations per venue over time, each venue's
//! first linked to the home venue's).

pub mod compare;
mod contagion;
mod heatmap;
mod inset;
mod liquidations;
mod liquidity;
mod price;
pub mod stats;
pub mod style;
pub mod venues;
mod venues_price;

use crate::frame::{Frame, FrameColumn};
use crate::run_folder::FolderWriter;
use crate::table::Table;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
pub use venues::{VenueFrames, VENUE_TABLES};

/// The tables charts read from a run folder (those missing are skipped, except `series`).
pub const CHART_TABLES: &[&str] = &["series", "book", "liquidations", "adl"];

/// An image format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartFormat {
    /// Raster, 8-bit RGB.
    Png,
    /// Vector, text as `<text>` elements.
    Svg,
}

impl ChartFormat {
    /// Both formats, in writing order.
    pub const ALL: &'static [ChartFormat] = &[ChartFormat::Png, ChartFormat::Svg];

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }
}

/// What a chart draws from: the run's identity and its tables read as frames.
#[derive(Clone, Debug)]
pub struct RunData {
    /// Scenario name, for titles.
    pub scenario: String,
    /// Run seed, for titles.
    pub seed: u64,
    frames: Vec<(String, Frame)>,
    /// The home venue's name (multi-venue runs).
    home: String,
    /// The other venues of a multi-venue run (none for one venue).
    venues: Vec<VenueFrames>,
}

impl RunData {
    /// From the tables of a run being written.
    pub fn from_tables(scenario: &str, seed: u64, tables: &[Table]) -> Self {
        let frames = tables
            .iter()
            .map(|t| (t.name.to_string(), Frame::from_table(t)))
            .collect();
        RunData {
            scenario: scenario.to_string(),
            seed,
            frames,
            home: String::new(),
            venues: Vec::new(),
        }
    }

    /// From a run folder: `tables` are read back (Parquet, or CSV without it); `series` must
    /// be there, any other table is optional.
    pub fn read(
        dir: &Path,
        scenario: &str,
        seed: u64,
        tables: &[&str],
    ) -> Result<Self, ReportError> {
        let mut frames = Vec::new();
        for &name in tables {
            let present = ["parquet", "csv"]
                .iter()
                .any(|ext| dir.join(format!("{name}.{ext}")).symlink_metadata().is_ok());
            if present || name == "series" {
                frames.push((name.to_string(), Frame::read(dir, name)?));
            }
        }
        Ok(RunData {
            scenario: scenario.to_string(),
            seed,
            frames,
            home: String::new(),
            venues: Vec::new(),
        })
    }

    /// With the other venues of a multi-venue run (`home` names the venue of the run's own
    /// tables): the multi-venue charts then apply.
    pub fn with_venues(mut self, home: &str, venues: Vec<VenueFrames>) -> Self {
        self.home = home.to_string();
        self.venues = venues;
        self
    }

    /// The home venue's name (empty for a one-venue run).
    pub fn home_venue(&self) -> &str {
        &self.home
    }

    /// The other venues of a multi-venue run, in scenario order.
    pub fn venues(&self) -> &[VenueFrames] {
        &self.venues
    }

    fn into_frames(self) -> Vec<(String, Frame)> {
        self.frames
    }

    /// Adds the scenario's shock times (seconds) as the `shocks` frame the price chart draws
    /// as dashed lines. The run folder has no shocks table: they come from the scenario (the
    /// one being run, or manifest.json's).
    pub fn with_shocks(mut self, times_s: impl IntoIterator<Item = f64>) -> Self {
        let times: Vec<Option<f64>> = times_s.into_iter().map(Some).collect();
        self.frames.retain(|(n, _)| n != "shocks");
        if !times.is_empty() {
            let rows = times.len();
            let frame = Frame::new(vec![("time_s".to_string(), FrameColumn::Num(times))], rows);
            self.frames.push(("shocks".to_string(), frame));
        }
        self
    }

    /// Keeps only what happened between `from_s` and `to_s` (inclusive) in every table with a
    /// `time_s` column, the other venues' too: the charts then span that window alone.
    pub fn window(mut self, from_s: f64, to_s: f64) -> Self {
        let own = self.frames.iter_mut().map(|(_, f)| f);
        let others = self.venues.iter_mut().flat_map(VenueFrames::frames_mut);
        for frame in own.chain(others) {
            let Some(time) = frame.num("time_s").map(<[_]>::to_vec) else {
                continue;
            };
            frame.retain_rows(|i| time[i].is_some_and(|t| (from_s..=to_s).contains(&t)));
        }
        self
    }

    /// The frame of a table, if the run has it.
    pub fn frame(&self, name: &str) -> Option<&Frame> {
        self.frames.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The series frame (every run has one).
    pub fn series(&self) -> Result<&Frame, ReportError> {
        self.frame("series")
            .ok_or_else(|| ReportError::input("series.csv", "no series table"))
    }

    /// "baseline, seed 1".
    pub fn label(&self) -> String {
        format!("{}, seed {}", self.scenario, self.seed)
    }
}

/// The charts of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// Mid (and mark, index, fundamental when present), liquidation markers, shocks.
    Price,
    /// Spread in bps over depth within 1% of mid, on a shared time axis.
    SpreadDepth,
    /// Resting quantity by price and time.
    BookHeatmap,
    /// Liquidated notional per interval by generation, over the insurance fund.
    Liquidations,
    /// Each liquidation at (time, generation), joined to the one that triggered it.
    Cascade,
    /// Every venue's mid and each perpetual's index (multi-venue runs).
    VenuesPrice,
    /// Liquidations per venue over time, each venue's first linked to the home venue's
    /// (multi-venue runs with a liquidation).
    Contagion,
}

impl Chart {
    /// Every chart, in drawing order.
    pub const ALL: &'static [Chart] = &[
        Chart::Price,
        Chart::SpreadDepth,
        Chart::BookHeatmap,
        Chart::Liquidations,
        Chart::Cascade,
        Chart::VenuesPrice,
        Chart::Contagion,
    ];

    /// File stem under charts/.
    pub fn stem(self) -> &'static str {
        match self {
            Chart::Price => "price",
            Chart::SpreadDepth => "spread-depth",
            Chart::BookHeatmap => "book-heatmap",
            Chart::Liquidations => "liquidations",
            Chart::Cascade => "cascade",
            Chart::VenuesPrice => "venues-price",
            Chart::Contagion => "contagion",
        }
    }

    /// Image size, pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Chart::Price => (1280, 720),
            Chart::SpreadDepth => (1280, 800),
            Chart::BookHeatmap => (1280, 720),
            Chart::Liquidations => (1280, 800),
            Chart::Cascade => (1280, 720),
            Chart::VenuesPrice => (1280, 720),
            Chart::Contagion => (1280, 800),
        }
    }

    /// True when the run has the tables this chart needs.
    pub fn applies(self, data: &RunData) -> bool {
        match self {
            Chart::Price | Chart::SpreadDepth => data.frame("series").is_some(),
            Chart::BookHeatmap => data.frame("book").is_some(),
            Chart::Liquidations | Chart::Cascade => liquidations::has_liquidations(data),
            Chart::VenuesPrice => !data.venues.is_empty() && data.frame("series").is_some(),
            Chart::Contagion => contagion::applies(data),
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        data: &RunData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ReportError> {
        match self {
            Chart::Price => price::draw(data, root),
            Chart::SpreadDepth => liquidity::draw(data, root),
            Chart::BookHeatmap => heatmap::draw(data, root),
            Chart::Liquidations => liquidations::draw_volume(data, root),
            Chart::Cascade => liquidations::draw_cascade(data, root),
            Chart::VenuesPrice => venues_price::draw(data, root),
            Chart::Contagion => contagion::draw(data, root),
        }
    }
}

/// Something drawn on a canvas of a fixed size: a run's chart, or a comparison.
pub trait Picture {
    /// Canvas size, pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on a white canvas.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError>;
}

struct RunChart<'a>(Chart, &'a RunData);

impl Picture for RunChart<'_> {
    fn size(&self) -> (u32, u32) {
        self.0.size()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        self.0.draw(self.1, root)
    }
}

/// Draws `chart` of `data` as an image file's bytes.
pub fn render(chart: Chart, data: &RunData, format: ChartFormat) -> Result<Vec<u8>, ReportError> {
    render_picture(&RunChart(chart, data), format)
}

/// Draws `picture` and returns the image file's bytes.
pub fn render_picture(picture: &impl Picture, format: ChartFormat) -> Result<Vec<u8>, ReportError> {
    style::ensure_fonts();
    let (w, h) = picture.size();
    match format {
        ChartFormat::Png => {
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                picture.draw(&root)?;
                root.present()?;
            }
            encode_png(&rgb, w, h)
        }
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                picture.draw(&root)?;
                root.present()?;
            }
            Ok(svg.into_bytes())
        }
    }
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let err = |e: png::EncodingError| ReportError::Chart(format!("PNG encoding: {e}"));
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// Draws every chart that applies to `data` in each of `formats` into `charts/` of the
/// writer's folder.
pub fn write_charts(
    out: &mut FolderWriter,
    data: &RunData,
    formats: &[ChartFormat],
) -> Result<(), ReportError> {
    for &chart in Chart::ALL {
        if !chart.applies(data) {
            continue;
        }
        for &format in formats {
            let name = format!("charts/{}.{}", chart.stem(), format.ext());
            let bytes =
                render(chart, data, format).map_err(|e| e.in_file(out.dir().join(&name)))?;
            out.put(&name, &bytes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PriceFormat;

    /// A synthetic hour: a price that falls 5% in a cascade at 30 min, a book, liquidations in
    /// three generations, a draining insurance fund.
    fn synthetic() -> RunData {
        let fmt = PriceFormat::new(0.01);
        let n = 3600usize;
        let mid = |i: usize| -> i64 {
            let drop = if i > 1800 {
                500.min((i as i64 - 1800) * 25)
            } else {
                0
            };
            10_000 - drop + (i as i64 % 7)
        };
        let ns = |i: usize| Some((i as i64 + 1) * 1_000_000_000);
        let series = Table::new("series", n)
            .seconds("time_s", (0..n).map(ns))
            .price_x2("mid", &fmt, (0..n).map(|i| Some(2 * mid(i) + 1)))
            .float(
                "spread_bps",
                3,
                (0..n).map(|i| Some(if (1800..1900).contains(&i) { 40.0 } else { 2.0 })),
            )
            .int(
                "depth_1pct",
                (0..n).map(|i| Some(if (1800..2000).contains(&i) { 300 } else { 2500 })),
            )
            .price("mark", &fmt, (0..n).map(|i| Some(mid(i))))
            .price(
                "index",
                &fmt,
                (0..n).map(|i| Some(10_000 - if i > 1800 { 300 } else { 0 })),
            )
            .float(
                "insurance_fund",
                6,
                (0..n).map(|i| {
                    Some(if i > 1800 {
                        5000.0 - (i - 1800).min(60) as f64 * 50.0
                    } else {
                        5000.0
                    })
                }),
            );
        let levels: Vec<(usize, &str, i64, i64)> = (0..n)
            .step_by(10)
            .flat_map(|i| {
                (0..20).flat_map(move |l| {
                    [
                        (i, "bid", mid(i) - 1 - l, 10 + l),
                        (i, "ask", mid(i) + 1 + l, 10 + l),
                    ]
                })
            })
            .collect();
        let book = Table::new("book", levels.len())
            .seconds("time_s", levels.iter().map(|l| ns(l.0)))
            .text("side", levels.iter().map(|l| Some(l.1.to_string())))
            .int("level", levels.iter().map(|_| Some(0)))
            .price("price", &fmt, levels.iter().map(|l| Some(l.2)))
            .int("qty", levels.iter().map(|l| Some(l.3)));
        // Takeovers 0..30: generation k/10, each triggered by the one 10 before it.
        let k = 30usize;
        let liq = Table::new("liquidations", k)
            .seconds("time_s", (0..k).map(|j| ns(1801 + j)))
            .int("liquidation", (0..k).map(|j| Some(j as i64)))
            .float(
                "price",
                6,
                (0..k).map(|j| Some(mid(1801 + j) as f64 / 100.0)),
            )
            .float(
                "notional",
                6,
                (0..k).map(|j| Some(1000.0 * (1 + j % 4) as f64)),
            )
            .text(
                "trigger",
                (0..k).map(|j| {
                    Some(if j < 10 {
                        "index".into()
                    } else {
                        format!("liquidation:{}", j - 10)
                    })
                }),
            )
            .int("generation", (0..k).map(|j| Some((j / 10) as i64)));
        RunData::from_tables("synthetic", 3, &[series, book, liq])
    }

    #[test]
    fn every_chart_draws_as_png_and_svg_of_its_size() {
        let data = synthetic();
        let preview = std::env::var_os("CASCADE_CHART_PREVIEW").map(std::path::PathBuf::from);
        for &chart in Chart::ALL {
            if matches!(chart, Chart::VenuesPrice | Chart::Contagion) {
                // One venue: the multi-venue charts (tested beside their code) do not apply.
                assert!(!chart.applies(&data), "{chart:?}");
                continue;
            }
            assert!(chart.applies(&data), "{chart:?}");
            let png = render(chart, &data, ChartFormat::Png).unwrap();
            let (w, h) = chart.size();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(png[16..24], [w.to_be_bytes(), h.to_be_bytes()].concat()[..]);
            let svg = String::from_utf8(render(chart, &data, ChartFormat::Svg).unwrap()).unwrap();
            assert!(
                svg.starts_with(&format!("<svg width=\"{w}\" height=\"{h}\"")),
                "{chart:?}"
            );
            assert!(svg.contains("synthetic, seed 3"), "{chart:?}: no title");
            if let Some(dir) = &preview {
                std::fs::write(dir.join(format!("{}.png", chart.stem())), &png).unwrap();
            }
        }
    }

    #[test]
    fn a_window_keeps_only_its_rows_in_every_timed_table() {
        let data = synthetic().window(1790.0, 1810.0);
        let series = data.series().unwrap();
        assert_eq!(series.rows(), 21);
        assert_eq!(series.num("time_s").unwrap()[0], Some(1790.0));
        // Takeovers at 1802..1831 s: those up to 1810 s stay.
        assert_eq!(data.frame("liquidations").unwrap().rows(), 9);
        let book = data.frame("book").unwrap();
        assert!(book
            .num("time_s")
            .unwrap()
            .iter()
            .all(|t| (1790.0..=1810.0).contains(&t.unwrap())));
        let svg =
            String::from_utf8(render(Chart::Price, &data, ChartFormat::Svg).unwrap()).unwrap();
        let full = String::from_utf8(render(Chart::Price, &synthetic(), ChartFormat::Svg).unwrap())
            .unwrap();
        assert_ne!(svg, full);
    }

    #[test]
    fn shocks_are_drawn_as_named_dashed_lines() {
        let plain =
            String::from_utf8(render(Chart::Price, &synthetic(), ChartFormat::Svg).unwrap())
                .unwrap();
        assert!(!plain.contains("\nshock\n"));
        let data = synthetic().with_shocks([1800.0]);
        let svg =
            String::from_utf8(render(Chart::Price, &data, ChartFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("\nshock\n"), "no shock in the legend");
        // The dashes: many more short grey segments than without the shock.
        let grey = |s: &str| s.matches("stroke=\"#969696\"").count();
        assert!(
            grey(&svg) > grey(&plain) + 20,
            "{} vs {}",
            grey(&svg),
            grey(&plain)
        );
    }

    #[test]
    fn liquidation_charts_need_liquidations() {
        let fmt = PriceFormat::new(0.01);
        let series = Table::new("series", 1)
            .seconds("time_s", [Some(1)])
            .price_x2("mid", &fmt, [Some(2)])
            .float("spread_bps", 3, [Some(1.0)])
            .int("depth_1pct", [Some(1)]);
        let empty = Table::new("liquidations", 0).seconds("time_s", []);
        let data = RunData::from_tables("s", 1, &[series, empty]);
        assert!(!Chart::Liquidations.applies(&data));
        assert!(!Chart::Cascade.applies(&data));
        assert!(!Chart::BookHeatmap.applies(&data));
        assert!(Chart::Price.applies(&data));
    }
}
