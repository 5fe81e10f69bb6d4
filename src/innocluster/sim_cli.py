"""CLI commands of the simulator: ``scenario``, ``run``, ``cost-curves``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from innocluster.atomic import atomic_to_parquet, atomic_write_text
from innocluster.errors import InputError

console = Console()
scenario_app = typer.Typer(help="List, show and validate scenarios.", no_args_is_help=True)


def _load(name: str, overrides: list[str] | None = None):
    from innocluster.scenario import apply_overrides, load_scenario

    return apply_overrides(load_scenario(name), overrides)


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    from innocluster.scenario import list_scenarios, load_scenario

    table = Table(title="Built-in scenarios")
    table.add_column("name", style="bold")
    table.add_column("start")
    table.add_column("regions")
    table.add_column("description")
    for name in list_scenarios():
        sc = load_scenario(name)
        table.add_row(name, str(sc.start_year), ", ".join(r.name for r in sc.regions), sc.description)
    console.print(table)


@scenario_app.command("show")
def scenario_show(
    name: Annotated[str, typer.Argument(help="built-in name or path to a .toml file")],
    describe: Annotated[bool, typer.Option("--describe", help="list every parameter with its value, default, allowed "
                                                               "range, unit, meaning and source")] = False,
    fmt: Annotated[str, typer.Option("--format", help="with --describe: table (default) or csv")] = "table",
) -> None:
    """Print the resolved scenario as TOML (every parameter written out), or describe its parameters."""
    from innocluster.scenario import scenario_to_toml
    from innocluster.scenario.schema import parameter_table

    sc = _load(name)
    if not describe:
        typer.echo(scenario_to_toml(sc))
        return
    if fmt not in ("table", "csv"):
        raise InputError(f"--format = {fmt!r}: allowed: table, csv")
    rows = parameter_table(sc)
    if fmt == "csv":
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=f"Parameters of {sc.name} ({len(rows)}; --format csv for a spreadsheet)")
    for col in ("field", "value", "default", "allowed", "unit", "meaning", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(str(r[c]) for c in ("field", "value", "default", "allowed", "unit", "meaning", "source")))
    console.print(table)


@scenario_app.command("validate")
def scenario_validate(file: Annotated[str, typer.Argument(help="scenario .toml file or built-in name")]) -> None:
    """Validate a scenario file; exit code 2 with a one-line message when invalid."""
    sc = _load(file)
    console.print(f"[green]ok[/green]: {file} is a valid scenario ({sc.name}, {len(sc.regions)} regions, "
                  f"{sc.n_stages} GVC stages, {sc.years} years)")


def run(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    years: Annotated[int | None, typer.Option(help="years to simulate (default: the scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)")] = None,
    firms: Annotated[int | None, typer.Option(help="total initial firms (rescales the economy)")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default runs/<scenario>-seed<S>)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a parameter: key=value (repeatable)")] = None,
    firm_panel: Annotated[bool, typer.Option("--firm-panel", help="also write firm_panel.parquet (monitor schema)")] = False,
) -> None:
    """Simulate a scenario; write timeseries.parquet, scenario.toml, overview.png."""
    from innocluster.model.engine import simulate
    from innocluster.report.simplots import save_overview
    from innocluster.scenario import scenario_to_toml

    sc = _load(scenario, set_)
    if years is not None and years < 1:
        raise InputError(f"--years = {years}: must be at least 1")
    if seed is not None and seed < 0:
        raise InputError(f"--seed = {seed}: must be a non-negative integer")
    if firms is not None and firms < 1:
        raise InputError(f"--firms = {firms}: must be at least 1")
    n_years = sc.years if years is None else years
    sc = sc.model_copy(update={"years": n_years})
    the_seed = sc.seed if seed is None else seed
    out = out or Path("runs") / f"{sc.name}-seed{the_seed}"
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("years"), TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                  transient=False) as bar:
        task = bar.add_task(f"simulating {sc.name}", total=n_years)
        res = simulate(sc, seed=the_seed, years=n_years, firms=firms, firm_panel=firm_panel,
                       progress=lambda k: bar.advance(task, k))
    out.mkdir(parents=True, exist_ok=True)
    atomic_to_parquet(res.timeseries, out / "timeseries.parquet")
    atomic_to_parquet(res.ledger, out / "ledger.parquet")
    atomic_to_parquet(res.firms, out / "firms.parquet")
    atomic_write_text(out / "scenario.toml", scenario_to_toml(sc))
    if firm_panel and res.firm_panel is not None:
        atomic_to_parquet(res.firm_panel, out / "firm_panel.parquet")
    save_overview(res.timeseries, out / "overview.png", title=f"{sc.name}, seed {the_seed}")
    console.print(summary_table(res, f"{sc.name}: last simulated year ({int(res.timeseries['year'].max())})"))
    console.print(f"outputs in [bold]{out}[/bold]: timeseries.parquet, scenario.toml, overview.png, "
                  f"ledger.parquet, firms.parquet" + (", firm_panel.parquet" if firm_panel else ""))


def summary_table(res, title: str) -> Table:
    """Key figures of the last year, one column per region."""
    summ = res.summary().set_index("region")
    table = Table(title=title)
    table.add_column("indicator")
    for region in summ.index:
        table.add_column(str(region), justify="right")
    for col in summ.columns:
        cells = []
        for v in summ[col]:
            cells.append(f"{v:,.3f}" if isinstance(v, float) and abs(v) < 10 else
                         f"{v:,.0f}" if isinstance(v, (int, float)) else str(v))
        table.add_row(col.replace("_", " "), *cells)
    return table


def cost_curves_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    out: Annotated[Path, typer.Option(help="output image (.png, .svg or .pdf)")] = Path("figure1.png"),
    seed: Annotated[int | None, typer.Option(help="root seed")] = None,
    burn_in: Annotated[int, typer.Option(help="simulated years before the cost factors are read")] = 10,
    cluster: Annotated[str | None, typer.Option(help="cluster region (default: the first)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a parameter: key=value")] = None,
) -> None:
    """Draw the paper's Figure 1: the same SME's average cost outside and inside the cluster."""
    from innocluster.model.figure1 import cost_curves
    from innocluster.report.simplots import _save, cost_curves_figure

    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--out {out}: use a .png, .svg or .pdf file name")
    if burn_in < 0:
        raise InputError(f"--burn-in = {burn_in}: must be >= 0")
    sc = _load(scenario, set_)
    curves, meta = cost_curves(sc, seed=seed, burn_in=burn_in, cluster=cluster)
    _save(cost_curves_figure(curves, meta), out)
    atomic_to_parquet(curves, out.with_suffix(".parquet"))
    console.print(f"minimum average cost: outside {meta['min_ac_outside']:.3f}, inside {meta['min_ac_inside']:.3f} "
                  f"per USD of output; figure in [bold]{out}[/bold], data in {out.with_suffix('.parquet')}")


def register(app: typer.Typer) -> None:
    """Add the simulator's commands to the main app."""
    app.add_typer(scenario_app, name="scenario")
    app.command("run")(run)
    app.command("cost-curves")(cost_curves_cmd)
