"""A policy compiled once into per-competency plans and clause nodes.

:func:`compile_policy` resolves everything a learner's evaluation needs up front (the method
function, its arguments, the cut, the scale's levels, the evidence rules and their texts, each
decision's clause tree as small node objects), so evaluating a learner does no name lookups in
the policy. The plan is cached per policy object (a ``Policy`` is immutable).

INVARIANT: a compiled plan is never changed after its constructor returns, so one plan is shared
by every thread that evaluates the same policy. Everything an evaluation remembers while it runs
(checked evidence rules, window starts, midnights, the results of competencies without evidence)
lives in a :class:`RunState` owned by one :func:`~masterykit.engine.evaluate` call or one
:class:`~masterykit.engine.Session`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import weakref
from collections.abc import Mapping
from decimal import Decimal
from itertools import chain
from types import MappingProxyType
from typing import Any, assert_never

import attrs

from masterykit.engine._clauses import (
    AnyNode,
    Context,
    GroupNode,
    LearnerNode,
    Node,
    NotNode,
    RequirementNode,
    Selections,
    TestNode,
    Views,
    updated_views,
    views_of,
)
from masterykit.engine._competency import CompetencyPlan
from masterykit.engine._decisions import DecisionPlan, PacePlan
from masterykit.engine._state import (
    _DECIMAL,
    _PLAIN,
    RunState,
    _finite,
    _score,
    _timestamp,
    moment_of,
    sort_evidence,
    trim_moments,
)
from masterykit.engine.results import (
    CompetencyResult,
    LearnerResult,
)
from masterykit.engine.semantics import (
    evidence_key,
    window_start,
)
from masterykit.evidence import Evidence, Learner, Origin, Rejection, as_moment
from masterykit.numbers import as_decimal, format_decimal, short_decimal, short_text
from masterykit.policy import Duration, Policy

__all__ = [
    "CompiledPolicy",
    "RunState",
    "Views",
    "compile_policy",
    "evidence_key",
    "moment_of",
    "sort_evidence",
    "trim_moments",
    "updated_views",
    "views_of",
]


# --- the policy ------------------------------------------------------------------------------


class CompiledPolicy:
    """A policy ready to evaluate learners: per-competency plans and compiled decisions."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.competencies: dict[str, CompetencyPlan] = {
            code: CompetencyPlan(code, competency.title, policy.rules[code], policy)
            for code, competency in policy.competencies.items()
        }
        # Competency tests over the same competencies share one selection (while building).
        selections: Selections = {}
        self.requirements: dict[str, DecisionPlan] = {
            name: DecisionPlan(
                "requirement", name, req.title, req.condition, req.source, None, selections
            )
            for name, req in policy.requirements.items()
        }
        self.advancements = tuple(
            DecisionPlan(
                "advancement",
                f'"{adv.source_name}" to "{adv.target_name}"',
                None,
                adv.condition,
                adv.source,
                (adv.source_name, adv.target_name),
                selections,
            )
            for adv in policy.advancements
        )
        self.graduation = (
            DecisionPlan(
                "graduation",
                "graduation",
                None,
                policy.graduation.condition,
                policy.graduation.source,
                None,
                selections,
            )
            if policy.graduation is not None
            else None
        )
        self.pace = PacePlan(policy, selections) if policy.pace is not None else None
        for decision in [*self.requirements.values(), *self.advancements]:
            decision.pathways = self._has_pathway(decision.node, set())
        if self.graduation is not None:
            self.graduation.pathways = self._has_pathway(self.graduation.node, set())
        # What every clause reads is worked out here, once: the plan never changes afterwards
        # (see the module's INVARIANT), so threads sharing it never see half-made answers.
        self._requirement_codes: dict[str, frozenset[str]] = {}
        for name in self.requirements:
            self.requirement_codes(name)
        decisions = [*self.requirements.values(), *self.advancements]
        if self.graduation is not None:
            decisions.append(self.graduation)
        for decision in decisions:
            _fill_reads(decision.node, self)
        extension_codes: set[str] = set()
        for _duration, node in self.pace.extensions if self.pace is not None else ():
            extension_codes |= _fill_reads(node, self)
        self._pace_extension_codes = frozenset(extension_codes)
        self._pace_codes = frozenset(self.pace.codes_read(self) if self.pace is not None else ())
        #: The competencies each requirement reads, through references too.
        self._requirement_reads: dict[str, frozenset[str]] = dict(self._requirement_codes)
        #: The scores every competency's scale allows (``None`` when no score is on all).
        self._common_range: tuple[Decimal, Decimal] | None = None
        if self.competencies:
            lowest = max(plan.minimum for plan in self.competencies.values())
            highest = min(plan.maximum for plan in self.competencies.values())
            if lowest <= highest:
                self._common_range = (lowest, highest)
        #: The competencies whose first-proficient dates pace needs.
        self.pace_selection: frozenset[str] = frozenset(
            policy.pace.codes if policy.pace is not None else ()
        )

    def _has_pathway(self, node: AnyNode, seen: set[str]) -> bool:
        match node:
            case GroupNode():
                return node.pathway is not None or any(
                    self._has_pathway(child, seen) for child in node.children
                )
            case NotNode():
                return self._has_pathway(node.child, seen)
            case RequirementNode():
                if node.name in seen:
                    return False
                seen.add(node.name)
                target = self.requirements.get(node.name)
                return target is not None and self._has_pathway(target.node, seen)
            case TestNode() | LearnerNode():
                return False
            case _:  # pragma: no cover - the union is closed
                assert_never(node)

    def requirement_codes(self, name: str) -> frozenset[str]:
        """The competencies requirement ``name`` reads, through references too."""
        found = self._requirement_codes.get(name)
        if found is None:
            # Only while the plan is built (afterwards every name is known): an empty answer
            # guards against reference cycles, which the checker rejects anyway.
            self._requirement_codes[name] = frozenset()
            plan = self.requirements.get(name)
            # Shares the sets of the clauses below (one per selection), never a copy each.
            found = _fill_reads(plan.node, self) if plan is not None else frozenset()
            self._requirement_codes[name] = found
        return found

    def unknown_competency(self, code: str) -> str:
        """The reason evidence for an unknown competency is rejected."""
        close = difflib.get_close_matches(code, list(self.competencies), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"evidence for unknown competency `{code}`{hint}"

    def prepare(self, evidence: Evidence) -> Evidence | Rejection:
        """``evidence`` ready to evaluate (its score made a Decimal), or the reason it cannot be
        used (the learner is not checked here)."""
        code: Any = evidence.competency
        if type(code) is not str:
            return Rejection(
                "MK380",
                f"evidence names no competency (`{short_text(code)}`); a competency is a code "
                "such as `ELA.1`",
                evidence.origin or Origin(),
                evidence,
            )
        plan = self.competencies.get(code)
        if plan is None:
            return Rejection(
                "MK351",
                self.unknown_competency(evidence.competency),
                evidence.origin or Origin(),
                evidence,
            )
        stamp: Any = evidence.timestamp
        if not isinstance(stamp, dt.date):
            return Rejection(
                "MK355",
                f"timestamp `{short_text(stamp)}` on `{evidence.competency}` is not a date or a "
                "date and time",
                evidence.origin or Origin(),
                evidence,
            )
        if isinstance(stamp, dt.datetime) and stamp.tzinfo is not None:
            try:
                as_moment(stamp)
            except OverflowError:
                return Rejection(
                    "MK382",
                    f"timestamp `{stamp.isoformat()}` on `{evidence.competency}` falls outside "
                    "the years 1 to 9999 in UTC",
                    evidence.origin or Origin(),
                    evidence,
                )
        score: Any = evidence.score
        if isinstance(score, bool):
            score = None  # True and False are not scores, though Python counts them as numbers
        elif type(score) is not Decimal:
            try:
                score = as_decimal(score)
            except (ArithmeticError, TypeError, ValueError):
                score = None
        if score is None or not score.is_finite():
            return Rejection(
                "MK353",
                f"score `{short_text(evidence.score)}` on `{evidence.competency}` is not a number",
                evidence.origin or Origin(),
                evidence,
            )
        if score < plan.minimum or score > plan.maximum:
            return Rejection(
                "MK352",
                f"score `{short_decimal(score)}` is off the scale of `{evidence.competency}` "
                f"({format_decimal(plan.minimum)} to {format_decimal(plan.maximum)})",
                evidence.origin or Origin(),
                evidence,
            )
        if score is not evidence.score:
            return attrs.evolve(evidence, score=score)
        return evidence

    def usable(self, groups: Mapping[str, list[Evidence]]) -> bool:
        """Whether every piece of one learner's evidence on the policy's competencies (grouped
        by competency) has a finite Decimal score within every competency's scale and a plain
        date (checked at C speed for all of them at once; when not, each competency's evidence
        is checked on its own)."""
        if self._common_range is None:
            return False
        competencies = self.competencies
        if groups.keys() <= competencies.keys():
            pieces = list(chain.from_iterable(groups.values()))
        else:
            pieces = [
                piece for code, items in groups.items() if code in competencies for piece in items
            ]
        if not pieces:
            return False
        scores: list[Decimal] = list(map(_score, pieces))
        if set(map(type, scores)) != _DECIMAL or set(map(type, map(_timestamp, pieces))) != _PLAIN:
            return False
        try:
            # INVARIANT: every score is a Decimal (checked above), so equal values are equal
            # scores and the range of the distinct values is the range of all of them.
            values = set(scores)
        except TypeError:  # a signalling NaN cannot be hashed
            return False
        if not all(map(_finite, values)):
            return False
        lowest, highest = self._common_range
        return lowest <= min(values) and max(values) <= highest

    def accept(
        self,
        code: str,
        items: list[Evidence],
        rejections: list[Rejection],
        checked: bool = False,
    ) -> tuple[list[Evidence], bool] | None:
        """One learner's evidence on competency ``code``, checked and sorted: the usable pieces
        and whether their timestamps are plain dates (``None`` when none is usable); the others
        are added to ``rejections``. ``checked``: :meth:`usable` said yes for these pieces."""
        plan = self.competencies.get(code)
        if plan is not None and plan.take(items, checked):
            return items, True
        kept = []
        for piece in items:
            prepared = self.prepare(piece)
            if isinstance(prepared, Rejection):
                rejections.append(prepared)
            else:
                kept.append(prepared)
        items = kept
        if not items:
            return None
        return items, sort_evidence(items)

    def window_starts(self, as_of: dt.date) -> dict[str, dt.date | None]:
        """Each competency's first counted day as of ``as_of``."""
        cache: dict[Duration, dt.date] = {}
        found: dict[str, dt.date | None] = {}
        for code, plan in self.competencies.items():
            window = plan.window
            if window is None:
                found[code] = None
            else:
                if window not in cache:
                    found_start = window_start(window, as_of)
                    assert found_start is not None
                    cache[window] = found_start
                found[code] = cache[window]
        return found

    def learner(
        self,
        learner: Learner,
        buckets: Mapping[str, tuple[list[Evidence], bool]],
        state: RunState,
        dates: frozenset[str] | None = None,
    ) -> LearnerResult:
        """Evaluate one learner whose evidence is grouped by competency (see :meth:`accept`),
        as of ``state.as_of``.

        ``dates`` names the competencies whose first-proficient date is worked out (``None``:
        all of them).
        """
        comps: dict[str, CompetencyResult] = {}
        as_of = state.as_of
        starts = state.window_starts
        empty = state.empty
        for code, plan in self.competencies.items():
            found = buckets.get(code)
            if found is not None:
                comps[code] = plan.evaluate(
                    found[0], as_of, starts[code], state, dates is None or code in dates, found[1]
                )
            else:
                result = empty.get(code)
                if result is None:
                    result = empty[code] = plan.not_started((), starts[code], state)
                comps[code] = result
        return self.decide(learner, comps, as_of)

    def decide(
        self,
        learner: Learner,
        comps: Mapping[str, CompetencyResult],
        as_of: dt.date,
        previous: LearnerResult | None = None,
        touched: frozenset[str] | None = None,
        views: Views | None = None,
    ) -> LearnerResult:
        """Requirements, advancements, graduation and pace for evaluated competencies.

        With ``previous`` and ``touched``, only what reads a touched competency is evaluated
        again: a clause whose inputs are the same keeps its previous result (the same object),
        and so does a decision or pace whose results are all the same, so the changes are found
        by identity checks before any comparison. ``views`` are the :func:`views_of` ``comps``
        when the caller keeps them up to date.
        """
        # One read-only view of the competencies, shared by the learner's result and every
        # decision made from it (so it is pickled once with them). INVARIANT: ``comps`` is a
        # dict this engine made for this learner and nothing changes it afterwards, so it is
        # viewed without a copy.
        if type(comps) is not MappingProxyType:
            comps = MappingProxyType(comps)
        if previous is None or touched is None:
            ctx = Context(self, learner.attributes, comps)
            requirements = {name: ctx.requirement(name) for name in self.requirements}
            advancements = [plan.decide(ctx) for plan in self.advancements]
            graduation = self.graduation.decide(ctx) if self.graduation is not None else None
            pace = self.pace.evaluate(ctx, as_of) if self.pace is not None else None
        else:
            ctx = Context(
                self,
                learner.attributes,
                comps,
                None,
                previous.requirements,
                touched,
                previous.competencies,
                views,
            )
            reads = self._requirement_reads
            for name, decision in previous.requirements.items():
                if touched.isdisjoint(reads[name]):
                    ctx.requirements[name] = self.requirements[name].keep(decision, ctx)
            requirements = {name: ctx.requirement(name) for name in self.requirements}
            advancements = [
                plan.decide(ctx, before)
                for plan, before in zip(self.advancements, previous.advancements, strict=True)
            ]
            graduation = None
            if self.graduation is not None:
                graduation = self.graduation.decide(ctx, previous.graduation)
            pace = previous.pace
            if self.pace is not None and (
                pace is None or not self.pace.unchanged(ctx, self.pace_extension_codes())
            ):
                found = self.pace.evaluate(ctx, as_of)
                pace = pace if found == pace else found
            # The next steps of the decisions made here read ``ctx`` later; it must not keep the
            # previous results (and through them every earlier result) alive.
            ctx.previous = None
            ctx.before = None
        return LearnerResult(
            learner,
            comps,
            {name: decision for name, decision in requirements.items() if decision is not None},
            tuple(advancements),
            graduation,
            pace,
        )

    def node_codes(self, node: Node) -> frozenset[str]:
        """The competencies a compiled clause reads (through requirement references too)."""
        found = node.read
        # INVARIANT: the constructor filled ``read`` on every node of the plan.
        assert found is not None
        return found

    def decision_codes(self, plan: DecisionPlan) -> frozenset[str]:
        """The competencies a decision reads (through requirement references too)."""
        return self.node_codes(plan.node)

    def pace_extension_codes(self) -> frozenset[str]:
        """The competencies pace's extensions read."""
        return self._pace_extension_codes

    def pace_codes(self) -> frozenset[str]:
        """The competencies pace reads."""
        return self._pace_codes


def _fill_reads(node: AnyNode, plan: CompiledPolicy) -> frozenset[str]:
    """Fill ``read`` on ``node`` and every node below it (while the plan is built), sharing
    one set between a node and its only child, so a large selection is held once."""
    found: frozenset[str]
    match node:
        case GroupNode():
            below = [_fill_reads(child, plan) for child in node.children]
            distinct = {id(codes): codes for codes in below}
            found = below[0] if len(distinct) == 1 else frozenset().union(*below)
        case NotNode():
            found = _fill_reads(node.child, plan)
        case TestNode():
            found = node.chosen
        case RequirementNode():
            found = plan.requirement_codes(node.name)
        case LearnerNode():
            found = frozenset()
        case _:  # pragma: no cover - the union is closed
            assert_never(node)
    node.read = found
    return found


_CACHE: weakref.WeakKeyDictionary[Policy, CompiledPolicy] = weakref.WeakKeyDictionary()


def compile_policy(policy: Policy) -> CompiledPolicy:
    """The compiled form of ``policy`` (compiled once per policy object, then reused)."""
    found = _CACHE.get(policy)
    if found is None:
        found = CompiledPolicy(policy)
        _CACHE[policy] = found
    return found
