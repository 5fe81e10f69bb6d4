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

from innocluster.errors import InputError
from innocluster.indicators._validate import (
    as_matrix,
    as_vector,
    safe_divide,
    wrap_matrix,
    wrap_rows,
)


def _shares(a: np.ndarray):
    row = a.sum(axis=1, keepdims=True)
    col = a.sum(axis=0, keepdims=True)
    tot = a.sum()
    return row, col, tot


def location_quotient(x, binary: bool = False, reference=None, reference_total=None, region_totals=None):
    r"""Location quotient (Hoover-Balassa index, revealed comparative advantage).

    .. math:: LQ_{rj} = \frac{x_{rj} / x_{r\cdot}}{x_{\cdot j} / x_{\cdot\cdot}}

    By default the reference economy is the sum of all rows (EconGeo's
    ``location_quotient``). With ``reference`` the reference economy is external, as in
    REAT's ``locq(e_ij, e_j, e_i, e)``: typically a nation of which the rows are some
    regions,

    .. math:: LQ_{rj} = \frac{x_{rj} / T_r}{R_j / R}

    with ``R_j`` = ``reference`` (the reference economy's activity in industry ``j``),
    ``R`` = ``reference_total`` (default ``sum_j R_j``; give the national total when
    ``x`` covers only some industries) and ``T_r`` = ``region_totals`` (default the
    row sums ``x_r.``; give each region's total over all industries in the same case).

    Parameters
    ----------
    x : array-like or DataFrame, shape (regions, industries)
        Non-negative counts.
    binary : bool
        If True return 1 where ``LQ >= 1`` and 0 elsewhere (the RCA incidence matrix
        of Hidalgo et al. 2007; EconGeo's ``location_quotient(mat, binary = TRUE)``).
    reference : array-like, shape (industries,), optional
        Industry totals of an external reference economy (REAT's ``e_i``).
    reference_total : float, optional
        Total of the reference economy (REAT's ``e``); needs ``reference``.
    region_totals : array-like, shape (regions,), optional
        Each region's total activity (REAT's ``e_j``); needs ``reference``.

    Returns
    -------
    ndarray or DataFrame
        Same shape and labels as ``x``. Zero rows or zero columns give 0 (not NaN).

    Raises
    ------
    InputError
        A cell larger than its reference industry total, a reference industry total
        larger than the reference total, or a cell larger than its region's total
        (REAT's ``locq`` returns NA in these cases).

    Notes
    -----
    Source: Hoover (1936); Balassa (1965) "Trade liberalisation and revealed
    comparative advantage", *The Manchester School* 33: 99-123. Without ``reference``
    it equals REAT ``locq(e_ij, e_j, e_i, e)`` with REAT's ``i`` = industry and ``j`` =
    region and the reference = the sum of the rows; with ``reference``,
    ``reference_total`` and ``region_totals`` it is REAT's ``locq`` with external
    ``e_i``, ``e`` and ``e_j``. Weighted by region shares of each industry's
    reference, ``sum_r (x_r./x..) LQ_rj = 1`` for every industry present (internal
    reference only).
    """
    a, rows, cols = as_matrix(x)
    if reference is None:
        if reference_total is not None or region_totals is not None:
            raise InputError("reference_total / region_totals: give them together with reference (industry totals)")
        row, col, tot = _shares(a)
    else:
        ref = as_vector(reference, "reference")
        if ref.size != a.shape[1]:
            raise InputError(f"reference: {ref.size} values for {a.shape[1]} industries; give one total per industry")
        rtot = float(ref.sum()) if reference_total is None else float(as_vector(reference_total, "reference_total")[0])
        if rtot <= 0:
            raise InputError(f"reference_total: {rtot:g}; the reference economy needs a positive total")
        if (ref > rtot * (1 + 1e-12)).any():
            j = int(np.argmax(ref > rtot * (1 + 1e-12)))
            raise InputError(f"reference: industry {_label(cols, j)} total {ref[j]:g} exceeds reference_total {rtot:g}")
        over = a > ref[None, :] * (1 + 1e-12)
        if over.any():
            r, j = np.argwhere(over)[0]
            raise InputError(f"x: row {_label(rows, r)}, column {_label(cols, j)}: value {a[r, j]:g} exceeds the "
                             f"reference total {ref[j]:g} of that industry")
        if region_totals is None:
            row = a.sum(axis=1, keepdims=True)
        else:
            rt = as_vector(region_totals, "region_totals")
            if rt.size != a.shape[0]:
                raise InputError(f"region_totals: {rt.size} values for {a.shape[0]} regions")
            if (a.sum(axis=1) > rt * (1 + 1e-12)).any():
                r = int(np.argmax(a.sum(axis=1) > rt * (1 + 1e-12)))
                raise InputError(f"region_totals: region {_label(rows, r)} total {rt[r]:g} is below the sum of its cells")
            row = rt[:, None]
        col, tot = ref[None, :], rtot
    # shares first: a * tot / (row * col) under/overflows for extreme magnitudes
    lq = safe_divide(safe_divide(a, row), safe_divide(col, tot))
    if binary:
        lq = (lq >= 1.0).astype(np.float64)
    return wrap_matrix(lq, rows, cols)


def _label(index, i: int) -> str:
    return repr(index[i]) if index is not None else str(int(i))


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
