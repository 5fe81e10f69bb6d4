"""Finance (step 3): how wanted R&D gets funded (the paper: *a multi-channel financing
system*; 78% of surveyed SMEs name financing as the key obstacle to innovation).

Rule
----
Wanted R&D ``RD*_i = max(rho_i R_i, RD_min)`` for firms with ``rho_i > 0`` (many SMEs
have ``rho_i = 0``). R&D projects are lumpy (Hall & Lerner 2010): a firm that does R&D
needs at least one project of ``RD_min``, which is what small firms cannot fund. With
``rd_margin_sensitivity`` ``s > 0``, thin margins cut it, as in low-end cost
competition: with last year's margin ``m_i = pi_i / R_i`` (this year's revenue; the
reference margin for a firm that sells nothing) and ``c_i = clip(m_i / margin_ref, 0, 1)``,
the intensity is ``rho_i (1 - s + s c_i)`` and the smallest project ``c_i RD_min``.

It is funded in order from

1. cash: ``cash_share max(NW_i, 0) + max(pi^op_i, 0)``;
2. bank loans up to ``lambda max(K_i, 0) (1 + guarantee) - debt_i``; banks practise
   "prudent lending" (the paper) and refuse innovation loans to young
   (``age < young_age``) or collateral-poor (``K < collateral_floor``) firms with
   probability ``p_prudent (1 - guarantee_refusal_cut min(1, guarantee))``;
3. venture capital from the regional pool ``V_r`` (private money plus the
   government's guiding fund): young SMEs (``age < vc_max_age``) with a gap are scored
   on technology plus noise, ``A_i + sd_r (noise + public_noise * public share) / efficiency z_i``,
   and pass when the score reaches the region's ``vc_screen_quantile`` of technology;
   a passing firm is matched with probability ``vc_matching (1 + boost M_r/(M_r +
   M_half))`` (VC services of intermediaries) and asks for ``min(gap, vc_ticket)``;
   the pool pays pro rata when asked for more than it holds and takes equity
   (``vc_stake``). Backed firms pay ``vc_payout`` of positive profit back into the pool
   (:func:`vc_recycling`).

``credit_constrained_i = RD_i < RD*_i``. With ``mechanisms.finance = false`` capital
markets are perfect: every wanted project is funded, by loans for what operating
profit does not cover.

Parameters (schema names): ``finance.*``, ``costs.intermediaries_half``,
``regions.*.vc_pool``, ``regions.*.vc_inflow``.
Records: ``rd_spend``, ``rd_wanted``, ``share_credit_constrained``,
``constrained_among_rd``, ``vc_invested``, ``share_vc_backed``, ``vc_pool``.
Random stream: ``finance`` (one uniform per firm for the bank's refusal; per VC
candidate one normal for the score and one uniform for the match).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def wanted_rd(world: World) -> np.ndarray:
    """``RD*_i`` of every firm, stored in ``rd_wanted``."""
    f = world.firms
    fin = world.scenario.finance
    intensity = f.rd_intensity
    floor = fin.rd_min_project
    if fin.rd_margin_sensitivity > 0:
        margin = np.where(f.revenue > 0, f.profit / np.where(f.revenue > 0, f.revenue, 1.0), fin.rd_margin_ref)
        squeeze = np.clip(margin / fin.rd_margin_ref, 0.0, 1.0)
        s = fin.rd_margin_sensitivity
        intensity = intensity * (1.0 - s + s * squeeze)
        floor = fin.rd_min_project * squeeze
    # none without an R&D intention (a product with the mask: np.where branches on every firm)
    f.rd_wanted = np.maximum(intensity * f.revenue, floor) * (intensity > 0)
    return f.rd_wanted


def fund_rd(world: World, operating_profit: np.ndarray, rng: np.random.Generator) -> None:
    """Decide R&D spending and its funding; updates debt, R&D, the flags and the VC pools."""
    f = world.firms
    sc = world.scenario
    fin = sc.finance
    wanted = wanted_rd(world)
    if f.n == 0:
        return
    if not sc.mechanisms.finance:
        _book(world, wanted=wanted, gap=None, loans=np.maximum(0.0, wanted - np.maximum(operating_profit, 0.0)))
        return
    # 1 cash, 2 banks (a collateral limit; prudent refusal of risky innovation loans)
    gap, loans = cash_and_loans(
        wanted=wanted, net_worth=f.net_worth, operating_profit=operating_profit, capital=f.capital, debt=f.debt,
        age=f.age, u_refuse=rng.random(f.n), cash_share=fin.cash_share, collateral_ratio=fin.collateral_ratio,
        guarantee=fin.guarantee, young_age=fin.young_age, collateral_floor=fin.collateral_floor,
        p_refuse=fin.prudent_lending * (1.0 - fin.guarantee_refusal_cut * min(1.0, fin.guarantee)))
    # 3 venture capital
    if sc.mechanisms.venture_capital and (world.regions.vc_pool > 0).any():
        gap = gap - venture_capital(world, gap, rng)
    _book(world, wanted=wanted, gap=gap, loans=loans)


def cash_and_loans(*, wanted, net_worth, operating_profit, capital, debt, age, u_refuse, cash_share, collateral_ratio,
                   guarantee, young_age, collateral_floor, p_refuse):
    """Rules 1 and 2 on arrays: ``(gap, loans)``, the wanted R&D that cash and banks leave
    unfunded, and the banks' loans. A risky firm (young or collateral-poor) is refused
    where ``u_refuse < p_refuse``."""
    cash = cash_share * np.maximum(net_worth, 0.0) + np.maximum(operating_profit, 0.0)
    gap = wanted - np.minimum(wanted, cash)
    limit = np.maximum(0.0, collateral_ratio * np.maximum(capital, 0.0) * (1.0 + guarantee) - debt)
    refused = ((age < young_age) | (capital < collateral_floor)) & (u_refuse < p_refuse)
    loans = np.minimum(gap, limit) * ~refused  # a product with the mask: np.where branches per firm
    return gap - loans, loans


def _book(world: World, *, wanted: np.ndarray, gap: np.ndarray, loans: np.ndarray) -> None:
    """R&D spent ``wanted - gap`` (``gap`` None: all of it); loans become debt; a firm
    with a gap left is credit constrained (relative tolerance 1e-12)."""
    f = world.firms
    f.debt += loans
    if gap is None:
        f.rd = wanted
        f.credit_constrained = False
    else:
        f.rd = wanted - gap
        f.credit_constrained = (wanted > 0) & (gap > 1e-12 * np.maximum(wanted, 1.0))
    f.rd_active = f.rd > 0


def venture_capital(world: World, gap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """VC screening, matching and investment (rule 3 above). Returns each firm's VC money."""
    f = world.firms
    sc = world.scenario
    fin = sc.finance
    reg = world.regions
    R = reg.R
    counts = world.region_counts()
    mean_A = world.region_sum(f.A) / np.maximum(counts, 1)
    sd_A = np.sqrt(np.maximum(world.region_sum(f.A**2) / np.maximum(counts, 1) - mean_A**2, 0.0))
    public = 1.0 - fin.vc_private_share
    noise_sd = sd_A * (fin.vc_screening_noise + fin.vc_public_screening_noise * public) / max(fin.vc_private_efficiency, 1e-6)
    candidates = np.flatnonzero((gap > 0) & (f.age < fin.vc_max_age) & ~f.is_mne)
    score = f.A[candidates] + rng.normal(0.0, 1.0, candidates.size) * noise_sd[f.region[candidates]]
    # the region's screening threshold: the ("lower") empirical quantile of its firms' technology
    threshold = np.full(R, np.inf)
    for r in np.flatnonzero(counts):  # a handful of regions
        A_r = f.A[f.region == r]
        k = min(int(np.floor(fin.vc_screen_quantile * (A_r.size - 1))), A_r.size - 1)
        threshold[r] = np.partition(A_r, k)[k]
    if sc.mechanisms.intermediaries:
        M = reg.intermediaries
        boost = fin.vc_intermediary_boost * M / (M + sc.costs.intermediaries_half * world.scale)
    else:
        boost = np.zeros(R)
    p_match = np.minimum(1.0, fin.vc_matching * (1.0 + boost))
    region = f.region[candidates]
    matched = candidates[(score >= threshold[region]) & (rng.random(candidates.size) < p_match[region])]
    ask = np.minimum(gap[matched], fin.vc_ticket)
    demand = np.bincount(f.region[matched], weights=ask, minlength=R)
    paid_share = np.where(demand > 0, np.minimum(1.0, reg.vc_pool / np.where(demand > 0, demand, 1.0)), 0.0)
    money = np.zeros(f.n)
    money[matched] = ask * paid_share[f.region[matched]]
    invested = np.bincount(f.region[matched], weights=money[matched], minlength=R)
    reg.vc_pool = reg.vc_pool - invested
    world.counters.vc_invested += invested
    f.vc_stake += money
    f.vc_backed = f.vc_backed | (money > 0)
    f.net_worth += money
    world.counters.book("vc_equity_in", money.sum())
    return money


def vc_recycling(world: World) -> np.ndarray:
    """VC-backed firms pay ``vc_payout`` of positive profit back to their region's pool.

    Reads this year's profit before payouts (:func:`innocluster.model.accounts.year_profit`).
    Returns the payout per firm.
    """
    f = world.firms
    reg = world.regions
    mech = world.scenario.mechanisms
    if not (mech.finance and mech.venture_capital):
        return np.zeros(f.n)
    pay = np.where(f.vc_stake > 0, world.scenario.finance.vc_payout * np.maximum(f.profit, 0.0), 0.0)
    reg.vc_pool = reg.vc_pool + world.region_sum(pay)
    return pay
