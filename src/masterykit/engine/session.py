"""Online evaluation: one learner, evidence arriving one piece at a time.

A :class:`Session` keeps one learner's result up to date. :meth:`Session.add` re-evaluates only
the competency the new evidence is about and the decisions (requirements, advancements,
graduation, pace) that read it, and says what changed; :meth:`Session.replace` and
:meth:`Session.remove` do the same for a corrected or withdrawn piece (by its ``source_id``),
and :meth:`Session.move` moves the session to another as-of date or policy. Its result is always
equal to a full :func:`~masterykit.engine.evaluate` of the same policy, learner and evidence.

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
import itertools
import threading
from collections.abc import Iterable
from types import MappingProxyType
from typing import Literal

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
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
from masterykit.evidence import Evidence, Learner, Rejection, repeated_source_id
from masterykit.numbers import short_text
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
    """What one update of a :class:`Session` changed: only results that differ are listed.

    ``rejections`` holds evidence the update could not use (``MK350``–``MK353``, a repeated
    ``source_id`` ``MK314``); it changed nothing.
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
    """One learner's results, kept current as evidence arrives, is corrected or is withdrawn.

    A session can live as long as a service: :meth:`add`, :meth:`replace` and :meth:`remove`
    change its evidence, :meth:`move` moves it to another as-of date or policy, and after each
    its :attr:`result` equals a full :func:`~masterykit.engine.evaluate` of the same policy,
    learner and evidence as of the same date.

    A ``source_id`` names one piece of evidence: a piece whose ``source_id`` the session
    already holds (a retried request) is counted once, as the first one, and the repeat is
    rejected with ``MK314``, as :func:`~masterykit.engine.evaluate` and the readers do. Pieces
    without a ``source_id`` are all kept, but cannot be replaced or removed.

    Every method that changes the session holds an internal lock, so threads may share one
    session: each update sees the one before it complete, and :attr:`result` is always the
    result of one whole update.

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
        self._first_proficient = first_proficient
        self._lock = threading.Lock()
        self._keys = itertools.count()
        #: Every piece offered and not removed, by arrival (repeats of a source_id excepted).
        self._offered: dict[int, Evidence] = {}
        #: The arrival of the piece holding each source_id.
        self._ids: dict[str, int] = {}
        #: Why each piece that could not be used was not, by arrival.
        self._rejected: dict[int, Rejection] = {}
        #: The pieces in use (ready to evaluate), by arrival, and where they are.
        self._accepted: dict[int, Evidence] = {}
        for piece in evidence:
            self._hold(piece)
        self._result = self._rebuild()

    @property
    def result(self) -> LearnerResult:
        """The learner's current result."""
        return self._result

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every piece of evidence this session holds but cannot use, and every repeat of a
        ``source_id``, in arrival order."""
        with self._lock:
            return tuple(self._rejected[key] for key in sorted(self._rejected))

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The accepted evidence, per competency in policy order, oldest first."""
        with self._lock:
            return tuple(
                item
                for code in self._plan.competencies
                for item in self._buckets.get(code, ((), True))[0]
            )

    # --- changing the evidence -----------------------------------------------------------------

    def add(self, evidence: Evidence | Iterable[Evidence]) -> Changes:
        """Add one piece of evidence (or several) and re-evaluate what it affects.

        Returns:
            The competencies, decisions and pace whose results changed, and any rejections
            (a repeated ``source_id`` is ``MK314``).
        """
        pieces = [evidence] if isinstance(evidence, Evidence) else list(evidence)
        with self._lock:
            rejections: list[Rejection] = []
            touched: set[str] = set()
            for piece in pieces:
                found = self._offer(piece)
                if isinstance(found, Rejection):
                    rejections.append(found)
                else:
                    touched.add(found)
            return self._update(touched, rejections)

    def remove(self, source_id: str, *, missing_ok: bool = False) -> Changes:
        """Withdraw the piece of evidence with ``source_id`` and re-evaluate what it affected.

        A piece the session could not use is withdrawn too (its rejection goes).

        Args:
            source_id: the ``source_id`` of the piece.
            missing_ok: when the session holds no piece with ``source_id``, change nothing
                and return no changes instead of raising (for a retried withdrawal).

        Raises:
            EvidenceError: ``MK383`` when the session holds no piece with ``source_id``.

        .. versionadded:: 0.1
        """
        with self._lock:
            key = self._ids.get(source_id)
            if key is None:
                if missing_ok:
                    return Changes()
                raise _unknown_source_id(source_id)
            touched = self._withdraw(key, source_id)
            return self._update({touched} if touched is not None else set(), [])

    def replace(self, evidence: Evidence) -> Changes:
        """Put ``evidence`` in place of the piece with the same ``source_id`` (a corrected
        score, date or kind), and re-evaluate what either affects.

        The piece replaced is withdrawn even when ``evidence`` cannot be used (another
        learner's, an unknown competency …): ``evidence`` is then held with its rejection, as
        :meth:`add` holds it.

        Raises:
            EvidenceError: ``MK384`` when ``evidence`` has no ``source_id``, ``MK383`` when the
                session holds no piece with it.

        .. versionadded:: 0.1
        """
        source_id = evidence.source_id
        if type(source_id) is not str:
            raise EvidenceError(
                [
                    Diagnostic(
                        "MK384",
                        "evidence to replace has no `source_id`, so which piece it replaces "
                        "is unknown",
                        help="give the evidence the `source_id` of the piece it corrects, or "
                        "add it as new evidence",
                    )
                ]
            )
        with self._lock:
            key = self._ids.get(source_id)
            if key is None:
                raise _unknown_source_id(source_id)
            touched: set[str] = set()
            rejections: list[Rejection] = []
            before = self._withdraw(key, source_id)
            if before is not None:
                touched.add(before)
            found = self._offer(evidence)
            if isinstance(found, Rejection):
                rejections.append(found)
            else:
                touched.add(found)
            return self._update(touched, rejections)

    def move(
        self, *, as_of: dt.date | dt.datetime | None = None, policy: Policy | None = None
    ) -> Changes:
        """Evaluate the same learner and evidence as of another date, or under another policy
        (a district's edit, loaded and checked), or both, without starting again.

        The result equals a new session's with the new date and policy and the same evidence
        (evidence the new policy cannot use is rejected; evidence it now can use counts).

        Returns:
            What changed: competencies and decisions found in both policies whose results
            differ (one that only the new policy has is not a change: read it in
            :attr:`result`), pace when both have it and it differs, and the rejections of
            evidence that was in use before and is not any more.

        Raises:
            TypeError: when neither ``as_of`` nor ``policy`` is given.

        .. versionadded:: 0.1
        """
        if as_of is None and policy is None:
            raise TypeError("move() needs as_of, policy or both")
        with self._lock:
            before = self._result
            used = set(self._accepted)
            if policy is not None:
                # Compiled (and remembered) before anything changes: a policy that cannot be
                # compiled leaves the session as it was.
                compile_policy(policy)
                self.policy = policy
            if as_of is not None:
                self.as_of = normalise_as_of(as_of)
            after = self._result = self._rebuild()
            dropped = tuple(self._rejected[key] for key in sorted(used - set(self._accepted)))
            return _compare(before, after, dropped)

    # --- inside --------------------------------------------------------------------------------

    def _rebuild(self) -> LearnerResult:
        """Compile the policy, prepare every piece held and evaluate the learner in full."""
        self._plan = plan = compile_policy(self.policy)
        #: What this session's evaluations remember (never shared with another session).
        self._state = RunState(plan, self.as_of)
        self._dates = None if self._first_proficient == "all" else plan.pace_selection
        #: The learner as evaluated: with the attributes in force on the as-of date.
        self._learner = self.learner.on(self.as_of)
        self._buckets: dict[str, tuple[list[Evidence], bool]] = {}
        self._accepted = {}
        # Repeats of a source_id stay rejected whatever the policy; the others are prepared
        # again.
        self._rejected = {
            key: rejection for key, rejection in self._rejected.items() if key not in self._offered
        }
        for key, piece in self._offered.items():
            item = self._prepare(piece)
            if isinstance(item, Rejection):
                self._rejected[key] = item
            else:
                self._accepted[key] = item
                self._buckets.setdefault(item.competency, ([], True))[0].append(item)
        for code, (items, _plain) in self._buckets.items():
            self._buckets[code] = (items, sort_evidence(items))
        result = plan.learner(self._learner, self._buckets, self._state, self._dates)
        #: What competency tests read of the current result, kept up to date by updates.
        self._views: Views = views_of(result.competencies)
        return result

    def _prepare(self, piece: Evidence) -> Evidence | Rejection:
        if piece.learner != self.learner.id:
            return unlisted_learner(piece)
        return self._plan.prepare(piece)

    def _hold(self, piece: Evidence) -> int | Rejection:
        """Keep ``piece`` among the evidence offered: its arrival key, or the ``MK314``
        rejection of a repeated ``source_id``."""
        key = next(self._keys)
        source_id = piece.source_id
        if type(source_id) is str:
            first = self._ids.get(source_id)
            if first is not None:
                repeat = self._rejected[key] = repeated_source_id(
                    piece, self._offered[first].origin
                )
                return repeat
            self._ids[source_id] = key
        self._offered[key] = piece
        return key

    def _offer(self, piece: Evidence) -> str | Rejection:
        """Take ``piece`` in: the competency whose evidence it joined, or why it cannot be
        used."""
        key = self._hold(piece)
        if isinstance(key, Rejection):
            return key
        item = self._prepare(piece)
        if isinstance(item, Rejection):
            self._rejected[key] = item
            return item
        self._accepted[key] = item
        code = item.competency
        items = self._buckets.get(code, ([], True))[0]
        items.append(item)
        self._buckets[code] = (items, sort_evidence(items))
        return code

    def _withdraw(self, key: int, source_id: str) -> str | None:
        """Take the piece that arrived as ``key`` out: the competency whose evidence it left
        (``None`` when it was not in use)."""
        del self._ids[source_id]
        del self._offered[key]
        self._rejected.pop(key, None)
        item = self._accepted.pop(key, None)
        if item is None:
            return None
        code = item.competency
        items = self._buckets[code][0]
        # INVARIANT: the bucket holds this very object (equal pieces may differ in origin).
        del items[next(i for i, held in enumerate(items) if held is item)]
        if items:
            self._buckets[code] = (items, sort_evidence(items))
        else:
            del self._buckets[code]
        return code

    def _competency(self, code: str) -> CompetencyResult:
        """The result of competency ``code`` for the evidence held, as a full evaluation
        gives it."""
        state = self._state
        found = self._buckets.get(code)
        plan = self._plan.competencies[code]
        if found is None:
            result = state.empty.get(code)
            if result is None:
                result = state.empty[code] = plan.not_started((), state.window_starts[code], state)
            return result
        items, plain = found
        return plan.evaluate(
            items,
            self.as_of,
            state.window_starts[code],
            state,
            self._dates is None or code in self._dates,
            plain,
        )

    def _update(self, touched: set[str], rejections: list[Rejection]) -> Changes:
        """Evaluate the ``touched`` competencies again, and what reads them."""
        if not touched:
            return Changes(rejections=tuple(rejections))
        before = self._result
        # A read-only view's copy() copies the dict it shows at C speed (dict() of a view goes
        # key by key).
        current = before.competencies
        comps = current.copy() if isinstance(current, MappingProxyType) else dict(current)
        for code in touched:
            comps[code] = self._competency(code)
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
            self._learner,
            comps,
            self.as_of,
            previous=before,
            touched=frozenset(touched),
            views=views,
        )
        self._result = after
        self._views = views
        return _diff(before, after, tuple(rejections), touched)


def _unknown_source_id(source_id: str) -> EvidenceError:
    """``MK383``: no piece in the session has ``source_id``."""
    return EvidenceError(
        [
            Diagnostic(
                "MK383",
                f"no evidence with source_id `{short_text(source_id)}` in this session",
                help="it was never added, or was removed already; pass `missing_ok=True` to "
                "`remove` to make withdrawing twice harmless",
            )
        ]
    )


def _compare(
    before: LearnerResult, after: LearnerResult, rejections: tuple[Rejection, ...]
) -> Changes:
    """What changed between two full evaluations, maybe of different policies: the
    competencies and decisions both have, matched by code and by kind and name."""
    competencies = tuple(
        CompetencyChange(old, new)
        for code, new in after.competencies.items()
        if (old := before.competencies.get(code)) is not None and old != new
    )
    earlier = {(d.kind, d.name): d for d in before.decisions()}
    decisions = tuple(
        DecisionChange(was, now)
        for now in after.decisions()
        if (was := earlier.get((now.kind, now.name))) is not None and was != now
    )
    pace = None
    if before.pace is not None and after.pace is not None and before.pace != after.pace:
        pace = PaceChange(before.pace, after.pace)
    return Changes(competencies, decisions, pace, rejections)


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
