"""``innocluster indicators`` and ``innocluster monitor``.

Both exit with code 2 and one line on stderr for bad input, never a traceback, even
when registered on an app that is not run through :func:`innocluster.cli.main`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from innocluster.atomic import atomic_write
from innocluster.errors import InputError

err = Console(stderr=True)
out = Console()


def _fail(exc: Exception) -> None:
    err.print(f"error: {exc}", style="red", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _progress():
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


def indicators_cmd(
    data: Annotated[Path, typer.Argument(help="CSV, Parquet or Excel file: firm panel or region x industry x year table")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write the tidy table to .csv or .parquet")] = None,
) -> None:
    """Compute all indicators the data allow; a tidy long table (region, industry, year, indicator, value)."""
    from innocluster.monitor.compute import compute_indicators
    from innocluster.monitor.io import load_data

    try:
        if out_file is not None and out_file.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise InputError(f"--out {out_file}: unsupported extension {out_file.suffix!r}; use .csv or .parquet")
        with _progress() as prog:
            task = prog.add_task("loading", total=None)
            ds = load_data(data)
            s = compute_indicators(ds, progress=lambda m: prog.update(task, description=m))
            prog.update(task, description="tidy table")
            # Parquet is written block by block from the arrays (no 10^7-row frame)
            long = None if out_file is not None and out_file.suffix.lower() != ".csv" else s.to_long()
            if long is None:
                n_rows = [0]

                def _write(p):
                    n_rows[0] = s.write_long(p)

                atomic_write(out_file, _write)
    except InputError as exc:
        _fail(exc)
        return
    if out_file is not None:
        if long is not None:
            atomic_write(out_file, lambda p: long.to_csv(p, index=False))
            n_rows = [len(long)]
        out.print(f"wrote {n_rows[0]:,} rows to {out_file}")
    else:
        from rich.table import Table

        t = Table(title=f"{data.name}: {'firm panel' if ds.kind == 'firm' else 'region x industry x year table'}")
        t.add_column("indicator")
        t.add_column("rows", justify="right")
        t.add_column("mean", justify="right")
        t.add_column("min", justify="right")
        t.add_column("max", justify="right")
        summ = long.groupby("indicator", observed=True)["value"].agg(["count", "mean", "min", "max"])
        for name, r in summ.iterrows():
            t.add_row(str(name), f"{int(r['count']):,}", f"{r['mean']:.4g}", f"{r['min']:.4g}", f"{r['max']:.4g}")
        out.print(t)
        for n in dict.fromkeys(s.notes):
            out.print(f"note: {n}", highlight=False)


def monitor_cmd(
    data: Annotated[Path, typer.Argument(help="CSV, Parquet or Excel file: firm panel or region x industry x year table")],
    out_dir: Annotated[Path, typer.Option("--out", help="directory for report.html and indicators.json")],
    region: Annotated[str | None, typer.Option("--region", help="focus region for stage, warnings and forecasts")] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="focus industry")] = None,
) -> None:
    """Cluster monitor report: specialisation, concentration, stage, warnings, forecasts."""
    from innocluster.monitor.io import load_data
    from innocluster.monitor.report import write_report

    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"--out {out_dir}: exists and is not a directory")
        with _progress() as prog:
            task = prog.add_task("loading", total=None)
            ds = load_data(data)
            a = write_report(ds, out_dir, region, industry, progress=lambda m: prog.update(task, description=m))
    except InputError as exc:
        _fail(exc)
        return
    d = a["data"]
    stage = a["stage"]
    out.print(f"wrote {out_dir / 'report.html'} and {out_dir / 'indicators.json'}")
    if stage is not None:
        out.print(f"stage ({stage.index[-1]}): {stage.iloc[-1]}")
    for key, title in (("lock_in", "lock-in"), ("race_to_the_bottom", "race to the bottom")):
        if d["warnings"][key]["flag"]:
            out.print(f"WARNING {title}: " + "; ".join(d["warnings"][key]["reasons"]), style="bold red", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``indicators`` and ``monitor`` commands to ``app``."""
    app.command("indicators")(indicators_cmd)
    app.command("monitor")(monitor_cmd)
