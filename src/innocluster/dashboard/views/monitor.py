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


def _source() -> tuple[str, bytes, bool, str | None]:
    """(file name, bytes, uploaded?, example name) of what the page shows.

    An upload is kept in the session folder; after a reload (the uploader is empty in a
    new session) the kept file is shown again until the user picks the example data."""
    from innocluster.dashboard.shared import persist
    from innocluster.dashboard.workspace import clear_monitor, save_monitor

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
    saved = st.session_state.get("monitor_saved")
    if up is not None:
        st.session_state["monitor_had_upload"] = True
        data = up.getvalue()
        sig = (up.name, len(data), hashlib.sha256(data).hexdigest())
        if st.session_state.get("monitor_saved_sig") != sig:
            st.session_state["monitor_saved_sig"] = sig
            if len(data) <= MAX_UPLOAD_BYTES:  # (a file the page refuses is not kept)
                st.session_state["monitor_saved"] = {"name": up.name, "uploaded": True, "data": data}
                persist(save_monitor, up.name, data, True)
        return up.name, data, True, None
    if st.session_state.pop("monitor_had_upload", False):
        # the user removed the file from the uploader: forget it
        st.session_state.pop("monitor_saved", None)
        st.session_state.pop("monitor_saved_sig", None)
        persist(clear_monitor)
        saved = None
    if saved and saved.get("uploaded") and saved.get("data") is not None:
        c = st.columns([4, 1])
        c[0].info(f"Showing **{saved['name']}**, your upload before the page was reloaded (kept in the session "
                  f"folder). Upload another file to replace it.", icon=":material/restore:")
        if c[1].button("Use the example data instead", key="monitor_forget", width="stretch"):
            st.session_state.pop("monitor_saved", None)
            persist(clear_monitor)
            st.rerun()
        return saved["name"], saved["data"], True, None
    name, data = example_bytes(ex)
    return name, data, False, ex


def render() -> None:
    st.title("Cluster monitor")
    st.caption("Specialisation, concentration, the life-cycle stage (Menzel & Fornahl 2010), forecasts with 95 % "
               "prediction bands, and lock-in / race-to-the-bottom warnings — from your own data. "
               "See docs/monitor.md for the formats.")
    name, data, uploaded, example = _source()
    if not uploaded:
        st.info(f"Showing the example data **{name}**. Upload your own file above to replace it.",
                icon=":material/dataset:")
    focus = EXAMPLE_FOCUS.get(name, (None, None)) if not uploaded else (None, None)
    show_monitor(name, data, *focus)


def _reject(err: str) -> None:
    """A rejected file: its message, and no earlier or example results left on the page or
    in the session (the Results page and a reload show nothing from before)."""
    from innocluster.dashboard.shared import persist
    from innocluster.dashboard.workspace import clear_monitor

    st.error(err, icon=":material/error:")
    st.caption("Fix the file and upload it again; the expected formats are listed under the upload's help (?). "
               "Earlier results were cleared so that they are not mistaken for this file's.")
    st.session_state.pop("monitor_result", None)
    st.session_state.pop("monitor_saved", None)
    st.session_state.pop("monitor_saved_sig", None)
    persist(clear_monitor)


def _reader_notes(ds, name: str, data: bytes) -> list[str]:
    """How the file was read (encoding, separator, sheet), from the monitor's readers'
    notes; for a workbook with several sheets, which sheet was read."""
    keys = ("sheet", "encoding", "separator", "separated", "delimiter", "decoded", "read as", "workbook")
    # (the readers' hints name command-line options; on the page they point to the command)
    cli = {"; --encoding overrides": "; `innocluster monitor --encoding` overrides",
           "(choose with --sheet)": "(`innocluster monitor --sheet` reads another)"}
    notes = []
    for n in getattr(ds, "notes", []):
        if any(k in n.lower() for k in keys):
            for a, b in cli.items():
                n = n.replace(a, b)
            notes.append(n)
    if name.lower().endswith((".xlsx", ".xlsm")) and not any("sheet" in n.lower() for n in notes):
        try:
            import io

            sheets = pd.ExcelFile(io.BytesIO(data)).sheet_names
        except Exception:  # noqa: BLE001 - the reader has read it; this note is extra
            sheets = []
        if len(sheets) > 1:
            others = ", ".join(repr(x) for x in sheets[1:])
            notes.append(f"read the first sheet {sheets[0]!r} of {len(sheets)}; the others ({others}) were not read — "
                         f"put the data you want on the first sheet")
    return notes


def show_monitor(name: str, data: bytes, default_region: str | None = None, default_industry: str | None = None) -> None:
    """Load, analyse and show one file's monitor results (or its error message)."""
    ds, a, err = _analysis(name, data, None, None)
    if err:
        _reject(err)
        return
    notes = _reader_notes(ds, name, data)
    if notes:
        st.info("**How the file was read:** " + "; ".join(notes), icon=":material/description:")
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
            _reject(err)
            return
    st.session_state["monitor_result"] = {"name": name, "analysis": a}
    kind = "firm panel" if ds.kind == "firm" else "region × industry × year table"
    c[2].markdown(f"**{ds.source}** — {kind}, {len(ds.data):,} rows, {len(regions)} regions, "
                  f"{len(industries)} industries, years {int(ds.data['year'].min())}-{int(ds.data['year'].max())}.")
    show_analysis(a)


def region_indicator_table(reg: pd.DataFrame, most: int = 5) -> pd.DataFrame:
    """Latest-year region indicators, one column per region (at most ``most``, the largest),
    numbers as short text, so the table fits a narrow page."""
    last = reg[reg["year"] == reg["year"].max()].copy()
    num = [c for c in last.columns if c not in ("region", "year") and pd.api.types.is_numeric_dtype(last[c])]
    size = next((c for c in ("employment", "establishments", "firms") if c in last.columns), num[0] if num else None)
    if size is not None:
        last = last.sort_values(size, ascending=False)
    last = last.head(most)
    t = last.set_index(last["region"].astype(str))[num].T
    return t.map(lambda v: "" if pd.isna(v) else f"{v:,.3g}" if abs(v) < 1e4 else f"{v:,.0f}")


def _png(b64: str | None) -> bytes | None:
    import base64

    return None if not b64 else base64.b64decode(b64)


def show_maps(a: dict) -> None:
    """The report's specialisation heat map and Lorenz curves, the same figures."""
    from innocluster.monitor.report import heatmap_figure, lorenz_figure

    if "_maps" not in a:
        try:
            a["_maps"] = (heatmap_figure(a["set"], "lq"), lorenz_figure(a["set"]))
        except Exception as exc:  # noqa: BLE001 - the rest of the page stays usable
            a["_maps"] = (None, None)
            st.caption(f"Heat map and Lorenz curves unavailable ({type(exc).__name__}).")
    heat, lorenz = a["_maps"]
    if not heat and not lorenz:
        return
    st.subheader("Specialisation and concentration")
    c1, c2 = st.tabs(["Specialisation heat map", "Lorenz curves"])
    if heat:
        c1.image(_png(heat), caption="Location quotients in the latest year (log2 scale: red = specialised, "
                 "LQ above 1; blue = under-represented); largest regions and industries.", width="content")
    if lorenz:
        c2.image(_png(lorenz), caption="Lorenz curves of the largest industries across regions; the further below "
                 "the diagonal, the more concentrated (Hoover-Gini in the legend).", width="content")


def warning_state(w: dict) -> tuple[str, list[str]]:
    """("warning" | "no warning" | "not judged", what is missing) of one detector result,
    as the monitor states it: its own ``state`` / ``judged`` field when it has one, else
    read from its reasons ("cannot judge ...")."""
    state = w.get("state")
    if isinstance(state, str) and state:
        s = state.lower().replace("_", " ")
        norm = ("warning" if s in ("warning", "flag", "flagged") else
                "not judged" if "not" in s or "judg" in s or "unknown" in s else "no warning")
    elif "judged" in w:
        norm = "warning" if w.get("flag") else ("no warning" if w["judged"] else "not judged")
    else:
        judged = not any(str(r).startswith("cannot judge") for r in w.get("reasons", []))
        norm = "warning" if w.get("flag") else ("no warning" if judged else "not judged")
    missing = w.get("missing") or []
    if isinstance(missing, str):
        missing = [missing]
    return norm, [str(m) for m in missing]


def show_analysis(a: dict) -> None:
    d = a["data"]
    stage = a["stage"]
    row1, row2 = st.columns(2), st.columns(2)
    cols = [row1[0], row1[1], row2[0], row2[1]]
    if stage is not None:
        cols[0].metric(f"Life-cycle stage ({stage.index[-1]})", str(stage.iloc[-1]))
    else:
        cols[0].metric("Life-cycle stage", "not classified")
    for col, (key, title) in zip(cols[1:3], (("lock_in", "Lock-in"), ("race_to_the_bottom", "Race to the bottom"))):
        state, _ = warning_state(d["warnings"][key])
        col.metric(title, "WARNING" if state == "warning" else state)
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
        state, missing = warning_state(w)
        verdict = "WARNING" if state == "warning" else state
        text = f"**{title}: {verdict}**\n\n" + "\n".join(f"- {r}" for r in w["reasons"])
        needs = w.get("needs") or {}
        text += "".join(f"\n- not measurable: **{m}**" + (f", from {needs[m]}" if needs.get(m) else "") for m in missing)
        if state == "warning":
            st.warning(text, icon=":material/warning:")
        elif state == "no warning":
            st.success(text, icon=":material/check:")
        else:
            st.info(text, icon=":material/help:")

    st.subheader("Forecast")
    target = next((f["target"] for f in d["forecasts"].values() if f.get("target")), None)
    if target:
        st.altair_chart(charts.forecast_chart(a["series"], target, a["fits"]), width="stretch")
        rows = [{"model": k, "fitted": f["ok"], "saturation": f["saturation"] if f["ok"] else None,
                 "peak year": f["peak_time"] if f["ok"] else None, "RMSE": f["rmse"] if f["ok"] else None}
                for k, f in d["forecasts"].items()]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"saturation": st.column_config.NumberColumn(format="%.4g"),
                                    "peak year": st.column_config.NumberColumn(format="%.1f"),
                                    "RMSE": st.column_config.NumberColumn(format="%.3g")})
        notes = [f"**{k}**: {f['message']}" for k, f in d["forecasts"].items() if f.get("message") and f["message"] != "ok"]
        st.caption(f"Logistic, Gompertz and Bass fits of **{target}** per year, one colour each; bands are 95 % "
                   "delta-method prediction bands. The Bass model reads the series as cumulative adoption."
                   + ("  \n" + "  \n".join(notes) if notes else ""))
    else:
        st.info("No series to forecast (needs firm or employment counts per year).")

    show_maps(a)

    st.subheader("Indicators")
    s = a["set"]
    t1, t2, t3 = st.tabs(["Regions (latest year)", "Highest location quotients", "All indicators (long table)"])
    with t1:
        reg = s.region
        if reg is not None and len(reg):
            st.dataframe(region_indicator_table(reg), width="stretch",
                         column_config={"_index": st.column_config.TextColumn("indicator")})
            st.caption("One column per region (the five largest; every region in the long table), "
                       "latest year.")
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
