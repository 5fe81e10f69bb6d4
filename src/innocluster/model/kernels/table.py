"""Firm-table storage: compaction of a column block in place."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def compact_rows(block, kept):
    """Move the columns ``kept`` (ascending) of a 2-D block to its front, in place and
    row by row; ``kept[t] >= t``, so every value is read before it is overwritten."""
    first = 0
    while first < kept.size and kept[first] == first:
        first += 1  # the leading run of kept rows is already in place
    for r in range(block.shape[0]):
        for t in range(first, kept.size):
            block[r, t] = block[r, kept[t]]
