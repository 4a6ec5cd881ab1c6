//! Stepping one agent from Python (the Gymnasium environment's engine). The simulation runs on
//! its own thread; the controlled agent's brain sends each [`View`] to Python and waits for
//! the orders of that same wake-up, so `step(action)` acts on what the agent saw, with the
//! scenario's latency, like any agent. Other Python agents of the scenario run as usual.

use crate::agents::{attach_python_agents, push_orders, Failure, Units, View};
use crate::run::prepare;
use crate::ScenarioError;
use cascade_sim::agents::{Action, AgentGroup, Brain};
use cascade_sim::{Recording, Simulation};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Slices of simulated time between two checks for a stop request.
const SLICES: i64 = 1000;

/// The controlled agent's brain: hands the view over and waits for the orders.
struct Remote {
    views: SyncSender<View>,
    orders: Receiver<Vec<Action>>,
    units: Units,
}

impl Brain for Remote {
    fn wake(&mut self, view: &cascade_sim::agents::View<'_>, out: &mut Vec<Action>) -> bool {
        if self.views.send(View::of(view, self.units)).is_err() {
            return false;
        }
        match self.orders.recv() {
            Ok(actions) => {
                out.extend(actions);
                true
            }
            Err(_) => false,
        }
    }
}

/// A run in which one Python agent is driven step by step: `next()` waits for its next
/// wake-up and returns the view (None at the end of the run), `act(orders)` answers it.
#[pyclass(module = "cascade._core")]
pub struct Stepper {
    views: Mutex<Receiver<View>>,
    orders: Option<SyncSender<Vec<Action>>>,
    thread: Option<JoinHandle<Recording>>,
    stop: Arc<AtomicBool>,
    failure: Failure,
    /// A view was handed out and not yet answered.
    waiting: bool,
    max_order_lots: i64,
}

#[pymethods]
impl Stepper {
    /// Prepares `source` (file or RON text) after `sets` with `seed`; the member `member` of
    /// the PythonAgent group `group` is driven by `next`/`act`, every other Python agent by
    /// `make_agent(info)` as in `run`.
    #[new]
    #[pyo3(signature = (source, is_file, group, member=0, seed=None, sets=Vec::new(), make_agent=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        source: &str,
        is_file: bool,
        group: &str,
        member: u32,
        seed: Option<u64>,
        sets: Vec<String>,
        make_agent: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let scenario = prepare(source, is_file, &sets)?;
        let found = scenario
            .agents
            .iter()
            .any(|g| g.is_external() && g.name() == group && member < g.count());
        if !found {
            return Err(ScenarioError::new_err(format!(
                "agent_slot: no PythonAgent group {group:?} with a member {member} in the scenario"
            )));
        }
        let seed = seed.unwrap_or(scenario.seed);
        let (view_tx, views) = sync_channel(1);
        let (orders, order_rx) = sync_channel(1);
        let failure = Failure::default();
        let slot: Box<dyn Brain> = Box::new(Remote {
            views: view_tx,
            orders: order_rx,
            units: Units::of(&scenario),
        });
        let sim = Simulation::new(&scenario, seed);
        let sim = attach_python_agents(
            py,
            sim,
            &scenario,
            make_agent.as_ref(),
            &failure,
            Some((group, member, slot)),
        )?;
        let max_order_lots = scenario
            .agents
            .iter()
            .find_map(|g| match g {
                AgentGroup::PythonAgent(s) if s.name == group => Some(s.max_order_lots),
                _ => None,
            })
            .unwrap_or(0);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_thread = stop.clone();
        let fail_thread = failure.clone();
        let thread = std::thread::spawn(move || run_sliced(sim, &stop_thread, &fail_thread));
        Ok(Stepper {
            views: Mutex::new(views),
            orders: Some(orders),
            thread: Some(thread),
            stop,
            failure,
            waiting: false,
            max_order_lots,
        })
    }

    /// Waits for the controlled agent's next wake-up: its view, or None when the run ended.
    fn next(&mut self, py: Python<'_>) -> PyResult<Option<View>> {
        if self.waiting {
            return Err(PyRuntimeError::new_err(
                "act(orders) must answer the last view before next()",
            ));
        }
        let rx = &self.views;
        let view = py.detach(|| rx.lock().ok()?.recv().ok());
        self.failure.raise()?;
        self.waiting = view.is_some();
        Ok(view)
    }

    /// Answers the last view with `orders` (cascade.Order), sent at that wake-up.
    fn act(&mut self, orders: &Bound<'_, PyAny>) -> PyResult<()> {
        if !self.waiting {
            return Err(PyRuntimeError::new_err("act() without a view to answer"));
        }
        let mut actions = Vec::new();
        push_orders(orders, self.max_order_lots, &mut actions)?;
        self.waiting = false;
        if let Some(tx) = &self.orders {
            let _ = tx.send(actions);
        }
        Ok(())
    }

    /// Stops the run (if still going) and waits for its thread; returns the events processed.
    fn close(&mut self, py: Python<'_>) -> PyResult<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.orders = None;
        let Some(thread) = self.thread.take() else {
            return Ok(0);
        };
        // Unblock a brain waiting to hand over a view.
        while !thread.is_finished() {
            let rx = &self.views;
            py.detach(|| {
                if let Ok(rx) = rx.lock() {
                    let _ = rx.recv_timeout(std::time::Duration::from_millis(10));
                }
            });
        }
        let rec = py
            .detach(|| thread.join())
            .map_err(|_| PyRuntimeError::new_err("the simulation thread panicked"))?;
        self.failure.raise()?;
        Ok(rec.counters.events_processed)
    }
}

impl Drop for Stepper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.orders = None;
        // The thread ends at its next slice; it is not joined here (no GIL games in drop).
    }
}

/// Runs to the end in slices, stopping early when asked or when a Python agent failed.
fn run_sliced(mut sim: Simulation, stop: &AtomicBool, failure: &Failure) -> Recording {
    let end = sim.end_ns();
    let step = (end / SLICES).max(1);
    let mut t = 0i64;
    while !sim.is_done() && t < end && !stop.load(Ordering::Relaxed) && !failure.is_set() {
        t = t.saturating_add(step).min(end);
        sim.run_until(t);
    }
    sim.finish()
}
