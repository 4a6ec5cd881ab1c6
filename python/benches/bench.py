"""Python-package figures for BENCHMARKS.md (run from the repository root after
`maturin develop --release` or `pip install ./python`, with target/release/cascade built, or
the CLI to compare with in $CASCADE_BIN):

    python python/benches/bench.py

1. flash-cascade from Python vs the CLI: the simulation alone (both report it) and the whole
   job (run + write the folder without charts), best of 5;
2. Python-agent wake-ups per second: 100 agents waking every 10 ms for 20 s, an agent that
   returns nothing, one that reads the view, one that sends a market order each wake;
3. the smoke sweep (36 runs) from Python on 1 and 2 threads.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import cascade

CLI = Path(os.environ.get("CASCADE_BIN", "target/release/cascade"))
REPEATS = 5


def best(f):
    return min(f() for _ in range(REPEATS))


def cli_run(out):
    started = time.perf_counter()
    done = subprocess.run(
        [CLI, "run", "scenarios/flash-cascade.ron", "--no-charts", "--force", "--out", out],
        capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - started
    sim = float(re.search(r" in ([0-9.]+) s", done.stdout).group(1))
    return sim, wall


def py_run(out):
    started = time.perf_counter()
    run = cascade.run("scenarios/flash-cascade.ron")
    run.save(out, charts=False, force=True)
    return run.wall_s, time.perf_counter() - started


def flash():
    tmp = Path(tempfile.mkdtemp())
    try:
        c = [cli_run(tmp / "cli") for _ in range(REPEATS)]
        p = [py_run(tmp / "py") for _ in range(REPEATS)]
    finally:
        shutil.rmtree(tmp)
    cs, cw = min(x[0] for x in c), min(x[1] for x in c)
    ps, pw = min(x[0] for x in p), min(x[1] for x in p)
    print(f"flash-cascade simulation: CLI {cs * 1e3:.1f} ms, Python {ps * 1e3:.1f} ms ({ps / cs:.3f}x)")
    print(f"flash-cascade run + folder (no charts): CLI {cw * 1e3:.1f} ms, Python {pw * 1e3:.1f} ms ({pw / cw:.3f}x)")


class Idle(cascade.Agent):
    def on_wake(self, view):
        return []


class Reader(cascade.Agent):
    def on_wake(self, view):
        if view.best_bid is not None and view.position > 1_000_000:
            return [cascade.Order.sell(1)]
        return []


class Taker(cascade.Agent):
    def on_wake(self, view):
        return [cascade.Order.buy(1) if self.rng.random() < 0.5 else cascade.Order.sell(1)]


def wakes():
    d = cascade.load_scenario("python/tests/data/buyers.ron")
    d["duration_s"] = 20.0
    py = [g for g in d["agents"] if "PythonAgent" in g][0]["PythonAgent"]
    py.update(count=100, wake_every_s=0.01)
    alone = dict(d, agents=[{"PythonAgent": py}])
    market = dict(d, agents=d["agents"][:2] + [{"PythonAgent": py}])
    for label, scenario, cls in (
        ("returns nothing, empty market", alone, Idle),
        ("reads the view, with a market", market, Reader),
        ("market order every wake", market, Taker),
    ):
        runs = [cascade.run(scenario, agents={"Buyer": cls}) for _ in range(3)]
        r = min(runs, key=lambda r: r.wall_s)
        print(f"Python agent, {label}: {r.wakes} wakes in {r.wall_s:.3f} s = {r.wakes / r.wall_s:,.0f} wakes/s")


def sweep():
    times = {}
    for threads in (1, 2):
        started = time.perf_counter()
        cascade.sweep("scenarios/sweeps/smoke.ron", threads=threads, progress=False)
        times[threads] = time.perf_counter() - started
    print(f"smoke sweep (36 runs): 1 thread {times[1]:.2f} s, 2 threads {times[2]:.2f} s, speed-up {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    flash()
    wakes()
    sweep()
