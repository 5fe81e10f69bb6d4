"""Ellison-Glaeser, Maurel-Sedillot, Litzenberger-Sternberg, clusters, relatedness,
complexity, growth and innovation indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import innocluster.indicators as ind
from innocluster.errors import InputError


def test_ellison_glaeser_hand_computed():
    # Two regions, equal aggregate employment (x = .5, .5); industry: two equal firms
    # both in region 0 -> s = (1, 0), G = .25 + .25 = .5, H = .5,
    # gamma = (.5 / (1 - .5) - .5) / (1 - .5) = 1.
    r = ind.ellison_glaeser([10, 10], [0, 0], [50, 50])
    assert r.G == pytest.approx(0.5)
    assert r.H == pytest.approx(0.5)
    assert r.gamma == pytest.approx(1.0)
    # one firm in each region: s = x -> G = 0, gamma = (0 - .5)/.5 = -1
    r = ind.ellison_glaeser([10, 10], [0, 1], [50, 50])
    assert r.G == pytest.approx(0.0) and r.gamma == pytest.approx(-1.0)
    # Maurel-Sedillot on the concentrated case: sum s^2 - sum x^2 = 1 - .5 = .5 -> gamma 1
    m = ind.maurel_sedillot([10, 10], [0, 0], [50, 50])
    assert m.G == pytest.approx(0.5) and m.gamma == pytest.approx(1.0)


def test_ellison_glaeser_null_moments_by_simulation():
    """Under random location E[G] = (1 - sum x^2) H and Var(G) = var_G (EG 1997)."""
    rng = np.random.default_rng(0)
    x = np.array([5, 3, 1, 1, 0.5, 6.0])
    xs = x / x.sum()
    emp = rng.pareto(1.5, 30) + 1
    n_sim = 4000
    regs = np.stack([rng.choice(6, size=30, p=xs) for _ in range(n_sim)])
    # all simulations at once: industry label = simulation id
    res = ind.ellison_glaeser(np.tile(emp, n_sim), regs.ravel(), x, firm_industry=np.repeat(np.arange(n_sim), 30))
    ms = ind.maurel_sedillot(np.tile(emp, n_sim), regs.ravel(), x, firm_industry=np.repeat(np.arange(n_sim), 30))
    H = res.H.iloc[0]
    expected = (1 - (xs**2).sum()) * H
    assert res.G.mean() == pytest.approx(expected, rel=0.05)
    assert res.G.var() == pytest.approx(res.var_G.iloc[0], rel=0.12)
    assert ms.G.var() == pytest.approx(ms.var_G.iloc[0], rel=0.12)
    assert abs(res.gamma.mean()) < 0.01
    assert abs(res.z_G.mean()) < 0.1


def test_ellison_glaeser_vectorised_matches_single_industry_and_labels():
    rng = np.random.default_rng(3)
    n = 500
    emp = rng.integers(1, 100, n).astype(float)
    reg = rng.integers(0, 8, n)
    indus = rng.choice(["a", "b", "c"], n)
    region_emp = np.bincount(reg, weights=emp, minlength=8)
    allr = ind.ellison_glaeser(emp, reg, region_emp, firm_industry=indus)
    for lab in "abc":
        m = indus == lab
        one = ind.ellison_glaeser(emp[m], reg[m], region_emp)
        assert allr.gamma[lab] == pytest.approx(one.gamma)
        assert allr.z_G[lab] == pytest.approx(one.z_G)
    labels = pd.Series(region_emp, index=[f"r{i}" for i in range(8)])
    lab_res = ind.ellison_glaeser(emp, np.array([f"r{i}" for i in reg]), labels, firm_industry=indus)
    np.testing.assert_allclose(lab_res.gamma.to_numpy(), allr.gamma.to_numpy())


def test_ellison_glaeser_bad_input():
    with pytest.raises(InputError):
        ind.ellison_glaeser([1, 2], [0, 5], [1, 1])
    with pytest.raises(InputError):
        ind.ellison_glaeser([1, -2], [0, 1], [1, 1])
    with pytest.raises(InputError):
        ind.ellison_glaeser([1, 2], ["x", "y"], [1, 1])
    with pytest.raises(InputError):
        ind.ellison_glaeser([1, 2], ["x", "z"], pd.Series([1, 1], index=["x", "y"]))


def test_litzenberger_sternberg_hand_computed():
    # IDI = (100/10)/(1000/1000) = 10; IBI = (100/50)/(1000/10000) = 20;
    # SIZ = (100/5)/(1000/100) = 2; CI = 10 * 20 / 2 = 100
    ci = ind.litzenberger_sternberg(100, 1000, 10, 1000, 50, 10000, 5, 100)
    assert ci == pytest.approx(100.0)
    assert ind.litzenberger_sternberg(0, 1000, 10, 1000, 50, 10000, 0, 100) == 0.0
    with pytest.raises(InputError):
        ind.litzenberger_sternberg(1, 0, 1, 1, 1, 1, 1, 1)


def _long(x, regions, industries, est=None):
    rows = []
    for i, r in enumerate(regions):
        for j, k in enumerate(industries):
            row = {"region": r, "industry": k, "employment": x[i][j]}
            if est is not None:
                row["establishments"] = est[i][j]
            rows.append(row)
    return pd.DataFrame(rows)


def test_strong_clusters_rule():
    # industry "chips": LQs by region (hand-computed) — only region "h" is above p75 and >= 1.
    x = [[90, 10], [10, 90], [20, 80], [30, 70], [10, 90]]
    est = [[30, 3], [2, 40], [3, 30], [5, 30], [1, 30]]
    df = _long(x, list("hbcde"), ["chips", "other"], est)
    out = ind.strong_clusters(df, min_regions=5).set_index(["region", "industry"])
    assert out.loc[("h", "chips"), "strong"]
    assert out.loc[("h", "chips"), "lq"] == pytest.approx(90 / 100 / (160 / 500))
    assert not out.loc[("b", "chips"), "strong"]
    assert "establishments > p25" in ind.strong_clusters(df).attrs["criteria"]
    # without establishments the criterion is dropped and said so
    assert "establishments > p25" not in ind.strong_clusters(df.drop(columns="establishments")).attrs["criteria"]
    # every strong cell has LQ >= 1
    s = ind.strong_clusters(df, min_regions=5)
    assert (s.loc[s.strong, "lq"] >= 1).all()
    # five regions are fewer than the default minimum of eight: nothing is judged, and said so
    d = ind.strong_clusters(df)
    assert not d["judged"].any() and not d["strong"].any()
    assert any("fewer than 8 regions" in n for n in d.attrs["notes"])
    # local clusters are not judged even with enough regions
    t = ind.strong_clusters(df, min_regions=5, cluster_types={"chips": "traded", "other": "local"})
    assert t.loc[t.industry == "other", "judged"].eq(False).all()
    assert t.set_index(["region", "industry"]).loc[("h", "chips"), "strong"]


def test_cluster_stars():
    x = [[90, 10], [10, 90], [20, 80], [30, 70], [10, 90]]
    df = _long(x, list("hbcde"), ["chips", "other"])
    out = ind.cluster_stars(df).set_index(["region", "industry"])
    # h has 56% of chips (top), LQ = 2.81 >= 2, and chips are 90% of h (top)
    assert out.loc[("h", "chips"), "stars"] == 3
    assert out.loc[("b", "chips"), "stars"] == 0
    assert out["stars"].between(0, 3).all()
    dfy = pd.concat([df.assign(year=2000), df.assign(year=2001)])
    assert len(ind.cluster_stars(dfy)) == 2 * len(df)


def test_relatedness_methods_hand_computed():
    c = np.array([[4, 2, 0], [2, 2, 1], [0, 1, 3]], dtype=float)
    p = ind.relatedness(c, "prob")
    assert p[0, 1] == pytest.approx(2 / 4) and p[1, 2] == pytest.approx(1 / 3) and p[0, 0] == 0
    cos = ind.relatedness(c, "cosine")
    assert cos[0, 1] == pytest.approx(2 / np.sqrt(8))
    jac = ind.relatedness(c, "jaccard")
    assert jac[0, 1] == pytest.approx(2 / (4 + 2 - 2))
    a = ind.relatedness(c, "association")
    # off-diagonal sums S = (2, 3, 1), T = 6: phi_01 = 2*6/(2*3) = 2, phi_12 = 1*6/3 = 2
    assert a[0, 1] == pytest.approx(2.0) and a[1, 2] == pytest.approx(2.0) and a[0, 2] == 0
    for m in ("prob", "association", "cosine", "jaccard"):
        r = ind.relatedness(c, m)
        np.testing.assert_allclose(r, r.T)
    with pytest.raises(InputError):
        ind.relatedness(c, "pmi")
    with pytest.raises(InputError):
        ind.relatedness(np.array([[1, 2], [0, 1]]), "prob")


def test_relatedness_density_hand_computed():
    m = np.array([[1, 0, 0], [0, 1, 1]])
    phi = np.array([[0, 0.5, 0.0], [0.5, 0, 1.0], [0.0, 1.0, 0]])
    rd = ind.relatedness_density(m, phi)
    # region 0 around industry 1: phi_01 / (phi_01 + phi_21) = .5 / 1.5
    assert rd[0, 1] == pytest.approx(100 * 0.5 / 1.5)
    assert rd[1, 0] == pytest.approx(100.0)
    assert rd[0, 2] == pytest.approx(0.0)
    co = ind.co_occurrence(m)
    np.testing.assert_array_equal(co, m.T @ m)
    flex = ind.relatedness_flexibility(m, phi)
    assert flex[0] == pytest.approx((rd[0, 1] + rd[0, 2]) / 2)


def test_diversity_ubiquity_complexity():
    # nested ("triangular") specialisation: region r is specialised in industries 0..r
    m = np.tril(np.ones((5, 5)))
    np.testing.assert_array_equal(ind.diversity(m), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(ind.ubiquity(m), [5, 4, 3, 2, 1])
    for method in ("eigenvector", "reflections"):
        c = ind.complexity(m, method=method)
        assert np.corrcoef(c.eci, [1, 2, 3, 4, 5])[0, 1] > 0.9, method
        # the rarest industry is the most complex
        assert np.argmax(c.pci) == 4
        assert abs(np.mean(c.eci)) < 1e-9 and np.std(c.eci) == pytest.approx(1)
    e = ind.complexity(m, "eigenvector").eci
    r = ind.complexity(m, "reflections", iterations=40).eci
    assert np.corrcoef(e, r)[0, 1] > 0.95


def test_complexity_zero_region_is_nan_not_crash():
    m = np.vstack([np.tril(np.ones((4, 4))), np.zeros(4)])
    c = ind.complexity(m)
    assert np.isnan(c.eci[4]) and np.isfinite(c.eci[:4]).all()
    with pytest.raises(InputError):
        ind.complexity(np.eye(1))


def test_shift_share_identity_and_hand_example():
    base = np.array([[100, 100], [100, 0]], dtype=float)
    final = np.array([[120, 90], [150, 0]], dtype=float)
    ss = ind.shift_share(base, final)
    # G = 360/300 - 1 = .2; G_0 = 270/200 - 1 = .35; G_1 = -.1
    assert ss.loc[0, "national"] == pytest.approx(40)
    assert ss.loc[0, "industry_mix"] == pytest.approx(100 * 0.15 + 100 * -0.3)
    np.testing.assert_allclose(ss[["national", "industry_mix", "competitive"]].sum(axis=1), ss["total"])
    np.testing.assert_allclose(ss["total"], [10, 50])


def test_growth_cagr():
    np.testing.assert_allclose(ind.growth([100, 110, 121]), [np.nan, 0.1, 0.1])
    g = ind.growth(np.array([0.0, 5.0]))
    assert np.isnan(g[1])  # growth from zero is undefined, said so
    assert ind.cagr(100, 121, 2) == pytest.approx(0.1)
    with pytest.raises(InputError):
        ind.cagr(0, 10, 2)
    s = ind.growth(pd.Series([1.0, 2.0], index=[2000, 2001]))
    assert s.loc[2001] == 1.0


def test_entries_exits():
    panel = pd.DataFrame(
        {
            "firm": [1, 1, 1, 2, 2, 3, 4],
            "year": [2000, 2001, 2002, 2000, 2001, 2001, 2002],
            "region": ["a"] * 7,
            "industry": ["x"] * 7,
        }
    )
    out = ind.entries_exits(panel).set_index("year")
    assert np.isnan(out.loc[2000, "entries"])  # left-censored
    assert out.loc[2001, "entries"] == 1 and out.loc[2002, "entries"] == 1
    assert out.loc[2001, "exits"] == 2 and np.isnan(out.loc[2002, "exits"])
    assert out.loc[2001, "entry_rate"] == pytest.approx(1 / 2)
    assert out.loc[2001, "exit_rate"] == pytest.approx(2 / 3)


def test_patent_intensities():
    assert ind.patents_per_firm(10, 4) == 2.5
    assert ind.patents_per_10k_employees(3, 30000) == pytest.approx(1.0)
    assert ind.patents_per_rd(6, 3) == 2.0
    assert np.isnan(ind.patents_per_firm(1, 0))
    panel = pd.DataFrame(
        {"firm": [1, 2, 3], "region": ["a", "a", "b"], "industry": "x", "year": 2000,
         "patents": [2, 0, 5], "employees": [100, 100, np.nan], "rd": [1.0, 1.0, 2.0]}
    )
    out = ind.patent_indicators(panel).set_index("region")
    assert out.loc["a", "patents_per_firm"] == 1.0
    assert out.loc["a", "share_firms_patenting"] == 0.5
    assert out.loc["a", "patents_per_10k_employees"] == pytest.approx(100.0)
    assert np.isnan(out.loc["b", "patents_per_10k_employees"])
    assert out.loc["b", "patents_per_rd"] == 2.5


def test_patent_rd_elasticity_recovers_simulated_value():
    rng = np.random.default_rng(5)
    n_firms, years = 150, 6
    firm = np.repeat(np.arange(n_firms), years)
    year = np.tile(np.arange(2000, 2000 + years), n_firms)
    rd = np.exp(rng.normal(2, 1, n_firms))[firm] * np.exp(rng.normal(0, 0.3, firm.size))
    lam = np.exp(-1 + 0.6 * np.log(rd) + 0.1 * (year - 2000))
    pats = rng.poisson(lam)
    res = ind.patent_rd_elasticity(pd.DataFrame({"firm": firm, "year": year, "patents": pats, "rd": rd}))
    assert res.ci_low < 0.6 < res.ci_high
    assert abs(res.elasticity - 0.6) < 0.1
    assert res.n_firms == n_firms and res.year_effects


def test_patent_rd_elasticity_bad_input():
    with pytest.raises(InputError, match="rd"):
        ind.patent_rd_elasticity(pd.DataFrame({"firm": [1], "year": [1], "patents": [1]}))
    with pytest.raises(InputError):
        ind.patent_rd_elasticity(pd.DataFrame({"firm": [1, 2], "year": [1, 1], "patents": [1, 2], "rd": [1, 2]}))


def test_ellison_glaeser_and_maurel_sedillot_undefined_with_one_region():
    # every plant in one region: G = 0 = E[G]; plugging in would give gamma = -H/(1-H)
    e, reg, ind_ = [10, 20, 30, 5], [0, 0, 0, 0], ["a", "a", "a", "b"]
    for f in (ind.ellison_glaeser, ind.maurel_sedillot):
        r = f(e, reg, [100.0], ind_)
        assert r.gamma.isna().all(), f.__name__
        assert r.z_G.isna().all() and r.var_G.isna().all()
        assert (r.G == 0).all()
        h = (10**2 + 20**2 + 30**2) / 60**2
        assert r.H["a"] == pytest.approx(h)
    # two regions: defined again (not NaN) for the multi-plant industry
    r = ind.ellison_glaeser(e, [0, 1, 0, 1], [50.0, 50.0], ind_)
    assert np.isfinite(r.gamma["a"])
    # a single plant (H = 1) is undefined too
    assert np.isnan(r.gamma["b"])


def test_patent_rd_elasticity_duplicate_index():
    rng = np.random.default_rng(3)
    firm = np.repeat(np.arange(40), 4)
    year = np.tile(np.arange(2000, 2004), 40)
    rd = np.exp(rng.normal(2, 1, 40))[firm]
    pats = rng.poisson(np.exp(-1 + 0.5 * np.log(rd)))
    df = pd.DataFrame({"firm": firm, "year": year, "patents": pats, "rd": rd})
    ref = ind.patent_rd_elasticity(df)
    dup = pd.concat([df.iloc[:80], df.iloc[80:]])  # two halves, index repeated below
    dup.index = np.r_[np.arange(80), np.arange(80)]
    res = ind.patent_rd_elasticity(dup)
    assert res.elasticity == pytest.approx(ref.elasticity, rel=1e-12)
    assert res.n_obs == ref.n_obs == len(df)
