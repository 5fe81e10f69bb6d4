"""Progress reporting for batches: a Rich bar with runs done, failed and the ETA."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class NullProgress:
    """Reports nothing (the Python API's default)."""

    def start(self, total: int, done: int = 0) -> None:
        """Begin a batch of ``total`` runs, ``done`` of them already complete (shown by subclasses)."""

    def advance(self, ok: bool, retried: bool = False) -> None:
        """One run finished (or failed, or is retried)."""

    def stop(self) -> None:
        """The batch is over."""


class RichProgress(NullProgress):
    """``sweep ━━━━━━━━━━ 120/400 runs · 2 failed · 1 retried · 0:01:10 · ETA 0:03:05``."""

    def __init__(self, description: str = "runs", console: Console | None = None):
        self.description = description
        self.console = console or Console(stderr=True)
        self._bar: Progress | None = None
        self.failed = self.retried = 0

    def start(self, total: int, done: int = 0) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
            TextColumn("[red]{task.fields[failed]} failed"), TextColumn("{task.fields[retried]} retried"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=self.console,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.description, total=total, completed=done, failed=0, retried=0)

    def advance(self, ok: bool, retried: bool = False) -> None:
        if retried:
            self.retried += 1
        elif not ok:
            self.failed += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=0 if retried else 1, failed=self.failed, retried=self.retried)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class CallbackProgress(NullProgress):
    """Calls ``callback(1)`` after each finished run (``progress=`` a callable)."""

    def __init__(self, callback):
        self.callback = callback

    def advance(self, ok: bool, retried: bool = False) -> None:
        if not retried:
            self.callback(1)
