"""Growth, compound annual growth, shift-share decomposition, entries and exits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.indicators._validate import as_matrix, safe_divide


def growth(x, periods: int = 1):
    r"""Period-on-period growth rate along the first axis (time).

    .. math:: g_t = x_t / x_{t-p} - 1

    Parameters
    ----------
    x : 1-D or 2-D array-like, Series or DataFrame with time along axis 0
    periods : int >= 1

    Returns
    -------
    Same type and shape; the first ``periods`` rows are NaN (no base), and a zero base
    gives NaN explicitly (growth from nothing is undefined, not infinite).
    """
    if not isinstance(periods, int | np.integer) or periods < 1:
        raise InputError(f"periods: must be an integer >= 1, got {periods!r}")
    if isinstance(x, pd.Series | pd.DataFrame):
        vals = x.to_numpy(dtype=float)
        out = _growth_arr(vals, periods)
        return type(x)(out, index=x.index, **({"columns": x.columns} if isinstance(x, pd.DataFrame) else {"name": x.name}))
    arr = np.asarray(x, dtype=float)
    if arr.ndim not in (1, 2):
        raise InputError(f"x: expected 1-D or 2-D data, got {arr.ndim} dimensions")
    return _growth_arr(arr, periods)


def _growth_arr(arr: np.ndarray, periods: int) -> np.ndarray:
    if not np.all(np.isfinite(arr) | np.isnan(arr)):
        raise InputError("x: values must be finite")
    out = np.full(arr.shape, np.nan)
    if arr.shape[0] > periods:
        base, cur = arr[:-periods], arr[periods:]
        g = np.full(base.shape, np.nan)
        np.divide(cur, base, out=g, where=base != 0)
        out[periods:] = g - 1.0
    return out


def cagr(start, end, years):
    r"""Compound annual growth rate.

    .. math:: CAGR = (x_{end} / x_{start})^{1/years} - 1

    Scalars or broadcastable arrays. ``start`` must be > 0, ``end`` >= 0 and ``years``
    > 0; otherwise :class:`InputError`.
    """
    s, e, y = (np.asarray(v, dtype=float) for v in (start, end, years))
    if np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise InputError(f"start: must be > 0 (growth from zero is undefined), got {start!r}")
    if np.any(~np.isfinite(e)) or np.any(e < 0):
        raise InputError(f"end: must be >= 0, got {end!r}")
    if np.any(~np.isfinite(y)) or np.any(y <= 0):
        raise InputError(f"years: must be > 0, got {years!r}")
    out = (e / s) ** (1.0 / y) - 1.0
    return float(out) if np.ndim(out) == 0 else out


def shift_share(base, final):
    r"""Classic shift-share decomposition of employment change (Dunn 1960).

    For region ``r`` and industry ``j`` with base ``x0`` and final ``x1``,
    national growth ``G = x1_.. / x0_.. - 1`` and industry growth
    ``G_j = x1_.j / x0_.j - 1``:

    .. math::
        \Delta x_{rj} = \underbrace{x0_{rj} G}_{national}
        + \underbrace{x0_{rj} (G_j - G)}_{industry\ mix}
        + \underbrace{x0_{rj} (g_{rj} - G_j)}_{competitive}

    with ``g_rj = x1_rj / x0_rj - 1``. Summing the three gives the actual change
    exactly; a cell with ``x0_rj = 0`` has the whole change in the competitive
    component (no base to grow from). An industry absent in the base year has
    ``G_j = G`` by convention.

    Parameters
    ----------
    base, final : array-like or DataFrame, shape (regions, industries)

    Returns
    -------
    DataFrame indexed by region with columns ``national``, ``industry_mix``,
    ``competitive``, ``total`` (``total`` = actual change).

    Notes
    -----
    Source: Dunn, E. S. (1960) "A statistical and analytical technique for regional
    analysis", *Papers of the Regional Science Association* 6: 97-112.
    """
    a0, rows, _ = as_matrix(base, "base")
    a1, _, _ = as_matrix(final, "final")
    if a0.shape != a1.shape:
        raise InputError(f"final: shape {a1.shape} differs from base shape {a0.shape}")
    if a0.sum() == 0:
        raise InputError("base: total is 0; national growth is undefined")
    G = a1.sum() / a0.sum() - 1.0
    c0, c1 = a0.sum(axis=0), a1.sum(axis=0)
    Gj = np.where(c0 > 0, safe_divide(c1, c0) - 1.0, G)
    national = a0 * G
    mix = a0 * (Gj - G)[None, :]
    total = a1 - a0
    competitive = total - national - mix
    out = pd.DataFrame(
        {
            "national": national.sum(axis=1),
            "industry_mix": mix.sum(axis=1),
            "competitive": competitive.sum(axis=1),
            "total": total.sum(axis=1),
        }
    )
    if rows is not None:
        out.index = rows
    return out


def entries_exits(panel: pd.DataFrame, by=("region", "industry")) -> pd.DataFrame:
    r"""Entries, exits and their rates from a firm panel.

    A firm *enters* in the first year it appears and *exits* in the last year it
    appears (or in a year with ``exited == 1`` when that column is present). The
    first panel year has no observable entries and the last panel year no
    observable exits (left / right censoring): those counts are NaN, not 0.

    .. math:: entry\ rate_t = entries_t / firms_{t-1}, \qquad exit\ rate_t = exits_t / firms_t

    Parameters
    ----------
    panel : DataFrame with ``firm``, ``year`` and the ``by`` columns (a firm is counted
        in the group of the row in which it enters / exits).
    by : grouping columns besides ``year`` (may be empty).

    Returns
    -------
    DataFrame with ``by`` columns, ``year``, ``firms``, ``entries``, ``exits``,
    ``entry_rate``, ``exit_rate``.
    """
    by = list(by)
    need = ["firm", "year", *by]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise InputError(f"panel: missing column {missing[0]!r}; entries_exits needs {', '.join(need)}")
    df = panel[need + (["exited"] if "exited" in panel.columns else [])].copy()
    year = df["year"].to_numpy()
    first_year, last_year = year.min(), year.max()
    fy = df.groupby("firm", sort=False)["year"].transform("min").to_numpy()
    ly = df.groupby("firm", sort=False)["year"].transform("max").to_numpy()
    df["_entry"] = (year == fy).astype(float)
    ex = year == ly
    if "exited" in df.columns:
        ex = ex & (year < last_year) | (pd.to_numeric(df["exited"], errors="coerce").fillna(0).to_numpy() == 1)
    else:
        ex = ex & (year < last_year)
    df["_exit"] = ex.astype(float)
    keys = [*by, "year"]
    g = df.groupby(keys, sort=True, observed=True)
    out = pd.DataFrame({"firms": g.size(), "entries": g["_entry"].sum(), "exits": g["_exit"].sum()}).reset_index()
    out.loc[out["year"] == first_year, "entries"] = np.nan
    if "exited" not in df.columns:
        out.loc[out["year"] == last_year, "exits"] = np.nan
    lag = out[keys + ["firms"]].copy()
    lag["year"] = lag["year"] + 1
    out = out.merge(lag.rename(columns={"firms": "_firms_prev"}), on=keys, how="left")
    out["entry_rate"] = out["entries"] / out["_firms_prev"].where(out["_firms_prev"] > 0)
    out["exit_rate"] = out["exits"] / out["firms"].where(out["firms"] > 0)
    return out.drop(columns="_firms_prev")
