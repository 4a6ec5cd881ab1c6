//! Sweeps from Python: a plan from a sweep file, from sweep text, or from axes given in Python
//! (built as the sweep crate's `SweepSpec` and planned by the same code as a file), then
//! `cascade_sweep::execute` into a sweep folder with the GIL released, progress reported to a
//! Python object (a tqdm bar) from the worker threads.

use crate::run::TEXT_SOURCE;
use crate::ScenarioError;
use cascade_sweep::spec::{AxisSpec, Sampling, SweepSpec};
use cascade_sweep::{execute, ExecOptions, Progress, RunRecord, Shard, SweepError};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::Path;

/// How a sweep built from axes is named in messages and in its folder's manifest.
const AXES_SOURCE: &str = "<sweep>";

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

/// A planned sweep: every point's values and every run's seed, checked against the base
/// scenario before any run starts.
#[pyclass(frozen, module = "cascade._core")]
pub struct Plan(cascade_sweep::Plan);

#[pymethods]
impl Plan {
    /// The sweep's name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.design.name
    }

    /// Number of points (parameter combinations).
    #[getter]
    fn points(&self) -> usize {
        self.0.design.points.len()
    }

    /// Number of runs (points × replicates).
    #[getter]
    fn runs(&self) -> u64 {
        self.0.design.run_count()
    }

    /// What the CLI's `sweep` warns of on stderr, each once with the number of points it
    /// holds on; `cascade.sweep` raises each as a `UserWarning`.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.0.warnings()
    }

    /// The sweep hash (what a folder's resume checks).
    #[getter]
    fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// Plans the sweep `source`: a sweep file when `is_file`, else RON text whose relative `base`
/// starts in the current folder.
#[pyfunction]
pub fn plan_file(source: &str, is_file: bool) -> PyResult<Plan> {
    if is_file {
        cascade_sweep::load(Path::new(source))
    } else {
        cascade_sweep::plan::plan_text(source, "<sweep>", Path::new("."))
    }
    .map(Plan)
    .map_err(sweep_err)
}

/// Plans a sweep from its parts, as a sweep file would give them: `base` a scenario file
/// (`base_is_file`, relative to the current folder) or RON text; `axes` a list of
/// `(kind, path, payload)` with kind `values` (payload: the list), `linear` or `log`
/// (`(from, to, steps)`), `uniform` or `loguniform` (`(from, to)`); `samples` `(kind, points)`
/// with kind `random`, `latin_hypercube` or `sobol`.
#[pyfunction]
#[pyo3(signature = (name, base, base_is_file, axes, set, seed, replicates=1, seeds=None,
                    common_seeds=false, samples=None))]
#[allow(clippy::too_many_arguments)]
pub fn plan_axes(
    name: String,
    base: &str,
    base_is_file: bool,
    axes: Vec<(String, String, Bound<'_, PyAny>)>,
    set: Vec<String>,
    seed: u64,
    replicates: u32,
    seeds: Option<Vec<u64>>,
    common_seeds: bool,
    samples: Option<(String, u32)>,
) -> PyResult<Plan> {
    let (base, scenario) = if base_is_file {
        (Some(base.to_string()), None)
    } else {
        let s = cascade_sim::Scenario::parse(base).map_err(|e| {
            let e = cascade_sim::ScenarioError::Parse(e);
            ScenarioError::new_err(cascade_report::scenario_file::describe(TEXT_SOURCE, &e))
        })?;
        (None, Some(s))
    };
    let spec = SweepSpec {
        name,
        base,
        scenario,
        set,
        seed,
        replicates,
        common_seeds,
        seeds,
        samples: samples.map(|(k, n)| sampling(&k, n)).transpose()?,
        axes: axes
            .iter()
            .map(|(kind, path, payload)| axis(kind, path, payload))
            .collect::<PyResult<_>>()?,
    };
    // A relative base starts in the current folder, as a path given to `cascade.run` does.
    cascade_sweep::plan::plan_spec_named(&spec, AXES_SOURCE, Path::new(""))
        .map(Plan)
        .map_err(sweep_err)
}

fn sampling(kind: &str, points: u32) -> PyResult<Sampling> {
    match kind {
        "random" => Ok(Sampling::Random { points }),
        "latin_hypercube" => Ok(Sampling::LatinHypercube { points }),
        "sobol" => Ok(Sampling::Sobol { points }),
        other => Err(PyValueError::new_err(format!(
            "samples: expected \"random\", \"latin_hypercube\" or \"sobol\", got {other:?}"
        ))),
    }
}

fn axis(kind: &str, path: &str, payload: &Bound<'_, PyAny>) -> PyResult<AxisSpec> {
    let path = path.to_string();
    let range = || payload.extract::<(f64, f64, u32)>();
    let bounds = || payload.extract::<(f64, f64)>();
    Ok(match kind {
        "values" => AxisSpec::Values {
            values: payload
                .try_iter()?
                .map(|v| {
                    ron_value(&v?).map_err(|e| {
                        PyTypeError::new_err(format!("axis {path}: {}", e.value(payload.py())))
                    })
                })
                .collect::<PyResult<_>>()?,
            path,
        },
        "linear" => {
            let (from, to, steps) = range()?;
            AxisSpec::Linear {
                path,
                from,
                to,
                steps,
            }
        }
        "log" => {
            let (from, to, steps) = range()?;
            AxisSpec::Log {
                path,
                from,
                to,
                steps,
            }
        }
        "uniform" => {
            let (from, to) = bounds()?;
            AxisSpec::Uniform { path, from, to }
        }
        "loguniform" => {
            let (from, to) = bounds()?;
            AxisSpec::LogUniform { path, from, to }
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "axis {path}: unknown kind {other:?}"
            )))
        }
    })
}

/// A Python value as the RON value a sweep file's literal gives: a bool, an integer, a float,
/// a string (a text field or an enum variant's name), None, or a list of those.
fn ron_value(v: &Bound<'_, PyAny>) -> PyResult<ron::Value> {
    use ron::value::{Float, Number};
    if v.is_none() {
        Ok(ron::Value::Option(None))
    } else if v.is_instance_of::<PyBool>() {
        Ok(ron::Value::Bool(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(ron::Value::Number(Number::Integer(v.extract()?)))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(ron::Value::Number(Number::Float(Float::new(v.extract()?))))
    } else if v.is_instance_of::<PyString>() {
        Ok(ron::Value::String(v.extract()?))
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        v.try_iter()?
            .map(|x| ron_value(&x?))
            .collect::<PyResult<_>>()
            .map(ron::Value::Seq)
    } else {
        Err(PyTypeError::new_err(format!(
            "cannot use a {} as a value (bool, int, float, str, None or a list of those)",
            v.get_type().name()?
        )))
    }
}

/// Runs the planned sweep into the folder `out` on `threads` threads with the GIL released;
/// returns (runs, ran now, skipped, failed). The results are `out/results.parquet`.
#[pyfunction]
#[pyo3(signature = (plan, out, threads, resume=false, progress=None))]
pub fn sweep(
    py: Python<'_>,
    plan: &Plan,
    out: &str,
    threads: usize,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<(u64, u64, u64, u64)> {
    let opts = ExecOptions {
        threads,
        shard: Shard::WHOLE,
        resume,
        keep_runs: false,
    };
    let progress = PyProgress(progress);
    let outcome = py
        .detach(|| execute(&plan.0, Path::new(out), &opts, &progress))
        .map_err(sweep_err)?;
    Ok((outcome.runs, outcome.ran, outcome.skipped, outcome.failed))
}
