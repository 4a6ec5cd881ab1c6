"""Sweeps from Python: a sweep file, its RON text, or axes given here; the runs go on the Rust
thread pool with the GIL released and the results come back as the CLI's results.parquet."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import warnings
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import polars as pl

from . import _core

__all__ = ["sweep", "Linear", "Log", "Uniform", "LogUniform", "Random", "LatinHypercube", "Sobol"]

PathLike = Union[str, "os.PathLike[str]"]


class Linear:
    """``steps`` evenly spaced values from ``first`` to ``last``, both included: the sweep
    file's ``Linear(path:, from:, to:, steps:)``. On an integer field the values round."""

    kind = "linear"

    def __init__(self, first: float, last: float, steps: int):
        self.first, self.last, self.steps = float(first), float(last), int(steps)

    def payload(self) -> Tuple[float, ...]:
        return (self.first, self.last, self.steps)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.first!r}, {self.last!r}, steps={self.steps})"


class Log(Linear):
    """``steps`` geometrically spaced values from ``first`` to ``last`` (both positive), both
    included: the sweep file's ``Log(...)``."""

    kind = "log"


class Uniform:
    """Drawn uniformly in ``[low, high]``, one value per sample point (needs ``samples=``):
    the sweep file's ``Uniform(path:, from:, to:)``."""

    kind = "uniform"

    def __init__(self, low: float, high: float):
        self.low, self.high = float(low), float(high)

    def payload(self) -> Tuple[float, ...]:
        return (self.low, self.high)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class LogUniform(Uniform):
    """Drawn log-uniformly in ``[low, high]`` (both positive): the sweep file's
    ``LogUniform(...)``."""

    kind = "loguniform"


class Random:
    """Independent uniform draws for the random axes, ``points`` sample points."""

    kind = "random"

    def __init__(self, points: int):
        self.points = int(points)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(points={self.points})"


class LatinHypercube(Random):
    """A Latin hypercube of ``points`` sample points: each random axis's range cut into
    ``points`` strata, each used once."""

    kind = "latin_hypercube"


class Sobol(Random):
    """Saltelli's design for Sobol sensitivity indices: ``points`` base rows, run as
    ``points × (random axes + 2)`` sample points. The sweep folder (``out=``) also holds
    sensitivity.csv and sensitivity.parquet."""

    kind = "sobol"


Axis = Union[Sequence[Any], Linear, Uniform]
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (a list's items likewise)."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes, bool, int, float)):
        return v.item()
    return v


def _axes(axes: Union[Mapping[str, Axis], Iterable[Tuple[str, Axis]]]) -> List[tuple]:
    """``(kind, path, payload)`` of each axis, in the order given (the first varies slowest)."""
    items = axes.items() if isinstance(axes, Mapping) else axes
    out = []
    for path, spec in items:
        if isinstance(spec, (Linear, Uniform)):
            out.append((spec.kind, str(path), spec.payload()))
        elif isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
            raise TypeError(
                f"axis {path}: expected a list of values, Linear, Log, Uniform or LogUniform, "
                f"got {type(spec).__name__}"
            )
        else:
            out.append(("values", str(path), [_plain(v) for v in spec]))
    return out


def _default_name(base: str, is_file: bool) -> str:
    stem = os.path.splitext(os.path.basename(base))[0] if is_file else ""
    return stem if _NAME.fullmatch(stem) else "sweep"


def _plan(sweep, base, axes, set, seed, seeds, replicates, common_seeds, samples, name):
    from . import _is_ron_text, _sets, _source

    if sweep is not None:
        if base is not None or axes is not None:
            raise TypeError("sweep: give a sweep file (or its text), or base= and axes=, not both")
        if isinstance(sweep, os.PathLike):
            return _core.plan_file(os.fspath(sweep), True)
        return _core.plan_file(sweep, not _is_ron_text(sweep))
    if base is None or axes is None:
        raise TypeError("sweep: give a sweep file (or its text), or base= and axes=")
    text, is_file = _source(base)
    if samples is not None and not isinstance(samples, Random):
        raise TypeError(
            "samples: expected cascade.Random(points=N), cascade.LatinHypercube(points=N) "
            "or cascade.Sobol(points=N)"
        )
    return _core.plan_axes(
        name if name is not None else _default_name(text, is_file),
        text,
        is_file,
        _axes(axes),
        _sets(set),
        int(seed),
        replicates=int(replicates),
        seeds=None if seeds is None else [int(s) for s in seeds],
        common_seeds=bool(common_seeds),
        samples=None if samples is None else (samples.kind, samples.points),
    )


class _Bar:
    """tqdm behind the sweep's progress calls (from the worker threads): tqdm.auto draws a
    widget in a notebook and a text bar in a terminal."""

    def __init__(self, desc: str):
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self._desc = desc
        self._bar = None

    def start(self, total: int, done: int) -> None:
        self._bar = self._tqdm(total=total, initial=done, desc=self._desc, unit="run")

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def sweep(
    sweep: Optional[PathLike] = None,
    threads: int = 2,
    out: Optional[PathLike] = None,
    resume: bool = False,
    progress: bool = True,
    *,
    base: Any = None,
    axes: Union[Mapping[str, Axis], Iterable[Tuple[str, Axis]], None] = None,
    set: Any = None,
    seed: int = 1,
    seeds: Optional[Iterable[int]] = None,
    replicates: int = 1,
    common_seeds: bool = False,
    samples: Optional[Random] = None,
    name: Optional[str] = None,
) -> pl.DataFrame:
    """Runs a sweep on ``threads`` Rust threads with the GIL released and returns the results
    table: the rows of the CLI's results.parquet for the same sweep.

    The sweep is a sweep file or its RON text, or built here from the same parts as a sweep
    file: ``base`` (a scenario file, RON text or dict), ``axes`` (a dict from scenario path to
    a list of values, or to :class:`Linear`, :class:`Log`, :class:`Uniform`,
    :class:`LogUniform`; the first axis varies slowest), ``set`` (fixed overrides, as
    :func:`cascade.run` takes them), ``seed`` (the sweep seed: run seeds and random axes
    derive from it), ``seeds`` (explicit replicate seeds, e.g. ``range(1, 4)``: replicate r of
    every point runs with ``seeds[r]``, as ``cascade run --seed`` would), ``replicates``,
    ``common_seeds``, ``samples`` (:class:`Random`, :class:`LatinHypercube` or :class:`Sobol`,
    needed by random axes) and ``name``. Every axis value is tried on the base before any run starts; a
    bad one raises :class:`cascade.ScenarioError` naming the axis.

    With ``out`` the sweep folder is kept there (and ``resume`` continues it); without, it is
    written to a temporary folder and removed. ``progress`` shows a tqdm bar.
    """
    plan = _plan(sweep, base, axes, set, seed, seeds, replicates, common_seeds, samples, name)
    for w in plan.warnings:
        warnings.warn(w, UserWarning, stacklevel=2)
    bar = _Bar(plan.name) if progress else None
    scratch = None
    if out is None:
        scratch = tempfile.mkdtemp(prefix="cascade-sweep-")
        folder = os.path.join(scratch, "sweep")
    else:
        folder = os.fspath(out)
    try:
        _core.sweep(plan, folder, threads, resume=resume, progress=bar)
        with open(os.path.join(folder, "results.parquet"), "rb") as f:
            return pl.read_parquet(io.BytesIO(f.read()))
    finally:
        if bar is not None:
            bar.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
