"""Evidence from a OneRoster 1.2 CSV gradebook export (format ``oneroster``, path = a folder).

The folder holds ``results.csv`` and ``lineItems.csv``, and ``resultLearningObjectiveIds.csv``
(a score per result and learning objective) or ``lineItemLearningObjectiveIds.csv`` (the learning
objectives a line item assesses), with the column names of the OneRoster 1.2 CSV binding;
``categories.csv`` is optional. ``results.csv`` is streamed; the other files are small tables read
into memory.

One record is one pair of a result and a learning objective: the result's objectives in
``resultLearningObjectiveIds.csv`` if it has any there, else its line item's objectives in
``lineItemLearningObjectiveIds.csv``. A result with none is one record, rejected (``MK334``).
For each record:

* learner: ``studentSourcedId``; competency: ``objectives[learningObjectiveId]`` (option
  ``objectives``), or the learning objective id itself when no mapping is given;
* score: the objective's own ``score`` in ``resultLearningObjectiveIds.csv``, else the result's
  ``score``; when the line item has ``resultValueMin`` and ``resultValueMax``, the score is mapped
  linearly from that range onto the competency's scale (options ``scales``/``scale``);
* only ``scoreStatus`` ``fully graded`` counts (others: ``MK332``); rows with ``status``
  ``tobedeleted`` are rejected (``MK333``);
* timestamp: ``scoreDate``; kind: option ``kind``, else the title of the line item's category
  in ``categories.csv``; source_id: the objective row's ``sourcedId``, else
  ``<result sourcedId>:<learningObjectiveId>``; school: the line item's ``schoolSourcedId``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers._common import (
    DEFAULT_MAX_RECORD_BYTES,
    NUMBER_RANGE,
    ScaleMap,
    bad_option,
    check_header,
    csv_rows,
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

__all__ = ["RESULT_COLUMNS", "OneRosterOptions", "read_oneroster"]

#: The ``results.csv`` columns the reader needs.
RESULT_COLUMNS = (
    "sourcedId",
    "lineItemSourcedId",
    "studentSourcedId",
    "scoreStatus",
    "score",
    "scoreDate",
)

_KNOWN_OPTIONS = frozenset({"objectives", "kind", "scale", "scales", "max_record_bytes"})


@attrs.frozen(slots=True)
class OneRosterOptions:
    """The OneRoster reader options: ``objectives`` (learning objective id → competency code;
    an objective not in it is rejected, ``MK336``), ``kind``, ``scales``/``scale`` and
    ``max_record_bytes``."""

    objectives: Mapping[str, str] | None = None
    kind: str | None = None
    scales: ScaleMap = attrs.field(factory=ScaleMap)
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OneRosterOptions:
        """Validate ``options`` (``MK302``)."""
        unknown = sorted(set(options) - _KNOWN_OPTIONS)
        if unknown:
            raise bad_option(
                unknown[0],
                "is not an option of the OneRoster reader",
                help="known options: " + ", ".join(sorted(_KNOWN_OPTIONS)),
            )
        objectives = options.get("objectives")
        if objectives is not None:
            if not isinstance(objectives, Mapping):
                raise bad_option(
                    "objectives", "must map learning objective ids to competency codes"
                )
            objectives = {
                text_option("objectives", k): text_option(
                    f"objectives[{shorten(k)}]", v, empty=False
                )
                for k, v in objectives.items()
            }
        kind = options.get("kind")
        if kind is not None:
            kind = text_option("kind", kind)
        return cls(objectives, kind, ScaleMap.from_options(options), record_limit(options))


@attrs.frozen(slots=True)
class _LineItem:
    category: str | None
    low: str
    high: str
    school: str | None = None


def _missing(folder: Path, names: str) -> EvidenceError:
    return EvidenceError(
        [
            Diagnostic(
                "MK331",
                f"missing {names} in `{folder}`",
                help="a OneRoster export is a folder of CSV files named as in OneRoster 1.2",
                location=str(folder),
            )
        ]
    )


#: The columns of the small tables the reader reads (each may be named only once).
_TABLE_COLUMNS = (
    "sourcedId",
    "status",
    "title",
    "categorySourcedId",
    "resultValueMin",
    "resultValueMax",
    "schoolSourcedId",
    "resultSourcedId",
    "lineItemSourcedId",
    "learningObjectiveId",
    "score",
)


def _table(
    path: Path, limit: int, problems: list[Rejection], required: tuple[str, ...]
) -> Iterator[dict[str, str]]:
    """The rows of a small OneRoster table as dictionaries (rows marked tobedeleted left out).

    A row that cannot be read (too long, not UTF-8, broken quotes) goes to ``problems`` as a
    rejection; a header without one of the ``required`` columns (``MK306``) or that names a
    column twice (``MK358``) is an error, as are a binary file and an unreadable header.
    """
    file = str(path)
    header: list[str] | None = None
    with open_binary(path) as stream:
        for entry in csv_rows(stream, limit, file):
            if isinstance(entry, Rejection):
                if header is None:
                    raise refuse_file(entry)  # binary, or the header is unreadable
                problems.append(entry)
                continue
            line, row = entry
            if header is None:
                header = [cell.strip() for cell in row]
                missing = [column for column in required if column not in header]
                if missing:
                    raise missing_column(
                        missing[0], header, file, line, known=_TABLE_COLUMNS, mapped=False
                    )
                check_header(header, file, line, _TABLE_COLUMNS)
                continue
            values = {k: v.strip() for k, v in zip(header, row, strict=False)}
            if values.get("status") != "tobedeleted":
                yield values


def read_oneroster(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read a OneRoster 1.2 CSV folder (see the module documentation for the mapping).

    The small tables are read at once, so a missing file (``MK331``) or a wrong option
    (``MK302``) is reported before the first result.
    """
    options = OneRosterOptions.from_options(request.options)
    folder = request.path
    if not folder.is_dir():
        raise EvidenceError(
            [
                Diagnostic(
                    "MK300",
                    f"cannot read `{folder}`: a OneRoster export must be a folder",
                    location=str(folder),
                )
            ]
        )
    results = folder / "results.csv"
    if not results.is_file():
        raise _missing(folder, "`results.csv`")
    if not (folder / "lineItems.csv").is_file():
        raise _missing(folder, "`lineItems.csv`")
    result_lo = folder / "resultLearningObjectiveIds.csv"
    item_lo = folder / "lineItemLearningObjectiveIds.csv"
    if not result_lo.is_file() and not item_lo.is_file():
        raise _missing(
            folder, "`resultLearningObjectiveIds.csv` or `lineItemLearningObjectiveIds.csv`"
        )
    limit = options.max_record_bytes
    problems: list[Rejection] = []
    categories: dict[str, str] = {}
    if (folder / "categories.csv").is_file():
        categories = {
            r.get("sourcedId", ""): r.get("title", "")
            for r in _table(folder / "categories.csv", limit, problems, ("sourcedId", "title"))
        }
    items = {
        r.get("sourcedId", ""): _LineItem(
            categories.get(r.get("categorySourcedId", "")) or None,
            r.get("resultValueMin", ""),
            r.get("resultValueMax", ""),
            r.get("schoolSourcedId") or None,
        )
        for r in _table(folder / "lineItems.csv", limit, problems, ("sourcedId",))
    }
    by_result: dict[str, list[tuple[str, str, str]]] = {}
    if result_lo.is_file():
        for r in _table(result_lo, limit, problems, ("resultSourcedId", "learningObjectiveId")):
            by_result.setdefault(r.get("resultSourcedId", ""), []).append(
                (r.get("learningObjectiveId", ""), r.get("score", ""), r.get("sourcedId", ""))
            )
    by_item: dict[str, list[str]] = {}
    if item_lo.is_file():
        for r in _table(item_lo, limit, problems, ("lineItemSourcedId", "learningObjectiveId")):
            by_item.setdefault(r.get("lineItemSourcedId", ""), []).append(
                r.get("learningObjectiveId", "")
            )
    stream = open_binary(results)
    return _read(stream, str(results), options, items, by_result, by_item, problems)


def _read(
    stream: Any,
    file: str,
    options: OneRosterOptions,
    items: Mapping[str, _LineItem],
    by_result: Mapping[str, list[tuple[str, str, str]]],
    by_item: Mapping[str, list[str]],
    problems: list[Rejection],
) -> Iterator[Evidence | Rejection]:
    with stream:
        yield from problems  # rows of the small tables that could not be read
        header: list[str] | None = None
        seen: dict[str, int] = {}
        for entry in csv_rows(stream, options.max_record_bytes, file):
            if isinstance(entry, Rejection):
                if header is None:
                    raise refuse_file(entry)  # binary, or the header is unreadable
                yield entry
                continue
            line, row = entry
            if header is None:
                header = [cell.strip() for cell in row]
                missing = [c for c in RESULT_COLUMNS if c not in header]
                if missing:
                    raise missing_column(
                        missing[0], header, file, line, known=RESULT_COLUMNS, mapped=False
                    )
                check_header(header, file, line, (*RESULT_COLUMNS, "status"))
                continue
            if len(row) > len(header):
                yield reject(
                    "MK308",
                    f"row has {len(row)} cells but the header has {len(header)}",
                    file,
                    line,
                )
                continue
            result = {k: v.strip() for k, v in zip(header, row, strict=False)}
            yield from _result(result, line, file, options, items, by_result, by_item, seen)


def _result(
    result: Mapping[str, str],
    line: int,
    file: str,
    options: OneRosterOptions,
    items: Mapping[str, _LineItem],
    by_result: Mapping[str, list[tuple[str, str, str]]],
    by_item: Mapping[str, list[str]],
    seen: dict[str, int],
) -> Iterator[Evidence | Rejection]:
    rid = result.get("sourcedId", "")
    record = f"result {rid}" if rid else None

    def no(code: str, reason: str) -> Rejection:
        return reject(code, reason, file, line, record)

    if rid and rid in seen:
        yield no("MK314", f"duplicate source_id `{shorten(rid)}` (first on line {seen[rid]})")
        return
    seen[rid] = line
    if result.get("status", "") == "tobedeleted":
        yield no("MK333", "result is marked `tobedeleted`")
        return
    item_id = result.get("lineItemSourcedId", "")
    item = items.get(item_id)
    if item is None:
        yield no("MK335", f"line item `{shorten(item_id)}` is not in `lineItems.csv`")
        return
    pairs = by_result.get(rid) or [(lo, "", f"{rid}:{lo}") for lo in by_item.get(item_id, [])]
    if not pairs:
        yield no("MK334", "result has no learning objective")
        return
    for objective, own_score, source_id in pairs:
        yield _pair(result, objective, own_score, source_id, item_id, item, no, options, file, line)


def _pair(
    result: Mapping[str, str],
    objective: str,
    own_score: str,
    source_id: str,
    item_id: str,
    item: _LineItem,
    no: Callable[[str, str], Rejection],
    options: OneRosterOptions,
    file: str,
    line: int,
) -> Evidence | Rejection:
    status = result.get("scoreStatus", "")
    if status != "fully graded":
        return no("MK332", f"result is `{shorten(status) or 'empty'}`, not fully graded")
    if not objective:
        return no("MK307", "missing `learningObjectiveId`")
    if options.objectives is not None:
        competency = options.objectives.get(objective)
        if competency is None:
            return no(
                "MK336",
                f"learning objective `{shorten(objective)}` is not in the `objectives` mapping",
            )
    else:
        competency = objective
    learner = result.get("studentSourcedId", "")
    if not learner:
        return no("MK307", "missing `studentSourcedId`")
    score_text = own_score or result.get("score", "")
    if not score_text:
        return no("MK307", "missing `score`")
    score = parse_decimal(score_text)
    if score is None:
        if number_out_of_range(score_text):
            return no("MK360", f"score `{shorten(score_text)}` is out of range: {NUMBER_RANGE}")
        return no("MK309", f"score `{shorten(score_text)}` is not a number")
    if item.low or item.high:
        for column, bound in (("resultValueMin", item.low), ("resultValueMax", item.high)):
            if number_out_of_range(bound):
                return no(
                    "MK360",
                    f"line item `{shorten(item_id)}` has {column} `{shorten(bound)}`, out of "
                    f"range: {NUMBER_RANGE}",
                )
        low, high = parse_decimal(item.low), parse_decimal(item.high)
        if low is None or high is None or not low < high:
            return no(
                "MK337",
                f"line item `{shorten(item_id)}` has resultValueMin `{shorten(item.low)}` and "
                f"resultValueMax `{shorten(item.high)}`, not a score range",
            )
        if not low <= score <= high:
            return no(
                "MK315", f"score `{shorten(score_text)}` is outside the raw range {low}..{high}"
            )
        target = options.scales.target(competency)
        if target is None:
            return no(
                "MK317",
                f"no scale for competency `{shorten(competency)}` to rescale the score onto",
            )
        score = ScaleMap.rescale(score, low, high, target)
    stamp = result.get("scoreDate", "")
    if not stamp:
        return no("MK307", "missing `scoreDate`")
    timestamp = parse_timestamp(stamp)
    if isinstance(timestamp, tuple):
        return no(timestamp[0], timestamp[1])
    return Evidence(
        learner,
        competency,
        score,
        timestamp,
        kind=options.kind or item.category,
        source_id=source_id,
        origin=Origin(file, line, f"result {result.get('sourcedId', '')}"),
        school=item.school,
    )
