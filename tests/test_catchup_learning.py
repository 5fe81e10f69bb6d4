"""Catch-up to the frontier (:mod:`innocluster.model.catchup`), idiosyncratic
productivity shocks (:mod:`innocluster.model.shocks`) and learning about one's
viability (:mod:`innocluster.model.learning`): the rules on arrays, and their economic
effect with everything else fixed (same scenario, same seeds, on versus off)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innocluster.model.catchup import catch_up_to_frontier, stage_frontier
from innocluster.model.engine import simulate
from innocluster.model.learning import operating_margin, unviable, update_beliefs
from innocluster.model.shocks import productivity_shocks
from innocluster.validation import estimators as est

SEEDS = (1, 2, 3)
finite = st.floats(-20, 20, allow_nan=False)


# ------------------------------------------------------------------ catch-up: the rule
@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, 12, elements=finite), arrays(np.float64, 12, elements=finite), st.floats(0, 1))
def test_catch_up_closes_the_stated_share_of_the_gap_and_never_overshoots(A, frontier, rate):
    new = catch_up_to_frontier(A=A, frontier=frontier, rate=rate)
    behind = A < frontier
    assert np.array_equal(new[~behind], A[~behind])  # at or ahead of the frontier: untouched
    assert np.all(new[behind] >= A[behind]) and np.all(new[behind] <= frontier[behind] + 1e-9)
    np.testing.assert_allclose(frontier[behind] - new[behind], (1 - rate) * (frontier[behind] - A[behind]),
                               rtol=1e-9, atol=1e-9)


def test_stage_frontier_is_a_quantile_of_each_stage_and_minus_inf_for_an_empty_one():
    A = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 10.0])
    stage = np.array([0, 0, 0, 0, 0, 2])
    frontier = stage_frontier(A, stage, stages=3, quantile=0.75)
    assert frontier[0] == pytest.approx(3.0)  # the 75th percentile of 0..4
    assert frontier[1] == -np.inf
    assert frontier[2] == 10.0


# ------------------------------------------------------------------ catch-up: the economics
def _final_spread(res) -> float:
    """90-10 gap of technology within GVC stages in the final year, averaged over stages."""
    firms = res.firms
    gaps = firms.groupby("stage")["A"].quantile(0.9) - firms.groupby("stage")["A"].quantile(0.1)
    return float(gaps.mean())


def test_catch_up_narrows_dispersion_and_lifts_the_periphery():
    """Exit off in both arms, so that selection does not change who is measured."""
    still = "mechanisms.exit=false"
    on, off = small("hsinchu", still), small("hsinchu", still, "mechanisms.frontier_catchup=false")
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=25, firms=800)
        b = simulate(off, seed=seed, years=25, firms=800)
        # laggards close their gap: within-stage dispersion is narrower
        assert _final_spread(a) < _final_spread(b), seed
        # the periphery (lower technology) gains on the park: its gap to the park narrows
        gap_on = a.region("hsinchu")["tech_mean"].iloc[-1] - a.region("periphery")["tech_mean"].iloc[-1]
        gap_off = b.region("hsinchu")["tech_mean"].iloc[-1] - b.region("periphery")["tech_mean"].iloc[-1]
        assert gap_on < gap_off, seed


def _no_innovation_world(n, *, catch_up, shocks, rate=0.05, sd=0.1, rho=0.8):
    firms = SimpleNamespace(n=n, A=np.zeros(n), shock=np.zeros(n), stage=np.arange(n) % 2)
    scenario = SimpleNamespace(
        mechanisms=SimpleNamespace(frontier_catchup=catch_up, productivity_shocks=shocks),
        diffusion=SimpleNamespace(frontier_rate=rate, frontier_quantile=0.95),
        innovation=SimpleNamespace(productivity_shock_sd=sd, productivity_shock_persistence=rho))
    return SimpleNamespace(firms=firms, scenario=scenario, S=2)


def test_shocks_and_catch_up_together_do_not_make_technology_drift():
    """Without research or absorption nothing should raise technology for good: catch-up
    reads the lasting part of technology, so laggards do not catch up with luck that fades."""
    from innocluster.model.catchup import frontier_catchup

    rng = np.random.default_rng(11)
    w = _no_innovation_world(4000, catch_up=True, shocks=True)
    for year in range(100):
        frontier_catchup(w)
        productivity_shocks(w, rng)
        if year == 49:
            mid = w.firms.A.mean()
    drift = (w.firms.A.mean() - mid) / 50
    assert abs(drift) < 0.002, drift  # a version reading A itself drifted by 0.013 a year
    assert w.firms.A.std() > 0.1  # the shocks still spread firms


def test_catch_up_does_not_empty_the_periphery():
    on, off = small("hsinchu"), small("hsinchu", "mechanisms.frontier_catchup=false")
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=25, firms=800)
        b = simulate(off, seed=seed, years=25, firms=800)
        assert a.region("periphery")["firms"].iloc[-1] >= 0.8 * b.region("periphery")["firms"].iloc[-1], seed


# ------------------------------------------------------------------ learning: the rule
def _world(*, revenue, profit, rd, belief, seen, prior=2.0, margin=0.0, on=True):
    firms = SimpleNamespace(n=len(revenue), revenue=np.asarray(revenue, float), profit=np.asarray(profit, float),
                            rd=np.asarray(rd, float), margin_belief=np.asarray(belief, float),
                            years_observed=np.asarray(seen, np.int16))
    scenario = SimpleNamespace(mechanisms=SimpleNamespace(learning_exit=on),
                               exit=SimpleNamespace(learning_prior_years=prior, unviable_margin=margin))
    return SimpleNamespace(firms=firms, scenario=scenario)


def test_operating_margin_is_before_rd_clipped_and_minus_one_without_sales():
    m = operating_margin(profit=np.array([-1.0, 5.0, -50.0, 0.0]), rd=np.array([2.0, 0.0, 0.0, 1.0]),
                         revenue=np.array([10.0, 2.0, 10.0, 0.0]))
    np.testing.assert_allclose(m, [0.1, 1.0, -1.0, -1.0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=15), st.floats(0, 10))
def test_belief_is_the_mean_of_the_margins_seen_shrunk_toward_break_even(margins, prior):
    w = _world(revenue=[1.0], profit=[0.0], rd=[0.0], belief=[0.0], seen=[0], prior=prior)
    for m in margins:
        w.firms.profit[:] = m
        update_beliefs(w)
    assert w.firms.years_observed[0] == len(margins)
    assert w.firms.margin_belief[0] == pytest.approx(sum(margins) / (len(margins) + prior), abs=1e-9)


def test_a_firm_without_sales_learns_nothing_and_a_switched_off_rule_exits_nobody():
    w = _world(revenue=[0.0, 1.0], profit=[-1.0, -0.5], rd=[0.0, 0.0], belief=[0.0, 0.0], seen=[3, 0])
    update_beliefs(w)
    assert w.firms.margin_belief[0] == 0.0 and w.firms.years_observed[0] == 3
    assert w.firms.years_observed[1] == 1 and w.firms.margin_belief[1] < 0
    assert unviable(w).tolist() == [False, True]
    off = _world(revenue=[1.0], profit=[-1.0], rd=[0.0], belief=[-0.9], seen=[5], on=False)
    update_beliefs(off)
    assert off.firms.years_observed[0] == 5 and not unviable(off).any()


# ------------------------------------------------------------------ learning: the economics
def test_learning_selects_young_unviable_firms_and_leaves_the_economy_standing():
    """Learning adds exits where beliefs still move: among firms founded during the run,
    it raises the exit rate of the young more than that of the older."""
    on, off = small("china-sme-baseline"), small("china-sme-baseline", "mechanisms.learning_exit=false")
    added_young, added_older = [], []
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=20, firms=1500, firm_panel=True)
        b = simulate(off, seed=seed, years=20, firms=1500, firm_panel=True)
        start = a.timeseries["year"].min()
        ya, oa = est.exit_rate_by_age(a.firm_panel.query("founded > @start"), young=3, old=3)
        yb, ob = est.exit_rate_by_age(b.firm_panel.query("founded > @start"), young=3, old=3)
        added_young.append(ya.value - yb.value)
        added_older.append(oa.value - ob.value)
        # what it must not do: empty the economy
        last = a.timeseries["year"].max()
        assert a.timeseries.query("year == @last")["firms"].sum() >= 0.5 * \
            b.timeseries.query("year == @last")["firms"].sum(), seed
    added_young, added_older = np.array(added_young), np.array(added_older)
    # firms learn they are unviable while young (Jovanovic 1982): in every seed
    assert (added_young > 0).all() and (added_young > added_older).all(), (added_young, added_older)


# ------------------------------------------------------------------ productivity shocks
def _shock_world(n, sd, rho=0.8, on=True):
    firms = SimpleNamespace(n=n, A=np.zeros(n), shock=np.zeros(n))
    scenario = SimpleNamespace(mechanisms=SimpleNamespace(productivity_shocks=on),
                               innovation=SimpleNamespace(productivity_shock_sd=sd, productivity_shock_persistence=rho))
    return SimpleNamespace(firms=firms, scenario=scenario)


def test_shocks_have_the_stated_spread_no_drift_and_fade():
    w = _shock_world(100_000, 0.1, rho=0.8)
    rng = np.random.default_rng(7)
    productivity_shocks(w, rng)
    assert w.firms.A.std() == pytest.approx(0.1, rel=0.02)  # the first year: one shock
    for _ in range(60):
        productivity_shocks(w, rng)
    # the autoregressive steady state, sigma / sqrt(1 - rho^2), and no drift
    assert w.firms.A.std() == pytest.approx(0.1 / np.sqrt(1 - 0.8**2), rel=0.02)
    assert abs(w.firms.A.mean()) < 0.005
    np.testing.assert_allclose(w.firms.A, w.firms.shock, atol=1e-12)  # nothing else moved A here
    # a shock fades: with no new shock, a firm keeps rho of it
    one = _shock_world(1, 0.0, rho=0.8)
    one.firms.shock[:] = 1.0
    one.firms.A[:] = 3.0
    productivity_shocks(one, rng)
    assert one.firms.A[0] == pytest.approx(2.8) and one.firms.shock[0] == pytest.approx(0.8)
    off = _shock_world(10, 0.1, on=False)
    productivity_shocks(off, rng)
    assert not off.firms.A.any()


def test_shocks_move_productivity_both_ways_and_widen_growth_without_emptying_the_economy():
    on, off = small("hsinchu"), small("hsinchu", "mechanisms.productivity_shocks=false")
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=20, firms=800, firm_panel=True)
        b = simulate(off, seed=seed, years=20, firms=800, firm_panel=True)
        # productivity moves both ways: more firm-years of technology falling
        fall_on = (a.firm_panel.groupby("firm")["technology"].diff() < 0).mean()
        fall_off = (b.firm_panel.groupby("firm")["technology"].diff() < 0).mean()
        assert fall_on > fall_off, seed
        # and firms' growth rates spread wider
        assert est.growth_rates(a.firm_panel).std() > est.growth_rates(b.firm_panel).std(), seed
        # what they must not do: empty the economy
        last = a.timeseries["year"].max()
        assert a.timeseries.query("year == @last")["firms"].sum() >= 0.5 * b.timeseries.query("year == @last")["firms"].sum()
