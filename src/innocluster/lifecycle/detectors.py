"""Warnings from the last section of the seed paper: avoid **lock-in** and the
**race to the bottom** ("low competition") by continuous monitoring.

Both detectors read a per-year DataFrame (``year`` column or a year index) and use
whichever documented optional columns are present. Each signal is the trend over the
last ``window`` years (OLS slope per year) or the latest level; a flag needs at least
``min_signals`` firing signals out of at least ``min_available`` measurable ones.

Lock-in (Grabher 1993; Menzel & Fornahl 2010; Boschma 2005 on cognitive and network
lock-in) — columns:

* ``tech_heterogeneity`` — falling: the knowledge base narrows;
* ``relatedness_flexibility`` — falling: fewer related diversification options (mean
  relatedness density of industries the region is not specialised in, see
  :func:`innocluster.indicators.relatedness_flexibility`);
* ``external_tie_share`` — share of network ties leaving the region, falling or
  below ``closed_network_share``: an inward-looking, closed network;
* ``mean_technology`` (log productivity) or ``productivity`` — growth below
  ``productivity_stall`` per year: stalling productivity.

Race to the bottom (cost competition at the low end of the GVC; Pietrobelli &
Rabellotti 2011, Humphrey & Schmitz 2002) — columns:

* ``gvc_share_0`` — share of firms in the lowest GVC stage (assembly), rising;
* ``margin`` — profit or value-added margin, falling;
* ``rd_intensity`` — R&D over revenue, falling.

Every result is in one of **three states** (:attr:`DetectorResult.state`):

* ``"warning"`` (:data:`WARNING`) — enough signals were measurable and at least
  ``min_signals`` of them fired;
* ``"no warning"`` (:data:`NO_WARNING`) — enough signals were measurable and fewer
  fired;
* ``"not judged"`` (:data:`NOT_JUDGED`) — fewer than ``min_available`` signals were
  measurable; :attr:`DetectorResult.missing` names the signals that could not be
  measured and :data:`SIGNAL_COLUMNS` the columns each one reads. "Not judged" is
  never "no warning": the absence of evidence is reported as such.

A signal is measurable when its column has at least 3 measured years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innocluster.errors import InputError


#: The three states of a warning.
WARNING, NO_WARNING, NOT_JUDGED = "warning", "no warning", "not judged"
WARNING_STATES = (WARNING, NO_WARNING, NOT_JUDGED)

#: Signals of each detector and the per-year columns each reads (the first present
#: is used). The monitor derives these columns from its inputs; docs/monitor.md lists
#: which input columns give each one.
SIGNAL_COLUMNS = {
    "lock_in": {
        "tech_heterogeneity": ("tech_heterogeneity",),
        "relatedness_flexibility": ("relatedness_flexibility",),
        "external_tie_share": ("external_tie_share",),
        "productivity": ("mean_technology", "productivity"),
    },
    "race_to_the_bottom": {
        "gvc_share_0": ("gvc_share_0",),
        "margin": ("margin",),
        "rd_intensity": ("rd_intensity",),
    },
}


@dataclass(frozen=True)
class DetectorResult:
    """Result of :func:`lock_in` or :func:`race_to_the_bottom`.

    Attributes
    ----------
    flag : bool
        True only in the ``"warning"`` state.
    evidence : dict
        Signal -> measured trend (first / last value, slope per year, relative slope),
        plus ``signals_available`` and ``signals_fired``.
    reasons : list of str
        One sentence per firing signal; or why no signal fired; or, when not judged,
        why (starting with "cannot judge").
    state : {"warning", "no warning", "not judged"}
        The three-state verdict (module docstring). Derived from ``flag`` and
        ``reasons`` when not given.
    missing : list of str
        Signals that could not be measured (absent column or fewer than 3 measured
        years); :data:`SIGNAL_COLUMNS` says which columns feed each.
    """

    flag: bool
    evidence: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    state: str | None = None
    missing: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.state is None:
            judged = not any(str(r).startswith("cannot judge") for r in self.reasons)
            object.__setattr__(self, "state", WARNING if self.flag else (NO_WARNING if judged else NOT_JUDGED))
        if self.state not in WARNING_STATES:
            raise InputError(f"state: {self.state!r} is not one of {', '.join(WARNING_STATES)}")
        if self.flag != (self.state == WARNING):
            raise InputError(f"state {self.state!r} contradicts flag={self.flag}")

    @property
    def judged(self) -> bool:
        """True unless the state is ``"not judged"``."""
        return self.state != NOT_JUDGED


@dataclass(frozen=True)
class DetectorThresholds:
    """Thresholds of :func:`lock_in` and :func:`race_to_the_bottom`.

    Attributes
    ----------
    window : years of the trend window (>= 3).
    relative_fall : a relative slope (slope / mean level, per year) below
        ``-relative_fall`` counts as falling (default 2 %/yr).
    share_rise : an absolute slope of a share above this counts as rising (1 pp/yr).
    share_fall : an absolute slope of a share below ``-share_fall`` counts as falling.
    closed_network_share : a latest ``external_tie_share`` below this is closed.
    productivity_stall : ``mean_technology`` growing less than this per year stalls.
    min_signals : firing signals needed for a flag.
    min_available : measurable signals needed to judge at all.
    """

    window: int = 5
    relative_fall: float = 0.02
    share_rise: float = 0.01
    share_fall: float = 0.01
    closed_network_share: float = 0.10
    productivity_stall: float = 0.005
    min_signals: int = 2
    min_available: int = 2

    def __post_init__(self):
        if self.window < 3:
            raise InputError(f"window: must be >= 3 years, got {self.window}")
        if self.min_signals < 1 or self.min_available < 1:
            raise InputError("min_signals and min_available must be >= 1")


#: columns each detector reads (module docstring); lock-in reads ``productivity`` when
#: ``mean_technology`` is absent
_LOCK_IN_COLUMNS = ("tech_heterogeneity", "relatedness_flexibility", "external_tie_share", "mean_technology")
_RACE_COLUMNS = ("gvc_share_0", "margin", "rd_intensity")
_LOCK_IN_READ = _LOCK_IN_COLUMNS + ("productivity",)


class _Years:
    """A per-year table as NumPy arrays: the year of each row (``index``, ascending) and
    each column as float with NaN where a value is missing or not numeric. Prefixes
    (the first ``k`` years) are views, so judging every year on the years up to it
    costs no copies."""

    __slots__ = ("columns", "index")

    def __init__(self, index: np.ndarray, columns: dict[str, np.ndarray]):
        self.index = index
        self.columns = columns

    def prefix(self, k: int) -> _Years:
        return _Years(self.index[:k], {c: v[:k] for c, v in self.columns.items()})


def _frame(df: pd.DataFrame, wanted: tuple[str, ...]) -> _Years:
    """The ``wanted`` columns that ``df`` has, by ascending year (the ``year`` column,
    else the index)."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a per-year DataFrame, got {type(df).__name__}")
    if "year" in df.columns:
        df = df.set_index("year")
    years = df.index
    if years.hasnans:
        raise InputError("per-year data: a year is missing")
    if years.duplicated().any():
        raise InputError("per-year data: a year appears twice")
    if not years.is_monotonic_increasing:
        df = df.sort_index(kind="stable")
    columns = {}
    for col in wanted:
        if col not in df.columns:
            continue
        s = df[col]
        if isinstance(s, pd.DataFrame):
            raise InputError(f"per-year data: column {col!r} appears twice")
        if not pd.api.types.is_numeric_dtype(s):
            s = pd.to_numeric(s, errors="coerce")
        columns[col] = s.to_numpy(dtype=float, na_value=np.nan)
    return _Years(np.asarray(df.index), columns)


def _tail(d: _Years, col: str, window: int):
    """Trend of ``col`` over its last ``window`` measured years (None below 3)."""
    v = d.columns.get(col)
    if v is None:
        return None
    measured = ~np.isnan(v)
    v = v[measured][-window:]
    if v.size < 3:
        return None
    years = d.index[measured][-window:]
    t = np.asarray(years, dtype=float)
    # least-squares slope in closed form (what np.polyfit(t, v, 1) returns, without its overhead)
    tc = t - t.mean()
    slope = float((tc * (v - v.mean())).sum() / (tc * tc).sum())
    level = float(np.mean(np.abs(v)))
    return {
        "first_year": int(years[0]) if float(years[0]).is_integer() else float(years[0]),
        "last_year": int(years[-1]) if float(years[-1]).is_integer() else float(years[-1]),
        "first": float(v[0]),
        "last": float(v[-1]),
        "slope_per_year": slope,
        "relative_slope_per_year": slope / level if level > 0 else 0.0,
    }


def _relative_fall(d: _Years, col: str, th: DetectorThresholds, signals: dict, fired: list, reasons: list,
                   describe) -> None:
    """Signal ``col`` when its trend falls faster than ``relative_fall`` per year
    (relative to its level); ``describe(trend)`` words the reason."""
    trend = signals[col] = _tail(d, col, th.window)
    if trend and trend["relative_slope_per_year"] < -th.relative_fall:
        fired.append(col)
        reasons.append(describe(trend))


def _decide(signals: dict, fired: list[str], reasons: list[str], th: DetectorThresholds, what: str, columns) -> DetectorResult:
    available = [k for k, v in signals.items() if v is not None]
    missing = [k for k, v in signals.items() if v is None]
    evidence = {k: v for k, v in signals.items() if v is not None}
    evidence["signals_available"] = available
    evidence["signals_fired"] = fired
    if len(available) < th.min_available:
        return DetectorResult(
            False,
            evidence,
            [f"cannot judge {what}: {len(available)} of {len(signals)} signals measurable "
             f"({', '.join(available) or 'none'}; need {th.min_available}); missing: {', '.join(missing)}; "
             f"provide at least {th.min_available} of the columns {', '.join(columns)} with >= 3 years"],
            NOT_JUDGED,
            missing,
        )
    flag = len(fired) >= th.min_signals
    if not fired:
        reasons = [f"no {what} signal: {', '.join(available)} within thresholds"]
    elif not flag:
        reasons = [*reasons, f"{len(fired)} of {len(available)} measurable signals fired; a warning needs {th.min_signals}"]
    return DetectorResult(flag, evidence, reasons, WARNING if flag else NO_WARNING, missing)


def lock_in(df: pd.DataFrame, thresholds: DetectorThresholds | None = None) -> DetectorResult:
    """Lock-in warning from a per-year DataFrame (columns in the module docstring)."""
    return _lock_in(_frame(df, _LOCK_IN_READ), thresholds or DetectorThresholds())


def _lock_in(d: _Years, th: DetectorThresholds) -> DetectorResult:
    sig, fired, reasons = {}, [], []
    _relative_fall(d, "tech_heterogeneity", th, sig, fired, reasons, lambda t: (
        f"technological heterogeneity fell from {t['first']:.3g} to {t['last']:.3g} "
        f"({100 * t['relative_slope_per_year']:.1f} %/yr, {t['first_year']}-{t['last_year']})"))
    _relative_fall(d, "relatedness_flexibility", th, sig, fired, reasons, lambda t: (
        f"relatedness-density flexibility fell from {t['first']:.3g} to {t['last']:.3g} "
        f"({100 * t['relative_slope_per_year']:.1f} %/yr): fewer related diversification options"))
    tie = sig["external_tie_share"] = _tail(d, "external_tie_share", th.window)
    if tie and (tie["slope_per_year"] < -th.share_fall or tie["last"] < th.closed_network_share):
        fired.append("external_tie_share")
        reasons.append(
            f"closed network: share of ties leaving the region {tie['first']:.2f} -> {tie['last']:.2f}"
            + (f" (below {th.closed_network_share:.2f})" if tie["last"] < th.closed_network_share else " (falling)")
        )
    prod_col = "mean_technology" if "mean_technology" in d.columns else "productivity"
    prod = _tail(d, prod_col, th.window)
    if prod and prod_col == "productivity":
        # productivity in levels: judge its relative growth
        prod["growth_per_year"] = prod["relative_slope_per_year"]
    elif prod:
        prod["growth_per_year"] = prod["slope_per_year"]  # log productivity: slope = growth
    sig["productivity"] = prod
    if prod and prod["growth_per_year"] < th.productivity_stall:
        fired.append("productivity")
        reasons.append(
            f"productivity stalls: {prod_col} grows {100 * prod['growth_per_year']:.2f} %/yr "
            f"(threshold {100 * th.productivity_stall:.2f} %/yr)"
        )
    return _decide(sig, fired, reasons, th, "lock-in", _LOCK_IN_COLUMNS)


def race_to_the_bottom(df: pd.DataFrame, thresholds: DetectorThresholds | None = None) -> DetectorResult:
    """Race-to-the-bottom warning from a per-year DataFrame (columns in the module docstring)."""
    return _race_to_the_bottom(_frame(df, _RACE_COLUMNS), thresholds or DetectorThresholds())


def _race_to_the_bottom(d: _Years, th: DetectorThresholds) -> DetectorResult:
    sig, fired, reasons = {}, [], []
    low = sig["gvc_share_0"] = _tail(d, "gvc_share_0", th.window)
    if low and low["slope_per_year"] > th.share_rise:
        fired.append("gvc_share_0")
        reasons.append(
            f"share of firms in the lowest GVC stage rose from {low['first']:.2f} to {low['last']:.2f} "
            f"({100 * low['slope_per_year']:.1f} pp/yr)"
        )
    _relative_fall(d, "margin", th, sig, fired, reasons, lambda t: (
        f"margins fell from {t['first']:.3g} to {t['last']:.3g} ({100 * t['relative_slope_per_year']:.1f} %/yr)"))
    _relative_fall(d, "rd_intensity", th, sig, fired, reasons, lambda t: (
        f"R&D intensity fell from {t['first']:.3g} to {t['last']:.3g} ({100 * t['relative_slope_per_year']:.1f} %/yr)"))
    return _decide(sig, fired, reasons, th, "race to the bottom", _RACE_COLUMNS)


def expanding_warnings(df: pd.DataFrame, thresholds: DetectorThresholds | None = None,
                       min_years: int = 6) -> pd.DataFrame:
    """Both warnings for every year, each judged only on the years up to it.

    What a cluster manager monitoring continuously would have seen: the flags of year
    ``t`` are ``lock_in(df[year <= t]).flag`` and ``race_to_the_bottom(df[year <= t]).flag``
    (an expanding window); years before the ``min_years``-th are not judged (False).

    Parameters
    ----------
    df : per-year DataFrame (``year`` column or a year index), columns as in the
        module docstring.
    thresholds : DetectorThresholds, optional
    min_years : int
        Years of data needed before the first judgement (>= 1).

    Returns
    -------
    DataFrame indexed by year (ascending) with boolean columns ``lock_in`` and
    ``race_to_bottom``.

    Examples
    --------
    >>> years = pd.DataFrame({"year": range(2000, 2010), "margin": [0.2 * 0.9**k for k in range(10)],
    ...                       "rd_intensity": [0.03 * 0.9**k for k in range(10)]})
    >>> expanding_warnings(years)["race_to_bottom"].tolist()
    [False, False, False, False, False, True, True, True, True, True]
    """
    th = thresholds or DetectorThresholds()
    if min_years < 1:
        raise InputError(f"min_years: must be >= 1, got {min_years}")
    d = _frame(df, _LOCK_IN_READ + _RACE_COLUMNS)
    n = len(d.index)
    lock = np.zeros(n, dtype=bool)
    race = np.zeros(n, dtype=bool)
    for k in range(min_years, n + 1):  # loop over years (tens), each on NumPy views of the first k
        window = d.prefix(k)
        lock[k - 1] = _lock_in(window, th).flag
        race[k - 1] = _race_to_the_bottom(window, th).flag
    return pd.DataFrame({"lock_in": lock, "race_to_bottom": race}, index=pd.Index(d.index, name="year"))
