"""Capabilities (step 4c): absorptive capacity and in-house R&D units.

Rule
----
Absorptive capacity builds with the firm's own R&D and the region's training, and
decays without them (Cohen & Levinthal 1990):

``alpha_i <- clip(alpha_i + k_rd RD_i / R_i + k_tr training_r - d_alpha alpha_i, 0, 1)``.

A firm without an R&D unit sets one up with probability
``p_unit (1 + e_tr training_r)``; it then wants R&D intensity
``rho exp(s z - s^2 / 2)`` (mean ``rho``; ``z`` standard normal), like an entrant with
a unit. The paper: 25% of China's SMEs have R&D institutions.

Parameters (schema names): ``innovation.alpha_rd``, ``alpha_training``,
``alpha_decay``, ``rd_unit_adoption``, ``training_rd_unit_effect``;
``finance.rd_intensity``, ``finance.rd_intensity_sd``.
Records: ``mean_alpha``, ``share_rd_unit``.
Random stream: ``capabilities`` (one uniform per firm; one normal per adopter).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def wanted_intensity(world: World, z: np.ndarray) -> np.ndarray:
    """The wanted R&D intensity of firms with an R&D unit, one per standard normal draw
    in ``z``: ``rho exp(s z - s^2 / 2)``, log-normal with mean ``rho``."""
    fin = world.scenario.finance
    s = fin.rd_intensity_sd
    return fin.rd_intensity * np.exp(s * z - 0.5 * s * s)


def update(world: World, rng: np.random.Generator) -> None:
    """Absorptive capacity and R&D-unit adoption (the rule above)."""
    f = world.firms
    inn = world.scenario.innovation
    training = world.regions.training
    if f.n == 0:
        return
    intensity = np.divide(f.rd, f.revenue, out=np.zeros(f.n), where=f.revenue > 0)  # 0 without sales
    alpha = (1.0 - inn.alpha_decay) * f.alpha + inn.alpha_rd * intensity + inn.alpha_training * world.at_firms(training)
    f.alpha = np.clip(alpha, 0.0, 1.0)
    p_unit = inn.rd_unit_adoption * (1.0 + inn.training_rd_unit_effect * training)
    adopters = np.flatnonzero(~f.has_rd_unit & (rng.random(f.n) < world.at_firms(p_unit)))
    f.has_rd_unit[adopters] = True
    f.rd_intensity[adopters] = wanted_intensity(world, rng.standard_normal(adopters.size))
