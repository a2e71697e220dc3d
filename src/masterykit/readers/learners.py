"""Learners files (CSV or JSON Lines): an ``id`` column plus typed attribute columns, and
optional ``from`` and ``to`` columns for attributes that change over time.

A learners file is read whole and either gives every learner or stops with every problem found
(an :class:`~masterykit.diagnostics.EvidenceError`): a roster with a hole in it would leave
learners out of the evaluation without a word.

>>> import datetime as dt, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "learners.csv"
>>> _ = path.write_text("id,iep\\nana,true\\n", encoding="utf-8")
>>> read_learners(path)
(Learner(id='ana', attributes={'iep': True}, periods={}),)

A learner who moved has one row per school, each with the days it holds (``to`` is the first
day the value no longer holds):

>>> _ = path.write_text("id,from,to,school\\nbo,,2026-01-15,north\\nbo,2026-01-15,,south\\n",
...                     encoding="utf-8")
>>> [bo] = read_learners(path)
>>> bo.on(dt.date(2026, 1, 14)).attributes, bo.on(dt.date(2026, 1, 15)).attributes
({'school': 'north'}, {'school': 'south'})
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import AttributeValue, Learner, Period, Rejection, period_order
from masterykit.readers._common import (
    DEFAULT_MAX_RECORD_BYTES,
    NUMBER_RANGE,
    LineSource,
    RecordProblem,
    check_header,
    csv_rows,
    display_name,
    load_json,
    missing_column,
    number_out_of_range,
    open_binary,
    parse_decimal,
    parse_timestamp,
    shorten,
)

__all__ = ["read_learners"]

#: The columns that say when a row's values hold, rather than being attributes.
_DATES = ("from", "to")
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(column: str, value: object) -> dt.date | tuple[str, str] | None:
    """The date of a ``from`` or ``to`` cell (``None`` when empty), or the code and reason it is
    not one (``MK364``)."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else shorten(value)
    if not text:
        return None
    if not isinstance(value, str) or not _DATE_SHAPE.fullmatch(text):
        return ("MK364", f"`{column}` `{shorten(text)}` is not a date (write YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return ("MK364", f"`{column}` date `{text}` does not exist")


_Report = Callable[[str, str, int | None], None]


class _Timeline:
    """What the rows of one learner say: the undated row and the dated values, each with the
    line it came from."""

    __slots__ = ("attributes", "first", "line", "periods")

    def __init__(self, line: int) -> None:
        self.first = line
        self.line: int | None = None  # the undated row's line
        self.attributes: dict[str, AttributeValue] = {}
        self.periods: dict[str, list[tuple[Period, int]]] = {}


def _typed(value: object) -> AttributeValue | tuple[str, str] | None:
    """A learner attribute from a cell or a JSON value (``None``: absent), or the code and
    reason it cannot be one (a number out of range, a time outside the calendar in UTC)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        number = parse_decimal(value)
        if number is None:
            return ("MK360", f"`{shorten(value)}` is out of range: {NUMBER_RANGE}")
        return number
    if not isinstance(value, str):
        return json.dumps(value, sort_keys=True, default=str)
    text = value.strip()
    if not text:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text[:1].isdigit() and len(text) >= 10 and text[4:5] == "-":
        moment = parse_timestamp(text)
        if not isinstance(moment, tuple):
            return moment
        if moment[0] == "MK363":
            return moment
    number = parse_decimal(text)
    if number is not None:
        return number
    if number_out_of_range(text):
        return ("MK360", f"`{shorten(text)}` is out of range: {NUMBER_RANGE}")
    return text


def read_learners(path: str | Path) -> tuple[Learner, ...]:
    """Read a learners file (CSV or JSON Lines): an ``id`` column plus attribute columns.

    Values are typed: ISO dates become dates (date-times datetimes), ``true``/``false`` booleans,
    numbers decimals, anything else text; an empty cell leaves the attribute out.

    The optional ``from`` and ``to`` columns date a row: its values hold from ``from``
    (included; empty: since always) until ``to`` (the first day they no longer hold; empty:
    until further notice), and become the learner's ``periods``.
    A learner has at most one undated row and any number of dated rows, in any order.

    Raises:
        EvidenceError: with every problem found (``MK338`` a row without an id, ``MK339`` an id
            given twice without dates, ``MK306`` a header without ``id``, ``MK358`` a column
            named twice, ``MK364`` a ``from`` or ``to`` that is not a date, ``MK365`` a ``to``
            not after its ``from``, ``MK366`` two values of one attribute on the same days,
            ``MK367`` an attribute given both with and without dates, the record problems of
            the evidence readers: ``MK312``, ``MK313``, ``MK359``, ``MK360``, ``MK361``,
            ``MK362``, ``MK363`` …, and the file problems).
    """
    path = Path(path)
    file = display_name(path)
    problems: list[Diagnostic] = []
    timelines: dict[str, _Timeline] = {}

    def report(code: str, reason: str, line: int | None) -> None:
        where = f"{file} line {line}" if line else file
        problems.append(Diagnostic(code, reason, location=where))

    def add(line: int, values: Mapping[str, object]) -> None:
        raw_id = values.get("id")
        learner_id = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
        if not learner_id or isinstance(raw_id, bool):
            report("MK338", "learner row has no `id`", line)
            return
        start = _day("from", values.get("from"))
        end = _day("to", values.get("to"))
        for found in (start, end):
            if isinstance(found, tuple):
                report(found[0], found[1], line)
        if isinstance(start, tuple) or isinstance(end, tuple):
            return
        dated = start is not None or end is not None
        timeline = timelines.get(learner_id)
        if not dated and timeline is not None and timeline.line is not None:
            report(
                "MK339",
                f"duplicate learner `{shorten(learner_id)}` (first on line {timeline.line})",
                line,
            )
            return
        attributes: dict[str, AttributeValue] = {}
        for key, value in values.items():
            if key == "id" or key in _DATES:
                continue
            typed = _typed(value)
            if isinstance(typed, tuple):
                report(typed[0], f"attribute `{shorten(key)}`: {typed[1]}", line)
                return
            if typed is not None:
                attributes[str(key).strip()] = typed
        period = None
        if dated:
            try:
                period = Period(True, start, end)  # the dates only: checked once per row
            except EvidenceError as error:
                report(error.diagnostics[0].code, error.diagnostics[0].message, line)
                return
        if timeline is None:
            timeline = timelines[learner_id] = _Timeline(line)
        if period is None:
            timeline.line = line
            timeline.attributes = attributes
            return
        for name, value in attributes.items():
            timeline.periods.setdefault(name, []).append(
                (Period(value, period.start, period.end), line)
            )

    with open_binary(path) as stream:
        if path.name.lower().endswith((".jsonl", ".ndjson")):
            source = LineSource(stream)
            for text in source:
                line = source.line
                problem = source.problem(line, line)
                if problem is not None:
                    report(problem[0], problem[1].replace("row", "line", 1), line)
                    continue
                if not text.strip():
                    continue
                try:
                    value = load_json(text)
                except json.JSONDecodeError as err:
                    report("MK312", f"line is not valid JSON: {err.msg.lower()}", line)
                    continue
                except RecordProblem as unusable:
                    report(unusable.code, unusable.reason, line)
                    continue
                if isinstance(value, dict):
                    add(line, value)
                else:
                    report("MK313", "line is not a JSON object", line)
            if source.binary:
                report("MK303", "file is binary, not UTF-8 text", None)
        else:
            header: list[str] | None = None
            for entry in csv_rows(stream, DEFAULT_MAX_RECORD_BYTES, file):
                if isinstance(entry, Rejection):
                    report(entry.code, entry.reason, entry.origin.line)
                    continue
                line, row = entry
                if header is None:
                    header = [cell.strip() for cell in row]
                    try:
                        if "id" not in header:
                            raise missing_column("id", header, file, line, mapped=False)
                        check_header(header, file, line, None)
                    except EvidenceError as error:
                        problems.extend(error.diagnostics)
                        break
                    continue
                add(line, dict(zip(header, row, strict=False)))
    learners: list[Learner] = []
    for learner_id, timeline in timelines.items():
        periods = _periods(learner_id, timeline, report)
        if periods is not None:
            learners.append(Learner(learner_id, timeline.attributes, periods))
    if problems:
        raise EvidenceError(problems)
    return tuple(learners)


def _periods(
    learner_id: str, timeline: _Timeline, report: _Report
) -> dict[str, tuple[Period, ...]] | None:
    """The dated values of one learner, each attribute's in order of its days, or ``None``
    after reporting why they say two things at once (``MK366``, ``MK367``)."""
    periods: dict[str, tuple[Period, ...]] = {}
    sound = True
    who = shorten(learner_id)
    for name, found in timeline.periods.items():
        if name in timeline.attributes:
            for _, line in found:
                report(
                    "MK367",
                    f"attribute `{shorten(name)}` of learner `{who}` has dates here but none "
                    f"on line {timeline.line}",
                    line,
                )
            sound = False
            continue
        found.sort(key=lambda item: period_order(item[0]))
        # The period reaching furthest so far: a later-starting one overlaps an earlier one
        # exactly when it overlaps this one.
        reach, first = found[0]
        for after, line in found[1:]:
            if reach.overlaps(after):
                report(
                    "MK366",
                    f"attribute `{shorten(name)}` of learner `{who}`: {after.describe()} "
                    f"overlaps {reach.describe()} on line {first}",
                    line,
                )
                sound = False
            if reach.end is not None and (after.end is None or after.end > reach.end):
                reach, first = after, line
        periods[name] = tuple(period for period, _ in found)
    return periods if sound else None
