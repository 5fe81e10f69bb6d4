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


def _run(names: list[str] | None, replications: int, firms: int, workers: int, out: Path, seed, set_, scenario,
         quiet: bool) -> None:
    from innocluster.paper.report import write_report
    from innocluster.paper.run import Options, claims_for, out_dir, run_claims

    from innocluster.experiments.execution import Execution

    execution = Execution(workers=workers, progress=not quiet)
    opts = Options(replications=replications, firms=firms, seed=seed, overrides=list(set_ or []),
                   scenario_files=_scenario_files(scenario))
    opts.check()
    claims = claims_for(names)
    folder = out_dir(out)
    t0 = time.perf_counter()
    run = run_claims(claims, opts, execution=execution)
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
              set_: _Set = None, scenario: _Scen = None, quiet: _Quiet = False) -> None:
    """Run every claim of the paper and write one report.html with a verdict per claim."""
    _run(None, replications, firms, workers, out, seed, set_, scenario, quiet)


@experiment_app.command("run")
def run_cmd(name: Annotated[list[str], typer.Argument(help="experiment name(s) from `experiment list`")], out: _Out,
            replications: _Reps = 20, firms: _Firms = 800, workers: _Workers = 2, seed: _Seed = None,
            set_: _Set = None, scenario: _Scen = None, quiet: _Quiet = False) -> None:
    """Run one claim (or a few) alone and write its report.html."""
    _run(name, replications, firms, workers, out, seed, set_, scenario, quiet)


def register(app: typer.Typer) -> None:
    """Add the ``experiment`` command group to the main app."""
    app.add_typer(experiment_app, name="experiment")
