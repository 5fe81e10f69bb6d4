"""The benchmark commands named in the README run and report what they promise.

Tiny sizes: these check the commands' contract (the JSON keys, positive figures,
both models timed in one run), not the machine's speed — the figures themselves
are in the README, measured with the commands there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _last_json(args):
    out = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_engine_vs_mesa_benchmark_reports_ratio():
    r = _last_json(["benchmarks/run.py", "--firms", "300", "--years", "3", "--repeats", "1", "--warmup-years", "1",
                    "--engine-samples", "3", "--json"])
    for key in ("engine_s", "mesa_s", "ratio", "firms", "years"):
        assert key in r
    assert r["firms"] == 300 and r["years"] == 3
    assert r["engine_s"] > 0 and r["mesa_s"] > 0
    # the ratio is of the unrounded medians; the times are reported to the microsecond
    # (half a microsecond of rounding each) and the ratio to two decimals
    rounding = r["ratio"] * (0.5e-6 / r["engine_s"] + 0.5e-6 / r["mesa_s"]) + 0.005
    assert abs(r["ratio"] - r["mesa_s"] / r["engine_s"]) <= rounding + 1e-6 * r["ratio"]
    assert r["engine_bytes_per_firm"] is not None and r["mesa_bytes_per_firm"] is not None
    # the headline times the engine without data collection in the loop, as the Mesa model;
    # the engine with its yearly record is timed and reported too
    assert r["engine_record"] == "final"
    assert r["engine_yearly_s"] > 0 and len(r["engine_yearly_runs_s"]) == 1
    # an engine repeat is the median of its fresh-process samples
    assert r["engine_samples"] == 3 and len(r["engine_samples_s"]) == len(r["engine_yearly_samples_s"]) == 3
    assert r["engine_runs_s"][0] == sorted(r["engine_samples_s"])[1]
    assert r["engine_yearly_runs_s"][0] == sorted(r["engine_yearly_samples_s"])[1]
    assert abs(r["ratio_yearly_record"] - r["mesa_s"] / r["engine_yearly_s"]) <= (
        r["ratio_yearly_record"] * (0.5e-6 / r["engine_yearly_s"] + 0.5e-6 / r["mesa_s"]) + 0.005
        + 1e-6 * r["ratio_yearly_record"])


def test_full_model_benchmark_reports_time_and_memory():
    r = _last_json(["benchmarks/run_engine.py", "--firms", "2000", "--years", "3", "--json"])
    assert r["firms"] == 2000 and r["years"] == 3
    assert r["model_s"] > 0 and r["steps_s"] > 0 and r["peak_firms"] >= r["firms_end"] > 0
    assert r["table_bytes_per_firm"] > 0


def test_side_by_side_benchmark_pairs_two_interpreters():
    r = _last_json(["benchmarks/side_by_side.py", "--baseline-python", sys.executable, "--firms", "300",
                    "--years", "2", "--pairs", "2", "--runs-per-process", "3", "--json"])
    assert r["pairs"] == 2 and r["runs_per_process"] == 3
    assert len(r["this_s"]) == len(r["baseline_s"]) == 2 and min(r["this_s"] + r["baseline_s"]) > 0
    ratios = sorted(t / b for t, b in zip(r["this_s"], r["baseline_s"]))
    assert r["ratio_min"] == ratios[0] and r["ratio_max"] == ratios[-1]
    assert abs(r["ratio_median"] - (ratios[0] + ratios[1]) / 2) < 1e-12


def test_twin_benchmark_reports_what_each_twin_saves():
    from innocluster.model import compiled, engine  # noqa: F401  (importing the engine registers every twin)

    r = _last_json(["benchmarks/twins.py", "--scenario", "core", "--firms", "2000", "--years", "2", "--json"])
    assert {row["rule"] for row in r["rules"]} <= {rule.__qualname__ for rule in compiled.TWINS}
    for row in r["rules"]:
        assert row["numpy_s"] > 0 and row["twin_s"] > 0
        assert abs(row["saved_share"] - (row["numpy_s"] - row["twin_s"]) / r["with_twins_s"]) < 1e-12
