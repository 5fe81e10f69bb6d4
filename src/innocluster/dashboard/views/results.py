"""Results page: downloads of this session's results, and a browser for results stores
(the DuckDB/Parquet stores written by sweeps and policy comparisons)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from innocluster.dashboard.reports import comparison_html
from innocluster.dashboard.shared import show_error
from innocluster.errors import InputError


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _session_results() -> None:
    st.subheader("This session")
    any_result = False
    r = st.session_state.get("run")
    if r is not None:
        any_result = True
        from innocluster.scenario import scenario_to_toml

        sc = r["scenario"]
        with st.container(border=True):
            st.markdown(f"**Simulation** — {sc.name}, {r['years']} years, {r['firms']:,} initial firms, seed {r['seed']}")
            c = st.columns(4)
            ts = r["timeseries"]
            c[0].download_button("Time series (Parquet)", _parquet_bytes(ts), f"{sc.name}_timeseries.parquet",
                                 "application/octet-stream", key="res_ts_pq", icon=":material/download:")
            c[1].download_button("Time series (CSV)", ts.to_csv(index=False), f"{sc.name}_timeseries.csv", "text/csv",
                                 key="res_ts_csv", icon=":material/download:")
            c[2].download_button("Final firms (Parquet)", _parquet_bytes(r["final_firms"]), f"{sc.name}_firms.parquet",
                                 "application/octet-stream", key="res_firms_pq", icon=":material/download:")
            c[3].download_button("Scenario (TOML)", scenario_to_toml(sc), f"{sc.name}.toml", "application/toml",
                                 key="res_toml", icon=":material/download:")
    cmp = st.session_state.get("comparison")
    if cmp is not None:
        any_result = True
        with st.container(border=True):
            st.markdown(f"**Policy comparison** — {len(cmp['arms'])} arms × {cmp['settings']['replications']} replications")
            c = st.columns(4)
            html = comparison_html("Policy comparison", cmp["settings"], cmp["arms"], cmp["summary"], cmp["differences"])
            c[0].download_button("HTML report", html, "comparison.html", "text/html", key="res_cmp_html",
                                 icon=":material/description:")
            c[1].download_button("Summary (CSV)", cmp["summary"].to_csv(index=False), "comparison_summary.csv",
                                 "text/csv", key="res_cmp_sum", icon=":material/download:")
            c[2].download_button("Runs (CSV)", cmp["runs"].to_csv(index=False), "comparison_runs.csv", "text/csv",
                                 key="res_cmp_runs", icon=":material/download:")
            c[3].download_button("Runs (Parquet)", _parquet_bytes(cmp["runs"]), "comparison_runs.parquet",
                                 "application/octet-stream", key="res_cmp_pq", icon=":material/download:")
    mon = st.session_state.get("monitor_result")
    if mon is not None:
        any_result = True
        with st.container(border=True):
            st.markdown(f"**Monitor** — {mon['name']}")
            a = mon["analysis"]
            c = st.columns(4)
            if "_html" in a:
                c[0].download_button("HTML report", a["_html"], "monitor_report.html", "text/html", key="res_mon_html",
                                     icon=":material/description:")
            long = a["set"].to_long()
            c[1].download_button("Indicators (CSV)", long.to_csv(index=False), "indicators.csv", "text/csv",
                                 key="res_mon_csv", icon=":material/download:")
            c[2].download_button("Indicators (Parquet)", _parquet_bytes(long), "indicators.parquet",
                                 "application/octet-stream", key="res_mon_pq", icon=":material/download:")
    if not any_result:
        st.caption("Nothing yet: results of the Run, Compare policies and Monitor pages appear here.")


def store_summary(path: str | Path) -> dict:
    """Read a results store (read-only): its experiments, and per experiment the runs,
    outcomes and spec. Raises InputError with one line on any problem."""
    from innocluster.experiments.store import ResultsStore

    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{p}: no such folder; give the folder of a results store (e.g. runs/store)")
    with ResultsStore(p, read_only=True) as st_:
        exps = st_.experiments()
        out = {"path": p, "experiments": exps, "details": {}}
        for name in exps["name"]:
            info = st_.experiment(name)
            out["details"][name] = {"info": info, "runs": st_.runs(name), "outcomes": st_.outcomes(name)}
    return out


def export_bytes(path: str | Path, name: str, what: str, fmt: str) -> bytes:
    """One experiment's runs / outcomes / series as CSV or Parquet bytes (via the store's export)."""
    from innocluster.experiments.store import ResultsStore

    with tempfile.TemporaryDirectory(prefix="innocluster-export-") as tmp:
        out = Path(tmp) / f"{what}.{fmt}"
        with ResultsStore(path, read_only=True) as st_:
            st_.export(name, what, out)
        return out.read_bytes()


def _store_browser() -> None:
    st.subheader("Results store")
    st.caption("A folder written by the Sweep page, `innocluster sweep`, `innocluster compare` or the Compare "
               "page's 'Save to a results store'. It is opened read-only; only this folder is read.")
    from innocluster.dashboard.workspace import store_dir

    folder = st.text_input("Store folder", value=str(store_dir()), key="res_store",
                           help="default: the session folder's store, where the Sweep page writes")
    if not folder.strip():
        return
    if not Path(folder).expanduser().exists():
        st.info(f"No results store at `{folder}` yet. Run a comparison with 'Save to a results store', "
                f"or `innocluster sweep ... --out {folder}`, or enter another folder.", icon=":material/info:")
        return
    try:
        s = store_summary(folder)
    except Exception as exc:  # noqa: BLE001 - show_error gives input errors verbatim, never a traceback
        show_error(exc)
        return
    exps = s["experiments"]
    if exps.empty:
        st.info("The store holds no experiment yet.")
        return
    st.dataframe(exps, hide_index=True, width="stretch")
    name = st.selectbox("Experiment", list(exps["name"]), key="res_exp")
    det = s["details"][name]
    info = det["info"]
    c = st.columns(3)
    c[0].metric("Kind", info["kind"])
    c[1].metric("Runs ok / planned", f"{int(info['ok'])} / {int(info['planned'])}")
    c[2].metric("Failed runs", int(info["failed"]))
    with st.expander("Specification"):
        st.json(info["spec"])
    outcomes = det["outcomes"]
    st.markdown("**Outcomes** (one row per run)")
    st.dataframe(outcomes, hide_index=True, width="stretch", height=240)
    if info["kind"] == "arms" and len(outcomes):
        from innocluster.experiments.compare import summarize_arms

        spec = info["spec"]
        ocs = [c for c in outcomes.columns if "@" in c]
        try:
            summ, diffs = summarize_arms(outcomes.rename(columns={"label": "arm"}), ocs, None, 0.95,
                                         spec.get("arm_order"))
        except InputError as exc:
            show_error(exc)
        else:
            from innocluster.dashboard.reports import verdict_table

            st.markdown("**Verdicts** (paired differences against the first arm, 95 % intervals)")
            st.dataframe(verdict_table(diffs), hide_index=True, width="stretch")
            html = comparison_html(f"Policy comparison {name}", {k: v for k, v in spec.items() if k != "arms"},
                                   spec.get("arms", {}), summ, diffs)
            st.download_button("HTML report", html, f"{name}.html", "text/html", key="res_store_html",
                               icon=":material/description:")
    c = st.columns(3)
    what = c[0].selectbox("Export", ["outcomes", "runs", "series"], key="res_what",
                          help="series = every run's time series, streamed from the run files")
    fmt = c[1].selectbox("Format", ["parquet", "csv"], key="res_fmt")
    if c[2].button("Prepare download", key="res_prepare", icon=":material/build:"):
        try:
            st.session_state["res_export"] = (name, what, fmt, export_bytes(s["path"], name, what, fmt))
        except InputError as exc:
            show_error(exc)
    exp = st.session_state.get("res_export")
    if exp is not None and exp[:3] == (name, what, fmt):
        st.download_button(f"Download {what}.{fmt}", exp[3], f"{name}_{what}.{fmt}",
                           "text/csv" if fmt == "csv" else "application/octet-stream", key="res_store_dl",
                           icon=":material/download:", type="primary")


def render() -> None:
    st.title("Results")
    st.caption("Download what this session produced, and browse results stores of sweeps and policy comparisons.")
    _session_results()
    st.divider()
    _store_browser()
