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
=========================  ==============================================================

:func:`figure1_runner` returns, instead of a time series, the minimum of the
average-cost curve (paper Figure 1) outside and inside the cluster after a burn-in of
``years`` simulated years, one row per region (``min_ac``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LATE_YEARS = 5
LATE_FLAG_YEARS = 10
LATE_METRICS = ("share_with_patent", "share_rd_active", "avg_cost", "patents_per_firm", "patents_new",
                "constrained_among_rd", "zombie_share", "absorption_success_rate", "tech_mean", "firms",
                "margin", "rd_intensity", "external_tie_share", "tech_sd")
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
    flags = sub.tail(LATE_FLAG_YEARS)
    out["lock_in_late"] = float(flags["lock_in"].astype(float).mean())
    out["race_late"] = float(flags["race_to_bottom"].astype(float).mean())
    out["lock_in_flagged"] = float(out["lock_in_late"] >= 0.5)
    out["race_flagged"] = float(out["race_late"] >= 0.5)
    out["full_path"] = float(shows_full_path(list(sub["lifecycle_stage"])))
    return out


def add_summaries(ts: pd.DataFrame) -> pd.DataFrame:
    """The time series with the summary columns (and ``stage_code``) appended."""
    ts = ts.sort_values(["region", "year"]).copy()
    ts["stage_code"] = ts["lifecycle_stage"].map(STAGE_CODES).astype(float)
    ts["lock_in"] = ts["lock_in"].astype(float)
    ts["race_to_bottom"] = ts["race_to_bottom"].astype(float)
    parts = []
    for _, sub in ts.groupby("region", sort=False):
        s = summarise_region(sub)
        parts.append(sub.assign(**s))
    return pd.concat(parts, ignore_index=True)


def paper_runner(scenario, seed: int, years: int | None = None, firms: int | None = None) -> pd.DataFrame:
    """Simulate and append the summary columns (a ``run_batch`` runner)."""
    from innocluster.model.engine import simulate

    return add_summaries(simulate(scenario, seed=seed, years=years, firms=firms).timeseries)


def figure1_runner(scenario, seed: int, years: int | None = None, firms: int | None = None) -> pd.DataFrame:
    """Minimum average cost outside and inside the cluster after ``years`` of burn-in.

    Returns one row per side, ``region`` the periphery's and the cluster's name,
    ``year`` the year after the burn-in, ``min_ac`` the curve's minimum.
    """
    from innocluster.model.figure1 import cost_curves

    burn_in = 10 if years is None else int(years)
    curves, meta = cost_curves(scenario, seed=seed, burn_in=burn_in, firms=firms)
    cluster = next(r.name for r in scenario.regions if r.kind == "cluster")
    outside = next(r.name for r in scenario.regions if r.kind != "cluster")
    year = scenario.start_year + burn_in
    rows = []
    for region, key in ((outside, "outside"), (cluster, "inside")):
        sel = curves[curves["where"].str.startswith(key)]
        rows.append({"year": year, "region": region, "min_ac": float(sel["average_cost"].min())})
    return pd.DataFrame(rows)
