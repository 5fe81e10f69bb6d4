"""End-to-end: the dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded).

Starts ``innocluster dashboard --port <free port>``, then: the page names the app; Run
simulates Hsinchu for 10 years and shows a chart; Monitor takes the example CSV and
shows the life-cycle stage, then a broken CSV and shows the message. Screenshots go to
``tests/artifacts/`` for people to look at.
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
def server():
    port = _free_port()
    log = ARTIFACTS / "dashboard-server.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen([*_innocluster(), "dashboard", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
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


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_page_names_the_app(server, page):
    page.goto(server + "/")
    page.wait_for_selector("h1")
    assert "innocluster" in page.title()
    assert "innocluster" in page.locator("h1").first.inner_text()
    _shot(page, "01-overview")


def test_run_hsinchu_and_monitor_uploads(server, page, tmp_path):
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


def test_other_pages_render(server, page):
    for path, title in (("scenario", "Scenario"), ("compare", "Compare policies"), ("results", "Results")):
        page.goto(f"{server}/{path}")
        page.wait_for_selector(f"h1:has-text('{title}')")
        _wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        _shot(page, f"05-{path}")
