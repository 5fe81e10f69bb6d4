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


class RegionYear:
    """One year's regional record, kept as the totals the year's end computed and turned
    into rows (one dict per region, every output of DESIGN.md) when first read.

    :func:`region_year` makes it inside the step: every per-firm total is taken there,
    from the firms of that year. What waits is the arithmetic on a few numbers per
    region and the dicts themselves, some 60 entries a region; they cost as much as a
    tenth of a year of the ``core`` rules at 10,000 firms, and a run that never reads
    its history in the loop (most) pays for them once, when its results are built.
    """

    __slots__ = (
        "counters",
        "ent",
        "gini",
        "is_cluster",
        "names",
        "patents_cum",
        "pats",
        "rent",
        "stage_counts",
        "stage_names",
        "stocks",
        "tot",
        "wage",
        "year",
    )

    def rows(self) -> list[dict]:
        """The year's rows, one per region (made at each call: the history keeps them)."""
        return _format_rows(self)


def region_year(world: World, factors: RegionCostFactors, count_patents: bool = True,
                year: int | None = None) -> RegionYear:
    """The current year's regional record (:class:`RegionYear`): the per-firm totals are
    taken now, the rows made when read.

    With ``count_patents`` (the yearly record) the year's patents are added to the
    regions' cumulative patents; without, they are already in it
    (:func:`count_patents`, the steps of a run that records only its final year).
    ``year`` labels the rows (default: the world's current year).
    """
    f = world.firms
    reg = world.regions
    ctr = world.counters
    R, S = reg.R, world.S
    r = f.region.astype(np.int64)
    y = RegionYear()
    # every per-region total in one compiled pass over the firms (kernels.region_totals)
    y.tot, y.stage_counts = kernels.region_totals(
        r, R, f.stage, S, f.revenue, f.rd, f.employees, f.patents_new, f.A, f.rd_wanted,
        f.credit_constrained, f.profit, f.subsidy, f.unit_cost, f.is_mne, f.value_added, f.exports,
        f.patents_cum, f.has_rd_unit, f.rd_active, f.vc_backed, f.alpha, world.network.keys)
    y.gini = kernels.group_gini(f.employees, r, R)  # firm sizes (employees)
    y.ent = kernels.group_entropy(f.A, ENTROPY_BIN, r, R)
    # flows of the year include the firms that exited at its end (booked by exit.remove)
    y.pats = y.tot[_TOTAL_ROW["patents_new"]] + ctr.exited_flows.get("patents_new", 0.0)
    if count_patents:
        reg.patents_cum = reg.patents_cum + y.pats  # state: needed now
    y.patents_cum = reg.patents_cum.copy()  # (rebound every year, but a copy costs R numbers)
    # the year's counters are not touched after its step (the next step makes new ones);
    # the regional quantities below may be, so their values are copied
    y.counters = ctr
    y.year = world.year if year is None else year
    y.names, y.is_cluster, y.stage_names = reg.names, reg.is_cluster, world.stage_names
    y.wage, y.rent = np.asarray(factors.wage, dtype=float).tolist(), np.asarray(factors.rent, dtype=float).tolist()
    y.stocks = [np.asarray(v, dtype=float).tolist() for v in (
        reg.infrastructure, reg.intermediaries, reg.ip_strength, reg.spillover, reg.vc_pool)]
    return y


def count_patents(world: World) -> None:
    """Add the year's patents to the regions' cumulative patents, those of the firms
    that exited at its end included (what :func:`region_year` adds in a yearly record)."""
    f = world.firms
    reg = world.regions
    pats = kernels.group_sum(f.region, f.patents_new, reg.R) + world.counters.exited_flows.get("patents_new", 0.0)
    reg.patents_cum = reg.patents_cum + pats


#: row of each total in :func:`kernels.region_totals`' result
_TOTAL_ROW = {name: k for k, name in enumerate(kernels.TOTALS)}


def _format_rows(y: RegionYear) -> list[dict]:
    """The rows of a :class:`RegionYear`: ratios, shares and dispersion from its totals."""
    t = dict(zip(kernels.TOTALS, y.tot))
    ctr = y.counters
    n = t["firms"]
    nz = np.maximum(n, 1.0)
    # flows of the year include the firms that exited at its end (booked by exit.remove)
    gone = ctr.exited_flows
    rev = t["revenue"] + gone.get("revenue", 0.0)
    rd = t["rd"] + gone.get("rd", 0.0)
    emp = t["employees"]
    pats = y.pats
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
    # average cost per USD of output = producing SMEs' total cost / their output (revenue-weighted)
    cost_sme = t["sme_cost"] / np.maximum(t["sme_output"], 1e-12)
    # inside vs outside clusters: the producing SMEs' totals of the cluster regions and of the others
    inside = y.is_cluster
    cost_in, cost_out = t["sme_cost"][inside].sum(), t["sme_cost"][~inside].sum()
    out_in, out_out = t["sme_output"][inside].sum(), t["sme_output"][~inside].sum()
    avg_in = cost_in / out_in if out_in > 0 else np.nan
    avg_out = cost_out / out_out if out_out > 0 else np.nan
    # the rows hold Python numbers: arrays become lists once, so that the row arithmetic
    # below is on Python floats (the same IEEE values, a fraction of NumPy scalars' cost)
    (n, nz, n_sme, n_mne, zombie, emp, rev, va, exports, rd, pats, pats_cum, with_pat, rd_unit, rd_active,
     constrained, wanting, rd_wanted, vc_backed, alpha_sum, meanA, sdA, ent, density, ext_share, cost_sme, profit,
     emp_share_sq, gini) = (np.asarray(v, dtype=float).tolist() for v in (
        n, nz, t["firms_sme"], t["firms_mne"], t["zombies"], emp, rev, t["value_added"] + gone.get("value_added", 0.0),
        t["exports"] + gone.get("exports", 0.0),
        rd, pats, y.patents_cum, t["with_patent"], t["rd_unit"], t["rd_active"], constrained, wanting, rd_wanted,
        t["vc_backed"], t["alpha"], meanA, sdA, y.ent, density, ext_share, cost_sme, profit, emp_share_sq, y.gini))
    startups, spinoffs, arrivals, exits = (ctr.startups.tolist(), ctr.spinoffs.tolist(), ctr.mne_arrivals.tolist(),
                                           ctr.exits.tolist())
    attempts, successes = ctr.absorption_attempts.tolist(), ctr.absorption_successes.tolist()
    stage_share = (y.stage_counts / np.maximum(t["firms"], 1.0)[:, None]).tolist()
    gov = {k: ctr.gov_spend[k].tolist() for k in INSTRUMENTS}
    wage, rent = y.wage, y.rent
    infra, inter, ip, spill, pool = y.stocks
    vc_inv, upgrades = ctr.vc_invested.tolist(), ctr.upgrades.tolist()
    avg_in, avg_out = float(avg_in), float(avg_out)
    year = y.year
    rows = []
    for i, name in enumerate(y.names):
        row = {
            "year": year, "region": name, "kind": "cluster" if y.is_cluster[i] else "periphery",
            "firms": int(n[i]), "firms_sme": int(n_sme[i]), "firms_mne": int(n_mne[i]),
            "entries": int(startups[i] + spinoffs[i] + arrivals[i]),
            "startups": int(startups[i]), "spinoffs": int(spinoffs[i]),
            "mne_arrivals": int(arrivals[i]), "exits": int(exits[i]),
            "relocations_in": int(ctr.relocations_in[i]), "relocations_out": int(ctr.relocations_out[i]),
            "employment": emp[i], "revenue": rev[i], "value_added": va[i],
            "exports": exports[i], "rd_spend": rd[i],
            "patents_new": int(pats[i]), "patents_cum": int(pats_cum[i]),
            "patents_per_firm": pats[i] / nz[i],
            "patents_per_rd": pats[i] / rd[i] if rd[i] > 0 else 0.0,
            "share_with_patent": with_pat[i] / nz[i],
            "share_rd_unit": rd_unit[i] / nz[i],
            "share_rd_active": rd_active[i] / nz[i],
            "share_credit_constrained": constrained[i] / nz[i],
            "constrained_among_rd": constrained[i] / wanting[i] if wanting[i] > 0 else 0.0,
            "rd_wanted": rd_wanted[i],
            "rd_funded_share": rd[i] / rd_wanted[i] if rd_wanted[i] > 0 else 1.0,
            "vc_invested": vc_inv[i], "share_vc_backed": vc_backed[i] / nz[i],
            "vc_pool": pool[i],
            "tech_mean": meanA[i], "tech_sd": sdA[i], "tech_entropy": ent[i],
            "mean_alpha": alpha_sum[i] / nz[i],
            "absorption_success_rate": successes[i] / attempts[i] if attempts[i] > 0 else 0.0,
            "upgrades": int(upgrades[i]),
        }
        for s, sname in enumerate(y.stage_names):
            row[f"gvc_share_{sname}"] = stage_share[i][s]
        row.update({
            "network_density": density[i], "external_tie_share": ext_share[i],
            "avg_cost": cost_sme[i], "avg_cost_inside": avg_in, "avg_cost_outside": avg_out,
            "margin": profit[i] / rev[i] if rev[i] > 0 else 0.0,
            "rd_intensity": rd[i] / rev[i] if rev[i] > 0 else 0.0,
            "size_hhi": emp_share_sq[i], "size_gini": gini[i],
            "zombie_share": zombie[i] / nz[i],
            "wage": wage[i], "rent": rent[i],
            "infrastructure": infra[i], "intermediaries": inter[i],
            "ip_strength": ip[i], "spillover_pool": spill[i],
        })
        total = 0.0
        for k in INSTRUMENTS:
            row[f"gov_spend_{k}"] = gov[k][i]
            total += gov[k][i]
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
