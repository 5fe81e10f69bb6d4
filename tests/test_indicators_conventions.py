"""Conventions offered where packages differ: LQ with an external reference (REAT),
REAT's locational Gini, PCI on the ECI scale (py-ecomplexity), relatedness as
Hidalgo's proximity or as EconGeo computes it. Values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import innocluster.indicators as ind
from innocluster.errors import InputError


def test_lq_external_reference_reat():
    x = np.array([[10.0, 20.0], [30.0, 40.0]])
    # two regions of a nation with 1000 employees, 100 of them in industry 0
    lq = np.asarray(ind.location_quotient(x, reference=[100.0, 300.0], reference_total=1000.0,
                                          region_totals=[50.0, 100.0]))
    assert lq[0, 0] == pytest.approx((10 / 50) / (100 / 1000))  # 2.0
    assert lq[1, 1] == pytest.approx((40 / 100) / (300 / 1000))
    # reference defaults: its own total and the row sums
    lq2 = np.asarray(ind.location_quotient(x, reference=[100.0, 300.0]))
    assert lq2[0, 1] == pytest.approx((20 / 30) / (300 / 400))
    # without a reference: the rows are the economy
    assert np.asarray(ind.location_quotient(x))[0, 0] == pytest.approx((10 / 30) / (40 / 100))
    with pytest.raises(InputError, match="exceeds the reference total"):
        ind.location_quotient(x, reference=[20.0, 300.0])
    with pytest.raises(InputError, match="reference"):
        ind.location_quotient(x, reference_total=1000.0)


def test_locational_gini_reat_is_gini_of_lq():
    x = np.array([[10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    g = np.asarray(ind.locational_gini(x, method="reat"))
    # LQs of industry 0: 2, 1, 0 -> Gini = sum|xi - xj| / (2 n^2 mean) = 8 / 18
    assert g[0] == pytest.approx(8 / 18)
    assert g[1] == pytest.approx(8 / 18)
    default = np.asarray(ind.locational_gini(x))
    assert not np.allclose(default, g)  # the default is size-weighted (Krugman), not REAT's
    with pytest.raises(InputError, match="method"):
        ind.locational_gini(x, method="econgeo")


def test_pci_on_eci_scale():
    rng = np.random.default_rng(4)
    m = (rng.random((12, 9)) < 0.45).astype(float)
    m[0] = 1  # one diversified region
    a = ind.complexity(m, pci_scale="pci")
    b = ind.complexity(m, pci_scale="eci")
    eci_a, eci_b, pci_b = (np.asarray(v, dtype=float) for v in (a.eci, b.eci, b.pci))
    ok = np.isfinite(eci_b)
    assert np.allclose(eci_a[ok], eci_b[ok])  # ECI is the same on both scales
    # on the ECI scale a region's ECI is the mean PCI of its industries (py-ecomplexity)
    d = m.sum(axis=1)
    pp = np.nan_to_num(pci_b)
    assert np.allclose(((m @ pp) / d)[ok], eci_b[ok])
    # and PCI is no longer standardised on its own
    assert abs(np.nanstd(pci_b) - 1) > 1e-6 or abs(np.nanmean(pci_b)) > 1e-6
    with pytest.raises(InputError, match="pci_scale"):
        ind.complexity(m, pci_scale="tci")


def test_relatedness_conventions_hand_computed():
    # co-occurrence with occurrences (ubiquity) on the diagonal
    c = np.array([[4.0, 2.0, 1.0], [2.0, 3.0, 0.0], [1.0, 0.0, 2.0]])
    prob = np.asarray(ind.relatedness(c, "prob"))
    assert prob[0, 1] == pytest.approx(2 / max(4, 3))  # Hidalgo's proximity
    cos = np.asarray(ind.relatedness(c, "cosine"))
    assert cos[0, 2] == pytest.approx(1 / np.sqrt(4 * 2))
    jac = np.asarray(ind.relatedness(c, "jaccard"))
    assert jac[0, 1] == pytest.approx(2 / (4 + 3 - 2))
    # EconGeo normalises by the off-diagonal co-occurrence totals S = (3, 2, 1)
    ecos = np.asarray(ind.relatedness(c, "cosine", convention="econgeo"))
    assert ecos[0, 1] == pytest.approx(2 / np.sqrt(3 * 2))
    ejac = np.asarray(ind.relatedness(c, "jaccard", convention="econgeo"))
    assert ejac[0, 2] == pytest.approx(1 / (3 + 1 - 1))
    # association strength is the same in both
    assoc = np.asarray(ind.relatedness(c, "association"))
    t = 6.0
    assert assoc[0, 1] == pytest.approx(2 * t / (3 * 2))
    assert np.allclose(assoc, np.asarray(ind.relatedness(c, "association", convention="econgeo")))
    for r in (prob, cos, ecos):
        assert np.all(np.diag(r) == 0)
    with pytest.raises(InputError, match="convention"):
        ind.relatedness(c, "cosine", convention="reat")
