"""The ``innocluster dashboard`` command: start the Streamlit app on localhost."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from typing import Annotated

import typer
from pathlib import Path

from innocluster.errors import InputError

HOST = "127.0.0.1"
#: Streamlit's own cap, well above the Monitor page's check (uploads.MAX_UPLOAD_BYTES, 25 MB), so that a file
#: that is too large reaches the page and is refused there with a message (not only a red chip in the uploader)
MAX_UPLOAD_MB = 200


def streamlit_command(port: int, host: str = HOST) -> list[str]:
    """The command line that serves the app (headless, no usage statistics, localhost)."""
    from innocluster.dashboard import APP_PATH

    return [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
        "--theme.base", "light",
        "--theme.primaryColor", "#1f5f8b",
    ]


def _port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed server's TIME_WAIT is no conflict
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def dashboard_cmd(
    port: Annotated[int, typer.Option("--port", help="port on 127.0.0.1 to serve the dashboard on")] = 8501,
    workdir: Annotated[str | None, typer.Option(
        "--workdir", help="session folder that keeps the scenario, last run, comparison, monitor file and sweeps "
                          "across page reloads (default: $INNOCLUSTER_DASHBOARD_DIR or runs/dashboard)")] = None,
) -> None:
    """Start the web dashboard (Scenario, Run, Compare policies, Monitor, Sweep, Results) on localhost."""
    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: must be between 1 and 65535")
    if not _port_free(port):
        raise InputError(f"--port {port}: already in use on {HOST}; choose another port")
    typer.echo(f"innocluster dashboard: http://{HOST}:{port}  (Ctrl+C to stop)")
    import os

    from innocluster.dashboard.workspace import ENV, workdir as _workdir

    env = dict(os.environ)
    if workdir:
        env[ENV] = str(Path(workdir).expanduser().resolve())
    folder = Path(env.get(ENV) or _workdir()).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--workdir {folder}: cannot create the session folder ({exc.strerror})") from None
    env[ENV] = str(folder.resolve())
    typer.echo(f"session folder: {folder}")
    proc = subprocess.Popen(streamlit_command(port), env=env)

    def _stop(signum, frame):  # SIGTERM / SIGHUP to this process also stop the server
        proc.terminate()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    if code not in (0, -signal.SIGTERM):
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command to ``app``."""
    app.command("dashboard")(dashboard_cmd)
