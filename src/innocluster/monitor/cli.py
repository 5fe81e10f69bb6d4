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
out = Console(soft_wrap=True)


def _fail(exc: Exception) -> None:
    err.print(f"error: {exc}", style="red", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _progress():
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


Data = Annotated[list[Path], typer.Argument(
    help="CSV/TXT/TSV, Parquet or Excel file(s): firm panel or region x industry x year table; County Business "
         "Patterns files, a Eurostat SBS TSV, or the two OECD REGPAT tables")]
Format = Annotated[str | None, typer.Option("--format", help="long, cbp, eurostat-sbs or regpat (detected when omitted)")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="text encoding, e.g. utf-8, utf-16, gbk, cp1252 "
                                                                  "(detected when omitted)")]
Sheet = Annotated[str | None, typer.Option("--sheet", help="workbook sheet by name or 0-based position (first when omitted)")]
Year = Annotated[int | None, typer.Option("--year", help="data year of a County Business Patterns file "
                                                         "(else from its name, cbpYYco.txt)")]
Clusters = Annotated[Path | None, typer.Option("--clusters", help="CSV mapping industry codes to named clusters "
                                                                   "(code, cluster, type); see docs/monitor.md")]
Suppressed = Annotated[str, typer.Option("--suppressed", help="withheld CBP employment: unknown (default) or midpoint "
                                                              "of its size class")]
Level = Annotated[str | None, typer.Option("--level", help="industry code level read from CBP (NAICS digits 2-6, "
                                                           "default 4), Eurostat (section, 2, 3, 4; default the most "
                                                           "detailed) or REGPAT (IPC characters 1, 3 or 4, default 4)")]

Indicator = Annotated[list[str] | None, typer.Option(
    "--indicator", help="Eurostat indicator code read as a monitor column, CODE=COLUMN (repeatable; "
                        "columns employment, establishments, revenue, value_added)")]


def _indicators(pairs):
    if not pairs:
        return None
    out = {}
    for p in pairs:
        code, sep, col = p.partition("=")
        if not sep or not code.strip() or not col.strip():
            raise InputError(f"--indicator {p!r}: give CODE=COLUMN, e.g. --indicator EMP_LOC_NR=employment")
        out[code.strip()] = col.strip()
    return out


def _load(data, format, encoding, sheet, year, clusters, suppressed, level, indicator=None):
    from innocluster.monitor.io import load_data

    sh = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    kw = {}
    if level is not None:
        lv = int(level) if level.strip().isdigit() else level.strip()
        kw = {"naics_level": lv, "nace_level": lv, "ipc_level": lv}
    paths = list(data)
    return load_data(paths[0] if len(paths) == 1 else paths, format=format, encoding=encoding, sheet=sh, year=year,
                     suppressed=suppressed, clusters=clusters, eurostat_indicators=_indicators(indicator), **kw)


def _print_notes(notes) -> None:
    for n in dict.fromkeys(notes):
        if n.startswith(("read ", "fields separated", "numbers read")):
            out.print(f"note: {n}", highlight=False)


def indicators_cmd(
    data: Data,
    out_file: Annotated[Path | None, typer.Option("--out", help="write the tidy table to .csv or .parquet")] = None,
    format: Format = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
    year: Year = None,
    clusters: Clusters = None,
    suppressed: Suppressed = "unknown",
    level: Level = None,
    indicator: Indicator = None,
) -> None:
    """Compute all indicators the data allow; a tidy long table (region, industry, year, indicator, value)."""
    from innocluster.monitor.compute import compute_indicators

    try:
        if out_file is not None and out_file.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise InputError(f"--out {out_file}: unsupported extension {out_file.suffix!r}; use .csv or .parquet")
        with _progress() as prog:
            task = prog.add_task("loading", total=None)
            ds = _load(data, format, encoding, sheet, year, clusters, suppressed, level, indicator)
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
        for n in dict.fromkeys(s.notes):
            out.print(f"note: {n}", highlight=False)
    else:
        from rich.table import Table

        t = Table(title=f"{ds.source}: {'firm panel' if ds.kind == 'firm' else 'region x industry x year table'}")
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
    data: Data,
    out_dir: Annotated[Path, typer.Option("--out", help="directory for report.html and indicators.json")],
    region: Annotated[str | None, typer.Option("--region", help="judge only this region")] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="judge only this industry (or cluster)")] = None,
    by: Annotated[str, typer.Option("--by", help="what a cluster is: region, cell (region x industry) or auto")] = "auto",
    max_clusters: Annotated[int, typer.Option("--max-clusters", help="clusters judged one by one (largest first)")] = 12,
    format: Format = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
    year: Year = None,
    clusters: Clusters = None,
    suppressed: Suppressed = "unknown",
    level: Level = None,
    indicator: Indicator = None,
) -> None:
    """Cluster monitor report: specialisation, concentration, and per cluster its stage, warnings and forecasts."""
    from innocluster.monitor.report import write_report

    try:
        from innocluster.monitor.report import REPORT_FILES
        from innocluster.outputs import check_output_folder

        check_output_folder(out_dir, known=REPORT_FILES, param="--out", what="monitor report")
        with _progress() as prog:
            task = prog.add_task("loading", total=None)
            ds = _load(data, format, encoding, sheet, year, clusters, suppressed, level, indicator)
            a = write_report(ds, out_dir, region, industry, progress=lambda m: prog.update(task, description=m),
                             by=by, max_clusters=max_clusters)
    except InputError as exc:
        _fail(exc)
        return
    d = a["data"]
    out.print(f"wrote {out_dir / 'report.html'} and {out_dir / 'indicators.json'}")
    _print_notes(d["notes"])
    titles = (("lock_in", "lock-in"), ("race_to_the_bottom", "race to the bottom"))
    for c in d["clusters"]:
        stage = c["stage"]
        head = (f"stage ({max(stage, key=int)}): {c['latest_stage']}" if stage else "stage not classified")
        out.print(f"{c['name']}: {head}", highlight=False)
        for key, title in titles:
            w = c["warnings"][key]
            if w["state"] == "warning":
                out.print(f"  WARNING {title}: " + "; ".join(w["reasons"]), style="bold red", highlight=False)
            elif w["state"] == "no warning":
                out.print(f"  no warning {title}", highlight=False)
            else:
                out.print(f"  {title} not judged: missing " + ", ".join(w["missing"]) + " (see docs/monitor.md)",
                          style="yellow", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``indicators`` and ``monitor`` commands to ``app``."""
    app.command("indicators")(indicators_cmd)
    app.command("monitor")(monitor_cmd)
