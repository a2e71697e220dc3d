"""Next steps, derived from the facts a result already holds.

Pure functions of results: nothing here evaluates again or reads the compiled policy, so a
result's next steps are the same wherever and whenever they are asked for (after a pickle
round trip, in another process), and a batch that never asks never pays for them.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import assert_never

import attrs

from masterykit.engine.facts import (
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    StatusNeeded,
)
from masterykit.engine.results import (
    CONTINUUM_TESTS,
    ClauseResult,
    CompetencyResult,
    CompetencyTestRule,
    LearnerResult,
    NextStep,
    Status,
)

__all__ = [
    "clause_steps",
    "competency_missing",
    "continuum_depth",
    "continuum_order_steps",
    "learner_steps",
    "next_steps",
    "reads_for_steps",
    "step_view",
    "steps_about",
]


def competency_missing(result: CompetencyResult) -> tuple[NextStep, ...]:
    """What would make a competency proficient (empty when it is): the evidence each unmet
    evidence rule still asks for, a calculation that gives no score yet, and the score the cut
    asks for."""
    if result.status is Status.PROFICIENT:
        return ()
    code = result.code
    steps: list[NextStep] = []
    failed = [check for check in result.checks if not check.met]
    counted = bool(result.used)
    if not counted and not failed:
        steps.append(NextStep(MoreEvidence(code, 1)))
    for check in failed:
        short = check.needed - check.actual
        if check.variety:
            steps.append(NextStep(MoreKinds(code, short)))
        else:
            steps.append(NextStep(MoreEvidence(code, short, check.kinds)))
    if counted and result.unrounded is None and not failed:
        steps.append(NextStep(NoScoreYet(code, result.calculation)))
    cut = result.cut.cut
    if result.score is None:
        steps.append(NextStep(ScoreNeeded(code, cut)))
    elif result.score < cut:
        steps.append(NextStep(ScoreNeeded(code, cut, result.score)))
    return tuple(steps)


def next_steps(
    clause: ClauseResult, competencies: Mapping[str, CompetencyResult]
) -> tuple[NextStep, ...]:
    """What is still missing for ``clause`` to hold (empty when it holds), each step once."""
    if clause.held:
        return ()
    return clause_steps(clause, competencies)


def clause_steps(
    clause: ClauseResult, competencies: Mapping[str, CompetencyResult]
) -> tuple[NextStep, ...]:
    """What is missing for the (failed) ``clause`` to hold, from the ``competencies`` it was
    evaluated with, each step once."""
    return tuple(_dedupe(_steps(clause, competencies, None)))


def steps_about(
    clause: ClauseResult, competencies: Mapping[str, CompetencyResult], codes: Collection[str]
) -> tuple[NextStep, ...]:
    """The steps of :func:`clause_steps` about one of ``codes``, in the same order: worked out
    only where those competencies appear, so comparing them before and after an update is
    cheap. Steps about other competencies, or about none, are left out."""
    return tuple(_dedupe(_steps(clause, competencies, codes)))


def _steps(
    clause: ClauseResult, comps: Mapping[str, CompetencyResult], only: Collection[str] | None
) -> list[NextStep]:
    match clause.kind:
        case "competencies":
            assert clause.rule is not None
            return _test_steps(clause, clause.rule, comps, only)
        case "requirement":
            if not clause.children:
                if only is not None:
                    return []
                return [NextStep(RequirementCannotHold(clause.requirement or ""))]
            return _dedupe(_steps(clause.children[0], comps, only))
        case "learner":
            return [] if only is not None else [NextStep(LearnerCondition(clause.text))]
        case "not":
            return [] if only is not None else [NextStep(MustNotHold(clause.children[0].text))]
        case "any" | "all" | "pathway":
            return _group_steps(clause, comps, only)
        case _:  # pragma: no cover - the union is closed
            assert_never(clause.kind)


def _group_steps(
    clause: ClauseResult, comps: Mapping[str, CompetencyResult], only: Collection[str] | None
) -> list[NextStep]:
    found: list[NextStep] = []
    for child in clause.children:
        if child.held:
            continue
        child_steps = _steps(child, comps, only)
        if clause.kind == "any":
            label = child.pathway or child.text
            child_steps = [
                step if step.option else attrs.evolve(step, option=label) for step in child_steps
            ]
        found.extend(child_steps)
    return found


def _test_steps(
    clause: ClauseResult,
    rule: CompetencyTestRule,
    comps: Mapping[str, CompetencyResult],
    only: Collection[str] | None,
) -> list[NextStep]:
    found: list[NextStep] = []
    if rule.quantifier == "none":
        codes = clause.passing
    elif rule.quantifier == "all" and rule.test != "below":
        codes = clause.failing
    else:
        if only is None:
            short = (clause.needed or 0) - len(clause.passing)
            found.append(NextStep(MoreCompetencies(rule.selection, short, rule.test, rule.level)))
        return found
    if rule.test in CONTINUUM_TESTS and rule.quantifier != "none":
        # A ready test's steps are about the prerequisites, so they are filtered, not its codes.
        for code in codes:
            found.extend(_state_toward(comps[code], rule.test, comps))
        if only is not None:
            found = [step for step in found if step.competency in only]
        return found
    if only is not None:
        codes = tuple(code for code in codes if code in only)
    if not codes:
        return found
    thresholds = dict(rule.thresholds)
    for code in codes:
        if rule.quantifier == "none" and rule.test != "below":
            found.append(NextStep(MustNotBe(code, rule.test, rule.level)))
        else:
            found.extend(_toward(comps[code], thresholds[code], rule.level))
    return found


def _state_toward(
    result: CompetencyResult, test: str, comps: Mapping[str, CompetencyResult]
) -> list[NextStep]:
    """What ``result``'s competency needs for a continuum test (``ready`` …) to hold."""
    match test:
        case "ready":
            # Proficient already: nothing makes it ready again. Otherwise its prerequisites.
            steps: list[NextStep] = []
            for before in result.waiting_on:
                steps.extend(comps[before].missing)
            return steps
        case "started":
            return [NextStep(MoreEvidence(result.code, 1))]
        case "insufficient" | "not_started":
            return [NextStep(StatusNeeded(result.code, test))]
        case _:  # pragma: no cover - CONTINUUM_TESTS is closed
            raise AssertionError(test)


def _toward(
    result: CompetencyResult, threshold: Decimal | None, level: str | None
) -> list[NextStep]:
    """What ``result``'s competency needs: proficiency, or with a ``threshold`` a level."""
    if threshold is None:
        return list(result.missing)
    steps = [step for step in result.missing if not isinstance(step.fact, ScoreNeeded)]
    if result.score is None or result.status in (Status.NOT_STARTED, Status.INSUFFICIENT):
        steps.append(NextStep(LevelNeeded(result.code, level, threshold)))
    else:
        steps.append(NextStep(LevelNeeded(result.code, level, threshold, result.score)))
    return steps


def step_view(result: CompetencyResult) -> tuple[object, ...]:
    """All that the next steps of a clause read of one competency's result: two results with
    equal views give every clause the same next steps."""
    # INVARIANT: these are every field competency_missing and _toward read, so equal views give
    # equal steps (cheaper than comparing the steps themselves).
    return (
        result.status,
        result.score,
        result.unrounded is None,
        bool(result.used),
        result.checks,
        result.cut,
        result.calculation,
        result.waiting_on,
    )


def reads_for_steps(clause: ClauseResult, codes: Collection[str]) -> bool:
    """Whether the next steps of the (failed) ``clause`` read the result of any of ``codes``
    (see :func:`step_view`); when not, they are the same whatever those results are."""
    match clause.kind:
        case "competencies":
            rule = clause.rule
            assert rule is not None
            if rule.quantifier == "none":
                return any(code in codes for code in clause.passing)
            if rule.test == "ready" and rule.quantifier == "all":
                return True  # its steps read the prerequisites' results, whichever they are
            if rule.quantifier == "all" and rule.test != "below":
                return any(code in codes for code in clause.failing)
            return False  # how many more competencies, never which
        case "requirement":
            return bool(clause.children) and reads_for_steps(clause.children[0], codes)
        case "learner" | "not":
            return False
        case "any" | "all" | "pathway":
            return any(reads_for_steps(child, codes) for child in clause.children if not child.held)
        case _:  # pragma: no cover - the union is closed
            assert_never(clause.kind)


def _dedupe(steps: Iterable[NextStep]) -> list[NextStep]:
    seen: set[NextStep] = set()
    found = []
    for step in steps:
        if step not in seen:
            seen.add(step)
            found.append(step)
    return found


# --- one learner's next steps, in continuum order ---------------------------------------------


def continuum_depth(competencies: Mapping[str, CompetencyResult]) -> dict[str, int]:
    """How far along the continuum each competency is for this learner: 0 when no prerequisite
    is missing, else one more than the deepest prerequisite it waits on (``waiting_on``).

    A competency never comes before one it waits on, so ordering by depth puts MATH.1 before
    MATH.2 before MATH.3.
    """
    depth: dict[str, int] = {}

    def find(code: str, path: frozenset[str]) -> int:
        known = depth.get(code)
        if known is not None:
            return known
        result = competencies.get(code)
        waiting = result.waiting_on if result is not None else ()
        found = 0
        for before in waiting:
            if before not in path:  # INVARIANT: the checker rejects cycles
                found = max(found, find(before, path | {code}) + 1)
        depth[code] = found
        return found

    for code in competencies:
        find(code, frozenset())
    return depth


def _effort(steps: list[NextStep]) -> int:
    """How many pieces of evidence a competency's steps ask for at least (a score to reach
    takes at least one)."""
    total = 0
    for step in steps:
        fact = step.fact
        if isinstance(fact, MoreEvidence | MoreKinds):
            total += fact.count
    return max(total, 1)


def learner_steps(result: LearnerResult) -> tuple[NextStep, ...]:
    """Everything the learner still needs for their unmet requirements, advancements and
    graduation, each step once, in the order to work on them.

    The steps of every unmet decision are merged (a step asked for by several decisions is
    listed once; it belongs to a route, ``option``, only when every decision asking for it does).
    They are ordered along the learning continuum: a competency never comes before a
    prerequisite it waits on (start with MATH.1, then MATH.2); among competencies at the same
    place, the nearest first: one already started before one not started, then the one that
    asks for the fewest pieces of evidence. A competency's steps stay together, in the order
    its decision gave them; ties keep the order in which the decisions ask for them
    (requirements, advancements, graduation), so the order is stable. Steps about no one
    competency (how many more of a selection, a learner condition) come last.

    .. versionadded:: 0.2
    """
    merged: dict[object, NextStep] = {}
    for decision in result.decisions():
        if decision.held:
            continue
        for step in decision.next_steps:
            seen = merged.get(step.fact)
            if seen is None or (seen.option is not None and step.option is None):
                merged[step.fact] = step
    return continuum_order_steps(merged.values(), result.competencies)


def continuum_order_steps(
    steps: Iterable[NextStep], competencies: Mapping[str, CompetencyResult]
) -> tuple[NextStep, ...]:
    """``steps`` in the order of :func:`learner_steps` (along the continuum, nearest first,
    stable), read from the learner's ``competencies``.

    .. versionadded:: 0.2
    """
    by_code: dict[str, list[NextStep]] = {}
    others: list[NextStep] = []
    for step in steps:
        code = step.competency
        if code is None:
            others.append(step)
        else:
            by_code.setdefault(code, []).append(step)
    comps = competencies
    depth = continuum_depth(comps)

    def key(item: tuple[int, str]) -> tuple[int, int, int, int]:
        position, code = item
        found = comps.get(code)
        started = found is not None and found.status is not Status.NOT_STARTED
        return (depth.get(code, 0), 0 if started else 1, _effort(by_code[code]), position)

    order = sorted(enumerate(by_code), key=key)
    ordered = [step for _position, code in order for step in by_code[code]]
    return tuple(ordered + others)
