"""What an evaluation returns: typed, frozen values with everything an explanation needs.

Every result carries its reasons as data: the evidence a competency used and the evidence it
did not use (and why), the calculation, cut and evidence rules that applied with the file, line
and layer that set them, the clause tree of every decision with the values it compared, and what
is still missing. Rendering (:mod:`masterykit.engine.explain`) and JSON
(:mod:`masterykit.engine.serde`) read these values and never evaluate anything again.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from masterykit.diagnostics import Span
from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.numbers import format_decimal
from masterykit.policy import CalculationRule, CutRule, Provenance, WindowRule

__all__ = [
    "ClauseResult",
    "CompetencyResult",
    "DecisionResult",
    "EvaluationResult",
    "EvidenceCounts",
    "LearnerResult",
    "NextStep",
    "PaceResult",
    "PaceStatus",
    "Status",
    "SufficiencyCheck",
    "UnusedEvidence",
    "UnusedReason",
]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Status(enum.Enum):
    """Where a learner stands on one competency.

    ``not_started``: no evidence up to the as-of date. ``insufficient``: evidence, but it fails
    the sufficiency rules, none of it counts, or the calculation gives no score yet.
    ``developing``: sufficient evidence and a score below the cut. ``proficient``: sufficient
    evidence and a rounded score at or above the cut.
    """

    NOT_STARTED = "not_started"
    INSUFFICIENT = "insufficient"
    DEVELOPING = "developing"
    PROFICIENT = "proficient"


class UnusedReason(enum.Enum):
    """Why a piece of accepted evidence did not count for its competency."""

    AFTER_AS_OF = "after_as_of"
    OUTSIDE_WINDOW = "outside_window"


class PaceStatus(enum.Enum):
    """A learner's pace toward the due date (see ``LANGUAGE.md``, "Pace")."""

    COMPLETE = "complete"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"


@attrs.frozen(slots=True)
class UnusedEvidence:
    """A piece of evidence a competency did not count, and why."""

    evidence: Evidence
    reason: UnusedReason


@attrs.frozen(slots=True)
class SufficiencyCheck:
    """One evidence rule checked for one competency: ``rule`` as the author writes it, how many
    it asks for, how many the counted evidence has, and where the rule was set."""

    rule: str
    needed: int
    actual: int
    met: bool
    source: Provenance


@attrs.frozen(slots=True)
class NextStep:
    """Something still missing, in the learner's terms.

    ``text`` is the sentence to show ("MATH.3 needs a score of 3 or more (now 2)").
    ``competency`` is the competency it concerns, if one. ``option`` labels an alternative when
    only one of several routes is needed (a pathway's name, or the clause of an ``any``).
    """

    text: str
    competency: str | None = None
    option: str | None = None


@attrs.frozen(slots=True)
class CompetencyResult:
    """One learner's result on one competency as of the evaluation date.

    ``score`` is the rounded calculated score (shown even when the status is ``insufficient``
    if the method gives one) and ``level`` the name of the highest scale level at or below it.
    ``used`` is the evidence that counted, oldest first; ``unused`` the accepted evidence that
    did not (dated after the as-of date, or outside the ``evidence within`` window).
    ``calculation``, ``cut``, ``window`` and ``checks`` are the rules that applied, each with its
    provenance. ``first_proficient`` is the first evidence date on which, with the evidence up to
    then, the competency was sufficient and at or above the cut (computed for competencies that
    are proficient now; ``None`` otherwise). :attr:`missing` says what would change the status.
    """

    code: str
    title: str | None
    status: Status
    score: Decimal | None
    level: str | None
    calculation: CalculationRule
    cut: CutRule
    used: tuple[Evidence, ...] = ()
    unused: tuple[UnusedEvidence, ...] = ()
    checks: tuple[SufficiencyCheck, ...] = ()
    window: WindowRule | None = None
    window_start: dt.date | None = None
    unrounded: Decimal | None = None
    first_proficient: dt.date | None = None

    @property
    def proficient(self) -> bool:
        """Whether the competency is proficient (sufficient evidence and score ≥ cut)."""
        return self.status is Status.PROFICIENT

    @property
    def sufficient(self) -> bool:
        """Whether every evidence rule is met (and there is counted evidence)."""
        return bool(self.used) and all(check.met for check in self.checks)

    @property
    def missing(self) -> tuple[NextStep, ...]:
        """What would make the competency proficient, in the learner's terms (empty when it
        is). Worked out from this result's own fields, never by evaluating again."""
        if self.status is Status.PROFICIENT:
            return ()
        code = self.code
        steps: list[NextStep] = []
        failed = [check for check in self.checks if not check.met]
        counted = bool(self.used)
        if not counted and not failed:
            steps.append(NextStep(f"{code}: 1 more piece of evidence", code))
        for check in failed:
            short = check.needed - check.actual
            if check.rule.startswith("evidence from at least"):
                text = f"{code}: evidence of {_plural(short, 'more kind', 'more kinds')}"
            else:
                text = f"{code}: {_plural(short, 'more piece', 'more pieces')} of evidence"
                if " from " in check.rule:
                    text += " from " + check.rule.split(" from ", 1)[1].replace(", ", " or ")
            steps.append(NextStep(text, code))
        if counted and self.unrounded is None and not failed:
            steps.append(
                NextStep(
                    f"{code}: the calculation `{self.calculation.text}` gives no score yet", code
                )
            )
        cut = format_decimal(self.cut.cut)
        if self.score is None:
            steps.append(NextStep(f"{code} needs a score of {cut} or more", code))
        elif self.score < self.cut.cut:
            steps.append(
                NextStep(
                    f"{code} needs a score of {cut} or more (now {format_decimal(self.score)})",
                    code,
                )
            )
        return tuple(steps)


@attrs.frozen(slots=True)
class ClauseResult:
    """One evaluated clause of a requirement, advancement, graduation rule or pace extension.

    ``kind`` is ``competencies`` (``all of S proficient`` and its family), ``requirement``,
    ``learner``, ``any``, ``all``, ``pathway`` or ``not``. For ``competencies``, ``passing`` are
    the selected competencies the test holds for, ``failing`` the others, and ``needed`` how many
    must pass (for ``none of …`` it is 0 and no competency may pass). For ``learner``,
    ``actual`` is the learner's attribute value as text (``None`` when the learner lacks it).
    """

    kind: str
    text: str
    held: bool
    children: tuple[ClauseResult, ...] = ()
    pathway: str | None = None
    passing: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    needed: int | None = None
    actual: str | None = None
    span: Span | None = attrs.field(default=None, eq=False)

    def walk(self) -> tuple[ClauseResult, ...]:
        """This clause and every clause below it, depth first."""
        found: list[ClauseResult] = [self]
        for child in self.children:
            found.extend(child.walk())
        return tuple(found)


@attrs.frozen(slots=True)
class DecisionResult:
    """A requirement, an advancement or the graduation decision for one learner.

    ``kind`` is ``requirement``, ``advancement`` or ``graduation``; ``name`` is the requirement's
    name, ``"<from>" to "<to>"`` for an advancement, or ``graduation``. ``pathways`` lists the
    named pathways that held. :attr:`next_steps` is empty when the decision holds.

    ``steps`` is what the next steps come from: a tuple, or a function the engine leaves behind
    that words them from the results it already has (called once, on first use, so batch runs
    that never read them do not pay for them).
    """

    kind: str
    name: str
    title: str | None
    held: bool
    clause: ClauseResult
    source: Provenance
    pathways: tuple[str, ...] = ()
    steps: tuple[NextStep, ...] | Callable[[], tuple[NextStep, ...]] = attrs.field(
        default=(), eq=False, repr=False, hash=False
    )

    @property
    def next_steps(self) -> tuple[NextStep, ...]:
        """What is still missing for the decision to hold, in the learner's terms."""
        steps = self.steps
        if callable(steps):
            steps = steps()
            # INVARIANT: the worded steps replace the function once; the value never changes.
            object.__setattr__(self, "steps", steps)
        return steps


@attrs.frozen(slots=True)
class PaceResult:
    """Pace toward the due date for the pace selection.

    ``remaining`` are the selected competencies not yet proficient; ``proficient_in_window`` those
    proficient now that first became proficient inside the window (``window_start`` to the as-of
    date, ``window_days`` long). ``projected`` is as-of + ⌈remaining × window days ÷ proficient in
    window⌉ days. ``base_due`` is the learner's due date, ``extensions`` the extensions that
    applied (as written), ``due`` the due date after them and ``risk_until`` due + the at-risk
    margin. ``reason`` says in words why the status is what it is.
    """

    status: PaceStatus
    remaining: tuple[str, ...]
    proficient_in_window: tuple[str, ...]
    window_start: dt.date
    window_days: int
    reason: str
    projected: dt.date | None = None
    base_due: dt.date | None = None
    due: dt.date | None = None
    risk_until: dt.date | None = None
    extensions: tuple[str, ...] = ()
    source: Provenance | None = None

    @property
    def rate(self) -> Decimal:
        """Competencies that became proficient per day inside the window (unrounded)."""
        if self.window_days <= 0:
            return Decimal(0)
        return Decimal(len(self.proficient_in_window)) / Decimal(self.window_days)


@attrs.frozen(slots=True)
class LearnerResult:
    """Everything a policy decides for one learner as of one date."""

    learner: Learner
    competencies: Mapping[str, CompetencyResult]
    requirements: Mapping[str, DecisionResult] = attrs.field(factory=dict)
    advancements: tuple[DecisionResult, ...] = ()
    graduation: DecisionResult | None = None
    pace: PaceResult | None = None

    def advancement(self, source: str, target: str) -> DecisionResult | None:
        """The advancement from ``source`` to ``target``, or ``None`` when the policy has none."""
        for decision in self.advancements:
            if decision.name == f'"{source}" to "{target}"':
                return decision
        return None

    def decisions(self) -> tuple[DecisionResult, ...]:
        """Requirements, then advancements, then graduation."""
        found = [*self.requirements.values(), *self.advancements]
        if self.graduation is not None:
            found.append(self.graduation)
        return tuple(found)


@attrs.frozen(slots=True)
class EvidenceCounts:
    """How the evidence that was read was accounted for.

    ``read == used + rejected``: every record is either attached to a learner's competency
    (``used``: ``counted`` toward its result, or ``not_counted`` with a reason) or rejected.
    """

    read: int
    used: int
    rejected: int
    counted: int
    not_counted: int


@attrs.frozen(slots=True)
class EvaluationResult:
    """A policy evaluated for some learners as of one date."""

    policy: str
    version: str | None
    as_of: dt.date
    learners: tuple[LearnerResult, ...]
    rejections: tuple[Rejection, ...]
    counts: EvidenceCounts

    def learner(self, learner_id: str) -> LearnerResult | None:
        """The result for ``learner_id``, or ``None``."""
        for result in self.learners:
            if result.learner.id == learner_id:
                return result
        return None
