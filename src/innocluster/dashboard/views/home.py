"""Overview page: what the dashboard does and where to start."""

from __future__ import annotations

import streamlit as st

from innocluster.dashboard.shared import APP_NAME, APP_TAGLINE


def render() -> None:
    st.title(f"{APP_NAME} dashboard")
    st.caption(APP_TAGLINE)
    st.markdown(
        "Simulate how an industrial cluster raises the innovation capability of its small and "
        "medium enterprises, compare cluster policies, and measure real clusters from your own data."
    )
    cols = st.columns(3)
    cards = [
        ("Scenario", ":material/tune:", "scenario", "Pick a built-in cluster (Hsinchu, Bangalore, …), switch the paper's "
         "mechanisms on or off, set policy budget shares and every coefficient within its allowed range; save as TOML."),
        ("Run", ":material/play_circle:", "run", "Simulate 20 years of 1,000 firms in seconds: regional time series, GVC "
         "stage shares, firm sizes, the trust network, the paper's Figure 1 and the life-cycle stage."),
        ("Compare policies", ":material/balance:", "compare", "Two to five policy arms, replicated with common random numbers; "
         "means with 95 % intervals and a verdict table."),
        ("Monitor", ":material/monitoring:", "monitor", "Upload a firm panel or a region × industry × year table (CSV, "
         "Parquet, Excel): specialisation, life-cycle stage, forecasts with bands, lock-in and race-to-the-bottom warnings."),
        ("Sweep", ":material/science:", "sweep", "Which parameters move an outcome? A small Morris or Sobol design "
         "over chosen parameters and ranges, with sensitivity indices and their intervals."),
        ("Results", ":material/folder_open:", "results", "Download this session's results, browse a results store of "
         "sweeps and policy comparisons, and get the HTML reports."),
    ]
    for i, (title, icon, _path, text) in enumerate(cards):
        with cols[i % 3].container(border=True):
            st.markdown(f"#### {icon} {title}")
            st.write(text)
    st.info("Start on **Run** for a quick look (Hsinchu, 1,000 firms; watch it year by year), or on **Monitor** "
            "with the example data already loaded. Your work is kept in a session folder and comes back after a "
            "reload.", icon=":material/lightbulb:")
