"""Government and institutions (step 10): the paper's strategic initiatives as
budgeted instruments.

Rule
----
Each region's budget ``B_r(t) = B_r0 (1 + g_B)^t`` is split by shares ``omega_k``
(``[government.shares]``) or, with ``mechanisms.stage_programme``, by the rule table
``[government.stage_programme]`` keyed on the life-cycle stage the monitor's classifier
detects in the region's own history (the paper: budding, "the availability of funds
and facilities infrastructure"; growth, "expand the scale [...] a close network";
maturity, "upgrading [...] rather than blindly obsessed with the scale"; decline,
renewal). Instruments (USD million a year each):

* ``infrastructure``: ``I_r <- (1 - d_I) I_r + spend`` (lower fixed costs, attraction);
* ``training``: spend per firm raises absorptive capacity, R&D-unit adoption and the
  labour pool (Porter 2002, as the paper cites: infrastructure and training rather
  than direct intervention);
* ``information``: coverage ``info_r = spend / (spend + c_info n_r)`` raises access in
  absorption;
* ``ip_protection``: ``IP_r = min(1, IP_r0 + ip_gain spend / n_r)`` raises the patent
  propensity;
* ``direct_subsidy``: cash to ``subsidised_share`` of the region's firms, picked
  best-by-technology with probability ``q`` (selection accuracy), else at random;
  with low ``q`` the money keeps weak firms alive: the *efficiency trap* (the paper's
  Italy);
* ``seed_enterprises``: raises the incentives that attract anchor firms and MNEs (the
  paper's Pinghu); extra incentives fade at ``1 - incentive_persistence`` a year;
* ``guiding_fund``: public money into the VC pool;
* ``intermediaries``: ``M_r <- (1 - d_M) M_r + spend / cost`` (information centres, VC
  services, credit guarantee institutions);
* ``research_institute``: raises the institute's knowledge level.

The regional stocks evolve also without policy: labour pools grow, infrastructure
depreciates, intermediaries close, private VC flows into the pools.

Parameters (schema names): ``government.*``, ``regions.*.budget``,
``regions.*.budget_growth``, ``labour_growth``, ``vc_inflow``.
Switches: ``mechanisms.government``, ``mechanisms.stage_programme``.
Records: ``gov_spend_*``, ``infrastructure``, ``intermediaries``, ``ip_strength``,
``zombie_share``. Random stream: ``government`` (the subsidised firms).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.knowledge import advance_institutes
from innocluster.model.lifecycle_bridge import paper_stage_name
from innocluster.model.world import World
from innocluster.scenario.schema import INSTRUMENTS, LIFECYCLE_STAGES


def detect_stages(world: World) -> list[str]:
    """Life-cycle stage of each region from its history, via the monitor's classifier
    (:func:`innocluster.lifecycle.stage_arrays` on the region's firms, employment and
    technology spread)."""
    from innocluster.lifecycle import stage_arrays

    labels = []
    for name in world.regions.names:
        rows = [h for h in world.history if h["region"] == name]
        if len(rows) < 3:
            labels.append("budding")
            continue
        stage, _, _ = stage_arrays([h["firms"] for h in rows], [h["employment"] for h in rows],
                                   [h["tech_sd"] for h in rows])
        labels.append(paper_stage_name(stage[-1]))
    return labels


def budget_shares(world: World) -> np.ndarray:
    """R x K matrix of budget shares per region and instrument."""
    gov = world.scenario.government
    if world.scenario.mechanisms.stage_programme:
        tables = [gov.stage_programme.get(label, gov.shares) for label in world.regions.stage_label]
    else:
        tables = [gov.shares] * world.regions.R
    return np.array([[table.get(k, 0.0) for k in INSTRUMENTS] for table in tables], dtype=float)


def govern(world: World, rng: np.random.Generator) -> None:
    """Evolve the regional stocks and spend each region's budget (the rule above)."""
    sc = world.scenario
    gov = sc.government
    reg = world.regions
    R = reg.R
    reg.labour_supply = reg.labour_supply * (1.0 + reg.labour_growth)
    reg.infrastructure = reg.infrastructure * (1.0 - gov.infrastructure_depreciation)
    reg.intermediaries = reg.intermediaries * (1.0 - gov.intermediary_decay)
    reg.incentives = reg.incentives0 + gov.incentive_persistence * (reg.incentives - reg.incentives0)
    reg.vc_pool = reg.vc_pool + reg.vc_inflow
    if not sc.mechanisms.government:
        reg.training = np.zeros(R)
        reg.information = np.zeros(R)
        reg.ip_strength = reg.ip_base.copy()
        return
    firms = np.maximum(world.region_counts(), 1.0)
    budget = reg.budget0 * (1.0 + reg.budget_growth) ** world.t
    spend = dict(zip(INSTRUMENTS, (budget_shares(world) * budget[:, None]).T))
    for name, amount in spend.items():
        world.counters.gov_spend[name] += amount
    reg.infrastructure = reg.infrastructure + spend["infrastructure"]
    reg.training = spend["training"] / firms
    reg.labour_supply = reg.labour_supply * (1.0 + gov.training_labour_effect * reg.training)
    reg.information = spend["information"] / (spend["information"] + gov.information_cost * firms)
    reg.ip_strength = np.minimum(1.0, reg.ip_base + gov.ip_gain * spend["ip_protection"] / firms)
    reg.incentives = reg.incentives + gov.seed_incentive * spend["seed_enterprises"] / world.scale
    reg.vc_pool = reg.vc_pool + spend["guiding_fund"]
    reg.intermediaries = reg.intermediaries + spend["intermediaries"] / gov.intermediary_cost
    if sc.mechanisms.research_institutes:
        advance_institutes(world, gov.institute_gain * spend["research_institute"] / world.scale)
    direct_subsidies(world, spend["direct_subsidy"], rng)


def direct_subsidies(world: World, amount: np.ndarray, rng: np.random.Generator) -> None:
    """Pay ``amount[r]`` to ``subsidised_share`` of region ``r``'s firms, each picked
    best-by-technology with probability ``q`` and at random otherwise (the number of
    well-picked firms is ``Binomial(n_sub, q)``)."""
    gov = world.scenario.government
    f = world.firms
    paid = np.zeros(f.n)
    counts = world.region_counts()
    for r in np.flatnonzero((amount > 0) & (counts > 0)):  # a handful of regions
        members = np.flatnonzero(f.region == r)
        n_sub = int(np.ceil(gov.subsidised_share * members.size))
        if n_sub == 0:
            continue
        n_best = int(rng.binomial(n_sub, gov.selection_accuracy))
        best = np.zeros(members.size, dtype=bool)
        if n_best:
            best[np.argpartition(-f.A[members], n_best - 1)[:n_best]] = True
        rest = members[~best]
        lucky = rng.choice(rest, size=min(n_sub - n_best, rest.size), replace=False)
        chosen = np.concatenate([members[best], lucky])
        paid[chosen] += amount[r] / chosen.size
    f.subsidy = f.subsidy + paid
    f.net_worth = f.net_worth + paid
    world.counters.book("subsidies", paid.sum())


__all__ = ["LIFECYCLE_STAGES", "budget_shares", "detect_stages", "direct_subsidies", "govern"]
