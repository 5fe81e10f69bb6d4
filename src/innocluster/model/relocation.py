"""Relocation and polarisation (paper: *accumulation of knowledge and expertise
outside the enterprise*; Wang 2001): outside firms and multinationals move into an
attractive cluster.

Each year a share of periphery firms compares its current profit with the profit it
would make in each cluster — the same output and technology priced with the
cluster's wages, supplier base, infrastructure, trust and congestion rent (the cost
functions of :mod:`innocluster.model.costs`) — plus the value of the cluster's larger
spillover pool, net of a moving cost. A firm that gains moves with probability ``mu``
to its best cluster; congestion (rent and wages rising with density) slows the
inflow.

MNE subsidiaries arrive at each cluster ``~ Poisson(l_mne attract_r)`` with
``attract_r`` from free talent, the supplier base, infrastructure and incentives
(seed-enterprise policy) minus rent. They bring technology above the local level,
hire talent and link local suppliers into their value chain (ties that help those
suppliers upgrade, :mod:`innocluster.model.gvc`).
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.costs import RegionCostFactors, cost_components
from innocluster.model.entry import add_firms
from innocluster.model.world import World


def relocate(world: World, factors: RegionCostFactors, degree: np.ndarray, rng: np.random.Generator) -> None:
    """Periphery firms move into clusters when it pays (step 7a)."""
    sc = world.scenario
    rel = sc.relocation
    f = world.firms
    reg = world.regions
    if not sc.mechanisms.relocation or f.n == 0:
        return
    clusters = np.flatnonzero(reg.is_cluster)
    outside = np.flatnonzero(~reg.is_cluster[f.region] & ~f.is_mne)
    if clusters.size == 0 or outside.size == 0:
        return
    cand = outside[rng.random(outside.size) < rel.sample_share]
    if cand.size == 0:
        return
    Q = np.maximum(f.revenue[cand], 1e-6)
    A = f.A[cand]
    st = f.stage[cand].astype(np.int64)
    deg = degree[cand].astype(float)
    cur = cost_components(Q, A, st, f.region[cand].astype(np.int64), deg, factors, world)["total"]
    va = world.value_added_share[st]
    profit_here = Q - cur + rel.spillover_value * reg.spillover[f.region[cand]] * va * Q
    best_gain = np.full(cand.size, -np.inf)
    best_c = np.full(cand.size, -1)
    for c in clusters:  # a handful of regions, not firms
        rc = np.full(cand.size, c)
        cost_c = cost_components(Q, A, st, rc, deg, factors, world)["total"]
        profit_c = Q - cost_c + rel.spillover_value * reg.spillover[c] * va * Q
        gain = profit_c - rel.moving_cost - profit_here
        better = gain > best_gain
        best_gain = np.where(better, gain, best_gain)
        best_c = np.where(better, c, best_c)
    move = (best_gain > 0) & (rng.random(cand.size) < rel.move_probability)
    movers = cand[move]
    if movers.size == 0:
        return
    dest = best_c[move]
    ctr = world.counters
    ctr.relocations_out += np.bincount(f.region[movers], minlength=reg.R)
    ctr.relocations_in += np.bincount(dest, minlength=reg.R)
    f.region[movers] = dest.astype(np.int16)
    f.x[movers] = (reg.x[dest] + rng.normal(0, 1, movers.size) * reg.radius[dest]).astype(np.float32)
    f.y[movers] = (reg.y[dest] + rng.normal(0, 1, movers.size) * reg.radius[dest]).astype(np.float32)
    f.relocated[movers] = True
    f.net_worth[movers] -= rel.moving_cost
    ctr.book("moving_cost", -rel.moving_cost * movers.size)


def attractiveness(world: World, factors: RegionCostFactors) -> np.ndarray:
    """attract_r: free talent + supplier base + infrastructure + incentives - rent."""
    sc = world.scenario
    rel = sc.relocation
    reg = world.regions
    f = world.firms
    emp = kernels.group_sum(f.region, f.employees, reg.R)
    counts = world.region_counts()
    talent = np.clip(1.0 - emp / reg.labour_supply, 0.0, 1.0)
    suppliers = np.log1p(reg.localisation * counts / world.scale) / np.log1p(1000.0)
    infra = reg.infrastructure / (reg.infrastructure + sc.costs.infrastructure_half * world.scale)
    rent = factors.rent / (factors.rent + sc.costs.fixed_cost + 1e-12)
    a = (rel.attract_talent * talent + rel.attract_suppliers * suppliers + rel.attract_infrastructure * infra
         + rel.attract_incentives * reg.incentives - rel.attract_rent * rent)
    return np.maximum(a, 0.0) * reg.is_cluster


def mne_inflow(world: World, factors: RegionCostFactors, rng: np.random.Generator) -> None:
    """Multinational subsidiaries and seed enterprises arrive (step 7b)."""
    sc = world.scenario
    rel = sc.relocation
    if not sc.mechanisms.mne_inflow:
        return
    reg = world.regions
    f = world.firms
    lam = rel.mne_rate * attractiveness(world, factors) * world.scale
    k = rng.poisson(lam)
    region = np.repeat(np.arange(reg.R), k)
    if region.size == 0:
        return
    world.counters.mne_arrivals += k
    top = np.quantile(f.A, 0.9) if f.n else 0.0
    A = top + rel.mne_tech_premium + rng.normal(0, 0.1, region.size)
    S = world.S
    stage = rng.integers(max(S - 3, 0), S, region.size)
    x = reg.x[region] + rng.normal(0, 1, region.size) * reg.radius[region]
    y = reg.y[region] + rng.normal(0, 1, region.size) * reg.radius[region]
    nw = 10.0 * sc.finance.founder_capital * np.ones(region.size)
    world.counters.book("mne_capital", nw.sum())
    new = add_firms(world, region, stage, A, x, y, rel.mne_employees, nw, rng, share_multiplier=10.0,
                    is_mne=True, has_rd_unit=True, alpha=0.9)
    # link local SME suppliers in lower stages into the MNE's value chain
    L = rel.mne_supplier_links
    if L and f.n:
        owners = np.repeat(new, L)
        rr = f.region[owners]
        local = np.flatnonzero(~f.is_mne)
        if local.size:
            pick = world.random_member(rr, rng, members=local)
            ok = pick >= 0
            world.network.add(owners[ok], pick[ok])
