"""Nascent entrepreneurs (``model/nascent.py``): a founder whose plan does not pay does
not start (Melitz 2003's cutoff; Hopenhayn 1992), the plan priced on the founder's
optimistic expectation of sales (Cassar 2010).

* Every firm that starts had a plan at or above the exit threshold; the entry counters
  count the firms that started.
* Common random numbers: with the rule on, the year's start-ups are a subset of those
  with it off, with the same draws.
* Economic effect, same seeds, on against off: more entrants survive five years, fewer
  leave after their first year; what it must not do: stop entry or empty the economy.
* Optimism, same seeds: a more optimistic founder starts every plan a less optimistic
  one starts, and more of the extra entrants leave young.

The rule is off by default (``mechanisms.entry_screening``) and on in every calibrated
built-in scenario, with its calibrated optimism; these tests set both explicitly.
"""

from __future__ import annotations

import numpy as np
import pytest

from innocluster.model import nascent
from innocluster.model.engine import ClusterModel, simulate
from innocluster.validation import estimators as est

from conftest import small

ON = ("mechanisms.entry_screening=true", "entry.founder_optimism=1")  # an unbiased founder
OFF = ("mechanisms.entry_screening=false",)


def test_entry_counters_count_the_firms_that_started():
    res = simulate(small("hsinchu", *ON), seed=3, years=6, firms=800, firm_panel=True)
    p = res.firm_panel
    ts = res.timeseries.groupby("year")[["startups", "spinoffs", "mne_arrivals"]].sum().sum(axis=1)
    born = p[p["founded"] > p["year"].min()].groupby("founded")["firm"].nunique()
    for year, n in born.items():
        assert ts.loc[year] == n, (year, ts.loc[year], n)
    assert born.sum() > 0


def test_screening_keeps_the_draws_of_who_starts():
    on = ClusterModel(small("hsinchu", *ON), seed=2, firms=1500)
    off = ClusterModel(small("hsinchu", *OFF), seed=2, firms=1500)
    on.step()
    off.step()
    year = on.world.scenario.start_year
    a_on = on.world.firms.A[(on.world.firms.founded_year == year) & (on.world.firms.parent < 0)]
    a_off = off.world.firms.A[(off.world.firms.founded_year == year) & (off.world.firms.parent < 0)]
    assert 0 < a_on.size < a_off.size
    assert set(a_on.tolist()) <= set(a_off.tolist())


def test_starts_is_all_true_when_switched_off():
    from innocluster.scenario.schema import Mechanisms

    assert not Mechanisms().entry_screening, "off by default"
    assert small("hsinchu").mechanisms.entry_screening, "on in the calibrated scenarios"
    m = ClusterModel(small("hsinchu", *OFF), seed=1, firms=600)
    w = m.world
    k = 50
    region = np.zeros(k, dtype=np.int64)
    stage = np.zeros(k, dtype=np.int64)
    mask = nascent.starts(w, region=region, stage=stage, technology=np.full(k, -5.0), share=np.full(k, 1e-9),
                          degree=np.zeros(k))
    assert mask.all()
    m2 = ClusterModel(small("hsinchu", *ON), seed=1, firms=600)
    mask2 = nascent.starts(m2.world, region=region, stage=stage, technology=np.full(k, -5.0), share=np.full(k, 1e-9),
                           degree=np.zeros(k))
    assert not mask2.any(), "a hopeless plan (tiny share, far behind) must not start"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_screening_raises_entrant_survival_without_stopping_entry(seed):
    """Same seed, rule on against off: more of a cohort reaches five years and fewer
    entrants leave after their first year of sales; entry goes on and the economy keeps
    its size."""
    on = simulate(small("hsinchu", *ON), seed=seed, years=25, firms=800, firm_panel=True)
    off = simulate(small("hsinchu", *OFF), seed=seed, years=25, firms=800, firm_panel=True)
    s_on, s_off = est.survival(on.firm_panel).value, est.survival(off.firm_panel).value
    assert s_on > s_off + 0.1, (s_on, s_off)

    def first_year_exits(panel):
        entrants = panel[panel["founded"] > panel["year"].min()]
        age1 = entrants[entrants["year"] - entrants["founded"] == 1]
        return float(age1["exited"].mean())

    assert first_year_exits(on.firm_panel) < first_year_exits(off.firm_panel)
    entries_on = on.timeseries[["startups", "spinoffs"]].to_numpy().sum()
    entries_off = off.timeseries[["startups", "spinoffs"]].to_numpy().sum()
    assert entries_on > 0.2 * entries_off, (entries_on, entries_off)
    last = on.timeseries["year"].max()
    firms_on = on.timeseries.query("year == @last")["firms"].sum()
    firms_off = off.timeseries.query("year == @last")["firms"].sum()
    assert firms_on > 0.7 * firms_off, (firms_on, firms_off)


def _starters(optimism: float, seed: int = 2) -> set[float]:
    m = ClusterModel(small("hsinchu", ON[0], f"entry.founder_optimism={optimism}"), seed=seed, firms=1500)
    m.step()
    f = m.world.firms
    return set(f.A[(f.founded_year == m.world.scenario.start_year) & (f.parent < 0)].tolist())


def test_a_more_optimistic_founder_starts_every_plan_a_less_optimistic_one_starts():
    unbiased, optimistic, off = _starters(1.0), _starters(3.0), _starters(1.0)
    assert unbiased == off, "same seed, same starters"
    assert unbiased < optimistic, "optimism adds founders and drops none"
    m = ClusterModel(small("hsinchu", *OFF), seed=2, firms=1500)
    m.step()
    f = m.world.firms
    everyone = set(f.A[(f.founded_year == m.world.scenario.start_year) & (f.parent < 0)].tolist())
    assert optimistic <= everyone


@pytest.mark.parametrize("seed", [1, 2])
def test_optimism_brings_in_founders_who_leave_young(seed):
    """Same seed, optimism 1 against 4: more start-ups, and a smaller share of the
    entrants alive after five years (the extra ones overrated a plan that does not pay);
    the economy keeps its size."""
    runs = {o: simulate(small("hsinchu", ON[0], f"entry.founder_optimism={o}"), seed=seed, years=25, firms=800,
                        firm_panel=True) for o in (1, 4)}
    startups = {o: r.timeseries["startups"].sum() for o, r in runs.items()}
    survival = {o: est.survival(r.firm_panel).value for o, r in runs.items()}
    assert startups[4] > 1.2 * startups[1], startups
    assert survival[4] < survival[1] - 0.1, survival
    last = {o: r.timeseries.query("year == year.max()")["firms"].sum() for o, r in runs.items()}
    assert last[4] > 0.7 * last[1], last


def test_an_mne_subsidiary_prices_its_plan_without_a_founders_optimism(monkeypatch):
    """Optimism is a founder's bias (PSED): start-ups and spin-offs price their plans with
    it, a multinational's subsidiary, planned by its parent, without it."""
    from innocluster.model import entrants

    m = ClusterModel(small("hsinchu", ON[0], "entry.founder_optimism=3"), seed=1, firms=600)
    seen = []
    real = nascent.starts

    def spy(world, **kw):
        seen.append(kw["optimism"])
        return real(world, **kw)

    monkeypatch.setattr(nascent, "starts", spy)
    one = dict(region=np.zeros(1, dtype=np.int64), stage=np.zeros(1, dtype=np.int64), A=np.zeros(1), x=np.zeros(1),
               y=np.zeros(1), employees=8.0, net_worth=0.08, planned_ties=0.0)
    entrants.add_firms(m.world, np.random.default_rng(0), **one)
    entrants.add_firms(m.world, np.random.default_rng(0), is_mne=True, **one)
    assert seen == [3.0, 1.0]
