"""Sweep page: choose parameters and their ranges, run a small Morris or Sobol design
through the experiments machinery (:func:`innocluster.experiments.sweep.run_sweep`) with a
progress bar, and show the sensitivity indices with their intervals
(:func:`innocluster.experiments.sensitivity.analyze`).

Every run is stored in the session folder's results store (``<session folder>/store``);
the same settings under the same experiment name resume instead of recomputing, and the
last sweep's indices come back after a page reload.
"""

from __future__ import annotations

import re
from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from innocluster.dashboard.reports import outcome_label
from innocluster.dashboard.shared import (
    METRICS,
    batch_progress,
    draft_notice,
    metric_label,
    persist,
    scenario_key,
    scenario_picker,
    show_error,
)
from innocluster.errors import InputError

#: Scenario sections whose numeric fields can be swept (plus the government's budget shares).
SECTIONS = ("market", "costs", "finance", "innovation", "diffusion", "entry", "relocation", "upgrading", "exit")
DEFAULT_PARAMS = ["innovation.zeta1", "finance.guarantee"]
MAX_RUNS = 400


def sweepable(sc) -> dict[str, float]:
    """Dotted parameter path -> current value, for every numeric field the page offers."""
    out: dict[str, float] = {}
    dump = sc.model_dump(mode="python")
    for sec in SECTIONS:
        for k, v in (dump.get(sec) or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[f"{sec}.{k}"] = float(v)
    for inst, v in sorted(dump["government"]["shares"].items()):
        out[f"government.shares.{inst}"] = float(v)
    for k, v in dump["government"].items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[f"government.{k}"] = float(v)
    return out


def default_range(v: float) -> tuple[float, float]:
    """Half to one and a half times the current value (0 to 0.1 for a zero)."""
    if v == 0:
        return 0.0, 0.1
    lo, hi = sorted((0.5 * v, 1.5 * v))
    return float(f"{lo:.4g}"), float(f"{hi:.4g}")


def run_count(method: str, samples: int, k: int, replications: int) -> int:
    from innocluster.experiments.sampling import design_size

    return design_size(method, samples, k, second_order=False) * replications


def run_and_analyse(sc, params: list[str], method: str, samples: int, replications: int, outcome: str,
                    years: int, firms: int, seed: int, name: str, store, workers: int = 1, progress=False):
    """Run (or resume) the sweep into ``store`` and return the sensitivity result."""
    from innocluster.experiments.sensitivity import analyze
    from innocluster.experiments.sweep import run_sweep

    from innocluster.experiments import Execution

    execution = Execution(executor="serial" if workers <= 1 else "local", workers=workers if workers > 1 else None,
                          progress=progress)
    run_sweep(sc, params, store=store, method=method, samples=samples, replications=replications,
              outcomes=[outcome], seed=seed, years=years, firms=firms, experiment=name, second_order=False,
              execution=execution)
    return analyze(store, outcome, name)


def indices_frame(res) -> pd.DataFrame:
    """Long table of the indices with interval bounds (index, param, value, low, high)."""
    t = res.table
    rows = []
    if res.method == "morris":
        pairs = [("mu*", "mu_star", "mu_star_conf"), ("sigma", "sigma", None)]
    elif res.method == "sobol":
        pairs = [("S1 (first order)", "S1", "S1_conf"), ("ST (total)", "ST", "ST_conf")]
    else:
        pairs = [("delta", "delta", "delta_conf"), ("S1", "S1", "S1_conf")]
    for label, col, conf in pairs:
        for _, r in t.iterrows():
            v = float(r[col])
            c = float(r[conf]) if conf else float("nan")
            rows.append({"index": label, "param": r["param"], "value": v,
                         "low": v - c if conf else float("nan"), "high": v + c if conf else float("nan")})
    return pd.DataFrame(rows)


def indices_chart(res) -> alt.LayerChart:
    d = indices_frame(res)
    base = alt.Chart(d)
    y = alt.Y("param:N", title=None, axis=alt.Axis(labelLimit=260))
    colour = alt.Color("index:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0))
    pts = base.mark_point(filled=True, size=90).encode(
        y=y, x=alt.X("value:Q", title="index (bars: 95 % bootstrap interval)"), color=colour,
        yOffset="index:N",
        tooltip=["param", "index", alt.Tooltip("value:Q", format=".3g"), alt.Tooltip("low:Q", format=".3g"),
                 alt.Tooltip("high:Q", format=".3g")])
    bars = base.transform_filter("isValid(datum.low)").mark_rule(strokeWidth=2).encode(
        y=y, x="low:Q", x2="high:Q", color=colour, yOffset="index:N")
    return alt.layer(bars, pts, title=f"Sensitivity of {outcome_label(res.outcome, with_unit=False)}").properties(
        height=200 + 70 * d["param"].nunique(), width="container")


def _explain(method: str) -> str:
    if method == "morris":
        return ("Morris elementary effects (Campolongo et al. 2007): **mu\\*** is the mean absolute change of the "
                "outcome when one parameter moves across its range (how much it matters); **sigma** its spread "
                "(interactions or non-linearity). Units: the outcome's.")
    return ("Sobol indices (Saltelli 2002, Jansen): **S1** is the share of the outcome's variance due to one "
            "parameter alone, **ST** including its interactions; a small design gives wide intervals, and "
            "estimates slightly below 0 mean 'about zero'.")


def show_result(res, meta: dict) -> None:
    st.subheader("Sensitivity indices")
    st.caption(f"Experiment **{meta['name']}** in `{meta['store']}`: {res.n_points} design points, {res.n_runs} runs; "
               f"{_explain(res.method)}")
    st.altair_chart(indices_chart(res), width="stretch")
    st.dataframe(res.table, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in res.table.columns
                                if c != "param"})
    st.download_button("Download indices (CSV)", res.table.to_csv(index=False),
                       file_name=f"{meta['name']}_indices.csv", mime="text/csv", icon=":material/download:",
                       key="sweep_dl")


def render() -> None:
    from innocluster.dashboard.workspace import save_sweep, store_dir

    st.title("Sweep and sensitivity")
    st.caption("Which parameters move an outcome? Choose parameters and ranges, run a small Morris or Sobol design "
               "(every run a full simulation), and read the sensitivity indices with their 95 % intervals. The runs "
               "are stored in the session folder's results store (also browsable on the Results page).")
    draft_notice()
    with st.container(border=True):
        c = st.columns([2, 1, 1, 1])
        with c[0]:
            sc = scenario_picker("sweep_scenario")
        key = scenario_key(sc)
        years = int(c[1].number_input("Years", 1, 200, int(min(10, sc.years)), key=f"sweep_years_{key}",
                                      help="simulated years per run (short sweeps first)"))
        firms = int(c[2].number_input("Initial firms", 20, 100_000, 200, step=100, key="sweep_firms"))
        seed = int(c[3].number_input("Root seed", 0, 2**31 - 1, int(sc.seed), key=f"sweep_seed_{key}",
                                     help="seeds the design and every run; starts from the Scenario page's seed"))
        values = sweepable(sc)
        chosen = st.multiselect("Parameters to sweep", list(values), default=[p for p in DEFAULT_PARAMS if p in values],
                                key=f"sweep_params_{sc.name}", help="dotted scenario paths, as in `--set`")
        ranges = pd.DataFrame([{"parameter": p, "current": values[p], "low": default_range(values[p])[0],
                                "high": default_range(values[p])[1]} for p in chosen])
        edited = st.data_editor(ranges, key=f"sweep_ranges_{sc.name}_{'|'.join(chosen)}", hide_index=True,
                                num_rows="fixed", width="stretch", disabled=["parameter", "current"],
                                column_config={"current": st.column_config.NumberColumn(format="%g"),
                                               "low": st.column_config.NumberColumn("low", format="%g"),
                                               "high": st.column_config.NumberColumn("high", format="%g")})
        c = st.columns([1, 1, 1, 2, 1])
        method = c[0].radio("Design", ["morris", "sobol"], format_func={"morris": "Morris", "sobol": "Sobol"}.get,
                            key="sweep_method", horizontal=True)
        samples = int(c[1].number_input("Trajectories" if method == "morris" else "Base samples N", 2, 256,
                                        4 if method == "morris" else 8, key=f"sweep_samples_{method}",
                                        help="Morris: runs = trajectories x (parameters + 1); Sobol: runs = N x "
                                             "(parameters + 2), first-order and total indices"))
        reps = int(c[2].number_input("Replications", 1, 20, 1, key="sweep_reps",
                                     help="runs per design point, averaged before the analysis"))
        metrics = list(METRICS)
        metric = c[3].selectbox("Outcome (last simulated year)", metrics, index=metrics.index("patents_per_firm"),
                                format_func=metric_label, key="sweep_metric")
        regions = [r.name for r in sc.regions]
        region = c[4].selectbox("Region", regions, key="sweep_region")
        n_runs = run_count(method, samples, max(1, len(chosen)), reps) if chosen else 0
        st.caption(f"{n_runs} runs of {years} years with {firms:,} initial firms (at most {MAX_RUNS} on this page; "
                   f"use `innocluster sweep` for larger designs).")
        name = st.text_input("Experiment name", value=f"sweep-{datetime.now():%Y%m%d-%H%M%S}", key="sweep_name",
                             help="the same name and settings resume a stopped sweep")
        go = st.button("Run sweep", type="primary", icon=":material/play_arrow:", key="sweep_button")
    if go:
        try:
            if not chosen:
                raise InputError("choose at least one parameter to sweep")
            if n_runs > MAX_RUNS:
                raise InputError(f"{n_runs} runs: more than the page's {MAX_RUNS}; use fewer samples or parameters, "
                                 f"or `innocluster sweep`")
            params = []
            for _, r in edited.iterrows():
                lo, hi = r["low"], r["high"]
                if pd.isna(lo) or pd.isna(hi):
                    raise InputError(f"{r['parameter']}: give both a low and a high value")
                params.append(f"{r['parameter']}={float(lo)!r}:{float(hi)!r}")
            exp = re.sub(r"[^A-Za-z0-9_.\-]", "-", name.strip())[:64] or "sweep"
            outcome = f"{metric}@last@{region}"
            bar = batch_progress(f"{method.capitalize()} sweep, {n_runs} runs")
            try:
                res = run_and_analyse(sc, params, method, samples, reps, outcome, years, firms, seed, exp,
                                      store_dir(), progress=bar)
            finally:
                bar.stop()
        except Exception as exc:  # noqa: BLE001 - show_error: input errors verbatim, never a traceback
            show_error(exc)
            return
        meta = {"name": exp, "store": str(store_dir()), "outcome": res.outcome, "method": method}
        st.session_state["sweep"] = meta
        st.session_state["sweep_result"] = (meta, res)
        persist(save_sweep, meta)
    meta = st.session_state.get("sweep")
    if meta is None:
        st.info("Choose parameters and ranges and press **Run sweep**.", icon=":material/info:")
        return
    cached = st.session_state.get("sweep_result")
    if cached is not None and cached[0] == meta:
        res = cached[1]
    else:  # after a reload: the indices again, from the stored runs
        from innocluster.experiments.sensitivity import analyze

        try:
            res = analyze(meta["store"], meta["outcome"], meta["name"])
        except Exception as exc:  # noqa: BLE001
            show_error(exc)
            return
        st.session_state["sweep_result"] = (meta, res)
        st.caption("Restored from the session folder's results store (the last sweep before the page was reloaded).")
    show_result(res, meta)
