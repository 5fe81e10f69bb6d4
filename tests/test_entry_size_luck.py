"""Entrants' size and first luck (:func:`innocluster.model.market.entry_size`,
:func:`innocluster.model.shocks.entry_luck`, :func:`innocluster.model.entrants.add_firms`):
the rules on arrays, and their economic effect with everything else fixed (same
scenario, same seeds, dispersion of entry sizes on versus off)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st

from innocluster.model.engine import ClusterModel, simulate
from innocluster.model.entrants import add_firms
from innocluster.model.market import entry_size
from innocluster.model.shocks import entry_luck, stationary_sd

SEEDS = (1, 2, 3)


def _world(size_sd=1.0, shock_sd=0.1, rho=0.8, shocks=True):
    scenario = SimpleNamespace(market=SimpleNamespace(entrant_size_sd=size_sd),
                               mechanisms=SimpleNamespace(productivity_shocks=shocks),
                               innovation=SimpleNamespace(productivity_shock_sd=shock_sd,
                                                          productivity_shock_persistence=rho))
    return SimpleNamespace(scenario=scenario)


# ------------------------------------------------------------------ the rules
@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.5))
def test_entry_size_is_log_normal_with_mean_one_and_the_stated_spread(s):
    z = np.random.default_rng(3).standard_normal(400_000)
    size = entry_size(_world(size_sd=s), z)
    assert np.all(size > 0)
    assert size.mean() == pytest.approx(1.0, abs=0.02 + 0.02 * s * s)  # the mean share is entrant_share's
    assert np.log(size).std() == pytest.approx(s, abs=1e-3)


def test_entry_luck_has_the_shock_process_stationary_spread_and_is_zero_when_off():
    z = np.random.default_rng(4).standard_normal(200_000)
    luck = entry_luck(_world(shock_sd=0.1, rho=0.8), z)
    assert stationary_sd(persistence=0.8, sd=0.1) == pytest.approx(0.1 / 0.6)
    assert luck.std() == pytest.approx(0.1 / 0.6, rel=0.01)
    assert not entry_luck(_world(shocks=False), z).any()


def _add(model, **kw):
    """New firms through :func:`add_firms` in region 0, stage 0; returns (A given, A stored, shock stored)."""
    n = 2000
    A = np.linspace(-0.5, 0.5, n)
    rows = add_firms(model.world, np.random.default_rng(11), region=np.zeros(n, dtype=np.int64),
                     stage=np.zeros(n, dtype=np.int64), A=A, x=np.zeros(n), y=np.zeros(n), employees=8.0,
                     net_worth=0.08, **kw)
    f = model.world.firms
    return A, f.A[rows], f.shock[rows], f.share[rows]


def test_entrants_carry_their_luck_in_technology_the_initial_population_and_spin_offs_do_not_add_it():
    model = ClusterModel(small("hsinchu"), seed=1, firms=300)
    A, stored, shock, share = _add(model)  # start-ups and MNE subsidiaries
    np.testing.assert_allclose(stored - A, shock, atol=1e-12)
    assert shock.std() == pytest.approx(0.1 / 0.6, rel=0.1)
    A, stored, shock, _ = _add(model, luck_in_technology=True)  # the initial population
    np.testing.assert_array_equal(stored, A)
    assert shock.std() > 0.1
    parent_shock = np.full(A.size, 0.05)
    A, stored, shock, _ = _add(model, shock=parent_shock)  # a spin-off: its parent's shock, already in A
    np.testing.assert_array_equal(stored, A)
    np.testing.assert_array_equal(shock, parent_shock)
    off = ClusterModel(small("hsinchu", "mechanisms.productivity_shocks=false"), seed=1, firms=300)
    A, stored, shock, _ = _add(off)
    np.testing.assert_array_equal(stored, A)
    assert not shock.any()


def test_entry_sizes_spread_the_entrants_shares_around_the_same_mean():
    on = _add(ClusterModel(small("hsinchu"), seed=1, firms=300))[3]
    same = _add(ClusterModel(small("hsinchu", "market.entrant_size_sd=0"), seed=1, firms=300))[3]
    assert np.ptp(same) < 1e-12 * same.max()  # no spread: every entrant the same share
    assert np.log(on).std() == pytest.approx(1.0, rel=0.05)
    assert on.mean() == pytest.approx(same[0], rel=0.1)


# ------------------------------------------------------------------ the economics
def _first_year_revenue(panel):
    """Each entrant's revenue in its first year of sales (age 1), and whether it reached age 5."""
    start, last = panel["year"].min(), panel["year"].max()
    p = panel[(panel["founded"] > start) & (panel["founded"] <= last - 5)]
    first = p[p["year"] == p["founded"] + 1].set_index("firm")["revenue"]
    alive5 = p[p["year"] == p["founded"] + 5].set_index("firm").index
    return first, first.index.isin(alive5)


def test_small_entrants_fail_first_and_the_hazard_falls_with_age():
    """Mata & Portugal (1994): survival rises with size at entry; with dispersed entry
    sizes, exits concentrate in a cohort's first years (the hazard falls with age).

    Every founder starts here (the nascent screening off in both arms): the screening
    decides who starts from the same drawn size (``tests/test_nascent.py``), and with it
    on, equal-sized entrants all pass or fail the same plan, so the comparison would
    measure the screening, not the sizes."""
    screening_off = "mechanisms.entry_screening=false"
    on, off = small("hsinchu", screening_off), small("hsinchu", screening_off, "market.entrant_size_sd=0")
    ratio_on, ratio_off, young_on, young_off = [], [], [], []
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=25, firms=800, firm_panel=True)
        b = simulate(off, seed=seed, years=25, firms=800, firm_panel=True)
        revenue, survived = _first_year_revenue(a.firm_panel)
        small_q, large_q = revenue <= revenue.quantile(0.25), revenue >= revenue.quantile(0.75)
        assert survived[small_q.to_numpy()].mean() < survived[large_q.to_numpy()].mean(), seed
        for res, out, young in ((a, ratio_on, young_on), (b, ratio_off, young_off)):
            p = res.firm_panel
            entrants = p[p["founded"] > p["year"].min()]
            age = entrants["year"] - entrants["founded"]
            hazard_young = entrants.loc[age.between(1, 2), "exited"].mean()  # exits over the firms at risk
            hazard_older = entrants.loc[age >= 5, "exited"].mean()
            out.append(hazard_young / hazard_older)
            young.append(hazard_young)
        # what it must not do: empty the economy
        last = a.timeseries["year"].max()
        assert a.timeseries.query("year == @last")["firms"].sum() >= 0.5 * \
            b.timeseries.query("year == @last")["firms"].sum(), seed
    # more of a cohort leaves at ages 1-2 (exits over the firms at risk), in every seed, and
    # the hazard at ages 1-2 relative to ages 5 and more is higher on average over the seeds
    assert (np.array(young_on) > np.array(young_off)).all(), (young_on, young_off)
    assert np.mean(ratio_on) > np.mean(ratio_off), (ratio_on, ratio_off)
