"""Regional specialisation: location quotient, Krugman index, specialisation
coefficient, Hachman index.

Conventions (rows = regions ``r``, columns = industries ``j``, ``x_rj`` >= 0 counts
such as employment, establishments or patents):

* ``x_r. = sum_j x_rj`` (region total), ``x_.j = sum_r x_rj`` (industry total),
  ``x_.. = sum_rj x_rj``. The reference economy is the sum of *all* rows, the region
  itself included (as in EconGeo; REAT's ``krugman.spec`` compares with a reference
  vector you pass).
* A region with no activity at all (zero row) has no structure: its location
  quotients are 0 and its Krugman index, specialisation coefficient and Hachman index
  are 0 / 0 / 1 by convention instead of NaN. Likewise an industry absent everywhere has
  LQ 0.
"""

from __future__ import annotations

import numpy as np

from innocluster.indicators._validate import (
    as_matrix,
    safe_divide,
    wrap_matrix,
    wrap_rows,
)


def _shares(a: np.ndarray):
    row = a.sum(axis=1, keepdims=True)
    col = a.sum(axis=0, keepdims=True)
    tot = a.sum()
    return row, col, tot


def location_quotient(x, binary: bool = False):
    r"""Location quotient (Hoover-Balassa index, revealed comparative advantage).

    .. math:: LQ_{rj} = \frac{x_{rj} / x_{r\cdot}}{x_{\cdot j} / x_{\cdot\cdot}}

    Parameters
    ----------
    x : array-like or DataFrame, shape (regions, industries)
        Non-negative counts.
    binary : bool
        If True return 1 where ``LQ >= 1`` and 0 elsewhere (the RCA incidence matrix
        of Hidalgo et al. 2007; EconGeo's ``location_quotient(mat, binary = TRUE)``).

    Returns
    -------
    ndarray or DataFrame
        Same shape and labels as ``x``. Zero rows or zero columns give 0 (not NaN).

    Notes
    -----
    Source: Hoover (1936); Balassa (1965) "Trade liberalisation and revealed
    comparative advantage", *The Manchester School* 33: 99-123. Equals REAT
    ``locq(e_ij, e_j, e_i, e)`` with REAT's ``i`` = industry and ``j`` = region.
    Weighted by region shares of each industry's reference, ``sum_r (x_r./x..) LQ_rj =
    1`` for every industry present.
    """
    a, rows, cols = as_matrix(x)
    row, col, tot = _shares(a)
    # shares first: a * tot / (row * col) under/overflows for extreme magnitudes
    lq = safe_divide(safe_divide(a, row), safe_divide(col, tot))
    if binary:
        lq = (lq >= 1.0).astype(np.float64)
    return wrap_matrix(lq, rows, cols)


def krugman_index(x):
    r"""Krugman specialisation index of each region.

    .. math:: K_r = \sum_j \left| \frac{x_{rj}}{x_{r\cdot}} - \frac{x_{\cdot j}}{x_{\cdot\cdot}} \right|

    Ranges from 0 (same industry mix as the reference economy) to 2.

    Returns
    -------
    ndarray or Series, shape (regions,)

    Notes
    -----
    Source: Krugman (1991) *Geography and Trade*, MIT Press. Same convention as
    EconGeo ``krugman_index`` (reference = all regions). Some texts (e.g. REAT
    ``krugman.spec``) compare with a separately supplied reference region.
    """
    a, rows, _ = as_matrix(x)
    row, col, tot = _shares(a)
    s_r = safe_divide(a, row)
    s_ref = safe_divide(col, tot)
    k = np.abs(s_r - s_ref).sum(axis=1)
    k[row[:, 0] == 0] = 0.0
    return wrap_rows(k, rows, "krugman_index")


def specialisation_coefficient(x):
    r"""Hoover's coefficient of specialisation, half the Krugman index.

    .. math:: CS_r = \tfrac12 \sum_j \left| \frac{x_{rj}}{x_{r\cdot}} - \frac{x_{\cdot j}}{x_{\cdot\cdot}} \right|

    Ranges over [0, 1): the share of regional activity that would have to change
    industry for the region to mirror the reference economy.

    Notes
    -----
    Source: Hoover (1936); Isard (1960) *Methods of Regional Analysis*. Some
    packages report the Krugman index itself under this name; here it is halved.
    """
    k = krugman_index(x)
    return k / 2.0


def hachman(x):
    r"""Hachman index of economic diversity (similarity to the reference economy).

    .. math:: HI_r = \frac{1}{\sum_j LQ_{rj}\, s_{rj}}, \qquad s_{rj} = x_{rj}/x_{r\cdot}

    equivalently ``1 / sum_j s_rj^2 / s_.j``. 1 when the region has the reference
    mix, towards 0 when it is specialised in industries that are small nationally.

    Notes
    -----
    Source: Hachman (1995); Wagner (2000) "Regional economic diversity: action,
    concept, or state of confusion", *J. Regional Analysis and Policy* 30(2). REAT
    ``hachman`` returns the same quantity in [0, 1]; some sources multiply by 100.
    A zero row gets 1 by convention (no structure to differ).
    """
    a, rows, _ = as_matrix(x)
    row, col, tot = _shares(a)
    s_r = safe_divide(a, row)
    s_ref = safe_divide(col, tot)
    denom = safe_divide(s_r**2, np.broadcast_to(s_ref, s_r.shape)).sum(axis=1)
    hi = safe_divide(np.ones_like(denom), denom, fill=1.0)
    return wrap_rows(hi, rows, "hachman")
