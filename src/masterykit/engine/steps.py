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
)
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    CompetencyTestRule,
    NextStep,
    Status,
)

__all__ = [
    "clause_steps",
    "competency_missing",
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
