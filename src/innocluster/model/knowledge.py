"""Knowledge outside the firm (step 4, first): research institutes and the regional
spillover pool (the paper: *the accumulation of knowledge and expertise outside the
enterprise*; ITRI in Hsinchu, IISc in Bangalore).

Rule
----
A research institute's knowledge level grows with its own research effort and what
the government spends on it (:mod:`.government`), and, like a firm's research
(:mod:`.research`), finds ideas harder the further its knowledge has advanced:

``K_r(t + 1) = K_r(t) + (g_K + e_gov) exp(-beta (K_r - A0))``

(Jones 1995; Bloom, Jones, Van Reenen & Webb 2020), with ``e_gov`` the effort the
government's spending buys. The spillover pool

``S_r = s_n log(1 + loc_r n_r / scale) + s_K max(0, K_r - Abar_r)``

grows with the number of local firms within reach of one another (localised
knowledge spillovers; Audretsch & Feldman 1996) and with the institute's lead over
the region's mean technology ``Abar_r``. The pool raises own research
(:mod:`.research`) and the value of moving in (:mod:`.relocation`).

Parameters (schema names): ``innovation.spill_density``, ``innovation.spill_institute``,
``innovation.fishing_out``,
``regions.*.institute_level``, ``regions.*.institute_growth``,
``regions.*.localisation``. Switch: ``mechanisms.research_institutes``.
Records: ``spillover_pool``. Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def institutes(world: World) -> None:
    """Research institutes' knowledge grows with their own research effort."""
    if world.scenario.mechanisms.research_institutes:
        advance_institutes(world, world.regions.institute_growth)


def advance_institutes(world: World, effort: np.ndarray) -> None:
    """Raise each region's institute knowledge by ``effort`` (log points a year at the
    economy's starting technology), less as its knowledge advances (the rule above)."""
    reg = world.regions
    reg.institute = reg.institute + effort * np.exp(-world.scenario.innovation.fishing_out * (reg.institute - world.A0))


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
