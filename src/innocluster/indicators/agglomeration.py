"""Agglomeration indices built from firm-level data: Ellison-Glaeser (1997),
Maurel-Sedillot (1999); and the Litzenberger-Sternberg (2006) cluster index.

Everything is vectorised with :func:`numpy.bincount`: there is no Python loop over
firms, regions or industries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.indicators._validate import as_vector, safe_divide


@dataclass(frozen=True)
class AgglomerationResult:
    """Result of :func:`ellison_glaeser` / :func:`maurel_sedillot`.

    Scalars for one industry; arrays (or Series indexed by industry label) when
    ``firm_industry`` was given.

    Attributes
    ----------
    gamma : agglomeration index (0 = random "dartboard" location given plant sizes).
    G : raw geographic concentration (definition depends on the index, see function).
    H : plant Herfindahl of the industry, ``sum_k z_k^2``.
    var_G : variance of ``G`` under the null ``gamma = 0``.
    z_G : ``(G - E[G]) / sqrt(var_G)`` under the null; large positive values reject
        random location.
    n_firms : number of firms with positive employment in the industry.
    """

    gamma: object
    G: object
    H: object
    var_G: object
    z_G: object
    n_firms: object


def _prepare(firm_employment, firm_region, region_employment, firm_industry):
    e = as_vector(firm_employment, "firm_employment")
    if isinstance(region_employment, dict):
        region_employment = pd.Series(region_employment, dtype=float)
    if isinstance(region_employment, pd.Series):
        labels = region_employment.index
        x = as_vector(region_employment.to_numpy(), "region_employment")
        reg = labels.get_indexer(pd.Index(np.asarray(firm_region)))
        if (reg < 0).any():
            bad = np.asarray(firm_region)[int(np.argmax(reg < 0))]
            raise InputError(f"firm_region: region {bad!r} is not in region_employment's index")
    else:
        x = as_vector(region_employment, "region_employment")
        reg = np.asarray(firm_region)
        if reg.dtype.kind not in "iu":
            if reg.dtype.kind == "f" and np.all(np.mod(reg, 1) == 0):
                reg = reg.astype(np.int64)
            else:
                raise InputError(
                    "firm_region: give integer positions into region_employment, or pass "
                    "region_employment as a Series indexed by region label"
                )
        if reg.size and (reg.min() < 0 or reg.max() >= x.size):
            raise InputError(
                f"firm_region: positions must lie in [0, {x.size - 1}], got {reg.min()}..{reg.max()}"
            )
    if reg.shape[0] != e.size:
        raise InputError(f"firm_region has {reg.shape[0]} entries but firm_employment has {e.size}")
    if x.sum() <= 0:
        raise InputError("region_employment: total is 0; shares x_r are undefined")
    if firm_industry is None:
        ind = np.zeros(e.size, dtype=np.int64)
        labels_ind = None
    else:
        ind_raw = np.asarray(firm_industry)
        if ind_raw.shape[0] != e.size:
            raise InputError(f"firm_industry has {ind_raw.shape[0]} entries but firm_employment has {e.size}")
        ind, labels_ind = pd.factorize(ind_raw, sort=True)
        if (ind < 0).any():
            raise InputError("firm_industry: missing industry labels")
    return e, reg.astype(np.int64), x / x.sum(), ind, labels_ind


def _sums(e, reg, xs, ind):
    n_ind = int(ind.max()) + 1 if ind.size else 1
    n_reg = xs.size
    E = np.bincount(ind, weights=e, minlength=n_ind)
    z = safe_divide(e, E[ind])
    H = np.bincount(ind, weights=z * z, minlength=n_ind)
    z3 = np.bincount(ind, weights=z**3, minlength=n_ind)
    z4 = np.bincount(ind, weights=z**4, minlength=n_ind)
    nf = np.bincount(ind, weights=(e > 0).astype(float), minlength=n_ind)
    key = ind * n_reg + reg
    if n_ind * n_reg <= 50_000_000:
        s = np.bincount(key, weights=z, minlength=n_ind * n_reg)
        nz = np.flatnonzero(s)
        k_ind, k_reg, sv = nz // n_reg, nz % n_reg, s[nz]
    else:  # sparse path for very many industry x region cells
        uk, inv = np.unique(key, return_inverse=True)
        sv = np.bincount(inv, weights=z)
        k_ind, k_reg = uk // n_reg, uk % n_reg
    ss = np.bincount(k_ind, weights=sv * sv, minlength=n_ind)  # sum_r s_r^2
    sx = np.bincount(k_ind, weights=sv * xs[k_reg], minlength=n_ind)  # sum_r s_r x_r
    p2, p3 = float((xs**2).sum()), float((xs**3).sum())
    return E, H, z3, z4, nf, ss, sx, p2, p3


def _pack(gamma, G, H, var, zg, nf, labels, E):
    empty = E <= 0
    for arr in (gamma, G, H, var, zg):
        arr[empty] = np.nan  # an industry with no employment has no index
    if labels is None:
        return AgglomerationResult(*(float(a[0]) for a in (gamma, G, H, var, zg)), int(nf[0]))
    mk = lambda a: pd.Series(a, index=pd.Index(labels, name="industry"))  # noqa: E731
    return AgglomerationResult(mk(gamma), mk(G), mk(H), mk(var), mk(zg), mk(nf.astype(np.int64)))


def ellison_glaeser(firm_employment, firm_region, region_employment, firm_industry=None):
    r"""Ellison-Glaeser (1997) index of geographic concentration.

    With region shares of aggregate employment ``x_r``, the industry's region shares
    ``s_r`` and plant shares ``z_k`` (of industry employment):

    .. math::
        G = \sum_r (s_r - x_r)^2, \quad H = \sum_k z_k^2, \quad
        \gamma = \frac{G / (1 - \sum_r x_r^2) - H}{1 - H}

    Under the null ``gamma = 0`` (firms located independently with probabilities
    ``x_r``) ``E[G] = (1 - sum x_r^2) H`` and (EG 1997, eq. for ``sigma_G^2``)

    .. math::
        Var(G) = 2\Big\{H^2\big[\textstyle\sum x^2 - 2\sum x^3 + (\sum x^2)^2\big]
        - \sum_k z_k^4 \big[\sum x^2 - 4\sum x^3 + 3(\sum x^2)^2\big]\Big\}

    Parameters
    ----------
    firm_employment : (n_firms,) non-negative
    firm_region : (n_firms,) integer positions into ``region_employment``, or labels
        when ``region_employment`` is a Series/dict indexed by region.
    region_employment : (n_regions,) aggregate employment of each region (all
        industries), defining ``x_r``.
    firm_industry : (n_firms,) optional industry labels; when given every industry is
        computed at once and the attributes are Series indexed by industry.

    Returns
    -------
    AgglomerationResult

    Notes
    -----
    Source: Ellison, G. & Glaeser, E. (1997) "Geographic concentration in U.S.
    manufacturing industries: a dartboard approach", *JPE* 105(5): 889-927. Same
    definition as REAT ``ellison.a``.

    **Undefined cases are NaN**, as in REAT (whose formula divides by zero there):

    * a **single region** (all aggregate employment in one region, ``sum x_r^2 = 1``):
      every firm is in that region under any location model, ``G = 0`` and
      ``E[G] = 0``; there is no variation to measure, so ``gamma``, ``var_G`` and
      ``z_G`` are NaN (``G`` stays 0). Plugging in anyway would give
      ``gamma = -H / (1 - H)``, a spurious "dispersion";
    * an industry with a **single plant** (``H = 1``): ``1 - H = 0``, ``gamma`` is NaN
      (one plant is always somewhere), ``var_G = 0`` and ``z_G`` NaN;
    * an industry with no employment: NaN throughout.
    """
    e, reg, xs, ind, labels = _prepare(firm_employment, firm_region, region_employment, firm_industry)
    E, H, _z3, z4, nf, ss, sx, p2, p3 = _sums(e, reg, xs, ind)
    G = ss - 2.0 * sx + p2
    var = 2.0 * (H**2 * (p2 - 2.0 * p3 + p2**2) - z4 * (p2 - 4.0 * p3 + 3.0 * p2**2))
    return _gamma_and_z(G, H, p2, np.maximum(var, 0.0), nf, labels, E)


def _single_region(p2: float) -> bool:
    """True when one region holds all aggregate employment (``sum x_r^2 = 1`` up to
    rounding): the agglomeration indices are then undefined."""
    return 1.0 - p2 <= 1e-12



def _gamma_and_z(G, H, p2, var, nf, labels, E):
    """The index gamma = (G / (1 - sum x^2) - H) / (1 - H) and its z-score from raw
    concentration ``G`` and its variance under no agglomeration, shared by
    Ellison-Glaeser and Maurel-Sedillot; undefined (NaN) with a single region."""
    if _single_region(p2):
        nan = np.full_like(G, np.nan)
        return _pack(nan, G, H, nan.copy(), nan.copy(), nf, labels, E)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(H < 1.0, (G / (1.0 - p2) - H) / (1.0 - H), np.nan)
        zg = np.where(var > 0, (G - (1.0 - p2) * H) / np.sqrt(var), np.nan)
    return _pack(gamma, G, H, var, zg, nf, labels, E)

def maurel_sedillot(firm_employment, firm_region, region_employment, firm_industry=None):
    r"""Maurel-Sedillot (1999) index of geographic concentration.

    .. math::
        G_{MS} = \sum_r s_r^2 - \sum_r x_r^2, \quad
        \gamma_{MS} = \frac{G_{MS} / (1 - \sum_r x_r^2) - H}{1 - H}

    Under the null of independent location with probabilities ``x_r``:
    ``E[G_MS] = H (1 - sum x^2)`` and, with ``p_2 = sum x^2``, ``p_3 = sum x^3``
    (derived here by counting pairs of co-located plants; checked by simulation in
    the tests)

    .. math::
        Var(G_{MS}) = 2 (H^2 - \textstyle\sum z^4)(p_2 - p_2^2)
        + 4 (H - 2\sum z^3 + 2 \sum z^4 - H^2)(p_3 - p_2^2)

    Arguments and result as :func:`ellison_glaeser`, including the undefined cases
    (a single region, a single plant), which are NaN.

    Notes
    -----
    Source: Maurel, F. & Sedillot, B. (1999) "A measure of the geographic
    concentration in French manufacturing industries", *Regional Science and Urban
    Economics* 29(5): 575-604.
    """
    e, reg, xs, ind, labels = _prepare(firm_employment, firm_region, region_employment, firm_industry)
    E, H, z3, z4, nf, ss, _sx, p2, p3 = _sums(e, reg, xs, ind)
    G = ss - p2
    var = 2.0 * (H**2 - z4) * (p2 - p2**2) + 4.0 * (H - 2.0 * z3 + 2.0 * z4 - H**2) * (p3 - p2**2)
    return _gamma_and_z(G, H, p2, np.maximum(var, 0.0), nf, labels, E)


def litzenberger_sternberg(e_ij, e_i, a_j, a, p_j, p, b_ij, b_i):
    r"""Litzenberger-Sternberg (2006) cluster index of industry ``i`` in region ``j``.

    .. math::
        IDI_{ij} = \frac{e_{ij}/a_j}{e_i/a}, \quad
        IBI_{ij} = \frac{e_{ij}/p_j}{e_i/p}, \quad
        SIZ_{ij} = \frac{e_{ij}/b_{ij}}{e_i/b_i}, \quad
        CI_{ij} = \frac{IDI_{ij}\, IBI_{ij}}{SIZ_{ij}}

    relative industrial density (per area) times relative industrial stock (per
    inhabitant) divided by relative plant size. ``CI > 1`` marks more (and smaller)
    plants per area and head than the national average; the index is not bounded and
    depends on the number of regions and industries.

    Parameters follow REAT ``litzenberger`` (``i`` = industry, ``j`` = region):
    employment of the industry in the region and nationally, area of the region and
    total, population of the region and total, establishments of the industry in the
    region and nationally. Scalars or broadcastable arrays.

    Returns
    -------
    float or ndarray. Cells with ``e_ij = 0`` or ``b_ij = 0`` give 0.

    Notes
    -----
    Source: Litzenberger, T. & Sternberg, R. (2006) "Der Clusterindex", *Geographische
    Zeitschrift* 94(2): 209-224; formula as implemented in REAT ``litzenberger``.
    Algebraically ``CI = (e_ij b_ij a p) / (e_i b_i a_j p_j)``; computed here from the
    three ratios as REAT does.
    """
    arrs = []
    for name, v in zip(("e_ij", "e_i", "a_j", "a", "p_j", "p", "b_ij", "b_i"), (e_ij, e_i, a_j, a, p_j, p, b_ij, b_i)):
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{name}: must be numeric, got {v!r}") from None
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InputError(f"{name}: values must be finite and >= 0")
        arrs.append(arr)
    e_ij, e_i, a_j, a, p_j, p, b_ij, b_i = np.broadcast_arrays(*arrs)
    for name, v in (("e_i", e_i), ("a_j", a_j), ("a", a), ("p_j", p_j), ("p", p), ("b_i", b_i)):
        if np.any(v == 0):
            raise InputError(f"{name}: must be > 0 (it is a denominator)")
    idi = (e_ij / a_j) / (e_i / a)
    ibi = (e_ij / p_j) / (e_i / p)
    siz = safe_divide(safe_divide(e_ij, b_ij), e_i / b_i)
    ci = safe_divide(idi * ibi, siz)
    return float(ci) if ci.ndim == 0 else ci
