"""Competition passes productivity gains on (``model/market.py``: stage prices;
``model/costs.py``: the wage index and span of control in value).

* The wage index follows revenue productivity ``A + log p_s``: gains passed on as lower
  prices are not paid out again as higher wages (with fixed prices it is the mean
  technology).
* Span-of-control costs grow with sales in value, not with units shipped.
* Economic effect, same seeds, pass-through on against off: established firms' margins
  stop rising with their productivity, and firms that fall behind leave at any age
  (Hopenhayn 1992; Klepper 1996; Nordhaus 2004 for the pass-through itself); what it
  must not do: collapse the economy around the park.
"""

from __future__ import annotations

import numpy as np
import pytest

from innocluster.model import costs
from innocluster.model.engine import ClusterModel, simulate
from innocluster.scenario import load_scenario
from innocluster.scenario.io import apply_overrides


def with_pass_through(name: str, value: float, *sets: str):
    sc = load_scenario(name)
    stage_sets = [f"stages.{s.name}.price_pass_through={value}" for s in sc.stages]
    return apply_overrides(sc, stage_sets + list(sets))


def test_wage_index_is_revenue_productivity():
    m = ClusterModel(with_pass_through("hsinchu", 1.0), seed=1, firms=600)
    w = m.world
    f = w.firms
    domestic = ~f.is_mne
    weight = np.where(domestic, f.employees, 0.0)
    assert np.all(w.price == 1.0)
    assert w.domestic_revenue_productivity() == pytest.approx(float((f.A * weight).sum() / weight.sum()), rel=1e-12)
    before = w.domestic_revenue_productivity()
    # every firm 0.3 log points more productive, every price passed on in full: no wage gain
    f.A += 0.3
    w.price = np.full(w.S, np.exp(-0.3))
    assert w.domestic_revenue_productivity() == pytest.approx(before, abs=1e-12)
    # the same gain at fixed prices raises the index by the gain
    w.price = np.ones(w.S)
    assert w.domestic_revenue_productivity() == pytest.approx(before + 0.3, abs=1e-12)


def test_span_of_control_grows_with_sales_in_value():
    m = ClusterModel(with_pass_through("hsinchu", 1.0), seed=1, firms=600)
    w = m.world
    mk = m.scenario.market
    factors = costs.region_factors(w)
    Q, A = 40.0, 0.2
    for price in (1.0, 0.5):
        w.price = np.full(w.S, price)
        got = costs.cost_components(w, output=Q, technology=A, stage=0, region=0, degree=0.0, factors=factors).labour
        expected = (Q / price) / (mk.productivity_scale * np.exp(A)) * (1.0 + Q / mk.size_scale) ** mk.span_of_control
        assert got[0] == pytest.approx(max(expected, m.scenario.costs.min_employees), rel=1e-12)


def _margins_and_periphery(pass_through: float, seed: int):
    res = simulate(with_pass_through("hsinchu", pass_through), seed=seed, years=40, firms=1500)
    ts = res.timeseries.set_index("year")
    park, periphery = ts[ts.region == "hsinchu"], ts[ts.region == "periphery"]
    return (float(park.margin.iloc[:5].mean()), float(park.margin.iloc[-5:].mean()),
            float(periphery.firms.iloc[-1] / periphery.firms.iloc[0]))


@pytest.mark.parametrize("seed", [1, 2])
def test_pass_through_stops_margins_rising_with_productivity(seed):
    """Same seeds, prices passing gains on against fixed prices. Fixed: the park's margin
    doubles in 40 years as its productivity grows (no established firm is ever squeezed).
    Passed on: the park keeps the margin it starts with. Must not: the economy around
    the park keeps most of its firms (no collapse)."""
    start_on, end_on, kept_on = _margins_and_periphery(1.0, seed)
    start_off, end_off, kept_off = _margins_and_periphery(0.0, seed)
    assert end_off - start_off > 0.08, (start_off, end_off)
    assert abs(end_on - start_on) < 0.04, (start_on, end_on)
    assert end_on < end_off - 0.08
    assert kept_on > 0.5, kept_on
