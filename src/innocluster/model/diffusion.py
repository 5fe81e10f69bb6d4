"""Diffusion: knowledge spillovers over the trust network and through proximity
(paper: *promote technological progress and technology diffusion*), and the
formation and decay of ties.

Each year firm ``i`` learns

``dA_i = nu_net * sum_j w_ij max(0, A_j - A_i) / deg_i + nu_loc * loc_r * max(0, Abar_r - A_i)``

where ``w_ij = 1`` for ties within a region and ``w_ij = between_clusters`` (< 1) for
ties across regions: diffusion between clusters is weaker than within. New ties form
with nearby firms at rate ``tie_formation * loc_r`` (a share ``external_links_r`` of
them reach other regions: returnees, MNE links); each tie dissolves with probability
``tie_decay`` a year. Both are drawn event by event: one uniform per dissolving tie
(geometric skips over the kept ones) and a few per new tie, not one per tie or firm.
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


def new_ties(world: World, lam: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ends of new proximity ties: ``Poisson(lam_r)`` per firm of region ``r``, each to
    the closest of three random firms of its region, or with probability
    ``external_links_r`` to a random firm of any region (:func:`kernels.form_ties`).

    The count per region is one ``Poisson(lam_r n_r)`` draw, spread uniformly over the
    region's firms: the same distribution as one Poisson draw per firm, with one draw
    per tie instead of one per firm.
    """
    f = world.firms
    reg = world.regions
    counts = kernels.group_count(f.region, reg.R)
    k = kernels.poisson_by_region(rng, np.asarray(lam, dtype=float) * counts)  # 0 for a region without firms
    tries = 3
    return kernels.form_ties(kernels.uniform(rng, int(k.sum()) * (tries + 3)), k, f.region, f.x, f.y, reg.external_links,
                             tries)


def tie_dynamics(world: World, rng: np.random.Generator) -> None:
    """Dissolve old ties, then form new proximity ties, some reaching other regions."""
    f = world.firms
    d = world.scenario.diffusion
    net = world.network
    if f.n < 2:
        return
    net.decay(d.tie_decay, rng)
    net.add(*new_ties(world, d.tie_formation * world.regions.localisation, rng))


def initial_ties(world: World, rng: np.random.Generator) -> None:
    """Seed the network at t = 0 (kinship, classmates, former colleagues)."""
    f = world.firms
    d = world.scenario.diffusion
    if f.n < 2 or d.initial_ties <= 0:
        return
    # each tie has two ends: half the mean degree per firm
    lam = 0.5 * d.initial_ties * np.maximum(world.regions.localisation, 0.2)
    world.network.add(*new_ties(world, lam, rng))
