"""GVC upgrading: firms climb the smile curve.

A firm in stage ``s`` moves to ``s + 1`` with probability
``p_up (1 + b_mne [tied to an MNE lead firm])`` (capped at 1) when its technology
passes the stage threshold ``A_i - Abar(t) >= theta_{s+1}`` (relative to the
economy's mean technology ``Abar(t)``, so that upgrading is a matter of relative
capability) and it can pay the upgrade cost
``u_{s+1}`` out of net worth (Humphrey & Schmitz 2002: process -> product ->
functional upgrading; lead firms help). In the new stage it starts with an
entrant's market share.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.market import entrant_share
from innocluster.model.world import World


def mne_tied(world: World) -> np.ndarray:
    """True for firms with a trust tie to a multinational (lead firm)."""
    f = world.firms
    src, dst = world.network.directed()
    tied = np.zeros(f.n, dtype=bool)
    if src.size:
        tied[src[f.is_mne[dst]]] = True
    return tied


def upgrade(world: World, rng: np.random.Generator) -> None:
    """Move eligible firms one stage up (step 8)."""
    sc = world.scenario
    up = sc.upgrading
    f = world.firms
    if not sc.mechanisms.upgrading or f.n == 0:
        return
    S = world.S
    nxt = np.minimum(f.stage.astype(np.int64) + 1, S - 1)
    cost = world.upgrade_cost[nxt]
    # thresholds are relative to the economy's mean technology: climbing the smile
    # curve needs capabilities above the field, not a fixed absolute level
    eligible = (f.stage < S - 1) & (f.A - world.mean_technology() >= world.threshold[nxt]) & (f.net_worth >= cost)
    p = np.minimum(1.0, up.probability * (1.0 + up.mne_link_boost * mne_tied(world)))
    go = np.flatnonzero(eligible & (rng.random(f.n) < p))
    if go.size == 0:
        return
    f.net_worth[go] -= cost[go]
    world.counters.book("upgrade_investment", -cost[go].sum())
    f.stage[go] = nxt[go].astype(np.int8)
    f.share[go] = entrant_share(world, nxt[go])
    world.counters.upgrades += np.bincount(f.region[go], minlength=world.regions.R)
