"""Command-line interface: ``innocluster ...``.

One entry point for every job: scenarios, simulation runs, cost curves, the cluster
monitor. Bad input of any kind ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

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


def _register_subcommands() -> None:
    # Each sub-package registers its own commands so that modules stay small.
    from innocluster.dashboard.cli import register as register_dashboard
    from innocluster.experiments.cli import register as register_experiments
    from innocluster.monitor.cli import register as register_monitor
    from innocluster.sim_cli import register as register_sim

    register_sim(app)
    register_monitor(app)
    register_experiments(app)
    register_dashboard(app)
    from innocluster.calibration.cli import register as register_calibration

    register_calibration(app)
    from innocluster.paper.cli import register as register_paper

    register_paper(app)
    from innocluster.validation.cli import register as register_validation

    register_validation(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; convert input errors to one line on stderr and exit code 2.

    Usage errors (unknown option, missing argument) are Typer's and also exit 2.
    """
    _register_subcommands()
    try:
        app(args=argv, prog_name="innocluster")
    except InputError as exc:
        err_console.print(f"error: {exc}", style="red", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted; results already written are intact")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
