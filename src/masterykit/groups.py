"""Flexible regrouping: learners grouped by their next learning target.

For each target (a competency), every learner who is ready for it or working on it is placed in
exactly one group, with the facts that put them there:

* **ready**: every prerequisite is proficient and the learner has no evidence on it yet;
* **in progress**: started, not proficient, and not (yet) in need of reteaching;
* **needs reteaching**: below the cut with evidence that is not enough (``insufficient`` with
  no score, or one below the cut), or below the cut after the policy's ``reteach after N
  attempts``;
* **ready to extend**: proficient at a level above the cut (``Advanced`` over a ``Proficient``
  cut), ready for work that goes further.

A learner who is proficient without being above the cut, or who is waiting on a prerequisite
and has not started, is in no group of that target: their next target is elsewhere.
``size`` splits a large group into even parts; ``mix`` spreads the values of a learner
attribute over those parts.

Pure functions over results (:func:`group_results`), with :func:`groups` to evaluate first.

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from masterykit.engine import CompetencyResult, EvaluationResult, LearnerResult, Status, evaluate
from masterykit.engine._attributes import attribute_text
from masterykit.evidence import Evidence, Learner
from masterykit.numbers import format_decimal
from masterykit.policy import Policy, ReteachRule

__all__ = [
    "ContinuumStep",
    "ContinuumView",
    "GroupKind",
    "Grouping",
    "LearnerGroup",
    "Placement",
    "Standing",
    "TargetGroups",
    "continuum_view",
    "group_results",
    "groups",
    "place",
    "select_learners",
    "split_evenly",
]


class GroupKind(enum.Enum):
    """Which group of a target a learner is in, in the order groups are shown."""

    NEEDS_RETEACHING = "needs_reteaching"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    READY_TO_EXTEND = "ready_to_extend"


@attrs.frozen(slots=True)
class Placement:
    """One learner in one group of a target, and the facts that put them there.

    ``status``, ``score`` and ``level`` are the learner's result on the target; ``attempts``
    the pieces of evidence that counted; ``waiting_on`` the prerequisites not yet proficient;
    ``reteach`` the ``reteach after N attempts`` rule when it placed the learner;
    ``mix`` the learner's value of the ``mix`` attribute (``None`` without one).
    """

    learner: str
    kind: GroupKind
    status: Status
    score: Decimal | None
    level: str | None
    attempts: int
    cut: Decimal
    waiting_on: tuple[str, ...] = ()
    reteach: ReteachRule | None = None
    mix: str | None = None

    @property
    def reason(self) -> str:
        """Why the learner is in this group, in the words of a teacher's planning sheet."""
        if self.score is None:
            score = "no score"
        else:
            level = f" ({self.level})" if self.level is not None else ""
            score = f"score {format_decimal(self.score)}{level}"
        cut = f"the cut is {format_decimal(self.cut)}"
        if self.waiting_on:
            # Started before the prerequisites were met: say so after the reason.
            cut += f"; waiting on {', '.join(self.waiting_on)}"
        match self.kind:
            case GroupKind.READY:
                return "every prerequisite proficient, no evidence yet"
            case GroupKind.READY_TO_EXTEND:
                return f"proficient above the cut: {score}"
            case GroupKind.IN_PROGRESS:
                pieces = _pieces(self.attempts)
                if self.status is Status.INSUFFICIENT:
                    waiting = (
                        f"; waiting on {', '.join(self.waiting_on)}" if self.waiting_on else ""
                    )
                    return f"{score} on {pieces}, not enough evidence yet{waiting}"
                return f"{score} on {pieces}; {cut}"
            case GroupKind.NEEDS_RETEACHING:
                pieces = _pieces(self.attempts)
                if self.reteach is not None and self.status is Status.DEVELOPING:
                    return (
                        f"{score} after {pieces} (reteach after {self.reteach.attempts} "
                        f"attempts); {cut}"
                    )
                return f"insufficient: {score} on {pieces}; {cut}"
            case _:  # pragma: no cover - the enum is closed
                raise AssertionError(self.kind)


def _pieces(count: int) -> str:
    return f"{count} piece{'' if count == 1 else 's'} of evidence"


@attrs.frozen(slots=True)
class LearnerGroup:
    """One group to teach together: a kind, its part number when a large group was split
    (1-based; 1 of 1 when not), and its learners."""

    kind: GroupKind
    part: int
    parts: int
    learners: tuple[Placement, ...]


@attrs.frozen(slots=True)
class TargetGroups:
    """A learning target (a competency) and its groups, in :class:`GroupKind` order."""

    code: str
    title: str | None
    prerequisites: tuple[str, ...]
    groups: tuple[LearnerGroup, ...]

    def placements(self) -> tuple[Placement, ...]:
        """Every learner placed under this target, group by group."""
        return tuple(p for group in self.groups for p in group.learners)


@attrs.frozen(slots=True)
class Grouping:
    """Learners grouped by target as of one date.

    ``learners`` counts the learners considered; ``size`` is the ``(smallest, largest)`` group
    size asked for, ``mix`` the attribute mixed by.
    """

    policy: str
    as_of: dt.date
    learners: int
    targets: tuple[TargetGroups, ...]
    size: tuple[int, int] | None = None
    mix: str | None = None


def _extends(result: CompetencyResult, policy: Policy) -> bool:
    """Whether a proficient result is at a level above the cut."""
    if result.score is None:
        return False
    levels = policy.competencies[result.code].scale.levels
    above = [level.value for level in levels if level.value > result.cut.cut]
    return bool(above) and result.score >= above[0]


def place(result: CompetencyResult, policy: Policy) -> GroupKind | None:
    """The group of ``result``'s target its learner belongs in, or ``None`` when the target is
    not theirs now (proficient but not above the cut, or waiting on a prerequisite without
    having started)."""
    status = result.status
    if status is Status.PROFICIENT:
        return GroupKind.READY_TO_EXTEND if _extends(result, policy) else None
    if status is Status.NOT_STARTED:
        return GroupKind.READY if not result.waiting_on else None
    below = result.score is None or result.score < result.cut.cut
    if status is Status.INSUFFICIENT:
        return GroupKind.NEEDS_RETEACHING if below else GroupKind.IN_PROGRESS
    reteach = policy.rules[result.code].reteach
    if reteach is not None and len(result.used) >= reteach.attempts:
        return GroupKind.NEEDS_RETEACHING
    return GroupKind.IN_PROGRESS


def split_evenly(count: int, size: tuple[int, int] | None) -> list[int]:
    """The sizes of the parts a group of ``count`` learners is split into: as few parts as keep
    each at most the largest size, preferring a number of parts that keeps each at least the
    smallest; sizes differ by at most one, larger parts first.

    >>> split_evenly(17, (4, 8))
    [6, 6, 5]
    >>> split_evenly(5, (4, 8))
    [5]
    >>> split_evenly(3, None)
    [3]
    """
    if size is None or count <= size[1]:
        return [count]
    low, high = size
    parts = math.ceil(count / high)
    for candidate in range(parts, count // max(low, 1) + 1):
        if math.ceil(count / candidate) <= high and count // candidate >= low:
            parts = candidate
            break
    base, extra = divmod(count, parts)
    return [base + 1] * extra + [base] * (parts - extra)


def _attribute(learner: Learner, name: str | None) -> str | None:
    if name is None or name not in learner.attributes:
        return None
    value = learner.attributes[name]
    return None if value is None or value == "" else attribute_text(value)


def select_learners(learners: Iterable[Learner], where: Mapping[str, str]) -> list[Learner]:
    """The ``learners`` whose attributes have every value of ``where``, compared as written
    (``true``/``false`` for booleans, ISO dates, decimals without trailing zeros).

    >>> found = select_learners([Learner("ana", {"iep": True}), Learner("ben")], {"iep": "true"})
    >>> [learner.id for learner in found]
    ['ana']
    """
    return [
        learner
        for learner in learners
        if all(_attribute(learner, key) == value for key, value in where.items())
    ]


def _parts(
    members: list[tuple[Placement, tuple[Any, ...]]], size: tuple[int, int] | None, mix: bool
) -> list[list[Placement]]:
    """Split one group's members (each with its sort key) into parts."""
    ordered = [p for p, _key in sorted(members, key=lambda item: item[1])]
    sizes = split_evenly(len(ordered), size)
    if len(sizes) == 1:
        return [ordered]
    if mix:
        # Dealt round-robin from the order by attribute: each part gets a spread of values.
        dealt: list[list[Placement]] = [[] for _ in sizes]
        for index, placement in enumerate(ordered):
            dealt[index % len(sizes)].append(placement)
        return dealt
    found: list[list[Placement]] = []
    start = 0
    for length in sizes:
        found.append(ordered[start : start + length])
        start += length
    return found


def group_results(
    policy: Policy,
    results: EvaluationResult | Iterable[LearnerResult],
    *,
    targets: Iterable[str] | None = None,
    size: tuple[int, int] | None = None,
    mix: str | None = None,
    as_of: dt.date | None = None,
) -> Grouping:
    """Group evaluated learners by target (see the module's description).

    Args:
        policy: the policy the results come from.
        results: an evaluation, or learners' results.
        targets: the competencies to group for, in any order (default: every competency);
            they are shown in continuum order, prerequisites first.
        size: ``(smallest, largest)``: split a group larger than ``largest`` into even parts.
        mix: a learner attribute whose values are spread over the parts of a split group
            (without it, learners with similar scores stay together).
        as_of: the date the results are as of (taken from an evaluation).

    Returns:
        The groups, each learner with the facts that placed them.
    """
    from masterykit.engine._readiness import continuum_order

    if isinstance(results, EvaluationResult):
        as_of = results.as_of if as_of is None else as_of
        learners: Sequence[LearnerResult] = results.learners
    else:
        learners = tuple(results)
    if as_of is None:
        raise ValueError("group_results needs the as-of date of learners' results")
    wanted = list(policy.competencies) if targets is None else list(dict.fromkeys(targets))
    prerequisites = {code: c.prerequisites for code, c in policy.competencies.items()}
    order = continuum_order(wanted, prerequisites)
    found: list[TargetGroups] = []
    for code in order:
        members: dict[GroupKind, list[tuple[Placement, tuple[Any, ...]]]] = {}
        for learner in learners:
            result = learner.competencies.get(code)
            if result is None:
                continue
            kind = place(result, policy)
            if kind is None:
                continue
            reteach = policy.rules[code].reteach
            value = _attribute(learner.learner, mix)
            placement = Placement(
                learner.learner.id,
                kind,
                result.status,
                result.score,
                result.level,
                len(result.used),
                result.cut.cut,
                result.waiting_on,
                reteach
                if kind is GroupKind.NEEDS_RETEACHING and result.status is Status.DEVELOPING
                else None,
                value,
            )
            score = result.score if result.score is not None else Decimal("-Infinity")
            key = (
                (value is None, value or "", learner.learner.id)
                if mix is not None
                else (score, learner.learner.id)
            )
            members.setdefault(kind, []).append((placement, key))
        groups_found: list[LearnerGroup] = []
        for kind in GroupKind:
            if kind not in members:
                continue
            parts = _parts(members[kind], size, mix is not None)
            for number, part in enumerate(parts, 1):
                groups_found.append(LearnerGroup(kind, number, len(parts), tuple(part)))
        competency = policy.competencies[code]
        found.append(
            TargetGroups(code, competency.title, competency.prerequisites, tuple(groups_found))
        )
    return Grouping(policy.name, as_of, len(learners), tuple(found), size, mix)


def groups(
    policy: Policy,
    learners: Iterable[Learner] | None,
    evidence: Iterable[Evidence] = (),
    *,
    as_of: dt.date | dt.datetime | None = None,
    where: Mapping[str, str] | None = None,
    targets: Iterable[str] | None = None,
    size: tuple[int, int] | None = None,
    mix: str | None = None,
) -> Grouping:
    """Evaluate ``policy`` and group the learners by their next learning target.

    ``where`` keeps the learners whose attributes have those values (compared as text, so
    ``{"school": "north"}`` matches a ``school`` column of ``north``); ``learners`` ``None``
    means every learner the evidence names. See :func:`group_results` for the rest.

    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from masterykit import Evidence, Learner, load_text
    >>> policy = load_text(
    ...     'policy "P"\\nscale s {\\n  1 Beginning\\n  3 Proficient\\n  4 Advanced\\n}\\n'
    ...     'competency M.1 "One"\\ncompetency M.2 "Two" after M.1\\n'
    ...     "calculate most_recent\\nproficient at Proficient\\n"
    ... )
    >>> found = groups(
    ...     policy,
    ...     [Learner("ana"), Learner("ben")],
    ...     [Evidence("ana", "M.1", Decimal(3), dt.date(2026, 1, 5))],
    ...     as_of=dt.date(2026, 2, 1),
    ... )
    >>> [(t.code, g.kind.value, [p.learner for p in g.learners])
    ...  for t in found.targets for g in t.groups]
    [('M.1', 'ready', ['ben']), ('M.2', 'ready', ['ana'])]
    """
    chosen = list(learners) if learners is not None else None
    pieces = list(evidence)
    if chosen is None:
        chosen = [Learner(name) for name in dict.fromkeys(piece.learner for piece in pieces)]
    if where:
        chosen = select_learners(chosen, where)
    result = evaluate(policy, chosen, pieces, as_of=as_of)
    return group_results(policy, result, targets=targets, size=size, mix=mix)


# --- one learner's continuum ----------------------------------------------------------------


class Standing(enum.Enum):
    """Where a learner stands on one competency of the continuum."""

    PROFICIENT = "proficient"
    READY = "ready"
    IN_PROGRESS = "in_progress"
    NOT_YET = "not_yet"


@attrs.frozen(slots=True)
class ContinuumStep:
    """One competency of a learner's continuum map: where the learner stands, the facts
    (status, score, level), the prerequisites, and those not proficient yet."""

    code: str
    title: str | None
    area: str | None
    standing: Standing
    status: Status
    score: Decimal | None
    level: str | None
    prerequisites: tuple[str, ...]
    waiting_on: tuple[str, ...]


@attrs.frozen(slots=True)
class ContinuumView:
    """A learner's map of the continuum: competencies in prerequisite order.

    :meth:`text` draws it for a teacher, a learner or a family.
    """

    learner: str
    as_of: dt.date | None
    steps: tuple[ContinuumStep, ...]

    def text(self) -> str:
        """The map as text, one competency a line, prerequisites first.

        >>> view = ContinuumView("ana", None, (
        ...     ContinuumStep("M.1", "One", "M", Standing.PROFICIENT, Status.PROFICIENT,
        ...                   Decimal(3), "Proficient", (), ()),
        ...     ContinuumStep("M.2", "Two", "M", Standing.READY, Status.NOT_STARTED,
        ...                   None, None, ("M.1",), ()),
        ... ))
        >>> print(view.text())
        ana
          [x] M.1 "One": proficient, score 3 (Proficient)
          [>] M.2 "Two": ready (after M.1)
        """
        marks = {
            Standing.PROFICIENT: "[x]",
            Standing.IN_PROGRESS: "[~]",
            Standing.READY: "[>]",
            Standing.NOT_YET: "[ ]",
        }
        when = f" as of {self.as_of.isoformat()}" if self.as_of is not None else ""
        lines = [f"{self.learner}{when}"]
        for step in self.steps:
            title = f' "{step.title}"' if step.title else ""
            text = f"  {marks[step.standing]} {step.code}{title}: {_standing_text(step)}"
            lines.append(text)
        return "\n".join(lines)


def _standing_text(step: ContinuumStep) -> str:
    score = ""
    if step.score is not None:
        score = f", score {format_decimal(step.score)}"
        if step.level is not None:
            score += f" ({step.level})"
    match step.standing:
        case Standing.PROFICIENT:
            return f"proficient{score}"
        case Standing.IN_PROGRESS:
            status = step.status.value.replace("_", " ")
            waiting = f"; waiting on {', '.join(step.waiting_on)}" if step.waiting_on else ""
            return f"in progress ({status}){score}{waiting}"
        case Standing.READY:
            after = f" (after {', '.join(step.prerequisites)})" if step.prerequisites else ""
            return f"ready{after}"
        case Standing.NOT_YET:
            return f"not yet: waiting on {', '.join(step.waiting_on)}"
        case _:  # pragma: no cover - the enum is closed
            raise AssertionError(step.standing)


def continuum_view(
    policy: Policy, result: LearnerResult, area: str | None = None, as_of: dt.date | None = None
) -> ContinuumView:
    """One learner's map of the continuum (of one ``area``, or of every competency), in
    prerequisite order: proficient, in progress (started, not proficient), ready (every
    prerequisite proficient, not started) or not yet (waiting on a prerequisite).

    Raises:
        KeyError: ``area`` is not an area of the policy.
    """
    from masterykit.engine._readiness import continuum_order

    if area is not None:
        codes: Sequence[str] = policy.areas[area].competencies
    else:
        codes = list(policy.competencies)
    prerequisites = {code: c.prerequisites for code, c in policy.competencies.items()}
    steps: list[ContinuumStep] = []
    for code in continuum_order(codes, prerequisites):
        found = result.competencies[code]
        if found.status is Status.PROFICIENT:
            standing = Standing.PROFICIENT
        elif found.status is not Status.NOT_STARTED:
            standing = Standing.IN_PROGRESS
        elif found.waiting_on:
            standing = Standing.NOT_YET
        else:
            standing = Standing.READY
        competency = policy.competencies[code]
        steps.append(
            ContinuumStep(
                code,
                competency.title,
                competency.area,
                standing,
                found.status,
                found.score,
                found.level,
                competency.prerequisites,
                found.waiting_on,
            )
        )
    return ContinuumView(result.learner.id, as_of, tuple(steps))
