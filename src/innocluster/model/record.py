"""Record: one row per region and year with every output of DESIGN.md, and optional
firm-panel snapshots in the monitor's schema (:mod:`innocluster.panel_schema`).
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.costs import RegionCostFactors
from innocluster.model.world import World
from innocluster.scenario.schema import INSTRUMENTS

ENTROPY_BIN = 0.1  # width of technology bins for the Shannon entropy, log points


def region_rows(world: World, factors: RegionCostFactors) -> list[dict]:
    """The per-region rows of the current year."""
    f = world.firms
    reg = world.regions
    ctr = world.counters
    R, S = reg.R, world.S
    r = f.region.astype(np.int64)

    # every per-region total in one compiled pass over the firms (kernels.region_totals)
    tot, stage_counts = kernels.region_totals(
        r, R, f.stage, S, f.revenue, f.rd, f.employees, f.patents_new, f.A, f.rd_wanted,
        f.credit_constrained, f.profit, f.subsidy, f.unit_cost, f.is_mne, f.value_added, f.exports,
        f.patents_cum, f.has_rd_unit, f.rd_active, f.vc_backed, f.alpha, world.network.keys)
    t = dict(zip(kernels.TOTALS, tot))
    n = t["firms"]
    nz = np.maximum(n, 1.0)
    # flows of the year include the firms that exited at its end (booked by exit.remove)
    gone = ctr.exited_flows
    rev = t["revenue"] + gone.get("revenue", 0.0)
    rd = t["rd"] + gone.get("rd", 0.0)
    emp = t["employees"]
    pats = t["patents_new"] + gone.get("patents_new", 0.0)
    reg.patents_cum = reg.patents_cum + pats
    meanA = t["A"] / nz
    sdA = np.sqrt(np.maximum(t["A2"] / nz - meanA**2, 0.0))
    wanting = t["rd_wanting"]
    rd_wanted = t["rd_wanted"] + gone.get("rd_wanted", 0.0)
    constrained = t["credit_constrained"]
    profit = t["profit"] + gone.get("profit", 0.0)
    # network: ties within the region (both directions), and tie ends leaving it
    within, ends = t["ties_within"], t["tie_ends"]
    density = np.where(n > 1, within / np.maximum(n * (n - 1), 1.0), 0.0)
    ext_share = np.where(ends > 0, (ends - within) / np.maximum(ends, 1.0), 0.0)
    emp_share_sq = t["employment_share_sq"]
    gini = kernels.group_gini(f.employees, r, R)  # firm sizes (employees)
    ent = kernels.group_entropy(f.A, ENTROPY_BIN, r, R)
    # average cost per USD of output = producing SMEs' total cost / their output (revenue-weighted)
    cost_sme = t["sme_cost"] / np.maximum(t["sme_output"], 1e-12)
    # inside vs outside clusters: the producing SMEs' totals of the cluster regions and of the others
    inside = reg.is_cluster
    cost_in, cost_out = t["sme_cost"][inside].sum(), t["sme_cost"][~inside].sum()
    out_in, out_out = t["sme_output"][inside].sum(), t["sme_output"][~inside].sum()
    avg_in = cost_in / out_in if out_in > 0 else np.nan
    avg_out = cost_out / out_out if out_out > 0 else np.nan
    zombie = t["zombies"]
    n_sme, n_mne = t["firms_sme"], t["firms_mne"]
    va = t["value_added"] + gone.get("value_added", 0.0)
    exports = t["exports"] + gone.get("exports", 0.0)
    with_pat, rd_unit, rd_active = t["with_patent"], t["rd_unit"], t["rd_active"]
    vc_backed, alpha_sum = t["vc_backed"], t["alpha"]
    rows = []
    for i, name in enumerate(reg.names):
        row = {
            "year": world.year, "region": name, "kind": "cluster" if reg.is_cluster[i] else "periphery",
            "firms": int(n[i]), "firms_sme": int(n_sme[i]), "firms_mne": int(n_mne[i]),
            "entries": int(ctr.startups[i] + ctr.spinoffs[i] + ctr.mne_arrivals[i]),
            "startups": int(ctr.startups[i]), "spinoffs": int(ctr.spinoffs[i]),
            "mne_arrivals": int(ctr.mne_arrivals[i]), "exits": int(ctr.exits[i]),
            "relocations_in": int(ctr.relocations_in[i]), "relocations_out": int(ctr.relocations_out[i]),
            "employment": emp[i], "revenue": rev[i], "value_added": va[i],
            "exports": exports[i], "rd_spend": rd[i],
            "patents_new": int(pats[i]), "patents_cum": int(reg.patents_cum[i]),
            "patents_per_firm": pats[i] / nz[i],
            "patents_per_rd": pats[i] / rd[i] if rd[i] > 0 else 0.0,
            "share_with_patent": with_pat[i] / nz[i],
            "share_rd_unit": rd_unit[i] / nz[i],
            "share_rd_active": rd_active[i] / nz[i],
            "share_credit_constrained": constrained[i] / nz[i],
            "constrained_among_rd": constrained[i] / wanting[i] if wanting[i] > 0 else 0.0,
            "rd_wanted": rd_wanted[i],
            "rd_funded_share": rd[i] / rd_wanted[i] if rd_wanted[i] > 0 else 1.0,
            "vc_invested": ctr.vc_invested[i], "share_vc_backed": vc_backed[i] / nz[i],
            "vc_pool": reg.vc_pool[i],
            "tech_mean": meanA[i], "tech_sd": sdA[i], "tech_entropy": ent[i],
            "mean_alpha": alpha_sum[i] / nz[i],
            "absorption_success_rate": (ctr.absorption_successes[i] / ctr.absorption_attempts[i]
                                        if ctr.absorption_attempts[i] > 0 else 0.0),
            "upgrades": int(ctr.upgrades[i]),
        }
        for s, sname in enumerate(world.stage_names):
            row[f"gvc_share_{sname}"] = stage_counts[i, s] / nz[i]
        row.update({
            "network_density": density[i], "external_tie_share": ext_share[i],
            "avg_cost": cost_sme[i], "avg_cost_inside": avg_in, "avg_cost_outside": avg_out,
            "margin": profit[i] / rev[i] if rev[i] > 0 else 0.0,
            "rd_intensity": rd[i] / rev[i] if rev[i] > 0 else 0.0,
            "size_hhi": emp_share_sq[i], "size_gini": gini[i],
            "zombie_share": zombie[i] / nz[i],
            "wage": factors.wage[i], "rent": factors.rent[i],
            "infrastructure": reg.infrastructure[i], "intermediaries": reg.intermediaries[i],
            "ip_strength": reg.ip_strength[i], "spillover_pool": reg.spillover[i],
        })
        total = 0.0
        for k in INSTRUMENTS:
            row[f"gov_spend_{k}"] = ctr.gov_spend[k][i]
            total += ctr.gov_spend[k][i]
        row["gov_spend_total"] = total
        rows.append(row)
    return rows


def firm_panel_snapshot(world: World, exiting: np.ndarray) -> dict:
    """This year's rows of the firm panel (schema of :mod:`innocluster.panel_schema`)."""
    f = world.firms
    names = np.asarray(world.regions.names, dtype=object)
    # "industry" is the firm's GVC function (assembly, components, ... brand), so the
    # monitor's specialisation measures show functional specialisation along the value
    # chain (Timmer et al. 2019); the scenario's industry label prefixes it.
    functions = np.asarray([f"{world.scenario.industry}:{s}" for s in world.stage_names], dtype=object)
    o = f.id_order()  # fancy indexing copies each column
    return {
        "firm": f.id[o], "region": names[f.region[o]], "industry": functions[f.stage[o]],
        "year": np.full(f.n, world.year, dtype=np.int32), "employees": f.employees[o].astype(float),
        "patents": f.patents_new[o], "rd": f.rd[o], "founded": f.founded_year[o].astype(np.int32),
        "exited": exiting[o].astype(np.int8), "parent": f.parent[o], "gvc_stage": f.stage[o].astype(np.int8),
        "revenue": f.revenue[o], "value_added": f.value_added[o], "exports": f.exports[o],
        "technology": f.A[o], "is_mne": f.is_mne[o].astype(np.int8),
    }
