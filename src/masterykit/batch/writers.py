"""The outputs of a batch run: JSON, JSON Lines, CSV and a table for people.

* the JSON document (:func:`result_document`, schema ``masterykit/result/v1``);
* JSON Lines (:class:`JsonLines`): a ``learner`` line per learner, a ``rejection`` line per
  record that could not be used, and a final ``summary`` line with the counts;
* CSV (:data:`CSV_COLUMNS`): one row per learner and competency, requirement, advancement,
  graduation, pace and rejection, with cells that a spreadsheet would run as a formula guarded
  (:func:`guard_cell`);
* a table (:func:`table_lines`), one line per learner, with control characters shown escaped
  (:func:`visible`);
* Parquet (:class:`ParquetText`, the ``arrow`` extra): the CSV output's rows and columns, every
  cell text, written a row group at a time.

A whole run is a :class:`Report`; a run written learner by learner adds each result to a
:class:`Tally` (:func:`write_learners`) and ends with :func:`write_ending`. Both give the same
bytes for the same run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from masterykit.district import District, PolicyIdentity
from masterykit.engine.evaluate import rejection_key
from masterykit.evidence import Rejection
from masterykit.numbers import format_decimal
from masterykit.policy import Policy

if TYPE_CHECKING:
    from masterykit.engine import EvaluationResult, LearnerResult

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "RESULT_SCHEMA",
    "TABLE_HEADER",
    "CsvRows",
    "JsonLines",
    "OutputFormat",
    "ParquetText",
    "Report",
    "Routing",
    "Tally",
    "counts_json",
    "csv_learner_rows",
    "csv_rejection_row",
    "guard_cell",
    "jsonl_lines",
    "policy_json",
    "render",
    "result_document",
    "routing_json",
    "skipped",
    "table_header",
    "table_lines",
    "table_rows",
    "visible",
    "write_ending",
    "write_learners",
]

#: The ``schema`` value of JSON and JSON Lines output.
RESULT_SCHEMA: Final = "masterykit/result/v1"

#: The columns of CSV output.
CSV_COLUMNS: Final = ("learner", "type", "name", "status", "score", "level", "detail")

#: The columns of the table.
TABLE_HEADER: Final = (
    "learner",
    "proficient",
    "insufficient",
    "requirements",
    "graduation",
    "pace",
)

#: An output format.
OutputFormat = Literal["json", "jsonl", "csv", "table"]

#: The output formats, in the order the command line lists them.
FORMATS: Final[tuple[OutputFormat, ...]] = ("json", "jsonl", "csv", "table")

#: The CSV column whose cells are numbers masterykit formats itself, never guarded.
_SCORE = CSV_COLUMNS.index("score")

#: What a spreadsheet may take as the start of a formula (OWASP, "CSV Injection").
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: a cell that begins with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a ``'`` in front, so that the spreadsheet
    shows it as text instead of running it as a formula (OWASP's advice on CSV injection).

    >>> guard_cell("=HYPERLINK(\\"http://x\\")"), guard_cell("-2"), guard_cell("ana")
    ('\\'=HYPERLINK("http://x")', "'-2", 'ana')
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _guarded(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(cell if i == _SCORE else guard_cell(cell) for i, cell in enumerate(row))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character (and every character that reorders text, such as
    a right-to-left override) written as an escape, so that data shown to a person on a
    terminal can neither move the cursor, recolour the screen nor hide what it says.

    >>> visible("ana\\x1b[2J"), visible("tab\\there")
    ('ana\\\\x1b[2J', 'tab\\\\x09here')
    """
    return _CONTROL.sub(_escape, text)


def skipped(rejections: Iterable[Rejection]) -> int:
    """How many of ``rejections`` are records with nothing to use, not mistakes."""
    from masterykit.readers import SKIP_CODES

    return sum(1 for r in rejections if r.code in SKIP_CODES)


def counts_json(counts: Sequence[int], rejections: Sequence[Rejection]) -> dict[str, int]:
    """The ``counts`` object of the output from the counts read, used, rejected, counted and
    not counted, with how many of ``rejections`` were skipped."""
    read, used, rejected, counted, not_counted = counts
    return {
        "read": read,
        "used": used,
        "rejected": rejected,
        "skipped": skipped(rejections),
        "counted": counted,
        "not_counted": not_counted,
    }


def policy_json(policy: Policy | District) -> dict[str, Any]:
    """The policy's name, version, file and chain of layers, for JSON output, with its
    fingerprint and ``kind`` (``policy``). A district file gives its own name, version, file
    and fingerprint, ``kind`` ``district`` and no layers (each learner's result names the
    policy that evaluated them)."""
    if isinstance(policy, District):
        return {
            "name": policy.name,
            "version": policy.version,
            "file": policy.file,
            "layers": [],
            "fingerprint": policy.fingerprint,
            "kind": "district",
        }
    return {
        "name": policy.name,
        "version": policy.version,
        "file": policy.file,
        "layers": [
            {"name": layer.name, "file": layer.file, "version": layer.version}
            for layer in policy.layers
        ],
        "fingerprint": PolicyIdentity.of(policy).fingerprint,
        "kind": "policy",
    }


@attrs.define
class Routing:
    """How many learners each policy evaluated, and how many no policy evaluated (routed to
    ``not evaluated``, or taken by no route), added up learner by learner."""

    policies: dict[PolicyIdentity, int] = attrs.field(factory=dict)
    not_evaluated: int = 0
    not_routed: int = 0

    def add_learner(self, learner: LearnerResult) -> None:
        """Count one learner's result."""
        skipped = learner.not_evaluated
        if skipped is not None:
            if skipped.code == "MK390":
                self.not_routed += 1
            else:
                self.not_evaluated += 1
        elif learner.policy is not None:
            self.policies[learner.policy] = self.policies.get(learner.policy, 0) + 1

    def add(self, other: Routing) -> None:
        """Add another count (a part's, in order) to this one."""
        for identity, count in other.policies.items():
            self.policies[identity] = self.policies.get(identity, 0) + count
        self.not_evaluated += other.not_evaluated
        self.not_routed += other.not_routed

    @classmethod
    def of(cls, learners: Iterable[LearnerResult]) -> Routing:
        """The count of ``learners``."""
        found = cls()
        for learner in learners:
            found.add_learner(learner)
        return found

    def describe(self) -> str:
        """In words: ``North High: 14, Harbor Middle: 15; not evaluated: 1; not routed: 0``."""
        each = ", ".join(f"{p.name}: {n}" for p, n in self.policies.items()) or "none"
        return f"{each}; not evaluated: {self.not_evaluated}; not routed: {self.not_routed}"


def routing_json(routing: Routing) -> dict[str, Any]:
    """The ``routing`` object of the output: each policy with how many learners it evaluated,
    in the order the policies first appear, and how many learners no policy evaluated."""
    return {
        "policies": [
            {
                "name": identity.name,
                "version": identity.version,
                "fingerprint": identity.fingerprint,
                "file": identity.file,
                "learners": count,
            }
            for identity, count in routing.policies.items()
        ],
        "not_evaluated": routing.not_evaluated,
        "not_routed": routing.not_routed,
    }


def _learner_json(learner: LearnerResult) -> dict[str, Any]:
    from masterykit.engine import unstructure

    data: dict[str, Any] = unstructure(learner)
    return data


def _rejection_json(rejection: Rejection) -> dict[str, Any]:
    from masterykit.engine import unstructure

    data: dict[str, Any] = unstructure(rejection)
    return data


@attrs.frozen(slots=True)
class Report:
    """A whole evaluation to write out: the policy (or district file), the engine's result, and
    what reading the
    evidence gave (the reader's rejections and how many records it read), with the names of
    the inputs for the JSON document's ``inputs``.

    ``read=None`` counts the records the engine read, for a result evaluated from evidence
    that did not come from a reader.
    """

    policy: Policy | District
    result: EvaluationResult
    reader_rejections: tuple[Rejection, ...] = ()
    read: int | None = None
    evidence_path: str | None = None
    evidence_format: str | None = None
    learners_path: str | None = None

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every evidence record that could not be used (the reader's and the engine's), in
        the order of :func:`~masterykit.batch.rejection_key`."""
        return tuple(sorted((*self.reader_rejections, *self.result.rejections), key=rejection_key))

    @property
    def records_read(self) -> int:
        """How many evidence records were read."""
        return self.result.counts.read if self.read is None else self.read

    def counts(self) -> dict[str, int]:
        """Records read, used, rejected (of which skipped), counted and not counted."""
        engine = self.result.counts
        rejected = len(self.reader_rejections) + engine.rejected
        return counts_json(
            (self.records_read, engine.used, rejected, engine.counted, engine.not_counted),
            self.rejections,
        )


def result_document(report: Report) -> dict[str, Any]:
    """The JSON document of a run (schema ``masterykit/result/v1``)."""
    return {
        "schema": RESULT_SCHEMA,
        "policy": policy_json(report.policy),
        "as_of": report.result.as_of.isoformat(),
        "inputs": {
            "evidence": report.evidence_path,
            "evidence_format": report.evidence_format,
            "learners": report.learners_path,
        },
        "counts": report.counts(),
        "learners": [_learner_json(learner) for learner in report.result.learners],
        "rejections": [_rejection_json(rejection) for rejection in report.rejections],
        "routing": routing_json(Routing.of(report.result.learners)),
    }


class JsonLines:
    """The lines of JSON Lines output, one at a time (each without its line break)."""

    def __init__(self, as_of: dt.date) -> None:
        self.head = {"schema": RESULT_SCHEMA, "as_of": as_of.isoformat()}

    def learner(self, learner: LearnerResult) -> str:
        """A ``learner`` line."""
        return json.dumps(
            {"type": "learner", **self.head, **_learner_json(learner)}, ensure_ascii=False
        )

    def rejection(self, rejection: Rejection) -> str:
        """A ``rejection`` line."""
        return json.dumps(
            {"type": "rejection", **self.head, **_rejection_json(rejection)}, ensure_ascii=False
        )

    def summary(
        self, policy: Policy | District, counts: dict[str, int], routing: Routing | None = None
    ) -> str:
        """The closing ``summary`` line (with ``routing``, how many learners each policy
        evaluated)."""
        line: dict[str, Any] = {
            "type": "summary",
            **self.head,
            "policy": policy_json(policy),
            "counts": counts,
        }
        if routing is not None:
            line["routing"] = routing_json(routing)
        return json.dumps(line, ensure_ascii=False)


def jsonl_lines(report: Report) -> Iterator[str]:
    """The lines of JSON Lines output: learners, then rejections, then the summary."""
    lines = JsonLines(report.result.as_of)
    for learner in report.result.learners:
        yield lines.learner(learner)
    for rejection in report.rejections:
        yield lines.rejection(rejection)
    yield lines.summary(report.policy, report.counts(), Routing.of(report.result.learners))


def _held(held: bool) -> str:
    return "met" if held else "not_met"


def _same(cell: str) -> str:
    return cell


def csv_learner_rows(learner: LearnerResult, *, guard: bool = False) -> Iterator[tuple[str, ...]]:
    """The CSV rows of one learner; with ``guard``, every cell but the score goes through
    :func:`guard_cell`."""
    g = guard_cell if guard else _same
    who = g(learner.learner.id)
    if learner.route is not None:
        yield _policy_row(learner, who, g)
    for code, competency in learner.competencies.items():
        yield (
            who,
            "competency",
            g(code),
            competency.status.value,
            format_decimal(competency.score) if competency.score is not None else "",
            g(competency.level or ""),
            f"{len(competency.used)} counted, {len(competency.unused)} not counted",
        )
    for decision in learner.decisions():
        detail = ", ".join(f'pathway "{p}"' for p in decision.pathways)
        yield (who, decision.kind, g(decision.name), _held(decision.held), "", "", detail)
    if learner.pace is not None:
        pace = learner.pace
        projected = pace.projected.isoformat() if pace.projected else ""
        yield (who, "pace", "pace", pace.status.value, "", "", g(projected or pace.reason))


def _policy_row(learner: LearnerResult, who: str, g: Callable[[str], str]) -> tuple[str, ...]:
    """A district run's ``policy`` row: the policy that evaluated the learner (status
    ``evaluated``) and the route that chose it, or why no policy did (``not_evaluated``,
    ``not_routed``)."""
    route = learner.route
    chosen = f"route {route.index + 1}: {route.text}" if route and route.index is not None else ""
    skipped = learner.not_evaluated
    if skipped is not None:
        status = "not_routed" if skipped.code == "MK390" else "not_evaluated"
        return (who, "policy", "", status, "", "", g(skipped.reason))
    name = learner.policy.name if learner.policy is not None else ""
    return (who, "policy", g(name), "evaluated", "", "", g(chosen))


def csv_rejection_row(rejection: Rejection, *, guard: bool = False) -> tuple[str, ...]:
    """The CSV row of a record that could not be used; with ``guard``, every cell but the
    score goes through :func:`guard_cell`."""
    g = guard_cell if guard else _same
    piece = rejection.evidence
    return (
        g(piece.learner) if piece else "",
        "rejection",
        g(piece.competency) if piece else "",
        rejection.code,
        format_decimal(piece.score) if piece else "",
        "",
        g(f"{rejection.origin}: {rejection.reason}"),
    )


class CsvRows:
    """Writes CSV output through ``write`` (a function that takes text).

    With ``guard`` (the default), every cell but the ``score`` column's goes through
    :func:`guard_cell`: the ``score`` column holds only numbers that masterykit formats itself
    (a score such as ``-1.5`` on a scale below zero is a number to a spreadsheet, not a
    formula), or nothing.
    """

    def __init__(self, write: Callable[[str], object], *, guard: bool = True) -> None:
        self._writer = csv.writer(_Sink(write), lineterminator="\n")
        self.guard = guard

    def header(self) -> None:
        """Write the header row."""
        self._writer.writerow(CSV_COLUMNS)

    def learner(self, learner: LearnerResult) -> None:
        """Write the rows of one learner."""
        self._writer.writerows(csv_learner_rows(learner, guard=self.guard))

    def rejections(self, rejections: Iterable[Rejection]) -> None:
        """Write a row per rejection."""
        guard = self.guard
        self._writer.writerows(csv_rejection_row(r, guard=guard) for r in rejections)

    def rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Write other data rows in the same columns, guarded the same way."""
        if self.guard:
            self._writer.writerows(_guarded(row) for row in rows)
        else:
            self._writer.writerows(rows)


class ParquetText:
    """Writes CSV output (given as text, whole rows at a time, as :class:`CsvRows` writes it)
    as a Parquet file to the binary ``stream``: the same rows and columns (``CSV_COLUMNS``),
    every cell text (a score keeps its exact digits), a row group every ``rows`` rows or so.

    Call it like a file's ``write``; :meth:`close` writes the rest and the file's footer. The
    header row, when it comes first, names the columns rather than being a row. Cells are
    written as they are: Parquet is read by programs, not opened by spreadsheets, so the
    formula guard of CSV output is not needed (pass ``guard=False`` to the CSV writers).
    """

    def __init__(self, stream: Any, *, rows: int = 65_536) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._schema = pa.schema([(name, pa.string()) for name in CSV_COLUMNS])
        self._writer = pq.ParquetWriter(stream, self._schema)
        self._pending: list[str] = []
        self._size = 0
        self._rows = rows
        self._first = True
        self._header = ",".join(CSV_COLUMNS) + "\n"

    def __call__(self, text: str) -> int:
        if self._first:
            self._first = False
            if text.startswith(self._header):
                text = text[len(self._header) :]
        if text:
            self._pending.append(text)
            self._size += text.count("\n")
            if self._size >= self._rows:
                self._flush()
        return len(text)

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        data = "".join(self._pending).encode("utf-8")
        self._pending, self._size = [], 0
        if not data:
            return
        table = pcsv.read_csv(
            pa.BufferReader(data),
            read_options=pcsv.ReadOptions(column_names=list(CSV_COLUMNS)),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types=self._schema,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        """Write the rows not yet written and the file's footer."""
        self._flush()
        self._writer.close()

    def abandon(self) -> None:
        """Stop without writing the rows not yet written (the file is to be removed)."""
        self._pending = []
        with contextlib.suppress(Exception):
            self._writer.close()


class _Sink:
    """A file-like object for :func:`csv.writer` that hands each piece of text on."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def _learner_summary(learner: LearnerResult) -> tuple[str, str, str, str, str]:
    from masterykit.engine import Status

    results = list(learner.competencies.values())
    proficient = sum(1 for r in results if r.status is Status.PROFICIENT)
    insufficient = sum(1 for r in results if r.status is Status.INSUFFICIENT)
    requirements = list(learner.requirements.values())
    met = sum(1 for r in requirements if r.held)
    if learner.graduation is None:
        graduation = "-"
    elif learner.graduation.held:
        graduation = "yes"
        if learner.graduation.pathways:
            graduation += " (" + ", ".join(learner.graduation.pathways) + ")"
    else:
        graduation = "not yet"
    pace = learner.pace.status.value.replace("_", " ") if learner.pace is not None else "-"
    return (
        f"{proficient}/{len(results)}",
        str(insufficient),
        f"{met}/{len(requirements)}" if requirements else "-",
        graduation,
        pace,
    )


def _policy_cell(learner: LearnerResult) -> str:
    if learner.not_evaluated is not None:
        return "not routed" if learner.not_evaluated.code == "MK390" else "not evaluated"
    return learner.policy.name if learner.policy is not None else "-"


def table_header(result: EvaluationResult) -> tuple[str, ...]:
    """The table's columns: ``TABLE_HEADER``, with a ``policy`` column after the learner
    in a district run."""
    if result.district is None:
        return TABLE_HEADER
    return (TABLE_HEADER[0], "policy", *TABLE_HEADER[1:])


def table_rows(result: EvaluationResult) -> list[tuple[str, ...]]:
    """One row per learner: id, proficient/total, insufficient, requirements met, graduation,
    pace (in a district run, the policy that evaluated the learner after the id, and dashes
    for a learner no policy evaluated); every cell passed through :func:`visible`."""
    rows: list[tuple[str, ...]] = []
    district = result.district is not None
    for learner in result.learners:
        cells: tuple[str, ...] = (learner.learner.id,)
        if district:
            cells += (_policy_cell(learner),)
        if learner.not_evaluated is not None:
            cells += ("-",) * (len(TABLE_HEADER) - 1)
        else:
            cells += _learner_summary(learner)
        rows.append(tuple(visible(cell) for cell in cells))
    return rows


def _plural(count: int, word: str) -> str:
    return f"{count} {word if count == 1 else word + 's'}"


def table_lines(report: Report) -> list[str]:
    """An aligned table, one line per learner, then the counts."""
    header = table_header(report.result)
    rows = [header, *table_rows(report.result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    counts = report.counts()
    lines.append("")
    of_which = f" ({counts['skipped']} of them skipped)" if counts["skipped"] else ""
    lines.append(
        f"{_plural(len(report.result.learners), 'learner')} as of "
        f"{report.result.as_of.isoformat()}; evidence: {counts['read']} read, "
        f"{counts['used']} used, {counts['rejected']} rejected{of_which}"
    )
    if report.result.district is not None:
        routing = Routing.of(report.result.learners)
        lines.append(f"learners by policy: {visible(routing.describe())}")
    return lines


def render(report: Report, output_format: OutputFormat, *, guard: bool = True) -> str:
    """The whole output of ``report`` in ``output_format`` (``guard``: see :class:`CsvRows`)."""
    if output_format == "json":
        return json.dumps(result_document(report), indent=2, ensure_ascii=False) + "\n"
    if output_format == "jsonl":
        return "".join(line + "\n" for line in jsonl_lines(report))
    if output_format == "csv":
        buffer = io.StringIO()
        rows = CsvRows(buffer.write, guard=guard)
        rows.header()
        for learner in report.result.learners:
            rows.learner(learner)
        rows.rejections(report.rejections)
        return buffer.getvalue()
    return "\n".join(table_lines(report)) + "\n"


@attrs.define
class Tally:
    """What the results written so far add up to: their rejections, their counts (read, used,
    rejected, counted, not counted) and how many learners each policy evaluated
    (:class:`Routing`), added up by :func:`write_learners`."""

    rejections: list[Rejection] = attrs.field(factory=list)
    counts: list[int] = attrs.field(factory=lambda: [0, 0, 0, 0, 0])
    routing: Routing = attrs.field(factory=Routing)

    def add(self, other: Tally) -> None:
        """Add another tally's rejections, counts and routing to this one (a part's, in
        order)."""
        self.rejections.extend(other.rejections)
        for i, value in enumerate(other.counts):
            self.counts[i] += value
        self.routing.add(other.routing)

    @property
    def read(self) -> int:
        """How many evidence records were read."""
        return self.counts[0]

    def sorted_rejections(self) -> list[Rejection]:
        """The rejections in the order a whole run reports them."""
        return sorted(self.rejections, key=rejection_key)


def write_learners(
    results: Iterable[EvaluationResult],
    output_format: Literal["jsonl", "csv"],
    write: Callable[[str], object],
    tally: Tally,
    *,
    as_of: dt.date,
    tick: Callable[[int], None] | None = None,
    guard: bool = True,
) -> None:
    """Write each result's learners as JSON Lines or CSV rows, adding its rejections and
    counts to ``tally``; ``tick`` is told how many records each result read."""
    rows = CsvRows(write, guard=guard)
    lines = JsonLines(as_of)
    counts = tally.counts
    routing = tally.routing
    csv_out = output_format == "csv"
    for result in results:
        c = result.counts
        counts[0] += c.read
        counts[1] += c.used
        counts[2] += c.rejected
        counts[3] += c.counted
        counts[4] += c.not_counted
        tally.rejections.extend(result.rejections)
        for learner in result.learners:
            routing.add_learner(learner)
            if csv_out:
                rows.learner(learner)
            else:
                write(lines.learner(learner) + "\n")
        if tick is not None:
            tick(c.read)


def write_ending(
    policy: Policy | District,
    tally: Tally,
    output_format: Literal["jsonl", "csv"],
    write: Callable[[str], object],
    *,
    as_of: dt.date,
    guard: bool = True,
) -> list[Rejection]:
    """Write what follows the learners: the rejections, sorted, and (JSON Lines) the summary.
    Returns the sorted rejections."""
    rejections = tally.sorted_rejections()
    if output_format == "csv":
        CsvRows(write, guard=guard).rejections(rejections)
    else:
        lines = JsonLines(as_of)
        for rejection in rejections:
            write(lines.rejection(rejection) + "\n")
        write(lines.summary(policy, counts_json(tally.counts, rejections), tally.routing) + "\n")
    return rejections
