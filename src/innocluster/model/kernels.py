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

import math

import numpy as np
from numba import njit

_SHIFT = 32
_LOW = 0xFFFFFFFF


# ----------------------------------------------------------------------------- group totals
# Sums over firms are sequential, in row order, to equal np.bincount bit for bit. A
# sequential sum is a chain of dependent additions. Accumulating into out[group[i]]
# makes the chain run through memory (a store-to-load round trip per row) whenever
# consecutive rows share a group — always, with one region, and mostly with a few
# regions, whose firms sit in long runs. For up to _REGISTER_GROUPS groups the sum is
# kept in a register instead, one pass per group, adding 0.0 for the other groups'
# rows (which leaves a sum unchanged).
_REGISTER_GROUPS = 3


@njit(cache=True)
def group_sum(group, weights, G):
    """``np.bincount(group, weights, minlength=G)``: the total of ``weights`` in each of
    ``G`` groups, summed in row order (bit-identical to bincount), without bincount's
    conversion of small-integer group codes to a fresh index array."""
    out = np.zeros(G)
    if G <= _REGISTER_GROUPS:
        for g in range(G):
            acc = 0.0
            for i in range(group.size):
                acc += np.float64(weights[i]) if group[i] == g else 0.0
            out[g] = acc
    else:
        for i in range(group.size):
            out[group[i]] += np.float64(weights[i])
    return out


@njit(cache=True)
def group_count(group, G):
    """``np.bincount(group, minlength=G)``: members of each of ``G`` groups."""
    out = np.zeros(G, dtype=np.int64)
    if G <= _REGISTER_GROUPS:
        for g in range(G):
            c = 0
            for i in range(group.size):
                c += group[i] == g
            out[g] = c
    else:
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
def exited_flows(region, mask, R, revenue, rd, rd_wanted, patents_new, value_added, exports, profit):
    """Per-region totals over the exiting firms (``mask``) of the year's flows, one row
    each for revenue, R&D, wanted R&D, new patents, value added, exports and profit,
    and the number of exits — one pass instead of one bincount per column (row
    order: the same sums as bincount)."""
    out = np.zeros((8, R))
    for g in range(R):
        t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = 0.0
        for i in range(region.size):
            if mask[i] and region[i] == g:
                t0 += revenue[i]
                t1 += rd[i]
                t2 += rd_wanted[i]
                t3 += np.float64(patents_new[i])
                t4 += value_added[i]
                t5 += exports[i]
                t6 += profit[i]
                t7 += 1.0
        out[0, g] = t0
        out[1, g] = t1
        out[2, g] = t2
        out[3, g] = t3
        out[4, g] = t4
        out[5, g] = t5
        out[6, g] = t6
        out[7, g] = t7
    return out


# ----------------------------------------------------------------------------- firm table
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


# ----------------------------------------------------------------------------- network
# A tie is one int64 key ``u << 32 | v`` with ``u < v`` (row indices of the firm table);
# the network keeps its keys sorted in a buffer with spare capacity; removals work in
# place on ``buf[:T]``, additions merge into a second buffer that then takes over.
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
def merge_ties(out, key, new):
    """Write the union of the sorted keys ``key`` and the sorted, duplicate-free
    ``new`` into ``out`` (room for both) in one pass; returns the union's length."""
    i = j = m = 0
    while i < key.size and j < new.size:
        a = key[i]
        b = new[j]
        if a <= b:
            out[m] = a
            i += 1
            if a == b:
                j += 1  # already tied
        else:
            out[m] = b
            j += 1
        m += 1
    while i < key.size:
        out[m] = key[i]
        i += 1
        m += 1
    while j < new.size:
        out[m] = new[j]
        j += 1
        m += 1
    return m


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
def remap_merge_ties(out, key, old_to_new, new):
    """:func:`remap_ties` of ``key`` and :func:`merge_ties` with the (already remapped,
    sorted, duplicate-free) ``new`` keys, in one pass writing into ``out``; returns the
    length."""
    i = j = m = 0
    while True:
        a = np.int64(-1)
        while i < key.size:  # next surviving old key, remapped
            x = old_to_new[key[i] >> _SHIFT]
            y = old_to_new[key[i] & _LOW]
            i += 1
            if x >= 0 and y >= 0:
                a = (x << _SHIFT) | y
                break
        if a < 0:
            break
        while j < new.size and new[j] < a:
            out[m] = new[j]
            j += 1
            m += 1
        if j < new.size and new[j] == a:
            j += 1  # already tied
        out[m] = a
        m += 1
    while j < new.size:
        out[m] = new[j]
        j += 1
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
def random_neighbour(key, n, who, repeat, u):
    """A uniformly random neighbour for each of ``who`` repeated ``repeat`` times
    (``np.repeat(who, repeat)``), -1 where the firm has no ties; ``u`` holds one
    uniform draw per result and picks position ``floor(u deg)`` of the firm's
    neighbours in CSR order (lower ends ascending, then upper ends ascending).

    Only the asked-for firms' neighbour lists are built, in one pass over the
    sorted keys — a key order visit meets a firm's ties ``(u, i)`` before its ties
    ``(i, v)``, which is the CSR order — instead of the whole adjacency.
    """
    slot = np.full(n, -1, dtype=np.int64)
    m = 0
    for j in range(who.size):
        if slot[who[j]] < 0:
            slot[who[j]] = m
            m += 1
    start = np.zeros(m + 1, dtype=np.int64)
    for k in range(key.size):
        a = slot[key[k] >> _SHIFT]
        b = slot[key[k] & _LOW]
        if a >= 0:
            start[a + 1] += 1
        if b >= 0:
            start[b + 1] += 1
    for s in range(m):
        start[s + 1] += start[s]
    fill = start[:-1].copy()
    lists = np.empty(start[m], dtype=np.int64)
    for k in range(key.size):
        lo = key[k] >> _SHIFT
        hi = key[k] & _LOW
        b = slot[hi]
        if b >= 0:
            lists[fill[b]] = lo
            fill[b] += 1
        a = slot[lo]
        if a >= 0:
            lists[fill[a]] = hi
            fill[a] += 1
    out = np.empty(who.size * repeat, dtype=np.int64)
    r = 0
    for j in range(who.size):
        s = slot[who[j]]
        deg = start[s + 1] - start[s]
        for _ in range(repeat):
            out[r] = lists[start[s] + int(u[r] * deg)] if deg > 0 else -1
            r += 1
    return out


# ----------------------------------------------------------------------------- sampling
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
        # u in [0, 1): floor(u c) is the truncation; the clamp guards against rounding up to c
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
        stage_counts[region[i], stage[i]] += 1
    # one pass per region with the totals in registers (see group_sum)
    for g in range(R):
        n = rev = rd_ = emp = pat = a1 = a2 = wanting = wanted = cons = prof = 0.0
        cost = output = zomb = sme = mne = va = exp_ = withp = unit = active = vc = alp = 0.0
        for i in range(region.size):
            if region[i] != g:
                continue
            n += 1.0
            rev += revenue[i]
            rd_ += rd[i]
            emp += np.float64(employees[i])
            pat += np.float64(patents_new[i])
            a = A[i]
            a1 += a
            a2 += a * a
            # branch-free: these flags are close to coin flips, mispredicted branches cost more
            wanting += 1.0 if rd_wanted[i] > 0 else 0.0
            wanted += rd_wanted[i]
            cons += 1.0 if credit_constrained[i] else 0.0
            prof += profit[i]
            mne += 1.0 if is_mne[i] else 0.0
            sme += 0.0 if is_mne[i] else 1.0
            producing = (not is_mne[i]) and revenue[i] > 0
            cost += unit_cost[i] * revenue[i] if producing else 0.0
            output += revenue[i] if producing else 0.0
            zomb += 1.0 if (profit[i] < 0 and subsidy[i] > 0) else 0.0
            va += value_added[i]
            exp_ += exports[i]
            withp += 1.0 if patents_cum[i] > 0 else 0.0
            unit += 1.0 if has_rd_unit[i] else 0.0
            active += 1.0 if rd_active[i] else 0.0
            vc += 1.0 if vc_backed[i] else 0.0
            alp += np.float64(alpha[i])
        sq = 0.0
        denom = max(emp, 1e-12)
        for i in range(region.size):
            if region[i] == g:
                e = np.float64(employees[i]) / denom
                sq += e * e
        totals = (n, rev, rd_, emp, pat, a1, a2, wanting, wanted, cons, prof, 0.0, 0.0, cost, output, zomb,
                  sme, mne, va, exp_, withp, unit, active, vc, alp, sq)
        for k in range(26):
            out[k, g] = totals[k]
    for g in range(R):  # tie ends and within-region ties, counted in registers per region
        ends = 0
        within = 0
        for k in range(tie_key.size):
            ru = region[tie_key[k] >> _SHIFT]
            rv = region[tie_key[k] & _LOW]
            ends += (ru == g) + (rv == g)
            within += 2 * ((ru == g) & (rv == g))
        out[12, g] = ends
        out[11, g] = within
    return out, stage_counts


# ----------------------------------------------------------------------------- absorption
@njit(cache=True)
def candidate_sources(idx, x, y, u, same, anywhere, neighbour, external_search, geo_decay):
    """Candidate sources of each absorbing firm (innovation.absorption).

    Row ``j`` is firm ``i = idx[j]``. Slot ``c`` holds a tied firm
    (``neighbour[j, c]``) when ``u[j, c] > 0.5`` and the firm has ties, otherwise a
    firm from anywhere when ``u[j, c] < external_search`` and a firm of its own region
    else. Returns ``(candidate, tied, -dist / lambda_geo)``, the last in float32 like
    the positions (its exponential is taken by NumPy, as before the kernels).
    """
    k, C = u.shape
    cand = np.empty((k, C), dtype=np.int64)
    tied = np.empty((k, C), dtype=np.bool_)
    scaled = np.empty((k, C), dtype=np.float32)
    decay = np.float32(geo_decay)
    for j in range(k):
        i = idx[j]
        for c in range(C):
            t = u[j, c] > 0.5 and neighbour[j, c] >= 0
            if t:
                s = neighbour[j, c]
            elif u[j, c] < external_search:
                s = anywhere[j, c]
            else:
                s = same[j, c]
            cand[j, c] = s
            tied[j, c] = t
            dx = x[s] - x[i]
            dy = y[s] - y[i]
            scaled[j, c] = -np.sqrt(dx * dx + dy * dy) / decay
    return cand, tied, scaled


@njit(cache=True)
def choose_sources(idx, A, cand, tied, proximity, institute_A, institute_ok, draw):
    """Pick each absorbing firm's source among its candidates (innovation.absorption).

    A better candidate (``A_j > A_i``) weighs ``proximity / (1 + |A_j - A_i|)``
    (``proximity = exp(-dist / lambda_geo)``), doubled for ties; worse ones weigh 0.
    When ``institute_ok`` has one entry per row, the regional research institute
    (technology ``institute_A[j]``, distance 0) is one more candidate, encoded as
    source ``-1``. One uniform ``draw[j]`` picks a slot against the cumulative weights.

    Returns
    -------
    source : int64 array
        Row of the chosen source (-1: the institute); meaningless where no target.
    target_A : float64 array
        Technology of the chosen source.
    has_target : bool array
        False where no candidate was better than the firm.
    """
    k, C = cand.shape
    inst = institute_ok.size == k and k > 0
    ncol = C + 1 if inst else C
    source = np.empty(k, dtype=np.int64)
    target_A = np.empty(k)
    has_target = np.zeros(k, dtype=np.bool_)
    row = np.empty(ncol, dtype=np.int64)
    row_A = np.empty(ncol)
    cum = np.empty(ncol)
    for j in range(k):
        Ai = A[idx[j]]
        total = 0.0
        for c in range(C):
            s = cand[j, c]
            As = A[s]
            row[c] = s
            row_A[c] = As
            w = 0.0
            if As > Ai:
                w = np.float64(proximity[j, c]) / (1.0 + abs(As - Ai))
                if tied[j, c]:
                    w = w * 2.0
            total += w
            cum[c] = total
        if inst:
            Ainst = institute_A[j]
            row[C] = -1
            row_A[C] = Ainst
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
        source[j] = row[pick]
        target_A[j] = row_A[pick]
        has_target[j] = total > 0
    return source, target_A, has_target


# ----------------------------------------------------------------------------- market
# Elementwise arithmetic of the mechanisms, fused. Transcendental functions (exp,
# log, power) stay NumPy ufunc calls outside the kernels: NumPy's vectorised exp/log
# and the C library's differ in the last bit, and the engine's results should not
# depend on which one a step used. Operation order and float32/float64 promotion
# follow the NumPy expressions they replace.
@njit(cache=True)
def replicator(share, A, log_cost, stage, S, chi):
    """Replicator update ``f_i max(0, 1 + chi (E_i - Ebar_s))`` with
    ``E_i = A_i - log c_i`` and ``Ebar_s`` the share-weighted mean of stage ``s``
    (market.replicator_shares). Returns the new, not yet renormalised, shares."""
    n = share.size
    E = np.empty(n)
    sE = np.empty(n)
    for i in range(n):
        E[i] = A[i] - log_cost[i]
        sE[i] = share[i] * E[i]
    tot = group_sum(stage, share, S)
    Ebar = group_sum(stage, sE, S)
    for s in range(S):
        Ebar[s] = Ebar[s] / max(tot[s], 1e-300)
    out = np.empty(n)
    for i in range(n):
        out[i] = share[i] * max(0.0, 1.0 + chi * (E[i] - Ebar[stage[i]]))
    return out


@njit(cache=True)
def normalise_within(share, stage, S, out):
    """``out_i = f_i / sum_{j in stage(i)} f_j`` (shares sum to one within each stage)."""
    tot = group_sum(stage, share, S)
    for i in range(share.size):
        out[i] = share[i] / max(tot[stage[i]], 1e-300)


# ----------------------------------------------------------------------------- innovation
@njit(cache=True)
def invention_rate(xi, rd, region, wage, premium, zeta1, spillover_effect, spillover):
    """Poisson rate of inventions ``zeta1 N_in (1 + b_sp S_r)`` with researchers
    ``N_in = xi RD / (w_r premium)`` (innovation.own_research)."""
    out = np.empty(rd.size)
    for i in range(rd.size):
        r = region[i]
        researchers = np.float64(xi[i]) * rd[i] / (wage[r] * premium)
        out[i] = zeta1 * researchers * (1.0 + spillover_effect * spillover[r])
    return out


@njit(cache=True)
def absorption_exponent(xi, rd, alpha, degree, region, wage, premium, tie_access, ties_ref, information_access,
                        information, extra_access, zeta2):
    """``-zeta2 N_im alpha access`` (the success probability is ``1 - exp`` of it) and
    whether the firm tries at all (``N_im > 0``), with imitation researchers
    ``N_im = (1 - xi) RD / (w_r premium)`` and
    ``access = 1 + d_tie deg/k_ref + d_info info_r (+ intermediaries)``
    (innovation.absorption)."""
    n = rd.size
    out = np.empty(n)
    trying = np.empty(n, dtype=np.bool_)
    for i in range(n):
        r = region[i]
        researchers = np.float64(np.float32(1.0) - xi[i]) * rd[i] / (wage[r] * premium)
        access = 1.0 + tie_access * np.float64(degree[i]) / ties_ref + information_access * information[r]
        access = access + extra_access[r]
        out[i] = -zeta2 * researchers * np.float64(alpha[i]) * access
        trying[i] = researchers > 0
    return out, trying


@njit(cache=True)
def update_absorptive_capacity(alpha, rd, revenue, region, training, alpha_rd, alpha_training, alpha_decay):
    """``alpha += k_rd RD/R + k_tr training_r - d_alpha alpha``, clipped to [0, 1], in
    place (innovation.absorptive_capacity)."""
    decay = np.float32(alpha_decay)
    for i in range(alpha.size):
        intensity = rd[i] / max(revenue[i], 1e-12) if revenue[i] > 0 else 0.0
        a = np.float64(alpha[i]) + alpha_rd * intensity + alpha_training * training[region[i]]
        a = a - np.float64(decay * alpha[i])
        alpha[i] = np.float32(min(max(a, 0.0), 1.0))


# ----------------------------------------------------------------------------- entry and exit
@njit(cache=True)
def spinoff_parents(A, Abar, region, employees, is_mne, u_sme, u_mne, rate, quality, min_employees):
    """Rows that spawn a spin-off: SMEs above ``L_min`` employees with
    ``u < sigma (1 + b_sp (A_i - Abar_r))`` (clipped to [0, 1]), MNEs regardless of
    size (entry.spinoffs)."""
    out = np.empty(A.size, dtype=np.int64)
    m = 0
    lmin = np.float32(min_employees)
    for i in range(A.size):
        p = min(max(rate * (1.0 + quality * (A[i] - Abar[region[i]])), 0.0), 1.0)
        if (employees[i] > lmin and not is_mne[i] and u_sme[i] < p) or (is_mne[i] and u_mne[i] < p):
            out[m] = i
            m += 1
    return out[:m]


@njit(cache=True)
def exit_mask(age, grace_years, net_worth, share, stage, f_min):
    """Firms past the grace period with negative net worth or a share below
    ``f_min`` of their stage (exit.exiting)."""
    out = np.empty(age.size, dtype=np.bool_)
    for i in range(age.size):
        out[i] = age[i] >= grace_years and (net_worth[i] < 0 or share[i] < f_min[stage[i]])
    return out


# ----------------------------------------------------------------------------- costs
#: rows of :func:`cost_rows`' result
COST_ROWS = ("labour", "wages", "inputs", "fixed", "transaction", "rent", "total")


@njit(cache=True)
def cost_rows(Q, q, exp_A, size_term, stage, region, degree, wage, skill_premium, value_added_share, input_cut,
              fixed_cut, intermediary_cut, rent, productivity_scale, fixed_cost, transaction_cost, trust_effect,
              ties_ref, trust_on):
    """Cost components of every firm (costs.cost_components), one row of the result
    per name in :data:`COST_ROWS`.

    ``q`` is physical output ``Q / p_s``, ``exp_A = exp(A)`` and
    ``size_term = (1 + q/Q_half)^kappa`` (computed by NumPy ufuncs):
    ``L = q / (q0 exp(A)) size_term``, wages ``w_r k_s L``, inputs
    ``mu_s Q (1 - cut_rs)``, fixed ``F0 (1 - cut_r)``, transaction
    ``tau Q (1 - d_trust min(1, deg/k_ref)) (1 - cut_r)``, rent, and their total.
    """
    n = Q.size
    out = np.empty((7, n))
    for i in range(n):
        r = region[i]
        s = stage[i]
        L = q[i] / (productivity_scale * exp_A[i]) * size_term[i]
        wages = wage[r] * skill_premium[s] * L
        inputs = (1.0 - value_added_share[s]) * Q[i] * (1.0 - input_cut[r, s])
        fixed = fixed_cost * (1.0 - fixed_cut[r]) * 1.0
        trust_cut = trust_effect * min(1.0, degree[i] / ties_ref) if trust_on else 0.0
        transaction = transaction_cost * Q[i] * (1.0 - trust_cut) * (1.0 - intermediary_cut[r])
        rent_i = rent[r] * 1.0
        out[0, i] = L
        out[1, i] = wages
        out[2, i] = inputs
        out[3, i] = fixed
        out[4, i] = transaction
        out[5, i] = rent_i
        out[6, i] = wages + inputs + fixed + transaction + rent_i
    return out


@njit(cache=True)
def operating_accounts(revenue, total_cost, inputs, labour, debt, interest_rate, employees, unit_cost, value_added):
    """The year's operating accounts (engine step 2), in place: employees, unit cost
    per USD of output (kept from last year when nothing was sold) and value added;
    returns ``(interest, operating profit)``."""
    n = revenue.size
    interest = np.empty(n)
    operating = np.empty(n)
    for i in range(n):
        employees[i] = np.float32(labour[i])
        if revenue[i] > 0:
            unit_cost[i] = total_cost[i] / max(revenue[i], 1e-12)
        interest[i] = interest_rate * debt[i]
        operating[i] = revenue[i] - total_cost[i] - interest[i]
        value_added[i] = revenue[i] - inputs[i]
    return interest, operating


@njit(cache=True)
def bin_counts(values, width, group, G):
    """Members of each group in each bin ``floor(value / width)`` (bins from the lowest
    occupied one up to the highest): a ``(G, bins)`` count matrix in one pass after
    the range is known."""
    n = values.size
    b = np.empty(n, dtype=np.int64)
    lo = np.iinfo(np.int64).max
    hi = np.iinfo(np.int64).min
    for i in range(n):
        b[i] = np.int64(np.floor(values[i] / width))
        lo = min(lo, b[i])
        hi = max(hi, b[i])
    out = np.zeros((G, hi - lo + 1 if n else 0), dtype=np.int64)
    for i in range(n):
        out[group[i], b[i] - lo] += 1
    return out


# ----------------------------------------------------------------------------- sorting
@njit(cache=True)
def sort_float32(x):
    """Ascending copy of a float32 array by a least-significant-digit radix sort.

    Floats are mapped to unsigned keys that order like the numbers (flip the sign
    bit of non-negative values, every bit of negative ones), then sorted by three
    11-bit digits: O(n) with a small constant, several times faster than
    comparison sorting at the sizes of a region's firm population. The same sorted
    values as :func:`numpy.sort` (NaN excepted).
    """
    n = x.size
    bits = x.view(np.uint32)
    keys = np.empty(n, dtype=np.uint32)
    for i in range(n):
        b = bits[i]
        keys[i] = b ^ np.uint32(0xFFFFFFFF) if b >> np.uint32(31) else b | np.uint32(0x80000000)
    tmp = np.empty(n, dtype=np.uint32)
    counts = np.empty(2049, dtype=np.int64)
    for shift in (0, 11, 22):
        counts[:] = 0
        sh = np.uint32(shift)
        for i in range(n):
            counts[((keys[i] >> sh) & np.uint32(0x7FF)) + 1] += 1
        for d in range(2048):
            counts[d + 1] += counts[d]
        for i in range(n):
            d = (keys[i] >> sh) & np.uint32(0x7FF)
            tmp[counts[d]] = keys[i]
            counts[d] += 1
        keys, tmp = tmp, keys
    out = np.empty(n, dtype=np.uint32)
    for i in range(n):
        k = keys[i]
        out[i] = k ^ np.uint32(0x80000000) if k >> np.uint32(31) else k ^ np.uint32(0xFFFFFFFF)
    return out.view(np.float32)


# ----------------------------------------------------------------------------- random draws
# Kernels draw from the model's Generator only where Numba reproduces NumPy's stream
# exactly: ``random()`` (one 53-bit double per 64-bit output, the same bits).
# Numba's ports of NumPy's other samplers (Poisson by transformed rejection, Beta,
# binomial, normal) agree with NumPy in all but rare draws — enough to change a run's
# course — so those stay NumPy calls.
def poisson_repeat(rng, lam_by_group, group):
    """``np.repeat(np.arange(n), rng.poisson(lam_by_group[group]))``, the same stream.

    Each row ``i`` is repeated a Poisson(``lam_by_group[group[i]]``) number of times
    (e.g. the firms forming new ties). For rates below 10 the draws are compiled
    (:func:`_poisson_repeat_small`); otherwise NumPy draws them.
    """
    lam = np.asarray(lam_by_group, dtype=np.float64)
    if lam.size and (lam.min() < 0 or lam.max() >= 10.0):
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


@njit(cache=True)
def survive_ties(buf, T, u, p):
    """Tie ``k`` of ``buf[:T]`` dissolves when ``u[k] < p``; the survivors are kept in
    place, in order. Returns the new length."""
    m = 0
    for k in range(T):
        if not u[k] < p:
            buf[m] = buf[k]
            m += 1
    return m


# ----------------------------------------------------------------------------- finance and accounts
@njit(cache=True)
def wanted_rd(rd_intensity, revenue, rd_min_project, out):
    """Wanted R&D ``max(rho_i R_i, RD_min)`` for firms with ``rho_i > 0``, else 0, into ``out``."""
    for i in range(revenue.size):
        rho = np.float64(rd_intensity[i])
        out[i] = max(rho * revenue[i], rd_min_project) if rho > 0 else 0.0


@njit(cache=True)
def fund_all_rd(wanted, operating, debt, rd, credit_constrained, rd_active):
    """Perfect capital markets (finance off): every wanted project is funded, by loans
    for what operating profit does not cover; in place."""
    for i in range(wanted.size):
        debt[i] = debt[i] + max(0.0, wanted[i] - max(operating[i], 0.0))
        rd[i] = wanted[i]
        credit_constrained[i] = False
        rd_active[i] = rd[i] > 0


@njit(cache=True)
def year_profit(operating, rd, profit):
    """Profit after R&D, ``operating - RD``, into ``profit``."""
    for i in range(rd.size):
        profit[i] = operating[i] - rd[i]


@njit(cache=True)
def close_books(profit, payout_ratio, vc_pay, net_worth, debt, capital, subsidy):
    """Year-end balance sheets (engine step 4), in place: owners take
    ``payout_ratio max(profit, 0)``, VC funds ``vc_pay``; net worth keeps the rest;
    debt is amortised by 15% from cash; capital ``max(NW + debt, 0)``; subsidies
    are spent. Returns the owners' payout per firm."""
    owners = np.empty(profit.size)
    for i in range(profit.size):
        owners[i] = payout_ratio * max(profit[i], 0.0)
        net_worth[i] = net_worth[i] + profit[i] - owners[i] - vc_pay[i]
        debt[i] = debt[i] * 0.85
        capital[i] = max(net_worth[i] + debt[i], 0.0)
        subsidy[i] = 0.0
    return owners
