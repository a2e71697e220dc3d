"""What an evaluation returns: typed, frozen values with everything an explanation needs.

Every result carries its reasons as data: the evidence a competency used and the evidence it
did not use (and why), the calculation, cut and evidence rules that applied with the file, line
and layer that set them, the clause tree of every decision with the values it compared, and what
is still missing. Results hold facts, never sentences: what is missing is a
:class:`NextStep` holding one of the facts of :mod:`masterykit.engine.facts`, and an evidence
rule is its number and kinds. Wording (:mod:`masterykit.engine.render`), explanations
(:mod:`masterykit.engine.explain`) and JSON (:mod:`masterykit.engine.serde`) read these values
and never evaluate anything again.

Results hold no functions and pickle; two results are equal when every fact in them is, next
steps included.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from masterykit.diagnostics import Span
from masterykit.district import PolicyIdentity
from masterykit.engine.facts import CompetencyTestKind, DueProblem, Fact
from masterykit.engine.render import (
    Audience,
    render_check_rule,
    render_fact,
    render_pace_reason,
)
from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.policy import (
    CalculationRule,
    CutRule,
    Duration,
    GateRule,
    Provenance,
    WindowRule,
    read_only,
)

__all__ = [
    "CONTINUUM_TESTS",
    "ClauseKind",
    "ClauseResult",
    "CompetencyResult",
    "CompetencyTestRule",
    "DecisionResult",
    "EvaluationResult",
    "EvidenceCounts",
    "LearnerResult",
    "NextStep",
    "NotEvaluated",
    "PaceResult",
    "PaceStatus",
    "RouteResult",
    "Status",
    "SufficiencyCheck",
    "UnusedEvidence",
    "UnusedReason",
    "count_by_policy",
]


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
    #: Dated before the competency's prerequisites were all proficient, under ``evidence after
    #: prerequisites`` (or while one of them is not).
    BEFORE_PREREQUISITES = "before_prerequisites"


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
    """One evidence rule checked for one competency: how many it asks for, how many the counted
    evidence has, whether that is enough, and where the rule was set.

    ``kinds`` are the kinds an ``evidence at least N from …`` rule counts (sorted; empty: every
    piece counts); ``variety`` says the rule is ``evidence from at least N kinds``, which counts
    distinct kinds. :attr:`rule` words it as the author writes it.
    """

    needed: int
    actual: int
    met: bool
    source: Provenance
    kinds: tuple[str, ...] = ()
    variety: bool = False

    @property
    def rule(self) -> str:
        """The rule as the author writes it ("evidence at least 2 from quiz, test")."""
        return render_check_rule(self)


@attrs.frozen(slots=True)
class NextStep:
    """Something still missing: a fact (see :mod:`masterykit.engine.facts`) and the route it
    belongs to.

    ``option`` labels an alternative when only one of several routes is needed (a pathway's
    name, or the clause of an ``any``). :attr:`text` words the fact for the policy's author;
    :meth:`render` words it for any audience.
    """

    fact: Fact
    option: str | None = None

    @property
    def competency(self) -> str | None:
        """The competency the step concerns, if one."""
        return self.fact.competency

    @property
    def text(self) -> str:
        """The sentence to show ("MATH.3 needs a score of 3 or more (now 2)")."""
        return render_fact(self.fact)

    def render(self, audience: Audience = "author") -> str:
        """The sentence to show to ``audience``."""
        return render_fact(self.fact, audience)


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

    On the learning continuum: ``waiting_on`` lists the prerequisites (``after``) that are not
    proficient, so :attr:`ready` says whether the learner is ready to learn it; ``gate`` is the
    ``evidence after prerequisites`` rule that applied (with ``gate_opened``, the day the
    prerequisites were all proficient, when they are).

    .. versionchanged:: 0.2
       ``waiting_on``, ``gate`` and ``gate_opened``; :attr:`ready` and :attr:`started`.
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
    waiting_on: tuple[str, ...] = ()
    gate: GateRule | None = None
    gate_opened: dt.date | None = None

    @property
    def ready(self) -> bool:
        """Whether the learner is ready for this competency (every prerequisite is proficient
        and it is not proficient itself)."""
        return not self.waiting_on and self.status is not Status.PROFICIENT

    @property
    def started(self) -> bool:
        """Whether the learner has evidence on it up to the as-of date (any status but
        ``not_started``)."""
        return self.status is not Status.NOT_STARTED

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
        """What would make the competency proficient (empty when it is). Worked out from this
        result's own fields, never by evaluating again."""
        from masterykit.engine.steps import competency_missing

        return competency_missing(self)


def _is_insufficient(result: CompetencyResult) -> bool:
    return result.status is Status.INSUFFICIENT


def _is_not_started(result: CompetencyResult) -> bool:
    return result.status is Status.NOT_STARTED


#: What each continuum test of a clause (``ready``, ``insufficient``, ``started``,
#: ``not_started``) checks of one competency's result.
CONTINUUM_TESTS: Mapping[str, Callable[[CompetencyResult], bool]] = {
    "ready": attrgetter("ready"),
    "insufficient": _is_insufficient,
    "started": attrgetter("started"),
    "not_started": _is_not_started,
}


@attrs.frozen(slots=True)
class CompetencyTestRule:
    """What a competency test (``all of S proficient`` and its family) asks, shared by every
    result of the same clause.

    ``quantifier`` is ``all``, ``any``, ``none``, ``count`` or ``percent``; ``test`` is
    ``proficient``, ``reach`` or ``below`` (with ``level`` for the last two); ``selection`` is
    the selection as the author wrote it; ``thresholds`` pairs each selected competency with
    the value it must reach (``None`` for ``proficient``).
    """

    quantifier: Literal["all", "any", "none", "count", "percent"]
    test: CompetencyTestKind
    level: str | None
    selection: str
    thresholds: tuple[tuple[str, Decimal | None], ...]


#: What kind of clause a :class:`ClauseResult` is the result of.
ClauseKind: TypeAlias = Literal[
    "competencies", "requirement", "learner", "any", "all", "pathway", "not"
]


@attrs.frozen(slots=True)
class ClauseResult:
    """One evaluated clause of a requirement, advancement, graduation rule or pace extension.

    ``kind`` is ``competencies`` (``all of S proficient`` and its family), ``requirement``,
    ``learner``, ``any``, ``all``, ``pathway`` or ``not``. For ``competencies``, ``passing`` are
    the selected competencies the test holds for, ``failing`` the others, ``needed`` how many
    must pass (for ``none of …`` it is 0 and no competency may pass) and ``rule`` what the test
    asks. For ``learner``, ``actual`` is the learner's attribute value as text (``None`` when
    the learner lacks it). For ``requirement``, ``requirement`` names it and the one child is
    its decision's clause (none when it cannot be decided).
    """

    kind: ClauseKind
    text: str
    held: bool
    children: tuple[ClauseResult, ...] = ()
    pathway: str | None = None
    passing: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    needed: int | None = None
    actual: str | None = None
    span: Span | None = attrs.field(default=None, eq=False)
    rule: CompetencyTestRule | None = None
    requirement: str | None = None

    def walk(self) -> tuple[ClauseResult, ...]:
        """This clause and every clause below it, depth first."""
        found: list[ClauseResult] = [self]
        for child in self.children:
            found.extend(child.walk())
        return tuple(found)


@attrs.frozen(slots=True, eq=False)
class DecisionResult:
    """A requirement, an advancement or the graduation decision for one learner.

    ``kind`` is ``requirement``, ``advancement`` or ``graduation``; ``name`` is the requirement's
    name, ``"<from>" to "<to>"`` for an advancement, or ``graduation``. An advancement's stages
    are ``source_name`` and ``target_name`` (``None`` for other decisions). ``pathways`` lists
    the named pathways that held. ``competencies`` are the learner's competency results the
    decision was made from, which :attr:`next_steps` reads: they are worked out when asked, so
    batch runs that never read them do not pay for them.

    Two decisions are equal when every field but ``competencies`` is, and so are their next
    steps.
    """

    kind: str
    name: str
    title: str | None
    held: bool
    clause: ClauseResult
    source: Provenance
    pathways: tuple[str, ...] = ()
    competencies: Mapping[str, CompetencyResult] = attrs.field(
        factory=dict, repr=False, converter=read_only
    )
    source_name: str | None = None
    target_name: str | None = None

    @property
    def next_steps(self) -> tuple[NextStep, ...]:
        """What is still missing for the decision to hold (empty when it holds)."""
        if self.held:
            return ()
        from masterykit.engine.steps import clause_steps

        return clause_steps(self.clause, self.competencies)

    def _facts(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.name,
            self.title,
            self.held,
            self.clause,
            self.source,
            self.pathways,
            self.source_name,
            self.target_name,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not DecisionResult:
            return NotImplemented
        assert isinstance(other, DecisionResult)
        if self is other:
            return True
        return self._facts() == other._facts() and (
            self.held or self.next_steps == other.next_steps
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._facts())


@attrs.frozen(slots=True)
class PaceResult:
    """Pace toward the due date for the pace selection.

    ``remaining`` are the selected competencies not yet proficient; ``proficient_in_window`` those
    proficient now that first became proficient inside the window (``window_start`` to the as-of
    date, ``window_days`` long). ``projected`` is as-of + ⌈remaining × window days ÷ proficient in
    window⌉ days. ``base_due`` is the learner's due date, ``extensions`` the extensions that
    applied (as written), ``due`` the due date after them and ``risk_until`` due + the at-risk
    margin. ``window`` is the ``measure over`` duration and ``problem`` why there is no due date
    (status ``unknown``). :attr:`reason` says in words why the status is what it is.

    Side by side for families: ``days_left`` is the days from the as-of date to ``base_due``
    (the class's date; negative once it has passed) and ``required_rate`` the competencies per
    day the remaining ones would need to finish by then; ``extended_days_left`` and
    ``extended_required_rate`` are the same toward ``due`` when an extension applied (``None``
    otherwise). A rate is ``None`` when nothing remains or the date is not after the as-of
    date.

    .. versionchanged:: 0.2
       ``days_left``, ``required_rate``, ``extended_days_left`` and ``extended_required_rate``.
    """

    status: PaceStatus
    remaining: tuple[str, ...]
    proficient_in_window: tuple[str, ...]
    window_start: dt.date
    window_days: int
    projected: dt.date | None = None
    base_due: dt.date | None = None
    due: dt.date | None = None
    risk_until: dt.date | None = None
    extensions: tuple[str, ...] = ()
    source: Provenance | None = None
    window: Duration | None = None
    problem: DueProblem | None = None
    days_left: int | None = None
    required_rate: Decimal | None = None
    extended_days_left: int | None = None
    extended_required_rate: Decimal | None = None

    @property
    def reason(self) -> str:
        """Why the status is what it is, in the author's words."""
        return render_pace_reason(self)

    @property
    def rate(self) -> Decimal:
        """Competencies that became proficient per day inside the window (unrounded)."""
        if self.window_days <= 0:
            return Decimal(0)
        return Decimal(len(self.proficient_in_window)) / Decimal(self.window_days)


@attrs.frozen(slots=True)
class RouteResult:
    """Which route of a district file took a learner, and why.

    ``index`` is the route's position in the district file (0 first) and ``text`` the route as
    written, with ``source`` where it was written; ``index`` is ``None`` (and ``text`` empty)
    when no route takes the learner. ``condition`` is the route's condition evaluated for the
    learner (the values it compared; ``None`` for ``otherwise``), and ``skipped`` the conditions
    of the routes before it, none of which held. ``reason`` is the text of a ``not evaluated``
    route.

    .. versionadded:: 0.1
    """

    index: int | None
    text: str
    source: Provenance | None = None
    condition: ClauseResult | None = None
    skipped: tuple[ClauseResult, ...] = ()
    reason: str | None = None


@attrs.frozen(slots=True)
class NotEvaluated:
    """Why a district run did not evaluate a learner, and the evidence it read for them.

    ``code`` is ``MK390`` when no route of the district file takes the learner and ``MK391``
    when their route says ``not evaluated``; ``reason`` says so in words. ``evidence`` is the
    learner's evidence, read and kept but counted toward nothing (it is part of ``used`` and
    ``not_counted`` in :class:`EvidenceCounts`), in the order of its timestamps.

    .. versionadded:: 0.1
    """

    code: str
    reason: str
    evidence: tuple[Evidence, ...] = ()


@attrs.frozen(slots=True)
class LearnerResult:
    """Everything a policy decides for one learner as of one date.

    ``competencies`` and ``requirements`` are read-only views (of copies of the mappings
    passed in). ``policy`` is the policy that evaluated the learner (``None`` when none did, or
    for a result built by hand). In a district run, ``route`` says which route of the district
    file chose that policy, and ``not_evaluated`` why a learner was not evaluated (their
    competencies are then empty).

    .. versionchanged:: 0.1
       ``policy``, ``route`` and ``not_evaluated``.
    """

    learner: Learner
    competencies: Mapping[str, CompetencyResult] = attrs.field(converter=read_only)
    requirements: Mapping[str, DecisionResult] = attrs.field(factory=dict, converter=read_only)
    advancements: tuple[DecisionResult, ...] = ()
    graduation: DecisionResult | None = None
    pace: PaceResult | None = None
    policy: PolicyIdentity | None = None
    route: RouteResult | None = None
    not_evaluated: NotEvaluated | None = None

    @property
    def evaluated(self) -> bool:
        """Whether a policy evaluated the learner (in a district run, whether a route sent
        them to one)."""
        return self.not_evaluated is None

    def advancement(self, source: str, target: str) -> DecisionResult | None:
        """The advancement from ``source`` to ``target``, or ``None`` when the policy has none."""
        for decision in self.advancements:
            if decision.source_name == source and decision.target_name == target:
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
    """A policy, or a district file, evaluated for some learners as of one date.

    ``policy`` and ``version`` are the name and version of the policy, or of the district file;
    ``district`` is the district file's identity in a district run (``None`` otherwise). Each
    learner's result says which policy evaluated them (``LearnerResult.policy``).

    .. versionchanged:: 0.1
       ``district``.
    """

    policy: str
    version: str | None
    as_of: dt.date
    learners: tuple[LearnerResult, ...]
    rejections: tuple[Rejection, ...]
    counts: EvidenceCounts
    district: PolicyIdentity | None = None

    def by_policy(self) -> tuple[tuple[PolicyIdentity, int], ...]:
        """How many learners each policy evaluated, in the order the policies first appear."""
        return count_by_policy(self.learners)

    def learner(self, learner_id: str) -> LearnerResult | None:
        """The result for ``learner_id``, or ``None``."""
        for result in self.learners:
            if result.learner.id == learner_id:
                return result
        return None


def count_by_policy(
    learners: Iterable[LearnerResult],
) -> tuple[tuple[PolicyIdentity, int], ...]:
    """How many of ``learners`` each policy evaluated, in the order the policies first
    appear (learners not evaluated are left out)."""
    counts: dict[PolicyIdentity, int] = {}
    for learner in learners:
        if learner.policy is not None and learner.not_evaluated is None:
            counts[learner.policy] = counts.get(learner.policy, 0) + 1
    return tuple(counts.items())


# --- building results on the hot path ----------------------------------------------------------


def _positional(cls: type[Any]) -> Any:
    """A constructor of ``cls`` (a frozen slotted attrs class without validators or init hooks)
    that takes every field positionally, in field order, and stores each through its slot
    (converters are not called: callers pass values as converted).

    It makes the same object as ``cls(...)`` (equal, hashed, pickled and shown alike) in about
    two thirds of the time, because it skips the per-field ``object.__setattr__`` lookups of
    the frozen ``__init__``; the engine builds a result per competency and clause with it.
    """
    fields = attrs.fields(cls)
    names = [field.name for field in fields]
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    # Trailing fields with a plain default may be left out, as with ``cls(...)``.
    params = list(names)
    for index in range(len(fields) - 1, -1, -1):
        default = fields[index].default
        if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            break
        scope[f"_default{index}"] = default
        params[index] = f"{names[index]}=_default{index}"
    lines = [f"def build({', '.join(params)}):", "    self = _new(_cls)"]
    for index, name in enumerate(names):
        scope[f"_set{index}"] = cls.__dict__[name].__set__
        lines.append(f"    _set{index}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), scope)
    build = scope["build"]
    build.__qualname__ = build.__name__ = f"new_{cls.__name__}"
    build.__doc__ = f"A new :class:`{cls.__name__}`, every field given in order."
    return build


if TYPE_CHECKING:

    def new_competency_result(
        code: str,
        title: str | None,
        status: Status,
        score: Decimal | None,
        level: str | None,
        calculation: CalculationRule,
        cut: CutRule,
        used: tuple[Evidence, ...],
        unused: tuple[UnusedEvidence, ...],
        checks: tuple[SufficiencyCheck, ...],
        window: WindowRule | None,
        window_start: dt.date | None,
        unrounded: Decimal | None,
        first_proficient: dt.date | None,
    ) -> CompetencyResult:
        """A new :class:`CompetencyResult`, every field given in order."""

    def new_clause_result(
        kind: ClauseKind,
        text: str,
        held: bool,
        children: tuple[ClauseResult, ...],
        pathway: str | None,
        passing: tuple[str, ...],
        failing: tuple[str, ...],
        needed: int | None,
        actual: str | None,
        span: Span | None,
        rule: CompetencyTestRule | None,
        requirement: str | None,
    ) -> ClauseResult:
        """A new :class:`ClauseResult`, every field given in order."""

    def new_sufficiency_check(
        needed: int,
        actual: int,
        met: bool,
        source: Provenance,
        kinds: tuple[str, ...],
        variety: bool,
    ) -> SufficiencyCheck:
        """A new :class:`SufficiencyCheck`, every field given in order."""

    def new_unused_evidence(evidence: Evidence, reason: UnusedReason) -> UnusedEvidence:
        """A new :class:`UnusedEvidence`."""

    def new_decision_result(
        kind: str,
        name: str,
        title: str | None,
        held: bool,
        clause: ClauseResult,
        source: Provenance,
        pathways: tuple[str, ...],
        competencies: MappingProxyType[str, CompetencyResult],
        source_name: str | None,
        target_name: str | None,
    ) -> DecisionResult:
        """A new :class:`DecisionResult`, every field given in order (``competencies`` already
        a read-only view, as the field's converter would make it)."""

else:
    new_competency_result = _positional(CompetencyResult)
    new_decision_result = _positional(DecisionResult)
    new_unused_evidence = _positional(UnusedEvidence)
    new_clause_result = _positional(ClauseResult)
    new_sufficiency_check = _positional(SufficiencyCheck)
