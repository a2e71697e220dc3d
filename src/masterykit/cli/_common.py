"""What every ``masterykit`` command shares: errors, exit codes, output and file arguments.

Exit codes follow the conventions of opa, ruff and pytest:

* ``0`` success;
* ``1`` a policy or data problem, or a failed policy test;
* ``2`` a usage error (a bad flag, a file given on the command line that does not exist) or a
  bug in masterykit itself.

Problems are :class:`~masterykit.diagnostics.Diagnostic` values with codes ``MK400``–``MK449``,
rendered like every other diagnostic. Nothing here prints a Python traceback unless the user asks
for one with ``--debug``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, TypeVar

import click

from masterykit.diagnostics import Diagnostic, Severity, Source, render_text

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEM",
    "EXIT_USAGE",
    "CliError",
    "DateType",
    "count_severities",
    "debug_option",
    "emit_diagnostics",
    "existing_file",
    "format_option",
    "plural",
    "policy_files",
    "use_colour",
]

#: Success.
EXIT_OK: Final = 0
#: A policy or data problem, or a failed policy test.
EXIT_PROBLEM: Final = 1
#: A usage error (or a bug in masterykit).
EXIT_USAGE: Final = 2

F = TypeVar("F", bound=Callable[..., Any])


class CliError(Exception):
    """A problem the command line reports and stops at: diagnostics plus an exit status.

    ``status`` is :data:`EXIT_USAGE` for bad flags and missing files, :data:`EXIT_PROBLEM` for
    policy and data problems.
    """

    def __init__(
        self,
        diagnostics: Diagnostic | Sequence[Diagnostic],
        status: int = EXIT_USAGE,
        sources: Mapping[str, Source] | None = None,
    ) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.status = status
        self.sources: dict[str, Source] = dict(sources or {})
        super().__init__(self.diagnostics, status)

    def __str__(self) -> str:
        return "\n".join(render_text(d, self.sources) for d in self.diagnostics)


def use_colour(stream: IO[str] | None = None) -> bool:
    """Whether to colour text written to ``stream`` (default: standard output).

    Colour only on a terminal, and never when ``NO_COLOR`` is set to anything (no-color.org) or
    ``TERM`` is ``dumb``.
    """
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def emit_diagnostics(
    diagnostics: Iterable[Diagnostic],
    sources: Mapping[str, Source] | None = None,
    *,
    err: bool = False,
) -> None:
    """Render ``diagnostics`` for a person, a blank line between them, on stdout or stderr.

    Control characters that data put in a message (a learner id with an escape code) are shown
    escaped, never sent to the terminal, and never stripped either.
    """
    stream = sys.stderr if err else sys.stdout
    colour = use_colour(stream)
    for index, diagnostic in enumerate(diagnostics):
        if index:
            click.echo("", err=err)
        click.echo(render_text(_escaped(diagnostic), sources, colour=colour), err=err, color=colour)


def _escaped(diagnostic: Diagnostic) -> Diagnostic:
    """``diagnostic`` with control characters in its texts written as escapes."""
    texts = (diagnostic.message, diagnostic.help or "", diagnostic.location or "")
    if all(text.replace("\n", "").isprintable() for text in texts):
        return diagnostic
    import attrs

    from masterykit.batch import visible

    def shown(text: str) -> str:
        return "\n".join(map(visible, text.split("\n")))

    return attrs.evolve(
        diagnostic,
        message=shown(diagnostic.message),
        help=None if diagnostic.help is None else shown(diagnostic.help),
        location=None if diagnostic.location is None else shown(diagnostic.location),
    )


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``2 errors``; ``words`` gives an irregular plural.

    >>> plural(1, "error"), plural(3, "file"), plural(0, "child", "children")
    ('1 error', '3 files', '0 children')
    """
    return f"{count} {word if count == 1 else (words or word + 's')}"


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """The ``--format`` option of a command, limited to ``choices``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="How to print the result: "
        + ", ".join(f"`{choice}`" for choice in choices)
        + " (JSON output follows a published schema: `masterykit schema`).",
    )


def debug_option(function: F) -> F:
    """``--debug``: show a Python traceback when masterykit itself fails (read by ``main``)."""
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        help="Show a Python traceback if masterykit fails (for bug reports).",
    )(function)


class DateType(click.ParamType[dt.date, Any]):
    """A calendar date written ``YYYY-MM-DD`` (for ``--as-of``)."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        """Read ``value`` as a date, or fail with a message that shows the expected form."""
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise CliError(
                Diagnostic(
                    "MK407",
                    f"`{value}` is not a date",
                    help="write dates year-month-day, such as `--as-of 2026-06-01`",
                )
            ) from None


def existing_file(path: str, what: str) -> Path:
    """``path`` as a :class:`Path` if it names a readable file; else a usage error.

    ``what`` says what the file is for (``policy file``, ``evidence file``) in the message.
    """
    result = Path(path)
    if os.path.isdir(result):  # False, not an exception, for a path too long to look at
        raise CliError(
            Diagnostic(
                "MK405",
                f"{what} `{path}` is a folder",
                help=f"give the path of the {what} itself",
            )
        )
    if not os.path.exists(result):
        raise CliError(
            Diagnostic(
                "MK404",
                f"{what} `{path}` does not exist",
                help="check the path; relative paths start from the current folder",
            )
        )
    if not os.access(result, os.R_OK):
        raise CliError(
            Diagnostic(
                "MK406",
                f"{what} `{path}` cannot be read",
                help="check the file's permissions",
            )
        )
    return result


def policy_files(paths: Sequence[str], *, folders: bool = True) -> list[Path]:
    """The policy files named on the command line, in order, with folders expanded.

    A folder stands for every ``*.mastery`` file below it (sorted). A path that does not exist,
    or a folder without policy files, is a usage error.
    """
    found: list[Path] = []
    for path in paths:
        candidate = Path(path)
        if folders and os.path.isdir(candidate):
            inside = sorted(p for p in candidate.rglob("*.mastery") if p.is_file())
            if not inside:
                raise CliError(
                    Diagnostic(
                        "MK415",
                        f"folder `{path}` has no policy files",
                        help="policy files end in `.mastery`",
                    )
                )
            found.extend(inside)
        else:
            found.append(existing_file(path, "policy file"))
    unique: dict[str, Path] = {}
    for path_ in found:
        unique.setdefault(str(path_), path_)
    return list(unique.values())


def count_severities(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """How many errors and warnings there are among ``diagnostics``."""
    errors = warnings = 0
    for diagnostic in diagnostics:
        if diagnostic.severity is Severity.ERROR:
            errors += 1
        elif diagnostic.severity is Severity.WARNING:
            warnings += 1
    return errors, warnings
