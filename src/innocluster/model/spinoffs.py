"""Spin-offs (step 6b): employees leave to found their own firm.

The paper: "Many business owners are mostly concerned with the previous company, but
[...] the invention of new technology has been neglected by the old enterprises [...]
and thus to leave the old company"; Klepper (2007) and Klepper & Sleeper (2005):
spin-offs inherit their parents' knowledge, locate near them, and better parents have
more and better spin-offs.

Rule
----
A firm with more than ``L_min`` employees (SME or multinational) spawns one child with
probability ``clip(sigma (1 + b_sp (A_i - Abar_r)), 0, 1)``. The child

* inherits technology ``A_parent - s_sp |z|`` (some knowledge is lost on the way out),
  and with it the parent's passing productivity shock, which fades in the child as it
  would have in the parent (:mod:`.shocks`);
* sits near the parent (``spinoff_distance`` km in sd) in its region and GVC stage;
* keeps a trust tie to the parent and records it as ``parent`` (lineage);
* has an R&D unit if the parent has one, else with probability ``spinoff_rd_unit_share``;
* starts with ``initial_employees`` and founder capital, and the traits of every
  entrant otherwise (:mod:`.entrants`).

One uniform per firm decides (drawn for every firm, eligible or not, so that two runs
with the same seed and different parameters keep drawing in step: common random numbers).

Parameters (schema names): ``entry.spinoff_rate``, ``spinoff_min_employees``,
``spinoff_quality``, ``spinoff_tech_loss``, ``spinoff_distance``,
``spinoff_rd_unit_share``, ``initial_employees``; ``finance.founder_capital``.
Switch: ``mechanisms.spinoffs``. Records: ``spinoffs``, ``entries``, firm ``parent``.
Random stream: ``spinoffs``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.entrants import add_firms
from innocluster.model.world import World


def spinoffs(world: World, rng: np.random.Generator) -> np.ndarray:
    """Create this year's spin-offs (the rule above). Returns their rows."""
    sc = world.scenario
    e = sc.entry
    f = world.firms
    if not sc.mechanisms.spinoffs or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    u = rng.random(f.n)  # one draw per firm, eligible or not (common random numbers)
    eligible = np.flatnonzero(f.employees > e.spinoff_min_employees)
    lead = f.A[eligible] - world.region_mean_technology()[f.region[eligible]]
    p = np.clip(e.spinoff_rate * (1.0 + e.spinoff_quality * lead), 0.0, 1.0)
    parents = eligible[u[eligible] < p]
    k = parents.size
    if k == 0:
        return parents
    z_loss, z_x, z_y = rng.standard_normal((3, k))
    A = f.A[parents] - e.spinoff_tech_loss * np.abs(z_loss)
    x = f.x[parents] + e.spinoff_distance * z_x
    y = f.y[parents] + e.spinoff_distance * z_y
    has_unit = f.has_rd_unit[parents] | (rng.random(k) < e.spinoff_rd_unit_share)
    region = f.region[parents].astype(np.int64)
    children = add_firms(world, rng, region=region, stage=f.stage[parents], A=A, x=x, y=y,
                         employees=e.initial_employees, net_worth=sc.finance.founder_capital,
                         parent=f.id[parents], has_rd_unit=has_unit,
                         shock=f.shock[parents],  # the parent's passing luck fades in the child too
                         planned_ties=1.0)  # the tie to its parent
    started = children >= 0
    world.counters.spinoffs += np.bincount(region[started], minlength=world.regions.R)
    world.counters.book("founder_capital", sc.finance.founder_capital * int(started.sum()))
    world.network.add(children[started], parents[started])
    return children[started]
