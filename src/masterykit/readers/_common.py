"""What every evidence reader shares: codes, rejections, options, dates, numbers and lines.

Readers never load a whole file: :class:`LineSource` hands out one line at a time (with a byte
limit per line), and :func:`iter_json_document` splits a JSON array into its elements as it reads.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, cast

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import Origin, Rejection

__all__ = [
    "CODES",
    "DEFAULT_MAX_RECORD_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_NUMBER_EXPONENT",
    "MAX_QUOTED_CHARS",
    "MAX_RECORD_BYTES_LIMIT",
    "NUMBER_RANGE",
    "SKIP_CODES",
    "BigNumber",
    "LineSource",
    "RecordProblem",
    "ScaleMap",
    "Unclosed",
    "bad_option",
    "check_header",
    "csv_rows",
    "display_name",
    "iter_json_document",
    "load_json",
    "missing_column",
    "number_out_of_range",
    "open_binary",
    "parse_decimal",
    "parse_timestamp",
    "record_limit",
    "refuse_file",
    "reject",
    "shorten",
    "text_option",
]

#: The byte limit of one CSV row, JSON line or xAPI statement (option ``max_record_bytes``).
DEFAULT_MAX_RECORD_BYTES = 64 * 1024
#: The largest value the ``max_record_bytes`` option takes (64 MiB).
MAX_RECORD_BYTES_LIMIT = 64 * 1024 * 1024
#: The most digits a number read from data may have.
MAX_NUMBER_DIGITS = 100
#: The largest power of ten (up or down) a number read from data may carry.
MAX_NUMBER_EXPONENT = 100
#: What numbers read from data may be, for messages.
NUMBER_RANGE = (
    f"numbers have at most {MAX_NUMBER_DIGITS} digits and a power of ten from "
    f"-{MAX_NUMBER_EXPONENT} to {MAX_NUMBER_EXPONENT}"
)
#: How deep objects and arrays may nest in one JSON record (a line, a statement).
MAX_JSON_DEPTH = 64
#: How many characters of a value from the data a message quotes (the rest is counted).
MAX_QUOTED_CHARS = 40

#: Every rejection and error code of the readers and the CASE importer, with what it means.
CODES: Mapping[str, str] = {
    "MK300": "a file or folder cannot be read",
    "MK301": "no evidence reader for a file name or format name",
    "MK302": "a reader option has a wrong value",
    "MK303": "the file is binary, not UTF-8 text",
    "MK304": "a row is not valid UTF-8 text",
    "MK305": "a row or line is longer than the byte limit",
    "MK306": "the header lacks a required column",
    "MK307": "a required field is missing or empty",
    "MK308": "a row has more cells than the header",
    "MK309": "a score is not a number",
    "MK310": "a timestamp is not an ISO date or date-time",
    "MK311": "a date does not exist in the calendar",
    "MK312": "a JSON line is not valid JSON",
    "MK313": "a JSON line is not an object",
    "MK314": "a source_id appears twice",
    "MK315": "a raw score lies outside the raw range to rescale",
    "MK316": "a competency value has no entry in the `competencies` mapping",
    "MK317": "a score must be mapped onto a competency's scale but none is known",
    "MK318": "a day offset is not a whole number",
    "MK319": "a JSON field has the wrong type",
    "MK320": "an xAPI file is not valid JSON",
    "MK321": "an xAPI statement is not a JSON object",
    "MK322": "an xAPI statement was voided by another statement (skipped)",
    "MK323": "an xAPI statement voids another statement (skipped)",
    "MK324": "an xAPI statement has no score (skipped)",
    "MK325": "an xAPI activity has no entry in the `activities` mapping",
    "MK326": "an xAPI statement's actor identifies no learner",
    "MK327": "an xAPI statement has neither `timestamp` nor `stored`",
    "MK328": "an xAPI score cannot be mapped onto the scale",
    "MK329": "an xAPI statement id appears twice in one file",
    "MK330": "an xAPI statement is larger than the byte limit",
    "MK331": "a OneRoster folder lacks a required file",
    "MK332": "a OneRoster result is not fully graded (skipped)",
    "MK333": "a OneRoster result is marked `tobedeleted` (skipped)",
    "MK334": "a OneRoster result has no learning objective",
    "MK335": "a OneRoster result names a line item that is not in `lineItems.csv`",
    "MK336": "a learning objective has no entry in the `objectives` mapping",
    "MK337": "a OneRoster line item has no usable score range",
    "MK338": "a learner row has no `id`",
    "MK339": "a learner id appears twice",
    "MK340": "a CASE file is not valid JSON",
    "MK341": "a JSON file is not a CASE package",
    "MK342": "a CFItem has no identifier",
    "MK343": "two CFItems have the same competency code",
    "MK344": "a CFItem or CFAssociation is not a JSON object",
    "MK345": "two CFItems have the same identifier",
    "MK346": "a CFAssociation lacks its origin, destination or type",
    "MK347": "a CFItem is its own ancestor through `isChildOf`",
    "MK348": "a day offset gives a date outside the calendar",
    "MK349": "a CSV row whose quotes do not close properly",
    "MK358": "a header names a column twice",
    "MK359": "a JSON object has a key twice",
    "MK360": "a number is too long or too large to use",
    "MK361": "a JSON record is nested too deeply",
    "MK362": "a JSON text holds a lone UTF-16 surrogate",
    "MK363": "a timestamp falls outside the calendar in UTC",
    "MK364": "a learner row's `from` or `to` is not a date",
    "MK365": "a learner row's `to` is not after its `from`",
    "MK366": "two values of a learner's attribute hold on the same days",
    "MK367": "an attribute of a learner is given both with and without dates",
}

#: Rejections that are not mistakes but records with nothing to use (reported as skipped).
SKIP_CODES = frozenset({"MK322", "MK323", "MK324", "MK332", "MK333"})


def display_name(path: Path) -> str:
    """The name a file is reported under: the path as given, ``<stdin>`` for ``-``."""
    return "<stdin>" if str(path) == "-" else str(path)


def reject(
    code: str,
    reason: str,
    file: str,
    line: int | None = None,
    record: str | None = None,
) -> Rejection:
    """A :class:`Rejection` with an :class:`Origin` (the code must be one of :data:`CODES`)."""
    assert code in CODES, code
    return Rejection(code, reason, Origin(file, line, record))


def bad_option(name: str, problem: str, help: str | None = None) -> EvidenceError:
    """The error for a reader option with a wrong value (``MK302``)."""
    name = shorten(name)
    return EvidenceError(
        [Diagnostic("MK302", f"option `{name}` {problem}", help=help, location=f"option {name}")]
    )


def record_limit(options: Mapping[str, Any]) -> int:
    """The ``max_record_bytes`` option (``MK302`` unless a whole number from 16 to
    :data:`MAX_RECORD_BYTES_LIMIT`)."""
    limit = options.get("max_record_bytes", DEFAULT_MAX_RECORD_BYTES)
    if (
        not isinstance(limit, int)
        or isinstance(limit, bool)
        or not 16 <= limit <= MAX_RECORD_BYTES_LIMIT
    ):
        raise bad_option(
            "max_record_bytes",
            f"must be a whole number from 16 to {MAX_RECORD_BYTES_LIMIT}, not `{shorten(limit)}`",
        )
    return limit


def text_option(name: str, value: object, *, empty: bool = True) -> str:
    """``value`` if it is text that can be written out as UTF-8 (and, unless ``empty``, not
    blank), else the ``MK302`` error for option ``name``."""
    usable = isinstance(value, str) and (empty or value.strip())
    if usable and _LONE_SURROGATE.search(cast(str, value)) is None:
        return cast(str, value)
    what = "text" if empty else "text that is not empty"
    raise bad_option(name, f"must be {what}, not `{shorten(value)}`")


def shorten(value: object) -> str:
    """``value`` as text to quote in a message: whole when it is short, else its start and its
    length, so that a huge value never makes a huge message; a lone surrogate is escaped.

    >>> shorten("M.1"), shorten("9" * 1000)
    ('M.1', '999999999999999999999999999999… (1,000 characters)')
    """
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except ValueError:  # an integer too long to turn into text
            return "a number too long to show"
    if len(text) > MAX_QUOTED_CHARS:
        text = f"{text[: MAX_QUOTED_CHARS - 10]}… ({len(text):,} characters)"
    if _LONE_SURROGATE.search(text) is not None:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def missing_column(
    column: str,
    header: list[str],
    file: str,
    line: int,
    *,
    known: Iterable[str] = (),
    mapped: bool = True,
) -> EvidenceError:
    """The ``MK306`` error for a header without ``column``: the file is rejected whole, since
    none of its rows can be read. The help names a header cell that looks like a misspelling
    of ``column`` (one of the ``known`` columns is none); ``mapped`` says the reader has a
    ``columns`` option."""
    others = {name.lower(): name for name in header if name and name not in set(known)}
    near = difflib.get_close_matches(column.lower(), list(others), n=1, cutoff=0.75)
    if near:
        help = f"the header has `{shorten(others[near[0]])}`: is it `{column}` misspelt?"
    elif mapped:
        help = (
            "columns are found by their names, exactly as written; name another column with "
            f'the `columns` option, such as `columns={{"{column}": "…"}}`'
        )
    else:
        help = "columns are found by their names, exactly as written"
    return EvidenceError(
        [
            Diagnostic(
                "MK306",
                f"missing column `{column}` in the header, so no row of the file is read",
                help=help,
                location=f"{file} line {line}",
            )
        ]
    )


def refuse_file(rejection: Rejection) -> EvidenceError:
    """The error for a problem that leaves no row of a file readable: the file is binary
    (``MK303``, no line), or its header cannot be read (too long, not UTF-8, a broken quote).

    The whole file is refused rather than counted as one rejected record, so that the counts
    never hide the rows after a header.
    """
    file = rejection.origin.file or ""
    if rejection.origin.line is None:
        message, location = f"{rejection.reason}, so none of it is read", file
    else:
        message = f"the header cannot be read ({rejection.reason}), so no row of the file is read"
        location = f"{file} line {rejection.origin.line}"
    return EvidenceError([Diagnostic(rejection.code, message, location=location)])


def check_header(header: list[str], file: str, line: int, columns: Iterable[str] | None) -> None:
    """Raise the ``MK358`` error when ``header`` names one of ``columns`` (every non-empty
    column for ``None``) twice: which of the two to read cannot be known, so no row is read."""
    first: dict[str, int] = {}
    wanted = None if columns is None else set(columns)
    for index, name in enumerate(header, 1):
        if not name or (wanted is not None and name not in wanted):
            continue
        if name in first:
            raise EvidenceError(
                [
                    Diagnostic(
                        "MK358",
                        f"column `{shorten(name)}` appears twice in the header (columns "
                        f"{first[name]} and {index}), so no row of the file is read",
                        help="rename or remove one of the two columns",
                        location=f"{file} line {line}",
                    )
                ]
            )
        first[name] = index


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` (``-`` is standard input) for reading bytes, or raise ``MK300``."""
    if str(path) == "-":
        return Unclosed(sys.stdin.buffer)  # type: ignore[return-value]
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        return path.open("rb")
    except OSError as err:
        raise cannot_read(path, err) from None


class Unclosed:
    """A byte stream whose ``close`` leaves it open: standard input, or a spool read twice."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> Unclosed:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._inner)

    def close(self) -> None:
        """Leave the stream open."""

    @property
    def closed(self) -> bool:
        """Never closed by us."""
        return False


def cannot_read(path: Path, err: OSError) -> EvidenceError:
    """The ``MK300`` error for a file that cannot be opened."""
    why = {
        FileNotFoundError: "no such file",
        IsADirectoryError: "it is a folder",
        PermissionError: "permission denied",
    }.get(type(err), (err.strerror or str(err)).lower())
    return EvidenceError(
        [
            Diagnostic(
                "MK300", f"cannot read `{display_name(path)}`: {why}", location=display_name(path)
            )
        ]
    )


# --- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


# Longer texts are never a usable number (the digits, a sign, a point and an exponent).
_MAX_NUMBER_TEXT = MAX_NUMBER_DIGITS + 16


def parse_decimal(value: object) -> Decimal | None:
    """A finite decimal from a number or numeric text, or ``None`` (never a float in between).

    Numbers out of range (see :data:`NUMBER_RANGE`) are ``None`` too, so that no reading or
    arithmetic on a number from the data can overflow; :func:`number_out_of_range` tells them
    from text that is no number at all.

    >>> parse_decimal("3.50"), parse_decimal(2), parse_decimal("NaN"), parse_decimal("abc")
    (Decimal('3.50'), Decimal('2'), None, None)
    >>> parse_decimal("1e999999999") is None, number_out_of_range("1e999999999")
    (True, True)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if _usable(value) else None
    if isinstance(value, int):
        if value.bit_length() > 4 * _MAX_NUMBER_TEXT:
            return None
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:  # a power of ten past what a decimal holds
            return None
    else:
        return None
    return number if _usable(number) else None


def _usable(number: Decimal) -> bool:
    """Whether ``number`` is finite and within :data:`NUMBER_RANGE`."""
    if not number.is_finite():
        return False
    _, digits, exponent = number.as_tuple()
    return (
        len(digits) <= MAX_NUMBER_DIGITS
        and cast(int, exponent) >= -MAX_NUMBER_EXPONENT
        and number.adjusted() <= MAX_NUMBER_EXPONENT
    )


def number_out_of_range(value: object) -> bool:
    """Whether ``value`` is a number (or numeric text) that :func:`parse_decimal` refuses
    only for being out of range.

    >>> number_out_of_range("1" * 200), number_out_of_range("abc"), number_out_of_range("3")
    (True, False, False)
    """
    if isinstance(value, bool) or parse_decimal(value) is not None:
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, Decimal | float):
        return Decimal(value).is_finite()
    return isinstance(value, str) and _NUMBER.fullmatch(value.strip()) is not None


@attrs.frozen(slots=True)
class ScaleMap:
    """Where mapped scores land: a default scale and per-competency scales (options ``scale``
    and ``scales``), and the linear map from a raw range onto them.

    ``target(code)`` is the competency's scale (``scales[code]``, else ``scale``, else ``None``).
    ``rescale(raw, low, high, target)`` is ``target_min + (raw - low) × (target_max − target_min)
    / (high − low)``: ``low`` lands on the scale's minimum and ``high`` on its maximum.

    >>> m = ScaleMap(default=(Decimal(1), Decimal(4)))
    >>> m.rescale(Decimal(78), Decimal(0), Decimal(100), m.target("X"))
    Decimal('3.34')
    """

    default: tuple[Decimal, Decimal] | None = None
    scales: Mapping[str, tuple[Decimal, Decimal]] = attrs.field(factory=dict)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ScaleMap:
        """Read the ``scale`` and ``scales`` options (``MK302`` when they are malformed)."""
        default = None
        if options.get("scale") is not None:
            default = _scale_pair("scale", options["scale"])
        raw = options.get("scales") or {}
        if not isinstance(raw, Mapping) or not all(isinstance(code, str) for code in raw):
            raise bad_option("scales", "must map competency codes to (min, max) pairs")
        scales = {
            str(code): _scale_pair(f"scales[{shorten(code)}]", pair) for code, pair in raw.items()
        }
        return cls(default, scales)

    def target(self, code: str) -> tuple[Decimal, Decimal] | None:
        """The scale of competency ``code``, if known."""
        return self.scales.get(code, self.default)

    @staticmethod
    def rescale(
        raw: Decimal, low: Decimal, high: Decimal, target: tuple[Decimal, Decimal]
    ) -> Decimal:
        """Map ``raw`` from ``low..high`` linearly onto ``target`` (``high`` > ``low``)."""
        t_min, t_max = target
        return t_min + (raw - low) * (t_max - t_min) / (high - low)


def _scale_pair(name: str, value: object) -> tuple[Decimal, Decimal]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = parse_decimal(value[0]), parse_decimal(value[1])
        if low is not None and high is not None and low < high:
            return (low, high)
    raise bad_option(
        name, f"must be a (min, max) pair of numbers with min < max, not `{shorten(value)}`"
    )


# --- dates -----------------------------------------------------------------------------------

_ISO_SHAPE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def parse_timestamp(text: str) -> dt.date | dt.datetime | tuple[str, str]:
    """An ISO 8601 date (``2026-01-10``) or date-time (``2026-01-10T09:30``, seconds, fractions
    and ``Z`` or an offset allowed), or ``(code, reason)`` for a rejection.

    >>> parse_timestamp("2026-01-10")
    datetime.date(2026, 1, 10)
    >>> parse_timestamp("2026-02-30")
    ('MK311', 'date `2026-02-30` does not exist')
    """
    value = text.strip()
    match = _ISO_SHAPE.fullmatch(value)
    if match is None:
        return (
            "MK310",
            f"timestamp `{shorten(value)}` is not a date (write YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
        )
    try:
        if match.group(4) is None:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value.replace("z", "Z").replace(",", "."))
    except ValueError:
        return ("MK311", f"date `{shorten(value)}` does not exist")
    if moment.tzinfo is not None and moment.year in (1, 9999):
        try:
            moment.astimezone(dt.UTC)
        except OverflowError:
            return (
                "MK363",
                f"timestamp `{shorten(value)}` falls outside the calendar (0001-01-01 to "
                "9999-12-31) "
                "when turned into UTC",
            )
    return moment


# --- lines -----------------------------------------------------------------------------------


class LineSource:
    """Lines of a byte stream as text, one at a time, with their numbers and problems.

    Iterating gives each line decoded from UTF-8 (a BOM at the start is dropped). A line longer
    than ``limit`` bytes is given as an empty line and its number put in :attr:`too_long`; a line
    that is not valid UTF-8 is decoded with replacement characters and its number put in
    :attr:`not_utf8`. :attr:`binary` is true when the first 8 KiB hold a NUL byte (nothing is
    given then). :attr:`line` is the number of the last line given, :attr:`bytes_read` the bytes
    consumed so far.
    """

    def __init__(
        self, stream: IO[bytes], limit: int = DEFAULT_MAX_RECORD_BYTES, *, after_line: int = 0
    ) -> None:
        buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(cast(Any, stream))
        self._stream: io.BufferedReader = buffered
        self.limit = limit
        self.line = after_line
        self.bytes_read = 0
        self.too_long: set[int] = set()
        self.not_utf8: set[int] = set()
        head = self._stream.peek(8192)[:8192]
        self.binary = b"\x00" in head

    def __iter__(self) -> Iterator[str]:
        if self.binary:
            return
        readline = self._stream.readline
        limit = self.limit
        first = True
        while True:
            chunk = readline(limit + 1)
            if not chunk:
                return
            self.line += 1
            self.bytes_read += len(chunk)
            if len(chunk) > limit:
                while chunk and not chunk.endswith(b"\n"):
                    chunk = readline(limit + 1)
                    self.bytes_read += len(chunk)
                self.too_long.add(self.line)
                first = False
                yield "\n"
                continue
            if first:
                first = False
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                self.not_utf8.add(self.line)
                text = chunk.decode("utf-8", errors="replace")
            yield text

    def problem(self, first: int, last: int) -> tuple[str, str] | None:
        """The ``(code, reason)`` of the first problem on lines ``first..last``, if any."""
        for number in range(first, last + 1):
            if number in self.too_long:
                return ("MK305", f"row is longer than {self.limit} bytes")
            if number in self.not_utf8:
                return ("MK304", "row is not valid UTF-8 text")
        return None


# --- JSON documents --------------------------------------------------------------------------


@attrs.frozen(slots=True)
class JsonPiece:
    """One element of a JSON array (or a top-level object), with the line it starts on.

    ``parsed`` says ``value`` holds the element already parsed (numbers as decimals);
    otherwise ``text`` holds its text, to parse with :func:`json.loads` (it may be invalid).
    ``error`` is set instead when the element is larger than the limit (``too_large``) or the
    document is broken there (a message; nothing follows it).
    """

    line: int
    text: str | None = None
    error: str | None = None
    parsed: bool = False
    value: object = None


class RecordProblem(Exception):
    """A JSON record that parses but cannot be used: ``code`` and ``reason`` of its rejection."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class BigNumber(str):
    """The text of a JSON number whose power of ten no decimal can hold, such as
    ``1e99999999999999999999``: it stays text, which :func:`parse_decimal` refuses and
    :func:`number_out_of_range` calls out of range."""

    __slots__ = ()


def _json_float(text: str) -> Decimal | BigNumber:
    try:
        return Decimal(text)
    except InvalidOperation:
        return BigNumber(text)


def _json_int(text: str) -> int | Decimal:
    # Python refuses to turn more than 4,300 digits into an int; a decimal has no such limit
    # (and parse_decimal then refuses it as out of range).
    return int(text) if len(text) <= 4000 else Decimal(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RecordProblem(
                    "MK359",
                    f"key `{shorten(key)}` appears twice in one object, so which value holds "
                    "is unknown",
                )
            seen.add(key)
    return value


_DECODER = json.JSONDecoder(
    parse_float=_json_float, parse_int=_json_int, object_pairs_hook=_unique_keys
)
_BLANK = re.compile(r"[ \t\r\n]*")
# A string (skipped whole) or a bracket, to measure how deep a JSON text nests.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# An escape that may stand for half of a surrogate pair, and such a half in decoded text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _too_deep(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the JSON ``text[start:end]`` nests deeper than :data:`MAX_JSON_DEPTH`."""
    stop = len(text) if end is None else end
    if text.count("[", start, stop) + text.count("{", start, stop) <= MAX_JSON_DEPTH:
        return False
    depth = 0
    for match in _STRUCTURE.finditer(text, start, stop):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _lone_surrogate(value: object) -> str | None:
    """The first lone surrogate in the strings (keys too) of a parsed JSON value, if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _LONE_SURROGATE.search(item)
            if found is not None:
                return found.group()
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _deep_problem() -> RecordProblem:
    return RecordProblem(
        "MK361", f"objects and arrays are nested more than {MAX_JSON_DEPTH} levels deep"
    )


def _surrogate_problem(char: str) -> RecordProblem:
    return RecordProblem(
        "MK362",
        f"a text holds `\\u{ord(char):04x}`, half of a UTF-16 surrogate pair without its other "
        "half, which is not a character",
    )


def load_json(text: str) -> Any:
    """Parse one JSON record (a line, a statement): numbers as decimals, every object's keys
    unique, nesting at most :data:`MAX_JSON_DEPTH` deep, no lone surrogate in any text.

    Raises:
        json.JSONDecodeError: the text is not JSON.
        RecordProblem: it is JSON that cannot be used (``MK359``, ``MK361``, ``MK362``).
    """
    if _too_deep(text):
        raise _deep_problem()
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # pragma: no cover - the depth is checked first
        raise _deep_problem() from None
    if _SURROGATE_ESCAPE.search(text) is not None:
        lone = _lone_surrogate(value)
        if lone is not None:
            raise _surrogate_problem(lone)
    return value


def iter_json_document(stream: IO[bytes], limit: int) -> Iterator[JsonPiece]:
    """Split a JSON document into its top-level array's elements without loading it whole.

    A top-level object is one element, and so is each object that follows it (JSON Lines and
    concatenated objects read the same way). Elements are parsed as they are read, holding at
    most about ``limit`` characters plus one 64 KiB chunk; an element over ``limit`` characters
    is given as ``error="too_large"``. Broken structure (no ``[``/``{`` at the start, an
    unterminated array or string, text after the end) gives one piece with an error message,
    and nothing after it. After an element that does not parse, the rest of the document is
    split by :class:`_JsonScanner`, which finds element boundaries without parsing.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    buffer, pos, line, eof = "", 0, 1, False
    state, single = "start", False
    try:
        while True:
            if pos >= len(buffer) and not eof:
                data = stream.read(65536)
                eof = not data
                buffer = buffer[pos:] + decoder.decode(data, final=eof)
                pos = 0
                continue
            blank = _BLANK.match(buffer, pos)
            end = blank.end() if blank else pos
            line += buffer.count("\n", pos, end)
            pos = end
            if pos >= len(buffer):
                if eof:
                    break
                continue
            char = buffer[pos]
            if state == "value":
                try:
                    value, end = _DECODER.raw_decode(buffer, pos)
                    complete = end < len(buffer) or eof
                except (ValueError, RecordProblem, RecursionError):
                    complete = False  # not JSON, or JSON to reject: the scanner finds its end
                if not complete:
                    if not eof and len(buffer) - pos <= limit:
                        data = stream.read(65536)
                        eof = not data
                        buffer = buffer[pos:] + decoder.decode(data, final=eof)
                        pos = 0
                        continue
                    yield from _scan_rest(stream, decoder, buffer[pos:], line, single, limit)
                    return
                if end - pos > limit:
                    yield JsonPiece(line, error="too_large")
                elif _too_deep(buffer, pos, end) or (
                    _SURROGATE_ESCAPE.search(buffer, pos, end) is not None
                    and _lone_surrogate(value) is not None
                ):
                    yield JsonPiece(line, text=buffer[pos:end])  # for load_json to reject
                else:
                    yield JsonPiece(line, parsed=True, value=value)
                line += buffer.count("\n", pos, end)
                pos = end
                state = "done" if single else "after"
            elif state == "start" and char in "[{":
                single = char == "{"
                state = "array" if char == "[" else "value"
                pos += char == "["
            elif state == "array":
                state = "done" if char == "]" else "value"
                pos += char == "]"
            elif state == "after" and char in ",]":
                state = "array" if char == "," else "done"
                pos += 1
            elif state == "done" and single and char == "{":
                state = "value"
            else:
                yield JsonPiece(line, error=_unexpected(state, char))
                return
    except UnicodeDecodeError:
        yield JsonPiece(line, error="the file is not UTF-8 text")
        return
    if state not in ("start", "done"):
        yield JsonPiece(line, error="the document ends before its array or object is closed")


def _unexpected(state: str, char: str) -> str:
    if state == "start":
        return f"expected `[` or `{{` at the start, found `{char}`"
    if state == "after":
        return f"expected `,` or `]` after an element, found `{char}`"
    return f"unexpected `{char}` after the end of the document"


def _scan_rest(
    stream: IO[bytes], decoder: Any, text: str, line: int, single: bool, limit: int
) -> Iterator[JsonPiece]:
    """Go on from the start of an element that did not parse, with the boundary scanner."""
    scanner = _JsonScanner(limit)
    scanner.line = line
    scanner.single = single
    scanner.state = "done" if single else "array"
    eof = False
    while True:
        yield from scanner.feed(text)
        if scanner.failed or eof:
            break
        data = stream.read(65536)
        eof = not data
        text = decoder.decode(data, final=eof)
    if not scanner.failed:
        yield from scanner.finish()


_IN_STRING = re.compile(r'["\\]')
_IN_VALUE = re.compile(r'[{}\[\]"]')
_IN_SCALAR = re.compile(r'[{}\[\]",\s]')
_SPACE = " \t\r\n"


class _JsonScanner:
    """A small state machine that finds element boundaries (depth, strings, escapes).

    Inside an element it jumps from one structural character to the next with a regular
    expression, so long strings and numbers cost one step, not one per character.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.line = 1
        self.state = "start"  # start, array, element, after, done
        self.depth = 0
        self.in_string = False
        self.escape = False
        self.buffer: list[str] = []
        self.size = 0
        self.start_line = 1
        self.single = False
        self.failed = False
        self.out: list[JsonPiece] = []

    def _fail(self, message: str) -> None:
        self.failed = True
        self.out.append(JsonPiece(self.line, error=message))

    def _keep(self, text: str) -> None:
        self.size += len(text)
        if self.size <= self.limit:
            self.buffer.append(text)

    def _begin(self, char: str) -> None:
        self.state = "element"
        self.start_line = self.line
        self.buffer = [char]
        self.size = 1
        self.depth = 1 if char in "{[" else 0
        self.in_string = char == '"'
        self.escape = False

    def _end(self, delimiter: str | None) -> None:
        """Emit the element; ``delimiter`` is the character after a scalar, if it ended one."""
        self.out.append(
            JsonPiece(self.start_line, error="too_large")
            if self.size > self.limit
            else JsonPiece(self.start_line, text="".join(self.buffer))
        )
        self.buffer = []
        self.size = 0
        if self.single:
            self.state = "done"
        elif delimiter == ",":
            self.state = "array"
        elif delimiter == "]":
            self.state = "done"
        else:
            self.state = "after"

    def feed(self, chunk: str) -> list[JsonPiece]:
        """Take the next piece of text; the elements it completed (and any error)."""
        self.out = []
        i, n = 0, len(chunk)
        while i < n and not self.failed:
            if self.state == "element":
                i = self._element(chunk, i, n)
                continue
            char = chunk[i]
            i += 1
            if char in _SPACE:
                if char == "\n":
                    self.line += 1
            elif self.state == "start":
                if char == "[":
                    self.state = "array"
                elif char == "{":
                    self.single = True
                    self._begin(char)
                else:
                    self._fail(f"expected `[` or `{{` at the start, found `{char}`")
            elif self.state == "array":
                if char == "]":
                    self.state = "done"
                else:
                    self._begin(char)
            elif self.state == "after":
                if char == ",":
                    self.state = "array"
                elif char == "]":
                    self.state = "done"
                else:
                    self._fail(f"expected `,` or `]` after an element, found `{char}`")
            elif self.single and char == "{":
                self._begin(char)  # objects one after another: JSON Lines or concatenated JSON
            else:
                self._fail(f"unexpected `{char}` after the end of the document")
        return self.out

    def _element(self, chunk: str, i: int, n: int) -> int:
        """Scan inside an element from ``i``; the index to go on from."""
        if self.in_string:
            if self.escape:
                self.escape = False
                self._take(chunk, i, i + 1)
                return i + 1
            match = _IN_STRING.search(chunk, i)
            if match is None:
                self._take(chunk, i, n)
                return n
            j = match.start()
            self._take(chunk, i, j + 1)
            if chunk[j] == "\\":
                self.escape = True
            else:
                self.in_string = False
                if self.depth == 0:
                    self._end(None)
            return j + 1
        pattern = _IN_VALUE if self.depth > 0 else _IN_SCALAR
        match = pattern.search(chunk, i)
        if match is None:
            self._take(chunk, i, n)
            return n
        j = match.start()
        char = chunk[j]
        self._take(chunk, i, j)
        if self.depth == 0 and (char in ",]" or char in _SPACE):
            self._end(char if char in ",]" else None)  # the end of a scalar element
            if char == "\n":
                self.line += 1
            return j + 1
        self._take(chunk, j, j + 1)
        if char == '"':
            self.in_string = True
        elif char in "{[":
            self.depth += 1
        elif char in "}]":
            self.depth -= 1
            if self.depth <= 0:
                self._end(None)
        return j + 1

    def _take(self, chunk: str, start: int, end: int) -> None:
        """Keep ``chunk[start:end]`` and count its line breaks."""
        if end > start:
            self.line += chunk.count("\n", start, end)
            self._keep(chunk[start:end])

    def finish(self) -> list[JsonPiece]:
        """The end of the text: nothing, or the error of an unfinished document."""
        self.out = []
        if self.state == "element" and self.depth == 0 and not self.in_string and not self.single:
            self._end(None)  # a scalar that ends the text: the array is still open
        if self.state not in ("start", "done"):
            self._fail("the document ends before its array or object is closed")
        return self.out


def csv_rows(
    stream: IO[bytes], limit: int, file: str, *, after_line: int | None = None
) -> Iterator[tuple[int, list[str]] | Rejection]:
    """The rows of a CSV byte stream: the header first, then each data row, with line numbers.

    A row that is too long (over ``limit`` bytes, ``MK305``) or not UTF-8 (``MK304``) comes as a
    :class:`Rejection` instead; a problem in the header, or a binary file (``MK303``), comes as a
    rejection and ends the rows. Blank lines are not rows. Quoted cells may span lines; the line
    of a row is its first line.

    ``after_line`` reads a part of a file that starts after its line ``after_line`` (the header
    is not part of the stream then): every row is a data row, numbered as in the whole file.
    """
    source = LineSource(stream, limit, after_line=after_line or 0)
    if source.binary:
        yield reject("MK303", "file is binary, not UTF-8 text", file)
        return
    # Strict, so that a quote left open ends in an error here rather than swallowing the rows
    # after it into one cell; after an error the reader goes on at the next line.
    reader = csv.reader(iter(source), strict=True)
    header_seen = after_line is not None
    last_line = after_line or 0
    bytes_before = 0
    too_long, not_utf8 = source.too_long, source.not_utf8
    while True:
        try:
            for row in reader:
                first, last_line = last_line + 1, source.line
                size, bytes_before = source.bytes_read - bytes_before, source.bytes_read
                problem = source.problem(first, last_line) if too_long or not_utf8 else None
                if problem is None and size > limit:
                    problem = ("MK305", f"row is longer than {limit} bytes")
                if problem is not None:
                    yield reject(problem[0], problem[1], file, first)
                    if not header_seen:
                        return
                    continue
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                header_seen = True
                yield (first, row)
            return
        except csv.Error as error:
            first, last_line = last_line + 1, source.line
            bytes_before = source.bytes_read
            problem = source.problem(first, last_line) if too_long or not_utf8 else None
            if problem is None and first == last_line and "field limit" in str(error):
                # One line, one cell past what the csv module holds: too long, not misquoted.
                limit_text = f"{csv.field_size_limit():,}"
                problem = ("MK305", f"row has a cell longer than {limit_text} characters")
            code, reason = problem or ("MK349", _quoting_problem(str(error), first, last_line))
            yield reject(code, reason, file, first)
            if not header_seen:
                return


def _quoting_problem(error: str, first: int, last: int) -> str:
    """What :mod:`csv` found wrong with the row on lines ``first`` to ``last``, in our words."""
    lines = f"line {first}" if first == last else f"lines {first} to {last}"
    if error.startswith("unexpected end of data"):
        return f"a quote opened on line {first} is never closed: the file ends inside it"
    if error.startswith("field larger than field limit"):
        return (
            f"a quoted cell runs over {lines} and grows past {csv.field_size_limit():,} "
            "characters: a quote is probably never closed"
        )
    if "expected after" in error:
        return (
            f"a quoted cell on {lines} is followed by other text before the next comma: a quote "
            'inside a quoted cell is written twice (`""`)'
        )
    return f"the row on {lines} is not valid CSV ({error})"
