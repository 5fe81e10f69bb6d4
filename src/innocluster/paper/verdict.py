"""From replications to a verdict: equivalence first, then a multiplicity-adjusted test.

Every test of a claim estimates an effect ``d`` (the mean paired difference
``arm_r - baseline_r`` over replications with common random numbers, a share of
replications minus a reference level, or a mean of per-run estimates minus a reference)
and carries a **negligible band** ``+/- b`` decided before anything runs and justified per
outcome (:data:`BANDS`). The rule, in this order:

1. **Equivalence (TOST).** Two one-sided tests of ``H0: d <= -b`` and ``H0: d >= b``
   (Schuirmann 1987; ``statsmodels.stats.weightstats.ttost_paired`` for paired arms,
   ``DescrStatsW.ttost_mean`` for a mean against a reference,
   ``statsmodels.stats.proportion.binom_tost`` for a share of replications). When the
   Holm-adjusted TOST p-value is below ``alpha`` the effect is shown to lie within the
   band: **not supported (negligible)** — whatever its sign or significance.
2. **Difference.** Otherwise, a two-sided test of ``d = 0`` (paired t-test, one-sample
   t-test, or exact binomial test) with its p-value **Holm-adjusted over every test of the
   run** (``statsmodels.stats.multitest.multipletests``, ``method="holm"``). Below
   ``alpha`` on the predicted side and with the estimate outside the band:
   **supported**; on the predicted side but with the estimate inside the band: a
   difference shown, its size not, so **depends** (an effect smaller than what the band
   calls negligible is not evidence for the claim, and without equivalence it is not
   evidence against it: Lakens, Scheel & Isager 2018, *Advances in Methods and Practices
   in Psychological Science* 1); on the other side: **not supported (opposite sign)**,
   whatever its size, because the claims are directional: an interval wholly below zero
   also lies wholly below ``+b``, so it rules out an effect that matters in the
   predicted direction.
3. Otherwise **depends** (undecided): neither a difference nor equivalence is shown.
   When the test's minimum detectable effect exceeds the band the reason says the
   experiment is underpowered, so that "depends" is read as "not decided by this
   experiment", not as evidence either way.

The **minimum detectable effect** (MDE) is the smallest true effect the test detects
with power ``POWER`` at level ``alpha`` (two-sided) given the replications used and the
observed spread: ``MDE = delta * sd`` where ``delta`` solves the t-test power equation
(``statsmodels.stats.power.TTestPower``), and ``(z_{1-a/2} + z_{power}) sqrt(p0 (1-p0) / n)``
for a share. ``mde_bonferroni`` is the same at ``alpha / m`` (the strictest step of Holm
over ``m`` tests). ``replications_for_band`` turns the power statement round: the
replications at which the MDE falls to the negligible band (:func:`replications_for_band`),
what a rerun needs so that the test cannot end undecided for want of power.

A claim with several primary tests (settings, outcomes) is *supported* only when every
primary test is, *not supported* when every primary test is not supported, and
*depends* otherwise (:func:`combine_verdicts`). Descriptive tests (e.g. the raw
inside-outside gap, which mixes endowments with location) are reported and enter the
Holm adjustment but not the claim's verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SUPPORTED, NOT_SUPPORTED, DEPENDS = "supported", "not supported", "depends"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, DEPENDS)
ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class Band:
    """Negligible band of one outcome: ``max(abs, rel * |baseline mean|)`` and why."""

    abs: float
    rel: float
    why: str

    def width(self, base_mean: float) -> float:
        rel = self.rel * abs(base_mean) if base_mean is not None and np.isfinite(base_mean) else 0.0
        return max(self.abs, rel)


_REL5 = ("5 % of the baseline mean: smaller differences in a count or ratio are below what the paper's "
         "statistics distinguish (Hsinchu's patents grew 12.6 % in one year)")
#: Negligible bands per outcome, fixed before any run. A test of an outcome missing here
#: falls back to :data:`DEFAULT_BAND`.
BANDS: dict[str, Band] = {
    "share_with_patent_late": Band(0.002, 0.0, "0.2 percentage points: a fifth of the paper's 1 % of China's SMEs "
                                               "holding patents"),
    "share_rd_active_late": Band(0.01, 0.0, "1 percentage point: well below the sampling error (3.6 pp) of the "
                                            "paper's 30 % R&D-active share in a survey of 160 firms"),
    "tech_growth": Band(0.01, 0.0, "0.01 log points over the run: a 1 % productivity level, about 0.03 % a year, "
                                   "far below measured regional TFP growth differences"),
    "avg_cost_late": Band(0.005, 0.0, "half a cent of cost per USD of output"),
    "min_ac": Band(0.005, 0.0, "half a cent of cost per USD of output"),
    "sme_survival": Band(0.002, 0.0, "0.2 percentage points of yearly survival: a fortieth of the 8-10 % yearly "
                                     "exit rate of business dynamics statistics"),
    "patents_per_firm_late": Band(0.001, 0.05, _REL5),
    "patents_total": Band(1.0, 0.05, _REL5),
    "cohort_patents": Band(1.0, 0.05, _REL5),
    "firms_late": Band(1.0, 0.05, _REL5),
    "zombie_share_late": Band(0.005, 0.0, "half a percentage point of firms"),
    "zombie_support_share_late": Band(0.005, 0.0, "half a percentage point of firms"),
    "constrained_among_rd_late": Band(0.01, 0.0, "1 percentage point: below the sampling error (3.3 pp) of the "
                                                 "paper's 78 % of 160 surveyed firms naming finance"),
    "absorption_success_rate_late": Band(0.01, 0.0, "1 percentage point of absorption attempts"),
    "lock_in_late": Band(0.1, 0.0, "one year in the detector's 10-year window"),
    "race_late": Band(0.1, 0.0, "one year in the detector's 10-year window"),
    "full_path": Band(0.1, 0.0, "10 percentage points of replications around the reference share"),
    "within_patenting": Band(0.002, 0.0, "0.2 percentage points of yearly patenting probability"),
    "within_rd_active": Band(0.01, 0.0, "1 percentage point of yearly R&D activity"),
    "within_tech_growth": Band(0.0005, 0.0, "0.0005 log points a year: the band of tech_growth spread over 20 years"),
    "within_unit_cost": Band(0.005, 0.0, "0.005 log points: half a percent of unit cost"),
}
DEFAULT_BAND = Band(0.0, 0.05, _REL5)


def band_for(outcome: str) -> Band:
    """The negligible band of ``outcome`` (:data:`BANDS`, else :data:`DEFAULT_BAND`)."""
    return BANDS.get(outcome, DEFAULT_BAND)


@dataclass
class Evidence:
    """Statistics of one test before the multiplicity adjustment."""

    effect: float
    ci_low: float
    ci_high: float
    n: int
    sd: float
    p_raw: float
    tost_p: float
    mde: float


def _nan_evidence(n: int = 0) -> Evidence:
    return Evidence(math.nan, math.nan, math.nan, n, math.nan, math.nan, math.nan, math.nan)


def t_mde(sd: float, n: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Minimum detectable mean (paired or one-sample) of a two-sided t-test.

    Examples
    --------
    >>> round(t_mde(1.0, 20), 2)
    0.66
    """
    if n < 2 or not np.isfinite(sd):
        return math.nan
    if sd == 0:
        return 0.0
    from statsmodels.stats.power import TTestPower

    try:
        d = TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided")
    except Exception:  # no solution (too few observations for this power)
        return math.inf
    return float(np.atleast_1d(d)[0]) * sd


def replications_for_band(*, kind: str, sd: float, band: float, reference: float = math.nan, alpha: float = ALPHA,
                          power: float = POWER) -> float:
    """Replications at which a test's minimum detectable effect falls to its negligible
    band: with that many, an effect as large as the band is detected with ``power`` at
    level ``alpha``, so the test can no longer end undecided for want of power.

    For a t-test (``kind`` ``paired`` or ``level``) the ``nobs`` solving the power
    equation at effect size ``band / sd`` (``statsmodels.stats.power.TTestPower``); for a
    share, ``((z_{1-a/2} + z_{power}) / band)^2 p0 (1 - p0)`` with ``p0 = reference``.
    Rounded up; NaN when the spread or the band is unknown.

    Examples
    --------
    >>> replications_for_band(kind="paired", sd=1.0, band=round(t_mde(1.0, 20), 6))
    20.0
    >>> replications_for_band(kind="share", sd=0.5, band=0.1, reference=0.5)
    197.0
    """
    if not (np.isfinite(band) and band > 0):
        return math.nan
    if kind == "share":
        if not np.isfinite(reference):
            return math.nan
        from scipy import stats

        z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
        return float(math.ceil(z * z * reference * (1 - reference) / (band * band)))
    if not np.isfinite(sd):
        return math.nan
    if sd == 0:
        return 2.0
    import warnings

    from statsmodels.stats.power import TTestPower

    with warnings.catch_warnings():  # a solver that does not converge returns NaN: searched below
        warnings.simplefilter("ignore")
        try:
            n = float(np.atleast_1d(TTestPower().solve_power(effect_size=band / sd, nobs=None, alpha=alpha,
                                                             power=power, alternative="two-sided"))[0])
        except Exception:
            n = math.nan
    if np.isfinite(n):
        return float(max(2, math.ceil(n - 1e-9)))

    def mde(k: int) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return t_mde(sd, k, alpha, power)

    # the smallest n with t_mde(sd, n) <= band: doubling, then bisection
    if mde(2) <= band:
        return 2.0
    low, high = 2, 4
    while mde(high) > band:
        low, high = high, 2 * high
        if high > 10**7:
            return math.inf
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if mde(mid) > band else (low, mid)
    return float(high)


def paired_evidence(arm: Sequence[float], base: Sequence[float], band: float, conf: float = 0.95,
                    alpha: float = ALPHA) -> Evidence:
    """Effect ``mean(arm - base)`` with a t-interval, paired t-test and paired TOST.

    Pairs with a NaN on either side are dropped.
    """
    from scipy import stats
    from statsmodels.stats.weightstats import ttost_paired

    x, y = np.asarray(arm, dtype=float), np.asarray(base, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    d = x - y
    n = d.size
    if n < 2:
        return _nan_evidence(n)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sd == 0:  # every pair identical: the effect is known exactly
        p_raw = 1.0 if mean == 0 else 0.0
        tost = 0.0 if abs(mean) < band else 1.0
        return Evidence(mean, mean, mean, n, 0.0, p_raw, tost, 0.0)
    half = stats.t.ppf(0.5 + conf / 2, n - 1) * sd / math.sqrt(n)
    p_raw = float(stats.ttest_1samp(d, 0.0).pvalue)
    tost = float(ttost_paired(x, y, -band, band)[0]) if band > 0 else 1.0
    return Evidence(mean, mean - half, mean + half, n, sd, p_raw, tost, t_mde(sd, n, alpha))


def level_evidence(values: Sequence[float], reference: float, band: float, conf: float = 0.95,
                   alpha: float = ALPHA) -> Evidence:
    """Effect ``mean(values) - reference`` (per-run estimates, e.g. a within-firm effect)."""
    from scipy import stats
    from statsmodels.stats.weightstats import DescrStatsW

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = v.size
    if n < 2:
        return _nan_evidence(n)
    mean, sd = float(v.mean()) - reference, float(v.std(ddof=1))
    if sd == 0:
        return Evidence(mean, mean, mean, n, 0.0, 1.0 if mean == 0 else 0.0, 0.0 if abs(mean) < band else 1.0, 0.0)
    half = stats.t.ppf(0.5 + conf / 2, n - 1) * sd / math.sqrt(n)
    ds = DescrStatsW(v)
    p_raw = float(ds.ttest_mean(reference)[1])
    tost = float(ds.ttost_mean(reference - band, reference + band)[0]) if band > 0 else 1.0
    return Evidence(mean, mean - half, mean + half, n, sd, p_raw, tost, t_mde(sd, n, alpha))


def share_evidence(successes: int, n: int, reference: float, band: float, alpha: float = ALPHA,
                   power: float = POWER) -> Evidence:
    """Effect ``k/n - reference`` with a Wilson interval, exact binomial test and binomial TOST."""
    from scipy import stats
    from statsmodels.stats.proportion import binom_tost, proportion_confint

    if n < 1:
        return _nan_evidence(n)
    p = successes / n
    lo, hi = proportion_confint(successes, n, alpha=1 - 0.95, method="wilson")
    p_raw = float(stats.binomtest(int(successes), n, reference).pvalue)
    low, upp = max(reference - band, 1e-9), min(reference + band, 1 - 1e-9)
    tost = float(binom_tost(int(successes), n, low, upp)[0]) if band > 0 else 1.0
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    mde = float(z * math.sqrt(reference * (1 - reference) / n))
    return Evidence(p - reference, lo - reference, hi - reference, n, math.sqrt(p * (1 - p)), p_raw, tost, mde)


def holm(pvalues: Sequence[float], alpha: float = ALPHA) -> np.ndarray:
    """Holm-adjusted p-values; NaN stays NaN and does not count towards ``m``.

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(2).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=alpha, method="holm")[1]
    return out


def decide(effect: float, direction: int, p_holm: float, tost_p_holm: float, band: float, mde: float = math.nan,
           alpha: float = ALPHA) -> tuple[str, str]:
    """Verdict and its reason for one test (the rule of the module docstring).

    Examples
    --------
    >>> decide(0.3, +1, 0.001, 0.9, 0.05)
    ('supported', 'difference in the predicted direction (Holm p < 0.05)')
    >>> decide(0.001, +1, 0.001, 0.01, 0.05)[0]          # significant but inside the band
    'not supported'
    >>> decide(0.04, +1, 0.001, 0.2, 0.05)[0]            # significant, inside the band, not equivalent
    'depends'
    >>> decide(-0.3, +1, 0.001, 0.9, 0.05)[1]
    'difference opposite to the prediction (Holm p < 0.05)'
    >>> decide(0.1, +1, 0.4, 0.3, 0.05, mde=0.2)
    ('depends', 'undecided: neither a difference nor equivalence; underpowered (MDE 0.2 > band 0.05)')
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    if band < 0:
        raise ValueError(f"negligible band must be >= 0, got {band!r}")
    if effect is None or not np.isfinite(effect):
        return DEPENDS, "no estimate (too few successful runs or no observations)"
    if band > 0 and np.isfinite(tost_p_holm) and tost_p_holm < alpha:
        return NOT_SUPPORTED, f"equivalent: effect within the negligible band ±{band:.3g} (TOST, Holm p < {alpha:g})"
    if np.isfinite(p_holm) and p_holm < alpha and effect != 0:
        if np.sign(effect) == direction and abs(effect) <= band:
            reason = (f"a difference in the predicted direction (Holm p < {alpha:g}) but inside the negligible "
                      f"band ±{band:.3g}, not shown equivalent to it")
            if np.isfinite(mde) and mde > band:
                reason += f"; underpowered for equivalence (MDE {mde:.3g} > band {band:.3g})"
            return DEPENDS, reason
        if np.sign(effect) == direction:
            return SUPPORTED, f"difference in the predicted direction (Holm p < {alpha:g})"
        return NOT_SUPPORTED, f"difference opposite to the prediction (Holm p < {alpha:g})"
    reason = "undecided: neither a difference nor equivalence"
    if np.isfinite(mde) and mde > band:
        reason += f"; underpowered (MDE {mde:.3g} > band {band:.3g})"
    elif mde == math.inf:
        reason += "; underpowered (too few replications for any MDE)"
    return DEPENDS, reason


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """One verdict from several tests: unanimous, or ``"depends"``.

    Examples
    --------
    >>> combine_verdicts(["supported", "supported"])
    'supported'
    >>> combine_verdicts(["supported", "not supported"])
    'depends'
    """
    vs = list(verdicts)
    bad = [v for v in vs if v not in VERDICTS]
    if bad:
        raise ValueError(f"unknown verdict {bad[0]!r}")
    if not vs:
        return DEPENDS
    if all(v == SUPPORTED for v in vs):
        return SUPPORTED
    if all(v == NOT_SUPPORTED for v in vs):
        return NOT_SUPPORTED
    return DEPENDS
