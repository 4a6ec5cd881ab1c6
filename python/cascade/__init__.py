"""cascade from Python: runs, sweeps and Python agents over the Rust core.

    import cascade
    run = cascade.run("scenarios/flash-cascade.ron", seed=1, set={"liquidation.enabled": False})
    run.summary["liquidations"]["count"]     # summary.json as a dict
    run.series                               # polars DataFrames, as the Parquet files
    run.save("output/flash")                 # the run folder, byte-identical to `cascade run`
    cascade.sweep("scenarios/sweeps/smoke.ron", threads=2)   # results.parquet as a DataFrame
    cascade.sweep(base="scenarios/flash-cascade.ron", seeds=range(1, 4),
                  axes={"liquidation.enabled": [True, False]})    # a sweep built in Python

Python agents subclass :class:`Agent` and are named by a scenario's
``PythonAgent(name:, count:, wake_every_s:, class:)`` groups; see ``python/README.md``.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import random
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import polars as pl

from . import _core
from ._charts import Chart, Charts
from ._core import Order, ScenarioError, View
from ._sweep import LatinHypercube, Linear, Log, LogUniform, Random, Sobol, Uniform, sweep

__all__ = [
    "Agent",
    "Chart",
    "Charts",
    "LatinHypercube",
    "Linear",
    "Log",
    "LogUniform",
    "Order",
    "Random",
    "Uniform",
    "Run",
    "ScenarioError",
    "Sobol",
    "View",
    "load_scenario",
    "run",
    "sweep",
    "TABLES",
]

__version__ = _core.VERSION

#: The tables of a run folder, each a DataFrame property of :class:`Run`.
TABLES = ("series", "trades", "book", "liquidations", "adl")

ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
SetLike = Union[Mapping[str, Any], Sequence[str], None]


class Agent:
    """Base class of an agent written in Python.

    A scenario names the class in a ``PythonAgent`` group; cascade makes one instance per member
    and calls :meth:`on_wake` every ``wake_every_s`` of simulated time inside the Rust event
    loop. The orders it returns reach the exchange after the scenario's latency and settle in
    the agent's own account. Draw randomness from ``self.rng`` only: it is seeded from the
    agent's own stream, so a run is deterministic with its seed.
    """

    def __init__(self, agent_id: int = 0, group: str = "", member: int = 0, seed: int = 0):
        #: The agent's account id (the ``maker``/``taker`` columns of trades).
        self.agent_id = agent_id
        #: Its group's name and its index in the group.
        self.group = group
        self.member = member
        #: The seed drawn for it from the run seed.
        self.seed = seed
        #: Its random generator.
        self.rng = random.Random(seed)

    def on_wake(self, view: View) -> List[Order]:
        """Reads the market and returns the orders to send (default: none)."""
        return []


def _is_ron_text(s: str) -> bool:
    """RON text rather than a path: it has a parenthesis and a line break or starts like a
    scenario or sweep, and names no existing file."""
    looks = "\n" in s or s.lstrip().startswith(("Scenario", "Sweep", "//", "/*", "("))
    return "(" in s and looks and not os.path.exists(s)


def _source(scenario: ScenarioLike):
    """(text or path, is_file) of a scenario given as a path, RON text or a dict."""
    if isinstance(scenario, Mapping):
        return _core.scenario_to_ron(json.dumps(scenario)), False
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), True
    if isinstance(scenario, str):
        return (scenario, False) if _is_ron_text(scenario) else (scenario, True)
    raise TypeError(
        f"scenario: expected a path, RON text or a dict, got {type(scenario).__name__}"
    )


def _ron_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "None"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_ron_value(x) for x in v) + "]"
    raise TypeError(f"set: cannot write a {type(v).__name__} as a scenario value")


def _sets(set: SetLike) -> List[str]:
    """Overrides as the CLI's ``--set path=value`` strings (a dict's values written as RON;
    a string value is taken as RON text, so a text field needs its quotes: '"name"')."""
    if set is None:
        return []
    if isinstance(set, Mapping):
        return [f"{k}={_ron_value(v)}" for k, v in set.items()]
    if isinstance(set, str):
        return [set]
    return [str(s) for s in set]


def _resolve(name: str, classes: Mapping[str, type]) -> type:
    if name in classes:
        return classes[name]
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise ScenarioError(f"class {name!r}: cannot import it: {e}") from e
    known = ", ".join(sorted(classes)) or "none given"
    raise ScenarioError(
        f"class {name!r}: not among the agents passed to cascade.run ({known}); "
        "pass agents={'" + name + "': YourClass} or name it as 'module:Class'"
    )


def _factory(agents: Optional[Mapping[str, type]]) -> Callable[[dict], Agent]:
    classes = dict(agents or {})

    def make(info: dict) -> Agent:
        cls = _resolve(info["class"], classes)
        return cls(
            agent_id=info["agent"], group=info["group"], member=info["member"], seed=info["seed"]
        )

    return make


class Run:
    """A finished run, in memory. Tables are polars DataFrames with the columns and types of the
    run folder's Parquet files (``.to_pandas()`` for pandas)."""

    def __init__(self, core: "_core.Run"):
        self._core = core
        self._tables: Dict[str, pl.DataFrame] = {}
        self._summary: Optional[dict] = None

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._core.name

    @property
    def seed(self) -> int:
        """The run seed."""
        return self._core.seed

    @property
    def events(self) -> int:
        """Events processed by the loop."""
        return self._core.events

    @property
    def wakes(self) -> int:
        """Agent wake-ups, Python agents' included."""
        return self._core.wakes

    @property
    def wall_s(self) -> float:
        """Wall-clock seconds the simulation took."""
        return self._core.wall_s

    @property
    def summary(self) -> dict:
        """summary.json as a dict (nested as in the file)."""
        if self._summary is None:
            self._summary = json.loads(self._core.summary_json())
        return self._summary

    @property
    def manifest(self) -> dict:
        """What was run: the scenario file, seed, overrides and scenario text."""
        return json.loads(self._core.manifest_json())

    def table(self, name: str) -> pl.DataFrame:
        """The table ``name`` (one of :data:`TABLES`)."""
        if name not in self._tables:
            self._tables[name] = pl.read_parquet(io.BytesIO(self._core.table_parquet(name)))
        return self._tables[name]

    @property
    def series(self) -> pl.DataFrame:
        """The market at every sample."""
        return self.table("series")

    @property
    def trades(self) -> pl.DataFrame:
        """The trade tape."""
        return self.table("trades")

    @property
    def book(self) -> pl.DataFrame:
        """The best levels of each side at every sample."""
        return self.table("book")

    @property
    def liquidations(self) -> pl.DataFrame:
        """One row per step of the liquidation engine."""
        return self.table("liquidations")

    @property
    def adl(self) -> pl.DataFrame:
        """One row per auto-deleveraging fill."""
        return self.table("adl")

    def save(self, dir: Union[str, "os.PathLike[str]"], charts: bool = True, force: bool = False) -> Path:
        """Writes the run folder ``dir`` as ``cascade run`` does (the same bytes for the same
        scenario file, overrides and seed). An earlier run there is replaced only with
        ``force``; a folder holding anything else is refused."""
        self._core.save(os.fspath(dir), charts=charts, force=force)
        return Path(dir)

    def plot(self, format: str = "png") -> Charts:
        """The run's charts (those of the run folder's ``charts/``), drawn in memory: a mapping
        from name to :class:`Chart`. A notebook shows them all when this is a cell's last
        expression (one chart: ``run.plot()["price"]``); ``chart.data`` is the PNG or SVG
        bytes, ``chart.save(path)`` writes them."""
        return Charts(
            (name, Chart(name, format, data)) for name, data in self._core.charts(format)
        )

    def __repr__(self) -> str:
        return f"<cascade.Run {self.name!r} seed={self.seed} events={self.events}>"


def run(
    scenario: ScenarioLike,
    seed: Optional[int] = None,
    set: SetLike = None,
    agents: Optional[Mapping[str, type]] = None,
    audit: bool = False,
) -> Run:
    """Runs a scenario in this process.

    ``scenario`` is a file path, RON text, or a dict (as :func:`load_scenario` returns);
    ``seed`` defaults to the scenario's; ``set`` overrides fields as the CLI's ``--set`` does
    (``{"liquidation.enabled": False}`` or ``["agents[0].count=5"]``); ``agents`` maps the
    ``class`` names of ``PythonAgent`` groups to :class:`Agent` subclasses (a name
    ``module:Class`` is imported). A bad scenario raises :class:`ScenarioError` with the CLI's
    message; an exception in an agent stops the run and is raised here.
    """
    text, is_file = _source(scenario)
    core = _core.run(
        text,
        is_file,
        seed=seed,
        sets=_sets(set),
        make_agent=_factory(agents),
        audit=audit,
    )
    for w in core.warnings:
        warnings.warn(w, UserWarning, stacklevel=2)
    return Run(core)


def load_scenario(scenario: ScenarioLike) -> dict:
    """A scenario (file path or RON text) as a dict, validated: change it and pass it to
    :func:`run`."""
    text, is_file = _source(scenario)
    return json.loads(_core.scenario_to_json(text, is_file))


def __getattr__(name: str):
    # cascade.gym imports gymnasium: loaded on first use only.
    if name == "gym":
        return importlib.import_module(".gym", __name__)
    raise AttributeError(f"module 'cascade' has no attribute {name!r}")
