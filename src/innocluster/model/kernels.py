"""Compiled inner loops (Numba) shared by the mechanisms.

The engine keeps firms as NumPy columns and mechanisms as functions over whole
columns. A few operations are loops by nature — over the sparse trust network, or
one pass over the firm table that fills many per-region totals at once — and as
chains of NumPy calls they cost more in per-call overhead and temporaries than in
arithmetic at the sizes users run (10^4-10^6 firms). They live here as
``numba.njit`` functions.

Rules these kernels follow so that the engine stays reproducible and its results do
not depend on whether a step is compiled:

* no random draws inside a kernel: the draws stay NumPy calls on the model's
  :class:`numpy.random.Generator`, in the same order and shapes as before, and the
  kernels only transform them;
* sums over firms run in row order, which is the order :func:`numpy.bincount`
  uses, so per-region totals are bit-identical to the bincount formulation;
* compiled code is cached on disk (``cache=True``): a fresh process loads it in
  milliseconds instead of recompiling.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_SHIFT = 32
_LOW = 0xFFFFFFFF


# ----------------------------------------------------------------------------- group totals
@njit(cache=True)
def group_sum(group, weights, G):
    """``np.bincount(group, weights, minlength=G)``: the total of ``weights`` in each of
    ``G`` groups, summed in row order (bit-identical to bincount), without bincount's
    conversion of small-integer group codes to a fresh index array."""
    out = np.zeros(G)
    for i in range(group.size):
        out[group[i]] += np.float64(weights[i])
    return out


@njit(cache=True)
def group_count(group, G):
    """``np.bincount(group, minlength=G)``: members of each of ``G`` groups."""
    out = np.zeros(G, dtype=np.int64)
    for i in range(group.size):
        out[group[i]] += 1
    return out


@njit(cache=True)
def cross_count(a, A, b, B):
    """Joint counts ``out[a_i, b_i] += 1`` (e.g. firms per region and GVC stage)."""
    out = np.zeros((A, B), dtype=np.int64)
    for i in range(a.size):
        out[a[i], b[i]] += 1
    return out


@njit(cache=True)
def masked_group_sum(group, mask, weights, G):
    """``np.bincount(group[mask], weights[mask], minlength=G)`` in one pass."""
    out = np.zeros(G)
    for i in range(group.size):
        if mask[i]:
            out[group[i]] += np.float64(weights[i])
    return out


# ----------------------------------------------------------------------------- firm table
@njit(cache=True)
def compact_rows(block, n, keep):
    """Keep the columns ``j < n`` of a 2-D block where ``keep[j]``, moved to the front in
    place, row by row (a forward pass reads every value before anything is written
    over it). Returns the number kept."""
    m = 0
    for r in range(block.shape[0]):
        m = 0
        for j in range(n):
            if keep[j]:
                block[r, m] = block[r, j]
                m += 1
    return m


# ----------------------------------------------------------------------------- network
# A tie is one int64 key ``u << 32 | v`` with ``u < v`` (row indices of the firm table);
# the network keeps its keys sorted in a buffer with spare capacity, and every update
# works in place on ``buf[:T]``.
@njit(cache=True)
def tie_degree(key, n):
    """Number of ties of each of ``n`` firms."""
    deg = np.zeros(n, dtype=np.int64)
    for k in range(key.size):
        deg[key[k] >> _SHIFT] += 1
        deg[key[k] & _LOW] += 1
    return deg


@njit(cache=True)
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


@njit(cache=True)
def tie_keys(a, b):
    """Sorted, duplicate-free keys ``min << 32 | max`` of the valid pairs ``a[k] -- b[k]``
    (self-ties and ends of -1 are dropped)."""
    out = np.empty(a.size, dtype=np.int64)
    m = 0
    for k in range(a.size):
        x = a[k]
        y = b[k]
        if x == y or x < 0 or y < 0:
            continue
        if x > y:
            x, y = y, x
        out[m] = (np.int64(x) << _SHIFT) | np.int64(y)
        m += 1
    out = np.sort(out[:m])
    d = 0
    for k in range(m):
        if k == 0 or out[k] != out[d - 1]:
            out[d] = out[k]
            d += 1
    return out[:d]


@njit(cache=True)
def count_new_ties(key, new):
    """How many of the sorted, duplicate-free ``new`` keys are not in sorted ``key``."""
    i = j = added = 0
    while j < new.size:
        if i < key.size and key[i] < new[j]:
            i += 1
        elif i < key.size and key[i] == new[j]:
            i += 1
            j += 1
        else:
            added += 1
            j += 1
    return added


@njit(cache=True)
def merge_ties(buf, T, new, added):
    """Merge sorted, duplicate-free ``new`` into the sorted ``buf[:T]`` in place.

    ``added`` (from :func:`count_new_ties`) keys are new; ``buf`` must hold
    ``T + added``. Merges from the back, so no key is overwritten before it is
    read — one pass, no allocation. Returns the new length.
    """
    i = T - 1
    j = new.size - 1
    w = T + added - 1
    while j >= 0:
        if i >= 0 and buf[i] > new[j]:
            buf[w] = buf[i]
            i -= 1
            w -= 1
        elif i >= 0 and buf[i] == new[j]:
            j -= 1  # already tied: the existing key stays where it is
        else:
            buf[w] = new[j]
            j -= 1
            w -= 1
    return T + added


@njit(cache=True)
def keep_ties(buf, T, keep):
    """Keep the keys of ``buf[:T]`` where ``keep`` is True, in place; returns the new length."""
    m = 0
    for k in range(T):
        if keep[k]:
            buf[m] = buf[k]
            m += 1
    return m


@njit(cache=True)
def remap_ties(buf, T, old_to_new):
    """Follow a compaction of the firm table (``old_to_new`` increasing on survivors),
    in place: ties of removed firms vanish, the order by ``(u, v)`` holds. Returns the
    new length."""
    m = 0
    for k in range(T):
        a = old_to_new[buf[k] >> _SHIFT]
        b = old_to_new[buf[k] & _LOW]
        if a >= 0 and b >= 0:
            buf[m] = (a << _SHIFT) | b
            m += 1
    return m


@njit(cache=True)
def random_neighbour(indptr, indices, who, repeat, u):
    """A uniformly random neighbour for each of ``who`` repeated ``repeat`` times
    (``np.repeat(who, repeat)``), -1 where the firm has no ties; ``u`` holds one
    uniform draw per result: position ``floor(u deg)`` in the firm's CSR row."""
    out = np.empty(who.size * repeat, dtype=np.int64)
    m = 0
    for j in range(who.size):
        i = who[j]
        start = indptr[i]
        deg = indptr[i + 1] - start
        for _ in range(repeat):
            if deg > 0:
                out[m] = indices[start + np.int64(np.floor(u[m] * deg))]
            else:
                out[m] = -1
            m += 1
    return out


# ----------------------------------------------------------------------------- sampling
@njit(cache=True)
def random_member(group, G, rows, want, u):
    """A uniformly random row of each wanted group, -1 where the group is empty.

    ``rows`` (the candidate rows) are grouped by ``group[rows]`` with a
    stable counting sort; element ``k`` takes position ``floor(u[k] n_g)`` of group
    ``g = want[k]``'s block. ``want`` and ``u`` are flat and of equal length.
    """
    counts = np.zeros(G, dtype=np.int64)
    for j in range(rows.size):
        counts[group[rows[j]]] += 1
    starts = np.zeros(G, dtype=np.int64)
    for g in range(1, G):
        starts[g] = starts[g - 1] + counts[g - 1]
    fill = starts.copy()
    order = np.empty(rows.size, dtype=np.int64)
    for j in range(rows.size):
        g = group[rows[j]]
        order[fill[g]] = rows[j]
        fill[g] += 1
    out = np.empty(want.size, dtype=np.int64)
    for k in range(want.size):
        g = want[k]
        c = counts[g]
        if c > 0:
            out[k] = order[min(starts[g] + np.int64(np.floor(u[k] * c)), rows.size - 1)]
        else:
            out[k] = -1
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


# ----------------------------------------------------------------------------- record
#: rows of :func:`region_totals`' result (one column per region)
TOTALS = ("firms", "revenue", "rd", "employees", "patents_new", "A", "A2", "rd_wanting", "rd_wanted",
          "credit_constrained", "profit", "ties_within", "tie_ends", "sme_cost", "sme_output", "zombies",
          "firms_sme", "firms_mne", "value_added", "exports", "with_patent", "rd_unit", "rd_active",
          "vc_backed", "alpha", "employment_share_sq")


@njit(cache=True)
def region_totals(region, R, stage, S, revenue, rd, employees, patents_new, A, rd_wanted,
                  credit_constrained, profit, subsidy, unit_cost, is_mne, value_added, exports,
                  patents_cum, has_rd_unit, rd_active, vc_backed, alpha, tie_key):
    """Every per-region total the yearly record needs, in one pass over the firms.

    Returns ``(totals, stage_counts)``: ``totals[k, r]`` is the total of quantity
    :data:`TOTALS` ``[k]`` over the firms of region ``r`` (counts for the boolean
    ones), ``stage_counts[r, s]`` the firms of region ``r`` in GVC stage ``s``.
    ``employment_share_sq`` is ``sum_i (L_i / L_r)^2`` (the Herfindahl index of
    firm sizes), ``sme_cost``/``sme_output`` the cost and output of producing SMEs
    (their ratio is the average cost per USD), ``ties_within`` counts both
    directions of within-region ties and ``tie_ends`` every tie end in the region.
    """
    out = np.zeros((26, R))
    stage_counts = np.zeros((R, S), dtype=np.int64)
    for i in range(region.size):
        r = region[i]
        out[0, r] += 1.0
        out[1, r] += revenue[i]
        out[2, r] += rd[i]
        out[3, r] += np.float64(employees[i])
        out[4, r] += np.float64(patents_new[i])
        a = A[i]
        out[5, r] += a
        out[6, r] += a * a
        if rd_wanted[i] > 0:
            out[7, r] += 1.0
        out[8, r] += rd_wanted[i]
        if credit_constrained[i]:
            out[9, r] += 1.0
        out[10, r] += profit[i]
        if is_mne[i]:
            out[17, r] += 1.0
        else:
            out[16, r] += 1.0
            if revenue[i] > 0:
                out[13, r] += unit_cost[i] * revenue[i]
                out[14, r] += revenue[i]
        if profit[i] < 0 and subsidy[i] > 0:
            out[15, r] += 1.0
        out[18, r] += value_added[i]
        out[19, r] += exports[i]
        if patents_cum[i] > 0:
            out[20, r] += 1.0
        if has_rd_unit[i]:
            out[21, r] += 1.0
        if rd_active[i]:
            out[22, r] += 1.0
        if vc_backed[i]:
            out[23, r] += 1.0
        out[24, r] += np.float64(alpha[i])
        stage_counts[r, stage[i]] += 1
    for i in range(region.size):
        r = region[i]
        e = np.float64(employees[i]) / max(out[3, r], 1e-12)
        out[25, r] += e * e
    for k in range(tie_key.size):
        ru = region[tie_key[k] >> _SHIFT]
        rv = region[tie_key[k] & _LOW]
        out[12, ru] += 1.0
        out[12, rv] += 1.0
        if ru == rv:
            out[11, ru] += 2.0
    return out, stage_counts


# ----------------------------------------------------------------------------- absorption
@njit(cache=True)
def choose_sources(idx, A, x, y, u, same, anywhere, neighbour, external_search, geo_decay,
                   institute_A, institute_ok, draw):
    """Pick each absorbing firm's source among its candidates (innovation.absorption).

    Row ``j`` is firm ``i = idx[j]``. Candidate slot ``c`` is a tied firm
    (``neighbour[j, c]``) when ``u[j, c] > 0.5`` and the firm has ties, otherwise a
    firm from anywhere when ``u[j, c] < external_search`` and a firm of its own region
    else. A better candidate (``A_j > A_i``) weighs
    ``exp(-dist / lambda_geo) / (1 + |A_j - A_i|)``, doubled for ties; worse ones
    weigh 0. When ``institute_ok`` has one entry per row, the regional research
    institute (technology ``institute_A[j]``, distance 0) is one more candidate,
    encoded as source ``-1``. One uniform ``draw[j]`` picks a slot against the
    cumulative weights. Distances use the float32 positions, as the firm table
    stores them.

    Returns
    -------
    source : int64 array
        Row of the chosen source (-1: the institute); meaningless where no target.
    target_A : float64 array
        Technology of the chosen source.
    has_target : bool array
        False where no candidate was better than the firm.
    """
    k, C = u.shape
    inst = institute_ok.size == k and k > 0
    ncol = C + 1 if inst else C
    source = np.empty(k, dtype=np.int64)
    target_A = np.empty(k)
    has_target = np.zeros(k, dtype=np.bool_)
    cand = np.empty(ncol, dtype=np.int64)
    cand_A = np.empty(ncol)
    cum = np.empty(ncol)
    decay = np.float32(geo_decay)
    for j in range(k):
        i = idx[j]
        Ai = A[i]
        xi = x[i]
        yi = y[i]
        total = 0.0
        for c in range(C):
            tied = u[j, c] > 0.5 and neighbour[j, c] >= 0
            if tied:
                s = neighbour[j, c]
            elif u[j, c] < external_search:
                s = anywhere[j, c]
            else:
                s = same[j, c]
            cand[c] = s
            As = A[s]
            cand_A[c] = As
            w = 0.0
            if As > Ai:
                dx = x[s] - xi
                dy = y[s] - yi
                dist = np.sqrt(dx * dx + dy * dy)
                w = np.float64(np.exp(-dist / decay)) / (1.0 + abs(As - Ai))
                if tied:
                    w = w * 2.0
            total += w
            cum[c] = total
        if inst:
            Ainst = institute_A[j]
            cand[C] = -1
            cand_A[C] = Ainst
            w = 0.0
            if institute_ok[j] and Ainst > Ai:
                w = 1.0 / (1.0 + abs(Ainst - Ai))
            total += w
            cum[C] = total
        d = draw[j] * total
        pick = 0
        for c in range(ncol):
            if cum[c] <= d:
                pick += 1
        pick = min(pick, ncol - 1)
        source[j] = cand[pick]
        target_A[j] = cand_A[pick]
        has_target[j] = total > 0
    return source, target_A, has_target
