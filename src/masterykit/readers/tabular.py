"""Evidence from CSV and JSON Lines files with documented columns.

Columns (CSV header names, or JSON Lines keys): ``learner``, ``competency``, ``score``,
``timestamp`` (required), ``kind``, ``rater``, ``source_id``, ``school`` (optional). Every data
row becomes one :class:`~masterykit.evidence.Evidence` or one
:class:`~masterykit.evidence.Rejection`; blank lines are not rows. Options (all optional) adapt
real exports, see :class:`TabularOptions`.

>>> import io, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "e.csv").write_text("learner,competency,score,timestamp\\nana,M.1,3,2026-01-10\\n")
>>> [e.score for e in read_csv(ReadRequest(d / "e.csv"))]
[Decimal('3')]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, cast

import attrs

from masterykit.evidence import Evidence, Origin, Rejection, out_of_id_order
from masterykit.readers._common import (
    DEFAULT_MAX_RECORD_BYTES,
    NUMBER_RANGE,
    LineSource,
    RecordProblem,
    ScaleMap,
    bad_option,
    check_header,
    csv_rows,
    display_name,
    load_json,
    missing_column,
    number_out_of_range,
    open_binary,
    parse_decimal,
    parse_timestamp,
    record_limit,
    refuse_file,
    reject,
    shorten,
    text_option,
)
from masterykit.registry import ReadRequest

__all__ = [
    "FIELDS",
    "REQUIRED_FIELDS",
    "SOURCE_IDS",
    "TOO_SMALL",
    "CsvPart",
    "CsvSplit",
    "TabularOptions",
    "cut_csv",
    "read_csv",
    "read_csv_part",
    "read_jsonl",
    "split_csv",
]

#: The evidence fields, in the documented column order.
FIELDS = ("learner", "competency", "score", "timestamp", "kind", "rater", "source_id", "school")
#: The fields every row must have.
REQUIRED_FIELDS = ("learner", "competency", "score", "timestamp")

_KNOWN_OPTIONS = frozenset(
    {
        "columns",
        "kind",
        "competencies",
        "competency_template",
        "raw_min",
        "raw_max",
        "scale",
        "scales",
        "day_zero",
        "missing_values",
        "max_record_bytes",
    }
)


@attrs.frozen(slots=True)
class TabularOptions:
    """The CSV / JSON Lines reader options, read from a request's ``options`` mapping.

    * ``columns``: evidence field → column name in the file (``{"learner": "id_student"}``);
      fields not named keep their own name.
    * ``kind``: the kind of rows whose kind is empty (or of every row when there is no column).
    * ``competencies``: raw competency value → competency code; a value not in it is rejected
      (``MK316``) unless ``competency_template`` is given.
    * ``competency_template``: a code built from the raw value, ``{value}`` marking where it goes
      (``"OULAD.{value}"``).
    * ``raw_min`` / ``raw_max``: the raw score range; when given, scores are mapped linearly from
      it onto the competency's scale (``scales[code]``, else ``scale``).
    * ``day_zero``: a date; the timestamp column then holds whole day offsets from it.
    * ``missing_values``: cell texts that mean "empty" (default ``("",)``; OULAD uses ``"?"``).
    * ``max_record_bytes``: the byte limit of one row or line (default 64 KiB).
    """

    columns: Mapping[str, str] = attrs.field(factory=dict)
    kind: str | None = None
    competencies: Mapping[str, str] | None = None
    competency_template: str | None = None
    raw_range: tuple[Decimal, Decimal] | None = None
    scales: ScaleMap = attrs.field(factory=ScaleMap)
    day_zero: dt.date | None = None
    missing_values: frozenset[str] = frozenset({""})
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TabularOptions:
        """Validate ``options`` (``MK302`` for a wrong value or an unknown name)."""
        unknown = sorted(set(options) - _KNOWN_OPTIONS)
        if unknown:
            raise bad_option(
                unknown[0],
                "is not an option of the CSV and JSON Lines readers",
                help="known options: " + ", ".join(sorted(_KNOWN_OPTIONS)),
            )
        columns = options.get("columns") or {}
        if not isinstance(columns, Mapping) or any(f not in FIELDS for f in columns):
            raise bad_option(
                "columns", "must map evidence fields (" + ", ".join(FIELDS) + ") to column names"
            )
        columns = {
            field: text_option(f"columns[{field}]", name, empty=False)
            for field, name in columns.items()
        }
        competencies = options.get("competencies")
        if competencies is not None:
            if not isinstance(competencies, Mapping):
                raise bad_option("competencies", "must map raw values to competency codes")
            competencies = {
                text_option("competencies", raw): text_option(
                    f"competencies[{shorten(raw)}]", code, empty=False
                )
                for raw, code in competencies.items()
            }
        template = options.get("competency_template")
        if template is not None and (
            text_option("competency_template", template).find("{value}") < 0
        ):
            raise bad_option("competency_template", "must be text containing `{value}`")
        raw_range = None
        if options.get("raw_min") is not None or options.get("raw_max") is not None:
            low, high = parse_decimal(options.get("raw_min")), parse_decimal(options.get("raw_max"))
            if low is None or high is None or not low < high:
                raise bad_option(
                    "raw_min", "and `raw_max` must both be numbers with raw_min < raw_max"
                )
            raw_range = (low, high)
        day_zero = options.get("day_zero")
        if isinstance(day_zero, str):
            parsed = parse_timestamp(day_zero)
            day_zero = parsed if type(parsed) is dt.date else "bad"
        if day_zero is not None and type(day_zero) is not dt.date:
            raise bad_option("day_zero", "must be a date (YYYY-MM-DD)")
        missing = options.get("missing_values", ("",))
        if not isinstance(missing, list | tuple | set | frozenset) or not all(
            isinstance(m, str) for m in missing
        ):
            raise bad_option(
                "missing_values",
                f"must be a list of texts, not `{shorten(missing)}`",
                help='write it like `--evidence-option \'missing_values=["?", "NA"]\'`',
            )
        missing = [text_option("missing_values", m) for m in missing]
        limit = record_limit(options)
        kind = options.get("kind")
        if kind is not None:
            kind = text_option("kind", kind)
        return cls(
            columns=columns,
            kind=kind,
            competencies=competencies or None,
            competency_template=template,
            raw_range=raw_range,
            scales=ScaleMap.from_options(options),
            day_zero=day_zero,
            missing_values=frozenset(m.strip() for m in missing) | {""},
            max_record_bytes=limit,
        )

    def column(self, field: str) -> str:
        """The column (or key) that holds ``field``."""
        return self.columns.get(field, field)


#: How many distinct texts a reader remembers the reading of, per field.
_CACHE_SIZE = 4096
# The first and last days of the calendar, as day numbers.
_FIRST_DAY = dt.date.min.toordinal()
_LAST_DAY = dt.date.max.toordinal()


class _RowMapper:
    """Turns one row's raw values into evidence or a rejection (shared by CSV and JSON Lines).

    Scores, timestamps and competency values repeat across rows (a handful of levels, a school
    year of dates, a few hundred competencies), so their readings (the score, the date, the
    mapped code, the rescaled score) are remembered, up to :data:`_CACHE_SIZE` each; a full
    memory is emptied and filled again.
    """

    def __init__(self, options: TabularOptions, file: str) -> None:
        self.options = options
        self.file = file
        self.seen_ids: dict[str, int] = {}
        self._columns = tuple(options.column(field) for field in FIELDS)
        #: The column (or key) of each field, in :data:`FIELDS` order.
        self.columns = self._columns
        self._scores: dict[str, Decimal | None] = {}
        self._timestamps: dict[str, dt.date | dt.datetime | tuple[str, str]] = {}
        self._codes: dict[str, str] = {}
        self._rescaled: dict[tuple[str, str], Decimal] = {}
        self._positions: tuple[tuple[int, ...], ...] = ()
        self._width = 0
        self._cells: tuple[int, ...] | None = None
        self._blank_only = True

    def map(self, values: Mapping[str, object], line: int) -> Evidence | Rejection:
        """The evidence or rejection for one record given as column name → value."""
        missing = self.options.missing_values
        texts: list[str | None] = []
        for column in self._columns:
            value = values.get(column)
            if value is None:
                texts.append(None)
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
                return self._reject("MK319", f"`{shorten(column)}` must be text or a number", line)
            text = str(value).strip()
            texts.append(None if text in missing else text)
        raw = values.get(self._columns[2])
        return self._evidence(texts, raw if isinstance(raw, Decimal | int) else None, line)

    def use_header(self, header: list[str], line: int = 1) -> None:
        """Read the rows that follow by their positions under ``header`` (see :meth:`map_row`).

        Raises:
            EvidenceError: ``MK358`` when the header names a column the reader reads twice.
        """
        check_header(header, self.file, line, self._columns)
        self._positions = tuple(
            tuple(i for i in reversed(range(len(header))) if header[i] == column)
            for column in self._columns
        )
        self._width = len(header)
        self._cells = None
        if all(len(positions) <= 1 for positions in self._positions):
            self._cells = tuple(
                positions[0] if positions else self._width for positions in self._positions
            )
        self._blank_only = self.options.missing_values == {""}

    def map_row(self, row: list[str], line: int) -> Evidence | Rejection:
        """The evidence or rejection for one CSV row under the header given to
        :meth:`use_header`; the same as :meth:`map` of the row zipped with the header."""
        missing = self.options.missing_values
        width = len(row)
        texts: list[str | None] = []
        for positions in self._positions:
            for i in positions:
                if i < width:
                    text = row[i].strip()
                    texts.append(None if text in missing else text)
                    break
            else:
                texts.append(None)
        return self._evidence(texts, None, line)

    def map_rows(
        self, items: Iterator[tuple[int, list[str]] | Rejection]
    ) -> Iterator[Evidence | Rejection]:
        """The evidence or rejection for each CSV row after the header (see :meth:`map_row`).

        The common row (as wide as the header, every required cell filled, its competency
        value, score and timestamp read before on another row) is built here directly from
        what those readings gave; every other row goes through :meth:`map_row` and its full
        checks, which remember what they read.
        """
        opts = self.options
        width = self._width
        plain = self._cells is not None and self._blank_only
        mapped = opts.competencies is not None or opts.competency_template is not None
        rescaling = opts.raw_range is not None
        codes, rescaled = self._codes, self._rescaled
        # Where each field is in a row as wide as the header; an absent field reads the empty
        # cell put after the row's last one.
        at_learner, at_code, at_score, at_stamp, at_kind, at_rater, at_id, at_school = (
            self._cells or (0,) * 8
        )
        scores, stamps, seen_ids = self._scores, self._timestamps, self.seen_ids
        file, default_kind = self.file, opts.kind
        for item in items:
            if isinstance(item, Rejection):
                yield item
                continue
            line, row = item
            size = len(row)
            if size > width:
                yield self._reject(
                    "MK308", f"row has {size} cells but the header has {width}", line
                )
                continue
            if plain and size == width:
                row.append("")
                learner = row[at_learner].strip()
                raw_competency = row[at_code].strip()
                competency = codes.get(raw_competency) if mapped else raw_competency
                source_id = row[at_id].strip() or None
                # An empty score or timestamp is never remembered: such a row takes the full
                # checks and is rejected there.
                score_text = row[at_score].strip()
                score = scores.get(score_text)
                if rescaling and score is not None and competency is not None:
                    score = rescaled.get((score_text, competency))
                timestamp = stamps.get(row[at_stamp].strip())
                if (
                    learner
                    and competency
                    and score is not None
                    and timestamp is not None
                    and type(timestamp) is not tuple
                    and (source_id is None or source_id not in seen_ids)
                ):
                    if source_id is not None:
                        seen_ids[source_id] = line
                    yield Evidence(
                        learner,
                        competency,
                        score,
                        cast(dt.date, timestamp),
                        row[at_kind].strip() or default_kind,
                        row[at_rater].strip() or None,
                        source_id,
                        Origin(file, line, source_id),
                        row[at_school].strip() or None,
                    )
                    continue
            yield self.map_row(row, line)

    def _evidence(
        self, texts: list[str | None], raw_score: Decimal | int | None, line: int
    ) -> Evidence | Rejection:
        """Build the evidence from the field texts (in :data:`FIELDS` order)."""
        learner, raw_competency, score_text, stamp_text, kind, rater, source_id, school = texts
        if learner is None or raw_competency is None or score_text is None or stamp_text is None:
            for column, text in zip(self._columns, texts[:4], strict=True):
                if text is None:
                    return self._reject("MK307", f"missing `{shorten(column)}`", line)
        assert learner is not None
        assert raw_competency is not None
        assert score_text is not None
        assert stamp_text is not None
        opts = self.options
        competency = self._competency(raw_competency)
        if competency is None:
            return self._reject(
                "MK316",
                f"no competency for `{shorten(raw_competency)}` in the `competencies` mapping",
                line,
            )
        codes = self._codes
        if raw_competency not in codes:
            if len(codes) >= _CACHE_SIZE:
                codes.clear()
            codes[raw_competency] = competency
        if raw_score is not None:
            score = parse_decimal(raw_score)
        else:
            scores = self._scores
            try:
                score = scores[score_text]
            except KeyError:
                score = parse_decimal(score_text)
                if len(scores) >= _CACHE_SIZE:
                    scores.clear()
                scores[score_text] = score
        if score is None:
            if number_out_of_range(score_text if raw_score is None else raw_score):
                return self._reject(
                    "MK360", f"score `{shorten(score_text)}` is out of range: {NUMBER_RANGE}", line
                )
            return self._reject("MK309", f"score `{shorten(score_text)}` is not a number", line)
        if opts.raw_range is not None:
            low, high = opts.raw_range
            if not low <= score <= high:
                return self._reject(
                    "MK315",
                    f"score `{shorten(score_text)}` is outside the raw range {low}..{high}",
                    line,
                )
            target = opts.scales.target(competency)
            if target is None:
                return self._reject(
                    "MK317",
                    f"no scale for competency `{shorten(competency)}` to rescale the score onto",
                    line,
                )
            score = ScaleMap.rescale(score, low, high, target)
            if raw_score is None:
                rescaled = self._rescaled
                if len(rescaled) >= _CACHE_SIZE:
                    rescaled.clear()
                rescaled[(score_text, competency)] = score
        stamps = self._timestamps
        try:
            timestamp = stamps[stamp_text]
        except KeyError:
            timestamp = self._timestamp(stamp_text)
            if len(stamps) >= _CACHE_SIZE:
                stamps.clear()
            stamps[stamp_text] = timestamp
        if type(timestamp) is tuple:
            return self._reject(timestamp[0], timestamp[1], line)
        if source_id is not None:
            first = self.seen_ids.get(source_id)
            if first is not None:
                return self._reject(
                    "MK314",
                    f"duplicate source_id `{shorten(source_id)}` (first on line {first})",
                    line,
                )
            self.seen_ids[source_id] = line
        return Evidence(
            learner,
            competency,
            score,
            cast(dt.date, timestamp),
            kind or opts.kind,
            rater,
            source_id,
            Origin(self.file, line, source_id),
            school,
        )

    def _competency(self, raw: str) -> str | None:
        opts = self.options
        if opts.competencies is not None and raw in opts.competencies:
            return opts.competencies[raw]
        if opts.competency_template is not None:
            return opts.competency_template.replace("{value}", raw)
        if opts.competencies is not None:
            return None
        return raw

    def _timestamp(self, text: str) -> dt.date | dt.datetime | tuple[str, str]:
        day_zero = self.options.day_zero
        if day_zero is None:
            return parse_timestamp(text)
        offset = parse_decimal(text)
        if offset is None or offset != offset.to_integral_value():
            if number_out_of_range(text):
                return ("MK360", f"day offset `{shorten(text)}` is out of range: {NUMBER_RANGE}")
            return ("MK318", f"day offset `{shorten(text)}` is not a whole number")
        # Compare before converting: an offset of many digits is no date and not worth an int.
        origin = day_zero.toordinal()
        if not _FIRST_DAY - origin <= offset <= _LAST_DAY - origin:
            return (
                "MK348",
                f"day offset `{shorten(text)}` from {day_zero.isoformat()} falls outside the "
                "calendar (0001-01-01 to 9999-12-31)",
            )
        return day_zero + dt.timedelta(days=int(offset))

    def _reject(self, code: str, reason: str, line: int) -> Rejection:
        return reject(code, reason, self.file, line)


def read_csv(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read a CSV evidence file (comma-separated, header row, UTF-8, quoted cells allowed).

    Options are checked at once (``MK302``); the file is opened at once (``MK300``).
    """
    options = TabularOptions.from_options(request.options)
    stream = open_binary(request.path)
    return _read_csv(stream, options, display_name(request.path))


@attrs.frozen(slots=True)
class CsvPart:
    """A part of a CSV evidence file sorted by learner, from one learner's first row on.

    ``start`` and ``end`` are byte offsets (``end`` is ``None`` for the end of the file);
    ``after_line`` is the number of lines before ``start``; ``learner`` is the learner id of the
    part's first row (``None`` for the first part, which starts after the header).
    """

    start: int
    end: int | None
    after_line: int
    learner: str | None


@attrs.frozen(slots=True)
class CsvSplit:
    """A CSV evidence file cut into parts at learner boundaries (see :func:`split_csv`).

    It is the CSV reader's :class:`~masterykit.registry.FileParts`: ``len()`` is the number of
    parts and :meth:`read` reads one of them.
    """

    header: tuple[str, ...]
    parts: tuple[CsvPart, ...]

    def __len__(self) -> int:
        return len(self.parts)

    def holds(self, index: int, learner_id: str) -> bool:
        """Whether ``learner_id`` falls in the id range of part ``index``: from its first
        learner up to the next part's (a listed learner without evidence belongs there too)."""
        low = self.parts[index].learner
        high = self.parts[index + 1].learner if index + 1 < len(self.parts) else None
        return (low is None or learner_id >= low) and (high is None or learner_id < high)

    def read(self, request: ReadRequest, index: int) -> Iterator[Evidence | Rejection]:
        """Read part ``index`` of the file of ``request`` (see :func:`read_csv_part`)."""
        return read_csv_part(request, self, self.parts[index])


#: Why a file is read whole instead of in parts (the sentences ``evaluate --jobs`` prints).
TOO_SMALL = "the evidence file is too small to cut into parts"
SOURCE_IDS = "source ids must be checked across the whole file"


def cut_csv(request: ReadRequest, parts: int) -> CsvSplit | str:
    """The CSV reader's ``split`` capability: :func:`split_csv` into at least two parts, or
    why the file is read whole (a sentence)."""
    split = split_csv(request, parts)
    if split is None or len(split.parts) < 2:
        return TOO_SMALL
    if TabularOptions.from_options(request.options).column("source_id") in split.header:
        # A source id may appear only once in a file; parts read apart cannot check that.
        return SOURCE_IDS
    return split


def split_csv(request: ReadRequest, parts: int) -> CsvSplit | None:
    """Cut a CSV evidence file sorted by learner into about ``parts`` parts of similar size,
    each starting at the first row of a learner, so that each can be read on its own.

    A cut lands only where ``csv`` reading the whole file would begin a record, so it is
    never inside a quoted cell, whatever the file holds (a ``"`` inside an unquoted cell such as
    ``5" ruler`` is a plain character, as ``csv`` reads it). Stretches of the file without
    any ``"`` are skipped at the speed of a byte search, since every line there begins a
    record; from the first ``"`` on, records are followed with ``csv`` itself, line by line
    as the reader is given them. A cut falls between two rows the reader turns into evidence
    (not rejections) of different learners, so no learner's rows are split. Returns ``None``
    when the file cannot be split (it cannot be read, has no learner column in its first line,
    or is too small); read it whole then, and its reader reports any problem as usual.

    Raises:
        EvidenceError: ``MK357`` when the rows at a cut are out of learner id order.
    """
    options = TabularOptions.from_options(request.options)
    path = request.path
    file = display_name(path)
    try:
        size = os.path.getsize(path)
        stream = path.open("rb")
    except OSError:
        return None
    with stream:
        if b"\x00" in stream.peek(8192)[:8192]:
            return None  # read whole, it is taken for a binary file (MK303)
        first = stream.readline(options.max_record_bytes + 1)
        try:
            header = tuple(
                cell.strip() for cell in next(csv.reader([first.decode("utf-8-sig")]), [])
            )
        except (UnicodeDecodeError, csv.Error):
            return None
        if options.column("learner") not in header or not first.endswith(b"\n"):
            return None
        mapper = _RowMapper(options, file)
        mapper.use_header(list(header))
        limit = options.max_record_bytes
        found: list[CsvPart] = [CsvPart(len(first), None, 1, None)]
        # A record start (an offset and the lines before it); `exact` once a quote was seen.
        position, lines, exact = len(first), 1, False
        for k in range(1, parts):
            target = max(size * k // parts, position)
            if not exact:
                position, lines, exact = _skip_plain(stream, position, lines, target)
            if exact:
                position, lines = _skip_exact(stream, position, lines, target, limit)
            before: str | None = None
            for start, after, row in _records(stream, position, lines, limit):
                if start >= target or row is _END:
                    position, lines = start, after
                if row is _END:
                    return CsvSplit(header, _ended(found))
                if start < target or row is _BLANK:
                    continue
                # What the reader makes of the row, with all its checks (a row of the wrong
                # width is a rejection, whatever its learner cell says).
                item = next(mapper.map_rows(iter([(after + 1, row)])), None) if row else None
                learner = item.learner if isinstance(item, Evidence) else None
                if learner is None or before is None or learner == before:
                    before = learner
                    continue
                if learner < before:
                    where = f"{file} line {after + 1}"
                    raise out_of_id_order("evidence for learner", learner, before, where)
                if b"\x00" in os.pread(stream.fileno(), 8192, start):
                    # A part starting there would be taken for a binary file.
                    before = None
                    continue
                found.append(CsvPart(start, None, after, learner))
                break
    return CsvSplit(header, _ended(found))


def _skip_plain(stream: Any, position: int, lines: int, target: int) -> tuple[int, int, bool]:
    """Move from the record start ``position`` towards ``target`` through bytes without ``"``,
    where every line begins a record; stop at the last line start before ``target``, or before
    the line of the first ``"`` (then ``True``: records must be followed exactly from there)."""
    stream.seek(position)
    while position < target:
        block = stream.read(min(1 << 22, target - position))
        if not block:
            break
        quote = block.find(b'"')
        stop = len(block) if quote < 0 else quote
        newline = block.rfind(b"\n", 0, stop)
        if newline >= 0:
            position += newline + 1
            lines += block.count(b"\n", 0, newline + 1)
        if quote >= 0:
            return position, lines, True
        if newline < 0:
            break
        stream.seek(position)
    return position, lines, False


def _skip_exact(stream: Any, position: int, lines: int, target: int, limit: int) -> tuple[int, int]:
    """Follow the records from the record start ``position`` with ``csv``, a block of lines at
    a time, to the last record start at or before ``target``'s line.

    Lines are given to ``csv`` without their line break (its end of line is the same to it) and
    too-long lines as empty ones, as the reader has them, so records begin where the reader's
    do; ``csv`` iterates each block's lines itself, which keeps a file of many quotes fast.
    """
    stream.seek(position)
    # Each block in play: the number of its first line (counted from ``position``), and the
    # offset of the end of each of its lines.
    blocks: list[tuple[int, list[int]]] = []
    last = 0  # lines before the last record start found

    def source() -> Iterator[list[str]]:
        offset = read = position  # where the lines not yet given start; what was read
        line, carry = 0, b""
        while read < target:
            chunk = stream.read(min(1 << 22, target - read))
            if not chunk:
                return
            read += len(chunk)
            data = carry + chunk
            end = data.rfind(b"\n") + 1
            carry = data[end:]
            if not end:
                continue
            texts = data[:end].decode("latin-1").split("\n")
            texts.pop()
            ends = list(itertools.accumulate((len(text) + 1 for text in texts), initial=offset))
            del ends[0]
            offset += end
            if max(map(len, texts)) >= limit:
                texts = [text if len(text) < limit else "" for text in texts]
            while blocks and blocks[0][0] + len(blocks[0][1]) <= last:
                blocks.pop(0)
            blocks.append((line, ends))
            line += len(texts)
            yield texts

    reader = csv.reader(itertools.chain.from_iterable(source()), strict=True)
    while True:
        try:
            for _ in reader:
                last = reader.line_num
            break
        except csv.Error as error:
            if str(error).startswith("unexpected end of data"):
                break  # a quoted cell runs on past the target
            last = reader.line_num
    if not last:
        return position, lines
    for first, ends in blocks:
        if first < last <= first + len(ends):
            return ends[last - first - 1], lines + last
    return position, lines  # pragma: no cover - the block of the last record is kept


#: What :func:`_records` gives for a blank record, and after the last record.
_BLANK: list[str] = []
_END: list[str] = []


def _records(
    stream: Any, position: int, lines: int, limit: int
) -> Iterator[tuple[int, int, list[str] | None]]:
    """The records of the file from the record start ``position`` (after line ``lines``): for
    each its start, the lines before it and its cells, as the CSV reader sees them (``None``
    for a record it rejects: not valid CSV, too long, not UTF-8; :data:`_BLANK` for a blank
    one). Lines are given to ``csv`` as :class:`~masterykit.readers._common.LineSource`
    gives them to the reader, so its records begin and end where the reader's do. Ends with
    ``(offset of the end, lines, _END)``."""
    stream.seek(position)
    read = [position, lines]  # bytes and lines given to csv so far

    def source() -> Iterator[str]:
        readline = stream.readline
        while chunk := readline(limit + 1):
            read[0] += len(chunk)
            read[1] += 1
            if len(chunk) > limit:
                while chunk and not chunk.endswith(b"\n"):
                    chunk = readline(limit + 1)
                    read[0] += len(chunk)
                yield "\n"
                continue
            # Latin-1 keeps every byte one character; the bytes csv looks at are ASCII.
            yield chunk.decode("latin-1")

    reader = csv.reader(source(), strict=True)
    start, after = position, lines
    while True:
        row: list[str] | None
        try:
            row = next(reader)
        except StopIteration:
            yield read[0], read[1], _END
            return
        except csv.Error:
            row = None
        if row is None or read[0] - start > limit:
            row = None
        elif not row or (len(row) == 1 and not row[0].strip()):
            row = _BLANK
        else:
            try:
                row = [cell.encode("latin-1").decode("utf-8") for cell in row]
            except UnicodeDecodeError:
                row = None
        yield start, after, row
        start, after = read[0], read[1]


def _ended(parts: list[CsvPart]) -> tuple[CsvPart, ...]:
    """``parts`` with each one's end set to the start of the next."""
    return tuple(
        attrs.evolve(part, end=parts[i + 1].start) if i + 1 < len(parts) else part
        for i, part in enumerate(parts)
    )


def read_csv_part(
    request: ReadRequest, split: CsvSplit, part: CsvPart
) -> Iterator[Evidence | Rejection]:
    """Read one part of a CSV evidence file cut by :func:`split_csv`: what ``read_csv``
    gives for those rows, numbered as in the whole file."""
    options = TabularOptions.from_options(request.options)
    stream = open_binary(request.path)
    stream.seek(part.start)
    length = None if part.end is None else part.end - part.start
    return _read_csv(
        _Slice(stream, length),
        options,
        display_name(request.path),
        header=list(split.header),
        after_line=part.after_line,
    )


class _Slice(io.RawIOBase):
    """At most ``length`` bytes of ``inner`` from where it stands (all of it for ``None``)."""

    def __init__(self, inner: Any, length: int | None) -> None:
        self._inner = inner
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer) if self._left is None else min(len(buffer), self._left)
        data = self._inner.read(size)
        buffer[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def _read_csv(
    stream: Any,
    options: TabularOptions,
    file: str,
    *,
    header: list[str] | None = None,
    after_line: int = 0,
) -> Iterator[Evidence | Rejection]:
    if header is not None:
        with stream:
            mapper = _RowMapper(options, file)
            _use_header(mapper, header, 1)
            rows = csv_rows(stream, options.max_record_bytes, file, after_line=after_line)
            yield from mapper.map_rows(rows)
        return
    with stream:
        mapper = _RowMapper(options, file)
        items = csv_rows(stream, options.max_record_bytes, file)
        for item in items:
            if isinstance(item, Rejection):
                raise refuse_file(item)  # the file is binary, or its header is unreadable
            line, row = item
            _use_header(mapper, [cell.strip() for cell in row], line)
            yield from mapper.map_rows(items)
            return


def _use_header(mapper: _RowMapper, header: list[str], line: int) -> None:
    """Read the rows after ``header`` (on ``line``) with ``mapper``.

    Raises:
        EvidenceError: ``MK306`` when a required column is missing, ``MK358`` when a column
            the reader uses is named twice: no row could be read, so the file is refused.
    """
    options = mapper.options
    missing = [options.column(f) for f in REQUIRED_FIELDS if options.column(f) not in header]
    if missing:
        raise missing_column(missing[0], header, mapper.file, line, known=mapper.columns)
    mapper.use_header(header, line)


def read_jsonl(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read a JSON Lines evidence file: one JSON object per line, keys as the CSV columns.

    Numbers stay exact (decimals, never floats). Options are those of :func:`read_csv`.
    """
    options = TabularOptions.from_options(request.options)
    stream = open_binary(request.path)
    return _read_jsonl(stream, options, display_name(request.path))


def _read_jsonl(stream: Any, options: TabularOptions, file: str) -> Iterator[Evidence | Rejection]:
    with stream:
        source = LineSource(stream, options.max_record_bytes)
        if source.binary:
            raise refuse_file(reject("MK303", "file is binary, not UTF-8 text", file))
        mapper = _RowMapper(options, file)
        for text in source:
            line = source.line
            problem = source.problem(line, line)
            if problem is not None:
                yield reject(problem[0], problem[1].replace("row", "line", 1), file, line)
                continue
            if not text.strip():
                continue
            try:
                value = load_json(text)
            except json.JSONDecodeError as err:
                yield reject("MK312", f"line is not valid JSON: {err.msg.lower()}", file, line)
                continue
            except RecordProblem as unusable:
                yield reject(unusable.code, unusable.reason, file, line)
                continue
            if not isinstance(value, dict):
                yield reject("MK313", "line is not a JSON object", file, line)
                continue
            yield mapper.map(value, line)
