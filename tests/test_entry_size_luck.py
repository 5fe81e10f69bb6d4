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

from innocluster.model.engine import simulate
from innocluster.model.market import entry_size
from innocluster.model.shocks import entry_luck, stationary_sd
from innocluster.validation import estimators as est

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


def test_start_ups_carry_their_luck_in_technology_and_spin_offs_their_parents():
    res = simulate(small("hsinchu"), seed=1, years=6, firms=600)
    f = res.firms
    start = res.timeseries["year"].min()
    entrants = f[(f["founded_year"] > start) & (f["parent"] < 0) & (f["is_mne"] == 0)]
    assert len(entrants) > 20 and entrants["shock"].std() > 0.05  # de-novo entrants drew their luck
    initial = f[f["founded_year"] <= start]
    assert initial["shock"].std() > 0.05  # the initial population's luck is part of its technology
    off = simulate(small("hsinchu", "mechanisms.productivity_shocks=false"), seed=1, years=6, firms=600).firms
    assert not off["shock"].any()


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
    sizes, exits concentrate in a cohort's first years (the hazard falls with age)."""
    on, off = small("hsinchu"), small("hsinchu", "market.entrant_size_sd=0")
    young_share_on, young_share_off = [], []
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=25, firms=800, firm_panel=True)
        b = simulate(off, seed=seed, years=25, firms=800, firm_panel=True)
        revenue, survived = _first_year_revenue(a.firm_panel)
        small_q, large_q = revenue <= revenue.quantile(0.25), revenue >= revenue.quantile(0.75)
        assert survived[small_q.to_numpy()].mean() < survived[large_q.to_numpy()].mean(), seed
        for res, out in ((a, young_share_on), (b, young_share_off)):
            p = res.firm_panel
            entrants = p[p["founded"] > p["year"].min()]
            age = entrants["year"] - entrants["founded"]
            exits = entrants["exited"].astype(bool)
            out.append((exits & age.between(1, 2)).sum() / max(exits.sum(), 1))  # share of exits at ages 1-2
        # what it must not do: empty the economy
        last = a.timeseries["year"].max()
        assert a.timeseries.query("year == @last")["firms"].sum() >= 0.5 * \
            b.timeseries.query("year == @last")["firms"].sum(), seed
    assert (np.array(young_share_on) > np.array(young_share_off)).all(), (young_share_on, young_share_off)


def test_dispersed_entry_sizes_keep_the_mean_entrant_and_lower_five_year_survival():
    """The mean share at entry is unchanged (mean-one sizes), so the effect is selection:
    fewer entrants reach five years when sizes are dispersed."""
    on, off = small("hsinchu"), small("hsinchu", "market.entrant_size_sd=0")
    lower = 0
    for seed in SEEDS:
        a = simulate(on, seed=seed, years=25, firms=800, firm_panel=True).firm_panel
        b = simulate(off, seed=seed, years=25, firms=800, firm_panel=True).firm_panel
        lower += est.survival(a).value < est.survival(b).value
    assert lower >= 2
