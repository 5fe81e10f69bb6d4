"""Supply (:mod:`innocluster.model.supply`): a firm sells no more than it can sell at a
profit. The rule on arrays, and its economic effect with everything else fixed (same
scenario, same seeds, on versus off)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st

from innocluster.model.engine import simulate
from innocluster.model.supply import profitable_output


def _labour(Q, *, price, productivity, size_scale, kappa, min_employees):
    q = Q / price
    return np.maximum(q / productivity * (1.0 + Q / size_scale) ** kappa, min_employees)


def _profit(Q, *, variable_rate, wage, **kw):
    return Q * (1.0 - variable_rate) - wage * _labour(Q, **kw)


def _supplied(demand, previous=0.0, *, variable_rate, wage, price, productivity, size_scale, kappa, min_employees):
    return profitable_output(demand=np.array([demand]), previous=np.array([previous]),
                             variable_rate=np.array([variable_rate]), wage=np.array([wage]), price=np.array([price]),
                             productivity=np.array([productivity]), size_scale=size_scale, span_of_control=kappa,
                             min_employees=min_employees)[0]


@settings(max_examples=200, deadline=None)
@given(demand=st.floats(0.01, 1e5), previous=st.floats(0.0, 2e5), variable_rate=st.floats(0.0, 1.2),
       wage=st.floats(0.005, 0.2), price=st.floats(0.3, 2.0), productivity=st.floats(0.01, 1.0),
       size_scale=st.floats(1.0, 1e3), kappa=st.floats(0.0, 1.5),
       min_employees=st.one_of(st.just(0.0), st.floats(0.01, 3.0)))
def test_new_orders_stop_where_they_lose_money_and_old_customers_are_kept(demand, previous, variable_rate, wage,
                                                                          price, productivity, size_scale, kappa,
                                                                          min_employees):
    kw = dict(price=price, productivity=productivity, size_scale=size_scale, kappa=kappa, min_employees=min_employees)
    Q = _supplied(demand, variable_rate=variable_rate, wage=wage, **kw)  # an entrant: no old customers
    assert 0.0 <= Q <= demand * (1 + 1e-12)
    # the owner-manager's output is never declined, unless no unit covers its inputs
    assert Q > 0 or min_employees == 0 or variable_rate >= 1.0
    # no output up to the demand earns more (the operating profit is concave above the labour floor)
    grid = np.linspace(0.0, demand, 2001)[1:]
    best = _profit(grid, variable_rate=variable_rate, wage=wage, **kw).max()
    here = _profit(np.array([Q]), variable_rate=variable_rate, wage=wage, **kw)[0]
    assert here >= best - 1e-6 * max(1.0, abs(best))
    # a firm keeps last year's sales, as far as demand goes
    kept = _supplied(demand, previous, variable_rate=variable_rate, wage=wage, **kw)
    assert kept == pytest.approx(min(demand, max(Q, previous)), rel=1e-12)


def test_the_marginal_cost_reaches_the_price_where_demand_is_declined():
    kappa, price, a, qh, wage, lam = 0.5, 1.0, 0.07, 10.0, 0.03, 0.3
    Q = profitable_output(demand=np.array([1e4]), previous=np.zeros(1), variable_rate=np.array([lam]),
                          wage=np.array([wage]),
                          price=np.array([price]), productivity=np.array([a]), size_scale=qh,
                          span_of_control=kappa, min_employees=1.0)[0]
    assert Q < 1e4
    # the marginal cost by a finite difference of the cost function itself
    kw = dict(price=price, productivity=a, size_scale=qh, kappa=kappa, min_employees=1.0)
    h = 1e-6 * Q
    cost = [lam * q + wage * _labour(np.array([q]), **kw)[0] for q in (Q - h, Q + h)]
    assert (cost[1] - cost[0]) / (2 * h) == pytest.approx(1.0, rel=1e-6)
    # demand below the profitable size is served in full
    small_demand = profitable_output(demand=np.array([0.5 * Q]), previous=np.zeros(1), variable_rate=np.array([lam]),
                                     wage=np.array([wage]), price=np.array([price]), productivity=np.array([a]),
                                     size_scale=qh, span_of_control=kappa, min_employees=1.0)[0]
    assert small_demand == pytest.approx(0.5 * Q)


def test_switched_off_every_firm_sells_its_demand():
    res = simulate(small("hsinchu", "mechanisms.profitable_supply=false"), seed=1, years=5, firms=400)
    assert (res.timeseries["unserved_demand"] == 0).all()


def _extreme_changes(panel) -> float:
    """Share of firm-years whose employment changed more than e-fold."""
    g = np.log(panel.sort_values(["firm", "year"]).groupby("firm")["employees"].shift(-1) / panel["employees"])
    return float((g.dropna().abs() > 1).mean())


def test_supply_declines_the_orders_a_firm_would_lose_money_on():
    """A thin GVC stage hands a firm fifty times last year's sales (what made one of
    hsinchu's brand firms go from 477 to 148,000 employees in a year in an earlier
    version): the firm takes only the orders that pay at the margin, so it earns more
    than it would selling the whole demand, and it keeps last year's customers."""
    from innocluster.model import costs, supply as supply_module
    from innocluster.model.engine import ClusterModel
    from innocluster.model.world import YearCounters

    m = ClusterModel(small("hsinchu"), seed=1, firms=600)
    w = m.world
    w.counters = YearCounters(w.regions.R)
    f = w.firms
    i = int(np.argmax(f.revenue))
    previous = f.revenue.copy()
    demand = 50.0 * previous[i]
    f.revenue[i] = demand
    factors = costs.region_factors(w)
    degree = w.network.degree(f.n)
    supply_module.supply(w, previous=previous, factors=factors, degree=degree)
    sold = f.revenue[i]
    assert previous[i] <= sold < demand

    def profit(Q):
        c = costs.cost_components(w, output=Q, technology=f.A[i], stage=f.stage[i], region=f.region[i],
                                  degree=degree[i], factors=factors)
        return Q - c.total[0]

    assert profit(sold) > profit(demand)
    assert profit(sold) >= profit(min(demand, 1.05 * sold))  # no more orders would pay


def test_supply_keeps_the_economy():
    """What the rule must not do, same seeds on against off: empty the economy, leave most
    demand unserved, or make firms jump in size."""
    on, off = small("hsinchu"), small("hsinchu", "mechanisms.profitable_supply=false")
    for seed in (1, 2, 3):
        a = simulate(on, seed=seed, firm_panel=True)
        b = simulate(off, seed=seed, firm_panel=True)
        worst = a.timeseries.query("year >= year.min() + 5 and firms >= 20")["margin"].min()
        assert worst > -0.15, (seed, worst)
        assert _extreme_changes(a.firm_panel) <= _extreme_changes(b.firm_panel) + 0.005, seed
        ts = a.timeseries
        last = ts["year"].max()
        assert ts.query("year == @last")["firms"].sum() >= 0.8 * b.timeseries.query("year == @last")["firms"].sum()
        assert ts["unserved_demand"].sum() < 0.25 * (ts["revenue"].sum() + ts["unserved_demand"].sum()), seed


def test_the_engine_passes_last_years_sales_and_keeps_them_as_far_as_demand_goes(monkeypatch):
    """Wiring: each year's ``previous`` is every firm's sales of the year before (the
    initial sales in the first year, 0 for an entrant), and no firm sells less than
    ``min(demand, previous)`` or more than its demand."""
    from innocluster.model import supply as supply_module
    from innocluster.model.engine import ClusterModel

    original = supply_module.supply
    seen = {"years": 0, "kept": 0}
    last_sales: dict[int, float] = {}

    def checked(world, *, previous, factors, degree):
        f = world.firms
        demand = f.revenue.copy()
        expected = np.array([last_sales.get(int(i), 0.0) for i in f.id])
        np.testing.assert_array_equal(previous, expected)
        original(world, previous=previous, factors=factors, degree=degree)
        assert np.all(f.revenue <= demand * (1 + 1e-12))
        assert np.all(f.revenue >= np.minimum(demand, previous) * (1 - 1e-12))
        seen["years"] += 1
        seen["kept"] += int(((f.revenue < demand) & (f.revenue == previous) & (previous > 0)).sum())
        last_sales.clear()
        last_sales.update(zip(f.id.tolist(), f.revenue.tolist()))

    monkeypatch.setattr(supply_module, "supply", checked)
    # the shrinking assembly market of race-to-the-bottom makes firms decline orders
    model = ClusterModel(small("race-to-the-bottom"), seed=2, firms=800)
    last_sales.update(zip(model.world.firms.id.tolist(), model.world.firms.revenue.tolist()))  # the initial sales
    model.run(12)
    assert seen["years"] == 12
    assert seen["kept"] > 0  # some firms were held at last year's sales, not cut to Q*
