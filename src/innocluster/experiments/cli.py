"""CLI of the experiments: ``sweep``, ``sensitivity``, ``compare-arms`` and ``results``."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from innocluster.errors import InputError

console = Console()
err = Console(stderr=True)
results_app = typer.Typer(help="List, show, export and compare what a results store holds.", no_args_is_help=True)

_EXECUTOR_HELP = "local (process pool, default), dask (needs --scheduler) or serial (in-process, for debugging)"


def _execution(executor: str, workers: int | None, scheduler: str | None, retries: int, quiet: bool):
    """The command's executor options as one :class:`~innocluster.experiments.Execution`."""
    from innocluster.experiments.execution import Execution

    return Execution(executor=executor, workers=workers, scheduler=scheduler, retries=retries, progress=not quiet)


def _fmt(v) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.4g}"
    return str(v)


def _table(df, title: str | None = None, max_rows: int = 50) -> Table:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c), justify="right" if df[c].dtype.kind in "iuf" else "left")
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*[_fmt(v) for v in row])
    if len(df) > max_rows:
        t.caption = f"{len(df) - max_rows} more rows; use `innocluster results export`"
    return t


def _write_table(df, path: Path) -> None:
    from innocluster.atomic import atomic_to_parquet, atomic_write

    if path.suffix.lower() == ".csv":
        atomic_write(path, lambda p: df.to_csv(p, index=False))
    elif path.suffix.lower() == ".parquet":
        atomic_to_parquet(df, path)
    else:
        raise InputError(f"--table {path}: use a .csv or .parquet file name")


def sweep(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    param: Annotated[list[str], typer.Option("--param", help="NAME=LOW:HIGH, NAME a dotted --set path (repeatable)")],
    out: Annotated[Path, typer.Option("--out", help="results store folder (created, or resumed)")],
    method: Annotated[str, typer.Option(help="lhs, sobol, morris or grid")] = "lhs",
    samples: Annotated[int, typer.Option(help="base sample size N (sobol: power of 2; morris: trajectories; "
                                              "grid: levels per parameter)")] = 64,
    replications: Annotated[int, typer.Option(help="runs per design point, each with its own seed")] = 1,
    outcome: Annotated[list[str] | None, typer.Option("--outcome", help="METRIC@YEAR[@REGION], e.g. "
                                                      "patents_per_firm@2009 or firms@last@periphery")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)")] = None,
    years: Annotated[int | None, typer.Option(help="years to simulate (default: the scenario's)")] = None,
    firms: Annotated[int | None, typer.Option(help="total initial firms (rescales the economy)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="fixed override key=value (repeatable)")] = None,
    name: Annotated[str, typer.Option(help="experiment name in the store; the same name resumes")] = "sweep",
    executor: Annotated[str, typer.Option(help=_EXECUTOR_HELP)] = "local",
    workers: Annotated[int | None, typer.Option(help="local worker processes (default: CPU count)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, tcp://HOST:PORT")] = None,
    retries: Annotated[int, typer.Option(help="extra attempts for a failed run")] = 2,
    levels: Annotated[int, typer.Option(help="Morris grid levels")] = 4,
    second_order: Annotated[bool, typer.Option("--second-order/--no-second-order",
                                               help="Sobol: design for S2 indices too")] = True,
    crn: Annotated[bool, typer.Option("--common-random-numbers", help="same seeds at every design point")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Run a parameter sweep into a results store; re-running the same command resumes it."""
    from innocluster.experiments.sweep import run_sweep

    def started(info: dict) -> None:
        for note in info["notes"]:
            err.print(f"note: {note}", highlight=False, soft_wrap=True)
        what = "resuming" if info["resumed"] else "starting"
        err.print(f"{what} sweep {info['name']!r} in {out}: {info['planned']} runs, {info['done']} already done",
                  highlight=False, soft_wrap=True)

    # the executor settings are checked first: a bad --workers or --retries creates nothing
    execution = _execution(executor, workers, scheduler, retries, quiet)
    res = run_sweep(scenario, param, store=out, method=method, samples=samples, replications=replications,
                    outcomes=outcome or [], seed=seed, years=years, firms=firms, overrides=set_ or [],
                    experiment=name, levels=levels, second_order=second_order, common_random_numbers=crn,
                    execution=execution, on_start=started)
    rep = res.report
    console.print(f"{rep.done} runs done now, {rep.skipped} were already done, {rep.failed} failed "
                  f"({rep.retried} retried) in {rep.seconds:.1f} s; store: {out}", highlight=False, soft_wrap=True)
    if rep.failed:
        for s, r, e in rep.failures[:5]:
            err.print(f"failed: sample {s} rep {r}: {e}", highlight=False, soft_wrap=True)
        err.print(f"{rep.failed} runs failed after {retries} retries; they are recorded in the store "
                  f"(`innocluster results show {out} --failed`) and re-running the command retries them",
                  highlight=False)
        sys.exit(1)


def sensitivity(
    store: Annotated[Path, typer.Argument(help="results store folder")],
    outcome: Annotated[list[str], typer.Option("--outcome", help="METRIC@YEAR[@REGION] (repeatable)")],
    name: Annotated[str | None, typer.Option(help="experiment (default: the store's only one)")] = None,
    plot: Annotated[Path | None, typer.Option(help="figure of the indices (.png/.svg/.pdf); with several "
                                                   "outcomes the outcome is added to the file name")] = None,
    table: Annotated[Path | None, typer.Option(help="write the indices to .csv or .parquet")] = None,
    resamples: Annotated[int, typer.Option(help="bootstrap resamples for the intervals")] = 200,
    conf_level: Annotated[float, typer.Option(help="confidence level of the intervals")] = 0.95,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
) -> None:
    """Sobol S1/ST/S2, Morris mu*/sigma or delta indices of a stored sweep, with intervals."""
    import pandas as pd

    from innocluster.experiments import sensitivity as sa

    frames = []
    for oc in outcome:
        res = sa.analyze(store, oc, experiment=name, num_resamples=resamples, conf_level=conf_level, seed=seed)
        console.print(_table(res.table, f"{res.method} indices of {res.outcome} "
                                         f"({res.n_points} design points, {res.n_runs} runs; *_conf = "
                                         f"{conf_level:.0%} half-width)"))
        if res.second_order is not None:
            console.print(_table(res.second_order, "second-order Sobol indices S2"))
        if plot is not None:
            p = plot if len(outcome) == 1 else plot.with_name(f"{plot.stem}_{res.outcome.replace('@', '_')}{plot.suffix}")
            sa.plot(res, p)
            console.print(f"figure: {p}")
        t = res.table.copy()
        t.insert(0, "outcome", res.outcome)
        t.insert(1, "method", res.method)
        frames.append(t)
    if table is not None:
        _write_table(pd.concat(frames, ignore_index=True), table)
        console.print(f"table: {table}")


def _parse_arm(text: str) -> tuple[str, list[str]]:
    if "=" not in text:
        raise InputError(f"--arm {text!r}: expected NAME=KEY=VALUE[;KEY=VALUE...] or NAME= for the scenario as is")
    arm, rest = text.split("=", 1)
    arm = arm.strip()
    if not arm:
        raise InputError(f"--arm {text!r}: missing arm name")
    return arm, [s.strip() for s in rest.split(";") if s.strip()]


def compare_arms_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    arm: Annotated[list[str], typer.Option("--arm", help="NAME=KEY=VALUE[;KEY=VALUE...]; 'NAME=' is the "
                                                         "scenario unchanged (repeatable; first is the baseline)")],
    outcome: Annotated[list[str], typer.Option("--outcome", help="METRIC@YEAR[@REGION] (repeatable)")],
    replications: Annotated[int, typer.Option(help="replications per arm (common random numbers)")] = 20,
    out: Annotated[Path | None, typer.Option(help="results store folder (optional; resumable)")] = None,
    name: Annotated[str, typer.Option(help="experiment name in the store")] = "arms",
    baseline: Annotated[str | None, typer.Option(help="arm to compare against (default: the first)")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)")] = None,
    years: Annotated[int | None, typer.Option(help="years to simulate")] = None,
    firms: Annotated[int | None, typer.Option(help="total initial firms")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override for every arm, key=value")] = None,
    executor: Annotated[str, typer.Option(help=_EXECUTOR_HELP)] = "local",
    workers: Annotated[int | None, typer.Option(help="local worker processes")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    retries: Annotated[int, typer.Option(help="extra attempts for a failed run")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Compare policy arms with common random numbers: means, 95% intervals, paired differences."""
    from innocluster.experiments.compare import compare_arms

    arms: dict[str, list[str]] = {}
    for a in arm:
        k, v = _parse_arm(a)
        if k in arms:
            raise InputError(f"--arm {k!r} is given twice")
        arms[k] = v
    execution = _execution(executor, workers, scheduler, retries, quiet)
    cmp = compare_arms(scenario, arms, replications=replications, outcomes=outcome, seed=seed, years=years,
                       firms=firms, overrides=set_ or [], baseline=baseline, store=out, experiment=name,
                       execution=execution)
    console.print(_table(cmp.summary, "arms: mean and 95% interval"))
    console.print(_table(cmp.differences, "paired differences (same seeds) against the baseline"))
    if cmp.report is not None and cmp.report.failed:
        err.print(f"{cmp.report.failed} runs failed after retries; first: {cmp.report.failures[0][2]}",
                  highlight=False, soft_wrap=True)
        sys.exit(1)


# ---------------------------------------------------------------- results
def _open(store: Path):
    from innocluster.experiments.store import ResultsStore

    return ResultsStore(store, read_only=True)


@results_app.command("list")
def results_list(store: Annotated[Path, typer.Argument(help="results store folder")]) -> None:
    """Experiments in a store with their run counts."""
    with _open(store) as st:
        df = st.experiments()
    if df.empty:
        console.print(f"{store}: no experiments yet")
        return
    df["created"] = df["created"].astype(str).str[:19]
    console.print(_table(df, f"experiments in {store}"))


@results_app.command("show")
def results_show(
    store: Annotated[Path, typer.Argument(help="results store folder")],
    name: Annotated[str | None, typer.Option(help="experiment (default: the only one)")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="list the failed runs with their errors")] = False,
) -> None:
    """Spec, progress and outcome statistics of one experiment."""
    import json

    with _open(store) as st:
        info = st.experiment(name)
        spec = info["spec"]
        console.print(f"[bold]{info['name']}[/bold] ({info['kind']}): {info['ok']} of {info['planned']} runs ok, "
                      f"{info['failed']} failed", highlight=False)
        for key in sorted(spec):
            console.print(f"  {key}: {json.dumps(spec[key])}", highlight=False, soft_wrap=True)
        oc = st.outcomes(info["name"])
        cols = [c for c in oc.columns if "@" in c]
        if cols:
            desc = oc[cols].describe().T.reset_index().rename(columns={"index": "outcome"})
            console.print(_table(desc[["outcome", "count", "mean", "std", "min", "50%", "max"]], "outcomes"))
        if failed:
            runs = st.runs(info["name"])
            bad = runs[runs["status"] == "failed"][["sample", "label", "rep", "seed", "attempts", "error"]]
            console.print(_table(bad, "failed runs", max_rows=200) if len(bad) else "no failed runs")


@results_app.command("export")
def results_export(
    store: Annotated[Path, typer.Argument(help="results store folder")],
    out: Annotated[Path, typer.Option("--out", help="output .csv or .parquet file")],
    what: Annotated[str, typer.Option(help="outcomes (one row per run with parameters), runs (catalogue) "
                                           "or series (every run's per-region time series)")] = "outcomes",
    name: Annotated[str | None, typer.Option(help="experiment (default: the only one)")] = None,
) -> None:
    """Export outcomes, the run catalogue or all time series (streamed) to one file."""
    with _open(store) as st:
        info = st.experiment(name)
        path = st.export(info["name"], what, out)
    console.print(f"wrote {path}")


@results_app.command("compare")
def results_compare(
    store: Annotated[Path, typer.Argument(help="results store folder")],
    outcome: Annotated[list[str] | None, typer.Option("--outcome", help="outcome(s); default: all recorded")] = None,
    name: Annotated[str | None, typer.Option(help="arms experiment (default: the only one)")] = None,
    baseline: Annotated[str | None, typer.Option(help="baseline arm (default: the first)")] = None,
    conf_level: Annotated[float, typer.Option(help="confidence level")] = 0.95,
) -> None:
    """Arms of a stored comparison: means with intervals and paired differences."""
    from innocluster.experiments.compare import summarize_arms
    from innocluster.experiments.sensitivity import _canonical

    if not 0 < conf_level < 1:
        raise InputError(f"--conf-level = {conf_level}: must be between 0 and 1")
    with _open(store) as st:
        info = st.experiment(name)
        spec = info["spec"]
        if spec.get("kind") != "arms":
            raise InputError(f"{store}: experiment {info['name']!r} is a {spec.get('kind')}; `results compare` "
                             f"compares policy arms (innocluster compare-arms --out); for sweeps use "
                             f"`innocluster sensitivity`")
        ocs = [_canonical(o, spec, info["scenario_toml"]) for o in outcome] if outcome else spec["outcomes"]
        runs = st.outcomes(info["name"], ocs).rename(columns={"label": "arm"})
    summary, diffs = summarize_arms(runs, ocs, baseline, conf_level, spec.get("arm_order"))
    console.print(_table(summary, f"arms: mean and {conf_level:.0%} interval"))
    console.print(_table(diffs, "paired differences (same seeds) against the baseline"))


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``sensitivity``, ``compare-arms`` and ``results`` to the main CLI."""
    app.command("sweep")(sweep)
    app.command("sensitivity")(sensitivity)
    app.command("compare-arms")(compare_arms_cmd)
    app.add_typer(results_app, name="results")
