"""Nascent entrepreneurs (steps 6-7, as firms are founded): a founder whose plan does not
pay does not start.

Rule
----
A would-be entrant (a start-up, a spin-off or a multinational subsidiary) knows its
technology ``A``, GVC stage ``s``, region ``r`` and the share of the stage it enters with
(:func:`.market.entrant_share` times its drawn size). Before hiring anyone it prices its
plan: the operating margin it would earn selling its expected share of this year's
demand at this year's costs in its region (:mod:`.costs`; a spin-off counts the tie to
its parent, an MNE subsidiary its supplier links)::

    m_plan = (Q_plan - C(Q_plan)) / Q_plan,    Q_plan = o f_entrant D_s(t)

with ``o >= 1`` the founder's optimism (``entry.founder_optimism``): founders of start-ups
and spin-offs expect to sell more than they will. Nascent entrepreneurs' sales
projections run above what their ventures realise (Cassar 2010, *Strategic Management
Journal* 31, on the Panel Study of Entrepreneurial Dynamics), and founders rate their own
chances far above the base rate (Cooper, Woo & Dunkelberg 1988: a third put them at
100%; Camerer & Lovallo 1999, *American Economic Review* 89: overconfidence in one's own
skill leads to excess entry). These sources give the sign of the bias, not its size:
each calibration estimates ``o``. A multinational subsidiary is planned by its parent's
staff, not by an individual founder, and prices its plan without the bias (``o = 1``).
``o = 1`` is a fully informed founder facing the zero-profit cutoff of Melitz (2003) and
Hopenhayn (1992), who never starts a firm that would lose money in its first year.
Larger ``o`` lets in more of the plans that do not pay; they leave within their first
years, the young-firm exits of business statistics, next to entrants that survive.
Because the plan is priced on this year's demand, ``o`` also absorbs what a myopic plan
leaves out (the market's growth, the option value of learning one's efficiency,
Jovanovic 1982): it is an upper bound on the bias, not a measure of it. Span-of-control
costs make the planned margin fall again for very large plans (:mod:`.costs`), so a
larger ``o`` admits more plans of ordinary size but not every plan.

Source: Melitz (2003, *Econometrica* 71): an entrant that draws a productivity below the
zero-profit cutoff exits at once, without producing; Hopenhayn (1992, *Econometrica* 60);
many nascent ventures are abandoned before they become operating firms (the Panel
Studies of Entrepreneurial Dynamics follow nascent ventures to initial profits or
disengagement: Reynolds, Hechavarria, Tian, Samuelsson & Davidsson 2018, five-cohort
harmonised data set). Without this rule two thirds of hsinchu's entrants started too small to cover the
fixed cost and three quarters of them left insolvent after their first year of sales.

Parameters (schema names): ``entry.founder_optimism``, ``exit.unviable_margin`` and the
costs of :mod:`.costs`.
Switch: ``mechanisms.entry_screening``, off by default and on in every calibrated
built-in scenario, each with its calibrated optimism (acts only with
``mechanisms.exit`` and ``mechanisms.learning_exit``, whose threshold it uses).
Records: the entry counters (``startups``,
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


def starts(world: World, *, region, stage, technology, share, degree, optimism: float = 1.0) -> np.ndarray:
    """Boolean mask of the would-be entrants whose plan pays (the rule above), priced on
    ``optimism`` times their entry ``share``; all true when the rule is off."""
    sc = world.scenario
    mech = sc.mechanisms
    if not (mech.entry_screening and mech.exit and mech.learning_exit):
        return np.ones(np.shape(region), dtype=bool)
    expected = optimism * np.asarray(share)
    margin = planned_margin(world, region=region, stage=stage, technology=technology, share=expected, degree=degree)
    return margin >= sc.exit.unviable_margin
