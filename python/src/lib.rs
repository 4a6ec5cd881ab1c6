//! `cascade._core`: the Rust side of the Python package. It drives the same library calls as
//! the `cascade` CLI — `cascade_report::scenario_file` to read a scenario, `Simulation` to run
//! it, `cascade_report` to summarise, tabulate, chart and write the run folder,
//! `cascade_sweep` to run sweeps — so a run from Python and one from the CLI are the same
//! bytes. The Python modules in `cascade/` wrap these calls for users.

mod agents;
mod gym;
mod run;
mod sweep;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _core,
    ScenarioError,
    PyException,
    "A scenario (or sweep) that cannot be run: the message names the file, the line or field, \
     and the reason, as the cascade CLI does."
);

/// The Python module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<run::Run>()?;
    m.add_class::<agents::Order>()?;
    m.add_class::<agents::View>()?;
    m.add_class::<gym::Stepper>()?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(run::scenario_to_ron, m)?)?;
    m.add_function(wrap_pyfunction!(run::scenario_to_json, m)?)?;
    m.add_class::<sweep::Plan>()?;
    m.add_function(wrap_pyfunction!(sweep::plan_file, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::plan_axes, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    Ok(())
}
