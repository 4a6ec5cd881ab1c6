"""Sweeps from Python: the rows of the CLI's results.parquet."""

import polars as pl
import pytest

import cascade

from conftest import DATA

SMOKE = "scenarios/sweeps/smoke.ron"


def test_a_sweep_returns_the_cli_s_results_rows(cli, tmp_path):
    cli("sweep", SMOKE, "--threads", 1, "--out", tmp_path / "cli")
    expected = pl.read_parquet(tmp_path / "cli" / "results.parquet")
    got = cascade.sweep(SMOKE, threads=2, progress=False)
    assert got.height == 36
    assert got.schema == expected.schema
    assert got.equals(expected)
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
