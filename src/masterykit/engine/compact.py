"""A compact view of a learner's result, for HTTP responses and dashboards.

:func:`compact` keeps what a gradebook screen shows — each competency's status, score and level,
each decision and whether it holds, pace, and the next steps worded for an audience — and leaves
out the explanation trees (evidence used and unused, clause results, rules and where they were
set). For the benchmark policy (60 competencies) a learner's full JSON is about 70 KB; the compact
view is a few kilobytes. Every value is JSON-ready (decimals as strings, dates ISO), and the
shape is described by the :class:`CompactLearner` typed dictionary.

>>> import datetime as dt
>>> from decimal import Decimal
>>> from masterykit import Evidence, Learner, load
>>> policy = load("docs/tutorial/district.mastery")
>>> ana = Learner("ana")
>>> result = policy.evaluate(
...     ana,
...     [Evidence("ana", "MATH.1", Decimal(3), dt.date(2026, 1, 10), kind="quiz")],
...     as_of=dt.date(2026, 3, 1),
... )
>>> view = compact(result.learners[0])
>>> view["competencies"]["MATH.1"]
('insufficient', '3', 'Proficient')
>>> view["next_steps"][:2], view["more_steps"]
(['ELA.1: 2 more pieces of evidence', 'ELA.1: evidence of 2 more kinds'], True)
>>> view["decisions"][3]
{'kind': 'advancement', 'name': 'Middle school', 'target': 'High school', 'held': False}
"""

from __future__ import annotations

from typing import TypeAlias, TypedDict

from masterykit.engine.render import Audience
from masterykit.engine.results import DecisionResult, LearnerResult, NextStep
from masterykit.numbers import format_decimal

__all__ = [
    "CompactCompetency",
    "CompactDecision",
    "CompactLearner",
    "CompactPace",
    "compact",
]


#: One competency as its status (``not_started``, ``insufficient``, ``developing``,
#: ``proficient``), its rounded score and its level's name (both ``None`` without a score). A
#: triple rather than an object, so that a policy of hundreds of competencies stays small.
CompactCompetency: TypeAlias = tuple[str, str | None, str | None]


class CompactDecision(TypedDict):
    """One decision: ``requirement``, ``advancement`` or ``graduation``, its name (an
    advancement's is the stage it starts from, ``target`` the stage it leads to; ``None`` for the
    others) and whether it holds."""

    kind: str
    name: str
    target: str | None
    held: bool


class CompactPace(TypedDict):
    """Pace: its status and the dates behind it (ISO dates or ``None``)."""

    status: str
    due: str | None
    projected: str | None
    risk_until: str | None


class CompactLearner(TypedDict):
    """What :func:`compact` returns."""

    learner: str
    competencies: dict[str, CompactCompetency]
    decisions: list[CompactDecision]
    pace: CompactPace | None
    next_steps: list[str]
    more_steps: bool


def compact(
    result: LearnerResult, *, audience: Audience = "author", steps: int | None = 5
) -> CompactLearner:
    """The compact view of one learner's result (see the module's description).

    ``next_steps`` holds the first ``steps`` next steps (all of them with ``None``) of the
    decisions that do not hold, in decision order (requirements, advancements, graduation), each
    step once, worded for ``audience``; ``more_steps`` says whether there are more than shown
    (the explanation has them all).
    """
    competencies: dict[str, CompactCompetency] = {}
    for code, competency in result.competencies.items():
        score = competency.score
        competencies[code] = (
            competency.status.value,
            None if score is None else format_decimal(score),
            competency.level,
        )
    decisions = result.decisions()
    shown, more = _steps(decisions, steps)
    pace = result.pace
    return {
        "learner": result.learner.id,
        "competencies": competencies,
        "decisions": [
            {
                "kind": decision.kind,
                "name": decision.source_name or decision.name,
                "target": decision.target_name,
                "held": decision.held,
            }
            for decision in decisions
        ],
        "pace": None
        if pace is None
        else {
            "status": pace.status.value,
            "due": None if pace.due is None else pace.due.isoformat(),
            "projected": None if pace.projected is None else pace.projected.isoformat(),
            "risk_until": None if pace.risk_until is None else pace.risk_until.isoformat(),
        },
        "next_steps": [step.render(audience) for step in shown],
        "more_steps": more,
    }


def _steps(decisions: tuple[DecisionResult, ...], limit: int | None) -> tuple[list[NextStep], bool]:
    """The first ``limit`` distinct next steps of the decisions that do not hold, and whether
    there are more; decisions after the limit is reached are not asked for theirs."""
    seen: set[NextStep] = set()
    found: list[NextStep] = []
    for decision in decisions:
        if decision.held:
            continue
        for step in decision.next_steps:
            if step in seen:
                continue
            if limit is not None and len(found) == limit:
                return found, True
            seen.add(step)
            found.append(step)
    return found, False
