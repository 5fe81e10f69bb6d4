"""Experiments: the results store — kill-and-resume, spec checks, corrupt and foreign files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import run_cli

from innocluster.errors import InputError
from innocluster.experiments import Execution, ResultsStore, run_sweep

SWEEP = ["sweep", "hsinchu", "--param", "innovation.zeta1=0.02:0.2", "--param", "regions.hsinchu.budget=1:40",
         "--method", "lhs", "--samples", "15", "--replications", "2", "--years", "6", "--firms", "300",
         "--seed", "4", "--outcome", "patents_per_firm@last", "--outcome", "firms@1984@periphery", "--quiet"]
N_RUNS = 30


def _one_line(r: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def _content(path: Path):
    with ResultsStore(path, read_only=True) as st:
        oc = st.outcomes("sweep").drop(columns="label")
        series = pd.concat(list(st.iter_series("sweep")), ignore_index=True)
    return oc, series


def test_sigkill_mid_sweep_then_resume_runs_only_the_missing(tmp_path):
    store = tmp_path / "killed"
    cmd = [sys.executable, "-m", "innocluster.cli", *SWEEP, "--out", str(store), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs_dir = store / "runs" / "sweep"
    deadline = time.monotonic() + 240
    try:
        # wait until some, but not all, runs are on disk; the parent writes a run's file and then
        # its catalogue row, so 3 files mean at least 2 catalogued runs
        while time.monotonic() < deadline:
            n = len(list(runs_dir.glob("*.parquet"))) if runs_dir.exists() else 0
            if n >= 3:
                break
            assert proc.poll() is None, "sweep ended before it could be killed"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with ResultsStore(store, read_only=True) as st:
        done_before = len(st.done("sweep"))
    assert 2 <= done_before < N_RUNS

    r = run_cli(*SWEEP, "--out", str(store), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert f"{N_RUNS - done_before} runs done now, {done_before} were already done, 0 failed" in r.stdout
    assert "resuming sweep" in r.stderr

    con = duckdb.connect(str(store / "catalogue.duckdb"), read_only=True)
    try:
        total, distinct, ok = con.execute("""SELECT count(*), count(DISTINCT (sample, rep)),
                                             count(*) FILTER (WHERE status = 'ok') FROM runs""").fetchone()
        n_oc, n_oc_distinct = con.execute("SELECT count(*), count(DISTINCT (sample, rep, outcome)) FROM outcomes"
                                          ).fetchone()
    finally:
        con.close()
    assert total == distinct == ok == N_RUNS
    assert n_oc == n_oc_distinct == 2 * N_RUNS
    assert len(list(runs_dir.glob("*.parquet"))) == N_RUNS and not list(runs_dir.glob(".*"))

    # the same sweep, uninterrupted and in-process
    reference = tmp_path / "uninterrupted"
    run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2", "regions.hsinchu.budget=1:40"], store=reference,
              method="lhs", samples=15, replications=2, years=6, firms=300, seed=4,
              execution=Execution(executor="serial"),
              outcomes=["patents_per_firm@last", "firms@1984@periphery"])
    for got, want in zip(_content(store), _content(reference)):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


KW = dict(method="lhs", samples=2, replications=1, years=4, firms=150, outcomes=["firms@last"],
          execution=Execution(executor="serial"))


def test_same_name_different_spec_is_refused(tmp_path):
    run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=tmp_path, **KW)
    with pytest.raises(InputError, match=r"different spec \(problem.bounds: \[\[0.02, 0.2\]\] -> \[\[0.02, 0.3\]\]"):
        run_sweep("hsinchu", ["innovation.zeta1=0.02:0.3"], store=tmp_path, **KW)
    with pytest.raises(InputError, match="different spec.*replications"):
        run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=tmp_path, **dict(KW, replications=2))
    # another name is another experiment in the same store
    res = run_sweep("hsinchu", ["innovation.zeta1=0.02:0.3"], store=tmp_path, experiment="wider", **KW)
    assert not res.resumed and res.report.done == 2
    r = run_cli("results", "list", str(tmp_path))
    assert r.returncode == 0 and "wider" in r.stdout and "sweep" in r.stdout
    r = run_cli("results", "show", str(tmp_path))
    assert "--name" in _one_line(r) and "choose one" in _one_line(r)


def test_corrupt_and_foreign_files_give_clear_errors(tmp_path):
    # not a store at all
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    with pytest.raises(InputError, match="not an innocluster results store"):
        ResultsStore(tmp_path / "notes")
    with pytest.raises(InputError, match="not empty"):
        run_sweep("hsinchu", ["innovation.zeta1=0:1"], store=tmp_path / "notes", **KW)
    # a file where the store folder should be
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        ResultsStore(tmp_path / "file", create=True)
    # garbage catalogue (CLI: exit 2, one line)
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "catalogue.duckdb").write_bytes(b"\x00garbage" * 100)
    line = _one_line(run_cli("results", "list", str(tmp_path / "garbage")))
    assert "catalogue.duckdb" in line and "corrupt" in line
    with pytest.raises(InputError, match="corrupt"):
        run_sweep("hsinchu", ["innovation.zeta1=0:1"], store=tmp_path / "garbage", **KW)
    # a DuckDB database that is someone else's
    (tmp_path / "foreign").mkdir()
    con = duckdb.connect(str(tmp_path / "foreign" / "catalogue.duckdb"))
    con.execute("CREATE TABLE sales (region VARCHAR, amount DOUBLE)")
    con.close()
    assert "not an innocluster results catalogue" in _one_line(run_cli("results", "list", str(tmp_path / "foreign")))
    con = duckdb.connect(str(tmp_path / "foreign" / "catalogue.duckdb"))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR); INSERT INTO meta VALUES ('format', 'other-tool')")
    con.close()
    with pytest.raises(InputError, match="foreign DuckDB database"):
        ResultsStore(tmp_path / "foreign")
    # a store held by a writer
    with ResultsStore(tmp_path / "busy", create=True):
        r = subprocess.run([sys.executable, "-c", "from innocluster.experiments import ResultsStore\n"
                            f"ResultsStore({str(tmp_path / 'busy')!r}, read_only=True)"], capture_output=True, text=True)
        assert "in use by another process" in r.stderr


def test_damaged_run_file_is_reported_then_redone_on_resume(tmp_path):
    store = tmp_path / "st"
    run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=store, **KW)
    before = _content(store)
    victim = store / "runs" / "sweep" / "s000001_r0000.parquet"
    victim.write_bytes(victim.read_bytes()[:100])  # truncated, e.g. by a full disk outside our control
    r = run_cli("results", "export", str(store), "--what", "series", "--out", str(tmp_path / "all.parquet"))
    assert "cannot read the run files" in _one_line(r) and not (tmp_path / "all.parquet").exists()
    line = _one_line(run_cli("sensitivity", str(store), "--outcome", "tech_mean@last@hsinchu"))
    assert "s000001_r0000.parquet" in line or "cannot read the run files" in line
    res = run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=store, **KW)
    assert res.resumed and res.report.done == 1 and "s000001_r0000.parquet" in res.notes[0]
    for got, want in zip(_content(store), before):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_exports(tmp_path):
    store = tmp_path / "st"
    run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=store, **dict(KW, replications=2))
    for what, rows in (("outcomes", 4), ("runs", 4), ("series", 4 * 4 * 2)):
        out = tmp_path / f"{what}.csv"
        r = run_cli("results", "export", str(store), "--what", what, "--out", str(out))
        assert r.returncode == 0, r.stderr
        df = pd.read_csv(out)
        assert len(df) == rows
    oc = pd.read_csv(tmp_path / "outcomes.csv")
    assert {"sample", "rep", "seed", "firms@last@hsinchu", "innovation.zeta1"} <= set(oc.columns)
    r = run_cli("results", "export", str(store), "--what", "series", "--out", str(tmp_path / "s.parquet"))
    assert r.returncode == 0 and len(pd.read_parquet(tmp_path / "s.parquet")) == 32
    assert "--what" in _one_line(run_cli("results", "export", str(store), "--what", "all", "--out",
                                         str(tmp_path / "x.csv")))


def test_engine_fingerprint_covers_every_mechanism_module():
    """A change to any rule (or its compiled twin, in the same module) is a change of the
    engine: the fingerprint that guards resumed sweeps hashes every model module and the
    scenario schema."""
    import innocluster
    from innocluster.model.fingerprint import fingerprinted_files

    root = Path(innocluster.__file__).resolve().parent
    names = {p.relative_to(root).as_posix() for p in fingerprinted_files()}
    modules = {f"model/{p.name}" for p in (root / "model").glob("*.py")}
    assert {"model/engine.py", "model/absorption.py", "model/compiled.py", "scenario/schema.py"} <= names
    assert modules <= names
