"""Learners and the evidence of their learning: what an application feeds the engine.

These are plain values (frozen attrs classes). Evidence readers (CSV, JSON Lines, xAPI,
OneRoster; see :mod:`masterykit.readers`) produce them from files; an embedding application can
build them directly.

>>> import datetime as dt
>>> from decimal import Decimal
>>> e = Evidence("ana", "MATH.1", Decimal("3"), dt.date(2026, 1, 10), kind="quiz")
>>> e.moment
datetime.datetime(2026, 1, 10, 0, 0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError

__all__ = [
    "AttributeValue",
    "Evidence",
    "Learner",
    "Origin",
    "Rejection",
    "as_moment",
]

AttributeValue: TypeAlias = str | Decimal | int | bool | dt.date | dt.datetime


def as_moment(timestamp: dt.date | dt.datetime) -> dt.datetime:
    """A date or datetime as a naive datetime (a date is its midnight); used to order evidence.

    Aware datetimes are converted to UTC and made naive so every timestamp compares.
    """
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is not None:
            return timestamp.astimezone(dt.UTC).replace(tzinfo=None)
        return timestamp
    return dt.datetime(timestamp.year, timestamp.month, timestamp.day)


@attrs.frozen(slots=True)
class Origin:
    """Where a piece of evidence came from, for reports: a file and a line, row or statement id."""

    file: str | None = None
    line: int | None = None
    record: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(self.record)
        return " ".join(parts) if len(parts) > 1 else parts[0]


@attrs.frozen(slots=True)
class Learner:
    """A learner: an id and attributes that conditions and pace may read.

    Attribute values are strings, numbers, booleans, dates or datetimes
    (``{"graduation_date": date(2027, 6, 15), "iep": True}``).
    """

    id: str
    attributes: Mapping[str, AttributeValue] = attrs.field(factory=dict, hash=False)


@attrs.frozen(slots=True)
class Evidence:
    """One score a learner earned on one competency at one moment.

    ``score`` is a decimal on the competency's scale. ``timestamp`` is a date or a datetime.
    ``kind`` (performance task, common assessment, quiz …) is what sufficiency rules count;
    ``rater`` and ``source_id`` are kept for reports; ``origin`` says where it was read.
    """

    learner: str
    competency: str
    score: Decimal
    timestamp: dt.date | dt.datetime
    kind: str | None = None
    rater: str | None = None
    source_id: str | None = None
    origin: Origin | None = attrs.field(default=None, eq=False)

    @property
    def moment(self) -> dt.datetime:
        """The timestamp as a naive datetime, for ordering."""
        return as_moment(self.timestamp)

    @property
    def day(self) -> dt.date:
        """The calendar date of the evidence."""
        if isinstance(self.timestamp, dt.datetime):
            return self.moment.date()
        return self.timestamp


@attrs.frozen(slots=True)
class Rejection:
    """A record that could not be used, with the reason and where it came from.

    ``code`` is a stable diagnostic code (``MK3xx``); ``reason`` is a one-line message.
    Nothing is dropped silently: every input record ends up used or rejected.
    """

    code: str
    reason: str
    origin: Origin
    evidence: Evidence | None = None


def out_of_id_order(what: str, later: str, earlier: str, where: str | None = None) -> EvidenceError:
    """``MK357``: in a stream said to be sorted by learner id, ``what`` ``later`` (at ``where``)
    comes after ``earlier``."""
    at = f" at {where}" if where is not None else ""
    return EvidenceError(
        [
            Diagnostic(
                "MK357",
                f"{what} `{later}`{at} comes after `{earlier}`, out of learner id order",
                help="sort by learner id, or leave out `sorted_by_id` to accept any order of "
                "learners",
                location=where,
            )
        ]
    )
