"""Exit (step 9): firms that cannot go on leave the market.

Rule
----
A firm past its grace period exits when its net worth is negative after financing,
``NW_i < 0``, when it has learned that it is not viable (its expected operating margin
below ``unviable_margin``, :mod:`.learning`; Jovanovic 1982), or when its market share
has vanished, ``f_i < f_min / n_s`` (a multiple of its stage's mean share; Dosi,
Fagiolo & Roventini 2010). Exits free labour (wage
pressure falls next year), and the firm's remaining net worth is written off (booked
as a named sink); its ties vanish.

Parameters (schema names): ``exit.grace_years``, ``market.min_share``; those of
:mod:`.learning`. Switches: ``mechanisms.exit``, ``mechanisms.learning_exit``. Records:
``exits``, ``survivors_5y`` (the firms that entered five years before and are still active
this year, those that leave at its end included); the firm panel's ``exit_reason``
(:data:`EXIT_REASONS`). Draws nothing.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast
from innocluster.model.learning import unviable
from innocluster.model.world import World, group_count

#: the year's flows of exiting firms that still count in the year's regional totals
EXITED_FLOWS = ("revenue", "rd", "rd_wanted", "patents_new", "value_added", "exports", "profit")


#: the age at which the record counts what is left of an entry cohort (``survivors_5y``)
SURVIVAL_HORIZON = 5


def entered_years_ago(world: World, years: int = SURVIVAL_HORIZON, year: int | None = None) -> np.ndarray:
    """Boolean mask of the firms that entered during the run ``years`` before ``year``
    (default: this year). Firms of the initial population, founded before the run or in
    its first year alongside its first entrants, are no entry cohort and never count,
    as in the report card's survival (:func:`innocluster.validation.estimators.survival`)."""
    f = world.firms
    cohort = (world.year if year is None else year) - years
    if cohort <= world.scenario.start_year:
        return np.zeros(f.n, dtype=bool)
    return f.founded_year == cohort


#: why a firm exits, the code of the firm panel's ``exit_reason`` (0: it stays); a firm
#: that meets several conditions gets the first in this order
EXIT_REASONS = {1: "insolvent", 2: "unviable", 3: "lost_market"}


def exit_reasons(world: World) -> np.ndarray:
    """Why each firm exits this year (codes of :data:`EXIT_REASONS`, 0: it stays):
    negative net worth (insolvent), a learned expected margin below the threshold
    (unviable), or a market share below the floor (lost its market); the rule above."""
    f = world.firms
    sc = world.scenario
    reason = np.zeros(f.n, dtype=np.int8)
    if not sc.mechanisms.exit or f.n == 0:
        return reason
    stage_firms = fast(group_count)(group=f.stage, G=world.S)
    floor = sc.market.min_share / np.maximum(stage_firms, 1)
    past_grace = f.age >= sc.exit.grace_years
    for code, condition in ((3, f.share < floor[f.stage]), (2, unviable(world)), (1, f.net_worth < 0)):
        reason[past_grace & condition] = code  # the last written, the first in EXIT_REASONS, wins
    return reason


def exiting(world: World) -> np.ndarray:
    """Boolean mask of the firms that exit this year (the rule above)."""
    return exit_reasons(world) > 0


def remove(world: World, mask: np.ndarray) -> None:
    """Remove the firms in ``mask``: count their flows, book what they take with them,
    compact the table and let the network follow."""
    f = world.firms
    ctr = world.counters
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (f.n,):
        raise ValueError(f"remove: a mask of {mask.size} values for {f.n} firms")
    if not mask.any():
        return
    R = world.regions.R
    leaving = np.flatnonzero(mask)
    region = f.region[leaving]
    for name in EXITED_FLOWS:
        values = getattr(f, name)[leaving]
        ctr.exited_flows[name] = np.bincount(region, weights=values, minlength=R) if R > 1 else np.array([values.sum()])
    # an entry cohort's firms that leave in its fifth year still count as its survivors
    # of that year, as in business statistics' survival to age five
    ctr.exited_flows["survivors_5y"] = np.bincount(region, weights=entered_years_ago(world)[leaving], minlength=R)
    ctr.exits += np.bincount(region, minlength=R)
    ctr.book("exit_write_off", -f.net_worth[leaving].sum())
    world.network.remap(f.remove(mask))
