"""The tutorials in ``docs/tutorials/`` run exactly as written.

For every tutorial the fenced ```bash and ```python blocks are extracted and run in
document order in a fresh temporary working directory: bash blocks with ``bash -e -o
pipefail``, python blocks with this interpreter, the interpreter's ``bin`` folder first
on ``PATH`` (so ``innocluster`` is the installed entry point) and ``MPLBACKEND=Agg``.
Each block must exit 0. Afterwards every file the tutorial names under
``runs/tutorials/`` must exist, and the outputs of the commands it runs must be
complete and consistent (files present, columns present, years and regions as asked).
No simulated value is checked: the scenarios are re-calibrated independently of the
docs, and the tutorials quote no model numbers.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "docs" / "tutorials"
CASES = ["china-sme-baseline", "hsinchu", "bangalore", "pinghu", "italy-overintervention", "lock-in",
         "race-to-the-bottom"]
FILES = sorted(p for p in TUTORIALS.glob("*.md") if p.name != "README.md")

BLOCK = re.compile(r"^```(bash|python)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
DECLARED = re.compile(r"runs/tutorials/[A-Za-z0-9_./-]+?\.(?:png|svg|pdf|parquet|html|json|toml|csv|duckdb)\b")
RUN_FILES = ("timeseries.parquet", "scenario.toml", "overview.png", "ledger.parquet", "firms.parquet")
PANEL_COLUMNS = {"firm", "region", "industry", "year", "employees", "patents", "rd"}


def blocks(text: str) -> list[tuple[str, str]]:
    """Fenced bash/python blocks of a Markdown text, in order: (language, code)."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def commands(code: str) -> list[list[str]]:
    """The ``innocluster`` command lines of a bash block, tokenised (after the word itself)."""
    out = []
    for line in code.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        tokens = shlex.split(line, comments=True)
        if "innocluster" in tokens:
            out.append(tokens[tokens.index("innocluster") + 1:])
    return out


def option(args: list[str], name: str) -> str | None:
    for i, tok in enumerate(args):
        if tok == name and i + 1 < len(args):
            return args[i + 1]
        if tok.startswith(name + "="):
            return tok.split("=", 1)[1]
    return None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTHONPATH", None)
    return env


def _run_block(lang: str, code: str, i: int, cwd: Path, env: dict[str, str], name: str) -> None:
    script = cwd / f".block{i:02d}.{'sh' if lang == 'bash' else 'py'}"
    script.write_text(code)
    argv = ["bash", "-e", "-o", "pipefail", str(script)] if lang == "bash" else [sys.executable, str(script)]
    r = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (
        f"{name}: {lang} block {i} exited {r.returncode}\n--- block ---\n{code}\n"
        f"--- stdout (tail) ---\n{r.stdout[-3000:]}\n--- stderr (tail) ---\n{r.stderr[-3000:]}")


def _check_outputs(args: list[str], cwd: Path, name: str) -> None:
    """Files and consistency of one ``innocluster`` command's outputs."""
    sub = args[0] if args else ""
    out = option(args, "--out")
    if sub == "run":
        assert out, f"{name}: 'innocluster run' without --out; the tutorial must say where outputs go"
        folder = cwd / out
        for f in RUN_FILES + (("firm_panel.parquet",) if "--firm-panel" in args else ()):
            assert (folder / f).is_file() and (folder / f).stat().st_size > 0, f"{name}: {out}/{f} missing"
        ts = pd.read_parquet(folder / "timeseries.parquet")
        assert {"year", "region", "firms", "patents_per_firm", "lifecycle_stage"} <= set(ts.columns)
        regions = {r["name"] for r in tomllib.loads((folder / "scenario.toml").read_text())["regions"]}
        assert set(ts["region"]) == regions, f"{name}: {out}: regions {sorted(set(ts['region']))} != {sorted(regions)}"
        years = option(args, "--years")
        if years:
            assert ts["year"].nunique() == int(years), f"{name}: {out}: {ts['year'].nunique()} years, asked {years}"
        assert len(ts) == ts["year"].nunique() * len(regions)
        for override in [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--set"]:
            key = override.split("=", 1)[0].split(".")[-1]
            assert key in (folder / "scenario.toml").read_text(), f"{name}: {out}: override {override} not recorded"
        if "--firm-panel" in args:
            panel = pd.read_parquet(folder / "firm_panel.parquet")
            assert PANEL_COLUMNS <= set(panel.columns), f"{name}: {out}/firm_panel.parquet lacks monitor columns"
            assert set(panel["year"]) == set(ts["year"])
    elif sub == "monitor":
        assert out, f"{name}: 'innocluster monitor' without --out"
        html = (cwd / out / "report.html").read_text()
        assert "Cluster monitor" in html and "<img" in html
        json.loads((cwd / out / "indicators.json").read_text())
    elif sub == "cost-curves":
        folder = cwd / (out or "figure1")
        fig = folder / f"figure1.{option(args, '--format') or 'png'}"
        assert fig.is_file() and fig.stat().st_size > 0, f"{name}: {fig} missing"
        assert (folder / "figure1.parquet").is_file() and (folder / "figure1.json").is_file()
    elif sub == "compare-arms" and out:
        assert (cwd / out / "catalogue.duckdb").is_file(), f"{name}: {out}/catalogue.duckdb missing"
        # every arm changes something that binds: an arm identical to the baseline in
        # every outcome (a pool never invested, a switch already off) shows nothing
        from innocluster.experiments import ResultsStore

        with ResultsStore(cwd / out, read_only=True) as st:
            info = st.experiment(None)
            ocs = info["spec"]["outcomes"]
            runs = st.outcomes(info["name"], ocs).rename(columns={"label": "arm"})
        base = runs[runs["arm"] == info["spec"]["arm_order"][0]].set_index("rep")[ocs]
        for arm in info["spec"]["arm_order"][1:]:
            diff = runs[runs["arm"] == arm].set_index("rep")[ocs] - base
            assert (diff.abs().to_numpy() > 0).any(), f"{name}: arm {arm!r} gives exactly the baseline's outcomes"


def test_index_links_every_tutorial():
    """One tutorial per case, each linked from docs/tutorials/README.md."""
    index = (TUTORIALS / "README.md").read_text()
    assert sorted(p.stem for p in FILES) == sorted(CASES)
    for p in FILES:
        assert f"]({p.name})" in index, f"docs/tutorials/README.md does not link {p.name}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_tutorial_has_every_step(path):
    """Run, read the report (monitor), change a policy (--set), rerun, compare."""
    text = path.read_text()
    code = blocks(text)
    subs = [c[0] for lang, src in code if lang == "bash" for c in commands(src) if c]
    assert subs.count("run") >= 2, f"{path.name}: needs a base run and a rerun with a changed policy"
    assert "monitor" in subs, f"{path.name}: no monitor report"
    assert any("--set" in c for lang, src in code if lang == "bash" for c in commands(src)), f"{path.name}: no --set"
    assert "compare-arms" in subs or any(lang == "python" for lang, _ in code), f"{path.name}: no comparison"
    assert "experiment" not in subs, f"{path.name}: 'innocluster experiment' may appear in prose only"
    runs = [c for lang, src in code if lang == "bash" for c in commands(src) if c[:1] == ["run"]]
    assert any(len(c) > 1 and c[1] == path.stem for c in runs), f"{path.name}: never runs scenario {path.stem!r}"


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_tutorial_runs(path, tmp_path):
    """Every block of the tutorial exits 0 and every file it names exists afterwards."""
    text = path.read_text()
    code = blocks(text)
    assert code, f"{path.name}: no ```bash or ```python blocks"
    env = _env()
    for i, (lang, src) in enumerate(code):
        _run_block(lang, src, i, tmp_path, env, path.name)
    for lang, src in code:
        if lang == "bash":
            for args in commands(src):
                _check_outputs(args, tmp_path, path.name)
    declared = sorted(set(DECLARED.findall(text)))
    assert declared, f"{path.name}: names no output file under runs/tutorials/"
    missing = [d for d in declared if not (tmp_path / d).is_file()]
    assert not missing, f"{path.name}: files named in the tutorial but not written: {missing}"
