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
import weakref
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import assert_never

from masterykit.district import PolicyIdentity
from masterykit.engine import _prepare
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
from masterykit.engine._readiness import Continuum
from masterykit.engine._state import (
    RunState,
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
from masterykit.evidence import Evidence, Learner, Rejection
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
        #: Which policy this is, as every learner result it gives says.
        self.identity = PolicyIdentity.of(policy)
        self.competencies: dict[str, CompetencyPlan] = {
            code: CompetencyPlan(code, competency.title, policy.rules[code], policy)
            for code, competency in policy.competencies.items()
        }
        #: Prerequisites in continuum order, and the gates (see ``_readiness``).
        self.continuum = Continuum(policy)
        # Competencies with equal evidence rules share their checked rules in a run.
        keys: dict[object, str] = {}
        for code, plan in self.competencies.items():
            plan.checks_key = keys.setdefault(plan.rules, code)
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
        self.common_range: tuple[Decimal, Decimal] | None = None
        if self.competencies:
            lowest = max(plan.minimum for plan in self.competencies.values())
            highest = min(plan.maximum for plan in self.competencies.values())
            if lowest <= highest:
                self.common_range = (lowest, highest)
        #: The kinds evidence may have (``None`` when the policy declares no vocabulary; a
        #: piece without a kind is always accepted).
        self.kinds: frozenset[str | None] | None = (
            frozenset([None, *policy.kinds]) if policy.kinds else None
        )
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
        return _prepare.unknown_competency(self, code)

    def prepare(self, evidence: Evidence) -> Evidence | Rejection:
        """``evidence`` ready to evaluate, or why it cannot be used (see
        :func:`masterykit.engine._prepare.prepare`)."""
        return _prepare.prepare(self, evidence)

    def usable(self, groups: Mapping[str, list[Evidence]]) -> bool:
        """Whether one learner's evidence can take the fast path (see
        :func:`masterykit.engine._prepare.usable`)."""
        return _prepare.usable(self, groups)

    def accept(
        self,
        code: str,
        items: list[Evidence],
        rejections: list[Rejection],
        checked: bool = False,
    ) -> tuple[list[Evidence], bool] | None:
        """One learner's evidence on ``code``, checked and sorted (see
        :func:`masterykit.engine._prepare.accept`)."""
        return _prepare.accept(self, code, items, rejections, checked)

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
        if self.continuum.settled:
            self.continuum.settle(self, comps, buckets, state, dates)
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
            self.identity,
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
