//! cascade-report: turns a [`Recording`](cascade_sim::Recording) into a run folder.
//!
//! **API boundary**: this crate and the CLI are the only ones that touch the file system.
//! Every file is written to a temporary name and renamed into place ([`atomic`]), so a run
//! killed midway never leaves a half-written file under a final name.

pub mod atomic;
pub mod price_format;
pub mod run_folder;
pub mod summary;

pub use price_format::PriceFormat;
pub use run_folder::{write_run, Manifest, RunFiles};
pub use summary::summarize;

use std::path::PathBuf;

/// A failure to write or read a run folder, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file system refused an operation.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }
}
