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

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.experiments.batch import RunSpec, _run_batch
from innocluster.experiments.compare import summarize_arms
from innocluster.experiments.execution import Execution, as_execution
from innocluster.experiments.executors import Executor
from innocluster.experiments.outcomes import Outcome
from innocluster.experiments.progress import NullProgress
from innocluster.experiments.seeds import replication_seed
from innocluster.paper.claims import CLAIMS, Claim, Setting, Test, cluster_name
from innocluster.paper.derived import LATE_METRICS, figure1_runner, paper_runner
from innocluster.paper.verdict import (
    ALPHA,
    combine_verdicts,
    decide,
    holm,
    level_evidence,
    paired_evidence,
    share_evidence,
    replications_for_band,
    t_mde,
)

DEFAULT_REPLICATIONS = 20
DEFAULT_FIRMS = 800
"""Total initial firms per run (the economy is rescaled): one 30-year run takes
about 0.3-0.6 s on one core, so the full paper (about 25 runs per replication) takes
about 2-3 s per replication on two workers."""

SUMMARY_METRICS = tuple(f"{m}_late" for m in LATE_METRICS) + (
    "tech_growth", "sme_survival", "lock_in_late", "race_late", "lock_in_flagged", "race_flagged", "full_path",
    "patents_total", "gov_spend_share_late", "cohort_patents", "cohort_survival", "zombie_support_share_late",
    "within_patenting", "within_rd_active", "within_tech_growth", "within_unit_cost", "movers")
TIMELINE_METRICS = ("firms", "stage_code", "lock_in", "race_to_bottom", "tech_mean")
RUNNERS = {"engine": paper_runner, "figure1": figure1_runner}


@dataclass
class Options:
    """How the paper experiments are run.

    Attributes
    ----------
    replications : int
    firms : int or None
        Total initial firms per run; ``None``: each scenario's calibrated size.
    workers : int
        Local process-pool size.
    seed : int, optional
        Root seed; default each scenario's own ``seed``.
    overrides : list of str
        ``--set`` overrides applied to every scenario before the arms' own.
    scenario_files : dict
        Scenario name -> TOML path replacing the built-in scenario.
    executor : str or Executor
        ``local`` (default) or ``serial``, or an open executor to reuse (not closed here).
    progress : bool
    """

    replications: int = DEFAULT_REPLICATIONS
    firms: int | None = DEFAULT_FIRMS
    workers: int = 2
    seed: int | None = None
    overrides: list[str] = field(default_factory=list)
    scenario_files: dict[str, str] = field(default_factory=dict)
    executor: str | Executor = "local"
    progress: bool = True

    def check(self) -> None:
        if self.replications < 2:
            raise InputError(f"--replications = {self.replications}: need at least 2 for an interval")
        if self.firms is not None and self.firms < 50:
            raise InputError(f"--firms = {self.firms}: need at least 50 initial firms")
        if self.workers < 1:
            raise InputError(f"--workers = {self.workers}: must be at least 1")
        if self.seed is not None and self.seed < 0:
            raise InputError(f"--seed = {self.seed}: must be a non-negative integer")


@dataclass
class TestResult:
    """One test: its effect, interval, negligible band, equivalence and difference tests, verdict."""

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
    kind: str = "paired"
    primary: bool = True
    band_why: str = ""
    note: str = ""
    sd: float = math.nan
    p_raw: float = math.nan
    p_holm: float = math.nan
    tost_p: float = math.nan
    tost_p_holm: float = math.nan
    mde: float = math.nan
    mde_bonferroni: float = math.nan
    replications_for_band: float = math.nan
    reason: str = ""

    @property
    def relative(self) -> float:
        return self.effect / abs(self.base_mean) if self.base_mean not in (0, None) and np.isfinite(self.base_mean) \
            else math.nan

    @property
    def equivalent(self) -> bool:
        return bool(self.negligible > 0 and np.isfinite(self.tost_p_holm) and self.tost_p_holm < ALPHA)


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
    extras: dict = field(default_factory=dict)


# ------------------------------------------------------------------ scenarios and plan

def _load(name: str, opts: Options, cache: dict):
    from innocluster import load_scenario
    from innocluster.scenario import apply_overrides

    if name not in cache:
        src = opts.scenario_files.get(name, name)
        sc = load_scenario(src)
        sc = apply_overrides(sc, list(opts.overrides), source="--set")
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


def run_claims(claims: list[Claim] | None = None, opts: Options | None = None, *,
               execution: Execution | None = None) -> PaperRun:
    """Run claims (default: all) and judge them.

    Parameters
    ----------
    claims : list of Claim, optional
    opts : Options, optional
        Replications, firms, seed, overrides and scenario files.
    execution : Execution, optional
        Executor, workers, retries and progress, the settings object every experiment
        shares (:class:`~innocluster.experiments.Execution`). Without it the executor
        fields of ``opts`` (``executor``, ``workers``, ``progress``) are used.

    Returns
    -------
    PaperRun
    """
    claims = list(CLAIMS if claims is None else claims)
    opts = opts or Options()
    opts.check()
    execution = as_execution(execution if execution is not None else _execution_of(opts))
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
    # a pool passed in is reused across rounds (scale check, robustness) and not closed here
    ex = execution.start()
    try:
        with ex if execution.owns(ex) else contextlib.nullcontext(ex):
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
        bar.stop()
    results = [_judge(c, where, data) for c in claims]
    adjust_and_decide(results)
    scen = {k: str(opts.scenario_files.get(k, f"built-in {k}")) for k in cache}
    return PaperRun(results, opts, scen, seeds, time.perf_counter() - t0, done, failed, failures)


def _execution_of(opts: Options) -> Execution:
    """The executor fields of :class:`Options` as an :class:`Execution`."""
    local = opts.executor == "local"
    return Execution(executor=opts.executor, workers=opts.workers if local else None, progress=opts.progress)


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
    """Effect, interval, raw p-values and MDE of one test; the verdict is provisional until
    :func:`adjust_and_decide` applies Holm over the run's tests."""
    base = s.baseline_arm
    vals = runs.loc[runs["arm"] == t.arm].set_index("rep")[t.outcome].astype(float)
    band_def = t.negligible
    if t.kind in ("share", "level"):
        v = vals.dropna().to_numpy(dtype=float)
        width = band_def.width(t.reference)
        if t.kind == "share":
            ev = share_evidence(int(round(v.sum())), v.size, t.reference, width)
        else:
            ev = level_evidence(v, t.reference, width)
        baseline, base_mean = f"reference {t.reference:g}", t.reference
    else:
        bm = summary[(summary["arm"] == base) & (summary["outcome"] == t.outcome)]["mean"]
        base_mean = float(bm.iloc[0]) if len(bm) else math.nan
        width = band_def.width(base_mean)
        bvals = runs.loc[runs["arm"] == base].set_index("rep")[t.outcome].astype(float)
        both = pd.concat([vals.rename("a"), bvals.rename("b")], axis=1, join="inner")
        ev = paired_evidence(both["a"].to_numpy(), both["b"].to_numpy(), width)
        baseline = base
    verdict_, reason = decide(ev.effect, t.direction, ev.p_raw, ev.tost_p, width, ev.mde)
    return TestResult(s.label, t.arm, baseline, t.outcome, t.direction, ev.effect, ev.ci_low, ev.ci_high, base_mean,
                      width, verdict_, ev.n, kind=t.kind, primary=t.primary, band_why=band_def.why, note=t.note,
                      sd=ev.sd, p_raw=ev.p_raw, tost_p=ev.tost_p, mde=ev.mde, reason=reason)


def adjust_and_decide(results: list[ClaimResult]) -> None:
    """Holm-adjust the difference and the TOST p-values over every test of the run, then
    decide each test (:func:`innocluster.paper.verdict.decide`) and each claim (its primary
    tests, :func:`combine_verdicts`). Also the MDE at the strictest Holm step (alpha / m)."""
    tests = [t for cr in results for t in cr.tests]
    if not tests:
        return
    p = holm([t.p_raw for t in tests])
    q = holm([t.tost_p for t in tests])
    m = int(np.isfinite([t.p_raw for t in tests]).sum())
    for t, ph, qh in zip(tests, p, q):
        t.p_holm, t.tost_p_holm = float(ph), float(qh)
        if t.kind == "share":
            t.mde_bonferroni = share_evidence(0, max(t.n, 1), t.base_mean, 0.0, alpha=ALPHA / max(m, 1)).mde \
                if t.n else math.nan
        else:
            t.mde_bonferroni = t_mde(t.sd, t.n, ALPHA / max(m, 1))
        t.replications_for_band = replications_for_band(kind=t.kind, sd=t.sd, band=t.negligible,
                                                        reference=t.base_mean)
        t.verdict, t.reason = decide(t.effect, t.direction, t.p_holm, t.tost_p_holm, t.negligible, t.mde)
        if t.sd == 0 and t.n:
            t.reason += (f"; identical in all {t.n} replications" if t.kind == "paired"
                         else f"; no spread over {t.n} runs")
    for cr in results:
        primary = [t.verdict for t in cr.tests if t.primary] or [t.verdict for t in cr.tests]
        cr.verdict = combine_verdicts(primary)


def _judge(c: Claim, where, data) -> ClaimResult:
    settings, tests = [], []
    for s in c.settings:
        runs, timeline = _setting_runs(c, s, where, data)
        summary, diffs = summarize_arms(runs, list(s.outcomes), s.baseline_arm, 0.95, [a.name for a in s.arms])
        settings.append(SettingResult(s, runs, summary, diffs, timeline))
        tests += [judge_test(t, s, summary, diffs, runs) for t in s.tests]
    primary = [t.verdict for t in tests if t.primary] or [t.verdict for t in tests]
    return ClaimResult(c, settings, tests, combine_verdicts(primary))


def claims_for(names: list[str] | None) -> list[Claim]:
    """Claims by id (all when ``names`` is empty)."""
    from innocluster.paper.claims import claim_by_id

    return list(CLAIMS) if not names else [claim_by_id(n) for n in names]


TEST_COLUMNS = ("claim", "claim_verdict", "setting", "arm", "baseline", "outcome", "kind", "primary", "predicted",
                "effect", "ci_low", "ci_high", "relative_effect", "baseline_mean", "negligible_band", "band_why",
                "tost_p", "tost_p_holm", "equivalent", "p_raw", "p_holm", "mde", "mde_bonferroni",
                "replications_for_band", "sd", "n",
                "verdict", "reason", "note")


def verdict_table(run: PaperRun) -> pd.DataFrame:
    """One row per test (:data:`TEST_COLUMNS`): effect and 95 % interval, the negligible band
    and why, the equivalence test (TOST p raw and Holm-adjusted, equivalent yes/no), the
    difference test (p raw and Holm-adjusted), the minimum detectable effect at alpha and at
    the strictest Holm step, the verdict and its reason."""
    rows = []
    for cr in run.results:
        for t in cr.tests:
            rows.append({"claim": cr.claim.id, "claim_verdict": cr.verdict, "setting": t.setting, "arm": t.arm,
                         "baseline": t.baseline, "outcome": t.outcome, "kind": t.kind, "primary": t.primary,
                         "predicted": "increase" if t.direction > 0 else "decrease", "effect": t.effect,
                         "ci_low": t.ci_low, "ci_high": t.ci_high, "relative_effect": t.relative,
                         "baseline_mean": t.base_mean, "negligible_band": t.negligible, "band_why": t.band_why,
                         "tost_p": t.tost_p, "tost_p_holm": t.tost_p_holm, "equivalent": t.equivalent,
                         "p_raw": t.p_raw, "p_holm": t.p_holm, "mde": t.mde, "mde_bonferroni": t.mde_bonferroni,
                         "replications_for_band": t.replications_for_band,
                         "sd": t.sd, "n": t.n, "verdict": t.verdict, "reason": t.reason, "note": t.note})
    return pd.DataFrame(rows, columns=list(TEST_COLUMNS))


def out_dir(path: str | Path) -> Path:
    """Create the output folder (one-line error if it is a file)."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"--out {p}: exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p
