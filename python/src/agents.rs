//! Python agents: each member of a `PythonAgent` group gets a [`PyBrain`] holding the Python
//! object its class made; the event loop calls it at every wake-up with a [`View`] and takes
//! the [`Order`]s it returns. The first exception an agent raises is kept in a [`Failure`];
//! the agent stops waking and the run stops at the next slice, raising it.

use crate::ScenarioError;
use cascade_book::{OrderId, Price, Qty, Side, Tif};
use cascade_sim::agents::{Action, Brain, ExternalAgent};
use cascade_sim::{Scenario, Simulation};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{Arc, Mutex};

/// Book levels per side a view holds.
pub const VIEW_LEVELS: usize = 10;

/// The instrument's units, for views.
#[derive(Clone, Copy, Debug)]
pub struct Units {
    /// Price of one tick, quote currency.
    pub tick_size: f64,
    /// Quote currency per unit of cash (tick × lot).
    pub unit_quote: f64,
}

impl Units {
    /// The units of `scenario`'s instrument.
    pub fn of(scenario: &Scenario) -> Self {
        let i = &scenario.instrument;
        Units {
            tick_size: i.tick_size,
            unit_quote: i.tick_size * i.lot_size,
        }
    }
}

/// The first exception raised by a Python agent in a run.
#[derive(Clone, Default)]
pub struct Failure(Arc<Mutex<Option<PyErr>>>);

impl Failure {
    /// Keeps `e` unless an earlier exception is kept.
    pub fn set(&self, e: PyErr) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
    }

    /// True once an exception is kept.
    pub fn is_set(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Raises the kept exception, if any.
    pub fn raise(&self) -> PyResult<()> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.take().map_or(Ok(()), Err)
    }
}

/// Builds each Python agent's object with `make_agent(info)` (info: a dict with `agent`,
/// `group`, `member`, `class`, `seed`) and attaches its brain; the member `slot` names
/// (group, member) gets the brain given with it instead.
pub fn attach_python_agents(
    py: Python<'_>,
    sim: Simulation,
    scenario: &Scenario,
    make_agent: Option<&Py<PyAny>>,
    failure: &Failure,
    mut slot: Option<(&str, u32, Box<dyn Brain>)>,
) -> PyResult<Simulation> {
    let units = Units::of(scenario);
    let sim = sim.attach_brains(|who| {
        if let Some((group, member, _)) = &slot {
            if who.group == *group && who.member == *member {
                if let Some((_, _, brain)) = slot.take() {
                    return brain;
                }
            }
        }
        let made = match make_agent {
            Some(make) => make_one(py, make, who),
            None => Err(ScenarioError::new_err(format!(
                "{}; pass the agent classes to cascade.run",
                scenario.refuse_external().err().unwrap_or_default()
            ))),
        };
        match made {
            Ok(obj) => Box::new(PyBrain {
                obj,
                failure: failure.clone(),
                units,
            }),
            Err(e) => {
                failure.set(e);
                Box::new(Stopped)
            }
        }
    });
    failure.raise()?;
    Ok(sim)
}

fn make_one(py: Python<'_>, make: &Py<PyAny>, who: &ExternalAgent<'_>) -> PyResult<Py<PyAny>> {
    let info = PyDict::new(py);
    info.set_item("agent", who.agent)?;
    info.set_item("group", who.group)?;
    info.set_item("member", who.member)?;
    info.set_item("class", who.class)?;
    info.set_item("seed", who.seed)?;
    make.call1(py, (info,))
}

/// The brain of an agent whose object could not be made: never acts (the run is abandoned).
struct Stopped;

impl Brain for Stopped {
    fn wake(&mut self, _: &cascade_sim::agents::View<'_>, _: &mut Vec<Action>) -> bool {
        false
    }
}

/// A Python object driving one agent through its `on_wake(view)`.
pub struct PyBrain {
    obj: Py<PyAny>,
    failure: Failure,
    units: Units,
}

impl Brain for PyBrain {
    fn wake(&mut self, view: &cascade_sim::agents::View<'_>, out: &mut Vec<Action>) -> bool {
        Python::attach(|py| {
            let v = View::of(view, self.units);
            let max = view.max_order_lots;
            let asked = self
                .obj
                .call_method1(py, intern!(py, "on_wake"), (v,))
                .and_then(|ret| push_orders(ret.bind(py), max, out));
            match asked {
                Ok(()) => true,
                Err(e) => {
                    self.failure.set(e);
                    false
                }
            }
        })
    }
}

/// The orders `on_wake` returned (a list, any iterable, or None) as actions.
pub fn push_orders(ret: &Bound<'_, PyAny>, max_lots: i64, out: &mut Vec<Action>) -> PyResult<()> {
    if ret.is_none() {
        return Ok(());
    }
    for item in ret.try_iter()? {
        let item = item?;
        let order = item.cast::<Order>().map_err(|_| {
            PyTypeError::new_err(format!(
                "on_wake must return a list of cascade.Order, got an item of type {}",
                item.get_type().name().map_or("?".into(), |n| n.to_string())
            ))
        })?;
        out.push(order.get().action(max_lots)?);
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OrderKind {
    Limit(Tif),
    Market,
    Cancel(u64),
}

/// An instruction to the exchange: `Order.buy(qty)` (market), `Order.buy(qty, price)` (a limit
/// at `price` ticks, good till cancelled), `tif="ioc"` or `"post_only"`, `Order.sell(...)`,
/// `Order.cancel(order_id)` for one of `view.orders`. Quantities are lots, prices ticks.
#[pyclass(frozen, module = "cascade._core", eq)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    kind: OrderKind,
    side: Side,
    qty: i64,
    price: i64,
}

fn tif_of(tif: &str) -> PyResult<Tif> {
    match tif {
        "gtc" => Ok(Tif::Gtc),
        "ioc" => Ok(Tif::Ioc),
        "post_only" => Ok(Tif::PostOnly),
        other => Err(PyValueError::new_err(format!(
            "tif: expected \"gtc\", \"ioc\" or \"post_only\", got {other:?}"
        ))),
    }
}

impl Order {
    fn new(side: Side, qty: i64, price: Option<i64>, tif: &str) -> PyResult<Self> {
        if qty < 1 {
            return Err(PyValueError::new_err(format!(
                "qty: must be at least 1 lot, got {qty}"
            )));
        }
        let kind = match price {
            None => OrderKind::Market,
            Some(p) if p < 1 => {
                return Err(PyValueError::new_err(format!(
                    "price: must be at least 1 tick, got {p}"
                )))
            }
            Some(_) => OrderKind::Limit(tif_of(tif)?),
        };
        Ok(Order {
            kind,
            side,
            qty,
            price: price.unwrap_or(0),
        })
    }

    /// The action, refusing a size over the group's `max_order_lots`.
    fn action(&self, max_lots: i64) -> PyResult<Action> {
        if !matches!(self.kind, OrderKind::Cancel(_)) && self.qty > max_lots {
            return Err(PyValueError::new_err(format!(
                "an order of {} lots is over the group's max_order_lots ({max_lots})",
                self.qty
            )));
        }
        Ok(match self.kind {
            OrderKind::Limit(tif) => Action::Limit {
                side: self.side,
                price: Price(self.price),
                qty: Qty(self.qty),
                tif,
            },
            OrderKind::Market => Action::Market {
                side: self.side,
                qty: Qty(self.qty),
            },
            OrderKind::Cancel(id) => Action::Cancel(OrderId::new(id as u32, (id >> 32) as u32)),
        })
    }
}

#[pymethods]
impl Order {
    /// A buy: market without `price`, else a limit at `price` ticks.
    #[staticmethod]
    #[pyo3(signature = (qty, price=None, tif="gtc"))]
    fn buy(qty: i64, price: Option<i64>, tif: &str) -> PyResult<Self> {
        Order::new(Side::Buy, qty, price, tif)
    }

    /// A sell: market without `price`, else a limit at `price` ticks.
    #[staticmethod]
    #[pyo3(signature = (qty, price=None, tif="gtc"))]
    fn sell(qty: i64, price: Option<i64>, tif: &str) -> PyResult<Self> {
        Order::new(Side::Sell, qty, price, tif)
    }

    /// Cancels the agent's resting order `order_id` (one of `view.orders`).
    #[staticmethod]
    fn cancel(order_id: u64) -> Self {
        Order {
            kind: OrderKind::Cancel(order_id),
            side: Side::Buy,
            qty: 0,
            price: 0,
        }
    }

    /// "limit", "market" or "cancel".
    #[getter]
    fn kind(&self) -> &'static str {
        match self.kind {
            OrderKind::Limit(_) => "limit",
            OrderKind::Market => "market",
            OrderKind::Cancel(_) => "cancel",
        }
    }

    /// "buy" or "sell" (None for a cancel).
    #[getter]
    fn side(&self) -> Option<&'static str> {
        match (self.kind, self.side) {
            (OrderKind::Cancel(_), _) => None,
            (_, Side::Buy) => Some("buy"),
            (_, Side::Sell) => Some("sell"),
        }
    }

    /// Lots (0 for a cancel).
    #[getter]
    fn qty(&self) -> i64 {
        self.qty
    }

    /// Limit price, ticks (None for market orders and cancels).
    #[getter]
    fn price(&self) -> Option<i64> {
        matches!(self.kind, OrderKind::Limit(_)).then_some(self.price)
    }

    fn __repr__(&self) -> String {
        match self.kind {
            OrderKind::Cancel(id) => format!("Order.cancel({id})"),
            OrderKind::Market => format!("Order.{}({})", self.side().unwrap_or(""), self.qty),
            OrderKind::Limit(tif) => format!(
                "Order.{}({}, price={}, tif={:?})",
                self.side().unwrap_or(""),
                self.qty,
                self.price,
                match tif {
                    Tif::Gtc => "gtc",
                    Tif::Ioc => "ioc",
                    Tif::PostOnly => "post_only",
                }
            ),
        }
    }
}

/// What a Python agent sees when it wakes. Prices in ticks (`tick_size` converts to quote
/// currency), quantities and positions in lots, money in units of tick × lot.
#[pyclass(frozen, get_all, module = "cascade._core")]
#[derive(Clone, Debug)]
pub struct View {
    /// Simulated time, seconds.
    pub time_s: f64,
    /// Simulated time, nanoseconds.
    pub time_ns: i64,
    /// Best bid, ticks (None when no bid rests).
    pub best_bid: Option<i64>,
    /// Quantity at the best bid, lots (0 when none).
    pub best_bid_qty: i64,
    /// Best ask, ticks.
    pub best_ask: Option<i64>,
    /// Quantity at the best ask, lots.
    pub best_ask_qty: i64,
    /// Up to 10 bid levels, best first, as (price ticks, lots).
    pub bids: Vec<(i64, i64)>,
    /// Up to 10 ask levels, best first.
    pub asks: Vec<(i64, i64)>,
    /// Last trade price, ticks.
    pub last: i64,
    /// Mark price, ticks.
    pub mark: i64,
    /// The index, ticks, when the scenario has one.
    pub index: Option<f64>,
    /// Realised volatility of one-second mid returns, bps.
    pub vol_bps: f64,
    /// Funding rate of the last payment, per funding interval (a fraction; 0 before the first
    /// payment; None without funding, or before the venue's first premium sample).
    pub funding_rate: Option<f64>,
    /// The rate the premium so far predicts for the next payment (None without funding).
    pub predicted_funding_rate: Option<f64>,
    /// Time of the next funding payment, seconds (None without funding).
    pub next_funding_s: Option<f64>,
    /// The agent's position, lots.
    pub position: i64,
    /// The agent's cash, units.
    pub cash: i64,
    /// Equity at the mark, units.
    pub equity: i64,
    /// Maintenance margin at the mark, units (0 without margin).
    pub maintenance: i64,
    /// True while the liquidation engine holds the account (its orders are refused).
    pub in_liquidation: bool,
    /// Completed liquidations of the account.
    pub liquidations: u32,
    /// Handles of the agent's resting orders, oldest first (for `Order.cancel`).
    pub orders: Vec<u64>,
    /// Largest order the agent may send, lots.
    pub max_order_lots: i64,
    /// Price of one tick, quote currency.
    pub tick_size: f64,
    /// Quote currency per unit of money (tick × lot): `equity * unit_quote` is quote currency.
    pub unit_quote: f64,
}

impl View {
    /// The Python view of what the loop shows the agent.
    pub fn of(v: &cascade_sim::agents::View<'_>, units: Units) -> Self {
        let mut bids = Vec::with_capacity(VIEW_LEVELS);
        let mut asks = Vec::with_capacity(VIEW_LEVELS);
        let mut levels = Vec::with_capacity(VIEW_LEVELS);
        v.book.levels(Side::Buy, VIEW_LEVELS, &mut levels);
        bids.extend(levels.iter().map(|(p, q)| (p.0, q.0)));
        v.book.levels(Side::Sell, VIEW_LEVELS, &mut levels);
        asks.extend(levels.iter().map(|(p, q)| (p.0, q.0)));
        // The venue schedules a next payment only when funding is on.
        let funding = v.market.next_funding_ns > 0;
        View {
            time_s: v.now_ns as f64 / 1e9,
            time_ns: v.now_ns,
            best_bid: bids.first().map(|l| l.0),
            best_bid_qty: bids.first().map_or(0, |l| l.1),
            best_ask: asks.first().map(|l| l.0),
            best_ask_qty: asks.first().map_or(0, |l| l.1),
            bids,
            asks,
            last: v.market.last_price.0,
            mark: v.market.mark.0,
            index: v.market.index,
            vol_bps: v.market.vol_bps,
            funding_rate: funding.then_some(v.market.funding_rate),
            predicted_funding_rate: funding.then_some(v.market.predicted_funding_rate),
            next_funding_s: funding.then_some(v.market.next_funding_ns as f64 / 1e9),
            position: v.account.position,
            cash: v.account.cash,
            equity: v.account.equity,
            maintenance: v.account.maintenance,
            in_liquidation: v.account.in_liquidation,
            liquidations: v.account.liquidations,
            orders: (0..v.orders.len())
                .filter_map(|i| v.orders.get(i))
                .map(|id| id.raw())
                .collect(),
            max_order_lots: v.max_order_lots,
            tick_size: units.tick_size,
            unit_quote: units.unit_quote,
        }
    }
}

#[pymethods]
impl View {
    /// Mid price, ticks (None unless both sides rest).
    #[getter]
    fn mid(&self) -> Option<f64> {
        Some((self.best_bid? + self.best_ask?) as f64 / 2.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "View(time_s={}, bid={:?}, ask={:?}, mark={}, position={})",
            self.time_s, self.best_bid, self.best_ask, self.mark, self.position
        )
    }
}
