"""The verdict rule (equivalence before difference, Holm, MDE) on synthetic data, the
within-firm estimator, and the claim definitions and their scenario overrides."""

from __future__ import annotations

import math

import numpy as np
import pytest

from innocluster.paper.claims import (
    CLAIMS,
    ENDOWMENT_LEVELS,
    direct_intervention_split,
    equal_endowments,
    lock_in_remedy,
    rule_making_split,
    vc_binding,
    vc_scaled,
)
from innocluster.paper.derived import fe_effect, shows_full_path
from innocluster.paper.run import ClaimResult, adjust_and_decide, wilson
from innocluster.paper.run import TestResult as Result
from innocluster.paper.verdict import (
    BANDS,
    DEPENDS,
    NOT_SUPPORTED,
    SUPPORTED,
    band_for,
    combine_verdicts,
    decide,
    holm,
    level_evidence,
    paired_evidence,
    replications_for_band,
    share_evidence,
    t_mde,
)


# ---------------------------------------------------------------- the rule

def test_tost_equivalent_when_differences_are_small_and_tight():
    rng = np.random.default_rng(1)
    base = rng.normal(10, 1, 30)
    arm = base + rng.normal(0.001, 0.01, 30)       # tiny effect, tight: inside a band of 0.05
    ev = paired_evidence(arm, base, band=0.05)
    assert ev.tost_p < 0.05
    verdict, reason = decide(ev.effect, +1, ev.p_raw, ev.tost_p, 0.05, ev.mde)
    assert verdict == NOT_SUPPORTED and reason.startswith("equivalent")


def test_tost_not_equivalent_and_supported_when_the_effect_is_large():
    rng = np.random.default_rng(2)
    base = rng.normal(10, 1, 30)
    arm = base + rng.normal(0.5, 0.1, 30)
    ev = paired_evidence(arm, base, band=0.05)
    assert ev.tost_p > 0.5 and ev.p_raw < 1e-6
    assert decide(ev.effect, +1, ev.p_raw, ev.tost_p, 0.05, ev.mde)[0] == SUPPORTED
    assert decide(ev.effect, -1, ev.p_raw, ev.tost_p, 0.05, ev.mde)[0] == NOT_SUPPORTED


def test_equivalence_is_decided_before_supported():
    # a significant difference inside the band: not supported (negligible), not supported-as-predicted
    rng = np.random.default_rng(3)
    base = rng.normal(0, 1, 200)
    arm = base + 0.01 + rng.normal(0, 0.002, 200)
    ev = paired_evidence(arm, base, band=0.05)
    assert ev.p_raw < 0.05 and ev.tost_p < 0.05
    assert decide(ev.effect, +1, ev.p_raw, ev.tost_p, 0.05)[0] == NOT_SUPPORTED


def test_depends_and_underpowered():
    rng = np.random.default_rng(4)
    base = rng.normal(0, 1, 3)
    arm = base + rng.normal(0.0, 1.0, 3)
    ev = paired_evidence(arm, base, band=0.05)
    v, reason = decide(ev.effect, +1, ev.p_raw, ev.tost_p, 0.05, ev.mde)
    assert v == DEPENDS and "underpowered" in reason
    assert decide(math.nan, +1, math.nan, math.nan, 0.1)[0] == DEPENDS
    with pytest.raises(ValueError):
        decide(1.0, 0, 0.01, 0.5, 0.1)


def test_identical_arms_are_equivalent_exactly():
    x = np.arange(5.0)
    ev = paired_evidence(x, x, band=0.01)
    assert ev.effect == 0 and ev.tost_p == 0 and ev.p_raw == 1
    assert decide(ev.effect, +1, ev.p_raw, ev.tost_p, 0.01)[0] == NOT_SUPPORTED
    # no band: identical arms cannot be called negligible
    ev0 = paired_evidence(x, x, band=0.0)
    assert decide(ev0.effect, +1, ev0.p_raw, ev0.tost_p, 0.0)[0] == DEPENDS


def test_level_and_share_evidence():
    ev = level_evidence([0.5, 0.6, 0.55, 0.52, 0.58], 0.0, band=0.01)
    assert ev.p_raw < 0.01 and ev.tost_p > 0.5 and ev.effect == pytest.approx(0.55)
    ev = level_evidence([0.001, -0.001, 0.0005, -0.0005, 0.0], 0.0, band=0.01)
    assert ev.tost_p < 0.05
    sh = share_evidence(19, 20, 0.5, band=0.1)
    assert sh.effect == pytest.approx(0.45) and sh.p_raw < 0.001 and sh.tost_p > 0.5
    sh = share_evidence(10, 20, 0.5, band=0.1)
    assert sh.p_raw == pytest.approx(1.0) and sh.mde > 0.1      # 20 replications cannot show equivalence
    lo, hi = wilson(10, 20)
    assert lo < 0.5 < hi


def test_replications_for_band_are_where_the_mde_meets_the_band():
    for sd, band in ((1.0, 0.3), (2.5, 1.0), (0.2, 0.05)):
        n = int(replications_for_band(kind="paired", sd=sd, band=band))
        assert t_mde(sd, n) <= band + 1e-9 < t_mde(sd, n - 1), (sd, band, n)
    # a share: the MDE of share_evidence at that many runs is the band
    n = int(replications_for_band(kind="share", sd=0.5, band=0.1, reference=0.3))
    assert share_evidence(0, n, 0.3, 0.0).mde <= 0.1 < share_evidence(0, n - 1, 0.3, 0.0).mde
    # an effect size so large that statsmodels' solver does not converge: found by search
    n = int(replications_for_band(kind="paired", sd=1.0, band=5.0))
    assert t_mde(1.0, n) <= 5.0 and (n == 2 or t_mde(1.0, n - 1) > 5.0)
    assert math.isnan(replications_for_band(kind="paired", sd=1.0, band=0.0))
    assert math.isnan(replications_for_band(kind="share", sd=0.5, band=0.1))  # no reference share


def test_mde_falls_with_replications():
    assert t_mde(1.0, 5) > t_mde(1.0, 20) > t_mde(1.0, 80)
    assert t_mde(1.0, 20) == pytest.approx(0.66, abs=0.01)     # (t_.975 + t_.8) / sqrt(20)
    assert t_mde(0.0, 10) == 0.0 and math.isnan(t_mde(1.0, 1))


def test_holm_matches_the_definition():
    p = [0.01, 0.04, 0.03, 0.5]
    # sorted 0.01, 0.03, 0.04, 0.5 -> 4*0.01, 3*0.03, max(.09, 2*.04), max(.09, 1*.5)
    assert holm(p).tolist() == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert np.isnan(holm([0.01, float("nan")])[1])


def _tr(p_raw, tost, effect=0.2, band=0.01, primary=True):
    return Result("s", "a", "b", "o", +1, effect, effect - 0.1, effect + 0.1, 1.0, band, "", 20,
                      primary=primary, sd=0.2, p_raw=p_raw, tost_p=tost, mde=0.1)


def test_holm_over_the_claim_set_can_turn_a_verdict():
    from innocluster.paper.claims import CLAIMS as ALL

    c = ALL[0]
    alone = [ClaimResult(c, [], [_tr(0.03, 0.9)], "")]
    adjust_and_decide(alone)
    assert alone[0].tests[0].verdict == SUPPORTED and alone[0].verdict == SUPPORTED
    many = [ClaimResult(c, [], [_tr(0.03, 0.9)] + [_tr(0.5, 0.9) for _ in range(9)], "")]
    adjust_and_decide(many)
    t = many[0].tests[0]
    assert t.p_holm == pytest.approx(0.3) and t.verdict == DEPENDS
    assert math.isfinite(t.mde_bonferroni) and t.mde_bonferroni > t_mde(0.2, 20)


def test_descriptive_tests_do_not_decide_the_claim():
    c = CLAIMS[0]
    res = [ClaimResult(c, [], [_tr(1e-6, 0.9), _tr(1e-6, 0.9, effect=-0.2, primary=False)], "")]
    adjust_and_decide(res)
    assert res[0].tests[1].verdict == NOT_SUPPORTED and res[0].verdict == SUPPORTED


def test_combine():
    assert combine_verdicts(["supported"] * 3) == "supported"
    assert combine_verdicts(["not supported"] * 2) == "not supported"
    assert combine_verdicts(["supported", "not supported"]) == "depends"
    assert combine_verdicts([]) == "depends"


def test_every_band_is_justified():
    for name, b in BANDS.items():
        assert b.why and (b.abs > 0 or b.rel > 0), name
    assert band_for("no_such_outcome").rel > 0
    assert band_for("patents_total").width(1000.0) == pytest.approx(50.0)


# ---------------------------------------------------------------- within firm

def test_fixed_effects_separate_sorting_from_treatment():
    rng = np.random.default_rng(5)
    n, T = 400, 10
    firm = np.repeat(np.arange(n), T)
    year = np.tile(np.arange(T), n)
    quality = rng.normal(0, 1, n)
    # better firms sort into the cluster (half of the top firms move in at year 5)
    movers = quality > 0.5
    stayers_in = quality > 1.5
    inside = ((movers[firm] & (year >= 5)) | stayers_in[firm]).astype(float)
    y_no = quality[firm] + 0.1 * year + rng.normal(0, 0.1, n * T)
    raw_gap = y_no[inside == 1].mean() - y_no[inside == 0].mean()
    assert raw_gap > 0.5                                    # sorting alone makes a big raw gap
    b, m = fe_effect(firm, year, inside, y_no)
    assert abs(b) < 0.05 and m == int((movers & ~stayers_in).sum())
    b, _ = fe_effect(firm, year, inside, y_no + 0.3 * inside)
    assert b == pytest.approx(0.3, abs=0.05)
    assert math.isnan(fe_effect(firm, year, np.zeros(n * T), y_no)[0])   # nobody moves: no estimate


# ---------------------------------------------------------------- claims and overrides

def test_claims_cover_the_issue():
    ids = {c.id for c in CLAIMS}
    assert len(ids) == len(CLAIMS)
    for must in ("inside-patent-share", "inside-rd-share", "inside-productivity-growth", "inside-average-cost",
                 "inside-sme-survival", "mech-cost-risk", "mech-diffusion-spinoffs", "mech-polarisation",
                 "policy-rule-vs-direct", "policy-vc-size", "policy-vc-private", "policy-intermediaries",
                 "policy-stage-programme", "lifecycle-path", "lifecycle-lock-in", "lifecycle-race"):
        assert must in ids
    for c in CLAIMS:
        assert any(t.primary for s in c.settings for t in s.tests), c.id
        for s in c.settings:
            arms = {a.name for a in s.arms}
            assert s.baseline_arm in arms
            assert all(t.arm in arms and t.outcome in s.outcomes for t in s.tests)
            # no test on the subsidised-loss-maker zombie share: zero by construction without subsidies
            assert all(t.outcome != "zombie_share_late" for t in s.tests)


def test_inside_claims_have_three_designs_and_raw_is_descriptive():
    for c in CLAIMS:
        if not c.id.startswith("inside-"):
            continue
        labels = [s.label for s in c.settings]
        assert any("raw gap" in lb for lb in labels) and any("equal endowments" in lb for lb in labels)
        for s in c.settings:
            if "raw gap" in s.label:
                assert not any(t.primary for t in s.tests)
        if c.id != "inside-sme-survival":
            assert any("within firm" in lb for lb in labels)


def test_ablations_and_policies_report_totals_and_cohorts():
    for c in CLAIMS:
        if c.group.startswith("Economic") or c.id in ("policy-vc-size", "policy-intermediaries",
                                                      "policy-stage-programme"):
            outs = {t.outcome for s in c.settings for t in s.tests}
            assert {"patents_per_firm_late", "patents_total", "cohort_patents"} <= outs, c.id


def test_equal_endowments_give_the_periphery_per_firm():
    from innocluster.scenario import apply_overrides, load_scenario

    for name in ("hsinchu", "china-sme-baseline"):
        sc = load_scenario(name)
        eq = apply_overrides(sc, equal_endowments(sc))
        c, p = eq.regions[0], eq.regions[1]
        assert c.kind == "cluster" and p.kind != "cluster"
        for k in ENDOWMENT_LEVELS:
            assert getattr(c, k) == pytest.approx(getattr(p, k)), k
        for k in ("budget", "infrastructure", "vc_pool"):
            assert getattr(c, k) / c.initial_firms == pytest.approx(getattr(p, k) / p.initial_firms, rel=1e-6)
        assert (c.x, c.y, c.radius) == (sc.regions[0].x, sc.regions[0].y, sc.regions[0].radius)  # location kept


def test_remedies_do_not_set_detector_inputs():
    from innocluster.scenario import load_scenario

    sc = load_scenario("lock-in")
    assert not any("external_links" in o for o in lock_in_remedy(sc))


def test_budget_moves_keep_the_total_and_vc_arms_bind():
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
    bound = apply_overrides(sc, vc_binding(4)(sc))
    assert bound.finance.vc_matching > sc.finance.vc_matching
    assert bound.finance.vc_screen_quantile < sc.finance.vc_screen_quantile


def test_trap_budget_is_a_share_of_revenue(monkeypatch):
    from innocluster.paper import claims as cl
    from innocluster.scenario import load_scenario

    monkeypatch.setattr(cl, "region_revenue", lambda sc, region: 1000.0)
    sc = load_scenario("china-sme-baseline")
    assert cl.budget_share_of_revenue(0.03)(sc) == [f"regions.{sc.regions[0].name}.budget=30"]
    trap = next(c for c in CLAIMS if c.id == "policy-rule-vs-direct")
    assert any(a.scenario == "italy-overintervention" for s in trap.settings for a in s.arms)


def test_public_screening_noise_is_a_parameter_with_a_source():
    from innocluster.scenario.schema import Finance

    info = Finance.model_fields["vc_public_screening_noise"]
    assert info.default == 1.0                                  # the engine's outputs are unchanged
    assert "Brander" in str(info.json_schema_extra or info.description or info)
    vc_private = next(c for c in CLAIMS if c.id == "policy-vc-private")
    equal = [s for s in vc_private.settings if "equal skill" in s.label]
    assert equal and not any(t.primary for t in equal[0].tests)   # same model in both arms: descriptive


def test_path():
    assert shows_full_path(["budding", "growth", "maturity", "growth", "maturity", "decline"])
    assert not shows_full_path(["budding", "growth", "decline", "maturity"])


# ---------------------------------------------------------------- firm-level summaries of a run

def test_firm_tracker_cohorts_and_zombies_by_support():
    from innocluster.paper.derived import paper_runner
    from innocluster.scenario import apply_overrides, load_scenario

    sc = load_scenario("italy-overintervention")
    last = paper_runner(sc, seed=3, years=8, firms=120).groupby("region").tail(1)
    assert (last["cohort_patents"].sum() <= last["patents_total"].sum())
    assert last["cohort_survival"].between(0, 1).all()
    assert last["zombie_support_share_late"].between(0, 1).all()
    cluster = last[last["region"] == sc.regions[0].name].iloc[0]
    assert cluster["movers"] >= 0 and "within_tech_growth" in last.columns
    # no firm-level support at all (no subsidies, no VC): nobody can be kept alive by it
    none = apply_overrides(sc, ["mechanisms.venture_capital=false", *rule_making_split(0.5)(sc)])
    bare = paper_runner(none, seed=3, years=8, firms=120).groupby("region").tail(1)
    assert (bare["zombie_support_share_late"].fillna(0) == 0).all()


def test_robustness_bounds_around_positive_negative_and_zero_defaults():
    from innocluster.paper.robustness import SCREENED, bounds

    lo, hi, d = bounds("diffusion.frontier_rate")
    assert (lo, hi) == pytest.approx((d / 2, d * 2))
    lo, hi, d = bounds("exit.unviable_margin")  # a negative threshold
    assert d < 0 and lo == pytest.approx(2 * d) and hi == pytest.approx(d / 2) and lo < hi
    lo, hi, d = bounds("innovation.productivity_shock_persistence")  # strictly below 1
    assert lo == pytest.approx(d / 2) and 0.99 < hi < 1
    for p in SCREENED:  # every screened parameter has a range
        lo, hi, _ = bounds(p)
        assert hi > lo, p


def test_a_significant_effect_inside_the_band_is_not_supported_as_predicted():
    """A difference shown (Holm p < 0.05) whose estimate lies inside the negligible band
    but is not shown equivalent to it (TOST not significant) is undecided: the claim is
    about an effect that matters. The same estimate outside the band is supported, and a
    significant effect of the opposite sign still refutes the prediction."""
    v, reason = decide(0.0033, +1, 0.005, 0.95, 0.005)
    assert v == DEPENDS and "inside the negligible band" in reason
    assert decide(0.0060, +1, 0.005, 0.95, 0.005)[0] == SUPPORTED
    assert decide(-0.0033, +1, 0.005, 0.95, 0.005)[0] == NOT_SUPPORTED
    assert decide(0.0033, +1, 0.005, 0.95, 0.0)[0] == SUPPORTED  # no band: any difference counts
