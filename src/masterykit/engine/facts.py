"""What is still missing for a competency or a decision, as facts (never sentences).

Each next step is one of a closed set of frozen values (:data:`Fact`); a
:class:`~masterykit.engine.results.NextStep` pairs one with the route it belongs to. Wording
them is the renderer's job (:mod:`masterykit.engine.render`), for one audience at a time, so
what a step means never depends on how it is worded.

.. versionadded:: 0.1
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeAlias

import attrs

from masterykit.policy import CalculationRule

__all__ = [
    "CompetencyTestKind",
    "DueNotADate",
    "DueProblem",
    "Fact",
    "LearnerCondition",
    "LevelNeeded",
    "MoreCompetencies",
    "MoreEvidence",
    "MoreKinds",
    "MustNotBe",
    "MustNotHold",
    "NoDueAttribute",
    "NoDueRule",
    "NoScoreYet",
    "RequirementCannotHold",
    "ScoreNeeded",
    "StatusNeeded",
]

#: What a competency test checks of each selected competency (``ready``, ``insufficient``,
#: ``started`` and ``not_started`` test where it stands on the learning continuum).
CompetencyTestKind: TypeAlias = Literal[
    "proficient", "reach", "below", "ready", "insufficient", "started", "not_started"
]


@attrs.frozen(slots=True)
class MoreEvidence:
    """``competency`` needs ``count`` more pieces of evidence (of one of ``kinds``, when an
    ``evidence at least N from …`` rule asks for them; empty: any kind)."""

    competency: str
    count: int
    kinds: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class MoreKinds:
    """``competency`` needs evidence of ``count`` more kinds (``evidence from at least N
    kinds``)."""

    competency: str
    count: int


@attrs.frozen(slots=True)
class NoScoreYet:
    """``competency`` has sufficient evidence but its ``calculation`` gives no score yet."""

    competency: str
    calculation: CalculationRule


@attrs.frozen(slots=True)
class ScoreNeeded:
    """``competency`` needs a score of ``cut`` or more (``now``: its score, if it has one)."""

    competency: str
    cut: Decimal
    now: Decimal | None = None


@attrs.frozen(slots=True)
class LevelNeeded:
    """``competency`` needs to reach ``level`` (value ``value``) for a ``… reach L`` or ``…
    below L`` test (``now``: its score, when its evidence is sufficient and scored)."""

    competency: str
    level: str | None
    value: Decimal
    now: Decimal | None = None


@attrs.frozen(slots=True)
class MustNotBe:
    """``competency`` must stop passing a ``none of …`` test (``test``, with ``level`` for
    ``reach``)."""

    competency: str
    test: CompetencyTestKind
    level: str | None = None


@attrs.frozen(slots=True)
class MoreCompetencies:
    """``count`` more competencies of ``selection`` (as the author wrote it) must pass
    ``test`` (with ``level`` for ``reach`` and ``below``)."""

    selection: str
    count: int
    test: CompetencyTestKind
    level: str | None = None

    @property
    def competency(self) -> None:
        """A step about a selection concerns no one competency."""
        return None


@attrs.frozen(slots=True)
class RequirementCannotHold:
    """The referenced requirement ``name`` cannot hold (it refers back to itself)."""

    name: str

    @property
    def competency(self) -> None:
        """A step about a requirement concerns no one competency."""
        return None


@attrs.frozen(slots=True)
class LearnerCondition:
    """The learner clause ``clause`` (as written) does not hold for this learner."""

    clause: str

    @property
    def competency(self) -> None:
        """A step about the learner concerns no competency."""
        return None


@attrs.frozen(slots=True)
class MustNotHold:
    """The clause ``clause`` (as written) under a ``not`` must stop holding."""

    clause: str

    @property
    def competency(self) -> None:
        """A step about a negated clause concerns no one competency."""
        return None


@attrs.frozen(slots=True)
class StatusNeeded:
    """``competency`` must be ``test`` (``insufficient`` or ``not_started``) for an ``all of S
    insufficient`` or ``all of S not started`` test: no evidence can bring that about, so the
    step only says what the clause asks.

    .. versionadded:: 0.2
    """

    competency: str
    test: CompetencyTestKind


#: Every kind of next step, a closed union (a renderer handles each one).
Fact: TypeAlias = (
    MoreEvidence
    | MoreKinds
    | NoScoreYet
    | ScoreNeeded
    | LevelNeeded
    | MustNotBe
    | MoreCompetencies
    | RequirementCannotHold
    | LearnerCondition
    | MustNotHold
    | StatusNeeded
)


@attrs.frozen(slots=True)
class NoDueAttribute:
    """The pace rule's due date is the learner's ``attribute``, which this learner lacks."""

    attribute: str


@attrs.frozen(slots=True)
class DueNotADate:
    """The learner's ``attribute`` that the pace rule takes its due date from is not a date
    (``value``: the attribute as text)."""

    attribute: str
    value: str


@attrs.frozen(slots=True)
class NoDueRule:
    """The pace rule names no due date."""


#: Why pace has no due date, a closed union.
DueProblem: TypeAlias = NoDueAttribute | DueNotADate | NoDueRule
