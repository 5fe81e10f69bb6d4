"""How the runs of an experiment are executed: one settings object for every experiment.

:class:`Execution` holds where runs go (executor, workers, Dask scheduler or client),
how often a failed run is retried and whether progress is shown. It is the same
object for :func:`~innocluster.experiments.run_batch`,
:func:`~innocluster.experiments.run_sweep`,
:func:`~innocluster.experiments.compare_arms`,
:func:`~innocluster.calibration.calibrate` and the paper experiments
(:func:`~innocluster.paper.run.run_claims`); it is checked when it is made, so a bad
setting is refused before any store, folder or worker exists.

Example
-------
>>> from innocluster.experiments import Execution
>>> Execution(workers=2, retries=1)
Execution(executor='local', workers=2, scheduler=None, client=None, retries=1, progress=False)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from innocluster.errors import InputError
from innocluster.experiments.executors import EXECUTORS, Executor, make_executor
from innocluster.experiments.progress import CallbackProgress, NullProgress, RichProgress


@dataclass(frozen=True)
class Execution:
    """Where and how runs execute.

    Parameters
    ----------
    executor : {"local", "dask", "serial"} or Executor
        ``"local"``: a process pool on this machine (default); ``"dask"``: a Dask
        cluster (``scheduler`` or ``client``); ``"serial"``: in the calling process
        (debugging). An :class:`~innocluster.experiments.executors.Executor` instance
        is used as it is and not closed.
    workers : int, optional
        Local pool size (default: one per CPU).
    scheduler : str, optional
        Dask scheduler address, ``tcp://HOST:PORT``.
    client : distributed.Client, optional
        An existing Dask client (a ``LocalCluster``, a ``dask_jobqueue`` cluster).
    retries : int
        Extra attempts for a failed run before it is recorded as failed.
    progress : bool or callable
        True shows a progress bar on stderr; a callable is called with 1 after each
        finished run.
    """

    executor: str | Executor = "local"
    workers: int | None = None
    scheduler: str | None = None
    client: Any = None
    retries: int = 2
    progress: bool | Callable[[int], object] | NullProgress = False

    def __post_init__(self):
        if not isinstance(self.executor, Executor) and self.executor not in EXECUTORS:
            raise InputError(f"executor = {self.executor!r}: use one of {', '.join(EXECUTORS)} or an Executor",
                             param="executor")
        if self.workers is not None:
            if isinstance(self.workers, bool) or not isinstance(self.workers, numbers.Integral) or self.workers < 1:
                raise InputError(f"workers = {self.workers!r}: must be a whole number of at least 1 "
                                 f"(or None: one per CPU)", param="workers")
            if self.executor != "local":
                raise InputError(f"workers = {self.workers}: only a local pool has a size; the {self.executor} "
                                 f"executor does not use it", param="workers")
        if isinstance(self.retries, bool) or not isinstance(self.retries, numbers.Integral) or self.retries < 0:
            raise InputError(f"retries = {self.retries!r}: must be a whole number, 0 or more", param="retries")
        if self.scheduler is not None and self.executor != "dask":
            raise InputError(f"scheduler = {self.scheduler!r}: only used with executor = 'dask'", param="scheduler")
        if self.executor == "dask" and self.scheduler is None and self.client is None:
            raise InputError("scheduler: needed with executor = 'dask' (the Dask scheduler address, "
                             "tcp://HOST:PORT), or give a Dask client", param="scheduler")
        if self.client is not None and self.executor not in ("local", "dask"):
            raise InputError(f"client: a Dask client needs executor = 'dask', not {self.executor!r}", param="client")
        if not (isinstance(self.progress, (bool, NullProgress)) or callable(self.progress)):
            raise InputError(f"progress = {self.progress!r}: give True, False or a callable", param="progress")

    def start(self) -> Executor:
        """The executor these settings describe, started (close it, or use ``with``)."""
        if isinstance(self.executor, Executor):
            return self.executor
        return make_executor("dask" if self.client is not None else self.executor, self.workers, self.scheduler,
                             self.client)

    def progress_bar(self, description: str = "runs") -> NullProgress:
        """The progress reporter: a Rich bar, the caller's callable, or nothing."""
        if isinstance(self.progress, NullProgress):
            return self.progress
        if self.progress is True:
            return RichProgress(description)
        if callable(self.progress):
            return CallbackProgress(self.progress)
        return NullProgress()

    def owns(self, executor: Executor) -> bool:
        """Whether ``executor`` was started from these settings (and must be closed by them)."""
        return not isinstance(self.executor, Executor) or executor is not self.executor


def as_execution(execution: Execution | None) -> Execution:
    """``execution`` itself, or the default settings; anything else is refused."""
    if execution is None:
        return Execution()
    if not isinstance(execution, Execution):
        raise InputError(f"execution = {type(execution).__name__}: give an innocluster.experiments.Execution "
                         f"(workers, executor, scheduler, client, retries, progress)", param="execution")
    return execution
