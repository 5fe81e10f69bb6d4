"""GVC upgrading (step 8): firms climb the smile curve (the paper: "the upgrading of
competitiveness of industrial clusters" in the global value chain).

Rule
----
A firm in stage ``s`` moves to ``s + 1`` with probability
``min(1, p_up (1 + b_mne [tied to an MNE]))`` when

* its technology passes the next stage's threshold relative to the economy's mean,
  ``A_i - Abar(t) >= theta_{s+1}`` (upgrading is a matter of relative capability), and
* it can pay the upgrade cost ``u_{s+1}`` out of net worth.

Process, product and functional upgrading need capabilities and investment, and lead
firms help their suppliers (Humphrey & Schmitz 2002). In the new stage the firm starts
with an entrant's market share. One uniform per firm decides, eligible or not
(common random numbers).

Parameters (schema names): ``upgrading.probability``, ``upgrading.mne_link_boost``,
``stages.*.threshold``, ``stages.*.upgrade_cost``. Switch: ``mechanisms.upgrading``.
Records: ``upgrades``, ``gvc_share_*``. Random stream: ``upgrading``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.market import entrant_share
from innocluster.model.world import World


def mne_tied(world: World) -> np.ndarray:
    """True for firms with a trust tie to a multinational (a lead firm)."""
    f = world.firms
    u, v = world.network.u, world.network.v
    tied = np.zeros(f.n, dtype=bool)
    tied[u[f.is_mne[v]]] = True
    tied[v[f.is_mne[u]]] = True
    return tied


def upgrade(world: World, rng: np.random.Generator) -> np.ndarray:
    """Move eligible firms one stage up (the rule above). Returns their rows."""
    sc = world.scenario
    up = sc.upgrading
    f = world.firms
    if not sc.mechanisms.upgrading or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    S = world.S
    nxt = np.minimum(f.stage.astype(np.int64) + 1, S - 1)
    cost = world.upgrade_cost[nxt]
    eligible = ((f.stage < S - 1) & (f.A - world.mean_technology() >= world.threshold[nxt])
                & (f.net_worth >= cost))
    p = np.minimum(1.0, up.probability * (1.0 + up.mne_link_boost * mne_tied(world)))
    go = np.flatnonzero(eligible & (rng.random(f.n) < p))
    if go.size == 0:
        return go
    f.net_worth[go] -= cost[go]
    world.counters.book("upgrade_investment", -cost[go].sum())
    f.stage[go] = nxt[go]
    f.share[go] = entrant_share(world, nxt[go])
    world.counters.upgrades += np.bincount(f.region[go], minlength=world.regions.R)
    return go
