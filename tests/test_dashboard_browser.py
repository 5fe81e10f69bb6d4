"""End-to-end: the dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded).

Starts ``innocluster dashboard --port <free port> --workdir <tmp>``, then: the page names
the app; Run simulates Hsinchu for 10 years and shows a chart; Monitor takes the example
CSV and shows the life-cycle stage, then a broken CSV and shows the message. Then the
workflows of issue 23: work that survives a reload, Run and Compare with the Scenario
page's years and seed, an invalid edit kept with its error, the comparison's differences
and power warning, tables and legends that fit at 1400 and 1000 px, watching a run, the
Sweep page, upload rejections and reader notes, the monitor's three warning states.
Screenshots go to ``tests/artifacts/`` (at 1400 and 1000 px) for people to look at.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("INNOCLUSTER_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]

if not Path(CHROMIUM).exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium); "
                "the browser test runs in CI, where .ci/run installs it", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the 'test' extra") if not IN_CI else \
    __import__("playwright.sync_api", fromlist=["sync_playwright"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _innocluster() -> list[str]:
    exe = Path(sys.executable).with_name("innocluster")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("innocluster")
    return [found] if found else [sys.executable, "-c", "from innocluster.cli import main; main()"]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the command and the Streamlit server it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dashboard-session")


@pytest.fixture()
def fresh(session_dir):
    """An empty session folder (the server keeps running; a new browser session restores nothing)."""
    for p in session_dir.iterdir():
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return session_dir


@pytest.fixture(scope="module")
def server(session_dir):
    port = _free_port()
    log = ARTIFACTS / "dashboard-server.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen([*_innocluster(), "dashboard", "--port", str(port), "--workdir", str(session_dir)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as r:
                    status = r.status
                if status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        if status != 200:
            _stop(proc)
            pytest.fail(f"dashboard did not answer HTTP 200 on {url} (exit {proc.poll()}); see {log}:\n"
                        + log.read_text(errors="replace")[-2000:])
        try:
            yield url
        finally:
            _stop(proc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 3000})  # tall: screenshots show whole pages
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def _wait_idle(pg) -> None:
    """Wait until Streamlit has finished the script run (no 'running' indicator)."""
    pg.wait_for_timeout(300)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    # elements of the previous run are kept, faded, until the run ends ("data-stale")
    pg.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=90_000)


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_page_names_the_app(server, page, fresh):
    page.goto(server + "/")
    page.wait_for_selector("h1")
    assert "innocluster" in page.title()
    assert "innocluster" in page.locator("h1").first.inner_text()
    _shot(page, "01-overview")


def test_run_hsinchu_and_monitor_uploads(server, page, tmp_path, fresh):
    # ---- Run: Hsinchu for 10 years with few firms, see a chart
    page.goto(server + "/run")
    page.wait_for_selector("h1:has-text('Run a simulation')")
    scenario = page.get_by_role("combobox", name="Scenario")
    scenario.wait_for()
    assert scenario.input_value().startswith("hsinchu")  # the default scenario
    for label, value in (("Years", "10"), ("Initial firms", "300")):
        box = page.get_by_role("spinbutton", name=label)
        box.fill(value)
        box.press("Enter")
        _wait_idle(page)
    page.get_by_role("button", name="Run simulation").click()
    page.wait_for_selector("text=Simulated hsinchu", timeout=90_000)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("svg, canvas").first.wait_for(state="visible")
    # the charts render one after another: wait for the script run to finish and all of them
    _wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= 7",
                           timeout=60_000)
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 7
    assert "10 years" in page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
    _wait_idle(page)
    _shot(page, "02-run-hsinchu-10-years")

    # ---- Monitor: upload the example CSV, see the stage
    from innocluster.monitor import example_data

    page.goto(server + "/monitor")
    page.wait_for_selector("h1:has-text('Cluster monitor')")
    upload = page.locator("[data-testid='stFileUploader'] input[type='file']")
    upload.set_input_files(str(example_data("synthetic")))
    page.locator("[data-testid='stFileChipName']", has_text="synthet").wait_for()
    stage = page.locator("[data-testid='stMetric']", has_text="Life-cycle stage").first
    stage.wait_for(state="visible")
    _wait_idle(page)
    value = stage.locator("[data-testid='stMetricValue']").inner_text().strip()
    assert value in {"emergence", "growth", "maturity", "decline"}, value
    assert page.locator("text=Showing the example data").count() == 0  # the upload is in use
    _shot(page, "03-monitor-example-upload")

    # ---- Monitor: a broken CSV, see the message (and no traceback)
    broken = tmp_path / "broken.csv"
    broken.write_text("region,industry,year,employment\nhsinchu,chips,2000,abc\n")
    upload.set_input_files(str(broken))
    err = page.locator("[data-testid='stAlertContentError']").first
    err.wait_for(state="visible")
    text = err.inner_text()
    assert "broken.csv" in text and "line 2" in text and "not a number" in text, text
    assert page.locator("text=Traceback").count() == 0
    _wait_idle(page)
    _shot(page, "04-monitor-broken-upload")


def test_other_pages_render(server, page, fresh):
    for path, title in (("scenario", "Scenario"), ("compare", "Compare policies"), ("sweep", "Sweep"),
                        ("results", "Results")):
        page.goto(f"{server}/{path}")
        page.wait_for_selector(f"h1:has-text('{title}')")
        _wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        _shot(page, f"05-{path}")


# ---------------------------------------------------------------------------------------------- issue 23
WIDTHS = (1400, 1000)
OVERFLOW_JS = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))
    .filter(e => e.checkVisibility())
    .map(e => { const s = e.querySelector('.dvn-scroller');
                return {w: s ? s.scrollWidth - s.clientWidth : 0, h: s ? s.scrollHeight - s.clientHeight : 0}; })"""
TRUNCATED_LEGEND_JS = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg text"))
    .map(t => t.textContent).filter(t => t.includes('…'))"""
CLIPPED_TEXT_JS = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")).flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim()).filter(t => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && (r.right > box.right + 6 || r.left < box.left - 6);  // (a few px of padding overflow are drawn)
    }).map(t => t.textContent); })"""
TRUNCATED_METRIC_JS = """() => Array.from(document.querySelectorAll("[data-testid='stMetricValue'] div, [data-testid='stMetricValue']"))
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""


def _width(pg, w: int) -> None:
    pg.set_viewport_size({"width": w, "height": 3000})
    pg.wait_for_timeout(400)
    _wait_idle(pg)


def _shots(pg, name: str) -> None:
    """Whole-page screenshots at both widths (tests/artifacts/<name>-<width>.png); back to 1400 px."""
    for w in WIDTHS:
        _width(pg, w)
        pg.screenshot(path=str(ARTIFACTS / f"{name}-{w}.png"), full_page=True)
    _width(pg, WIDTHS[0])


def _fits(pg, where: str) -> None:
    """At both widths: no visible table scrolls (every row and column shown), no legend label
    or metric value cut off with an ellipsis."""
    for w in WIDTHS:
        _width(pg, w)
        over = pg.evaluate(OVERFLOW_JS)
        assert all(o["w"] <= 2 and o["h"] <= 2 for o in over), f"{where} at {w} px: a table scrolls {over}"
        assert pg.evaluate(TRUNCATED_LEGEND_JS) == [], f"{where} at {w} px: cut-off chart text"
        assert pg.evaluate(CLIPPED_TEXT_JS) == [], f"{where} at {w} px: chart text beyond the chart's edge"
        assert pg.evaluate(TRUNCATED_METRIC_JS) == [], f"{where} at {w} px: cut-off metric"
    _width(pg, WIDTHS[0])


def _no_traceback(pg) -> None:
    assert pg.locator("[data-testid='stException']").count() == 0
    assert pg.locator("text=Traceback").count() == 0


def _number(pg, label: str, value) -> None:
    box = pg.get_by_role("spinbutton", name=label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    _wait_idle(pg)


def _goto(pg, url: str, h1: str) -> None:
    """A page load is a new browser session: what it shows comes from the session folder."""
    pg.goto(url)
    pg.wait_for_selector(f"h1:has-text('{h1}')")
    _wait_idle(pg)


def test_scenario_years_seed_reload_watch_and_invalid_edit(server, page, fresh, tmp_path):
    # the Scenario page's years and seed ...
    _goto(page, server + "/scenario", "Scenario")
    _number(page, "years", 6)
    _number(page, "seed", 3)
    page.locator("[data-testid='stAlertContentSuccess']", has_text="6 years from 1980, seed 3").wait_for()
    # ... are what Run starts from (after a reload: the edit is kept in the session folder)
    _goto(page, server + "/run", "Run a simulation")
    assert page.get_by_role("spinbutton", name="Years", exact=True).input_value() == "6"
    assert page.get_by_role("spinbutton", name="Seed", exact=True).input_value() == "3"
    _number(page, "Initial firms", 150)
    page.get_by_role("button", name="Run simulation").click()
    done = page.locator("[data-testid='stAlertContentSuccess']", has_text="Simulated hsinchu")
    done.wait_for(timeout=90_000)
    _wait_idle(page)
    assert "6 years" in done.inner_text() and "seed 3" in done.inner_text()
    # cluster and periphery on separate panels; the band's rule in words
    page.wait_for_function("() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg text\"))"
                           ".some(t => t.textContent.includes('— periphery'))", timeout=60_000)
    page.locator("text=How the band is drawn").first.wait_for()
    # watch the run: the year slider and the play button
    watch = page.locator("[data-testid='stSlider']").filter(has_text="Year")
    thumb = watch.get_by_role("slider")
    thumb.focus()
    thumb.press("Home")
    page.locator("text=Year 1980 of 1980–1985").wait_for()
    _wait_idle(page)
    _shots(page, "06-run-watch-1980")
    page.get_by_role("button", name="Play", exact=True).click()
    page.locator("text=Year 1985 of 1980–1985.").wait_for(timeout=60_000)
    _wait_idle(page)
    assert page.locator("text=(playing)").count() == 0
    _fits(page, "Run")
    _no_traceback(page)
    # a reload keeps the run
    page.reload()
    page.wait_for_selector("h1:has-text('Run a simulation')")
    page.locator("text=Restored from the session folder (the last run").wait_for()
    page.locator("[data-testid='stAlertContentSuccess']", has_text="Simulated hsinchu").wait_for()
    _wait_idle(page)
    _shots(page, "07-run-restored-after-reload")

    # an invalid edit: kept with its error across page loads, until discarded
    _goto(page, server + "/scenario", "Scenario")
    page.get_by_role("tab", name="Policy budget").click()
    _number(page, "direct subsidy", 0.9)
    page.locator("[data-testid='stAlertContentError']", has_text="shares sum to").wait_for()
    _goto(page, server + "/run", "Run a simulation")
    page.locator("[data-testid='stAlertContentWarning']", has_text="holds an invalid edit").wait_for()
    _goto(page, server + "/scenario", "Scenario")
    page.locator("[data-testid='stAlertContentError']", has_text="shares sum to").wait_for()
    page.get_by_role("tab", name="Policy budget").click()
    assert page.get_by_role("spinbutton", name="direct subsidy", exact=True).input_value() == "0.900"
    _shots(page, "08-scenario-invalid-edit-kept")
    page.get_by_role("button", name="Discard the invalid edit").click()
    page.locator("[data-testid='stAlertContentSuccess']", has_text="is valid").wait_for()
    _wait_idle(page)

    # a bad TOML file: its error, and no green "valid" beside it
    bad = tmp_path / "bad.toml"
    bad.write_text("name = = 1\n")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(bad))
    page.locator("[data-testid='stAlertContentError']", has_text="The file was not loaded").wait_for()
    _wait_idle(page)
    assert page.locator("[data-testid='stAlertContentSuccess']").count() == 0
    _shots(page, "09-scenario-bad-toml")
    _no_traceback(page)


def test_scenario_tables_fit(server, page, fresh):
    _goto(page, server + "/scenario", "Scenario")
    for tab in ("Policy budget", "Regions", "GVC stages", "Model coefficients"):
        page.get_by_role("tab", name=tab).click()
        _wait_idle(page)
        _fits(page, f"Scenario / {tab}")
        if tab in ("Policy budget", "Regions"):
            _shots(page, f"10-scenario-{tab.lower().replace(' ', '-')}")


def test_compare_differences_power_warning_report_and_reload(server, page, fresh):
    _goto(page, server + "/compare", "Compare policies")
    _number(page, "Years", 4)
    # enough firms for the park to hold several: at 80 it has three or four, no firm is
    # subsidised, and the arms run identically (no difference, nothing to warn about)
    _number(page, "Initial firms", 150)
    _number(page, "Replications", 2)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_selector("h3:has-text('Verdicts per outcome')", timeout=120_000)
    _wait_idle(page)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Patents per firm in hsinchu, last simulated year (per firm-year)" in body
    assert "patents_per_firm@last@hsinchu" not in body
    page.locator("[data-testid='stAlertContentWarning']", has_text="Too few replications").wait_for()
    page.wait_for_function("() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg text\"))"
                           ".some(t => t.textContent.includes('Arm means'))", timeout=60_000)
    svg_text = " ".join(page.evaluate("() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart'] "
                                      "svg text\")).map(t => t.textContent)"))
    assert "Difference vs baseline (95 % CI)" in svg_text and "Arm means (95 % CI)" in svg_text
    assert "per firm-year" in svg_text
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download HTML report (with charts)").click()
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "Too few replications" in html
    _fits(page, "Compare")
    _shots(page, "11-compare")
    page.reload()
    page.wait_for_selector("h1:has-text('Compare policies')")
    page.locator("text=Restored from the session folder (the last comparison").wait_for()
    page.wait_for_selector("h3:has-text('Verdicts per outcome')")
    _no_traceback(page)


def test_sweep_page_morris_and_reload(server, page, fresh):
    _goto(page, server + "/sweep", "Sweep and sensitivity")
    _number(page, "Years", 3)
    _number(page, "Initial firms", 60)
    _number(page, "Trajectories", 2)
    page.get_by_role("button", name="Run sweep").click()
    page.wait_for_selector("h3:has-text('Sensitivity indices')", timeout=120_000)
    _wait_idle(page)
    assert page.locator("text=Morris elementary effects").count() >= 1
    assert list(fresh.joinpath("store").iterdir())  # the runs are in the session folder's results store
    _fits(page, "Sweep")
    _shots(page, "12-sweep-morris")
    page.reload()
    page.wait_for_selector("h1:has-text('Sweep and sensitivity')")
    page.locator("text=Restored from the session folder's results store").wait_for()
    page.wait_for_selector("h3:has-text('Sensitivity indices')")
    _no_traceback(page)


def _region_table_csv() -> str:
    from innocluster.monitor import example_data

    return example_data("synthetic").read_text(encoding="utf-8")


def test_monitor_states_maps_uploads_and_reload(server, page, fresh, tmp_path):
    _goto(page, server + "/monitor", "Cluster monitor")
    upload = page.locator("[data-testid='stFileUploader'] input[type='file']")
    # three states, with what is missing when not judged
    for title in ("Lock-in", "Race to the bottom"):
        m = page.locator("[data-testid='stMetric']", has_text=title).first
        value = m.locator("[data-testid='stMetricValue']").inner_text().strip()
        assert value in {"WARNING", "no warning", "not judged"}, value
        if value == "not judged":
            page.locator("[data-testid='stAlert']", has_text=f"{title}: not judged").wait_for()
            assert "provide at least" in page.locator("[data-testid='stAlert']", has_text=f"{title}: not judged").inner_text()
    # the report's heat map and Lorenz curves
    page.locator("[data-testid='stImage'] img").first.wait_for()
    _fits(page, "Monitor")
    _shots(page, "13-monitor-example")

    # an upload survives a reload
    good = tmp_path / "my_cluster.csv"
    good.write_text(_region_table_csv(), encoding="utf-8")
    upload.set_input_files(str(good))
    page.locator("[data-testid='stMetric']", has_text="Life-cycle stage").first.wait_for()
    _wait_idle(page)
    page.reload()
    page.wait_for_selector("h1:has-text('Cluster monitor')")
    page.locator("text=your upload before the page was reloaded").wait_for()
    page.locator("[data-testid='stMetric']", has_text="Life-cycle stage").first.wait_for()
    _wait_idle(page)
    _shots(page, "14-monitor-upload-restored")

    # too large: a message on the page; earlier results gone, also after a reload
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.write(b"region,industry,year,employment\n")
        fh.write(b"hsinchu,chips,2000,1\n" * (26 * 1024 * 1024 // 21 + 1))
    upload.set_input_files(str(big))
    err = page.locator("[data-testid='stAlertContentError']", has_text="upload limit")
    err.wait_for(timeout=60_000)
    _wait_idle(page)
    assert "big.csv" in err.inner_text()
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator("text=Showing the example data").count() == 0
    _shots(page, "15-monitor-too-large")
    page.reload()
    page.wait_for_selector("h1:has-text('Cluster monitor')")
    page.locator("text=Showing the example data").wait_for()
    assert page.locator("text=your upload before the page was reloaded").count() == 0

    # other encodings and separators: the readers' result or their message, never a codec traceback
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(_region_table_csv().replace("hsinchu", "新竹").encode("gbk"))
    semi = tmp_path / "semicolon.csv"
    semi.write_text(_region_table_csv().replace(",", ";"), encoding="cp1252")
    for f in (gbk, semi):
        upload.set_input_files(str(f))
        page.locator("[data-testid='stFileChipName']", has_text=f.name[:5]).wait_for()
        # this file's results (its name in the summary) or its message, not the previous file's
        page.wait_for_function(
            "name => document.querySelector(\"[data-testid='stMain']\").innerText.includes(name + ' —') || "
            "Array.from(document.querySelectorAll(\"[data-testid='stAlertContentError']\"))"
            ".some(e => e.innerText.includes(name))", arg=f.name, timeout=60_000)
        _wait_idle(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        assert "codec can't decode" not in text and "Traceback" not in text, text[:2000]
        assert "Showing the example data" not in text
        # the monitor's readers detect the encoding and the separator, and the page says so
        how = page.locator("[data-testid='stAlertContentInfo']", has_text="How the file was read").inner_text()
        assert ("GBK" in how) if f is gbk else ("semicolon" in how), how
        _shots(page, f"16-monitor-{f.stem}")

    # a workbook with two sheets: which sheet was read is said
    import pandas as pd

    book = tmp_path / "two_sheets.xlsx"
    df = pd.read_csv(good).head(300)
    with pd.ExcelWriter(book) as xw:
        df.to_excel(xw, sheet_name="data", index=False)
        df.head(5).to_excel(xw, sheet_name="notes", index=False)
    upload.set_input_files(str(book))
    info = page.locator("[data-testid='stAlertContentInfo']", has_text="How the file was read").filter(has_text="sheet")
    info.wait_for(timeout=60_000)
    assert "'data'" in info.inner_text() and "notes" in info.inner_text()
    _wait_idle(page)
    _shots(page, "17-monitor-workbook")
    _no_traceback(page)
