"""Global sensitivity analysis of a stored sweep with SALib.

* ``sobol`` sweeps: Sobol first-order ``S1``, total ``ST`` and (if designed) second-order
  ``S2`` indices with bootstrap confidence intervals (Saltelli 2002, Jansen estimator
  as in SALib);
* ``morris`` sweeps: elementary effects ``mu``, ``mu*`` (with interval) and ``sigma``
  (Campolongo et al. 2007);
* ``lhs`` and ``grid`` sweeps: Borgonovo's moment-independent ``delta`` and a
  first-order ``S1`` estimate, both with intervals (SALib ``delta``).

Replications are averaged per design point before the analysis, so the indices describe
the expected outcome; the replication noise that remains shows up as wider intervals and
as a small spurious share of variance. Every design point needs at least one
successful run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.deprecation import moved_keywords
from innocluster.errors import InputError
from innocluster.experiments.problem import Problem
from innocluster.experiments.store import ResultsStore


@dataclass
class SensitivityResult:
    """Indices of one outcome.

    Attributes
    ----------
    method : str
        ``sobol``, ``morris`` or ``delta``.
    outcome : str
    table : pandas.DataFrame
        One row per parameter (``S1``, ``S1_conf``, ``ST``, ``ST_conf`` / ``mu``,
        ``mu_star``, ``mu_star_conf``, ``sigma`` / ``delta``, ``delta_conf``, ``S1``,
        ``S1_conf``). ``*_conf`` is the half-width of the interval at ``conf_level``.
    second_order : pandas.DataFrame or None
        Sobol ``S2`` and ``S2_conf`` per parameter pair.
    conf_level : float
    n_points, n_runs : int
    """

    method: str
    outcome: str
    table: pd.DataFrame
    second_order: pd.DataFrame | None
    conf_level: float
    n_points: int
    n_runs: int


@moved_keywords({"name": "experiment"})
def analyze(store: str | Path | ResultsStore, outcome: str, experiment: str | None = None, *,
            num_resamples: int = 200, conf_level: float = 0.95, seed: int = 0) -> SensitivityResult:
    """Sensitivity indices of ``outcome`` in a stored sweep.

    Parameters
    ----------
    store : path or ResultsStore
    outcome : str
        A recorded outcome, or any ``METRIC@YEAR@REGION`` (computed from stored series;
        the region may be omitted when the sweep recorded outcomes, then the sweep's
        default region is used).
    experiment : str, optional
        Experiment name (default: the store's only experiment).
    num_resamples : int
        Bootstrap resamples for the intervals.
    conf_level : float
        Confidence level of the intervals.
    seed : int
        Seed of the bootstrap.
    """
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level = {conf_level}: must be between 0 and 1", param="conf_level")
    if num_resamples < 10:
        raise InputError(f"num_resamples = {num_resamples}: use at least 10", param="num_resamples")
    own = not isinstance(store, ResultsStore)
    st = ResultsStore(store, read_only=True) if own else store
    try:
        info = st.experiment(experiment)
        spec = info["spec"]
        if spec.get("kind") != "sweep":
            raise InputError(f"{st.path}: experiment {info['name']!r} is a {spec.get('kind')} experiment; "
                             f"sensitivity needs a sweep (innocluster sweep)")
        outcome = _canonical(outcome, spec, info["scenario_toml"])
        df = st.outcomes(info["name"], [outcome])
        design = st.design(info["name"])
    finally:
        if own:
            st.close()
    problem = Problem.from_dict(spec["problem"])
    n_points = len(design)
    y = df.groupby("sample")[outcome].mean()
    missing = sorted(set(range(n_points)) - set(y.index))
    if missing:
        raise InputError(f"{outcome}: {len(missing)} of {n_points} design points have no successful run "
                         f"(e.g. sample {missing[0]}); re-run the sweep command to complete them")
    nan = y.index[~np.isfinite(y.to_numpy())]
    if len(nan):
        raise InputError(f"{outcome}: not finite at {len(nan)} design points (e.g. sample {nan[0]}); "
                         f"choose another year or metric")
    Y = y.reindex(range(n_points)).to_numpy(dtype=float)
    X = design.to_numpy(dtype=float)
    prob = problem.as_salib()
    method = spec["method"]
    s2 = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if np.ptp(Y) == 0:
            raise InputError(f"{outcome}: constant across the design ({Y[0]:g}); nothing to attribute")
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(prob, Y, calc_second_order=bool(spec["second_order"]), num_resamples=num_resamples,
                                conf_level=conf_level, seed=seed)
            table = pd.DataFrame({"param": problem.names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                                  "ST": res["ST"], "ST_conf": res["ST_conf"]})
            if spec["second_order"]:
                pairs = [(i, j) for i in range(problem.num_vars) for j in range(i + 1, problem.num_vars)]
                s2 = pd.DataFrame({"param_i": [problem.names[i] for i, _ in pairs],
                                   "param_j": [problem.names[j] for _, j in pairs],
                                   "S2": [res["S2"][i, j] for i, j in pairs],
                                   "S2_conf": [res["S2_conf"][i, j] for i, j in pairs]})
            kind = "sobol"
        elif method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(prob, X, Y, num_resamples=num_resamples, conf_level=conf_level,
                                 num_levels=int(spec["levels"]), seed=seed)
            table = pd.DataFrame({"param": problem.names, "mu": res["mu"], "mu_star": res["mu_star"],
                                  "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]})
            kind = "morris"
        else:
            from SALib.analyze import delta

            import contextlib
            import io

            # SALib reports designs it cannot bin on stderr and carries on; the user gets
            # one line from us instead (below)
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), \
                    contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                res = delta.analyze(prob, X, Y, num_resamples=num_resamples, conf_level=conf_level, seed=seed)
            if "delta" not in res:  # SALib gives up on designs too small to bin (and only warns)
                raise InputError(f"{st.path}: experiment {info['name']!r} has {n_points} design points, too few "
                                 f"for delta indices; run a sweep with more samples (50 or more)")
            table = pd.DataFrame({"param": problem.names, "delta": res["delta"], "delta_conf": res["delta_conf"],
                                  "S1": res["S1"], "S1_conf": res["S1_conf"]})
            kind = "delta"
    return SensitivityResult(kind, outcome, table, s2, conf_level, n_points, int(len(df)))


def _canonical(outcome: str, spec: dict, scenario_toml: str) -> str:
    """Complete ``METRIC@YEAR`` with the sweep's default region (its first region)."""
    parts = outcome.split("@")
    if len(parts) == 2 and all(parts):
        import tomllib

        regions = [r["name"] for r in tomllib.loads(scenario_toml).get("regions", [])]
        if regions:
            return f"{outcome}@{regions[0]}"
    if len(parts) not in (2, 3) or not all(parts):
        raise InputError(f"outcome {outcome!r}: expected METRIC@YEAR[@REGION], e.g. patents_per_firm@last", param="outcome")
    return outcome


def plot(result: SensitivityResult, path: str | Path) -> Path:
    """Bar chart of the indices with their intervals (Sobol, delta) or the Morris
    ``mu*``-``sigma`` plane; written atomically (png, svg or pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from innocluster.atomic import atomic_write

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"path {path}: use a .png, .svg or .pdf file name", param="path")
    t = result.table
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(t) + 2), 4))
    level = f"{result.conf_level:.0%} interval"
    if result.method == "morris":
        ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", capsize=3)
        for _, row in t.iterrows():
            ax.annotate(row["param"], (row["mu_star"], row["sigma"]), textcoords="offset points", xytext=(4, 4))
        ax.set_xlabel(f"mu* (bars: {level})")
        ax.set_ylabel("sigma")
        ax.set_title(f"Morris screening: {result.outcome}")
    else:
        first, second = ("S1", "ST") if result.method == "sobol" else ("delta", "S1")
        x = np.arange(len(t))
        w = 0.38
        ax.bar(x - w / 2, t[first], w, yerr=t[f"{first}_conf"], capsize=3, label=first)
        ax.bar(x + w / 2, t[second], w, yerr=t[f"{second}_conf"], capsize=3, label=second)
        ax.set_xticks(x, t["param"], rotation=20, ha="right")
        ax.axhline(0, color="black", lw=0.5)
        ax.set_ylabel(f"index (bars: {level})")
        ax.set_title(f"{'Sobol' if result.method == 'sobol' else 'Delta'} indices: {result.outcome}")
        ax.legend()
    fig.tight_layout()

    def write(tmp: Path) -> None:
        fig.savefig(tmp, format=path.suffix.lstrip(".").lower(), dpi=120)

    atomic_write(path, write)
    plt.close(fig)
    return path
