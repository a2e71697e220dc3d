"""What one evaluation run remembers (:class:`RunState`), and the small helpers every part of
the engine shares: evidence sorting, midnights, attribute getters and status shorthands.

INVARIANT: the compiled plan is never changed after it is built; everything a run remembers
lives in its :class:`RunState`, owned by one ``evaluate`` call or one ``Session``.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from masterykit.engine.results import (
    CompetencyResult,
    Status,
    SufficiencyCheck,
    UnusedReason,
)
from masterykit.engine.semantics import (
    evidence_key,
)
from masterykit.evidence import Evidence, as_moment
from masterykit.policy import (
    Duration,
)

if TYPE_CHECKING:
    from masterykit.engine._plan import CompiledPolicy

__all__ = [
    "Checked",
    "RunState",
    "moment_of",
    "sort_evidence",
    "trim_moments",
]


_NOT_STARTED = Status.NOT_STARTED
_INSUFFICIENT = Status.INSUFFICIENT
_DEVELOPING = Status.DEVELOPING
_PROFICIENT = Status.PROFICIENT
_AFTER = UnusedReason.AFTER_AS_OF
_OUTSIDE = UnusedReason.OUTSIDE_WINDOW

_DAY = dt.timedelta(days=1)
_CENT = Decimal("0.01")
_timestamp = operator.attrgetter("timestamp")
_score = operator.attrgetter("score")
_kind = operator.attrgetter("kind")
_held = operator.attrgetter("held")
_date_score = operator.attrgetter("timestamp", "score")
_finite = Decimal.is_finite
_BELOW = Decimal("-Infinity")  # below every threshold


def moment_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``."""
    return dt.datetime(day.year, day.month, day.day)


def trim_moments() -> None:
    """Does nothing; kept for callers written when midnights were cached for the whole process.

    Midnights are now remembered by each run's :class:`RunState` and forgotten with it.
    """


def _moment_key(evidence: Evidence) -> tuple[dt.datetime, Decimal]:
    return (as_moment(evidence.timestamp), evidence.score)


_PLAIN = {dt.date}
_DECIMAL = {Decimal}


def sort_evidence(items: list[Evidence]) -> bool:
    """Order one competency's evidence by timestamp, then score (lowest first), then the other
    fields; returns whether every timestamp is a plain date (no time of day)."""
    stamps = list(map(_timestamp, items))
    plain = set(map(type, stamps)) == _PLAIN
    if plain:
        distinct = set(stamps)
        if len(distinct) == len(stamps):
            # INVARIANT: no two timestamps are equal, so the timestamp alone orders fully.
            items.sort(key=_timestamp)
            return True
    elif len({as_moment(stamp) for stamp in stamps}) == len(stamps):
        items.sort(key=_moment_key)
        return False
    # Two pieces at the same moment: order fully, so equal scores of different kinds (and
    # otherwise equal pieces) have one order too.
    items.sort(key=evidence_key)
    return plain


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


#: The checked evidence rules of one competency for some counts, and whether all are met.
Checked = tuple[tuple[SufficiencyCheck, ...], bool]


class RunState:
    """What one evaluation run remembers while it runs: one :func:`~masterykit.engine.evaluate`
    call or one :class:`~masterykit.engine.Session`, used by one thread at a time.

    The compiled plan is shared and never changes; these caches make a batch fast (most learners
    share a few evidence counts, dates and window starts) and are dropped with the run, so no
    evaluation can see another's half-written entries.
    """

    __slots__ = ("as_of", "checks", "empty", "moments", "starts", "window_starts")

    def __init__(self, plan: CompiledPolicy, as_of: dt.date):
        self.as_of = as_of
        #: Each competency's first counted day as of ``as_of`` (``None``: no window).
        self.window_starts: Mapping[str, dt.date | None] = plan.window_starts(as_of)
        #: Per competency: the checked evidence rules for each tuple of counts.
        self.checks: dict[str, dict[tuple[int, ...], Checked]] = {}
        #: Per competency: its result when the learner has no evidence on it.
        self.empty: dict[str, CompetencyResult] = {}
        #: Midnight of each date seen.
        self.moments: dict[dt.date, dt.datetime] = {}
        #: Per evidence window: the first counted day as of each date (first-proficient dates).
        self.starts: dict[Duration, dict[dt.date, dt.date]] = {}

    def moment(self, day: dt.date) -> dt.datetime:
        """Midnight at the start of ``day`` (remembered: many pieces of evidence share a date)."""
        moment = self.moments.get(day)
        if moment is None:
            if len(self.moments) > 200_000:
                self.moments.clear()
            moment = self.moments[day] = moment_of(day)
        return moment

    def window_days(self, window: Duration) -> dict[dt.date, dt.date]:
        """The remembered first counted days of ``window`` as of each date (shared by every
        competency with the same window)."""
        found = self.starts.get(window)
        if found is None:
            found = self.starts[window] = {}
        return found


def _window_start(starts: dict[dt.date, dt.date], window: Duration, day: dt.date) -> dt.date:
    """The first day ``window`` counts as of ``day`` (remembered in ``starts``)."""
    start = starts.get(day)
    if start is None:
        if len(starts) > 100_000:
            starts.clear()
        start = starts[day] = window.before(day)
    return start
