//! One run in process: read the scenario as the CLI does, simulate, and hand the recording to
//! Python as summary JSON, Parquet bytes of each run-folder table, chart bytes, or a run
//! folder written by the report crate (the same bytes as `cascade run`).

use crate::agents::{attach_python_agents, Failure};
use crate::ScenarioError;
use cascade_report::charts::{render, Chart, ChartFormat, RunData, VenueFrames};
use cascade_report::claim::claim_run_folder;
use cascade_report::json::json_bytes;
use cascade_report::run_folder::{
    adl_table, book_table, liquidations_table, series_table, trades_table,
};
use cascade_report::scenario_file::{load, prepare_text, read_text};
use cascade_report::{
    recording_tables, summarize, write_run_with, Manifest, PriceFormat, ReportError, RunOptions,
    Table,
};
use cascade_sim::{Recording, Scenario, Simulation};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::Path;
use std::time::Instant;

/// How text given directly (not a file) is named in messages and in manifest.json.
pub const TEXT_SOURCE: &str = "<scenario>";

/// Slices of simulated time between two checks for Ctrl-C (and for a failed Python agent).
const SLICES: i64 = 500;

/// The scenario of `source` (a file path, or RON text) after `sets`, validated; a bad one is a
/// `ScenarioError` with the CLI's message.
pub fn prepare(source: &str, is_file: bool, sets: &[String]) -> PyResult<Scenario> {
    if is_file {
        load(Path::new(source), sets)
    } else {
        prepare_text(source, TEXT_SOURCE, sets)
    }
    .map_err(|e| ScenarioError::new_err(e.0))
}

/// A report error as a Python exception: a file to read that is wrong is a `ValueError`, a
/// failure to write an `OSError`.
pub fn report_err(e: ReportError) -> PyErr {
    if e.is_bad_input() {
        PyValueError::new_err(e.to_string())
    } else {
        PyOSError::new_err(e.to_string())
    }
}

/// A finished run held in memory.
#[pyclass(frozen, module = "cascade._core")]
pub struct Run {
    scenario: Scenario,
    recording: Recording,
    /// The scenario file as given (`<scenario>` for text), for manifest.json.
    source: String,
    sets: Vec<String>,
    #[pyo3(get)]
    seed: u64,
    /// Wall-clock seconds of the simulation alone.
    #[pyo3(get)]
    wall_s: f64,
}

/// Runs `source` (a scenario file when `is_file`, else RON text) with `seed` (default: the
/// scenario's) after `sets` (`path=value` each). `make_agent`, called with a dict describing
/// each Python agent, returns the object whose `on_wake` drives it.
#[pyfunction]
#[pyo3(signature = (source, is_file, seed=None, sets=Vec::new(), make_agent=None, audit=false))]
pub fn run(
    py: Python<'_>,
    source: &str,
    is_file: bool,
    seed: Option<u64>,
    sets: Vec<String>,
    make_agent: Option<Py<PyAny>>,
    audit: bool,
) -> PyResult<Run> {
    let scenario = prepare(source, is_file, &sets)?;
    let seed = seed.unwrap_or(scenario.seed);
    let started = Instant::now();
    let sim = Simulation::new(&scenario, seed).audit(audit);
    let recording = if scenario.agents.iter().any(|g| g.is_external()) {
        let failure = Failure::default();
        let sim = attach_python_agents(py, sim, &scenario, make_agent.as_ref(), &failure, None)?;
        simulate_attached(py, sim, &failure)?
    } else {
        simulate_detached(py, sim)?
    };
    if let Some(failure) = &recording.audit {
        return Err(PyRuntimeError::new_err(format!(
            "{}: {failure} (the ledger audit failed; not a complete run)",
            if is_file { source } else { TEXT_SOURCE }
        )));
    }
    Ok(Run {
        scenario,
        recording,
        source: if is_file { source } else { TEXT_SOURCE }.to_string(),
        sets,
        seed,
        wall_s: started.elapsed().as_secs_f64(),
    })
}

/// Runs with the GIL released (no Python agent needs it), checking for Ctrl-C between slices.
fn simulate_detached(py: Python<'_>, mut sim: Simulation) -> PyResult<Recording> {
    let end = sim.end_ns();
    let step = (end / SLICES).max(1);
    let mut t = 0i64;
    while !sim.is_done() && t < end {
        t = t.saturating_add(step).min(end);
        sim = py.detach(move || {
            sim.run_until(t);
            sim
        });
        py.check_signals()?;
    }
    Ok(sim.finish())
}

/// Runs with the GIL held (Python agents are called from the loop), stopping at the first
/// exception an agent raised.
pub fn simulate_attached(
    py: Python<'_>,
    mut sim: Simulation,
    failure: &Failure,
) -> PyResult<Recording> {
    let end = sim.end_ns();
    let step = (end / SLICES).max(1);
    let mut t = 0i64;
    while !sim.is_done() && t < end {
        t = t.saturating_add(step).min(end);
        sim.run_until(t);
        failure.raise()?;
        py.check_signals()?;
    }
    Ok(sim.finish())
}

#[pymethods]
impl Run {
    /// The scenario's name.
    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    /// What the CLI's `run` warns of on stderr (e.g. the home venue's liquidations off while
    /// another perpetual still liquidates); `cascade.run` raises each as a `UserWarning`.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.scenario.warnings()
    }

    /// Events the loop processed.
    #[getter]
    fn events(&self) -> u64 {
        self.recording.counters.events_processed
    }

    /// Agent wake-ups (Python agents' included).
    #[getter]
    fn wakes(&self) -> u64 {
        self.recording.counters.wakes
    }

    /// summary.json's bytes.
    fn summary_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = json_bytes(&summarize(&self.recording, &self.fmt(), None))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The table `name` (series, trades, book, liquidations, adl) as the bytes of its Parquet
    /// file in a run folder, built in memory.
    fn table_parquet<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let table = self.table(name)?;
        let bytes = py
            .detach(|| cascade_report::parquet_io::to_parquet(&table))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The table `name` as the bytes of its CSV file in a run folder.
    fn table_csv<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let mut bytes = Vec::new();
        self.table(name)?
            .write_csv(&mut bytes)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The manifest.json request (what was run) as JSON text.
    fn manifest_json(&self) -> PyResult<String> {
        let m = self.manifest()?;
        serde_json::to_string(&m).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Writes the run folder `dir` as `cascade run` does (claimed first: an earlier run is
    /// replaced only with `force`; a folder holding anything else is refused). Returns the
    /// paths written, manifest.json last.
    #[pyo3(signature = (dir, charts=true, force=false))]
    fn save(&self, py: Python<'_>, dir: &str, charts: bool, force: bool) -> PyResult<Vec<String>> {
        let manifest = self.manifest()?;
        let dir = Path::new(dir);
        py.detach(|| {
            let _lock = claim_run_folder(dir, force)?;
            write_run_with(
                dir,
                &manifest,
                &self.scenario,
                &self.recording,
                RunOptions { charts },
            )
        })
        .map_err(report_err)
        .map(|files| {
            files
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect()
        })
    }

    /// The charts of the run folder as (name, bytes) pairs, `format` "png" or "svg".
    #[pyo3(signature = (format="png"))]
    fn charts<'py>(
        &self,
        py: Python<'py>,
        format: &str,
    ) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
        let format = match format {
            "png" => ChartFormat::Png,
            "svg" => ChartFormat::Svg,
            other => {
                return Err(PyValueError::new_err(format!(
                    "format: expected \"png\" or \"svg\", got {other:?}"
                )))
            }
        };
        // As the run folder draws them: with the shocks and a multi-venue run's other venues.
        let fmt = self.fmt();
        let tables = recording_tables(&self.recording, &fmt);
        let venues = self
            .recording
            .venues
            .iter()
            .map(|v| {
                VenueFrames::from_tables(&v.name, v.spot, &recording_tables(&v.recording, &fmt))
            })
            .collect();
        let data = RunData::from_tables(&self.scenario.name, self.seed, &tables)
            .with_shocks(self.scenario.shocks.iter().map(|s| s.at_s()))
            .with_venues(&self.scenario.venue_name, venues);
        let drawn = py.detach(|| {
            Chart::ALL
                .iter()
                .filter(|c| c.applies(&data))
                .map(|&c| render(c, &data, format).map(|b| (c.stem().to_string(), b)))
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(drawn
            .map_err(report_err)?
            .into_iter()
            .map(|(name, bytes)| (name, PyBytes::new(py, &bytes)))
            .collect())
    }
}

impl Run {
    fn fmt(&self) -> PriceFormat {
        PriceFormat::new(self.scenario.instrument.tick_size)
    }

    fn manifest(&self) -> PyResult<Manifest> {
        Manifest::of_run(&self.scenario, &self.source, self.seed, self.sets.clone())
            .map_err(PyRuntimeError::new_err)
    }

    fn table(&self, name: &str) -> PyResult<Table> {
        let (rec, fmt) = (&self.recording, &self.fmt());
        Ok(match name {
            "series" => series_table(rec, fmt),
            "trades" => trades_table(rec, fmt),
            "book" => book_table(rec, fmt),
            "liquidations" => liquidations_table(rec, fmt),
            "adl" => adl_table(rec, fmt),
            other => {
                return Err(PyValueError::new_err(format!(
                    "no table {other:?}; the tables are {}",
                    cascade_report::TABLE_NAMES.join(", ")
                )))
            }
        })
    }
}

/// RON text of a scenario given as JSON (a Python dict): errors name the field path.
#[pyfunction]
pub fn scenario_to_ron(json: &str) -> PyResult<String> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ScenarioError::new_err(format!("<dict>: field {path}: {}", e.inner()))
    })?;
    scenario
        .to_ron()
        .map_err(|e| ScenarioError::new_err(format!("<dict>: {e}")))
}

/// The scenario of `source` (a file when `is_file`, else RON text), validated, as JSON text:
/// what a Python dict of it holds.
#[pyfunction]
pub fn scenario_to_json(source: &str, is_file: bool) -> PyResult<String> {
    let text = if is_file {
        let limit = cascade_sim::scenario::MAX_SCENARIO_BYTES as u64;
        read_text(Path::new(source), "a scenario file (.ron)", limit)
            .map_err(|e| ScenarioError::new_err(e.to_string()))?
    } else {
        source.to_string()
    };
    let shown = if is_file { source } else { TEXT_SOURCE };
    let scenario = prepare_text(&text, shown, &[]).map_err(|e| ScenarioError::new_err(e.0))?;
    serde_json::to_string(&scenario).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}
