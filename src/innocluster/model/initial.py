"""The population at t = 0 (initialisation, ODD element 5 of ``docs/model.md``).

Rule
----
Region ``r`` starts with ``n0_r`` firms (rescaled by ``--firms``). Each firm

* has technology ``A ~ N(tech_mean_r, tech_sd_r)`` and a GVC stage drawn from the
  region's ``stage_mix``;
* sits around the region's centre, ``N(centre_r, radius_r)`` in each coordinate;
* has a log-normal size, market share ``exp(size_sd z) e^A`` renormalised within its
  stage (sizes close to log-normal; Cabral & Mata 2003), and the revenue that share
  of stage demand gives;
* is ``U{0, ..., max_age - 1}`` years old;
* has net worth and capital ``net_worth_to_revenue R + founder_capital``;
* draws the traits of every entrant (:mod:`.entrants`); its passing productivity shock
  is part of the technology it starts with (:mod:`.shocks`).

The trust network is seeded (:func:`.ties.initial_ties`); employees and unit costs
come from the cost rule at the initial wages ``w_r0``, with the wage index's base
``Abar(0)`` the domestic firms' employment-weighted mean technology and the wage's
labour-market term measured against the initial labour demand (:mod:`.costs`).

Parameters (schema names): ``initial.max_age``, ``initial.size_sd``,
``initial.net_worth_to_revenue``; ``regions.*.initial_firms``, ``tech_mean``,
``tech_sd``, ``stage_mix``, ``radius``; ``finance.founder_capital``.
Random stream: ``initial_population``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import costs, market, ties
from innocluster.model.entrants import add_firms
from innocluster.model.startups import stage_from_mix
from innocluster.model.world import World

#: passes of redrawing the initial firms the exit rule would already have removed
#: (:func:`already_exited`); firms still unviable after them stay and leave in the first years
MAX_REDRAWS = 50


def populate(world: World, counts: np.ndarray, rng: np.random.Generator) -> None:
    """Create the initial firms (``counts[r]`` in region ``r``) and their ties."""
    sc = world.scenario
    ini = sc.initial
    reg = world.regions
    region = np.repeat(np.arange(reg.R), counts)
    n = region.size
    A = reg.tech_mean[region] + reg.tech_sd[region] * rng.standard_normal(n)
    stage = stage_from_mix(world, region, rng.random(n))
    x = reg.x[region] + reg.radius[region] * rng.standard_normal(n)
    y = reg.y[region] + reg.radius[region] * rng.standard_normal(n)
    size = np.exp(ini.size_sd * rng.standard_normal(n))
    age = rng.integers(0, ini.max_age, n)
    add_firms(world, rng, region=region, stage=stage, A=A, x=x, y=y, employees=0.0, net_worth=0.0,
              age=age, founded_year=sc.start_year - age, years_observed=age, luck_in_technology=True)
    f = world.firms
    ties.initial_ties(world, rng)
    degree = world.network.degree(f.n)
    margin = initial_accounts(world, size=size, degree=degree)
    for _ in range(MAX_REDRAWS):
        gone = already_exited(world, margin)
        if not gone.any():
            break
        # a full vector per pass, used where needed: firm i's k-th candidate is the same draw in
        # two runs that differ in a parameter (common random numbers), however many are redrawn
        z_A, z_size = rng.standard_normal((2, f.n))
        f.A[gone] = reg.tech_mean[region[gone]] + reg.tech_sd[region[gone]] * z_A[gone]
        size[gone] = np.exp(ini.size_sd * z_size[gone])
        margin = initial_accounts(world, size=size, degree=degree)
    world.stage_A0 = market.stage_technology(world)
    f.net_worth = ini.net_worth_to_revenue * f.revenue + sc.finance.founder_capital
    f.capital = f.net_worth


def initial_accounts(world: World, *, size: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Shares, revenue, employees and unit cost of the initial firms from their sizes
    and technology (the rule above), and the wage bases of :mod:`.costs` (the index's
    ``Abar(0)``, the labour-market term's initial labour demand). Returns each firm's
    operating margin ``1 - unit cost`` at the initial wages."""
    f = world.firms
    reg = world.regions
    f.share = size * np.exp(f.A)
    f.share = f.share / np.maximum(market.stage_sums(f.share, f.stage, world.S), 1e-300)[f.stage]
    market.revenues(world)
    no_employment = np.zeros(reg.R)  # labour needed does not depend on wages
    firm = {"output": f.revenue, "technology": f.A, "stage": f.stage, "region": f.region, "degree": degree}
    f.employees = costs.cost_components(world, factors=costs.region_factors(world, no_employment), **firm).labour
    world.A0 = world.domestic_revenue_productivity()  # the wage index's base: technology at t = 0
    employment0 = world.region_sum(f.employees)
    reg.labour_pressure0 = employment0 / reg.labour_supply  # the wage's labour-market base
    total = costs.cost_components(world, factors=costs.region_factors(world, employment0), **firm).total
    f.unit_cost = total / np.maximum(f.revenue, 1e-12)
    return 1.0 - f.unit_cost


def already_exited(world: World, margin: np.ndarray) -> np.ndarray:
    """Initial firms the exit rule would already have removed: an operating margin at
    t = 0 below ``exit.unviable_margin`` (the learning exit's threshold, :mod:`.learning`).

    The initial population stands for an economy that has been running, so it holds
    the survivors of selection, not fresh draws: in a stationary industry every
    incumbent's expected value of staying is positive (Hopenhayn 1992, *Econometrica*
    60; Melitz 2003, *Econometrica* 71, the zero-profit cutoff). Drawn independently,
    technology and size put firms too small or too far behind to cover their fixed
    costs into the population. The threshold is the learning exit's, applied to the
    margin the firm makes at t = 0, that is, to a firm that knows its own viability
    (its belief about it still starts at break-even, :mod:`.learning`).

    What it does and does not do: the redrawn firms' technology and size come from the
    same distributions, so ``regions.*.tech_mean``, ``tech_sd`` and ``initial.size_sd``
    describe the draws before selection, and the selected population is more productive
    and larger on average. Where a stage's demand cannot carry all its initial firms at
    the calibrated costs, redrawing cannot make them all viable (one firm's larger share
    is another's smaller one); the firms still below the threshold after
    :data:`MAX_REDRAWS` passes stay, and leave in the run's first years."""
    sc = world.scenario
    if not (sc.mechanisms.exit and sc.mechanisms.learning_exit):
        return np.zeros(margin.shape, dtype=bool)
    return margin < sc.exit.unviable_margin
