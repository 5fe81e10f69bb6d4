"""Learning about one's own viability (step 9, before exit): Jovanovic's (1982) selection.

Rule
----
A firm does not know how viable it is; each year it sells it observes its operating
margin ``m_it = pi^op_it / R_it`` (after wages, inputs, fixed costs, rent and
interest, before R&D; clipped to [-1, 1]) and updates its belief, the mean of what it
has seen shrunk toward break-even by a prior worth ``n0`` years::

    n_i <- n_i + 1,   b_i <- b_i + (m_it - b_i) / (n_i + n0)

(the posterior mean of a normal learning model with a prior centred on break-even,
Jovanovic 1982). A firm whose belief falls below ``unviable_margin`` exits
(:mod:`.exit`): it expects to lose money for good, whatever cash it still has. The
threshold lies below break-even, the prior, because staying has an option value
(Hopenhayn 1992): one bad year does not make a firm leave unless it was very bad. A young
firm's belief moves a lot with each year, an old firm's hardly at all, so exits on
learned unviability concentrate in young firms and the hazard falls with age
(Jovanovic 1982; Hopenhayn 1992: a firm stays while the value of going on is
positive; Dunne, Roberts & Samuelson 1989: failure rates fall with age).

Firms of the initial population have observed ``age`` years whose margins averaged
break-even (the prior); entrants start with nothing observed.

Parameters (schema names): ``exit.learning_prior_years``, ``exit.unviable_margin``.
Switch: ``mechanisms.learning_exit``. Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def operating_margin(*, profit: np.ndarray, rd: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Operating margin before R&D, ``(pi + RD) / R``, clipped to [-1, 1]; -1 without sales."""
    margin = np.full(revenue.shape, -1.0)
    np.divide(profit + rd, revenue, out=margin, where=revenue > 0)
    return np.clip(margin, -1.0, 1.0)


def update_beliefs(world: World) -> None:
    """Each firm that sold this year updates its belief about its margin (the rule above)."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.learning_exit or f.n == 0:
        return
    sold = f.revenue > 0
    margin = operating_margin(profit=f.profit[sold], rd=f.rd[sold], revenue=f.revenue[sold])
    seen = f.years_observed[sold] + 1
    f.margin_belief[sold] += (margin - f.margin_belief[sold]) / (seen + sc.exit.learning_prior_years)
    f.years_observed[sold] = seen


def unviable(world: World) -> np.ndarray:
    """Boolean mask of the firms that have learned they are not viable."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.learning_exit:
        return np.zeros(f.n, dtype=bool)
    return (f.years_observed > 0) & (f.margin_belief < sc.exit.unviable_margin)
