"""Where runs execute: in-process, a local process pool, or a Dask cluster.

All executors run the same task function, :func:`execute_task`, which turns one small,
picklable :class:`Task` into one small :class:`TaskResult` (a run's per-region time
series, a few outcome scalars, timing, or the error message). Workers never touch the
results store; the parent writes, so there is exactly one writer and no partial state.

* ``serial`` — in the calling process (debugging; monkeypatching works);
* ``local`` — :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start
  method: each worker is a fresh interpreter, so no forked copy of the parent's
  memory, locks or threads, and identical behaviour on Linux and macOS;
* ``dask`` — :class:`distributed.Client` connected to a scheduler address
  (``tcp://host:8786``), a :class:`distributed.LocalCluster`, or any client you pass.
  Needs the optional extra ``innocluster[distributed]``.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing as mp
import os
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from innocluster.errors import InputError
from innocluster.experiments.outcomes import Outcome

EXECUTORS = ("local", "dask", "serial")


@dataclass(frozen=True)
class Task:
    """One run to execute: a base scenario, overrides, a seed and what to send back.

    Attributes
    ----------
    sample, rep, seed : int
    overrides : tuple of str
        ``--set`` strings applied to the base scenario (the sample's parameter values).
    scenario_json : str
        The resolved base scenario (``Scenario.model_dump_json()``).
    years, firms : int or None
    outcomes : tuple of Outcome
    keep_series : bool
        Send the per-region time series back (for the store).
    runner : callable or None
        ``runner(scenario, seed=, years=, firms=) -> DataFrame`` (per-region time
        series); None runs the engine. Must be importable by the workers.
    """

    sample: int
    rep: int
    seed: int
    overrides: tuple[str, ...]
    scenario_json: str
    years: int | None
    firms: int | None
    outcomes: tuple[Outcome, ...] = ()
    keep_series: bool = True
    runner: Callable | None = None


@dataclass
class TaskResult:
    """What a worker sends back: small by construction."""

    sample: int
    rep: int
    seed: int
    ok: bool
    error: str | None = None
    seconds: float = 0.0
    series: pd.DataFrame | None = None
    outcomes: dict[str, float] = field(default_factory=dict)


_SCENARIOS: dict[str, Any] = {}


def _base_scenario(scenario_json: str):
    # Validating a scenario costs milliseconds; a worker sees the same base thousands of times.
    key = hashlib.sha1(scenario_json.encode()).hexdigest()
    sc = _SCENARIOS.get(key)
    if sc is None:
        from innocluster.scenario.schema import Scenario

        if len(_SCENARIOS) > 8:
            _SCENARIOS.clear()
        sc = _SCENARIOS[key] = Scenario.model_validate_json(scenario_json)
    return sc


def engine_runner(scenario, seed: int, years: int | None, firms: int | None) -> pd.DataFrame:
    """The default runner: :func:`innocluster.model.engine.simulate`, time series only."""
    from innocluster.model.engine import simulate

    return simulate(scenario, seed=seed, years=years, firms=firms).timeseries


def execute_task(task: Task) -> TaskResult:
    """Run one task; every exception becomes an error message in the result."""
    t0 = time.perf_counter()
    try:
        from innocluster.scenario import apply_overrides

        sc = apply_overrides(_base_scenario(task.scenario_json), list(task.overrides), source="sample")
        runner = task.runner or engine_runner
        ts = runner(sc, seed=task.seed, years=task.years, firms=task.firms)
        outcomes = {o.name: o.value(ts) for o in task.outcomes}
        series = None
        if task.keep_series:
            series = ts.copy()
            series.insert(0, "seed", task.seed)
            series.insert(0, "rep", task.rep)
            series.insert(0, "sample", task.sample)
        return TaskResult(task.sample, task.rep, task.seed, True, None, time.perf_counter() - t0, series, outcomes)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which retries and records it
        where = traceback.extract_tb(exc.__traceback__)[-1]
        msg = f"{type(exc).__name__}: {' '.join(str(exc).split())} [{os.path.basename(where.filename)}:{where.lineno}]"
        return TaskResult(task.sample, task.rep, task.seed, False, msg, time.perf_counter() - t0)


class Executor(ABC):
    """Minimal interface: ``submit``, ``wait_first``, ``slots``, ``restart``, ``close``."""

    name = "executor"
    slots = 1

    @abstractmethod
    def submit(self, task: Task):
        """Start ``task``; return a future."""

    @abstractmethod
    def wait_first(self, pending: set) -> set:
        """Block until at least one future in ``pending`` is done; return the done ones."""

    def result(self, fut) -> TaskResult:
        return fut.result()

    def recoverable(self, exc: BaseException) -> bool:
        """Whether the executor must be restarted after this exception (lost workers)."""
        return False

    def restart(self) -> None:
        """Replace lost workers (executors without a pool have nothing to replace)."""

    def close(self) -> None:
        """Release workers (executors without a pool hold none)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SerialExecutor(Executor):
    """Run tasks in the calling process as they are submitted."""

    name = "serial"

    def submit(self, task: Task):
        fut: cf.Future = cf.Future()
        fut.set_result(execute_task(task))
        return fut

    def wait_first(self, pending: set) -> set:
        return set(pending)


class LocalExecutor(Executor):
    """A local pool of ``workers`` processes (start method ``spawn``)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 1:
            raise InputError(f"workers = {workers}: must be at least 1", param="workers")
        self.slots = int(workers)
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.slots, mp_context=mp.get_context("spawn"))

    def submit(self, task: Task):
        return self._pool.submit(execute_task, task)

    def wait_first(self, pending: set) -> set:
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        return done

    def recoverable(self, exc: BaseException) -> bool:
        from concurrent.futures.process import BrokenProcessPool

        return isinstance(exc, BrokenProcessPool)

    def restart(self) -> None:
        # A worker died (killed, out of memory): the pool is unusable, start a new one.
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """Tasks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler : str, optional
        Scheduler address (``tcp://host:8786``); ignored when ``client`` is given.
    client : distributed.Client, optional
        An existing client (e.g. on a :class:`distributed.LocalCluster` or a
        ``dask_jobqueue.SLURMCluster``); it is not closed by :meth:`close`.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, client=None):
        try:
            import distributed
        except ImportError:
            raise InputError("executor 'dask' needs the optional extra: pip install 'innocluster[distributed]'",
                             param="executor") from None
        self._distributed = distributed
        self._own = client is None
        if client is None:
            if not scheduler:
                raise InputError("executor 'dask': give the scheduler address, tcp://HOST:PORT", param="executor")
            try:
                client = distributed.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"scheduler {scheduler}: cannot connect to a Dask scheduler ({exc})",
                                 param="scheduler") from None
        self.client = client
        threads = sum(client.nthreads().values()) if client.nthreads() else 1
        self.slots = max(1, int(threads))
        self._n = 0

    def submit(self, task: Task):
        self._n += 1
        # pure=False: a retry of the same task must run again, not return the cached failure.
        return self.client.submit(execute_task, task, pure=False,
                                  key=f"innocluster-run-s{task.sample}-r{task.rep}-{os.getpid()}-{self._n}")

    def wait_first(self, pending: set) -> set:
        return set(self._distributed.wait(list(pending), return_when="FIRST_COMPLETED").done)

    def result(self, fut) -> TaskResult:
        try:
            return fut.result()
        finally:
            fut.release()

    def close(self) -> None:
        if self._own:
            self.client.close()


def make_executor(executor: str | Executor | None = "local", workers: int | None = None,
                  scheduler: str | None = None, client=None) -> Executor:
    """An :class:`Executor` from CLI-style options (or pass one through)."""
    if isinstance(executor, Executor):
        return executor
    if client is not None:
        return DaskExecutor(client=client)
    kind = executor or "local"
    if kind == "local":
        if scheduler:
            raise InputError("scheduler: only used with the dask executor", param="scheduler")
        return LocalExecutor(workers)
    if kind == "serial":
        return SerialExecutor()
    if kind == "dask":
        return DaskExecutor(scheduler=scheduler)
    raise InputError(f"executor {kind!r}: use one of {', '.join(EXECUTORS)}", param="executor")
