"""The stylised facts the report card checks: what each is, its source, its range.

A fact is measured on one simulated run (:class:`SeedRun`: the firm panel and regional
series of a run of the scenario's own years, and the regional series of a long run
for the life-cycle facts) by an estimator of :mod:`.estimators`; the card averages
it over seeds. ``low`` and ``high`` are the empirical range the literature gives (or,
for a direction, ``0`` and infinity): the tolerances are the literature's, not chosen
to make a scenario pass. ``docs/validation.md`` lists the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innocluster.validation import estimators as est

INF = float("inf")


@dataclass
class SeedRun:
    """What one seed of a scenario produced, as the facts read it."""

    scenario: object
    seed: int
    panel: pd.DataFrame  # firm panel over the scenario's years
    timeseries: pd.DataFrame  # regional series over the scenario's years
    long_timeseries: pd.DataFrame  # regional series of the long run (life-cycle facts)


@dataclass(frozen=True)
class Fact:
    """One stylised fact: its name, how it is measured, its source and range."""

    key: str
    label: str
    measure: str  # how the simulated value is computed
    source: str
    low: float
    high: float
    unit: str
    compute: Callable[[SeedRun], est.Estimate] = field(repr=False, compare=False)
    published: float = float("nan")  # a central published value, where there is one
    applies: Callable[[object], bool] = field(default=lambda scenario: True, repr=False, compare=False)
    scope: str = "every scenario"
    #: the time-series metric a calibration target would set for this fact (then the
    #: card says the fact was calibrated, not found)
    calibrated_metric: str | None = None

    def range_text(self) -> str:
        if self.high == INF:
            return f"> {self.low:g}"
        return f"{self.low:g} - {self.high:g}"


def _smes(run: SeedRun) -> pd.DataFrame:
    p = run.panel
    return p[p["is_mne"] == 0] if "is_mne" in p else p


def _final_sizes(run: SeedRun) -> np.ndarray:
    p = run.panel
    return p.loc[p["year"] == p["year"].max(), "employees"].to_numpy()


def _growth(run: SeedRun) -> np.ndarray:
    return est.growth_rates(run.panel)


def _hazard_ratio(run: SeedRun) -> est.Estimate:
    young, old = est.exit_rate_by_age(run.panel)
    if not (old.value > 0):
        return est.Estimate(float("inf") if young.value > 0 else float("nan"))
    return est.Estimate(young.value / old.value, n=young.n + old.n)


def _difference(pair: tuple[est.Estimate, est.Estimate]) -> est.Estimate:
    a, b = pair
    return est.Estimate(a.value - b.value, float(np.hypot(a.se, b.se)), a.n + b.n)


def _economy_counts(ts: pd.DataFrame) -> np.ndarray:
    return ts.groupby("year")["firms"].sum().to_numpy()


def _economy_tech_sd(ts: pd.DataFrame) -> np.ndarray:
    """Standard deviation of technology over every firm of the economy, from the
    regions' counts, means and standard deviations (the pooled variance)."""
    out = []
    for _, y in ts.groupby("year"):
        n, m, s = (y[c].to_numpy(dtype=float) for c in ("firms", "tech_mean", "tech_sd"))
        N = n.sum()
        if N <= 0:
            out.append(np.nan)
            continue
        mean = (n * m).sum() / N
        out.append(np.sqrt(max((n * (s**2 + (m - mean) ** 2)).sum() / N, 0.0)))
    return np.asarray(out)


def _cluster_tech_sd(ts: pd.DataFrame) -> np.ndarray:
    """Standard deviation of technology over the firms of the cluster regions (pooled)."""
    return _economy_tech_sd(ts[ts["kind"] == "cluster"])


def _has_cluster(scenario) -> bool:
    return any(r.kind == "cluster" for r in scenario.regions)


def _patent_elasticity(run: SeedRun) -> est.Estimate:
    from innocluster.errors import InputError
    from innocluster.indicators.innovation import patent_rd_elasticity

    performers = run.panel[run.panel["rd"] > 0]
    try:
        e = patent_rd_elasticity(performers)
    except InputError:
        return est.Estimate(float("nan"))
    return est.Estimate(e.elasticity, e.se, e.n_obs)


def _patenting_share(run: SeedRun) -> est.Estimate:
    smes = _smes(run)
    holders = smes.groupby("firm")["patents"].sum() > 0
    last = smes.loc[smes["year"] == smes["year"].max(), "firm"]
    p = float(holders.reindex(last).mean()) if len(last) else float("nan")
    return est.Estimate(p, float(np.sqrt(p * (1 - p) / len(last))) if len(last) else float("nan"), int(len(last)))


def _share(mask: np.ndarray) -> est.Estimate:
    if mask.size == 0:
        return est.Estimate(float("nan"))
    p = float(mask.mean())
    return est.Estimate(p, float(np.sqrt(p * (1 - p) / mask.size)), int(mask.size))


def _zero_revenue_years(run: SeedRun) -> est.Estimate:
    """Share of firm-years of firms that have sold nothing this year and the last."""
    p = run.panel.sort_values(["firm", "year"])
    idle = (p["revenue"].to_numpy() <= 0)
    prev_idle = p.groupby("firm")["revenue"].shift(1).to_numpy() <= 0
    return _share(idle & prev_idle)


#: the smallest region-year the margin fact reads: the published margins are industry
#: aggregates over many firms, not the accounts of a handful
MIN_FIRMS_FOR_MARGIN = 20


def _margins(run: SeedRun) -> est.Estimate:
    """The lowest region-year profit margin (after the first five years), over
    region-years with at least :data:`MIN_FIRMS_FOR_MARGIN` firms."""
    ts = run.timeseries
    ts = ts[(ts["year"] >= ts["year"].min() + 5) & (ts["firms"] >= MIN_FIRMS_FOR_MARGIN)]
    if ts.empty:
        return est.Estimate(float("nan"))
    return est.Estimate(float(ts["margin"].min()), n=int(len(ts)))


def _has_both_kinds(scenario) -> bool:
    kinds = {r.kind for r in scenario.regions}
    return {"cluster", "periphery"} <= kinds


def _periphery_kept(run: SeedRun) -> est.Estimate:
    """Firms of the periphery in the final year over its firms in the first year (the
    smallest over periphery regions)."""
    ts = run.timeseries
    per = ts[ts["kind"] == "periphery"]
    ratios = []
    for _, r in per.groupby("region"):
        r = r.sort_values("year")
        if r["firms"].iloc[0] > 0:
            ratios.append(r["firms"].iloc[-1] / r["firms"].iloc[0])
    return est.Estimate(float(min(ratios)) if ratios else float("nan"), n=len(ratios))


def _periphery_patent_gap(run: SeedRun) -> est.Estimate:
    """Patents per firm of the clusters minus those of the periphery, over the run."""
    ts = run.timeseries
    tot = ts.groupby("kind")[["patents_new", "firms"]].sum()
    if not {"cluster", "periphery"} <= set(tot.index):
        return est.Estimate(float("nan"))
    per_firm = tot["patents_new"] / tot["firms"].clip(lower=1)
    return est.Estimate(float(per_firm["cluster"] - per_firm["periphery"]))


FACTS: list[Fact] = [
    Fact("size_zipf", "Firm sizes have a Pareto (Zipf) upper tail",
         "exponent of the largest 10% of firms by employees, final year (rank - 1/2 regression)",
         "Axtell (2001) Science 293: 1.06 for US firms; Gabaix (2009) Annual Review of Economics 1: "
         "estimates near 1 across countries", 0.8, 1.3, "exponent",
         lambda r: est.zipf_exponent(_final_sizes(r)), published=1.06),
    Fact("growth_laplace", "Growth rates are tent-shaped (Laplace)",
         "Subbotin shape b of yearly log employment growth, less the industry-year mean",
         "Bottazzi & Secchi (2003) Economics Letters 80; (2006) RAND Journal of Economics 37: b close to 1 "
         "across sectors (2 would be normal)", 0.6, 1.4, "shape b",
         lambda r: est.subbotin_shape(_growth(r)), published=1.0),
    Fact("extreme_growth", "No mass of firm-years with more than e-fold size changes",
         "share of firm-years whose log employment changes by more than 1",
         "implied by the Laplace fits of Bottazzi & Secchi (2006): scale 0.1-0.25, "
         "so P(|g| > 1) = exp(-1/a) is below 2%", 0.0, 0.02, "share",
         lambda r: est.extreme_growth_share(_growth(r))),
    Fact("exit_rate", "Yearly exit rates of the observed order",
         "firms that exit in a year over firms active in it, pooled over the run",
         "US Census Business Dynamics Statistics: firm exit rates of about 8-10% a year (1980-2010); "
         "OECD DynEmp (Criscuolo, Gal & Menon 2014): 5-12% across countries", 0.05, 0.12, "share per year",
         lambda r: est.exit_rate(r.panel), published=0.09, calibrated_metric="exit_rate"),
    Fact("survival_5y", "About half of entrants survive five years",
         "share of entrants still active five years after founding (cohorts with five years observed)",
         "BLS Business Employment Dynamics: 44% of new establishments alive after 4 years (Knaup 2005), "
         "about half after 5 (Knaup & Piazza 2007)", 0.35, 0.65, "share", lambda r: est.survival(r.panel),
         published=0.5, calibrated_metric="survivors_5y"),
    Fact("hazard_age", "The exit hazard falls with age",
         "exit rate of firms under 5 years old over that of firms aged 10 or more",
         "Evans (1987) J. Industrial Economics 35; Dunne, Roberts & Samuelson (1988) RAND J. Economics 19; "
         "Haltiwanger, Jarmin & Miranda (2013): young firms exit far more often", 1.5, INF, "ratio",
         _hazard_ratio),
    Fact("spinoff_advantage", "Spin-offs outlive de-novo entrants",
         "five-year survival of spin-offs minus that of de-novo entrants",
         "Klepper (2007) Management Science 53; Agarwal, Echambadi, Franco & Sarkar (2004) Academy of "
         "Management J. 47; Klepper & Sleeper (2005) Management Science 51", 0.0, INF, "difference in shares",
         lambda r: _difference(est.spinoff_survival_gap(r.panel))),
    Fact("parent_quality", "Better parents have better spin-offs",
         "five-year survival of spin-offs of parents above the median technological lead minus below",
         "Klepper (2007) Management Science 53; Klepper & Sleeper (2005) Management Science 51", 0.0, INF,
         "difference in shares", lambda r: _difference(est.parent_quality_effect(r.panel))),
    Fact("shakeout", "Firm counts rise, peak and shake out",
         "fall of the economy's firm count from its peak, as a share of the peak, over the long run",
         "Gort & Klepper (1982) Economic J. 92; Klepper (1997) Industrial and Corporate Change 6; "
         "Klepper & Simons (2000): autos, tires, televisions and penicillin fell by more than 70%", 0.25, 1.0,
         "share of the peak", lambda r: est.shakeout_depth(_economy_counts(r.long_timeseries))),
    Fact("heterogeneity_hump", "Technological heterogeneity rises, then narrows",
         "fall of the technology standard deviation of the cluster's firms (the cluster regions pooled) from "
         "its peak to the end of the long run",
         "Menzel & Fornahl (2010) Industrial and Corporate Change 19: heterogeneity rises in a cluster's growth "
         "and falls in its maturity", 0.1, 1.0, "share of the peak",
         lambda r: est.hump(_cluster_tech_sd(r.long_timeseries)), applies=_has_cluster,
         scope="scenarios with a cluster region"),
    Fact("productivity_dispersion", "Productivity dispersion within industries of the observed order",
         "90-10 gap of log productivity (technology) within each GVC stage and year, averaged",
         "Syverson (2004) Review of Economics and Statistics 86: a TFP ratio of about 2 (log 0.69) within US "
         "4-digit industries; Hsieh & Klenow (2009) QJE 124: wider in China and India", 0.5, 1.6, "log points",
         lambda r: est.within_dispersion(r.panel), published=0.69),
    Fact("dispersion_persists", "Productivity dispersion persists at its level",
         "90-10 gap of log productivity within stage-years in the run's last year over its fifth year",
         "Syverson (2011) J. Economic Literature 49: large and persistent productivity differences; Cunningham et "
         "al. (2019, US Census DiSP 1997-2015): within-industry dispersion changes little over two decades",
         2 / 3, 1.5, "ratio", lambda r: est.dispersion_drift(r.panel)),
    Fact("patent_elasticity", "Patents rise less than proportionally with R&D",
         "Poisson elasticity of patents to R&D on the R&D performers' panel (the monitor's estimator)",
         "Cincera (1997) J. Applied Econometrics 12: about 0.8 (the shipped panel gives 0.79 [0.62, 0.95]); "
         "Hausman, Hall & Griliches (1984) Econometrica 52", 0.5, 1.0, "elasticity", _patent_elasticity,
         published=0.8),
    Fact("patenting_share", "A few percent of a national SME population patent",
         "share of SMEs active in the final year that patented during the run",
         "the paper: about 1% of China's SMEs hold patents", 0.005, 0.02, "share", _patenting_share,
         published=0.01, applies=lambda sc: sc.name == "china-sme-baseline",
         scope="china-sme-baseline (a national SME population)", calibrated_metric="share_with_patent"),
    Fact("one_employee", "No firm below one employee",
         "share of firm-years with fewer than one employee",
         "employer businesses have at least one employee (US BDS counts employer firms)", 0.0, 0.01, "share",
         lambda r: _share(r.panel["employees"].to_numpy() < 1.0)),
    Fact("idle_firms", "No firm alive for years without sales",
         "share of firm-years of firms with no revenue this year and the last",
         "a business with neither sales nor payroll has exited in business statistics (BDS)", 0.0, 0.01, "share",
         _zero_revenue_years),
    Fact("margins", "Margins within observed bounds",
         "lowest region-year profit margin (profit over revenue) after the first five years, region-years of 20 firms or more",
         "Damodaran's industry data (US listed firms, January 2024): industry net margins between about -15% "
         "and +30%", -0.15, 0.35, "share of revenue", _margins),
    Fact("periphery_kept", "The rest of the economy does not collapse",
         "firms of each periphery region at the end over its firms at the start (the smallest)",
         "the paper's cases describe the cluster rising or declining, not the rest of the economy vanishing",
         0.5, INF, "ratio", _periphery_kept, applies=_has_both_kinds, scope="scenarios with cluster and periphery"),
    Fact("periphery_innovates_less", "A periphery innovates less than the cluster",
         "patents per firm of the clusters minus those of the periphery over the run",
         "the paper: clusters raise SMEs' innovation; Hsinchu's park firms patent far more than the rest of "
         "Taiwan's", 0.0, INF, "patents per firm-year", _periphery_patent_gap, applies=_has_both_kinds,
         scope="scenarios with cluster and periphery"),
]


def facts_for(scenario) -> list[Fact]:
    """The facts that apply to ``scenario``."""
    return [f for f in FACTS if f.applies(scenario)]
