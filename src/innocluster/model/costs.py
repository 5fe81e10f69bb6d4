"""Costs and agglomeration economies (paper: *reduce the cost of innovation and
entrepreneurial risk*; Figure 1).

For firm ``i`` in region ``r`` and GVC stage ``s`` producing output ``Q`` (USD million
at unit price, so revenue ``R = Q``):

* labour ``L(Q) = q / (q0 exp(A)) * (1 + q/Q_half)^kappa`` with physical output
  ``q = Q / p_s`` (``p_s`` the stage's price, :func:`innocluster.model.market.stage_prices`) — span-of-control
  diseconomies (Lucas 1978) make the average-cost curve U-shaped, as drawn in the
  paper's Figure 1;
* wage bill ``w_r k_s L`` with the stage's skill premium ``k_s`` (design and brand
  work pays more than assembly); wages ``w_r = w_r0 (1 + L^dem_r / L^sup_r)^eps_w`` rise with
  density (congestion);
* intermediate inputs ``m = mu_s R (1 - d_div n_sup / (n_sup + n_half))`` with
  ``mu_s = 1 - v_s`` and ``n_sup`` the local supplier base (localised firms of the
  region in other stages): the division of labour (Marshall; Henderson 1986);
* fixed cost ``F = F_0 (1 - d_inf I_r / (I_r + I_half))``: shared infrastructure and
  public services;
* transaction cost ``T = tau R (1 - d_trust min(1, deg_i/k_ref)) (1 - d_int M_r/(M_r+M_half))``:
  trust ties and S&T intermediaries;
* congestion rent ``rho_0 (n_r / cap_r)^gamma`` per firm;
* wages are indexed to economy-wide productivity, ``w_r0 exp(iota (Abar(t) - Abar(0)))``,
  so that technical progress raises real wages rather than margins for ever.

``AC(Q) = (w L(Q) + m + T + F + rent) / Q``. The same functions serve the simulation
and :func:`average_cost_curve`, which draws Figure 1 (the average cost curve of the
same SME outside and inside the cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World


@dataclass
class RegionCostFactors:
    """Cost reductions and prices of each region (arrays of length R, or R x S)."""

    input_cut: np.ndarray  # R x S, share of input cost saved through local suppliers
    fixed_cut: np.ndarray  # R, share of fixed cost saved through infrastructure
    intermediary_cut: np.ndarray  # R, share of transaction cost saved through intermediaries
    wage: np.ndarray  # R, USD million per worker-year
    rent: np.ndarray  # R, USD million per firm-year
    trust_on: bool


def region_factors(world: World, employment: np.ndarray | None = None) -> RegionCostFactors:
    """Compute regional cost factors from the current firm population.

    Parameters
    ----------
    world : World
    employment : array, optional
        Labour demand per region; defaults to the current employees.
    """
    sc = world.scenario
    c = sc.costs
    mech = sc.mechanisms
    reg = world.regions
    f = world.firms
    R, S = reg.R, world.S
    if mech.agglomeration or mech.congestion:  # firm counts enter only these
        counts_rs = kernels.cross_count(f.region, R, f.stage, S).astype(float)
        n_r = counts_rs.sum(axis=1)
    if mech.agglomeration:
        # local supplier base: localised firms in the other stages of the value chain
        n_sup = reg.localisation[:, None] * (n_r[:, None] - counts_rs)
        half = c.suppliers_half * world.scale
        input_cut = c.division_of_labour * n_sup / (n_sup + half)
        fixed_cut = c.infrastructure_effect * reg.infrastructure / (reg.infrastructure + c.infrastructure_half * world.scale)
    else:
        input_cut = np.zeros((R, S))
        fixed_cut = np.zeros(R)
    if mech.agglomeration and mech.intermediaries:
        M = reg.intermediaries
        intermediary_cut = c.intermediary_effect * M / (M + c.intermediaries_half * world.scale)
    else:
        intermediary_cut = np.zeros(R)
    # wages follow economy-wide productivity (so labour shares do not vanish as A grows)
    base_wage = reg.wage0 * np.exp(c.wage_indexation * (world.mean_technology() - world.A0))
    if mech.congestion:
        if employment is None:
            employment = kernels.group_sum(f.region, f.employees, R)
        wage = base_wage * (1.0 + employment / reg.labour_supply) ** c.wage_elasticity
        rent = reg.rent0 * (n_r / reg.capacity) ** c.rent_elasticity
    else:
        wage = base_wage
        rent = np.zeros(R)
    return RegionCostFactors(input_cut, fixed_cut, intermediary_cut, wage, rent, bool(mech.agglomeration))


def cost_components(Q, A, stage, region, degree, factors: RegionCostFactors, world: World) -> dict:
    """Yearly cost components of firms (vectorised over firms).

    Parameters
    ----------
    Q, A : arrays
        Output (USD million) and technology of each firm.
    stage, region : int arrays
        GVC stage and region index.
    degree : array
        Number of trust ties.
    factors : RegionCostFactors
    world : World

    Returns
    -------
    dict of arrays
        ``labour`` (persons), ``wages``, ``inputs``, ``fixed``, ``transaction``,
        ``rent`` (USD million) and ``total``.
    """
    sc = world.scenario
    c = sc.costs
    m = sc.market
    Q = np.atleast_1d(np.asarray(Q, dtype=float))  # output in value (USD million) = revenue
    # per-firm arrays pass as they are; scalars (a cost curve of one firm) are broadcast
    A, stage, region, degree = (v if np.shape(v) == Q.shape else np.broadcast_to(np.asarray(v), Q.shape)
                                for v in (A, stage, region, degree))
    # physical output at the stage's current price (1 unless productivity gains are passed on)
    q = Q if (world.price == 1.0).all() else Q / world.price[stage]  # x / 1.0 is x: no gather
    # span of control: L = q / (q0 exp(A)) (1 + q/Q_half)^kappa; the arithmetic is fused in the kernel
    size_term = q / m.size_scale  # (1 + q/Q_half)^kappa in place: one temporary, not three
    size_term += 1.0
    size_term **= m.span_of_control
    rows = kernels.cost_rows(
        Q, q, np.exp(A), size_term, stage, region,
        degree, factors.wage, world.skill_premium, world.value_added_share,
        factors.input_cut, factors.fixed_cut, factors.intermediary_cut, factors.rent, m.productivity_scale,
        c.fixed_cost, c.transaction_cost, c.trust_effect, c.ties_ref, bool(factors.trust_on))
    return dict(zip(kernels.COST_ROWS, rows))


def average_cost_curve(world: World, Q: np.ndarray, A: float, stage: int, region: int, degree: float,
                       factors: RegionCostFactors | None = None) -> np.ndarray:
    """Average cost per USD of output of one firm over a grid of outputs (Figure 1).

    ``AC(Q) = (w L(Q) + m(Q) + T(Q) + F + rent) / Q`` evaluated with
    :func:`cost_components`, i.e. with exactly the model's own cost functions.
    """
    if factors is None:
        factors = region_factors(world)
    Q = np.asarray(Q, dtype=float)
    n = Q.size
    comp = cost_components(Q, np.full(n, A), np.full(n, stage, dtype=np.int64),
                           np.full(n, region, dtype=np.int64), np.full(n, degree, dtype=float), factors, world)
    return comp["total"] / Q
