"""CLI commands of the simulator: ``scenario``, ``run``, ``cost-curves``."""

from __future__ import annotations

import shlex
import sys
import textwrap
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

from innocluster.errors import InputError

console = Console()
scenario_app = typer.Typer(help="List, show and validate scenarios.", no_args_is_help=True)

#: the files ``cost-curves`` writes into its folder (the figure in one of three formats)
FIGURE1_FILES = ("figure1.png", "figure1.svg", "figure1.pdf", "figure1.parquet", "figure1.json")
FIGURE_FORMATS = ("png", "svg", "pdf")
#: below this terminal width ``scenario show --describe`` lists fields one block each
TABLE_MIN_WIDTH = 140


def _load(name: str, overrides: list[str] | None = None, **settings):
    from innocluster.scenario.io import apply_overrides, load_scenario, resolve_scenario

    sc = apply_overrides(load_scenario(name), overrides, source="--set")
    return resolve_scenario(sc, **settings) if settings else sc


def _command_line() -> str:
    return " ".join(shlex.quote(a) for a in ["innocluster", *sys.argv[1:]])


def year_bar(description: str, total: int) -> Progress:
    """A progress bar over simulated years (stdout: stderr stays for errors)."""
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("years"),
                   TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)
    bar.add_task(description, total=total)
    return bar


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


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "unset"
    if v == "":
        return '""'  # an empty text, shown rather than left blank
    return str(v)


def _describe_list(rows: list[dict], title: str, width: int) -> None:
    """One block per field: the name whole on its first line, the rest wrapped below it."""
    out = [title, ""]
    for r in rows:
        head = f"{r['field']} = {_text(r['value'])}"
        out += textwrap.wrap(head, width, subsequent_indent="    ", break_long_words=False,
                             break_on_hyphens=False) or [head]
        facts = [f"default {_text(r['default'])}"]
        if r["allowed"]:
            facts.append(f"allowed {r['allowed']}")
        if r["unit"]:
            facts.append(r["unit"])
        lines = ["; ".join(facts)] + ([r["meaning"]] if r["meaning"] else []) + \
            ([f"source: {r['source']}"] if r["source"] else [])
        for line in lines:
            out += textwrap.wrap(line, width, initial_indent="    ", subsequent_indent="    ",
                                 break_long_words=False, break_on_hyphens=False)
    typer.echo("\n".join(out))


@scenario_app.command("show")
def scenario_show(
    name: Annotated[str, typer.Argument(help="built-in name or path to a .toml file")],
    describe: Annotated[bool, typer.Option("--describe", help="list every field with its value, default, allowed "
                                                               "values, unit, meaning and source")] = False,
    fmt: Annotated[str, typer.Option("--format", help="with --describe: table, list (one block per field, for "
                                                      "narrow terminals) or csv",
                                     show_default="table on terminals of at least 140 columns, else list")] = "",
) -> None:
    """Print the resolved scenario as TOML (every parameter written out), or describe its fields."""
    from innocluster.scenario import scenario_to_toml
    from innocluster.scenario.schema import field_table

    if fmt not in ("", "table", "list", "csv"):
        raise InputError(f"--format = {fmt!r}: allowed: table, list, csv")
    sc = _load(name)
    if not describe:
        typer.echo(scenario_to_toml(sc))
        return
    rows = field_table(sc)
    title = f"Fields of {sc.name} ({len(rows)}; --format csv for a spreadsheet)"
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _text(v) if k in ("value", "default") else v for k, v in r.items()} for r in rows)
        return
    width = console.width
    if fmt == "list" or (fmt == "" and width < TABLE_MIN_WIDTH):
        _describe_list(rows, title, width)
        return
    table = Table(title=title)
    # the field name is what users copy into --set: never broken
    table.add_column("field", no_wrap=True)
    for col in ("value", "default", "allowed", "unit", "meaning", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(_text(r[c]) if c in ("value", "default") else str(r[c])
                        for c in ("field", "value", "default", "allowed", "unit", "meaning", "source")))
    console.print(table)


@scenario_app.command("validate")
def scenario_validate(file: Annotated[str, typer.Argument(help="scenario .toml file or built-in name")]) -> None:
    """Validate a scenario file; exit code 2 with a one-line message when invalid."""
    sc = _load(file)
    console.print(f"[green]ok[/green]: {file} is a valid scenario ({sc.name}, {len(sc.regions)} regions, "
                  f"{sc.n_stages} GVC stages, {sc.years} years)")


def run(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file (a run folder's "
                                                 "scenario.toml reruns that run)")],
    years: Annotated[int | None, typer.Option(help="years to simulate, 1 to 500",
                                              show_default="the scenario's")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed", show_default="the scenario's")] = None,
    firms: Annotated[int | None, typer.Option(help="total initial firms: rescales the whole economy",
                                              show_default="the scenario's")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder, replaced whole by the new run",
                                             show_default="runs/<scenario>-seed<seed>")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a parameter: key=value (repeatable)",
                                                   show_default="none")] = None,
    firm_panel: Annotated[bool, typer.Option("--firm-panel", help="also write firm_panel.parquet (monitor schema)",
                                             show_default="off")] = False,
) -> None:
    """Simulate a scenario; write its run folder (time series, firms, ties, ledger, figure, scenario, run.json)."""
    from innocluster.model.engine import RUN_FILES, check_memory, simulate
    from innocluster.outputs import check_output_folder

    sc = _load(scenario, set_, seed=seed, years=years, firms=firms)
    check_memory(sc.firms or sum(r.initial_firms for r in sc.regions), sc.years, firm_panel)
    out = out or Path("runs") / f"{sc.name}-seed{sc.seed}"
    check_output_folder(out, known=RUN_FILES, param="out", what="run")  # before the work, not after
    with year_bar(f"simulating {sc.name}", sc.years) as bar:
        task = bar.task_ids[0]
        res = simulate(sc, firm_panel=firm_panel, progress=lambda k: bar.advance(task, k))
    res.save(out, command=_command_line())
    console.print(summary_table(res, f"{sc.name}: last simulated year ({int(res.timeseries['year'].max())})"))
    written = sorted(p.name for p in out.iterdir())
    console.print(f"outputs in [bold]{out}[/bold]: {', '.join(written)}; rerun it with "
                  f"`innocluster run {out / 'scenario.toml'} --out OTHER{' --firm-panel' if firm_panel else ''}`",
                  highlight=False)


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
    out: Annotated[Path, typer.Option(help="output folder: figure1.<format>, figure1.parquet (the curves) and "
                                           "figure1.json (the SME and the minima), replaced whole")] = Path("figure1"),
    fmt: Annotated[str, typer.Option("--format", help="image format: png, svg or pdf")] = "png",
    seed: Annotated[int | None, typer.Option(help="root seed", show_default="the scenario's")] = None,
    firms: Annotated[int | None, typer.Option(help="total initial firms: rescales the whole economy",
                                              show_default="the scenario's")] = None,
    burn_in: Annotated[int, typer.Option(help="simulated years before the cost factors are read, 0 to 500")] = 10,
    cluster: Annotated[str | None, typer.Option(help="cluster region",
                                                show_default="the scenario's first cluster")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a parameter: key=value (repeatable)",
                                                   show_default="none")] = None,
) -> None:
    """Draw the paper's Figure 1: the same SME's average cost outside and inside the cluster."""
    import json

    from innocluster.model.engine import check_memory
    from innocluster.model.figure1 import cost_curves
    from innocluster.outputs import check_output_folder, replace_folder
    from innocluster.report.simplots import _save, cost_curves_figure

    if out.suffix.lower() in (".png", ".svg", ".pdf"):
        raise InputError(f"--out {out}: cost-curves writes a folder (figure1.{out.suffix.lstrip('.').lower()}, "
                         f"figure1.parquet and figure1.json, replaced whole); give a folder such as "
                         f"--out {out.with_suffix('')} and the image type with --format")
    if fmt not in FIGURE_FORMATS:
        raise InputError(f"--format {fmt!r}: allowed: {', '.join(FIGURE_FORMATS)}")
    if not 0 <= burn_in <= 500:
        raise InputError(f"--burn-in = {burn_in}: allowed [0, 500]")
    sc = _load(scenario, set_, seed=seed, firms=firms)
    check_memory(sc.firms or sum(r.initial_firms for r in sc.regions), burn_in, False)
    check_output_folder(out, known=FIGURE1_FILES, param="out", what="Figure 1")
    with year_bar(f"burn-in of {sc.name}", burn_in) as bar:
        task = bar.task_ids[0]
        curves, meta = cost_curves(sc, burn_in=burn_in, cluster=cluster,
                                   progress=lambda k: bar.advance(task, k))
    meta = {**meta, "scenario": sc.name, "seed": sc.seed, "firms": sc.firms, "command": _command_line()}
    with replace_folder(out, known=FIGURE1_FILES, param="out", what="Figure 1") as tmp:
        _save(cost_curves_figure(curves, meta), tmp / f"figure1.{fmt}")
        curves.to_parquet(tmp / "figure1.parquet", index=False)
        (tmp / "figure1.json").write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"minimum average cost: outside {meta['min_ac_outside']:.3f}, inside {meta['min_ac_inside']:.3f} "
                  f"per USD of output; figure in [bold]{out / f'figure1.{fmt}'}[/bold], data in "
                  f"{out / 'figure1.parquet'}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the simulator's commands to the main app."""
    app.add_typer(scenario_app, name="scenario")
    app.command("run")(run)
    app.command("cost-curves")(cost_curves_cmd)
