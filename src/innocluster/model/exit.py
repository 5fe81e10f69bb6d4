"""Exit: firms with negative net worth after financing, or a vanishing market share.

``exit_i = NW_i < 0  or  f_i < f_min * (1 / n_s)`` for firms older than the grace
period. Exits free labour (the wage pressure falls next year) and write off the
firm's remaining net worth and any VC stake (booked as named sinks).
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World


def exiting(world: World) -> np.ndarray:
    """Boolean mask of firms that exit this year (step 9)."""
    f = world.firms
    sc = world.scenario
    if not sc.mechanisms.exit or f.n == 0:
        return np.zeros(f.n, dtype=bool)
    # the stages' firm counts and share floors in the same compiled call
    return kernels.exit_mask(f.age, sc.exit.grace_years, f.net_worth, f.share, f.stage, world.S, sc.market.min_share)


def remove(world: World, mask: np.ndarray) -> None:
    """Mark exiting firms dead, book what they take with them, compact the table."""
    f = world.firms
    ctr = world.counters
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (f.n,):  # the compiled pass reads the mask unchecked
        raise ValueError(f"remove: a mask of {mask.size} values for {f.n} firms")
    if mask.any():
        R = world.regions.R
        # the year's flows of leaving firms still belong to the year's regional totals;
        # the same pass marks them dead
        flows = kernels.exited_flows(f.region, mask, R, f.revenue, f.rd, f.rd_wanted, f.patents_new, f.value_added,
                                     f.exports, f.profit, f.net_worth, f.alive)
        for col, total in zip(("revenue", "rd", "rd_wanted", "patents_new", "value_added", "exports", "profit"), flows):
            ctr.exited_flows[col] = total
        ctr.exits += flows[7]
        ctr.book("exit_write_off", -flows[8].sum())
    old_to_new = f.compact()
    world.network.remap(old_to_new)
