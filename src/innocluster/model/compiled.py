"""Compiled twins: the one place where the model trades plain NumPy for speed.

Every rule of the model is written as plain NumPy in its mechanism's module. Where a
profile shows that compiling a rule saves more than 3% of a run at a million firms in
a shipped scenario (``benchmarks/twins.py`` measures it; ``docs/performance.md`` lists
each twin with its figure), the same module holds a
compiled twin next to it: a Numba function with the same arguments that returns the
same results, up to floating-point rounding, in one pass over the data instead of a
chain of NumPy temporaries. ``tests/test_compiled_twins.py`` runs each twin against
its NumPy version on the same inputs.

A mechanism calls ``fast(rule)(...)``: the twin when compiled code is on, the NumPy
rule otherwise. Set the environment variable ``INNOCLUSTER_NUMPY_ONLY=1`` to run the
whole model on the NumPy rules (slower, for reading along in a debugger).

Twins never draw random numbers: every draw comes from a mechanism's
:class:`numpy.random.Generator` (:mod:`.streams`) and reaches the twin as an array, so
a twin and its rule see the same draws. Compiled code is cached on disk: the first run
on a machine compiles it (some seconds), later runs load it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from numba import njit

#: compiled code on (the default), or the NumPy rules only (INNOCLUSTER_NUMPY_ONLY=1)
ENABLED = os.environ.get("INNOCLUSTER_NUMPY_ONLY", "").strip() in ("", "0")

#: NumPy rule -> its compiled twin
TWINS: dict[Callable, Callable] = {}


def twin(rule: Callable, *, reassociate: bool = False) -> Callable:
    """Decorator: compile the decorated function with Numba as the twin of ``rule``.

    The twin takes ``rule``'s arguments and returns its results (up to rounding);
    arithmetic follows NumPy's error model (a division by zero gives ``inf`` or NaN,
    as the NumPy expression would). ``reassociate`` lets the compiler reorder the
    additions of a sum (Numba's ``fastmath={"reassoc"}``), so that a long sum runs in
    several vector lanes; the total then differs from NumPy's in the last bits.
    """
    def register(function: Callable) -> Callable:
        compiled = njit(cache=True, error_model="numpy", fastmath={"reassoc"} if reassociate else False)(function)
        TWINS[rule] = compiled
        return compiled
    return register


def fast(rule: Callable) -> Callable:
    """``rule``'s compiled twin when there is one and compiled code is on, else ``rule``."""
    return TWINS.get(rule, rule) if ENABLED else rule
