"""The trust network's sorted tie keys: degree, CSR, merges, removals, remapping,
neighbour lists, decay.

A tie is one int64 key ``u << 32 | v`` with ``u < v`` (row indices of the firm table);
the network keeps its keys sorted in a buffer with spare capacity; removals work in
place on ``buf[:T]``; additions and remapping write into a second buffer that then
takes over.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from innocluster.model.kernels.sorting import sort_nonnegative

_SHIFT = 32
_LOW = 0xFFFFFFFF


@njit(cache=True, error_model="numpy")
def tie_degree(key, n):
    """Number of ties of each of ``n`` firms."""
    deg = np.zeros(n, dtype=np.int64)
    for k in range(key.size):
        if (key[k] & _LOW) >= n:  # the upper end is the larger one
            raise ValueError("a tie end lies outside the firm table")
        deg[key[k] >> _SHIFT] += 1
        deg[key[k] & _LOW] += 1
    return deg


@njit(cache=True, error_model="numpy")
def tie_csr(key, n):
    """Symmetric CSR adjacency ``(indptr, indices)`` of sorted tie keys.

    A counting sort by row. Row ``i`` receives first the lower ends ``u`` of its ties
    ``(u, i)`` — they come in ascending ``u`` because the keys are sorted by
    ``(u, v)``, and all are ``< i`` — then the upper ends ``v`` of its ties ``(i, v)``,
    ascending and all ``> i``: every row's indices come out sorted without a sort
    (the same arrays as SciPy's canonical CSR).
    """
    indptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(key.size):
        if (key[k] & _LOW) >= n:
            raise ValueError("a tie end lies outside the firm table")
        indptr[(key[k] >> _SHIFT) + 1] += 1
        indptr[(key[k] & _LOW) + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * key.size, dtype=np.int64)
    for k in range(key.size):
        i = key[k] & _LOW
        indices[fill[i]] = key[k] >> _SHIFT
        fill[i] += 1
    for k in range(key.size):
        i = key[k] >> _SHIFT
        indices[fill[i]] = key[k] & _LOW
        fill[i] += 1
    return indptr, indices


@njit(cache=True, error_model="numpy")
def tie_keys(a, b):
    """Sorted, duplicate-free keys ``min << 32 | max`` of the valid pairs ``a[k] -- b[k]``
    (self-ties and ends of -1 are dropped).

    Sorted as ``min * 2**w + max`` (``w`` the bits of the largest end), a key of ``2 w``
    bits that a radix sort orders in a few passes, then widened to ``min << 32 | max``;
    both keys order the pairs alike.
    """
    m = 0
    top = 0
    for k in range(a.size):
        if a[k] != b[k] and a[k] >= 0 and b[k] >= 0:
            m += 1
            top = max(top, a[k], b[k])
    w = 1
    while top >> w:
        w += 1
    if w > 31:
        raise ValueError("a tie end beyond 2**31 firms")
    packed = np.empty(m, dtype=np.int64)
    m = 0
    for k in range(a.size):
        x = np.int64(a[k])
        y = np.int64(b[k])
        if x == y or x < 0 or y < 0:
            continue
        if x > y:
            x, y = y, x
        packed[m] = (x << w) | y
        m += 1
    packed = sort_nonnegative(packed, 2 * w)
    out = np.empty(m, dtype=np.int64)
    low = (np.int64(1) << w) - 1
    d = 0
    for k in range(m):
        if k == 0 or packed[k] != packed[k - 1]:
            out[d] = ((packed[k] >> w) << _SHIFT) | (packed[k] & low)
            d += 1
    return out[:d]


@njit(inline="always")
def _gallop(key, i, x):
    """Position of the first of the sorted ``key[i:]`` not below ``x``, found by galloping
    from ``i`` (steps 1, 2, 4, ..., then bisection; Bentley & Yao 1976)."""
    T = key.size
    lo = i
    hi = i
    step = 1
    while hi < T and key[hi] < x:
        lo = hi + 1
        hi = i + step
        step <<= 1
    hi = min(hi, T)
    while lo < hi:  # the first old key >= x lies in key[lo:hi + 1]
        mid = (lo + hi) >> 1
        if key[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, error_model="numpy")
def merge_ties(out, key, new):
    """Write the union of the sorted keys ``key`` and the sorted, duplicate-free
    ``new`` into ``out`` (room for both); returns the union's length.

    New keys are few and spread over the list: each one's place is found by galloping
    from the previous place (steps 1, 2, 4, ..., then bisection; Bentley & Yao 1976),
    and the old keys in between are copied as a run, instead of comparing every old
    key with the next new one.
    """
    T = key.size
    i = 0
    m = 0
    for j in range(new.size):
        x = new[j]
        lo = _gallop(key, i, x)
        for t in range(i, lo):
            out[m] = key[t]
            m += 1
        i = lo
        if i < T and key[i] == x:
            continue  # already tied: the old key is copied with the next run
        out[m] = x
        m += 1
    for t in range(i, T):
        out[m] = key[t]
        m += 1
    return m


@njit(inline="always")
def _skip(u, log_keep):
    """Ties kept before the next one dissolves, ``floor(log(1 - u) / log(1 - p))``, capped
    at 4e18 (for ``p`` below about 1e-17 the quotient would not fit an integer: no tie
    list is that long)."""
    return int(min(math.log(1.0 - u) / log_keep, 4.0e18))


@njit(inline="always")
def _next_drop(rng, k, decaying, log_keep):
    """Position of the next dissolving tie after one at position ``k``: a geometric skip
    (one uniform) while decaying, else the very next one (``p >= 1``)."""
    return k + 1 + _skip(rng.random(), log_keep) if decaying else k + 1


@njit(cache=True, error_model="numpy")
def merge_decay_ties(rng, out, key, new, p):
    """:func:`merge_ties` then :func:`decay_ties` on the union, in one pass: writes the
    union of ``key`` and ``new`` into ``out``, each key of the union dropped with
    probability ``p``; returns the number written.

    The same keys and the same draws as the two calls one after the other (the drops
    are counted along the union, in key order), reading and writing the list once
    instead of twice.
    """
    T = key.size
    if T + new.size == 0:
        return 0
    decaying = 0.0 < p < 1.0
    log_keep = math.log1p(-p) if decaying else -1.0
    # position (along the union) of the next dissolving tie: never with p <= 0, the first
    # with p >= 1 (then every one)
    drop = _skip(rng.random(), log_keep) if decaying else (0 if p >= 1.0 else -1)
    i = 0
    m = 0  # keys written
    k = 0  # position along the union
    for j in range(new.size + 1):
        if j < new.size:
            x = new[j]
            lo = _gallop(key, i, x)
        else:
            lo = T
        for t in range(i, lo):  # the run of old keys before x
            if k == drop:
                drop = _next_drop(rng, k, decaying, log_keep)
            else:
                out[m] = key[t]
                m += 1
            k += 1
        i = lo
        if j == new.size or (i < T and key[i] == x):
            continue  # already tied: the old key comes with the next run
        if k == drop:
            drop = _next_drop(rng, k, decaying, log_keep)
        else:
            out[m] = x
            m += 1
        k += 1
    return m


@njit(cache=True, error_model="numpy")
def keep_ties(buf, T, keep):
    """Keep the keys of ``buf[:T]`` where ``keep`` is True, in place; returns the new length."""
    m = 0
    for k in range(T):
        if keep[k]:
            buf[m] = buf[k]
            m += 1
    return m


@njit(cache=True, error_model="numpy")
def split_remapped_ties(buf, T, old_to_new):
    """Follow a renumbering of the firm table (``old_to_new``: new row of each old row,
    -1 for removed rows, any injective map of the survivors) in one pass over the keys
    ``buf[:T]``.

    Ties of removed firms vanish; ties whose two ends keep their rows stay in place and
    in order; the others are returned as new end pairs ``(a, b)`` to be sorted and
    merged back (:func:`tie_keys`, :func:`merge_ties`). After a swap-remove
    (:func:`~innocluster.model.kernels.table.fill_holes`) only the ties of the moved
    rows need sorting.

    Returns
    -------
    kept : int
        Number of keys kept in place at ``buf[:kept]``.
    a, b : int64 arrays
        Renumbered ends of the ties that moved.
    """
    a = np.empty(T, dtype=np.int64)
    b = np.empty(T, dtype=np.int64)
    m = 0
    d = 0
    for k in range(T):
        u = buf[k] >> _SHIFT
        v = buf[k] & _LOW
        x = old_to_new[u]
        y = old_to_new[v]
        if x < 0 or y < 0:
            continue
        if x == u and y == v:
            buf[m] = buf[k]
            m += 1
        else:
            a[d] = x
            b[d] = y
            d += 1
    return m, a[:d], b[:d]


@njit(cache=True, error_model="numpy")
def renumber_ends(ends, old_to_new):
    """Tie ends after a renumbering of the rows: ``old_to_new[e]``, and -1 for ends that
    were -1 already (:meth:`TrustNetwork.remap` of pending ties)."""
    out = np.empty(ends.size, dtype=np.int64)
    for k in range(ends.size):
        e = ends[k]
        if e >= old_to_new.size:
            raise ValueError("a tie end lies outside the firm table")
        out[k] = old_to_new[e] if e >= 0 else -1
    return out


@njit(cache=True, error_model="numpy")
def _slots(n, who):
    """Slot of each asked-for firm (first occurrences in order), -1 for the others."""
    slot = np.full(n, -1, dtype=np.int64)
    m = 0
    for j in range(who.size):
        if slot[who[j]] < 0:
            slot[who[j]] = m
            m += 1
    return slot, m


@njit(cache=True, error_model="numpy")
def _fill_lists(key, n, slot, start, m):
    """Second pass of :func:`neighbour_lists`: the neighbours into their slots' ranges
    ``start[s]:start[s + 1]`` (checked: a range that is too short or not filled raises)."""
    fill = start[:-1].copy()
    lists = np.empty(start[m], dtype=np.int64)
    for k in range(key.size):
        lo = key[k] >> _SHIFT
        hi = key[k] & _LOW
        if hi >= n:  # the upper end is the larger one
            raise ValueError("a tie end lies outside the firm table")
        b = slot[hi]
        if b >= 0:
            if fill[b] >= start[b + 1]:
                raise ValueError("neighbour_lists: more ties than the degree says")
            lists[fill[b]] = lo
            fill[b] += 1
        a = slot[lo]
        if a >= 0:
            if fill[a] >= start[a + 1]:
                raise ValueError("neighbour_lists: more ties than the degree says")
            lists[fill[a]] = hi
            fill[a] += 1
    for s in range(m):
        if fill[s] != start[s + 1]:
            raise ValueError("neighbour_lists: fewer ties than the degree says")
    return lists


@njit(cache=True, error_model="numpy")
def neighbour_lists(key, n, who):
    """Neighbour lists of the firms ``who`` only, in two passes over the sorted tie keys
    (the degrees, then the lists) instead of the whole adjacency.

    Returns ``(slot, start, lists)``: firm ``who[j]``'s neighbours are
    ``lists[start[s]:start[s + 1]]`` with ``s = slot[who[j]]``, in CSR order (lower ends
    ascending, then upper ends ascending: a key-order visit meets a firm's ties
    ``(u, i)`` before its ties ``(i, v)``); ``slot`` is -1 for firms not asked for.
    """
    return neighbour_lists_of_degree(key, n, who, tie_degree(key, n))


@njit(cache=True, error_model="numpy")
def neighbour_lists_of_degree(key, n, who, degree):
    """:func:`neighbour_lists` when each firm's number of ties ``degree`` is known (from
    :func:`tie_degree` on the same keys): one pass over the keys instead of two. A
    degree that does not match the keys raises."""
    slot, m = _slots(n, who)
    start = np.zeros(m + 1, dtype=np.int64)
    for j in range(who.size):
        s = slot[who[j]]
        start[s + 1] = degree[who[j]]
    for s in range(m):
        start[s + 1] += start[s]
    return slot, start, _fill_lists(key, n, slot, start, m)


@njit(cache=True, error_model="numpy")
def decay_ties(rng, buf, T, p):
    """Drop each of the keys ``buf[:T]`` with probability ``p``, in place and in order;
    returns the number kept.

    The dissolving ties are found by geometric skips (Devroye 1986, ch. X.2): the number
    of ties kept before the next one dissolves is ``floor(log(1 - U) / log(1 - p))``, one
    uniform from ``rng`` per dissolving tie instead of one per tie.
    """
    if T == 0 or p <= 0.0:
        return T
    if p >= 1.0:
        return 0
    log_keep = math.log1p(-p)
    drop = _skip(rng.random(), log_keep)
    m = 0
    for k in range(T):
        if k == drop:
            drop = k + 1 + _skip(rng.random(), log_keep)
            continue
        buf[m] = buf[k]
        m += 1
    return m
