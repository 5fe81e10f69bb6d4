"""Monitor page: measure a real (or simulated) cluster from an uploaded file.

The shipped example (a synthetic region x industry x year table) is preloaded. Uploads
are size-capped and read by the monitor's own loaders (:mod:`innocluster.dashboard.uploads`);
a bad file shows the loader's one-line message naming row and column.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from innocluster.dashboard import charts
from innocluster.dashboard.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES, analyse_upload

ALL = "(all)"
#: Default focus of the shipped examples (the cluster the synthetic table was built around).
EXAMPLE_FOCUS = {"synthetic_region_industry.csv": ("hsinchu", "semiconductors")}
EXAMPLES = {"synthetic": "synthetic region × industry × year table (6 regions, 8 industries, 1985-2010)",
            "cincera": "Cincera (1997) firm panel: 181 firms, patents and R&D, 1983-1991"}


def example_bytes(name: str = "synthetic") -> tuple[str, bytes]:
    from innocluster.monitor import example_data

    p = example_data(name)
    return p.name, p.read_bytes()


def _analysis(name: str, data: bytes, region: str | None, industry: str | None):
    """Memoised per (file content, focus) in the session, so widgets do not recompute."""
    key = (hashlib.sha256(data).hexdigest(), name, region, industry)
    memo = st.session_state.setdefault("monitor_memo", {})
    if key not in memo:
        if len(memo) > 6:
            memo.clear()
        memo[key] = analyse_upload(name, data, region, industry)
    return memo[key]


def _source() -> tuple[str, bytes, bool]:
    c1, c2 = st.columns([3, 2])
    with c1:
        up = st.file_uploader(
            "Upload a firm panel or a region × industry × year table",
            type=UPLOAD_TYPES, key="monitor_upload",
            help=f"CSV, TSV, Parquet or Excel, at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB. Firm panel: firm, region, "
                 "industry, year, employees (+ patents, rd, founded, exited, parent, gvc_stage, …). Region table: "
                 "region, industry, year, employment (+ establishments, patents, rd). The file is read as data; "
                 "nothing in it is executed.")
    with c2:
        ex = st.radio("Example data (used when no file is uploaded)", list(EXAMPLES), format_func=EXAMPLES.get,
                      key="monitor_example")
    if up is not None:
        return up.name, up.getvalue(), True
    name, data = example_bytes(ex)
    return name, data, False


def render() -> None:
    st.title("Cluster monitor")
    st.caption("Specialisation, concentration, the life-cycle stage (Menzel & Fornahl 2010), forecasts with 95 % "
               "prediction bands, and lock-in / race-to-the-bottom warnings — from your own data. "
               "See docs/monitor.md for the formats.")
    name, data, uploaded = _source()
    if not uploaded:
        st.info(f"Showing the example data **{name}**. Upload your own file above to replace it.",
                icon=":material/dataset:")
    focus = EXAMPLE_FOCUS.get(name, (None, None)) if not uploaded else (None, None)
    show_monitor(name, data, *focus)


def show_monitor(name: str, data: bytes, default_region: str | None = None, default_industry: str | None = None) -> None:
    """Load, analyse and show one file's monitor results (or its error message)."""
    ds, a, err = _analysis(name, data, None, None)
    if err:
        st.error(err, icon=":material/error:")
        st.caption("Fix the file and upload it again; the expected formats are listed under the upload's help (?).")
        return
    regions = sorted(map(str, pd.unique(ds.data["region"].astype(str))))
    industries = sorted(map(str, pd.unique(ds.data["industry"].astype(str))))
    c = st.columns([1, 1, 2])
    ropts, iopts = [ALL, *regions], [ALL, *industries]
    region = c[0].selectbox("Focus region", ropts, key=f"monitor_region_{name}",
                            index=ropts.index(default_region) if default_region in ropts else 0,
                            help="stage, warnings and forecasts for this region (all regions together by default)")
    industry = c[1].selectbox("Focus industry", iopts, key=f"monitor_industry_{name}",
                              index=iopts.index(default_industry) if default_industry in iopts else 0)
    region = None if region == ALL else region
    industry = None if industry == ALL else industry
    if region or industry:
        ds, a, err = _analysis(name, data, region, industry)
        if err:
            st.error(err, icon=":material/error:")
            return
    st.session_state["monitor_result"] = {"name": name, "analysis": a}
    kind = "firm panel" if ds.kind == "firm" else "region × industry × year table"
    c[2].markdown(f"**{ds.source}** — {kind}, {len(ds.data):,} rows, {len(regions)} regions, "
                  f"{len(industries)} industries, years {int(ds.data['year'].min())}-{int(ds.data['year'].max())}.")
    show_analysis(a)


def show_analysis(a: dict) -> None:
    d = a["data"]
    stage = a["stage"]
    cols = st.columns(4)
    if stage is not None:
        cols[0].metric(f"Life-cycle stage ({stage.index[-1]})", str(stage.iloc[-1]))
    else:
        cols[0].metric("Life-cycle stage", "not classified")
    for col, (key, title) in zip(cols[1:3], (("lock_in", "Lock-in"), ("race_to_the_bottom", "Race to the bottom"))):
        w = d["warnings"][key]
        col.metric(title, "WARNING" if w["state"] == "warning" else w["state"])
    cols[3].metric("Specialisation measured on", d["measure"])

    if stage is not None:
        st.altair_chart(charts.stage_band_chart(stage, "Life-cycle stage per year"), width="stretch")

    clusters = d.get("clusters", [])
    if len(clusters) > 1:
        st.subheader("Clusters judged")
        st.caption(f"Each cluster is judged on its own; the details below are those of **{d['cluster']['name']}** "
                   "(choose a region or industry above to see another).")
        st.dataframe(pd.DataFrame([{"cluster": c["name"], "latest stage": c["latest_stage"] or "not classified",
                                    "lock-in": c["warnings"]["lock_in"]["state"],
                                    "race to the bottom": c["warnings"]["race_to_the_bottom"]["state"]}
                                   for c in clusters]), hide_index=True, width="stretch")

    st.subheader("Warnings")
    for key, title in (("lock_in", "Lock-in"), ("race_to_the_bottom", "Race to the bottom")):
        w = d["warnings"][key]
        verdict = "WARNING" if w["state"] == "warning" else w["state"]
        text = f"**{title}: {verdict}**\n\n" + "\n".join(f"- {r}" for r in w["reasons"])
        text += "".join(f"\n- not measurable: **{m}**, from {w['needs'].get(m, '')}" for m in w.get("missing", []))
        if w["state"] == "warning":
            st.warning(text, icon=":material/warning:")
        elif w["state"] == "no warning":
            st.success(text, icon=":material/check:")
        else:
            st.info(text, icon=":material/help:")

    st.subheader("Forecast")
    target = next((f["target"] for f in d["forecasts"].values() if f.get("target")), None)
    if target:
        c1, c2 = st.columns([3, 2])
        c1.altair_chart(charts.forecast_chart(a["series"], target, a["fits"]), width="stretch")
        rows = [{"model": k, "fitted": f["ok"], "saturation": f["saturation"] if f["ok"] else None,
                 "peak year": f["peak_time"] if f["ok"] else None, "RMSE": f["rmse"] if f["ok"] else None,
                 "note": f["message"]} for k, f in d["forecasts"].items()]
        c2.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"saturation": st.column_config.NumberColumn(format="%.4g"),
                                    "peak year": st.column_config.NumberColumn(format="%.1f"),
                                    "RMSE": st.column_config.NumberColumn(format="%.3g")})
        c2.caption(f"Logistic, Gompertz and Bass fits of **{target}** per year; bands are 95 % delta-method "
                   "prediction bands. The Bass model reads the series as cumulative adoption.")
    else:
        st.info("No series to forecast (needs firm or employment counts per year).")

    st.subheader("Indicators")
    s = a["set"]
    t1, t2, t3 = st.tabs(["Regions (latest year)", "Highest location quotients", "All indicators (long table)"])
    with t1:
        reg = s.region
        if reg is not None and len(reg):
            st.dataframe(reg[reg["year"] == reg["year"].max()], hide_index=True, width="stretch")
    with t2:
        st.dataframe(pd.DataFrame(d["top_location_quotients"]), hide_index=True, width="stretch")
        st.caption("Location quotient = the region's share of the industry ÷ its share of all activity; "
                   "above 1 means specialised.")
    with t3:
        long = s.to_long()
        st.dataframe(long.head(5000), hide_index=True, width="stretch", height=300)
        st.download_button("Download all indicators (CSV)", long.to_csv(index=False), file_name="indicators.csv",
                           mime="text/csv", icon=":material/download:", key="monitor_dl_csv")
    with st.expander("Notes: what was skipped or assumed"):
        for n in dict.fromkeys(d["notes"]):
            st.markdown(f"- {n}")
    from innocluster.monitor.report import render_html

    try:
        if "_html" not in a:
            a["_html"] = render_html(a)
        html = a["_html"]
    except Exception as exc:  # noqa: BLE001
        st.caption(f"HTML report unavailable ({type(exc).__name__}).")
    else:
        st.download_button("Download the HTML report", html, file_name="monitor_report.html", mime="text/html",
                           icon=":material/description:", key="monitor_dl_html", type="primary")
