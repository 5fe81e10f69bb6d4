"""Command-line interface: ``innocluster ...``.

One entry point for every job: scenarios, simulation runs, cost curves, the cluster
monitor, experiments. Whatever goes wrong with the input ends with one line on stderr
and exit code 2, never a traceback:

* bad values, files and fields (:class:`~innocluster.errors.InputError`; errors about a
  Python parameter are shown with the flag the user typed, ``years`` as ``--years``);
* usage errors Typer finds (``--years abc``, an unknown option, a missing argument);
* outputs that cannot be written (a read-only file system, no permission, a file
  where a folder is expected).

Every option shows its default in ``--help``; ``innocluster --version`` prints the
version.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from innocluster.errors import InputError

app = typer.Typer(
    name="innocluster",
    help="Simulate, measure and forecast how industrial clusters raise SME innovation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)

#: Python parameters whose command-line flag is not ``--`` + the name with ``-`` for ``_``
FLAGS = {
    "overrides": "--set", "outcomes": "--outcome", "outcome": "--outcome", "params": "--param",
    "experiment": "--name", "store": "--out", "path": "--out", "num_resamples": "--resamples", "arms": "--arm",
}


def _version(value: bool) -> None:
    if value:
        import platform

        import innocluster

        typer.echo(f"innocluster {innocluster.__version__} (Python {platform.python_version()})")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="print the version and exit", callback=_version,
                                          is_eager=True, show_default="off")] = False,
) -> None:
    """Simulate, measure and forecast how industrial clusters raise SME innovation."""


def _register_subcommands() -> None:
    # Each sub-package registers its own commands so that modules stay small.
    if getattr(_register_subcommands, "done", False):
        return
    from innocluster.calibration.cli import register as register_calibration
    from innocluster.dashboard.cli import register as register_dashboard
    from innocluster.experiments.cli import register as register_experiments
    from innocluster.monitor.cli import register as register_monitor
    from innocluster.paper.cli import register as register_paper
    from innocluster.sim_cli import register as register_sim

    register_sim(app)
    register_monitor(app)
    register_experiments(app)
    register_dashboard(app)
    register_calibration(app)
    register_paper(app)
    from innocluster.validation.cli import register as register_validation

    register_validation(app)
    _register_subcommands.done = True


def _commands(command):
    """The command and, for a group, every command below it."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def show_every_default(command) -> None:
    """Make every option's default visible in ``--help``.

    Typer shows a default only when it is a value; an option whose default is "not
    given" (None) or a flag that is off would show nothing. Options that name their
    default in words (``show_default="the scenario's"``) keep it; the others say
    ``none`` or ``off``.
    """
    for cmd in _commands(command):
        for p in cmd.params:
            if p.param_type_name != "option" or p.name == "help" or p.required:
                continue
            if isinstance(p.show_default, str):
                continue
            default = p.default
            if getattr(p, "is_flag", False) and isinstance(default, bool) and not p.secondary_opts:
                p.show_default = "on" if default else "off"
            elif default is None or (isinstance(default, (list, tuple)) and not default):
                p.show_default = "none"
            else:
                p.show_default = True


def _usage_line(exc, argv: list[str]) -> str:
    """A Click/Typer usage error as one line: the command, the message and the value."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "innocluster"
    msg = " ".join(exc.format_message().split()).rstrip(".")
    param = getattr(exc, "param", None)
    opts = list(getattr(param, "opts", []) or [])
    for i, tok in enumerate(argv):
        for opt in opts:
            if tok == opt and i + 1 < len(argv):
                msg += f" (got {argv[i + 1]!r})"
                break
            if tok.startswith(opt + "="):
                msg += f" (got {tok.split('=', 1)[1]!r})"
                break
        else:
            continue
        break
    return f"{where}: {msg}; see '{where} --help'"


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"error: {' '.join(message.split())}", style="red", highlight=False, soft_wrap=True,
                      markup=False)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit: 0 on success, 2 with one line on stderr for bad input."""
    _register_subcommands()
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    show_every_default(command)
    try:
        rv = command.main(args=args, prog_name="innocluster", standalone_mode=False)
    except InputError as exc:
        _fail(exc.for_cli(FLAGS))
    except KeyboardInterrupt:
        err_console.print("interrupted; results already written are intact")
        sys.exit(130)
    except OSError as exc:
        # files that cannot be written or read after the checks ran (a disk that filled
        # up, a folder made read-only meanwhile): the file and the reason, one line
        if exc.filename is None:
            raise
        _fail(f"{exc.filename}: {exc.strerror or exc}")
    except MemoryError:
        _fail("out of memory; run fewer firms (--firms) or years (--years), or without --firm-panel")
    except typer.Abort:
        _fail("aborted", 1)
    except Exception as exc:
        # Click's exceptions (usage errors) carry an exit code and a message; Typer
        # vendors Click, so they are recognised by that interface, not by class
        if not (hasattr(exc, "exit_code") and hasattr(exc, "format_message")):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())
            sys.exit(exc.exit_code)
        _fail(_usage_line(exc, args), exc.exit_code or 2)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
