//! The run folder: summary.json, every table as CSV and Parquet, the charts, and manifest.json
//! last (so a folder with a manifest is complete).
//!
//! Every file goes through [`FolderWriter::put`]: written under a temporary name, renamed into
//! place, and its SHA-256 recorded for the manifest. An earlier manifest.json is removed before
//! the first write, and a failed run ([`write_failed_run`]) writes none, so a folder with a
//! manifest holds one whole run. [`crate::claim`] decides whether a folder may be written.

use crate::atomic::write_bytes;
use crate::charts::{self, ChartFormat, RunData, VenueFrames};
use crate::json::json_bytes;
use crate::manifest::{FileDigest, Manifest, RunManifest};
use crate::table::{decimal_text, Table};
use crate::{summarize, PriceFormat, ReportError};
use cascade_book::Side;
use cascade_sim::{Recording, Scenario};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};

/// Paths of the files a run wrote.
#[derive(Clone, Debug)]
pub struct RunFiles {
    /// The run folder.
    pub dir: PathBuf,
    /// Every file written, in order (the manifest last).
    pub files: Vec<PathBuf>,
    /// The manifest as written.
    pub manifest: RunManifest,
}

/// What to write besides the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Draw the charts into charts/ (PNG and SVG).
    pub charts: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { charts: true }
    }
}

/// Writes files into a folder atomically and keeps their digests, in writing order.
#[derive(Debug)]
pub struct FolderWriter {
    dir: PathBuf,
    digests: Vec<FileDigest>,
    paths: Vec<PathBuf>,
}

impl FolderWriter {
    /// A writer into `dir`, created if missing.
    pub fn new(dir: &Path) -> Result<Self, ReportError> {
        fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
        Ok(FolderWriter {
            dir: dir.to_path_buf(),
            digests: Vec::new(),
            paths: Vec::new(),
        })
    }

    /// Writes `bytes` as `name` (`/`-separated, inside the folder) and records its digest.
    /// A folder on the way that is a symbolic link (a `charts` pointing elsewhere) is refused:
    /// nothing is written out of the folder through a link.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let path = self.dir.join(name);
        let mut inner = self.dir.clone();
        for part in name
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map_or(&[][..], |(_, d)| d)
        {
            inner.push(part);
            match inner.symlink_metadata() {
                Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
                    return Err(ReportError::input(
                        &inner,
                        "is a symbolic link or not a folder; cascade does not write through it",
                    ))
                }
                Ok(_) => {}
                Err(_) => fs::create_dir(&inner).map_err(|e| ReportError::io(&inner, e))?,
            }
        }
        write_bytes(&path, bytes)?;
        self.digests.push(FileDigest::of(name, bytes));
        self.paths.push(path);
        Ok(())
    }

    /// Writes `table` as `<name>.csv` and `<name>.parquet`.
    pub fn table(&mut self, table: &Table) -> Result<(), ReportError> {
        self.table_in("", table)
    }

    /// Writes `table` as `<folder><name>.csv` and `.parquet` (`folder` empty or ending in
    /// `/`).
    pub fn table_in(&mut self, folder: &str, table: &Table) -> Result<(), ReportError> {
        let stem = format!("{folder}{}", table.name);
        let mut csv = Vec::new();
        table
            .write_csv(&mut csv)
            .map_err(|e| ReportError::io(self.dir.join(format!("{stem}.csv")), e))?;
        self.put(&format!("{stem}.csv"), &csv)?;
        let name = format!("{stem}.parquet");
        let parquet = crate::parquet_io::to_parquet(table)
            .map_err(|e| ReportError::io(self.dir.join(&name), std::io::Error::other(e)))?;
        self.put(&name, &parquet)
    }

    /// Writes `value` as pretty JSON under `name`.
    pub fn json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), ReportError> {
        let bytes = json_bytes(value)
            .map_err(|e| ReportError::io(self.dir.join(name), std::io::Error::other(e)))?;
        self.put(name, &bytes)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Digests of the files written so far.
    pub fn digests(&self) -> &[FileDigest] {
        &self.digests
    }

    /// Paths of the files written so far.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }
}

/// Writes the run folder `dir` with the charts ([`write_run_with`] with default options).
pub fn write_run(
    dir: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    rec: &Recording,
) -> Result<RunFiles, ReportError> {
    write_run_with(dir, manifest, scenario, rec, RunOptions::default())
}

/// The names of [`recording_tables`], in order: each is written as `<name>.csv` and
/// `<name>.parquet`.
pub const TABLE_NAMES: &[&str] = &["series", "trades", "book", "liquidations", "adl"];

/// Writes the run folder `dir` (created if missing): summary.json, each table of
/// [`recording_tables`] as CSV and Parquet, the charts when asked, manifest.json last.
pub fn write_run_with(
    dir: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    rec: &Recording,
    options: RunOptions,
) -> Result<RunFiles, ReportError> {
    let out = write_data(dir, manifest, scenario, rec, options)?;
    let written = RunManifest::new(manifest, options.charts, out.digests().to_vec());
    let path = dir.join("manifest.json");
    let bytes = written
        .to_bytes()
        .map_err(|e| ReportError::io(&path, std::io::Error::other(e)))?;
    write_bytes(&path, &bytes)?;
    let mut files = out.paths().to_vec();
    files.push(path);
    Ok(RunFiles {
        dir: dir.to_path_buf(),
        files,
        manifest: written,
    })
}

/// Writes what a failed run (its audit found a violation) recorded, for inspection, but no
/// manifest.json: the folder does not look like a complete run, and `replay`, `plot`,
/// `compare` refuse it. Returns the paths written.
pub fn write_failed_run(
    dir: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    rec: &Recording,
    options: RunOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    Ok(write_data(dir, manifest, scenario, rec, options)?.paths)
}

/// Every file of the run folder but the manifest, after removing an earlier manifest.
fn write_data(
    dir: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    rec: &Recording,
    options: RunOptions,
) -> Result<FolderWriter, ReportError> {
    let fmt = PriceFormat::new(scenario.instrument.tick_size);
    let mut out = FolderWriter::new(dir)?;
    let old = dir.join("manifest.json");
    match fs::remove_file(&old) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(ReportError::io(&old, e)),
        _ => {}
    }
    out.json("summary.json", &summarize(rec, &fmt, None))?;
    let multi = !rec.venues.is_empty();
    let names: Vec<&str> = std::iter::once(rec.venue_name.as_str())
        .chain(rec.venues.iter().map(|v| v.name.as_str()))
        .collect();
    let tables = if multi {
        with_venue_columns(recording_tables(rec, &fmt), rec, &names, 0)
    } else {
        recording_tables(rec, &fmt)
    };
    debug_assert!(tables
        .iter()
        .map(|t| t.name)
        .eq(TABLE_NAMES.iter().copied()));
    for table in &tables {
        out.table(table)?;
    }
    // The other venues of a multi-venue run: the same tables under venues/<name>/.
    let mut venues = Vec::with_capacity(rec.venues.len());
    for (i, venue) in rec.venues.iter().enumerate() {
        let tables = with_venue_columns(
            recording_tables(&venue.recording, &fmt),
            &venue.recording,
            &names,
            i + 1,
        );
        for table in &tables {
            out.table_in(&format!("venues/{}/", venue.name), table)?;
        }
        if options.charts {
            venues.push(VenueFrames::from_tables(&venue.name, venue.spot, &tables));
        }
    }
    if options.charts {
        let data = RunData::from_tables(&manifest.scenario_name, manifest.seed, &tables)
            .with_shocks(scenario.shocks.iter().map(|s| s.at_s()))
            .with_venues(&scenario.venue_name, venues);
        charts::write_charts(&mut out, &data, ChartFormat::ALL)?;
    }
    Ok(out)
}

/// The tables of a run folder, in writing order: series, trades, book. A new table (say,
/// liquidations) is one more builder function pushed here.
pub fn recording_tables(rec: &Recording, fmt: &PriceFormat) -> Vec<Table> {
    vec![
        series_table(rec, fmt),
        trades_table(rec, fmt),
        book_table(rec, fmt),
        liquidations_table(rec, fmt),
        adl_table(rec, fmt),
    ]
}

/// A multi-venue run's tables of venue `own` (an index into `names`, home first): each with
/// a last column `venue` naming the venue its rows are from, so the venues' tables
/// concatenate; before it, the liquidations table gains the cascade tree's edges across
/// venues, `parent_venue` and `parent_liquidation`: the liquidation whose move set the
/// takeover off (on this venue for a `liquidation:N` trigger, on another when the move came
/// through an arbitrageur's trade or the index; empty for a root).
fn with_venue_columns(
    tables: Vec<Table>,
    rec: &Recording,
    names: &[&str],
    own: usize,
) -> Vec<Table> {
    let venue = names[own];
    tables
        .into_iter()
        .map(|t| {
            let rows = t.rows;
            let t = if t.name == "liquidations" {
                let parents: Vec<Option<(usize, u32)>> = rec
                    .liquidations
                    .iter()
                    .map(|l| match (l.imported_from, l.trigger) {
                        (Some(link), _) => Some((usize::from(link.venue), link.liquidation)),
                        (None, cascade_sim::Trigger::Liquidation(id)) => Some((own, id)),
                        _ => None,
                    })
                    .collect();
                t.text(
                    "parent_venue",
                    parents
                        .iter()
                        .map(|p| p.and_then(|(v, _)| names.get(v)).map(|n| n.to_string())),
                )
                .int(
                    "parent_liquidation",
                    parents.iter().map(|p| p.map(|(_, id)| i64::from(id))),
                )
            } else {
                t
            };
            t.text("venue", std::iter::repeat_n(Some(venue.to_string()), rows))
        })
        .collect()
}

/// liquidations: one row per step of the liquidation engine.
pub fn liquidations_table(rec: &Recording, fmt: &PriceFormat) -> Table {
    let l = &rec.liquidations;
    let quote = |units: i64| Some(units as f64 * rec.unit_quote);
    let ticks = |t: f64| {
        if t > 0.0 {
            Some(fmt.to_quote(1) * t)
        } else {
            None
        }
    };
    Table::new("liquidations", l.len())
        .seconds("time_s", l.iter().map(|l| Some(l.time_ns)))
        .int("liquidation", l.iter().map(|l| Some(i64::from(l.id))))
        .int("account", l.iter().map(|l| Some(i64::from(l.account))))
        .text(
            "side",
            l.iter()
                .map(|l| Some(if l.side == Side::Buy { "long" } else { "short" }.into())),
        )
        .int(
            "quantity",
            l.iter().map(|l| Some(l.book_qty + l.adl_qty + l.fund_qty)),
        )
        .int("book_quantity", l.iter().map(|l| Some(l.book_qty)))
        .int("adl_quantity", l.iter().map(|l| Some(l.adl_qty)))
        .int("fund_quantity", l.iter().map(|l| Some(l.fund_qty)))
        .float("price", 6, l.iter().map(|l| ticks(l.avg_price)))
        .float(
            "bankruptcy_price",
            6,
            l.iter().map(|l| ticks(l.bankruptcy_price)),
        )
        .price("mark", fmt, l.iter().map(|l| Some(l.mark)))
        .float("notional", 6, l.iter().map(|l| quote(l.notional)))
        .float("fee", 6, l.iter().map(|l| quote(l.fee)))
        .float("fund_change", 6, l.iter().map(|l| quote(l.fund_change)))
        .text("trigger", l.iter().map(|l| Some(trigger_text(l.trigger))))
        .int(
            "trigger_trade",
            l.iter().map(|l| l.trigger_trade.map(|t| t as i64)),
        )
        .int(
            "generation",
            l.iter().map(|l| Some(i64::from(l.generation))),
        )
}

/// adl: one row per auto-deleveraging fill.
pub fn adl_table(rec: &Recording, fmt: &PriceFormat) -> Table {
    let a = &rec.adl;
    Table::new("adl", a.len())
        .seconds("time_s", a.iter().map(|a| Some(a.time_ns)))
        .int(
            "liquidation",
            a.iter().map(|a| Some(i64::from(a.liquidation))),
        )
        .int("bankrupt", a.iter().map(|a| Some(i64::from(a.bankrupt))))
        .int(
            "counterparty",
            a.iter().map(|a| Some(i64::from(a.counterparty))),
        )
        .int("quantity", a.iter().map(|a| Some(a.qty)))
        .float(
            "price",
            6,
            a.iter().map(|a| Some(fmt.to_quote(1) * a.price)),
        )
        .float("score", 6, a.iter().map(|a| Some(a.score)))
}

/// What started a liquidation, as text: `flow`, `index`, `shock:0`, `liquidation:12`, `margin`.
fn trigger_text(t: cascade_sim::Trigger) -> String {
    match t {
        cascade_sim::Trigger::Flow => "flow".into(),
        cascade_sim::Trigger::Index => "index".into(),
        cascade_sim::Trigger::Shock(i) => format!("shock:{i}"),
        cascade_sim::Trigger::Liquidation(id) => format!("liquidation:{id}"),
        cascade_sim::Trigger::MarginChange => "margin".into(),
        cascade_sim::Trigger::Funding => "funding".into(),
        cascade_sim::Trigger::Collateral(a) => format!("collateral:{a}"),
    }
}

/// series: the market at the end of every sampling interval.
pub fn series_table(rec: &Recording, fmt: &PriceFormat) -> Table {
    let s = &rec.samples;
    let table = Table::new("series", s.len())
        .seconds("time_s", s.iter().map(|s| Some(s.time_ns)))
        .price("bid", fmt, s.iter().map(|s| s.bid.map(|b| b.0 .0)))
        .price("ask", fmt, s.iter().map(|s| s.ask.map(|a| a.0 .0)))
        .price_x2("mid", fmt, s.iter().map(|s| s.mid_x2()))
        .float("spread_bps", 3, s.iter().map(crate::summary::spread_bps))
        .int("bid_qty", s.iter().map(|s| s.bid.map(|b| b.1 .0)))
        .int("ask_qty", s.iter().map(|s| s.ask.map(|a| a.1 .0)))
        .int("depth_1pct", s.iter().map(|s| Some(s.depth_1pct.0)))
        .int("volume", s.iter().map(|s| Some(s.volume.0)))
        .int("trades", s.iter().map(|s| Some(i64::from(s.trades))))
        .price("last", fmt, s.iter().map(|s| Some(s.last.0)))
        .price(
            "fundamental",
            fmt,
            s.iter().map(|s| s.fundamental.map(|f| f.0)),
        )
        .price("mark", fmt, s.iter().map(|s| Some(s.mark.0)))
        .price("index", fmt, s.iter().map(|s| s.index.map(|i| i.0)))
        .float(
            "insurance_fund",
            6,
            s.iter()
                .map(|s| Some(s.insurance_fund as f64 * rec.unit_quote)),
        )
        .int("open_interest", s.iter().map(|s| Some(s.open_interest)));
    if rec.funding.is_none() {
        return table;
    }
    // With funding on: the predicted rate per interval (a fraction) and the last premium.
    let ppb = cascade_sim::PPB as f64;
    table
        .float(
            "funding_rate",
            9,
            s.iter().map(|s| s.funding.map(|f| f.0 as f64 / ppb)),
        )
        .float(
            "premium_bps",
            3,
            s.iter().map(|s| s.funding.map(|f| f.1 as f64 / ppb * 1e4)),
        )
}

/// trades: the tape.
pub fn trades_table(rec: &Recording, fmt: &PriceFormat) -> Table {
    let t = &rec.trades;
    Table::new("trades", t.len())
        .seconds("time_s", t.iter().map(|t| Some(t.time_ns)))
        .price("price", fmt, t.iter().map(|t| Some(t.price.0)))
        .int("qty", t.iter().map(|t| Some(t.qty.0)))
        .text(
            "taker_side",
            t.iter().map(|t| Some(side_name(t.taker_side).into())),
        )
        .int("maker_order", t.iter().map(|t| Some(id(t.maker_order))))
        .int("taker_order", t.iter().map(|t| Some(id(t.taker_order))))
        .int("maker", t.iter().map(|t| Some(i64::from(t.maker.0))))
        .int("taker", t.iter().map(|t| Some(i64::from(t.taker.0))))
}

/// book: the best levels of each side at every sample.
pub fn book_table(rec: &Recording, fmt: &PriceFormat) -> Table {
    let l = &rec.book_levels;
    Table::new("book", l.len())
        .seconds("time_s", l.iter().map(|l| Some(l.time_ns)))
        .text("side", l.iter().map(|l| Some(book_side(l.side).into())))
        .int("level", l.iter().map(|l| Some(i64::from(l.level))))
        .price("price", fmt, l.iter().map(|l| Some(l.price.0)))
        .int("qty", l.iter().map(|l| Some(l.qty.0)))
}

/// An order id as the integer written in trades.csv.
fn id(order: cascade_book::OrderId) -> i64 {
    // The generation sits in the high 32 bits; it would need 2^31 reuses of one slot to overflow.
    i64::try_from(order.raw()).unwrap_or(i64::MAX)
}

/// Seconds as exact decimal text from nanoseconds, trailing zeros trimmed.
pub fn seconds(ns: i64) -> String {
    decimal_text(ns, 9, 0)
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

fn book_side(s: Side) -> &'static str {
    match s {
        Side::Buy => "bid",
        Side::Sell => "ask",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact_and_trimmed() {
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(1_500_000_000), "1.5");
        assert_eq!(seconds(2_000_000_001), "2.000000001");
        assert_eq!(seconds(3_000_000_000), "3");
    }
}
