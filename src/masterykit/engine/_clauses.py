"""Clauses, compiled into small nodes that evaluate a learner and update after new evidence.

Each node knows which competencies it reads (filled in while the plan is built), so an online
update re-evaluates only what a new piece of evidence can change.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import filterfalse
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, assert_never

from masterykit.diagnostics import Span
from masterykit.engine._attributes import attribute_text, compare
from masterykit.engine._readiness import STATE_TESTS, state_split
from masterykit.engine._state import (
    _BELOW,
    _DEVELOPING,
    _PROFICIENT,
    _held,
)
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    CompetencyTestRule,
    DecisionResult,
    new_clause_result,
)
from masterykit.engine.semantics import (
    needed_competencies,
)
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    CompetencyTest,
    LearnerClause,
    NotClause,
    RequirementClause,
)

if TYPE_CHECKING:
    from masterykit.engine._plan import CompiledPolicy

__all__ = [
    "AnyNode",
    "Context",
    "GroupNode",
    "LearnerNode",
    "Node",
    "NotNode",
    "RequirementNode",
    "Selection",
    "Selections",
    "TestNode",
    "Views",
    "compile_clause",
    "updated_views",
    "views_of",
]


# --- clauses ---------------------------------------------------------------------------------


#: The proficient competencies and the rated scores (see :meth:`Context.rated`) of one result.
Views = tuple[set[str], dict[str, Decimal]]


def views_of(competencies: Mapping[str, CompetencyResult]) -> Views:
    """What competency tests read of every competency: which are proficient, and the rounded
    score of those with sufficient evidence and a score."""
    proficient: set[str] = set()
    rated: dict[str, Decimal] = {}
    for code, result in competencies.items():
        status = result.status
        if status is _PROFICIENT:
            proficient.add(code)
        if (status is _PROFICIENT or status is _DEVELOPING) and result.score is not None:
            rated[code] = result.score
    return proficient, rated


def updated_views(
    views: Views, competencies: Mapping[str, CompetencyResult], touched: Iterable[str]
) -> Views:
    """``views`` (left unchanged) with the ``touched`` competencies' results taken again."""
    proficient = set(views[0])
    rated = dict(views[1])
    for code in touched:
        result = competencies[code]
        status = result.status
        if status is _PROFICIENT:
            proficient.add(code)
        else:
            proficient.discard(code)
        if (status is _PROFICIENT or status is _DEVELOPING) and result.score is not None:
            rated[code] = result.score
        else:
            rated.pop(code, None)
    return proficient, rated


class Context:
    """What clauses read while one learner is evaluated."""

    __slots__ = (
        "_proficient",
        "_rated",
        "active",
        "attributes",
        "before",
        "competencies",
        "plan",
        "previous",
        "requirements",
        "splits",
        "touched",
    )

    def __init__(
        self,
        plan: CompiledPolicy,
        attributes: Mapping[str, Any],
        competencies: Mapping[str, CompetencyResult],
        requirements: dict[str, DecisionResult] | None = None,
        previous: Mapping[str, DecisionResult] | None = None,
        touched: frozenset[str] = frozenset(),
        before: Mapping[str, CompetencyResult] | None = None,
        views: Views | None = None,
    ):
        self.plan = plan
        self.attributes = attributes
        self.competencies = competencies
        self.requirements: dict[str, DecisionResult] = requirements or {}
        #: The requirements' results before the ``touched`` competencies changed (when
        #: re-evaluating after new evidence), which unchanged parts of them are taken from.
        self.previous = previous
        self.touched = touched
        #: The competencies' results before the ``touched`` ones changed.
        self.before = before
        self.active: set[str] = set()
        self._proficient: set[str] | None = None
        self._rated: dict[str, Decimal] = {}
        #: Each selection split into the competencies its test holds for and the others.
        self.splits: dict[Selection, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        if views is not None:
            self._proficient, self._rated = views

    def proficient(self) -> set[str]:
        """The proficient competencies (worked out once per learner)."""
        if self._proficient is None:
            self._proficient, self._rated = views_of(self.competencies)
        return self._proficient

    def rated(self) -> dict[str, Decimal]:
        """The rounded score of every competency with sufficient evidence and a score."""
        self.proficient()
        return self._rated

    def requirement(self, name: str) -> DecisionResult | None:
        """The requirement's result for this learner (evaluated once, then remembered)."""
        found = self.requirements.get(name)
        if found is not None:
            return found
        node = self.plan.requirements.get(name)
        if node is None or name in self.active:
            return None
        self.active.add(name)
        try:
            found = node.decide(
                self, self.previous.get(name) if self.previous is not None else None
            )
        finally:
            self.active.discard(name)
        self.requirements[name] = found
        return found


class Node:
    """A compiled clause."""

    __slots__ = ("read", "span", "text")

    text: str
    span: Span | None
    #: The competencies the clause reads (worked out on first use, see ``node_codes``).
    read: frozenset[str] | None

    def evaluate(self, ctx: Context) -> ClauseResult:  # pragma: no cover - abstract
        """The clause's result for the learner in ``ctx``."""
        raise NotImplementedError

    def codes(self, plan: CompiledPolicy) -> set[str]:
        """The competencies the clause reads (through requirement references too)."""
        return set()

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        """The clause's result after the competencies ``ctx.touched`` changed, given its result
        ``previous`` before: ``previous`` itself when the result is equal."""
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        found = self.evaluate(ctx)
        return previous if found == previous else found


def _proficiency(result: CompetencyResult) -> bool:
    """What ``… proficient`` tests read of a competency's result."""
    return result.status is _PROFICIENT


def _rating(result: CompetencyResult) -> Decimal | None:
    """What ``… reach L`` and ``… below L`` tests read of a competency's result (see
    :meth:`Context.rated`)."""
    status = result.status
    return result.score if status is _PROFICIENT or status is _DEVELOPING else None


def _reaches(result: CompetencyResult, threshold: Decimal | None) -> bool:
    """Whether a competency's result reaches a level's value, as ``… reach L`` tests it."""
    score = _rating(result)
    return score is not None and threshold is not None and score >= threshold


def _pace_view(result: CompetencyResult) -> dt.date | bool:
    """What pace reads of a competency's result: whether it is proficient, and since when."""
    if result.status is not _PROFICIENT:
        return False
    return result.first_proficient or True


def _selection_text(test: CompetencyTest) -> str:
    text = test.text.split(" of ", 1)[1] if " of " in test.text else test.text
    if test.test in STATE_TESTS:
        marker = " " + test.test.replace("_", " ")
        return text[: -len(marker)] if text.endswith(marker) else text
    marker = " proficient" if test.test == "proficient" else f" {test.test} "
    return text.rsplit(marker, 1)[0] if marker in text else text


class Selection:
    """The selected competencies of a competency test and what it checks of each, compiled once
    per distinct (test, competencies, thresholds) and shared by every test that asks the same:
    a thousand requirements over the same selection hold it once, and a learner's evaluation
    splits it into passing and failing once (see :attr:`Context.splits`)."""

    __slots__ = ("chosen", "pairs", "selected", "test", "thresholds", "uniform")

    def __init__(self, clause: CompetencyTest):
        self.test = clause.test
        self.selected = clause.codes
        self.chosen = frozenset(clause.codes)
        if clause.test not in ("reach", "below"):
            self.pairs: tuple[tuple[str, Decimal | None], ...] = tuple(
                (code, None) for code in clause.codes
            )
        else:
            self.pairs = tuple(zip(clause.codes, clause.thresholds, strict=True))
        self.thresholds: dict[str, Decimal | None] = dict(self.pairs)
        #: The one threshold of a reach/below test whose competencies share it (else ``None``).
        levels = set(self.thresholds.values())
        self.uniform: Decimal | None = (
            levels.pop()
            if clause.test != "proficient" and len(levels) == 1 and None not in levels
            else None
        )
        if self.uniform is not None and not self.uniform.is_finite():
            self.uniform = None

    def split(self, ctx: Context) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The selected competencies the test holds for in ``ctx``, and the others."""
        test = self.test
        if test in STATE_TESTS:
            return state_split(test, self.selected, ctx.competencies)
        if test == "proficient":
            held = ctx.proficient().__contains__
            passing = list(filter(held, self.selected))
            failing = (
                [] if len(passing) == len(self.selected) else list(filterfalse(held, self.selected))
            )
        else:
            # INVARIANT: only sufficient, scored competencies reach a level; the rest are below.
            rated = ctx.rated()
            uniform = self.uniform
            if uniform is not None:
                reached = [code for code in self.selected if rated.get(code, _BELOW) >= uniform]
            else:
                reached = [
                    code
                    for code, threshold in self.pairs
                    if (score := rated.get(code)) is not None
                    and threshold is not None
                    and score >= threshold
                ]
            if len(reached) == len(self.selected):
                others: list[str] = []
            else:
                hit = set(reached)
                others = [code for code in self.selected if code not in hit]
            passing, failing = (reached, others) if test == "reach" else (others, reached)
        return tuple(passing), tuple(failing)


#: The selections of one compiled policy, by what they select (used while it is built).
Selections = dict[tuple[str, tuple[str, ...], tuple[Decimal, ...]], Selection]


class TestNode(Node):
    """``all of S proficient`` and its family."""

    __slots__ = (
        "chosen",
        "level",
        "needed",
        "pairs",
        "quantifier",
        "rule",
        "selected",
        "selection",
        "shared",
        "test",
        "thresholds",
    )

    def __init__(self, clause: CompetencyTest, selections: Selections):
        self.read = None
        self.text = clause.text
        self.span = clause.span
        self.quantifier = clause.quantifier
        self.test = clause.test
        self.level = clause.level
        self.selection = _selection_text(clause)
        key = (clause.test, clause.codes, clause.thresholds)
        shared = selections.get(key)
        if shared is None:
            shared = selections[key] = Selection(clause)
        #: The selection, shared with every test asking the same of the same competencies.
        self.shared = shared
        self.selected = shared.selected
        self.chosen = shared.chosen
        self.pairs = shared.pairs
        self.thresholds = shared.thresholds
        self.needed = needed_competencies(clause.quantifier, clause.amount, len(clause.codes))
        #: What the test asks, shared by every result of this clause.
        self.rule = CompetencyTestRule(
            clause.quantifier, clause.test, clause.level, self.selection, self.pairs
        )

    def evaluate(self, ctx: Context) -> ClauseResult:
        # INVARIANT: the split depends only on the selection and the competencies in ``ctx``,
        # so every test over the same selection shares one (and its tuples) per learner.
        splits = ctx.splits
        found = splits.get(self.shared)
        if found is None:
            found = splits[self.shared] = self.shared.split(ctx)
        passing, failing = found
        held = not passing if self.quantifier == "none" else len(passing) >= self.needed
        return new_clause_result(
            "competencies",
            self.text,
            held,
            (),
            None,
            passing,
            failing,
            self.needed,
            None,
            self.span,
            self.rule,
            None,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        before = ctx.before
        if before is not None:
            # The test reads only whether each selected competency is proficient (or its rated
            # score): when that is the same for every touched one, so is the result.
            comps = ctx.competencies
            proficient = self.test == "proficient"
            state = STATE_TESTS.get(self.test)
            for code in ctx.touched:
                if code not in self.chosen:
                    continue
                if state is not None:
                    if state(before[code]) != state(comps[code]):
                        break
                elif proficient:
                    if _proficiency(before[code]) != _proficiency(comps[code]):
                        break
                else:
                    threshold = self.thresholds[code]
                    if _reaches(before[code], threshold) != _reaches(comps[code], threshold):
                        break
            else:
                return previous
        return super().update(ctx, previous)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return {code for code, _ in self.pairs}


class RequirementNode(Node):
    """``requirement name``."""

    __slots__ = ("name",)

    def __init__(self, clause: RequirementClause):
        self.read = None
        self.name = clause.name
        self.text = f"requirement {clause.name}"
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        decision = ctx.requirement(self.name)
        if decision is None:
            return ClauseResult(
                "requirement", self.text, False, span=self.span, requirement=self.name
            )
        return new_clause_result(
            "requirement",
            self.text,
            decision.held,
            (decision.clause,),
            None,
            (),
            (),
            None,
            None,
            self.span,
            None,
            self.name,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        decision = ctx.requirement(self.name)
        if (
            decision is not None
            and previous.children
            and decision.clause is previous.children[0]
            and decision.held is previous.held
        ):
            return previous
        return super().update(ctx, previous)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return set(plan.requirement_codes(self.name))


class LearnerNode(Node):
    """``learner.attr`` and ``learner.attr <op> <value>``."""

    __slots__ = ("clause",)

    def __init__(self, clause: LearnerClause):
        self.read = None
        self.clause = clause
        self.text = clause.text
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        attrs_ = ctx.attributes
        name = self.clause.attribute
        actual = attribute_text(attrs_[name]) if name in attrs_ else None
        return new_clause_result(
            "learner",
            self.text,
            compare(self.clause, attrs_),
            (),
            None,
            (),
            (),
            None,
            actual,
            self.span,
            None,
            None,
        )


class GroupNode(Node):
    """``all { … }``, ``any { … }`` and ``pathway "name" { … }``."""

    __slots__ = ("children", "kind", "pathway")

    def __init__(
        self,
        kind: Literal["any", "all"],
        children: tuple[AnyNode, ...],
        span: Span | None,
        pathway: str | None,
    ):
        self.read = None
        self.kind = kind
        self.children = children
        self.span = span
        self.pathway = pathway
        if pathway is not None:
            self.text = f'pathway "{pathway}"'
        else:
            self.text = f"{kind} {{ … }}"

    def evaluate(self, ctx: Context) -> ClauseResult:
        results = tuple([child.evaluate(ctx) for child in self.children])
        held = any(map(_held, results)) if self.kind == "any" else all(map(_held, results))
        # As :meth:`_combine` builds it (inlined: once per group and learner).
        return new_clause_result(
            "pathway" if self.pathway is not None else self.kind,
            self.text,
            held,
            results,
            self.pathway,
            (),
            (),
            None,
            None,
            self.span,
            None,
            None,
        )

    def _combine(self, results: tuple[ClauseResult, ...]) -> ClauseResult:
        """The group's result from its children's."""
        held = any(map(_held, results)) if self.kind == "any" else all(map(_held, results))
        return new_clause_result(
            "pathway" if self.pathway is not None else self.kind,
            self.text,
            held,
            results,
            self.pathway,
            (),
            (),
            None,
            None,
            self.span,
            None,
            None,
        )

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        results = tuple(
            [
                child.update(ctx, before)
                for child, before in zip(self.children, previous.children, strict=True)
            ]
        )
        if all(map(operator.is_, results, previous.children)):
            return previous
        return self._combine(results)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        found: set[str] = set()
        for child in self.children:
            found |= child.codes(plan)
        return found


class NotNode(Node):
    """``not <clause>``."""

    __slots__ = ("child",)

    def __init__(self, clause: NotClause, child: AnyNode):
        self.read = None
        self.child = child
        self.text = f"not {child.text}"
        self.span = clause.span

    def evaluate(self, ctx: Context) -> ClauseResult:
        inner = self.child.evaluate(ctx)
        return ClauseResult("not", self.text, not inner.held, (inner,), span=self.span)

    def update(self, ctx: Context, previous: ClauseResult) -> ClauseResult:
        read = self.read
        if ctx.touched.isdisjoint(read if read is not None else ctx.plan.node_codes(self)):
            return previous
        inner = self.child.update(ctx, previous.children[0])
        if inner is previous.children[0]:
            return previous
        return ClauseResult("not", self.text, not inner.held, (inner,), span=self.span)

    def codes(self, plan: CompiledPolicy) -> set[str]:
        return self.child.codes(plan)


#: Every kind of compiled clause, a closed union: each consumer matches on it exhaustively.
AnyNode: TypeAlias = TestNode | RequirementNode | LearnerNode | GroupNode | NotNode


def compile_clause(clause: Clause, selections: Selections | None = None) -> AnyNode:
    """The node for a resolved clause (``selections``: those of the policy being compiled, so
    tests over the same competencies share one)."""
    if selections is None:
        selections = {}
    match clause:
        case CompetencyTest():
            return TestNode(clause, selections)
        case RequirementClause():
            return RequirementNode(clause)
        case LearnerClause():
            return LearnerNode(clause)
        case AnyClause():
            children = tuple(compile_clause(c, selections) for c in clause.clauses)
            return GroupNode("any", children, clause.span, None)
        case AllClause():
            children = tuple(compile_clause(c, selections) for c in clause.clauses)
            return GroupNode("all", children, clause.span, clause.pathway)
        case NotClause():
            return NotNode(clause, compile_clause(clause.clause, selections))
        case _:  # pragma: no cover - the union is closed
            assert_never(clause)
