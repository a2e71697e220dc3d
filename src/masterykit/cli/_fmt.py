"""``masterykit fmt [--check] FILE…|-``: lay policy files out the one standard way.

Files are written safely: the formatted text goes to a new file beside the old one, which then
takes its place in one step (a rename), so a full disk or a crash leaves the old file whole. A
file that cannot be written is reported (``MK441``) and the others are still formatted.

Given a folder, ``fmt`` formats the policy files inside it and never a file outside it: a
symbolic link that leads out of the folder is reported (``MK440``) and skipped. A link that
leads to a file inside the folder formats that file (once, however many links lead to it) and
stays a link; so does a link named on the command line, whose file is formatted where it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
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
from masterykit.diagnostics import Diagnostic, MasteryError, Severity

__all__ = [
    "STDIN",
    "fmt",
]

#: The file name that means standard input (and, for output, standard output).
STDIN = "-"


def _format(text: str, name: str) -> str:
    from masterykit.dsl.format import format_text

    return format_text(text, name)


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError, RuntimeError):  # pragma: no cover - realpath does not raise
        return Path(os.path.abspath(path))


def _write_error(path: Path, why: str) -> Diagnostic:
    return Diagnostic(
        "MK441",
        f"cannot write `{path}`: {why}",
        help="the file is left as it was; check that you may write to it and its folder, "
        "and that the disk has room",
    )


def _write(path: Path, target: Path, text: str) -> Diagnostic | None:
    """Replace ``target`` (the file ``path`` is, or leads to) with ``text`` in one step: written
    beside it under a temporary name, then renamed over it. ``MK441`` when it cannot be
    written, or when ``path`` no longer leads to ``target`` (a link changed meanwhile); the
    file is then left as it was."""
    if _real(path) != target:
        return _write_error(path, "it changed while it was being formatted")
    try:
        info = target.stat()
        if not os.access(target, os.W_OK):
            return _write_error(path, "the file is read-only")
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent
        )
    except OSError as error:
        return _write_error(path, error.strerror or str(error))
    try:
        with os.fdopen(fd, "wb") as stream:
            # Keep the file's bytes exactly: no newline translation.
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            # Only root, or an owner giving the file to one of their own groups, may do this.
            with contextlib.suppress(OSError):
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return _write_error(path, error.strerror or os.strerror(error.errno or errno.EIO))
    return None


def _outside(path: Path, folder: str) -> Diagnostic:
    return Diagnostic(
        "MK440",
        f"skipped `{path}`: it is a link to `{_real(path)}`, outside `{folder}`",
        help="fmt changes only files inside the folders it is given; format that file where "
        "it is, or name the link itself",
        severity=Severity.WARNING,
    )


def _targets(files: tuple[str, ...]) -> tuple[list[tuple[Path, Path]], list[Diagnostic]]:
    """The files to format, each once, as (the path found, the file it is once links are
    followed), and a warning for each link that leads out of a folder named on the command
    line."""
    found: list[tuple[Path, Path]] = []
    skipped: list[Diagnostic] = []
    seen: set[Path] = set()
    for name in files:
        try:
            folder = _real(Path(name)) if Path(name).is_dir() else None
        except OSError:
            folder = None  # not a folder; policy_files says what it is
        for path in policy_files([name]):
            real = _real(path)
            if folder is not None and not real.is_relative_to(folder):
                skipped.append(_outside(path, name))
            elif real not in seen:
                seen.add(real)
                found.append((path, real))
    return found, skipped


def _format_stdin(check_only: bool) -> int:
    from masterykit.dsl.parser import MAX_FILE_BYTES

    stream = sys.stdin
    # At most one byte over the limit, so that `fmt - < /dev/zero` stops at the limit.
    raw = (
        stream.buffer.read(MAX_FILE_BYTES + 1)
        if hasattr(stream, "buffer")
        else stream.read(MAX_FILE_BYTES + 1)
    )
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise CliError(
            Diagnostic(
                "MK103",
                f"the policy file is more than {MAX_FILE_BYTES:,} bytes; the limit is "
                f"{MAX_FILE_BYTES:,}",
                location="<stdin>",
                help="split it into a district file and overlays that `extends` it",
            ),
            status=EXIT_PROBLEM,
        )
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

    A folder stands for every `.mastery` file in it; a link in it that leads outside the
    folder is skipped with a warning. `-` reads a policy on standard input and writes it,
    formatted, to standard output. Comments are kept. A file with syntax errors is left as it
    is and its errors are shown. Each file is replaced in one step, so one that cannot be
    written (a full disk, a read-only file) is left whole.
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
    from masterykit.loader import read_policy

    status = EXIT_OK
    changed = 0
    paths, skipped = _targets(files)
    if skipped:
        emit_diagnostics(skipped, err=True)
    for path, real in paths:
        try:
            source = read_policy(path, str(path))
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
            continue
        problem = _write(path, real, formatted)
        if problem is not None:
            emit_diagnostics([problem], err=True)
            status = EXIT_PROBLEM
        else:
            click.echo(f"reformatted {path}", err=True)
    if check_only and changed:
        click.echo(f"{plural(changed, 'file')} would be reformatted", err=True)
    return status
