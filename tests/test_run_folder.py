"""Run folders reproduce themselves and are swapped in whole (issue 22).

* ``innocluster run DIR/scenario.toml --out OTHER`` gives the same outputs as the run
  that wrote DIR (seed, firms and years are recorded in the scenario, inputs and
  version in ``run.json``);
* a run, killed at any moment of writing its folder, leaves the earlier complete run or
  the new complete run, never a mix; the next write cleans what the kill left beside it;
* every bad edge of ``run`` and ``cost-curves`` ends with one line and exit code 2.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import run_cli

from innocluster import outputs, simulate
from innocluster.cli import main

SMALL = ("--years", "3", "--firms", "150")


def cli(capsys, *args: str) -> tuple[int, str]:
    """``innocluster ARGS`` in this process (no interpreter start-up): exit code, stderr."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _complete_new(folder: Path) -> bool:
    """The folder is one whole run: exactly the files its run.json lists, each with its hash."""
    manifest = json.loads((folder / "run.json").read_text())
    names = {p.name for p in folder.iterdir()}
    if names != set(manifest["files"]) | {"run.json"}:
        return False
    return all(hashlib.sha256((folder / n).read_bytes()).hexdigest() == h for n, h in manifest["files"].items())


def test_run_folder_reproduces_itself(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    code, err = cli(capsys, "run", "hsinchu", "--seed", "2", "--firms", "200", "--years", "3", "--out", str(a),
                    "--firm-panel")
    assert code == 0, err
    sc = tomllib.loads((a / "scenario.toml").read_text())
    assert (sc["seed"], sc["firms"], sc["years"]) == (2, 200, 3)
    manifest = json.loads((a / "run.json").read_text())
    assert (manifest["seed"], manifest["firms"], manifest["years"], manifest["firm_panel"]) == (2, 200, 3, True)
    assert manifest["innocluster"] and manifest["engine"]
    builtin = Path(manifest["inputs"]["file"])
    assert manifest["inputs"]["sha256"] == hashlib.sha256(builtin.read_bytes()).hexdigest()
    assert _complete_new(a)
    # the folder's own scenario, with no option but --firm-panel and --out, in a fresh
    # interpreter: the same run
    r = run_cli("run", str(a / "scenario.toml"), "--out", str(b), "--firm-panel")
    assert r.returncode == 0, r.stderr
    fa, fb = _files(a), _files(b)
    assert set(fa) == set(fb)
    for name in set(fa) - {"run.json"}:
        assert fa[name] == fb[name], f"{name} differs when the run is repeated from its folder"
    rerun = json.loads((b / "run.json").read_text())
    assert rerun["inputs"]["file"] == str(a / "scenario.toml")
    assert rerun["inputs"]["sha256"] == hashlib.sha256((a / "scenario.toml").read_bytes()).hexdigest()
    # the saved scenario validates (it used to fail after --years 501 was accepted)
    assert cli(capsys, "scenario", "validate", str(a / "scenario.toml"))[0] == 0


def test_rerun_without_panel_leaves_no_file_of_the_earlier_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "hsinchu", *SMALL, "--out", str(out), "--firm-panel")[0] == 0
    assert (out / "firm_panel.parquet").exists()
    code, err = cli(capsys, "run", "hsinchu", *SMALL, "--seed", "5", "--out", str(out))
    assert code == 0, err
    assert not (out / "firm_panel.parquet").exists() and _complete_new(out)
    assert json.loads((out / "run.json").read_text())["seed"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # nothing beside it either


def test_run_refuses_a_folder_with_foreign_files(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code, err = cli(capsys, "run", "hsinchu", *SMALL, "--out", str(out))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "--out" in lines[0] and "notes.txt" in lines[0]
    assert _files(out) == {"notes.txt": b"keep me"}


# A run in a child process that kills itself (SIGKILL: no cleanup, no finally) at one
# moment of writing its folder. Moments are chosen by what has happened, not by time.
KILLER = r"""
import os, signal, sys
import pandas as pd
from innocluster import outputs

moment = sys.argv[1]
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
if moment.startswith("parquet"):  # after the k-th file written into the temporary folder
    k, calls, write = int(moment[7:]), [0], pd.DataFrame.to_parquet
    def to_parquet(self, *a, **kw):
        write(self, *a, **kw)
        calls[0] += 1
        if calls[0] == k:
            die()
    pd.DataFrame.to_parquet = to_parquet
elif moment == "before-swap":  # every file written and flushed, nothing swapped
    outputs._swap = lambda tmp, path: die()
elif moment == "after-exchange":  # the new run in place, the old one beside it
    exchange = outputs._exchange
    def _exchange(a, b):
        if exchange(a, b):
            die()
        return False
    outputs._exchange = _exchange
elif moment == "set-aside":  # no atomic exchange: the old run renamed away, the new not yet in
    outputs._exchange = lambda a, b: False
    rename = os.rename
    def set_aside(src, dst):
        rename(src, dst)
        if ".old-" in str(dst):
            die()
    os.rename = set_aside
from innocluster.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("moment", ["parquet1", "parquet3", "before-swap", "after-exchange", "set-aside"])
def test_kill_while_writing_leaves_old_or_new_run_whole(tmp_path, moment):
    out = tmp_path / "run"
    simulate("hsinchu", seed=1, years=3, firms=150, firm_panel=True).save(out)
    before = _files(out)
    r = subprocess.run([sys.executable, "-c", KILLER, moment, "run", "hsinchu", *SMALL, "--seed", "2",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == -9, r.stderr  # the kill happened
    outputs.recover(out)  # what any next write to the folder does first
    now = _files(out)
    if now == before:
        assert moment in ("parquet1", "parquet3", "before-swap", "set-aside")
    else:
        assert moment == "after-exchange"
        assert _complete_new(out) and json.loads(now["run.json"])["seed"] == 2
        assert "firm_panel.parquet" not in now  # nothing of the earlier run
    assert [p.name for p in tmp_path.iterdir()] == ["run"], "the kill's leftovers were not cleaned"
    # and the next run into the folder completes normally
    simulate("hsinchu", seed=3, years=3, firms=150).save(out)
    assert _complete_new(out) and json.loads((out / "run.json").read_text())["seed"] == 3


def test_kill_while_drawing_figure1_keeps_the_earlier_figure(tmp_path, capsys):
    out = tmp_path / "fig"
    assert cli(capsys, "cost-curves", "hsinchu", "--out", str(out), "--burn-in", "1", "--firms", "150")[0] == 0
    before = _files(out)
    r = subprocess.run([sys.executable, "-c", KILLER, "before-swap", "cost-curves", "hsinchu", "--out", str(out),
                        "--burn-in", "2", "--firms", "150", "--format", "svg"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == -9, r.stderr
    outputs.recover(out)
    assert _files(out) == before and [p.name for p in tmp_path.iterdir()] == ["fig"]


@pytest.mark.parametrize("args, words", [
    (["run", "hsinchu", "--years", "501"], ["--years = 501", "[1, 500]"]),
    (["run", "hsinchu", "--years", "1000000000"], ["--years", "[1, 500]"]),
    (["run", "hsinchu", "--firms", "1000000000000"], ["--firms", "[1, 50000000]"]),
    (["run", "hsinchu", "--firms", "40000000", "--years", "500", "--firm-panel"], ["--firms", "GiB", "memory"]),
    (["run", "hsinchu", "--years", "0"], ["--years = 0"]),
    (["run", "hsinchu", "--seed", "-1"], ["--seed = -1"]),
    (["run", "hsinchu", "--years", "abc"], ["--years", "'abc'"]),
    (["run", "hsinchu", "--firms", "1.5"], ["--firms", "'1.5'"]),
    (["run", "hsinchu", "--bogus"], ["--bogus"]),
    (["run"], ["Missing argument"]),
    (["run", "hsinchu", "--set", "mechanisms.spinoffs=yes"], ["mechanisms.spinoffs", "'yes'", "true or false"]),
    (["run", "hsinchu", "--set", "regions.hsinchu.initial_firms=-1"], ["regions.hsinchu.initial_firms", "[0, "]),
    (["run", "hsinchu", "--set", "regions.hsinchu.initial_firms=0", "--set", "regions.periphery.initial_firms=0"],
     ["at least one initial firm"]),
    (["run", "hsinchu", "--years", "2", "--out", "/proc/innocluster-test"], ["--out", "cannot write there"]),
    (["run", "hsinchu", "--years", "2", "--out", "/etc/hostname"], ["--out", "is a file"]),
    (["cost-curves", "hsinchu", "--out", "fig.png"], ["--out", "writes a folder"]),
    (["cost-curves", "hsinchu", "--format", "gif"], ["--format", "png, svg, pdf"]),
    (["cost-curves", "hsinchu", "--burn-in", "501"], ["--burn-in", "[0, 500]"]),
    (["sweep", "hsinchu", "--param", "innovation.zeta2=0:1", "--out", "st", "--workers", "0"], ["--workers = 0"]),
    (["sweep", "hsinchu", "--param", "innovation.zeta2=0:1", "--out", "st", "--retries", "-1"], ["--retries = -1"]),
    (["compare-arms", "hsinchu", "--arm", "a=", "--outcome", "firms@last", "--workers", "0"], ["--workers = 0"]),
    (["sweep", "hsinchu", "--param", "innovation.zeta2=0:1", "--out", "/proc/innocluster-st", "--years", "2",
      "--firms", "50", "--samples", "2"], ["--out /proc/innocluster-st", "cannot write there"]),
    (["sweep", "hsinchu", "--param", "innovation.zeta2=0:1", "--out", "/etc/hostname", "--years", "2"],
     ["--out /etc/hostname", "is a file"]),
])
def test_edges_exit_2_with_one_line(tmp_path, monkeypatch, capsys, args, words):
    monkeypatch.chdir(tmp_path)
    code, err = cli(capsys, *args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, err
    assert all(w in lines[0] for w in words), lines[0]
    assert list(tmp_path.iterdir()) == [], "a refused command created files"


def test_scenario_file_edges(tmp_path, capsys):
    from innocluster import load_scenario
    from innocluster.scenario import scenario_to_toml

    src = scenario_to_toml(load_scenario("core"))
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + src.encode())
    code, err = cli(capsys, "run", str(bom), *SMALL, "--out", str(tmp_path / "r"))
    assert code == 0, err
    latin = tmp_path / "latin.toml"
    latin.write_bytes(src.replace('description = "', 'description = "caf\xe9 ', 1).encode("latin-1"))
    yes = tmp_path / "yes.toml"
    yes.write_text(src.replace("spinoffs = true", 'spinoffs = "yes"'))
    for path, words in ((latin, ["not UTF-8"]), (yes, ["mechanisms.spinoffs", "true or false"]),
                        (tmp_path, ["is a folder"])):
        code, err = cli(capsys, "scenario", "validate", str(path))
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and all(w in lines[0] for w in words), err


def test_version_and_defaults_in_help(capsys):
    import typer

    from innocluster import __version__
    from innocluster.cli import _commands, _register_subcommands, app, show_every_default

    assert cli(capsys, "--version")[0] == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith(f"innocluster {__version__} ")
    _register_subcommands()
    root = typer.main.get_command(app)
    show_every_default(root)
    hidden = [f"{cmd.name} {p.opts[0]}" for cmd in _commands(root) for p in cmd.params
              if p.param_type_name == "option" and not p.required and p.name != "help" and not p.show_default]
    assert not hidden, f"options whose default --help does not show: {hidden}"
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    flat = " ".join(capsys.readouterr().out.split())
    assert "[default: (off)]" in flat and "[default: (the scenario's)]" in flat


def test_store_outputs_and_small_designs_exit_2_with_one_line(tmp_path, capsys):
    from innocluster.experiments import Execution, run_sweep

    store = tmp_path / "st"
    run_sweep("core", ["innovation.zeta2=0.1:0.5"], store=store, samples=2, years=2, firms=60,
              outcomes=["tech_mean@last"], execution=Execution(executor="serial"))
    (tmp_path / "d.csv").mkdir()
    for args, words in (
        (["results", "export", str(store), "--out", "/proc/innocluster-x.csv"],
         ["/proc/innocluster-x.csv", "cannot write there"]),
        (["results", "export", str(store), "--out", str(tmp_path / "d.csv")], ["d.csv", "is a folder"]),
        (["sensitivity", str(store), "--outcome", "tech_mean@last"], ["2 design points", "too few"]),
    ):
        code, err = cli(capsys, *args)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2 and len(lines) == 1 and all(w in lines[0] for w in words), err
        assert ".tmp" not in lines[0]
