"""The learning continuum: readiness, gating, and the continuum tests of clauses.

A competency is *ready* for a learner when every prerequisite (``after``, or a CASE import's
``precedes``) is proficient and it is not proficient itself. Readiness needs the results of other
competencies, so it is settled after every competency of a learner is evaluated, in continuum
order (prerequisites first): each result with prerequisites gets the ones still not proficient
(``waiting_on``).

Under ``evidence after prerequisites`` (off unless the policy says so) a competency's evidence
counts only from the day its prerequisites were all proficient (the latest of their
first-proficient dates); while one of them is not proficient, none counts. Evidence that does
not count for that reason is kept as unused evidence (``before_prerequisites``), so
explanations show it.

INVARIANT: a :class:`Continuum` is built once per compiled policy and never changed afterwards;
settling works on the caller's mapping of results only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING

import attrs

from masterykit.engine._state import RunState
from masterykit.engine.results import (
    CONTINUUM_TESTS,
    CompetencyResult,
    Status,
    UnusedEvidence,
    UnusedReason,
)
from masterykit.evidence import Evidence, as_moment
from masterykit.policy import GateRule, Policy

if TYPE_CHECKING:
    from masterykit.engine._plan import CompiledPolicy

__all__ = ["STATE_TESTS", "Continuum", "continuum_order", "state_split"]

_PROFICIENT = Status.PROFICIENT
_OUTSIDE = UnusedReason.OUTSIDE_WINDOW
_AFTER = UnusedReason.AFTER_AS_OF
_BEFORE = UnusedReason.BEFORE_PREREQUISITES

#: What each continuum test checks of one competency's result.
STATE_TESTS = CONTINUUM_TESTS


def state_split(
    test: str, selected: Iterable[str], competencies: Mapping[str, CompetencyResult]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``selected`` competencies a continuum test (``ready`` …) holds for, and the others."""
    check = STATE_TESTS[test]
    passing: list[str] = []
    failing: list[str] = []
    for code in selected:
        (passing if check(competencies[code]) else failing).append(code)
    return tuple(passing), tuple(failing)


def continuum_order(
    codes: Iterable[str], prerequisites: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """``codes`` with every competency after its prerequisites, otherwise in the order given
    (a stable topological order; prerequisites outside ``codes`` are ignored).

    >>> continuum_order(["M.3", "M.1", "M.2"], {"M.3": ("M.2",), "M.2": ("M.1",)})
    ('M.1', 'M.2', 'M.3')
    >>> continuum_order(["B", "A"], {})
    ('B', 'A')
    """
    wanted = list(dict.fromkeys(codes))
    inside = set(wanted)
    placed: set[str] = set()
    found: list[str] = []

    def place(code: str, path: set[str]) -> None:
        if code in placed or code in path:
            return  # INVARIANT: the checker rejects cycles; a cycle here is only skipped
        path.add(code)
        for before in prerequisites.get(code, ()):
            if before in inside:
                place(before, path)
        path.discard(code)
        placed.add(code)
        found.append(code)

    for code in wanted:
        place(code, set())
    return tuple(found)


def _day(evidence: Evidence) -> dt.date:
    stamp = evidence.timestamp
    return stamp if type(stamp) is dt.date else as_moment(stamp).date()


class Continuum:
    """The prerequisites of one compiled policy in continuum order, and its gates."""

    __slots__ = ("dependents", "gates", "order", "prerequisites", "settled")

    def __init__(self, policy: Policy):
        #: Each competency's prerequisites (only competencies that have some).
        self.prerequisites: dict[str, tuple[str, ...]] = {
            code: comp.prerequisites
            for code, comp in policy.competencies.items()
            if comp.prerequisites
        }
        #: Every competency, prerequisites first, otherwise in declaration order.
        self.order = continuum_order(policy.competencies, self.prerequisites)
        #: The competencies whose results are settled, in continuum order.
        self.settled = tuple(code for code in self.order if code in self.prerequisites)
        #: Each competency's ``evidence after prerequisites`` rule, when it has prerequisites.
        self.gates: dict[str, GateRule] = {}
        for code in self.settled:
            gate = policy.rules[code].gate
            if gate is not None:
                self.gates[code] = gate
        direct: dict[str, set[str]] = {}
        for code, before in self.prerequisites.items():
            for pre in before:
                direct.setdefault(pre, set()).add(code)
        #: Every competency that comes (directly or not) after each competency.
        self.dependents: dict[str, frozenset[str]] = {}
        for code in reversed(self.order):
            found: set[str] = set()
            for after in direct.get(code, ()):
                found.add(after)
                found |= self.dependents.get(after, frozenset())
            if found:
                self.dependents[code] = frozenset(found)

    @property
    def active(self) -> bool:
        """Whether any competency has prerequisites (else there is nothing to settle)."""
        return bool(self.settled)

    def affected(self, touched: Iterable[str]) -> set[str]:
        """``touched`` and every competency that comes after one of them."""
        found = set(touched)
        for code in list(found):
            found |= self.dependents.get(code, frozenset())
        return found

    def settle(
        self,
        plan: CompiledPolicy,
        comps: MutableMapping[str, CompetencyResult],
        buckets: Mapping[str, tuple[list[Evidence], bool]],
        state: RunState,
        dates: Collection[str] | None = None,
        fresh: Collection[str] | None = None,
        scope: Collection[str] | None = None,
    ) -> set[str]:
        """Settle readiness and gating in ``comps`` (one learner's results), in place.

        ``fresh`` names the results just evaluated from their evidence (``None``: all of them);
        a gated competency whose result is not fresh is evaluated again from ``buckets``.
        ``scope`` limits the work to those competencies (``None``: every one); ``dates`` names
        the competencies whose first-proficient date is worked out, as for
        :meth:`~masterykit.engine._plan.CompiledPolicy.learner`. Returns the
        competencies whose result changed; an equal result keeps the object it had.
        """
        changed: set[str] = set()
        for code in self.settled:
            if scope is not None and code not in scope:
                continue
            old = comps[code]
            result = old
            gate = self.gates.get(code)
            dated = dates is None or code in dates
            if gate is not None:
                base = old
                if fresh is not None and code not in fresh:
                    base = _evaluate(plan, code, buckets, state, dated)
                result = self._gate(plan, code, gate, base, comps, buckets, state, dated)
            waiting = tuple(
                pre for pre in self.prerequisites[code] if comps[pre].status is not _PROFICIENT
            )
            if result.waiting_on != waiting:
                result = attrs.evolve(result, waiting_on=waiting)
            if result is not old and result != old:
                comps[code] = result
                changed.add(code)
        return changed

    def _gate(
        self,
        plan: CompiledPolicy,
        code: str,
        gate: GateRule,
        result: CompetencyResult,
        comps: Mapping[str, CompetencyResult],
        buckets: Mapping[str, tuple[list[Evidence], bool]],
        state: RunState,
        dated: bool,
    ) -> CompetencyResult:
        """``result`` (evaluated from all of its evidence) with only the evidence dated on or
        after the day its prerequisites were all proficient counted."""
        opened: dt.date | None = None
        for pre in self.prerequisites[code]:
            found = comps[pre]
            if found.status is not _PROFICIENT:
                opened = None
                break
            day = found.first_proficient or _first_proficient(plan, pre, found, buckets, state)
            if day is None:  # pragma: no cover - a proficient competency has a first day
                opened = None
                break
            opened = day if opened is None else max(opened, day)
        used = result.used
        gated = used if opened is None else tuple(item for item in used if _day(item) < opened)
        if not gated:
            return attrs.evolve(result, gate=gate, gate_opened=opened)
        competency = plan.competencies[code]
        kept = list(used[len(gated) :])
        start = state.window_starts[code]
        if kept:
            plain = buckets[code][1] if code in buckets else False
            counted = competency.evaluate(kept, state.as_of, start, state, dated, plain)
        else:
            counted = attrs.evolve(
                competency.not_started((), start, state), status=Status.INSUFFICIENT
            )
        unused = (
            [item for item in result.unused if item.reason is _OUTSIDE]
            + [UnusedEvidence(item, _BEFORE) for item in gated]
            + [item for item in result.unused if item.reason is _AFTER]
        )
        return attrs.evolve(counted, unused=tuple(unused), gate=gate, gate_opened=opened)


def _evaluate(
    plan: CompiledPolicy,
    code: str,
    buckets: Mapping[str, tuple[list[Evidence], bool]],
    state: RunState,
    dated: bool,
) -> CompetencyResult:
    """``code``'s result from all of its evidence, before any gate."""
    competency = plan.competencies[code]
    start = state.window_starts[code]
    found = buckets.get(code)
    if found is None or not found[0]:
        return competency.not_started((), start, state)
    return competency.evaluate(found[0], state.as_of, start, state, dated, found[1])


def _first_proficient(
    plan: CompiledPolicy,
    code: str,
    result: CompetencyResult,
    buckets: Mapping[str, tuple[list[Evidence], bool]],
    state: RunState,
) -> dt.date | None:
    """The first-proficient date of a proficient competency whose result was worked out
    without it (its counted evidence and the older evidence outside its window)."""
    items = [item.evidence for item in result.unused if item.reason is _OUTSIDE]
    items.extend(result.used)
    plain = buckets[code][1] if code in buckets else False
    return plan.competencies[code].first_proficient(items, state, plain)
