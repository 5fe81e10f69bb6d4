"""MNE inflow (step 7b): multinational subsidiaries and seed enterprises arrive.

The paper on Bangalore: "attracts three Indian software companies INFOSYS, WIPRO and
many multinational corporations [...] These companies bring a lot of expertise and
high-quality personnel"; on Pinghu: the government "led to [...] investment 'seed'
enterprises".

Rule
----
Subsidiaries arrive at cluster ``r`` as ``Poisson(l_mne attract_r scale)`` with

``attract_r = a_tal talent_r + a_sup suppliers_r + a_inf I_r/(I_r + I_half) + a_inc incentives_r - a_rent rent_r/(rent_r + F_0)``

(free talent ``1 - L_r / L^supply_r``, supplier base ``log(1 + loc_r n_r) / log(1 + n_ref)``,
the seed-enterprise incentives the government pays for), floored at 0 and zero outside
clusters. A subsidiary

* brings technology ``q_A-quantile of A + premium + N(0, sd)`` (firm-specific
  technology of multinationals; Markusen 1995), an R&D unit and high absorptive
  capacity;
* enters one of the top ``mne_stages`` GVC stages (all when there are fewer) (lead firms hold the high-value
  stages; Gereffi, Humphrey & Sturgeon 2005) with a multiple of an entrant's share,
  ``mne_employees`` employees and a multiple of founder capital;
* ties ``mne_supplier_links`` random local SMEs of its region into its value chain
  (backward linkages; Javorcik 2004), which helps them upgrade (:mod:`.upgrading`).

Parameters (schema names): ``relocation.mne_*``, ``relocation.attract_*``,
``relocation.suppliers_ref``; ``costs.infrastructure_half``, ``costs.fixed_cost``;
``regions.*.incentives``. Switch: ``mechanisms.mne_inflow``.
Records: ``mne_arrivals``, ``firms_mne``. Random stream: ``mne_inflow``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.costs import RegionCostFactors
from innocluster.model.entrants import add_firms
from innocluster.model.world import World, random_members


def attractiveness(world: World, factors: RegionCostFactors) -> np.ndarray:
    """``attract_r`` of every region (0 outside clusters)."""
    sc = world.scenario
    rel = sc.relocation
    reg = world.regions
    f = world.firms
    employment = world.region_sum(f.employees)
    counts = world.region_counts()
    talent = np.clip(1.0 - employment / reg.labour_supply, 0.0, 1.0)
    suppliers = np.log1p(reg.localisation * counts / world.scale) / np.log1p(rel.suppliers_ref)
    infrastructure = reg.infrastructure / (reg.infrastructure + sc.costs.infrastructure_half * world.scale)
    rent = factors.rent / (factors.rent + sc.costs.fixed_cost + 1e-12)
    a = (rel.attract_talent * talent + rel.attract_suppliers * suppliers + rel.attract_infrastructure * infrastructure
         + rel.attract_incentives * reg.incentives - rel.attract_rent * rent)
    return np.maximum(a, 0.0) * reg.is_cluster


def mne_inflow(world: World, factors: RegionCostFactors, rng: np.random.Generator) -> np.ndarray:
    """Multinational subsidiaries arrive and tie local suppliers (the rule above).
    Returns their rows."""
    sc = world.scenario
    rel = sc.relocation
    if not sc.mechanisms.mne_inflow:
        return np.zeros(0, dtype=np.int64)
    reg = world.regions
    f = world.firms
    k = rng.poisson(rel.mne_rate * attractiveness(world, factors) * world.scale)
    region = np.repeat(np.arange(reg.R), k)
    K = region.size
    if K == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.quantile(f.A, rel.mne_tech_quantile) if f.n else 0.0
    A = top + rel.mne_tech_premium + rel.mne_tech_sd * rng.standard_normal(K)
    stage = rng.integers(max(world.S - rel.mne_stages, 0), world.S, K)
    x = reg.x[region] + rng.standard_normal(K) * reg.radius[region]
    y = reg.y[region] + rng.standard_normal(K) * reg.radius[region]
    capital = rel.mne_capital_multiple * sc.finance.founder_capital
    new = add_firms(world, rng, region=region, stage=stage, A=A, x=x, y=y, employees=rel.mne_employees,
                    net_worth=capital, share_multiplier=rel.mne_share_multiple, is_mne=True, has_rd_unit=True,
                    alpha=rel.mne_absorptive_capacity, planned_ties=float(rel.mne_supplier_links))
    started = new >= 0
    world.counters.mne_arrivals += np.bincount(region[started], minlength=reg.R)
    world.counters.book("mne_capital", capital * int(started.sum()))
    new = new[started]
    if rel.mne_supplier_links:
        f = world.firms  # the table has grown
        owners = np.repeat(new, rel.mne_supplier_links)
        local_smes = np.flatnonzero(~f.is_mne)
        supplier = random_members(f.region, reg.R, f.region[owners], rng.random(owners.size), rows=local_smes)
        found = supplier >= 0
        world.network.add(owners[found], supplier[found])
    return new
