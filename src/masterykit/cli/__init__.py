"""The ``masterykit`` command line: check, format, test and run policies from a shell.

Every command has ``--help``; commands that print results take ``--format`` (``json`` output
follows a JSON Schema that ``masterykit schema`` prints). Exit status: 0 success, 1 policy or
data problems or failed tests, 2 usage errors.

Embedding applications call the library, not this module; scripts call the ``masterykit``
executable (or ``python -m masterykit``).
"""

from __future__ import annotations

from collections.abc import Sequence

from masterykit.cli._app import cli
from masterykit.cli._calibrate import calibrate_command
from masterykit.cli._check import check
from masterykit.cli._demo import demo
from masterykit.cli._diff import diff_command
from masterykit.cli._evaluate import evaluate_command
from masterykit.cli._examples import test
from masterykit.cli._explain import explain_command
from masterykit.cli._fmt import fmt
from masterykit.cli._groups import continuum_command, groups_command
from masterykit.cli._impact import impact_command
from masterykit.cli._progress import progress_command
from masterykit.cli._report import report_command
from masterykit.cli._schema import schema

__all__ = ["cli", "main"]

cli.add_command(calibrate_command)
cli.add_command(check)
cli.add_command(continuum_command)
cli.add_command(demo)
cli.add_command(diff_command)
cli.add_command(evaluate_command)
cli.add_command(explain_command)
cli.add_command(fmt)
cli.add_command(groups_command)
cli.add_command(progress_command)
cli.add_command(impact_command)
cli.add_command(report_command)
cli.add_command(schema)
cli.add_command(test)


def main(args: Sequence[str] | None = None) -> int:
    """Run the command line with ``args`` (default: ``sys.argv[1:]``) and return its exit status.

    The console script calls this and exits with the returned status.
    """
    status: int = cli.main(args, prog_name="masterykit", standalone_mode=False)
    return status
