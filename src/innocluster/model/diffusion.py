"""Diffusion (step 5): knowledge spillovers over the trust network and through
proximity (the paper: *promote technological progress and technology diffusion*; "the
latest achievements in technological innovation will soon be received by other
enterprises within the cluster").

Rule
----
Each year firm ``i`` learns part of its gap to better-informed neighbours and to its
region::

    dA_i = nu_net sum_j w_ij max(0, A_j - A_i) / deg_i + nu_loc loc_r max(0, Abar_r - A_i)

with ``w_ij = 1`` for a tie within a region and ``w_ij = between_clusters`` (< 1) for a
tie across regions: diffusion between clusters is weaker than within (the paper).
All firms learn from this year's technologies at once.

Source: the paper; localised knowledge flows (Jaffe, Trajtenberg & Henderson 1993).
Parameters (schema names): ``diffusion.network_rate``, ``local_rate``,
``between_clusters``; ``regions.*.localisation``. Switch: ``mechanisms.diffusion``.
Records: ``tech_mean``, ``tech_sd``. Draws nothing (the ties themselves change in
:mod:`.ties`).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast, twin
from innocluster.model.world import World


def network_spillovers(world: World) -> None:
    """Apply network and proximity spillovers to technology (the rule above)."""
    f = world.firms
    sc = world.scenario
    d = sc.diffusion
    if not sc.mechanisms.diffusion or f.n == 0:
        return
    f.A = fast(spillovers)(keys=world.network.keys, A=f.A, region=f.region, regional_mean=world.region_mean_technology(),
                           localisation=world.regions.localisation, network_rate=d.network_rate, local_rate=d.local_rate,
                           between_clusters=d.between_clusters)


def spillovers(*, keys, A, region, regional_mean, localisation, network_rate, local_rate, between_clusters):
    """The spillover rule on arrays: technology after learning from the ties ``keys``
    (``u << 32 | v``) and from the region's mean technology."""
    u, v = keys >> 32, keys & 0xFFFFFFFF
    n = A.size
    weight = np.where(region[u] == region[v], 1.0, between_clusters)
    learned = (np.bincount(u, weights=np.maximum(0.0, A[v] - A[u]) * weight, minlength=n)
               + np.bincount(v, weights=np.maximum(0.0, A[u] - A[v]) * weight, minlength=n))
    degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    region_gap = np.maximum(0.0, regional_mean[region] - A)
    return A + network_rate * learned / np.maximum(degree, 1) + local_rate * localisation[region] * region_gap


@twin(spillovers)
def _spillovers_compiled(*, keys, A, region, regional_mean, localisation, network_rate, local_rate, between_clusters):
    n = A.size
    learned = np.zeros(n)
    degree = np.zeros(n)
    for k in range(keys.size):
        u, v = keys[k] >> 32, keys[k] & 0xFFFFFFFF
        w = 1.0 if region[u] == region[v] else between_clusters
        learned[u] += max(0.0, A[v] - A[u]) * w
        learned[v] += max(0.0, A[u] - A[v]) * w
        degree[u] += 1.0
        degree[v] += 1.0
    out = np.empty(n)
    for i in range(n):
        r = region[i]
        out[i] = (A[i] + network_rate * learned[i] / max(degree[i], 1.0)
                  + local_rate * localisation[r] * max(0.0, regional_mean[r] - A[i]))
    return out
