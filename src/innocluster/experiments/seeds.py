"""Seeds for replications: one independent stream per (sample, replication).

Every run's seed is a leaf of one :class:`numpy.random.SeedSequence` tree rooted at the
experiment's root seed. ``SeedSequence(root, spawn_key=(s, r))`` is exactly the child
``SeedSequence(root).spawn(S)[s].spawn(R)[r]``, so seeds are derived *by key*, never by
position in a queue: the same run gets the same seed whichever worker, executor or
resumed session computes it, and adding samples or replications later leaves the
existing seeds unchanged.

The engine takes an integer seed, so the child sequence is reduced to one integer: its
first 64-bit state word shifted right by one bit (63 bits, so it fits a signed 64-bit
column in Parquet and DuckDB and the scenario's ``seed`` field, ``[0, 2**63 - 1]``).
The engine then builds its own ``SeedSequence`` from that integer.
"""

from __future__ import annotations

import numpy as np

from innocluster.errors import InputError


def _check_root(root: int) -> int:
    root = int(root)
    if root < 0:
        raise InputError(f"seed = {root}: the root seed must be a non-negative integer", param="seed")
    return root


def seed_of(seq: np.random.SeedSequence) -> int:
    """The engine seed (a 63-bit integer) of a child :class:`~numpy.random.SeedSequence`."""
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_seed(root: int, sample: int, rep: int) -> int:
    """Seed of replication ``rep`` of sample ``sample``.

    Parameters
    ----------
    root : int
        Root seed of the experiment.
    sample, rep : int
        Position in the design and replication number (both from 0).

    Returns
    -------
    int
        A non-negative integer below ``2**63``.

    Examples
    --------
    >>> import numpy as np
    >>> run_seed(7, 2, 1) == seed_of(np.random.SeedSequence(7).spawn(3)[2].spawn(2)[1])
    True
    """
    return seed_of(np.random.SeedSequence(_check_root(root), spawn_key=(int(sample), int(rep))))


def replication_seed(root: int, rep: int) -> int:
    """Seed of replication ``rep`` shared by every sample or arm: common random numbers.

    Comparing policy arms with the same seeds removes the between-run noise that both
    arms share, so paired differences are much more precise than differences of means.
    This is the child ``SeedSequence(root).spawn(R)[rep]``.
    """
    return seed_of(np.random.SeedSequence(_check_root(root), spawn_key=(int(rep),)))


def seed_for(root: int, sample: int, rep: int, common: bool = False) -> int:
    """:func:`replication_seed` when ``common`` (common random numbers), else :func:`run_seed`."""
    return replication_seed(root, rep) if common else run_seed(root, sample, rep)
