"""Keyword arguments that the one Python API renamed or moved, still understood.

The experiments, the calibration and the paper experiments share one call shape
(scenario first, run settings as keywords, executor settings in one
:class:`~innocluster.experiments.Execution`). A call written for the earlier shape
(``out=``, ``name=``, ``conf=``, ``executor=``/``workers=``/``progress=`` one by one)
still runs, with a :class:`DeprecationWarning` that says what to write instead, so
code and notebooks written for it keep working while they are moved over.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

#: executor settings that moved into ``execution=Execution(...)``
EXECUTION_KEYWORDS = ("executor", "workers", "scheduler", "client", "retries", "progress")


def moved_keywords(renamed: dict[str, str] | None = None, execution: tuple[str, ...] = ()) -> Callable:
    """Decorator: translate keywords of the earlier API, warning once per call.

    Parameters
    ----------
    renamed : dict, optional
        Old keyword -> new keyword (``{"out": "store", "name": "experiment"}``).
    execution : tuple of str
        Keywords that moved into ``execution=Execution(...)``.

    Raises
    ------
    TypeError
        Both the old and the new spelling are given.
    """
    renamed = dict(renamed or {})

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__name__}(): give {new}= only ({old}= is its earlier name)")
                    warnings.warn(f"{fn.__name__}(): {old}= is now {new}= (one name per idea across innocluster's "
                                  f"Python API; see docs/api.md)", DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            moved = {k: kwargs.pop(k) for k in execution if k in kwargs}
            if moved:
                given = ", ".join(f"{k}={v!r}" for k, v in moved.items())
                if kwargs.get("execution") is not None:
                    raise TypeError(f"{fn.__name__}(): {given} belong in execution=Execution(...), "
                                    f"which is given too")
                from innocluster.experiments.execution import Execution

                warnings.warn(f"{fn.__name__}(): pass executor settings as execution=Execution({given}) "
                              f"(from innocluster.experiments import Execution; see docs/api.md)",
                              DeprecationWarning, stacklevel=2)
                if moved.get("executor") is None:
                    moved.pop("executor", None)
                if moved.get("executor", "local") != "local":
                    moved.pop("workers", None)  # the earlier API ignored workers without a local pool
                if moved.get("client") is not None and "executor" not in moved:
                    moved["executor"] = "dask"  # the earlier API used a client whatever the executor said
                kwargs["execution"] = Execution(**moved)
            return fn(*args, **kwargs)

        return inner

    return wrap
