"""Random choices among firms, and Poisson counts compiled draw for draw.

Compiled loops use the model's Generator only where they reproduce NumPy's stream
exactly: uniforms ``random()`` (one 53-bit double per 64-bit output) read from a
:class:`UniformTape` of NumPy's vectorised draws whose unread tail is given back to
the generator. On such uniforms NumPy's Poisson samplers (the multiplication method
below rate 10, transformed rejection from 10 on, with the C library's ``exp`` and
``log``) are reproduced draw for draw. Numba's own ports of NumPy's samplers (Poisson,
Beta, binomial, normal) agree with NumPy in all but rare draws — enough to change a
run's course — so they are not used, and the other samplers stay NumPy calls.
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


def poisson_repeat(rng, lam_by_group, group, block=None):
    """``np.repeat(np.arange(n), rng.poisson(lam_by_group[group]))``, the same stream.

    Each row ``i`` is repeated a Poisson(``lam_by_group[group[i]]``) number of times
    (e.g. the firms forming new ties). For rates below 10 the draws are compiled
    (NumPy's multiplication method, :func:`_poisson_counts`) on uniforms taken from
    the generator in vectorised blocks (:class:`UniformTape`); otherwise NumPy draws
    them. ``block``: uniforms per tape block (default: the expected need plus a margin).
    """
    lam = np.asarray(lam_by_group, dtype=np.float64)
    if lam.size and not (lam.min() >= 0 and lam.max() < 10.0):  # also NaN: NumPy raises
        return np.repeat(np.arange(group.size), rng.poisson(lam[group]))
    # exp(-lam) from the C library (math.exp), as NumPy's sampler computes it
    exp_neg_lam = np.array([math.exp(-x) for x in lam])
    n = group.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not UniformTape.rewinds_for(rng):
        return np.repeat(np.arange(n), rng.poisson(lam[group]))
    # the multiplication method uses 1 + k uniforms for a count of k: n (1 + lam) on average
    if block is None:
        block = int(n * (1.0 + float(lam.max()))) + 64
    return _repeat_rows(_on_tape(rng, n, block, _poisson_counts, (lam, exp_neg_lam, group)))


def poisson(rng, lam, block=None):
    """``rng.poisson(lam)`` for an array of rates, the same draws and the same stream.

    The draws are compiled (:func:`_poisson_rows`: NumPy's multiplication method below
    rate 10, its transformed rejection from 10 on, with the C library's ``exp`` and
    ``log`` as NumPy's sampler uses them — Numba's ``math`` functions call it; NumPy's
    vectorised ``np.exp`` may differ in the last bit, so it is not used here) on
    uniforms taken in vectorised blocks (:class:`UniformTape`). NaN, negative or huge
    rates are left to NumPy, which raises.
    """
    lam = np.asarray(lam, dtype=np.float64)
    n = lam.size
    if n == 0 or lam.ndim != 1 or not (lam.min() >= 0 and lam.max() < _POISSON_LAM_MAX) \
            or not UniformTape.rewinds_for(rng):
        return rng.poisson(lam)
    if block is None:
        # 1 + lam uniforms for a small rate, about 2.3 (1.15 trials) for a large one
        block = int(n + np.minimum(lam, 1.5).sum()) + 64
    return _on_tape(rng, n, block, _poisson_rows, (lam,))


#: rates up to here are drawn compiled (NumPy's own limit is near 9.2e18)
_POISSON_LAM_MAX = 1e15


def _on_tape(rng, n, block, kernel, args):
    """Run ``kernel(u, pos, *args, counts, row)`` over tape blocks of ``block`` uniforms
    until all ``n`` rows are counted; the unread uniforms go back to ``rng``."""
    counts = np.zeros(n, dtype=np.int64)
    tape = UniformTape(rng)
    row = 0
    while row < n:
        u = tape.extend(block)
        row, tape.pos = kernel(u, tape.pos, *args, counts, row)
    tape.close()
    return counts


class UniformTape:
    """Uniform draws ``rng.random()`` read by a compiled loop that does not know in
    advance how many it needs, at the cost of NumPy's vectorised fill.

    :meth:`extend` appends a block of ``rng.random(k)`` to the tape; the loop reads
    from :attr:`pos` on; :meth:`close` gives the unread tail back to the generator
    (PCG64 steps back with ``advance(-k)``; ``random()`` takes one 64-bit output per
    double), so the generator is left exactly where drawing one uniform at a time
    would leave it, and the next draws are the same.

    Only generators that can step back qualify (:meth:`rewinds_for`); with others the
    samplers leave the draws to NumPy.
    """

    def __init__(self, rng: np.random.Generator):
        if not self.rewinds_for(rng):
            raise TypeError(f"UniformTape: {type(rng.bit_generator).__name__} cannot give draws back")
        self.rng = rng
        self.u = np.zeros(0)
        self.pos = 0
        # advance() also clears the 32-bit half-output buffer that integers() may keep:
        # remember it to put it back
        self._saved = rng.bit_generator.state

    @staticmethod
    def rewinds_for(rng: np.random.Generator) -> bool:
        """Whether draws can be given back to ``rng``'s bit generator (PCG64, PCG64DXSM)."""
        return isinstance(rng.bit_generator, (np.random.PCG64, np.random.PCG64DXSM))

    def extend(self, k: int) -> np.ndarray:
        """The unread part of the tape followed by ``k`` new draws; reading starts at 0."""
        self.u = np.concatenate((self.u[self.pos:], self.rng.random(k)))
        self.pos = 0
        return self.u

    def close(self) -> None:
        """Give the unread draws back to the generator."""
        unread = self.u.size - self.pos
        if unread:
            bg = self.rng.bit_generator
            bg.advance(-unread)
            state = bg.state
            state["has_uint32"], state["uinteger"] = self._saved["has_uint32"], self._saved["uinteger"]
            bg.state = state
        self.u = np.zeros(0)
        self.pos = 0


@njit(cache=True)
def _poisson_mult(u, pos, limit):
    """One Poisson draw by NumPy's multiplication method (rates ``0 < lam < 10``, with
    ``limit = exp(-lam)``): count the uniforms read from ``u`` at ``pos`` until their
    running product falls to ``limit`` (at least one is read). Returns ``(k, pos)``, or
    ``(-1, pos)`` when the tape ran out."""
    k = 0
    prod = 1.0
    while True:
        if pos == u.size:
            return -1, pos
        prod *= u[pos]
        pos += 1
        if prod > limit:
            k += 1
        else:
            return k, pos


@njit(cache=True)
def _poisson_counts(u, pos, lam, exp_neg_lam, group, counts, row):
    """Poisson counts with a rate per group (``lam[group[i]] < 10``, ``exp(-lam)`` computed
    once per group) on the tape ``u`` from position ``pos``, for the rows from ``row``
    on: 0 for ``lam = 0``, else :func:`_poisson_mult`.

    Returns ``(next_row, pos)``: ``next_row < n`` when the tape ran out inside that row,
    with ``pos`` where the row's draws began (the row is redone on a longer tape).
    """
    n = group.size
    for i in range(row, n):
        g = group[i]
        k = 0
        start = pos
        if lam[g] > 0.0:
            k, pos = _poisson_mult(u, pos, exp_neg_lam[g])
            if k < 0:
                return i, start
        counts[i] = k
    return n, pos


#: coefficients of the Stirling-series log-gamma (Zhang & Jin 1996), as NumPy's sampler uses them
_LOGGAM_COEF = np.array([8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                         -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                         6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                         -1.39243221690590e+00])


@njit(cache=True)
def _loggam(x):
    """log Gamma(x) by the Stirling series after shifting x above 7 (Zhang & Jin 1996,
    *Computation of Special Functions*), in the operation order of NumPy's
    ``random_loggam``, so that the Poisson acceptance test below decides alike."""
    if x == 1.0 or x == 2.0:
        return 0.0
    x0 = x
    n = 0
    if x <= 7.0:
        n = np.int64(7 - x)
        x0 = x + n
    x2 = 1.0 / (x0 * x0)
    gl0 = _LOGGAM_COEF[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _LOGGAM_COEF[k]
    gl = gl0 / x0 + 0.5 * math.log(2.0 * math.pi) + (x0 - 0.5) * math.log(x0) - x0
    if x <= 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@njit(cache=True)
def _poisson_ptrs(u, pos, lam):
    """One Poisson(lam) draw for ``lam >= 10`` by Hoermann's transformed rejection with
    squeeze (PTRS; Insurance: Mathematics and Economics 12, 1993), two uniforms per
    trial read from ``u`` at ``pos``, as NumPy's sampler does. Returns ``(k, pos)``,
    or ``(-1, pos)`` when the tape ran out."""
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        if pos + 2 > u.size:
            return -1, pos
        U = u[pos] - 0.5
        V = u[pos + 1]
        pos += 2
        us = 0.5 - abs(U)
        k = np.int64(math.floor((2 * a / us + b) * U + lam + 0.43))
        if us >= 0.07 and V <= vr:
            return k, pos
        if k < 0 or (us < 0.013 and V > us):
            continue
        if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - _loggam(k + 1.0)):
            return k, pos


@njit(cache=True)
def _poisson_rows(u, pos, lam, counts, row):
    """:func:`_poisson_counts` with a rate per row, for every rate: :func:`_poisson_mult`
    with ``exp(-lam)`` per row below 10, :func:`_poisson_ptrs` from 10 on (NumPy's
    choice of sampler; the C library's ``exp`` and ``log``, as NumPy's)."""
    n = lam.size
    for i in range(row, n):
        k = 0
        start = pos
        if lam[i] >= 10.0:
            k, pos = _poisson_ptrs(u, pos, lam[i])
        elif lam[i] > 0.0:
            k, pos = _poisson_mult(u, pos, math.exp(-lam[i]))
        if k < 0:
            return i, start
        counts[i] = k
    return n, pos


@njit(cache=True)
def _repeat_rows(counts):
    """``np.repeat(np.arange(counts.size), counts)``."""
    out = np.empty(counts.sum(), dtype=np.int64)
    m = 0
    for i in range(counts.size):
        for _ in range(counts[i]):
            out[m] = i
            m += 1
    return out
