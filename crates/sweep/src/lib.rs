//! cascade-sweep: parameter sweeps — many runs of one scenario over a grid or a random sample
//! of parameter values × replicates, in parallel, resumable, sharded across machines.
//!
//! Data flows one way: a sweep file ([`spec`]) becomes a [`Plan`] (every point's parameter
//! values and every run's seed, [`plan`]); [`execute`] runs the plan's runs on a rayon pool and
//! records each finished run as one line of an append-only log ([`record`]); the results
//! table is built from
//! the records alone ([`results`]), so a resumed sweep, a merge of shards and an uninterrupted
//! sweep give the same bytes.
//!
//! **Architecture invariant**: results never depend on the thread count, the shard split or
//! the completion order: a run's seed is a fixed hash of (sweep seed, point, replicate)
//! ([`seed`]) and rows are sorted by (point, replicate).
//!
//! **API boundary**: this crate reads sweep and scenario files and writes sweep folders; it
//! never prints (progress goes through [`Progress`]).

pub mod ablate;
pub mod calibrate;
pub mod chart;
pub mod exec;
pub mod html;
pub mod merge;
pub mod plan;
pub mod record;
pub mod results;
pub mod sample;
pub mod seed;
pub mod sensitivity;
pub mod slurm;
pub mod spec;

pub use exec::{check_threads, execute, max_threads, ExecOptions, Outcome, Progress, Shard};
pub use merge::merge;
pub use plan::{load, Cell, Plan, RunId};
pub use record::{RunRecord, Status};

use std::path::PathBuf;

/// Why a sweep could not be planned, run or merged.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file (or the scenario it names) is not a valid sweep: names the file, the
    /// axis or field, and the reason.
    #[error("{file}: {message}")]
    BadSweep {
        /// The sweep file as given.
        file: String,
        /// What is wrong, starting with the axis or field.
        message: String,
    },
    /// The output folder cannot be used for this sweep (another sweep's folder, a different
    /// shard, a merge of different sweeps, missing runs).
    #[error("{dir}: {message}")]
    Folder {
        /// The folder concerned.
        dir: PathBuf,
        /// Why it is refused.
        message: String,
    },
    /// The file system refused an operation.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A run folder (`--keep-runs`) or a results file could not be written.
    #[error(transparent)]
    Report(#[from] cascade_report::ReportError),
    /// A results file could not be encoded.
    #[error("{path}: {message}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl SweepError {
    /// True for errors in what the user gave (exit code 2), false for failures (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SweepError::BadSweep { .. } | SweepError::Folder { .. } => true,
            // A file of the sweep folder that cannot be read as what it should be (a device, a
            // FIFO, too large, damaged) is bad input as it is for a run folder.
            SweepError::Report(r) => r.is_bad_input(),
            _ => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SweepError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn folder(dir: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        SweepError::Folder {
            dir: dir.into(),
            message: message.into(),
        }
    }
}
