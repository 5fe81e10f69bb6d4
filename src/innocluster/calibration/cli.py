"""``innocluster calibrate``: fit a scenario to observed facts (SMM)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from innocluster.atomic import atomic_to_parquet, atomic_write_text
from innocluster.errors import InputError

console = Console()


def leading_comments(path) -> list[str]:
    """The comment block at the top of a scenario file (its documented facts)."""
    out = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        if line.startswith("#"):
            if "calibrated by the simulated method of moments" in line:
                break  # an earlier calibration header: replaced, not stacked
            out.append(line)
        else:
            break
    return out


def calibrated_toml(result, tf, targets_path: str, command: str, preamble: list[str] | None = None) -> str:
    """The calibrated scenario as TOML with a header that documents the calibration.

    ``preamble`` (the source file's own comment block with the facts behind the set-up)
    is kept on top.
    """
    from innocluster.scenario import scenario_to_toml

    lines = list(preamble or []) + ([""] if preamble else []) + [
        f"# {result.scenario.name}: calibrated by the simulated method of moments.",
        f"# Command: {command}",
        f"# Targets file: {targets_path} ({tf.replications} replications per candidate, root seed {tf.seed}).",
        f"# Objective J = {result.objective:.4g} after "
        f"{result.evaluations} candidate evaluations.",
        "# Free parameters (calibrated values are in the tables below):",
    ]
    ident = result.identification
    for name, v in result.parameters.items():
        extra = ""
        if ident is not None:
            r = ident.set_index("parameter").loc[name]
            extra = f"  [95% interval {r['ci_low']:.4g}, {r['ci_high']:.4g}]" + (
                f" NOT IDENTIFIED: {r['note']}" if not r["identified"] else "")
        lines.append(f"#   {name} = {v:.6g}{extra}")
    lines.append("# Targets (observed value, tolerance | simulated mean [95% interval] over fresh replications):")
    for _, r in result.table.iterrows():
        lines.append(f"#   {r['target']}: {r['value']:.6g} +/- {r['tolerance']:.3g} | {r['simulated_mean']:.6g} "
                     f"[{r['ci_low']:.6g}, {r['ci_high']:.6g}] {'ok' if r['within_tolerance'] else 'MISSED'}"
                     f"  -- {r['source']}")
    lines.append("# Do not hand-edit the calibrated values; rerun the command above instead.")
    return "\n".join(lines) + "\n\n" + scenario_to_toml(result.scenario)


def calibrate_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    targets: Annotated[str, typer.Option(help="targets .toml file (or the name of a shipped one)")],
    params: Annotated[list[str] | None, typer.Option("--params", help="free parameter NAME=LOW:HIGH (repeatable; replaces the file's)")] = None,
    replications: Annotated[int | None, typer.Option(help="replications per candidate")] = None,
    max_evaluations: Annotated[int | None, typer.Option(help="candidates evaluated by the adaptive search")] = None,
    initial_design: Annotated[int | None, typer.Option(help="Latin-hypercube candidates")] = None,
    workers: Annotated[int | None, typer.Option(help="local worker processes")] = None,
    executor: Annotated[str, typer.Option(help="local | serial | dask")] = "local",
    out: Annotated[Path | None, typer.Option(help="calibrated scenario file (default runs/calibrated/<scenario>.toml)")] = None,
) -> None:
    """Calibrate a scenario to observed facts; report every target and write the calibrated scenario."""
    from innocluster.calibration.smm import calibrate
    from innocluster.calibration.targets import Parameter, load_targets
    from innocluster.scenario import load_scenario

    from innocluster.experiments.execution import Execution

    # executor settings first: a bad --workers is refused before the targets are read
    execution = Execution(executor=executor, workers=workers, progress=True)
    tf = load_targets(targets)
    sc = load_scenario(scenario)
    update = {}
    if params:
        plist = []
        for spec in params:
            try:
                name, rng = spec.split("=", 1)
                lo, hi = (float(x) for x in rng.split(":"))
            except ValueError:
                raise InputError(f"--params {spec!r}: expected NAME=LOW:HIGH, e.g. innovation.zeta1=0.01:1") from None
            if not lo < hi:
                raise InputError(f"--params {spec!r}: LOW must be below HIGH")
            plist.append(Parameter(name=name, low=lo, high=hi))
        update["parameters"] = plist
    for key, val in (("replications", replications), ("max_evaluations", max_evaluations),
                     ("initial_design", initial_design)):
        if val is not None:
            if val < (0 if key == "initial_design" else 1):
                raise InputError(f"--{key.replace('_', '-')} = {val}: too small")
            update[key] = val
    tf = tf.model_copy(update=update)
    # the free parameters must exist in the scenario (checked before any run)
    from innocluster.calibration.smm import _lookup

    for p in tf.parameters:
        _lookup(sc, p.name)
    console.print(f"calibrating [bold]{sc.name}[/bold]: {len(tf.targets)} targets, {len(tf.parameters)} free parameters, "
                  f"{tf.replications} replications per candidate (common random numbers)")
    res = calibrate(sc, tf, execution=execution, log=lambda m: console.print(m))
    table = Table(title=f"{sc.name}: targets after calibration ({len(res.table)} targets)")
    for col in ("target", "observed", "tolerance", "simulated", "95% interval", "within"):
        table.add_column(col, justify="left" if col == "target" else "right")
    for _, r in res.table.iterrows():
        table.add_row(r["target"], f"{r['value']:.4g}", f"{r['tolerance']:.3g}", f"{r['simulated_mean']:.4g}",
                      f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]", "yes" if r["within_tolerance"] else "[red]no[/red]")
    console.print(table)
    ptable = Table(title="calibrated parameters (95% interval from the targets' tolerances)")
    for col in ("parameter", "value", "95% interval", "identified"):
        ptable.add_column(col, justify="left" if col in ("parameter", "identified") else "right")
    ident = res.identification.set_index("parameter") if res.identification is not None else None
    for k, v in res.parameters.items():
        if ident is None:
            ptable.add_row(k, f"{v:.6g}", "", "")
            continue
        r = ident.loc[k]
        ptable.add_row(k, f"{v:.6g}", f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]",
                       "yes" if r["identified"] else f"[yellow]no: {r['note']}[/yellow]")
    console.print(ptable)
    for note in res.notes:
        console.print(f"[yellow]{note}[/yellow]")
    out = out or Path("runs") / "calibrated" / f"{sc.name}.toml"
    # the command that reproduces this file: every option that changes the search
    command = (f"innocluster calibrate {scenario} --targets {targets}" + "".join(f" --params {p}" for p in params or [])
               + "".join(f" --{key.replace('_', '-')} {val}" for key, val in update.items() if key != "parameters"))
    from innocluster.scenario.io import scenario_path

    atomic_write_text(out, calibrated_toml(res, tf, str(targets), command, leading_comments(scenario_path(scenario))))
    atomic_to_parquet(res.table, out.with_suffix(".targets.parquet"))
    atomic_to_parquet(res.history, out.with_suffix(".history.parquet"))
    if res.identification is not None:
        atomic_to_parquet(res.identification, out.with_suffix(".identification.parquet"))
    console.print(f"calibrated scenario: [bold]{out}[/bold]; target table and search history next to it")
    if not res.all_within:
        console.print("[yellow]some targets are outside their tolerance (see the table)[/yellow]")


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_cmd)
