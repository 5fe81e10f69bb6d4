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

from innocluster.deprecation import EXECUTION_KEYWORDS, moved_keywords
from innocluster.errors import InputError
from innocluster.experiments.batch import BatchReport, RunSpec, _run_batch
from innocluster.experiments.execution import Execution, as_execution
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
                   conf_level: float = 0.95, arm_order: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Means with intervals per arm, and paired differences against ``baseline``.

    ``runs`` has columns ``arm``, ``rep`` and one column per outcome. Pairs are matched
    on ``rep`` (same seed); replications missing in either arm are left out.
    """
    arms = arm_order or list(dict.fromkeys(runs["arm"]))
    baseline = baseline or (arms[0] if arms else None)
    if baseline not in arms:
        raise InputError(f"baseline {baseline!r}: no such arm; have {', '.join(arms)}", param="baseline")
    summ, diffs = [], []
    for oc in outcomes:
        base = runs[runs["arm"] == baseline].set_index("rep")[oc]
        for arm in arms:
            vals = runs.loc[runs["arm"] == arm, oc].to_numpy(dtype=float)
            n, mean, lo, hi = _interval(vals, conf_level)
            sd = float(np.nanstd(vals, ddof=1)) if n > 1 else np.nan
            summ.append({"arm": arm, "outcome": oc, "n": n, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
            if arm == baseline:
                continue
            this = runs[runs["arm"] == arm].set_index("rep")[oc]
            d = (this - base).dropna().to_numpy(dtype=float)
            n, mean, lo, hi = _interval(d, conf_level)
            p = np.nan
            if n > 1:
                from scipy import stats

                p = 1.0 if np.all(d == 0) else float(stats.ttest_1samp(d, 0.0).pvalue)
            diffs.append({"arm": arm, "baseline": baseline, "outcome": oc, "n_pairs": n, "diff": mean,
                          "ci_low": lo, "ci_high": hi, "p_value": p})
    cols_d = ["arm", "baseline", "outcome", "n_pairs", "diff", "ci_low", "ci_high", "p_value"]
    return pd.DataFrame(summ), pd.DataFrame(diffs, columns=cols_d)


@moved_keywords({"conf": "conf_level", "name": "experiment"}, execution=EXECUTION_KEYWORDS)
def compare_arms(scenario, arms: dict[str, list[str]], *, outcomes: list[str], replications: int = 20,
                 seed: int | None = None, years: int | None = None, firms: int | None = None,
                 overrides: list[str] = (), baseline: str | None = None, conf_level: float = 0.95,
                 store: str | Path | None = None, experiment: str = "arms", execution: Execution | None = None,
                 runner=None) -> ArmComparison:
    """Run every arm ``replications`` times with common random numbers and compare.

    Parameters
    ----------
    scenario : Scenario, str or path
    arms : dict of name -> list of str
        ``key=value`` overrides per arm; ``[]`` is the scenario as it is.
    outcomes : list of str
        ``METRIC@YEAR[@REGION]``.
    replications : int
        Runs per arm; replication ``r`` of every arm uses the same seed.
    seed : int, optional
        Root seed (default: the scenario's).
    years, firms : int, optional
        Simulation length and size.
    overrides : list of str
        ``key=value`` overrides applied to every arm.
    baseline : str, optional
        Arm the others are compared with (default: the first).
    conf_level : float
        Confidence level of the intervals.
    store : path, optional
        Results store folder; the comparison is stored (and resumable) as
        ``experiment``. Without it only the outcome scalars are kept, in memory.
    experiment : str
        Experiment name in the store.
    execution : Execution, optional
        Executor, workers, retries and progress (:class:`~innocluster.experiments.Execution`).
    runner : callable, optional
        Replaces the engine (see :func:`~innocluster.experiments.batch.run_batch`).

    Examples
    --------
    >>> cmp = compare_arms("hsinchu", {"base": [], "no_spinoffs": ["mechanisms.spinoffs=false"]},   # doctest: +SKIP
    ...                    replications=20, outcomes=["firms@last"], years=10, firms=500)
    >>> cmp.differences                                                                          # doctest: +SKIP
    """
    from innocluster.experiments.sweep import resolve_scenario
    from innocluster.scenario import apply_overrides

    execution = as_execution(execution)
    if not isinstance(arms, dict) or not arms:
        raise InputError("arms: give a dict of arm name -> list of key=value overrides, e.g. "
                         "{'base': [], 'no_spinoffs': ['mechanisms.spinoffs=false']}", param="arms")
    if replications < 1:
        raise InputError(f"replications = {replications}: must be at least 1", param="replications")
    if not outcomes:
        raise InputError("outcomes: give at least one, e.g. ['patents_per_firm@last']", param="outcomes")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level = {conf_level}: must be between 0 and 1", param="conf_level")
    names = list(arms)
    if baseline is not None and baseline not in names:
        raise InputError(f"baseline {baseline!r}: no such arm; have {', '.join(names)}", param="baseline")
    sc = resolve_scenario(scenario, overrides, years)
    if firms is not None:
        from innocluster.scenario.io import check_run_setting

        firms = check_run_setting("firms", firms)
    for arm, ov in arms.items():
        apply_overrides(sc, list(ov), source=f"arm {arm}")  # fail before anything runs
    ocs = parse_outcomes(outcomes, sc)
    root = int(sc.seed if seed is None else seed)
    specs = [RunSpec(i, r, replication_seed(root, r), tuple(arms[a]))
             for i, a in enumerate(names) for r in range(replications)]
    if store is not None:
        check_experiment_name(experiment)
    ex = execution.start()
    kw = dict(outcomes=ocs, years=sc.years, firms=firms, runner=runner, total=len(specs))
    oc_names = [o.name for o in ocs]
    try:
        bar = execution.progress_bar("arms")
        if store is None:
            report = _run_batch(sc, specs, ex, bar, execution.retries, **kw)
        else:
            report, runs = _stored(sc, scenario, store, experiment, overrides, arms, names, replications, root,
                                   firms, oc_names, specs, ex, bar, execution.retries, kw)
    finally:
        if execution.owns(ex):
            ex.close()
    if store is None:
        runs = report.outcomes.copy()
        runs.insert(0, "arm", [names[s] for s in runs["sample"]])
    summary, differences = summarize_arms(runs, oc_names, baseline, conf_level, names)
    return ArmComparison(summary, differences, runs, report)


def _stored(sc, scenario, store, name, overrides, arms, names, replications, root, firms, oc_names, specs, ex, bar,
            retries, kw):
    """Register the arms experiment in the store (or resume it), run, read the outcomes back."""
    from innocluster.scenario import scenario_to_toml

    spec = {"kind": "arms", "scenario": str(scenario if isinstance(scenario, (str, Path)) else sc.name),
            "overrides": list(overrides), "arms": {a: list(v) for a, v in arms.items()},
            "arm_order": names, "replications": int(replications), "seed": root, "years": int(sc.years),
            "firms": firms, "outcomes": oc_names, "common_random_numbers": True,
            "engine": engine_fingerprint()}
    with ResultsStore(store, create=True) as st:
        if st.ensure_experiment(name, "arms", spec, scenario_to_toml(sc), [(a, list(arms[a])) for a in names]):
            st.repair(name)
        report = _run_batch(sc, specs, ex, bar, retries, store=st, experiment=name, **kw)
        runs = st.outcomes(name, oc_names).rename(columns={"label": "arm"})
    return report, runs
