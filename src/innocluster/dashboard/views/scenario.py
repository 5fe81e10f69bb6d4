"""Scenario page: pick a built-in scenario, edit it within the schema's ranges, save as TOML.

Every value is checked by the scenario schema itself (:mod:`innocluster.scenario.schema`);
an out-of-range value or an invalid combination (budget shares summing above 1, a stage
mix that does not sum to 1) shows the schema's one-line message, and the last valid
scenario stays in use.
"""

from __future__ import annotations

import copy
import math
import tomllib
import typing

import pandas as pd
import streamlit as st

from innocluster.dashboard.shared import set_scenario, show_error
from innocluster.errors import InputError
from innocluster.scenario import (
    INSTRUMENTS,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_toml,
)
from innocluster.scenario.io import _field_range
from innocluster.scenario.schema import Scenario

SECTIONS = {
    "market": "Market",
    "costs": "Costs & agglomeration",
    "finance": "Finance & VC",
    "innovation": "Innovation",
    "diffusion": "Diffusion",
    "entry": "Entry & spin-offs",
    "relocation": "Relocation & MNEs",
    "upgrading": "GVC upgrading",
    "exit": "Exit",
}
GOV_SCALARS = ["selection_accuracy", "subsidised_share", "infrastructure_depreciation", "intermediary_cost",
               "intermediary_decay", "training_labour_effect", "ip_gain", "institute_gain", "seed_incentive"]
REGION_SKIP = {"name", "kind", "stage_mix"}
STAGE_FIELDS = ["value_added", "demand", "demand_growth", "threshold", "upgrade_cost", "skill_premium"]


def field_help(loc: tuple) -> tuple[str, str]:
    """(allowed range, description) of a scenario field, from the schema."""
    return _field_range(Scenario, loc)


def _help_text(loc: tuple) -> str:
    rng, desc = field_help(loc)
    parts = [p for p in (desc, f"allowed {rng}" if rng else "") if p]
    return "; ".join(parts) or None


def _is_int_field(model, name: str) -> bool:
    ann = model.model_fields[name].annotation
    return ann is int or (typing.get_origin(ann) in (typing.Union, getattr(__import__("types"), "UnionType", None))
                          and int in typing.get_args(ann))


def _to_value(model, name: str, v):
    """Data-editor cell (float, maybe NaN) back to the field's type."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if _is_int_field(model, name) and float(v).is_integer():
        return int(v)
    return float(v)


def _num(v) -> float | None:
    """A dictionary value as a float for a number widget (None when missing or not a number)."""
    if isinstance(v, bool):
        return float(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _cell(v) -> float:
    f = _num(v)
    return float("nan") if f is None else f


def _snapshot() -> tuple[str, dict]:
    """The values the editor's widgets start from (a plain dictionary), fixed for one
    generation of widget keys: the invalid draft if there is one, else the scenario in use."""
    from innocluster.dashboard.shared import current_scenario

    gen = st.session_state.setdefault("editor_gen", 0)
    prefix = f"ed{gen}"
    snap = st.session_state.get("editor_snapshot")
    if snap is None or snap[0] != prefix or f"{prefix}/name" not in st.session_state:
        # new generation, or the widgets were cleared (the user left the page or reloaded it):
        # start from the kept invalid edit, else from the scenario in use
        draft = st.session_state.get("scenario_draft")
        values = copy.deepcopy(draft["data"]) if draft else current_scenario().model_dump(mode="json")
        snap = (prefix, values)
        st.session_state["editor_snapshot"] = snap
    return snap


def _new_generation(sc: Scenario, origin: str) -> None:
    set_scenario(sc, origin)
    _set_draft(None)
    st.session_state["editor_gen"] = st.session_state.get("editor_gen", 0) + 1
    st.session_state["editor_snapshot"] = None


def _set_draft(data: dict | None, error: str | None = None) -> None:
    """Keep (or drop) an invalid edit, in the session and in the session folder."""
    from innocluster.dashboard.shared import persist
    from innocluster.dashboard.workspace import save_draft

    old = st.session_state.get("scenario_draft")
    new = None if data is None else {"data": data, "error": error}
    if old == new:
        return
    if new is None:
        st.session_state.pop("scenario_draft", None)
    else:
        st.session_state["scenario_draft"] = new
    persist(save_draft, data, error)


def _source_controls() -> None:
    names = list_scenarios()
    c1, c2 = st.columns([2, 3])
    with c1:
        base = st.session_state.get("editor_base")
        default = "hsinchu" if "hsinchu" in names else names[0]
        choice = st.selectbox("Start from a built-in scenario", names,
                              index=names.index(base) if base in names else names.index(default),
                              help="Choosing a built-in scenario replaces the current edits.")
        if base is None:
            st.session_state["editor_base"] = choice
        elif choice != base:
            st.session_state["editor_base"] = choice
            st.session_state.pop("scenario_upload_error", None)
            _new_generation(load_scenario(choice), f"built-in {choice!r}")
            st.rerun()
        if st.button("Reset to the built-in values", icon=":material/restart_alt:"):
            st.session_state.pop("scenario_upload_error", None)
            _new_generation(load_scenario(choice), f"built-in {choice!r}")
            st.rerun()
    with c2:
        up = st.file_uploader("…or open a scenario TOML file", type=["toml"], key="scenario_upload",
                              help="Read as data (TOML) and validated; nothing in it is executed.")
        if up is None:
            st.session_state.pop("scenario_upload_done", None)
            st.session_state.pop("scenario_upload_error", None)
        elif st.session_state.get("scenario_upload_done") != (up.name, up.size):
            st.session_state["scenario_upload_done"] = (up.name, up.size)
            try:
                sc = parse_scenario_toml(up.name, up.getvalue())
            except InputError as exc:
                st.session_state["scenario_upload_error"] = str(exc)
            else:
                st.session_state.pop("scenario_upload_error", None)
                _new_generation(sc, f"file {up.name}")
                st.rerun()


def parse_scenario_toml(name: str, data: bytes, max_bytes: int = 1_000_000) -> Scenario:
    """Validate an uploaded scenario file (TOML text); InputError with one line on any problem."""
    from innocluster.dashboard.uploads import display_name

    label = display_name(name)
    if len(data) > max_bytes:
        raise InputError(f"{label}: larger than {max_bytes // 1000} kB; a scenario file is a few kB")
    try:
        text = data.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{label}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: TOML syntax error: {exc}") from None
    return scenario_from_dict(doc, label)


def _section_editor(prefix: str, data: dict, snap: dict, section: str) -> None:
    model = Scenario.model_fields[section].annotation
    values = snap.get(section) or {}
    rows = []
    meanings = ["| parameter | allowed | unit / meaning |", "| --- | --- | --- |"]
    for name, info in model.model_fields.items():
        if info.annotation not in (int, float):
            continue
        rng, desc = field_help((section, name))
        rows.append({"parameter": name, "value": _cell(values.get(name)), "allowed": rng})
        meanings.append(f"| `{name}` | {rng} | {desc} |")
    df = pd.DataFrame(rows)
    edited = st.data_editor(
        df, key=f"{prefix}/sec/{section}", hide_index=True, num_rows="fixed", width="stretch",
        height=_table_height(len(df)),
        disabled=["parameter", "allowed"],
        column_config={"value": st.column_config.NumberColumn("value", format="%g", help="edit me")},
    )
    with st.expander("What each coefficient means (unit, source)", expanded=False):
        st.markdown("\n".join(meanings))
    for _, r in edited.iterrows():
        data[section][r["parameter"]] = _to_value(model, r["parameter"], r["value"])


def _table_height(rows: int) -> int:
    """A data editor tall enough to show every row (no inner scroll)."""
    return 38 + 35 * rows


def _regions_editor(prefix: str, data: dict, snap: dict) -> None:
    from innocluster.scenario.schema import Region

    regions = snap["regions"]
    names = [r["name"] for r in regions]
    rows = []
    meanings = ["| parameter | allowed | unit / meaning |", "| --- | --- | --- |"]
    for fname, info in Region.model_fields.items():
        if fname in REGION_SKIP:
            continue
        rng, desc = field_help(("regions", 0, fname))
        row = {"parameter": fname}
        for r in regions:
            row[r["name"]] = _cell(r.get(fname))
        row["allowed"] = rng
        rows.append(row)
        meanings.append(f"| `{fname}` | {rng} | {desc} |")
    st.caption("One column per region (" + ", ".join(f"{r['name']}: {r.get('kind', '')}" for r in regions) + ").")
    edited = st.data_editor(
        pd.DataFrame(rows), key=f"{prefix}/regions", hide_index=True, num_rows="fixed", width="stretch",
        height=_table_height(len(rows)),
        disabled=["parameter", "allowed"],
        column_config={n: st.column_config.NumberColumn(n, format="%g") for n in names},
    )
    with st.expander("What each region parameter means (unit, source)"):
        st.markdown("\n".join(meanings))
    for i, r in enumerate(regions):
        for _, row in edited.iterrows():
            data["regions"][i][row["parameter"]] = _to_value(Region, row["parameter"], row[r["name"]])
    st.markdown("**Initial GVC stage mix** (share of firms per stage; must sum to 1)")
    cols = st.columns(len(regions))
    stage_names = [s.get("name", "") for s in snap["stages"]]
    for i, (r, col) in enumerate(zip(regions, cols)):
        mix = r.get("stage_mix")
        shown = mix if isinstance(mix, str) else ", ".join(f"{float(v):g}" for v in (mix or []))
        text = col.text_input(r["name"], value=shown, key=f"{prefix}/mix/{r['name']}",
                              help="Comma-separated shares, one per GVC stage: " + ", ".join(stage_names))
        try:
            data["regions"][i]["stage_mix"] = [float(x) for x in text.replace(";", ",").split(",") if x.strip()]
        except ValueError:
            data["regions"][i]["stage_mix"] = text  # the schema reports it


def _stages_editor(prefix: str, data: dict, snap: dict) -> None:
    """One row per GVC stage, in two tables of three parameters (fits narrow windows)."""
    from innocluster.scenario.schema import Stage

    meanings = ["| parameter | allowed | unit / meaning |", "| --- | --- | --- |"]
    for part, fields in enumerate((STAGE_FIELDS[:3], STAGE_FIELDS[3:])):
        df = pd.DataFrame([{"stage": s["name"], **{f: _cell(s.get(f)) for f in fields}} for s in snap["stages"]])
        cfg = {}
        for f in fields:
            rng, desc = field_help(("stages", 0, f))
            cfg[f] = st.column_config.NumberColumn(f, help=f"{desc}; allowed {rng}", format="%g")
            meanings.append(f"| `{f}` | {rng} | {desc} |")
        edited = st.data_editor(df, key=f"{prefix}/stages/{part}", hide_index=True, num_rows="fixed", width="stretch",
                                height=_table_height(len(df)), disabled=["stage"], column_config=cfg)
        for i, (_, row) in enumerate(edited.iterrows()):
            for f in fields:
                data["stages"][i][f] = _to_value(Stage, f, row[f])
    with st.expander("What each stage parameter means (unit, allowed range)"):
        st.markdown("\n".join(meanings))


def _policy_editor(prefix: str, data: dict, snap: dict) -> None:
    st.markdown("**Budget shares of the government's instruments** (share of each region's budget; "
                "each in [0, 1], together at most 1 — the rest is not spent)")
    gov = snap["government"]
    shares = gov.get("shares") or {}
    cols = st.columns(3)
    total = 0.0
    for i, inst in enumerate(INSTRUMENTS):
        v = cols[i % 3].number_input(inst.replace("_", " "), min_value=0.0, max_value=1.0, step=0.05,
                                     value=min(1.0, max(0.0, _num(shares.get(inst, 0.0)) or 0.0)), format="%.3f",
                                     key=f"{prefix}/share/{inst}",
                                     help=f"budget share of {inst.replace('_', ' ')}; allowed [0, 1]")
        data["government"]["shares"][inst] = float(v)
        total += float(v)
    (st.warning if total > 1 + 1e-9 else st.caption)(f"Shares sum to {total:.3f} of the budget (allowed at most 1).")
    st.markdown("**Instrument parameters**")
    cols = st.columns(3)
    from innocluster.scenario.schema import Government

    for i, name in enumerate(GOV_SCALARS):
        v = cols[i % 3].number_input(name.replace("_", " "), value=_num(gov.get(name)), format="%g",
                                     key=f"{prefix}/gov/{name}", help=_help_text(("government", name)))
        data["government"][name] = _to_value(Government, name, v)
    st.markdown("**Stage-specific programme** (budget split per detected life-cycle stage, one column per "
                "stage; used when the *stage_programme* mechanism is on)")
    sp = gov.get("stage_programme") or {}
    stages = list(sp)
    df = pd.DataFrame([{"instrument": inst, **{stg: _cell((sp.get(stg) or {}).get(inst, 0.0)) for stg in stages}}
                       for inst in INSTRUMENTS])
    edited = st.data_editor(df, key=f"{prefix}/stage_programme", hide_index=True, num_rows="fixed", width="stretch",
                            height=_table_height(len(df)), disabled=["instrument"],
                            column_config={stg: st.column_config.NumberColumn(stg, format="%.2f") for stg in stages})
    data["government"]["stage_programme"] = {
        stg: {row["instrument"]: float(row[stg]) for _, row in edited.iterrows()
              if row[stg] and not math.isnan(row[stg])}
        for stg in stages}


def _mechanisms_editor(prefix: str, data: dict, snap: dict) -> None:
    from innocluster.scenario.schema import Mechanisms

    st.caption("Each mechanism of the paper can be switched off to measure its effect.")
    cols = st.columns(3)
    mech = snap.get("mechanisms") or {}
    for i, (name, info) in enumerate(Mechanisms.model_fields.items()):
        data["mechanisms"][name] = cols[i % 3].checkbox(name.replace("_", " "), value=bool(mech.get(name)),
                                                        key=f"{prefix}/mech/{name}", help=info.description or None)


def _int_input(col, label: str, value, key: str, help: str | None):
    v = col.number_input(label, value=None if _num(value) is None else int(_num(value)), step=1, key=key, help=help)
    return None if v is None else int(v)


def build_from_widgets(prefix: str, snap: dict) -> dict:
    """Render every editor and return the edited scenario as a plain dictionary."""
    data = copy.deepcopy(snap)
    st.subheader("Run settings")
    c = st.columns(4)
    data["name"] = c[0].text_input("name", value=str(snap.get("name", "")), key=f"{prefix}/name",
                                   help="scenario name (file name when saved)")
    data["start_year"] = _int_input(c[1], "start year", snap.get("start_year"), f"{prefix}/start_year",
                                    _help_text(("start_year",)))
    data["years"] = _int_input(c[2], "years", snap.get("years"), f"{prefix}/years",
                               (_help_text(("years",)) or "years to simulate") + "; the Run and Compare pages start "
                               "from this value")
    data["seed"] = _int_input(c[3], "seed", snap.get("seed"), f"{prefix}/seed",
                              "root seed; same seed, same results; the Run and Compare pages start from this value")
    data["description"] = st.text_area("description", value=str(snap.get("description", "")),
                                       key=f"{prefix}/description", height=80)

    tabs = st.tabs(["Mechanisms", "Policy budget", "Regions", "GVC stages", "Model coefficients"])
    with tabs[0]:
        _mechanisms_editor(prefix, data, snap)
    with tabs[1]:
        _policy_editor(prefix, data, snap)
    with tabs[2]:
        _regions_editor(prefix, data, snap)
    with tabs[3]:
        st.caption("The GVC 'smile curve': value added per USD of revenue, demand (USD million), growth, "
                   "technology threshold, upgrade cost (USD million) and skill premium per stage.")
        _stages_editor(prefix, data, snap)
    with tabs[4]:
        sec = st.selectbox("Section", list(SECTIONS), format_func=SECTIONS.get, key=f"{prefix}/section")
        _section_editor(prefix, data, snap, sec)
    return data


def render() -> None:
    from innocluster.dashboard.shared import current_scenario

    st.title("Scenario")
    st.caption("Pick a built-in scenario, switch mechanisms, set policy budget shares and coefficients within the "
               "schema's allowed ranges, and save the result as TOML. Money in USD million (constant prices), "
               "labour in persons, time in years.")
    _source_controls()
    prefix, snap = _snapshot()
    status = st.container()
    st.divider()
    data = build_from_widgets(prefix, snap)
    with status:
        upload_error = st.session_state.get("scenario_upload_error")
        if upload_error:
            st.error(f"The file was not loaded: {upload_error}", icon=":material/error:")
        try:
            sc = scenario_from_dict(data, "scenario")
        except InputError as exc:
            _set_draft(data, str(exc))
            show_error(f"This edit is not valid: {exc}")
            st.button("Discard the invalid edit", icon=":material/undo:", key="scenario_discard",
                      on_click=_discard_draft)
            last = current_scenario()
            st.caption(f"The edit is kept (also after a reload) until you fix or discard it. The Run and Compare "
                       f"pages keep using the last valid version ({last.name}, {last.years} years, seed {last.seed}).")
            return
        _set_draft(None)
        if sc != current_scenario():
            set_scenario(sc, "edited on the Scenario page")
        text = (f"Scenario **{sc.name}** is valid: {len(sc.regions)} regions, {len(sc.stages)} GVC stages, "
                f"{sum(r.initial_firms for r in sc.regions):,} initial firms, {sc.years} years from "
                f"{sc.start_year}, seed {sc.seed}. The Run and Compare pages use it.")
        if upload_error:
            st.info("Unchanged: " + text[0].lower() + text[1:], icon=":material/info:")
        else:
            st.success(text, icon=":material/check_circle:")
        toml_text = scenario_to_toml(sc)
        st.download_button("Save as TOML", data=toml_text, file_name=f"{sc.name}.toml", mime="application/toml",
                           icon=":material/save:", type="primary")
        with st.expander("TOML preview (every parameter written out)"):
            st.code(toml_text, language="toml")


def _discard_draft() -> None:
    """Back to the last valid scenario (widgets rebuilt from it)."""
    from innocluster.dashboard.shared import current_scenario

    sc = current_scenario()
    _new_generation(sc, st.session_state.get("scenario_origin", ""))
