"""Runs in process against the CLI: the same folder bytes, the same summary and tables."""

import json
from pathlib import Path

import base64

import pandas as pd
import polars as pl
import pytest

import cascade

SCENARIO = "scenarios/flash-cascade.ron"


def test_a_run_saved_from_python_is_byte_identical_to_the_cli_s(cli, tmp_path):
    sets = ["duration_s=1320"]
    cli("run", SCENARIO, "--seed", 2, *[a for s in sets for a in ("--set", s)], "--out", tmp_path / "cli")
    run = cascade.run(SCENARIO, seed=2, set=sets)
    run.save(tmp_path / "py")
    cli_files = sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*") if p.is_file())
    py_files = sorted(p.relative_to(tmp_path / "py") for p in (tmp_path / "py").rglob("*") if p.is_file())
    assert cli_files == py_files
    assert Path("manifest.json") in py_files and Path("charts/price.png") in py_files
    for name in cli_files:
        a = (tmp_path / "cli" / name).read_bytes()
        b = (tmp_path / "py" / name).read_bytes()
        if name == Path("manifest.json") and a != b:
            # A CLI and a package built at different commits (a developer's machine; CI builds
            # both from one checkout) differ in the commit recorded, and only there.
            ja, jb = json.loads(a), json.loads(b)
            assert ja.pop("git_commit") != jb.pop("git_commit")
            assert ja == jb
            continue
        assert a == b, f"{name} differs"
    # And the CLI verifies the Python folder by replaying it.
    done = cli("replay", tmp_path / "py")
    assert "verified" in done.stdout


def test_summary_and_tables_from_memory_equal_the_cli_s_files(cli, tmp_path):
    cli("run", SCENARIO, "--seed", 1, "--set", "duration_s=1320", "--set",
        "liquidation.enabled=false", "--no-charts", "--out", tmp_path)
    run = cascade.run(SCENARIO, seed=1, set={"duration_s": 1320, "liquidation.enabled": False})
    assert run.summary == json.loads((tmp_path / "summary.json").read_text())
    assert run.summary["liquidations"]["count"] == 0
    for name in cascade.TABLES:
        from_file = pl.read_parquet(tmp_path / f"{name}.parquet")
        in_memory = run.table(name)
        assert in_memory.schema == from_file.schema, name
        assert in_memory.equals(from_file), name
    assert run.series.height > 1000
    assert run.series.columns[:4] == ["time_s", "bid", "ask", "mid"]
    assert run.trades.height > 0


def test_a_dict_and_ron_text_run_as_the_file_does():
    d = cascade.load_scenario("scenarios/baseline.ron")
    d["duration_s"] = 60.0
    from_dict = cascade.run(d, seed=4)
    from_file = cascade.run("scenarios/baseline.ron", seed=4, set={"duration_s": 60.0})
    assert from_dict.summary == from_file.summary
    assert from_dict.trades.equals(from_file.trades)
    text = Path("scenarios/baseline.ron").read_text()
    from_text = cascade.run(text, seed=4, set=["duration_s=60"])
    assert from_text.summary == from_file.summary
    assert from_text.manifest["scenario_file"] == "<scenario>"


def test_plot_gives_the_run_folder_s_charts_for_a_notebook(tmp_path):
    run = cascade.run("scenarios/baseline.ron", seed=1, set={"duration_s": 60.0})
    run.save(tmp_path, force=True)
    charts = run.plot()
    assert "price" in charts
    assert sorted(charts) == sorted(p.stem for p in (tmp_path / "charts").glob("*.png"))
    for name, chart in charts.items():
        # The bytes `cascade run` writes, offered to Jupyter through its display methods.
        assert chart.data == (tmp_path / "charts" / f"{name}.png").read_bytes()
        assert chart._repr_png_() == chart.data and chart._repr_svg_() is None
    page = charts._repr_html_()
    assert page.count("<img ") == len(charts)
    first = base64.b64encode(charts["price"].data).decode()
    assert f'src="data:image/png;base64,{first}"' in page
    svg = run.plot("svg")
    assert svg["price"]._repr_svg_().lstrip().startswith("<svg")
    assert svg["price"]._repr_png_() is None
    assert svg["price"].save(tmp_path / "p.svg").read_bytes() == svg["price"].data
    with pytest.raises(ValueError, match="format"):
        run.plot("gif")


def test_pandas_users_get_what_pandas_reads_from_the_cli_s_files(cli, tmp_path):
    cli("run", SCENARIO, "--seed", 3, "--set", "duration_s=1320", "--no-charts", "--out", tmp_path)
    run = cascade.run(SCENARIO, seed=3, set={"duration_s": 1320})
    assert run.liquidations.height > 0
    for name in cascade.TABLES:
        frame = run.table(name).to_pandas()
        assert list(frame.columns) == run.table(name).columns
        pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / f"{name}.parquet"))
    series = run.series.to_pandas()
    assert series["time_s"].dtype == "float64"
    assert series["volume"].dtype == "int64"
    trades = run.trades.to_pandas()
    assert trades["qty"].dtype == "int64" and trades["price"].dtype == "float64"
    assert pd.api.types.is_string_dtype(trades["taker_side"])
    assert len(series) == run.series.height


def test_save_refuses_a_folder_holding_a_run_unless_forced(tmp_path):
    run = cascade.run("scenarios/baseline.ron", seed=1, set={"duration_s": 30.0})
    run.save(tmp_path / "r", charts=False)
    with pytest.raises(ValueError, match="force"):
        run.save(tmp_path / "r", charts=False)
    run.save(tmp_path / "r", charts=False, force=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError):
        run.save(tmp_path / "other", charts=False, force=True)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
