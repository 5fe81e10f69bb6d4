"""Costs and agglomeration (step 2; the paper: *reduce the cost of innovation and
entrepreneurial risk*, and its Figure 1).

Rule
----
For firm ``i`` in region ``r`` and GVC stage ``s`` selling output worth ``Q`` (USD
million; physical output ``q = Q / p_s`` at the stage's price, :mod:`.market`):

* labour ``L(Q) = max(q / (q0 exp(A_i)) (1 + Q/Q_half)^kappa, L_min)``: span-of-control
  diseconomies make the average-cost curve U-shaped, as the paper's Figure 1 draws it
  (Lucas 1978). They grow with the scale of the business in value, ``Q``: where prices
  fall the same business ships more units, and the managers' span does not shrink for
  it; and a producing firm employs at least ``L_min`` (its owner-manager: an
  indivisible input that makes very small firms unprofitable, Hopenhayn 1992);
* wage bill ``w_r k_s L`` with the stage's skill premium ``k_s``; wages
  ``w_r = w_r0 exp(iota (Abar(t) - Abar(0))) [(1 + L^dem_r / L^sup_r) / (1 + L^dem_r(0) / L^sup_r(0))]^eps_w``
  follow the productivity of the economy's domestic firms (``Abar``: their
  employment-weighted mean revenue productivity ``A_i + log p_s``,
  :meth:`.World.domestic_revenue_productivity`; so labour shares do not vanish as ``A``
  grows, productivity gains passed on as lower prices do not raise wages as well, and
  an inflow of foreign affiliates does not raise every domestic wage, Aitken, Harrison &
  Lipsey 1996) and rise with local labour
  demand (congestion). The labour-market term is relative to the region's labour
  demand at t = 0, so the base wage ``w_r0`` is the wage the region starts with, the
  national wage statistic it comes from;
* intermediate inputs ``m = (1 - v_s) Q (1 - d_div n_sup / (n_sup + n_half))`` with
  ``n_sup = loc_r (n_r - n_rs)`` localised firms of the region in other stages: the
  division of labour (Marshall 1890; Henderson 1986);
* fixed cost ``F = F_0 (1 - d_inf I_r / (I_r + I_half))``: shared infrastructure and
  public services;
* transaction cost ``T = tau Q (1 - d_trust min(1, deg_i/k_ref)) (1 - d_int M_r/(M_r + M_half))``:
  trust ties (the paper's "blood, marriage, classmates, friends") and S&T
  intermediaries;
* congestion rent ``rho_0 (n_r / cap_r)^gamma`` per firm (Fujita & Thisse 2002).

The half-saturation counts ``n_half``, ``I_half`` and ``M_half`` are per simulated firm
of the scenario: ``--firms`` multiplies them by the run's scale, like the capacities.

``AC(Q) = (w L(Q) + m + T + F + rent) / Q``. The same functions price the simulation
and :func:`average_cost_curve`, which draws Figure 1.

Parameters (schema names): ``costs.*`` (``costs.min_employees`` is ``L_min``), ``market.productivity_scale``,
``market.size_scale``, ``market.span_of_control``, ``stages.*.value_added``,
``stages.*.skill_premium``, ``regions.*.wage``, ``labour_supply``, ``land_rent``,
``capacity``, ``localisation``, ``infrastructure``, ``intermediaries``.

Switches: ``mechanisms.agglomeration`` (the cuts), ``mechanisms.intermediaries``,
``mechanisms.congestion`` (rent and the wage's labour-demand term).
Records: ``employment``, ``wage``, ``rent``, ``avg_cost``, ``avg_cost_inside``,
``avg_cost_outside`` (:mod:`.record`). Draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from innocluster.model.compiled import fast, twin
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


@dataclass
class CostComponents:
    """Yearly cost components of a set of firms (arrays, one value per firm)."""

    labour: np.ndarray  # persons
    wages: np.ndarray  # USD million
    inputs: np.ndarray
    fixed: np.ndarray
    transaction: np.ndarray
    rent: np.ndarray
    total: np.ndarray
    table: np.ndarray = field(default=None, repr=False)  # the money rows, in COST_ROWS order

    def sums(self) -> dict[str, float]:
        """The total of each money component over the firms (USD million)."""
        return dict(zip(COST_ROWS, self.table.sum(axis=1).tolist()))


#: the rows of :func:`cost_table`'s result (fields of :class:`CostComponents`)
COST_ROWS = ("wages", "inputs", "fixed", "transaction", "rent", "total")


def region_factors(world: World, employment: np.ndarray | None = None) -> RegionCostFactors:
    """Regional cost factors from the current firm population.

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
    if mech.agglomeration or mech.congestion:
        counts_rs = np.bincount(f.region * S + f.stage, minlength=R * S).reshape(R, S)
        n_r = counts_rs.sum(axis=1).astype(float)
    if mech.agglomeration:
        suppliers = reg.localisation[:, None] * (n_r[:, None] - counts_rs)
        input_cut = c.division_of_labour * suppliers / (suppliers + c.suppliers_half * world.scale)
        infra = reg.infrastructure
        fixed_cut = c.infrastructure_effect * infra / (infra + c.infrastructure_half * world.scale)
    else:
        input_cut, fixed_cut = np.zeros((R, S)), np.zeros(R)
    if mech.agglomeration and mech.intermediaries:
        M = reg.intermediaries
        intermediary_cut = c.intermediary_effect * M / (M + c.intermediaries_half * world.scale)
    else:
        intermediary_cut = np.zeros(R)
    wage = reg.wage0 * np.exp(c.wage_indexation * (world.domestic_revenue_productivity() - world.A0))
    if mech.congestion:
        if employment is None:
            employment = world.region_sum(f.employees)
        # relative to t = 0, so that w_r0 is the wage the region starts with
        wage = wage * ((1.0 + employment / reg.labour_supply) / (1.0 + reg.labour_pressure0)) ** c.wage_elasticity
        rent = reg.rent0 * (n_r / reg.capacity) ** c.rent_elasticity
    else:
        rent = np.zeros(R)
    return RegionCostFactors(input_cut, fixed_cut, intermediary_cut, wage, rent, bool(mech.agglomeration))


def cost_components(world: World, *, output, technology, stage, region, degree,
                    factors: RegionCostFactors) -> CostComponents:
    """Yearly cost components of firms selling ``output`` (USD million) with the given
    ``technology``, GVC ``stage``, ``region`` and ``degree`` (trust ties): the rule above
    (:func:`cost_table`).

    Per-firm arrays pass as they are; scalars are broadcast to the length of ``output``
    (one firm's cost curve). Labour is NumPy's vectorised exponential and power; the
    money side is :func:`cost_table` (or its compiled twin).
    """
    c = world.scenario.costs
    m = world.scenario.market
    Q = np.atleast_1d(np.asarray(output, dtype=float))

    def per_firm(value, dtype):
        value = np.asarray(value, dtype=dtype)
        return value if value.shape == Q.shape else np.full(Q.shape, value, dtype=dtype)

    stage, region = per_firm(stage, np.int64), per_firm(region, np.int64)
    q = Q if (world.price == 1.0).all() else Q / world.price[stage]  # physical output
    labour = q / (m.productivity_scale * np.exp(technology)) * (1.0 + Q / m.size_scale) ** m.span_of_control
    labour = np.maximum(labour, c.min_employees)
    rows = fast(cost_table)(
        output=Q, labour=labour, stage=stage, region=region, degree=per_firm(degree, float), wage=factors.wage,
        skill_premium=world.skill_premium, value_added_share=world.value_added_share, input_cut=factors.input_cut,
        fixed_cut=factors.fixed_cut, intermediary_cut=factors.intermediary_cut, rent=factors.rent,
        fixed_cost=c.fixed_cost, transaction_cost=c.transaction_cost,
        trust_effect=c.trust_effect if factors.trust_on else 0.0, ties_ref=c.ties_ref)
    return CostComponents(labour, *rows, table=rows)


def cost_table(*, output, labour, stage, region, degree, wage, skill_premium, value_added_share, input_cut, fixed_cut,
               intermediary_cut, rent, fixed_cost, transaction_cost, trust_effect, ties_ref):
    """The money side of the cost rule on arrays: one row per name in :data:`COST_ROWS`,
    one column per firm."""
    Q = output
    wages = wage[region] * skill_premium[stage] * labour
    inputs = (1.0 - value_added_share[stage]) * Q * (1.0 - input_cut[region, stage])
    fixed = fixed_cost * (1.0 - fixed_cut[region])
    transaction = transaction_cost * Q * (1.0 - trust_effect * np.minimum(1.0, degree / ties_ref)) \
        * (1.0 - intermediary_cut[region])
    rent_paid = rent[region]
    return np.array([wages, inputs, fixed, transaction, rent_paid, wages + inputs + fixed + transaction + rent_paid])


@twin(cost_table)
def _cost_table_compiled(*, output, labour, stage, region, degree, wage, skill_premium, value_added_share, input_cut,
                         fixed_cut, intermediary_cut, rent, fixed_cost, transaction_cost, trust_effect, ties_ref):
    out = np.empty((6, output.size))
    for i in range(output.size):
        r, s, Q = region[i], stage[i], output[i]
        wages = wage[r] * skill_premium[s] * labour[i]
        inputs = (1.0 - value_added_share[s]) * Q * (1.0 - input_cut[r, s])
        fixed = fixed_cost * (1.0 - fixed_cut[r])
        transaction = transaction_cost * Q * (1.0 - trust_effect * min(1.0, degree[i] / ties_ref)) \
            * (1.0 - intermediary_cut[r])
        out[0, i] = wages
        out[1, i] = inputs
        out[2, i] = fixed
        out[3, i] = transaction
        out[4, i] = rent[r]
        out[5, i] = wages + inputs + fixed + transaction + rent[r]
    return out


def average_cost_curve(world: World, Q: np.ndarray, A: float, stage: int, region: int, degree: float,
                       factors: RegionCostFactors | None = None) -> np.ndarray:
    """Average cost per USD of output of one firm over a grid of outputs ``Q`` (Figure 1):
    ``AC(Q) = (w L(Q) + m(Q) + T(Q) + F + rent) / Q`` with the model's own cost functions."""
    factors = region_factors(world) if factors is None else factors
    Q = np.asarray(Q, dtype=float)
    comp = cost_components(world, output=Q, technology=A, stage=stage, region=region, degree=degree,
                           factors=factors)
    return comp.total / Q
