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
    rounding leaves the cumulative sum just below 1). Counted stage by stage, so no
    (firms x stages) table of cumulative shares is built.
    """
    cum = np.cumsum(np.array([r.stage_mix for r in world.scenario.regions]), axis=1)
    stage = np.zeros(u.size, dtype=np.int64)
    for s in range(cum.shape[1]):  # loop over stages, not firms
        stage += u > cum[region, s]
    return np.minimum(stage, world.S - 1)


def draw_firm_traits(world: World, k: int, region: np.ndarray, rng: np.random.Generator) -> dict:
    """R&D unit, wanted R&D intensity, R&D split and absorptive capacity of new firms."""
    sc = world.scenario
    fin = sc.finance
    rd_share = np.array([r.rd_unit_share for r in sc.regions])[region]
    alpha_mean = np.array([r.alpha_mean for r in sc.regions])[region]
    has_unit = rng.random(k) < rd_share
    informal = ~has_unit & (rng.random(k) < fin.informal_rd_share)
    rho = fin.rd_intensity * np.exp(rng.normal(-0.5 * fin.rd_intensity_sd**2, fin.rd_intensity_sd, k))
    rho = np.where(has_unit, rho, np.where(informal, 0.25 * rho, 0.0))
    # normal(alpha_mean_r, 0.1) as loc + scale z: NumPy's own formula, without its slow per-element broadcast;
    # clipped to [0, 1] by maximum and minimum (np.clip's values, without its dispatch cost on small arrays)
    alpha = np.minimum(np.maximum(alpha_mean + 0.1 * rng.standard_normal(k), 0.0), 1.0)
    xi = np.minimum(np.maximum(rng.normal(sc.innovation.rd_share_own, 0.1, k), 0.0), 1.0)
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


def _near(world: World, anchors: np.ndarray, sd, rng) -> tuple[np.ndarray, np.ndarray]:
    f = world.firms
    sd = np.asarray(sd, dtype=float)  # one spread for all, or one per anchor
    return (f.x[anchors] + rng.normal(0, 1, anchors.size) * sd,
            f.y[anchors] + rng.normal(0, 1, anchors.size) * sd)


def startups(world: World, rng: np.random.Generator) -> None:
    """De-novo start-ups (step 6a)."""
    sc = world.scenario
    e = sc.entry
    if not sc.mechanisms.startups:
        return
    reg = world.regions
    f = world.firms
    counts = world.region_counts()
    near = reg.localisation * counts / world.scale
    lam = e.startup_rate * reg.initial_firms * (1.0 + e.neighbour_effect * near**e.neighbour_exponent) * reg.culture
    k = rng.poisson(lam)
    # a ceiling, not a rate: binds only for explosive parameter combinations in sweeps
    k = np.minimum(k, np.ceil(e.max_startup_ratio * np.maximum(counts, reg.initial_firms)).astype(np.int64))
    region = np.repeat(np.arange(reg.R), k)
    if region.size == 0:
        return
    world.counters.startups += k
    Abar = world.region_mean_technology(counts)
    tech_sd = np.array([r.tech_sd for r in sc.regions])
    A = Abar[region] - e.startup_tech_gap + rng.normal(0, 1, region.size) * 0.5 * tech_sd[region]
    stage = stage_from_mix(rng.random(region.size), region, world)
    # entrepreneurs follow neighbours: next to a random local firm when there is one
    has = counts[region] > 0
    anchor = world.random_member(region, rng) if f.n else np.zeros(region.size, dtype=np.int64)
    x = np.where(has, 0.0, reg.x[region] + rng.normal(0, 1, region.size) * reg.radius[region])
    y = np.where(has, 0.0, reg.y[region] + rng.normal(0, 1, region.size) * reg.radius[region])
    if f.n:
        ax, ay = _near(world, anchor, reg.radius[region] / 5.0, rng)
        x = np.where(has, ax, x)
        y = np.where(has, ay, y)
    nw = sc.finance.founder_capital
    world.counters.book("founder_capital", nw * region.size)
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
    parents = kernels.spinoff_parents(f.A, Abar, f.region, f.employees, f.is_mne, rng.random(f.n), e.spinoff_rate,
                                      e.spinoff_quality, e.spinoff_min_employees)
    if parents.size == 0:
        return parents
    k = parents.size
    world.counters.spinoffs += np.bincount(f.region[parents], minlength=reg.R)
    A = f.A[parents] - np.abs(rng.normal(0, e.spinoff_tech_loss, k))
    x, y = _near(world, parents, e.spinoff_distance, rng)
    # MNE spin-offs start in the lowest stage the child can hold; SME children keep the parent's stage
    stage = f.stage[parents].astype(np.int64)
    nw = sc.finance.founder_capital
    world.counters.book("founder_capital", nw * k)
    has_unit = f.has_rd_unit[parents] | (rng.random(k) < 0.5)
    children = add_firms(world, f.region[parents], stage, A, x, y, e.initial_employees, nw, rng,
                         parent=f.id[parents], has_rd_unit=has_unit)
    world.network.add(children, parents)
    return children
