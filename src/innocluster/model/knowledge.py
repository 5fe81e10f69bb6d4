"""Knowledge outside the firm (step 4, first): research institutes and the regional
spillover pool (the paper: *the accumulation of knowledge and expertise outside the
enterprise*; ITRI in Hsinchu, IISc in Bangalore).

Rule
----
A research institute's knowledge level grows at its own rate,
``K_r(t + 1) = K_r(t) + g_K`` (plus what the government spends on it,
:mod:`.government`). The spillover pool

``S_r = s_n log(1 + loc_r n_r / scale) + s_K max(0, K_r - Abar_r)``

grows with the number of local firms within reach of one another (localised
knowledge spillovers; Audretsch & Feldman 1996) and with the institute's lead over
the region's mean technology ``Abar_r``. The pool raises own research
(:mod:`.research`) and the value of moving in (:mod:`.relocation`).

Parameters (schema names): ``innovation.spill_density``, ``innovation.spill_institute``,
``regions.*.institute_level``, ``regions.*.institute_growth``,
``regions.*.localisation``. Switch: ``mechanisms.research_institutes``.
Records: ``spillover_pool``. Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def institutes(world: World) -> None:
    """Research institutes' knowledge grows at their own rate."""
    reg = world.regions
    if world.scenario.mechanisms.research_institutes:
        reg.institute = reg.institute + reg.institute_growth


def spillover_pool(world: World) -> np.ndarray:
    """``S_r`` of every region (stored in ``regions.spillover``)."""
    reg = world.regions
    inn = world.scenario.innovation
    counts = world.region_counts()
    # per firm of the original scenario: --firms rescaling leaves the pool as it was
    S = inn.spill_density * np.log1p(reg.localisation * counts / world.scale)
    if world.scenario.mechanisms.research_institutes:
        S = S + inn.spill_institute * np.maximum(0.0, reg.institute - world.region_mean_technology(counts))
    reg.spillover = S
    return S
