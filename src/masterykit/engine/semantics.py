"""The semantic primitives of evaluation, each stated once (``LANGUAGE.md``).

The interpreter and its fast paths use these functions, or are tested to agree with them
(``tests/engine/test_semantics.py``); a second backend proves itself equal to the engine by
agreeing with them too. Each function cites the part of the language contract it states.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from masterykit.evidence import Evidence, as_moment
from masterykit.policy import Duration

__all__ = [
    "counts_in_window",
    "evidence_key",
    "first_proficient",
    "level_of",
    "needed_competencies",
    "pace_projection",
    "round_score",
    "sufficient",
    "window_start",
]

_CENT = Decimal("0.01")


def evidence_key(
    evidence: Evidence,
) -> tuple[dt.datetime, Decimal, str, str, str, str, tuple[str, int, str]]:
    """The order of evidence (Calculation methods: "Evidence is ordered by its timestamp …, and
    pieces with the same timestamp by score, lowest first").

    A date is its midnight; ties go on to kind, rater, source id, the timestamp as written (a
    date before the same moment written as a date and time) and origin, so even otherwise equal
    pieces of evidence have one order.
    """
    origin = evidence.origin
    return (
        as_moment(evidence.timestamp),
        evidence.score,
        evidence.kind or "",
        evidence.rater or "",
        evidence.source_id or "",
        evidence.timestamp.isoformat(),
        ("", 0, "")
        if origin is None
        else (origin.file or "", origin.line or 0, origin.record or ""),
    )


def window_start(window: Duration | None, as_of: dt.date) -> dt.date | None:
    """The first day ``evidence within <window>`` counts as of ``as_of`` (``None``: no window).

    Rules: "only evidence dated from (as-of − duration) to the as-of date, both included";
    months and years move along the calendar, clamped to the month's end.
    """
    return window.before(as_of) if window is not None else None


def counts_in_window(
    timestamp: dt.date | dt.datetime, start: dt.date | None, as_of: dt.date
) -> bool:
    """Whether evidence stamped ``timestamp`` counts as of ``as_of`` with the window starting
    ``start`` (``None``: no window): its day is from ``start`` to ``as_of``, both included."""
    day = as_moment(timestamp).date() if isinstance(timestamp, dt.datetime) else timestamp
    return day <= as_of and (start is None or start <= day)


def round_score(raw: Decimal) -> Decimal:
    """A calculated score rounded to two decimals, half away from zero: the value levels and
    cuts compare (see :mod:`masterykit.numbers`)."""
    return raw.quantize(_CENT, ROUND_HALF_UP)


def level_of(score: Decimal, levels: Sequence[tuple[str, Decimal]]) -> str | None:
    """The name of the highest level (``(name, value)``, lowest first) at or below ``score``;
    ``None`` below the lowest."""
    found = None
    for name, value in levels:
        if value <= score:
            found = name
    return found


def sufficient(actual: Sequence[int], needed: Sequence[int], pieces: int) -> bool:
    """Whether ``pieces`` counted pieces of evidence, of which each evidence rule counts
    ``actual`` against the ``needed`` it asks for, are sufficient (Rules: "with no ``evidence
    at least`` rule, one piece of evidence suffices"; none counted is never sufficient)."""
    return pieces > 0 and all(a >= n for a, n in zip(actual, needed, strict=True))


def needed_competencies(quantifier: str, amount: Decimal | None, total: int) -> int:
    """How many of ``total`` selected competencies a test needs to pass (Clauses: "at least P%
    … rounded up to whole competencies"; ``none of`` needs none to pass)."""
    match quantifier:
        case "all":
            return total
        case "any":
            return 1
        case "none":
            return 0
        case "count":
            return int(amount if amount is not None else 0)
        case "percent":
            # INVARIANT: percentages round up to whole competencies, in exact arithmetic.
            return math.ceil(Fraction(amount if amount is not None else 0) * total / 100)
        case _:
            raise ValueError(f"not a quantifier: {quantifier!r}")


def first_proficient(
    dates: Iterable[dt.date], proficient_as_of: Callable[[dt.date], bool]
) -> dt.date | None:
    """The first of the evidence ``dates`` on which the competency, evaluated with the evidence
    dated up to then, was proficient (Pace: "A first-proficient date is found by evaluating the
    competency as of each of its evidence dates"); ``None`` when on none."""
    for day in sorted(set(dates)):
        if proficient_as_of(day):
            return day
    return None


def pace_projection(
    as_of: dt.date, remaining: int, recent: int, window_days: int
) -> dt.date | None:
    """as-of + ⌈remaining × window days ÷ proficient inside the window⌉ days, in exact integer
    arithmetic; ``None`` when none became proficient inside the window or none remains (Pace).
    A projection past the last representable date is that date."""
    if not recent or not remaining:
        return None
    ahead = -(-(remaining * window_days) // recent)
    return as_of + dt.timedelta(days=min(ahead, (dt.date.max - as_of).days))
