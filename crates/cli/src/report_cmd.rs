//! `cascade report RUN_DIR|SWEEP_DIR`: one self-contained report.html in the folder.

use crate::input::report_error;
use anyhow::Result;
use cascade_report::html::{self, PageKind, REPORT_FILE};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `cascade report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder (with manifest.json) or a sweep folder (with sweep.json).
    dir: PathBuf,
}

/// Writes DIR/report.html and says where.
pub fn report(args: &ReportArgs) -> Result<()> {
    let dir = &args.dir;
    // sweep.json in any form (a link, a FIFO) makes it a sweep folder, whose reader then
    // refuses what is not a regular file.
    if dir.join("sweep.json").symlink_metadata().is_err() {
        return write_run_report(dir, false).map(drop);
    }
    let input = cascade_sweep::html::report_input(dir).map_err(crate::sweep::lift)?;
    let (title, data) = html::sweep::data(&input);
    let bytes = html::page(PageKind::Sweep, &title, &data).map_err(report_error)?;
    write(dir, &bytes, false).map(drop)
}

/// Writes the report of the run folder `dir` (also `cascade run --report`) and returns its
/// path; the line saying so goes to stderr under `--json`.
pub fn write_run_report(dir: &Path, json: bool) -> Result<PathBuf> {
    let (title, data) = html::run::read(dir).map_err(report_error)?;
    let bytes = html::page(PageKind::Run, &title, &data).map_err(report_error)?;
    write(dir, &bytes, json)
}

fn write(dir: &Path, bytes: &[u8], json: bool) -> Result<PathBuf> {
    html::write(dir, bytes).map_err(report_error)?;
    let path = dir.join(REPORT_FILE);
    crate::input::say(
        json,
        &format!(
            "report ({:.1} MB) -> {}",
            bytes.len() as f64 / 1e6,
            path.display()
        ),
    );
    Ok(path)
}
