"""Equivalence of the Mesa reference (``benchmarks/mesa_reference``) and the engine's core mode.

Both models run the built-in ``core`` scenario with the same parameters (the same
``Scenario`` object), 300 initial firms, 30 years, 30 seeds each. Their random
streams necessarily differ (vectorised NumPy draws versus per-agent draws), so the
comparison is distributional. For each of

* the firm count,
* the mean technology ``A`` (unweighted, over firms alive), and
* the cumulative patents of the region (the engine's ``patents_cum`` row),

after year 30 the two samples of 30 values are declared equivalent when **both**

1. the two-sided two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``,
   exact) does not reject equality of the distributions at alpha = 0.01, **and**
2. the 99% Student-t confidence intervals of the two means overlap.

The criterion is not vacuous: ``test_criterion_detects_a_changed_core_parameter``
doubles ``zeta1`` (inventions per researcher-year) in the engine only, and the same
criterion must then flag cumulative patents and mean technology as different from the
Mesa baseline.

Seeds are fixed, so the outcome is deterministic; under exact equivalence each KS
test would still reject with probability 1% for an arbitrary choice of seeds.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.mesa_reference import CoreClusterModel, run_core  # noqa: E402
from innocluster.model.engine import ClusterModel  # noqa: E402
from innocluster.scenario import apply_overrides, load_scenario  # noqa: E402

FIRMS, YEARS, SEEDS = 300, 30, 30
ALPHA = 0.01
METRICS = ("firms", "tech_mean", "patents_cum")


def _engine_run(overrides: tuple[str, ...], seed: int) -> tuple[float, ...]:
    sc = apply_overrides(load_scenario("core"), list(overrides))
    m = ClusterModel(sc, seed=seed, firms=FIRMS)
    for _ in range(YEARS):
        m.step()
    row = m.world.history[-1]  # the engine's recorded region row of the last year
    return tuple(float(row[k]) for k in METRICS)


@functools.lru_cache(maxsize=None)
def engine_sample(overrides: tuple[str, ...] = ()) -> np.ndarray:
    return np.array([_engine_run(overrides, seed) for seed in range(1, SEEDS + 1)])


@functools.lru_cache(maxsize=None)
def mesa_sample() -> np.ndarray:
    sc = load_scenario("core")
    out = []
    for seed in range(10_001, 10_001 + SEEDS):  # other seeds than the engine's: the streams are unrelated anyway
        s = run_core(sc, seed=seed, years=YEARS, firms=FIRMS)
        out.append(tuple(float(s[k]) for k in METRICS))
    return np.array(out)


def _ci(x: np.ndarray, level: float = 1 - ALPHA) -> tuple[float, float]:
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return x.mean() - half, x.mean() + half


def compare(a: np.ndarray, b: np.ndarray) -> dict[str, dict]:
    """Per metric: KS p-value, both 99% CIs, and whether the criterion calls them equivalent."""
    out = {}
    for j, name in enumerate(METRICS):
        p = stats.ks_2samp(a[:, j], b[:, j], method="exact").pvalue
        ca, cb = _ci(a[:, j]), _ci(b[:, j])
        overlap = ca[0] <= cb[1] and cb[0] <= ca[1]
        out[name] = {"ks_p": p, "ci_a": ca, "ci_b": cb, "ks_ok": p >= ALPHA, "ci_ok": overlap,
                     "equivalent": p >= ALPHA and overlap}
    return out


def _report(res: dict) -> str:
    return "\n".join(f"{k}: KS p={v['ks_p']:.4f}, 99% CI engine [{v['ci_a'][0]:.4g}, {v['ci_a'][1]:.4g}] "
                     f"mesa [{v['ci_b'][0]:.4g}, {v['ci_b'][1]:.4g}]" for k, v in res.items())


def test_mesa_reference_matches_engine_core_mode():
    res = compare(engine_sample(), mesa_sample())
    assert all(v["equivalent"] for v in res.values()), _report(res)


def test_criterion_detects_a_changed_core_parameter():
    zeta1 = load_scenario("core").innovation.zeta1
    res = compare(engine_sample((f"innovation.zeta1={2 * zeta1}",)), mesa_sample())
    for k in ("patents_cum", "tech_mean"):
        assert not res[k]["ks_ok"] and not res[k]["ci_ok"], _report(res)


def test_mesa_reference_refuses_non_core_scenarios():
    import pytest

    with pytest.raises(ValueError, match="core"):
        CoreClusterModel(load_scenario("hsinchu"), seed=1, firms=50)
