"""Per-group totals over the firm table in one compiled pass each.

Sums over firms are sequential, in row order, so that they equal ``np.bincount``
bit for bit. A sequential sum is a chain of dependent additions; accumulating into
``out[group[i]]`` makes that chain run through memory (a store-to-load round trip per
row) whenever consecutive rows share a group — always with one region, mostly with a
few regions, whose firms sit in long runs. For up to ``_REGISTER_GROUPS`` groups the
sum is kept in a register instead, one pass per group, adding 0.0 for the other
groups' rows (which leaves a sum unchanged).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from innocluster.model.kernels.network import _LOW, _SHIFT
from innocluster.model.kernels.sorting import sort_float32

_REGISTER_GROUPS = 3


@njit(cache=True, error_model="numpy")
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


#: up to this many groups, counts take one vectorised comparison pass per group
#: (integer counts are exact in any order; at 16,000 firms in 5 GVC stages the passes
#: took half the time of counting through memory)
_COUNT_PASS_GROUPS = 8


@njit(cache=True, error_model="numpy")
def group_count(group, G):
    """``np.bincount(group, minlength=G)``: members of each of ``G`` groups."""
    out = np.zeros(G, dtype=np.int64)
    if G <= _COUNT_PASS_GROUPS:
        for g in range(G):
            c = 0
            for i in range(group.size):
                c += group[i] == g
            out[g] = c
    else:
        for i in range(group.size):
            out[group[i]] += 1
    return out


@njit(cache=True, error_model="numpy")
def cross_count(a, A, b, B):
    """Joint counts ``out[a_i, b_i] += 1`` (e.g. firms per region and GVC stage)."""
    out = np.zeros((A, B), dtype=np.int64)
    for i in range(a.size):
        out[a[i], b[i]] += 1
    return out


@njit(cache=True, error_model="numpy")
def exited_flows(region, mask, R, revenue, rd, rd_wanted, patents_new, value_added, exports, profit, net_worth,
                 alive):
    """Per-region totals over the exiting firms (``mask``) of the year's flows, one row
    each for revenue, R&D, wanted R&D, new patents, value added, exports and profit,
    the number of exits, and the net worth they take with them — one pass instead of
    one bincount per column (row order: the same sums as bincount). The exiting firms
    are marked dead (``alive`` set to False) in the same pass."""
    out = np.zeros((9, R))
    for g in range(R):
        t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = t8 = 0.0
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
                t8 += net_worth[i]
                alive[i] = False
        out[0, g] = t0
        out[1, g] = t1
        out[2, g] = t2
        out[3, g] = t3
        out[4, g] = t4
        out[5, g] = t5
        out[6, g] = t6
        out[7, g] = t7
        out[8, g] = t8
    return out


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def weighted_total(values, weights):
    """``(sum_i v_i w_i, sum_i w_i)`` in float64, in row order (a weighted mean's two sums
    in one pass)."""
    num = 0.0
    den = 0.0
    for i in range(values.size):
        w = np.float64(weights[i])
        num += values[i] * w
        den += w
    return num, den


def group_gini(values, group, G):
    """Gini coefficient of the float32 ``values`` within each group (0 for an empty group
    or one whose values sum to 0 or less).

    ``Gini = 2 sum_i i x_(i) / (n sum_i x_i) - (n + 1) / n`` over the group's values
    ascending, ``i = 1..n`` (the sorted form of the mean absolute difference; Sen 1973);
    each group's values are sorted by :func:`sort_float32`, the sums run in that order.
    Other dtypes raise (the radix sort reads float32 bits).
    """
    values = np.asarray(values)
    if values.dtype != np.float32:
        raise TypeError(f"group_gini: float32 values expected (firm sizes), got {values.dtype}")
    if values.shape != np.shape(group):
        raise ValueError(f"group_gini: {values.size} values for {np.size(group)} group labels")
    return _group_gini(values, group, G)


@njit(cache=True, error_model="numpy")
def _group_gini(values, group, G):
    """:func:`group_gini`'s compiled pass over float32 ``values``."""
    out = np.zeros(G)
    counts = group_count(group, G)
    for g in range(G):
        c = counts[g]
        if c == 0:
            continue
        if c == group.size:  # the only group: no gathered copy
            x = sort_float32(values)
        else:
            v = np.empty(c, dtype=np.float32)
            m = 0
            for i in range(group.size):
                if group[i] == g:
                    v[m] = values[i]
                    m += 1
            x = sort_float32(v)
        tot = 0.0
        weighted = 0.0
        for j in range(c):
            xj = np.float64(x[j])
            tot += xj
            weighted += (j + 1) * xj
        if tot > 0:
            out[g] = 2.0 * weighted / (c * tot) - (c + 1) / c
    return out


@njit(cache=True, error_model="numpy")
def group_entropy(values, width, group, G):
    """Shannon entropy in bits of each group's histogram of ``values`` in bins of
    ``width`` (``floor(value / width)``, :func:`bin_counts`): ``-sum_b p_b log2 p_b``
    over the occupied bins, 0 for an empty group."""
    out = np.zeros(G)
    if values.size == 0:
        return out
    counts = bin_counts(values, width, group, G)
    for g in range(G):
        tot = 0.0
        for b in range(counts.shape[1]):
            tot += counts[g, b]
        if tot <= 0:
            continue
        h = 0.0
        for b in range(counts.shape[1]):
            if counts[g, b] > 0:
                p = counts[g, b] / tot
                h -= p * np.log2(p)
        out[g] = h + 0.0  # -0.0 for a single occupied bin reads as 0
    return out


#: rows of :func:`region_totals`' result (one column per region)
TOTALS = ("firms", "revenue", "rd", "employees", "patents_new", "A", "A2", "rd_wanting", "rd_wanted",
          "credit_constrained", "profit", "ties_within", "tie_ends", "sme_cost", "sme_output", "zombies",
          "firms_sme", "firms_mne", "value_added", "exports", "with_patent", "rd_unit", "rd_active",
          "vc_backed", "alpha", "employment_share_sq")


@njit(cache=True, error_model="numpy")
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
        rev = rd_ = emp = pat = a1 = a2 = wanted = prof = 0.0
        cost = output = va = exp_ = alp = 0.0
        # counts in integers (exact, and integer additions do not wait on each other
        # like the floating-point chains), converted below
        n = wanting = cons = zomb = mne = withp = unit = active = vc = 0
        for i in range(region.size):
            if region[i] != g:
                continue
            n += 1
            rev += revenue[i]
            rd_ += rd[i]
            emp += np.float64(employees[i])
            pat += np.float64(patents_new[i])
            a = A[i]
            a1 += a
            a2 += a * a
            # branch-free: these flags are close to coin flips, mispredicted branches cost more
            wanting += rd_wanted[i] > 0
            wanted += rd_wanted[i]
            cons += credit_constrained[i]
            prof += profit[i]
            mne += is_mne[i]
            producing = (not is_mne[i]) and revenue[i] > 0
            cost += unit_cost[i] * revenue[i] if producing else 0.0
            output += revenue[i] if producing else 0.0
            zomb += (profit[i] < 0) & (subsidy[i] > 0)
            va += value_added[i]
            exp_ += exports[i]
            withp += patents_cum[i] > 0
            unit += has_rd_unit[i]
            active += rd_active[i]
            vc += vc_backed[i]
            alp += np.float64(alpha[i])
        sme = n - mne
        sq = 0.0
        denom = np.maximum(emp, 1e-12)
        for i in range(region.size):
            if region[i] == g:
                e = np.float64(employees[i]) / denom
                sq += e * e
        totals = (np.float64(n), rev, rd_, emp, pat, a1, a2, np.float64(wanting), wanted, np.float64(cons), prof,
                  0.0, 0.0, cost, output, np.float64(zomb), np.float64(sme), np.float64(mne), va, exp_,
                  np.float64(withp), np.float64(unit), np.float64(active), np.float64(vc), alp, sq)
        for k in range(26):
            out[k, g] = totals[k]
    if R == 1:  # one region: every tie lies within it, both ends
        out[12, 0] = 2 * tie_key.size
        out[11, 0] = 2 * tie_key.size
        return out, stage_counts
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
