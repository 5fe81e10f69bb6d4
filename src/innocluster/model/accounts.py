"""Profit and balance sheets: the year's operating accounts and the closing of the books.

Rule
----
Operating accounts (after costs, step 2): employees ``L_i`` from the cost rule, unit
cost ``c_i = C_i / R_i`` (kept from last year when nothing was sold), value added
``VA_i = R_i - m_i`` and operating profit ``pi^op_i = R_i - C_i - r debt_i``.

Closing (after innovation, step 4): profit ``pi_i = pi^op_i - RD_i``; owners take
``payout_ratio max(pi_i, 0)``, VC funds their share of profit (:mod:`.finance`);
net worth ``NW_i += pi_i - payout - VC payout``; a share ``debt_amortisation`` of debt
is repaid from cash (lowering assets and debt alike, so net worth does not move);
capital ``K_i = max(NW_i + debt_i, 0)``; the subsidies received at the end of last year
(:mod:`.government`, step 10) are spent.

Every USD is accounted for: each flow into or out of the firm sector is booked in the
year's ledger (:meth:`YearCounters.book`), and the engine checks that the change in
total net worth equals their sum (the ledger's ``residual``).

Source: standard double-entry accounting; the payout ratio and amortisation are
scenario parameters (``finance.payout_ratio``, ``finance.debt_amortisation``,
``costs.interest_rate``). Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.costs import CostComponents
from innocluster.model.world import World


def operating_accounts(world: World, costs: CostComponents) -> np.ndarray:
    """Employees, unit cost and value added of every firm from this year's ``costs``;
    books revenue, the cost components and interest. Returns operating profit."""
    f = world.firms
    ctr = world.counters
    rate = world.scenario.costs.interest_rate
    f.employees = costs.labour
    # a firm that sold nothing keeps last year's unit cost
    np.divide(costs.total, f.revenue, out=f.unit_cost, where=f.revenue > 0)
    np.subtract(f.revenue, costs.inputs, out=f.value_added)
    ctr.book("revenue", f.revenue.sum())
    sums = costs.sums()
    for name, component in (("wages", "wages"), ("inputs", "inputs"), ("fixed_costs", "fixed"),
                            ("transaction_costs", "transaction"), ("rent", "rent")):
        ctr.book(name, -sums[component])
    ctr.book("interest", -rate * f.debt.sum())
    operating = f.revenue - costs.total
    operating -= rate * f.debt
    return operating


def year_profit(world: World, operating: np.ndarray) -> None:
    """Profit after R&D, ``pi_i = pi^op_i - RD_i``; books the R&D spent."""
    f = world.firms
    f.profit = operating - f.rd
    world.counters.book("rd_spending", -f.rd.sum())


def close_books(world: World, vc_payout: np.ndarray) -> None:
    """Payouts, net worth, debt amortisation and capital from this year's profit (the rule above)."""
    f = world.firms
    fin = world.scenario.finance
    owners = fin.payout_ratio * np.maximum(f.profit, 0.0)
    f.net_worth += f.profit - owners - vc_payout
    f.debt *= 1.0 - fin.debt_amortisation
    np.maximum(np.add(f.net_worth, f.debt, out=f.capital), 0.0, out=f.capital)
    f.subsidy = 0.0
    world.counters.book("owner_payout", -owners.sum())
    world.counters.book("vc_payout", -vc_payout.sum())
