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


def _log_growth(v: pd.Series) -> pd.Series:
    x = v.to_numpy(dtype=float)
    out = np.full(x.size, np.nan)
    ok = (x[1:] > 0) & (x[:-1] > 0)
    out[1:][ok] = np.log(x[1:][ok] / x[:-1][ok])
    # entry from zero counts as fast growth, exit to zero as fast decline
    out[1:][(x[:-1] == 0) & (x[1:] > 0)] = 1.0
    out[1:][(x[:-1] > 0) & (x[1:] == 0)] = -1.0
    return pd.Series(out, index=v.index)


def _rolling_slope(y: pd.Series, window: int) -> pd.Series:
    t = np.arange(len(y), dtype=float)
    vals = y.to_numpy(dtype=float)
    half = window // 2
    out = np.full(len(y), np.nan)
    for k in range(len(y)):  # loop over years (tens), not firms
        lo, hi = max(0, k - half), min(len(y), k + half + 1)
        tt, vv = t[lo:hi], vals[lo:hi]
        m = np.isfinite(vv)
        if m.sum() >= 2:
            slope = np.polyfit(tt[m], vv[m], 1)[0]
            level = np.mean(np.abs(vv[m]))
            out[k] = slope / level if level > 0 else 0.0
    return pd.Series(out, index=y.index)


def stage_signals(series: pd.DataFrame, thresholds: StageThresholds | None = None) -> pd.DataFrame:
    """The smoothed growth ``g`` and heterogeneity trend ``h`` used by
    :func:`classify_stage`, per year (for plots and the report)."""
    th = thresholds or StageThresholds()
    df = _series_frame(series)
    rates = [_log_growth(df["firms"])]
    if "employment" in df.columns and df["employment"].notna().sum() >= 2:
        rates.append(_log_growth(df["employment"]))
    g_raw = pd.concat(rates, axis=1).mean(axis=1)
    g_raw.iloc[0] = g_raw.iloc[1] if len(g_raw) > 1 else np.nan
    g = g_raw.rolling(th.window, center=True, min_periods=1).mean()
    out = pd.DataFrame({"growth": g, "firms": df["firms"]})
    if "tech_heterogeneity" in df.columns and df["tech_heterogeneity"].notna().sum() >= 2:
        out["heterogeneity_trend"] = _rolling_slope(pd.to_numeric(df["tech_heterogeneity"], errors="coerce"), max(th.window, 3))
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
    th = thresholds or StageThresholds()
    sig = stage_signals(series, th)
    firms = sig["firms"].to_numpy(dtype=float)
    g = sig["growth"].to_numpy(dtype=float)
    h = sig["heterogeneity_trend"].to_numpy(dtype=float) if "heterogeneity_trend" in sig else np.full(len(sig), np.nan)
    ever_large = np.maximum.accumulate(np.nan_to_num(firms) >= th.emergence_max_firms)
    labels = []
    for k in range(len(sig)):  # loop over years, not firms
        if np.isfinite(g[k]) and g[k] <= -th.decline_growth:
            labels.append(DECLINE)
        elif not ever_large[k]:
            labels.append(EMERGENCE)
        elif np.isfinite(g[k]) and g[k] >= th.growth_rate:
            rising = np.isfinite(h[k]) and h[k] >= th.heterogeneity_rising
            small = firms[k] < th.emergence_max_firms_with_rising_heterogeneity
            labels.append(EMERGENCE if rising and small else GROWTH)
        else:
            labels.append(MATURITY)
    return pd.Series(labels, index=sig.index, name="stage")
