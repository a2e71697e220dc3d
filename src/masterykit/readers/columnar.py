"""Evidence from CSV and Parquet files read column by column with Apache Arrow (the ``arrow``
extra: ``pip install 'masterykit[arrow]'``).

The columnar reader gives exactly what the CSV reader (``masterykit.readers.tabular``) gives
for the same file: the same evidence, the same rejections with the same codes, messages and
line numbers, in the same order. It is faster because most of a file is read without Python
touching each cell:

* the file is read in blocks of whole lines; a block whose shape is plain (no ``"``, no blank
  line, no lone carriage return, no NUL byte, every line within the byte limit, not after a
  quote) is parsed by ``pyarrow.csv`` on several threads, while the previous block is turned
  into evidence;
* each column is dictionary-encoded, so each distinct text (a few score levels, a school year
  of dates, a few hundred competencies, a learner's id once for all their rows) is read once,
  with the CSV reader's own functions, and its reading is spread back over the rows with
  ``numpy``;
* a row with any problem (an empty required cell, a score that is not a number, a date that
  does not exist, a repeated source id …) goes through the CSV reader's own per-row checks,
  which give its exact rejection; so does every row of a block that ``pyarrow.csv`` cannot
  parse (a row of the wrong width, text that is not UTF-8) and, from the first ``"`` on, the
  rest of the file, whose records only Python's ``csv`` splits exactly as the CSV reader does.

Parquet files (:func:`read_parquet`) are read the same way, a row group at a time; their
columns may be text, numbers, decimals, dates or timestamps, each read as its text
(``3.5``, ``2026-01-10``, ``2026-01-10 09:30:00.000000``). A Parquet row's ``line`` is its
row number, counting from 1.

:func:`records_of_table` is the step in between, for an Arrow table already in memory (the
Python API of :mod:`masterykit.arrow`).

>>> import pathlib, tempfile
>>> from masterykit.registry import ReadRequest
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "e.csv").write_text("learner,competency,score,timestamp\\nana,M.1,3,2026-01-10\\n"
...     "ben,M.1,x,2026-01-11\\n")
>>> [getattr(r, "score", None) or r.code for r in read_csv_columnar(ReadRequest(d / "e.csv"))]
[Decimal('3'), 'MK309']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers._common import (
    ScaleMap,
    csv_rows,
    display_name,
    open_binary,
    parse_decimal,
    shorten,
)
from masterykit.readers.tabular import (
    FIELDS,
    REQUIRED_FIELDS,
    TabularOptions,
    _RowMapper,
    _use_header,
    read_csv,
)
from masterykit.registry import ReadRequest

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    #: A column's distinct texts and, for each row, the index of its text.
    Encoded = tuple[list[str], np.ndarray]
    #: A block of checked evidence as text columns, and the block's rejections.
    Checked = tuple[pa.Table, list[Rejection]]

__all__ = [
    "BLOCK_BYTES",
    "available",
    "checked_tables",
    "make_evidence",
    "read_csv_columnar",
    "read_parquet",
    "records_of_normal",
    "records_of_table",
]

#: About how many bytes of a CSV file are parsed at a time (a block ends at a line's end).
BLOCK_BYTES: Final = 1 << 20
#: How many rows of a Parquet file are read at a time.
_PARQUET_ROWS: Final = 65_536
_BOM: Final = b"\xef\xbb\xbf"
# Blank lines given to `csv_rows` before a block it reads, so that its binary check (a NUL in
# the first 8 KiB) looks at them rather than at the block: only the start of a file is tested.
_PAD: Final = b"\n" * 8192


def available() -> bool:
    """Whether the ``arrow`` extra (pyarrow and numpy) is installed."""
    try:
        import numpy  # noqa: F401
        import pyarrow
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def _evidence_maker() -> Callable[..., Evidence]:
    # `Evidence` is a frozen attrs class with slots and neither validators nor converters: its
    # generated `__init__` sets each slot through `object.__setattr__`, looking the slot up by
    # name. Setting the slots through their descriptors directly builds the same value in
    # about two thirds of the time (measured in docs/formats.rst); a test checks that the two
    # agree field for field and that the class still has nothing that `__init__` would run.
    new = object.__new__
    slots = [
        getattr(Evidence, name).__set__
        for name in (
            "learner",
            "competency",
            "score",
            "timestamp",
            "kind",
            "rater",
            "source_id",
            "origin",
            "school",
        )
    ]
    s_learner, s_code, s_score, s_stamp, s_kind, s_rater, s_id, s_origin, s_school = slots
    cls = Evidence

    def make(
        learner: str,
        competency: str,
        score: Decimal,
        timestamp: dt.date | dt.datetime,
        kind: str | None,
        rater: str | None,
        source_id: str | None,
        origin: Origin | None,
        school: str | None = None,
    ) -> Evidence:
        piece: Evidence = new(cls)
        s_learner(piece, learner)
        s_code(piece, competency)
        s_score(piece, score)
        s_stamp(piece, timestamp)
        s_kind(piece, kind)
        s_rater(piece, rater)
        s_id(piece, source_id)
        s_origin(piece, origin)
        s_school(piece, school)
        return piece

    return make


#: Build an :class:`~masterykit.evidence.Evidence` from its nine fields in order, as
#: ``Evidence(...)`` does, faster.
make_evidence: Final = _evidence_maker()


class _Reading:
    """What a block's columns read as: for each field (in :data:`FIELDS` order) its reading of
    each distinct text and, for each row, the index of its text, or ``None`` for a field
    without a column; the raw columns; and which rows need the CSV reader's per-row checks."""

    __slots__ = ("bad", "fields", "normal", "raw", "rows")

    def __init__(self, rows: int) -> None:
        import numpy as np

        self.rows = rows
        self.bad = np.zeros(rows, dtype=bool)
        self.raw: list[Encoded | None] = []
        #: Each field's readings (decimals, dates …) and row indices.
        self.fields: list[tuple[list[Any], np.ndarray] | None] = []
        #: Each field's readings as text a reader with no options reads back to the same value.
        self.normal: list[list[str | None] | None] = []

    def taken(self, field: int) -> list[Any] | None:
        """The reading of each row for ``field``."""
        import numpy as np

        entry = self.fields[field]
        if entry is None:
            return None
        values, index = entry
        objects = np.empty(len(values), dtype=object)
        objects[:] = values
        taken: list[Any] = objects[index].tolist()
        return taken


class _Columns:
    """Turns blocks of columns (Arrow string arrays, one per field) into evidence and
    rejections, with the CSV reader's per-row checks for every row that needs them.

    ``check_ids=False`` is for rows read back after they were checked (and sorted): it leaves
    out the check that source ids are unique, where remembering every id would only cost
    memory, and takes each text as it is (it was trimmed when it was checked), an empty one as
    none.
    """

    def __init__(self, mapper: _RowMapper, width: int, *, check_ids: bool = True) -> None:
        self.mapper = mapper
        self.options = mapper.options
        self.file = mapper.file
        self.width = width
        self.check_ids = check_ids
        cells = mapper._cells
        assert cells is not None  # a used column named twice was refused (MK358)
        #: Where each field is in a row (``width`` for a field without a column).
        self.cells = cells

    def read(self, columns: Sequence[Encoded | None]) -> _Reading:
        """Read each distinct text of each column once, with the CSV reader's functions."""
        import numpy as np

        present = [c for c in columns if c is not None]
        reading = _Reading(len(present[0][1]) if present else 0)
        opts = self.options
        missing = opts.missing_values
        mapper = self.mapper
        bad = reading.bad

        def clean(text: str) -> str | None:
            stripped = text.strip()
            return None if stripped in missing else stripped

        if not self.check_ids:

            def clean(text: str) -> str | None:
                return text or None

        for field, column in zip(FIELDS, columns, strict=True):
            reading.raw.append(column)
            if column is None:
                reading.fields.append(None)
                reading.normal.append(None)
                continue
            values, index = column
            texts = [clean(value) for value in values]
            normal: list[str | None] = texts
            if field == "competency":
                read: list[Any] = [None if t is None else mapper._competency(t) for t in texts]
                normal = read
            elif field == "score":
                read = [None if t is None else parse_decimal(t) for t in texts]
            elif field == "timestamp":
                stamps = [None if t is None else mapper._timestamp(t) for t in texts]
                read = [None if type(s) is tuple else s for s in stamps]
                if opts.day_zero is not None:
                    normal = [None if r is None else r.isoformat() for r in read]
            elif field == "kind":
                read = normal = [t or opts.kind for t in texts]
            else:
                read = texts
            if field in REQUIRED_FIELDS:
                unusable = np.fromiter((r is None for r in read), dtype=bool, count=len(read))
                if unusable.any():
                    bad |= unusable[index]
            reading.fields.append((read, index))
            reading.normal.append(normal)
        if opts.raw_range is not None and reading.rows:
            self._rescale(reading)
        return reading

    def records(
        self, columns: Sequence[Encoded | None], lines: Sequence[int] | int
    ) -> list[Evidence | Rejection]:
        """The records of the rows in ``columns`` (in :data:`FIELDS` order; ``None`` for a
        field without a column); ``lines`` are the rows' line numbers, or the first row's."""
        reading = self.read(columns)
        rows = reading.rows
        if rows == 0:
            return []
        if isinstance(lines, int):
            lines = range(lines, lines + rows)
        opts = self.options
        mapper = self.mapper
        taken = [reading.taken(field) for field in range(len(FIELDS))]
        # Only the optional fields may have no column (the header was checked).
        ids = taken[6] if self.check_ids else None
        learners, codes, scores, stamps, kinds, raters, ids_, schools = (
            t if t is not None else [opts.kind if field == "kind" else None] * rows
            for field, t in zip(FIELDS, taken, strict=True)
        )
        file = self.file
        bad = reading.bad
        if not bad.any() and ids is None:
            # The common block: every row is evidence, built without a Python loop.
            origins = map(Origin, repeat(file, rows), lines, ids_)
            return list(
                map(
                    make_evidence,
                    learners,
                    codes,
                    scores,
                    stamps,
                    kinds,
                    raters,
                    ids_,
                    origins,
                    schools,
                )
            )
        out: list[Evidence | Rejection] = []
        append = out.append
        make = make_evidence
        seen = mapper.seen_ids if ids is not None else {}
        flagged = bad.tolist()
        for i, line in enumerate(lines):
            source_id = ids_[i]
            if flagged[i] or (source_id is not None and source_id in seen):
                append(mapper.map_row(self._row(reading.raw, i), line))
                continue
            if source_id is not None and ids is not None:
                seen[source_id] = line
            append(
                make(
                    learners[i],
                    codes[i],
                    scores[i],
                    stamps[i],
                    kinds[i],
                    raters[i],
                    source_id,
                    Origin(file, line, source_id),
                    schools[i],
                )
            )
        return out

    def normalised(
        self, columns: Sequence[Encoded | None], first_line: int
    ) -> tuple[pa.Table, list[Rejection]]:
        """The rows of ``columns`` (the first on line ``first_line``) checked as
        :meth:`records` checks them, without building evidence: the evidence as a table of
        text columns that a reader with no options reads back to the same evidence
        (``NORMAL_SCHEMA``, with each row's ``line``), and the rejections."""
        import numpy as np
        import pyarrow as pa

        reading = self.read(columns)
        rows = reading.rows
        keep = ~reading.bad
        flagged = reading.bad.tolist()
        slow: list[Evidence | Rejection] = []
        ids = reading.taken(6) if self.check_ids and reading.fields[6] is not None else None
        mapper = self.mapper
        if ids is not None:
            # Source ids must be unique: follow the rows in order, as the CSV reader does.
            seen = mapper.seen_ids
            for i, source_id in enumerate(ids):
                if flagged[i] or (source_id is not None and source_id in seen):
                    keep[i] = False
                    slow.append(mapper.map_row(self._row(reading.raw, i), first_line + i))
                elif source_id is not None:
                    seen[source_id] = first_line + i
        else:
            for i in np.flatnonzero(reading.bad).tolist():
                slow.append(mapper.map_row(self._row(reading.raw, i), first_line + i))
        arrays = []
        for field, (entry, normal) in enumerate(zip(reading.fields, reading.normal, strict=True)):
            if entry is None or normal is None:
                default = self.options.kind if FIELDS[field] == "kind" else None
                arrays.append(pa.array([default] * rows, pa.string()))
                continue
            index = pa.array(entry[1])
            arrays.append(
                pa.DictionaryArray.from_arrays(index, pa.array(normal, pa.string())).cast(
                    pa.string()
                )
            )
        arrays.append(pa.array(np.arange(first_line, first_line + rows, dtype=np.int64)))
        table = pa.Table.from_arrays(arrays, schema=NORMAL_SCHEMA).filter(pa.array(keep))
        rejections = [r for r in slow if isinstance(r, Rejection)]
        extra = [r for r in slow if isinstance(r, Evidence)]
        if extra:
            table = pa.concat_tables([table, normal_table(extra)])
        return table, rejections

    def _rescale(self, reading: _Reading) -> None:
        """Map the scores from the raw range onto each competency's scale (the readings of
        each pair of score text and competency text, once), flagging those out of range."""
        import numpy as np

        opts = self.options
        assert opts.raw_range is not None
        low, high = opts.raw_range
        scores, codes = reading.fields[2], reading.fields[1]
        assert scores is not None
        assert codes is not None
        pairs = scores[1].astype(np.int64) * (len(codes[0]) + 1) + codes[1]
        _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        mapped: list[Decimal | None] = []
        for row in first.tolist():
            score, code = scores[0][scores[1][row]], codes[0][codes[1][row]]
            if score is None or code is None or not low <= score <= high:
                mapped.append(None)
                continue
            target = opts.scales.target(code)
            mapped.append(None if target is None else ScaleMap.rescale(score, low, high, target))
        unusable = np.fromiter((m is None for m in mapped), dtype=bool, count=len(mapped))
        reading.bad |= unusable[inverse]
        reading.fields[2] = (mapped, inverse.reshape(-1))
        reading.normal[2] = [None if m is None else str(m) for m in mapped]

    def _row(self, raw: list[Encoded | None], i: int) -> list[str]:
        """Row ``i`` as the CSV reader has it: its cells, as wide as the header."""
        row = [""] * self.width
        for cell, encoded in zip(self.cells, raw, strict=True):
            if encoded is not None and cell < self.width:
                values, index = encoded
                row[cell] = values[index[i]]
        return row


def normal_table(evidence: Sequence[Evidence]) -> pa.Table:
    """Evidence as a table of ``NORMAL_SCHEMA``: text a reader with no options reads back
    to the same evidence (the line from each one's origin)."""
    import pyarrow as pa

    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    columns: list[Any] = [[text(getattr(piece, field)) for piece in evidence] for field in FIELDS]
    columns.append([piece.origin.line if piece.origin else None for piece in evidence])
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, NORMAL_SCHEMA, strict=True)],
        schema=NORMAL_SCHEMA,
    )


def _normal_schema() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        return None
    return pa.schema([*((field, pa.string()) for field in FIELDS), ("line", pa.int64())])


#: The columns of checked evidence as text (:meth:`_Columns.normalised`): the evidence fields
#: and the ``line`` each row was read from (``None`` without the ``arrow`` extra).
NORMAL_SCHEMA: Final = _normal_schema()


def _encoded(column: pa.Array | pa.ChunkedArray | None) -> Encoded | None:
    """The distinct texts of ``column`` and, for each row, the index of its text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column is None:
        return None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)


def records_of_table(
    table: pa.Table,
    options: TabularOptions | None = None,
    *,
    file: str = "<table>",
    first_line: int = 1,
    mapper: _RowMapper | None = None,
) -> Iterator[Evidence | Rejection]:
    """The evidence and rejections of the rows of an Arrow ``table`` whose columns are named
    as the CSV reader's (``columns`` option included), each cell read as its text.

    A row's ``line`` is ``first_line`` for the first row and one more for each next row.

    Raises:
        EvidenceError: ``MK373`` when a required column is missing, ``MK358`` when a column
            the reader uses is named twice, ``MK375`` when a column holds values that are not
            text, numbers, dates or times (lists, structures).
    """
    opts = options or TabularOptions()
    header = list(table.column_names)
    if mapper is None:
        mapper = _RowMapper(opts, file)
        _use_schema(mapper, header, file)
    columns = _string_columns(table, mapper, header, file)
    encoded = [_encoded(column) for column in columns]
    return iter(_Columns(mapper, len(header)).records(encoded, first_line))


def _use_schema(mapper: _RowMapper, header: list[str], file: str) -> None:
    """Read tables with the columns ``header`` (``MK373`` when a required one is missing)."""
    opts = mapper.options
    for field in REQUIRED_FIELDS:
        column = opts.column(field)
        if column not in header:
            raise EvidenceError(
                [
                    Diagnostic(
                        "MK373",
                        f"the table has no column `{shorten(column)}`, so none of its rows is read",
                        help="its columns are "
                        + ", ".join(f"`{shorten(name)}`" for name in header[:12])
                        + ("" if len(header) <= 12 else " …")
                        + "; name another column with the `columns` option",
                        location=file,
                    )
                ]
            )
    mapper.use_header(header, 1)


def _string_columns(
    table: pa.Table | pa.RecordBatch, mapper: _RowMapper, header: list[str], file: str
) -> list[pa.Array | None]:
    """The column of each field as text (nulls as empty cells), ``None`` where it has none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = mapper._cells
    assert cells is not None
    out: list[pa.Array | None] = []
    for field, cell in zip(FIELDS, cells, strict=True):
        if cell >= len(header):
            out.append(None)
            continue
        column = table.column(header[cell])
        if not pa.types.is_string(column.type):
            try:
                column = pc.cast(column, pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise EvidenceError(
                    [
                        Diagnostic(
                            "MK375",
                            f"column `{shorten(header[cell])}` holds {column.type} values, "
                            f"which cannot be read as the {field}",
                            help="store the column as text, numbers, dates or timestamps",
                            location=file,
                        )
                    ]
                ) from None
        if column.null_count:
            column = pc.fill_null(column, "")
        out.append(column)
    return out


# --- CSV ---------------------------------------------------------------------------------------


def read_csv_columnar(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read a CSV evidence file as the CSV reader (``masterykit.readers.tabular.read_csv``)
    does, with the same result, column by column (see the module's description).

    Options are checked at once (``MK302``); the file is opened at once (``MK300``). Standard
    input, and a file whose first line is not a plain header, are read by the CSV reader.
    """
    options = TabularOptions.from_options(request.options)
    if str(request.path) == "-":
        return read_csv(request)
    stream = open_binary(request.path)
    # Each part is a block's records (a list) or an iterator of them: chained in C, so a
    # record costs no Python frame between the block's list and the consumer.
    return chain.from_iterable(_parts(stream, options, display_name(request.path), request))


def checked_tables(request: ReadRequest, format: str = "csv") -> Iterator[Checked]:
    """Read a CSV (``format="csv"``) or Parquet (``"parquet"``) evidence file a block at a
    time with every check of :func:`read_csv_columnar` or :func:`read_parquet`, without
    building evidence: each block's evidence as a table of text columns
    (``NORMAL_SCHEMA``, each row with its ``line``) and its rejections, for a program that
    sorts or moves evidence before it is evaluated. :func:`records_of_normal` turns such a
    table back into the same evidence.

    Raises:
        EvidenceError: as the readers do.
    """
    options = TabularOptions.from_options(request.options)
    file = display_name(request.path)
    if format == "parquet":
        open_binary(request.path).close()
        parquet = _parquet_file(request.path, file)
        return _parquet_parts(parquet, options, file, checked=True)
    if str(request.path) == "-":
        return _checked(read_csv(request))
    stream = open_binary(request.path)
    return _parts(stream, options, file, request, checked=True)  # type: ignore[return-value]


def _checked(records: Iterable[Evidence | Rejection]) -> Iterator[Checked]:
    """``records`` as :func:`checked_tables` gives them, in chunks."""
    evidence: list[Evidence] = []
    rejections: list[Rejection] = []
    for record in records:
        if isinstance(record, Evidence):
            evidence.append(record)
            if len(evidence) >= _PARQUET_ROWS:
                yield normal_table(evidence), rejections
                evidence, rejections = [], []
        else:
            rejections.append(record)
    if evidence or rejections:
        yield normal_table(evidence), rejections


def records_of_normal(table: pa.Table | pa.RecordBatch, file: str) -> list[Evidence]:
    """The evidence of a table of ``NORMAL_SCHEMA`` read from ``file`` (see
    :func:`checked_tables`), with the lines it was read from."""
    mapper = _RowMapper(TabularOptions(), file)
    mapper.use_header(list(FIELDS), 1)
    columns = _Columns(mapper, len(FIELDS), check_ids=False)
    encoded = [_encoded(_filled(table.column(i))) for i in range(len(FIELDS))]
    lines = table.column(len(FIELDS)).to_pylist()
    return columns.records(encoded, lines)  # type: ignore[return-value]


def _filled(column: Any) -> Any:
    import pyarrow.compute as pc

    return pc.fill_null(column, "") if column.null_count else column


def _parts(
    stream: Any, options: TabularOptions, file: str, request: ReadRequest, *, checked: bool = False
) -> Iterator[Iterable[Evidence | Rejection]] | Iterator[Checked]:
    with stream:
        head = stream.read(8192)
        limit = options.max_record_bytes
        end = head.find(b"\n")
        while end < 0 and len(head) <= limit:
            more = stream.read(8192)
            if not more:
                break
            head += more
            end = head.find(b"\n")
        first = head[: end + 1] if end >= 0 else b""
        text = first[3:] if first.startswith(_BOM) else first
        plain = (
            end >= 0
            and b"\x00" not in head[:8192]
            and len(first) <= limit
            and b'"' not in first
            and b"\r" not in text[:-2]
            and text.strip()
        )
        header: list[str] | None = None
        if plain:
            try:
                header = [cell.strip() for cell in text.decode("utf-8").rstrip("\r\n").split(",")]
            except UnicodeDecodeError:
                header = None
        if header is None:
            # The header itself needs the CSV reader's care (or is refused by it).
            if checked:
                yield from _checked(read_csv(request))
            else:
                yield read_csv(request)
            return
        mapper = _RowMapper(options, file)
        _use_header(mapper, header, 1)
        reader = _Blocks(stream, head[end + 1 :], len(first), mapper, len(header), request.path)
        yield from reader.parts(checked=checked)


class _Block:
    """A block of whole lines of the file, parsed by ``pyarrow.csv`` or not."""

    def __init__(self, start: int, first_line: int, data: bytes) -> None:
        self.start = start
        self.first_line = first_line
        self.data = data
        self.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        self.columns: list[Encoded | None] | None = None
        #: From this block on, the rest of the file is read by the CSV reader.
        self.quoted = b'"' in data


class _Blocks:
    """The blocks of a CSV file after its header, parsed one ahead on another thread."""

    def __init__(
        self, stream: Any, rest: bytes, offset: int, mapper: _RowMapper, width: int, path: Path
    ) -> None:
        self.stream = stream
        self.carry = rest
        self.offset = offset
        self.line = 1
        self.mapper = mapper
        self.width = width
        self.path = path
        self.limit = mapper.options.max_record_bytes
        self.columns = _Columns(mapper, width)
        self.eof = False

    def _next(self) -> _Block | None:
        """Read the next block of whole lines (``None`` at the end) and parse it if plain."""
        data = self.carry
        while not self.eof:
            cut = data.rfind(b"\n") + 1
            if cut and len(data) >= BLOCK_BYTES:
                break
            more = self.stream.read(BLOCK_BYTES)
            if not more:
                self.eof = True
                break
            data += more
        if not data:
            return None
        cut = len(data) if self.eof else data.rfind(b"\n") + 1
        block = _Block(self.offset, self.line + 1, data[:cut])
        self.carry = data[cut:]
        self.offset += cut
        self.line += block.lines
        if not block.quoted and self._plain(block.data):
            block.columns = self._parse(block.data)
        return block

    def _plain(self, data: bytes) -> bool:
        """Whether every line of ``data`` is a record ``pyarrow.csv`` splits as ``csv`` does."""
        import numpy as np

        if (
            b"\x00" in data
            or data.startswith((b"\n", b"\r\n", _BOM))
            or b"\n\n" in data
            or b"\n\r\n" in data
            or data.count(b"\r") != data.count(b"\r\n")
        ):
            return False
        if not data.isascii():
            # pyarrow checks the text of the columns it reads only; the CSV reader refuses a
            # row with bytes that are not UTF-8 in any cell (MK304).
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return False
        # A line over the byte limit is rejected (MK305), and so is one with a cell longer than
        # `csv` holds: a line shorter than both is read alike.
        longest_allowed = min(self.limit, csv.field_size_limit())
        if len(data) <= longest_allowed:
            return True
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        if not len(ends):
            return False
        longest = max(
            int(ends[0]) + 1, int(np.diff(ends).max(initial=0)), len(data) - int(ends[-1]) - 1
        )
        return longest <= longest_allowed

    def _parse(self, data: bytes) -> list[Encoded | None] | None:
        """The block's columns, encoded (``None`` when ``pyarrow.csv`` refuses a row of it)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        cells = self.columns.cells
        names = [f"c{i}" for i in range(self.width)]
        wanted = sorted({names[c] for c in cells if c < self.width})
        try:
            table = pcsv.read_csv(
                io.BytesIO(data),
                read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 22),
                parse_options=pcsv.ParseOptions(
                    delimiter=",",
                    quote_char=False,
                    double_quote=False,
                    escape_char=False,
                    newlines_in_values=False,
                    ignore_empty_lines=False,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={name: pa.string() for name in wanted},
                    include_columns=wanted,
                    strings_can_be_null=False,
                    check_utf8=True,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        return [None if c >= self.width else _encoded(table.column(names[c])) for c in cells]

    def parts(self, *, checked: bool = False) -> Iterator[Any]:
        """The records of each block, in order (with ``checked``, as :func:`checked_tables`
        gives them)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="masterykit-csv") as pool:
            pending: Future[_Block | None] = pool.submit(self._next)
            while True:
                block = pending.result()
                if block is None:
                    return
                if block.quoted:
                    rest = self._rest(block)
                    yield from _checked(rest) if checked else (rest,)
                    return
                pending = pool.submit(self._next)
                if block.columns is not None:
                    if checked:
                        yield self.columns.normalised(block.columns, block.first_line)
                    else:
                        yield self.columns.records(block.columns, block.first_line)
                else:
                    by_csv = self._by_csv(io.BytesIO(_PAD + block.data), block.first_line)
                    yield from _checked(by_csv) if checked else (by_csv,)

    def _by_csv(self, data: Any, first_line: int) -> Iterator[Evidence | Rejection]:
        """The records of lines read by the CSV reader's own code, from ``first_line`` on."""
        rows = csv_rows(data, self.limit, self.mapper.file, after_line=first_line - 1 - len(_PAD))
        yield from self.mapper.map_rows(rows)

    def _rest(self, block: _Block) -> Iterator[Evidence | Rejection]:
        """The records from ``block`` to the end of the file, read by the CSV reader's code."""
        with self.path.open("rb") as stream:
            stream.seek(block.start)
            yield from self._by_csv(_Chain(_PAD, stream), block.first_line)


class _Chain(io.RawIOBase):
    """``head`` then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: Any) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- Parquet -----------------------------------------------------------------------------------


def read_parquet(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read a Parquet evidence file: the columns of the CSV reader, with its options and
    checks, a batch of rows at a time; a row's ``line`` is its row number (from 1).

    Raises:
        EvidenceError: ``MK300`` when the file cannot be opened, ``MK302`` for a wrong option,
            ``MK374`` when it is not a Parquet file; when read, ``MK373`` for a missing
            required column, ``MK358`` for a column named twice, ``MK375`` for a column
            that does not hold text, numbers, dates or times.
    """
    options = TabularOptions.from_options(request.options)
    file = display_name(request.path)
    open_binary(request.path).close()  # MK300 for a file that cannot be read
    parquet = _parquet_file(request.path, file)
    return chain.from_iterable(_parquet_parts(parquet, options, file))


def _parquet_file(path: Path, file: str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise EvidenceError(
            [
                Diagnostic(
                    "MK374",
                    f"`{file}` is not a Parquet file that can be read ({shorten(reason)})",
                    help="write the evidence as Parquet again, or as CSV",
                    location=file,
                )
            ]
        ) from None


def _parquet_parts(
    parquet: Any, options: TabularOptions, file: str, *, checked: bool = False
) -> Iterator[Any]:
    import pyarrow as pa

    header = list(parquet.schema_arrow.names)
    mapper = _RowMapper(options, file)
    _use_schema(mapper, header, file)
    wanted = sorted({c for c in (mapper._cells or ()) if c < len(header)})
    columns = _Columns(mapper, len(header))
    line = 1
    names = [header[c] for c in wanted]
    for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=names, use_threads=True):
        table = pa.Table.from_batches([batch])
        encoded = [_encoded(column) for column in _string_columns(table, mapper, header, file)]
        yield columns.normalised(encoded, line) if checked else columns.records(encoded, line)
        line += batch.num_rows
