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
import operator
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.numbers import short_text

__all__ = [
    "AttributeValue",
    "Evidence",
    "Learner",
    "Origin",
    "Period",
    "Rejection",
    "as_moment",
    "once_per_source_id",
    "repeated_source_id",
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


def _day_text(day: dt.date | None, open_end: str) -> str:
    return day.isoformat() if day is not None else open_end


@attrs.frozen(slots=True)
class Period:
    """A value an attribute holds for a while: from ``start`` (included) until ``end`` (not
    included), so a period that ends on the day the next one starts leaves no gap and no
    overlap.

    ``start`` ``None`` means since always, ``end`` ``None`` until further notice. ``end`` must
    come after ``start``.

    >>> north = Period("north", None, dt.date(2026, 1, 15))
    >>> north.holds_on(dt.date(2026, 1, 14)), north.holds_on(dt.date(2026, 1, 15))
    (True, False)

    .. versionadded:: 0.1
    """

    value: AttributeValue
    start: dt.date | None = None
    end: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        for day in (self.start, self.end):
            if isinstance(day, dt.datetime) or not (day is None or isinstance(day, dt.date)):
                raise TypeError(f"a period starts and ends on a date, not on {day!r}")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise EvidenceError([_empty_period(self.start, self.end)])

    def holds_on(self, day: dt.date) -> bool:
        """Whether the value is in force on ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def describe(self) -> str:
        """The dates as text, for messages: ``2025-08-01 to 2026-01-15``, ``… to 2026-01-15``."""
        return f"{_day_text(self.start, '…')} to {_day_text(self.end, '…')}"

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share a day."""
        return (self.start is None or other.end is None or self.start < other.end) and (
            other.start is None or self.end is None or other.start < self.end
        )


def _empty_period(start: dt.date, end: dt.date) -> Diagnostic:
    """``MK365``: a period whose end is not after its start."""
    return Diagnostic(
        "MK365",
        f"`to` {end.isoformat()} is not after `from` {start.isoformat()}; `to` is the first day "
        "the value no longer holds",
        help="a value that holds for one day runs from that day to the next",
    )


def _check_periods(learner: Learner) -> None:
    """Refuse a learner whose dated values say two things at once (``MK366``, ``MK367``)."""
    problems: list[Diagnostic] = []
    for name, periods in learner.periods.items():
        if name in learner.attributes:
            problems.append(
                Diagnostic(
                    "MK367",
                    f"attribute `{name}` of learner `{learner.id}` is given both without dates "
                    "and with dates",
                    help="give every value of a changing attribute its dates, or none",
                )
            )
        ordered = sorted(periods, key=period_order)
        if not ordered:
            continue
        # The period reaching furthest so far: a later-starting one overlaps an earlier one
        # exactly when it overlaps this one.
        reach = ordered[0]
        for after in ordered[1:]:
            if reach.overlaps(after):
                problems.append(
                    Diagnostic(
                        "MK366",
                        f"attribute `{name}` of learner `{learner.id}` has two values on the "
                        f"same days: `{reach.value}` {reach.describe()} and "
                        f"`{after.value}` {after.describe()}",
                        help="`to` is the first day a value no longer holds: end a value on "
                        "the day the next one starts",
                    )
                )
            if reach.end is not None and (after.end is None or after.end > reach.end):
                reach = after
    if problems:
        raise EvidenceError(problems)


def period_order(period: Period) -> tuple[bool, dt.date]:
    """A key that sorts periods by their start (since always first)."""
    return (period.start is not None, period.start or dt.date.min)


@attrs.frozen(slots=True)
class Learner:
    """A learner: an id and attributes that conditions and pace may read.

    Attribute values are strings, numbers, booleans, dates or datetimes
    (``{"graduation_date": date(2027, 6, 15), "iep": True}``).

    An attribute that changes over time (the school of a learner who moves) goes in
    ``periods`` instead: for each attribute name, the :class:`Period` values it holds, which
    never overlap. An attribute is either in ``attributes`` or in ``periods``, not both.
    :meth:`on` gives the learner as they were on one day; the engine evaluates that learner as
    of the evaluation date.

    >>> ana = Learner("ana", {"iep": True}, {"school": (
    ...     Period("north", None, dt.date(2026, 1, 15)), Period("south", dt.date(2026, 1, 15)))})
    >>> ana.on(dt.date(2026, 1, 15)).attributes
    {'iep': True, 'school': 'south'}

    Raises:
        EvidenceError: ``MK366`` when two periods of one attribute share a day, ``MK367`` when
            an attribute is both in ``attributes`` and in ``periods``.
    """

    id: str
    attributes: Mapping[str, AttributeValue] = attrs.field(factory=dict, hash=False)
    periods: Mapping[str, tuple[Period, ...]] = attrs.field(factory=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        if self.periods:
            _check_periods(self)

    def on(self, day: dt.date) -> Learner:
        """The learner with the attributes in force on ``day`` (a datetime counts as its date).

        An attribute none of whose periods holds on ``day`` is left out, as an empty cell
        would be. The learner returned has no periods. A learner without periods is returned
        as it is.

        .. versionadded:: 0.1
        """
        periods = self.periods
        if not periods:
            return self
        if isinstance(day, dt.datetime):
            day = day.date()
        attributes = dict(self.attributes)
        for name, values in periods.items():
            for period in values:
                if period.holds_on(day):
                    attributes[name] = period.value
                    break
        return Learner(self.id, attributes)


@attrs.frozen(slots=True)
class Evidence:
    """One score a learner earned on one competency at one moment.

    ``score`` is a decimal on the competency's scale. ``timestamp`` is a date or a datetime.
    ``kind`` (performance task, common assessment, quiz …) is what sufficiency rules count;
    ``rater`` and ``source_id`` are kept for reports; ``origin`` says where it was read;
    ``school`` is the school where it was scored, when the source says, kept for reports (a
    learner who moved keeps all their evidence, whichever school scored it).
    """

    learner: str
    competency: str
    score: Decimal
    timestamp: dt.date | dt.datetime
    kind: str | None = None
    rater: str | None = None
    source_id: str | None = None
    origin: Origin | None = attrs.field(default=None, eq=False)
    school: str | None = None

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


def repeated_source_id(piece: Evidence, first: Origin | None) -> Rejection:
    """``MK314``: ``piece`` has the ``source_id`` of a piece given before it (a retried
    request, a record exported twice), which came from ``first``; it is counted once, as that
    piece."""
    where = first
    if where is not None and where.file is not None:
        line = f" line {where.line}" if where.line is not None else ""
        before = f"first in {where.file}{line}"
    else:
        before = "first given earlier"
    return Rejection(
        "MK314",
        f"duplicate source_id `{short_text(piece.source_id)}` ({before})",
        piece.origin or Origin(),
        piece,
    )


_source_id = operator.attrgetter("source_id")


def once_per_source_id(evidence: list[Evidence]) -> tuple[list[Evidence], list[Rejection]]:
    """``evidence`` with each ``source_id`` once (its first piece), and the ``MK314``
    rejection of every later piece with the same id. Pieces without a ``source_id`` (or with
    one that is not text) are all kept.

    The common case, no id given twice, is found at C speed and returns ``evidence`` itself.
    """
    ids = list(map(_source_id, evidence))
    try:
        distinct = set(ids)
    except TypeError:  # an id that is not text, and cannot be hashed either
        distinct = None
    if distinct is not None:
        distinct.discard(None)
        if len(distinct) + ids.count(None) == len(ids):
            return evidence, []
    first: dict[str, Evidence] = {}
    kept: list[Evidence] = []
    repeats: list[Rejection] = []
    for piece, source_id in zip(evidence, ids, strict=True):
        if type(source_id) is str:
            earlier = first.get(source_id)
            if earlier is not None:
                repeats.append(repeated_source_id(piece, earlier.origin))
                continue
            first[source_id] = piece
        kept.append(piece)
    return kept, repeats
