"""Firm-table storage: removing rows by moving the last survivors into the holes."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def fill_holes(alive):
    """Plan the removal of the rows where ``alive`` is False by moving the last
    surviving rows into the holes they leave (swap-remove).

    With ``m`` survivors, the holes are the removed rows below ``m`` and the movers the
    surviving rows from ``m`` on, paired in ascending order: ``dst[t]`` receives
    ``src[t]``. Only as many rows move as firms leave below ``m``, instead of every row
    after the first removal (a stable compaction).

    Returns
    -------
    old_to_new : int64 array
        New row of each old row, -1 for removed rows.
    src, dst : int64 arrays
        Rows to move and where to.
    m : int
        Number of survivors.
    """
    n = alive.size
    m = 0
    for i in range(n):
        if alive[i]:
            m += 1
    old_to_new = np.empty(n, dtype=np.int64)
    dst = np.empty(n - m, dtype=np.int64)  # holes below m: at most the n - m removed rows
    h = 0
    for i in range(m):
        if alive[i]:
            old_to_new[i] = i
        else:
            old_to_new[i] = -1
            dst[h] = i
            h += 1
    src = np.empty(h, dtype=np.int64)  # as many survivors from m on as holes below m
    t = 0
    for j in range(m, n):
        if alive[j]:
            src[t] = j
            old_to_new[j] = dst[t]
            t += 1
        else:
            old_to_new[j] = -1
    dst = dst[:h]
    return old_to_new, src, dst, m


@njit(cache=True, error_model="numpy")
def move_rows(block, src, dst):
    """``block[:, dst] = block[:, src]`` in place, row by row (``src`` and ``dst`` disjoint)."""
    for r in range(block.shape[0]):
        for t in range(src.size):
            block[r, dst[t]] = block[r, src[t]]
