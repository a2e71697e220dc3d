"""Online evaluation: one learner, evidence arriving one piece at a time.

A :class:`Session` keeps one learner's result up to date. :meth:`Session.add` re-evaluates only
the competency the new evidence is about and the decisions (requirements, advancements,
graduation, pace) that read it, and says what changed. Its result is always equal to a full
:func:`~masterykit.engine.evaluate` of the same policy, learner and evidence.

>>> import datetime as dt
>>> from decimal import Decimal
>>> from masterykit.policy import (CalculationRule, Competency, CompetencyRules, CutRule,
...     Level, Policy, Provenance, Scale)
>>> from masterykit.registry import MethodSpec
>>> scale = Scale("two", (Level("NotYet", Decimal(1)), Level("Yes", Decimal(2))))
>>> where = Provenance("demo.mastery", 3, 1, "Demo")
>>> rules = CompetencyRules(CalculationRule("highest", (), "highest", where),
...                         CutRule(Decimal(2), "Yes", where))
>>> policy = Policy("Demo", None, (), {"two": scale}, {"A.1": Competency("A.1", None, scale)},
...     {"A.1": rules}, methods={"highest": MethodSpec("highest", lambda s, a, c: max(s))})
>>> session = Session(policy, Learner("ana"), as_of=dt.date(2026, 6, 1))
>>> changes = session.add(Evidence("ana", "A.1", Decimal(2), dt.date(2026, 5, 1)))
>>> [(c.before.status.value, c.after.status.value) for c in changes.competencies]
[('not_started', 'proficient')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from types import MappingProxyType
from typing import Literal

import attrs

from masterykit.engine._plan import (
    RunState,
    Views,
    compile_policy,
    sort_evidence,
    updated_views,
    views_of,
)
from masterykit.engine.evaluate import normalise_as_of, unlisted_learner
from masterykit.engine.results import (
    CompetencyResult,
    DecisionResult,
    LearnerResult,
    PaceResult,
)
from masterykit.engine.steps import reads_for_steps, step_view, steps_about
from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.policy import Policy

__all__ = ["Changes", "CompetencyChange", "DecisionChange", "PaceChange", "Session"]


@attrs.frozen(slots=True)
class CompetencyChange:
    """A competency's result before and after new evidence."""

    before: CompetencyResult
    after: CompetencyResult


@attrs.frozen(slots=True)
class DecisionChange:
    """A decision's result before and after new evidence."""

    before: DecisionResult
    after: DecisionResult

    @property
    def flipped(self) -> bool:
        """Whether the decision went from not met to met, or back."""
        return self.before.held != self.after.held


@attrs.frozen(slots=True)
class PaceChange:
    """The pace result before and after new evidence."""

    before: PaceResult
    after: PaceResult


@attrs.frozen(slots=True)
class Changes:
    """What one :meth:`Session.add` changed: only results that differ are listed.

    ``rejections`` holds evidence that could not be used (``MK350``–``MK353``); it changed
    nothing.
    """

    competencies: tuple[CompetencyChange, ...] = ()
    decisions: tuple[DecisionChange, ...] = ()
    pace: PaceChange | None = None
    rejections: tuple[Rejection, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether any result changed."""
        return bool(self.competencies or self.decisions or self.pace)


class Session:
    """One learner's results, kept current as evidence arrives.

    Args:
        policy: the checked policy.
        learner: the learner (evidence for another learner is rejected with ``MK350``).
        evidence: evidence known at the start.
        as_of: the evaluation date (today when ``None``).
        first_proficient: as for :func:`~masterykit.engine.evaluate`.
    """

    def __init__(
        self,
        policy: Policy,
        learner: Learner,
        evidence: Iterable[Evidence] = (),
        *,
        as_of: dt.date | dt.datetime | None = None,
        first_proficient: Literal["pace", "all"] = "pace",
    ):
        self.policy = policy
        self.learner = learner
        self.as_of = normalise_as_of(as_of)
        self._plan = compile_policy(policy)
        #: What this session's evaluations remember (never shared with another session).
        self._state = RunState(self._plan, self.as_of)
        self._dates = None if first_proficient == "all" else self._plan.pace_selection
        self._buckets: dict[str, tuple[list[Evidence], bool]] = {}
        self._rejections: list[Rejection] = []
        for piece in evidence:
            item = self._prepare(piece)
            if isinstance(item, Rejection):
                self._rejections.append(item)
            else:
                self._buckets.setdefault(piece.competency, ([], True))[0].append(item)
        for code, (items, _plain) in self._buckets.items():
            self._buckets[code] = (items, sort_evidence(items))
        self._result = self._plan.learner(learner, self._buckets, self._state, self._dates)
        #: What competency tests read of the current result, kept up to date by :meth:`add`.
        self._views: Views = views_of(self._result.competencies)

    @property
    def result(self) -> LearnerResult:
        """The learner's current result."""
        return self._result

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every piece of evidence this session could not use, in arrival order."""
        return tuple(self._rejections)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The accepted evidence, per competency in policy order, oldest first."""
        return tuple(
            item
            for code in self._plan.competencies
            for item in self._buckets.get(code, ((), True))[0]
        )

    def _prepare(self, piece: Evidence) -> Evidence | Rejection:
        if piece.learner != self.learner.id:
            return unlisted_learner(piece)
        return self._plan.prepare(piece)

    def add(self, evidence: Evidence | Iterable[Evidence]) -> Changes:
        """Add one piece of evidence (or several) and re-evaluate what it affects.

        Returns:
            The competencies, decisions and pace whose results changed, and any rejections.
        """
        pieces = [evidence] if isinstance(evidence, Evidence) else list(evidence)
        rejections: list[Rejection] = []
        touched: set[str] = set()
        for piece in pieces:
            item = self._prepare(piece)
            if isinstance(item, Rejection):
                rejections.append(item)
                continue
            items = self._buckets.get(piece.competency, ([], True))[0]
            items.append(item)
            self._buckets[piece.competency] = (items, sort_evidence(items))
            touched.add(piece.competency)
        self._rejections.extend(rejections)
        if not touched:
            return Changes(rejections=tuple(rejections))
        before = self._result
        # A read-only view's copy() copies the dict it shows at C speed (dict() of a view goes
        # key by key).
        current = before.competencies
        comps = current.copy() if isinstance(current, MappingProxyType) else dict(current)
        for code in touched:
            items, plain = self._buckets[code]
            comps[code] = self._plan.competencies[code].evaluate(
                items,
                self.as_of,
                self._state.window_starts[code],
                self._state,
                self._dates is None or code in self._dates,
                plain,
            )
        continuum = self._plan.continuum
        if continuum.settled:
            # Readiness and gates read prerequisites: what comes after a touched competency
            # may change with it.
            touched |= continuum.settle(
                self._plan,
                comps,
                self._buckets,
                self._state,
                self._dates,
                fresh=touched,
                scope=continuum.affected(touched),
            )
        views = updated_views(self._views, comps, touched)
        after = self._plan.decide(
            self.learner,
            comps,
            self.as_of,
            previous=before,
            touched=frozenset(touched),
            views=views,
        )
        self._result = after
        self._views = views
        return _diff(before, after, tuple(rejections), touched)


def _diff(
    before: LearnerResult,
    after: LearnerResult,
    rejections: tuple[Rejection, ...],
    touched: set[str],
) -> Changes:
    """What changed from ``before`` to ``after``, where only the ``touched`` competencies were
    evaluated again (every other competency's result is the same object)."""
    old_competencies = before.competencies
    if len(touched) == 1:
        codes: Iterable[str] = touched
    else:
        codes = [code for code in after.competencies if code in touched]
    competencies = tuple(
        CompetencyChange(old_competencies[code], result)
        for code in codes
        if (result := after.competencies[code]) is not old_competencies[code]
        and result != old_competencies[code]
    )
    old = before.decisions()
    new = after.decisions()
    moves = _Moves(competencies)
    decisions = tuple(
        DecisionChange(a, b)
        for a, b in zip(old, new, strict=True)
        if _decision_changed(a, b, moves)
    )
    pace = None
    if (
        before.pace is not None
        and after.pace is not None
        and before.pace is not after.pace
        and before.pace != after.pace
    ):
        pace = PaceChange(before.pace, after.pace)
    return Changes(competencies, decisions, pace, rejections)


class _Moves:
    """The changed competencies of one update, and which of them changed in what next steps
    read of them (worked out only when a decision asks, and once)."""

    __slots__ = ("_moved", "changes", "codes")

    def __init__(self, changes: tuple[CompetencyChange, ...]):
        self.changes = changes
        self.codes = frozenset(change.before.code for change in changes)
        self._moved: frozenset[str] | None = None

    def moved(self) -> frozenset[str]:
        """The changed competencies whose :func:`step_view` changed."""
        if self._moved is None:
            self._moved = frozenset(
                change.before.code
                for change in self.changes
                if step_view(change.before) != step_view(change.after)
            )
        return self._moved


def _decision_changed(before: DecisionResult, after: DecisionResult, moves: _Moves) -> bool:
    """Whether a decision's result changed (both from the same compiled policy, where only the
    competencies of ``moves`` changed)."""
    if before is after:
        return False
    # INVARIANT: both come from the same decision of the same compiled policy, so kind, name,
    # title and source are the same; only the clause results, the pathways and the next steps
    # can differ.
    if before.clause is after.clause and before.pathways == after.pathways:
        # The same clause results: only the next steps, which read the competencies' results,
        # can differ, and only through a changed competency that they read and whose view
        # changed.
        if after.held or not moves.codes:
            return False
        moved = moves.moved()
        if not moved or not reads_for_steps(after.clause, moved):
            return False
        # INVARIANT: only the steps about the moved competencies can differ (the others read
        # the same results), and a step about one never equals a step about another.
        clause = after.clause
        return steps_about(clause, before.competencies, moved) != steps_about(
            clause, after.competencies, moved
        )
    return before != after
