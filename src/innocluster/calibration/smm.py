"""Calibration by the simulated method of moments (SMM).

For a parameter vector ``theta`` the model is run ``R`` times with the *same* R seeds
for every candidate (common random numbers: the objective is then a smooth,
deterministic function of ``theta`` and differences between candidates are not masked
by simulation noise). Each target ``k`` gets its simulated moment ``m_k(theta)``, the
mean over replications, and the objective is

``J(theta) = sum_k w_k ((m_k(theta) - y_k) / tol_k)^2``

(a diagonal weighting by the stated tolerances; McFadden 1989, Lee & Ingram 1991).

Optimiser (documented choice): a Latin-hypercube design of ``initial_design``
candidates over the parameter box (log scale where asked), then rounds of adaptive
random search with a shrinking box (each round a Latin hypercube of ``round_size``
candidates in a box around the best point so far, half as wide as the last; a
cross-entropy-style search, Rubinstein 1999) until ``max_evaluations`` candidates
have been evaluated. Every round is one parallel batch. A simulated objective has no
gradients and stays noisy even under common random numbers (a parameter change
shifts how many random draws a run makes), which is why a population method is used
rather than a simplex or gradient search. Against the winner's curse, the best
``finalists`` candidates are re-evaluated on twice as many fresh seeds and the best
of them is kept. The calibrated parameters are then validated with fresh
replications and each target reported with its simulated mean and 95 % interval.

Identification (:func:`identification`): how well the targets pin each parameter
down. At the optimum the moments' response to each parameter is measured by central
differences under common random numbers, ``G = dm / dtheta`` (in the search's scale: the
log of a parameter searched on a log scale), and scaled by the tolerances,
``Z = diag(1 / tol) G``. ``(Z'Z)^-1`` is the covariance of the parameters implied by
targets known to within their tolerances (the SMM covariance with the tolerances as
the moments' standard errors: Lee & Ingram 1991; McFadden 1989), and its diagonal
gives each parameter a 95 % interval. A parameter is flagged *not identified* when
the targets are fewer than the free parameters, when ``Z'Z`` is singular (a parameter
the targets do not respond to, or two that move them alike), or when its interval
spans more than half of its search range (Iskrev 2010 and Canova & Sala 2009 on
local identification in models calibrated to moments).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from innocluster.calibration.targets import TargetsFile
from innocluster.deprecation import EXECUTION_KEYWORDS, moved_keywords
from innocluster.errors import InputError


def _fmt(v: float) -> str:
    return f"{v:.6g}"


@dataclass
class CalibrationResult:
    """Outcome of :func:`calibrate`.

    Attributes
    ----------
    parameters : dict
        Calibrated value of each free parameter.
    objective : float
        ``J`` at the optimum (with the calibration seeds).
    table : pandas.DataFrame
        One row per target: value, tolerance, simulated mean, 95 % interval, within.
    history : pandas.DataFrame
        Every evaluated candidate with its objective.
    scenario : Scenario
        The scenario with the calibrated parameters.
    """

    parameters: dict
    objective: float
    table: pd.DataFrame
    history: pd.DataFrame
    scenario: object
    evaluations: int = 0
    notes: list[str] = field(default_factory=list)
    identification: pd.DataFrame | None = None  # one row per parameter (:func:`identification`)

    @property
    def all_within(self) -> bool:
        return bool(self.table["within_tolerance"].all())


class MomentEvaluator:
    """Runs candidates through the experiments machinery and returns their moments.

    Parameters
    ----------
    scenario : Scenario
    tf : TargetsFile
    execution : Execution, optional
        Executor settings; the executor is started here and kept for every batch
        (:meth:`close` ends it).
    executor : Executor, optional
        A running executor to share instead (not closed by :meth:`close`).
    """

    def __init__(self, scenario, tf: TargetsFile, execution=None, executor=None):
        from innocluster.experiments.execution import Execution, as_execution
        from innocluster.experiments.outcomes import parse_outcomes

        if isinstance(scenario, TargetsFile):  # the earlier order (targets, scenario)
            warnings.warn("MomentEvaluator(): the scenario comes first now, the targets second",
                          DeprecationWarning, stacklevel=2)
            scenario, tf = tf, scenario
        if isinstance(executor, str):  # the earlier executor="serial" / "local"
            warnings.warn(f"MomentEvaluator(): pass execution=Execution(executor={executor!r})",
                          DeprecationWarning, stacklevel=2)
            execution, executor = Execution(executor=executor), None
        self.tf = tf
        self.scenario = scenario
        self.regions = [r.name for r in scenario.regions]
        names = sorted({n for t in tf.targets for n in t.outcomes(self.regions)})
        self.outcomes = parse_outcomes(names, scenario, tf.years)
        self.execution = as_execution(execution)
        self._own = executor is None
        self.executor = self.execution.start() if executor is None else executor
        self.evaluations = 0

    def close(self) -> None:
        if self._own and self.execution.owns(self.executor):
            self.executor.close()

    def run(self, candidates: list[list[str]], seeds: list[int], progress: bool | None = None) -> pd.DataFrame:
        """Per-replication moments of every candidate: columns sample, rep, <target names>."""
        from innocluster.experiments.batch import RunSpec, _run_batch
        from innocluster.experiments.progress import NullProgress

        specs = [RunSpec(i, r, s, tuple(ov)) for i, ov in enumerate(candidates) for r, s in enumerate(seeds)]
        bar = self.execution.progress_bar("calibration") if progress in (None, True) else NullProgress()
        rep = _run_batch(self.scenario, specs, self.executor, bar, self.execution.retries, outcomes=self.outcomes,
                         years=self.tf.years, firms=self.tf.firms, total=len(specs))
        if rep.failed:
            s, r, err = rep.failures[0]
            raise InputError(f"calibration: a run failed ({err}); check the parameter ranges")
        self.evaluations += len(candidates)
        out = rep.outcomes
        rows = []
        for _, row in out.iterrows():
            vals = {o.name: row[o.name] for o in self.outcomes}
            d = {"sample": int(row["sample"]), "rep": int(row["rep"])}
            for t in self.tf.targets:
                d[t.name] = t.moment(vals, self.regions)
            rows.append(d)
        return pd.DataFrame(rows)


def _objective(moments: pd.DataFrame, tf: TargetsFile) -> pd.Series:
    means = moments.groupby("sample")[[t.name for t in tf.targets]].mean()
    j = pd.Series(0.0, index=means.index)
    for t in tf.targets:
        dev = (means[t.name] - t.value) / t.tolerance
        j = j + t.weight * dev.fillna(1e6) ** 2
    return j


def _to_values(u: np.ndarray, tf: TargetsFile) -> list[float]:
    out = []
    for x, p in zip(np.clip(u, 0.0, 1.0), tf.parameters):
        if p.log:
            out.append(float(math.exp(math.log(p.low) + x * (math.log(p.high) - math.log(p.low)))))
        else:
            out.append(float(p.low + x * (p.high - p.low)))
    return out


def _to_unit(values: list[float], tf: TargetsFile) -> np.ndarray:
    out = []
    for v, p in zip(values, tf.parameters):
        v = min(max(v, p.low), p.high)
        if p.log:
            out.append((math.log(v) - math.log(p.low)) / (math.log(p.high) - math.log(p.low)))
        else:
            out.append((v - p.low) / (p.high - p.low))
    return np.array(out)


def _overrides(values: list[float], tf: TargetsFile) -> list[str]:
    return [f"{p.name}={_fmt(v)}" for p, v in zip(tf.parameters, values)]


def target_table(moments: pd.DataFrame, tf: TargetsFile, level: float = 0.95) -> pd.DataFrame:
    """Each target with its simulated mean, standard deviation and interval over replications."""
    rows = []
    for t in tf.targets:
        x = moments[t.name].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        n = x.size
        mean = float(x.mean()) if n else math.nan
        sd = float(x.std(ddof=1)) if n > 1 else 0.0
        half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
        rows.append({"target": t.name, "metric": t.metric, "region": t.region, "year": t.year, "kind": t.kind,
                     "value": t.value, "tolerance": t.tolerance, "simulated_mean": mean, "simulated_sd": sd,
                     "ci_low": mean - half, "ci_high": mean + half, "replications": n,
                     "within_tolerance": bool(abs(mean - t.value) <= t.tolerance), "source": t.source})
    return pd.DataFrame(rows)


@moved_keywords(execution=EXECUTION_KEYWORDS)
def calibrate(scenario, targets, *, execution=None, validation_replications: int | None = None,
              log=None) -> CalibrationResult:
    """Calibrate ``scenario``'s free parameters to the targets by SMM.

    Parameters
    ----------
    scenario : Scenario, str or path
        Starting point (or a built-in name or ``.toml`` path); its current values seed
        the search.
    targets : TargetsFile, str or path
        The targets file (:func:`~innocluster.calibration.load_targets`), or its path,
        or the name of a shipped one (``"hsinchu"``).
    execution : Execution, optional
        Executor, workers, retries and progress (:class:`~innocluster.experiments.Execution`).
    validation_replications : int, optional
        Fresh replications for the final report (default: 2 x the targets' replications).
    log : callable, optional
        Receives progress messages.

    Returns
    -------
    CalibrationResult
    """
    from innocluster.calibration.targets import load_targets
    from innocluster.experiments.seeds import replication_seed
    from innocluster.scenario import apply_overrides
    from innocluster.scenario.io import resolve_scenario

    if isinstance(scenario, TargetsFile) and not isinstance(targets, TargetsFile):
        raise TypeError("calibrate(scenario, targets): the scenario comes first now, the targets second "
                        "(one call shape across innocluster's Python API; see docs/api.md)")
    scenario = resolve_scenario(scenario)
    tf = targets if isinstance(targets, TargetsFile) else load_targets(targets)
    if validation_replications is not None and validation_replications < 2:
        raise InputError(f"validation_replications = {validation_replications}: need at least 2 for an interval",
                         param="validation_replications")
    for p in tf.parameters:  # the free parameters must exist in the scenario (checked before any run)
        _lookup(scenario, p.name)
    say = log or (lambda *_: None)
    seeds = [replication_seed(tf.seed, r) for r in range(tf.replications)]
    ev = MomentEvaluator(scenario, tf, execution)
    history: list[dict] = []
    try:
        if not tf.parameters:
            best_vals: list[float] = []
            best_j = float(_objective(ev.run([[]], seeds), tf).iloc[0])
        else:
            start = [float(_lookup(scenario, p.name)) for p in tf.parameters]
            units = [_to_unit(start, tf)]
            if tf.initial_design:
                sampler = qmc.LatinHypercube(d=len(tf.parameters), seed=tf.seed)
                units += list(sampler.random(tf.initial_design))
            cands = [_to_values(u, tf) for u in units]
            say(f"initial design: {len(cands)} candidates x {tf.replications} replications")
            j = _objective(ev.run([_overrides(c, tf) for c in cands], seeds), tf)
            for c, jj in zip(cands, j.to_numpy()):
                history.append({**{p.name: v for p, v in zip(tf.parameters, c)}, "objective": float(jj), "stage": "design"})
            units = np.array(units)
            scores = j.to_numpy().astype(float)
            say(f"best design point J = {scores.min():.4g}")
            width = 0.5
            k = len(tf.parameters)
            evaluated = len(units)
            rnd = 0
            while evaluated < len(units) + tf.max_evaluations - 1e-9 and width > 0.01:
                rnd += 1
                centre = units[int(np.argmin(scores))]
                n_round = min(tf.round_size, tf.max_evaluations - (evaluated - (tf.initial_design + 1)))
                if n_round <= 0:
                    break
                lhs = qmc.LatinHypercube(d=k, seed=tf.seed + rnd).random(n_round)
                lo = np.clip(centre - width / 2, 0.0, 1.0)
                hi = np.clip(centre + width / 2, 0.0, 1.0)
                new_units = lo + lhs * (hi - lo)
                cands = [_to_values(u, tf) for u in new_units]
                jr = _objective(ev.run([_overrides(c, tf) for c in cands], seeds, progress=False), tf).to_numpy()
                for c, jj in zip(cands, jr):
                    history.append({**{p.name: v for p, v in zip(tf.parameters, c)}, "objective": float(jj),
                                    "stage": f"round {rnd}"})
                units = np.vstack([units, new_units])
                scores = np.concatenate([scores, jr])
                evaluated += n_round
                width *= 0.5 if jr.min() >= scores[:-n_round].min() else 0.75
                say(f"round {rnd}: best J so far {scores.min():.4g} (box width {width:.3g})")
            # winner's curse: re-evaluate the finalists on fresh seeds, keep the best
            top = np.argsort(scores)[: max(1, tf.finalists)]
            check_seeds = [replication_seed(tf.seed + 7, r) for r in range(2 * tf.replications)]
            finals = [_to_values(units[i], tf) for i in top]
            jf = _objective(ev.run([_overrides(c, tf) for c in finals], check_seeds, progress=False), tf).to_numpy()
            for c, jj in zip(finals, jf):
                history.append({**{p.name: v for p, v in zip(tf.parameters, c)}, "objective": float(jj),
                                "stage": "finalist re-evaluation"})
            best_vals = finals[int(np.argmin(jf))]
            best_j = float(jf.min())
            say(f"finalists re-evaluated on {len(check_seeds)} fresh seeds: J = {best_j:.4g}")
        calibrated = apply_overrides(scenario, _overrides(best_vals, tf))
        n_val = validation_replications or 2 * tf.replications
        # fresh seeds for validation: a different root so the report is out of sample
        val_seeds = [replication_seed(tf.seed + 1, r) for r in range(n_val)]
        val = MomentEvaluator(calibrated, tf, ev.execution, executor=ev.executor)  # shares the pool
        table = target_table(val.run([[]], val_seeds), tf)
        ident = identification(ev, tf, best_vals, seeds) if tf.parameters else None
    finally:
        ev.close()
    params = {p.name: v for p, v in zip(tf.parameters, best_vals)}
    notes = []
    if len(tf.targets) < len(tf.parameters):
        notes.append(f"{len(tf.targets)} targets for {len(tf.parameters)} free parameters: at least "
                     f"{len(tf.parameters) - len(tf.targets)} of them cannot be identified")
    if ident is not None and not ident["identified"].all():
        weak = ", ".join(ident.loc[~ident["identified"], "parameter"])
        notes.append(f"not identified by these targets: {weak}")
    return CalibrationResult(params, best_j, table, pd.DataFrame(history), calibrated, ev.evaluations, notes, ident)


def identification(ev: MomentEvaluator, tf: TargetsFile, values: list[float], seeds: list[int],
                   step: float = 0.05, level: float = 0.95) -> pd.DataFrame:
    """How well the targets pin down each free parameter at ``values`` (the rule in
    the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter``, ``value``, ``ci_low``, ``ci_high`` (the
        95 % interval, clipped to the search range), ``share_of_range`` (the interval's
        width over the range, in the search's scale), ``identified`` and ``note``.
    """
    k, names = len(tf.parameters), [t.name for t in tf.targets]
    u0 = _to_unit(values, tf)
    lo, hi = np.clip(u0 - step, 0.0, 1.0), np.clip(u0 + step, 0.0, 1.0)
    cands = []
    for j in range(k):
        for end in (lo[j], hi[j]):
            u = u0.copy()
            u[j] = end
            cands.append(_overrides(_to_values(u, tf), tf))
    means = ev.run(cands, seeds, progress=False).groupby("sample")[names].mean().to_numpy(dtype=float)
    tol = np.array([t.tolerance / math.sqrt(t.weight) for t in tf.targets])
    Z = np.zeros((len(names), k))
    for j in range(k):
        Z[:, j] = (means[2 * j + 1] - means[2 * j]) / max(hi[j] - lo[j], 1e-12) / tol
    Z = np.nan_to_num(Z)
    z = stats.norm.ppf(0.5 + level / 2)
    # directions of the parameters that move no target: the null space of Z
    _, sv, vt = np.linalg.svd(Z, full_matrices=True)
    sv = np.r_[sv, np.zeros(k - sv.size)]
    null = vt[sv <= 1e-6 * max(sv.max(initial=0.0), 1e-300)]
    kept = vt[sv > 1e-6 * max(sv.max(initial=0.0), 1e-300)]
    cov = kept.T @ np.diag(1.0 / sv[sv > 1e-6 * max(sv.max(initial=0.0), 1e-300)] ** 2) @ kept if kept.size else np.zeros((k, k))
    rows = []
    for j, p in enumerate(tf.parameters):
        loading = float(np.sqrt((null[:, j] ** 2).sum())) if null.size else 0.0
        sd = math.inf if loading > 0.1 else math.sqrt(max(cov[j, j], 0.0))
        a, b = max(u0[j] - z * sd, 0.0), min(u0[j] + z * sd, 1.0)
        share = b - a
        if not np.any(Z[:, j]):
            note = "no target responds to it"
        elif loading > 0.1:
            partners = [tf.parameters[i].name for i in np.argsort(-np.abs(null[np.argmax(np.abs(null[:, j]))]))
                        if i != j and abs(null[np.argmax(np.abs(null[:, j])), i]) > 0.1]
            note = ("the targets cannot tell it apart from " + ", ".join(partners)) if partners else \
                "the targets do not pin it down"
        elif share > 0.5:
            note = "its interval spans more than half its search range"
        else:
            note = ""
        rows.append({"parameter": p.name, "value": values[j], "ci_low": _to_values(np.full(k, a), tf)[j],
                     "ci_high": _to_values(np.full(k, b), tf)[j], "share_of_range": share,
                     "identified": note == "", "note": note})
    return pd.DataFrame(rows)


def _lookup(scenario, path: str):
    """Current value of a dotted ``--set`` path in a scenario (must be a number)."""
    from innocluster.scenario.io import value_at

    node = value_at(scenario.model_dump(mode="python"), path)
    if node is None:
        raise InputError(f"parameter {path!r}: no such field in scenario {scenario.name!r}")
    if not isinstance(node, (int, float)) or isinstance(node, bool):
        raise InputError(f"parameter {path!r}: not a number ({node!r})")
    return node
