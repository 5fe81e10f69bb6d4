"""Catch-up to the technology frontier (step 5, after the spillovers of :mod:`.diffusion`).

Rule
----
Every firm behind the frontier of its GVC stage learns a share of its distance to it::

    dA_i = nu_F max(0, F_s - P_i),   F_s = the q-quantile of P over stage s's firms,
    P_i = A_i - u_i, the lasting part of technology (u_i: the passing shock of :mod:`.shocks`)

Nelson & Phelps (1966): technology diffuses at a speed that rises with the distance
to the frontier. Griffith, Redding & Van Reenen (2004, *Review of Economics and
Statistics* 86) estimate the catch-up term on OECD industries and Griffith, Redding &
Simpson (2009, *Journal of Regional Science* 49) on British establishments:
establishments further behind their industry's frontier grow faster, so that laggards
settle a steady distance behind it. Bartelsman, Haskel & Martin (2008) find that the
pull of the national frontier does not fall with a firm's distance from it, hence one
rate for every firm; the frontier is the top of the stage's distribution, not its
single best firm (Andrews, Criscuolo & Gal 2015, OECD, define frontiers by the most
productive firms of an industry, the top 5% among their definitions), over the
whole economy: codified knowledge, machines and licences reach a firm wherever it is;
what stays local is in :mod:`.diffusion`. Frontier and gaps are read on the lasting part
of technology: a firm does not copy another's passing luck, and a firm's own bad year
is not a gap to close (with ``A`` itself, laggards would catch up for good with luck
that fades, and technology would drift up without any innovation).

Its economic role: without it a firm that does no R&D never closes its gap, so
productivity dispersion widens for as long as the run lasts; with it, dispersion
settles where the frontier's innovation, the passing shocks and the laggards' catch-up
balance (Syverson 2011: large and persistent, not exploding).

Parameters (schema names): ``diffusion.frontier_rate``, ``diffusion.frontier_quantile``.
Switch: ``mechanisms.frontier_catchup``. Records: ``tech_mean``, ``tech_sd``. Draws
nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def stage_frontier(A: np.ndarray, stage: np.ndarray, *, stages: int, quantile: float) -> np.ndarray:
    """The technology frontier of each GVC stage: the ``quantile`` of ``A`` over the
    stage's firms (``-inf`` for a stage without firms, so nobody is behind it)."""
    frontier = np.full(stages, -np.inf)
    for s in range(stages):
        members = A[stage == s]
        if members.size:
            frontier[s] = np.quantile(members, quantile)
    return frontier


def catch_up_to_frontier(*, A: np.ndarray, frontier: np.ndarray, rate: float) -> np.ndarray:
    """Technology (its lasting part) after a year of catch-up (the rule above):
    ``frontier`` is each firm's stage frontier; firms at or ahead of it are unchanged."""
    return A + rate * np.maximum(frontier - A, 0.0)


def frontier_catchup(world: World) -> None:
    """Apply a year's catch-up to the stage frontiers (the rule above)."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.frontier_catchup or f.n == 0:
        return
    d = sc.diffusion
    lasting = f.A - f.shock
    frontier = stage_frontier(lasting, f.stage, stages=world.S, quantile=d.frontier_quantile)
    f.A = f.shock + catch_up_to_frontier(A=lasting, frontier=frontier[f.stage], rate=d.frontier_rate)
