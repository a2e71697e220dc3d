"""Learners files (CSV or JSON Lines): an ``id`` column plus typed attribute columns.

A learners file is read whole and either gives every learner or stops with every problem found
(an :class:`~masterykit.diagnostics.EvidenceError`): a roster with a hole in it would leave
learners out of the evaluation without a word.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "learners.csv"
>>> _ = path.write_text("id,iep\\nana,true\\n", encoding="utf-8")
>>> read_learners(path)
(Learner(id='ana', attributes={'iep': True}),)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import AttributeValue, Learner, Rejection
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

    Raises:
        EvidenceError: with every problem found (``MK338`` a row without an id, ``MK339`` an id
            given twice, ``MK306`` a header without ``id``, ``MK358`` a column named twice, the
            record problems of the evidence readers: ``MK312``, ``MK313``, ``MK359``,
            ``MK360``, ``MK361``, ``MK362``, ``MK363`` …, and the file problems).
    """
    path = Path(path)
    file = display_name(path)
    problems: list[Diagnostic] = []
    learners: list[Learner] = []
    first_line: dict[str, int] = {}

    def report(code: str, reason: str, line: int | None) -> None:
        where = f"{file} line {line}" if line else file
        problems.append(Diagnostic(code, reason, location=where))

    def add(line: int, values: Mapping[str, object]) -> None:
        raw_id = values.get("id")
        learner_id = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
        if not learner_id or isinstance(raw_id, bool):
            report("MK338", "learner row has no `id`", line)
            return
        if learner_id in first_line:
            report(
                "MK339",
                f"duplicate learner `{shorten(learner_id)}` (first on line "
                f"{first_line[learner_id]})",
                line,
            )
            return
        attributes: dict[str, AttributeValue] = {}
        for key, value in values.items():
            if key == "id":
                continue
            typed = _typed(value)
            if isinstance(typed, tuple):
                report(typed[0], f"attribute `{shorten(key)}`: {typed[1]}", line)
                return
            if typed is not None:
                attributes[str(key).strip()] = typed
        first_line[learner_id] = line
        learners.append(Learner(learner_id, attributes))

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
    if problems:
        raise EvidenceError(problems)
    return tuple(learners)
