"""Run page: simulate the current scenario with a progress bar and look at the results."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from innocluster.dashboard import charts
from innocluster.dashboard.shared import (
    DEFAULT_FIRMS,
    DEFAULT_YEARS,
    METRICS,
    RunProgress,
    metric_label,
    scenario_picker,
    show_error,
)
from innocluster.errors import InputError

DEFAULT_METRICS = ["firms", "employment", "patents_per_firm", "tech_mean"]


def run_simulation(sc, seed: int, years: int, firms: int, burn_in: int, progress=None) -> dict:
    """Simulate and compute Figure 1; return everything the page shows (plain data)."""
    from innocluster.model.engine import simulate
    from innocluster.model.figure1 import cost_curves

    t0 = time.perf_counter()
    res = simulate(sc, seed=seed, years=years, firms=firms, progress=progress)
    elapsed = time.perf_counter() - t0
    out = {
        "scenario": res.scenario if hasattr(res, "scenario") else sc,
        "seed": seed, "years": years, "firms": firms, "seconds": elapsed,
        "timeseries": res.timeseries, "final_firms": res.firms,
        "ties": res.tie_rows(),  # rows of final_firms (sorted by id), not of the live table
        "stage_names": [s.name for s in sc.stages],
        "curves": None, "curves_meta": None, "curves_error": None,
    }
    try:
        out["curves"], out["curves_meta"] = cost_curves(sc, seed=seed, burn_in=min(burn_in, years), firms=firms)
    except InputError as exc:
        out["curves_error"] = str(exc)
    return out


def _controls():
    with st.container(border=True):
        c = st.columns([2, 1, 1, 1, 1])
        with c[0]:
            sc = scenario_picker("run_scenario")
        years = c[1].number_input("Years", min_value=1, max_value=200, value=DEFAULT_YEARS, step=1, key="run_years",
                                  help="simulated years (one step = one year)")
        firms = c[2].number_input("Initial firms", min_value=20, max_value=200_000, value=DEFAULT_FIRMS, step=100,
                                  key="run_firms", help="rescales the whole economy (demand, budgets, pools) to this many firms")
        seed = c[3].number_input("Seed", min_value=0, max_value=2**31 - 1, value=1, step=1, key="run_seed",
                                 help="same seed, same results, bit for bit")
        burn = c[4].number_input("Figure 1 burn-in", min_value=0, max_value=100, value=10, step=1, key="run_burn",
                                 help="years simulated before the cost curves are drawn")
        go = st.button("Run simulation", type="primary", icon=":material/play_arrow:", key="run_button")
    return sc, int(years), int(firms), int(seed), int(burn), go


def _kpis(r: dict) -> None:
    ts = r["timeseries"]
    sc = r["scenario"]
    cluster = next((x.name for x in sc.regions if x.kind == "cluster"), sc.regions[0].name)
    d = ts[ts["region"] == cluster].sort_values("year")
    if d.empty:
        return
    last, first = d.iloc[-1], d.iloc[0]
    cols = st.columns(5)
    cols[0].metric(f"Firms in {cluster}", f"{int(last['firms']):,}", f"{int(last['firms'] - first['firms']):+,} since {int(first['year'])}")
    cols[1].metric("Employment (persons)", f"{last['employment']:,.0f}")
    cols[2].metric("Patents per firm (per year)", f"{last['patents_per_firm']:.2f}")
    cols[3].metric("Firms doing R&D", f"{last['share_rd_active']:.0%}")
    if "lifecycle_stage" in d.columns:
        cols[4].metric(f"Life-cycle stage ({int(last['year'])})", str(last["lifecycle_stage"]))


def show_results(r: dict) -> None:
    ts: pd.DataFrame = r["timeseries"]
    sc = r["scenario"]
    st.success(f"Simulated **{sc.name}**: {r['years']} years, {r['firms']:,} initial firms, seed {r['seed']} "
               f"— {r['seconds']:.1f} s.", icon=":material/check_circle:")
    _kpis(r)

    st.subheader("Time series per region")
    available = [m for m in METRICS if m in ts.columns]
    chosen = st.multiselect("Series", available, default=[m for m in DEFAULT_METRICS if m in available],
                            format_func=metric_label, key="run_metrics")
    cols = st.columns(2)
    for i, m in enumerate(chosen):
        with cols[i % 2]:
            st.altair_chart(charts.timeseries_chart(ts, m), width="stretch")

    regions = [x.name for x in sc.regions]
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("GVC stage shares")
        reg = st.selectbox("Region", regions, key="run_gvc_region")
        st.altair_chart(charts.gvc_share_chart(ts, reg, r["stage_names"]), width="stretch")
        st.caption("Share of the region's firms in each stage of the smile curve, assembly (low value added) "
                   "to brand and standards (high).")
    with c2:
        st.subheader("Firm size distribution")
        firms = r["final_firms"]
        view = st.radio("View", ["histogram", "tail (log-log)"], horizontal=True, key="run_size_view")
        chart = charts.size_distribution_chart(firms) if view == "histogram" else charts.size_ccdf_chart(firms)
        st.altair_chart(chart, width="stretch")
        st.caption(f"{len(firms):,} firms alive at the end; employees in persons.")

    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Trust network (sample of firms)")
        nreg = st.selectbox("Region", regions, key="run_net_region")
        size = st.slider("Firms in the sample", 30, 400, 150, step=10, key="run_net_size")
        nodes, edges = charts.network_sample(r["final_firms"], *r["ties"], region=nreg, size=size, seed=r["seed"])
        if len(nodes):
            st.altair_chart(charts.network_chart(nodes, edges, r["stage_names"],
                                                 f"{len(nodes)} firms and their {len(edges)} ties in {nreg}"),
                            width="stretch")
            st.caption("Snowball sample: random firms and their tie partners (kinship, classmates, former "
                       "colleagues, spin-off parents). Position in km; colour = GVC stage; size = employees.")
        else:
            st.info(f"No firms alive in {nreg}.")
    with c2:
        st.subheader("Figure 1: cost curves")
        if r["curves"] is not None:
            st.altair_chart(charts.cost_curve_chart(r["curves"]), width="stretch")
            st.caption(r["curves_meta"].get("note", ""))
        else:
            st.info(r["curves_error"] or "Figure 1 is not available for this scenario.")

    st.subheader("Life-cycle stage")
    for x in sc.regions:
        if x.kind != "cluster":
            continue
        d = ts[ts["region"] == x.name].set_index("year")
        if "lifecycle_stage" not in d.columns:
            continue
        st.altair_chart(charts.stage_band_chart(d["lifecycle_stage"], f"Life-cycle stage of {x.name} (Menzel & Fornahl 2010)"),
                        width="stretch")
        flags = []
        for col, label in (("lock_in", "lock-in"), ("race_to_bottom", "race to the bottom")):
            if col in d.columns and d[col].astype(bool).any():
                yrs = d.index[d[col].astype(bool)]
                flags.append(f"**{label}** flagged in {len(yrs)} year(s), first {int(yrs.min())}")
        if flags:
            st.warning("; ".join(flags), icon=":material/warning:")
        else:
            st.caption("No lock-in or race-to-the-bottom warning in any year.")

    with st.expander("All numbers (one row per region and year)"):
        st.dataframe(ts, width="stretch", height=300)
        st.download_button("Download time series (CSV)", ts.to_csv(index=False), file_name=f"{sc.name}_timeseries.csv",
                           mime="text/csv", icon=":material/download:")


def render() -> None:
    st.title("Run a simulation")
    st.caption("Simulates the scenario year by year: market, costs, finance, innovation, diffusion, entry, "
               "relocation, GVC upgrading, exit and government. 20 years of 1,000 firms take a few seconds.")
    sc, years, firms, seed, burn, go = _controls()
    if go:
        bar = RunProgress(years, f"Simulating {sc.name}")
        try:
            r = run_simulation(sc, seed, years, firms, burn, progress=bar)
        except Exception as exc:  # noqa: BLE001 - show_error: input errors verbatim, never a traceback
            show_error(exc)
            return
        finally:
            bar.finish()
        st.session_state["run"] = r
    r = st.session_state.get("run")
    if r is None:
        st.info("Choose a scenario and press **Run simulation**.", icon=":material/info:")
        return
    show_results(r)
