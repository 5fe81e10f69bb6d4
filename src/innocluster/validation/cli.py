"""``innocluster validate``: the stylised-facts report card of a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innocluster.errors import InputError

console = Console()


def validate_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    seeds: Annotated[int, typer.Option(help="seeds to run (1 .. N)")] = 5,
    out: Annotated[Path | None, typer.Option(help="folder for card.csv, card.parquet and report.html "
                                                  "(default runs/validate/<scenario>)")] = None,
    firms: Annotated[int | None, typer.Option(help="initial firms (default: the scenario's)")] = None,
    years: Annotated[int | None, typer.Option(help="years of each run (default: the scenario's)")] = None,
    long_years: Annotated[int, typer.Option(help="years of the long run the life-cycle facts read")] = 80,
    workers: Annotated[int, typer.Option(help="processes running seeds side by side")] = 1,
) -> None:
    """Measure the stylised facts of firm and industry dynamics on a scenario's simulated firm panels."""
    from innocluster.scenario import load_scenario
    from innocluster.outputs import check_output_folder
    from innocluster.validation.card import CARD_FILES, validate

    if seeds < 1:
        raise InputError(f"--seeds = {seeds}: must be at least 1")
    if firms is not None and firms < 1:
        raise InputError(f"--firms = {firms}: must be at least 1")
    if years is not None and years < 1:
        raise InputError(f"--years = {years}: must be at least 1")
    if long_years < 1:
        raise InputError(f"--long-years = {long_years}: must be at least 1")
    if workers < 1:
        raise InputError(f"--workers = {workers}: must be at least 1")
    sc = load_scenario(scenario)
    out = out or Path("runs") / "validate" / sc.name
    check_output_folder(out, known=CARD_FILES, param="--out", what="report card")
    with Progress(TextColumn("seeds"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("seeds", total=seeds)
        res = validate(sc, seeds, firms=firms, years=years, long_years=long_years, workers=workers,
                       progress=lambda k: bar.advance(task, k))
    table = Table(title=f"{sc.name}: {int(res.table['holds'].sum())} of {len(res.table)} facts hold over {seeds} seeds")
    for col in ("fact", "empirical", "simulated [95% interval]", "holds"):
        table.add_column(col, justify="left" if col == "fact" else "right")
    for r in res.table.itertuples():
        high = "inf" if r.high == float("inf") else f"{r.high:.3g}"
        table.add_row(r.fact + (" (calibrated)" if r.calibration_target else ""), f"{r.low:.3g} - {high}",
                      f"{r.simulated:.3g} [{r.ci_low:.3g}, {r.ci_high:.3g}]",
                      "yes" if r.holds else ("no (known gap)" if r.known_gap else "[red]no[/red]"))
    console.print(table)
    for r in res.table.itertuples():
        if r.known_gap:
            console.print(f"known gap, {r.fact}: {r.known_gap}", highlight=False)
    path = res.save(out)
    console.print(f"report card: [bold]{path / 'report.html'}[/bold] (table: {path / 'card.csv'})")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
