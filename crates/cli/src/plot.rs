//! `cascade plot RUN_DIR [--format png|svg] [--window FROM..TO --out DIR]`: redraw a run's
//! charts from its folder alone, or the charts of a time window into another folder.

use crate::input::bad;
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

/// A time window of a run, seconds: `--window FROM..TO`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Start, seconds.
    pub from_s: f64,
    /// End, seconds (after the start).
    pub to_s: f64,
}

/// Parses `FROM..TO` (seconds, FROM < TO, both finite and not negative).
pub fn parse_window(text: &str) -> Result<Window, String> {
    let expected = "expected FROM..TO in seconds, e.g. 1200..1320";
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("{text:?}: no \"..\"; {expected}"))?;
    let num = |x: &str, what: &str| -> Result<f64, String> {
        match x.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!(
                "{text:?}: {what} {x:?} is not a number of seconds ≥ 0; {expected}"
            )),
        }
    };
    let (from_s, to_s) = (num(a, "FROM")?, num(b, "TO")?);
    if to_s <= from_s {
        return Err(format!("{text:?}: TO must be after FROM; {expected}"));
    }
    Ok(Window { from_s, to_s })
}

/// Reads the folder's tables back and draws every chart into `dir/charts`, or, with a window,
/// the charts of that window into `out/charts` (a run folder's own charts are listed in its
/// manifest, so a zoomed chart never replaces them).
pub fn plot(dir: &Path, format: Format, window: Option<Window>, out: Option<&Path>) -> Result<()> {
    // Held while reading and drawing: not a run being written, not two plots at once.
    let _lock = lock_folder(dir).map_err(crate::input::report_error)?;
    let manifest = RunManifest::read(dir).map_err(crate::input::report_error)?;
    let target = match (window, out) {
        (Some(_), None) => {
            return Err(bad(
                "--window: needs --out DIR: the zoomed charts go there, not over the run \
                 folder's own charts (which its manifest lists)",
            ))
        }
        (_, Some(out)) => out,
        (None, None) => dir,
    };
    let scenario = crate::input::manifest_scenario(dir, &manifest)?;
    let mut data = RunData::read(dir, &manifest.scenario_name, manifest.seed, CHART_TABLES)
        .map_err(crate::input::report_error)?
        .with_shocks(scenario.shocks.iter().map(|s| s.at_s()))
        .with_venues_read(dir, &scenario)
        .map_err(crate::input::report_error)?;
    if let Some(w) = window {
        data = data.window(w.from_s, w.to_s);
        let rows = data.series().map_err(crate::input::report_error)?.rows();
        if rows == 0 {
            return Err(bad(format!(
                "--window {}..{}: no sample of {} falls in it (the run lasts {} s)",
                w.from_s,
                w.to_s,
                dir.join("series").display(),
                scenario.duration_s
            )));
        }
    }
    let mut writer = FolderWriter::new(target).map_err(crate::input::report_error)?;
    charts::write_charts(&mut writer, &data, format.formats())
        .map_err(crate::input::report_error)?;
    println!(
        "{} charts -> {}",
        writer.paths().len(),
        target.join("charts").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_bad_ones_say_what_was_expected() {
        assert_eq!(
            parse_window("1200..1320.5"),
            Ok(Window {
                from_s: 1200.0,
                to_s: 1320.5
            })
        );
        for bad in ["1200", "a..3", "5..2", "3..3", "-1..2", "1..inf"] {
            let e = parse_window(bad).unwrap_err();
            assert!(e.contains("expected FROM..TO in seconds"), "{bad}: {e}");
        }
    }
}
