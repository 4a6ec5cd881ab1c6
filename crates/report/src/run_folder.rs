//! The run folder: manifest.json, summary.json, series.csv and trades.csv.

use crate::atomic::{write_bytes, write_with};
use crate::{summarize, PriceFormat, ReportError};
use cascade_book::Side;
use cascade_sim::{Recording, Scenario};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What was run: enough to run it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Version of cascade that wrote the folder.
    pub cascade_version: String,
    /// The scenario's name.
    pub scenario_name: String,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// The run seed.
    pub seed: u64,
    /// The `--set` overrides, in order, as given.
    pub overrides: Vec<String>,
    /// The scenario as run (after overrides), RON.
    pub scenario: String,
    /// The files of the folder, in writing order.
    pub files: Vec<String>,
}

/// Paths of the files a run wrote.
#[derive(Clone, Debug)]
pub struct RunFiles {
    /// The run folder.
    pub dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
}

/// Names of the data files, in writing order (the manifest comes last).
pub const DATA_FILES: [&str; 3] = ["summary.json", "series.csv", "trades.csv"];

/// Writes the run folder `dir` (created if missing). Each file is written atomically; the
/// manifest is written last, so a folder with a manifest is complete.
pub fn write_run(
    dir: &Path,
    manifest: &Manifest,
    scenario: &Scenario,
    rec: &Recording,
) -> Result<RunFiles, ReportError> {
    fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let fmt = PriceFormat::new(scenario.instrument.tick_size);
    let mut files = Vec::new();

    let summary = summarize(rec, &fmt, None);
    let path = dir.join("summary.json");
    write_bytes(&path, &json_bytes(&summary))?;
    files.push(path);

    let path = dir.join("series.csv");
    write_with(&path, |w| write_series(w, rec, &fmt))?;
    files.push(path);

    let path = dir.join("trades.csv");
    write_with(&path, |w| write_trades(w, rec, &fmt))?;
    files.push(path);

    let manifest = Manifest {
        files: DATA_FILES.iter().map(|s| s.to_string()).collect(),
        ..manifest.clone()
    };
    let path = dir.join("manifest.json");
    write_bytes(&path, &json_bytes(&manifest))?;
    files.push(path);
    Ok(RunFiles {
        dir: dir.to_path_buf(),
        files,
    })
}

fn json_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    // Plain data with string keys always serialises.
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Seconds as exact decimal text from nanoseconds, trailing zeros trimmed.
pub fn seconds(ns: i64) -> String {
    let whole = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    if frac == 0 {
        return whole.to_string();
    }
    let f = format!("{frac:09}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

fn write_series(w: &mut dyn Write, rec: &Recording, fmt: &PriceFormat) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "time_s",
        "bid",
        "ask",
        "mid",
        "spread_bps",
        "bid_qty",
        "ask_qty",
        "depth_1pct",
        "volume",
        "trades",
        "last",
        "fundamental",
    ])?;
    for s in &rec.samples {
        let opt = |p: Option<i64>| p.map(|t| fmt.ticks(t)).unwrap_or_default();
        out.write_record([
            seconds(s.time_ns),
            opt(s.bid.map(|b| b.0 .0)),
            opt(s.ask.map(|a| a.0 .0)),
            s.mid_x2().map(|m| fmt.ticks_x2(m)).unwrap_or_default(),
            crate::summary::spread_bps(s)
                .map(|x| format!("{x:.3}"))
                .unwrap_or_default(),
            s.bid.map(|b| b.1 .0.to_string()).unwrap_or_default(),
            s.ask.map(|a| a.1 .0.to_string()).unwrap_or_default(),
            s.depth_1pct.0.to_string(),
            s.volume.0.to_string(),
            s.trades.to_string(),
            fmt.ticks(s.last.0),
            opt(s.fundamental.map(|f| f.0)),
        ])?;
    }
    out.flush()
}

fn write_trades(w: &mut dyn Write, rec: &Recording, fmt: &PriceFormat) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "time_s",
        "price",
        "qty",
        "taker_side",
        "maker_order",
        "taker_order",
        "maker",
        "taker",
    ])?;
    for t in &rec.trades {
        out.write_record([
            seconds(t.time_ns),
            fmt.ticks(t.price.0),
            t.qty.0.to_string(),
            side_name(t.taker_side).to_string(),
            t.maker_order.to_string(),
            t.taker_order.to_string(),
            t.maker.0.to_string(),
            t.taker.0.to_string(),
        ])?;
    }
    out.flush()
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
