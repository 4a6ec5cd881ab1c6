"""Shared fixtures: the repository root, the cascade CLI binary, the test scenario."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def cli_binary() -> Path:
    """The cascade CLI to compare with: $CASCADE_BIN, else the workspace's build."""
    env = os.environ.get("CASCADE_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "cascade"
        if p.exists():
            return p
    pytest.fail("no cascade binary: build it (cargo build) or set CASCADE_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI from the repository root; returns the CompletedProcess."""
    binary = cli_binary()

    def call(*args, check=True):
        done = subprocess.run(
            [str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise AssertionError(f"cascade {' '.join(map(str, args))}: {done.stderr}")
        return done

    return call


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Scenario paths are given relative to the repository root, as to the CLI."""
    monkeypatch.chdir(ROOT)
