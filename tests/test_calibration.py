"""Calibration by the simulated method of moments: moment formulas, recovery of a known
parameter, and the shipped calibrated scenarios hitting their documented targets.

The built-in scenarios' parameter values come from `innocluster calibrate` run on the
targets files in ``scenario/builtin/targets`` (their headers record the command); these
tests re-simulate them on fresh seeds and check every target within its stated
tolerance. Nothing here is tuned to the tests: the calibration code reaches the targets.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import run_cli

from innocluster.calibration import (
    Target,
    TargetsFile,
    calibrate,
    load_targets,
    target_table,
)
from innocluster.calibration.smm import MomentEvaluator
from innocluster.errors import InputError
from innocluster.experiments import Execution
from innocluster.experiments.seeds import replication_seed
from innocluster.scenario import apply_overrides, load_scenario
from innocluster.scenario.io import builtin_path

CALIBRATED = ["china-sme-baseline", "hsinchu", "bangalore", "italy-overintervention", "lock-in",
              "race-to-the-bottom"]


def test_moment_formulas():
    regions = ["c", "p"]
    v = {"share_rd_active@2003@c": 0.5, "share_rd_active@2003@p": 0.2, "firms@2003@c": 100.0, "firms@2003@p": 300.0,
         "patents_new@2003@c": 110.0, "patents_new@2002@c": 100.0, "exports@2003@c": 30.0, "exports@2003@p": 70.0}
    level = Target(name="a", metric="share_rd_active", region="all", year=2003, value=0, tolerance=1)
    assert level.moment(v, regions) == pytest.approx((0.5 * 100 + 0.2 * 300) / 400)
    growth = Target(name="g", metric="patents_new", region="c", year=2003, kind="growth", value=0, tolerance=1)
    assert growth.moment(v, regions) == pytest.approx(0.1)
    share = Target(name="s", metric="exports", region="c", year=2003, kind="share_of_total", value=0, tolerance=1)
    assert share.moment(v, regions) == pytest.approx(0.3)
    assert set(growth.outcomes(regions)) == {"patents_new@2003@c", "patents_new@2002@c"}
    with pytest.raises(ValueError):
        Target(name="bad", metric="x", region="all", kind="share_of_total", year=2003, value=0, tolerance=1)


def test_ratio_target_divides_summed_counts_of_two_years():
    """Five-year survival: survivors of the cohort in 2009 over its entries in 2004, summed
    over regions before dividing (not a mean of the regions' ratios)."""
    regions = ["c", "p"]
    v = {"survivors_5y@2009@c": 30.0, "survivors_5y@2009@p": 10.0, "entries@2004@c": 40.0, "entries@2004@p": 60.0}
    t = Target(name="s", metric="survivors_5y", kind="ratio", denominator="entries", denominator_year=2004,
               year=2009, value=0.5, tolerance=0.1)
    assert set(t.outcomes(regions)) == set(v)
    assert t.moment(v, regions) == pytest.approx(0.4)
    one = Target(name="c", metric="survivors_5y", region="c", kind="ratio", denominator="entries",
                 denominator_year=2004, year=2009, value=0.5, tolerance=0.1)
    assert one.moment(v, regions) == pytest.approx(0.75)
    assert np.isnan(t.moment({**v, "entries@2004@c": 0.0, "entries@2004@p": 0.0}, regions))


@pytest.mark.parametrize("fields, message", [
    ({"kind": "ratio"}, "go together"),
    ({"denominator": "entries"}, "go together"),
    ({"kind": "ratio", "denominator": "margin"}, "'margin' is not one"),
    ({"denominator_year": 2004}, "needs kind 'ratio'"),
    ({"kind": "ratio", "denominator": "entries", "year": "last"}, "needs a calendar year"),
])
def test_ratio_target_bad_input_is_named(fields, message):
    args = {"name": "s", "metric": "survivors_5y", "year": 2009, "value": 0.5, "tolerance": 0.1, **fields}
    with pytest.raises(ValueError, match=message):
        Target(**args)


def test_smm_recovers_a_known_parameter():
    """Simulate with a known patent propensity, then calibrate it back from elsewhere."""
    truth = 0.6
    sc = apply_overrides(load_scenario("core"), ["years=8"])
    tf = TargetsFile(scenario="core", replications=3, seed=11, years=8, firms=400, initial_design=6,
                     max_evaluations=25,
                     targets=[Target(name="ppf", metric="patents_per_firm", region="region", year="last",
                                     value=0.0, tolerance=0.01)],
                     parameters=[{"name": "innovation.patent_propensity", "low": 0.05, "high": 1.0}])
    ev = MomentEvaluator(apply_overrides(sc, [f"innovation.patent_propensity={truth}"]), tf,
                         Execution(executor="serial"))
    seeds = [replication_seed(tf.seed, r) for r in range(tf.replications)]
    observed = float(ev.run([[]], seeds)["ppf"].mean())
    # run-to-run spread of the moment at the truth, from 20 other seeds (three runs' own
    # spread is too rough an estimate to build a tolerance on)
    run_sd = float(ev.run([[]], [replication_seed(tf.seed + 100, r) for r in range(20)])["ppf"].std(ddof=1))
    ev.close()
    tf = tf.model_copy(update={"targets": [tf.targets[0].model_copy(update={"value": observed,
                                                                             "tolerance": 0.05 * observed})]})
    start = apply_overrides(sc, ["innovation.patent_propensity=0.15"])
    res = calibrate(start, tf, execution=Execution(executor="serial"))
    assert abs(res.parameters["innovation.patent_propensity"] - truth) < 0.1
    # the fitted moment, on the validation's fresh seeds, is close to the observed one:
    # a mean of three runs against a mean of 2 x 3 runs of 400 firms (patents per firm
    # vary by about 20% run to run), so they differ by sampling noise of
    # sd sqrt(1/3 + 1/6); allow 3.5 of those
    row = res.table.iloc[0]
    noise = run_sd * np.sqrt(1 / tf.replications + 1 / (2 * tf.replications))
    assert abs(row["simulated_mean"] - observed) < 3.5 * noise, (row["simulated_mean"], observed, run_sd)
    assert len(res.history) > tf.initial_design


@pytest.mark.parametrize("name", CALIBRATED)
def test_builtin_scenario_is_the_calibration_output(name):
    text = builtin_path(name).read_text()
    assert "calibrated by the simulated method of moments" in text
    assert f"innocluster calibrate {name} --targets {name}" in text
    tf = load_targets(name)
    sc = load_scenario(name)
    # every free parameter of the targets file is set in the scenario to the recorded value
    from innocluster.calibration.smm import _lookup

    for p in tf.parameters:
        recorded = re.search(rf"^#   {re.escape(p.name)} = (\S+)(?:  \[95% interval .*)?$", text, flags=re.M)
        assert recorded, p.name
        assert _lookup(sc, p.name) == pytest.approx(float(recorded.group(1)), rel=1e-5)


#: targets a calibrated scenario misses, each with its reason in docs/validation.md
#: ("Calibration"): the rest must be hit, and these must still be missed (a miss that
#: closes leaves this list)
KNOWN_MISSES = {
    "bangalore": {"entry_rate_2001"},
}


@pytest.mark.parametrize("name", CALIBRATED)
def test_calibrated_scenario_hits_targets(name):
    """Fresh replications (a root seed the calibration never used) hit every target but
    the documented misses."""
    tf = load_targets(name)
    tf = tf.model_copy(update={"seed": tf.seed + 1000})
    sc = load_scenario(name)
    ev = MomentEvaluator(sc, tf, Execution(workers=2))
    try:
        moments = ev.run([[]], [replication_seed(tf.seed, r) for r in range(max(4, tf.replications))])
    finally:
        ev.close()
    table = target_table(moments, tf)
    known = KNOWN_MISSES.get(name, set())
    missed = table[~table["within_tolerance"] & ~table["target"].isin(known)]
    assert missed.empty, missed[["target", "value", "tolerance", "simulated_mean", "ci_low", "ci_high"]].to_string()
    still_missed = set(table.loc[~table["within_tolerance"], "target"])
    assert known <= still_missed, f"{name}: documented misses now hit: {known - still_missed}"


def test_known_target_misses_are_documented():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text(encoding="utf-8")
    for name, targets in KNOWN_MISSES.items():
        for t in targets:
            assert f"`{t}`" in text, (name, t)


def test_targets_file_errors(tmp_path):
    p = tmp_path / "t.toml"
    p.write_text('scenario = "hsinchu"\n[[targets]]\nname = "x"\nmetric = "firms"\nvalue = 1\ntolerance = -1\n')
    with pytest.raises(InputError, match="tolerance"):
        load_targets(p)
    r = run_cli("calibrate", "hsinchu", "--targets", str(p))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("calibrate", "hsinchu", "--targets", "hsinchu", "--params", "nonsense")
    assert r.returncode == 2 and "NAME=LOW:HIGH" in r.stderr
    r = run_cli("calibrate", "hsinchu", "--targets", "hsinchu", "--params", "innovation.nope=0:1")
    assert r.returncode == 2 and "innovation.nope" in r.stderr
    r = run_cli("calibrate", "hsinchu", "--targets", str(tmp_path / "missing.toml"))
    assert r.returncode == 2 and "not found" in r.stderr


def test_calibrated_file_records_the_command_with_its_search_options(tmp_path):
    """The header's command reproduces the file: options that change the search are in it."""
    out = tmp_path / "cal.toml"
    r = run_cli("calibrate", "china-sme-baseline", "--targets", "china-sme-baseline", "--replications", "1",
                "--initial-design", "2", "--max-evaluations", "3", "--workers", "1", "--out", str(out))
    assert r.returncode in (0, 1), r.stderr  # 1: targets missed by so short a search
    command = re.search(r"^# Command: (.*)$", out.read_text(), flags=re.M).group(1)
    assert command == ("innocluster calibrate china-sme-baseline --targets china-sme-baseline "
                       "--replications 1 --max-evaluations 3 --initial-design 2")


def test_identification_flags_a_parameter_no_target_moves():
    """A parameter no target responds to is flagged as not identified; one the target
    moves strongly gets a finite interval inside its range."""
    from innocluster.calibration.smm import identification

    sc = apply_overrides(load_scenario("core"), ["years=6"])
    tf = TargetsFile(scenario="core", replications=2, seed=5, years=6, firms=300, initial_design=2,
                     max_evaluations=2,
                     targets=[Target(name="ppf", metric="patents_per_firm", region="region", year="last",
                                     value=1.0, tolerance=0.001)],
                     parameters=[{"name": "innovation.patent_propensity", "low": 0.05, "high": 1.0},
                                 {"name": "relocation.mne_rate", "low": 0.1, "high": 10.0}])
    ev = MomentEvaluator(sc, tf, Execution(executor="serial"))
    try:
        table = identification(ev, tf, [0.5, 1.0], [replication_seed(tf.seed, r) for r in range(2)])
    finally:
        ev.close()
    rows = table.set_index("parameter")
    assert not rows.loc["relocation.mne_rate", "identified"]
    assert rows.loc["relocation.mne_rate", "note"] == "no target responds to it"
    assert rows.loc["innovation.patent_propensity", "identified"], rows.to_string()
    assert 0.05 < rows.loc["innovation.patent_propensity", "ci_low"] < 0.5 < rows.loc["innovation.patent_propensity", "ci_high"] < 1.0
