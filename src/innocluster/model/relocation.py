"""Relocation (step 7a): polarisation, outside firms moving into an attractive cluster
(the paper: *the accumulation of knowledge and expertise outside the enterprise*,
"the relevant [...] enterprises and organizations will relocate to the cluster";
Wang 2001).

Rule
----
Each year a share ``sample_share`` of the periphery's SMEs compares its profit where it
is with the profit it would make in each cluster: the same output and technology
priced with the cluster's wages, supplier base, infrastructure, intermediaries and
congestion rent (:func:`innocluster.model.costs.cost_components`), plus the value of the
region's spillover pool ``spillover_value S_r v_s Q``, minus the moving cost. A firm
that gains moves to its best cluster with probability ``mu``, to a random site around
the cluster's centre, and pays the moving cost. Congestion (rent and wages rising
with density) slows the inflow.

Parameters (schema names): ``relocation.sample_share``, ``move_probability``,
``moving_cost``, ``spillover_value``. Switch: ``mechanisms.relocation``.
Records: ``relocations_in``, ``relocations_out``, firm ``relocated``.
Random stream: ``relocation`` (one uniform per periphery SME for sampling; per
sampled firm one for the move; two normals per mover for its site).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.costs import RegionCostFactors, cost_components
from innocluster.model.world import World


def relocate(world: World, factors: RegionCostFactors, degree: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Periphery firms move into clusters when it pays (the rule above). Returns the movers' rows."""
    sc = world.scenario
    rel = sc.relocation
    f = world.firms
    reg = world.regions
    none = np.zeros(0, dtype=np.int64)
    if not sc.mechanisms.relocation or f.n == 0:
        return none
    clusters = np.flatnonzero(reg.is_cluster)
    outside = np.flatnonzero(~reg.is_cluster[f.region] & ~f.is_mne)
    if clusters.size == 0 or outside.size == 0:
        return none
    considering = outside[rng.random(outside.size) < rel.sample_share]
    if considering.size == 0:
        return none
    Q = np.maximum(f.revenue[considering], 1e-6)
    firm = {"output": Q, "technology": f.A[considering], "stage": f.stage[considering],
            "degree": degree[considering], "factors": factors}
    knowledge_value = rel.spillover_value * world.value_added_share[f.stage[considering]] * Q

    def profit_in(region):
        cost = cost_components(world, region=region, **firm).total
        return Q - cost + knowledge_value * reg.spillover[region]

    here = profit_in(f.region[considering])
    gain = np.stack([profit_in(np.full(considering.size, c)) for c in clusters]) - rel.moving_cost - here
    best = np.argmax(gain, axis=0)
    moves = (gain[best, np.arange(considering.size)] > 0) & (rng.random(considering.size) < rel.move_probability)
    movers = considering[moves]
    if movers.size == 0:
        return none
    dest = clusters[best[moves]]
    ctr = world.counters
    ctr.relocations_out += np.bincount(f.region[movers], minlength=reg.R)
    ctr.relocations_in += np.bincount(dest, minlength=reg.R)
    f.region[movers] = dest
    f.x[movers] = reg.x[dest] + rng.standard_normal(movers.size) * reg.radius[dest]
    f.y[movers] = reg.y[dest] + rng.standard_normal(movers.size) * reg.radius[dest]
    f.relocated[movers] = True
    f.net_worth[movers] -= rel.moving_cost
    ctr.book("moving_cost", -rel.moving_cost * movers.size)
    return movers
