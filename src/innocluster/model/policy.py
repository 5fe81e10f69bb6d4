"""Government and institutions: the paper's strategic initiatives as instruments.

Each region's budget ``B_r(t) = B_r0 (1 + g_B)^t`` is split by shares ``omega_k``
(``[government.shares]``) or, with ``mechanisms.stage_programme``, by the rule table
``[government.stage_programme]`` keyed on the life-cycle stage the monitor's
classifier detects in the region's own history (the paper: budding — funds and
infrastructure; growth — scale and networks; maturity — GVC upgrading and external
links; decline — renewal).

Instruments (USD million a year each):

* ``infrastructure``: ``I_r += omega B - d_I I_r`` (lower fixed costs, attraction);
* ``training``: spend per firm raises absorptive capacity, R&D-unit adoption and the
  labour pool (Porter 2002: infrastructure and training rather than intervention);
* ``information``: coverage ``info_r = spend / (spend + 0.02 n_r)`` raises access in
  absorption;
* ``ip_protection``: ``IP_r = IP_base + ip_gain spend / n_r`` (capped at 1) raises
  patent propensity;
* ``direct_subsidy``: cash to ``subsidised_share`` of the region's firms, picked
  best-by-technology with probability ``q`` (selection accuracy), else at random — with
  low ``q`` the money keeps weak firms alive: the *efficiency trap* (Italy);
* ``seed_enterprises``: raises incentives that attract anchor firms/MNEs (Pinghu);
* ``guiding_fund``: public money into the VC pool;
* ``intermediaries``: ``M_r += spend / cost - d_M M_r`` (information centres, VC
  services, credit guarantee institutions);
* ``research_institute``: raises the institute's knowledge level.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.lifecycle_bridge import paper_stage_name
from innocluster.model.world import World
from innocluster.scenario.schema import INSTRUMENTS, LIFECYCLE_STAGES


def detect_stages(world: World) -> list[str]:
    """Life-cycle stage of each region from its history, via the monitor's classifier
    (:func:`innocluster.lifecycle.stage_arrays` on the region's firms, employment and
    technology spread, as :func:`~innocluster.model.lifecycle_bridge.monitor_frame` maps them)."""
    from innocluster.lifecycle import stage_arrays

    labels = []
    for name in world.regions.names:
        rows = [h for h in world.history if h["region"] == name]  # in year order
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
    R = world.regions.R
    if world.scenario.mechanisms.stage_programme:
        rows = []
        for label in world.regions.stage_label:
            table = gov.stage_programme.get(label, gov.shares)
            rows.append([table.get(k, 0.0) for k in INSTRUMENTS])
        return np.array(rows, dtype=float)
    return np.tile([gov.shares.get(k, 0.0) for k in INSTRUMENTS], (R, 1)).astype(float)


def govern(world: World, rng: np.random.Generator) -> None:
    """Spend each region's budget on the instruments (step 10)."""
    sc = world.scenario
    gov = sc.government
    reg = world.regions
    ctr = world.counters
    R = reg.R
    counts = world.region_counts()
    reg.labour_supply = reg.labour_supply * (1.0 + reg.labour_growth)
    # government-independent stocks evolve even without policy
    reg.infrastructure = reg.infrastructure * (1.0 - gov.infrastructure_depreciation)
    reg.intermediaries = reg.intermediaries * (1.0 - gov.intermediary_decay)
    reg.incentives = reg.incentives0 + 0.9 * (reg.incentives - reg.incentives0)
    reg.vc_pool = reg.vc_pool + reg.vc_inflow
    if not sc.mechanisms.government:
        reg.training = np.zeros(R)
        reg.information = np.zeros(R)
        reg.ip_strength = reg.ip_base.copy()
        return
    budget = reg.budget0 * (1.0 + reg.budget_growth) ** world.t
    shares = budget_shares(world)
    spend = shares * budget[:, None]
    k = {name: i for i, name in enumerate(INSTRUMENTS)}
    for name in INSTRUMENTS:
        ctr.gov_spend[name] += spend[:, k[name]]
    per_firm = 1.0 / np.maximum(counts, 1.0)
    reg.infrastructure = reg.infrastructure + spend[:, k["infrastructure"]]
    reg.training = spend[:, k["training"]] * per_firm
    reg.labour_supply = reg.labour_supply * (1.0 + gov.training_labour_effect * reg.training)
    s_info = spend[:, k["information"]]
    reg.information = s_info / (s_info + 0.02 * np.maximum(counts, 1.0))
    reg.ip_strength = np.minimum(1.0, reg.ip_base + gov.ip_gain * spend[:, k["ip_protection"]] * per_firm)
    reg.incentives = reg.incentives + gov.seed_incentive * spend[:, k["seed_enterprises"]] / world.scale
    reg.vc_pool = reg.vc_pool + spend[:, k["guiding_fund"]]
    reg.intermediaries = reg.intermediaries + spend[:, k["intermediaries"]] / gov.intermediary_cost
    if sc.mechanisms.research_institutes:
        reg.institute = reg.institute + gov.institute_gain * spend[:, k["research_institute"]] / world.scale
    _direct_subsidies(world, spend[:, k["direct_subsidy"]], rng)


def _direct_subsidies(world: World, amount: np.ndarray, rng: np.random.Generator) -> None:
    """Pick firms with selection accuracy q and pay them (booked as a flow into firms)."""
    gov = world.scenario.government
    f = world.firms
    if f.n == 0:
        return
    counts = kernels.group_count(f.region, world.regions.R)
    paid = np.zeros(f.n)
    for r in np.flatnonzero((amount > 0) & (counts > 0)):  # loop over regions, not firms
        members = np.flatnonzero(f.region == r)
        n_sub = int(np.ceil(gov.subsidised_share * members.size))
        if n_sub == 0:
            continue
        k_best = int(rng.binomial(n_sub, gov.selection_accuracy))
        # the k_best most productive firms (a partial sort), the rest drawn at random
        if 0 < k_best < members.size:
            top = np.argpartition(-f.A[members], k_best - 1)[:k_best]
        else:
            top = np.arange(k_best)
        is_best = np.zeros(members.size, dtype=bool)
        is_best[top] = True
        best = members[is_best]
        rest = members[~is_best]
        rand = rng.choice(rest, size=min(n_sub - k_best, rest.size), replace=False) if rest.size else rest
        chosen = np.concatenate([best, rand])
        paid[chosen] += amount[r] / chosen.size
    f.subsidy = f.subsidy + paid
    f.net_worth = f.net_worth + paid
    world.counters.book("subsidies", paid.sum())


__all__ = ["LIFECYCLE_STAGES", "budget_shares", "detect_stages", "govern"]
