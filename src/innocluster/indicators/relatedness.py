"""Relatedness between industries and relatedness density of regions.

Conventions follow EconGeo (Balland 2017) where it is explicit; differences are
stated per method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.indicators._validate import as_matrix, safe_divide, wrap_matrix
from innocluster.indicators.specialisation import location_quotient

METHODS = ("prob", "association", "cosine", "jaccard")


def co_occurrence(x):
    r"""Industry x industry co-occurrence ``C = M^T M`` of a binary region x industry
    incidence matrix ``M`` (``x`` is binarised with ``LQ >= 1`` unless it is 0/1).

    ``C_jk`` = number of regions specialised in both ``j`` and ``k``; the diagonal
    holds the ubiquity of each industry (EconGeo ``co_occurrence`` with diagonal).
    """
    m, _, cols = _binary(x)
    c = m.T @ m
    return wrap_matrix(c, cols, cols) if cols is not None else c


def _binary(x):
    a, rows, cols = as_matrix(x)
    if not np.isin(a, (0.0, 1.0)).all():
        a = np.asarray(location_quotient(a, binary=True))
    return a, rows, cols


def relatedness(cooccurrence, method: str = "prob", convention: str = "innocluster"):
    r"""Relatedness ``phi_jk`` between industries from a co-occurrence matrix.

    ``C`` is symmetric with non-negative entries, diagonal ``C_jj`` = occurrences
    (ubiquity) of ``j`` (as :func:`co_occurrence` returns it). The result has a zero
    diagonal; zero denominators give 0.

    ``convention="innocluster"`` (default):

    * ``prob`` — **Hidalgo et al.'s (2007) proximity** of the product space, the
      minimum of the two conditional probabilities of being specialised in one given
      the other: ``phi_jk = C_jk / max(C_jj, C_kk)``. This is *not* EconGeo's
      ``"prob"`` (below).
    * ``association`` — observed over expected co-occurrence (van Eck & Waltman's 2009
      association strength up to a constant): with the off-diagonal matrix ``C0``,
      ``S_j = sum_k C0_jk`` and ``T = sum_j S_j``, ``phi_jk = C0_jk T / (S_j S_k)``;
      1 = as often as expected by chance. Identical to EconGeo's ``"association"``.
    * ``cosine`` — Salton's cosine of the incidence columns, normalised by the
      occurrences: ``phi_jk = C_jk / sqrt(C_jj C_kk)``.
    * ``jaccard`` — the Jaccard index of the sets of regions specialised in ``j`` and
      in ``k``: ``phi_jk = C_jk / (C_jj + C_kk - C_jk)``.

    ``convention="econgeo"`` reproduces EconGeo's ``relatedness(mat, method)``, which
    normalises by the **co-occurrence totals** ``S_j`` (off-diagonal row sums) instead
    of the occurrences, so ``cosine`` and ``jaccard`` differ from the defaults above:

    * ``prob`` — Steijn's (2017) probability index:
      ``phi_jk = C0_jk / ((S_j/T) (S_k/(T - S_j)) + (S_k/T) (S_j/(T - S_k))) / (T/2)``;
    * ``association`` — as above;
    * ``cosine`` — ``C0_jk / sqrt(S_j S_k)``;
    * ``jaccard`` — ``C0_jk / (S_j + S_k - C0_jk)``.

    Parameters
    ----------
    cooccurrence : square array-like or DataFrame
    method : {"prob", "association", "cosine", "jaccard"}
    convention : {"innocluster", "econgeo"}

    Notes
    -----
    Sources: Hidalgo, Klinger, Barabasi & Hausmann (2007) *Science* 317: 482-487;
    van Eck & Waltman (2009) *JASIST* 60(8); Steijn (2017) working paper, Utrecht
    University; Balland (2017) EconGeo (``relatedness``).
    """
    if method not in METHODS:
        raise InputError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    if convention not in ("innocluster", "econgeo"):
        raise InputError(f"convention: {convention!r} is not one of innocluster, econgeo")
    c, rows, cols = as_matrix(cooccurrence, "cooccurrence")
    if c.shape[0] != c.shape[1]:
        raise InputError(f"cooccurrence: must be square, got shape {c.shape}")
    if not np.allclose(c, c.T):
        raise InputError("cooccurrence: must be symmetric")
    c0 = c.copy()
    np.fill_diagonal(c0, 0.0)
    s = c0.sum(axis=1)
    t = s.sum()
    if method == "association":
        phi = safe_divide(c0 * t, s[:, None] * s[None, :])
    elif convention == "econgeo":
        if method == "prob":
            si, sj = s[:, None], s[None, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                den = ((sj / t) * (si / (t - sj)) + (si / t) * (sj / (t - si))) * (t / 2.0)
            phi = np.where(np.isfinite(den) & (den != 0), c0 / np.where(den != 0, den, 1.0), 0.0)
        elif method == "cosine":
            phi = safe_divide(c0, np.sqrt(s[:, None] * s[None, :]))
        else:
            phi = safe_divide(c0, s[:, None] + s[None, :] - c0)
    else:
        d = np.diag(c).copy()
        if method == "prob":
            phi = safe_divide(c, np.maximum(d[:, None], d[None, :]))
        elif method == "cosine":
            phi = safe_divide(c, np.sqrt(d[:, None] * d[None, :]))
        else:
            phi = safe_divide(c, d[:, None] + d[None, :] - c)
    phi = np.where(np.isfinite(phi), phi, 0.0)
    np.fill_diagonal(phi, 0.0)
    return wrap_matrix(phi, rows, cols)


def relatedness_density(x, phi):
    r"""Relatedness density of every region around every industry, in percent.

    .. math:: RD_{rj} = 100\, \frac{\sum_{k \ne j} M_{rk}\, \phi_{kj}}{\sum_{k \ne j} \phi_{kj}}

    ``M`` is the binary specialisation matrix (``x`` is binarised with ``LQ >= 1``
    unless already 0/1). 0 when industry ``j`` is related to nothing.

    Notes
    -----
    Source: Hidalgo et al. (2007) "density"; Boschma, Balland & Kogler (2015).
    Percent scale as in EconGeo ``relatedness_density``; divide by 100 for the [0, 1]
    "density" of Hidalgo et al.
    """
    m, rows, cols = _binary(x)
    p, _, _ = as_matrix(phi, "phi")
    if p.shape != (m.shape[1], m.shape[1]):
        raise InputError(f"phi: expected shape {(m.shape[1], m.shape[1])} for {m.shape[1]} industries, got {p.shape}")
    p = p.copy()
    np.fill_diagonal(p, 0.0)
    num = m @ p
    den = p.sum(axis=0)
    return wrap_matrix(100.0 * safe_divide(num, den[None, :]), rows, cols)


def relatedness_flexibility(x, phi) -> np.ndarray:
    """Mean relatedness density (percent) of each region over the industries in which it
    is *not* yet specialised: how many nearby diversification options it has. A region
    specialised in everything gets 0. Used by the lock-in detector."""
    m, rows, _ = _binary(x)
    rd = np.asarray(relatedness_density(m, phi))
    out_mask = m == 0
    out = safe_divide((rd * out_mask).sum(axis=1), out_mask.sum(axis=1))
    return pd.Series(out, index=rows, name="relatedness_flexibility") if rows is not None else out
