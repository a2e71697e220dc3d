"""Diagnostics: what masterykit tells an author, a developer or a tool that something is wrong.

Every problem a user can cause becomes a :class:`Diagnostic` value: a stable code (``MK`` and three
digits, never reused), a severity, a one-line lowercase message in the language's own words, an
optional ``help`` line with advice, and where it happened (a :class:`Span` in a policy file, or a
``location`` such as ``evidence.csv row 12`` for data). Passes *collect* diagnostics rather than
raising at the first one; exceptions (:class:`MasteryError` and its subclasses) only carry a
non-empty batch across an API boundary.

Code ranges:

* ``MK1xx`` reading and parsing policy text (syntax);
* ``MK2xx`` checking a parsed policy (names, scales, rules, layering);
* ``MK3xx`` evidence, learners and other data files;
* ``MK4xx`` command-line usage;
* ``MK5xx`` plugins;
* ``MK6xx`` evaluation and policy tests.

Rendering is separate and pure: :func:`render_text` and :func:`render_json` turn diagnostics into
text (with the source line and a caret) or JSON-ready dictionaries.

>>> src = Source("demo.mastery", 'policy "Demo"\\nproficent at 3\\n')
>>> d = Diagnostic("MK114", "unexpected word `proficent`", Span.point(src.name, 2, 1, 9),
...                help="did you mean `proficient`?")
>>> print(render_text(d, {src.name: src}))
error[MK114]: unexpected word `proficent`
 --> demo.mastery:2:1
  |
2 | proficent at 3
  | ^^^^^^^^^
  = help: did you mean `proficient`?
"""

from __future__ import annotations

import enum
import errno
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "Diagnostic",
    "EvidenceError",
    "FileTooLarge",
    "MasteryError",
    "PolicyCheckError",
    "PolicySyntaxError",
    "Related",
    "Severity",
    "Source",
    "Span",
    "has_errors",
    "read_limited",
    "render_json",
    "render_text",
    "sort_key",
    "split_lines",
]


class Severity(enum.Enum):
    """How serious a diagnostic is. Only ``error`` stops a policy from loading."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@attrs.frozen(slots=True)
class Span:
    """A region of a source file: 1-based line and column of its first and last-plus-one character.

    ``file`` is the name the source was read under (usually the path as the user gave it).
    ``start`` and ``end`` are character offsets into the text, when known. Spans never take part in
    the equality of the nodes that carry them.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int | None = None
    end: int | None = None

    @classmethod
    def point(cls, file: str, line: int, column: int, width: int = 0) -> Span:
        """A span on one line starting at ``column`` and covering ``width`` characters."""
        return cls(file, line, column, line, column + width)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen(slots=True)
class Source:
    """The text of one policy file, kept so diagnostics can quote the offending line."""

    name: str
    text: str

    def line(self, number: int) -> str:
        r"""The text of 1-based line ``number`` without its line break ('' past the end).

        Lines end at ``\n`` only (a ``\r`` before it is dropped), as the parser counts them:
        a form feed or a Unicode line separator inside a line does not start a new one.

        >>> Source("p.mastery", "a\x0cb\r\nc").line(1)
        'a\x0cb'
        """
        lines = split_lines(self.text)
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return ""

    @property
    def line_count(self) -> int:
        """How many lines the text has, counted as :meth:`line` counts them."""
        return len(split_lines(self.text))


def split_lines(text: str) -> list[str]:
    r"""Split ``text`` into lines at ``\n`` only, dropping a ``\r`` that ends a line.

    Unlike ``str.splitlines``, this agrees with the line numbers Lark gives tokens.

    >>> split_lines("one\r\ntwo\x0bstill two\n")
    ['one', 'two\x0bstill two']
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@attrs.frozen(slots=True)
class Related:
    """A secondary place a diagnostic points at, such as the tight rule an overlay breaks."""

    message: str
    span: Span | None = None


@attrs.frozen(slots=True)
class Diagnostic:
    """One problem found in a policy, in evidence, or on the command line.

    ``message`` is a lowercase one-liner without a final period; names the author wrote appear in
    backticks. ``help`` holds advice ("did you mean `proficient`?"). ``span`` locates it in a
    policy file; ``location`` locates it in data (``evidence.csv row 12``, ``$.evidence[3].score``)
    when there is no span.
    """

    code: str
    message: str
    span: Span | None = None
    help: str | None = None
    severity: Severity = Severity.ERROR
    location: str | None = None
    related: tuple[Related, ...] = ()

    def __attrs_post_init__(self) -> None:
        # INVARIANT: codes are stable identifiers documented in docs/diagnostics.rst.
        if not re.fullmatch(r"MK\d{3}", self.code):
            raise ValueError(f"diagnostic codes look like MK123, not {self.code!r}")

    @property
    def where(self) -> str:
        """``file:line:column`` for a span, the data location otherwise, or ''."""
        if self.span is not None:
            return str(self.span)
        return self.location or ""

    def __str__(self) -> str:
        where = self.where
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity.value}[{self.code}]: {self.message}"


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file, then position, then code (stable, as authors read them)."""
    span = diagnostic.span
    if span is None:
        return (diagnostic.location or "", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any of ``diagnostics`` is an error (warnings and notes do not stop a load)."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


_STYLES = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;36m",
}
_BOLD = "\x1b[1m"
_BLUE = "\x1b[1;34m"
_RESET = "\x1b[0m"


def _snippet(span: Span, source: Source | None, colour: bool) -> list[str]:
    if source is None:
        return []
    text = source.line(span.line).expandtabs(1)
    if not text and span.line > source.line_count:
        return []
    gutter = str(span.line)
    pad = " " * len(gutter)
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    else:
        width = max(1, len(text) - span.column + 1) if span.end_line != span.line else 1
    width = max(1, min(width, max(1, len(text) - span.column + 1)))
    caret = " " * (span.column - 1) + "^" * width
    blue, reset = (_BLUE, _RESET) if colour else ("", "")
    return [
        f"{pad} {blue}|{reset}",
        f"{blue}{gutter} |{reset} {text}",
        f"{pad} {blue}|{reset} {caret}",
    ]


def render_text(
    diagnostic: Diagnostic,
    sources: Mapping[str, Source] | None = None,
    *,
    colour: bool = False,
) -> str:
    """Render one diagnostic for a person: header, location, source line with a caret, help.

    ``sources`` maps file names to their text so the offending line can be quoted; a diagnostic
    whose file is not there is rendered without a snippet. The function is pure: the same input
    always gives the same text (``colour`` adds ANSI styles for terminals).
    """
    style, bold, blue, reset = (
        (_STYLES[diagnostic.severity], _BOLD, _BLUE, _RESET) if colour else ("", "", "", "")
    )
    lines = [
        f"{style}{diagnostic.severity.value}[{diagnostic.code}]{reset}{bold}: "
        f"{diagnostic.message}{reset}"
    ]
    span = diagnostic.span
    if span is not None:
        gutter = " " * len(str(span.line))
        lines.append(f"{gutter}{blue}-->{reset} {span}")
        source = (sources or {}).get(span.file)
        lines.extend(_snippet(span, source, colour))
    elif diagnostic.location:
        lines.append(f"  {blue}-->{reset} {diagnostic.location}")
    indent = " " * (len(str(span.line)) + 1) if span is not None else "  "
    for related in diagnostic.related:
        where = f" ({related.span})" if related.span is not None else ""
        lines.append(f"{indent}{blue}={reset} note: {related.message}{where}")
    if diagnostic.help:
        lines.append(f"{indent}{blue}={reset} help: {diagnostic.help}")
    return "\n".join(lines)


def render_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """Render one diagnostic as a JSON-ready dictionary with stable keys.

    Keys: ``code``, ``severity``, ``message``, ``help``, ``file``, ``line``, ``column``,
    ``end_line``, ``end_column``, ``location`` and ``related`` (a list of ``{message, file, line,
    column}``). Missing values are ``null``.
    """
    span = diagnostic.span
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "file": span.file if span else None,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "location": diagnostic.location,
        "related": [
            {
                "message": r.message,
                "file": r.span.file if r.span else None,
                "line": r.span.line if r.span else None,
                "column": r.span.column if r.span else None,
            }
            for r in diagnostic.related
        ],
    }


class MasteryError(Exception):
    """Base of every error masterykit raises for something a user did.

    It carries a non-empty tuple of diagnostics and the sources needed to render them; ``str()``
    gives the rendered text. Instances pickle (they are sent between processes in batch runs).
    """

    def __init__(
        self,
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, Source] | None = None,
    ) -> None:
        if not diagnostics:
            raise ValueError("a MasteryError needs at least one diagnostic")
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=sort_key))
        self.sources: dict[str, Source] = dict(sources or {})
        super().__init__(self.diagnostics, self.sources)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.diagnostics, self.sources))

    def __str__(self) -> str:
        return "\n\n".join(render_text(d, self.sources) for d in self.diagnostics)


class PolicySyntaxError(MasteryError):
    """A policy file could not be read or parsed (``MK1xx``)."""


class PolicyCheckError(MasteryError):
    """A parsed policy, or its chain of overlays, breaks the language's rules (``MK2xx``)."""


class EvidenceError(MasteryError):
    """Evidence, learner or framework data could not be used (``MK3xx``)."""


# --- reading files with a size bound -----------------------------------------------------------


class FileTooLarge(Exception):
    """A file holds more bytes than its reader allows.

    ``size`` is the file's size when the file system knows it (a regular file), ``None`` for a
    device or a pipe, of which only ``limit + 1`` bytes were read.
    """

    def __init__(self, size: int | None, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(size, limit)

    def __str__(self) -> str:
        if self.size is None:
            return f"more than {self.limit:,} bytes"
        return f"{self.size:,} bytes"


_CHUNK = 1 << 20


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the file at ``path``, never more than ``limit`` of them in memory at once.

    A regular file larger than ``limit`` is refused from its size, before a byte is read; any
    other file (a device such as ``/dev/zero``, a pipe) is read up to ``limit + 1`` bytes. A named
    pipe that no program writes to reads as empty instead of waiting.

    Raises:
        FileTooLarge: the file holds more than ``limit`` bytes.
        IsADirectoryError: ``path`` is a folder.
        OSError: the file cannot be opened or read (its ``errno`` says why).

    .. versionadded:: 0.1
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if regular and info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLarge(None, limit)
    return data
