"""``innocluster experiment``: the paper's claims as controlled experiments.

* ``experiment list`` — the claims (experiments) and what each tests;
* ``experiment paper --out DIR`` — every claim, one ``report.html``;
* ``experiment run NAME --out DIR`` — one claim alone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from innocluster.errors import InputError

console = Console()
experiment_app = typer.Typer(help="Run the seed paper's claims as controlled experiments with verdicts.",
                             no_args_is_help=True)

_Reps = Annotated[int, typer.Option("--replications", "-r", help="replications per arm (common random numbers)")]
_Firms = Annotated[int, typer.Option("--firms", help="total initial firms per run (the economy is rescaled)")]
_Workers = Annotated[int, typer.Option("--workers", help="local process-pool size")]
_Out = Annotated[Path, typer.Option("--out", help="folder for report.html, results.json, verdicts.csv, tests.csv")]
_Seed = Annotated[int | None, typer.Option("--seed", help="root seed (default: each scenario's own seed)")]
_Set = Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override applied to every scenario "
                                                               "(repeatable), e.g. innovation.zeta1=0.1")]
_Scen = Annotated[list[str] | None, typer.Option("--scenario", help="NAME=FILE.toml: use this file instead of the "
                                                                    "built-in scenario NAME (repeatable)")]
_Quiet = Annotated[bool, typer.Option("--quiet", help="no progress bar")]
_ScaleFirms = Annotated[int | None, typer.Option(
    "--scale-check", help="also run the claims at this many initial firms (0: each scenario's calibrated size) and "
                          "report whether each verdict changes with the size of the economy")]
_Robust = Annotated[bool, typer.Option("--robustness", help="Morris screening (SALib) of the parameters calibration "
                                                            "leaves free: per claim robust or fragile, and which "
                                                            "parameters flip it (reruns the claims at every point; "
                                                            "finished points are kept in --out and a rerun resumes)")]
_RobustTraj = Annotated[int, typer.Option("--robustness-trajectories", help="Morris trajectories (points: "
                                                                            "trajectories x (parameters + 1))")]
_RobustParams = Annotated[list[str] | None, typer.Option(
    "--robustness-param", help="parameter to screen, section.field (repeatable; default: the diffusion, catch-up, "
                               "shock, learning-exit, spin-off, MNE and finance parameters no calibration pins)")]


def _scenario_files(items: list[str] | None) -> dict[str, str]:
    from innocluster.scenario import list_scenarios

    out = {}
    for it in items or []:
        if "=" not in it:
            raise InputError(f"--scenario {it!r}: expected NAME=FILE.toml, e.g. hsinchu=my_hsinchu.toml")
        name, path = (x.strip() for x in it.split("=", 1))
        if name not in list_scenarios():
            raise InputError(f"--scenario {it!r}: {name!r} is not a built-in scenario; have "
                             + ", ".join(list_scenarios()))
        if not Path(path).is_file():
            raise InputError(f"--scenario {it!r}: no such file {path}")
        out[name] = path
    return out


#: the Morris screening's finished points, in the output folder (resumed by a rerun)
CHECKPOINT = "robustness_checkpoint.jsonl"


def _rounds(claims, opts, firms, scale_check, robustness, trajectories, robust_params, folder=None):
    """The main run, then the scale check and the Morris screening on the same pool."""
    from innocluster.paper.run import run_claims

    run = run_claims(claims, opts)
    if scale_check is not None:
        from dataclasses import replace

        from innocluster.paper.robustness import scale_table, scale_tests

        other = run_claims(claims, replace(opts, firms=scale_check or None))
        label = "calibrated size" if not scale_check else f"{scale_check} firms"
        run.extras["scale"] = scale_table(run, other, f"{firms} firms", label)
        run.extras["scale_tests"] = scale_tests(run, other, f"{firms} firms", label)
    if robustness:
        from innocluster.paper.robustness import morris_screening

        if trajectories < 2:
            raise InputError(f"--robustness-trajectories = {trajectories}: need at least 2")
        def on_point(i, n, reused):
            if opts.progress:
                console.print(f"Morris point {i} of {n}" + (" (from the checkpoint)" if reused else ""))

        checkpoint = None if folder is None else folder / CHECKPOINT
        run.extras["robustness"] = morris_screening(claims, opts, robust_params or None, trajectories, baseline=run,
                                                    checkpoint=checkpoint, on_point=on_point)
    return run


def _run(names: list[str] | None, replications: int, firms: int, workers: int, out: Path, seed, set_, scenario,
         quiet: bool, scale_check: int | None = None, robustness: bool = False, trajectories: int = 4,
         robust_params: list[str] | None = None) -> None:
    from innocluster.paper.report import write_report
    from innocluster.paper.run import Options, claims_for, out_dir, run_claims

    opts = Options(replications=replications, firms=firms, workers=workers, seed=seed, overrides=list(set_ or []),
                   scenario_files=_scenario_files(scenario), progress=not quiet)
    opts.check()
    claims = claims_for(names)
    if scale_check is not None and (scale_check < 0 or 0 < scale_check < 50):
        raise InputError(f"--scale-check = {scale_check}: need 0 (calibrated size) or at least 50 firms")
    if robustness:
        from innocluster.paper.robustness import bounds

        if trajectories < 2:
            raise InputError(f"--robustness-trajectories = {trajectories}: need at least 2")
        for p in robust_params or []:
            if "." not in p:
                raise InputError(f"--robustness-param {p!r}: expected section.field, e.g. diffusion.network_rate")
            try:
                bounds(p)
            except (KeyError, AttributeError):
                raise InputError(f"--robustness-param {p!r}: unknown parameter") from None
    folder = out_dir(out)
    t0 = time.perf_counter()
    if scale_check is not None or robustness:  # several rounds of runs: one pool for all of them
        from innocluster.experiments.executors import make_executor

        with make_executor("local", workers) as pool:
            opts.executor = pool
            run = _rounds(claims, opts, firms, scale_check, robustness, trajectories, robust_params, folder)
    else:
        run = run_claims(claims, opts)
    path = write_report(run, folder)
    t = Table(title=f"verdicts ({replications} replications, {time.perf_counter() - t0:.0f} s)")
    for col in ("claim", "verdict", "title"):
        t.add_column(col)
    colour = {"supported": "green", "not supported": "red", "depends": "yellow"}
    for cr in run.results:
        t.add_row(cr.claim.id, f"[{colour[cr.verdict]}]{cr.verdict}[/]", cr.claim.title)
    console.print(t)
    if run.runs_failed:
        console.print(f"[red]{run.runs_failed} runs failed[/]; see the report")
    console.print(f"report: {path}")


@experiment_app.command("list")
def list_cmd() -> None:
    """List the experiments: one per claim of the paper."""
    from innocluster.paper.claims import CLAIMS

    t = Table(title="paper experiments (`innocluster experiment run NAME --out DIR`)")
    for col in ("name", "group", "claim", "scenarios"):
        t.add_column(col)
    for c in CLAIMS:
        scen = sorted({a.scenario for s in c.settings for a in s.arms})
        t.add_row(c.id, c.group, c.title, ", ".join(scen))
    console.print(t)


@experiment_app.command("paper")
def paper_cmd(out: _Out, replications: _Reps = 20, firms: _Firms = 800, workers: _Workers = 2, seed: _Seed = None,
              set_: _Set = None, scenario: _Scen = None, quiet: _Quiet = False, scale_check: _ScaleFirms = None,
              robustness: _Robust = False, robustness_trajectories: _RobustTraj = 4,
              robustness_param: _RobustParams = None) -> None:
    """Run every claim of the paper and write one report.html with a verdict per claim."""
    _run(None, replications, firms, workers, out, seed, set_, scenario, quiet, scale_check, robustness,
         robustness_trajectories, robustness_param)


@experiment_app.command("run")
def run_cmd(name: Annotated[list[str], typer.Argument(help="experiment name(s) from `experiment list`")], out: _Out,
            replications: _Reps = 20, firms: _Firms = 800, workers: _Workers = 2, seed: _Seed = None,
            set_: _Set = None, scenario: _Scen = None, quiet: _Quiet = False, scale_check: _ScaleFirms = None,
            robustness: _Robust = False, robustness_trajectories: _RobustTraj = 4,
            robustness_param: _RobustParams = None) -> None:
    """Run one claim (or a few) alone and write its report.html."""
    _run(name, replications, firms, workers, out, seed, set_, scenario, quiet, scale_check, robustness,
         robustness_trajectories, robustness_param)


def register(app: typer.Typer) -> None:
    """Add the ``experiment`` command group to the main app."""
    app.add_typer(experiment_app, name="experiment")
