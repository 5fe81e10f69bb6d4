"""Idiosyncratic productivity shocks (step 5, after the catch-up of :mod:`.catchup`).

Rule
----
Each firm's technology carries a passing component of its own, ``u_i``, that follows
an autoregressive process::

    u_i <- rho u_i + sigma_A eps_i,   eps_i ~ N(0, 1)
    A_i <- A_i + (u_i(new) - u_i(old))

A machine breaks down, a key engineer leaves, a process change works better than
planned: plant-level productivity moves both ways from year to year, persistently but
not for ever, and the moves are large (Abraham & White 2006, US Census manufacturing
plants; Foster, Haltiwanger & Syverson 2008, *American Economic Review* 98; Cooper &
Haltiwanger 2006, *Review of Economic Studies* 73). An autoregressive log productivity
is the process of Hopenhayn (1992) and of models of firm dynamics since. What
research, absorption, spillovers and catch-up add to ``A`` stays; the shock fades at
rate ``1 - rho``, so it does not let the leaders drift apart as a random walk would.

Its economic role: a firm's fortunes can turn both ways, a weak entrant can get lucky
and an established firm unlucky; growth rates get the both-sided spread of real
firms; dispersion has a component of its own, ``sigma_A / sqrt(1 - rho^2)`` in steady
state.

Parameters (schema names): ``innovation.productivity_shock_sd``,
``innovation.productivity_shock_persistence``. Switch:
``mechanisms.productivity_shocks``. Random stream: ``productivity_shocks`` (one normal
per firm and year).

New firms draw their first passing shock from the process's stationary distribution,
``u_i ~ N(0, sigma_A^2 / (1 - rho^2))`` (:func:`entry_luck`): a start-up's or a
subsidiary's luck in its first year is as variable as an established firm's (Hopenhayn
1992: entrants draw their productivity on entry). An entrant with bad
luck sees low margins from its first year, while its belief about its viability moves
most (:mod:`.learning`), so selection acts on the young (Jovanovic 1982). The draw adds
to the entrant's technology. A firm of the initial population counts its draw inside the
technology it starts with (its lasting part is ``A - u``); the draw is independent of
that technology, so the lasting parts spread more than the initial technologies (by
``sigma_A^2 / (1 - rho^2)`` in variance) and the first years see dispersion settle. A
spin-off inherits its
parent's shock (:mod:`.spinoffs`). These draws come from the stream of the mechanism
that creates the firm (:mod:`.entrants`).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def next_shock(*, shock: np.ndarray, persistence: float, sd: float, eps: np.ndarray) -> np.ndarray:
    """This year's passing component: ``rho u + sigma_A eps``."""
    return persistence * shock + sd * eps


def stationary_sd(*, persistence: float, sd: float) -> float:
    """Standard deviation of the passing component in steady state, ``sigma_A / sqrt(1 - rho^2)``."""
    return sd / np.sqrt(1.0 - persistence**2)


def entry_luck(world: World, z: np.ndarray) -> np.ndarray:
    """New firms' first passing shocks from standard normals ``z``: the stationary
    distribution's (the rule above), or 0 with the mechanism off."""
    sc = world.scenario
    if not sc.mechanisms.productivity_shocks:
        return np.zeros(z.shape)
    inn = sc.innovation
    return stationary_sd(persistence=inn.productivity_shock_persistence, sd=inn.productivity_shock_sd) * z


def productivity_shocks(world: World, rng: np.random.Generator) -> None:
    """Apply this year's idiosyncratic shocks to technology (the rule above)."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.productivity_shocks or f.n == 0:
        return
    inn = sc.innovation
    new = next_shock(shock=f.shock, persistence=inn.productivity_shock_persistence, sd=inn.productivity_shock_sd,
                     eps=rng.standard_normal(f.n))
    f.A = f.A + (new - f.shock)
    f.shock = new
