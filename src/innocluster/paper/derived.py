"""Per-run summaries computed in the workers, so only a few numbers travel back.

:func:`paper_runner` replaces the default engine runner of
:func:`innocluster.experiments.batch.run_batch`: it simulates, then appends to every
region's rows the summary columns below (constant within a region, so the outcome
``METRIC@last@REGION`` reads them). "Late" means the mean over the last
:data:`LATE_YEARS` simulated years, which is less noisy than one year.

=========================  ==============================================================
column                     definition
=========================  ==============================================================
``<m>_late``               mean of ``m`` over the last LATE_YEARS years, for m in
                           :data:`LATE_METRICS`
``tech_growth``            ``tech_mean`` (log productivity) last year minus first year:
                           productivity growth over the run
``sme_survival``           mean over years of ``1 - exits / firms`` (firms > 0)
``lock_in_late``           share of the last LATE_FLAG_YEARS years the monitor's lock-in
                           detector flags
``race_late``              the same for the race-to-the-bottom detector
``lock_in_flagged``        1 if ``lock_in_late >= 0.5`` (flagged for most late years)
``race_flagged``           1 if ``race_late >= 0.5``
``full_path``              1 if the monitor's stages pass budding -> growth -> maturity ->
                           decline in this order (each later than the previous)
``stage_code``             per year: 0 budding, 1 growth, 2 maturity, 3 decline
``patents_total``          patents granted in the region over the run
``gov_spend_share_late``   government spending over revenue in the region, last years
``cohort_patents``         patents over the run of the firms alive at the start (by their
                           initial region; :class:`FirmTracker`)
``cohort_survival``        share of those firms alive at the end
``zombie_support_share``   (``_late``) share of SMEs below the exit condition without the
                           support they got, alive because of it (:class:`FirmTracker`)
``within_*``, ``movers``   within-firm effects of being in the cluster (firm and year
                           fixed effects, :func:`fe_effect`), cluster rows only
=========================  ==============================================================

:func:`paper_runner` steps the engine itself and observes the firm table after every
year (:class:`FirmTracker`), for what the regional series cannot give: fixed cohorts,
zombies by support, and the firm panel of the within-firm design.

:func:`figure1_runner` returns, instead of a time series, the minimum of the
average-cost curve (paper Figure 1) of the same SME, with the same number of trust ties,
outside and inside the cluster after a burn-in of ``years`` simulated years, one row per
region (``min_ac``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LATE_YEARS = 5
LATE_FLAG_YEARS = 10
LATE_METRICS = ("share_with_patent", "share_rd_active", "avg_cost", "patents_per_firm", "patents_new",
                "constrained_among_rd", "zombie_share", "absorption_success_rate", "tech_mean", "firms",
                "margin", "rd_intensity", "external_tie_share", "tech_sd", "vc_pool", "vc_invested")
STAGE_CODES = {"budding": 0, "growth": 1, "maturity": 2, "decline": 3}
PATH = ("budding", "growth", "maturity", "decline")


def shows_full_path(stages) -> bool:
    """True if ``stages`` (one label per year) passes budding, growth, maturity and
    decline in this order (other stages may come in between).

    Examples
    --------
    >>> shows_full_path(["budding", "growth", "growth", "maturity", "growth", "decline"])
    True
    >>> shows_full_path(["growth", "budding", "maturity", "decline"])
    False
    """
    want = 0
    for s in stages:
        if want < len(PATH) and s == PATH[want]:
            want += 1
    return want == len(PATH)


def summarise_region(sub: pd.DataFrame) -> dict[str, float]:
    """Summary columns of one region's series (sorted by year)."""
    out: dict[str, float] = {}
    late = sub.tail(LATE_YEARS)
    for m in LATE_METRICS:
        if m in sub.columns:
            out[f"{m}_late"] = float(pd.to_numeric(late[m], errors="coerce").mean())
    tm = sub["tech_mean"].to_numpy(dtype=float)
    out["tech_growth"] = float(tm[-1] - tm[0]) if tm.size else np.nan
    firms = sub["firms"].to_numpy(dtype=float)
    exits = sub["exits"].to_numpy(dtype=float)
    ok = firms > 0
    out["sme_survival"] = float(np.mean(1.0 - exits[ok] / firms[ok])) if ok.any() else np.nan
    out["patents_total"] = float(sub["patents_new"].sum())
    if "gov_spend_total" in sub.columns:
        rev = late["revenue"].to_numpy(dtype=float)
        spend = late["gov_spend_total"].to_numpy(dtype=float)
        out["gov_spend_share_late"] = float(spend.sum() / rev.sum()) if rev.sum() > 0 else np.nan
    flags = sub.tail(LATE_FLAG_YEARS)
    out["lock_in_late"] = float(flags["lock_in"].astype(float).mean())
    out["race_late"] = float(flags["race_to_bottom"].astype(float).mean())
    out["lock_in_flagged"] = float(out["lock_in_late"] >= 0.5)
    out["race_flagged"] = float(out["race_late"] >= 0.5)
    out["full_path"] = float(shows_full_path(list(sub["lifecycle_stage"])))
    return out


def add_summaries(ts: pd.DataFrame, extras: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """The time series with the summary columns (and ``stage_code``) appended;
    ``extras`` (region name -> column -> value) are appended too (firm-level summaries
    from :class:`FirmTracker`)."""
    ts = ts.sort_values(["region", "year"]).copy()
    ts["stage_code"] = ts["lifecycle_stage"].map(STAGE_CODES).astype(float)
    ts["lock_in"] = ts["lock_in"].astype(float)
    ts["race_to_bottom"] = ts["race_to_bottom"].astype(float)
    parts = []
    for region, sub in ts.groupby("region", sort=False):
        s = summarise_region(sub)
        s.update((extras or {}).get(region, {}))
        parts.append(sub.assign(**s))
    return pd.concat(parts, ignore_index=True)


def fe_effect(firm: np.ndarray, year: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Within-firm effect of ``x`` on ``y``: OLS of ``y`` on ``x`` with firm and year fixed
    effects (firm effects by demeaning within firm, year effects as dummies demeaned the same
    way; Wooldridge 2010, ch. 10). Returns ``(beta, firms whose x varies)``; ``beta`` is NaN
    when no firm's ``x`` varies (nothing identifies a within-firm effect).

    Examples
    --------
    >>> firm = np.repeat([0, 1, 2], 4); year = np.tile([0, 1, 2, 3], 3)
    >>> x = np.array([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1.])
    >>> y = 2.0 * x + 0.5 * year + firm
    >>> b, movers = fe_effect(firm, year, x, y); round(b, 6), movers
    (2.0, 1)
    """
    ok = np.isfinite(y) & np.isfinite(x)
    firm, year, x, y = firm[ok], year[ok], x[ok].astype(float), y[ok].astype(float)
    if firm.size == 0:
        return np.nan, 0
    _, f_code = np.unique(firm, return_inverse=True)
    counts = np.bincount(f_code)
    xmin = np.full(counts.size, np.inf)
    xmax = np.full(counts.size, -np.inf)
    np.minimum.at(xmin, f_code, x)
    np.maximum.at(xmax, f_code, x)
    movers = int(np.sum(xmax > xmin))
    if movers == 0:
        return np.nan, 0
    _, y_code = np.unique(year, return_inverse=True)
    D = np.zeros((year.size, int(y_code.max()) + 1))
    D[np.arange(year.size), y_code] = 1.0
    X = np.column_stack([x, D[:, 1:], y])

    def demean(M):
        sums = np.zeros((counts.size, M.shape[1]))
        np.add.at(sums, f_code, M)
        return M - (sums / counts[:, None])[f_code]

    Z = demean(X)
    beta = np.linalg.lstsq(Z[:, :-1], Z[:, -1], rcond=None)[0]
    return float(beta[0]), movers


class FirmTracker:
    """Firm-level summaries the regional time series cannot give, observed after every step.

    * **fixed cohort** — the firms alive at the start, by their initial region: their patents
      over the run (``cohort_patents``; patents of a cohort firm in the year it exits are not
      seen, the firm is gone when the step ends) and the share still alive at the end
      (``cohort_survival``);
    * **zombies by support** (``zombie_support_share``) — a firm past its grace years (so the
      exit rule applies to it) that passed this year's exit check with net worth >= 0 but
      would have failed it without the support it got since the previous check: last
      year's direct subsidy (paid after last year's check) and this year's VC equity. Every
      arm can have them, whatever the instrument; per SME firm of the region, by year;
    * **within-firm effects** of being in the cluster (``within_patenting``,
      ``within_rd_active``, ``within_tech_growth``, ``within_unit_cost``): :func:`fe_effect`
      on the SME firm-year panel (patented this year; did R&D; yearly change of log
      productivity; log unit cost of firms that sold), identified by firms that change region
      (``movers``). Attached to the cluster region's rows.
    """

    def __init__(self, world, cluster: int):
        f = world.firms
        self.cluster = cluster
        self.R = world.regions.R
        self.grace = world.scenario.exit.grace_years
        order = np.argsort(f.id)
        self.cohort_ids = f.id[order].copy()
        self.cohort_region = f.region[order].copy()
        self.cohort_patents = np.zeros(self.R)
        self.prev_ids = np.zeros(0, dtype=np.int64)
        self.prev_subsidy = np.zeros(0)
        self.prev_stake = np.zeros(0)
        self.prev_A = np.zeros(0)
        self.zombie_rows: list[np.ndarray] = []
        self.panel: list[tuple] = []
        self.year = 0

    @staticmethod
    def _lookup(ids_sorted: np.ndarray, values: np.ndarray, ids: np.ndarray, default: float):
        if ids_sorted.size == 0:
            return np.full(ids.size, default), np.zeros(ids.size, dtype=bool)
        pos = np.clip(np.searchsorted(ids_sorted, ids), 0, ids_sorted.size - 1)
        hit = ids_sorted[pos] == ids
        return np.where(hit, values[pos], default), hit

    def observe(self, world) -> None:
        f = world.firms
        ids = f.id
        # fixed cohort
        _, in_cohort = self._lookup(self.cohort_ids, self.cohort_region, ids, -1)
        reg0, _ = self._lookup(self.cohort_ids, self.cohort_region, ids, -1)
        m = in_cohort & (f.patents_new > 0)
        self.cohort_patents += np.bincount(reg0[m].astype(np.int64), weights=f.patents_new[m], minlength=self.R)
        # zombies kept alive by support
        prev_sub, _ = self._lookup(self.prev_ids, self.prev_subsidy, ids, 0.0)
        prev_stake, _ = self._lookup(self.prev_ids, self.prev_stake, ids, 0.0)
        support = prev_sub + np.maximum(f.vc_stake - prev_stake, 0.0)
        nw_check = f.net_worth - f.subsidy  # this year's subsidy is paid after the exit check
        sme = ~f.is_mne
        eligible = sme & (f.age - 1 >= self.grace)
        zombie = eligible & (nw_check >= 0) & (nw_check - support < 0)
        n_sme = np.bincount(f.region[sme], minlength=self.R)
        n_z = np.bincount(f.region[zombie], minlength=self.R)
        self.zombie_rows.append(np.where(n_sme > 0, n_z / np.maximum(n_sme, 1), np.nan))
        # panel for within-firm effects
        prev_A, seen = self._lookup(self.prev_ids, self.prev_A, ids, np.nan)
        self.panel.append((ids[sme].copy(), np.full(int(sme.sum()), self.year), (f.region[sme] == self.cluster),
                           (f.patents_new[sme] > 0), (f.rd[sme] > 0), np.where(seen, f.A - prev_A, np.nan)[sme],
                           np.log(np.where((f.revenue > 0) & (f.unit_cost > 0), f.unit_cost, np.nan))[sme]))
        order = np.argsort(ids)
        self.prev_ids = ids[order].copy()
        self.prev_subsidy = f.subsidy[order].copy()
        self.prev_stake = f.vc_stake[order].copy()
        self.prev_A = f.A[order].copy()
        self.year += 1

    def summaries(self, world) -> list[dict[str, float]]:
        """Per region (index order): the columns of the class docstring."""
        f = world.firms
        alive, _ = self._lookup(np.sort(f.id), np.ones(f.n), self.cohort_ids, 0.0)
        n0 = np.bincount(self.cohort_region, minlength=self.R)
        n_alive = np.bincount(self.cohort_region, weights=alive, minlength=self.R)
        z = np.array(self.zombie_rows) if self.zombie_rows else np.full((1, self.R), np.nan)
        out = [{"cohort_patents": float(self.cohort_patents[r]),
                "cohort_survival": float(n_alive[r] / n0[r]) if n0[r] else np.nan,
                "zombie_support_share_late": float(np.nanmean(z[-LATE_YEARS:, r]))
                if np.isfinite(z[-LATE_YEARS:, r]).any() else np.nan} for r in range(self.R)]
        within = {}
        if self.panel:
            cols = [np.concatenate([p[k] for p in self.panel]) for k in range(7)]
            firm, year, inside = cols[0], cols[1], cols[2].astype(float)
            for name, y in (("within_patenting", cols[3].astype(float)), ("within_rd_active", cols[4].astype(float)),
                            ("within_tech_growth", cols[5]), ("within_unit_cost", cols[6])):
                within[name], within["movers"] = fe_effect(firm, year, inside, y)
        out[self.cluster].update(within)
        return out


def paper_runner(scenario, seed: int, years: int | None = None, firms: int | None = None) -> pd.DataFrame:
    """Simulate, observing the firms every year, and append the summary columns (a
    ``run_batch`` runner)."""
    from innocluster.model.engine import ClusterModel

    model = ClusterModel(scenario, seed=seed, firms=firms)
    cluster = next((i for i, r in enumerate(scenario.regions) if r.kind == "cluster"), 0)
    tracker = FirmTracker(model.world, cluster)
    for _ in range(scenario.years if years is None else int(years)):
        model.step()
        tracker.observe(model.world)
    res = model.results()
    names = [r.name for r in scenario.regions]
    extras = dict(zip(names, tracker.summaries(model.world)))
    return add_summaries(res.timeseries, extras)


def figure1_runner(scenario, seed: int, years: int | None = None, firms: int | None = None) -> pd.DataFrame:
    """Minimum average cost of the same SME outside and inside the cluster after ``years``
    of burn-in (paper Figure 1), with the **same** number of trust ties on both sides (the
    cluster SMEs' median): the comparison is of places, not of networks.

    Returns one row per side, ``region`` the periphery's and the cluster's name, ``year``
    the year after the burn-in, ``min_ac`` the curve's minimum.
    """
    curves, _ = same_firm_cost_curves(scenario, seed, 10 if years is None else int(years), firms)
    cluster = next(r.name for r in scenario.regions if r.kind == "cluster")
    outside = next(r.name for r in scenario.regions if r.kind != "cluster")
    year = scenario.start_year + (10 if years is None else int(years))
    rows = []
    for region, key in ((outside, "outside"), (cluster, "inside")):
        sel = curves[curves["where"].str.startswith(key)]
        rows.append({"year": year, "region": region, "min_ac": float(sel["average_cost"].min())})
    return pd.DataFrame(rows)


def same_firm_cost_curves(scenario, seed: int, burn_in: int, firms: int | None, n_points: int = 60):
    """Figure 1 curves of one SME (median technology of assembly-stage SMEs, the cluster
    SMEs' median ties) priced with the periphery's and the cluster's cost factors."""
    from innocluster.model.costs import average_cost_curve, region_factors
    from innocluster.model.engine import ClusterModel
    from innocluster.model.figure1 import output_grid, representative_sme

    model = ClusterModel(scenario, seed=seed, firms=firms)
    for _ in range(max(0, burn_in)):
        model.step()
    w = model.world
    reg = w.regions
    c = next(i for i in range(reg.R) if reg.is_cluster[i])
    p = next(i for i in range(reg.R) if not reg.is_cluster[i])
    A, ties = representative_sme(w, c)
    factors = region_factors(w)
    Q = output_grid(n_points)
    curves = pd.concat([
        pd.DataFrame({"where": f"outside the cluster ({reg.names[p]})", "output": Q,
                      "average_cost": average_cost_curve(w, Q, A, 0, p, ties, factors)}),
        pd.DataFrame({"where": f"inside the cluster ({reg.names[c]})", "output": Q,
                      "average_cost": average_cost_curve(w, Q, A, 0, c, ties, factors)})], ignore_index=True)
    return curves, {"technology": A, "ties": ties}
