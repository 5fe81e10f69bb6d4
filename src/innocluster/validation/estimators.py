"""Estimators of the stylised facts of firm and industry dynamics.

Each function takes plain arrays or a firm panel in the monitor's schema
(:mod:`innocluster.panel_schema`: one row per firm and year with ``firm``, ``year``,
``employees``, ``founded``, ``exited``, ``parent`` ...) and returns numbers, so that
the same estimator runs on a simulated panel and on real data. A firm-year with
``exited = 1`` is the firm's last year: it produced that year and left at its end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error (NaN when not available) and sample size."""

    value: float
    se: float = float("nan")
    n: int = 0


def zipf_tail_size(n_firms: int, tail_share: float = 0.1, min_tail: int = 30) -> int:
    """How many of the largest firms :func:`zipf_exponent` fits its tail on."""
    return max(int(round(tail_share * n_firms)), min_tail)


def zipf_exponent(sizes, tail_share: float = 0.1, min_tail: int = 30) -> Estimate:
    r"""Pareto (Zipf) exponent of the upper tail of firm sizes.

    The rank-size regression with the rank shifted by one half,
    :math:`\log(i - 1/2) = a - \zeta \log S_{(i)}` over the ``tail_share`` largest firms,
    with standard error :math:`\zeta \sqrt{2 / n}` (Gabaix & Ibragimov 2011, *J. Business
    & Economic Statistics* 29(1): the shift removes the small-sample bias of the OLS
    rank-size slope). Axtell (2001, *Science* 293: 1818-1820) finds 1.06 for US firms by
    employees.

    Parameters
    ----------
    sizes : array of positive sizes (employees).
    tail_share : share of the largest firms in the regression.
    min_tail : fewest firms in the tail (fewer: NaN).
    """
    s = np.sort(np.asarray(sizes, dtype=float))[::-1]
    s = s[np.isfinite(s) & (s > 0)]
    n = zipf_tail_size(s.size, tail_share, min_tail)
    if s.size < min_tail or n > s.size:
        return Estimate(float("nan"), float("nan"), int(s.size))
    tail = s[:n]
    if tail[0] == tail[-1]:
        return Estimate(float("nan"), float("nan"), n)
    rank = np.arange(1, n + 1) - 0.5
    slope = np.polyfit(np.log(tail), np.log(rank), 1)[0]
    zeta = -float(slope)
    return Estimate(zeta, zeta * np.sqrt(2.0 / n), n)


def growth_rates(panel: pd.DataFrame, size: str = "employees", by: tuple[str, ...] = ("year", "industry")) -> np.ndarray:
    """Log growth ``log S_{i,t+1} - log S_{i,t}`` of firms present in consecutive years,
    less the mean of their ``by`` group (the normalisation of Bottazzi & Secchi 2006).
    Firm-years with a non-positive size are left out, and so is a firm's founding year
    when the panel has ``founded`` (a partial year: growth out of it is entry, not the
    growth of a continuing firm)."""
    extra = ["founded"] if "founded" in panel else []
    df = panel[["firm", "year", size, *extra, *[c for c in by if c != "year"]]].copy()
    df = df[df[size] > 0]
    if extra:
        df = df[df["year"] != df["founded"]]
    df = df.sort_values(["firm", "year"])
    df["log_size"] = np.log(df[size].to_numpy(dtype=float))
    nxt = df.groupby("firm")[["year", "log_size"]].shift(-1)
    ok = nxt["year"].to_numpy() == df["year"].to_numpy() + 1
    g = pd.DataFrame({c: df[c].to_numpy()[ok] for c in by})
    g["g"] = (nxt["log_size"].to_numpy() - df["log_size"].to_numpy())[ok]
    if g.empty:
        return np.zeros(0)
    return (g["g"] - g.groupby(list(by))["g"].transform("mean")).to_numpy()


def subbotin_shape(growth, max_sample: int = 20_000, seed: int = 0) -> Estimate:
    r"""Shape ``b`` of the Subbotin (exponential power) density fitted to growth rates,
    :math:`f(g) \propto \exp(-|g - \mu|^b / (b a^b))`: ``b = 1`` is the Laplace
    ("tent-shaped") density that Bottazzi & Secchi (2003, *Economics Letters* 80; 2006,
    *RAND J. Economics* 37) find across sectors, ``b = 2`` the normal. Maximum
    likelihood (:func:`scipy.stats.gennorm.fit`, whose shape is ``b``) on at most
    ``max_sample`` rates drawn without replacement; the standard error is from the
    observed information (numerical second derivative of the profile log-likelihood).
    """
    g = np.asarray(growth, dtype=float)
    g = g[np.isfinite(g)]
    if g.size < 50 or np.ptp(g) == 0:
        return Estimate(float("nan"), float("nan"), int(g.size))
    if g.size > max_sample:
        g = np.random.default_rng(seed).choice(g, max_sample, replace=False)
    b, loc, scale = stats.gennorm.fit(g)

    def loglik(shape):
        return stats.gennorm.logpdf(g, shape, loc, scale).sum()

    h = 1e-3 * b
    curvature = (loglik(b + h) - 2 * loglik(b) + loglik(b - h)) / h**2
    se = float(np.sqrt(-1.0 / curvature)) if curvature < 0 else float("nan")
    return Estimate(float(b), se, int(g.size))


def extreme_growth_share(growth, threshold: float = 1.0) -> Estimate:
    """Share of firm-years whose size changes more than ``threshold`` in logs (1: more
    than e-fold up or down)."""
    g = np.asarray(growth, dtype=float)
    g = g[np.isfinite(g)]
    if g.size == 0:
        return Estimate(float("nan"))
    p = float(np.mean(np.abs(g) > threshold))
    return Estimate(p, float(np.sqrt(p * (1 - p) / g.size)), int(g.size))


def exit_rate(panel: pd.DataFrame) -> Estimate:
    """Yearly exit rate: firms that leave in a year over firms active in it, pooled over
    the panel's years (the business-dynamics definition; US BDS)."""
    e = panel["exited"].to_numpy(dtype=float)
    if e.size == 0:
        return Estimate(float("nan"))
    p = float(e.mean())
    return Estimate(p, float(np.sqrt(p * (1 - p) / e.size)), int(e.size))


def _lifetimes(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per firm: founding year, last year in the panel, whether it exited then."""
    df = panel if "is_mne" in panel else panel.assign(is_mne=0)
    return df.groupby("firm").agg(founded=("founded", "first"), first_year=("year", "min"),
                                  last_year=("year", "max"), exited=("exited", "max"),
                                  parent=("parent", "first"), is_mne=("is_mne", "max"))


def survival(panel: pd.DataFrame, horizon: int = 5, entrants: pd.Index | None = None) -> Estimate:
    """Share of entrants still active ``horizon`` years after founding.

    Entrants are firms founded inside the panel's years (after its first year), each
    counted once; only cohorts founded at least ``horizon`` years before the panel's
    last year count. A firm is alive at age ``h`` when the panel has its row in year
    ``founded + h``. ``entrants`` restricts the firms (e.g. spin-offs only).
    """
    life = _lifetimes(panel)
    first, last = int(panel["year"].min()), int(panel["year"].max())
    cohort = life[(life["founded"] > first) & (life["founded"] <= last - horizon)]
    if entrants is not None:
        cohort = cohort[cohort.index.isin(entrants)]
    if len(cohort) == 0:
        return Estimate(float("nan"))
    p = float((cohort["last_year"] >= cohort["founded"] + horizon).mean())
    return Estimate(p, float(np.sqrt(p * (1 - p) / len(cohort))), int(len(cohort)))


def exit_rate_by_age(panel: pd.DataFrame, young: int = 5, old: int = 10) -> tuple[Estimate, Estimate]:
    """Exit rates of young firms (age below ``young`` years) and of old firms (age
    ``old`` years and more), age = year - founded. A hazard that falls with age makes
    the first clearly larger than the second (Evans 1987; Dunne, Roberts & Samuelson
    1988, *RAND J. Economics* 19)."""
    age = panel["year"].to_numpy() - panel["founded"].to_numpy()
    e = panel["exited"].to_numpy(dtype=float)
    out = []
    for mask in (age < young, age >= old):
        k = int(mask.sum())
        p = float(e[mask].mean()) if k else float("nan")
        out.append(Estimate(p, float(np.sqrt(p * (1 - p) / k)) if k else float("nan"), k))
    return out[0], out[1]


def spinoff_survival_gap(panel: pd.DataFrame, horizon: int = 5) -> tuple[Estimate, Estimate]:
    """Five-year survival of spin-offs (``parent >= 0``) and of de-novo entrants (no
    parent, not a multinational): Klepper (2007, *Management Science* 53) and Klepper &
    Sleeper (2005) find spin-offs outliving other entrants."""
    life = _lifetimes(panel)
    spin = life.index[life["parent"] >= 0]
    denovo = life.index[(life["parent"] < 0) & (life["is_mne"] == 0)]
    return survival(panel, horizon, spin), survival(panel, horizon, denovo)


def parent_quality_effect(panel: pd.DataFrame, horizon: int = 5, quality: str = "technology") -> tuple[Estimate, Estimate]:
    """Survival of spin-offs whose parent was better than the median parent (its
    ``quality`` relative to its stage-year mean, in the founding year) and of those
    whose parent was worse: better parents have better spin-offs (Klepper 2007;
    Klepper & Sleeper 2005)."""
    df = panel[["firm", "year", "industry", quality]].copy()
    df["lead"] = df[quality] - df.groupby(["year", "industry"])[quality].transform("mean")
    lead = df.set_index(["firm", "year"])["lead"]
    life = _lifetimes(panel)
    spin = life[(life["parent"] >= 0)]
    key = pd.MultiIndex.from_arrays([spin["parent"].to_numpy(), spin["founded"].to_numpy()])
    parent_lead = pd.Series(lead.reindex(key).to_numpy(), index=spin.index).dropna()
    if parent_lead.size < 10:
        return Estimate(float("nan")), Estimate(float("nan"))
    median = parent_lead.median()
    better = parent_lead.index[parent_lead > median]
    worse = parent_lead.index[parent_lead <= median]
    return survival(panel, horizon, better), survival(panel, horizon, worse)


def within_dispersion(panel: pd.DataFrame, value: str = "technology", by=("year", "industry"),
                      low: float = 0.1, high: float = 0.9, min_group: int = 20) -> Estimate:
    """Mean over groups (industry-years) of the ``high``-``low`` percentile gap of
    ``value`` within the group: with log productivity, the log of Syverson's (2004,
    *Review of Economics and Statistics* 86) 90-10 productivity ratio."""
    gaps = []
    for _, v in panel.groupby(list(by))[value]:
        x = v.to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if x.size >= min_group:
            gaps.append(np.quantile(x, high) - np.quantile(x, low))
    if not gaps:
        return Estimate(float("nan"))
    gaps = np.asarray(gaps)
    return Estimate(float(gaps.mean()), float(gaps.std(ddof=1) / np.sqrt(gaps.size)) if gaps.size > 1 else float("nan"),
                    int(gaps.size))


def dispersion_drift(panel: pd.DataFrame, value: str = "technology", by=("year", "industry"), start_year: int | None = None,
                     **kwargs) -> Estimate:
    """Within-industry dispersion (:func:`within_dispersion`) in the panel's last year
    over that in ``start_year`` (default: the panel's fifth year): 1 when dispersion
    persists at its level, above 1 when it widens, below 1 when it narrows."""
    years = np.sort(panel["year"].unique())
    if years.size < 2:
        return Estimate(float("nan"))
    start = years[min(4, years.size - 2)] if start_year is None else start_year
    first = within_dispersion(panel[panel["year"] == start], value, by, **kwargs)
    last = within_dispersion(panel[panel["year"] == years[-1]], value, by, **kwargs)
    if not (first.value > 0):
        return Estimate(float("nan"))
    return Estimate(last.value / first.value, n=first.n + last.n)


def persistence(panel: pd.DataFrame, value: str = "technology", by=("year", "industry")) -> Estimate:
    """Slope of next year's deviation of ``value`` from its group mean on this year's:
    the yearly persistence of relative productivity (Foster, Haltiwanger & Syverson
    2008, *American Economic Review* 98, report 0.6-0.8 for plant TFP)."""
    df = panel[["firm", *by, value]].copy()
    df["dev"] = df[value] - df.groupby(list(by))[value].transform("mean")
    df = df.sort_values(["firm", "year"])
    nxt = df.groupby("firm")[["year", "dev"]].shift(-1)
    ok = (nxt["year"].to_numpy() == df["year"].to_numpy() + 1) & np.isfinite(df["dev"].to_numpy())
    x, y = df["dev"].to_numpy()[ok], nxt["dev"].to_numpy()[ok]
    if x.size < 30 or np.ptp(x) == 0:
        return Estimate(float("nan"))
    res = stats.linregress(x, y)
    return Estimate(float(res.slope), float(res.stderr), int(x.size))


def shakeout_depth(counts) -> Estimate:
    """How far the number of firms has fallen from its peak, as a share of the peak
    (0: no fall). Klepper (1997, *Industrial and Corporate Change* 6) and Gort & Klepper
    (1982): in new industries the number of producers rises, peaks and falls."""
    c = np.asarray(counts, dtype=float)
    if c.size == 0 or c.max() <= 0:
        return Estimate(float("nan"))
    peak = int(np.argmax(c))
    return Estimate(float(1.0 - c[peak:].min() / c[peak]), n=int(c.size))


#: years of the centred moving average the hump is read on
HUMP_WINDOW = 9


def moving_average(series, window: int = HUMP_WINDOW) -> np.ndarray:
    """Centred moving average over ``window`` values (only the positions the whole window
    covers); a series shorter than ``window`` is returned as it is."""
    s = np.asarray(series, dtype=float)
    if window > 1 and s.size >= window:
        return np.convolve(s, np.full(window, 1.0 / window), mode="valid")
    return s


def hump(series, window: int = HUMP_WINDOW) -> Estimate:
    """How far a series ends below its maximum, as a share of the maximum (0: it ends
    at its peak), after a centred moving average over ``window`` years: technological
    heterogeneity rises in a cluster's growth and narrows in its maturity (Menzel &
    Fornahl 2010, *Industrial and Corporate Change* 19), phases that last decades.

    The smoothing keeps year-to-year noise from passing for a hump: on an 81-year flat
    series with the noise of a 150-firm cluster's standard deviation, ``1 - last / max``
    read on the raw series averages about 0.13; a shorter series than ``window`` is read
    as it is."""
    s = np.asarray(series, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0 or s.max() <= 0:
        return Estimate(float("nan"))
    s = moving_average(s, window)
    return Estimate(float(1.0 - s[-1] / s.max()), n=int(s.size))
