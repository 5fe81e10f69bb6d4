"""Run page: simulate the current scenario with a progress bar and look at the results."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from innocluster.dashboard import charts
from innocluster.dashboard.shared import (
    DEFAULT_FIRMS,
    METRICS,
    RunProgress,
    draft_notice,
    metric_label,
    persist,
    scenario_key,
    scenario_picker,
    show_error,
)
from innocluster.dashboard.workspace import save_run
from innocluster.errors import InputError

DEFAULT_METRICS = ["firms", "employment", "patents_per_firm", "tech_mean"]


#: Firms kept per year in the frames of the firm map (a sample of firm ids beyond this).
MAX_FRAME_FIRMS = 4000


def _frame(w, keep_every: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """This year's firms (position, region, stage, size, MNE flag, technology) and their
    ties as pairs of firm ids; every ``keep_every``-th firm id only."""
    import numpy as np

    f = w.firms
    o = f.id_order()
    ids = f.id[o]
    keep = ids % keep_every == 0
    o = o[keep]
    names = np.asarray(w.regions.names, dtype=object)
    stages = np.asarray(w.stage_names, dtype=object)
    firms = pd.DataFrame({"year": np.full(o.size, w.year, dtype=np.int32), "id": f.id[o], "x": f.x[o], "y": f.y[o],
                          "region_name": names[f.region[o]], "stage_name": stages[f.stage[o]],
                          "employees": f.employees[o].astype(float), "is_mne": f.is_mne[o].astype(bool),
                          "A": f.A[o]})
    u, v = np.asarray(w.network.u), np.asarray(w.network.v)
    iu, iv = f.id[u], f.id[v]
    k = (iu % keep_every == 0) & (iv % keep_every == 0)
    ties = pd.DataFrame({"year": np.full(int(k.sum()), w.year, dtype=np.int32), "u": iu[k], "v": iv[k]})
    return firms, ties


def run_simulation(sc, seed: int, years: int, firms: int, burn_in: int, progress=None) -> dict:
    """Simulate year by year (keeping a frame of the firm map per year) and compute
    Figure 1; return everything the page shows (plain data)."""
    from innocluster.model.engine import ClusterModel
    from innocluster.model.figure1 import cost_curves

    if years < 1:
        raise InputError(f"years = {years}: must be at least 1")
    t0 = time.perf_counter()
    model = ClusterModel(sc, seed=seed, firms=firms)
    keep_every = max(1, -(-int(firms) // MAX_FRAME_FIRMS))
    frames, frame_ties = [], []
    for _ in range(years):
        model.step()
        f, t = _frame(model.world, keep_every)
        f["year"] = model.world.year - 1  # the year just simulated (the clock has moved on)
        t["year"] = model.world.year - 1
        frames.append(f)
        frame_ties.append(t)
        if progress is not None:
            progress(1)
    res = model.results()
    elapsed = time.perf_counter() - t0
    out = {
        "scenario": res.scenario if hasattr(res, "scenario") else sc,
        "seed": seed, "years": years, "firms": firms, "seconds": elapsed,
        "timeseries": res.timeseries, "final_firms": res.firms,
        "ties": res.tie_rows(),  # rows of final_firms (sorted by id), not of the live table
        "stage_names": [s.name for s in sc.stages],
        "frames": pd.concat(frames, ignore_index=True), "frame_ties": pd.concat(frame_ties, ignore_index=True),
        "sample_note": "" if keep_every == 1 else f"every {keep_every}th firm (by id) is kept in the yearly maps",
        "curves": None, "curves_meta": None, "curves_error": None,
    }
    # the frames' years must be the time series' years
    ts_years = sorted(res.timeseries["year"].unique())
    fr_years = sorted(out["frames"]["year"].unique())
    if len(ts_years) == len(fr_years) and ts_years != fr_years:
        shift = int(ts_years[0]) - int(fr_years[0])
        out["frames"]["year"] += shift
        out["frame_ties"]["year"] += shift
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
        key = scenario_key(sc)
        years = c[1].number_input("Years", min_value=1, max_value=200, value=int(min(200, max(1, sc.years))), step=1,
                                  key=f"run_years_{key}",
                                  help="simulated years (one step = one year); starts from the Scenario page's value")
        last = st.session_state.get("run")
        firms = c[2].number_input("Initial firms", min_value=20, max_value=200_000,
                                  value=int(last["firms"]) if last else DEFAULT_FIRMS, step=100,
                                  key="run_firms", help="rescales the whole economy (demand, budgets, pools) to this many firms")
        seed = c[3].number_input("Seed", min_value=0, max_value=2**31 - 1, value=int(sc.seed), step=1, key=f"run_seed_{key}",
                                 help="same seed, same results, bit for bit; starts from the Scenario page's value")
        burn = c[4].number_input("Figure 1 burn-in", min_value=0, max_value=100, value=10, step=1, key="run_burn",
                                 help="years simulated before the cost curves are drawn")
        st.caption(f"Years and seed start from the Scenario page ({sc.name}: {sc.years} years from {sc.start_year}, "
                   f"seed {sc.seed}).")
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
    cols = st.columns(3) + st.columns(3)
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
    c1, c2 = st.columns([3, 2])
    chosen = c1.multiselect("Series", available, default=[m for m in DEFAULT_METRICS if m in available],
                            format_func=metric_label, key="run_metrics")
    layout = c2.radio("Cluster and periphery", ["separate panels", "one panel, log axis"], horizontal=True,
                      key="run_ts_layout",
                      help="the periphery (the rest of the economy) is often ten times the cluster; separate panels "
                           "give each its own axis")
    cluster_regions = [x.name for x in sc.regions if x.kind == "cluster"]
    other_regions = [x.name for x in sc.regions if x.kind != "cluster"]
    cols = st.columns(2)
    for i, m in enumerate(chosen):
        with cols[i % 2]:
            if layout == "separate panels" and cluster_regions and other_regions:
                st.altair_chart(charts.timeseries_chart(ts, m, regions=cluster_regions, panel="cluster"),
                                width="stretch")
                st.altair_chart(charts.timeseries_chart(ts, m, regions=other_regions, panel="periphery", height=200),
                                width="stretch")
            else:
                st.altair_chart(charts.timeseries_chart(ts, m, log=layout != "separate panels"), width="stretch")

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
                       f"colleagues, spin-off parents). Position in km; {charts.NETWORK_KEY}.")
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
    st.caption(stage_rule_text())
    for x in sc.regions:
        if x.kind != "cluster":
            continue
        d = ts[ts["region"] == x.name].set_index("year")
        if "lifecycle_stage" not in d.columns:
            continue
        st.altair_chart(charts.stage_band_chart(d["lifecycle_stage"], f"Life-cycle stage of {x.name} (Menzel & Fornahl 2010)",
                                                growth=stage_growth(d)),
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

    watch_run(r)

    with st.expander("All numbers (one row per region and year)"):
        st.dataframe(ts, width="stretch", height=300)
        st.download_button("Download time series (CSV)", ts.to_csv(index=False), file_name=f"{sc.name}_timeseries.csv",
                           mime="text/csv", icon=":material/download:")


def stage_rule_text() -> str:
    """The classifier's rule in words, with its thresholds (innocluster.lifecycle.stages)."""
    from innocluster.lifecycle.stages import StageThresholds

    t = StageThresholds()
    return (f"How the band is drawn, year by year (first match wins): g = growth of firms and employment, "
            f"averaged over a centred {t.window}-year window. **decline** if g ≤ −{t.decline_growth:.0%} a year; "
            f"**budding** while the cluster has never had {t.emergence_max_firms:g} firms, or while g ≥ "
            f"{t.growth_rate:.0%} with technological heterogeneity still rising (≥ {t.heterogeneity_rising:.0%} a "
            f"year) and fewer than {t.emergence_max_firms_with_rising_heterogeneity:g} firms; **growth** if g ≥ "
            f"{t.growth_rate:.0%} otherwise; **maturity** in between. A small cluster whose growth hovers near "
            f"{t.growth_rate:.0%} or whose heterogeneity turns can therefore switch back and forth between "
            f"budding and growth; hover a year to see its g.")


def stage_growth(d: pd.DataFrame):
    """The smoothed growth rate the classifier reads (mean log growth of firms and employment,
    centred window), per year; None when the columns are missing."""
    import numpy as np

    from innocluster.lifecycle.stages import StageThresholds

    if "firms" not in d.columns:
        return None
    cols = [c for c in ("firms", "employment") if c in d.columns]
    g = np.log(d[cols].astype(float).clip(lower=1e-9)).diff().mean(axis=1)
    g = g.bfill()
    w = StageThresholds().window
    return g.rolling(w, center=True, min_periods=1).mean()


def _watch_chart_inputs(r: dict, year: int, region: str, size: int):
    """Nodes and ties of the firm map in ``year``: a fixed pseudo-random subset of firm ids
    (a firm stays on the map from entry to exit, so the years can be compared; about
    ``size`` firms in the busiest year), with the ties among them."""
    import numpy as np

    fr, ft = r["frames"], r["frame_ties"]
    in_region = fr[fr["region_name"] == region]
    firms = in_region[in_region["year"] == year]
    most = int(in_region.groupby("year").size().max()) if len(in_region) else 0
    if most > size:
        # a firm is on the map if a hash of its id is below a threshold fixed for the run: it stays on the
        # map all its life, and the busiest year shows about `size` firms
        rank = (firms["id"].to_numpy(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
        firms = firms[rank < np.uint64(int(size / most * 2**32))]
    firms = firms.reset_index(drop=True)
    ties = ft[ft["year"] == year]
    pos = pd.Index(firms["id"])
    u, v = pos.get_indexer(ties["u"]), pos.get_indexer(ties["v"])
    ok = (u >= 0) & (v >= 0)
    nodes = firms.copy()
    nodes["node"] = nodes["id"]
    xs, ys = firms["x"].to_numpy(float), firms["y"].to_numpy(float)
    edges = pd.DataFrame({"x": xs[u[ok]], "y": ys[u[ok]], "x2": xs[v[ok]], "y2": ys[v[ok]]})
    return nodes, edges


def watch_run(r: dict) -> None:
    """A year slider and a play button over the run's years: the firm map (position,
    GVC stage, size, ties) and the key series up to that year."""
    st.subheader("Watch the run")
    fr = r.get("frames")
    if fr is None or fr.empty:
        st.info("This run has no yearly frames (run it again to watch it year by year).")
        return
    sc = r["scenario"]
    years = sorted(int(y) for y in fr["year"].unique())
    regions = [x.name for x in sc.regions]
    cluster = next((x.name for x in sc.regions if x.kind == "cluster"), regions[0])

    @st.fragment
    def _panel():
        c = st.columns([1, 3, 1])
        reg = c[0].selectbox("Region", regions, index=regions.index(cluster), key="watch_region")
        year = c[1].slider("Year", years[0], years[-1], years[-1], key="watch_year",
                           help="drag to see the firms and the series in any year of the run")
        play = c[2].button("Play", icon=":material/play_arrow:", key="watch_play", width="stretch",
                           help="step through the years from the one on the slider to the last")
        sub = fr[fr["region_name"] == reg]
        dom = None
        if len(sub):
            pad = 0.02 * max(1e-9, float(max(sub["x"].max() - sub["x"].min(), sub["y"].max() - sub["y"].min())))
            dom = ((float(sub["x"].min()) - pad, float(sub["x"].max()) + pad),
                   (float(sub["y"].min()) - pad, float(sub["y"].max()) + pad))
        status = st.empty()
        left, right = st.columns([3, 2])
        map_ph = left.empty()
        series_ph = right.empty()
        ts = r["timeseries"]
        for y in (years[years.index(year):] if play else [year]):
            nodes, edges = _watch_chart_inputs(r, y, reg, 250)
            if len(nodes):
                map_ph.altair_chart(charts.network_chart(nodes, edges, r["stage_names"],
                                                         f"{reg} in {y}: {len(nodes)} firms, {len(edges)} ties",
                                                         domain=dom), width="stretch")
            else:
                map_ph.info(f"No firms alive in {reg} in {y}.")
            with series_ph.container():
                for ch in charts.watch_series_charts(ts, reg, y):
                    st.altair_chart(ch, width="stretch")
            status.caption(f"Year **{y}** of {years[0]}–{years[-1]}" + (" (playing)" if play and y != years[-1] else "")
                           + f". About 250 firms at most (the same firms from year to year while they live) and the ties among them; "
                           f"{charts.NETWORK_KEY}." + (f" {r['sample_note']}." if r.get("sample_note") else ""))
            if play and y != years[-1]:
                time.sleep(0.5)

    _panel()


def render() -> None:
    st.title("Run a simulation")
    st.caption("Simulates the scenario year by year: market, costs, finance, innovation, diffusion, entry, "
               "relocation, GVC upgrading, exit and government. 20 years of 1,000 firms take a few seconds.")
    draft_notice()
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
        persist(save_run, r)
    r = st.session_state.get("run")
    if r is None:
        st.info("Choose a scenario and press **Run simulation**.", icon=":material/info:")
        return
    if r.get("restored"):
        st.caption("Restored from the session folder (the last run before the page was reloaded).")
    show_results(r)
