"""Compare policies: two to five arms on one scenario, replicated with common random
numbers (:func:`innocluster.experiments.compare_arms`), with intervals and verdicts."""

from __future__ import annotations

import re

import pandas as pd
from datetime import datetime

import streamlit as st

from innocluster.dashboard import charts
from innocluster.dashboard.reports import comparison_html, outcome_label, power_warnings, verdict_table
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
from innocluster.dashboard.workspace import save_comparison
from innocluster.errors import InputError

DEFAULT_OUTCOMES = ["patents_per_firm", "firms", "tech_mean"]


def preset_arms(sc) -> list[tuple[str, str]]:
    """Sensible example arms for a scenario (budget moves keep the shares' sum)."""
    s = dict(sc.government.shares)
    infra = s.get("infrastructure", 0.0)
    arms = [("baseline", "")]
    arms.append(("direct intervention",
                 f"government.shares.direct_subsidy={s.get('direct_subsidy', 0) + infra:g}\n"
                 f"government.shares.infrastructure=0"))
    arms.append(("VC guiding fund",
                 f"government.shares.guiding_fund={s.get('guiding_fund', 0) + infra:g}\n"
                 f"government.shares.infrastructure=0"))
    arms.append(("no intermediaries", "mechanisms.intermediaries=false"))
    arms.append(("stage programme", "mechanisms.stage_programme=true"))
    return arms


def parse_arms(names: list[str], texts: list[str]) -> dict[str, list[str]]:
    """Arm names and override texts (one ``key=value`` per line; ``#`` comments) -> arms."""
    arms: dict[str, list[str]] = {}
    for i, (name, text) in enumerate(zip(names, texts), start=1):
        name = (name or "").strip()
        if not name:
            raise InputError(f"arm {i}: give it a name")
        if name in arms:
            raise InputError(f"arm {i}: the name {name!r} is used twice; arm names must differ")
        lines = [ln.split("#", 1)[0].strip() for ln in (text or "").splitlines()]
        ov = [ln for ln in lines if ln]
        for ln in ov:
            if "=" not in ln:
                raise InputError(f"arm {name!r}: {ln!r} is not key=value (e.g. government.shares.guiding_fund=0.2)")
        arms[name] = ov
    return arms


def run_comparison(sc, arms: dict, replications: int, outcomes: list[str], years: int, firms: int, seed: int,
                   workers: int = 1, store: str | None = None, name: str = "arms", progress=False):
    from innocluster.experiments import Execution, compare_arms

    execution = Execution(executor="serial" if workers <= 1 else "local", workers=workers if workers > 1 else None,
                          progress=progress)
    return compare_arms(sc, arms, replications=replications, outcomes=outcomes, years=years, firms=firms, seed=seed,
                        store=store, experiment=name, execution=execution)


def render() -> None:
    st.title("Compare policies")
    draft_notice()
    st.caption("Two to five policy arms on one scenario. Replication r of every arm uses the same seed (common "
               "random numbers), so the paired differences against the baseline are sharp. Intervals are 95 % "
               "Student-t intervals.")
    with st.container(border=True):
        c = st.columns([2, 1, 1, 1, 1])
        with c[0]:
            sc = scenario_picker("cmp_scenario")
        key = scenario_key(sc)
        years = int(c[1].number_input("Years", 1, 200, int(min(200, max(1, sc.years))), key=f"cmp_years_{key}",
                                      help="simulated years per run; starts from the Scenario page's value"))
        firms = int(c[2].number_input("Initial firms", 20, 100_000, 500, step=100, key="cmp_firms"))
        reps = int(c[3].number_input("Replications", 2, 200, 5, key="cmp_reps", help="runs per arm (same seeds across arms)"))
        seed = int(c[4].number_input("Root seed", 0, 2**31 - 1, int(sc.seed), key=f"cmp_seed_{key}",
                                     help="replication r of every arm uses the seed spawned from this root; starts "
                                          "from the Scenario page's seed"))
        c = st.columns([2, 1, 1])
        metrics = [m for m in METRICS]
        outs = c[0].multiselect("Outcomes (value in the last simulated year)", metrics, default=DEFAULT_OUTCOMES,
                                format_func=metric_label, key="cmp_outcomes")
        st.caption(f"Years and root seed start from the Scenario page ({sc.name}: {sc.years} years, seed {sc.seed}).")
        regions = [r.name for r in sc.regions]
        region = c[1].selectbox("Region", regions, key="cmp_region")
        workers = int(c[2].number_input("Parallel workers", 1, 32, 1, key="cmp_workers",
                                        help="1 runs in this process; more uses a local process pool"))

    presets = preset_arms(sc)
    n_arms = st.slider("Number of arms", 2, 5, 3, key="cmp_n_arms")
    st.caption("Each arm is a list of scenario overrides, one `key=value` per line (the first arm is the baseline). "
               "Keys: `government.shares.<instrument>`, `mechanisms.<switch>`, `regions.<name>.budget`, "
               "`finance.guarantee`, … — see the Scenario page for every field and its range.")
    cols = st.columns(n_arms)
    names, texts = [], []
    for i in range(n_arms):
        pname, ptext = presets[i] if i < len(presets) else (f"arm {i + 1}", "")
        with cols[i].container(border=True):
            names.append(st.text_input(f"Arm {i + 1} name", value=pname, key=f"cmp_name_{sc.name}_{i}"))
            texts.append(st.text_area("Overrides", value=ptext, key=f"cmp_ov_{sc.name}_{i}", height=110,
                                      placeholder="(none: the scenario as it is)"))
    with st.expander("Save to a results store (optional)"):
        save = st.checkbox("Store every run (time series and outcomes) in a results store", key="cmp_save")
        from innocluster.dashboard.workspace import store_dir

        folder = st.text_input("Store folder", value=str(store_dir()), key="cmp_store",
                               help="default: the session folder's store (browsable on the Results page)")
        exp_name = st.text_input("Experiment name", value=f"arms-{datetime.now():%Y%m%d-%H%M%S}", key="cmp_exp")
    go = st.button("Compare", type="primary", icon=":material/play_arrow:", key="cmp_button")

    if go:
        try:
            arms = parse_arms(names, texts)
            if not outs:
                raise InputError("choose at least one outcome")
            outcomes = [f"{m}@last@{region}" for m in outs]
            bar = batch_progress(f"{len(arms)} arms x {reps} replications")
            try:
                cmp = run_comparison(sc, arms, reps, outcomes, years, firms, seed, workers,
                                     store=folder if save else None, name=re.sub(r"[^A-Za-z0-9_.\-]", "-", exp_name)[:64],
                                     progress=bar)
            finally:
                bar.stop()
        except Exception as exc:  # noqa: BLE001 - show_error gives input errors verbatim, never a traceback
            show_error(exc)
            return
        settings = {"scenario": sc.name, "years": years, "initial firms": firms, "replications": reps,
                    "root seed": seed, "region": region, "outcomes": ", ".join(outcomes)}
        if save:
            settings["results store"] = f"{folder} (experiment {exp_name})"
        st.session_state["comparison"] = {"summary": cmp.summary, "differences": cmp.differences, "runs": cmp.runs,
                                          "arms": arms, "settings": settings,
                                          "failed": cmp.report.failed if cmp.report else 0}
        persist(save_comparison, st.session_state["comparison"])
    res = st.session_state.get("comparison")
    if res is None:
        st.info("Set up the arms and press **Compare**.", icon=":material/info:")
        return
    show_comparison(res)


def show_comparison(res: dict) -> None:
    summary, differences = res["summary"], res["differences"]
    if res.get("restored"):
        st.caption("Restored from the session folder (the last comparison before the page was reloaded).")
    st.subheader("Verdicts per outcome")
    st.caption(f"Paired differences against the baseline with 95 % intervals; {res['settings']['replications']} "
               f"replications per arm, outcome values in the last simulated year. The verdict is about the "
               f"difference against the baseline (left chart: green = higher, red = lower, grey = no clear difference; "
               f"the dashed line is zero); the arm means are beside it (right).")
    if res.get("failed"):
        st.warning(f"{res['failed']} run(s) failed after retries and are left out.", icon=":material/warning:")
    warns = power_warnings(differences)
    if warns:
        st.warning("**Too few replications to detect some of these effects.** A 'no clear difference' below may "
                   "only mean the runs are too few:\n\n" + "\n".join(f"- {w}" for w in warns),
                   icon=":material/warning:")
    vt = verdict_table(differences)
    for oc in dict.fromkeys(summary["outcome"]):
        label = outcome_label(oc)
        st.markdown(f"#### {label}")
        rows = vt[vt["outcome"] == label]
        table = pd.DataFrame({
            "arm": rows["arm"],
            "difference": rows["difference"],
            "95 % interval": [f"[{lo:.3g}, {hi:.3g}]" for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
            "p": rows["p_value"],
            "verdict": rows["verdict"],
        })
        # fixed column widths (pixels): left to size themselves to their contents the
        # columns outgrow a 1000 px page when an interval reads in scientific notation
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"arm": st.column_config.TextColumn(width=125),
                                    "difference": st.column_config.NumberColumn(format="%+.3g", width=80),
                                    "95 % interval": st.column_config.TextColumn(width=135),
                                    "p": st.column_config.NumberColumn(format="%.2g", width=45,
                                                                       help="p-value of the paired t-test"),
                                    "verdict": st.column_config.TextColumn(width=125)})
        c1, c2 = st.columns(2)
        c1.altair_chart(charts.differences_chart(differences, oc), width="stretch")
        c2.altair_chart(charts.arms_chart(summary, oc), width="stretch")
    with st.expander("Means per arm (table)"):
        summ = summary.copy()
        summ["outcome"] = summ["outcome"].map(outcome_label)
        st.dataframe(summ, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.4g")
                                    for c in ("mean", "sd", "ci_low", "ci_high")})
    html = comparison_html("Policy comparison", res["settings"], res["arms"], summary, differences)
    c1, c2 = st.columns(2)
    c1.download_button("Download HTML report (with charts)", html, file_name="comparison.html", mime="text/html",
                       icon=":material/description:", key="cmp_dl_html")
    c2.download_button("Download runs (CSV)", res["runs"].to_csv(index=False), file_name="comparison_runs.csv",
                       mime="text/csv", icon=":material/download:", key="cmp_dl_csv")
