"""Random choices among firms, and samplers compiled draw for draw.

Compiled loops use the model's Generator only where they reproduce NumPy's stream
exactly:

* uniforms ``random()`` (one 53-bit double per 64-bit output), read from a tape of
  NumPy's vectorised draws whose unread tail is given back to the generator
  (:class:`_UniformTape`). On it, NumPy's Poisson sampler for rates below 10 (the
  multiplication method, with the C library's ``exp``) is reproduced draw for draw;
* normals: Numba's ``standard_normal`` is NumPy's ziggurat on the same bit generator
  (identical draws and generator state; ``tests/test_kernels.py`` checks millions of
  draws, tails included) and about three times faster than NumPy's vectorised call,
  which pays off for the per-firm draws of a large table (:func:`normal`);
* Poisson counts below rate 10, one rate per firm: Numba's sampler is NumPy's
  algorithm, without NumPy's per-element broadcasting cost (:func:`poisson`).

Numba's ports of the other samplers NumPy uses here differ in some draws (Poisson at
rates of 10 and more: another log-gamma) or save nothing measurable (binomial counts
of a year's inventors) or are slower (Beta, bounded integers), so they stay NumPy
calls.
"""

from __future__ import annotations

import math
from typing import Self

import numpy as np
from numba import njit


#: below this many draws NumPy's call is cheaper than passing the generator to compiled code
_COMPILED_DRAWS_FROM = 1000


@njit(cache=True)
def _fill_normal(rng, loc, scale, out):
    for i in range(out.size):
        out[i] = loc + scale * rng.standard_normal()


def normal(rng: np.random.Generator, loc: float, scale: float, size: int) -> np.ndarray:
    """``rng.normal(loc, scale, size)`` for scalar ``loc`` and ``scale``: the same draws and
    the same generator state after, faster for large ``size``.

    NumPy computes ``loc + scale * z`` from its ziggurat normal ``z``; the compiled loop
    does the same on Numba's port of that ziggurat, which reads the same bit generator
    identically. Small sizes go to NumPy (handing the generator to compiled code costs
    a few microseconds).
    """
    size = int(size)
    if size < _COMPILED_DRAWS_FROM or not (scale >= 0) or not np.isfinite(loc):
        return rng.normal(loc, scale, size)  # NumPy also raises on a negative or NaN scale
    out = np.empty(size)
    _fill_normal(rng, float(loc), float(scale), out)
    return out


@njit(cache=True)
def _fill_poisson(rng, lam, out):
    for i in range(lam.size):
        out[i] = rng.poisson(lam[i])


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)`` for an array of rates: the same draws and generator state.

    Below rate 10 Numba's sampler is NumPy's (the multiplication method, with the C
    library's ``exp``; a rate of 0 draws nothing), and the compiled loop skips NumPy's
    per-element broadcasting machinery. Any rate of 10 or more (NumPy's PTRS sampler,
    whose log-gamma Numba does not reproduce in every draw), a NaN or negative rate
    (NumPy raises) or a short array goes to NumPy.
    """
    lam = np.asarray(lam, dtype=np.float64)
    if lam.ndim != 1 or lam.size < _COMPILED_DRAWS_FROM or not (lam.min() >= 0.0 and lam.max() < 10.0):
        return rng.poisson(lam)
    out = np.empty(lam.size, dtype=np.int64)
    _fill_poisson(rng, lam, out)
    return out


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
    (NumPy's multiplication method, :func:`_poisson_counts`, with ``exp(-lam)`` once per
    group instead of once per row) on uniforms taken from a PCG64 generator in
    vectorised blocks (:class:`_UniformTape`); otherwise NumPy draws them.

    Parameters
    ----------
    rng : numpy.random.Generator
    lam_by_group : array of float
        Poisson rate of each group.
    group : array of int
        Group of each row, in ``[0, len(lam_by_group))``.
    block : int, optional
        Uniforms in the tape's first block (default: the expected need plus six
        standard deviations, so that a second, smaller block is rarely needed).
    """
    lam = np.asarray(lam_by_group, dtype=np.float64)
    n = group.size
    if block is not None and block < 1:
        raise ValueError(f"poisson_repeat: block = {block}, must be at least 1")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not (lam.size and lam.min() >= 0 and lam.max() < 10.0) or not _UniformTape.rewinds_for(rng):
        # rates of 10 and more (NumPy's other sampler), NaN or negative (NumPy raises), or
        # a generator that cannot take draws back
        return np.repeat(np.arange(n), rng.poisson(lam[group]))
    # exp(-lam) from the C library (math.exp), as NumPy's sampler computes it
    exp_neg_lam = np.array([math.exp(-x) for x in lam])
    if block is None:
        # 1 + k uniforms for a count of k: at most n (1 + lam_max) expected, variance n lam_max
        top = float(lam.max())
        block = int(n * (1.0 + top) + 6.0 * math.sqrt(n * top)) + 64
    counts = np.zeros(n, dtype=np.int64)
    row = 0
    with _UniformTape(rng) as tape:
        size = block
        while row < n:
            u = tape.extend(size)
            row, tape.pos = _poisson_counts(u, tape.pos, lam, exp_neg_lam, group, counts, row)
            size = max(64, block // 8)  # the rare overrun: a short extension
    return np.repeat(np.arange(n), counts)


class _UniformTape:
    """Uniform draws ``rng.random()`` read by a compiled loop that does not know in
    advance how many it needs, at the cost of NumPy's vectorised fill.

    Used as a context manager around the loop, with nothing else drawing from the
    generator meanwhile: :meth:`extend` appends a block of ``rng.random(k)`` to the
    tape, the loop reads from :attr:`pos` on, and leaving the block gives the unread
    tail back to the generator (PCG64 steps back with ``advance(-k)``; ``random()``
    takes one 64-bit output per double), so the generator is left exactly where drawing
    one uniform at a time would leave it; leaving it on an error gives every draw back
    (NumPy checks its arguments before drawing). ``advance`` also clears the half-used
    32-bit output that ``integers()`` may keep: it is put back.

    Only generators that can step back qualify (:meth:`rewinds_for`).
    """

    def __init__(self, rng: np.random.Generator):
        if not self.rewinds_for(rng):
            raise TypeError(f"_UniformTape: {type(rng.bit_generator).__name__} cannot take draws back")
        self.rng = rng
        self.u = np.zeros(0)
        self.pos = 0
        self.drawn = 0
        self._saved = None

    @staticmethod
    def rewinds_for(rng: np.random.Generator) -> bool:
        """Whether draws can be given back to ``rng``'s bit generator (PCG64, PCG64DXSM)."""
        return isinstance(rng.bit_generator, (np.random.PCG64, np.random.PCG64DXSM))

    def __enter__(self) -> Self:
        self._saved = self.rng.bit_generator.state  # the 32-bit half-output, before any draw
        return self

    def extend(self, k: int) -> np.ndarray:
        """The unread part of the tape followed by ``k`` new draws; reading starts at 0."""
        self.u = np.concatenate((self.u[self.pos:], self.rng.random(k)))
        self.pos = 0
        self.drawn += k
        return self.u

    def __exit__(self, exc_type, *exc) -> None:
        give_back = self.drawn if exc_type is not None else self.u.size - self.pos
        if give_back:
            bg = self.rng.bit_generator
            bg.advance(-give_back)
            state = bg.state
            state["has_uint32"], state["uinteger"] = self._saved["has_uint32"], self._saved["uinteger"]
            bg.state = state
        self.u = np.zeros(0)
        self.pos = self.drawn = 0


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
        if g < 0 or g >= lam.size:
            raise IndexError("poisson_repeat: a group outside the rates given")
        k = 0
        start = pos
        if lam[g] > 0.0:
            k, pos = _poisson_mult(u, pos, exp_neg_lam[g])
            if k < 0:
                return i, start
        counts[i] = k
    return n, pos
