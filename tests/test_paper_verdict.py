"""The verdict rule on synthetic effects and intervals, and the claim definitions."""

from __future__ import annotations

import math

import pytest

from innocluster.paper.claims import (
    CLAIMS,
    direct_intervention_split,
    rule_making_split,
    vc_scaled,
)
from innocluster.paper.derived import shows_full_path
from innocluster.paper.run import wilson
from innocluster.paper.verdict import combine_verdicts, verdict


@pytest.mark.parametrize("effect, lo, hi, direction, neg, expected", [
    (0.3, 0.1, 0.5, +1, 0.0, "supported"),
    (-0.3, -0.5, -0.1, -1, 0.0, "supported"),
    (-0.3, -0.5, -0.1, +1, 0.0, "not supported"),   # excludes zero on the wrong side
    (0.3, 0.1, 0.5, -1, 0.0, "not supported"),
    (0.001, -0.002, 0.004, +1, 0.01, "not supported"),  # negligible and tight
    (0.1, -0.2, 0.4, +1, 0.01, "depends"),          # wide, straddles zero
    (0.0, 0.0, 0.0, +1, 0.0, "depends"),            # no band: cannot call it negligible
    (math.nan, math.nan, math.nan, +1, 0.1, "depends"),
    (0.02, 0.005, 0.04, +1, 0.05, "supported"),     # excludes zero even though small
])
def test_verdict_rule(effect, lo, hi, direction, neg, expected):
    assert verdict(effect, lo, hi, direction, neg) == expected


def test_verdict_rejects_bad_direction():
    with pytest.raises(ValueError):
        verdict(1, 0.5, 1.5, 0)


def test_combine():
    assert combine_verdicts(["supported"] * 3) == "supported"
    assert combine_verdicts(["not supported"] * 2) == "not supported"
    assert combine_verdicts(["supported", "not supported"]) == "depends"   # holds only for some settings
    assert combine_verdicts(["supported", "depends"]) == "depends"
    assert combine_verdicts([]) == "depends"


def test_wilson_and_path():
    lo, hi = wilson(10, 20)
    assert lo < 0.5 < hi
    assert wilson(0, 5)[0] == 0.0
    assert shows_full_path(["budding", "growth", "maturity", "growth", "maturity", "decline"])
    assert not shows_full_path(["budding", "growth", "decline", "maturity"])


def test_claims_cover_the_issue():
    ids = {c.id for c in CLAIMS}
    assert len(ids) == len(CLAIMS)
    for must in ("inside-patent-share", "inside-rd-share", "inside-productivity-growth", "inside-average-cost",
                 "inside-sme-survival", "mech-cost-risk", "mech-diffusion-spinoffs", "mech-polarisation",
                 "policy-rule-vs-direct", "policy-vc-size", "policy-vc-private", "policy-intermediaries",
                 "policy-stage-programme", "lifecycle-path", "lifecycle-lock-in", "lifecycle-race"):
        assert must in ids
    for c in CLAIMS:
        for s in c.settings:
            arms = {a.name for a in s.arms}
            assert s.baseline_arm in arms
            assert all(t.arm in arms and t.outcome in s.outcomes for t in s.tests)


def test_budget_moves_keep_the_total():
    from innocluster.scenario import apply_overrides, load_scenario

    sc = load_scenario("china-sme-baseline")
    total = sum(sc.government.shares.values())
    for f in (rule_making_split(0.3), direct_intervention_split(0.3)):
        moved = apply_overrides(sc, f(sc))
        assert sum(moved.government.shares.values()) == pytest.approx(total, abs=1e-6)
        assert moved.government.selection_accuracy == 0.3
    rule = apply_overrides(sc, rule_making_split(0.3)(sc))
    assert rule.government.shares["direct_subsidy"] == 0
    direct = apply_overrides(sc, direct_intervention_split(0.3)(sc))
    assert direct.government.shares["infrastructure"] == 0
    x4 = apply_overrides(sc, vc_scaled(4)(sc))
    assert x4.regions[0].vc_pool == pytest.approx(4 * sc.regions[0].vc_pool)
