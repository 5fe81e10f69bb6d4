"""Nascent entrepreneurs (steps 6-7, as firms are founded): a founder whose plan does not
pay does not start.

Rule
----
A would-be entrant (a start-up, a spin-off or a multinational subsidiary) knows its
technology ``A``, GVC stage ``s``, region ``r`` and the share of the stage it enters with
(:func:`.market.entrant_share` times its drawn size). Before hiring anyone it prices its
plan: the operating margin it would earn selling that share of this year's demand at
this year's costs in its region (:mod:`.costs`; a spin-off counts the tie to its
parent, an MNE subsidiary its supplier links)::

    m_plan = (Q_plan - C(Q_plan)) / Q_plan,    Q_plan = f_entrant D_s(t)

and it starts only if ``m_plan`` is at least the learning exit's threshold
``exit.unviable_margin`` (:mod:`.learning`), the same threshold the initial population
is selected on (:mod:`.initial`). A founder below it gives up: the attempt leaves no
firm, no employees and no exit in business statistics, which count employer firms.

Source: Melitz (2003, *Econometrica* 71): an entrant that draws a productivity below the
zero-profit cutoff exits at once, without producing; Hopenhayn (1992, *Econometrica* 60);
many nascent ventures are abandoned before they become operating firms (the Panel
Studies of Entrepreneurial Dynamics follow nascent ventures to initial profits or
disengagement: Reynolds, Hechavarria, Tian, Samuelsson & Davidsson 2018, five-cohort
harmonised data set). Without this rule two thirds of hsinchu's entrants started too small to cover the
fixed cost and three quarters of them left insolvent after their first year of sales.

Parameters (schema names): ``exit.unviable_margin`` and the costs of :mod:`.costs`.
Switch: ``mechanisms.entry_screening``, off by default (acts only with
``mechanisms.exit`` and ``mechanisms.learning_exit``, whose threshold it uses):
recalibrated with it, the built-in scenarios' entrants survived as in business
statistics but their exit rates fell below them, for want of exit among established
firms (``docs/validation.md``). Records: the entry counters (``startups``,
``spinoffs``, ``mne_arrivals``) count the firms that started. Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import costs
from innocluster.model.world import World


def planned_margin(world: World, *, region, stage, technology, share, degree) -> np.ndarray:
    """Operating margin of selling ``share`` of this year's demand of ``stage`` with
    ``technology`` in ``region`` (``degree`` trust ties), at this year's costs."""
    output = world.demand()[stage] * share
    c = costs.cost_components(world, output=output, technology=technology, stage=stage, region=region,
                              degree=degree, factors=costs.region_factors(world))
    return (output - c.total) / np.maximum(output, 1e-300)


def starts(world: World, *, region, stage, technology, share, degree) -> np.ndarray:
    """Boolean mask of the would-be entrants whose plan pays (the rule above); all true
    when the rule is off."""
    sc = world.scenario
    mech = sc.mechanisms
    if not (mech.entry_screening and mech.exit and mech.learning_exit):
        return np.ones(np.shape(region), dtype=bool)
    margin = planned_margin(world, region=region, stage=stage, technology=technology, share=share, degree=degree)
    return margin >= sc.exit.unviable_margin
