"""The one place where facts in results become words.

Results hold facts (:mod:`masterykit.engine.facts`, the evidence rules of
:class:`~masterykit.engine.results.SufficiencyCheck`); explanations, JSON and the command line
word them through these functions. Each takes an ``audience``: ``author`` is the policy
author's wording that every output uses today; ``teacher`` and ``family`` read the same words
for now, and are where a wording for them goes.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeAlias, assert_never

from masterykit.engine.facts import (
    CompetencyTestKind,
    DueNotADate,
    DueProblem,
    Fact,
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    NoDueAttribute,
    NoDueRule,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    StatusNeeded,
)
from masterykit.numbers import format_decimal

if TYPE_CHECKING:
    from masterykit.engine.results import PaceResult, SufficiencyCheck

__all__ = ["AUDIENCES", "Audience", "render_check_rule", "render_fact", "render_pace_reason"]

#: Who a text is for.
Audience: TypeAlias = Literal["author", "teacher", "family"]
#: Every audience, the default first.
AUDIENCES: tuple[Audience, ...] = ("author", "teacher", "family")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _kinds(kinds: Iterable[str], joiner: str) -> str:
    return joiner.join(kinds)


def _wanted(test: CompetencyTestKind, level: str | None) -> str:
    match test:
        case "proficient":
            return "proficient"
        case "reach":
            return f"at {level}"
        case "below":
            return f"below {level}"
        case "ready":
            return "ready (every prerequisite proficient, itself not yet)"
        case "insufficient":
            return "insufficient"
        case "started":
            return "started"
        case "not_started":
            return "not started"
        case _:  # pragma: no cover - the union is closed
            assert_never(test)


def _value(value: Decimal) -> str:
    return format_decimal(value)


def render_fact(fact: Fact, audience: Audience = "author") -> str:
    """One next step in words for ``audience`` ("MATH.3 needs a score of 3 or more (now 2)").

    >>> from decimal import Decimal
    >>> render_fact(ScoreNeeded("MATH.3", Decimal(3), Decimal(2)))
    'MATH.3 needs a score of 3 or more (now 2)'
    """
    # Every audience reads the author's wording for now; a wording for teachers or families
    # goes here, next to it.
    del audience
    match fact:
        case MoreEvidence(competency, count, kinds):
            text = f"{competency}: {_plural(count, 'more piece', 'more pieces')} of evidence"
            if kinds:
                text += " from " + _kinds(kinds, " or ")
            return text
        case MoreKinds(competency, count):
            return f"{competency}: evidence of {_plural(count, 'more kind', 'more kinds')}"
        case NoScoreYet(competency, calculation):
            return f"{competency}: the calculation `{calculation.text}` gives no score yet"
        case ScoreNeeded(competency, cut, now):
            text = f"{competency} needs a score of {_value(cut)} or more"
            return text if now is None else f"{text} (now {_value(now)})"
        case LevelNeeded(competency, level, value, now):
            if now is None:
                return f"{competency} needs to reach {level} ({_value(value)})"
            return (
                f"{competency} needs to reach {level}: a score of {_value(value)} or more "
                f"(now {_value(now)})"
            )
        case MustNotBe(competency, test, level):
            return f"{competency} must not be {_wanted(test, level)}"
        case MoreCompetencies(selection, count, test, level):
            more = _plural(count, "more competency", "more competencies")
            return f"{selection}: {more} {_wanted(test, level)}"
        case RequirementCannotHold(name):
            return f"requirement `{name}` cannot hold"
        case LearnerCondition(clause):
            return f"`{clause}` does not hold for this learner"
        case MustNotHold(clause):
            return f"`{clause}` must not hold"
        case StatusNeeded(competency, test):
            return f"{competency} must be {_wanted(test, None)}"
        case _:  # pragma: no cover - the union is closed
            assert_never(fact)


def render_check_rule(check: SufficiencyCheck, audience: Audience = "author") -> str:
    """An evidence rule as the author writes it ("evidence at least 2 from quiz, test")."""
    del audience
    if check.variety:
        return f"evidence from at least {check.needed} kinds"
    if check.kinds:
        return f"evidence at least {check.needed} from {_kinds(check.kinds, ', ')}"
    return f"evidence at least {check.needed}"


def _due_problem(problem: DueProblem | None) -> str:
    match problem:
        case NoDueAttribute(attribute):
            return f"the learner has no `{attribute}`"
        case DueNotADate(attribute, value):
            return f"`learner.{attribute}` is not a date (`{value}`)"
        case NoDueRule() | None:
            return "the pace rule has no due date"
        case _:  # pragma: no cover - the union is closed
            assert_never(problem)


def render_pace_reason(pace: PaceResult, audience: Audience = "author") -> str:
    """Why pace has its status, in words ("projected to finish on 2026-05-01, by 2026-06-15")."""
    del audience
    status = pace.status.value
    projected = pace.projected.isoformat() if pace.projected is not None else None
    due = pace.due.isoformat() if pace.due is not None else None
    risk = pace.risk_until.isoformat() if pace.risk_until is not None else None
    if status == "complete":
        return "every competency in the pace selection is proficient"
    if status == "unknown":
        return f"no due date: {_due_problem(pace.problem)}"
    if projected is None:
        return f"no competency became proficient in the last {pace.window}"
    if status == "on_track":
        return f"projected to finish on {projected}, by {due}"
    if status == "at_risk":
        return f"projected to finish on {projected}, after {due} but by {risk}"
    return f"projected to finish on {projected}, after {risk}"
