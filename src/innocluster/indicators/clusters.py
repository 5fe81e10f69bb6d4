"""Cluster identification rules on a long region x industry (x year) table:
US Cluster Mapping "strong clusters" and European Cluster Observatory stars.

The table needs columns ``region``, ``industry``, ``employment``; ``establishments``
and ``year`` are optional. With ``year`` every rule is applied year by year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.errors import InputError


def _check(panel: pd.DataFrame, need=("region", "industry", "employment")) -> pd.DataFrame:
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"panel: expected a DataFrame, got {type(panel).__name__}")
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise InputError(f"panel: missing column {missing[0]!r}; needs {', '.join(need)}")
    emp = pd.to_numeric(panel["employment"], errors="coerce")
    if emp.isna().any() or (emp < 0).any():
        i = int(np.flatnonzero(emp.isna().to_numpy() | (emp < 0).to_numpy())[0])
        raise InputError(f"panel: row {i}, column 'employment': value {panel['employment'].iloc[i]!r} must be a number >= 0")
    return panel


def _lq_long(df: pd.DataFrame, by_year: list[str]) -> pd.Series:
    e = df["employment"].astype(float)
    reg_tot = e.groupby([df[c] for c in by_year + ["region"]]).transform("sum")
    ind_tot = e.groupby([df[c] for c in by_year + ["industry"]]).transform("sum")
    tot = e.groupby([df[c] for c in by_year]).transform("sum") if by_year else pd.Series(e.sum(), index=e.index)
    den = reg_tot * ind_tot
    lq = (e * tot).div(den.where(den > 0))
    return lq.fillna(0.0)


#: Fewest regions with activity in an industry for the strong-cluster rule to be
#: applied: with fewer, the top quartile of location quotients holds one region or
#: none, and "at or above the 75th percentile" only says "the largest LQ".
MIN_REGIONS_STRONG = 8


def strong_clusters(panel: pd.DataFrame, min_regions: int = MIN_REGIONS_STRONG, cluster_types=None) -> pd.DataFrame:
    r"""US Cluster Mapping "strong cluster" flag of each region-industry (-year) cell.

    A cell is strong when, among the regions with positive employment in that
    industry (and year),

    * its employment LQ is at or above the 75th percentile of the industry's LQs,
    * its employment is above the 25th percentile,
    * its establishments are above the 25th percentile (skipped if the column is
      absent; the ``criteria`` attribute of the result says so), and
    * ``LQ >= 1``.

    Percentiles use linear interpolation (``numpy.percentile`` default, as the
    project's ``d3.quantile``).

    The rule is **applied only where it means something**:

    * the industry needs at least ``min_regions`` regions with positive employment
      (default :data:`MIN_REGIONS_STRONG` = 8, so that the top quartile holds at least
      two regions); with fewer the cell is not judged;
    * the US Cluster Mapping Project applies it to **traded** clusters only. When
      ``cluster_types`` (industry -> ``"traded"`` / ``"local"`` / other) is given,
      cells of non-traded industries are not judged; without it every industry is
      treated as traded and ``attrs["notes"]`` says so.

    Parameters
    ----------
    panel : DataFrame with ``region``, ``industry``, ``employment`` and optionally
        ``establishments`` and ``year``.
    min_regions : int >= 1
    cluster_types : mapping or Series, optional
        Type of each industry (cluster).

    Returns
    -------
    DataFrame with ``region``, ``industry``, [``year``], ``lq``, the boolean
    ``strong`` and the boolean ``judged`` (False where the rule was not applied;
    ``strong`` is then False too). ``result.attrs["criteria"]`` lists the criteria
    applied and ``result.attrs["notes"]`` what was not judged and why.

    Notes
    -----
    Source: Delgado, Porter & Stern (2014) "Clusters, convergence, and economic
    performance", *Research Policy* 43(10); U.S. Cluster Mapping Project (Harvard
    Business School), cluster strength criteria (``strong_b`` in the project's
    ``cluster_calcs_reducer.js``: traded clusters, regions with positive employment).
    """
    if not isinstance(min_regions, int | np.integer) or min_regions < 1:
        raise InputError(f"min_regions: must be an integer >= 1, got {min_regions!r}")
    df = _check(panel).copy()
    by_year = ["year"] if "year" in df.columns else []
    df["lq"] = _lq_long(df, by_year).to_numpy()
    pos = df["employment"].astype(float) > 0
    grp_cols = by_year + ["industry"]
    sub = df.loc[pos]
    keys = [sub[c] for c in grp_cols]
    lq75 = sub["lq"].groupby(keys).transform(lambda s: np.percentile(s, 75))
    e25 = sub["employment"].astype(float).groupby(keys).transform(lambda s: np.percentile(s, 25))
    strong = (sub["lq"] >= lq75) & (sub["employment"].astype(float) > e25) & (sub["lq"] >= 1.0)
    criteria = ["lq >= p75", "employment > p25", "lq >= 1"]
    if "establishments" in df.columns:
        est = pd.to_numeric(sub["establishments"], errors="coerce").astype(float)
        b25 = est.groupby(keys).transform(lambda s: np.nanpercentile(s, 25) if s.notna().any() else np.nan)
        strong &= est > b25
        criteria.insert(2, "establishments > p25")
    n_regions = sub["region"].groupby(keys).transform("nunique")
    judged = n_regions >= min_regions
    notes = []
    if (~judged).any():
        few = sorted(map(str, sub.loc[~judged.to_numpy(), "industry"].unique()))
        notes.append(f"strong-cluster rule not applied to {', '.join(few[:8])}{' ...' if len(few) > 8 else ''}: "
                     f"fewer than {min_regions} regions with employment (quartiles of so few regions do not "
                     "separate strong from weak)")
    if cluster_types is None:
        notes.append("no cluster types given: every industry treated as a traded cluster")
    else:
        types = pd.Series(cluster_types, dtype=object) if not isinstance(cluster_types, pd.Series) else cluster_types
        t = sub["industry"].astype(str).map(lambda k: str(types.get(k, "")).strip().lower())
        traded = (t == "traded").to_numpy()
        if (~traded).any():
            notes.append("strong-cluster rule applied to traded clusters only (the US Cluster Mapping convention); "
                         f"not judged: {', '.join(sorted(set(sub.loc[~traded, 'industry'].astype(str)))[:8])}")
        judged &= traded
    df["strong"] = False
    df["judged"] = False
    df.loc[pos, "strong"] = (strong & judged).to_numpy()
    df.loc[pos, "judged"] = judged.to_numpy()
    out = df[["region", "industry", *by_year, "lq", "strong", "judged"]].reset_index(drop=True)
    out["strong"] = out["strong"].astype(bool)
    out["judged"] = out["judged"].astype(bool)
    out.attrs["criteria"] = criteria
    out.attrs["notes"] = notes
    return out


def cluster_stars(panel: pd.DataFrame, top_share: float = 0.10, lq_threshold: float = 2.0) -> pd.DataFrame:
    r"""European Cluster Observatory stars (0-3) of each region-industry (-year) cell.

    * **size**: the region's share of the industry's total employment is in the top
      ``top_share`` (10 %) of all regions for that industry;
    * **specialisation**: employment LQ ``>= lq_threshold`` (2);
    * **focus**: the industry's share of the region's total employment is in the top
      10 % of regions for that industry.

    Top 10 % = at or above the 90th percentile (linear interpolation) over regions
    with positive employment in the industry; cells with zero employment get no star.

    Returns
    -------
    DataFrame with ``region``, ``industry``, [``year``], ``size``, ``specialisation``,
    ``focus`` (booleans) and ``stars`` (0-3).

    Notes
    -----
    Source: Ketels, C. & Sölvell, Ö. (2006) *Innovation Clusters in the 10 New Member
    States of the European Union*, Europe INNOVA paper 1; European Cluster Observatory
    methodology (Sölvell, Ketels & Lindqvist 2009).
    """
    if not 0 < top_share < 1:
        raise InputError(f"top_share: must lie in (0, 1), got {top_share}")
    df = _check(panel).copy()
    by_year = ["year"] if "year" in df.columns else []
    e = df["employment"].astype(float)
    lq = _lq_long(df, by_year)
    ind_tot = e.groupby([df[c] for c in by_year + ["industry"]]).transform("sum")
    reg_tot = e.groupby([df[c] for c in by_year + ["region"]]).transform("sum")
    size_share = (e / ind_tot.where(ind_tot > 0)).fillna(0.0)
    focus_share = (e / reg_tot.where(reg_tot > 0)).fillna(0.0)
    pos = e > 0
    keys = [df.loc[pos, c] for c in by_year + ["industry"]]
    q = 100.0 * (1.0 - top_share)
    size_cut = size_share[pos].groupby(keys).transform(lambda s: np.percentile(s, q))
    focus_cut = focus_share[pos].groupby(keys).transform(lambda s: np.percentile(s, q))
    out = df[["region", "industry", *by_year]].copy()
    out["size"] = False
    out["focus"] = False
    out.loc[pos, "size"] = (size_share[pos] >= size_cut).to_numpy()
    out.loc[pos, "focus"] = (focus_share[pos] >= focus_cut).to_numpy()
    out["specialisation"] = (lq >= lq_threshold).to_numpy() & pos.to_numpy()
    out["stars"] = out[["size", "specialisation", "focus"]].sum(axis=1).astype(np.int64)
    return out[["region", "industry", *by_year, "size", "specialisation", "focus", "stars"]].reset_index(drop=True)
