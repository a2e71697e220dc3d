"""Writing an output file safely: never over an input, never half-written.

:func:`open_output` refuses a path that is one of the run's inputs (the same file by another
name too: a symbolic or hard link), before anything is opened for writing (``MK419``). It
writes to a new file beside the target and puts it in the target's place only when everything
has been written, so a run that fails or is interrupted leaves the previous file as it was and
never a partial file under the target's name. A path that names a device or a pipe rather than
a regular file (``/dev/stdout``, a FIFO) is written in place. A file that cannot be written
(no space left, no permission, a folder in the way) is an :class:`OutputError` (``MK413``)
naming the path and the system's reason.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with open_output(folder / "out.csv") as write:
...     _ = write("learner,type\\n")
>>> (folder / "out.csv").read_text()
'learner,type\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from masterykit.diagnostics import Diagnostic, MasteryError

__all__ = [
    "OutputError",
    "check_not_input",
    "closed_output",
    "open_binary_output",
    "open_output",
    "output_error",
]


class OutputError(MasteryError):
    """An output could not be written (``MK413``), would overwrite an input (``MK419``), or
    standard output was closed early (``MK420``)."""


#: What to suggest for each reason a file cannot be written.
_HELP = {
    errno.ENOSPC: "free some space on the disk, or write the output somewhere else",
    errno.EDQUOT: "free some space within your disk quota, or write the output somewhere else",
    errno.EISDIR: "give the path of a file to write, not of a folder",
    errno.EROFS: "the disk is read-only: write the output somewhere else",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EFBIG: "the file grew larger than the disk allows: write it somewhere else",
}
_DEFAULT_HELP = "check that the folder exists and that you may write to it"


def output_error(path: str | Path, error: OSError) -> OutputError:
    """``MK413`` for ``path`` (or ``standard output``), which ``error`` stopped us writing."""
    reason = error.strerror or str(error)
    where = f"`{path}`" if str(path) != "standard output" else "standard output"
    return OutputError(
        [
            Diagnostic(
                "MK413",
                f"cannot write {where}: {reason}",
                help=_HELP.get(error.errno or 0, _DEFAULT_HELP),
            )
        ]
    )


def closed_output() -> OutputError:
    """``MK420``: standard output was closed before everything was written (a broken pipe)."""
    return OutputError(
        [
            Diagnostic(
                "MK420",
                "standard output was closed before all the output was written (broken pipe)",
                help="the program reading the output stopped early; to keep only part of it, "
                "write it to a file with `-o` and read that",
            )
        ]
    )


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_not_input(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Refuse ``output`` if it is one of ``inputs`` or lies inside an input folder.

    Files are compared by device and inode number when both exist (so a symbolic or a hard
    link to an input is caught), and by their resolved paths otherwise.

    Raises:
        OutputError: ``MK419`` naming the input.
    """
    target = Path(output)
    try:
        target_stat: os.stat_result | None = os.stat(target)
    except OSError:
        target_stat = None
    resolved = target.resolve()
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        source = Path(given)
        try:
            source_stat: os.stat_result | None = os.stat(source)
        except OSError:
            source_stat = None
        same = (
            target_stat is not None
            and source_stat is not None
            and os.path.samestat(target_stat, source_stat)
        )
        folder = source_stat is not None and stat.S_ISDIR(source_stat.st_mode)
        if same and folder:
            raise _overwrites(output, given, "is the input folder")
        if same or resolved == source.resolve():
            raise _overwrites(output, given, "is the input")
        if folder and _is_inside(resolved, source.resolve()):
            raise _overwrites(output, given, "is inside the input folder")


def _overwrites(output: str | Path, given: str | Path, relation: str) -> OutputError:
    return OutputError(
        [
            Diagnostic(
                "MK419",
                f"the output `{output}` {relation} `{given}`; writing it would destroy the input",
                help="write the output to another file",
            )
        ]
    )


class _Writer:
    """Writes text to a stream, turning the system's refusals into :class:`OutputError`."""

    def __init__(self, stream: TextIO, path: str | Path) -> None:
        self._write = stream.write
        self.path = path

    def __call__(self, text: str) -> int:
        try:
            return self._write(text)
        except OSError as error:
            raise output_error(self.path, error) from None


@contextlib.contextmanager
def open_output(
    path: str | Path, *, inputs: Iterable[str | Path | None] = ()
) -> Iterator[Callable[[str], int]]:
    """A function that writes text (UTF-8) to the file ``path``, which appears, whole, when the
    block ends without an error.

    The text goes to a new file beside ``path`` (``.NAME.RANDOM.tmp``, with the permissions a
    new file gets, or those of the file it replaces), renamed over ``path`` at the end; if the
    block raises, or is interrupted, that file is removed and ``path`` is left as it was. A
    symbolic link stays a link: the file it points to is replaced. A ``path`` that is a device
    or a pipe is written in place.

    Args:
        path: the file to write.
        inputs: the files and folders the run reads; ``path`` must not be one of them (see
            :func:`check_not_input`). ``None`` and ``-`` entries are ignored.

    Raises:
        OutputError: ``MK419`` before anything is written when ``path`` is an input;
            ``MK413`` when the file cannot be created, written or put in place.
    """
    check_not_input(path, inputs)
    target = Path(path)
    if target.is_symlink():
        # Replace the file the link points to, and keep the link.
        target = Path(os.path.realpath(target))
    try:
        existing: os.stat_result | None = os.stat(target)
    except OSError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise output_error(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        yield from _in_place(target, path)
        return
    if existing is not None and not os.access(target, os.W_OK):
        # Renaming would replace a file its owner made read-only; refuse as writing it would.
        raise output_error(path, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    temporary, stream = _create_beside(target, path, existing)
    try:
        with stream:
            yield _Writer(stream, path)
            try:
                stream.flush()
            except OSError as error:
                raise output_error(path, error) from None
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise output_error(path, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            stream.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def open_binary_output(
    path: str | Path, *, inputs: Iterable[str | Path | None] = ()
) -> Iterator[BinaryIO]:
    """A binary stream to the file ``path`` (a Parquet file), which appears, whole, when the
    block ends without an error; as :func:`open_output` in every other way, except that a
    device or a pipe is refused (``MK413``): a Parquet file is written to a regular file.

    Raises:
        OutputError: ``MK419`` when ``path`` is an input; ``MK413`` when the file cannot be
            created, written or put in place.
    """
    check_not_input(path, inputs)
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        existing: os.stat_result | None = os.stat(target)
    except OSError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise output_error(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise output_error(path, OSError(errno.ESPIPE, "not a regular file"))
    if existing is not None and not os.access(target, os.W_OK):
        raise output_error(path, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    temporary, stream = _create_beside(target, path, existing, binary=True)
    try:
        with stream:
            try:
                yield stream  # type: ignore[misc]
                stream.flush()
            except OSError as error:
                raise output_error(path, error) from None
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise output_error(path, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            stream.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _in_place(target: Path, path: str | Path) -> Iterator[Callable[[str], int]]:
    try:
        stream = target.open("w", encoding="utf-8")
    except OSError as error:
        raise output_error(path, error) from None
    try:
        yield _Writer(stream, path)
        stream.flush()
    except OSError as error:
        raise output_error(path, error) from None
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _create_beside(
    target: Path, path: str | Path, existing: os.stat_result | None, *, binary: bool = False
) -> tuple[Path, TextIO]:
    """A new file in ``target``'s folder, opened for writing text (or bytes), and its path."""
    folder = target.parent
    for _ in range(100):
        temporary = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise output_error(path, error) from None
        try:
            if existing is not None:
                os.chmod(fd, stat.S_IMODE(existing.st_mode))
            stream: TextIO = (
                open(fd, "wb")  # type: ignore[assignment]  # noqa: SIM115 - closed by the caller
                if binary
                else open(fd, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
            )
        except OSError as error:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise output_error(path, error) from None
        return temporary, stream
    raise output_error(path, FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST)))
