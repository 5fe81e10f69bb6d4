"""Designs: Latin hypercube, Sobol (Saltelli), Morris trajectories and full grids.

Every sampler is seeded, so a sweep's design is reproducible from its spec. The
number of design rows depends on the method (``k`` parameters, ``N = --samples``):

========  =====================================  ==========================================
method    rows                                   analysis
========  =====================================  ==========================================
lhs       ``N``                                  delta moment-independent / S1 (SALib)
sobol     ``N (2k + 2)`` (``N (k + 2)`` without   Sobol S1, ST, S2 with intervals (SALib)
          second order); ``N`` a power of 2
morris    ``N (k + 1)`` (``N`` trajectories)      Morris mu, mu*, sigma (SALib)
grid      ``N ** k`` (``N`` levels per axis)      delta / S1; also for plain tabulation
========  =====================================  ==========================================
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from innocluster.errors import InputError
from innocluster.experiments.problem import Problem

METHODS = ("lhs", "sobol", "morris", "grid")
MAX_ROWS = 10_000_000


def design_size(method: str, n: int, k: int, second_order: bool = True) -> int:
    """Number of design rows a method produces (before running anything)."""
    if method == "lhs":
        return n
    if method == "sobol":
        return n * (2 * k + 2 if second_order else k + 2)
    if method == "morris":
        return n * (k + 1)
    if method == "grid":
        return n**k
    raise InputError(f"method {method!r}: use one of {', '.join(METHODS)}", param="method")


def sample(problem: Problem, method: str, n: int, seed: int = 0, *, second_order: bool = True,
           levels: int = 4) -> np.ndarray:
    """Design matrix, one row per sample and one column per parameter.

    Parameters
    ----------
    problem : Problem
    method : {"lhs", "sobol", "morris", "grid"}
    n : int
        Base sample size (see the table in the module docstring).
    seed : int
        Seed of the sampler (the sweep's root seed).
    second_order : bool
        Sobol: also sample for second-order indices S2.
    levels : int
        Morris: number of grid levels ``p`` (even numbers give the standard design).

    Returns
    -------
    numpy.ndarray
        ``(rows, k)``; integer parameters are rounded.
    """
    k = problem.num_vars
    if n < 1:
        raise InputError(f"samples = {n}: must be at least 1", param="samples")
    rows = design_size(method, n, k, second_order)
    if rows > MAX_ROWS:
        raise InputError(f"method {method!r} with samples = {n} and {k} parameters gives {rows:,} runs; "
                         f"more than {MAX_ROWS:,} is surely a mistake", param="method")
    prob = problem.as_salib()
    if method == "lhs":
        from SALib.sample import latin

        X = latin.sample(prob, n, seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol

        if n & (n - 1):
            raise InputError(f"samples = {n}: Sobol (Saltelli) sampling needs a power of 2 (e.g. "
                             f"{1 << max(n.bit_length() - 1, 0)} or {1 << n.bit_length()})", param="samples")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's convergence hints; sizes are checked above
            X = sobol.sample(prob, n, calc_second_order=second_order, seed=seed)
    elif method == "morris":
        from SALib.sample import morris

        if levels < 2:
            raise InputError(f"levels = {levels}: Morris needs at least 2 levels", param="levels")
        X = morris.sample(prob, n, num_levels=levels, seed=seed)
    elif method == "grid":
        if n < 2:
            raise InputError(f"samples = {n}: a grid needs at least 2 levels per parameter", param="samples")
        axes = [np.linspace(lo, hi, n) for lo, hi in problem.bounds]
        X = np.array(list(itertools.product(*axes)), dtype=float)
    else:
        raise InputError(f"method {method!r}: use one of {', '.join(METHODS)}", param="method")
    X = np.asarray(X, dtype=float)
    for j, is_int in enumerate(problem.integer):
        if is_int:
            X[:, j] = np.round(X[:, j])
    return X
