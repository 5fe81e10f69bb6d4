"""Experiments at scale: sweeps, sensitivity analysis, policy arms, executors, results store.

The pieces, one job per module:

* :mod:`~innocluster.experiments.problem` — parameters (dotted override paths) and bounds;
* :mod:`~innocluster.experiments.sampling` — Latin hypercube, Sobol (Saltelli), Morris, grid;
* :mod:`~innocluster.experiments.seeds` — one seed per (sample, replication) from a
  :class:`numpy.random.SeedSequence` tree;
* :mod:`~innocluster.experiments.outcomes` — scalar outcomes such as ``patents_per_firm@2030``;
* :mod:`~innocluster.experiments.store` — DuckDB catalogue plus one Parquet file per run;
* :mod:`~innocluster.experiments.executors` — local process pool and Dask, with retries;
* :mod:`~innocluster.experiments.execution` — :class:`Execution`, the one settings object
  (executor, workers, scheduler, retries, progress) of every experiment;
* :mod:`~innocluster.experiments.batch` — :func:`run_batch`, the engine room every
  experiment (sweeps, policy arms, calibration) goes through;
* :mod:`~innocluster.experiments.sweep`, :mod:`~innocluster.experiments.sensitivity`,
  :mod:`~innocluster.experiments.compare` — the user-facing experiments.

See ``docs/experiments.md``.
"""

from innocluster.experiments.batch import BatchReport, RunSpec, run_batch
from innocluster.experiments.compare import ArmComparison, compare_arms
from innocluster.experiments.execution import Execution
from innocluster.experiments.outcomes import Outcome, parse_outcome, parse_outcomes
from innocluster.experiments.problem import Problem, parse_params
from innocluster.experiments.sampling import sample
from innocluster.experiments.seeds import run_seed
from innocluster.experiments.sensitivity import analyze
from innocluster.experiments.store import ResultsStore
from innocluster.experiments.sweep import run_sweep

__all__ = [
    "ArmComparison",
    "BatchReport",
    "Execution",
    "Outcome",
    "Problem",
    "ResultsStore",
    "RunSpec",
    "analyze",
    "compare_arms",
    "parse_outcome",
    "parse_outcomes",
    "parse_params",
    "run_batch",
    "run_seed",
    "run_sweep",
    "sample",
]
