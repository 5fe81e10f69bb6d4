"""Concentration and diversity: Herfindahl, Shannon entropy with related /
unrelated variety, Gini (plain, locational, Hoover-Gini), Hoover index.

Unless said otherwise rows are regions and columns industries; a statistic "per
region" is computed across the columns of a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.indicators._validate import (
    as_matrix,
    as_vector,
    safe_divide,
    wrap_rows,
)


def herfindahl(x):
    r"""Herfindahl-Hirschman index of each region's industry mix (raw).

    .. math:: HHI_r = \sum_j s_{rj}^2, \qquad s_{rj} = x_{rj} / x_{r\cdot}

    In ``[1/n, 1]`` for ``n`` industries. A zero row gets 0 by convention.

    Notes
    -----
    Source: Herfindahl (1950), Hirschman (1945). Same as EconGeo ``herfindahl``.
    See :func:`herfindahl_normalised` and :func:`herfindahl_equivalent_number`.
    """
    a, rows, _ = as_matrix(x)
    row = a.sum(axis=1, keepdims=True)
    s = safe_divide(a, row)
    return wrap_rows((s**2).sum(axis=1), rows, "herfindahl")


def herfindahl_normalised(x):
    r"""Normalised HHI, ``(HHI - 1/n) / (1 - 1/n)`` in [0, 1]; ``n`` = number of columns.

    A zero row gets 0. With a single column the normalised index is 1 by convention.
    """
    a, rows, _ = as_matrix(x)
    n = a.shape[1]
    h = np.asarray(herfindahl(a))
    if n == 1:
        out = np.where(a[:, 0] > 0, 1.0, 0.0)
    else:
        out = np.where(a.sum(axis=1) > 0, (h - 1.0 / n) / (1.0 - 1.0 / n), 0.0)
    return wrap_rows(out, rows, "herfindahl_normalised")


def herfindahl_equivalent_number(x):
    r"""Equivalent number of equal-sized industries, ``1 / HHI`` (0 for a zero row)."""
    a, rows, _ = as_matrix(x)
    h = np.asarray(herfindahl(a))
    return wrap_rows(safe_divide(np.ones_like(h), h), rows, "herfindahl_equivalent_number")


def _entropy_rows(s: np.ndarray) -> np.ndarray:
    logs = np.zeros_like(s)
    np.log2(s, out=logs, where=s > 0)
    return -(s * logs).sum(axis=1) + 0.0  # + 0.0 turns -0.0 into 0.0


def entropy(x):
    r"""Shannon entropy (base 2) of each region's industry mix.

    .. math:: E_r = -\sum_j s_{rj} \log_2 s_{rj}, \qquad 0 \log 0 = 0

    In ``[0, log2 n]``. A zero row gets 0.

    Notes
    -----
    Source: Shannon (1948); Frenken, Van Oort & Verburg (2007) "Related variety,
    unrelated variety and regional economic growth", *Regional Studies* 41(5),
    use base 2 as here (EconGeo ``entropy`` uses base 2 as well).
    """
    a, rows, _ = as_matrix(x)
    s = safe_divide(a, a.sum(axis=1, keepdims=True))
    return wrap_rows(_entropy_rows(s), rows, "entropy")


def related_unrelated_variety(x, groups):
    r"""Related and unrelated variety (Frenken, Van Oort & Verburg 2007).

    Industries ``j`` (columns) are nested in sectors ``g`` (e.g. 4-digit codes in
    2-digit codes). With ``P_g = sum_{j in g} s_rj``:

    .. math::
        UV_r = -\sum_g P_g \log_2 P_g, \qquad
        RV_r = \sum_g P_g H_g, \quad H_g = -\sum_{j \in g} \frac{s_{rj}}{P_g} \log_2 \frac{s_{rj}}{P_g}

    and ``UV_r + RV_r = E_r`` (the entropy decomposition theorem, Theil 1972).

    Parameters
    ----------
    x : array-like or DataFrame, shape (regions, industries)
    groups : sequence of length n_industries, or mapping column label -> group
        The sector of each industry.

    Returns
    -------
    DataFrame with columns ``related_variety``, ``unrelated_variety``, ``entropy``.
    """
    a, rows, cols = as_matrix(x)
    if isinstance(groups, Mapping):
        if cols is None:
            raise InputError("groups: a mapping needs a DataFrame with column labels")
        missing = [c for c in cols if c not in groups]
        if missing:
            raise InputError(f"groups: industry {missing[0]!r} has no group; every column needs one")
        g = [groups[c] for c in cols]
    else:
        g = list(groups) if isinstance(groups, Sequence | np.ndarray | pd.Series | pd.Index) else None
        if g is None or len(g) != a.shape[1]:
            raise InputError(
                f"groups: expected one group per industry ({a.shape[1]}), got "
                f"{'an object of type ' + type(groups).__name__ if g is None else len(g)}"
            )
    codes, _ = pd.factorize(pd.Series(g))
    n_g = codes.max() + 1
    s = safe_divide(a, a.sum(axis=1, keepdims=True))
    # group shares P (regions x groups) via one matrix product with an indicator
    ind = np.zeros((a.shape[1], n_g))
    ind[np.arange(a.shape[1]), codes] = 1.0
    p = s @ ind
    uv = _entropy_rows(p)
    total = _entropy_rows(s)
    rv = total - uv  # decomposition theorem; exact in exact arithmetic
    rv = np.maximum(rv, 0.0)
    out = pd.DataFrame({"related_variety": rv, "unrelated_variety": uv, "entropy": total})
    if rows is not None:
        out.index = rows
    return out


def gini(v):
    r"""Gini coefficient of a non-negative vector (not normalised).

    .. math:: G = \frac{\sum_i \sum_k |v_i - v_k|}{2 n^2 \bar v}
              = \frac{2 \sum_i i\, v_{(i)}}{n \sum_i v_i} - \frac{n+1}{n}

    with ``v_(i)`` sorted ascending. ``G`` lies in ``[0, (n-1)/n]``; multiply by
    ``n/(n-1)`` for the normalised version (REAT ``gini(coefnorm = TRUE)``). An all-zero
    vector gives 0.

    Notes
    -----
    Source: Gini (1912); same as REAT ``gini(x)`` with ``coefnorm = FALSE`` and
    EconGeo ``gini``.
    """
    a = as_vector(v, "v")
    tot = a.sum()
    if tot == 0:
        return 0.0
    n = a.size
    s = np.sort(a)
    i = np.arange(1, n + 1)
    g = 2.0 * (i * s).sum() / (n * tot) - (n + 1.0) / n
    return float(min(max(g, 0.0), (n - 1.0) / n))  # clip float rounding (e.g. -2e-16)


def lorenz_curve(v, weights=None):
    """Points of the Lorenz curve (or of the concentration curve against ``weights``).

    Units are sorted by ``v / weights`` ascending (by ``v`` when no weights); returns
    ``(cum_weight_share, cum_v_share)`` both starting at 0 and ending at 1.
    """
    a = as_vector(v, "v")
    w = np.ones_like(a) if weights is None else as_vector(weights, "weights")
    if w.size != a.size:
        raise InputError(f"weights: length {w.size} differs from v length {a.size}")
    if a.sum() == 0 or w.sum() == 0:
        grid = np.linspace(0, 1, a.size + 1)
        return grid, grid.copy()
    ratio = safe_divide(a, w, fill=np.inf)
    order = np.lexsort((a, ratio))
    cx = np.concatenate([[0.0], np.cumsum(w[order]) / w.sum()])
    cy = np.concatenate([[0.0], np.cumsum(a[order]) / a.sum()])
    return cx, cy


def _concentration_gini(ind: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Gini of each column of ``ind`` (regions x k) against the reference ``pop``."""
    col_tot = ind.sum(axis=0)
    ptot = pop.sum()
    out = np.zeros(ind.shape[1])
    if ptot == 0:
        return out
    pw = pop / ptot
    # regions with zero reference but positive activity go last (ratio = inf)
    ratio = safe_divide(ind, pop[:, None], fill=np.inf)
    ratio = np.where((pop[:, None] == 0) & (ind == 0), 0.0, ratio)
    order = np.argsort(ratio, axis=0, kind="stable")
    sy = np.take_along_axis(safe_divide(ind, col_tot[None, :]), order, axis=0)
    sx = pw[order]
    cy = np.cumsum(sy, axis=0)
    prev = np.vstack([np.zeros((1, ind.shape[1])), cy[:-1]])
    area = (sx * (cy + prev) / 2.0).sum(axis=0)
    out = 1.0 - 2.0 * area
    out[col_tot == 0] = 0.0
    return out


def hoover_gini(ind, pop):
    r"""Hoover-Gini: the Gini of the concentration curve of ``ind`` against ``pop``.

    Regions are sorted by ``ind_r / pop_r`` ascending; the curve plots cumulative
    shares of ``ind`` against cumulative shares of ``pop``.

    .. math:: HG = 1 - \sum_r \frac{pop_r}{pop} \left(C_r + C_{r-1}\right)

    ``C_r`` = cumulative share of ``ind``. 0 when ``ind`` is proportional to ``pop``,
    towards 1 when it is all in a region with a negligible share of ``pop``.

    Parameters
    ----------
    ind : 1-D (regions,) or 2-D (regions, industries)
    pop : 1-D (regions,)

    Returns
    -------
    float, or array / Series per industry for 2-D ``ind``.

    Notes
    -----
    Source: Hoover (1936) "The measurement of industrial localization", *Review of
    Economics and Statistics* 18(4); EconGeo ``Hoover.Gini``. EconGeo orders by the
    ratio as well; results can differ slightly from trapezoid-free approximations.
    """
    p = as_vector(pop, "pop")
    if np.ndim(ind) == 1:
        a = as_vector(ind, "ind")
        if a.size != p.size:
            raise InputError(f"ind has {a.size} regions but pop has {p.size}")
        return float(_concentration_gini(a[:, None], p)[0])
    a, _, cols = as_matrix(ind, "ind")
    if a.shape[0] != p.size:
        raise InputError(f"ind has {a.shape[0]} regions but pop has {p.size}")
    out = _concentration_gini(a, p)
    return pd.Series(out, index=cols, name="hoover_gini") if cols is not None else out


def locational_gini(x, method: str = "concentration"):
    r"""Locational Gini of each industry (Krugman 1991).

    ``method="concentration"`` (default): the Hoover-Gini of the industry's regional
    distribution against total activity of all industries,

    .. math:: LG_j = HG(x_{\cdot j}, x_{r\cdot})

    0 when the industry is spread like total employment, towards 1 when it sits in
    regions with little total employment (regions weighted by their size).

    ``method="reat"``: REAT's ``gini.conc(e_ij, e_j)``, the plain Gini coefficient of
    the industry's location quotients over the regions, each region counted once
    (not weighted by size):

    .. math:: G_j = \frac{2}{n^2 \bar C} \sum_{\lambda=1}^{n} \lambda\,(C_{(\lambda)} - \bar C),
              \qquad C_r = LQ_{rj}

    with the ``C`` sorted ascending and ``n`` the number of regions. Regions with no
    activity at all have no location quotient (REAT's ``locq`` divides by zero and
    returns NA); here they are left out of ``n``.

    Parameters
    ----------
    x : array-like or DataFrame, shape (regions, industries)
    method : {"concentration", "reat"}

    Returns
    -------
    ndarray or Series (per industry). An industry absent everywhere gives 0.

    Notes
    -----
    Source: Krugman (1991) *Geography and Trade*, appendix D; Amiti (1999); REAT
    (Wieland 2019) ``gini.conc``. Convention: EconGeo ``locational_gini`` uses a
    different normalisation whose documented theoretical maximum is 0.5; the default
    here is on the [0, 1) scale of the Gini coefficient.
    """
    if method not in ("concentration", "reat"):
        raise InputError(f"method: {method!r} is not one of concentration, reat")
    a, _, cols = as_matrix(x)
    if method == "concentration":
        out = _concentration_gini(a, a.sum(axis=1))
    else:
        from innocluster.indicators.specialisation import location_quotient

        keep = a.sum(axis=1) > 0
        lq = np.asarray(location_quotient(a[keep])) if keep.any() else np.zeros((0, a.shape[1]))
        out = np.array([gini(lq[:, j]) if lq.shape[0] else 0.0 for j in range(a.shape[1])])
    return pd.Series(out, index=cols, name="locational_gini") if cols is not None else out


def hoover_index(ind, pop):
    r"""Hoover index of spatial inequality, in percent.

    .. math:: H = 50 \sum_r \left| \frac{ind_r}{ind} - \frac{pop_r}{pop} \right|

    0 (``ind`` distributed like ``pop``) to 100: the share of ``ind`` to move between
    regions to mirror ``pop``.

    Parameters
    ----------
    ind : 1-D (regions,) or 2-D (regions, industries)
    pop : 1-D (regions,), or None for an equal reference (1/n each region)

    Notes
    -----
    Source: Hoover (1936); EconGeo ``hoover_index`` (percent, as here). REAT
    ``hoover`` returns the same quantity as a fraction in [0, 1].
    """
    if np.ndim(ind) == 1:
        a = as_vector(ind, "ind")[:, None]
        cols = None
        one = True
    else:
        a, _, cols = as_matrix(ind, "ind")
        one = False
    p = np.ones(a.shape[0]) if pop is None else as_vector(pop, "pop")
    if p.size != a.shape[0]:
        raise InputError(f"ind has {a.shape[0]} regions but pop has {p.size}")
    ps = safe_divide(p, np.full_like(p, p.sum()))
    s = safe_divide(a, a.sum(axis=0, keepdims=True))
    h = 50.0 * np.abs(s - ps[:, None]).sum(axis=0)
    h[a.sum(axis=0) == 0] = 0.0
    if one:
        return float(h[0])
    return pd.Series(h, index=cols, name="hoover_index") if cols is not None else h
