"""Experiments: parameter specs, designs, seeds and outcome specs (no simulation runs
except the CLI checks, which stop before any run)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli, small

from innocluster.errors import InputError
from innocluster.experiments.outcomes import parse_outcome, parse_outcomes
from innocluster.experiments.problem import Problem, parse_param, parse_params
from innocluster.experiments.sampling import design_size, sample
from innocluster.experiments.seeds import replication_seed, run_seed, seed_for, seed_of


def test_parse_params_against_scenario():
    sc = small("hsinchu")
    p = parse_params(["innovation.zeta1=0.02:0.2", "regions.hsinchu.budget=1:40", "exit.grace_years=0:5",
                      "regions.periphery.budget=0:0.3"], sc)
    assert p.as_salib() == {"num_vars": 4,
                            "names": ["innovation.zeta1", "regions.hsinchu.budget", "exit.grace_years",
                                      "regions.periphery.budget"],
                            "bounds": [[0.02, 0.2], [1.0, 40.0], [0.0, 5.0], [0.0, 0.3]]}
    assert p.integer == (False, False, True, False)
    assert p.overrides([0.1, 2.5, 3.4, 0.0]) == ["innovation.zeta1=0.1", "regions.hsinchu.budget=2.5",
                                                 "exit.grace_years=3", "regions.periphery.budget=0.0"]
    assert Problem.from_dict(p.to_dict()) == p


@pytest.mark.parametrize("spec, words", [
    ("innovation.zeta1", ["NAME=LOW:HIGH"]),
    ("innovation.zeta1=0.2", ["NAME=LOW:HIGH"]),
    ("innovation.zeta1=a:b", ["numbers"]),
    ("innovation.zeta1=0.3:0.1", ["LOW must be below HIGH"]),
    ("innovation.zeta2=0:50", ["innovation.zeta2", "50", "[0, 10]"]),
    ("innovation.nonsense=0:1", ["unknown field", "innovation.nonsense"]),
    ("regions.nowhere.budget=0:1", ["no entry named", "nowhere"]),
    ("mechanisms.spinoffs=0:1", ["not a numeric parameter"]),
    ("exit.grace_years=0.5:3", ["integer"]),
])
def test_bad_params_are_input_errors(spec, words):
    with pytest.raises(InputError) as exc:
        parse_params([spec], small("hsinchu"))
    assert all(w in str(exc.value) for w in words), str(exc.value)
    assert "\n" not in str(exc.value)


def test_duplicate_param_rejected():
    with pytest.raises(InputError, match="more than once"):
        parse_params(["innovation.zeta1=0:1", "innovation.zeta1=0:2"])
    assert parse_param(" innovation.zeta1 =0:1") == ("innovation.zeta1", 0.0, 1.0)


@pytest.mark.parametrize("method, n, rows", [("lhs", 10, 10), ("sobol", 8, 8 * (2 * 3 + 2)),
                                             ("morris", 5, 5 * 4), ("grid", 3, 27)])
def test_designs_have_documented_size_bounds_and_are_seeded(method, n, rows):
    p = parse_params(["innovation.zeta1=0.02:0.2", "regions.hsinchu.budget=1:40", "exit.grace_years=0:5"],
                     small("hsinchu"))
    X = sample(p, method, n, seed=3)
    assert X.shape == (rows, 3) == (design_size(method, n, 3), 3)
    for j, (lo, hi) in enumerate(p.bounds):
        assert X[:, j].min() >= lo - 1e-12 and X[:, j].max() <= hi + 1e-12
    assert np.array_equal(X[:, 2], np.round(X[:, 2]))  # integer parameter rounded
    assert np.array_equal(X, sample(p, method, n, seed=3))
    if method != "grid":
        assert not np.array_equal(X, sample(p, method, n, seed=4))


def test_lhs_strata_cover_each_axis_once():
    p = Problem(("a", "b"), ((0.0, 1.0), (10.0, 20.0)))
    X = sample(p, "lhs", 20, seed=1)
    for j, (lo, hi) in enumerate(p.bounds):
        strata = np.floor((X[:, j] - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_sampling_errors():
    p = Problem(("a",), ((0.0, 1.0),))
    with pytest.raises(InputError, match="power of 2"):
        sample(p, "sobol", 6)
    with pytest.raises(InputError, match="lhs, sobol, morris, grid"):
        sample(p, "fast", 6)
    with pytest.raises(InputError, match="at least 2 levels"):
        sample(p, "grid", 1)


def test_seeds_are_spawn_children_keyed_not_positional():
    root = 12345
    tree = np.random.SeedSequence(root).spawn(4)
    for s in range(4):
        kids = tree[s].spawn(3)
        for r in range(3):
            assert run_seed(root, s, r) == seed_of(kids[r])
    seeds = {run_seed(root, s, r) for s in range(50) for r in range(10)}
    assert len(seeds) == 500 and all(0 <= x < 2**63 for x in seeds)
    # common random numbers: replication r shares one seed across samples / arms
    assert seed_for(root, 0, 2, common=True) == seed_for(root, 7, 2, common=True) == replication_seed(root, 2)
    assert replication_seed(root, 2) == seed_of(np.random.SeedSequence(root).spawn(3)[2])
    assert run_seed(root, 0, 0) != run_seed(root + 1, 0, 0)
    with pytest.raises(InputError):
        run_seed(-1, 0, 0)


def test_outcome_parsing():
    sc = small("hsinchu", "years=30")  # hsinchu starts in 1980
    metrics = ["patents_per_firm", "firms"]
    o = parse_outcome("patents_per_firm@2003", ["hsinchu", "periphery"], (1980, 2009), metrics)
    assert (o.metric, o.year, o.region, o.name) == ("patents_per_firm", 2003, "hsinchu", "patents_per_firm@2003@hsinchu")
    assert parse_outcome("firms@last@periphery", ["hsinchu", "periphery"]).name == "firms@last@periphery"
    ts = pd.DataFrame({"year": [1980, 1980, 1981, 1981], "region": ["hsinchu", "periphery"] * 2,
                       "firms": [5, 200, 7, 210]})
    assert parse_outcome("firms@last", ["hsinchu"]).value(ts) == 7.0
    assert parse_outcome("firms@first@periphery", ["periphery"]).value(ts) == 200.0
    for bad, words in [("patents_per_firm", "METRIC@YEAR"), ("nosuch@2000", "unknown metric"),
                       ("firms@1970", "outside the simulated years 1980-2009"), ("firms@soon", "calendar year"),
                       ("firms@2000@mars", "unknown region 'mars'"), ("firms@@", "METRIC@YEAR")]:
        with pytest.raises(InputError, match=words.replace("(", r"\(")):
            parse_outcome(bad, ["hsinchu", "periphery"], (1980, 2009), metrics)
    # against the real engine's columns
    assert [o.name for o in parse_outcomes(["share_credit_constrained@last", "firms@last"], sc)] == \
        ["share_credit_constrained@last@hsinchu", "firms@last@hsinchu"]


@pytest.mark.parametrize("args, words", [
    (["--param", "innovation.zeta2=0:50"], ["innovation.zeta2", "[0, 10]"]),
    (["--param", "innovation.zeta1"], ["NAME=LOW:HIGH"]),
    (["--param", "innovation.zeta1=0:1", "--outcome", "patents_per_firm@1850"], ["outside the simulated years"]),
    (["--param", "innovation.zeta1=0:1", "--outcome", "nonsense@last"], ["unknown metric"]),
    (["--param", "innovation.zeta1=0:1", "--method", "fast"], ["--method"]),
    (["--param", "innovation.zeta1=0:1", "--method", "sobol", "--samples", "6"], ["power of 2"]),
    (["--param", "innovation.zeta1=0:1", "--executor", "dask"], ["--scheduler"]),
])
def test_sweep_cli_bad_input_exits_2_with_one_line(tmp_path, args, words):
    r = run_cli("sweep", "hsinchu", "--out", str(tmp_path / "st"), "--years", "3", "--firms", "50", *args)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert all(w in lines[0] for w in words), lines[0]
