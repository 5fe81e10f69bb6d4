"""Mechanisms' elementwise arithmetic, fused into one pass over the firms each.

Transcendental functions (exp, log, power) stay NumPy ufunc calls outside these
kernels: NumPy's vectorised exp/log and the C library's differ in the last bit, and
the engine's results should not depend on which one a step used. Operation order and
float32/float64 promotion follow the NumPy expressions these kernels replaced, and
``np.maximum``/``np.minimum`` keep NumPy's handling of NaN (Python's ``max``/``min``
would silently drop it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from innocluster.model.kernels.network import _LOW, _SHIFT, neighbour_lists_of_degree
from innocluster.model.kernels.sampling import (
    block_row,
    random_member,
    region_blocks,
    stage_from_cumulative,
    uniform_index,
)
from innocluster.model.kernels.totals import group_count, group_sum


# ----------------------------------------------------------------------------- market
@njit(cache=True, error_model="numpy")
def replicator(share, A, log_cost, stage, S, chi, shock_factor, out):
    """Replicator update of market shares, renormalised within each stage, written into
    ``out`` (market.replicator_shares; ``out`` may be ``share`` itself).

    ``f_i max(0, 1 + chi (E_i - Ebar_s)) x_i``, with ``E_i = A_i - log c_i``, ``Ebar_s``
    the share-weighted mean of stage ``s`` and ``x_i`` the demand shock factor
    (``shock_factor``, or 1 when it is empty), divided by the stage's total of these
    (:func:`normalise_within`'s division). Every total is summed in row order, so the
    shares equal those of the replicator, the NumPy product with the shock factor and
    :func:`normalise_within` one after the other.
    """
    n = share.size
    new = np.empty(n)  # E_i first, then the updated (not yet renormalised) share
    # the stage totals of f and f E, summed in row order (group_sum's sums) in the pass
    # that computes E
    tot = np.zeros(S)
    Ebar = np.zeros(S)
    for i in range(n):
        e = A[i] - log_cost[i]
        new[i] = e
        s = stage[i]
        tot[s] += share[i]
        Ebar[s] += share[i] * e
    for s in range(S):
        Ebar[s] = Ebar[s] / np.maximum(tot[s], 1e-300)
    shocked = shock_factor.size > 0
    if shocked and shock_factor.size != n:
        raise ValueError("replicator: one shock factor per firm expected")
    total = np.zeros(S)
    for i in range(n):
        v = share[i] * np.maximum(0.0, 1.0 + chi * (new[i] - Ebar[stage[i]]))
        if shocked:
            v = v * shock_factor[i]
        new[i] = v
        total[stage[i]] += v
    for i in range(n):
        out[i] = new[i] / np.maximum(total[stage[i]], 1e-300)


@njit(cache=True, error_model="numpy")
def normalise_within(share, stage, S, out):
    """``out_i = f_i / sum_{j in stage(i)} f_j`` (shares sum to one within each stage)."""
    tot = group_sum(stage, share, S)
    for i in range(share.size):
        out[i] = share[i] / np.maximum(tot[stage[i]], 1e-300)


@njit(cache=True, error_model="numpy")
def stage_revenues(share, demand, stage, export_share, region, revenue, exports):
    """``R_i = f_i D_s`` and ``X_i = x_r R_i`` written into ``revenue`` and ``exports``
    (market.revenues; one pass instead of two gathers by small-integer codes)."""
    for i in range(share.size):
        r = share[i] * demand[stage[i]]
        revenue[i] = r
        exports[i] = export_share[region[i]] * r


@njit(cache=True, error_model="numpy")
def entrant_shares(firm_stage, S, stage, entrant_share):
    """Initial (pre-normalisation) share of entrants in ``stage``: ``entrant_share``
    times the stage's mean share ``1 / max(n_s, 1)`` over the firms' stages
    ``firm_stage`` (market.entrant_share; one pass to count, one over the entrants)."""
    counts = group_count(firm_stage, S)
    out = np.empty(stage.size)
    for j in range(stage.size):
        out[j] = entrant_share * (1.0 / np.maximum(np.float64(counts[stage[j]]), 1.0))
    return out


# ----------------------------------------------------------------------------- costs and accounts
#: rows of :func:`cost_rows`' result
COST_ROWS = ("labour", "wages", "inputs", "fixed", "transaction", "rent", "total")


@njit(cache=True, error_model="numpy")
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
        fixed = fixed_cost * (1.0 - fixed_cut[r])
        trust_cut = trust_effect * np.minimum(1.0, degree[i] / ties_ref) if trust_on else 0.0
        transaction = transaction_cost * Q[i] * (1.0 - trust_cut) * (1.0 - intermediary_cut[r])
        rent_i = rent[r]
        out[0, i] = L
        out[1, i] = wages
        out[2, i] = inputs
        out[3, i] = fixed
        out[4, i] = transaction
        out[5, i] = rent_i
        out[6, i] = wages + inputs + fixed + transaction + rent_i
    return out


#: money flows of the year's operating accounts that :func:`operating_accounts` totals,
#: in the order of its ``flows`` (as the ledger books them: into firms positive)
OPERATING_FLOWS = ("revenue", "wages", "inputs", "fixed_costs", "transaction_costs", "rent", "interest")


@njit(cache=True, error_model="numpy")
def operating_accounts(revenue, labour, wages, inputs, fixed, transaction, rent, total_cost, debt, interest_rate,
                       employees, unit_cost, value_added):
    """The year's operating accounts (engine step 2), in place: employees, unit cost
    per USD of output (kept from last year when nothing was sold) and value added.

    Returns ``(operating, flows)``: each firm's operating profit
    ``revenue - total cost - interest_rate debt``, and the economy's totals of
    :data:`OPERATING_FLOWS` for the ledger (revenue in, the cost components and
    interest out, negative), summed in row order in the same pass.
    """
    n = revenue.size
    operating = np.empty(n)
    # separate accumulators: seven independent addition chains, not one
    t_rev = t_wag = t_inp = t_fix = t_tra = t_ren = t_int = 0.0
    for i in range(n):
        employees[i] = np.float32(labour[i])
        if revenue[i] > 0:
            unit_cost[i] = total_cost[i] / np.maximum(revenue[i], 1e-12)
        interest = interest_rate * debt[i]
        operating[i] = revenue[i] - total_cost[i] - interest
        value_added[i] = revenue[i] - inputs[i]
        t_rev += revenue[i]
        t_wag += wages[i]
        t_inp += inputs[i]
        t_fix += fixed[i]
        t_tra += transaction[i]
        t_ren += rent[i]
        t_int += interest
    flows = np.array([t_rev, -t_wag, -t_inp, -t_fix, -t_tra, -t_ren, -t_int])
    return operating, flows


@njit(cache=True, error_model="numpy")
def wanted_rd(rd_intensity, revenue, rd_min_project, out):
    """Wanted R&D ``max(rho_i R_i, RD_min)`` for firms with ``rho_i > 0``, else 0, into ``out``."""
    for i in range(revenue.size):
        rho = np.float64(rd_intensity[i])
        out[i] = np.maximum(rho * revenue[i], rd_min_project) if rho > 0 else 0.0


@njit(cache=True, error_model="numpy")
def fund_all_rd(wanted, operating, debt, rd, credit_constrained, rd_active):
    """Perfect capital markets (finance off): every wanted project is funded, by loans
    for what operating profit does not cover; in place."""
    for i in range(wanted.size):
        debt[i] = debt[i] + np.maximum(0.0, wanted[i] - np.maximum(operating[i], 0.0))
        rd[i] = wanted[i]
        credit_constrained[i] = False
        rd_active[i] = rd[i] > 0


@njit(cache=True, error_model="numpy")
def bank_loans(wanted, net_worth, operating, capital, debt, age, u, cash_share, collateral_ratio, guarantee,
               young_age, collateral_floor, p_refuse):
    """Internal funds, then bank loans (finance.fund_rd): cash
    ``cash_share max(NW, 0) + max(operating profit, 0)`` covers what it can of wanted
    R&D; banks lend up to ``lambda max(K, 0)(1 + guarantee) - debt`` but refuse
    risky firms (young or collateral-poor) when ``u < p_refuse``. Returns
    ``(gap still unfunded, loans)``."""
    n = wanted.size
    gap = np.empty(n)
    loans = np.empty(n)
    for i in range(n):
        cash = cash_share * np.maximum(net_worth[i], 0.0) + np.maximum(operating[i], 0.0)
        g = wanted[i] - np.minimum(wanted[i], cash)
        limit = np.maximum(0.0, collateral_ratio * np.maximum(capital[i], 0.0) * (1.0 + guarantee) - debt[i])
        risky = age[i] < young_age or capital[i] < collateral_floor
        loans[i] = 0.0 if (risky and u[i] < p_refuse) else np.minimum(g, limit)
        gap[i] = g - loans[i]
    return gap, loans


@njit(cache=True, error_model="numpy")
def book_rd_funding(wanted, gap, loans, debt, rd, credit_constrained, rd_active):
    """R&D spent ``wanted - gap``, loans added to debt, and the firm is credit
    constrained when a gap remains (relative tolerance 1e-12); in place."""
    for i in range(wanted.size):
        debt[i] = debt[i] + loans[i]
        rd[i] = wanted[i] - gap[i]
        credit_constrained[i] = wanted[i] > 0 and gap[i] > 1e-12 * np.maximum(wanted[i], 1.0)
        rd_active[i] = rd[i] > 0


@njit(cache=True, error_model="numpy")
def year_profit(operating, rd, profit):
    """Profit after R&D, ``operating - RD``, into ``profit``; returns the total R&D
    spent (summed in row order, for the ledger)."""
    total = 0.0
    for i in range(rd.size):
        profit[i] = operating[i] - rd[i]
        total += rd[i]
    return total


@njit(cache=True, error_model="numpy")
def close_books(profit, payout_ratio, vc_pay, net_worth, debt, capital, subsidy):
    """Year-end balance sheets (engine step 4), in place: owners take
    ``payout_ratio max(profit, 0)``, VC funds ``vc_pay``; net worth keeps the rest;
    debt is amortised by 15% from cash; capital ``max(NW + debt, 0)``; subsidies
    are spent. Returns the totals of the owners' payout and of ``vc_pay`` (summed in
    row order, for the ledger)."""
    owners_total = 0.0
    vc_total = 0.0
    for i in range(profit.size):
        owners = payout_ratio * np.maximum(profit[i], 0.0)
        net_worth[i] = net_worth[i] + profit[i] - owners - vc_pay[i]
        debt[i] = debt[i] * 0.85
        capital[i] = np.maximum(net_worth[i] + debt[i], 0.0)
        subsidy[i] = 0.0
        owners_total += owners
        vc_total += vc_pay[i]
    return owners_total, vc_total


# ----------------------------------------------------------------------------- innovation
@njit(cache=True, error_model="numpy")
def invention_rate(xi, rd, region, wage, premium, zeta1, spillover_effect, spillover):
    """Poisson rate of inventions ``zeta1 N_in (1 + b_sp S_r)`` with researchers
    ``N_in = xi RD / (w_r premium)`` (innovation.own_research)."""
    out = np.empty(rd.size)
    for i in range(rd.size):
        r = region[i]
        researchers = np.float64(xi[i]) * rd[i] / (wage[r] * premium)
        out[i] = zeta1 * researchers * (1.0 + spillover_effect * spillover[r])
    return out


@njit(cache=True, error_model="numpy")
def adopt_inventions(A, rows, jump, inventions, region, p_patent):
    """Inventing firms ``rows`` adopt their jump if it is an improvement,
    ``A_i += max(x_i, 0)``, in place (innovation.own_research); returns each one's
    inventions and patenting probability ``p_patent[region]``, the binomial's arguments."""
    k = rows.size
    trials = np.empty(k, dtype=np.int64)
    p = np.empty(k)
    for j in range(k):
        i = rows[j]
        A[i] += np.maximum(jump[j], 0.0)
        trials[j] = inventions[i]
        p[j] = p_patent[region[i]]
    return trials, p


@njit(cache=True, error_model="numpy")
def add_counts(out, rows, counts):
    """``out[rows] += counts`` (rows distinct), cast to ``out``'s type."""
    for j in range(rows.size):
        out[rows[j]] += counts[j]


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def absorbing_firms(u, p, trying, region, R):
    """Rows that absorb this year (trying, and their uniform below their success
    probability ``p``), ascending, and the firms that tried per region
    (innovation.absorption)."""
    n = u.size
    rows = np.empty(n, dtype=np.int64)
    attempts = np.zeros(R)
    m = 0
    for i in range(n):
        if trying[i]:
            attempts[region[i]] += 1.0
            if u[i] < p[i]:
                rows[m] = i
                m += 1
    return rows[:m], attempts


@njit(cache=True, error_model="numpy")
def absorption_sources(u, idx, n_candidates, region, R, key, degree, x, y, A, external_search, geo_decay,
                       institute_A, institute_collaboration):
    """Each absorbing firm's source (innovation.absorption).

    Row ``j`` is firm ``i = idx[j]``; it reads the uniforms
    ``u[j (C + 2):(j + 1)(C + 2)]`` (``C = n_candidates``), one per candidate slot.
    Slot ``c``'s uniform ``v`` holds a tied firm when ``v > 0.5`` and the firm has ties,
    otherwise a firm from anywhere when ``v < external_search``, and a firm of its own
    region else; where ``v`` falls within its range, rescaled to [0, 1), picks the firm
    (uniformly among the ties, all firms or the region's firms: conditional on the
    range, that position is uniform and independent of the kind). A better candidate
    (``A_j > A_i``) weighs
    ``exp(-dist / lambda_geo) / (1 + |A_j - A_i|)`` (float32 distance and exponential,
    like the positions), doubled for ties; worse ones weigh 0. When ``institute_A`` has
    one entry per region, the regional research institute (distance 0, source -1) is
    one more candidate if uniform ``C`` is below ``institute_collaboration``. Uniform
    ``C + 1`` picks a slot against the cumulative weights. ``degree`` is each firm's
    number of ties (:func:`~innocluster.model.kernels.network.tie_degree` of ``key``):
    the neighbour lists then take one pass over the keys.

    Returns
    -------
    source : int64 array
        Row of the chosen source (-1: the institute); meaningless where no target.
    target_A : float64 array
        Technology of the chosen source.
    has_target : bool array
        False where no candidate was better than the firm.
    """
    n = A.size
    k = idx.size
    C = n_candidates
    stride = C + 2
    if u.size < k * stride:
        raise ValueError("absorption_sources: fewer uniforms than the candidates need")
    order, starts, counts = region_blocks(region, R)
    slot, start, lists = neighbour_lists_of_degree(key, n, idx, degree)
    inst = institute_A.size == R
    source = np.full(k, -1, dtype=np.int64)
    target_A = np.empty(k)
    has_target = np.zeros(k, dtype=np.bool_)
    cand = np.empty(C + 1, dtype=np.int64)
    cum = np.empty(C + 1)
    decay = np.float32(geo_decay)
    for j in range(k):
        i = idx[j]
        r = region[i]
        Ai = A[i]
        s0 = start[slot[i]]
        deg = start[slot[i] + 1] - s0
        v = j * stride
        total = 0.0
        own_top = 0.5 if deg > 0 else 1.0  # the own region's range is [external_search, own_top)
        for c in range(C):
            kind = u[v + c]
            tied = kind > 0.5 and deg > 0
            if tied:
                s = lists[s0 + uniform_index((kind - 0.5) * 2.0, deg)]
            elif kind < external_search:
                s = uniform_index(kind / external_search, n)
            else:  # the firm's own region holds at least the firm
                span = own_top - external_search  # > 0 but for kind == external_search == 0.5 exactly
                pos = (kind - external_search) / span if span > 0 else 0.0
                s = block_row(order, starts, r, uniform_index(pos, counts[r]))
            cand[c] = s
            w = 0.0
            As = A[s]
            if As > Ai:
                dx = x[s] - x[i]
                dy = y[s] - y[i]
                w = np.float64(np.exp(-np.sqrt(dx * dx + dy * dy) / decay)) / (1.0 + abs(As - Ai))
                if tied:
                    w = w * 2.0
            total += w
            cum[c] = total
        ncol = C
        if inst:
            w = 0.0
            if u[v + C] < institute_collaboration and institute_A[r] > Ai:
                w = 1.0 / (1.0 + abs(institute_A[r] - Ai))
            cand[C] = -1
            total += w
            cum[C] = total
            ncol = C + 1
        target_A[j] = Ai
        if total > 0:
            d = u[v + C + 1] * total
            pick = ncol - 1
            for c in range(ncol):
                if d < cum[c]:
                    pick = c
                    break
            source[j] = cand[pick]
            target_A[j] = institute_A[r] if cand[pick] < 0 else A[cand[pick]]
            has_target[j] = True
    return source, target_A, has_target


@njit(cache=True, error_model="numpy")
def catch_up(A, idx, target_A, has_target, eta, region, R, u_recreate, recreation):
    """Absorbing firms with a source close ``eta`` of the gap, ``A_i += eta (A_s - A_i)``,
    all from the technologies before this year's absorption (innovation.absorption).

    Returns the successes per region and the rows that go on to re-create (a source and
    ``u_recreate[j] < recreation``), in the order of ``idx``.
    """
    successes = np.zeros(R, dtype=np.int64)
    recreating = np.empty(idx.size, dtype=np.int64)
    m = 0
    for j in range(idx.size):
        if has_target[j]:
            i = idx[j]
            A[i] += eta * (target_A[j] - A[i])
            successes[region[i]] += 1
            if u_recreate[j] < recreation:
                recreating[m] = i
                m += 1
    return successes, recreating[:m]


@njit(cache=True, error_model="numpy")
def recreate(A, patents_new, rows, jump, u_patent, p_patent, region, idx, source, has_target, u_tie, p_tie):
    """Re-creation after absorption (innovation.absorption): firm ``rows[j]`` adds its
    jump if positive, ``A_i += max(x_j, 0)``, and patents it when ``x_j > 0`` and
    ``u_patent[j] < p_patent[region]``. Returns the ends ``(a, b)`` of the collaboration
    ties: absorber ``idx[j]`` and its firm source where ``u_tie[j] < p_tie``."""
    for j in range(rows.size):
        i = rows[j]
        x = max(jump[j], 0.0)
        A[i] += x
        if x > 0 and u_patent[j] < p_patent[region[i]]:
            patents_new[i] += 1
    a = np.empty(idx.size, dtype=np.int64)
    b = np.empty(idx.size, dtype=np.int64)
    m = 0
    for j in range(idx.size):
        if has_target[j] and source[j] >= 0 and u_tie[j] < p_tie:
            a[m] = idx[j]
            b[m] = source[j]
            m += 1
    return a[:m], b[:m]


@njit(cache=True, error_model="numpy")
def update_absorptive_capacity(alpha, rd, revenue, region, training, alpha_rd, alpha_training, alpha_decay, u,
                               p_unit, has_rd_unit):
    """``alpha += k_rd RD/R + k_tr training_r - d_alpha alpha``, clipped to [0, 1], in
    place, and R&D units set up by firms without one where ``u_i < p_r``
    (innovation.absorptive_capacity), in one pass. Returns the adopters' rows in row
    order (``has_rd_unit`` is updated in place)."""
    decay = np.float32(alpha_decay)
    n = alpha.size
    rows = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        intensity = rd[i] / np.maximum(revenue[i], 1e-12) if revenue[i] > 0 else 0.0
        a = np.float64(alpha[i]) + alpha_rd * intensity + alpha_training * training[region[i]]
        a = a - np.float64(decay * alpha[i])
        alpha[i] = np.float32(np.minimum(np.maximum(a, 0.0), 1.0))
        if not has_rd_unit[i] and u[i] < p_unit[region[i]]:
            has_rd_unit[i] = True
            rows[m] = i
            m += 1
    return rows[:m]


# ----------------------------------------------------------------------------- diffusion
@njit(cache=True, error_model="numpy")
def spillovers(key, A, region, between_clusters, network_rate, local_rate, localisation, Abar):
    """Network and proximity spillovers (diffusion.network_spillovers), applied to ``A``
    in place: ``dA_i = nu_net sum_j w_ij max(0, A_j - A_i) / deg_i
    + nu_loc loc_r max(0, Abar_r - A_i)`` with ``w_ij = 1`` within a region and
    ``between_clusters`` across. A firm's tie terms are summed in the order of
    ``bincount`` over both directions of the sorted keys (its lower-end ties first).
    """
    n = A.size
    total = np.zeros(n)
    deg = np.zeros(n, dtype=np.int64)
    for k in range(key.size):  # direction u -> v: u learns from v
        u = key[k] >> _SHIFT
        v = key[k] & _LOW
        w = 1.0 if region[u] == region[v] else between_clusters
        total[u] += np.maximum(0.0, A[v] - A[u]) * w
        deg[u] += 1
    for k in range(key.size):  # direction v -> u
        u = key[k] >> _SHIFT
        v = key[k] & _LOW
        w = 1.0 if region[v] == region[u] else between_clusters
        total[v] += np.maximum(0.0, A[u] - A[v]) * w
        deg[v] += 1
    dA = np.empty(n)
    for i in range(n):
        dA[i] = 0.0 + network_rate * total[i] / np.maximum(deg[i], 1)
        r = region[i]
        dA[i] += local_rate * localisation[r] * np.maximum(0.0, Abar[r] - A[i])
    for i in range(n):
        A[i] += dA[i]


# ----------------------------------------------------------------------------- entry and exit
@njit(cache=True, error_model="numpy")
def entrant_traits(u, z, region, rd_unit_share, informal_share, rd_intensity, rd_intensity_sd, alpha_mean,
                   rd_share_own):
    """R&D unit, wanted R&D intensity, R&D split and absorptive capacity of new firms
    (entry.draw_firm_traits) from two uniforms ``u[:, j]`` and three standard normals
    ``z[:, j]`` per firm ``j``.

    An R&D unit with the region's share (``u0``); without one, informal R&D with
    ``informal_share`` (``u1``); wanted intensity ``rho exp(s z0 - s^2/2)`` (mean
    ``rho``), a quarter of it for informal R&D, 0 for none; ``alpha = alpha_r + 0.1 z1``
    and ``xi = xi_own + 0.1 z2``, clipped to [0, 1].
    """
    k = region.size
    has_unit = np.empty(k, dtype=np.bool_)
    rho = np.empty(k)
    alpha = np.empty(k)
    xi = np.empty(k)
    mu = -0.5 * rd_intensity_sd * rd_intensity_sd
    for j in range(k):
        r = region[j]
        has_unit[j] = u[0, j] < rd_unit_share[r]
        wanted = rd_intensity * math.exp(mu + rd_intensity_sd * z[0, j])
        if has_unit[j]:
            rho[j] = wanted
        elif u[1, j] < informal_share:
            rho[j] = 0.25 * wanted
        else:
            rho[j] = 0.0
        alpha[j] = min(max(alpha_mean[r] + 0.1 * z[1, j], 0.0), 1.0)
        xi[j] = min(max(rd_share_own + 0.1 * z[2, j], 0.0), 1.0)
    return has_unit, rho, alpha, xi


@njit(cache=True, error_model="numpy")
def startup_sites(u, z, region, R, firm_region, firm_x, firm_y, stage_cum, Abar, tech_gap, tech_sd, centre_x,
                  centre_y, radius):
    """Stage, technology and position of start-ups (entry.startups) from two uniforms
    ``u[:, j]`` and three standard normals ``z[:, j]`` per start-up ``j`` of region ``r``.

    Stage: the first whose cumulative share ``stage_cum[r]`` reaches ``u0`` (the top one
    where rounding leaves the sum below 1). Technology ``Abar_r - gap + 0.5 sd_r z0``.
    Position: next to a uniformly random firm of the region (``u1``; Sorenson & Audia
    2000), ``anchor + radius_r / 5 (z1, z2)``, or around the region's centre
    ``centre + radius_r (z1, z2)`` when it has no firm.
    """
    k = region.size
    stage = stage_from_cumulative(u[0], region, stage_cum)
    anchor = random_member(firm_region, R, np.arange(firm_region.size), region, u[1])
    A = np.empty(k)
    x = np.empty(k)
    y = np.empty(k)
    for j in range(k):
        r = region[j]
        A[j] = Abar[r] - tech_gap + 0.5 * tech_sd[r] * z[0, j]
        a = anchor[j]
        if a >= 0:
            x[j] = np.float64(firm_x[a]) + radius[r] / 5.0 * z[1, j]
            y[j] = np.float64(firm_y[a]) + radius[r] / 5.0 * z[2, j]
        else:
            x[j] = centre_x[r] + radius[r] * z[1, j]
            y[j] = centre_y[r] + radius[r] * z[2, j]
    return stage, A, x, y


@njit(cache=True, error_model="numpy")
def spinoff_parents(A, Abar, region, employees, is_mne, u, rate, quality, min_employees):
    """Rows that spawn a spin-off: SMEs above ``L_min`` employees and MNEs regardless of
    size, where ``u_i < sigma (1 + b_sp (A_i - Abar_r))`` (clipped to [0, 1]);
    ``u``: one uniform per firm (entry.spinoffs)."""
    out = np.empty(A.size, dtype=np.int64)
    m = 0
    lmin = np.float32(min_employees)
    for i in range(A.size):
        p = np.minimum(np.maximum(rate * (1.0 + quality * (A[i] - Abar[region[i]])), 0.0), 1.0)
        if (is_mne[i] or employees[i] > lmin) and u[i] < p:
            out[m] = i
            m += 1
    return out[:m]


@njit(cache=True, error_model="numpy")
def spinoff_children(parents, z, u_unit, A, x, y, stage, region, firm_id, has_rd_unit, tech_loss, distance, R):
    """Spin-offs' technology ``A_p - loss |z0|``, position ``(x_p + d z1, y_p + d z2)``,
    stage, region, parent id and R&D unit (the parent's, or a coin flip ``u < 0.5``),
    and the spin-offs per region (entry.spinoffs), in one pass over the parents."""
    k = parents.size
    cA = np.empty(k)
    cx = np.empty(k)
    cy = np.empty(k)
    cstage = np.empty(k, dtype=np.int64)
    cregion = np.empty(k, dtype=np.int64)
    parent_id = np.empty(k, dtype=np.int64)
    unit = np.empty(k, dtype=np.bool_)
    per_region = np.zeros(R, dtype=np.int64)
    for j in range(k):
        p = parents[j]
        cA[j] = A[p] - tech_loss * abs(z[0, j])
        cx[j] = np.float64(x[p]) + distance * z[1, j]
        cy[j] = np.float64(y[p]) + distance * z[2, j]
        cstage[j] = stage[p]
        cregion[j] = region[p]
        parent_id[j] = firm_id[p]
        unit[j] = has_rd_unit[p] or u_unit[j] < 0.5
        per_region[region[p]] += 1
    return cA, cx, cy, cstage, cregion, parent_id, unit, per_region


@njit(cache=True, error_model="numpy")
def exit_mask(age, grace_years, net_worth, share, stage, S, min_share):
    """Firms past the grace period with negative net worth or a share below
    ``f_min = min_share / n_s`` of their stage's ``n_s`` firms (exit.exiting)."""
    counts = group_count(stage, S)
    f_min = np.empty(S)
    for s in range(S):
        f_min[s] = min_share / np.maximum(counts[s], 1.0)
    out = np.empty(age.size, dtype=np.bool_)
    for i in range(age.size):
        out[i] = age[i] >= grace_years and (net_worth[i] < 0 or share[i] < f_min[stage[i]])
    return out
