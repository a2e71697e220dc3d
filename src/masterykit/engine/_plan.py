"""A policy compiled once into per-competency plans and clause nodes.

:func:`compile_policy` resolves everything a learner's evaluation needs up front (the method
function, its arguments, the cut, the scale's levels, the evidence rules and their texts, each
decision's clause tree as small node objects), so evaluating a learner does no name lookups in
the policy. The plan is cached per policy object (a ``Policy`` is immutable).

INVARIANT: a compiled plan is never changed after its constructor returns, so one plan is shared
by every thread that evaluates the same policy. Everything an evaluation remembers while it runs
(checked evidence rules, window starts, midnights, the results of competencies without evidence)
lives in a :class:`RunState` owned by one :func:`~masterykit.engine.evaluate` call or one
:class:`~masterykit.engine.Session`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any

import attrs

from masterykit.diagnostics import Span
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    CompetencyTestRule,
    DecisionResult,
    LearnerResult,
    PaceResult,
    PaceStatus,
    Status,
    SufficiencyCheck,
    UnusedEvidence,
    UnusedReason,
)
from masterykit.engine.semantics import (
    evidence_key,
    needed_competencies,
    pace_projection,
    round_score,
    sufficient,
    window_start,
)
from masterykit.evidence import Evidence, Learner, Origin, Rejection, as_moment
from masterykit.numbers import as_decimal, format_decimal
from masterykit.numbers import round_score as round_decimal
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    CompetencyRules,
    CompetencyTest,
    Duration,
    LearnerClause,
    NotClause,
    Policy,
    Provenance,
    RequirementClause,
)
from masterykit.registry import MethodContext, MethodFunction, PrefixFunction

__all__ = [
    "CompiledPolicy",
    "RunState",
    "Views",
    "compile_policy",
    "evidence_key",
    "moment_of",
    "sort_evidence",
    "trim_moments",
    "updated_views",
    "views_of",
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


# --- competencies ----------------------------------------------------------------------------


class CompetencyPlan:
    """Everything needed to evaluate one competency, resolved once."""

    __slots__ = (
        "args",
        "calculation",
        "code",
        "context",
        "counts",
        "cut",
        "cut_rule",
        "function",
        "kinds_read",
        "least",
        "maximum",
        "minimum",
        "names",
        "needs",
        "prefixes",
        "reads_timestamps",
        "title",
        "values",
        "variety",
        "window",
        "window_rule",
    )

    def __init__(self, code: str, title: str | None, rules: CompetencyRules, policy: Policy):
        competency = policy.competencies[code]
        spec = policy.methods.get(rules.calculate.method)
        if spec is None:
            raise ValueError(
                f"calculation method {rules.calculate.method!r} is not bound in the policy"
            )
        self.code = code
        self.title = title
        self.calculation = rules.calculate
        self.function: MethodFunction = spec.function
        #: The method's running form, when it offers one (see ``MethodSpec.prefixes``).
        self.prefixes: PrefixFunction | None = spec.prefixes
        self.reads_timestamps = spec.reads_timestamps
        self.args = rules.calculate.args
        self.cut_rule = rules.proficient
        self.cut = rules.proficient.cut
        scale = competency.scale
        self.values = tuple(level.value for level in scale.levels)
        self.names = tuple(level.name for level in scale.levels)
        self.minimum = scale.minimum
        self.maximum = scale.maximum
        #: The context passed to methods that never read timestamps (built once).
        self.context = MethodContext(self.cut, self.minimum, self.maximum, ())
        counts: list[tuple[int, frozenset[str] | None, tuple[str, ...], Provenance]] = []
        for rule in rules.counts:
            if rule.kinds:
                counts.append((rule.count, rule.kinds, tuple(sorted(rule.kinds)), rule.source))
            else:
                counts.append((rule.count, None, (), rule.source))
        #: Each ``evidence at least N [from …]`` rule: N, the kinds it counts (``None``: all)
        #: and sorted, and where it was set.
        self.counts: tuple[tuple[int, frozenset[str] | None, tuple[str, ...], Provenance], ...] = (
            tuple(counts)
        )
        #: ``evidence from at least N kinds``: N and where it was set.
        self.variety: tuple[int, Provenance] | None = (
            (rules.variety.count, rules.variety.source) if rules.variety is not None else None
        )
        self.window_rule = rules.window
        self.window: Duration | None = rules.window.duration if rules.window else None
        #: How many each evidence rule asks for, in the order of :meth:`actuals`.
        self.needs = tuple(n for n, _, _, _ in counts) + (
            (self.variety[0],) if self.variety is not None else ()
        )
        #: Whether any evidence rule looks at kinds.
        self.kinds_read = self.variety is not None or any(k is not None for _, k, _, _ in counts)
        #: The fewest pieces of evidence that can be sufficient.
        self.least = max([n for n, k, _, _ in counts if k is None] + [1])

    def actuals(self, items: Sequence[Evidence]) -> tuple[int, ...]:
        """How many of ``items`` each evidence rule counts, in rule order."""
        if not self.kinds_read:
            return (len(items),) * len(self.counts)
        kinds = list(map(_kind, items))
        actual = []
        for _needed, wanted, _kinds, _source in self.counts:
            if wanted is None:
                actual.append(len(items))
            else:
                actual.append(sum(map(wanted.__contains__, kinds)))
        if self.variety is not None:
            distinct = set(kinds)
            distinct.discard(None)
            distinct.discard("")
            actual.append(len(distinct))
        return tuple(actual)

    def checks_for(self, key: tuple[int, ...], state: RunState) -> Checked:
        """The checked evidence rules for the counts ``key`` and whether all of them are met
        (remembered in ``state``: most learners have one of a few counts)."""
        memo = state.checks.get(self.code)
        if memo is None:
            memo = state.checks[self.code] = {}
        found = memo.get(key)
        if found is None:
            rules = [(n, kinds, source, False) for n, _wanted, kinds, source in self.counts]
            if self.variety is not None:
                rules.append((self.variety[0], (), self.variety[1], True))
            checks = tuple(
                SufficiencyCheck(needed, count, count >= needed, source, kinds, variety)
                for (needed, kinds, source, variety), count in zip(rules, key, strict=True)
            )
            # INVARIANT: the checks and whether they are met are remembered together, so
            # forgetting some never separates them.
            found = (checks, all(check.met for check in checks))
            if len(memo) > 4096:
                memo.clear()
            memo[key] = found
        return found

    def checks(self, items: Sequence[Evidence], state: RunState) -> tuple[SufficiencyCheck, ...]:
        """Every evidence rule checked against the counted ``items``."""
        return self.checks_for(self.actuals(items), state)[0]

    def sufficient(self, items: Sequence[Evidence]) -> bool:
        """Whether ``items`` meet every evidence rule (no rules: one piece suffices)."""
        return sufficient(self.actuals(items), self.needs, len(items))

    def calculate(
        self, items: Sequence[Evidence], state: RunState, plain: bool = False
    ) -> Decimal | None:
        """The method's unrounded score for ``items`` (oldest first), or ``None``; ``plain``
        says every timestamp is a plain date."""
        return self.function(
            list(map(_score, items)), self.args, self.method_context(items, state, plain)
        )

    def method_context(
        self, items: Sequence[Evidence], state: RunState, plain: bool = False
    ) -> MethodContext:
        """What the method may know besides the scores of ``items`` (timestamps only for
        methods that read them)."""
        if not self.reads_timestamps:
            return self.context
        if plain:
            moments = state.moments
            try:
                stamps = tuple(map(moments.__getitem__, map(_timestamp, items)))
            except KeyError:
                stamps = tuple(map(state.moment, map(_timestamp, items)))
        else:
            stamps = tuple(as_moment(stamp) for stamp in map(_timestamp, items))
        return MethodContext(self.cut, self.minimum, self.maximum, stamps)

    def take(self, items: list[Evidence], checked: bool = False) -> bool | None:
        """Check and sort ``items`` in the common case: every score a finite Decimal on this
        competency's scale and every timestamp a plain date (checked at C speed; ``checked``
        says the caller has checked that already, see :meth:`CompiledPolicy.usable`). Returns
        ``True`` when the items are sorted, ``None`` when each piece must be checked on its own.
        """
        stamps = list(map(_timestamp, items))
        if not checked:
            scores: list[Decimal] = list(map(_score, items))
            if set(map(type, scores)) != _DECIMAL or set(map(type, stamps)) != _PLAIN:
                return None
            if not all(map(_finite, scores)):
                return None
            if not (self.minimum <= min(scores) and max(scores) <= self.maximum):
                return None
        distinct = set(stamps)
        if len(distinct) == len(stamps):
            # INVARIANT: with no two timestamps equal, the timestamp alone orders fully.
            items.sort(key=_timestamp)
        else:
            # INVARIANT: with no two (date, score) pairs equal, they order fully; otherwise the
            # full order applies.
            pairs = list(map(_date_score, items))
            items.sort(key=_date_score if len(set(pairs)) == len(pairs) else evidence_key)
        return True

    def not_started(
        self, unused: tuple[UnusedEvidence, ...], start: dt.date | None, state: RunState
    ) -> CompetencyResult:
        """The result for a competency with no evidence up to the as-of date."""
        return CompetencyResult(
            self.code,
            self.title,
            _NOT_STARTED,
            None,
            None,
            self.calculation,
            self.cut_rule,
            (),
            unused,
            self.checks((), state),
            self.window_rule,
            start,
            None,
            None,
        )

    def evaluate(
        self,
        items: Sequence[Evidence],
        as_of: dt.date,
        start: dt.date | None,
        state: RunState,
        dates: bool = True,
        plain: bool = False,
    ) -> CompetencyResult:
        """The result for ``items`` (this learner's evidence on this competency, ordered by
        :func:`sort_evidence`; ``plain`` is what it returned)."""
        # INVARIANT: items are sorted by timestamp, so the counted ones are one slice of them.
        count = len(items)
        low = 0
        if plain:
            high = (
                count
                if items[-1].timestamp <= as_of
                else bisect_right(items, as_of, key=_timestamp)
            )
            if start is not None and items[0].timestamp < start:
                low = bisect_left(items, start, 0, high, key=_timestamp)
        else:
            end = state.moment(as_of) + _DAY
            moments = [as_moment(stamp) for stamp in map(_timestamp, items)]
            high = bisect_left(moments, end)
            if start is not None:
                low = bisect_left(moments, state.moment(start), 0, high)
        if low == 0 and high == count:
            used = items
            unused: tuple[UnusedEvidence, ...] = ()
        else:
            used = items[low:high]
            unused = tuple(
                [UnusedEvidence(item, _OUTSIDE) for item in items[:low]]
                + [UnusedEvidence(item, _AFTER) for item in items[high:]]
            )
        if not used:
            if not low:
                return self.not_started(unused, start, state)
            return CompetencyResult(
                self.code,
                self.title,
                _INSUFFICIENT,
                None,
                None,
                self.calculation,
                self.cut_rule,
                (),
                unused,
                self.checks_for(self.actuals(()), state)[0],
                self.window_rule,
                start,
                None,
                None,
            )
        checks, met = self.checks_for(self.actuals(used), state)
        raw = self.function(
            list(map(_score, used)),
            self.args,
            self.method_context(used, state, plain) if self.reads_timestamps else self.context,
        )
        score = level = None
        first = None
        if raw is None:
            status = _INSUFFICIENT
        else:
            score = round_score(raw) if type(raw) is Decimal else round_decimal(raw)
            level = (
                self.names[bisect_right(self.values, score) - 1] if score >= self.minimum else None
            )
            if not met:
                status = _INSUFFICIENT
            elif score >= self.cut:
                status = _PROFICIENT
                if dates:
                    first = self.first_proficient(
                        items if high == count else items[:high], state, plain
                    )
            else:
                status = _DEVELOPING
        return CompetencyResult(
            self.code,
            self.title,
            status,
            score,
            level,
            self.calculation,
            self.cut_rule,
            tuple(used),
            unused,
            checks,
            self.window_rule,
            start,
            raw,
            first,
        )

    def first_proficient(
        self, items: Sequence[Evidence], state: RunState, plain: bool = False
    ) -> dt.date | None:
        """The first evidence date on which, with the evidence up to then, the competency was
        sufficient and at or above the cut (``items``: sorted, none after the as-of date).

        The competency is evaluated as of each of its evidence dates, oldest first; the
        evidence counted as of a day is one slice of the sorted items. No slice shorter than
        the shortest sufficient run from the first piece can be sufficient, so the search
        starts there; a method with a running form (``MethodSpec.prefixes``) gives the scores
        of every slice that starts at the same piece in one pass, and other methods are called
        once per slice.
        """
        count = len(items)
        ready = self.ready(items)
        if ready > count:
            return None
        if plain:
            days: list[dt.date] = list(map(_timestamp, items))
        else:
            days = [as_moment(stamp).date() for stamp in map(_timestamp, items)]
        least = self.least
        window = self.window
        starts: dict[dt.date, dt.date] = {}
        if window is not None:
            starts = state.window_days(window)
            if days[0] >= _window_start(starts, window, days[-1]):
                window = None  # the window as of the last date still holds every piece
        cut = self.cut
        prefixes = self.prefixes
        scores: list[Decimal] | None = None
        running: Iterator[Decimal | None] | None = None
        running_low = -1
        running_high = 0
        raw: Decimal | None = None
        for index in range(ready - 1, count):
            day = days[index]
            if index + 1 < count and days[index + 1] == day:
                continue  # the day's last piece closes the slice
            high = index + 1
            low = 0
            if window is not None:
                start = starts.get(day)
                if start is None:
                    start = _window_start(starts, window, day)
                if days[0] < start:
                    low = bisect_left(days, start, 0, high)
            if high - low < least:
                continue
            # INVARIANT: the slice from the first piece to ``high`` is sufficient (high ≥ ready);
            # a later start drops pieces, so only then are the rules counted again.
            if low and self.kinds_read and not self.sufficient(items[low:high]):
                continue
            if prefixes is None:
                raw = self.calculate(items[low:high], state, plain)
            else:
                if low != running_low or running is None:
                    if scores is None:
                        scores = list(map(_score, items))
                    running = prefixes(
                        scores[low:], self.args, self.method_context(items[low:], state, plain)
                    )
                    running_low = low
                    running_high = low
                while running_high < high:
                    raw = next(running)
                    running_high += 1
            if raw is not None and round_decimal(raw) >= cut:
                return day
        return None

    def ready(self, items: Sequence[Evidence]) -> int:
        """How many of ``items`` (sorted), from the first, it takes to meet every evidence rule
        (more than there are when they never do). Every count only grows as pieces are added,
        so no shorter slice anywhere in ``items`` meets them either."""
        ready = self.least
        if not self.kinds_read:
            return ready
        kinds = list(map(_kind, items))
        never = len(kinds) + 1
        for needed, wanted, _kinds, _source in self.counts:
            if wanted is None or needed <= 0:
                continue
            found = 0
            for position, kind in enumerate(kinds, 1):
                if kind in wanted:
                    found += 1
                    if found >= needed:
                        ready = max(ready, position)
                        break
            else:
                return never
        if self.variety is not None and self.variety[0] > 0:
            wanted_kinds = self.variety[0]
            seen: set[str] = set()
            for position, kind in enumerate(kinds, 1):
                if kind:
                    seen.add(kind)
                    if len(seen) >= wanted_kinds:
                        ready = max(ready, position)
                        break
            else:
                return never
        return ready


# --- clauses ---------------------------------------------------------------------------------


#: The proficient competencies and the rated scores (see :meth:`Context.rated`) of one result.
Views = tuple[set[str], dict[str, Decimal]]


def views_of(competencies: Mapping[str, CompetencyResult]) -> Views:
    """What competency tests read of every competency: which are proficient, and the rounded
    score of those with sufficient evidence and a score."""
    proficient: set[str] = set()
    rated: dict[str, Decimal] = {}
    for code, result in competencies.items():
        status = result.status
        if status is _PROFICIENT:
            proficient.add(code)
        if (status is _PROFICIENT or status is _DEVELOPING) and result.score is not None:
            rated[code] = result.score
    return proficient, rated


def updated_views(
    views: Views, competencies: Mapping[str, CompetencyResult], touched: Iterable[str]
) -> Views:
    """``views`` (left unchanged) with the ``touched`` competencies' results taken again."""
    proficient = set(views[0])
    rated = dict(views[1])
    for code in touched:
        result = competencies[code]
        status = result.status
        if status is _PROFICIENT:
            proficient.add(code)
        else:
            proficient.discard(code)
        if (status is _PROFICIENT or status is _DEVELOPING) and result.score is not None:
            rated[code] = result.score
        else:
            rated.pop(code, None)
    return proficient, rated


class Context:
    """What clauses read while one learner is evaluated."""

    __slots__ = (
        "_proficient",
        "_rated",
        "active",
        "attributes",
        "before",
        "competencies",
        "plan",
        "previous",
        "requirements",
        "touched",
    )

    def __init__(
        self,
        plan: CompiledPolicy,
        attributes: Mapping[str, Any],
        competencies: Mapping[str, CompetencyResult],
        requirements: dict[str, DecisionResult] | None = None,
        previous: Mapping[str, DecisionResult] | None = None,
        touched: frozenset[str] = frozenset(),
        before: Mapping[str, CompetencyResult] | None = None,
        views: Views | None = None,
    ):
        self.plan = plan
        self.attributes = attributes
        self.competencies = competencies
        self.requirements: dict[str, DecisionResult] = requirements or {}
        #: The requirements' results before the ``touched`` competencies changed (when
        #: re-evaluating after new evidence), which unchanged parts of them are taken from.
        self.previous = previous
        self.touched = touched
        #: The competencies' results before the ``touched`` ones changed.
        self.before = before
        self.active: set[str] = set()
        self._proficient: set[str] | None = None
        self._rated: dict[str, Decimal] = {}
        if views is not None:
            self._proficient, self._rated = views

    def proficient(self) -> set[str]:
        """The proficient competencies (worked out once per learner)."""
        if self._proficient is None:
            self._proficient, self._rated = views_of(self.competencies)
        return self._proficient

    def rated(self) -> dict[str, Decimal]:
        """The rounded score of every competency with sufficient evidence and a score."""
        self.proficient()
        return self._rated

    def requirement(self, name: str) -> DecisionResult | None:
        """The requirement's result for this learner (evaluated once, then remembered)."""
        found = self.requirements.get(name)
        if found is not None:
            return found
        node = self.plan.requirements.get(name)
        if node is None or name in self.active:
            return None
        self.active.add(name)
        try:
            found = node.decide(
                self, self.previous.get(name) if self.previous is not None else None
            )
        finally:
            self.active.discard(name)
        self.requirements[name] = found
        return found


class Node:
    """A compiled clause."""

    __slots__ = ("read", "span", "text")

    text: str
    span: Span | None
    #: The competencies the clause reads (worked out on first use, see ``node_codes``).
    read: frozenset[str] | None

    def evaluate(self, ctx: Context) -> ClauseResult:  # pragma: no cover - abstract
        """The clause's result for the learner in ``ctx``."""
        raise NotImplementedError

    def codes(self, plan: CompiledPolicy) -> set[str]:
        """The competencies the clause reads (through requirement references too)."""
        return set()

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        """The clause's result after the competencies ``ctx.touched`` changed, given its result
        ``previous`` before: ``previous`` itself when the result is equal."""
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        found = self.evaluate(ctx)
        return previous if found == previous else found


def _proficiency(result: CompetencyResult) -> bool:
    """What ``… proficient`` tests read of a competency's result."""
    return result.status is _PROFICIENT


def _rating(result: CompetencyResult) -> Decimal | None:
    """What ``… reach L`` and ``… below L`` tests read of a competency's result (see
    :meth:`Context.rated`)."""
    status = result.status
    return result.score if status is _PROFICIENT or status is _DEVELOPING else None


def _reaches(result: CompetencyResult, threshold: Decimal | None) -> bool:
    """Whether a competency's result reaches a level's value, as ``… reach L`` tests it."""
    score = _rating(result)
    return score is not None and threshold is not None and score >= threshold


def _pace_view(result: CompetencyResult) -> dt.date | bool:
    """What pace reads of a competency's result: whether it is proficient, and since when."""
    if result.status is not _PROFICIENT:
        return False
    return result.first_proficient or True


def _selection_text(test: CompetencyTest) -> str:
    text = test.text.split(" of ", 1)[1] if " of " in test.text else test.text
    marker = " proficient" if test.test == "proficient" else f" {test.test} "
    return text.rsplit(marker, 1)[0] if marker in text else text


class TestNode(Node):
    """``all of S proficient`` and its family."""

    __slots__ = (
        "chosen",
        "level",
        "needed",
        "pairs",
        "quantifier",
        "rule",
        "selected",
        "selection",
        "test",
        "thresholds",
        "uniform",
    )

    def __init__(self, clause: CompetencyTest):
        self.read = None
        self.text = clause.text
        self.span = clause.span
        self.quantifier = clause.quantifier
        self.test = clause.test
        self.level = clause.level
        self.selection = _selection_text(clause)
        self.selected = clause.codes
        self.chosen = frozenset(clause.codes)
        if clause.test == "proficient":
            self.pairs: tuple[tuple[str, Decimal | None], ...] = tuple(
                (code, None) for code in clause.codes
            )
        else:
            self.pairs = tuple(zip(clause.codes, clause.thresholds, strict=True))
        self.thresholds: dict[str, Decimal | None] = dict(self.pairs)
        #: The one threshold of a reach/below test whose competencies share it (else ``None``).
        levels = set(self.thresholds.values())
        self.uniform: Decimal | None = (
            levels.pop()
            if clause.test != "proficient" and len(levels) == 1 and None not in levels
            else None
        )
        if self.uniform is not None and not self.uniform.is_finite():
            self.uniform = None
        self.needed = needed_competencies(clause.quantifier, clause.amount, len(clause.codes))
        #: What the test asks, shared by every result of this clause.
        self.rule = CompetencyTestRule(
            clause.quantifier, clause.test, clause.level, self.selection, self.pairs
        )

    def evaluate(self, ctx: Context) -> ClauseResult:
        test = self.test
        if test == "proficient":
            proficient = ctx.proficient()
            passing = [code for code in self.selected if code in proficient]
            failing = (
                []
                if len(passing) == len(self.selected)
                else [code for code in self.selected if code not in proficient]
            )
        else:
            # INVARIANT: only sufficient, scored competencies reach a level; the rest are below.
            rated = ctx.rated()
            uniform = self.uniform
            if uniform is not None:
                reached = [code for code in self.selected if rated.get(code, _BELOW) >= uniform]
            else:
                reached = [
                    code
                    for code, threshold in self.pairs
                    if (score := rated.get(code)) is not None
                    and threshold is not None
                    and score >= threshold
                ]
            if len(reached) == len(self.selected):
                others: list[str] = []
            else:
                hit = set(reached)
                others = [code for code in self.selected if code not in hit]
            passing, failing = (reached, others) if test == "reach" else (others, reached)
        held = not passing if self.quantifier == "none" else len(passing) >= self.needed
        return ClauseResult(
            "competencies",
            self.text,
            held,
            (),
            None,
            tuple(passing),
            tuple(failing),
            self.needed,
            None,
            self.span,
            self.rule,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        before = ctx.before
        if before is not None:
            # The test reads only whether each selected competency is proficient (or its rated
            # score): when that is the same for every touched one, so is the result.
            comps = ctx.competencies
            proficient = self.test == "proficient"
            for code in ctx.touched:
                if code not in self.chosen:
                    continue
                if proficient:
                    if _proficiency(before[code]) != _proficiency(comps[code]):
                        break
                else:
                    threshold = self.thresholds[code]
                    if _reaches(before[code], threshold) != _reaches(comps[code], threshold):
                        break
            else:
                return previous
        return super().update(ctx, previous)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return {code for code, _ in self.pairs}


class RequirementNode(Node):
    """``requirement name``."""

    __slots__ = ("name",)

    def __init__(self, clause: RequirementClause):
        self.read = None
        self.name = clause.name
        self.text = f"requirement {clause.name}"
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        decision = ctx.requirement(self.name)
        if decision is None:
            return ClauseResult(
                "requirement", self.text, False, span=self.span, requirement=self.name
            )
        return ClauseResult(
            "requirement",
            self.text,
            decision.held,
            (decision.clause,),
            span=self.span,
            requirement=self.name,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        decision = ctx.requirement(self.name)
        if (
            decision is not None
            and previous.children
            and decision.clause is previous.children[0]
            and decision.held is previous.held
        ):
            return previous
        return super().update(ctx, previous)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return set(plan.requirement_codes(self.name))


_MISSING = object()


def _coerce(actual: Any, expected: Any) -> Any:
    """``actual`` as a value comparable with ``expected``, or ``_MISSING``."""
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual
        if isinstance(actual, str) and actual.lower() in ("true", "false"):
            return actual.lower() == "true"
        return _MISSING
    if isinstance(expected, Decimal):
        if isinstance(actual, bool):
            return _MISSING
        if isinstance(actual, (Decimal, int)):
            return Decimal(actual)
        if isinstance(actual, str):
            try:
                value = Decimal(actual.strip())
            except ArithmeticError:
                return _MISSING
            return value if value.is_finite() else _MISSING
        return _MISSING
    if isinstance(expected, dt.datetime):
        if isinstance(actual, (dt.date, str)):
            try:
                return as_moment(
                    dt.datetime.fromisoformat(actual) if isinstance(actual, str) else actual
                )
            except ValueError:
                return _MISSING
        return _MISSING
    if isinstance(expected, dt.date):
        if isinstance(actual, dt.datetime):
            return as_moment(actual).date()
        if isinstance(actual, dt.date):
            return actual
        if isinstance(actual, str):
            try:
                return dt.date.fromisoformat(actual.strip())
            except ValueError:
                return _MISSING
        return _MISSING
    if isinstance(expected, str):
        return actual if isinstance(actual, str) else _MISSING
    return _MISSING


def attribute_text(value: Any) -> str:
    """A learner attribute value as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def compare(clause: LearnerClause, attributes: Mapping[str, Any]) -> bool:
    """Whether the learner's attribute compares as the clause says (missing: never)."""
    if clause.attribute not in attributes:
        return False
    actual = attributes[clause.attribute]
    if clause.op is None:
        return actual is True or (isinstance(actual, str) and actual.lower() == "true")
    expected = clause.value
    if isinstance(expected, dt.datetime):
        expected = as_moment(expected)
    value = _coerce(actual, expected)
    if value is _MISSING:
        return False
    op = clause.op
    if op == "=":
        return bool(value == expected)
    if op == "!=":
        return bool(value != expected)
    if isinstance(expected, bool):
        return False
    try:
        if op == "<":
            return bool(value < expected)
        if op == "<=":
            return bool(value <= expected)
        if op == ">":
            return bool(value > expected)
        return bool(value >= expected)
    except TypeError:
        return False


class LearnerNode(Node):
    """``learner.attr`` and ``learner.attr <op> <value>``."""

    __slots__ = ("clause",)

    def __init__(self, clause: LearnerClause):
        self.read = None
        self.clause = clause
        self.text = clause.text
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        attrs_ = ctx.attributes
        name = self.clause.attribute
        actual = attribute_text(attrs_[name]) if name in attrs_ else None
        return ClauseResult(
            "learner", self.text, compare(self.clause, attrs_), actual=actual, span=self.span
        )


class GroupNode(Node):
    """``all { … }``, ``any { … }`` and ``pathway "name" { … }``."""

    __slots__ = ("children", "kind", "pathway")

    def __init__(
        self, kind: str, children: tuple[Node, ...], span: Span | None, pathway: str | None
    ):
        self.read = None
        self.kind = kind
        self.children = children
        self.span = span
        self.pathway = pathway
        if pathway is not None:
            self.text = f'pathway "{pathway}"'
        else:
            self.text = f"{kind} {{ … }}"

    def evaluate(self, ctx: Context) -> ClauseResult:
        return self._combine(tuple([child.evaluate(ctx) for child in self.children]))

    def _combine(self, results: tuple[ClauseResult, ...]) -> ClauseResult:
        """The group's result from its children's."""
        held = any(map(_held, results)) if self.kind == "any" else all(map(_held, results))
        return ClauseResult(
            "pathway" if self.pathway is not None else self.kind,
            self.text,
            held,
            results,
            self.pathway,
            span=self.span,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        results = tuple(
            [
                child.update(ctx, before)
                for child, before in zip(self.children, previous.children, strict=True)
            ]
        )
        if all(map(operator.is_, results, previous.children)):
            return previous
        return self._combine(results)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        found: set[str] = set()
        for child in self.children:
            found |= child.codes(plan)
        return found


class NotNode(Node):
    """``not <clause>``."""

    __slots__ = ("child",)

    def __init__(self, clause: NotClause, child: Node):
        self.read = None
        self.child = child
        self.text = f"not {child.text}"
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        inner = self.child.evaluate(ctx)
        return ClauseResult("not", self.text, not inner.held, (inner,), span=self.span)

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        inner = self.child.update(ctx, previous.children[0])
        if inner is previous.children[0]:
            return previous
        return ClauseResult("not", self.text, not inner.held, (inner,), span=self.span)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return self.child.codes(plan)


def compile_clause(clause: Clause) -> Node:
    """The node for a resolved clause."""
    if isinstance(clause, CompetencyTest):
        return TestNode(clause)
    if isinstance(clause, RequirementClause):
        return RequirementNode(clause)
    if isinstance(clause, LearnerClause):
        return LearnerNode(clause)
    if isinstance(clause, AnyClause):
        return GroupNode("any", tuple(compile_clause(c) for c in clause.clauses), clause.span, None)
    if isinstance(clause, AllClause):
        return GroupNode(
            "all", tuple(compile_clause(c) for c in clause.clauses), clause.span, clause.pathway
        )
    if isinstance(clause, NotClause):
        return NotNode(clause, compile_clause(clause.clause))
    raise TypeError(f"not a clause: {clause!r}")  # pragma: no cover


# --- decisions -------------------------------------------------------------------------------


class DecisionPlan:
    """A requirement, advancement or the graduation rule, compiled."""

    __slots__ = (
        "kind",
        "name",
        "node",
        "pathways",
        "source",
        "source_name",
        "target_name",
        "title",
    )

    def __init__(
        self,
        kind: str,
        name: str,
        title: str | None,
        condition: AllClause,
        source: Provenance,
        stages: tuple[str, str] | None = None,
    ):
        self.kind = kind
        self.name = name
        self.title = title
        #: An advancement's stages, from and to.
        self.source_name: str | None = stages[0] if stages is not None else None
        self.target_name: str | None = stages[1] if stages is not None else None
        self.node = compile_clause(condition)
        self.source = source
        #: Whether a named pathway can appear in the clause tree (set by the compiled policy).
        self.pathways = True

    def decide(self, ctx: Context, previous: DecisionResult | None = None) -> DecisionResult:
        """The decision for the learner in ``ctx``; with ``previous``, its result before the
        competencies ``ctx.touched`` changed, whose unchanged parts are kept."""
        if previous is None:
            result = self.node.evaluate(ctx)
        else:
            result = self.node.update(ctx, previous.clause)
            if result is previous.clause:
                if result.held:
                    return previous  # nothing to word: equal in every field
                if ctx.touched.isdisjoint(ctx.plan.node_codes(self.node)):
                    return previous
                # INVARIANT: the same clause results take the same pathways; the next steps are
                # derived from the current competency results.
                return self._result(result, ctx, previous.pathways)
        pathways: tuple[str, ...] = ()
        if self.pathways:
            found: list[str] = []
            _taken(self.node, result, ctx, found)
            pathways = tuple(found)
        return self._result(result, ctx, pathways)

    def _result(
        self, result: ClauseResult, ctx: Context, pathways: tuple[str, ...]
    ) -> DecisionResult:
        return DecisionResult(
            self.kind,
            self.name,
            self.title,
            result.held,
            result,
            self.source,
            pathways,
            ctx.competencies,
            self.source_name,
            self.target_name,
        )

    def keep(self, decision: DecisionResult, ctx: Context) -> DecisionResult:
        """``decision``, made before the competencies ``ctx.touched`` changed and reading none
        of them, kept for ``ctx`` (its facts, next steps included, are the same)."""
        return decision


def _taken(node: Node, result: ClauseResult, ctx: Context, found: list[str]) -> None:
    """Add the names of the pathways that held under ``node`` to ``found``, depth first (a
    referenced requirement contributes the pathways its own decision took)."""
    if isinstance(node, GroupNode):
        if node.pathway is not None and result.held:
            found.append(node.pathway)
        for child, child_result in zip(node.children, result.children, strict=True):
            _taken(child, child_result, ctx, found)
    elif isinstance(node, NotNode):
        _taken(node.child, result.children[0], ctx, found)
    elif isinstance(node, RequirementNode):
        decision = ctx.requirement(node.name)
        if decision is not None:
            found.extend(decision.pathways)


class PacePlan:
    """The ``pace`` rule, compiled."""

    __slots__ = ("codes", "extensions", "pace", "selected")

    def __init__(self, policy: Policy):
        pace = policy.pace
        assert pace is not None
        self.pace = pace
        self.codes = pace.codes
        self.selected = frozenset(pace.codes)
        self.extensions = tuple(
            (ext.duration, compile_clause(ext.condition)) for ext in pace.extensions
        )

    def evaluate(self, ctx: Context, as_of: dt.date) -> PaceResult:
        """Pace for the learner in ``ctx`` (see ``LANGUAGE.md``, "Pace")."""
        pace = self.pace
        comps = ctx.competencies
        start = pace.window.before(as_of)
        days = (as_of - start).days
        remaining = tuple(code for code in self.codes if comps[code].status is not _PROFICIENT)
        recent = tuple(
            code
            for code in self.codes
            if comps[code].status is _PROFICIENT
            and (first := comps[code].first_proficient) is not None
            and start <= first <= as_of
        )
        window = str(pace.window)
        base: dt.date | None = None
        problem: str | None = None
        if pace.due_date is not None:
            base = pace.due_date
        elif pace.due_attribute is not None:
            name = pace.due_attribute
            if name not in ctx.attributes:
                problem = f"the learner has no `{name}`"
            else:
                base = _as_date(ctx.attributes[name])
                if base is None:
                    problem = (
                        f"`learner.{name}` is not a date (`{attribute_text(ctx.attributes[name])}`)"
                    )
        else:
            problem = "the pace rule has no due date"
        due = base
        applied = []
        if due is not None:
            for duration, node in self.extensions:
                if node.evaluate(ctx).held:
                    due = duration.after(due)
                    applied.append(f"extend {duration} when {node.text}")
        risk_until = pace.risk.after(due) if due is not None else None
        projected = pace_projection(as_of, len(remaining), len(recent), days)
        if not remaining:
            status = PaceStatus.COMPLETE
            reason = "every competency in the pace selection is proficient"
        elif problem is not None or due is None or risk_until is None:
            status = PaceStatus.UNKNOWN
            reason = f"no due date: {problem}"
        elif projected is None:
            status = PaceStatus.OFF_TRACK
            reason = f"no competency became proficient in the last {window}"
        elif projected <= due:
            status = PaceStatus.ON_TRACK
            reason = f"projected to finish on {projected.isoformat()}, by {due.isoformat()}"
        elif projected <= risk_until:
            status = PaceStatus.AT_RISK
            reason = (
                f"projected to finish on {projected.isoformat()}, after {due.isoformat()} "
                f"but by {risk_until.isoformat()}"
            )
        else:
            status = PaceStatus.OFF_TRACK
            reason = (
                f"projected to finish on {projected.isoformat()}, after {risk_until.isoformat()}"
            )
        return PaceResult(
            status,
            remaining,
            recent,
            start,
            days,
            reason,
            projected,
            base,
            due,
            risk_until,
            tuple(applied),
            pace.source,
        )

    def unchanged(self, ctx: Context, extension_codes: frozenset[str]) -> bool:
        """Whether pace is the same as before the competencies ``ctx.touched`` changed (what
        pace reads of each of them is the same, and no extension reads them)."""
        before = ctx.before
        if before is None or not ctx.touched.isdisjoint(extension_codes):
            return False
        comps = ctx.competencies
        selected = self.selected
        return all(
            _pace_view(before[code]) == _pace_view(comps[code])
            for code in ctx.touched
            if code in selected
        )

    def codes_read(self, plan: CompiledPolicy) -> set[str]:
        """Every competency pace reads."""
        found = set(self.codes)
        for _duration, node in self.extensions:
            found |= node.codes(plan)
        return found


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return as_moment(value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --- the policy ------------------------------------------------------------------------------


class CompiledPolicy:
    """A policy ready to evaluate learners: per-competency plans and compiled decisions."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.competencies: dict[str, CompetencyPlan] = {
            code: CompetencyPlan(code, competency.title, policy.rules[code], policy)
            for code, competency in policy.competencies.items()
        }
        self.requirements: dict[str, DecisionPlan] = {
            name: DecisionPlan("requirement", name, req.title, req.condition, req.source)
            for name, req in policy.requirements.items()
        }
        self.advancements = tuple(
            DecisionPlan(
                "advancement",
                f'"{adv.source_name}" to "{adv.target_name}"',
                None,
                adv.condition,
                adv.source,
                (adv.source_name, adv.target_name),
            )
            for adv in policy.advancements
        )
        self.graduation = (
            DecisionPlan(
                "graduation",
                "graduation",
                None,
                policy.graduation.condition,
                policy.graduation.source,
            )
            if policy.graduation is not None
            else None
        )
        self.pace = PacePlan(policy) if policy.pace is not None else None
        for decision in [*self.requirements.values(), *self.advancements]:
            decision.pathways = self._has_pathway(decision.node, set())
        if self.graduation is not None:
            self.graduation.pathways = self._has_pathway(self.graduation.node, set())
        # What every clause reads is worked out here, once: the plan never changes afterwards
        # (see the module's INVARIANT), so threads sharing it never see half-made answers.
        self._requirement_codes: dict[str, frozenset[str]] = {}
        for name in self.requirements:
            self.requirement_codes(name)
        decisions = [*self.requirements.values(), *self.advancements]
        if self.graduation is not None:
            decisions.append(self.graduation)
        for decision in decisions:
            _fill_reads(decision.node, self)
        extension_codes: set[str] = set()
        for _duration, node in self.pace.extensions if self.pace is not None else ():
            extension_codes |= _fill_reads(node, self)
        self._pace_extension_codes = frozenset(extension_codes)
        self._pace_codes = frozenset(self.pace.codes_read(self) if self.pace is not None else ())
        #: The competencies each requirement reads, through references too.
        self._requirement_reads: dict[str, frozenset[str]] = dict(self._requirement_codes)
        #: The scores every competency's scale allows (``None`` when no score is on all).
        self._common_range: tuple[Decimal, Decimal] | None = None
        if self.competencies:
            lowest = max(plan.minimum for plan in self.competencies.values())
            highest = min(plan.maximum for plan in self.competencies.values())
            if lowest <= highest:
                self._common_range = (lowest, highest)
        #: The competencies whose first-proficient dates pace needs.
        self.pace_selection: frozenset[str] = frozenset(
            policy.pace.codes if policy.pace is not None else ()
        )

    def _has_pathway(self, node: Node, seen: set[str]) -> bool:
        if isinstance(node, GroupNode):
            return node.pathway is not None or any(
                self._has_pathway(child, seen) for child in node.children
            )
        if isinstance(node, NotNode):
            return self._has_pathway(node.child, seen)
        if isinstance(node, RequirementNode) and node.name not in seen:
            seen.add(node.name)
            target = self.requirements.get(node.name)
            return target is not None and self._has_pathway(target.node, seen)
        return False

    def requirement_codes(self, name: str) -> frozenset[str]:
        """The competencies requirement ``name`` reads, through references too."""
        found = self._requirement_codes.get(name)
        if found is None:
            # Only while the plan is built (afterwards every name is known): an empty answer
            # guards against reference cycles, which the checker rejects anyway.
            self._requirement_codes[name] = frozenset()
            plan = self.requirements.get(name)
            found = frozenset(plan.node.codes(self) if plan is not None else ())
            self._requirement_codes[name] = found
        return found

    def unknown_competency(self, code: str) -> str:
        """The reason evidence for an unknown competency is rejected."""
        close = difflib.get_close_matches(code, list(self.competencies), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"evidence for unknown competency `{code}`{hint}"

    def prepare(self, evidence: Evidence) -> Evidence | Rejection:
        """``evidence`` ready to evaluate (its score made a Decimal), or the reason it cannot be
        used (the learner is not checked here)."""
        plan = self.competencies.get(evidence.competency)
        if plan is None:
            return Rejection(
                "MK351",
                self.unknown_competency(evidence.competency),
                evidence.origin or Origin(),
                evidence,
            )
        stamp: Any = evidence.timestamp
        if not isinstance(stamp, dt.date):
            return Rejection(
                "MK355",
                f"timestamp `{stamp}` on `{evidence.competency}` is not a date or a date and time",
                evidence.origin or Origin(),
                evidence,
            )
        score: Any = evidence.score
        if type(score) is not Decimal:
            try:
                score = as_decimal(score)
            except (ArithmeticError, TypeError, ValueError):
                score = None
        if score is None or not score.is_finite():
            return Rejection(
                "MK353",
                f"score `{evidence.score}` on `{evidence.competency}` is not a number",
                evidence.origin or Origin(),
                evidence,
            )
        if score < plan.minimum or score > plan.maximum:
            return Rejection(
                "MK352",
                f"score `{format_decimal(score)}` is off the scale of `{evidence.competency}` "
                f"({format_decimal(plan.minimum)} to {format_decimal(plan.maximum)})",
                evidence.origin or Origin(),
                evidence,
            )
        if score is not evidence.score:
            return attrs.evolve(evidence, score=score)
        return evidence

    def usable(self, groups: Mapping[str, list[Evidence]]) -> bool:
        """Whether every piece of one learner's evidence on the policy's competencies (grouped
        by competency) has a finite Decimal score within every competency's scale and a plain
        date (checked at C speed for all of them at once; when not, each competency's evidence
        is checked on its own)."""
        if self._common_range is None:
            return False
        competencies = self.competencies
        if groups.keys() <= competencies.keys():
            pieces = list(chain.from_iterable(groups.values()))
        else:
            pieces = [
                piece for code, items in groups.items() if code in competencies for piece in items
            ]
        if not pieces:
            return False
        scores: list[Decimal] = list(map(_score, pieces))
        if set(map(type, scores)) != _DECIMAL or set(map(type, map(_timestamp, pieces))) != _PLAIN:
            return False
        try:
            # INVARIANT: every score is a Decimal (checked above), so equal values are equal
            # scores and the range of the distinct values is the range of all of them.
            values = set(scores)
        except TypeError:  # a signalling NaN cannot be hashed
            return False
        if not all(map(_finite, values)):
            return False
        lowest, highest = self._common_range
        return lowest <= min(values) and max(values) <= highest

    def accept(
        self,
        code: str,
        items: list[Evidence],
        rejections: list[Rejection],
        checked: bool = False,
    ) -> tuple[list[Evidence], bool] | None:
        """One learner's evidence on competency ``code``, checked and sorted: the usable pieces
        and whether their timestamps are plain dates (``None`` when none is usable); the others
        are added to ``rejections``. ``checked``: :meth:`usable` said yes for these pieces."""
        plan = self.competencies.get(code)
        if plan is not None and plan.take(items, checked):
            return items, True
        kept = []
        for piece in items:
            prepared = self.prepare(piece)
            if isinstance(prepared, Rejection):
                rejections.append(prepared)
            else:
                kept.append(prepared)
        items = kept
        if not items:
            return None
        return items, sort_evidence(items)

    def window_starts(self, as_of: dt.date) -> dict[str, dt.date | None]:
        """Each competency's first counted day as of ``as_of``."""
        cache: dict[Duration, dt.date] = {}
        found: dict[str, dt.date | None] = {}
        for code, plan in self.competencies.items():
            window = plan.window
            if window is None:
                found[code] = None
            else:
                if window not in cache:
                    found_start = window_start(window, as_of)
                    assert found_start is not None
                    cache[window] = found_start
                found[code] = cache[window]
        return found

    def learner(
        self,
        learner: Learner,
        buckets: Mapping[str, tuple[list[Evidence], bool]],
        state: RunState,
        dates: frozenset[str] | None = None,
    ) -> LearnerResult:
        """Evaluate one learner whose evidence is grouped by competency (see :meth:`accept`),
        as of ``state.as_of``.

        ``dates`` names the competencies whose first-proficient date is worked out (``None``:
        all of them).
        """
        comps: dict[str, CompetencyResult] = {}
        as_of = state.as_of
        starts = state.window_starts
        empty = state.empty
        for code, plan in self.competencies.items():
            found = buckets.get(code)
            if found is not None:
                comps[code] = plan.evaluate(
                    found[0], as_of, starts[code], state, dates is None or code in dates, found[1]
                )
            else:
                result = empty.get(code)
                if result is None:
                    result = empty[code] = plan.not_started((), starts[code], state)
                comps[code] = result
        return self.decide(learner, comps, as_of)

    def decide(
        self,
        learner: Learner,
        comps: Mapping[str, CompetencyResult],
        as_of: dt.date,
        previous: LearnerResult | None = None,
        touched: frozenset[str] | None = None,
        views: Views | None = None,
    ) -> LearnerResult:
        """Requirements, advancements, graduation and pace for evaluated competencies.

        With ``previous`` and ``touched``, only what reads a touched competency is evaluated
        again: a clause whose inputs are the same keeps its previous result (the same object),
        and so does a decision or pace whose results are all the same, so the changes are found
        by identity checks before any comparison. ``views`` are the :func:`views_of` ``comps``
        when the caller keeps them up to date.
        """
        if previous is None or touched is None:
            ctx = Context(self, learner.attributes, comps)
            requirements = {name: ctx.requirement(name) for name in self.requirements}
            advancements = [plan.decide(ctx) for plan in self.advancements]
            graduation = self.graduation.decide(ctx) if self.graduation is not None else None
            pace = self.pace.evaluate(ctx, as_of) if self.pace is not None else None
        else:
            ctx = Context(
                self,
                learner.attributes,
                comps,
                None,
                previous.requirements,
                touched,
                previous.competencies,
                views,
            )
            reads = self._requirement_reads
            for name, decision in previous.requirements.items():
                if touched.isdisjoint(reads[name]):
                    ctx.requirements[name] = self.requirements[name].keep(decision, ctx)
            requirements = {name: ctx.requirement(name) for name in self.requirements}
            advancements = [
                plan.decide(ctx, before)
                for plan, before in zip(self.advancements, previous.advancements, strict=True)
            ]
            graduation = None
            if self.graduation is not None:
                graduation = self.graduation.decide(ctx, previous.graduation)
            pace = previous.pace
            if self.pace is not None and (
                pace is None or not self.pace.unchanged(ctx, self.pace_extension_codes())
            ):
                found = self.pace.evaluate(ctx, as_of)
                pace = pace if found == pace else found
            # The next steps of the decisions made here read ``ctx`` later; it must not keep the
            # previous results (and through them every earlier result) alive.
            ctx.previous = None
            ctx.before = None
        return LearnerResult(
            learner,
            comps,
            {name: decision for name, decision in requirements.items() if decision is not None},
            tuple(advancements),
            graduation,
            pace,
        )

    def node_codes(self, node: Node) -> frozenset[str]:
        """The competencies a compiled clause reads (through requirement references too)."""
        found = node.read
        # INVARIANT: the constructor filled ``read`` on every node of the plan.
        assert found is not None
        return found

    def decision_codes(self, plan: DecisionPlan) -> frozenset[str]:
        """The competencies a decision reads (through requirement references too)."""
        return self.node_codes(plan.node)

    def pace_extension_codes(self) -> frozenset[str]:
        """The competencies pace's extensions read."""
        return self._pace_extension_codes

    def pace_codes(self) -> frozenset[str]:
        """The competencies pace reads."""
        return self._pace_codes


def _fill_reads(node: Node, plan: CompiledPolicy) -> frozenset[str]:
    """Fill ``read`` on ``node`` and every node below it (while the plan is built), sharing
    one set between a node and its only child, so a large selection is held once."""
    if isinstance(node, GroupNode):
        below = [_fill_reads(child, plan) for child in node.children]
        distinct = {id(codes): codes for codes in below}
        found = below[0] if len(distinct) == 1 else frozenset().union(*below)
    elif isinstance(node, NotNode):
        found = _fill_reads(node.child, plan)
    elif isinstance(node, TestNode):
        found = node.chosen
    elif isinstance(node, RequirementNode):
        found = plan.requirement_codes(node.name)
    else:
        found = frozenset(node.codes(plan))
    node.read = found
    return found


_CACHE: weakref.WeakKeyDictionary[Policy, CompiledPolicy] = weakref.WeakKeyDictionary()


def compile_policy(policy: Policy) -> CompiledPolicy:
    """The compiled form of ``policy`` (compiled once per policy object, then reused)."""
    found = _CACHE.get(policy)
    if found is None:
        found = CompiledPolicy(policy)
        _CACHE[policy] = found
    return found
