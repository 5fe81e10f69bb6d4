"""Start-ups (step 6a): de-novo entry, rising with the number of nearby firms.

Rule
----
Start-ups per region ``~ Poisson(l0 n0_r (1 + b_n (loc_r n_r / scale)^phi) culture_r)``,
with ``n0_r`` the region's initial firms: entrepreneurs follow their neighbours, so
the rate rises with the number of firms within reach (Sorenson & Audia 2000), capped
at ``max_startup_ratio`` times the larger of the region's current and initial firms. A start-up

* enters a GVC stage drawn from the region's ``stage_mix``;
* starts ``startup_tech_gap`` below the region's mean technology, with dispersion
  ``startup_tech_sd`` times the region's ``tech_sd`` (entrants start behind;
  Jovanovic 1982);
* locates next to a random firm of the region (founders stay near where they worked;
  Sorenson & Audia 2000), ``startup_distance`` radii away in sd, or around the
  region's centre when it has no firm;
* has ``initial_employees`` employees and ``founder_capital`` as net worth, and draws
  the traits of every entrant (:mod:`.entrants`).

Parameters (schema names): ``entry.startup_rate``, ``neighbour_effect``,
``neighbour_exponent``, ``max_startup_ratio``, ``startup_tech_gap``,
``startup_tech_sd``, ``startup_distance``, ``initial_employees``;
``finance.founder_capital``; ``regions.*.culture``, ``localisation``, ``stage_mix``,
``tech_sd``, ``radius``. Switch: ``mechanisms.startups``.
Records: ``startups``, ``entries``. Random stream: ``startups``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.entrants import add_firms
from innocluster.model.world import World, random_members


def stage_from_mix(world: World, region: np.ndarray, u: np.ndarray) -> np.ndarray:
    """GVC stage of new firms from their region's stage mix: the first stage whose
    cumulative share reaches the uniform ``u`` (the top one where rounding leaves the
    cumulative sum just below 1)."""
    stage = np.empty(region.size, dtype=np.int64)
    for r, cumulative in enumerate(world.regions.stage_cumulative):
        mine = slice(None) if world.regions.R == 1 else region == r
        stage[mine] = np.searchsorted(cumulative, u[mine])  # stages whose cumulative share is below u
    return np.minimum(stage, world.S - 1)


def startups(world: World, rng: np.random.Generator) -> np.ndarray:
    """Create this year's start-ups (the rule above). Returns their rows."""
    sc = world.scenario
    e = sc.entry
    if not sc.mechanisms.startups:
        return np.zeros(0, dtype=np.int64)
    reg = world.regions
    f = world.firms
    counts = world.region_counts()
    near = reg.localisation * counts / world.scale
    rate = e.startup_rate * reg.initial_firms * (1.0 + e.neighbour_effect * near**e.neighbour_exponent) * reg.culture
    k = np.minimum(rng.poisson(rate), np.ceil(e.max_startup_ratio * np.maximum(counts, reg.initial_firms)).astype(np.int64))
    region = np.repeat(np.arange(reg.R), k)
    K = region.size
    if K == 0:
        return np.zeros(0, dtype=np.int64)
    u_stage, u_anchor = rng.random((2, K))
    z_tech, z_x, z_y = rng.standard_normal((3, K))
    stage = stage_from_mix(world, region, u_stage)
    A = world.region_mean_technology(counts)[region] - e.startup_tech_gap + e.startup_tech_sd * reg.tech_sd[region] * z_tech
    anchor = random_members(f.region, reg.R, region, u_anchor)
    near_firm = anchor >= 0  # else around the region's centre, spread like its firms (radius)
    spread = np.where(near_firm, e.startup_distance, 1.0) * reg.radius[region]
    x = reg.x[region].copy()
    y = reg.y[region].copy()
    x[near_firm], y[near_firm] = f.x[anchor[near_firm]], f.y[anchor[near_firm]]
    x += spread * z_x
    y += spread * z_y
    rows = add_firms(world, rng, region=region, stage=stage, A=A, x=x, y=y, employees=e.initial_employees,
                     net_worth=sc.finance.founder_capital, planned_ties=0.0)
    started = rows >= 0
    world.counters.startups += np.bincount(region[started], minlength=reg.R)
    world.counters.book("founder_capital", sc.finance.founder_capital * int(started.sum()))
    return rows[started]
