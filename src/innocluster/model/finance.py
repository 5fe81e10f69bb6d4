"""Finance: how wanted R&D gets funded (paper: *a multi-channel financing system*).

Wanted R&D ``RD*_i = max(rho_i R_i, RD_min)`` (``rho_i = 0`` for the many SMEs without
R&D; with ``rd_margin_sensitivity`` > 0 thin margins cut it, as in low-end cost
competition). It is
funded in order from

1. cash: ``cash_share * max(NW_i, 0) + max(operating profit_i, 0)``;
2. bank loans up to ``lambda K_i (1 + guarantee) - debt_i``; banks practise "prudent
   lending" and refuse innovation loans to young or collateral-poor firms with
   probability ``p_prudent``, lowered by credit guarantees;
3. venture capital from the regional pool ``V_r`` (private money plus the
   government's guiding fund): young firms whose technology passes the region's
   screening quantile are matched with probability ``vc_matching`` raised by
   intermediaries (VC services); the fund takes equity (``vc_stake``) and recycles
   a share of the backed firms' profits into the pool. Public money screens less
   sharply than private money (noise in the screening score grows with the public
   share).

``credit_constrained_i = RD_i < RD*_i``. With ``mechanisms.finance = false`` capital
markets are perfect: every wanted R&D project is funded (by loans).
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World


def fund_rd(world: World, operating_profit: np.ndarray, rng: np.random.Generator) -> None:
    """Decide R&D spending and its funding (step 3); updates debt, net worth, VC pools."""
    f = world.firms
    sc = world.scenario
    fin = sc.finance
    reg = world.regions
    ctr = world.counters
    n = f.n
    # R&D projects are lumpy (Hall & Lerner 2010): a firm that does R&D needs at
    # least one project of size rd_min_project, which is what small firms cannot fund.
    if fin.rd_margin_sensitivity == 0:
        kernels.wanted_rd(f.rd_intensity, f.revenue, fin.rd_min_project, f.rd_wanted)
        wanted = f.rd_wanted
    else:
        intensity = f.rd_intensity.astype(np.float64)
        # firms squeezed by cost competition cut R&D: last year's margin scales the budget
        margin = np.where(f.revenue > 0, f.profit / np.maximum(f.revenue, 1e-12), fin.rd_margin_ref)
        cut = np.clip(margin / fin.rd_margin_ref, 0.0, 1.0)
        intensity = intensity * (1.0 - fin.rd_margin_sensitivity + fin.rd_margin_sensitivity * cut)
        wanted = np.where(intensity > 0, np.maximum(intensity * f.revenue, fin.rd_min_project * cut), 0.0)
        f.rd_wanted = wanted
    if n == 0:
        return
    if not sc.mechanisms.finance:
        # perfect capital markets: loans cover what operating profit does not
        kernels.fund_all_rd(wanted, operating_profit, f.debt, f.rd, f.credit_constrained, f.rd_active)
        return
    # Internal funds first; then banks: collateral-based limit, prudent refusal of risky
    # innovation loans (kernels.bank_loans)
    p_refuse = fin.prudent_lending * (1.0 - fin.guarantee_refusal_cut * min(1.0, fin.guarantee))
    gap, loans = kernels.bank_loans(wanted, f.net_worth, operating_profit, f.capital, f.debt, f.age, kernels.uniform(rng, n),
                                    fin.cash_share, fin.collateral_ratio, fin.guarantee, fin.young_age,
                                    fin.collateral_floor, p_refuse)

    # Venture capital: screen, match, invest pro rata to what the pool holds.
    vc = np.zeros(n)
    if sc.mechanisms.venture_capital and (reg.vc_pool > 0).any():
        R = reg.R
        counts = np.bincount(f.region, minlength=R)
        tech_sd = np.sqrt(np.maximum(
            np.bincount(f.region, weights=f.A**2, minlength=R) / np.maximum(counts, 1)
            - (np.bincount(f.region, weights=f.A, minlength=R) / np.maximum(counts, 1)) ** 2, 0.0))
        public = 1.0 - fin.vc_private_share
        noise_sd = tech_sd * (0.25 + public) / max(fin.vc_private_efficiency, 1e-6)
        # only firms that could be screened at all are scored (young SMEs with a gap)
        candidates = np.flatnonzero((gap > 0) & (f.age < fin.vc_max_age) & ~f.is_mne)
        score = f.A[candidates] + rng.normal(0.0, 1.0, candidates.size) * noise_sd[f.region[candidates]]
        # regional screening threshold: the quantile of technology among the region's
        # firms (a selection per region, O(n), rather than a global sort)
        thr = np.full(R, np.inf)
        for r in np.flatnonzero(counts):  # a handful of regions, not firms
            a = f.A[f.region == r]
            kth = min(int(np.floor(fin.vc_screen_quantile * (a.size - 1))), a.size - 1)
            thr[r] = np.partition(a, kth)[kth]  # the "lower" empirical quantile
        M = reg.intermediaries
        boost = fin.vc_intermediary_boost * M / (M + sc.costs.intermediaries_half * world.scale)
        if not sc.mechanisms.intermediaries:
            boost = np.zeros(R)
        p_match = np.minimum(1.0, fin.vc_matching * (1.0 + boost))
        passed = candidates[score >= thr[f.region[candidates]]]
        matched = passed[rng.random(passed.size) < p_match[f.region[passed]]]
        ask = np.zeros(n)
        ask[matched] = np.minimum(gap[matched], fin.vc_ticket)
        demand = np.bincount(f.region, weights=ask, minlength=R)
        ratio = np.where(demand > 0, np.minimum(1.0, reg.vc_pool / np.maximum(demand, 1e-300)), 0.0)
        vc = ask * ratio[f.region]
        invested = np.bincount(f.region, weights=vc, minlength=R)
        reg.vc_pool = reg.vc_pool - invested
        ctr.vc_invested += invested
        f.vc_stake = f.vc_stake + vc
        f.vc_backed = f.vc_backed | (vc > 0)
        f.net_worth = f.net_worth + vc
        ctr.book("vc_equity_in", vc.sum())
    gap = gap - vc

    kernels.book_rd_funding(wanted, gap, loans, f.debt, f.rd, f.credit_constrained, f.rd_active)


def vc_recycling(world: World, profit: np.ndarray) -> np.ndarray:
    """VC-backed firms pay a share of positive profit back to their region's pool.

    Returns the payout per firm (it leaves the firm's net worth).
    """
    f = world.firms
    reg = world.regions
    mech = world.scenario.mechanisms
    if not (mech.finance and mech.venture_capital):
        return np.zeros(f.n)  # no fund ever invested (fund_rd): no stakes, nothing paid back
    pay = np.where(f.vc_stake > 0, world.scenario.finance.vc_payout * np.maximum(profit, 0.0), 0.0)
    reg.vc_pool = reg.vc_pool + kernels.group_sum(f.region, pay, reg.R)
    return pay
