"""The Morris screening keeps every finished point and resumes after an interruption
(``paper/robustness.py``: :class:`MorrisCheckpoint`).

The claims are replaced by a stand-in whose verdict depends on the point's parameter
values, so the test runs in a second and can count how many points were really run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

import innocluster.paper.run as paper_run
from innocluster.errors import InputError
from innocluster.paper.claims import CLAIMS
from innocluster.paper.robustness import morris_screening
from innocluster.paper.run import Options

CLAIM = next(c for c in CLAIMS if c.id == "mech-polarisation")
PARAMS = ["diffusion.network_rate", "exit.unviable_margin"]


@dataclass
class FakeTest:
    effect: float
    negligible: float = 1.0
    primary: bool = True


@dataclass
class FakeResult:
    claim: object
    verdict: str
    tests: list = field(default_factory=list)


@dataclass
class FakeRun:
    results: list


class Runner:
    """Stands in for ``run_claims``: the verdict is 'supported' when the network rate is
    above its default, so it changes across the design; ``stop_after`` interrupts."""

    def __init__(self, stop_after: int | None = None):
        self.calls = 0
        self.stop_after = stop_after

    def __call__(self, claims, opts):
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        values = dict(s.split("=") for s in opts.overrides)
        rate = float(values.get("diffusion.network_rate", 0.0))
        verdict = "supported" if rate > 0.1 else "depends"
        return FakeRun([FakeResult(claims[0], verdict, [FakeTest(effect=rate)])])


def screen(monkeypatch, runner, path, **opts):
    monkeypatch.setattr(paper_run, "run_claims", runner)
    base = FakeRun([FakeResult(CLAIM, "depends", [FakeTest(effect=0.0)])])
    return morris_screening([CLAIM], Options(replications=2, firms=60, **opts), PARAMS, trajectories=2,
                            baseline=base, checkpoint=path)


def test_every_point_is_run_once_and_kept(monkeypatch, tmp_path):
    path = tmp_path / "robustness_checkpoint.jsonl"
    runner = Runner()
    rob = screen(monkeypatch, runner, path)
    n = 2 * (len(PARAMS) + 1)
    assert runner.calls == n
    assert len(path.read_text().splitlines()) == 1 + n
    again = Runner()
    rob2 = screen(monkeypatch, again, path)
    assert again.calls == 0, "a rerun of a finished screening reuses every point"
    pd.testing.assert_frame_equal(rob.points, rob2.points)
    pd.testing.assert_frame_equal(rob.claims, rob2.claims)


def test_an_interrupted_screening_resumes_where_it_stopped(monkeypatch, tmp_path):
    whole = screen(monkeypatch, Runner(), tmp_path / "whole.jsonl")
    path = tmp_path / "cut.jsonl"
    with pytest.raises(KeyboardInterrupt):
        screen(monkeypatch, Runner(stop_after=3), path)
    # the kill came while a fourth point was being written: half a line at the end
    with open(path, "a") as fh:
        fh.write('{"point": 3, "verd')
    rest = Runner()
    resumed = screen(monkeypatch, rest, path)
    assert rest.calls == 2 * (len(PARAMS) + 1) - 3
    pd.testing.assert_frame_equal(whole.points, resumed.points)
    pd.testing.assert_frame_equal(whole.indices, resumed.indices)


def test_a_checkpoint_of_another_screening_is_refused(monkeypatch, tmp_path):
    path = tmp_path / "robustness_checkpoint.jsonl"
    screen(monkeypatch, Runner(), path)
    with pytest.raises(InputError, match="replications"):
        monkeypatch.setattr(paper_run, "run_claims", Runner())
        morris_screening([CLAIM], Options(replications=3, firms=60), PARAMS, trajectories=2,
                         baseline=FakeRun([FakeResult(CLAIM, "depends", [FakeTest(effect=0.0)])]), checkpoint=path)
    with pytest.raises(InputError, match="overrides"):
        screen(monkeypatch, Runner(), path, overrides=["years=8"])
