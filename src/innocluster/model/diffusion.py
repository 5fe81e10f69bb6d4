"""Diffusion: knowledge spillovers over the trust network and through proximity
(paper: *promote technological progress and technology diffusion*), and the
formation and decay of ties.

Each year firm ``i`` learns

``dA_i = nu_net * sum_j w_ij max(0, A_j - A_i) / deg_i + nu_loc * loc_r * max(0, Abar_r - A_i)``

where ``w_ij = 1`` for ties within a region and ``w_ij = between_clusters`` (< 1) for
ties across regions: diffusion between clusters is weaker than within. New ties form
with nearby firms at rate ``tie_formation * loc_r`` (a share ``external_links_r`` of
them reach other regions: returnees, MNE links); each tie dissolves with probability
``tie_decay`` a year.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World


def network_spillovers(world: World) -> None:
    """Apply network and proximity spillovers to technology (step 5)."""
    f = world.firms
    sc = world.scenario
    d = sc.diffusion
    if not sc.mechanisms.diffusion or f.n == 0:
        return
    reg = world.regions
    Abar = world.region_mean_technology()
    kernels.spillovers(world.network.keys, f.A, f.region, d.between_clusters, d.network_rate, d.local_rate,
                       reg.localisation, Abar)


def nearby_partner(world: World, who: np.ndarray, rng: np.random.Generator, tries: int = 3) -> np.ndarray:
    """For each firm in ``who``, the closest of ``tries`` random firms of its region."""
    f = world.firms
    r = f.region[who]
    cand = world.random_member(np.broadcast_to(r[:, None], (who.size, tries)), rng)
    return kernels.nearest_candidate(who, cand, f.x, f.y)


def tie_dynamics(world: World, rng: np.random.Generator) -> None:
    """Form new proximity ties, some reaching other regions; dissolve old ones."""
    f = world.firms
    d = world.scenario.diffusion
    net = world.network
    n = f.n
    if n < 2:
        return
    net.decay(d.tie_decay, rng)
    reg = world.regions
    # Poisson(tie_formation loc_r) new ties per firm: who[j] is the firm forming tie j
    who = kernels.poisson_repeat(rng, d.tie_formation * reg.localisation, f.region)
    if who.size == 0:
        return
    partner = nearby_partner(world, who, rng)
    external = rng.random(who.size) < reg.external_links[f.region[who]]
    partner = np.where(external, rng.integers(0, n, who.size), partner)
    net.add(who, partner)


def initial_ties(world: World, rng: np.random.Generator) -> None:
    """Seed the network at t = 0 (kinship, classmates, former colleagues)."""
    f = world.firms
    d = world.scenario.diffusion
    if f.n < 2 or d.initial_ties <= 0:
        return
    reg = world.regions
    # each tie has two ends: draw half the mean degree per firm
    who = kernels.poisson_repeat(rng, 0.5 * d.initial_ties * np.maximum(reg.localisation, 0.2), f.region)
    if who.size == 0:
        return
    partner = nearby_partner(world, who, rng)
    external = rng.random(who.size) < reg.external_links[f.region[who]]
    partner = np.where(external, rng.integers(0, f.n, who.size), partner)
    world.network.add(who, partner)
