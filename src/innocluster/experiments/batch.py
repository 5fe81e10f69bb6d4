"""Run many simulations: the engine room of sweeps, policy arms and calibration.

:func:`run_batch` takes a base scenario and an iterable of :class:`RunSpec` (overrides,
seed, sample and replication numbers), runs them on an executor with a bounded number
of tasks in flight, retries failures, and streams each finished run to a
:class:`~innocluster.experiments.store.ResultsStore` or, without a store, keeps only the
outcome scalars. The parent never holds more than ``2 x slots`` runs' time series, so
its memory does not grow with the number of runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from innocluster.deprecation import EXECUTION_KEYWORDS, moved_keywords
from innocluster.errors import InputError
from innocluster.experiments.execution import Execution, as_execution
from innocluster.experiments.executors import Executor, Task, TaskResult
from innocluster.experiments.outcomes import Outcome
from innocluster.experiments.progress import NullProgress


@dataclass(frozen=True)
class RunSpec:
    """One run: which sample and replication, its seed, and its scenario overrides.

    ``seed`` should come from :mod:`innocluster.experiments.seeds`, keyed by
    (sample, rep), so that it does not depend on the order of execution.
    """

    sample: int
    rep: int
    seed: int
    overrides: tuple[str, ...] = ()


@dataclass
class BatchReport:
    """What a batch did.

    Attributes
    ----------
    planned, skipped, done, failed, retried : int
        Runs in the specs, already complete in the store, completed now, failed after
        every retry, and attempts that were retried.
    failures : list of (sample, rep, error)
    outcomes : pandas.DataFrame or None
        Without a store: one row per successful run (sample, rep, seed, outcome
        columns). With a store: None (read it from the store).
    seconds : float
    """

    planned: int = 0
    skipped: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0
    failures: list[tuple[int, int, str]] = field(default_factory=list)
    outcomes: pd.DataFrame | None = None
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.failed == 0


@moved_keywords(execution=EXECUTION_KEYWORDS)
def run_batch(scenario, specs: Iterable[RunSpec], *, outcomes: Iterable[Outcome] = (), years: int | None = None,
              firms: int | None = None, store=None, experiment: str | None = None, keep_series: bool = True,
              total: int | None = None, execution: Execution | None = None,
              runner: Callable | None = None) -> BatchReport:
    """Run every spec; store or collect the results; retry and report failures.

    Parameters
    ----------
    scenario : Scenario, str or path
        Base scenario (or a built-in name or ``.toml`` path); each spec's overrides
        are applied to it in the worker.
    specs : iterable of RunSpec
        Consumed lazily (a generator keeps memory flat for huge designs).
    outcomes : iterable of Outcome
        Scalars computed in the worker from each run's time series.
    years, firms : int, optional
        Passed to the engine.
    store : ResultsStore, optional
        An open store where finished runs go; ``experiment`` must already be
        registered in it (:meth:`ResultsStore.ensure_experiment`). Runs already ``ok``
        there are skipped.
    experiment : str, optional
        The experiment's name in ``store``.
    keep_series : bool
        Store each run's per-region time series (ignored without a store).
    total : int, optional
        Number of specs, for the progress bar when ``specs`` is a generator.
    execution : Execution, optional
        Executor, workers, Dask scheduler or client, retries and progress
        (default: ``Execution()``, a local pool with one worker per CPU).
    runner : callable, optional
        Replaces the engine: ``runner(scenario, seed=, years=, firms=) -> timeseries``.

    Returns
    -------
    BatchReport
    """
    from innocluster.scenario.io import resolve_scenario

    execution = as_execution(execution)
    scenario = resolve_scenario(scenario)
    if store is not None and experiment is None:
        raise InputError("experiment: give the experiment's name together with the store", param="experiment")
    ex = execution.start()
    try:
        return _run_batch(scenario, specs, ex, execution.progress_bar(), execution.retries, outcomes=outcomes,
                          years=years, firms=firms, store=store, experiment=experiment, keep_series=keep_series,
                          total=total, runner=runner)
    finally:
        if execution.owns(ex):
            ex.close()


def _run_batch(scenario, specs: Iterable[RunSpec], ex: Executor, bar: NullProgress, retries: int, *,
               outcomes: Iterable[Outcome] = (), years: int | None = None, firms: int | None = None, store=None,
               experiment: str | None = None, keep_series: bool = True, total: int | None = None,
               runner: Callable | None = None) -> BatchReport:
    """:func:`run_batch` on an executor that is already running (shared by the rounds
    of a calibration or the groups of the paper experiments)."""
    outcomes = tuple(outcomes)
    scenario_json = scenario.model_dump_json()
    done_keys = store.done(experiment) if store is not None else set()
    report = BatchReport()
    rows: list[dict] = []
    t0 = time.perf_counter()

    def tasks() -> Iterator[Task]:
        for spec in specs:
            report.planned += 1
            if (spec.sample, spec.rep) in done_keys:
                report.skipped += 1
                continue
            yield Task(spec.sample, spec.rep, spec.seed, tuple(spec.overrides), scenario_json, years, firms,
                       outcomes, keep_series and store is not None, runner)

    window = 2 * ex.slots  # tasks in flight: keeps workers busy, bounds parent memory
    queue = tasks()
    pending: dict = {}  # future -> (task, attempt)
    if total is not None:
        bar.start(total, done=len(done_keys))
    started = total is not None

    def finish(res: TaskResult, task: Task, attempt: int) -> None:
        if res.ok:
            report.done += 1
            if store is not None:
                store.record(experiment, res.sample, res.rep, res.seed, ok=True, attempts=attempt,
                             seconds=res.seconds, series=res.series, outcomes=res.outcomes)
            else:
                rows.append({"sample": res.sample, "rep": res.rep, "seed": res.seed, **res.outcomes})
        else:
            report.failed += 1
            report.failures.append((res.sample, res.rep, res.error or "unknown error"))
            if store is not None:
                store.record(experiment, res.sample, res.rep, res.seed, ok=False, attempts=attempt,
                             error=res.error, seconds=res.seconds)
        bar.advance(res.ok)

    def retry(task: Task, attempt: int, res: TaskResult) -> None:
        if not res.ok and attempt <= retries:
            report.retried += 1
            bar.advance(False, retried=True)
            pending[ex.submit(task)] = (task, attempt + 1)
        else:
            finish(res, task, attempt)

    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                    break
                pending[ex.submit(task)] = (task, 1)
            if not started:
                # without `total` the bar starts once the queue is known to be short or drained
                if exhausted:
                    bar.start(report.planned, done=report.skipped)
                    started = True
            if not pending:
                break
            for fut in ex.wait_first(set(pending)):
                if fut not in pending:  # resubmitted after a pool restart below
                    continue
                task, attempt = pending.pop(fut)
                try:
                    res = ex.result(fut)
                except Exception as exc:  # noqa: BLE001 - lost worker, pickling error, cancelled
                    res = TaskResult(task.sample, task.rep, task.seed, False,
                                     f"{type(exc).__name__}: {' '.join(str(exc).split()) or 'worker lost'}")
                    if ex.recoverable(exc):
                        # A worker died and took the pool with it: every task in flight is lost.
                        # Each counts as a failed attempt (the culprit is unknown) and is retried.
                        lost = [(task, attempt, res)] + [
                            (t, a, TaskResult(t.sample, t.rep, t.seed, False, res.error)) for t, a in pending.values()]
                        pending.clear()
                        ex.restart()
                        for t, a, r in lost:
                            retry(t, a, r)
                        continue
                retry(task, attempt, res)
    finally:
        bar.stop()
    report.seconds = time.perf_counter() - t0
    if store is None:
        report.outcomes = pd.DataFrame(rows, columns=["sample", "rep", "seed", *[o.name for o in outcomes]]) \
            if not rows else pd.DataFrame(rows).sort_values(["sample", "rep"]).reset_index(drop=True)
    return report
