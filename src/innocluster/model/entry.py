"""Entry: de-novo start-ups and spin-offs.

Start-ups per region ``~ Poisson(l0_r (1 + b_n (loc_r n_r)^phi) culture_r)`` with
``l0_r = startup_rate * initial_firms_r``: entrepreneurs follow their neighbours, so
the rate rises with the number of nearby firms (Sorenson & Audia 2000). A start-up
locates next to a randomly chosen local firm and starts ``startup_tech_gap`` below
the local mean technology.

Spin-offs (the paper: employees leave when "the invention of new technology has been
neglected by the old enterprises"; Klepper 2007): a firm with more than ``L_min``
employees spawns a child with probability ``sigma (1 + b_sp (A_i - Abar_r))``; the
child inherits ``A_parent - |N(0, s_sp)|``, sits near the parent, keeps a tie to it
and records ``parent`` (lineage). Better parents spawn more and better children.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.market import entrant_share
from innocluster.model.world import World


def stage_from_mix(u: np.ndarray, region: np.ndarray, world: World) -> np.ndarray:
    """GVC stage of new firms from their region's stage mix (``stage_mix`` of the scenario).

    A firm with uniform draw ``u`` enters the first stage whose cumulative share reaches
    ``u``: the number of cumulative shares below ``u`` (capped at the top stage, where
    rounding leaves the cumulative sum just below 1; :func:`kernels.stage_from_cumulative`).
    """
    return kernels.stage_from_cumulative(np.asarray(u, dtype=float), np.asarray(region, dtype=np.int64),
                                         world.regions.stage_cumulative)


def draw_firm_traits(world: World, k: int, region: np.ndarray, rng: np.random.Generator) -> dict:
    """R&D unit, wanted R&D intensity, R&D split and absorptive capacity of new firms
    (:func:`kernels.entrant_traits`: two uniforms and three normals per firm, drawn in
    two calls)."""
    sc = world.scenario
    fin = sc.finance
    has_unit, rho, alpha, xi = kernels.entrant_traits(
        kernels.uniform(rng, 2 * k).reshape(2, k), kernels.normal(rng, 0.0, 1.0, 3 * k).reshape(3, k), region, world.regions.rd_unit_share,
        fin.informal_rd_share, fin.rd_intensity, fin.rd_intensity_sd, world.regions.alpha_mean,
        sc.innovation.rd_share_own)
    return {"has_rd_unit": has_unit, "rd_intensity": rho, "alpha": alpha, "xi": xi}


def add_firms(world: World, region, stage, A, x, y, employees, net_worth, rng,
              share_multiplier: float = 1.0, **extra) -> np.ndarray:
    """Append firms with drawn traits, balance sheets and entrant market shares.

    ``extra`` overrides drawn traits or sets other columns (``parent``, ``is_mne`` …).
    """
    region = np.asarray(region, dtype=np.int64)
    k = region.size
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    stage = np.asarray(stage, dtype=np.int64)
    traits = draw_firm_traits(world, k, region, rng)
    if "has_rd_unit" in extra:
        # a forced R&D unit needs a positive wanted intensity
        fin = world.scenario.finance
        unit = np.asarray(extra["has_rd_unit"], dtype=bool)
        need = unit & (traits["rd_intensity"] <= 0)
        traits["rd_intensity"] = np.where(need, fin.rd_intensity, traits["rd_intensity"])
    traits.update(extra)
    share = entrant_share(world, stage) * share_multiplier
    nw = np.asarray(net_worth, dtype=float)  # one value for all entrants, or one each
    return world.firms.append(
        k, region=region, stage=stage, A=A, x=x, y=y, employees=employees,
        net_worth=nw, capital=nw, share=share, founded_year=world.year,
        unit_cost=1.0, **traits,
    )


def startups(world: World, rng: np.random.Generator) -> None:
    """De-novo start-ups (step 6a): counts per region, then stage, technology and site
    (:func:`kernels.startup_sites`, two uniforms and three normals per start-up)."""
    sc = world.scenario
    e = sc.entry
    if not sc.mechanisms.startups:
        return
    reg = world.regions
    f = world.firms
    counts = world.region_counts()
    near = reg.localisation * counts / world.scale
    lam = e.startup_rate * reg.initial_firms * (1.0 + e.neighbour_effect * near**e.neighbour_exponent) * reg.culture
    k = kernels.poisson_by_region(rng, lam)
    # a ceiling, not a rate: binds only for explosive parameter combinations in sweeps
    k = np.minimum(k, np.ceil(e.max_startup_ratio * np.maximum(counts, reg.initial_firms)).astype(np.int64))
    region = np.repeat(np.arange(reg.R), k)
    if region.size == 0:
        return
    world.counters.startups += k
    K = region.size
    stage, A, x, y = kernels.startup_sites(
        kernels.uniform(rng, 2 * K).reshape(2, K), kernels.normal(rng, 0.0, 1.0, 3 * K).reshape(3, K), region, reg.R, f.region, f.x, f.y,
        reg.stage_cumulative,
        world.region_mean_technology(counts), e.startup_tech_gap, reg.tech_sd,
        reg.x, reg.y, reg.radius)
    nw = sc.finance.founder_capital
    world.counters.book("founder_capital", nw * K)
    add_firms(world, region, stage, A, x, y, e.initial_employees, nw, rng)


def spinoffs(world: World, rng: np.random.Generator) -> np.ndarray:
    """Spin-offs from incumbents (step 6b). Returns the new rows."""
    sc = world.scenario
    e = sc.entry
    f = world.firms
    if not sc.mechanisms.spinoffs or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    reg = world.regions
    Abar = world.region_mean_technology()
    # p = sigma (1 + b_sp (A_i - Abar_r)) clipped to [0, 1]; one draw per firm, eligible
    # or not (common random numbers: a firm's draw does not depend on others' states)
    parents = kernels.spinoff_parents(f.A, Abar, f.region, f.employees, f.is_mne, kernels.uniform(rng, f.n), e.spinoff_rate,
                                      e.spinoff_quality, e.spinoff_min_employees)
    if parents.size == 0:
        return parents
    k = parents.size
    # technology lost and the offset from the parent: three standard normals per child;
    # children start in the parent's stage and region; an R&D unit if the parent has one,
    # else by a coin flip (kernels.spinoff_children)
    z = kernels.normal(rng, 0.0, 1.0, 3 * k).reshape(3, k)
    A, x, y, stage, region, parent_id, has_unit, per_region = kernels.spinoff_children(
        parents, z, kernels.uniform(rng, k), f.A, f.x, f.y, f.stage, f.region, f.id, f.has_rd_unit, e.spinoff_tech_loss,
        e.spinoff_distance, reg.R)
    world.counters.spinoffs += per_region
    nw = sc.finance.founder_capital
    world.counters.book("founder_capital", nw * k)
    children = add_firms(world, region, stage, A, x, y, e.initial_employees, nw, rng,
                         parent=parent_id, has_rd_unit=has_unit)
    world.network.add(children, parents)
    return children
