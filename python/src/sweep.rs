//! Sweeps from Python: `cascade_sweep::execute` into a sweep folder with the GIL released,
//! progress reported to a Python object (a tqdm bar) from the worker threads.

use crate::ScenarioError;
use cascade_sweep::{execute, ExecOptions, Progress, RunRecord, Shard, SweepError};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use std::path::Path;

/// Calls `start(total, done)` and `update(1)` on a Python object, holding the GIL only for the
/// call. A failing progress object is ignored: progress never stops a sweep.
struct PyProgress(Option<Py<PyAny>>);

impl Progress for PyProgress {
    fn start(&self, total: u64, done: u64) {
        if let Some(p) = &self.0 {
            Python::attach(|py| {
                let _ = p.call_method1(py, intern!(py, "start"), (total, done));
            });
        }
    }

    fn run_done(&self, _: &RunRecord) {
        if let Some(p) = &self.0 {
            Python::attach(|py| {
                let _ = p.call_method1(py, intern!(py, "update"), (1,));
            });
        }
    }
}

fn sweep_err(e: SweepError) -> PyErr {
    match e {
        SweepError::BadSweep { .. } => ScenarioError::new_err(e.to_string()),
        SweepError::Folder { .. } => PyValueError::new_err(e.to_string()),
        SweepError::Report(r) => crate::run::report_err(r),
        other => PyOSError::new_err(other.to_string()),
    }
}

/// Runs the sweep `source` (a sweep file when `is_file`, else RON text whose relative `base`
/// starts in the current folder) into the folder `out` on `threads` threads; returns (runs,
/// ran now, skipped, failed). The results are `out/results.parquet`.
#[pyfunction]
#[pyo3(signature = (source, is_file, out, threads, resume=false, progress=None))]
pub fn sweep(
    py: Python<'_>,
    source: &str,
    is_file: bool,
    out: &str,
    threads: usize,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<(u64, u64, u64, u64)> {
    let plan = if is_file {
        cascade_sweep::load(Path::new(source))
    } else {
        cascade_sweep::plan::plan_text(source, "<sweep>", Path::new("."))
    }
    .map_err(sweep_err)?;
    let opts = ExecOptions {
        threads,
        shard: Shard::WHOLE,
        resume,
        keep_runs: false,
    };
    let progress = PyProgress(progress);
    let outcome = py
        .detach(|| execute(&plan, Path::new(out), &opts, &progress))
        .map_err(sweep_err)?;
    Ok((outcome.runs, outcome.ran, outcome.skipped, outcome.failed))
}
