//! `cascade plot RUN_DIR [--format png|svg]`: redraw a run's charts from its folder alone.

use anyhow::Result;
use cascade_report::charts::{self, ChartFormat, RunData, CHART_TABLES};
use cascade_report::claim::lock_folder;
use cascade_report::{FolderWriter, RunManifest};
use clap::ValueEnum;
use std::path::Path;

/// Image formats on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    Both,
}

impl Format {
    /// The formats to draw.
    pub fn formats(self) -> &'static [ChartFormat] {
        match self {
            Format::Png => &[ChartFormat::Png],
            Format::Svg => &[ChartFormat::Svg],
            Format::Both => ChartFormat::ALL,
        }
    }
}

/// Reads the folder's tables back and draws every chart into `dir/charts`.
pub fn plot(dir: &Path, format: Format) -> Result<()> {
    // Held while reading and drawing: not a run being written, not two plots at once.
    let _lock = lock_folder(dir).map_err(crate::input::report_error)?;
    let manifest = RunManifest::read(dir).map_err(crate::input::report_error)?;
    let data = RunData::read(dir, &manifest.scenario_name, manifest.seed, CHART_TABLES)
        .map_err(crate::input::report_error)?;
    let mut out = FolderWriter::new(dir).map_err(crate::input::report_error)?;
    charts::write_charts(&mut out, &data, format.formats()).map_err(crate::input::report_error)?;
    println!(
        "{} charts -> {}",
        out.paths().len(),
        dir.join("charts").display()
    );
    Ok(())
}
