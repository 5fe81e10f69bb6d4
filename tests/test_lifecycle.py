"""Life-cycle stages, lock-in / race-to-the-bottom detectors, growth-curve forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocluster.errors import InputError
from innocluster.lifecycle import (
    DetectorThresholds,
    StageThresholds,
    bass_cumulative,
    classify_stage,
    expanding_warnings,
    fit_bass,
    fit_gompertz,
    fit_logistic,
    gompertz,
    lock_in,
    logistic,
    race_to_the_bottom,
    stage_arrays,
    stage_signals,
)


def _life_cycle_series():
    # 6 budding years (2..8 firms), 15 years of 15 % growth, 10 flat, 10 of -10 %
    firms = np.r_[np.linspace(2, 8, 6), 8 * 1.15 ** np.arange(1, 16), np.full(10, 8 * 1.15**15),
                  8 * 1.15**15 * 0.9 ** np.arange(1, 11)]
    return pd.DataFrame({"year": np.arange(1980, 1980 + firms.size), "firms": firms, "employment": firms * 50})


def test_classify_stage_full_cycle():
    s = _life_cycle_series()
    st = classify_stage(s)
    assert list(st.index) == list(s["year"])
    assert (st.loc[1980:1985] == "emergence").all()
    assert (st.loc[1988:2000] == "growth").all()
    assert (st.loc[2002:2009] == "maturity").all()
    assert (st.loc[2011:] == "decline").all()
    # the order of stages is the life cycle
    firsts = [st[st == lab].index.min() for lab in ("emergence", "growth", "maturity", "decline")]
    assert firsts == sorted(firsts)


def test_classify_stage_thresholds_are_configurable():
    s = _life_cycle_series()
    # with a 20 %/yr growth threshold the 15 % years are no longer "growth"
    st = classify_stage(s, StageThresholds(growth_rate=0.2))
    assert not (st == "growth").any()
    st1 = classify_stage(s, StageThresholds(window=1))
    assert st1.loc[2015] == "decline"


def test_rising_heterogeneity_keeps_small_fast_growing_cluster_emerging():
    years = np.arange(2000, 2010)
    firms = 12 * 1.2 ** np.arange(10)
    base = pd.DataFrame({"year": years, "firms": firms})
    assert classify_stage(base).loc[2002] == "growth"
    rising = base.assign(tech_heterogeneity=np.linspace(1, 2, 10))
    assert classify_stage(rising).loc[2002] == "emergence"
    falling = base.assign(tech_heterogeneity=np.linspace(2, 1, 10))
    assert classify_stage(falling).loc[2002] == "growth"


def test_stage_signals_are_the_documented_smoothing_and_trend():
    rng = np.random.default_rng(3)
    s = _life_cycle_series()
    s["employment"] = s["employment"] * np.exp(rng.normal(0, 0.05, len(s)))
    s["tech_heterogeneity"] = 1 + np.cumsum(rng.normal(0, 0.05, len(s)))
    s.loc[[4, 17, 18], "employment"] = np.nan
    s.loc[[9, 30], "tech_heterogeneity"] = np.nan
    sig = stage_signals(s)
    # g: mean of the measured log growth rates of firms and employment, first year
    # repeated, centred 3-year rolling mean over measured values
    rates = pd.DataFrame({c: np.log(s[c]).diff() for c in ("firms", "employment")})
    raw = rates.mean(axis=1)
    raw.iloc[0] = raw.iloc[1]
    expected_g = raw.rolling(3, center=True, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(sig["growth"].to_numpy(), expected_g, rtol=1e-12, atol=1e-15)
    # h: OLS slope (np.polyfit) over a centred 3-year window of measured values / mean |level|
    het = s["tech_heterogeneity"].to_numpy()
    for k in range(len(s)):
        t = np.arange(max(0, k - 1), min(len(s), k + 2))
        ok = np.isfinite(het[t])
        if ok.sum() >= 2:
            slope = np.polyfit(t[ok], het[t][ok], 1)[0]
            assert sig["heterogeneity_trend"].iloc[k] == pytest.approx(slope / np.abs(het[t][ok]).mean(), rel=1e-9)
        else:
            assert np.isnan(sig["heterogeneity_trend"].iloc[k])
    # the array form (years in order) gives the DataFrame form's labels, also for shuffled rows
    labels, _, _ = stage_arrays(s["firms"], s["employment"], s["tech_heterogeneity"])
    assert labels.tolist() == classify_stage(s.sample(frac=1.0, random_state=1)).tolist()


def test_stage_arrays_bad_input():
    with pytest.raises(InputError, match="2 years"):
        stage_arrays([5])
    with pytest.raises(InputError, match="employment"):
        stage_arrays([5, 6, 7], employment=[1, 2])
    with pytest.raises(InputError, match="negative"):
        stage_arrays([5, -6, 7])
    with pytest.raises(InputError, match="one value per year"):
        stage_arrays(np.array([[10, 20], [30, 40]]))
    with pytest.raises(InputError, match="infinite"):
        classify_stage(pd.DataFrame({"year": range(5), "firms": [20, 22, np.inf, 26, 28]}))
    # a missing year is skipped, not a reason to relabel the years after it
    gap = classify_stage(pd.DataFrame({"year": range(8), "firms": [20, 22, 24, np.nan, 29, 32, 35, 39]}))
    assert (gap.drop(3) == "growth").all()


def test_docstring_examples_run():
    import doctest

    from innocluster.lifecycle import detectors, stages

    for module in (detectors, stages):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_classify_stage_bad_input():
    with pytest.raises(InputError, match="firms"):
        classify_stage(pd.DataFrame({"year": [1, 2], "employment": [1, 2]}))
    with pytest.raises(InputError):
        classify_stage(pd.DataFrame({"year": [1], "firms": [3]}))
    with pytest.raises(InputError):
        StageThresholds(window=2)
    with pytest.raises(InputError):
        classify_stage(pd.DataFrame({"year": [1, 1], "firms": [3, 4]}))


def test_lock_in_detects_and_explains():
    years = np.arange(2000, 2010)
    df = pd.DataFrame({
        "year": years,
        "tech_heterogeneity": np.linspace(1.0, 0.6, 10),
        "relatedness_flexibility": np.linspace(40, 25, 10),
        "external_tie_share": np.linspace(0.2, 0.08, 10),
        "mean_technology": np.full(10, 1.5),
    })
    r = lock_in(df)
    assert r.flag
    assert set(r.evidence["signals_fired"]) == {"tech_heterogeneity", "relatedness_flexibility", "external_tie_share", "productivity"}
    assert len(r.reasons) == 4 and any("closed network" in x for x in r.reasons)
    assert r.evidence["tech_heterogeneity"]["last"] == pytest.approx(0.6)
    healthy = df.assign(tech_heterogeneity=np.linspace(0.6, 1.0, 10), relatedness_flexibility=np.linspace(25, 40, 10),
                        external_tie_share=np.linspace(0.2, 0.4, 10), mean_technology=np.linspace(1, 1.5, 10))
    h = lock_in(healthy)
    assert not h.flag and h.evidence["signals_fired"] == []


def test_lock_in_uses_only_present_columns_and_says_when_it_cannot_judge():
    one = pd.DataFrame({"year": range(6), "tech_heterogeneity": np.linspace(1, 0.5, 6)})
    r = lock_in(one)
    assert not r.flag and "cannot judge" in r.reasons[0]
    two = one.assign(mean_technology=1.0)
    assert lock_in(two).flag
    assert not lock_in(two, DetectorThresholds(min_signals=3)).flag


def test_race_to_the_bottom():
    years = np.arange(2000, 2008)
    bad = pd.DataFrame({"year": years, "gvc_share_0": np.linspace(0.4, 0.6, 8), "margin": np.linspace(0.2, 0.12, 8),
                        "rd_intensity": np.linspace(0.02, 0.01, 8)})
    r = race_to_the_bottom(bad)
    assert r.flag and len(r.evidence["signals_fired"]) == 3
    good = bad.assign(gvc_share_0=np.linspace(0.6, 0.4, 8), margin=np.linspace(0.12, 0.2, 8))
    g = race_to_the_bottom(good)
    assert not g.flag and g.evidence["signals_fired"] == ["rd_intensity"]


def _wandering_series(seed: int, n: int = 24) -> pd.DataFrame:
    """Random walks in every detector column, some values missing, rows shuffled."""
    rng = np.random.default_rng(seed)

    def walk(start, sd):
        return start + np.cumsum(rng.normal(0, sd, n))

    df = pd.DataFrame({
        "year": np.arange(1990, 1990 + n),
        "tech_heterogeneity": np.abs(walk(1.0, 0.08)), "external_tie_share": np.clip(walk(0.2, 0.03), 0, 1),
        "mean_technology": walk(1.0, 0.01), "gvc_share_0": np.clip(walk(0.4, 0.02), 0, 1),
        "margin": walk(0.15, 0.01), "rd_intensity": np.abs(walk(0.02, 0.002)),
    })
    for col in ("tech_heterogeneity", "margin"):
        df.loc[rng.choice(n, 3, replace=False), col] = np.nan
    return df.sample(frac=1.0, random_state=seed)


@pytest.mark.parametrize("seed", range(8))
def test_expanding_warnings_judge_each_year_on_the_years_up_to_it(seed):
    df = _wandering_series(seed)
    flags = expanding_warnings(df, min_years=4)
    assert flags.index.tolist() == sorted(df["year"])
    for year, row in flags.iterrows():
        upto = df[df["year"] <= year]
        if len(upto) < 4:
            assert not row["lock_in"] and not row["race_to_bottom"]
        else:
            assert row["lock_in"] == lock_in(upto).flag
            assert row["race_to_bottom"] == race_to_the_bottom(upto).flag


def test_detectors_read_a_year_index_in_year_order_and_refuse_ambiguous_years():
    df = _wandering_series(3)  # shuffled rows
    by_index = df.set_index("year")  # shuffled year index
    for detector in (lock_in, race_to_the_bottom):
        assert detector(by_index).evidence == detector(df).evidence
    assert expanding_warnings(by_index).equals(expanding_warnings(df))
    with pytest.raises(InputError, match="appears twice"):
        lock_in(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(InputError, match="missing"):
        race_to_the_bottom(df.assign(year=df["year"].astype("Float64").mask(df.index == df.index[0])))
    with pytest.raises(InputError, match="'margin' appears twice"):
        race_to_the_bottom(pd.concat([df, df[["margin"]]], axis=1))
    # a duplicated column the detector does not read is no error
    assert lock_in(pd.concat([df, df[["margin"]]], axis=1)).evidence == lock_in(df).evidence


def test_expanding_warnings_fire_once_the_trend_turns_and_refuse_bad_input():
    years = np.arange(2000, 2012)
    margin = np.r_[np.full(6, 0.2), 0.2 * 0.85 ** np.arange(1, 7)]
    df = pd.DataFrame({"year": years, "margin": margin, "rd_intensity": margin / 10})
    flags = expanding_warnings(df)
    # margins and R&D intensity fall from 2006 on: the flag is raised in 2006, the
    # first year whose window shows the fall, and not before (no look-ahead)
    assert not flags.loc[:2005, "race_to_bottom"].any()
    assert flags.loc[2006:, "race_to_bottom"].all()
    assert not flags["lock_in"].any()  # no lock-in columns: nothing to judge
    with pytest.raises(InputError, match="min_years"):
        expanding_warnings(df, min_years=0)


def test_fits_recover_parameters_and_intervals_cover():
    rng = np.random.default_rng(0)
    t = np.arange(1980, 2011)
    y = np.maximum(logistic(t - 1980, 500, 0.3, 12) + rng.normal(0, 5, t.size), 0)
    r = fit_logistic(t, y)
    assert r.ok, r.message
    assert r.saturation == pytest.approx(500, rel=0.02)
    assert r.peak_time == pytest.approx(1992, abs=0.5)
    assert r.params["r"] == pytest.approx(0.3, rel=0.05)
    p = r.predict([1990, 2020])
    assert (p["lower"] < p["mean"]).all() and (p["mean"] < p["upper"]).all()
    pp = r.predict([1990, 2020], kind="prediction")
    assert (pp["upper"] - pp["lower"] > p["upper"] - p["lower"]).all()
    yg = np.maximum(gompertz(t - 1980, 300, 0.2, 10) + rng.normal(0, 3, t.size), 0)
    g = fit_gompertz(t, yg)
    assert g.ok and g.saturation == pytest.approx(300, rel=0.03) and g.peak_time == pytest.approx(1990, abs=0.7)
    yb = np.maximum(bass_cumulative(t - 1979, 1000, 0.01, 0.4) + rng.normal(0, 5, t.size), 0)
    b = fit_bass(t, yb)
    assert b.ok and b.saturation == pytest.approx(1000, rel=0.03)
    assert b.peak_time == pytest.approx(1979 + np.log(40) / 0.41, abs=0.7)


def test_delta_method_band_matches_monte_carlo():
    rng = np.random.default_rng(1)
    t = np.arange(0, 25.0)
    truth = logistic(t, 100, 0.4, 10)
    fits = [fit_logistic(t, np.maximum(truth + rng.normal(0, 2, t.size), 0)) for _ in range(150)]
    sat = np.array([f.saturation for f in fits if f.ok])
    se = np.median([f.se["K"] for f in fits if f.ok])
    assert sat.std() == pytest.approx(se, rel=0.3)


def test_bad_fits_say_so():
    t = np.arange(2000, 2008)
    r = fit_logistic(t[:3], [1, 2, 3])
    assert not r.ok and "too few points" in r.message
    with pytest.raises(InputError):
        r.predict([2010])
    # exponential phase only: the ceiling is not identified
    early = fit_logistic(np.arange(10), 5 * 1.3 ** np.arange(10))
    assert not early.ok and ("saturation" in early.message or "bound" in early.message)
    const = fit_gompertz(np.arange(8), np.full(8, 4.0))
    assert not const.ok and "constant" in const.message
    # a collapsing series: saturation below the last observation or not identified
    with pytest.raises(InputError):
        fit_logistic([1, 2, 3], [1, 2])
    with pytest.raises(InputError):
        fit_bass([1, 2, np.nan], [1, 2, 3])


def test_unidentified_fits_rejected_with_reason():
    # firm counts from the issue: R's nls stops with "singular gradient" here
    t = np.arange(2010, 2019)
    y = [43, 38, 44, 44, 43, 42, 41, 40, 31]
    for fit in (fit_logistic, fit_gompertz, fit_bass):
        r = fit(t, y)
        assert not r.ok, fit.__name__
        assert "not identified" in r.message or "outside the observed years" in r.message
        with pytest.raises(InputError):
            r.predict([2020])
    lg = fit_logistic(t, y)
    assert "standard error 0" in lg.message and "outside the observed years" in lg.message
    # a well-identified logistic still passes, with positive standard errors
    tt = np.arange(20.0)
    yy = logistic(tt, 100, 0.5, 10) + np.random.default_rng(0).normal(0, 1, 20)
    ok = fit_logistic(tt, yy)
    assert ok.ok, ok.message
    assert all(s > 0 for s in ok.se.values())


def test_inflection_outside_data_rejected():
    # the tail of a logistic whose bend happened before the data: inflection before t=10
    tt = np.arange(12.0, 30.0)
    yy = logistic(tt, 100, 0.5, 5) + np.random.default_rng(2).normal(0, 0.3, tt.size)
    r = fit_logistic(tt, yy)
    assert not r.ok and ("outside the observed years" in r.message or "not identified" in r.message)


def test_identification_rules_one_by_one():
    from innocluster.lifecycle.forecast import _identification_problems

    good = _identification_problems({"K": 100.0, "r": 0.5, "t0": 5.0}, {"K": 2.0, "r": 0.05, "t0": 0.3}, 5.0, 0, 10,
                                    "inflection")
    assert good == []
    zero = _identification_problems({"K": 100.0, "r": 0.5, "t0": 5.0}, {"K": 2.0, "r": 0.0, "t0": 0.3}, 5.0, 0, 10,
                                    "inflection")
    assert len(zero) == 1 and "r not identified" in zero[0] and "standard error 0" in zero[0]
    big = _identification_problems({"K": 100.0, "r": 0.5, "t0": 5.0}, {"K": 2.0, "r": 0.9, "t0": 0.3}, 5.0, 0, 10,
                                   "inflection")
    assert len(big) == 1 and "larger than the estimate" in big[0]
    nonfinite = _identification_problems({"K": 100.0, "r": 0.5, "t0": 5.0}, {"K": np.nan, "r": 0.05, "t0": 0.3}, 5.0,
                                         0, 10, "inflection")
    assert len(nonfinite) == 1 and "not finite" in nonfinite[0]
    # a location parameter with a large standard error relative to a value near 0 is fine
    loc = _identification_problems({"K": 100.0, "r": 0.5, "t0": 0.1}, {"K": 2.0, "r": 0.05, "t0": 0.3}, 0.1, 0, 10,
                                   "inflection")
    assert loc == []
    out = _identification_problems({"K": 100.0, "r": 0.5, "t0": -3.0}, {"K": 2.0, "r": 0.05, "t0": 0.3}, -3.0, 0, 10,
                                   "inflection")
    assert len(out) == 1 and "outside the observed years" in out[0]
