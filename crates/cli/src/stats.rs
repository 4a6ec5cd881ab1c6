//! `cascade stats RUN_DIR [--json] [--horizons S,S,...]`: stylized facts of a run's returns,
//! written to RUN_DIR/stats.json and RUN_DIR/charts/stats.{png,svg}.

use crate::input::{bad, report_error};
use anyhow::{Context, Result};
use cascade_report::charts::ChartFormat;
use cascade_report::claim::lock_folder;
use cascade_report::stats::{self, Series, StatsOptions, MIN_RETURNS};
use cascade_report::RunManifest;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `cascade stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    /// The run folder.
    run_dir: PathBuf,
    /// Print stats.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Return horizons in seconds, multiples of the sampling interval (default: 1, 10 and 60
    /// intervals, those leaving enough returns).
    #[arg(long, value_delimiter = ',', value_name = "SECONDS,...")]
    horizons: Option<Vec<f64>>,
    /// Seconds skipped at the start (default: 10% of the run or 300 s, whichever is shorter).
    #[arg(long, value_name = "SECONDS")]
    burn_in: Option<f64>,
    /// Fewest returns a horizon needs.
    #[arg(long, default_value_t = MIN_RETURNS)]
    min_returns: usize,
}

/// "baseline, seed 1, duration_s=600" from the manifest, or the folder's name without one.
fn label(dir: &Path) -> Result<String> {
    // Any manifest.json (a link, a FIFO) is read, so what is not a regular file is refused.
    if dir.join("manifest.json").symlink_metadata().is_err() {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        return Ok(name.unwrap_or_else(|| dir.display().to_string()));
    }
    let m = RunManifest::read(dir).map_err(report_error)?;
    let mut s = format!("{}, seed {}", m.scenario_name, m.seed);
    for o in &m.overrides {
        s.push_str(&format!(", {o}"));
    }
    Ok(s)
}

/// Computes, writes and prints the statistics.
pub fn stats(args: &StatsArgs) -> Result<()> {
    let dir = &args.run_dir;
    // Held while reading and writing: not a run being written, not two at once.
    let _lock = lock_folder(dir).map_err(report_error)?;
    let label = label(dir)?;
    let series = Series::read(dir).map_err(report_error)?;
    let opts = StatsOptions {
        horizons_s: args.horizons.clone(),
        burn_in_s: args.burn_in,
        min_returns: args.min_returns,
    };
    let computed = stats::compute(&series, &opts).map_err(|e| {
        let file = ["series.parquet", "series.csv"]
            .into_iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file())
            .unwrap_or_else(|| dir.join("series.csv"));
        bad(format!("{}: {e}", file.display()))
    })?;
    stats::write(dir, &computed, &label, ChartFormat::ALL).map_err(report_error)?;
    if args.json {
        let json = computed.to_json().context("writing stats.json")?;
        print!("{}", String::from_utf8_lossy(&json));
    } else {
        println!("stats: {label} ({})", dir.display());
        print!("{}", stats::to_text(&computed));
        println!(
            "-> {}, {}",
            dir.join("stats.json").display(),
            dir.join("charts").join("stats.png").display()
        );
    }
    Ok(())
}
