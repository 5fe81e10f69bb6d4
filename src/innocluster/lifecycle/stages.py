"""Life-cycle stage of a cluster (Menzel & Fornahl 2010).

Menzel, M.-P. & Fornahl, D. (2010) "Cluster life cycles — dimensions and
rationales of cluster evolution", *Industrial and Corporate Change* 19(1): 205-238.
A cluster is **emerging** (budding) while it has few firms and its technological
heterogeneity still widens; it is **growing** when the number of firms and employees
rises fast and heterogeneity narrows around a dominant design; **mature** (sustaining)
when firms and employment stagnate; **declining** when both shrink. The paper's
budding / growth / maturity / decline stages (last section of the seed paper) are the
same four.

The rule (thresholds in :class:`StageThresholds`):

1. ``g_t`` = mean of the growth rates of firms and of employment (log differences;
   employment optional), averaged over a centred window of ``window`` years (shorter
   at the ends; the first year reuses the first available difference).
2. ``h_t`` = trend of technological heterogeneity: the OLS slope of
   ``tech_heterogeneity`` over a centred window (at least 3 years) divided by its
   mean level, per year. Optional.
3. Label per year, first match wins:

   * ``decline``   if ``g_t <= -decline_growth``;
   * ``emergence`` if the firm count has never reached ``emergence_max_firms``;
   * if ``g_t >= growth_rate``: ``emergence`` when heterogeneity is still rising
     (``h_t >= heterogeneity_rising``) and there are fewer than
     ``emergence_max_firms_with_rising_heterogeneity`` firms, else ``growth``;
   * ``maturity`` otherwise (stagnation between the two growth thresholds).

The classification is retrospective within the window (a centred window looks
``window // 2`` years ahead); use ``window=1`` for a strictly real-time label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from innocluster.errors import InputError

EMERGENCE, GROWTH, MATURITY, DECLINE = "emergence", "growth", "maturity", "decline"
STAGES = (EMERGENCE, GROWTH, MATURITY, DECLINE)


@dataclass(frozen=True)
class StageThresholds:
    """Thresholds of :func:`classify_stage` (rates per year).

    Attributes
    ----------
    window : years in the centred smoothing window (odd, >= 1).
    growth_rate : smoothed growth at or above which a cluster grows (default 5 %/yr).
    decline_growth : smoothed shrinkage at or beyond which it declines (2 %/yr).
    emergence_max_firms : below this many firms the cluster is still emerging.
    heterogeneity_rising : relative heterogeneity slope (per year) above which
        heterogeneity counts as rising.
    emergence_max_firms_with_rising_heterogeneity : with rising heterogeneity and fast
        growth the cluster is still emerging below this many firms.
    """

    window: int = 3
    growth_rate: float = 0.05
    decline_growth: float = 0.02
    emergence_max_firms: float = 10
    heterogeneity_rising: float = 0.01
    emergence_max_firms_with_rising_heterogeneity: float = 50

    def __post_init__(self):
        if self.window < 1 or self.window % 2 == 0:
            raise InputError(f"window: must be an odd integer >= 1, got {self.window}")
        if self.growth_rate <= 0 or self.decline_growth <= 0:
            raise InputError("growth_rate and decline_growth must be > 0")


def _series_frame(series: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(series, pd.DataFrame):
        raise InputError(f"series: expected a DataFrame with columns year, firms, ..., got {type(series).__name__}")
    if "firms" not in series.columns:
        raise InputError("series: missing column 'firms'; classify_stage needs year, firms [, employment, tech_heterogeneity]")
    df = series.copy()
    if "year" in df.columns:
        if df["year"].duplicated().any():
            raise InputError(f"series: year {df['year'][df['year'].duplicated()].iloc[0]} appears twice")
        df = df.sort_values("year").set_index("year")
    if len(df) < 2:
        raise InputError("series: needs at least 2 years to measure growth")
    for c in ("firms", "employment"):
        if c in df.columns:
            v = pd.to_numeric(df[c], errors="coerce")
            if (v < 0).any():
                raise InputError(f"series: column {c!r} has negative values")
            df[c] = v
    return df


def _log_growth(x: np.ndarray) -> np.ndarray:
    """Log growth rate of each year over the previous one (NaN for the first year)."""
    out = np.full(x.size, np.nan)
    ok = (x[1:] > 0) & (x[:-1] > 0)
    out[1:][ok] = np.log(x[1:][ok] / x[:-1][ok])
    # entry from zero counts as fast growth, exit to zero as fast decline
    out[1:][(x[:-1] == 0) & (x[1:] > 0)] = 1.0
    out[1:][(x[:-1] > 0) & (x[1:] == 0)] = -1.0
    return out


def _centred_mean(v: np.ndarray, window: int) -> np.ndarray:
    """Mean of the measured values in a centred window (shorter at the ends; NaN where
    the window holds none), as ``pandas.rolling(window, center=True, min_periods=1)``."""
    half = window // 2
    out = np.full(v.size, np.nan)
    for k in range(v.size):  # loop over years (tens), not firms
        w = v[max(0, k - half) : k + half + 1]
        w = w[~np.isnan(w)]
        if w.size:
            out[k] = w.sum() / w.size
    return out


def _rolling_slope(y: np.ndarray, window: int) -> np.ndarray:
    """OLS slope over a centred window (at least 2 measured years) divided by the mean
    absolute level, per year."""
    half = window // 2
    out = np.full(y.size, np.nan)
    for k in range(y.size):  # loop over years (tens), not firms
        lo, hi = max(0, k - half), min(y.size, k + half + 1)
        vv = y[lo:hi]
        m = np.isfinite(vv)
        if m.sum() >= 2:
            tt = np.arange(lo, hi, dtype=float)[m]
            vv = vv[m]
            # least-squares slope in closed form (np.polyfit(tt, vv, 1)[0] without its overhead)
            tc = tt - tt.mean()
            slope = (tc * (vv - vv.mean())).sum() / (tc * tc).sum()
            level = np.mean(np.abs(vv))
            out[k] = slope / level if level > 0 else 0.0
    return out


def stage_arrays(firms, employment=None, tech_heterogeneity=None,
                 thresholds: StageThresholds | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Life-cycle stage of each year from plain arrays in year order (the rule of the
    module docstring; :func:`classify_stage` is the same for a DataFrame).

    Parameters
    ----------
    firms : array of firm counts per year (>= 2 years, no negative values).
    employment, tech_heterogeneity : arrays of the same length, optional (NaN where
        not measured).
    thresholds : StageThresholds, optional

    Returns
    -------
    labels : object array of stage labels
    growth : smoothed growth ``g_t``
    heterogeneity_trend : relative heterogeneity trend ``h_t`` (NaN without heterogeneity)

    Notes
    -----
    ``g_t`` is the plain mean of the window's measured growth rates and ``h_t`` the
    closed-form least-squares slope; other ways of computing them (pandas' running
    rolling mean, ``np.polyfit``) agree to rounding, so only a series sitting exactly
    on a threshold (growth of exactly 5 %/yr, say) can be labelled differently.

    Examples
    --------
    >>> labels, g, h = stage_arrays([20, 25, 31, 39, 40, 40, 40, 36, 32])
    >>> labels.tolist()
    ['growth', 'growth', 'growth', 'growth', 'growth', 'maturity', 'decline', 'decline', 'decline']
    """
    th = thresholds or StageThresholds()
    firms = np.asarray(firms, dtype=float)
    if firms.ndim != 1:
        raise InputError(f"series: firms must be one value per year, got an array of shape {firms.shape}")
    n = firms.size
    if n < 2:
        raise InputError("series: needs at least 2 years to measure growth")
    for name, v in (("employment", employment), ("tech_heterogeneity", tech_heterogeneity)):
        if v is not None and np.shape(v) != (n,):
            raise InputError(f"series: column {name!r} has shape {np.shape(v)} for {n} years")
    if (firms < 0).any() or np.isinf(firms).any():
        raise InputError("series: column 'firms' has negative or infinite values (allowed: >= 0, or missing)")
    if employment is not None:
        employment = np.asarray(employment, dtype=float)
        if (employment < 0).any() or np.isinf(employment).any():
            raise InputError("series: column 'employment' has negative or infinite values (allowed: >= 0, or missing)")
    rates = [_log_growth(firms)]
    if employment is not None and np.count_nonzero(~np.isnan(employment)) >= 2:
        rates.append(_log_growth(employment))
    # mean of the measured growth rates per year (firms, and employment when given)
    stacked = np.vstack(rates)
    measured = ~np.isnan(stacked)
    count = measured.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        g_raw = np.where(count > 0, np.where(measured, stacked, 0.0).sum(axis=0) / count, np.nan)
    g_raw[0] = g_raw[1]
    g = _centred_mean(g_raw, th.window)
    h = np.full(n, np.nan)
    if tech_heterogeneity is not None:
        het = np.asarray(tech_heterogeneity, dtype=float)
        if np.count_nonzero(~np.isnan(het)) >= 2:
            h = _rolling_slope(het, max(th.window, 3))
    ever_large = np.maximum.accumulate(np.nan_to_num(firms) >= th.emergence_max_firms)
    labels = np.empty(n, dtype=object)
    for k in range(n):  # loop over years, not firms
        if np.isfinite(g[k]) and g[k] <= -th.decline_growth:
            labels[k] = DECLINE
        elif not ever_large[k]:
            labels[k] = EMERGENCE
        elif np.isfinite(g[k]) and g[k] >= th.growth_rate:
            rising = np.isfinite(h[k]) and h[k] >= th.heterogeneity_rising
            small = firms[k] < th.emergence_max_firms_with_rising_heterogeneity
            labels[k] = EMERGENCE if rising and small else GROWTH
        else:
            labels[k] = MATURITY
    return labels, g, h


def _frame_arrays(df: pd.DataFrame) -> dict:
    """The optional columns of a validated series as float arrays (None when absent or
    with fewer than 2 measured years)."""
    out = {}
    for col in ("employment", "tech_heterogeneity"):
        v = None
        if col in df.columns:
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if np.count_nonzero(~np.isnan(v)) < 2:
                v = None
        out[col] = v
    return out


def stage_signals(series: pd.DataFrame, thresholds: StageThresholds | None = None) -> pd.DataFrame:
    """The smoothed growth ``g`` and heterogeneity trend ``h`` used by
    :func:`classify_stage`, per year (for plots and the report)."""
    df = _series_frame(series)
    opt = _frame_arrays(df)
    _, g, h = stage_arrays(df["firms"].to_numpy(dtype=float), opt["employment"], opt["tech_heterogeneity"],
                           thresholds)
    out = pd.DataFrame({"growth": g, "firms": df["firms"]}, index=df.index)
    if opt["tech_heterogeneity"] is not None:
        out["heterogeneity_trend"] = h
    return out


def classify_stage(series: pd.DataFrame, thresholds: StageThresholds | None = None) -> pd.Series:
    """Per-year life-cycle stage: ``emergence``, ``growth``, ``maturity`` or ``decline``.

    Parameters
    ----------
    series : DataFrame with ``year`` (or a year index), ``firms`` and optionally
        ``employment`` and ``tech_heterogeneity`` (e.g. the standard deviation of firm
        technology levels, or the entropy of patent classes).
    thresholds : StageThresholds, optional

    Returns
    -------
    Series of stage labels indexed by year, named ``stage``. The rule is in the
    module docstring.
    """
    df = _series_frame(series)
    opt = _frame_arrays(df)
    labels, _, _ = stage_arrays(df["firms"].to_numpy(dtype=float), opt["employment"], opt["tech_heterogeneity"],
                                thresholds)
    return pd.Series(labels, index=df.index, name="stage")
