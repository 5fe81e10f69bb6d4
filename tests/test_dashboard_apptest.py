"""Dashboard pages under Streamlit's AppTest (no browser), and the upload handling
they rely on (AppTest cannot upload files, so the upload path is tested as a function)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from innocluster.dashboard import APP_PATH  # noqa: E402
from innocluster.dashboard.uploads import analyse_upload, load_uploaded_table  # noqa: E402
from innocluster.errors import InputError  # noqa: E402

TIMEOUT = 120


@pytest.fixture(autouse=True)
def _session_folder(tmp_path, monkeypatch):
    """Each test keeps its work in its own session folder (never runs/dashboard)."""
    monkeypatch.setenv("INNOCLUSTER_DASHBOARD_DIR", str(tmp_path / "session"))


def by_prefix(widgets, prefix: str):
    """The widget whose key starts with ``prefix`` (keys that follow the scenario end in its fingerprint)."""
    found = [w for w in widgets if (w.key or "").startswith(prefix)]
    assert found, f"no widget with key {prefix}*"
    return found[0]


def page(name: str) -> AppTest:
    return AppTest.from_string(f"from innocluster.dashboard.views import {name}\n{name}.render()\n",
                               default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# ------------------------------------------------------------------ app and pages
def test_app_entry_names_the_app():
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()
    no_exception(at)
    assert "innocluster" in texts(at.title)
    assert "innocluster" in texts(at.sidebar.markdown)


def test_scenario_page_valid_by_default():
    at = page("scenario").run()
    no_exception(at)
    assert "Scenario" in texts(at.title)
    assert "is valid" in texts(at.success)
    assert not at.error
    assert at.session_state["scenario"].name == "hsinchu"


def test_scenario_page_budget_shares_above_one_show_schema_message():
    at = page("scenario").run()
    at.number_input(key="ed0/share/direct_subsidy").set_value(0.9).run()
    no_exception(at)
    msg = texts(at.error)
    assert "shares sum to" in msg and "allowed at most 1" in msg, msg
    # the last valid scenario stays in use
    assert sum(at.session_state["scenario"].government.shares.values()) <= 1.0 + 1e-9


def test_scenario_page_out_of_range_value_shows_range():
    at = page("scenario").run()
    at.number_input(key="ed0/gov/selection_accuracy").set_value(1.5).run()
    no_exception(at)
    msg = texts(at.error)
    assert "selection_accuracy" in msg and "[0, 1]" in msg, msg


def test_scenario_page_mechanism_switch_and_other_builtin():
    at = page("scenario").run()
    at.checkbox(key="ed0/mech/spinoffs").uncheck().run()
    no_exception(at)
    assert at.session_state["scenario"].mechanisms.spinoffs is False
    at.selectbox[0].select("china-sme-baseline").run()
    no_exception(at)
    assert at.session_state["scenario"].name == "china-sme-baseline"
    assert "is valid" in texts(at.success)


def test_scenario_toml_upload_parser():
    from innocluster.dashboard.views.scenario import parse_scenario_toml
    from innocluster.scenario import load_scenario, scenario_to_toml

    text = scenario_to_toml(load_scenario("hsinchu")).encode()
    assert parse_scenario_toml("my.toml", text).name == "hsinchu"
    with pytest.raises(InputError, match="TOML syntax error"):
        parse_scenario_toml("bad.toml", b"name = = 1")
    import re

    bad = re.sub(rb"(?m)^zeta1 = \S+", b"zeta1 = -1", text)
    assert bad != text
    with pytest.raises(InputError, match="zeta1"):
        parse_scenario_toml("bad.toml", bad)


def test_run_page_runs_and_shows_charts():
    at = page("run").run()
    no_exception(at)
    assert "Press" in texts(at.info) or "press" in texts(at.info)
    by_prefix(at.number_input, "run_years_").set_value(5)
    at.number_input(key="run_firms").set_value(120)
    at.number_input(key="run_burn").set_value(2)
    at.button(key="run_button").click().run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert "Simulated" in texts(at.success)
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 7  # 4 series, GVC shares, sizes, network, Figure 1, stage band, the watched map
    r = at.session_state["run"]
    assert r["timeseries"]["year"].nunique() == 5
    assert r["curves"] is not None


def test_compare_page_verdicts_and_bad_arm():
    at = page("compare").run()
    no_exception(at)
    by_prefix(at.number_input, "cmp_years_").set_value(3)
    at.number_input(key="cmp_firms").set_value(60)
    at.number_input(key="cmp_reps").set_value(2)
    at.button(key="cmp_button").click().run()
    no_exception(at)
    assert not at.error, texts(at.error)
    res = at.session_state["comparison"]
    assert set(res["summary"]["arm"]) == {"baseline", "direct intervention", "VC guiding fund"}
    assert len(res["differences"]) == 2 * 3  # 2 arms x 3 outcomes
    assert len(at.dataframe) >= 2
    # an arm whose overrides break the schema: the schema's message, no traceback
    ta = [t for t in at.text_area if t.key.startswith("cmp_ov_") and t.key.endswith("_1")][0]
    ta.set_value("government.shares.direct_subsidy=0.95")
    at.button(key="cmp_button").click().run()
    no_exception(at)
    assert "shares sum to" in texts(at.error), texts(at.error)


def test_compare_parse_arms_messages():
    from innocluster.dashboard.views.compare import parse_arms

    assert parse_arms(["a", "b"], ["", "x=1  # c\n\ny=2"]) == {"a": [], "b": ["x=1", "y=2"]}
    with pytest.raises(InputError, match="used twice"):
        parse_arms(["a", "a"], ["", ""])
    with pytest.raises(InputError, match="not key=value"):
        parse_arms(["a", "b"], ["", "nonsense"])
    with pytest.raises(InputError, match="give it a name"):
        parse_arms(["a", " "], ["", ""])


def test_monitor_page_preloads_example_and_shows_stage():
    at = page("monitor").run()
    no_exception(at)
    assert not at.error, texts(at.error)
    stage = [m for m in at.metric if m.label.startswith("Life-cycle stage")]
    assert stage and stage[0].value in {"emergence", "growth", "maturity", "decline"}
    assert "example data" in texts(at.info)
    assert len(at.get("vega_lite_chart")) >= 2  # stage band and forecast
    # the other example, a firm panel
    at.radio(key="monitor_example").set_value("cincera").run()
    no_exception(at)
    assert not at.error, texts(at.error)


def test_monitor_page_shows_upload_error_without_traceback():
    src = ("from innocluster.dashboard.views import monitor\n"
           "monitor.show_monitor('broken.csv', b'region,industry,year,employment\\nhsinchu,chips,2000,abc\\n')\n")
    at = AppTest.from_string(src, default_timeout=TIMEOUT).run()
    no_exception(at)
    msg = texts(at.error)
    assert "broken.csv" in msg and "line 2" in msg and "employment" in msg and "not a number" in msg, msg
    assert "Traceback" not in msg and "/tmp" not in msg


def test_results_page_empty_and_with_store(tmp_path):
    at = page("results").run()
    no_exception(at)
    assert "Nothing yet" in texts(at.caption)
    from innocluster.experiments import compare_arms

    store = tmp_path / "store"
    compare_arms("hsinchu", {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"]}, replications=2,
                 outcomes=["firms@last"], years=3, firms=60, executor="serial", store=store, name="t1")
    at.text_input(key="res_store").set_value(str(store)).run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert any("t1" in str(df.value) for df in at.dataframe)
    assert "higher than baseline" in str(at.dataframe) or len(at.dataframe) >= 3
    at.button(key="res_prepare").click().run()
    no_exception(at)
    # a folder that is not a store: one line
    at.text_input(key="res_store").set_value(str(tmp_path)).run()
    no_exception(at)
    assert "not an innocluster results store" in texts(at.error)


def test_results_store_export_bytes(tmp_path):
    from innocluster.dashboard.views.results import export_bytes, store_summary
    from innocluster.experiments import compare_arms

    store = tmp_path / "s"
    compare_arms("hsinchu", {"a": [], "b": ["mechanisms.spinoffs=false"]}, replications=2, outcomes=["firms@last"],
                 years=2, firms=40, executor="serial", store=store, name="x")
    s = store_summary(store)
    assert list(s["experiments"]["name"]) == ["x"]
    df = pd.read_parquet(io.BytesIO(export_bytes(store, "x", "series", "parquet")))
    assert {"sample", "rep", "year", "region"} <= set(df.columns)
    assert export_bytes(store, "x", "outcomes", "csv").startswith(b"sample")
    with pytest.raises(InputError, match="no such folder"):
        store_summary(tmp_path / "missing")


# ------------------------------------------------------------------ uploads
def _example() -> tuple[str, bytes]:
    from innocluster.monitor import example_data

    p = example_data("synthetic")
    return p.name, p.read_bytes()


def test_upload_example_csv_gives_stage():
    name, data = _example()
    ds, a, err = analyse_upload(name, data)
    assert err is None
    assert ds.kind == "region" and ds.source == name
    assert a["stage"].iloc[-1] in {"emergence", "growth", "maturity", "decline"}


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("broken.csv", b"region,industry,year,employment\nhsinchu,chips,2000,abc\n", "line 2, column 'employment'"),
        ("broken.csv", b"region,industry,year\nhsinchu,chips,2000\n", "cannot tell the data format"),
        ("neg.csv", b"region,industry,year,employment\nhsinchu,chips,2000,-5\n", "negative"),
        ("empty.csv", b"", "the file is empty"),
        ("header_only.csv", b"region,industry,year,employment\n", "no data rows"),
        ("data.parquet", b"PAR1 this is not parquet", "cannot be read as parquet"),
        ("data.xlsx", b"not a zip file", "cannot be read as xlsx"),
        ("evil.py", b"import os\nos.system('echo hi')\n", "unsupported file type '.py'"),
        ("../../etc/passwd.csv", b"root:x:0:0\n", "passwd.csv"),
        ("binary.csv", bytes(range(256)) * 4, "binary.csv"),
    ],
)
def test_bad_uploads_give_one_line(name, data, expected):
    ds, a, err = analyse_upload(name, data)
    assert ds is None and a is None
    assert expected in err, err
    assert "\n" not in err and "Traceback" not in err
    assert "innocluster-upload-" not in err  # the temporary path is never shown


def test_upload_size_cap():
    with pytest.raises(InputError, match="upload limit"):
        load_uploaded_table("big.csv", b"x" * 2000, max_bytes=1000)


def test_upload_parquet_and_excel_round_trip(tmp_path):
    name, data = _example()
    df = pd.read_csv(io.BytesIO(data))
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    assert load_uploaded_table("t.parquet", buf.getvalue()).kind == "region"
    small = df.head(200)
    xbuf = io.BytesIO()
    small.to_excel(xbuf, index=False)
    assert len(load_uploaded_table("t.xlsx", xbuf.getvalue()).data) == 200


def test_dashboard_command_line():
    from innocluster.cli import main
    from innocluster.dashboard.cli import streamlit_command

    cmd = streamlit_command(8599)
    joined = " ".join(cmd)
    for flag in ("--server.headless true", "--browser.gatherUsageStats false", "--server.address 127.0.0.1",
                 "--server.port 8599", "--server.maxUploadSize"):
        assert flag in joined
    assert cmd[-1] != "" and str(APP_PATH) in cmd
    with pytest.raises(SystemExit) as e:
        main(["dashboard", "--port", "70000"])
    assert e.value.code == 2


def test_dashboard_command_refuses_busy_port(capsys):
    import socket

    from innocluster.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(SystemExit) as e:
            main(["dashboard", "--port", str(port)])
    assert e.value.code == 2
    assert "already in use" in capsys.readouterr().err


# ------------------------------------------------------------------ issue 23: reloads, compare, monitor, sweep
def test_session_folder_round_trip(tmp_path):
    from innocluster.dashboard import workspace
    from innocluster.dashboard.views.run import run_simulation
    from innocluster.scenario import apply_overrides, load_scenario

    sc = apply_overrides(load_scenario("hsinchu"), ["years=4", "seed=7"])
    workspace.save_scenario(sc, "edited on the Scenario page")
    workspace.save_draft({"name": "x", "years": -1}, "years: must be at least 1")
    r = run_simulation(sc, 7, 4, 80, 1)
    workspace.save_run(r)
    state: dict = {}
    restored = workspace.restore_into(state)
    assert {"the edited scenario", "an invalid scenario edit", "the last run"} <= set(restored)
    assert state["scenario"] == sc and state["scenario_origin"] == "edited on the Scenario page"
    assert state["scenario_draft"]["error"] == "years: must be at least 1"
    back = state["run"]
    pd.testing.assert_frame_equal(back["timeseries"].reset_index(drop=True), r["timeseries"].reset_index(drop=True),
                                  check_dtype=False)
    assert sorted(back["frames"]["year"].unique()) == sorted(r["timeseries"]["year"].unique())
    assert back["seed"] == 7 and back["years"] == 4


def test_run_and_compare_start_from_the_scenario_years_and_seed():
    from innocluster.dashboard import workspace
    from innocluster.scenario import apply_overrides, load_scenario

    workspace.save_scenario(apply_overrides(load_scenario("hsinchu"), ["years=7", "seed=42"]), "edited")
    for name, years, seed in (("run", "run_years_", "run_seed_"), ("compare", "cmp_years_", "cmp_seed_")):
        at = AppTest.from_string("import streamlit as st\nfrom innocluster.dashboard.workspace import restore_into\n"
                                 "restore_into(st.session_state)\n"
                                 f"from innocluster.dashboard.views import {name}\n{name}.render()\n",
                                 default_timeout=TIMEOUT).run()
        no_exception(at)
        assert by_prefix(at.number_input, years).value == 7
        assert by_prefix(at.number_input, seed).value == 42


def test_invalid_scenario_edit_is_kept_and_discarded():
    at = page("scenario").run()
    at.number_input(key="ed0/share/direct_subsidy").set_value(0.9).run()
    assert "shares sum to" in texts(at.error)
    draft = at.session_state["scenario_draft"]
    assert draft["data"]["government"]["shares"]["direct_subsidy"] == 0.9
    # a reload (a new session) rebuilds the widgets from the kept edit in the session folder
    at = AppTest.from_string("import streamlit as st\nfrom innocluster.dashboard.workspace import restore_into\n"
                             "restore_into(st.session_state)\nfrom innocluster.dashboard.views import scenario\n"
                             "scenario.render()\n", default_timeout=TIMEOUT).run()
    no_exception(at)
    assert "shares sum to" in texts(at.error)
    assert at.number_input(key="ed0/share/direct_subsidy").value == 0.9
    at.button(key="scenario_discard").click().run()
    no_exception(at)
    assert not at.error and "is valid" in texts(at.success)
    assert "scenario_draft" not in at.session_state


def test_outcome_labels_and_detectability():
    from innocluster.dashboard.reports import detectability, outcome_label, power_warnings

    assert outcome_label("patents_per_firm@last@hsinchu") == \
        "Patents per firm in hsinchu, last simulated year (per firm-year)"
    diffs = pd.DataFrame([
        {"arm": "wide", "baseline": "b", "outcome": "firms@last@hsinchu", "n_pairs": 3, "diff": 0.5,
         "ci_low": -1.5, "ci_high": 2.5, "p_value": 0.5},
        {"arm": "sharp", "baseline": "b", "outcome": "firms@last@hsinchu", "n_pairs": 30, "diff": 2.0,
         "ci_low": 1.5, "ci_high": 2.5, "p_value": 1e-6},
    ])
    d = detectability(diffs)
    assert list(d["underpowered"]) == [True, False]
    assert d["mde"].iloc[0] > 2.0 and d["needed"].iloc[0] > 3
    warns = power_warnings(diffs)
    assert len(warns) == 1 and "wide" in warns[0] and "replications" in warns[0]


def test_comparison_html_has_charts_and_readable_names():
    from innocluster.dashboard.reports import comparison_html
    from innocluster.experiments import compare_arms

    c = compare_arms("hsinchu", {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"]}, replications=2,
                     outcomes=["firms@last@hsinchu"], years=3, firms=60, executor="serial")
    html = comparison_html("t", {}, {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"]}, c.summary,
                           c.differences)
    assert html.count("<img") == 1 and "data:image/png;base64," in html
    assert "Firms in hsinchu, last simulated year (count)" in html


def test_monitor_warning_three_states():
    from innocluster.dashboard.views.monitor import warning_state

    assert warning_state({"flag": True, "reasons": ["x falls"]})[0] == "warning"
    assert warning_state({"flag": False, "reasons": ["no lock-in signal"]})[0] == "no warning"
    assert warning_state({"flag": False, "reasons": ["cannot judge lock-in: 1 of 4"]})[0] == "not judged"
    # the monitor's own state, when it states one, wins; what is missing is passed on
    st_, missing = warning_state({"flag": False, "state": "not_judged", "missing": ["patents"], "reasons": []})
    assert st_ == "not judged" and missing == ["patents"]
    assert warning_state({"flag": False, "judged": True, "reasons": []})[0] == "no warning"


def test_monitor_page_shows_heat_map_and_lorenz():
    at = page("monitor").run()
    no_exception(at)
    assert len(at.get("image")) >= 2
    assert "Specialisation and concentration" in texts(at.subheader)


def test_encoding_error_in_words():
    ds, a, err = analyse_upload("gbk.csv", "region,industry,year,employment\n新竹,芯片,2000,5\n".encode("gbk"))
    if err is not None:  # the reader may decode GBK itself; if not, the message is actionable
        assert "codec" not in err and ("UTF-8" in err or "gbk.csv" in err), err


def test_sweep_page_runs_morris_and_restores(tmp_path):
    at = page("sweep").run()
    no_exception(at)
    by_prefix(at.number_input, "sweep_years_").set_value(3)
    at.number_input(key="sweep_firms").set_value(60)
    at.number_input(key="sweep_samples_morris").set_value(2)
    at.button(key="sweep_button").click().run()
    no_exception(at)
    assert not at.error, texts(at.error)
    meta = at.session_state["sweep"]
    assert meta["method"] == "morris"
    assert any("mu_star" in str(df.value.columns.tolist()) for df in at.dataframe)
    # a new session (reload) reads the indices back from the store
    src = ("import streamlit as st\nfrom innocluster.dashboard.workspace import restore_into\n"
           "restore_into(st.session_state)\nfrom innocluster.dashboard.views import sweep\nsweep.render()\n")
    at2 = AppTest.from_string(src, default_timeout=TIMEOUT).run()
    no_exception(at2)
    assert any("mu_star" in str(df.value.columns.tolist()) for df in at2.dataframe)


def test_separator_hint_and_region_table():
    from innocluster.dashboard.views.monitor import region_indicator_table

    ds, a, err = analyse_upload("semi.csv", b"region;industry;year;employment\nh;c;2000;5\n")
    if err is not None:  # the reader may detect the separator itself; if not, the message says what to do
        assert "semicolons" in err, err
    name, data = _example()
    ds, a, err = analyse_upload(name, data)
    t = region_indicator_table(a["set"].region)
    assert t.shape[1] == 5 and "employment" in t.index  # five largest regions as columns, indicators as rows


def test_watch_keeps_the_same_firms_from_year_to_year():
    from innocluster.dashboard.views.run import _watch_chart_inputs, run_simulation
    from innocluster.scenario import load_scenario

    r = run_simulation(load_scenario("hsinchu"), 1, 4, 300, 1)
    years = sorted(r["frames"]["year"].unique())
    a, _ = _watch_chart_inputs(r, int(years[0]), "periphery", 40)
    b, _ = _watch_chart_inputs(r, int(years[1]), "periphery", 40)
    assert 10 <= len(a) <= 80 and 10 <= len(b) <= 80
    alive = set(r["frames"].query("year == @years[1] and region_name == 'periphery'")["id"])  # (firms can move)
    assert set(a["id"]) & alive <= set(b["id"])  # a mapped firm that lives on stays on the map


def test_monitor_page_and_its_report_agree():
    from innocluster.monitor.report import render_html

    at = page("monitor").run()
    no_exception(at)
    html = render_html(at.session_state["monitor_result"]["analysis"])
    for title in ("Lock-in", "Race to the bottom"):
        shown = [m.value for m in at.metric if m.label == title][0]
        assert shown in {"WARNING", "no warning", "not judged"}
        assert f"{title}: {shown}" in html, (title, shown)
        assert any(f"{title}: {shown}" in str(e.value) for e in [*at.info, *at.success, *at.warning])
