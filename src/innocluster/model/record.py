"""Record (step 11): one row per region and year with every output of the model, and
optional firm-panel snapshots in the monitor's schema (:mod:`innocluster.panel_schema`).

The year's per-firm totals are taken at the end of its step (:func:`region_year`); the
rows, a few dozen numbers per region, are made when the history is first read
(:class:`RegionYear`), so a run that never reads its history inside the loop pays for
them once.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast, twin
from innocluster.model.exit import EXITED_FLOWS, entered_years_ago
from innocluster.model.world import World
from innocluster.scenario.schema import INSTRUMENTS

#: width of the technology bins of the Shannon entropy, log points (a measurement
#: convention of the record, not a parameter of the model)
ENTROPY_BIN = 0.1


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative ``values``: ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n``
    over the values ascending, ``i = 1..n`` (the sorted form of the mean absolute
    difference; Sen 1973); 0 for no values or a zero total. The values are sorted in
    single precision, which costs less and is as precise as a size index needs."""
    x = np.sort(np.asarray(values, dtype=np.float32)).astype(np.float64)
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    return float(2.0 * (np.arange(1, n + 1) * x).sum() / (n * total) - (n + 1) / n)


def entropy_bits(values: np.ndarray, width: float = ENTROPY_BIN) -> float:
    """Shannon entropy in bits of the histogram of ``values`` in bins of ``width``
    (``floor(value / width)``): ``-sum_b p_b log2 p_b`` over occupied bins."""
    if np.size(values) == 0:
        return 0.0
    bins = np.floor(np.asarray(values) / width).astype(np.int64)
    return float(entropy_of_counts(np.bincount(bins - bins.min())[None, :])[0])


def entropy_of_counts(counts: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of a histogram ``counts`` (0 for an empty row)."""
    p = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    terms = p * np.log2(np.where(p > 0, p, 1.0))
    return -terms.sum(axis=1) + 0.0


class RegionYear:
    """One year's regional record: the totals taken at the end of the year and the
    values of that year's regional quantities; :meth:`rows` makes the rows."""

    __slots__ = ("counters", "is_cluster", "names", "patents_cum", "stage_counts", "stage_names", "stocks", "totals",
                 "year")

    def rows(self) -> list[dict]:
        """The year's rows, one dict per region."""
        return _format_rows(self)


#: the sums over each region's firms that :func:`firm_totals` returns, one row each
TOTALS = ("firms", "revenue", "rd", "employees", "employees_sq", "patents_new", "A", "A2", "rd_wanting", "rd_wanted",
          "credit_constrained", "profit", "sme_cost", "sme_output", "zombies", "firms_mne", "value_added", "exports",
          "with_patent", "rd_unit", "rd_active", "vc_backed", "alpha")
N_TOTALS = len(TOTALS)


def region_totals(world: World) -> dict[str, np.ndarray]:
    """Every per-region total of the firm table the record needs (arrays of length R)."""
    f = world.firms
    R = world.regions.R
    sums, technology_counts = fast(firm_totals)(
        region=f.region, R=R, stage=f.stage, S=world.S, revenue=f.revenue, rd=f.rd, employees=f.employees,
        patents_new=f.patents_new, A=f.A, rd_wanted=f.rd_wanted, credit_constrained=f.credit_constrained,
        profit=f.profit, subsidy=f.subsidy, unit_cost=f.unit_cost, is_mne=f.is_mne, value_added=f.value_added,
        exports=f.exports, patents_cum=f.patents_cum, has_rd_unit=f.has_rd_unit, rd_active=f.rd_active,
        vc_backed=f.vc_backed, alpha=f.alpha, width=ENTROPY_BIN)
    t = dict(zip(TOTALS, sums))
    t["stage_counts"] = sums[len(TOTALS):].T  # regions x stages
    t["firms_sme"] = t["firms"] - t["firms_mne"]
    # Herfindahl index of firm sizes: sum_i (L_i / L_r)^2
    t["employment_share_sq"] = t["employees_sq"] / np.maximum(t["employees"], 1e-12) ** 2
    by_region = [f.region == r for r in range(R)] if R > 1 else [slice(None)]
    t["size_gini"] = np.array([gini(f.employees[m]) for m in by_region])
    t["tech_entropy"] = entropy_of_counts(technology_counts)
    if R == 1:  # every tie lies within the region, both ends
        t["tie_ends"] = t["ties_within"] = np.array([2.0 * world.network.n_ties])
    else:
        ru, rv = f.region[world.network.u], f.region[world.network.v]
        t["tie_ends"] = (np.bincount(ru, minlength=R) + np.bincount(rv, minlength=R)).astype(float)
        t["ties_within"] = 2.0 * np.bincount(ru[ru == rv], minlength=R)  # both directions
    return t


def firm_totals(*, region, R, stage, S, revenue, rd, employees, patents_new, A, rd_wanted, credit_constrained, profit,
                subsidy, unit_cost, is_mne, value_added, exports, patents_cum, has_rd_unit, rd_active, vc_backed, alpha,
                width):
    """Every per-region total of the record in one go: ``(sums, technology_counts)``.

    ``sums`` is a ``(len(TOTALS) + S, R)`` array: the sums of :data:`TOTALS` over each
    region's firms, then the region's firms in each of the ``S`` GVC stages. Counts for
    the flags (``rd_wanting``: firms wanting R&D; ``zombies``: loss-makers living on a
    subsidy), ``sme_cost``/``sme_output``: cost and output of the SMEs that sell (their
    ratio is the average cost per USD of output). ``technology_counts[r, b]`` counts the
    region's firms in technology bin ``b`` of ``width`` (``floor(A / width)``, from the
    economy's lowest occupied bin)."""
    bins = np.floor(A / width).astype(np.int64)
    bins -= bins.min() if bins.size else 0
    nb = int(bins.max()) + 1 if bins.size else 1
    technology_counts = np.bincount(region * nb + bins, minlength=R * nb).reshape(R, nb)
    producing = ~is_mne & (revenue > 0)
    columns = (np.ones(region.size), revenue, rd, employees, employees**2, patents_new, A, A * A,
               rd_wanted > 0, rd_wanted,
               credit_constrained, profit, np.where(producing, unit_cost * revenue, 0.0),
               np.where(producing, revenue, 0.0), (profit < 0) & (subsidy > 0), is_mne, value_added, exports,
               patents_cum > 0, has_rd_unit, rd_active, vc_backed, alpha, *(stage == s for s in range(S)))
    sums = np.array([np.bincount(region, weights=c, minlength=R) for c in columns], dtype=float).reshape(-1, R)
    return sums, technology_counts


@twin(firm_totals)
def _firm_totals_compiled(*, region, R, stage, S, revenue, rd, employees, patents_new, A, rd_wanted, credit_constrained,
                          profit, subsidy, unit_cost, is_mne, value_added, exports, patents_cum, has_rd_unit, rd_active,
                          vc_backed, alpha, width):
    n_firms = region.size
    bins = np.empty(n_firms, dtype=np.int64)
    low, high = 0, 0
    for i in range(n_firms):
        bins[i] = np.int64(np.floor(A[i] / width))
        if i == 0 or bins[i] < low:
            low = bins[i]
        if i == 0 or bins[i] > high:
            high = bins[i]
    technology_counts = np.zeros((R, high - low + 1), dtype=np.int64)
    # one pass per region with the sums in registers: accumulating into out[k, region[i]]
    # would make each addition wait on the previous one through memory
    K = N_TOTALS
    out = np.zeros((K + S, R))
    for i in range(n_firms):  # firms per region and stage, and per technology bin
        out[K + stage[i], region[i]] += 1.0
        technology_counts[region[i], bins[i] - low] += 1
    for r in range(R):
        n = rev = rd_ = emp = emp2 = pat = a1 = a2 = wanted = prof = cost = output = va = exp_ = alp = 0.0
        wanting = cons = zomb = mne = withp = unit = active = vc = 0.0
        for i in range(region.size):
            if region[i] != r:
                continue
            n += 1.0
            rev += revenue[i]
            rd_ += rd[i]
            emp += employees[i]
            emp2 += employees[i] * employees[i]
            pat += patents_new[i]
            a1 += A[i]
            a2 += A[i] * A[i]
            wanting += rd_wanted[i] > 0
            wanted += rd_wanted[i]
            cons += credit_constrained[i]
            prof += profit[i]
            producing = not is_mne[i] and revenue[i] > 0
            cost += unit_cost[i] * revenue[i] if producing else 0.0
            output += revenue[i] if producing else 0.0
            zomb += profit[i] < 0 and subsidy[i] > 0
            mne += is_mne[i]
            va += value_added[i]
            exp_ += exports[i]
            withp += patents_cum[i] > 0
            unit += has_rd_unit[i]
            active += rd_active[i]
            vc += vc_backed[i]
            alp += alpha[i]
        # in the order of TOTALS (the twin test compares each row with the NumPy rule's)
        totals = (n, rev, rd_, emp, emp2, pat, a1, a2, wanting, wanted, cons, prof, cost, output, zomb, mne, va, exp_, withp,
                  unit, active, vc, alp)
        for k in range(K):
            out[k, r] = totals[k]
    return out, technology_counts


def region_year(world: World, count_patents: bool = True, year: int | None = None) -> RegionYear:
    """The current year's regional record (:class:`RegionYear`): its totals, and the
    wages and rents paid this year (:mod:`.costs`, step 2).

    With ``count_patents`` (the yearly record) the year's patents are added to the
    regions' cumulative patents; without, they are already in it (:func:`count_patents`,
    the steps of a run that records only its final year). ``year`` labels the rows.
    """
    reg = world.regions
    ctr = world.counters
    y = RegionYear()
    y.totals = region_totals(world)
    for name in EXITED_FLOWS:  # the year's flows include the firms that exited at its end
        y.totals[name] = y.totals[name] + ctr.exited_flows.get(name, 0.0)
    y.year = world.year if year is None else year
    y.totals["survivors_5y"] = world.region_sum(entered_years_ago(world, year=y.year).astype(float)) \
        + ctr.exited_flows.get("survivors_5y", 0.0)
    if count_patents:
        reg.patents_cum = reg.patents_cum + y.totals["patents_new"]
    y.patents_cum = reg.patents_cum.copy()
    y.stage_counts = y.totals.pop("stage_counts")
    y.counters = ctr  # a step's counters are not touched after it (the next makes new ones)
    y.names, y.is_cluster, y.stage_names = reg.names, reg.is_cluster, world.stage_names
    y.stocks = {name: np.array(value, dtype=float) for name, value in (
        ("wage", reg.wage), ("rent", reg.rent), ("infrastructure", reg.infrastructure),
        ("intermediaries", reg.intermediaries), ("ip_strength", reg.ip_strength),
        ("spillover_pool", reg.spillover), ("vc_pool", reg.vc_pool))}
    return y


def count_patents(world: World) -> None:
    """Add the year's patents (exiting firms' included) to the regions' cumulative
    patents: what :func:`region_year` adds in a yearly record."""
    f = world.firms
    reg = world.regions
    reg.patents_cum = reg.patents_cum + world.region_sum(f.patents_new) \
        + world.counters.exited_flows.get("patents_new", 0.0)


def _ratio(num, den, empty=0.0):
    return num / den if den > 0 else empty


def _format_rows(y: RegionYear) -> list[dict]:
    """The rows of a :class:`RegionYear`: ratios, shares and dispersion from its totals."""
    t = {k: np.asarray(v, dtype=float).tolist() for k, v in y.totals.items()}
    ctr = y.counters
    inside = np.asarray(y.is_cluster)
    sme_cost, sme_output = np.asarray(y.totals["sme_cost"]), np.asarray(y.totals["sme_output"])
    avg_in = _ratio(sme_cost[inside].sum(), sme_output[inside].sum(), float("nan"))
    avg_out = _ratio(sme_cost[~inside].sum(), sme_output[~inside].sum(), float("nan"))
    stocks = {k: v.tolist() for k, v in y.stocks.items()}
    counters = {k: getattr(ctr, k).tolist() for k in ("startups", "spinoffs", "mne_arrivals", "exits",
                                                         "relocations_in", "relocations_out", "vc_invested",
                                                         "absorption_attempts", "absorption_successes", "upgrades",
                                                         "unserved_demand")}
    gov = {k: ctr.gov_spend[k].tolist() for k in INSTRUMENTS}
    patents_cum = y.patents_cum.tolist()
    stage_counts = y.stage_counts.tolist()
    rows = []
    for i, name in enumerate(y.names):
        n = t["firms"][i]
        nz = max(n, 1.0)
        rev, rd, pats = t["revenue"][i], t["rd"][i], t["patents_new"][i]
        mean_A = t["A"][i] / nz
        within, ends = t["ties_within"][i], t["tie_ends"][i]
        c = {k: v[i] for k, v in counters.items()}
        row = {
            "year": y.year, "region": name, "kind": "cluster" if inside[i] else "periphery",
            "firms": int(n), "firms_sme": int(t["firms_sme"][i]), "firms_mne": int(t["firms_mne"][i]),
            "entries": int(c["startups"] + c["spinoffs"] + c["mne_arrivals"]),
            "startups": int(c["startups"]), "spinoffs": int(c["spinoffs"]),
            "mne_arrivals": int(c["mne_arrivals"]), "exits": int(c["exits"]),
            # over the firms active in the year: those at its end and those that left at it
            "entry_rate": _ratio(c["startups"] + c["spinoffs"] + c["mne_arrivals"], n + c["exits"]),
            "exit_rate": _ratio(c["exits"], n + c["exits"]),
            "survivors_5y": int(t["survivors_5y"][i]),
            "relocations_in": int(c["relocations_in"]), "relocations_out": int(c["relocations_out"]),
            "employment": t["employees"][i], "revenue": rev, "value_added": t["value_added"][i],
            "exports": t["exports"][i], "unserved_demand": c["unserved_demand"], "rd_spend": rd,
            "patents_new": int(pats), "patents_cum": int(patents_cum[i]),
            "patents_per_firm": pats / nz,
            "patents_per_rd": _ratio(pats, rd),
            "share_with_patent": t["with_patent"][i] / nz,
            "share_rd_unit": t["rd_unit"][i] / nz,
            "share_rd_active": t["rd_active"][i] / nz,
            "share_credit_constrained": t["credit_constrained"][i] / nz,
            "constrained_among_rd": _ratio(t["credit_constrained"][i], t["rd_wanting"][i]),
            "rd_wanted": t["rd_wanted"][i],
            "rd_funded_share": _ratio(rd, t["rd_wanted"][i], 1.0),
            "vc_invested": c["vc_invested"], "share_vc_backed": t["vc_backed"][i] / nz,
            "vc_pool": stocks["vc_pool"][i],
            "tech_mean": mean_A, "tech_sd": max(t["A2"][i] / nz - mean_A**2, 0.0) ** 0.5,
            "tech_entropy": t["tech_entropy"][i],
            "mean_alpha": t["alpha"][i] / nz,
            "absorption_success_rate": _ratio(c["absorption_successes"], c["absorption_attempts"]),
            "upgrades": int(c["upgrades"]),
        }
        for s, stage in enumerate(y.stage_names):
            row[f"gvc_share_{stage}"] = stage_counts[i][s] / nz
        row.update({
            "network_density": _ratio(within, n * (n - 1)) if n > 1 else 0.0,
            "external_tie_share": _ratio(ends - within, ends),
            "avg_cost": t["sme_cost"][i] / max(t["sme_output"][i], 1e-12),
            "avg_cost_inside": avg_in, "avg_cost_outside": avg_out,
            "margin": _ratio(t["profit"][i], rev),
            "rd_intensity": _ratio(rd, rev),
            "size_hhi": t["employment_share_sq"][i], "size_gini": t["size_gini"][i],
            "zombie_share": t["zombies"][i] / nz,
            **{k: stocks[k][i] for k in ("wage", "rent", "infrastructure", "intermediaries", "ip_strength",
                                         "spillover_pool")},
        })
        for k in INSTRUMENTS:
            row[f"gov_spend_{k}"] = gov[k][i]
        row["gov_spend_total"] = sum(gov[k][i] for k in INSTRUMENTS)
        rows.append(row)
    return rows


def firm_panel_snapshot(world: World, exit_reason: np.ndarray) -> dict:
    """This year's rows of the firm panel (schema of :mod:`innocluster.panel_schema`);
    ``exit_reason`` holds the codes of :data:`.exit.EXIT_REASONS` (0: the firm stays).

    "industry" is the firm's GVC function (assembly, components, ... brand), prefixed
    with the scenario's industry, so the monitor's specialisation measures show
    functional specialisation along the value chain (Timmer et al. 2019).
    """
    f = world.firms
    names = np.asarray(world.regions.names, dtype=object)
    functions = np.asarray([f"{world.scenario.industry}:{s}" for s in world.stage_names], dtype=object)
    o = f.id_order()
    return {
        "firm": f.id[o], "region": names[f.region[o]], "industry": functions[f.stage[o]],
        "year": np.full(f.n, world.year, dtype=np.int32), "employees": f.employees[o].astype(float),
        "patents": f.patents_new[o], "rd": f.rd[o], "founded": f.founded_year[o].astype(np.int32),
        "exited": (exit_reason[o] > 0).astype(np.int8),
        "exit_reason": exit_reason[o].astype(np.int8), "parent": f.parent[o], "gvc_stage": f.stage[o].astype(np.int8),
        "revenue": f.revenue[o], "value_added": f.value_added[o], "exports": f.exports[o],
        "technology": f.A[o], "is_mne": f.is_mne[o].astype(np.int8), "profit": f.profit[o],
        "net_worth": f.net_worth[o],
    }
