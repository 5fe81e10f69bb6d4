"""Experiments: Sobol and Morris sensitivity of stored sweeps, policy arms with common
random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from innocluster.errors import InputError
from innocluster.experiments import Execution, analyze, compare_arms, run_sweep
from innocluster.experiments.compare import summarize_arms
from innocluster.experiments.seeds import replication_seed

SERIAL = Execution(executor="serial")

THREE = ["innovation.zeta1=0.02:0.3", "regions.hsinchu.budget=1:40", "innovation.spillover_effect=0:1"]


@pytest.fixture(scope="module")
def sobol_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol") / "store"
    res = run_sweep("hsinchu", THREE, store=out, method="sobol", samples=8, replications=1, years=5, firms=150,
                    seed=2, outcomes=["tech_mean@last"], execution=SERIAL)
    assert res.report.done == 8 * 8 and res.report.failed == 0
    return out


def test_sobol_three_parameters_indices_with_intervals(sobol_store, tmp_path):
    res = analyze(sobol_store, "tech_mean@last", num_resamples=100)
    assert res.method == "sobol" and res.outcome == "tech_mean@last@hsinchu" and res.n_points == 64
    t = res.table
    assert t["param"].tolist() == [p.split("=")[0] for p in THREE]
    for col in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.isfinite(t[col]).all(), col
    assert (t["S1_conf"] > 0).all() and (t["ST_conf"] > 0).all()
    assert len(res.second_order) == 3 and np.isfinite(res.second_order[["S2", "S2_conf"]].to_numpy()).all()
    # the CLI: table, file and figure
    r = run_cli("sensitivity", str(sobol_store), "--outcome", "tech_mean@last", "--table", str(tmp_path / "s.csv"),
                "--plot", str(tmp_path / "s.png"), "--resamples", "50")
    assert r.returncode == 0, r.stderr
    assert "S1_conf" in r.stdout and "innovation.zeta1" in r.stdout
    csv = pd.read_csv(tmp_path / "s.csv")
    assert {"outcome", "method", "param", "S1", "S1_conf", "ST", "ST_conf"} <= set(csv.columns)
    assert (tmp_path / "s.png").stat().st_size > 5_000


def test_sensitivity_of_an_unrecorded_outcome_reads_the_series(sobol_store):
    res = analyze(sobol_store, "firms@1983@periphery", num_resamples=50)
    assert res.n_points == 64 and np.isfinite(res.table["ST"]).all()
    with pytest.raises(InputError, match="unknown metric 'nonsense'"):
        analyze(sobol_store, "nonsense@last@hsinchu")


def test_sobol_indices_recover_a_known_function(tmp_path, monkeypatch):
    # Replace the engine by an additive test function through the runner hook:
    # Y = 4 zeta1 + budget/40 (no effect of the third parameter) -> ST of the third ~ 0.
    res = run_sweep("hsinchu", THREE, store=tmp_path / "st", method="sobol", samples=32, years=3, firms=50,
                    outcomes=["tech_mean@last"], execution=SERIAL, runner=additive_runner)
    assert res.report.done == 32 * 8
    t = analyze(tmp_path / "st", "tech_mean@last", num_resamples=100).table.set_index("param")
    assert t.loc["innovation.spillover_effect", "ST"] < 0.01
    assert t.loc["innovation.zeta1", "S1"] > 0.3 and t.loc["regions.hsinchu.budget", "S1"] > 0.05
    assert abs(t["S1"].sum() - 1) < 0.3  # additive: first-order indices sum to one


def additive_runner(scenario, seed, years, firms):
    y = 4 * scenario.innovation.zeta1 + scenario.regions[0].budget / 40
    return pd.DataFrame({"year": [scenario.start_year], "region": [scenario.regions[0].name], "tech_mean": [y]})


def test_morris_screening(tmp_path):
    run_sweep("hsinchu", THREE, store=tmp_path / "m", method="morris", samples=4, years=4, firms=100,
              outcomes=["patents_cum@last"], execution=SERIAL, levels=4)
    res = analyze(tmp_path / "m", "patents_cum@last", num_resamples=50)
    assert res.method == "morris" and res.n_points == 16
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(res.table.columns)
    assert (res.table["mu_star"] >= 0).all() and np.isfinite(res.table["sigma"]).all()


def test_sensitivity_refuses_incomplete_sweeps(tmp_path):
    from test_experiments_executors import broken_runner

    run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store=tmp_path / "x", method="lhs", samples=3, years=3,
              firms=50, outcomes=["firms@last"], execution=Execution(executor="serial", retries=0),
              runner=broken_runner)
    with pytest.raises(InputError, match="3 of 3 design points have no successful run"):
        analyze(tmp_path / "x", "firms@last")


def test_compare_arms_common_random_numbers(tmp_path):
    from innocluster.scenario import load_scenario

    zeta1 = load_scenario("hsinchu").innovation.zeta1  # setting the current value again
    arms = {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"], "same": [f"innovation.zeta1={zeta1!r}"]}
    cmp = compare_arms("hsinchu", arms, replications=6, outcomes=["firms@last@periphery", "patents_cum@last"],
                       years=5, firms=200, seed=3, execution=Execution(workers=2), store=tmp_path / "arms")
    runs = cmp.runs
    assert len(runs) == 18 and cmp.report.failed == 0
    # common random numbers: replication r has the same seed in every arm
    for arm in arms:
        assert runs.loc[runs["arm"] == arm].sort_values("rep")["seed"].tolist() == \
            [replication_seed(3, r) for r in range(6)]
    # an arm identical to the baseline (hsinchu's own zeta1) differs by exactly zero
    same = cmp.differences.query("arm == 'same'")
    assert (same["diff"] == 0).all() and (same["ci_low"] == 0).all() and (same["ci_high"] == 0).all()
    s = cmp.summary.query("outcome == 'firms@last@periphery'").set_index("arm")
    assert (s["ci_low"] <= s["mean"]).all() and (s["mean"] <= s["ci_high"]).all() and (s["n"] == 6).all()
    d = cmp.differences.query("arm == 'no_spinoffs' and outcome == 'firms@last@periphery'").iloc[0]
    paired = (runs[runs.arm == "no_spinoffs"].set_index("rep")["firms@last@periphery"]
              - runs[runs.arm == "base"].set_index("rep")["firms@last@periphery"])
    assert d["diff"] == pytest.approx(paired.mean()) and d["n_pairs"] == 6
    # stored: `results compare` reproduces the numbers; re-running resumes with nothing to do
    r = run_cli("results", "compare", str(tmp_path / "arms"), "--outcome", "firms@last@periphery")
    assert r.returncode == 0, r.stderr
    assert "no_spinoffs" in r.stdout and "paired differences" in r.stdout
    again = compare_arms("hsinchu", arms, replications=6, outcomes=["firms@last@periphery", "patents_cum@last"],
                         years=5, firms=200, seed=3, execution=SERIAL, store=tmp_path / "arms")
    assert again.report.skipped == 18 and again.report.done == 0
    pd.testing.assert_frame_equal(again.summary, cmp.summary)


def test_paired_interval_is_narrower_than_unpaired():
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 10, 30)  # noise both arms share through the common seeds
    runs = pd.DataFrame({"arm": ["a"] * 30 + ["b"] * 30, "rep": list(range(30)) * 2,
                         "y": np.r_[shared, shared + 1 + rng.normal(0, 0.5, 30)]})
    summary, diffs = summarize_arms(runs, ["y"])
    d = diffs.iloc[0]
    assert d["ci_low"] < 1 < d["ci_high"] and d["ci_high"] - d["ci_low"] < 1
    sa = summary.set_index("arm")
    assert sa.loc["a", "ci_high"] - sa.loc["a", "ci_low"] > 5


def test_compare_arms_cli_and_bad_arm(tmp_path):
    r = run_cli("compare-arms", "hsinchu", "--arm", "base=", "--arm", "bad=innovation.zeta2=99",
                "--outcome", "firms@last", "--years", "3", "--firms", "50")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "arm bad" in lines[0] and "[0, 10]" in lines[0]
    r = run_cli("results", "compare", str(tmp_path / "none"), "--outcome", "firms@last")
    assert r.returncode == 2 and "not an innocluster results store" in r.stderr
