"""The example script runs (shortened) and draws its chart."""

import subprocess
import sys

from conftest import ROOT


def test_the_flash_cascade_example_runs_and_writes_its_chart(tmp_path):
    done = subprocess.run(
        [sys.executable, "python/examples/flash_cascade.py", str(tmp_path), "--short"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "liquidations, max drawdown" in done.stdout
    assert "agents.makers.count" in done.stdout and "mean liquidations" in done.stdout
    png = (tmp_path / "price-liquidations.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
