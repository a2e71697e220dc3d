"""Whose decisions change if the policy changes: both policies over the same evidence.

:func:`impact` evaluates an old and a new policy for the same learners and evidence on one or
more as-of dates, in one pass (the evidence is grouped once; each batch of learners is evaluated
under both policies and compared, then dropped), and reports per date:

* how many learners' competency statuses, requirements, advancements, graduation and pace
  change, and in which direction (``proficient → insufficient`` …) — :class:`ScopeImpact`;
* each group's rate before and after (share proficient, met, on track) and how many of its
  learners changed, with the district reports' small-group suppression
  (``masterykit.reports.suppressed``) — :class:`GroupRate`;
* whether the gap between the highest and the lowest group widens or narrows —
  :class:`GapChange`;
* optionally, every changed decision of every learner with the first reason from the
  evaluation's facts ("ELA.R2: evidence at least 3: needs 3, has 2") — :class:`ChangedLearner`.

>>> import datetime as dt
>>> from decimal import Decimal
>>> from masterykit.evidence import Evidence, Learner
>>> from masterykit.loader import load_text
>>> text = '''policy "P" version "1"
... scale s { 1 No 2 Yes }
... competency A "A"
... calculate highest
... proficient at Yes
... evidence at least 1
... '''
>>> old = load_text(text, "old.mastery")
>>> new = load_text(text.replace("least 1", "least 2"), "new.mastery")
>>> learners = [Learner(f"s{i:02d}", {"school": "north" if i % 2 else "east"}) for i in range(40)]
>>> evidence = [Evidence(f"s{i:02d}", "A", Decimal(2), dt.date(2026, 1, 1 + j))
...             for i in range(40) for j in range(1 + i % 3 // 2)]
>>> report = impact(old, new, learners, evidence, as_of=dt.date(2026, 2, 1), by=["school"])
>>> [(s.scope, s.changed, s.learners) for s in report.scopes]
[('any', 27, 40), ('competency', 27, 40)]
>>> report.scopes[1].transitions
(('proficient', 'insufficient', 27),)
>>> report.changed[0].reason
'A: evidence at least 2: needs 2, has 1'

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from masterykit.diagnostics import Diagnostic, MasteryError
from masterykit.diff import Side
from masterykit.reports._district import DISTRICT, group_name
from masterykit.reports._privacy import DEFAULT_MIN_GROUP, suppressed

if TYPE_CHECKING:
    from masterykit.engine import CompetencyResult, DecisionResult, LearnerResult
    from masterykit.evidence import Evidence, Learner
    from masterykit.policy import Policy

__all__ = [
    "ABSENT",
    "BATCH",
    "IMPACT_SCHEMA",
    "IMPACT_SCOPES",
    "ChangedLearner",
    "GapChange",
    "GroupRate",
    "ImpactBuilder",
    "ImpactError",
    "ImpactReport",
    "ScopeImpact",
    "impact",
    "impact_document",
    "impact_sides",
]

#: What a change can be in, in the order reported; ``any`` is a learner with any change.
IMPACT_SCOPES: Final = ("any", "competency", "requirement", "advancement", "graduation", "pace")

#: The outcome of a subject a policy does not have.
ABSENT: Final = "absent"

_ALL: Final = "all"
_MET: Final = "met"
_NOT_MET: Final = "not met"
_GOOD: Final = frozenset({"proficient", _MET, "complete", "on_track"})
_ANY_TOTAL: Final = ("any", "", "total")
_ANY_AFTER: Final = ("any", "", "after")
_ANY_CHANGED: Final = ("any", "", "changed")


class ImpactError(MasteryError):
    """An impact run that cannot be done as asked (``MK461``, ``MK462``)."""


@attrs.frozen(slots=True)
class ScopeImpact:
    """On one date, how many of ``learners`` had a change in ``scope`` (``changed``), and every
    direction of change with how many (learner, subject) pairs took it: ``(before, after,
    count)``, most frequent first. Outcomes are statuses for competencies and pace, ``met`` or
    ``not met`` for decisions, ``absent`` where a policy does not have the subject."""

    as_of: dt.date
    scope: str
    learners: int
    changed: int
    transitions: tuple[tuple[str, str, int], ...]


@attrs.frozen(slots=True)
class GroupRate:
    """One group's rate on one subject on one date, under the old and the new policy.

    ``by`` is the breakdown (a learner attribute, or ``district``) and ``group`` its value.
    ``scope`` and ``subject`` name what is measured: a competency (share ``proficient``), a
    requirement, advancement or graduation (share ``met``), pace (share ``complete`` or
    ``on_track``), or ``any`` (share of learners with any change; ``before`` is 0).
    ``total`` learners, ``before_count`` and ``after_count`` of them meet it; ``before``,
    ``after`` and ``change`` are the rates and their difference; ``changed`` learners of the
    group had this subject change. A suppressed group shows none of these (``small``: fewer
    than the minimum; otherwise hidden with a smaller group).
    """

    as_of: dt.date
    by: str
    group: str
    scope: str
    subject: str
    total: int | None
    before_count: int | None
    after_count: int | None
    changed: int | None
    before: float | None
    after: float | None
    change: float | None
    suppressed: bool = False
    small: bool = False


@attrs.frozen(slots=True)
class GapChange:
    """The gap between the highest and lowest shown group of ``by`` on one subject, before and
    after: ``before`` and ``after`` are differences of rates (0 to 1), ``direction`` is
    ``widens``, ``narrows`` or ``unchanged``; ``lowest`` and ``highest`` name the groups at the
    ends after the change. Only breakdowns with two or more shown groups have a gap."""

    as_of: dt.date
    by: str
    scope: str
    subject: str
    before: float
    after: float
    direction: str
    lowest: str
    highest: str


@attrs.frozen(slots=True)
class ChangedLearner:
    """One learner's changed outcome: the subject, both outcomes and the first reason, worded
    from the evaluation's facts (the new policy's, or what the old one lacked when the new one
    is met)."""

    as_of: dt.date
    learner: str
    scope: str
    subject: str
    before: str
    after: str
    reason: str


@attrs.frozen(slots=True)
class ImpactReport:
    """What changing ``old`` into ``new`` does to ``learners`` learners on each date of
    ``as_of``. ``changed`` is empty unless the report was asked to list changed learners."""

    old: Side
    new: Side
    as_of: tuple[dt.date, ...]
    by: tuple[str, ...]
    min_group: int
    learners: int
    scopes: tuple[ScopeImpact, ...]
    groups: tuple[GroupRate, ...]
    gaps: tuple[GapChange, ...]
    changed: tuple[ChangedLearner, ...] = ()

    @property
    def unchanged(self) -> bool:
        """Whether no learner's outcome changed on any date."""
        return all(scope.changed == 0 for scope in self.scopes)


def _outcomes(result: LearnerResult) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for code, competency in result.competencies.items():
        found["competency", code] = competency.status.value
    for name, decision in result.requirements.items():
        found["requirement", name] = _MET if decision.held else _NOT_MET
    for decision in result.advancements:
        found["advancement", decision.name] = _MET if decision.held else _NOT_MET
    if result.graduation is not None:
        found["graduation", "graduation"] = _MET if result.graduation.held else _NOT_MET
    if result.pace is not None:
        found["pace", "pace"] = result.pace.status.value
    return found


def _competency_reason(result: CompetencyResult) -> str:
    for check in result.checks:
        if not check.met:
            return f"{result.code}: {check.rule}: needs {check.needed}, has {check.actual}"
    steps = result.missing
    if steps:
        return steps[0].text
    return f"{result.code} is {result.status.value.replace('_', ' ')}"


def _decision(result: LearnerResult, scope: str, subject: str) -> DecisionResult | None:
    if scope == "requirement":
        return result.requirements.get(subject)
    if scope == "graduation":
        return result.graduation
    for decision in result.advancements:
        if decision.name == subject:
            return decision
    return None


def _decision_reason(decision: DecisionResult) -> str:
    steps = decision.next_steps
    return steps[0].text if steps else f"{decision.name} does not hold"


def reason(scope: str, subject: str, old: LearnerResult, new: LearnerResult) -> str:
    """The first reason a learner's ``subject`` differs between ``old`` and ``new``: why the new
    policy does not give the better outcome, or, when it does, what the old policy lacked."""
    if scope == "competency":
        after, before = new.competencies.get(subject), old.competencies.get(subject)
        if after is not None and not after.proficient:
            return _competency_reason(after)
        if before is not None and not before.proficient:
            return f"now proficient; before, {_competency_reason(before)}"
        return f"{subject} is only in the {'new' if before is None else 'old'} policy"
    if scope == "pace":
        if new.pace is not None:
            return new.pace.reason
        return "pace is only in the old policy"
    after_d, before_d = _decision(new, scope, subject), _decision(old, scope, subject)
    if after_d is not None and not after_d.held:
        return _decision_reason(after_d)
    if before_d is not None and not before_d.held:
        return f"now met; before, {_decision_reason(before_d)}"
    return f"{subject} is only in the {'new' if before_d is None else 'old'} policy"


class ImpactBuilder:
    """Collects the comparison of learners' results under two policies, a learner at a time.

    Only counts are kept (and, with ``list_changed``, the changed outcomes).

    Args:
        old: the policy in force.
        new: the proposed policy.
        by: learner attributes to compare groups by.
        min_group: the smallest group shown (see ``masterykit.reports.suppressed``).
        list_changed: keep every changed outcome with its reason (``changed`` of the
            :class:`ImpactReport`).
    """

    def __init__(
        self,
        old: Policy,
        new: Policy,
        by: Sequence[str] = (),
        *,
        min_group: int = DEFAULT_MIN_GROUP,
        list_changed: bool = False,
    ) -> None:
        if min_group < 1:
            raise ValueError("min_group must be at least 1")
        self.old, self.new = old, new
        self.by = tuple(dict.fromkeys(by))
        self.min_group = min_group
        self.list_changed = list_changed
        self._dates: dict[dt.date, None] = {}
        self._learners: dict[dt.date, int] = Counter()
        # (date, scope) -> learners with a change; (date, scope, before, after) -> pairs.
        self._scope_changed: Counter[tuple[dt.date, str]] = Counter()
        self._transitions: Counter[tuple[dt.date, str, str, str]] = Counter()
        # (date, by, group) -> Counter of (scope, subject, what) with what in total, before,
        # after, changed.
        self._groups: dict[tuple[dt.date, str, str], Counter[tuple[str, str, str]]] = {}
        # (scope, subject) -> the keys of its counts, in the order first met.
        self._counters: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {
            ("any", ""): (_ANY_TOTAL, ("any", "", "before"), ("any", "", "after"), _ANY_CHANGED)
        }
        self._seen: set[str] = set()
        self._changed: list[ChangedLearner] = []

    def add(self, as_of: dt.date, old: LearnerResult, new: LearnerResult) -> None:
        """Add one learner's results under the old and the new policy on ``as_of``."""
        self._dates.setdefault(as_of, None)
        self._learners[as_of] += 1
        before, after = _outcomes(old), _outcomes(new)
        hits: list[tuple[str, str, str]] = [_ANY_TOTAL]
        scopes: set[str] = set()
        counters = self._counters
        for key in (*after, *(k for k in before if k not in after)):
            was, now = before.get(key, ABSENT), after.get(key, ABSENT)
            found = counters.get(key)
            if found is None:
                scope, subject = key
                found = counters[key] = (
                    (scope, subject, "total"),
                    (scope, subject, "before"),
                    (scope, subject, "after"),
                    (scope, subject, "changed"),
                )
            total, good_before, good_after, changed = found
            hits.append(total)
            if was in _GOOD:
                hits.append(good_before)
            if now in _GOOD:
                hits.append(good_after)
            if was != now:
                scope, subject = key
                hits.append(changed)
                scopes.add(scope)
                self._transitions[as_of, scope, was, now] += 1
                if self.list_changed:
                    self._changed.append(
                        ChangedLearner(
                            as_of,
                            new.learner.id,
                            scope,
                            subject,
                            was,
                            now,
                            reason(scope, subject, old, new),
                        )
                    )
        if scopes:
            scopes.add("any")
            hits.append(_ANY_AFTER)
            hits.append(_ANY_CHANGED)
        for scope in scopes:
            self._scope_changed[as_of, scope] += 1
        attributes = new.learner.attributes
        self._seen.update(attributes)
        keys = [(as_of, DISTRICT, _ALL)]
        for name in self.by:
            keys.append((as_of, name, group_name(attributes.get(name))))
        for group_key in keys:
            counts = self._groups.get(group_key)
            if counts is None:
                counts = self._groups[group_key] = Counter()
            counts.update(hits)

    def build(self) -> ImpactReport:
        """The report of everything added so far.

        Raises:
            ImpactError: ``MK462`` when no learner has an attribute of ``by``.
        """
        self._check_attributes()
        dates = tuple(sorted(self._dates))
        scopes: list[ScopeImpact] = []
        for day in dates:
            for scope in IMPACT_SCOPES:
                if scope != "any" and not any(s == scope for s, _ in self._counters):
                    continue
                moves = sorted(
                    (
                        (was, now, count)
                        for (d, s, was, now), count in self._transitions.items()
                        if d == day and s == scope
                    ),
                    key=lambda move: (-move[2], move[0], move[1]),
                )
                scopes.append(
                    ScopeImpact(
                        day,
                        scope,
                        self._learners[day],
                        self._scope_changed[day, scope],
                        tuple(moves) if scope != "any" else (),
                    )
                )
        groups: list[GroupRate] = []
        gaps: list[GapChange] = []
        for day in dates:
            for name in (DISTRICT, *self.by):
                rows = self._breakdown(day, name)
                groups.extend(rows)
                if name != DISTRICT:
                    gaps.extend(_gaps(rows))
        return ImpactReport(
            Side.of(self.old),
            Side.of(self.new),
            dates,
            self.by,
            self.min_group,
            max(self._learners.values(), default=0),
            tuple(scopes),
            tuple(groups),
            tuple(gaps),
            tuple(self._changed),
        )

    def _check_attributes(self) -> None:
        if not self._groups:
            return
        import difflib

        for name in self.by:
            if name not in self._seen:
                close = difflib.get_close_matches(name, sorted(self._seen), n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
                known = ", ".join(f"`{a}`" for a in sorted(self._seen)) or "none"
                raise ImpactError(
                    [
                        Diagnostic(
                            "MK462",
                            f"no learner has the attribute `{name}` to compare groups by",
                            help=f"{hint}the learners' attributes are {known}; they come from "
                            "the learners file (`--learners FILE`)",
                        )
                    ]
                )

    def _breakdown(self, day: dt.date, name: str) -> list[GroupRate]:
        groups = {
            group: counts
            for (d, by, group), counts in self._groups.items()
            if d == day and by == name
        }
        district = self._groups.get((day, DISTRICT, _ALL))
        if district is None:
            return []
        ordered = sorted(groups) if name != DISTRICT else [_ALL]
        rows: list[GroupRate] = []
        for scope, subject in sorted(self._counters, key=lambda k: IMPACT_SCOPES.index(k[0])):
            totals = {g: groups[g][scope, subject, "total"] for g in ordered}
            hidden = set(suppressed(totals, self.min_group)) if name != DISTRICT else set()
            if district[scope, subject, "total"] < self.min_group:
                hidden = set(ordered)
            for group in ordered:
                counts = groups[group]
                total = totals[group]
                if group in hidden:
                    rows.append(
                        GroupRate(
                            day, name, group, scope, subject, None, None, None, None, None, None,
                            None, True, total < self.min_group,
                        )
                    )  # fmt: skip
                    continue
                before = counts[scope, subject, "before"] if scope != "any" else 0
                after = counts[scope, subject, "after"]
                rows.append(
                    GroupRate(
                        day,
                        name,
                        group,
                        scope,
                        subject,
                        total,
                        before,
                        after,
                        counts[scope, subject, "changed"],
                        before / total if total else None,
                        after / total if total else None,
                        (after - before) / total if total else None,
                    )
                )
        return rows


def _gaps(rows: Iterable[GroupRate]) -> list[GapChange]:
    by_subject: dict[tuple[dt.date, str, str, str], list[GroupRate]] = {}
    for row in rows:
        if row.scope == "any" or row.suppressed or row.before is None or row.after is None:
            continue
        by_subject.setdefault((row.as_of, row.by, row.scope, row.subject), []).append(row)
    gaps: list[GapChange] = []
    for (day, by, scope, subject), shown in by_subject.items():
        if len(shown) < 2:
            continue
        befores = [r.before for r in shown if r.before is not None]
        afters = sorted(shown, key=lambda r: (r.after, r.group))
        before = max(befores) - min(befores)
        low, high = afters[0], afters[-1]
        assert low.after is not None
        assert high.after is not None
        after = high.after - low.after
        direction = (
            "widens"
            if after > before + 1e-9
            else "narrows"
            if after < before - 1e-9
            else "unchanged"
        )
        gaps.append(
            GapChange(day, by, scope, subject, before, after, direction, low.group, high.group)
        )
    return gaps


def impact_sides(value: object) -> Policy:
    """``value`` if it is a policy, one side of an impact run.

    Raises:
        ImpactError: ``MK461`` when it is not (a district: its routes' policies are compared one
            at a time).
    """
    from masterykit.policy import Policy

    if isinstance(value, Policy):
        return value
    raise ImpactError(
        [
            Diagnostic(
                "MK461",
                f"`{getattr(value, 'file', value)}` is a district, not a policy: impact "
                "compares two policies",
                help="compare the policy files the district's routes name, one route at a time",
            )
        ]
    )


#: Learners evaluated per call of the engine; each batch's results are compared and dropped.
BATCH: Final = 500


def impact(
    old: Policy,
    new: Policy,
    learners: Iterable[Learner] | None,
    evidence: Iterable[Evidence],
    *,
    as_of: dt.date | Sequence[dt.date],
    by: Sequence[str] = (),
    min_group: int = DEFAULT_MIN_GROUP,
    list_changed: bool = True,
) -> ImpactReport:
    """What changing ``old`` into ``new`` does to the learners' outcomes.

    Both policies are evaluated over the same evidence on each date of ``as_of``: the evidence
    is grouped by learner once, and each batch of learners is evaluated under both policies and
    compared before the next. See :class:`ImpactBuilder` for ``by``, ``min_group`` and
    ``list_changed``.

    Args:
        old: the policy in force.
        new: the proposed policy.
        learners: the learners (with the attributes ``by`` names), or ``None`` for every learner
            the evidence names (without attributes).
        evidence: the evidence, in any order.
        as_of: one date or several.

    Raises:
        ImpactError: ``MK461`` when ``old`` or ``new`` is not a policy (a district);
            ``MK462`` when no learner has an attribute of ``by``.
    """
    from masterykit.engine import evaluate
    from masterykit.engine.evaluate import learners_from_evidence

    old, new = impact_sides(old), impact_sides(new)
    days = sorted({as_of} if isinstance(as_of, dt.date) else set(as_of))
    pieces = list(evidence)
    roster = list(learners) if learners is not None else learners_from_evidence(pieces)
    batches = [roster[start : start + BATCH] for start in range(0, len(roster), BATCH)]
    chunks: list[list[Evidence]] = [pieces]
    if len(batches) > 1:
        # Grouped once for every date; evidence usually comes sorted by learner, in runs.
        by_learner: dict[object, list[Evidence]] = {}
        for learner_id, run in itertools.groupby(pieces, operator.attrgetter("learner")):
            found = by_learner.get(learner_id)
            if found is None:
                by_learner[learner_id] = list(run)
            else:
                found.extend(run)
        chunks = [
            [piece for learner in batch for piece in by_learner.get(learner.id, ())]
            for batch in batches
        ]
    builder = ImpactBuilder(old, new, by, min_group=min_group, list_changed=list_changed)
    # As in `evaluate`: results hold no reference cycles, so the cyclic garbage collector has
    # nothing to find in what a run allocates, and walking the evidence and results held alive
    # would cost a good part of an evaluation.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        for day in days:
            for batch, chunk in zip(batches, chunks, strict=True):
                before = evaluate(old, batch, chunk, as_of=day)
                after = evaluate(new, batch, chunk, as_of=day)
                for was, now in zip(before.learners, after.learners, strict=True):
                    builder.add(day, was, now)
    finally:
        if paused:
            gc.enable()
    return builder.build()


def impact_document(
    report: ImpactReport, *, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON document of an impact report (schema ``masterykit/impact/v1``): every figure,
    no learner id (the changed learners are written to their own file on request)."""

    def rate(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    return {
        "schema": IMPACT_SCHEMA,
        "old": attrs.asdict(report.old),
        "new": attrs.asdict(report.new),
        "inputs": inputs or {},
        "as_of": [day.isoformat() for day in report.as_of],
        "by": list(report.by),
        "min_group": report.min_group,
        "learners": report.learners,
        "scopes": [
            {
                "as_of": s.as_of.isoformat(),
                "scope": s.scope,
                "learners": s.learners,
                "changed": s.changed,
                "transitions": [
                    {"before": was, "after": now, "count": count}
                    for was, now, count in s.transitions
                ],
            }
            for s in report.scopes
        ],
        "groups": [
            {
                **attrs.asdict(g),
                "as_of": g.as_of.isoformat(),
                "before": rate(g.before),
                "after": rate(g.after),
                "change": rate(g.change),
            }
            for g in report.groups
        ],
        "gaps": [
            {
                **attrs.asdict(g),
                "as_of": g.as_of.isoformat(),
                "before": rate(g.before),
                "after": rate(g.after),
            }
            for g in report.gaps
        ],
    }


#: The ``schema`` value of ``masterykit impact --format json``.
IMPACT_SCHEMA: Final = "masterykit/impact/v1"
