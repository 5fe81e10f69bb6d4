"""Shared fixtures: small, fast scenarios built from the shipped ones."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

# Property tests draw the same examples on every run (CI included): a failure found
# once is found again, and a green run cannot turn red by the luck of the draw.
# HYPOTHESIS_PROFILE=explore searches fresh examples when hunting for bugs.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def small(name: str = "hsinchu", *overrides: str):
    """A built-in scenario with ``--set``-style overrides."""
    from innocluster.scenario import apply_overrides, load_scenario

    return apply_overrides(load_scenario(name), list(overrides))


def run_cli(*args: str, cwd=None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``innocluster ARGS`` in a subprocess (the installed console entry point)."""
    return subprocess.run([sys.executable, "-m", "innocluster.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli
