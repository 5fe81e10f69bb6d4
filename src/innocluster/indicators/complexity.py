"""Diversity, ubiquity and economic complexity (ECI of regions, PCI of industries)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg

from innocluster.errors import InputError
from innocluster.indicators._validate import wrap_rows
from innocluster.indicators.relatedness import _binary


def diversity(x):
    r"""Diversity of each region, ``k_r,0 = sum_j M_rj`` (number of industries with
    ``LQ >= 1``; ``x`` is binarised unless already 0/1).

    Source: Hidalgo & Hausmann (2009) *PNAS* 106(26): 10570-10575; EconGeo ``diversity``.
    """
    m, rows, _ = _binary(x)
    return wrap_rows(m.sum(axis=1), rows, "diversity")


def ubiquity(x):
    r"""Ubiquity of each industry, ``k_j,0 = sum_r M_rj`` (number of regions specialised).

    Source: Hidalgo & Hausmann (2009); EconGeo ``ubiquity``.
    """
    m, _, cols = _binary(x)
    return wrap_rows(m.sum(axis=0), cols, "ubiquity")


@dataclass(frozen=True)
class ComplexityResult:
    """ECI of regions and PCI of industries, standardised to mean 0 and sd 1 over the
    regions (industries) with at least one specialisation; NaN for regions without any
    specialisation and industries in which no region is specialised (undefined)."""

    eci: object
    pci: object
    method: str


def _zscore(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


def complexity(x, method: str = "eigenvector", iterations: int = 20, pci_scale: str = "pci") -> ComplexityResult:
    r"""Economic complexity of regions (ECI) and industries (PCI).

    ``M`` = binary specialisation matrix, ``D = diag(diversity)``, ``U =
    diag(ubiquity)``.

    * ``eigenvector`` (Hausmann, Hidalgo et al. 2014 *Atlas*; Mealy, Farmer & Teytelboym
      2019): PCI is the eigenvector of the second-largest eigenvalue of
      ``U^-1 M^T D^-1 M`` and ``ECI = D^-1 M PCI`` (the matching eigenvector of
      ``D^-1 M U^-1 M^T``). The symmetric form ``U^-1/2 M^T D^-1 M U^-1/2`` is used
      for a stable ``eigh``.
    * ``reflections`` (Hidalgo & Hausmann 2009): ``k_r,N = (1/k_r,0) sum_j M_rj k_j,N-1``,
      ``k_j,N = (1/k_j,0) sum_r M_rj k_r,N-1``, ``iterations`` steps (even; default
      20). Converges towards the eigenvector solution, up to sign.

    Scale (``pci_scale``):

    * ``"pci"`` (default): ECI and PCI are each standardised to mean 0 and sd 1 over
      the regions (industries) with at least one specialisation.
    * ``"eci"``: PCI on the ECI scale, as py-ecomplexity (and the Atlas' Stata
      package) normalise it: with the raw vectors ``k_c`` (regions) and ``k_p``
      (industries), ``PCI = (k_p - mean k_c) / sd k_c`` and
      ``ECI = (k_c - mean k_c) / sd k_c`` (population standard deviation). ECI is
      the same under both scales.

    Sign convention: ECI correlates positively with diversity, and PCI has the sign
    that makes each region's ECI the mean PCI of its industries (``ECI = D^-1 M PCI``
    before standardising). This is py-ecomplexity's orientation (the sign of the
    correlation of ``k_c`` with diversity, applied to both). **EconGeo orients
    differently**: its ``tci`` (technological complexity) flips its eigenvector so that
    it correlates negatively (Spearman) with ubiquity, and on real data that can give
    the opposite sign to the PCI here; compare magnitudes or ranks only after checking
    the sign.

    Parameters
    ----------
    x : array-like or DataFrame, shape (regions, industries); binarised with
        ``LQ >= 1`` unless already 0/1.
    method : {"eigenvector", "reflections"}
    iterations : int, even, for ``reflections``.
    pci_scale : {"pci", "eci"}

    Returns
    -------
    ComplexityResult (``eci`` per region, ``pci`` per industry; Series when ``x`` is a
    DataFrame). NaN for regions without any specialisation and industries in which no
    region is specialised (undefined).

    Notes
    -----
    Sources: Hidalgo, C. A. & Hausmann, R. (2009) "The building blocks of economic
    complexity", *PNAS* 106(26): 10570-10575; Hausmann, Hidalgo et al. (2014) *The
    Atlas of Economic Complexity*, MIT Press; py-ecomplexity (Growth Lab, Harvard)
    ``ecomplexity`` for the ``"eci"`` scale; Balland & Rigby (2017) for EconGeo's
    ``tci``.
    """
    if method not in ("eigenvector", "reflections"):
        raise InputError(f"method: {method!r} is not one of eigenvector, reflections")
    if pci_scale not in ("pci", "eci"):
        raise InputError(f"pci_scale: {pci_scale!r} is not one of pci, eci")
    m, rows, cols = _binary(x)
    kr, kj = m.sum(axis=1), m.sum(axis=0)
    r_ok, j_ok = kr > 0, kj > 0
    if r_ok.sum() < 2 or j_ok.sum() < 2:
        raise InputError(
            "complexity: needs at least 2 regions and 2 industries with a specialisation (LQ >= 1)"
        )
    mm = m[np.ix_(r_ok, j_ok)]
    d, u = mm.sum(axis=1), mm.sum(axis=0)
    if method == "eigenvector":
        a = (mm / np.sqrt(u)[None, :]).T @ (mm / d[:, None] / np.sqrt(u)[None, :])
        a = (a + a.T) / 2.0
        # only the two largest eigenpairs are needed (LAPACK syevr on that subset is
        # several times cheaper than the full decomposition for 10^2-10^3 industries);
        # the sign of the eigenvector is fixed by the orientation rule below
        n = a.shape[0]
        _, v = scipy.linalg.eigh(a, subset_by_index=[n - 2, n - 1], driver="evr")
        kp = v[:, 0] / np.sqrt(u)
        kc = (mm @ kp) / d
    else:
        if iterations < 2 or iterations % 2:
            raise InputError(f"iterations: must be an even number >= 2, got {iterations}")
        kc, kp = d.astype(float), u.astype(float)
        for _ in range(iterations):
            kc, kp = (mm @ kp) / d, (mm.T @ kc) / u
    # orientation: ECI positively correlated with diversity (py-ecomplexity's s1),
    # applied to both vectors so that ECI stays the mean PCI of a region's industries
    if kc.std() > 0 and d.std() > 0 and np.corrcoef(kc, d)[0, 1] < 0:
        kc, kp = -kc, -kp
    if pci_scale == "eci":
        sd = kc.std()
        eci = (kc - kc.mean()) / sd if sd > 0 else np.zeros_like(kc)
        pci = (kp - kc.mean()) / sd if sd > 0 else np.zeros_like(kp)
    else:
        eci, pci = _zscore(kc), _zscore(kp)
        # reflections: kp and kc of the same step are not tied by ECI = D^-1 M PCI;
        # keep PCI oriented so that regions' ECI is (positively) the mean PCI
        if pci.std() > 0 and eci.std() > 0 and np.corrcoef(eci, (mm @ pci) / d)[0, 1] < 0:
            pci = -pci
    e_full = np.full(m.shape[0], np.nan)
    e_full[r_ok] = eci
    p_full = np.full(m.shape[1], np.nan)
    p_full[j_ok] = pci
    if rows is not None:
        return ComplexityResult(pd.Series(e_full, index=rows, name="eci"), pd.Series(p_full, index=cols, name="pci"), method)
    return ComplexityResult(e_full, p_full, method)
