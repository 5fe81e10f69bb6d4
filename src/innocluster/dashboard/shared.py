"""State shared by the pages (the current scenario, the last run, the last comparison,
the monitor's data) and small helpers: metric labels with units, error display,
progress adaptors."""

from __future__ import annotations

from typing import Any

import streamlit as st

from innocluster.errors import InputError

APP_NAME = "innocluster"
APP_TAGLINE = "Industrial clusters and SME innovation in the global value chain"
DEFAULT_SCENARIO = "hsinchu"
DEFAULT_YEARS = 20
DEFAULT_FIRMS = 1000

#: column -> (label, unit) for the simulation time series.
METRICS: dict[str, tuple[str, str]] = {
    "firms": ("Firms", "count"),
    "firms_sme": ("SMEs", "count"),
    "firms_mne": ("MNE subsidiaries", "count"),
    "entries": ("Entries", "firms per year"),
    "startups": ("Start-ups", "firms per year"),
    "spinoffs": ("Spin-offs", "firms per year"),
    "exits": ("Exits", "firms per year"),
    "relocations_in": ("Relocations in", "firms per year"),
    "employment": ("Employment", "persons"),
    "revenue": ("Revenue", "USD million per year"),
    "value_added": ("Value added", "USD million per year"),
    "exports": ("Exports", "USD million per year"),
    "rd_spend": ("R&D spending", "USD million per year"),
    "patents_new": ("New patents", "patents per year"),
    "patents_cum": ("Cumulative patents", "patents"),
    "patents_per_firm": ("Patents per firm", "per firm-year"),
    "patents_per_rd": ("Patents per USD million of R&D", "per USD million"),
    "share_with_patent": ("Firms with a patent", "share"),
    "share_rd_unit": ("Firms with an R&D unit", "share"),
    "share_rd_active": ("Firms doing R&D", "share"),
    "share_credit_constrained": ("Financing-constrained firms", "share"),
    "vc_invested": ("VC invested", "USD million per year"),
    "share_vc_backed": ("VC-backed firms", "share"),
    "tech_mean": ("Mean technology", "log productivity"),
    "tech_sd": ("Technology dispersion", "sd of log prod."),
    "tech_entropy": ("Technology entropy", "bits"),
    "mean_alpha": ("Absorptive capacity", "0-1"),
    "network_density": ("Trust-network density", "share of pairs"),
    "external_tie_share": ("Ties leaving the region", "share"),
    "avg_cost": ("Average cost", "USD per USD of output"),
    "margin": ("Margin", "share of revenue"),
    "rd_intensity": ("R&D intensity", "R&D / revenue"),
    "size_gini": ("Firm-size Gini", "0-1"),
    "size_hhi": ("Firm-size HHI", "0-1"),
    "zombie_share": ("Zombie firms", "share"),
    "wage": ("Wage", "USD m per worker-year"),
    "rent": ("Land rent", "USD m per firm-year"),
    "infrastructure": ("Infrastructure stock", "USD million"),
    "intermediaries": ("S&T intermediaries", "count"),
    "gov_spend_total": ("Government spending", "USD million per year"),
}

#: Colours of the life-cycle stages (model: budding; monitor: emergence).
STAGE_COLOURS = {"budding": "#8dd3c7", "emergence": "#8dd3c7", "growth": "#80b1d3",
                 "maturity": "#fdb462", "decline": "#fb8072"}


def metric_unit(col: str) -> str:
    return METRICS.get(col, ("", ""))[1] or col.replace("_", " ")


def metric_label(col: str, with_unit: bool = True) -> str:
    label, unit = METRICS.get(col, (col.replace("_", " ").capitalize(), ""))
    return f"{label} ({unit})" if with_unit and unit else label


def show_error(exc: BaseException | str) -> None:
    """One clear line in the page: never a traceback."""
    if isinstance(exc, InputError | str):
        st.error(str(exc), icon=":material/error:")
    else:
        msg = " ".join(str(exc).split())[:300]
        st.error(f"Something went wrong ({type(exc).__name__}: {msg}). Check the inputs and try again.",
                 icon=":material/error:")


def page_header(title: str, caption: str) -> None:
    st.title(title)
    st.caption(caption)


# --------------------------------------------------------------------- scenario state
def current_scenario():
    """The scenario the Run and Compare pages use: the one edited on the Scenario page,
    else the default built-in scenario."""
    from innocluster.scenario import load_scenario

    sc = st.session_state.get("scenario")
    if sc is None:
        sc = load_scenario(DEFAULT_SCENARIO)
        st.session_state["scenario"] = sc
        st.session_state["scenario_origin"] = f"built-in {DEFAULT_SCENARIO!r}"
    return sc


def set_scenario(sc, origin: str) -> None:
    from innocluster.dashboard.workspace import save_scenario

    st.session_state["scenario"] = sc
    st.session_state["scenario_origin"] = origin
    persist(save_scenario, sc, origin)


def persist(fn, *args, **kwargs) -> None:
    """Write to the session folder; a failure is one caption on the page, never a traceback."""
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        st.caption(f":material/warning: Could not keep this in the session folder ({type(exc).__name__}: "
                   f"{' '.join(str(exc).split())[:120]}); it is lost on a reload.")


def draft_notice() -> None:
    """On Run and Compare: say that the Scenario page holds an invalid edit that is not used."""
    draft = st.session_state.get("scenario_draft")
    if draft:
        st.warning(f"The Scenario page holds an invalid edit ({draft.get('error')}). This page uses the last valid "
                   f"version until you fix or discard it there.", icon=":material/warning:")


def scenario_key(sc) -> str:
    """A short fingerprint of a scenario: widgets whose defaults come from it are keyed by it,
    so they follow the Scenario page's years and seed when the scenario changes."""
    import hashlib

    return hashlib.sha1(sc.model_dump_json().encode()).hexdigest()[:10]


def scenario_picker(key: str) -> Any:
    """Select box: the edited scenario (if any) or a built-in one; returns a Scenario."""
    from innocluster.scenario import list_scenarios, load_scenario

    current = current_scenario()
    origin = st.session_state.get("scenario_origin", "")
    edited_label = f"{current.name} (from the Scenario page)"
    options = [edited_label] + [n for n in list_scenarios() if n != current.name or "built-in" not in origin]
    choice = st.selectbox("Scenario", options, key=key,
                          help="Edit parameters on the Scenario page; built-in scenarios are used as shipped.")
    if choice == edited_label:
        return current
    return load_scenario(choice)


# --------------------------------------------------------------------- progress
class RunProgress:
    """``simulate(progress=...)`` callback driving an ``st.progress`` bar."""

    def __init__(self, total: int, text: str = "Simulating"):
        self.total = max(1, int(total))
        self.done = 0
        self.text = text
        self.bar = st.progress(0.0, text=f"{text}: year 0 of {self.total}")

    def __call__(self, n: int = 1) -> None:
        self.done += int(n)
        frac = min(1.0, self.done / self.total)
        self.bar.progress(frac, text=f"{self.text}: year {min(self.done, self.total)} of {self.total}")

    def finish(self) -> None:
        self.bar.empty()


def batch_progress(text: str = "Runs"):
    """A progress object for :func:`innocluster.experiments.run_batch` (compare_arms)."""
    from innocluster.experiments.progress import NullProgress

    class _StreamlitBatch(NullProgress):
        def __init__(self):
            self.total = 1
            self.n = 0
            self.failed = 0
            self.bar = st.progress(0.0, text=f"{text}: starting")

        def start(self, total: int, done: int = 0) -> None:
            self.total, self.n = max(1, total), done
            self._show()

        def advance(self, ok: bool, retried: bool = False) -> None:
            if retried:
                return
            self.n += 1
            self.failed += 0 if ok else 1
            self._show()

        def _show(self) -> None:
            extra = f" · {self.failed} failed" if self.failed else ""
            self.bar.progress(min(1.0, self.n / self.total), text=f"{text}: {self.n} of {self.total} done{extra}")

        def stop(self) -> None:
            self.bar.empty()

    return _StreamlitBatch()
