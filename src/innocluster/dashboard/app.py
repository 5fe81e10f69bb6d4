"""Streamlit entry point of the innocluster dashboard.

Started by ``innocluster dashboard [--port P]`` (see :mod:`innocluster.dashboard.cli`);
or directly: ``python -m streamlit run src/innocluster/dashboard/app.py``.
"""

from __future__ import annotations

import streamlit as st

from innocluster.dashboard.shared import APP_NAME, APP_TAGLINE
from innocluster.dashboard.views import compare, home, monitor, results, run, scenario, sweep

st.set_page_config(page_title=f"{APP_NAME} — cluster innovation dashboard", page_icon=":material/hub:",
                   layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page(home.render, title="Overview", icon=":material/home:", url_path="overview", default=True),
    st.Page(scenario.render, title="Scenario", icon=":material/tune:", url_path="scenario"),
    st.Page(run.render, title="Run", icon=":material/play_circle:", url_path="run"),
    st.Page(compare.render, title="Compare policies", icon=":material/balance:", url_path="compare"),
    st.Page(monitor.render, title="Monitor", icon=":material/monitoring:", url_path="monitor"),
    st.Page(sweep.render, title="Sweep", icon=":material/science:", url_path="sweep"),
    st.Page(results.render, title="Results", icon=":material/folder_open:", url_path="results"),
]

if "_restored" not in st.session_state:  # a new browser session (first visit or a reload)
    from innocluster.dashboard.workspace import restore_into

    st.session_state["_restored"] = restore_into(st.session_state)

nav = st.navigation(PAGES)
with st.sidebar:
    st.markdown(f"## :material/hub: {APP_NAME}")
    st.caption(APP_TAGLINE)
nav.run()
with st.sidebar:
    st.divider()
    sc = st.session_state.get("scenario")
    if sc is not None:
        st.caption(f"Current scenario: **{sc.name}** ({st.session_state.get('scenario_origin', '')})")
    restored = st.session_state.get("_restored") or []
    if restored:
        st.caption("Restored from the session folder: " + ", ".join(restored) + ".")
    st.caption("Money in USD million (constant prices), labour in persons, one step = one year.")
