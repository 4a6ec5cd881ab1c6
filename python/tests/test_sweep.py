"""Sweeps from Python: the rows of the CLI's results.parquet."""

import threading
import time

import pandas as pd
import polars as pl
import pytest

import cascade

from conftest import DATA, ROOT

SMOKE = "scenarios/sweeps/smoke.ron"


def test_a_sweep_returns_the_cli_s_results_rows(cli, tmp_path):
    cli("sweep", SMOKE, "--threads", 1, "--out", tmp_path / "cli")
    expected = pl.read_parquet(tmp_path / "cli" / "results.parquet")
    got = cascade.sweep(SMOKE, threads=2, progress=False)
    assert got.height == 36
    assert got.schema == expected.schema
    assert got.equals(expected)
    # pandas users: what pandas reads from the CLI's file, seeds unsigned as in the file.
    frame = got.to_pandas()
    pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / "cli" / "results.parquet"))
    assert frame["seed"].dtype == "uint64" and frame["point"].dtype == "int64"
    kept = cascade.sweep(SMOKE, threads=2, out=tmp_path / "py", progress=True)
    assert kept.equals(expected)
    assert (tmp_path / "py" / "results.parquet").read_bytes() == (
        tmp_path / "cli" / "results.parquet"
    ).read_bytes()


def test_a_sweep_given_as_text_runs_and_a_bad_one_names_its_field():
    text = """Sweep(name: "tiny", base: "scenarios/baseline.ron", set: ["duration_s=20"], seed: 1,
        replicates: 2, axes: [Values(path: "agents.makers.size", values: [5, 10])])"""
    got = cascade.sweep(text, threads=2, progress=False)
    assert got.height == 4
    assert got["status"].to_list() == ["ok"] * 4
    with pytest.raises(cascade.ScenarioError, match="agents.nobody"):
        cascade.sweep(text.replace("agents.makers.size", "agents.nobody.size"), progress=False)


def test_a_sweep_of_python_agents_is_refused(tmp_path):
    sweep = tmp_path / "s.ron"
    sweep.write_text(
        f'Sweep(name: "py", base: "{DATA / "buyers.ron"}", seed: 1, replicates: 1, '
        'axes: [Values(path: "duration_s", values: [10.0])])'
    )
    with pytest.raises(cascade.ScenarioError, match="PythonAgent groups run only"):
        cascade.sweep(sweep, progress=False)


def cli_results(cli, tmp_path, text):
    """The CLI's results.parquet for the sweep file holding ``text``."""
    path = tmp_path / "cli.ron"
    path.write_text(text)
    cli("sweep", path, "--threads", 2, "--out", tmp_path / "cli")
    return pl.read_parquet(tmp_path / "cli" / "results.parquet")


def test_a_sweep_built_from_axes_equals_the_cli_s_sweep_file(cli, tmp_path):
    base = ROOT / "scenarios" / "flash-cascade.ron"
    expected = cli_results(cli, tmp_path, f"""Sweep(name: "flash", base: "{base}", seed: 1,
        seeds: [1, 2], set: ["duration_s=1320"], axes: [
            Values(path: "liquidation.enabled", values: [true, false]),
            Values(path: "agents.makers.count", values: [4, 8]),
        ])""")
    got = cascade.sweep(
        base="scenarios/flash-cascade.ron",
        axes={"liquidation.enabled": [True, False], "agents.makers.count": [4, 8]},
        seeds=range(1, 3),
        set={"duration_s": 1320},
        threads=2,
        progress=False,
    )
    assert got.height == 8
    assert got["status"].to_list() == ["ok"] * 8
    assert got.schema == expected.schema
    assert got.equals(expected)
    assert got["liquidation.enabled"].to_list() == ["true"] * 4 + ["false"] * 4
    assert got["seed"].to_list() == [1, 2] * 4
    # The sweep reaches the cascade: liquidations with the engine on, none with it off.
    liq = got["liquidations.count"].to_list()
    assert sum(liq[:4]) > 0 and liq[4:] == [0] * 4


def test_ranges_random_axes_and_replicates_from_python_equal_the_cli_s(cli, tmp_path):
    expected = cli_results(cli, tmp_path, """Sweep(name: "ranges", base: "scenarios/baseline.ron",
        seed: 11, replicates: 2, set: ["duration_s=20"], samples: LatinHypercube(points: 2),
        axes: [
            Linear(path: "agents.makers.size", from: 5.0, to: 15.0, steps: 2),
            Log(path: "agents.noise.rate_per_s", from: 0.25, to: 1.0, steps: 2),
            Uniform(path: "agents.makers.refresh_s", from: 0.5, to: 2.0),
        ])""".replace('"scenarios/baseline.ron"', f'"{ROOT / "scenarios" / "baseline.ron"}"'))
    d = cascade.load_scenario("scenarios/baseline.ron")  # a dict base, as a notebook holds one
    d["duration_s"] = 20.0
    got = cascade.sweep(
        base=d,
        axes={
            "agents.makers.size": cascade.Linear(5, 15, steps=2),
            "agents.noise.rate_per_s": cascade.Log(0.25, 1.0, steps=2),
            "agents.makers.refresh_s": cascade.Uniform(0.5, 2.0),
        },
        seed=11,
        replicates=2,
        samples=cascade.LatinHypercube(points=2),
        progress=False,
    )
    assert got.height == 16
    assert got.equals(expected)
    assert got.schema["agents.makers.size"] == pl.Int64
    assert got.schema["agents.makers.refresh_s"] == pl.Float64
    assert got["status"].to_list() == ["ok"] * 16


def test_a_bad_axis_names_itself_before_any_run():
    with pytest.raises(cascade.ScenarioError, match=r"^<sweep>: axis agents.makers.size: value \"big\""):
        cascade.sweep(base="scenarios/baseline.ron", axes={"agents.makers.size": ["big"]})
    with pytest.raises(cascade.ScenarioError, match="random axis needs"):
        cascade.sweep(base="scenarios/baseline.ron", axes={"agents.makers.size": cascade.Uniform(1, 5)})
    with pytest.raises(TypeError, match="axis agents.makers.size: expected a list"):
        cascade.sweep(base="scenarios/baseline.ron", axes={"agents.makers.size": 5})
    with pytest.raises(TypeError, match=r"axis duration_s: cannot use a dict"):
        cascade.sweep(base="scenarios/baseline.ron", axes={"duration_s": [{"a": 1}]})
    with pytest.raises(TypeError, match="not both"):
        cascade.sweep(SMOKE, base="scenarios/baseline.ron", axes={})
    with pytest.raises(cascade.ScenarioError, match=r"^<scenario>:1:\d+: "):
        cascade.sweep(base="Scenario(name: 3)", axes={"duration_s": [1.0]})


def test_a_python_thread_keeps_running_while_a_sweep_runs():
    """The runs go on Rust threads with the GIL released: a Python thread that needs the GIL
    all the time keeps ticking through the whole sweep (with the GIL held, one gap would span
    it)."""
    ticks, stop = [], threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            sum(range(100))

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        start = time.perf_counter()
        got = cascade.sweep(SMOKE, threads=2, progress=False)
        end = time.perf_counter()
    finally:
        stop.set()
        spinner.join()
    assert got.height == 36
    inside = [t for t in ticks if start < t < end]
    assert len(inside) > 1000
    edges = [start, *inside, end]
    longest_gap = max(b - a for a, b in zip(edges, edges[1:]))
    assert longest_gap < 0.25 * (end - start), (longest_gap, end - start)


def test_progress_is_a_tqdm_bar_fed_from_the_worker_threads(monkeypatch, capsys):
    callers = []
    update = cascade._sweep._Bar.update

    def spy(self, n):
        callers.append(threading.get_ident())
        update(self, n)

    monkeypatch.setattr(cascade._sweep._Bar, "update", spy)
    text = """Sweep(name: "tiny", base: "scenarios/baseline.ron", set: ["duration_s=20"], seed: 1,
        replicates: 2, axes: [Values(path: "agents.makers.size", values: [5, 10])])"""
    cascade.sweep(text, threads=2)
    assert len(callers) == 4
    assert threading.get_ident() not in callers
    err = capsys.readouterr().err
    assert "tiny" in err and "4/4" in err and "run/s" in err
    cascade.sweep(text, threads=2, progress=False)
    assert len(callers) == 4
    assert "4/4" not in capsys.readouterr().err


def test_results_of_the_smoke_sweep_and_of_a_flash_cascade_sweep_concatenate(cli, tmp_path):
    """Issue 14: one type per column whatever the data. The smoke sweep liquidates nothing (its
    liquidation shares are all null), a short flash-cascade sweep liquidates in every run; both
    sweep the same axes, and their results.parquet concatenate in polars and in pandas."""
    flash = tmp_path / "flash.ron"
    flash.write_text(
        f"""Sweep(name: "flash", base: "{ROOT / 'scenarios/flash-cascade.ron'}", seed: 3,
        set: ["duration_s=300", "shocks[0].at_s=150", "agents.longs.entry_end_s=100",
              "agents.shorts.entry_end_s=100"],
        axes: [Values(path: "agents.makers.size", values: [20]),
               Linear(path: "agents.noise.rate_per_s", from: 0.5, to: 1.0, steps: 2)])"""
    )
    cli("sweep", SMOKE, "--out", tmp_path / "smoke")
    cli("sweep", flash, "--out", tmp_path / "flash")
    a = pl.read_parquet(tmp_path / "smoke" / "results.parquet")
    b = pl.read_parquet(tmp_path / "flash" / "results.parquet")
    share = "liquidations.busiest_40min_share"
    assert a[share].null_count() == a.height and b[share].null_count() < b.height
    both = pl.concat([a, b], how="vertical")
    assert both.height == a.height + b.height
    assert both.schema[share] == pl.Float64 and both.schema["seed"] == pl.UInt64
    frames = [pd.read_parquet(tmp_path / d / "results.parquet") for d in ("smoke", "flash")]
    joined = pd.concat(frames, ignore_index=True)
    assert len(joined) == a.height + b.height
    assert joined[share].dtype == "float64" and joined["seed"].dtype == "uint64"
    for name in ("aggregate.parquet",):
        pl.concat(
            [pl.read_parquet(tmp_path / d / name) for d in ("smoke", "flash")], how="vertical"
        )


def test_a_sobol_design_from_python_equals_the_cli_s_and_writes_sensitivity(cli, tmp_path):
    base = ROOT / "scenarios" / "baseline.ron"
    expected = cli_results(cli, tmp_path, f"""Sweep(name: "sobol", base: "{base}", seed: 3,
        set: ["duration_s=20"], samples: Sobol(points: 2), axes: [
            Uniform(path: "agents.makers.refresh_s", from: 0.5, to: 2.0),
            LogUniform(path: "agents.noise.rate_per_s", from: 0.25, to: 1.0),
        ])""")
    got = cascade.sweep(
        base="scenarios/baseline.ron",
        set={"duration_s": 20.0},
        axes={
            "agents.makers.refresh_s": cascade.Uniform(0.5, 2.0),
            "agents.noise.rate_per_s": cascade.LogUniform(0.25, 1.0),
        },
        seed=3,
        samples=cascade.Sobol(points=2),
        out=tmp_path / "py",
        progress=False,
    )
    assert got.height == 2 * (2 + 2)
    assert got.equals(expected)
    assert (tmp_path / "py" / "sensitivity.parquet").read_bytes() == (
        tmp_path / "cli" / "sensitivity.parquet"
    ).read_bytes()


def test_the_home_venue_s_liquidations_off_beside_another_perp_warns_as_the_cli_does():
    # contagion.ron's home venue is perp-a; perp-b keeps its own liquidation rules.
    with pytest.warns(UserWarning, match=r'perpetual "perp-b" still liquidates') as caught:
        got = cascade.sweep(
            base="scenarios/contagion.ron",
            axes={"liquidation.enabled": [True, False]},
            set={"duration_s": 660, "shocks": []},
            threads=2,
            progress=False,
        )
    assert got["status"].to_list() == ["ok"] * 2
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(texts) == 1 and "on 1 of the sweep's 2 points" in texts[0], texts
    with pytest.warns(UserWarning, match="venues.perp-b.liquidation.enabled=false"):
        cascade.run(
            "scenarios/contagion.ron",
            set={"duration_s": 660, "shocks": [], "liquidation.enabled": False},
        )
