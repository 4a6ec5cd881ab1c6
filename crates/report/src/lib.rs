//! cascade-report: turns a [`Recording`](cascade_sim::Recording) into a run folder — tables
//! as CSV and Parquet, summary.json, charts, and a manifest with the digest of every file —
//! and reads run folders back (replay verification, plots, comparisons).
//!
//! **API boundary**: this crate and the CLI are the only ones that touch the file system.
//! Every file is written to a temporary name and renamed into place ([`atomic`]), so a run
//! killed midway never leaves a half-written file under a final name.

pub mod atomic;
pub mod charts;
pub mod claim;
pub mod compare;
pub mod frame;
pub mod html;
pub mod json;
pub mod manifest;
pub mod metric_types;
pub mod parquet_io;
pub mod price_format;
pub mod quantile;
pub mod read;
pub mod run_folder;
pub mod scenario_file;
pub mod stats;
pub mod summary;
pub mod table;
pub mod verify;

pub use charts::{Chart, ChartFormat, RunData};
pub use frame::Frame;
pub use manifest::{FileDigest, Manifest, RunManifest};
pub use metric_types::{metric_types, MetricType};
pub use price_format::PriceFormat;
pub use run_folder::{
    recording_tables, write_failed_run, write_run, write_run_with, FolderWriter, RunFiles,
    RunOptions, TABLE_NAMES,
};
pub use summary::{summarize, Summary};
pub use table::Table;

use std::path::PathBuf;

/// A failure to write or read a run folder, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file system refused to write (a failed run: exit 1).
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file to read is missing or not what it should be (bad input: exit 2).
    #[error("{path}: {reason}")]
    Input {
        /// The file or folder concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Drawing a chart failed.
    #[error("drawing a chart: {0}")]
    Chart(String),
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }

    /// A file to read is missing or malformed.
    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ReportError::Input {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// A failure to read `path`: a missing file is bad input, as is any unreadable one.
    pub(crate) fn read(path: impl Into<PathBuf>, e: std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => format!("cannot read: {e}"),
        };
        ReportError::input(path, reason)
    }

    /// A chart error attributed to the file being drawn.
    pub(crate) fn in_file(self, path: PathBuf) -> Self {
        match self {
            ReportError::Chart(m) => ReportError::io(path, std::io::Error::other(m)),
            other => other,
        }
    }

    /// True for bad input (a missing or malformed file to read), false for a failure.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ReportError::Input { .. })
    }
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for ReportError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ReportError::Chart(e.to_string())
    }
}
