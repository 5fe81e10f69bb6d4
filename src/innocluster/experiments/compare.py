"""Policy arms compared with common random numbers.

Each arm is a list of ``--set`` overrides on one base scenario. Replication ``r`` of
every arm uses the same seed (:func:`~innocluster.experiments.seeds.replication_seed`),
so the arms face the same draws of firms, shocks and luck; the paired difference
``arm_r - baseline_r`` removes that shared noise and its interval is much narrower than
the difference of two independent means.

Intervals are Student-t intervals: ``mean +/- t_{1-a/2, n-1} * sd / sqrt(n)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.experiments.batch import BatchReport, RunSpec, run_batch
from innocluster.experiments.executors import make_executor
from innocluster.experiments.outcomes import parse_outcomes
from innocluster.experiments.seeds import replication_seed
from innocluster.experiments.store import ResultsStore, check_experiment_name
from innocluster.model.fingerprint import engine_fingerprint


@dataclass
class ArmComparison:
    """Result of :func:`compare_arms`.

    Attributes
    ----------
    summary : pandas.DataFrame
        arm, outcome, n, mean, sd, ci_low, ci_high.
    differences : pandas.DataFrame
        arm, baseline, outcome, n_pairs, diff, ci_low, ci_high, p_value (paired t-test).
    runs : pandas.DataFrame
        One row per successful run: arm, rep, seed, outcome columns.
    report : BatchReport or None
    """

    summary: pd.DataFrame
    differences: pd.DataFrame
    runs: pd.DataFrame
    report: BatchReport | None = None


def _interval(x: np.ndarray, conf: float) -> tuple[float, float, float, float]:
    from scipy import stats  # imported here: scipy.stats costs a second of CLI start-up

    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    mean = float(x.mean())
    if n < 2:
        return n, mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + conf / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return n, mean, mean - half, mean + half


def summarize_arms(runs: pd.DataFrame, outcomes: list[str], baseline: str | None = None,
                   conf: float = 0.95, arm_order: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Means with intervals per arm, and paired differences against ``baseline``.

    ``runs`` has columns ``arm``, ``rep`` and one column per outcome. Pairs are matched
    on ``rep`` (same seed); replications missing in either arm are left out.
    """
    arms = arm_order or list(dict.fromkeys(runs["arm"]))
    baseline = baseline or (arms[0] if arms else None)
    if baseline not in arms:
        raise InputError(f"--baseline {baseline!r}: no such arm; have {', '.join(arms)}")
    summ, diffs = [], []
    for oc in outcomes:
        base = runs[runs["arm"] == baseline].set_index("rep")[oc]
        for arm in arms:
            vals = runs.loc[runs["arm"] == arm, oc].to_numpy(dtype=float)
            n, mean, lo, hi = _interval(vals, conf)
            sd = float(np.nanstd(vals, ddof=1)) if n > 1 else np.nan
            summ.append({"arm": arm, "outcome": oc, "n": n, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
            if arm == baseline:
                continue
            this = runs[runs["arm"] == arm].set_index("rep")[oc]
            d = (this - base).dropna().to_numpy(dtype=float)
            n, mean, lo, hi = _interval(d, conf)
            p = np.nan
            if n > 1:
                from scipy import stats

                p = 1.0 if np.all(d == 0) else float(stats.ttest_1samp(d, 0.0).pvalue)
            diffs.append({"arm": arm, "baseline": baseline, "outcome": oc, "n_pairs": n, "diff": mean,
                          "ci_low": lo, "ci_high": hi, "p_value": p})
    cols_d = ["arm", "baseline", "outcome", "n_pairs", "diff", "ci_low", "ci_high", "p_value"]
    return pd.DataFrame(summ), pd.DataFrame(diffs, columns=cols_d)


def compare_arms(scenario, arms: dict[str, list[str]], *, replications: int, outcomes: list[str],
                 seed: int | None = None, years: int | None = None, firms: int | None = None,
                 overrides: list[str] = (), baseline: str | None = None, conf: float = 0.95,
                 executor="local", workers: int | None = None, scheduler: str | None = None, client=None,
                 retries: int = 2, store: str | Path | None = None, name: str = "arms",
                 progress=False, runner=None) -> ArmComparison:
    """Run every arm ``replications`` times with common random numbers and compare.

    Parameters
    ----------
    scenario : str, path or Scenario
    arms : dict of name -> list of str
        ``--set`` overrides per arm; ``[]`` is the scenario as it is.
    replications : int
    outcomes : list of str
        ``METRIC@YEAR[@REGION]``.
    seed : int, optional
        Root seed (default: the scenario's).
    baseline : str, optional
        Arm the others are compared with (default: the first).
    conf : float
        Confidence level of the intervals.
    store : path, optional
        Results store folder; the comparison is stored (and resumable) as experiment
        ``name``. Without it only the outcome scalars are kept, in memory.
    executor, workers, scheduler, client, retries, progress, runner
        See :func:`~innocluster.experiments.batch.run_batch`.

    Examples
    --------
    >>> cmp = compare_arms("hsinchu", {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"]},   # doctest: +SKIP
    ...                    replications=20, outcomes=["firms@last"], years=10, firms=500)
    >>> cmp.differences                                                                          # doctest: +SKIP
    """
    from innocluster.experiments.sweep import resolve_scenario
    from innocluster.scenario import apply_overrides

    if not arms:
        raise InputError("compare_arms: give at least one arm")
    if replications < 1:
        raise InputError(f"--replications = {replications}: must be at least 1")
    if not outcomes:
        raise InputError("compare_arms: give at least one --outcome")
    if not 0 < conf < 1:
        raise InputError(f"--conf-level = {conf}: must be between 0 and 1")
    names = list(arms)
    if baseline is not None and baseline not in names:
        raise InputError(f"--baseline {baseline!r}: no such arm; have {', '.join(names)}")
    sc = resolve_scenario(scenario, overrides, years)
    for arm, ov in arms.items():
        apply_overrides(sc, list(ov), source=f"arm {arm}")  # fail before anything runs
    ocs = parse_outcomes(outcomes, sc)
    root = int(sc.seed if seed is None else seed)
    specs = [RunSpec(i, r, replication_seed(root, r), tuple(arms[a]))
             for i, a in enumerate(names) for r in range(replications)]
    ex = make_executor(executor, workers, scheduler, client)
    kw = dict(outcomes=ocs, years=sc.years, firms=firms, executor=ex, retries=retries, progress=progress,
              runner=runner, total=len(specs))
    oc_names = [o.name for o in ocs]
    with ex:
        if store is None:
            report = run_batch(sc, specs, **kw)
        else:
            report, runs = _stored(sc, scenario, store, name, overrides, arms, names, replications, root, firms,
                                   oc_names, specs, kw)
    if store is None:
        runs = report.outcomes.copy()
        runs.insert(0, "arm", [names[s] for s in runs["sample"]])
    summary, differences = summarize_arms(runs, oc_names, baseline, conf, names)
    return ArmComparison(summary, differences, runs, report)


def _stored(sc, scenario, store, name, overrides, arms, names, replications, root, firms, oc_names, specs, kw):
    """Register the arms experiment in the store (or resume it), run, read the outcomes back."""
    from innocluster.scenario import scenario_to_toml

    check_experiment_name(name)
    spec = {"kind": "arms", "scenario": str(scenario if isinstance(scenario, (str, Path)) else sc.name),
            "overrides": list(overrides), "arms": {a: list(v) for a, v in arms.items()},
            "arm_order": names, "replications": int(replications), "seed": root, "years": int(sc.years),
            "firms": firms, "outcomes": oc_names, "common_random_numbers": True,
            "engine": engine_fingerprint()}
    with ResultsStore(store, create=True) as st:
        if st.ensure_experiment(name, "arms", spec, scenario_to_toml(sc), [(a, list(arms[a])) for a in names]):
            st.repair(name)
        report = run_batch(sc, specs, store=st, experiment=name, **kw)
        runs = st.outcomes(name, oc_names).rename(columns={"label": "arm"})
    return report, runs
