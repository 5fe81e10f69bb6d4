"""The distributions behind the report card's numbers, for its figures and ``curves.csv``.

A fact on the card is one number: the Zipf exponent, the Subbotin shape, the share of
entrants alive at five, the fall of the firm count from its peak. A referee wants to see
what the number summarises: whether the upper tail is straight on a log-log plot
(Axtell 2001), whether the growth-rate density is a tent on a log scale (Bottazzi &
Secchi 2003), how survival falls with age (US Business Employment Dynamics; Knaup 2005),
how exit hazards fall with age (Evans 1987), and the paths the life-cycle facts read
(Klepper 1997; Menzel & Fornahl 2010). :func:`seed_curves` measures these on one seed's
run with the card's own estimators, as one long table:

======================  ==========================================  ===============================
``curve``               ``x``                                       ``y``
======================  ==========================================  ===============================
``rank_size``           employees of a firm in the final year       its rank, largest first
``growth_density``      centre of a growth-rate bin (log points)    density of firm-years in it
``growth_beyond_bins``  the bins' outer edge (log points)           share of firm-years beyond it
``survival``            age in years                                share of entrants alive at it
``hazard``              age in years                                exit rate of firms of that age
``firms_economy``       year of the long run                        firms of the economy
``firms_cluster``       year of the long run                        firms of the cluster regions
``tech_sd_cluster``     year of the long run                        technology sd of the clusters
``tech_sd_smoothed``    centre year of the moving average           the same, smoothed as the hump
======================  ==========================================  ===============================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.validation import estimators as est
from innocluster.validation.facts import SeedRun, _cluster_tech_sd, _economy_counts, _final_sizes, _growth

#: growth-rate bins of ``growth_density``: log points, wide enough to show e-fold changes
GROWTH_BINS = np.linspace(-3.0, 3.0, 61)

#: oldest age of the ``survival`` and ``hazard`` curves
MAX_AGE = 15

#: every rank up to this one is kept on the ``rank_size`` curve, then ranks spaced evenly in logs
DENSE_RANKS = 200

#: ranks kept beyond ``DENSE_RANKS`` (log-spaced up to the smallest firm)
SPARSE_RANKS = 300


def _curve(name: str, x, y) -> pd.DataFrame:
    return pd.DataFrame({"curve": name, "x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)})


def rank_size(sizes, dense: int = DENSE_RANKS, sparse: int = SPARSE_RANKS) -> pd.DataFrame:
    """Rank against size, largest first: a Pareto tail with exponent ``zeta`` is a line
    of slope ``-zeta`` on log-log axes (:func:`.estimators.zipf_exponent`). The ``dense``
    largest firms are kept one by one, the rest at ``sparse`` ranks spaced evenly in logs,
    always with the last (so the last rank is the number of firms)."""
    s = np.sort(np.asarray(sizes, dtype=float))[::-1]
    s = s[np.isfinite(s) & (s > 0)]
    n = s.size
    ranks = np.arange(1, min(n, dense) + 1)
    if n > dense:
        ranks = np.unique(np.r_[ranks, np.geomspace(dense + 1, n, sparse).round().astype(int), n])
    return _curve("rank_size", s[ranks - 1], ranks)


def growth_density(growth, bins: np.ndarray = GROWTH_BINS) -> pd.DataFrame:
    """Histogram density of normalised growth rates (:func:`.estimators.growth_rates`)
    over all firm-years, so the bins integrate to the share inside them; the share beyond
    them is the ``growth_beyond_bins`` row (clipping them into the outer bins would draw
    a tail that is not there)."""
    g = np.asarray(growth, dtype=float)
    g = g[np.isfinite(g)]
    if g.size == 0:
        return _curve("growth_density", [], [])
    counts, edges = np.histogram(g, bins=bins)
    density = counts / (g.size * np.diff(edges))
    beyond = float(np.mean((g < bins[0]) | (g > bins[-1])))
    return pd.concat([_curve("growth_density", 0.5 * (edges[:-1] + edges[1:]), density),
                      _curve("growth_beyond_bins", [bins[-1]], [beyond])], ignore_index=True)


def survival_by_age(panel: pd.DataFrame, max_age: int = MAX_AGE) -> pd.DataFrame:
    """Share of entrants alive at each age, from :func:`.estimators.survival` (each age
    over the cohorts old enough to have reached it, so with cohorts of different fortunes
    the curve need not fall everywhere; not a product-limit estimate). Age 0 is 1 by definition."""
    ages, shares = [0], [1.0]
    for h in range(1, max_age + 1):
        e = est.survival(panel, horizon=h)
        if not np.isfinite(e.value):
            break
        ages.append(h)
        shares.append(e.value)
    return _curve("survival", ages, shares)


def hazard_by_age(panel: pd.DataFrame, max_age: int = MAX_AGE) -> pd.DataFrame:
    """Exit rate of the firms of each age (``year - founded``), the oldest pooled into
    ``max_age``; ages with fewer than 20 firm-years are left out."""
    age = np.minimum(panel["year"].to_numpy() - panel["founded"].to_numpy(), max_age)
    exited = panel["exited"].to_numpy(dtype=float)
    ok = age >= 0
    n = np.bincount(age[ok], minlength=max_age + 1)
    k = np.bincount(age[ok], weights=exited[ok], minlength=max_age + 1)
    keep = n >= 20
    ages = np.arange(max_age + 1)[keep]
    return _curve("hazard", ages, k[keep] / n[keep])


def life_cycle(long_timeseries: pd.DataFrame) -> pd.DataFrame:
    """The long run's paths that the life-cycle facts read: the economy's firms (the
    shake-out), the cluster regions' firms and their technology sd (the hump)."""
    ts = long_timeseries
    years = np.sort(ts["year"].unique())
    parts = [_curve("firms_economy", years, _economy_counts(ts))]
    cluster = ts[ts["kind"] == "cluster"]
    if not cluster.empty:
        parts.append(_curve("firms_cluster", years, cluster.groupby("year")["firms"].sum().reindex(years).to_numpy()))
        sd = _cluster_tech_sd(ts)
        parts.append(_curve("tech_sd_cluster", years, sd))
        smooth = est.moving_average(sd)
        trim = (years.size - smooth.size) // 2
        parts.append(_curve("tech_sd_smoothed", years[trim:trim + smooth.size], smooth))
    return pd.concat(parts, ignore_index=True)


def seed_curves(run: SeedRun) -> pd.DataFrame:
    """Every curve of the table above on one seed's run, with a ``seed`` column."""
    parts = [rank_size(_final_sizes(run)), growth_density(_growth(run)), survival_by_age(run.panel),
             hazard_by_age(run.panel), life_cycle(run.long_timeseries)]
    parts = [p for p in parts if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else _curve("rank_size", [], [])
    out.insert(1, "seed", run.seed)
    return out
