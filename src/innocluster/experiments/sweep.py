"""Parameter sweeps: design x replications, streamed into a results store, resumable.

A sweep is identified by its *spec*: scenario (resolved, overrides applied), parameters
and bounds, method and sample size, replications, root seed, years, firms and outcomes.
The spec is stored with the experiment. Running the same command again finds the spec,
checks it is identical and runs only what is missing or failed; a different spec under
the same name is refused with the first difference named.

Executors do not enter the spec: the results are bit-identical whether the runs are
computed by 1 or N local workers or by Dask, because each run's seed is a function of
(root seed, sample, replication) only (:mod:`innocluster.experiments.seeds`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from innocluster.deprecation import EXECUTION_KEYWORDS, moved_keywords
from innocluster.errors import InputError
from innocluster.experiments.batch import BatchReport, RunSpec, _run_batch
from innocluster.experiments.execution import Execution, as_execution
from innocluster.experiments.outcomes import parse_outcomes
from innocluster.experiments.problem import Problem, parse_params
from innocluster.experiments.sampling import METHODS, sample
from innocluster.experiments.seeds import seed_for
from innocluster.experiments.store import ResultsStore, check_experiment_name
from innocluster.model.fingerprint import engine_fingerprint


@dataclass
class SweepResult:
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    store : Path
    experiment : str
        Experiment name in the store.
    resumed : bool
        The experiment existed and was resumed.
    report : BatchReport
    notes : list of str
        Runs redone because their file was missing or damaged.
    """

    store: Path
    experiment: str
    resumed: bool
    report: BatchReport
    notes: list[str]


def resolve_scenario(scenario, overrides: Iterable[str] = (), years: int | None = None):
    """Load (by name or path), apply ``overrides`` and fix ``years`` in the scenario."""
    from innocluster.scenario.io import resolve_scenario as resolve

    return resolve(scenario, list(overrides), years=years)


def sweep_spec(scenario, params: Iterable[str] | Problem, *, method: str = "lhs", samples: int = 64,
               replications: int = 1, outcomes: Iterable[str] = (), seed: int | None = None,
               years: int | None = None, firms: int | None = None, overrides: Iterable[str] = (),
               second_order: bool = True, levels: int = 4, common_random_numbers: bool = False):
    """Validate a sweep's inputs and return ``(scenario, problem, outcomes, spec)``."""
    if method not in METHODS:
        raise InputError(f"method {method!r}: use one of {', '.join(METHODS)}", param="method")
    if replications < 1:
        raise InputError(f"replications = {replications}: must be at least 1", param="replications")
    scenario_label = scenario if isinstance(scenario, (str, Path)) else getattr(scenario, "name", "scenario")
    sc = resolve_scenario(scenario, overrides, years)
    if firms is not None:
        from innocluster.scenario.io import check_run_setting

        firms = check_run_setting("firms", firms)
    problem = params if isinstance(params, Problem) else parse_params(params, sc)
    ocs = parse_outcomes(outcomes, sc)
    root = int(sc.seed if seed is None else seed)
    if root < 0:
        raise InputError(f"seed = {root}: must be a non-negative integer", param="seed")
    spec = {
        "kind": "sweep", "scenario": str(scenario_label), "overrides": list(overrides),
        "problem": problem.to_dict(), "method": method, "samples": int(samples),
        "second_order": bool(second_order) if method == "sobol" else None,
        "levels": int(levels) if method == "morris" else None,
        "replications": int(replications), "seed": root, "years": int(sc.years),
        "firms": firms, "outcomes": [o.name for o in ocs], "common_random_numbers": bool(common_random_numbers),
        # a resumed sweep must run the same model code as the runs already stored
        "engine": engine_fingerprint(),
    }
    return sc, problem, ocs, spec


@moved_keywords({"out": "store", "name": "experiment"}, execution=EXECUTION_KEYWORDS)
def run_sweep(scenario, params: Iterable[str] | Problem, *, store: str | Path, method: str = "lhs",
              samples: int = 64, replications: int = 1, outcomes: Iterable[str] = (), seed: int | None = None,
              years: int | None = None, firms: int | None = None, overrides: Iterable[str] = (),
              experiment: str = "sweep", second_order: bool = True, levels: int = 4,
              common_random_numbers: bool = False, execution: Execution | None = None,
              runner: Callable | None = None, on_start: Callable[[dict], None] | None = None) -> SweepResult:
    """Run (or resume) a sweep into the results store ``store``.

    Parameters
    ----------
    scenario : Scenario, str or path
    params : iterable of str or Problem
        ``NAME=LOW:HIGH`` per parameter (dotted override paths).
    store : path
        Results store folder (created if new).
    method : {"lhs", "sobol", "morris", "grid"}
    samples : int
        Base sample size ``N`` (see :mod:`innocluster.experiments.sampling` for the number of runs).
    replications : int
        Runs per design point, each with its own seed.
    outcomes : iterable of str
        ``METRIC@YEAR[@REGION]`` scalars recorded in the catalogue.
    seed : int, optional
        Root seed (default: the scenario's); it seeds the sampler and every run.
    years, firms : int, optional
        Simulation length and size.
    overrides : iterable of str
        ``key=value`` overrides applied to the scenario before the sweep.
    experiment : str
        Experiment name in the store; running again under the same name resumes.
    second_order : bool
        Sobol: design for second-order indices.
    levels : int
        Morris grid levels.
    common_random_numbers : bool
        Same seeds for every design point (replication r uses one seed everywhere).
    execution : Execution, optional
        Executor, workers, retries and progress (:class:`~innocluster.experiments.Execution`).
    runner : callable, optional
        Replaces the engine (see :func:`~innocluster.experiments.batch.run_batch`).
    on_start : callable, optional
        Called with the experiment summary (planned, already done) before running.

    Examples
    --------
    >>> run_sweep("hsinchu", ["innovation.zeta1=0.02:0.2"], store="runs/sw", samples=8,   # doctest: +SKIP
    ...           years=10, firms=500, outcomes=["patents_per_firm@last"])
    """
    execution = as_execution(execution)
    name = experiment
    check_experiment_name(name)
    sc, problem, ocs, spec = sweep_spec(
        scenario, params, method=method, samples=samples, replications=replications, outcomes=outcomes,
        seed=seed, years=years, firms=firms, overrides=overrides, second_order=second_order, levels=levels,
        common_random_numbers=common_random_numbers)
    from innocluster.scenario import scenario_to_toml

    X = sample(problem, method, samples, seed=spec["seed"], second_order=second_order, levels=levels)
    design = pd.DataFrame(X, columns=list(problem.names))
    overrides_of = [problem.overrides(row) for row in X]
    # connect the executor before touching the store: a bad scheduler leaves no trace
    ex = execution.start()
    try:
        with ResultsStore(store, create=True) as st:
            resumed = st.ensure_experiment(name, "sweep", spec, scenario_to_toml(sc),
                                           [(f"s{i}", ov) for i, ov in enumerate(overrides_of)], design)
            notes = st.repair(name) if resumed else []
            n, reps = len(X), spec["replications"]
            if on_start is not None:
                on_start({"name": name, "planned": n * reps, "done": len(st.done(name)), "resumed": resumed,
                          "notes": notes})

            def specs() -> Iterator[RunSpec]:
                for i in range(n):
                    for r in range(reps):
                        yield RunSpec(i, r, seed_for(spec["seed"], i, r, common_random_numbers),
                                      tuple(overrides_of[i]))

            report = _run_batch(sc, specs(), ex, execution.progress_bar("sweep"), execution.retries, outcomes=ocs,
                                years=spec["years"], firms=firms, store=st, experiment=name, runner=runner,
                                total=n * reps)
    finally:
        if execution.owns(ex):
            ex.close()
    return SweepResult(Path(store), name, resumed, report, notes)
