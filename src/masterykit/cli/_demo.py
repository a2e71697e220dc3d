"""``masterykit demo``: the bundled Lake County district, evaluated and summarised in a table.

It runs ``examples/lake-county/district.mastery`` on the folder's ``evidence.csv`` and
``learners.csv`` from a source checkout (the ``examples`` folder next to ``src``), as of the
date of the latest evidence so the summary is the same every day.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from masterykit.cli._common import EXIT_OK, EXIT_PROBLEM, CliError, DateType, debug_option
from masterykit.cli._inputs import load_target, read_inputs, reader_policy
from masterykit.diagnostics import Diagnostic

if TYPE_CHECKING:
    from masterykit.engine import EvaluationResult

__all__ = ["demo", "demo_folder"]

_STYLES = {
    "complete": "bold green",
    "on track": "green",
    "at risk": "yellow",
    "off track": "red",
    "unknown": "dim",
}


def demo_folder() -> Path:
    """The Lake County example folder: ``examples/lake-county`` of a source checkout, else the
    copy installed with the package (``masterykit/_demo_data/lake-county``)."""
    import masterykit

    package = Path(masterykit.__file__).resolve().parent
    checkout = package.parents[1] / "examples" / "lake-county"
    if checkout.is_dir():
        return checkout
    return package / "_demo_data" / "lake-county"


def shown_path(path: Path) -> str:
    """``path`` as a user would type it here: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _missing(folder: Path) -> CliError:
    return CliError(
        Diagnostic(
            "MK414",
            f"the demo needs the example files in `{folder}`, which are not there",
            help="reinstall masterykit, whose package carries the example files, or run "
            "`make demo` in a source checkout",
        ),
        status=EXIT_PROBLEM,
    )


def _print(
    result: EvaluationResult, schools: dict[str, str], total: int, folder: Path, chosen_file: str
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from masterykit.batch import table_rows, visible
    from masterykit.cli._common import use_colour

    stream = sys.stdout
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    console = Console(
        file=stream,
        no_color=not use_colour(stream),
        highlight=False,
        width=None if terminal else 100,
    )
    title = f"{result.policy} {result.version or ''}".strip()
    table = Table(title=f"{title} · {len(result.learners)} learners as of {result.as_of}")
    table.add_column("Learner")
    table.add_column("School")
    district = result.district is not None
    if district:
        table.add_column("Policy")
    table.add_column("Proficient", justify="right")
    table.add_column("Not enough evidence", justify="right")
    table.add_column("Requirements met", justify="right")
    table.add_column("Graduation")
    table.add_column("Pace")
    graduating = 0
    for row in table_rows(result):
        learner, *policy = row[: 2 if district else 1]
        proficient, insufficient, requirements, graduation, pace = row[2 if district else 1 :]
        if graduation.startswith("yes"):
            graduating += 1
        table.add_row(
            escape(learner),
            escape(visible(schools.get(learner, ""))),
            *(escape(cell) for cell in policy),
            proficient,
            insufficient,
            requirements,
            f"[green]{graduation}[/]" if graduation.startswith("yes") else graduation,
            f"[{_STYLES.get(pace, '')}]{pace}[/]" if pace in _STYLES else pace,
        )
    console.print(table)
    counts = result.counts
    console.print(
        f"{graduating} of {len(result.learners)} learners meet the graduation requirements; "
        f"evidence: {total} records read, {counts.used} used, "
        f"{total - counts.used} rejected."
    )
    if result.learners:
        chosen = next(
            (
                learner
                for learner in result.learners
                if learner.pace is not None and learner.pace.status.value == "at_risk"
            ),
            result.learners[0],
        )
        console.print(f"Why is {chosen.learner.id} where they are? Ask masterykit:")
        console.print(
            f"  masterykit explain {shown_path(folder / chosen_file)} "
            f"--evidence {shown_path(folder / 'evidence.csv')} "
            f"--learners {shown_path(folder / 'learners.csv')} --learner {chosen.learner.id} "
            f"--as-of {result.as_of}",
            soft_wrap=True,
        )


@click.command(short_help="Show the bundled Lake County district, evaluated, in a table.")
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    metavar="DATE",
    help="Evaluate as of this date (YYYY-MM-DD). Default: the date of the latest evidence.",
)
@debug_option
def demo(as_of: dt.date | None) -> int:
    """Evaluate the bundled Lake County district on its sample learners and show a summary.

    Uses `examples/lake-county` from a source checkout: the district file that routes each
    school's learners to their school's policy, 30 learners and their evidence.
    Exit status: 0 done, 1 the example files are not there.
    """
    folder = demo_folder()
    names = ("district.mastery", "evidence.csv", "learners.csv")
    if not all((folder / name).is_file() for name in names):
        raise _missing(folder)
    # The district file routes each school's learners to their school's policy; without it
    # (an older copy of the examples) the district policy grades everyone.
    chosen = "district-routes.mastery"
    if not (folder / chosen).is_file():
        chosen = "district.mastery"
    target = load_target(str(folder / chosen))
    inputs = read_inputs(
        str(folder / "evidence.csv"), str(folder / "learners.csv"), policy=reader_policy(target)
    )
    if as_of is None:
        days = [piece.day for piece in inputs.evidence]
        as_of = max(days) if days else dt.date.today()
    from masterykit.batch import evaluate_in_batches

    result = evaluate_in_batches(target, inputs.learners, inputs.evidence, as_of)
    schools = {
        learner.id: str(learner.attributes.get("school", "")) for learner in inputs.learners or ()
    }
    _print(result, schools, inputs.read, folder, chosen)
    return EXIT_OK
