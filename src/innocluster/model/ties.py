"""Trust ties: how the social network forms (step 5, after diffusion) and decays (at the
end of the year, after exits).

Ties stand for the paper's links of "blood, marriage, or extended to fellow
classmates, friends" and former colleagues. They lower transaction costs
(:mod:`.costs`), carry knowledge (:mod:`.diffusion`, :mod:`.absorption`) and link
suppliers to multinationals (:mod:`.upgrading`).

Rule
----
* Each tie dissolves with probability ``tie_decay`` a year (Burt 2000), at the end of
  the year: the year's new ties (proximity, collaboration, spin-off, MNE links)
  included.
* Each firm of region ``r`` starts ``Poisson(tie_formation loc_r)`` new ties. A new tie
  goes to the nearest of ``partner_candidates`` random firms of the firm's region
  (proximity; the firm itself excluded), or, with probability ``external_links_r``,
  to a random firm anywhere in the economy, which for a small region mostly means
  another region (returnees and MNE links; Saxenian 2006). The region's count is drawn once, ``Poisson(lam_r n_r)``, and spread
  uniformly over its firms: the same distribution, one draw per tie.
* At t = 0 the network is seeded the same way with
  ``initial_ties / 2 max(loc_r, initial_localisation_floor)`` new ties per firm (each tie
  has two ends: a mean degree of ``initial_ties`` in a compact region).
* Spin-offs keep a tie to their parent (:mod:`.spinoffs`); collaboration can create
  one (:mod:`.absorption`); MNEs tie local suppliers (:mod:`.mne_inflow`).

Parameters (schema names): ``diffusion.tie_formation``, ``tie_decay``,
``initial_ties``, ``initial_localisation_floor``, ``partner_candidates``;
``regions.*.localisation``, ``regions.*.external_links``.
Records: ``network_density``, ``external_tie_share``.
Random stream: ``ties`` (one uniform per tie for decay; per region one Poisson count;
per new tie a firm, the candidates, the external switch and partner).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast, twin
from innocluster.model.world import GroupMembers, World


def new_ties(world: World, ties_per_firm: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ends ``(a, b)`` of new proximity ties, ``ties_per_firm[r]`` per firm of region ``r``
    on average (the rule above; a tie whose only candidates were the firm itself is a
    self-tie, which the network ignores)."""
    f = world.firms
    reg = world.regions
    C = world.scenario.diffusion.partner_candidates
    counts = world.region_counts()
    k = rng.poisson(np.asarray(ties_per_firm, dtype=float) * counts)
    region = np.repeat(np.arange(reg.R), k)
    K = region.size
    members = GroupMembers.of(f.region, reg.R)
    a = members.sample(region, rng.random(K))
    candidates = members.sample(np.repeat(region, C), rng.random(K * C)).reshape(K, C)
    b = fast(nearest_candidate)(firm=a, candidates=candidates, x=f.x, y=f.y)
    external = rng.random(K) < reg.external_links[region]
    partner = np.minimum((rng.random(K) * f.n).astype(np.int64), max(f.n - 1, 0))
    b = np.where(external, partner, b)
    return a, b


def nearest_candidate(*, firm, candidates, x, y):
    """For each ``firm[k]``, the nearest of ``candidates[k]`` other than the firm itself
    (the first on equal distances; the firm itself when it was its only candidate)."""
    K = firm.size
    distance = (x[candidates] - x[firm][:, None]) ** 2 + (y[candidates] - y[firm][:, None]) ** 2
    distance[candidates == firm[:, None]] = np.inf
    nearest = np.argmin(distance, axis=1)
    return np.where(np.isfinite(distance[np.arange(K), nearest]), candidates[np.arange(K), nearest], firm)


@twin(nearest_candidate)
def _nearest_candidate_compiled(*, firm, candidates, x, y):
    out = firm.copy()
    for k in range(firm.size):
        i = firm[k]
        best = np.inf
        for c in range(candidates.shape[1]):
            j = candidates[k, c]
            if j != i:
                dx = x[j] - x[i]
                dy = y[j] - y[i]
                d = dx * dx + dy * dy
                if d < best:
                    best = d
                    out[k] = j
    return out


def form_ties(world: World, rng: np.random.Generator) -> None:
    """New proximity ties, some reaching other regions (step 5)."""
    if world.firms.n < 2:
        return
    d = world.scenario.diffusion
    world.network.add(*new_ties(world, d.tie_formation * world.regions.localisation, rng))


def dissolve_ties(world: World, rng: np.random.Generator) -> None:
    """Each tie dissolves with probability ``tie_decay`` (the end of the year, after exits)."""
    world.network.decay(world.scenario.diffusion.tie_decay, rng)


def initial_ties(world: World, rng: np.random.Generator) -> None:
    """Seed the network at t = 0 (kinship, classmates, former colleagues)."""
    d = world.scenario.diffusion
    if world.firms.n < 2 or d.initial_ties <= 0:
        return
    localisation = np.maximum(world.regions.localisation, d.initial_localisation_floor)
    world.network.add(*new_ties(world, 0.5 * d.initial_ties * localisation, rng))
