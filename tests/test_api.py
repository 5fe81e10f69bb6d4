"""The one Python API (issue 22): docs/api.md runs as written; one call shape; results
are data with a short repr and save the folder the CLI writes."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import run_cli

from innocluster import simulate
from innocluster.errors import InputError
from innocluster.experiments import Execution, compare_arms, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def test_api_doc_examples_run(tmp_path):
    """Every python block of docs/api.md, in order, in one interpreter (blocks build on
    each other), in a fresh folder."""
    code = BLOCK.findall((ROOT / "docs" / "api.md").read_text())
    assert len(code) >= 8
    script = tmp_path / "api_examples.py"
    script.write_text("\n\n".join(code))
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(script)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "<SimulationResults 'hsinchu': seed 2" in r.stdout
    assert (tmp_path / "runs" / "api" / "hsinchu" / "run.json").is_file()


def test_save_writes_the_files_the_cli_writes(tmp_path):
    r = run_cli("run", "hsinchu", "--seed", "3", "--years", "3", "--firms", "150", "--firm-panel",
                "--out", str(tmp_path / "cli"))
    assert r.returncode == 0, r.stderr
    res = simulate("hsinchu", seed=3, years=3, firms=150, firm_panel=True)
    res.save(tmp_path / "py")
    cli = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir()}
    py = {p.name: p.read_bytes() for p in (tmp_path / "py").iterdir()}
    assert set(cli) == set(py)
    for name in set(cli) - {"run.json"}:
        assert cli[name] == py[name], name


def test_results_are_data_with_a_short_repr():
    res = simulate("core", seed=1, years=3, firms=200)
    assert not hasattr(res, "world")
    assert len(repr(res)) < 300 and "seed 1" in repr(res) and "\n" not in repr(res)
    back = pickle.loads(pickle.dumps(res))
    assert back.timeseries.equals(res.timeseries) and back.ties.equals(res.ties)
    a, b = res.tie_rows()
    assert (res.firms["id"].to_numpy()[a] == res.ties["firm_a"].to_numpy()).all()
    assert b.max() < len(res.firms)


def test_simulate_takes_names_scenarios_and_paths_and_progress_everywhere(tmp_path):
    from innocluster import load_scenario

    years = []
    by_name = simulate("core", seed=4, years=3, firms=100, progress=years.append)
    assert years == [1, 1, 1]
    by_scenario = simulate(load_scenario("core"), seed=4, years=3, firms=100, progress=False)
    assert by_name.timeseries.equals(by_scenario.timeseries)
    final = simulate("core", seed=4, years=3, firms=100, record="final")
    assert final.timeseries["year"].nunique() == 1
    runs = []
    cmp = compare_arms("core", {"a": [], "b": ["mechanisms.spinoffs=false"]}, outcomes=["firms@last"],
                       replications=2, years=3, firms=100, execution=Execution(executor="serial",
                                                                                progress=runs.append))
    assert runs == [1] * 4 and len(cmp.runs) == 4


@pytest.mark.parametrize("call, param", [
    (lambda: simulate("core", years=0), "years"),
    (lambda: simulate("core", firms=10**12), "firms"),
    (lambda: simulate("core", seed=-1), "seed"),
    (lambda: simulate("core", record="sometimes"), "record"),
    (lambda: simulate("core", firm_panel="yes"), "firm_panel"),
    (lambda: simulate(42), "scenario"),
    (lambda: Execution(retries=-1), "retries"),
    (lambda: Execution(executor="cloud"), "executor"),
    (lambda: compare_arms("core", {"a": []}, outcomes=["firms@last"], conf_level=1.5), "conf_level"),
    (lambda: compare_arms("core", {"a": []}, outcomes=[], replications=2), "outcomes"),
])
def test_library_errors_name_python_parameters(call, param):
    with pytest.raises(InputError) as exc:
        call()
    assert exc.value.param == param and str(exc.value).startswith(param), str(exc.value)
    assert "--" not in str(exc.value).split(":")[0]


def test_earlier_keywords_still_run_with_a_warning(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_sweep("core", ["innovation.zeta2=0.1:0.5"], out=tmp_path / "st", name="old", samples=2, years=2,
                        firms=100, outcomes=["firms@last"], executor="serial", retries=0)
    messages = " ".join(str(w.message) for w in caught if w.category is DeprecationWarning)
    assert "out= is now store=" in messages and "name= is now experiment=" in messages
    assert "execution=Execution(executor='serial', retries=0)" in messages
    assert res.experiment == "old" and res.report.done == 2
    with pytest.raises(TypeError, match="given too"):
        run_sweep("core", ["innovation.zeta2=0.1:0.5"], store=tmp_path / "st2", workers=2,
                  execution=Execution(executor="serial"))
    assert not (tmp_path / "st2").exists()


def test_readme_compare_arms_example_changes_something():
    """The README's compare-arms example compares arms that differ (issue 22: its earlier
    arm set a VC pool that hsinchu never invests, a difference of exactly 0)."""
    import shlex

    line = next(ln for ln in (ROOT / "README.md").read_text().splitlines() if "innocluster compare-arms" in ln)
    args = shlex.split(line.split("`innocluster compare-arms ", 1)[1].split("`", 1)[0])
    scenario = args[0]
    arms = {}
    for i, tok in enumerate(args):
        if tok == "--arm":
            name, _, rest = args[i + 1].partition("=")
            arms[name] = [s for s in rest.split(";") if s]
    outcomes = [args[i + 1] for i, tok in enumerate(args) if tok == "--outcome"]
    assert len(arms) == 2 and outcomes
    cmp = compare_arms(scenario, arms, outcomes=outcomes, replications=2, years=8, firms=300, seed=1,
                       execution=Execution(executor="serial"))
    assert (cmp.differences["diff"].abs() > 0).any(), cmp.differences
