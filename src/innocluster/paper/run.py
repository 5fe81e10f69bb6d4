"""Run claims with common random numbers through the experiments machinery.

All arms of all requested claims are resolved against the scenario files as they are
*now* (overrides that read the scenario are evaluated here), identical runs are shared
between claims, and the runs are grouped by (scenario, years, runner): each group is one
:func:`~innocluster.experiments.batch.run_batch` on a local process pool with seeds
``replication_seed(root, rep)`` — replication ``r`` of every arm of a scenario faces the
same draws. Workers send back only the summary columns of
:mod:`innocluster.paper.derived` (and, for life-cycle claims, a few per-year series).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.deprecation import EXECUTION_KEYWORDS, moved_keywords
from innocluster.experiments.batch import RunSpec, _run_batch
from innocluster.experiments.compare import summarize_arms
from innocluster.experiments.execution import Execution, as_execution
from innocluster.experiments.outcomes import Outcome
from innocluster.experiments.progress import NullProgress
from innocluster.experiments.seeds import replication_seed
from innocluster.paper.claims import CLAIMS, Claim, Setting, Test, cluster_name
from innocluster.paper.derived import LATE_METRICS, figure1_runner, paper_runner
from innocluster.paper.verdict import combine_verdicts, verdict

DEFAULT_REPLICATIONS = 20
DEFAULT_FIRMS = 800
"""Total initial firms per run (the economy is rescaled): one 30-year run takes
about 0.3-0.6 s on one core, so the full paper (about 25 runs per replication) takes
about 2-3 s per replication on two workers."""

SUMMARY_METRICS = tuple(f"{m}_late" for m in LATE_METRICS) + (
    "tech_growth", "sme_survival", "lock_in_late", "race_late", "lock_in_flagged", "race_flagged", "full_path")
TIMELINE_METRICS = ("firms", "stage_code", "lock_in", "race_to_bottom", "tech_mean")
RUNNERS = {"engine": paper_runner, "figure1": figure1_runner}


@dataclass
class Options:
    """What the paper experiments run (where they run: :class:`~innocluster.experiments.Execution`).

    Attributes
    ----------
    replications : int
    firms : int
        Total initial firms per run.
    seed : int, optional
        Root seed; default each scenario's own ``seed``.
    overrides : list of str
        ``key=value`` overrides applied to every scenario before the arms' own.
    scenario_files : dict
        Scenario name -> TOML path replacing the built-in scenario.
    """

    replications: int = DEFAULT_REPLICATIONS
    firms: int = DEFAULT_FIRMS
    seed: int | None = None
    overrides: list[str] = field(default_factory=list)
    scenario_files: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        if self.replications < 2:
            raise InputError(f"replications = {self.replications}: need at least 2 for an interval",
                             param="replications")
        if self.firms < 50:
            raise InputError(f"firms = {self.firms}: need at least 50 initial firms", param="firms")
        if self.seed is not None and self.seed < 0:
            raise InputError(f"seed = {self.seed}: must be a non-negative integer", param="seed")


@dataclass
class TestResult:
    """One test: its effect, interval, negligible band and verdict."""

    setting: str
    arm: str
    baseline: str
    outcome: str
    direction: int
    effect: float
    ci_low: float
    ci_high: float
    base_mean: float
    negligible: float
    verdict: str
    n: int

    @property
    def relative(self) -> float:
        return self.effect / abs(self.base_mean) if self.base_mean not in (0, None) and np.isfinite(self.base_mean) \
            else math.nan


@dataclass
class SettingResult:
    setting: Setting
    runs: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    timeline: pd.DataFrame | None = None


@dataclass
class ClaimResult:
    claim: Claim
    settings: list[SettingResult]
    tests: list[TestResult]
    verdict: str
    extras: dict = field(default_factory=dict)


@dataclass
class PaperRun:
    """Everything the report needs."""

    results: list[ClaimResult]
    options: Options
    scenarios: dict[str, str]
    seeds: dict[str, int]
    seconds: float
    runs_done: int
    runs_failed: int
    failures: list[str]
    #: parallel runs the executor offered (a local pool's workers, a Dask cluster's threads)
    workers: int = 1


# ------------------------------------------------------------------ scenarios and plan

def _load(name: str, opts: Options, cache: dict):
    from innocluster import load_scenario
    from innocluster.scenario import apply_overrides

    if name not in cache:
        src = opts.scenario_files.get(name, name)
        sc = load_scenario(src)
        sc = apply_overrides(sc, list(opts.overrides), source="overrides")
        cache[name] = sc
    return cache[name]


def _region(sc, role: str) -> str:
    if role == "cluster":
        return cluster_name(sc)
    for r in sc.regions:
        if r.kind != "cluster":
            return r.name
    raise InputError(f"scenario {sc.name!r}: needs a periphery region for the paper experiments")


@dataclass(frozen=True)
class _Key:
    scenario: str
    years: int
    runner: str


def _plan(claims: list[Claim], opts: Options):
    """Resolve every arm: (group key, overrides) and region name per (claim, setting, arm)."""
    from innocluster.scenario import apply_overrides

    cache: dict = {}
    groups: dict[_Key, list[tuple[str, ...]]] = {}
    where: dict[tuple[str, str, str], tuple[_Key, tuple[str, ...], str]] = {}
    for c in claims:
        for s in c.settings:
            for a in s.arms:
                sc = _load(a.scenario, opts, cache)
                ov = tuple(a.overrides(sc)) if callable(a.overrides) else tuple(a.overrides)
                apply_overrides(sc, list(ov), source=f"{c.id} arm {a.name}")  # fail before anything runs
                key = _Key(a.scenario, int(a.years or sc.years), a.runner)
                variants = groups.setdefault(key, [])
                if ov not in variants:
                    variants.append(ov)
                where[(c.id, s.label, a.name)] = (key, ov, _region(sc, a.region))
    return cache, groups, where


class _Shared(NullProgress):
    """Forwards advances to one overall bar; ignores each batch's start and stop."""

    def __init__(self, bar: NullProgress):
        self.bar = bar

    def advance(self, ok: bool, retried: bool = False) -> None:
        self.bar.advance(ok, retried)


def _outcomes(sc, key: _Key, timeline: bool) -> list[Outcome]:
    regions = [r.name for r in sc.regions]
    if key.runner == "figure1":
        return [Outcome("min_ac", "last", r) for r in regions]
    outs = [Outcome(m, "last", r) for r in regions for m in SUMMARY_METRICS]
    if timeline:
        c = cluster_name(sc)
        for y in range(sc.start_year, sc.start_year + key.years):
            outs += [Outcome(m, y, c) for m in TIMELINE_METRICS]
    return outs


@moved_keywords({"opts": "options"}, execution=EXECUTION_KEYWORDS)
def run_claims(claims: list[Claim] | None = None, options: Options | None = None, *,
               execution: Execution | None = None) -> PaperRun:
    """Run claims (default: all) and judge them.

    Parameters
    ----------
    claims : list of Claim, optional
    options : Options, optional
        Replications, firms, seed, overrides and scenario files.
    execution : Execution, optional
        Executor, workers, retries and progress (:class:`~innocluster.experiments.Execution`).

    Returns
    -------
    PaperRun
    """
    claims = list(CLAIMS if claims is None else claims)
    opts = options or Options()
    opts.check()
    execution = as_execution(execution)
    t0 = time.perf_counter()
    cache, groups, where = _plan(claims, opts)
    timeline_keys = {where[(c.id, s.label, a.name)][0] for c in claims for s in c.settings if s.timeline
                     for a in s.arms}
    total = sum(len(v) for v in groups.values()) * opts.replications
    bar = execution.progress_bar("paper experiments")
    bar.start(total)
    data: dict[_Key, pd.DataFrame] = {}
    done = failed = 0
    failures: list[str] = []
    seeds: dict[str, int] = {}
    slots = 1
    try:
        ex = execution.start()
        slots = ex.slots
        try:
            # largest groups first: the pool stays busy
            for key in sorted(groups, key=lambda k: -len(groups[k]) * k.years):
                sc = cache[key.scenario]
                sc_run = sc.model_copy(update={"years": key.years})
                root = int(sc.seed if opts.seed is None else opts.seed)
                seeds[key.scenario] = root
                variants = groups[key]
                specs = [RunSpec(i, r, replication_seed(root, r), ov)
                         for i, ov in enumerate(variants) for r in range(opts.replications)]
                rep = _run_batch(sc_run, specs, ex, _Shared(bar), execution.retries,
                                 outcomes=_outcomes(sc_run, key, key in timeline_keys), years=key.years,
                                 firms=opts.firms, runner=RUNNERS[key.runner], total=len(specs))
                done += rep.done
                failed += rep.failed
                failures += [f"{key.scenario} {variants[s]} rep {r}: {e}" for s, r, e in rep.failures]
                df = rep.outcomes.copy()
                df["variant"] = [variants[s] for s in df["sample"]]
                data[key] = df
        finally:
            if execution.owns(ex):
                ex.close()
    finally:
        bar.stop()
    results = [_judge(c, where, data) for c in claims]
    scen = {k: str(opts.scenario_files.get(k, f"built-in {k}")) for k in cache}
    return PaperRun(results, opts, scen, seeds, time.perf_counter() - t0, done, failed, failures, slots)


# ------------------------------------------------------------------ judging

def _setting_runs(c: Claim, s: Setting, where, data) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    rows, timeline = [], []
    for a in s.arms:
        key, ov, region = where[(c.id, s.label, a.name)]
        df = data[key]
        sub = df[df["variant"].apply(lambda v: v == ov)]
        part = pd.DataFrame({"arm": a.name, "rep": sub["rep"].to_numpy(), "seed": sub["seed"].to_numpy()})
        for m in s.outcomes:
            col = f"{m}@last@{region}"
            part[m] = sub[col].to_numpy(dtype=float) if col in sub.columns else np.nan
        rows.append(part)
        if s.timeline:
            tcols = [col for col in sub.columns if col.count("@") == 2 and col.split("@")[1].isdigit()]
            if tcols:
                long = sub[["rep", *tcols]].melt(id_vars="rep", var_name="outcome", value_name="value")
                parts = long["outcome"].str.split("@", expand=True)
                long["metric"], long["year"] = parts[0], parts[1].astype(int)
                long["arm"] = a.name
                timeline.append(long.drop(columns="outcome"))
    runs = pd.concat(rows, ignore_index=True)
    return runs, (pd.concat(timeline, ignore_index=True) if timeline else None)


def wilson(k: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n``.

    Examples
    --------
    >>> lo, hi = wilson(5, 5)
    >>> round(lo, 3), hi
    (0.566, 1.0)
    """
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def judge_test(t: Test, s: Setting, summary: pd.DataFrame, differences: pd.DataFrame,
               runs: pd.DataFrame) -> TestResult:
    """Effect, interval and verdict of one test."""
    base = s.baseline_arm
    if t.reference is not None:
        vals = runs.loc[runs["arm"] == t.arm, t.outcome].dropna().to_numpy(dtype=float)
        n = vals.size
        share = float(vals.mean()) if n else math.nan
        lo, hi = wilson(float(vals.sum()), n) if n else (math.nan, math.nan)
        eff, lo, hi = share - t.reference, lo - t.reference, hi - t.reference
        neg = t.abs_negligible
        return TestResult(s.label, t.arm, f"reference {t.reference:g}", t.outcome, t.direction, eff, lo, hi,
                          t.reference, neg, verdict(eff, lo, hi, t.direction, neg), n)
    d = differences[(differences["arm"] == t.arm) & (differences["outcome"] == t.outcome)]
    bm = summary[(summary["arm"] == base) & (summary["outcome"] == t.outcome)]["mean"]
    base_mean = float(bm.iloc[0]) if len(bm) else math.nan
    neg = max(t.rel_negligible * abs(base_mean) if np.isfinite(base_mean) else 0.0, t.abs_negligible)
    if d.empty:
        return TestResult(s.label, t.arm, base, t.outcome, t.direction, math.nan, math.nan, math.nan, base_mean,
                          neg, "depends", 0)
    r = d.iloc[0]
    eff, lo, hi = float(r["diff"]), float(r["ci_low"]), float(r["ci_high"])
    return TestResult(s.label, t.arm, base, t.outcome, t.direction, eff, lo, hi, base_mean, neg,
                      verdict(eff, lo, hi, t.direction, neg), int(r["n_pairs"]))


def _judge(c: Claim, where, data) -> ClaimResult:
    settings, tests = [], []
    for s in c.settings:
        runs, timeline = _setting_runs(c, s, where, data)
        summary, diffs = summarize_arms(runs, list(s.outcomes), s.baseline_arm, 0.95, [a.name for a in s.arms])
        settings.append(SettingResult(s, runs, summary, diffs, timeline))
        tests += [judge_test(t, s, summary, diffs, runs) for t in s.tests]
    return ClaimResult(c, settings, tests, combine_verdicts(t.verdict for t in tests))


def claims_for(names: list[str] | None) -> list[Claim]:
    """Claims by id (all when ``names`` is empty)."""
    from innocluster.paper.claims import claim_by_id

    return list(CLAIMS) if not names else [claim_by_id(n) for n in names]


def verdict_table(run: PaperRun) -> pd.DataFrame:
    """One row per test: claim, setting, arm vs baseline, outcome, effect, interval, verdict."""
    rows = []
    for cr in run.results:
        for t in cr.tests:
            rows.append({"claim": cr.claim.id, "claim_verdict": cr.verdict, "setting": t.setting, "arm": t.arm,
                         "baseline": t.baseline, "outcome": t.outcome,
                         "predicted": "increase" if t.direction > 0 else "decrease", "effect": t.effect,
                         "ci_low": t.ci_low, "ci_high": t.ci_high, "relative_effect": t.relative,
                         "baseline_mean": t.base_mean, "negligible_band": t.negligible, "n": t.n,
                         "verdict": t.verdict})
    return pd.DataFrame(rows)


def out_dir(path: str | Path) -> Path:
    """Create the output folder (one-line error if it is a file)."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"out {p}: exists and is not a folder", param="out")
    p.mkdir(parents=True, exist_ok=True)
    return p
