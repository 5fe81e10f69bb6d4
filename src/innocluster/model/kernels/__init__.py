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
* :mod:`~innocluster.model.kernels.sampling` — random choices among firms, compiled samplers;
* :mod:`~innocluster.model.kernels.table` — removing rows from the firm table (swap-remove);
* :mod:`~innocluster.model.kernels.sorting` — radix sorts of float32 columns and tie keys;
* :mod:`~innocluster.model.kernels.mechanisms` — the mechanisms' fused arithmetic.

Rules the kernels follow so that a run is reproducible from its seed and its numbers
do not depend on how a step is computed (``tests/test_engine_reference.py`` checks
whole runs against reference runs, ``tests/test_kernels.py`` each kernel against its
NumPy formulation or its documented rule):

* every random draw comes from the model's one :class:`numpy.random.Generator`, in a
  fixed order: NumPy calls, or compiled code calling the same generator
  (:mod:`~innocluster.model.kernels.sampling`). A compiled sampler that stands in for
  a NumPy call draws exactly what NumPy draws and leaves the generator where NumPy
  leaves it (uniforms, normals, Beta draws; with the engine's SFC64 bit generator the compiled
  code advances the generator's own four state words, NumPy's SFC64 inlined instead
  of one function-pointer call per draw: 7% of a 20-year ``core`` run).
  Tie decay, tie formation and the candidates of absorption draw event by event —
  one uniform per dissolving tie, a few per new tie, one per candidate slot — instead
  of one vectorised draw per tie, firm or slot whether needed or not. Where a rule
  screens firms by their state (spin-offs: size and type; absorption: imitation
  researchers), the draws stay one per firm, so that two runs with the same seed and
  different parameters keep drawing in step (common random numbers, which paired
  comparisons and calibration rely on); Poisson inventions invert one uniform per
  firm for the same reason. Each change of the stream (2026-11-27 twice: see
  ``docs/performance.md``) was followed by recalibrating the calibrated scenarios and
  regenerating the engine reference;
* exponentials, logarithms and powers over whole columns stay NumPy ufuncs (NumPy's
  vectorised ``exp``/``log`` and the C library's can differ in the last bit); inside
  compiled loops over events (geometric skips, the distance weights of absorption
  candidates) they are the C library's;
* rows of the firm table are in no particular order (exits move the last rows into
  the holes); what a run reports per firm is sorted by firm id;
* sums over firms run in row order, the order :func:`numpy.bincount` uses;
* arithmetic follows NumPy's rules (``error_model="numpy"``): a division by zero gives
  ``inf`` or NaN as the NumPy expression a kernel replaces would, instead of Python's
  ``ZeroDivisionError``. Numba's default checks every division for a zero divisor;
  without those checks a 20-year ``core`` run took about 1% less time (alternating
  pairs). The scenario schema keeps the parameters that divide away from zero;
* compiled code is cached on disk (``cache=True``): the first run on a machine
  compiles (about 20 s), later runs load the kernels in well under a second. In a
  development checkout, after editing kernel modules, the cache once made kernels fail
  under parallel tests (``NRT_adapt_ndarray_to_python: 'descr' is NULL``) until
  ``src/innocluster/model/kernels/__pycache__`` was deleted (Numba checks only each
  function's own file when it reuses a cached compilation). Installed packages and
  fresh clones start with an empty cache.
"""

from pathlib import Path

from innocluster.model.kernels.mechanisms import (
    COST_ROWS,
    OPERATING_FLOWS,
    absorbing_firms,
    absorption_exponent,
    absorption_sources,
    add_counts,
    adopt_inventions,
    bank_loans,
    book_rd_funding,
    catch_up,
    close_books,
    cost_rows,
    entrant_shares,
    entrant_traits,
    exit_mask,
    fund_all_rd,
    invention_rate,
    normalise_within,
    operating_accounts,
    recreate,
    replicator,
    spillovers,
    spinoff_children,
    spinoff_parents,
    stage_revenues,
    startup_sites,
    update_absorptive_capacity,
    wanted_rd,
    year_profit,
)
from innocluster.model.kernels.network import (
    decay_ties,
    keep_ties,
    merge_decay_ties,
    merge_ties,
    neighbour_lists,
    split_remapped_ties,
    tie_csr,
    tie_degree,
    tie_keys,
)
from innocluster.model.kernels.sampling import (
    beta,
    form_ties,
    group_blocks,
    normal,
    poisson,
    poisson_by_region,
    poisson_events,
    random_member,
    sfc64_uniforms,
    stage_from_cumulative,
    uniform,
)
from innocluster.model.kernels.sorting import sort_float32, sort_nonnegative
from innocluster.model.kernels.table import fill_holes, move_rows
from innocluster.model.kernels.totals import (
    TOTALS,
    bin_counts,
    cross_count,
    exited_flows,
    group_count,
    group_entropy,
    group_gini,
    group_sum,
    region_totals,
    weighted_total,
)


def cache_is_warm() -> bool:
    """Whether compiled kernels are cached on this machine (else the next run compiles them).

    Numba caches next to the package, or in a user-wide directory when that is not
    writable; the dispatcher knows which.
    """
    where = getattr(getattr(group_sum, "_cache", None), "_cache_path", None)
    return bool(where) and any(Path(where).glob("*.nbi"))


__all__ = [
    "COST_ROWS",
    "OPERATING_FLOWS",
    "TOTALS",
    "absorbing_firms",
    "absorption_exponent",
    "absorption_sources",
    "add_counts",
    "adopt_inventions",
    "bank_loans",
    "beta",
    "bin_counts",
    "book_rd_funding",
    "cache_is_warm",
    "catch_up",
    "close_books",
    "cost_rows",
    "cross_count",
    "decay_ties",
    "entrant_shares",
    "entrant_traits",
    "exit_mask",
    "exited_flows",
    "fill_holes",
    "form_ties",
    "fund_all_rd",
    "group_blocks",
    "group_count",
    "group_entropy",
    "group_gini",
    "group_sum",
    "invention_rate",
    "keep_ties",
    "merge_decay_ties",
    "merge_ties",
    "move_rows",
    "neighbour_lists",
    "normal",
    "normalise_within",
    "operating_accounts",
    "poisson",
    "poisson_by_region",
    "poisson_events",
    "random_member",
    "recreate",
    "region_totals",
    "replicator",
    "sfc64_uniforms",
    "sort_float32",
    "sort_nonnegative",
    "spillovers",
    "spinoff_children",
    "spinoff_parents",
    "split_remapped_ties",
    "stage_from_cumulative",
    "stage_revenues",
    "startup_sites",
    "tie_csr",
    "tie_degree",
    "tie_keys",
    "uniform",
    "update_absorptive_capacity",
    "wanted_rd",
    "weighted_total",
    "year_profit",
]
