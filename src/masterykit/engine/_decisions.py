"""Requirements, advancements, the graduation rule and pace, compiled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, assert_never

from masterykit.engine._attributes import as_date, attribute_text
from masterykit.engine._clauses import (
    AnyNode,
    Context,
    GroupNode,
    LearnerNode,
    NotNode,
    RequirementNode,
    Selections,
    TestNode,
    _pace_view,
    compile_clause,
)
from masterykit.engine._state import (
    _PROFICIENT,
)
from masterykit.engine.facts import DueNotADate, DueProblem, NoDueAttribute, NoDueRule
from masterykit.engine.results import (
    ClauseResult,
    DecisionResult,
    PaceResult,
    PaceStatus,
    new_decision_result,
)
from masterykit.engine.semantics import (
    pace_projection,
)
from masterykit.policy import (
    AllClause,
    Duration,
    Policy,
    Provenance,
)

if TYPE_CHECKING:
    from masterykit.engine._plan import CompiledPolicy

__all__ = [
    "DecisionPlan",
    "PacePlan",
]


# --- decisions -------------------------------------------------------------------------------


class DecisionPlan:
    """A requirement, advancement or the graduation rule, compiled."""

    __slots__ = (
        "kind",
        "name",
        "node",
        "pathways",
        "source",
        "source_name",
        "target_name",
        "title",
    )

    def __init__(
        self,
        kind: str,
        name: str,
        title: str | None,
        condition: AllClause,
        source: Provenance,
        stages: tuple[str, str] | None = None,
        selections: Selections | None = None,
    ):
        self.kind = kind
        self.name = name
        self.title = title
        #: An advancement's stages, from and to.
        self.source_name: str | None = stages[0] if stages is not None else None
        self.target_name: str | None = stages[1] if stages is not None else None
        self.node = compile_clause(condition, selections)
        self.source = source
        #: Whether a named pathway can appear in the clause tree (set by the compiled policy).
        self.pathways = True

    def decide(self, ctx: Context, previous: DecisionResult | None = None) -> DecisionResult:
        """The decision for the learner in ``ctx``; with ``previous``, its result before the
        competencies ``ctx.touched`` changed, whose unchanged parts are kept."""
        if previous is None:
            result = self.node.evaluate(ctx)
        else:
            result = self.node.update(ctx, previous.clause)
            if result is previous.clause:
                if result.held:
                    return previous  # nothing to word: equal in every field
                if ctx.touched.isdisjoint(ctx.plan.node_codes(self.node)):
                    return previous
                # INVARIANT: the same clause results take the same pathways; the next steps are
                # derived from the current competency results.
                return self._result(result, ctx, previous.pathways)
        pathways: tuple[str, ...] = ()
        if self.pathways:
            found: list[str] = []
            _taken(self.node, result, ctx, found)
            pathways = tuple(found)
        return self._result(result, ctx, pathways)

    def _result(
        self, result: ClauseResult, ctx: Context, pathways: tuple[str, ...]
    ) -> DecisionResult:
        competencies = ctx.competencies
        if type(competencies) is MappingProxyType:
            # Already the read-only view the field's converter would make.
            return new_decision_result(
                self.kind,
                self.name,
                self.title,
                result.held,
                result,
                self.source,
                pathways,
                competencies,
                self.source_name,
                self.target_name,
            )
        return DecisionResult(
            self.kind,
            self.name,
            self.title,
            result.held,
            result,
            self.source,
            pathways,
            ctx.competencies,
            self.source_name,
            self.target_name,
        )

    def keep(self, decision: DecisionResult, ctx: Context) -> DecisionResult:
        """``decision``, made before the competencies ``ctx.touched`` changed and reading none
        of them, kept for ``ctx`` (its facts, next steps included, are the same)."""
        return decision


def _taken(node: AnyNode, result: ClauseResult, ctx: Context, found: list[str]) -> None:
    """Add the names of the pathways that held under ``node`` to ``found``, depth first (a
    referenced requirement contributes the pathways its own decision took)."""
    match node:
        case GroupNode():
            if node.pathway is not None and result.held:
                found.append(node.pathway)
            for child, child_result in zip(node.children, result.children, strict=True):
                _taken(child, child_result, ctx, found)
        case NotNode():
            _taken(node.child, result.children[0], ctx, found)
        case RequirementNode():
            decision = ctx.requirement(node.name)
            if decision is not None:
                found.extend(decision.pathways)
        case TestNode() | LearnerNode():
            pass
        case _:  # pragma: no cover - the union is closed
            assert_never(node)


def _needed(
    as_of: dt.date, due: dt.date | None, remaining: int
) -> tuple[int | None, Decimal | None]:
    """Days from ``as_of`` to ``due`` and the competencies per day that finishing the
    ``remaining`` ones by then takes (``None`` when nothing remains or ``due`` is not later)."""
    if due is None:
        return None, None
    days = (due - as_of).days
    rate = Decimal(remaining) / Decimal(days) if remaining and days > 0 else None
    return days, rate


@lru_cache(maxsize=4096)
def _shifted(duration: Duration, day: dt.date, sign: int) -> dt.date:
    """``duration`` before (``sign`` −1) or after (1) ``day``, remembered: a batch's learners
    share the as-of date and a few due dates, and a calendar shift costs more than a lookup."""
    return duration.before(day) if sign < 0 else duration.after(day)


class PacePlan:
    """The ``pace`` rule, compiled."""

    __slots__ = ("codes", "extensions", "pace", "selected")

    def __init__(self, policy: Policy, selections: Selections | None = None):
        pace = policy.pace
        assert pace is not None
        self.pace = pace
        self.codes = pace.codes
        self.selected = frozenset(pace.codes)
        self.extensions = tuple(
            (ext.duration, compile_clause(ext.condition, selections)) for ext in pace.extensions
        )

    def evaluate(self, ctx: Context, as_of: dt.date) -> PaceResult:
        """Pace for the learner in ``ctx`` (see ``LANGUAGE.md``, "Pace")."""
        pace = self.pace
        comps = ctx.competencies
        start = _shifted(pace.window, as_of, -1)
        days = (as_of - start).days
        remaining = tuple(code for code in self.codes if comps[code].status is not _PROFICIENT)
        recent = tuple(
            code
            for code in self.codes
            if comps[code].status is _PROFICIENT
            and (first := comps[code].first_proficient) is not None
            and start <= first <= as_of
        )
        base: dt.date | None = None
        problem: DueProblem | None = None
        if pace.due_date is not None:
            base = pace.due_date
        elif pace.due_attribute is not None:
            name = pace.due_attribute
            if name not in ctx.attributes:
                problem = NoDueAttribute(name)
            else:
                base = as_date(ctx.attributes[name])
                if base is None:
                    problem = DueNotADate(name, attribute_text(ctx.attributes[name]))
        else:
            problem = NoDueRule()
        due = base
        applied = []
        if due is not None:
            for duration, node in self.extensions:
                if node.evaluate(ctx).held:
                    due = _shifted(duration, due, 1)
                    applied.append(f"extend {duration} when {node.text}")
        risk_until = _shifted(pace.risk, due, 1) if due is not None else None
        projected = pace_projection(as_of, len(remaining), len(recent), days)
        if not remaining:
            status = PaceStatus.COMPLETE
        elif problem is not None or due is None or risk_until is None:
            status = PaceStatus.UNKNOWN
        elif projected is None:
            status = PaceStatus.OFF_TRACK
        elif projected <= due:
            status = PaceStatus.ON_TRACK
        elif projected <= risk_until:
            status = PaceStatus.AT_RISK
        else:
            status = PaceStatus.OFF_TRACK
        days_left, required = _needed(as_of, base, len(remaining))
        extended_left, extended_required = (
            _needed(as_of, due, len(remaining)) if applied else (None, None)
        )
        return PaceResult(
            status,
            remaining,
            recent,
            start,
            days,
            projected,
            base,
            due,
            risk_until,
            tuple(applied),
            pace.source,
            pace.window,
            problem,
            days_left,
            required,
            extended_left,
            extended_required,
        )

    def unchanged(self, ctx: Context, extension_codes: frozenset[str]) -> bool:
        """Whether pace is the same as before the competencies ``ctx.touched`` changed (what
        pace reads of each of them is the same, and no extension reads them)."""
        before = ctx.before
        if before is None or not ctx.touched.isdisjoint(extension_codes):
            return False
        comps = ctx.competencies
        selected = self.selected
        return all(
            _pace_view(before[code]) == _pace_view(comps[code])
            for code in ctx.touched
            if code in selected
        )

    def codes_read(self, plan: CompiledPolicy) -> set[str]:
        """Every competency pace reads."""
        found = set(self.codes)
        for _duration, node in self.extensions:
            found |= node.codes(plan)
        return found
