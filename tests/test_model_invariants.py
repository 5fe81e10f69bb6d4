"""Invariants of the engine (hypothesis), reproducibility and the output schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innocluster import load_scenario, simulate
from innocluster.scenario import apply_overrides
from innocluster.errors import InputError
from innocluster.model.engine import ClusterModel

#: Every output of the record (docs/model.md, "Design concepts", observation; GVC shares and
#: government spend are checked per stage / per instrument below).
DESIGN_COLUMNS = [
    "firms", "firms_sme", "firms_mne", "entries", "exits", "spinoffs", "relocations_in", "employment", "revenue",
    "value_added", "exports", "rd_spend", "patents_new", "patents_cum", "patents_per_firm", "patents_per_rd",
    "share_with_patent", "share_rd_unit", "share_rd_active", "share_credit_constrained", "vc_invested",
    "share_vc_backed", "tech_mean", "tech_sd", "tech_entropy", "network_density", "external_tie_share",
    "avg_cost_inside", "avg_cost_outside", "size_hhi", "size_gini", "lifecycle_stage", "lock_in", "race_to_bottom",
]
INSTRUMENTS = ["infrastructure", "training", "information", "ip_protection", "direct_subsidy", "seed_enterprises",
               "guiding_fund", "intermediaries", "research_institute"]
SHARE_COLUMNS = ["share_with_patent", "share_rd_unit", "share_rd_active", "share_credit_constrained",
                 "constrained_among_rd", "share_vc_backed", "network_density", "external_tie_share", "size_hhi",
                 "size_gini", "absorption_success_rate", "zombie_share", "mean_alpha"]


def test_every_design_column_present():
    res = simulate(load_scenario("hsinchu"), seed=1, years=8, firms=500)
    ts = res.timeseries
    missing = [c for c in DESIGN_COLUMNS if c not in ts.columns]
    assert not missing, missing
    sc = res.scenario
    for s in sc.stages:
        assert f"gvc_share_{s.name}" in ts.columns
    for k in INSTRUMENTS:
        assert f"gov_spend_{k}" in ts.columns
    assert set(ts["region"]) == {r.name for r in sc.regions}
    assert sorted(ts["year"].unique()) == list(range(sc.start_year, sc.start_year + 8))
    gvc = ts[[f"gvc_share_{s.name}" for s in sc.stages]].sum(axis=1)
    assert np.allclose(gvc[ts["firms"] > 0], 1.0)


params = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "chi": st.floats(0.0, 2.0),
    "zeta1": st.floats(0.0, 1.0),
    "spinoff": st.floats(0.0, 0.3),
    "startup": st.floats(0.0, 0.2),
    "prudent": st.floats(0.0, 1.0),
    "accuracy": st.floats(0.0, 1.0),
    "subsidy": st.floats(0.0, 0.5),
    "years": st.integers(2, 10),
    "firms": st.integers(20, 400),
    "mech_off": st.sampled_from(["none", "agglomeration", "finance", "exit", "market", "diffusion", "government"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=params)
def test_invariants(p):
    overrides = [f"market.chi={p['chi']}", f"innovation.zeta1={p['zeta1']}", f"entry.spinoff_rate={p['spinoff']}",
                 f"entry.startup_rate={p['startup']}", f"finance.prudent_lending={p['prudent']}",
                 f"government.selection_accuracy={p['accuracy']}",
                 f"government.shares.direct_subsidy={p['subsidy']}", "government.shares.infrastructure=0.05",
                 "government.shares.training=0", "government.shares.seed_enterprises=0"]
    if p["mech_off"] != "none":
        overrides.append(f"mechanisms.{p['mech_off']}=false")
    sc = small("hsinchu", *overrides)
    res = simulate(sc, seed=p["seed"], years=p["years"], firms=p["firms"])
    ts = res.timeseries
    num = ts.select_dtypes(include=[np.number])
    # avg_cost_* is undefined (NaN) only when no SME produces on that side
    finite = num.drop(columns=["avg_cost_inside", "avg_cost_outside"])
    assert np.isfinite(finite.to_numpy()).all(), finite.columns[~np.isfinite(finite.to_numpy()).all(axis=0)].tolist()
    for col in SHARE_COLUMNS:
        assert ((ts[col] >= -1e-12) & (ts[col] <= 1 + 1e-12)).all(), col
    # stocks and flows: per region, the change in firms is entries + moves in - moves out - exits
    for _, g in ts.groupby("region"):
        g = g.sort_values("year")
        d = g["firms"].diff().iloc[1:].to_numpy()
        flow = (g["entries"] + g["relocations_in"] - g["relocations_out"] - g["exits"]).iloc[1:].to_numpy()
        assert np.array_equal(d, flow)
    # economy-wide: entries - exits = change in the firm count
    tot = ts.groupby("year")[["firms", "entries", "exits"]].sum()
    assert np.array_equal(tot["firms"].diff().iloc[1:].to_numpy(), (tot["entries"] - tot["exits"]).iloc[1:].to_numpy())
    # money accounted for: net worth changes only through booked flows
    led = res.ledger
    scale = led.drop(columns=["year", "residual"]).abs().to_numpy().max() + 1.0
    assert (led["residual"].abs() <= 1e-9 * scale).all()
    f = res.firms
    assert np.isfinite(f[["A", "net_worth", "share", "revenue", "employees"]].to_numpy(dtype=float)).all()
    assert ((f["alpha"] >= 0) & (f["alpha"] <= 1)).all()


def test_same_seed_identical_different_seed_differs():
    sc = load_scenario("hsinchu")
    a = simulate(sc, seed=7, years=10, firms=600)
    b = simulate(sc, seed=7, years=10, firms=600)
    c = simulate(sc, seed=8, years=10, firms=600)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.firms, b.firms)
    assert not a.timeseries[["patents_new", "firms"]].equals(c.timeseries[["patents_new", "firms"]])


def test_firm_panel_schema_matches_monitor():
    from innocluster.panel_schema import FIRM_PANEL_OPTIONAL, FIRM_PANEL_REQUIRED

    res = simulate(load_scenario("hsinchu"), seed=1, years=5, firms=400, firm_panel=True)
    p = res.firm_panel
    assert set(FIRM_PANEL_REQUIRED) <= set(p.columns)
    assert set(p.columns) <= set(FIRM_PANEL_REQUIRED) | set(FIRM_PANEL_OPTIONAL)
    assert not p.duplicated(["firm", "year"]).any()
    # panel and series agree: patents and firm counts per region-year
    agg = p.groupby(["region", "year"]).agg(patents=("patents", "sum"), n=("firm", "size")).reset_index()
    ts = res.timeseries.merge(agg, on=["region", "year"])
    assert (ts["patents"] == ts["patents_new"]).all()
    # the panel is taken before exit: survivors = n - exited firms
    ex = p.groupby(["region", "year"])["exited"].sum().reset_index()
    ts = ts.merge(ex, on=["region", "year"])
    assert (ts["exited"] == ts["exits"]).all()


def test_firms_and_panel_come_in_id_order_after_exits_move_rows():
    """Exits move the last rows into the holes (swap-remove), so table rows lose their
    order; what a run returns is sorted by firm id, and every row still belongs to its
    firm (a spin-off's parent is an older firm, ages match founding years)."""
    m = ClusterModel(load_scenario("core"), seed=3, firms=600, firm_panel=True)
    res = m.run(12)
    w = m.world
    assert res.timeseries["exits"].sum() > 50, "exits happened, rows moved"
    rows = w.firms.id
    assert not np.all(np.diff(rows) > 0), "the live table is out of id order"
    firms = res.firms
    assert np.all(np.diff(firms["id"].to_numpy()) > 0)
    assert sorted(rows.tolist()) == firms["id"].tolist()
    kids = firms[firms["parent"] >= 0]
    assert len(kids) and (kids["parent"] < kids["id"]).all()
    last = res.timeseries["year"].max()
    assert (firms["age"] == last - firms["founded_year"] + 1).all()
    p = res.firm_panel
    for _, year in p.groupby("year"):
        assert np.all(np.diff(year["firm"].to_numpy()) > 0)
    last_year = p[p["year"] == last]
    final = firms.set_index("id")
    live = last_year[last_year["exited"] == 0].set_index("firm")
    for col, panel_col in (("A", "technology"), ("revenue", "revenue"), ("parent", "parent")):
        assert np.array_equal(final.loc[live.index, col].to_numpy(), live[panel_col].to_numpy()), col
    # ties as rows of the returned frame join the same firms as the network's table rows
    a, b = res.tie_rows()
    assert a.size == w.network.n_ties == len(res.ties) > 100
    ids = firms["id"].to_numpy()
    returned = {tuple(sorted(p)) for p in zip(ids[a].tolist(), ids[b].tolist())}
    live = {tuple(sorted(p)) for p in zip(w.firms.id[w.network.u].tolist(), w.firms.id[w.network.v].tolist())}
    assert returned == live


def test_firms_option_rescales_economy():
    sc = load_scenario("hsinchu")
    small_run = simulate(sc, seed=1, years=3, firms=300)
    big_run = simulate(sc, seed=1, years=3, firms=3000)
    n0 = small_run.timeseries.groupby("year")["firms"].sum().iloc[0]
    n1 = big_run.timeseries.groupby("year")["firms"].sum().iloc[0]
    assert 7 < n1 / n0 < 13
    # per-firm outcomes do not depend on the number of simulated firms (statistically)
    r_small = small_run.timeseries["revenue"].sum() / small_run.timeseries["firms"].sum()
    r_big = big_run.timeseries["revenue"].sum() / big_run.timeseries["firms"].sum()
    assert 0.7 < r_small / r_big < 1.4


@pytest.mark.parametrize("kwargs, fragment", [
    ({"years": 0}, "^years = 0"), ({"firms": 0}, "^firms = 0"), ({"seed": -1}, "seed"),
])
def test_bad_run_arguments(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        simulate(load_scenario("hsinchu"), **kwargs)


def test_step_by_step_equals_run():
    sc = load_scenario("china-sme-baseline")
    m = ClusterModel(sc, seed=3, firms=500)
    for _ in range(4):
        m.step()
    a = m.results().timeseries
    b = simulate(sc, seed=3, firms=500, years=4).timeseries
    pd.testing.assert_frame_equal(a, b)


def test_history_rows_are_the_same_whenever_they_are_read():
    """A year's region rows are made when the history is first read (record.RegionYear):
    reading them after every step or only at the end gives the same rows, so nothing a
    row is made from changes after its year (counters, regional stocks, wages)."""
    sc = load_scenario("hsinchu")  # government, VC, relocation: the regional stocks move every year
    eager, lazy = ClusterModel(sc, seed=5, firms=400), ClusterModel(sc, seed=5, firms=400)
    seen = []
    for year in range(5):
        eager.step()
        lazy.step()
        seen.append(list(eager.world.history))  # made now, year by year
        assert eager.world.history.years == year + 1
        assert len(seen[-1]) == (year + 1) * eager.world.regions.R
    assert lazy.world.history  # a history with years but none of its rows made yet is not empty
    rows = list(lazy.world.history)  # made only now
    assert rows == seen[-1]
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    assert lazy.world.history[-1] == rows[-1]
    pd.testing.assert_frame_equal(eager.results().timeseries, lazy.results().timeseries)


def test_final_record_gives_the_yearly_records_last_year():
    """record="final": the steps keep no history or ledger, and the results hold the last
    year only, the same rows (cumulative patents of exited firms included) as the last
    year of a yearly record; the life-cycle classification needs years, so it says so."""
    sc = load_scenario("hsinchu")
    yearly, final = ClusterModel(sc, seed=4, firms=600), ClusterModel(sc, seed=4, firms=600, record="final")
    for _ in range(8):
        yearly.step()
        final.step()
    assert not final.world.history and final.ledger_rows == []
    a, b = yearly.results().timeseries, final.results().timeseries
    last = a[a["year"] == a["year"].max()].reset_index(drop=True)
    assert len(b) == len(sc.regions)
    assert b["year"].unique().tolist() == [a["year"].max()]
    assert b["exits"].sum() > 0 and b["patents_cum"].sum() > b["patents_new"].sum()  # flows and stocks both tested
    lifecycle = ["lifecycle_stage", "lock_in", "race_to_bottom"]
    pd.testing.assert_frame_equal(last.drop(columns=lifecycle), b.drop(columns=lifecycle))
    assert (b["lifecycle_stage"] == "undetermined").all()
    assert final.results().ledger.empty


@pytest.mark.parametrize("overrides, record, fragment", [
    ((), "monthly", "record = 'monthly': must be one of yearly, final"),
    (("mechanisms.stage_programme=true",), "final", "stage programme"),
])
def test_bad_record_mode(overrides, record, fragment):
    sc = small("core", *overrides)
    with pytest.raises(InputError, match=fragment):
        ClusterModel(sc, seed=1, firms=50, record=record)


def test_explosive_entry_is_bounded():
    """Runaway start-up parameters (as a wide sweep may draw) cannot blow up memory:
    start-ups per year are capped at ``max_startup_ratio`` times the region's firms."""
    sc = small("hsinchu", "entry.startup_rate=10", "entry.neighbour_effect=100", "entry.neighbour_exponent=2",
               "entry.max_startup_ratio=1")
    res = simulate(sc, seed=1, years=6, firms=200)
    ts = res.timeseries.sort_values("year")
    for _, g in ts.groupby("region"):
        prev = g["firms"].shift(1).fillna(g["firms"].iloc[0]).to_numpy()
        assert (g["startups"].to_numpy()[1:] <= np.ceil(prev[1:]) + 1e-9).all()
    assert ts.groupby("year")["firms"].sum().iloc[-1] < 200 * 2 ** 7


def test_economies_that_die_out_run_on_without_error():
    """A tiny economy whose firms all exit keeps running: no firm, no draw on an empty
    table, rows with zero firms."""
    from innocluster import load_scenario, simulate

    empty_years = 0
    for seed in range(1, 9):
        # a fixed cost no firm of this size can carry: every firm exits, entrants too
        sc = apply_overrides(load_scenario("italy-overintervention"), ["costs.fixed_cost=5"])
        ts = simulate(sc, seed=seed, years=20, firms=20).timeseries
        assert np.isfinite(ts.select_dtypes("number").drop(columns=["avg_cost_inside", "avg_cost_outside"])).all().all()
        empty_years += int((ts.groupby("year")["firms"].sum() == 0).sum())
    assert empty_years > 0, "the test must reach an empty economy"


def test_a_stage_empty_at_the_start_takes_its_price_base_when_firms_arrive():
    """With price pass-through, a GVC stage nobody occupies at t = 0 starts at price 1
    when its first firms arrive (not at the price a base of 0 would give)."""
    sc = small("race-to-the-bottom", "stages.brand_standards.price_pass_through=0.8",
               "regions.lowcost_town.stage_mix=[0.7,0.2,0.1,0,0]", "regions.periphery.stage_mix=[0.7,0.2,0.1,0,0]",
               "mechanisms.upgrading=false", "mechanisms.mne_inflow=true", "relocation.mne_rate=5",
               "regions.lowcost_town.incentives=3")
    m = ClusterModel(sc, seed=2, firms=600)
    assert np.isnan(m.world.stage_A0[-1])
    prices, occupied = [], []
    for _ in range(8):
        m.step()  # the year's prices are set at its start, from the firms the last year left
        prices.append(m.world.price[-1])
        occupied.append(bool((m.world.firms.stage == m.world.S - 1).any()))
    first = occupied.index(True)  # the top stage's first firms arrived in this year
    assert first + 1 < len(prices), "an MNE must enter the top stage early enough"
    assert prices[first + 1] == pytest.approx(1.0), "the first year with firms is the base year: price 1"
    assert all(p == 1.0 for p in prices[:first + 1])
