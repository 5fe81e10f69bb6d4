"""Supply (step 2, before the year's costs): a firm takes no new orders it would lose money on.

Rule
----
The market (:mod:`.market`) gives firm ``i`` a demand worth ``Q^d_i = f_i D_s``. The
firm takes the stage's price as given and takes orders up to the output at which its
marginal cost reaches the price, the supply of a price-taking firm, but it keeps
serving the customers it had, last year's sales ``Q_i(t-1)``:

    Q_i = min(Q^d_i, max(Q*_i, Q^min_i, Q_i(t-1))),    C'_i(Q*_i) = 1

(revenue is output at the stage's price, so the price of a USD of output is 1). With
the costs of :mod:`.costs`, inputs and transaction costs are proportional to output,
``lambda_i Q``, and labour is ``L(Q) = q / a (1 + Q / Q_half)^kappa`` with ``q = Q / p_s``
and ``a = q0 exp(A_i)``, so, with ``x = Q / Q_half``::

    C'(Q) = lambda_i + w_r k_s / (p_s a) (1 + x)^(kappa - 1) (1 + (1 + kappa) x)

rising in ``Q``: span-of-control diseconomies (Lucas 1978) bound the size at which a
firm still gains from selling one more unit. ``Q^min_i`` is the output its
owner-manager alone produces (the labour floor ``L_min``, whose cost is sunk at the
margin), unless inputs and transaction costs alone exceed the price (``lambda_i >= 1``:
no unit pays, and only old customers are served). Demand a firm does not serve goes to suppliers outside the simulated economy
this year; the firm's market share becomes the share it served, ``Q_i / D_s``.

Known limitations: last year's sales are the firm's, whatever its stage, so a firm
that upgraded (:mod:`.upgrading`) keeps last year's sales of its old stage as customers
in the new one; and they are counted at last year's prices, not in physical volume.

Keeping last year's customers is a modelling device motivated by customer capital:
sales rest on relationships built over years (Gourio & Rudanko 2014, *Review of
Economic Studies* 81; Foster, Haltiwanger & Syverson 2016, *Economica* 83). Those
papers value customers for the future they bring; they do not say a firm serves its
old customers at a loss at the margin, which the device assumes for one year at a
time. Nor does the rule make an entrant's demand grow slowly, as Foster, Haltiwanger
& Syverson find: an entrant may take up to ``Q*`` at once. A firm whose old customers no longer pay is
selected out by its losses (:mod:`.learning`, :mod:`.exit`), not shrunk overnight to
its owner: without this, firms that turned unprofitable at the margin fell to one
employee in a year, and 14% of race-to-the-bottom's firm-years changed employment more
than e-fold.

Why it is there: a stage with few firms used to hand all its demand to whoever was
left. When the last large producer of a thin stage exited, renormalised shares gave
its demand to a young firm: one of hsinchu's brand firms went from USD 66 million of
sales and 477 employees to USD 4.8 billion and 148,000 employees in a year, lost more
than its revenue, and took the park's margin to -37%. A firm does not take orders it
would lose money on; it declines them. Source: the supply of a competitive firm
(Marshall 1890, book V; Mas-Colell, Whinston & Green 1995, ch. 5); its size bounded by
span of control (Lucas 1978, *Bell Journal of Economics* 9).

Parameters (schema names): those of :mod:`.costs` (``market.productivity_scale``,
``market.size_scale``, ``market.span_of_control``, ``costs.min_employees``, the
wage, input, transaction-cost and stage parameters). Switch:
``mechanisms.profitable_supply``. Records: ``unserved_demand`` (USD million a year,
per region: the demand its firms declined). Draws nothing.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import elementwise

from innocluster.model import costs
from innocluster.model.compiled import fast, twin
from innocluster.model.world import World


def labour_slope(x: np.ndarray, kappa: float) -> np.ndarray:
    """``(1 + x)^(kappa - 1) (1 + (1 + kappa) x)``: the marginal labour of output, in units
    of ``1 / a``, at ``x = q / Q_half`` (rising in ``x`` for ``kappa >= 0``)."""
    return (1.0 + x) ** (kappa - 1.0) * (1.0 + (1.0 + kappa) * x)


def solve_increasing(fn, target: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The ``x`` in ``[0, high]`` with ``fn(x) = target`` for an increasing ``fn``:
    ``high`` where ``fn(high) <= target``, 0 where ``fn(0) >= target``, else the root
    (SciPy's elementwise bracketing root finder)."""
    target, high = np.broadcast_arrays(np.asarray(target, dtype=float), np.asarray(high, dtype=float))
    x = np.where(fn(high) <= target, high, 0.0)
    inside = (fn(np.zeros_like(high)) < target) & (fn(high) > target)
    if inside.any():
        t = target[inside]
        x[inside] = elementwise.find_root(lambda z, t: fn(z) - t, (np.zeros_like(t), high[inside]), args=(t,)).x
    return x


def profitable_output(*, demand, previous, variable_rate, wage, price, productivity, size_scale, span_of_control,
                      min_employees) -> np.ndarray:
    """Output each firm supplies, ``min(Q^d, max(Q*, Q^min, Q(t-1)))`` (the rule above).

    Parameters
    ----------
    demand : array
        ``Q^d``, the demand the market gives each firm (USD million).
    previous : array
        ``Q(t-1)``, last year's sales (0 for an entrant).
    variable_rate : array
        ``lambda``, inputs and transaction costs per USD of output.
    wage : array
        ``w_r k_s``, the wage of the firm's region and stage.
    price : array
        ``p_s``, the stage's price.
    productivity : array
        ``a = q0 exp(A)``, physical output per worker at small scale.
    size_scale, span_of_control, min_employees : float
        ``Q_half``, ``kappa`` and ``L_min`` of :mod:`.costs`.
    """
    demand = np.asarray(demand, dtype=float)
    x_demand = demand / size_scale
    # where marginal cost reaches the price (0 where even the first unit costs more)
    margin_target = (1.0 - variable_rate) * price * productivity / np.maximum(wage, 1e-300)
    x = solve_increasing(lambda z: labour_slope(z, span_of_control), margin_target, x_demand)
    # a firm that declines demand still produces what its owner-manager alone makes:
    # Q_half x (1 + x)^kappa / (p a) = L_min
    floor_target = min_employees * price * productivity / size_scale
    # where inputs and transaction costs alone exceed the price, no unit pays: no new orders
    below_floor = (x < x_demand) & (x * (1.0 + x) ** span_of_control < floor_target) & (variable_rate < 1.0)
    if below_floor.any():
        x[below_floor] = solve_increasing(lambda z: z * (1.0 + z) ** span_of_control, floor_target[below_floor],
                                          x_demand[below_floor])
    return np.minimum(demand, np.maximum(x * size_scale, previous))


@twin(profitable_output)
def _profitable_output_compiled(*, demand, previous, variable_rate, wage, price, productivity, size_scale,
                                span_of_control, min_employees):
    out = demand.copy()
    k = span_of_control
    for i in range(demand.size):
        x_demand = demand[i] / size_scale
        target = (1.0 - variable_rate[i]) * price[i] * productivity[i] / max(wage[i], 1e-300)
        if previous[i] >= demand[i] or (1.0 + x_demand) ** (k - 1.0) * (1.0 + (1.0 + k) * x_demand) <= target:
            continue  # old customers only, or the whole demand is profitable at the margin
        x = 0.0
        floor_target = min_employees * price[i] * productivity[i] / size_scale
        for equation in range(2):  # 0: marginal cost reaches the price; 1: the owner-manager's output
            if equation == 0:
                if target <= 1.0:  # the labour slope is 1 at x = 0: no unit beyond the first pays
                    continue
                t = target
            else:
                if variable_rate[i] >= 1.0 or x * (1.0 + x) ** k >= floor_target:
                    break
                if x_demand * (1.0 + x_demand) ** k <= floor_target:
                    x = x_demand
                    break
                t = floor_target
            lo, hi = 0.0, x_demand
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                if equation == 0:
                    value = (1.0 + mid) ** (k - 1.0) * (1.0 + (1.0 + k) * mid)
                else:
                    value = mid * (1.0 + mid) ** k
                if value > t:
                    hi = mid
                else:
                    lo = mid
                if hi - lo <= 1e-15 * hi:
                    break
            x = lo
        out[i] = min(demand[i], max(x * size_scale, previous[i]))
    return out


def supply(world: World, *, previous: np.ndarray, factors: costs.RegionCostFactors, degree: np.ndarray) -> None:
    """Cut each firm's sales to what it supplies (the rule above), given ``previous``,
    every firm's sales of last year; books the declined demand per region."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.profitable_supply or f.n == 0:
        return
    sold = f.revenue > 0
    if not sold.any():
        return
    demand = f.revenue[sold]
    stage, region = f.stage[sold], f.region[sold]
    at_demand = costs.cost_components(world, output=demand, technology=f.A[sold], stage=stage, region=region,
                                      degree=degree[sold], factors=factors)
    m = sc.market
    supplied = fast(profitable_output)(
        demand=demand, previous=previous[sold], variable_rate=(at_demand.inputs + at_demand.transaction) / demand,
        wage=factors.wage[region] * world.skill_premium[stage], price=world.price[stage],
        productivity=m.productivity_scale * np.exp(f.A[sold]), size_scale=m.size_scale,
        span_of_control=m.span_of_control, min_employees=sc.costs.min_employees)
    declined = demand - supplied
    world.counters.unserved_demand += np.bincount(region, weights=declined, minlength=world.regions.R)
    rows = np.flatnonzero(sold)
    f.revenue[rows] = supplied
    f.share[rows] = f.share[rows] * np.divide(supplied, demand)
    f.exports[rows] = np.broadcast_to(world.at_firms(world.regions.export_share), f.n)[rows] * supplied
