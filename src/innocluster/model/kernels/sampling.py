"""Random choices among firms, and the one sampler compiled draw for draw.

Kernels draw from the model's Generator only where Numba reproduces NumPy's stream
exactly: ``random()`` (one 53-bit double per 64-bit output, the same bits). Numba's
ports of NumPy's other samplers (Poisson by transformed rejection, Beta, binomial,
normal) agree with NumPy in all but rare draws — enough to change a run's course — so
those stay NumPy calls.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def group_blocks(group, G, rows):
    """Rows grouped by ``group[rows]`` (a stable counting sort): ``(order, starts, counts)``
    such that group ``g``'s rows are ``order[starts[g]:starts[g] + counts[g]]``. With
    one group the order is ``rows`` itself."""
    counts = np.zeros(G, dtype=np.int64)
    starts = np.zeros(G, dtype=np.int64)
    if G == 1:
        counts[0] = rows.size
        return rows, starts, counts
    for j in range(rows.size):
        counts[group[rows[j]]] += 1
    for g in range(1, G):
        starts[g] = starts[g - 1] + counts[g - 1]
    fill = starts.copy()
    order = np.empty(rows.size, dtype=np.int64)
    for j in range(rows.size):
        g = group[rows[j]]
        order[fill[g]] = rows[j]
        fill[g] += 1
    return order, starts, counts


@njit(cache=True)
def random_member(group, G, rows, want, u):
    """A uniformly random row of each wanted group, -1 where the group is empty.

    ``rows`` (the candidate rows) are grouped by ``group[rows]``
    (:func:`group_blocks`); element ``k`` takes position ``floor(u[k] n_g)`` of group
    ``g = want[k]``'s block. ``want`` and ``u`` are flat and of equal length.
    """
    order, starts, counts = group_blocks(group, G, rows)
    out = np.empty(want.size, dtype=np.int64)
    last = order.size - 1
    for k in range(want.size):
        g = want[k]
        c = counts[g]
        # u in [0, 1): floor(u c) is the truncation, below c (the clamp only mirrors NumPy's formulation)
        out[k] = order[min(starts[g] + int(u[k] * c), last)] if c > 0 else -1
    return out


@njit(cache=True)
def nearest_candidate(who, cand, x, y):
    """For each row of ``cand`` (candidates of firm ``who[j]``), the closest candidate
    other than the firm itself (the first one on ties; float32 positions)."""
    k, T = cand.shape
    out = np.empty(k, dtype=np.int64)
    for j in range(k):
        i = who[j]
        best = 0
        best_d = np.float32(np.inf)
        for t in range(T):
            c = cand[j, t]
            if c == i:
                d = np.float32(np.inf)
            else:
                dx = x[c] - x[i]
                dy = y[c] - y[i]
                d = dx * dx + dy * dy
            if d < best_d:
                best_d = d
                best = t
        out[j] = cand[j, best]
    return out


def poisson_repeat(rng, lam_by_group, group):
    """``np.repeat(np.arange(n), rng.poisson(lam_by_group[group]))``, the same stream.

    Each row ``i`` is repeated a Poisson(``lam_by_group[group[i]]``) number of times
    (e.g. the firms forming new ties). For rates below 10 the draws are compiled
    (:func:`_poisson_repeat_small`); otherwise NumPy draws them.
    """
    lam = np.asarray(lam_by_group, dtype=np.float64)
    if lam.size and not (lam.min() >= 0 and lam.max() < 10.0):  # also NaN: NumPy raises
        return np.repeat(np.arange(group.size), rng.poisson(lam[group]))
    # exp(-lam) from the C library (math.exp), as NumPy's sampler computes it
    return _poisson_repeat_small(rng, lam, np.array([math.exp(-x) for x in lam]), group)


@njit(cache=True)
def _poisson_repeat_small(rng, lam, exp_neg_lam, group):
    """NumPy's multiplication method for Poisson rates ``0 <= lam < 10``, draw for draw:
    0 for ``lam = 0``; else count uniforms until their running product falls to
    ``exp(-lam)`` (at least one uniform is drawn).``exp(-lam)`` is computed once per
    group instead of once per row."""
    n = group.size
    counts = np.empty(n, dtype=np.int64)
    total = 0
    for i in range(n):
        g = group[i]
        k = 0
        if lam[g] > 0.0:
            limit = exp_neg_lam[g]
            prod = 1.0
            while True:
                prod *= rng.random()
                if prod > limit:
                    k += 1
                else:
                    break
        counts[i] = k
        total += k
    out = np.empty(total, dtype=np.int64)
    m = 0
    for i in range(n):
        for _ in range(counts[i]):
            out[m] = i
            m += 1
    return out
