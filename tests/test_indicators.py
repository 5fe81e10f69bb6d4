"""Indicators: published worked examples, hand-computed examples, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import innocluster.indicators as ind
from innocluster.errors import InputError

# EconGeo worked example (Balland, EconGeo docs: location_quotient, krugman_index,
# herfindahl): regions in rows, industries in columns.
ECONGEO = np.array(
    [[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50], [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
    dtype=float,
)


def test_location_quotient_econgeo_example():
    lq = ind.location_quotient(ECONGEO)
    np.testing.assert_allclose(lq[1], [0, 0.75, 0.25, 3.5, 0.5])
    np.testing.assert_allclose(lq[0], [5, 0, 0, 0, 0])
    b = ind.location_quotient(ECONGEO, binary=True)
    np.testing.assert_array_equal(b[1], [0, 0, 0, 1, 0])
    assert set(np.unique(b)) <= {0.0, 1.0}


def test_location_quotient_reat_farhauer_kroell_example():
    # REAT locq(1714, 79006, 879213, 15593224) = 0.3847623 (Farhauer/Kroell 2013):
    # a 2x2 table with the industry in the region, the rest of the region, the rest of
    # the industry and everything else reproduces it.
    e_ij, e_j, e_i, e = 1714, 79006, 879213, 15593224
    x = [[e_ij, e_j - e_ij], [e_i - e_ij, e - e_j - e_i + e_ij]]
    assert ind.location_quotient(x)[0, 0] == pytest.approx(0.3847623, abs=1e-7)


def test_krugman_and_herfindahl_econgeo_example():
    np.testing.assert_allclose(ind.krugman_index(ECONGEO), [1.6, 1.0, 0.6, 0.7, 1.1])
    np.testing.assert_allclose(ind.specialisation_coefficient(ECONGEO), [0.8, 0.5, 0.3, 0.35, 0.55])
    np.testing.assert_allclose(ind.herfindahl(ECONGEO), [1, 0.525, 0.34, 0.315, 0.465])
    np.testing.assert_allclose(ind.herfindahl_equivalent_number(ECONGEO), 1 / np.array([1, 0.525, 0.34, 0.315, 0.465]))
    np.testing.assert_allclose(ind.herfindahl_normalised(ECONGEO)[0], 1.0)


def test_hachman_hand_computed():
    # Hand-computed: all industries are 20% of the reference; region 2 shares
    # .15,.05,.7,.1 -> sum s^2/0.2 = (0.0225+0.0025+0.49+0.01)/0.2 = 2.625 -> 1/2.625.
    np.testing.assert_allclose(ind.hachman(ECONGEO)[1], 1 / 2.625)
    np.testing.assert_allclose(ind.hachman(ECONGEO)[0], 0.2)
    same = np.array([[10, 20, 30], [1, 2, 3]])
    np.testing.assert_allclose(ind.hachman(same), [1, 1])


def test_entropy_and_variety_hand_computed():
    x = np.array([[1, 1, 1, 1], [4, 0, 0, 0], [2, 2, 0, 0]])
    np.testing.assert_allclose(ind.entropy(x), [2.0, 0.0, 1.0])
    rv = ind.related_unrelated_variety(x, ["a", "a", "b", "b"])
    np.testing.assert_allclose(rv["unrelated_variety"], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(rv["related_variety"], [1.0, 0.0, 1.0])
    df = pd.DataFrame(x, columns=["i1", "i2", "i3", "i4"])
    rv2 = ind.related_unrelated_variety(df, {"i1": 1, "i2": 2, "i3": 1, "i4": 2})
    np.testing.assert_allclose(rv2["unrelated_variety"], [1.0, 0.0, 1.0])
    with pytest.raises(InputError):
        ind.related_unrelated_variety(x, ["a", "b"])


def test_gini_known_values():
    assert ind.gini([1, 1, 1, 1]) == 0.0
    assert ind.gini([0, 0, 0, 10]) == pytest.approx(0.75)  # (n-1)/n
    # Hand-computed: sum |vi - vj| over ordered pairs for (1,2,3,4) = 20; 20/(2*16*2.5)
    assert ind.gini([4, 1, 3, 2]) == pytest.approx(0.25)
    assert ind.gini([0, 0, 0]) == 0.0


def test_hoover_hand_computed_on_econgeo_vectors():
    # EconGeo Hoover.Gini example vectors; values computed by hand (see module docs):
    # sorted by ind/pop, trapezoid area 0.345 -> 1 - 2*0.345 = 0.31; Hoover = 25 %.
    i, p = [0, 10, 10, 30, 50], [10, 15, 20, 25, 30]
    assert ind.hoover_gini(i, p) == pytest.approx(0.31)
    assert ind.hoover_index(i, p) == pytest.approx(25.0)
    assert ind.hoover_index([5, 5], None) == pytest.approx(0.0)
    assert ind.hoover_index([10, 0], None) == pytest.approx(50.0)


def test_locational_gini_matches_hoover_gini_per_column():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 50, size=(7, 4)).astype(float)
    lg = ind.locational_gini(x)
    for j in range(4):
        assert lg[j] == pytest.approx(ind.hoover_gini(x[:, j], x.sum(axis=1)))
    even = np.outer([1, 2, 3], [1, 1])
    np.testing.assert_allclose(ind.locational_gini(even), 0.0, atol=1e-12)


def test_lorenz_curve_endpoints_and_area():
    cx, cy = ind.lorenz_curve([0, 0, 0, 10])
    assert cx[0] == cy[0] == 0 and cx[-1] == cy[-1] == 1
    area = np.sum(np.diff(cx) * (cy[1:] + cy[:-1]) / 2)
    assert 1 - 2 * area == pytest.approx(ind.gini([0, 0, 0, 10]))


def test_dataframe_labels_are_kept():
    df = pd.DataFrame(ECONGEO, index=list("ABCDE"), columns=["i1", "i2", "i3", "i4", "i5"])
    lq = ind.location_quotient(df)
    assert isinstance(lq, pd.DataFrame) and lq.loc["B", "i4"] == pytest.approx(3.5)
    k = ind.krugman_index(df)
    assert isinstance(k, pd.Series) and k["A"] == pytest.approx(1.6)


def test_zero_rows_and_columns_give_no_nan():
    x = np.array([[0, 0, 0], [1, 2, 0], [3, 1, 0]], dtype=float)
    for f in (ind.location_quotient, ind.krugman_index, ind.hachman, ind.herfindahl, ind.entropy,
              ind.specialisation_coefficient, ind.locational_gini, ind.herfindahl_normalised):
        out = np.asarray(f(x))
        assert np.isfinite(out).all(), f.__name__
    assert ind.location_quotient(x)[0].tolist() == [0, 0, 0]
    assert ind.krugman_index(x)[0] == 0


@pytest.mark.parametrize(
    "bad",
    [[[1, -1], [2, 3]], [[1, np.nan], [2, 3]], [1, 2, 3], [["a", 1], [2, 3]], np.zeros((0, 3))],
)
def test_bad_input_raises_input_error(bad):
    with pytest.raises(InputError):
        ind.location_quotient(bad)
    with pytest.raises(ValueError):  # InputError is a ValueError
        ind.herfindahl(bad)


def test_gini_rejects_negative():
    with pytest.raises(InputError, match="negative"):
        ind.gini([1, -2, 3])


matrices = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    # count-like data: zeros or magnitudes >= 1e-3 (subnormal floats are not data)
    elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False)),
)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_invariants(x):
    lq = ind.location_quotient(x)
    assert np.isfinite(lq).all()
    row, col = x.sum(axis=1), x.sum(axis=0)
    if x.sum() > 0:
        # LQ weighted by region shares averages to 1 for every industry present
        w = row / x.sum()
        avg = (w[:, None] * lq).sum(axis=0)
        np.testing.assert_allclose(avg[col > 0], 1.0, rtol=1e-9)
    h = ind.herfindahl(x)
    n = x.shape[1]
    pos = row > 0
    assert np.all(h[pos] >= 1 / n - 1e-12) and np.all(h[pos] <= 1 + 1e-12)
    k = ind.krugman_index(x)
    assert np.all((k >= -1e-12) & (k <= 2 + 1e-12))
    e = ind.entropy(x)
    assert np.all((e >= 0) & (e <= np.log2(n) + 1e-9))
    hi = ind.hachman(x)
    assert np.all((hi > 0) & (hi <= 1 + 1e-9))
    lg = ind.locational_gini(x)
    assert np.all((lg >= -1e-9) & (lg <= 1))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 1e6, allow_nan=False)))
def test_gini_in_unit_interval_and_scale_invariant(v):
    g = ind.gini(v)
    assert 0 <= g <= 1
    assert g <= (v.size - 1) / v.size + 1e-9
    assert ind.gini(v * 3.0) == pytest.approx(g, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(matrices, st.lists(st.sampled_from("abc"), min_size=6, max_size=6))
def test_variety_decomposition(x, groups):
    rv = ind.related_unrelated_variety(x, groups[: x.shape[1]])
    np.testing.assert_allclose(rv["related_variety"] + rv["unrelated_variety"], ind.entropy(x), atol=1e-9)
