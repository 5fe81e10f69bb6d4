"""Clear errors for keyword arguments that the one Python API renamed or moved.

The experiments, the calibration and the paper experiments share one call shape
(scenario first, run settings as keywords, executor settings in one
:class:`~innocluster.experiments.Execution`). A call written for the earlier shape
fails with a :class:`TypeError` that says what to write instead, rather than Python's
bare "unexpected keyword argument".
"""

from __future__ import annotations

import functools
from collections.abc import Callable

#: executor settings that moved into ``execution=Execution(...)``
EXECUTION_KEYWORDS = ("executor", "workers", "scheduler", "client", "retries", "progress")


def moved_keywords(renamed: dict[str, str] | None = None, execution: tuple[str, ...] = ()) -> Callable:
    """Decorator: refuse keywords of the earlier API with a message naming the new one.

    Parameters
    ----------
    renamed : dict, optional
        Old keyword -> new keyword (``{"out": "store", "name": "experiment"}``).
    execution : tuple of str
        Keywords that moved into ``execution=Execution(...)``.
    """
    renamed = dict(renamed or {})

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            for old, new in renamed.items():
                if old in kwargs:
                    raise TypeError(f"{fn.__name__}(): the keyword {old}= is now {new}= (one name per idea across "
                                    f"innocluster's Python API; see docs/api.md)")
            moved = [k for k in execution if k in kwargs]
            if moved:
                given = ", ".join(f"{k}={kwargs[k]!r}" for k in moved)
                raise TypeError(f"{fn.__name__}(): executor settings moved into one object: pass "
                                f"execution=Execution({given}) (from innocluster.experiments import Execution; "
                                f"see docs/api.md)")
            return fn(*args, **kwargs)

        return inner

    return wrap
