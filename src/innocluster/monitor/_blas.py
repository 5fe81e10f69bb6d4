"""Limit BLAS threads for a block of small dense linear algebra.

The monitor's per-year matrices are small (10^2-10^3 industries): BLAS threads cost
more in start-up and spin-waiting than they save, and on a busy machine (other
processes on the same cores) a multi-threaded 500 x 500 ``eigh`` measured 10-80x
slower than a single-threaded one. :func:`blas_threads` limits the BLAS thread pools
for the block with :mod:`threadpoolctl` and restores them afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def blas_threads(n: int | None = 1) -> Iterator[None]:
    """Run the block with ``n`` BLAS threads (``None``: leave unchanged).

    ``INNOCLUSTER_BLAS_THREADS`` overrides ``n`` (e.g. on an idle many-core machine).
    """
    env = os.environ.get("INNOCLUSTER_BLAS_THREADS")
    if env:
        try:
            n = max(1, int(env))
        except ValueError:
            n = 1
    if n is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield
