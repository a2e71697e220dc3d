"""One competency's evaluation, compiled: its evidence rules, calculation, cut and window, the
fast paths that check and sort a learner's evidence at C speed, and the first-proficient search.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
    Underflow,
)
from itertools import islice

from masterykit.engine._state import (
    _AFTER,
    _DECIMAL,
    _DEVELOPING,
    _INSUFFICIENT,
    _NOT_STARTED,
    _OUTSIDE,
    _PLAIN,
    _PROFICIENT,
    Checked,
    RunState,
    _date_score,
    _finite,
    _kind,
    _score,
    _timestamp,
    _window_start,
)
from masterykit.engine.results import (
    CompetencyResult,
    SufficiencyCheck,
    UnusedEvidence,
    new_competency_result,
    new_sufficiency_check,
    new_unused_evidence,
)
from masterykit.engine.semantics import (
    evidence_key,
    sufficient,
)
from masterykit.evidence import Evidence, as_moment
from masterykit.numbers import round_score as round_decimal
from masterykit.policy import (
    CompetencyRules,
    Duration,
    Policy,
    Provenance,
)
from masterykit.registry import MethodContext, MethodFunction, PrefixFunction

__all__ = [
    "CompetencyPlan",
    "cut_threshold",
]

_CENT = Decimal("0.01")
_HALF_CENT = Decimal("0.005")
#: Room for any cut's whole cents; a cut too large for it raises (and is compared rounded).
_WIDE = Context(prec=100, traps=[InvalidOperation, Overflow])
#: Exact arithmetic for thresholds: anything it would round raises instead.
_EXACT = Context(prec=100, traps=[Inexact, InvalidOperation, Overflow, Underflow])


def cut_threshold(cut: Decimal) -> tuple[Decimal, bool] | None:
    """When an unrounded Decimal score reaches ``cut`` once rounded (two decimals, half away
    from zero): above the returned value, or equal to it when the flag is true (``None`` for a
    cut that is not a finite Decimal).

    Rounded scores are whole cents, so reaching ``cut`` is reaching ``c``, the cut rounded up
    to a whole cent; a score reaches ``c`` once rounded when it is above ``c − 0.005``, and
    when it is exactly that if it is not negative (a tie rounds away from zero). Comparing the
    unrounded score saves a rounding per evidence date in the first-proficient search.
    """
    if type(cut) is not Decimal or not cut.is_finite():
        return None
    try:
        cents = cut.quantize(_CENT, rounding=ROUND_CEILING, context=_WIDE)
        threshold = _EXACT.subtract(cents, _HALF_CENT)
    except ArithmeticError:  # too many digits to work out exactly: compare rounded scores
        return None
    return threshold, threshold >= 0


# --- competencies ----------------------------------------------------------------------------


class CompetencyPlan:
    """Everything needed to evaluate one competency, resolved once."""

    __slots__ = (
        "args",
        "calculation",
        "checks_key",
        "code",
        "context",
        "count_kinds",
        "counts",
        "cut",
        "cut_rule",
        "cut_threshold",
        "function",
        "kinds_read",
        "least",
        "maximum",
        "minimum",
        "names",
        "needs",
        "prefixes",
        "reads_timestamps",
        "rules",
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
        #: The unrounded Decimal scores whose rounded score reaches the cut: those above the
        #: threshold, and the threshold itself when the flag says so (``None``: compare the
        #: rounded score). See :func:`cut_threshold`.
        self.cut_threshold = cut_threshold(self.cut)
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
        #: Per ``evidence at least`` rule, the kinds it counts (sorted), or ``None`` for all.
        self.count_kinds: tuple[tuple[str, ...] | None, ...] = tuple(
            kinds if wanted is not None else None for _, wanted, kinds, _ in counts
        )
        #: The evidence rules as checked (needed, kinds, where set, variety), in the order of
        #: :meth:`actuals`; competencies with equal rules share checked results in a run.
        self.rules: tuple[tuple[int, tuple[str, ...], Provenance, bool], ...] = tuple(
            [(n, kinds, source, False) for n, _wanted, kinds, source in counts]
            + ([(self.variety[0], (), self.variety[1], True)] if self.variety is not None else [])
        )
        #: The key of the checked rules remembered in a run (the compiled policy gives
        #: competencies with equal rules one key).
        self.checks_key: str = code
        #: Whether any evidence rule looks at kinds.
        self.kinds_read = self.variety is not None or any(k is not None for _, k, _, _ in counts)
        #: The fewest pieces of evidence that can be sufficient.
        self.least = max([n for n, k, _, _ in counts if k is None] + [1])

    def actuals(self, items: Sequence[Evidence]) -> tuple[int, ...]:
        """How many of ``items`` each evidence rule counts, in rule order."""
        if not self.kinds_read:
            return (len(items),) * len(self.counts)
        kinds = list(map(_kind, items))
        count = kinds.count
        # INVARIANT: a rule's kinds are distinct, so the pieces of each kind add up to the
        # pieces of any of them.
        actual = [
            len(items) if wanted is None else sum(map(count, wanted)) for wanted in self.count_kinds
        ]
        if self.variety is not None:
            distinct = set(kinds)
            distinct.discard(None)
            distinct.discard("")
            actual.append(len(distinct))
        return tuple(actual)

    def checks_for(self, key: tuple[int, ...], state: RunState) -> Checked:
        """The checked evidence rules for the counts ``key`` and whether all of them are met
        (remembered in ``state``: most learners have one of a few counts)."""
        memo = state.checks.get(self.checks_key)
        if memo is None:
            memo = state.checks[self.checks_key] = {}
        found = memo.get(key)
        if found is None:
            checks = tuple(
                new_sufficiency_check(needed, count, count >= needed, source, kinds, variety)
                for (needed, kinds, source, variety), count in zip(self.rules, key, strict=True)
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
        if not checked:
            scores: list[Decimal] = list(map(_score, items))
            if (
                set(map(type, scores)) != _DECIMAL
                or set(map(type, map(_timestamp, items))) != _PLAIN
            ):
                return None
            if not all(map(_finite, scores)):
                return None
            if not (self.minimum <= min(scores) and max(scores) <= self.maximum):
                return None
        if len(set(map(_timestamp, items))) == len(items):
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
        return new_competency_result(
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
            # The last moment of the as-of day (the day after may not exist: 9999-12-31).
            end = dt.datetime.combine(as_of, dt.time.max)
            moments = [as_moment(stamp) for stamp in map(_timestamp, items)]
            high = bisect_right(moments, end)
            if start is not None:
                low = bisect_left(moments, state.moment(start), 0, high)
        if low == 0 and high == count:
            used = items
            unused: tuple[UnusedEvidence, ...] = ()
        else:
            used = items[low:high]
            unused = tuple(
                [new_unused_evidence(item, _OUTSIDE) for item in items[:low]]
                + [new_unused_evidence(item, _AFTER) for item in items[high:]]
            )
        if not used:
            if not low:
                return self.not_started(unused, start, state)
            return new_competency_result(
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
        key = self.actuals(used) if self.kinds_read else (len(used),) * len(self.counts)
        memo = state.checks.get(self.checks_key)
        found = memo.get(key) if memo is not None else None
        checks, met = found if found is not None else self.checks_for(key, state)
        scores = list(map(_score, used))
        raw = self.function(
            scores,
            self.args,
            self.method_context(used, state, plain) if self.reads_timestamps else self.context,
        )
        score = level = None
        first = None
        if raw is None:
            status = _INSUFFICIENT
        else:
            # Rounded as semantics.round_score rounds (inlined: once per competency).
            score = (
                raw.quantize(_CENT, ROUND_HALF_UP) if type(raw) is Decimal else round_decimal(raw)
            )
            level = (
                self.names[bisect_right(self.values, score) - 1] if score >= self.minimum else None
            )
            if not met:
                status = _INSUFFICIENT
            elif score >= self.cut:
                status = _PROFICIENT
                if dates:
                    first = self.first_proficient(
                        items if high == count else items[:high],
                        state,
                        plain,
                        scores if low == 0 else None,
                    )
            else:
                status = _DEVELOPING
        return new_competency_result(
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
        self,
        items: Sequence[Evidence],
        state: RunState,
        plain: bool = False,
        known: list[Decimal] | None = None,
    ) -> dt.date | None:
        """The first evidence date on which, with the evidence up to then, the competency was
        sufficient and at or above the cut (``items``: sorted, none after the as-of date).

        The competency is evaluated as of each of its evidence dates, oldest first; the
        evidence counted as of a day is one slice of the sorted items. No slice shorter than
        the shortest sufficient run from the first piece can be sufficient, so the search
        starts there; a method with a running form (``MethodSpec.prefixes``) gives the scores
        of every slice that starts at the same piece in one pass, and other methods are called
        once per slice. ``known``: the scores of the first pieces of ``items``, when the caller
        has them.
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
        threshold = self.cut_threshold
        prefixes = self.prefixes
        scores: list[Decimal] | None = None
        if known is not None and len(known) == count:
            scores = known
        if window is None and prefixes is not None:
            # Every slice starts at the first piece: one running pass gives every score.
            if scores is None:
                scores = list(map(_score, items))
            every = prefixes(scores, self.args, self.method_context(items, state, plain))
            last = count - 1
            for index, value in enumerate(islice(every, ready - 1, None), ready - 1):
                if index < last and days[index + 1] == days[index]:
                    continue  # the day's last piece closes the slice
                if value is None:
                    continue
                if threshold is not None and type(value) is Decimal:
                    if value > threshold[0] or (threshold[1] and value == threshold[0]):
                        return days[index]
                elif round_decimal(value) >= cut:
                    return days[index]
            return None
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
            if raw is None:
                continue
            if threshold is not None and type(raw) is Decimal:
                if raw > threshold[0] or (threshold[1] and raw == threshold[0]):
                    return day
            elif round_decimal(raw) >= cut:
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
