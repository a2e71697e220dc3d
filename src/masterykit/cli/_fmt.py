"""``masterykit fmt [--check] FILE…|-``: lay policy files out the one standard way."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    CliError,
    debug_option,
    emit_diagnostics,
    plural,
    policy_files,
)
from masterykit.diagnostics import Diagnostic, MasteryError

__all__ = [
    "STDIN",
    "fmt",
]

#: The file name that means standard input (and, for output, standard output).
STDIN = "-"


def _format(text: str, name: str) -> str:
    from masterykit.dsl.format import format_text

    return format_text(text, name)


def _write(path: Path, text: str) -> None:
    try:
        # Keep the file's bytes exactly: no newline translation.
        path.write_bytes(text.encode("utf-8"))
    except OSError as error:
        raise CliError(
            Diagnostic(
                "MK413",
                f"cannot write `{path}`: {error.strerror or error}",
                help="check that the folder exists and that you may write to it",
            ),
            status=EXIT_PROBLEM,
        ) from None


def _format_stdin(check_only: bool) -> int:
    stream = sys.stdin
    raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(
            Diagnostic(
                "MK416",
                "standard input is not UTF-8 text",
                help="policy files are UTF-8 text; save the file as UTF-8 in your editor",
            ),
            status=EXIT_PROBLEM,
        ) from None
    try:
        formatted = _format(text, "<stdin>")
    except MasteryError as error:
        emit_diagnostics(error.diagnostics, error.sources, err=True)
        return EXIT_PROBLEM
    if check_only:
        if formatted != text:
            click.echo("would reformat <stdin>")
            return EXIT_PROBLEM
        return EXIT_OK
    click.echo(formatted, nl=False)
    return EXIT_OK


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…|-")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; list the files that would change and exit 1 if there are any.",
)
@debug_option
def fmt(files: tuple[str, ...], check_only: bool) -> int:
    """Lay out policy files the standard way, in place.

    A folder stands for every `.mastery` file in it; `-` reads a policy on standard input
    and writes it, formatted, to standard output. Comments are kept. A file with syntax
    errors is left as it is and its errors are shown.
    Exit status: 0 done (or nothing to change), 1 files would change (`--check`) or could
    not be read, 2 usage error.
    """
    if STDIN in files:
        if len(files) > 1:
            raise CliError(
                Diagnostic(
                    "MK408",
                    "`-` (standard input) cannot be combined with file names",
                    help="format standard input on its own: `masterykit fmt - < policy.mastery`",
                )
            )
        return _format_stdin(check_only)
    from masterykit.dsl.parser import read_source

    status = EXIT_OK
    changed = 0
    for path in policy_files(files):
        try:
            source = read_source(path, str(path))
            formatted = _format(source.text, source.name)
        except MasteryError as error:
            emit_diagnostics(error.diagnostics, error.sources, err=True)
            status = EXIT_PROBLEM
            continue
        if formatted == source.text:
            continue
        changed += 1
        if check_only:
            click.echo(f"would reformat {path}")
            status = EXIT_PROBLEM
        else:
            _write(path, formatted)
            click.echo(f"reformatted {path}", err=True)
    if check_only and changed:
        click.echo(f"{plural(changed, 'file')} would be reformatted", err=True)
    return status
