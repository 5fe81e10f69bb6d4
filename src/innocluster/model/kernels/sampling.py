"""Random choices among firms and compiled samplers, all drawing from the model's
:class:`numpy.random.Generator` (Numba's implementation of its samplers on the same bit
generator).

Three kinds of draws:

* drop-in replacements of a NumPy call, same draws and same generator state after
  (``tests/test_kernels.py`` checks millions of draws): uniforms (:func:`uniform`) and
  normals (:func:`normal`: NumPy's ziggurat as Numba ports it). With SFC64, the
  engine's bit generator, both run on SFC64 inlined into the compiled loop, advancing
  the generator's state words in place (NumPy calls the generator through a function
  pointer per draw): 16,000 uniforms in about half NumPy's time, normals in a third;
  Beta draws with both shapes above 1 (:func:`beta`) likewise. Bounded integers stay
  NumPy calls;
* one uniform per firm, whatever the outcome: Poisson counts by inversion
  (:func:`poisson`), so a firm's count does not shift the draws of the next firms;
* draws event by event instead of one per firm or tie: a few uniforms per new tie
  (:func:`form_ties`, on one vectorised call's uniforms), one per dissolving tie
  (:func:`~innocluster.model.kernels.network.decay_ties`).
"""

from __future__ import annotations

import ctypes
import functools
import math

import numpy as np
from numba import njit

try:  # the ziggurat tables of NumPy's normal sampler, as Numba's port of it carries them
    from numba.np.random._constants import (
        fi_double,
        ki_double,
        wi_double,
        ziggurat_nor_inv_r,
        ziggurat_nor_r,
    )
except ImportError:  # a Numba without them: normals use Numba's Generator support (_fill_normal)
    ki_double = None

# ----------------------------------------------------------------------------- uniforms
@njit(cache=True, error_model="numpy")
def sfc64_uniforms(state, out):
    """Fill ``out`` with SFC64 uniforms in [0, 1), advancing ``state`` in place: exactly
    the values and the state after of ``Generator(SFC64).random(out.size)``.

    ``state`` is the bit generator's four 64-bit words ``(a, b, c, counter)``. One step
    of SFC64 (Chris Doty-Humphrey's Small Fast Chaotic generator, as NumPy implements
    it in ``numpy/random/src/sfc64``): ``t = a + b + counter``; ``counter += 1``;
    ``a = b ^ (b >> 11)``; ``b = c + (c << 3)``; ``c = rotl(c, 24) + t``; the output
    ``t``. A uniform is NumPy's ``(t >> 11) * 2^-53``. NumPy reaches the generator
    through a function pointer per value; inlined here, 16,000 uniforms take about half
    the time.
    """
    a, b, c, w = state[0], state[1], state[2], state[3]  # in registers through the loop
    for i in range(out.size):
        t, a, b, c, w = _sfc64_step(a, b, c, w)
        out[i] = _unit_double(t)
    state[0], state[1], state[2], state[3] = a, b, c, w


@njit(inline="always")
def _sfc64_step(a, b, c, w):
    """One SFC64 step: the output ``t`` and the next state words (:func:`sfc64_uniforms`)."""
    t = a + b + w
    return (t, b ^ (b >> np.uint64(11)), c + (c << np.uint64(3)),
            ((c << np.uint64(24)) | (c >> np.uint64(40))) + t, w + np.uint64(1))


@njit(inline="always")
def _sfc64_next(state):
    """One SFC64 output, advancing the four state words in place."""
    t, state[0], state[1], state[2], state[3] = _sfc64_step(state[0], state[1], state[2], state[3])
    return t


@njit(inline="always")
def _unit_double(t):
    """NumPy's double in [0, 1) from a 64-bit output: its top 53 bits times 2^-53."""
    return np.float64(t >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(inline="always")
def _sfc64_double(state):
    return _unit_double(_sfc64_next(state))


if ki_double is not None:
    @njit(inline="always")
    def _sfc64_standard_normal(state):
        """One standard normal by NumPy's ziggurat (``random_standard_normal`` in
        ``numpy/random/src/distributions``; Marsaglia & Tsang 2000, 256 layers), written
        as Numba's port of it with its tables, on the inlined SFC64 (:func:`_sfc64_next`)."""
        while True:
            r = _sfc64_next(state)
            idx = r & np.uint64(0xFF)
            r >>= np.uint64(8)
            rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
            x = np.float64(rabs) * wi_double[idx]
            if r & np.uint64(1):
                x = -x
            if rabs < ki_double[idx]:
                return x  # 99.3% of the draws
            if idx == 0:  # the tail beyond r, by Marsaglia's exponential method
                while True:
                    xx = -ziggurat_nor_inv_r * np.log1p(-_sfc64_double(state))
                    yy = -np.log1p(-_sfc64_double(state))
                    if yy + yy > xx * xx:
                        return -(ziggurat_nor_r + xx) if (rabs >> np.uint64(8)) & np.uint64(1) else ziggurat_nor_r + xx
            if (fi_double[idx - 1] - fi_double[idx]) * _sfc64_double(state) + fi_double[idx] < np.exp(-0.5 * x * x):
                return x  # a wedge

    @njit(cache=True, error_model="numpy")
    def sfc64_normals(state, loc, scale, out):
        """Fill ``out`` with ``loc + scale z``, ``z`` standard normals from SFC64 state words
        (advanced in place): exactly ``Generator(SFC64).normal(loc, scale, out.size)``."""
        for i in range(out.size):
            out[i] = loc + scale * _sfc64_standard_normal(state)

    @njit(cache=True, error_model="numpy")
    def sfc64_betas(state, a, b, low, width, out):
        """Fill ``out`` with ``low + width x``, ``x ~ Beta(a, b)`` for ``a > 1`` and ``b > 1``,
        from SFC64 state words (advanced in place): exactly ``low + width *
        Generator(SFC64).beta(a, b, out.size)``.

        NumPy's ``random_beta`` for shapes above 1: ``Ga / (Ga + Gb)`` of two standard
        gammas, each by Marsaglia & Tsang's (2000) method (``random_standard_gamma``:
        ``d = shape - 1/3``, ``c = 1/sqrt(9d)``; a normal ``X`` with ``V = (1 + cX)^3 > 0``
        and a uniform ``U``, accepted on the squeeze or the log test), as Numba ports it.
        """
        da = a - 1.0 / 3.0
        ca = 1.0 / np.sqrt(9 * da)
        db = b - 1.0 / 3.0
        cb = 1.0 / np.sqrt(9 * db)
        for i in range(out.size):
            ga = _sfc64_gamma_above_one(state, da, ca)
            gb = _sfc64_gamma_above_one(state, db, cb)
            out[i] = low + width * (ga / (ga + gb))

    @njit(inline="always")
    def _sfc64_gamma_above_one(state, d, c):
        while True:
            while True:
                X = _sfc64_standard_normal(state)
                V = 1.0 + c * X
                if V > 0.0:
                    break
            V = V * V * V
            U = _sfc64_double(state)
            if U < 1.0 - 0.0331 * (X * X) * (X * X):
                return d * V
            if np.log(U) < 0.5 * X * X + d * (1.0 - V + np.log(V)):
                return d * V
else:  # pragma: no cover - a Numba without the tables
    sfc64_normals = sfc64_betas = None


@functools.lru_cache(maxsize=64)
def _sfc64_words(bit_generator) -> np.ndarray | None:
    """The four state words of an SFC64 bit generator as a writable uint64 view of its
    C state (``bit_generator.ctypes.state_address``), or None for other generators or
    where the view does not reproduce NumPy's draws (:func:`_sfc64_layout_checked`).
    Cached per generator (a few recent ones; the cache holds them)."""
    if type(bit_generator) is not np.random.SFC64 or not _sfc64_layout_checked():
        return None
    address = bit_generator.ctypes.state_address
    return np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(address))


@functools.cache
def _sfc64_layout_checked() -> bool:
    """Whether the state view and the compiled samplers give NumPy's draws here: once per
    process, on two generators of a fixed seed, for uniforms, normals and Beta draws with
    inexact location and scale (a NumPy built to fuse multiply-adds, as some non-x86
    builds are, would differ there), and what NumPy draws after them. NumPy's SFC64
    state starts with the four words; a NumPy or platform where any of this differs
    falls back to NumPy's calls."""
    mine, ref = np.random.SFC64(20261127), np.random.SFC64(20261127)
    words = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(mine.ctypes.state_address))
    g = np.random.Generator(ref)
    out = np.empty(2000)
    sfc64_uniforms(words, out)
    ok = np.array_equal(out, g.random(2000))
    if sfc64_normals is not None:
        sfc64_normals(words, 0.3, 0.1, out)
        ok = ok and np.array_equal(out, g.normal(0.3, 0.1, 2000))
        for a, b in ((3.0, 3.0), (1.01, 60.0)):
            sfc64_betas(words, a, b, -0.05, 0.17, out)
            ok = ok and np.array_equal(out, -0.05 + 0.17 * g.beta(a, b, 2000))
    return bool(ok and np.array_equal(np.random.Generator(mine).random(10), g.random(10)))


def compiled_draws(rng: np.random.Generator) -> bool:
    """Whether :func:`uniform`, :func:`normal` and :func:`beta` run compiled on ``rng``'s
    own state (an SFC64 generator, on a platform where they reproduce NumPy)."""
    return _sfc64_words(rng.bit_generator) is not None


def uniform(rng: np.random.Generator, size: int) -> np.ndarray:
    """``rng.random(size)``: the same uniforms and the same generator state after;
    compiled (:func:`sfc64_uniforms`) for an integer ``size`` when the generator is
    SFC64, the engine's, else NumPy's call."""
    words = _sfc64_words(rng.bit_generator) if type(size) in _INTEGERS else None
    if words is None:
        return rng.random(size)
    return _compiled_fill(rng, words, size, sfc64_uniforms)


def _compiled_fill(rng: np.random.Generator, words: np.ndarray, size: int, kernel, *args) -> np.ndarray:
    """``size`` draws by ``kernel(words, *args, out)`` on ``rng``'s state words, under the
    generator's lock as NumPy's own draws (one thread at a time on a generator)."""
    out = np.empty(size)
    with rng.bit_generator.lock:
        kernel(words, *args, out)
    return out


#: below this many draws NumPy's call is cheaper than passing the generator to compiled code
#: (handing it over costs about 11 us; and in a running model, with the compiled code and
#: its tables out of the caches, 3,300 normals took NumPy 35-38 us and the compiled loop
#: 40-74 us, while at 16,000 the compiled loop still won: 93-106 against 122-153 us)
_COMPILED_DRAWS_FROM = 5000


@njit(cache=True, error_model="numpy")
def _fill_normal(rng, loc, scale, out):
    for i in range(out.size):
        out[i] = loc + scale * rng.standard_normal()


def normal(rng: np.random.Generator, loc: float, scale: float, size: int) -> np.ndarray:
    """``rng.normal(loc, scale, size)`` for scalar ``loc`` and ``scale``: the same draws and
    the same generator state after, faster.

    NumPy computes ``loc + scale * z`` from its ziggurat normal ``z``. With the engine's
    SFC64 generator the ziggurat runs on the inlined generator (:func:`sfc64_normals`);
    with other bit generators, from :data:`_COMPILED_DRAWS_FROM` draws on, on Numba's
    port of it reading the same bit generator identically (handing a generator to
    compiled code costs a few microseconds, so smaller sizes stay NumPy's call).
    """
    # Python or NumPy scalars (np.float64 is a float) and an integer size; per-draw
    # parameters, shapes, and what NumPy refuses or returns as NaN, are NumPy's call
    if not (type(loc) in _SCALARS and type(scale) in _SCALARS and type(size) in _INTEGERS and scale >= 0
            and math.isfinite(loc)):
        return rng.normal(loc, scale, size)
    words = _sfc64_words(rng.bit_generator) if sfc64_normals is not None else None
    if words is not None:  # the engine's SFC64: the ziggurat on the inlined generator, any size
        return _compiled_fill(rng, words, size, sfc64_normals, float(loc), float(scale))
    if size < _COMPILED_DRAWS_FROM:
        return rng.normal(loc, scale, size)
    out = np.empty(size)
    _fill_normal(rng, float(loc), float(scale), out)
    return out


def beta(rng: np.random.Generator, a: float, b: float, size: int, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``low + (high - low) * rng.beta(a, b, size)``: the same draws and the same
    generator state after; compiled (:func:`sfc64_betas`) with the engine's SFC64 and both
    shapes above 1 (the gamma route of NumPy's sampler), else NumPy's call."""
    words = (_sfc64_words(rng.bit_generator) if sfc64_betas is not None and type(a) in _SCALARS
             and type(b) in _SCALARS and type(size) in _INTEGERS and a > 1.0 and b > 1.0 else None)
    if words is None:
        return low + (high - low) * rng.beta(a, b, size)
    return _compiled_fill(rng, words, size, sfc64_betas, float(a), float(b), float(low), float(high - low))


#: scalar types :func:`normal` and :func:`beta` take as they are (others: NumPy's call)
_SCALARS = frozenset({int, float, np.float64, np.float32, np.int64, np.int32})
#: sizes the compiled samplers take (a shape tuple goes to NumPy)
_INTEGERS = frozenset({int, np.int64, np.int32, np.intp})


#: rates from which Poisson counts are NumPy's sampler rather than inversion
POISSON_INVERSION_BELOW = 10.0


@njit(cache=True, error_model="numpy")
def _poisson_counts(u, lam, p0, out, rows):
    """Counts by inversion for rates below :data:`POISSON_INVERSION_BELOW`: 0 where
    ``u < p0 = exp(-lam)``, else the CDF walk. Returns how many rates are larger (left
    at 0 for NumPy) and how many counts are positive (their rows, ascending, in
    ``rows[:m]``). The rates are non-negative (checked by the caller)."""
    large = 0
    m = 0
    for i in range(lam.size):
        lam_i = lam[i]
        if lam_i >= POISSON_INVERSION_BELOW:
            large += 1
            continue
        p = p0[i]
        if u[i] < p:
            continue
        F = p
        k = 0
        while u[i] >= F:
            k += 1
            p *= lam_i / k
            if F + p == F:
                # the CDF summed in floating point levels off just below 1 (by a few ulps):
                # a uniform in that last sliver stops where the terms no longer count
                break
            F += p
        out[i] = k
        rows[m] = i
        m += 1
    return large, m


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson counts with rates ``lam``, one uniform per rate (inversion).

    A count is the smallest ``k`` with ``F(k) > u`` for the Poisson CDF ``F`` and one
    uniform ``u`` per firm (Devroye 1986, ch. X.3.3). Most rates in the model are small,
    so most counts are 0 (``u < exp(-lam)``): that test is vectorised, and only the few
    positive counts walk the CDF, in compiled code. One uniform per firm whatever its
    count keeps common random numbers: a firm's count does not shift the draws of the
    firms after it. Rates of :data:`POISSON_INVERSION_BELOW` or more (far from any rate
    the model produces) are drawn by NumPy after the uniforms. A negative or NaN rate
    raises, as NumPy does.
    """
    lam = np.asarray(lam, dtype=np.float64)
    return poisson_events(rng, lam.ravel())[0].reshape(lam.shape)


def poisson_events(rng: np.random.Generator, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`poisson` for a 1-D array of rates, and the positions of the positive
    counts (``np.flatnonzero`` of the counts, found by the same pass).

    Returns
    -------
    counts : int64 array
        One count per rate (the same draws as :func:`poisson`).
    rows : int64 array
        Ascending positions where the count is positive.
    """
    lam = np.asarray(lam, dtype=np.float64)
    if lam.ndim != 1:
        raise ValueError(f"poisson_events: a 1-D array of rates, got shape {lam.shape}")
    if lam.size and not lam.min() >= 0.0:  # also catches NaN; checked before anything is drawn
        raise ValueError("poisson: rates must be non-negative")
    u = uniform(rng, lam.size)  # the same draws as rng.random(shape), in the same order
    p0 = np.negative(lam)
    np.exp(p0, out=p0)  # NumPy's vectorised exp (see the package notes)
    out = np.zeros(lam.size, dtype=np.int64)
    rows = np.empty(lam.size, dtype=np.int64)
    # one compiled pass: the zero test, and the CDF walk (about lam steps) only for the
    # small rates of firms that invent
    large, m = _poisson_counts(u, lam, p0, out, rows)
    if large:
        big = lam >= POISSON_INVERSION_BELOW
        out[big] = rng.poisson(lam[big])
        return out, np.flatnonzero(out)
    return out, rows[:m]


def poisson_by_region(rng: np.random.Generator, lam) -> np.ndarray:
    """``rng.poisson(lam)`` for a few per-region rates: the same draws, in the same order,
    one scalar call per rate (NumPy's broadcasting call costs about 10 us even for one
    rate, a scalar call half a microsecond)."""
    lam = np.asarray(lam, dtype=np.float64)
    if lam.ndim != 1 or lam.size > 16:
        return rng.poisson(lam)
    if lam.size and not lam.min() >= 0.0:  # as NumPy's call: raise before drawing anything
        raise ValueError("lam < 0 or lam is NaN")
    return np.array([rng.poisson(v) for v in lam.tolist()], dtype=np.int64)


@njit(inline="always")
def uniform_index(u, c):
    """Position ``floor(u c)`` among ``c > 0`` items for a uniform ``u`` in [0, 1), kept
    below ``c`` (a product rounded up to ``c`` would point past the end)."""
    return min(int(u * c), c - 1)


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def region_blocks(region, R):
    """:func:`group_blocks` of every row by ``region``; with one region no index array is
    built (``order`` is empty: position ``p`` of the block is row ``p``, see
    :func:`block_row`)."""
    if R > 1:
        return group_blocks(region, R, np.arange(region.size))
    return np.empty(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.full(1, region.size, dtype=np.int64)


@njit(inline="always")
def block_row(order, starts, r, p):
    """Row at position ``p`` of region ``r``'s block from :func:`region_blocks`."""
    return order[starts[r] + p] if order.size else p


@njit(cache=True, error_model="numpy")
def random_member(group, G, rows, want, u):
    """A uniformly random row of each wanted group, -1 where the group is empty.

    ``rows`` (the candidate rows) are grouped by ``group[rows]``
    (:func:`group_blocks`); element ``k`` takes position ``floor(u[k] n_g)`` of group
    ``g = want[k]``'s block. ``want`` and ``u`` are flat and of equal length.
    """
    order, starts, counts = group_blocks(group, G, rows)
    out = np.empty(want.size, dtype=np.int64)
    for k in range(want.size):
        g = want[k]
        c = counts[g]
        out[k] = order[starts[g] + uniform_index(u[k], c)] if c > 0 else -1
    return out


@njit(cache=True, error_model="numpy")
def stage_from_cumulative(u, group, cum):
    """The first stage whose cumulative share ``cum[g]`` reaches each uniform ``u``: the
    number of cumulative shares below ``u``, capped at the top stage (where rounding
    leaves the cumulative sum just below 1). ``group`` gives each draw's row of ``cum``."""
    S = cum.shape[1]
    out = np.empty(u.size, dtype=np.int64)
    for k in range(u.size):
        g = group[k]
        s = 0
        for q in range(S):
            s += u[k] > cum[g, q]
        out[k] = min(s, S - 1)
    return out


@njit(cache=True, error_model="numpy")
def form_ties(u, new_ties, region, x, y, external_links, tries):
    """Ends of new proximity ties (diffusion.new_ties).

    Region ``r`` forms ``new_ties[r]`` ties. Each starts at a uniformly random firm of
    the region and goes to the closest of ``tries`` random firms of the region other
    than itself (float32 positions; the first one on equal distances); with
    probability ``external_links[r]`` it goes to a uniformly random firm of any region
    instead (returnees, MNE links). Tie ``t`` reads the uniforms
    ``u[t (tries + 3):(t + 1)(tries + 3)]``: the firm, the candidates, the external
    switch, the external partner (drawn in one vectorised call: twice as fast as
    drawing them one by one in compiled code).

    Returns ``(a, b)``, the two ends (a tie whose only candidates were the firm itself
    is a self-tie, which the network ignores).
    """
    n = region.size
    R = new_ties.size
    order, starts, counts = region_blocks(region, R)
    K = 0
    for r in range(R):
        if counts[r] > 0:
            K += new_ties[r]
    if u.size < K * (tries + 3):
        raise ValueError("form_ties: fewer uniforms than the ties need")
    a = np.empty(K, dtype=np.int64)
    b = np.empty(K, dtype=np.int64)
    t = 0
    for r in range(R):
        c = counts[r]
        if c == 0:
            continue
        for _ in range(new_ties[r]):
            v = t * (tries + 3)
            i = block_row(order, starts, r, uniform_index(u[v], c))
            best = i
            best_d = np.float32(np.inf)
            for q in range(1, tries + 1):
                j = block_row(order, starts, r, uniform_index(u[v + q], c))
                if j != i:
                    dx = x[j] - x[i]
                    dy = y[j] - y[i]
                    d = dx * dx + dy * dy
                    if d < best_d:
                        best_d = d
                        best = j
            if u[v + tries + 1] < external_links[r]:
                best = uniform_index(u[v + tries + 2], n)
            a[t] = i
            b[t] = best
            t += 1
    return a, b
