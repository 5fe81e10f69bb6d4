"""Compiled inner loops (Numba) of the engine.

The engine keeps firms as NumPy columns and mechanisms as functions over whole
columns. Some operations are loops by nature — over the sparse trust network, or one
pass over the firm table that fills many per-region totals at once — and some are
chains of elementwise NumPy operations that cost more in per-call overhead and
temporaries than in arithmetic at the sizes users run. They live here as
``numba.njit`` functions, grouped by topic:

* :mod:`~innocluster.model.kernels.totals` — per-region and per-stage totals, the
  record's totals, histograms;
* :mod:`~innocluster.model.kernels.network` — the trust network's sorted tie keys;
* :mod:`~innocluster.model.kernels.sampling` — random choices among firms;
* :mod:`~innocluster.model.kernels.table` — compaction of the firm table;
* :mod:`~innocluster.model.kernels.sorting` — radix sorts of float32 columns and tie keys;
* :mod:`~innocluster.model.kernels.mechanisms` — the mechanisms' fused arithmetic.

Rules the kernels follow so that the engine's results do not depend on whether a
step is compiled (``tests/test_engine_reference.py`` checks the outcome against the
engine before it had kernels, ``tests/test_kernels.py`` each kernel against its NumPy
formulation):

* random draws stay NumPy calls on the model's :class:`numpy.random.Generator`, in
  the same order and shapes, except where compiled code reproduces NumPy's sampler
  draw for draw (:mod:`~innocluster.model.kernels.sampling`): Poisson counts below
  rate 10, also on uniforms that NumPy draws in blocks (the unread ones are given back
  to the generator), and normals;
* exponentials, logarithms and powers stay NumPy ufuncs;
* sums over firms run in row order, the order :func:`numpy.bincount` uses;
* compiled code is cached on disk (``cache=True``): the first run on a machine
  compiles (about 20 s), later runs load the kernels in well under a second.
"""

from pathlib import Path

from innocluster.model.kernels.mechanisms import (
    COST_ROWS,
    absorption_exponent,
    bank_loans,
    book_rd_funding,
    candidate_sources,
    choose_sources,
    close_books,
    cost_rows,
    exit_mask,
    fund_all_rd,
    invention_rate,
    normalise_within,
    operating_accounts,
    replicator,
    spillovers,
    spinoff_parents,
    update_absorptive_capacity,
    wanted_rd,
    year_profit,
)
from innocluster.model.kernels.network import (
    keep_ties,
    merge_ties,
    random_neighbour,
    remap_merge_ties,
    tie_csr,
    tie_degree,
    tie_keys,
)
from innocluster.model.kernels.sampling import (
    group_blocks,
    nearest_candidate,
    normal,
    poisson,
    poisson_repeat,
    random_member,
)
from innocluster.model.kernels.sorting import sort_float32, sort_nonnegative
from innocluster.model.kernels.table import compact_rows
from innocluster.model.kernels.totals import (
    TOTALS,
    bin_counts,
    cross_count,
    exited_flows,
    group_count,
    group_sum,
    region_totals,
)


def cache_is_warm() -> bool:
    """Whether compiled kernels are cached on this machine (else the next run compiles them).

    Numba caches next to the package, or in a user-wide directory when that is not
    writable; the dispatcher knows which.
    """
    where = getattr(getattr(group_sum, "_cache", None), "_cache_path", None)
    return bool(where) and any(Path(where).glob("*.nbi"))


__all__ = [
    "COST_ROWS", "TOTALS", "absorption_exponent", "bank_loans", "bin_counts", "book_rd_funding", "cache_is_warm", "candidate_sources", "choose_sources",
    "close_books", "compact_rows", "cost_rows", "cross_count", "exit_mask", "exited_flows", "fund_all_rd",
    "group_blocks", "group_count", "group_sum", "invention_rate", "keep_ties", "merge_ties", "nearest_candidate",
    "normal", "normalise_within", "operating_accounts", "poisson", "poisson_repeat", "random_member", "random_neighbour",
    "region_totals", "remap_merge_ties", "replicator", "sort_float32", "sort_nonnegative", "spillovers", "spinoff_parents",
    "tie_csr", "tie_degree", "tie_keys", "update_absorptive_capacity", "wanted_rd", "year_profit",
]
