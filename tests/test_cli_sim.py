"""The simulator's CLI: run, cost-curves, bad input."""

from __future__ import annotations

import hashlib

import pandas as pd
from conftest import run_cli
from test_model_invariants import DESIGN_COLUMNS


def test_run_writes_outputs_and_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    r = run_cli("run", "hsinchu", "--years", "30", "--seed", "1", "--out", str(a), "--firms", "800")
    assert r.returncode == 0, r.stderr
    assert str(a) in r.stdout.replace("\n", "")
    for name in ("timeseries.parquet", "scenario.toml", "overview.png"):
        assert (a / name).stat().st_size > 0
    ts = pd.read_parquet(a / "timeseries.parquet")
    assert not [c for c in DESIGN_COLUMNS if c not in ts.columns]
    assert ts["year"].nunique() == 30
    r = run_cli("run", "hsinchu", "--years", "30", "--seed", "1", "--out", str(b), "--firms", "800")
    assert r.returncode == 0, r.stderr
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(a / "timeseries.parquet") == digest(b / "timeseries.parquet")
    # the written scenario reproduces the run
    c = tmp_path / "c"
    r = run_cli("run", str(a / "scenario.toml"), "--seed", "1", "--out", str(c), "--firms", "800")
    assert r.returncode == 0, r.stderr
    assert digest(a / "timeseries.parquet") == digest(c / "timeseries.parquet")


def test_run_with_set_and_firm_panel(tmp_path):
    r = run_cli("run", "china-sme-baseline", "--years", "4", "--firms", "300", "--out", str(tmp_path),
                "--set", "mechanisms.spinoffs=false", "--set", "innovation.zeta1=0.2", "--firm-panel")
    assert r.returncode == 0, r.stderr
    panel = pd.read_parquet(tmp_path / "firm_panel.parquet")
    assert {"firm", "region", "industry", "year", "employees", "patents", "rd"} <= set(panel.columns)
    assert "spinoffs = false" in (tmp_path / "scenario.toml").read_text()


def test_bad_set_value_exits_2_one_line(tmp_path):
    r = run_cli("run", "hsinchu", "--years", "2", "--out", str(tmp_path), "--set", "innovation.zeta2=500")
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "innovation.zeta2" in lines[0] and "500" in lines[0] and "[0, 10]" in lines[0]
    r = run_cli("run", "hsinchu", "--years", "2", "--set", "nonsense")
    assert r.returncode == 2 and "key=value" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("run", "no-such-scenario")
    assert r.returncode == 2 and "built-in" in r.stderr
    r = run_cli("run", "hsinchu", "--years", "0")
    assert r.returncode == 2 and "--years" in r.stderr


def test_cost_curves_command(tmp_path):
    out = tmp_path / "fig1"
    r = run_cli("cost-curves", "hsinchu", "--out", str(out), "--burn-in", "3")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["figure1.json", "figure1.parquet", "figure1.png"]
    assert (out / "figure1.png").stat().st_size > 10_000
    curves = pd.read_parquet(out / "figure1.parquet")
    mins = curves.groupby("where")["average_cost"].min()
    inside = mins[[i for i in mins.index if i.startswith("inside")][0]]
    outside = mins[[i for i in mins.index if i.startswith("outside")][0]]
    assert inside < outside
    # an image name where the folder goes, and an existing file, are refused in one line
    for target, words in ((tmp_path / "x.png", "writes a folder"), (out / "figure1.json", "is a file")):
        r = run_cli("cost-curves", "hsinchu", "--out", str(target), "--burn-in", "1")
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.returncode == 2 and len(lines) == 1 and "--out" in lines[0] and words in lines[0], r.stderr


def test_interrupted_run_keeps_earlier_results(tmp_path):
    r = run_cli("run", "hsinchu", "--years", "3", "--firms", "200", "--out", str(tmp_path))
    assert r.returncode == 0
    before = (tmp_path / "timeseries.parquet").read_bytes()
    # a failing run into the same folder (bad parameter) must not touch the earlier files
    r = run_cli("run", "hsinchu", "--years", "3", "--out", str(tmp_path), "--set", "market.chi=-3")
    assert r.returncode == 2
    assert (tmp_path / "timeseries.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
