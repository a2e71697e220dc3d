"""Explanations: why a learner got a result, as a tree of sentences, and its plain text.

Everything here reads results; nothing evaluates again. :func:`explain` turns a competency
result, a decision, a pace result or a whole learner's result into an :class:`Explanation` tree
(which evidence counted and which did not, the method and cut with the file, line and layer that
set them, which clause failed and by how much, what is still missing). :func:`render_text` turns
any result, or an explanation, into text a teacher or a family can read.

Every function takes an ``audience`` (see :data:`masterykit.engine.render.Audience`): next steps
and evidence rules are worded by :mod:`masterykit.engine.render` for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import assert_never

import attrs

from masterykit.engine.render import Audience, render_check_rule
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    DecisionResult,
    EvaluationResult,
    LearnerResult,
    NextStep,
    PaceResult,
    RouteResult,
    Status,
    UnusedEvidence,
    UnusedReason,
)
from masterykit.evidence import Evidence
from masterykit.numbers import format_decimal
from masterykit.policy import Provenance

__all__ = [
    "Explanation",
    "describe_status",
    "explain",
    "explain_competency",
    "explain_decision",
    "explain_learner",
    "explain_pace",
    "explain_route",
    "render_text",
    "summary_line",
]


@attrs.frozen(slots=True)
class Explanation:
    """One sentence of an explanation and the sentences that support it."""

    text: str
    children: tuple[Explanation, ...] = ()

    def lines(self, depth: int = 0) -> list[str]:
        """The tree as indented lines (two spaces per level)."""
        found = ["  " * depth + self.text]
        for child in self.children:
            found.extend(child.lines(depth + 1))
        return found


_STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.INSUFFICIENT: "not enough evidence yet",
    Status.DEVELOPING: "developing",
    Status.PROFICIENT: "proficient",
}


def describe_status(status: Status) -> str:
    """A status in words (``insufficient`` is "not enough evidence yet")."""
    return _STATUS_WORDS[status]


def _where(source: Provenance) -> str:
    tight = ", tight" if source.tight else ""
    return f"set by {source.layer} at {source.file}:{source.line}{tight}"


def _evidence(evidence: Evidence) -> str:
    text = f"{evidence.timestamp.isoformat()} score {format_decimal(evidence.score)}"
    if evidence.kind:
        text += f" from {evidence.kind}"
    if evidence.origin is not None:
        text += f" [{evidence.origin}]"
    return text


def _unused(unused: UnusedEvidence, result: CompetencyResult) -> str:
    if unused.reason is UnusedReason.AFTER_AS_OF:
        why = "dated after the as-of date"
    elif unused.reason is UnusedReason.BEFORE_PREREQUISITES:
        if result.gate_opened is not None:
            why = f"dated before its prerequisites were proficient ({result.gate_opened})"
        else:
            why = "its prerequisites are not all proficient yet"
    else:
        window = result.window.duration if result.window is not None else None
        start = result.window_start.isoformat() if result.window_start else "?"
        why = f"older than the {window} window (which starts {start})"
    return f"{_evidence(unused.evidence)}: {why}"


def summary_line(result: CompetencyResult) -> str:
    """One line: code, title, status, score and level."""
    title = f' "{result.title}"' if result.title else ""
    text = f"{result.code}{title}: {describe_status(result.status)}"
    if result.score is not None:
        text += f", score {format_decimal(result.score)}"
        if result.level is not None:
            text += f" ({result.level})"
    return text


def _cut(result: CompetencyResult) -> str:
    cut = format_decimal(result.cut.cut)
    level = f" ({result.cut.level})" if result.cut.level else ""
    return f"proficient at {cut}{level} ({_where(result.cut.source)})"


def _steps(steps: tuple[NextStep, ...], audience: Audience) -> Explanation:
    children: list[Explanation] = []
    by_option: dict[str, list[Explanation]] = {}
    for step in steps:
        text = step.render(audience)
        if step.option is None:
            children.append(Explanation(f"- {text}"))
        else:
            by_option.setdefault(step.option, []).append(Explanation(f"- {text}"))
    if by_option:
        options = tuple(
            Explanation(f"or {label}:" if index else f"either {label}:", tuple(items))
            for index, (label, items) in enumerate(by_option.items())
        )
        children.append(Explanation("one of these routes:", options))
    return Explanation("still missing:", tuple(children))


def explain_competency(result: CompetencyResult, audience: Audience = "author") -> Explanation:
    """Why a competency has its status: evidence, rules with their provenance, what is missing."""
    children: list[Explanation] = []
    calc = result.calculation
    if result.unrounded is not None and result.score is not None:
        value = f" gives {format_decimal(result.unrounded)}"
        if result.unrounded != result.score:
            value += f", rounded to {format_decimal(result.score)}"
    elif result.used:
        value = " gives no score yet"
    else:
        value = ""
    children.append(Explanation(f"calculate {calc.text}{value} ({_where(calc.source)})"))
    children.append(Explanation(_cut(result)))
    if result.used:
        children.append(
            Explanation(
                f"evidence that counts ({len(result.used)}):",
                tuple(Explanation(_evidence(e)) for e in result.used),
            )
        )
    if result.unused:
        children.append(
            Explanation(
                f"evidence that does not count ({len(result.unused)}):",
                tuple(Explanation(_unused(u, result)) for u in result.unused),
            )
        )
    if result.window is not None:
        start = result.window_start.isoformat() if result.window_start else "?"
        children.append(
            Explanation(
                f"evidence within {result.window.duration}: from {start} "
                f"({_where(result.window.source)})"
            )
        )
    if result.gate is not None:
        opened = (
            f"prerequisites proficient since {result.gate_opened.isoformat()}"
            if result.gate_opened is not None
            else f"waiting on {', '.join(result.waiting_on)}"
        )
        children.append(
            Explanation(f"evidence after prerequisites: {opened} ({_where(result.gate.source)})")
        )
    elif result.waiting_on:
        children.append(
            Explanation(f"prerequisites not yet proficient: {', '.join(result.waiting_on)}")
        )
    for check in result.checks:
        mark = "met" if check.met else "not met"
        rule = render_check_rule(check, audience)
        children.append(
            Explanation(
                f"{rule}: {mark} ({check.actual} counted, {check.needed} needed; "
                f"{_where(check.source)})"
            )
        )
    if result.first_proficient is not None:
        children.append(Explanation(f"first proficient on {result.first_proficient.isoformat()}"))
    if result.missing:
        children.append(_steps(result.missing, audience))
    return Explanation(summary_line(result), tuple(children))


def _clause(clause: ClauseResult, competencies: Mapping[str, CompetencyResult]) -> Explanation:
    mark = "holds" if clause.held else "does not hold"
    detail = ""
    children: list[Explanation] = []
    match clause.kind:
        case "competencies":
            total = len(clause.passing) + len(clause.failing)
            # ``at least N of`` and ``at least P% of`` needing none still count what passes.
            counted = clause.rule is not None and clause.rule.quantifier in ("count", "percent")
            if clause.needed == 0 and not counted:
                detail = f" ({len(clause.passing)} of {total} found, none allowed)"
                offending = clause.passing
            else:
                detail = f" ({len(clause.passing)} of {total}, {clause.needed} needed)"
                offending = () if clause.held else clause.failing
            for code in offending:
                if code in competencies:
                    children.append(Explanation(summary_line(competencies[code])))
        case "learner":
            if clause.actual is None:
                detail = " (the learner has no such attribute)"
            else:
                detail = f" (the learner's value: {clause.actual})"
        case "requirement":
            inner = clause.children[0].children if clause.children else ()
            children.extend(_clause(child, competencies) for child in inner)
        case "any" | "all" | "pathway" | "not":
            children.extend(_clause(child, competencies) for child in clause.children)
        case _:  # pragma: no cover - the union is closed
            assert_never(clause.kind)
    return Explanation(f"{clause.text}: {mark}{detail}", tuple(children))


def explain_decision(
    decision: DecisionResult,
    competencies: Mapping[str, CompetencyResult] | None = None,
    audience: Audience = "author",
) -> Explanation:
    """Which clauses held, which failed and by how much, the pathways taken, what is missing."""
    comps = competencies or {}
    if decision.kind == "requirement":
        title = f' "{decision.title}"' if decision.title else ""
        head = f"requirement {decision.name}{title}"
    elif decision.kind == "advancement":
        head = f"advance {decision.name}"
    else:
        head = "graduate"
    mark = "met" if decision.held else "not met"
    children = [_clause(child, comps) for child in decision.clause.children]
    children.append(Explanation(f"rule {_where(decision.source)}"))
    if decision.pathways:
        names = ", ".join(f'"{name}"' for name in decision.pathways)
        children.append(Explanation(f"pathway taken: {names}"))
    steps = decision.next_steps
    if steps:
        children.append(_steps(steps, audience))
    return Explanation(f"{head}: {mark}", tuple(children))


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "none"


def explain_pace(pace: PaceResult, audience: Audience = "author") -> Explanation:
    """Remaining competencies, the rate in the window, the projection and the due date."""
    del audience  # pace is worded the same for every audience for now
    children = [
        Explanation(f"remaining ({len(pace.remaining)}): {', '.join(pace.remaining) or 'none'}"),
        Explanation(
            f"proficient since {pace.window_start.isoformat()} ({pace.window_days} days): "
            f"{', '.join(pace.proficient_in_window) or 'none'}"
        ),
    ]
    if pace.projected is not None:
        children.append(Explanation(f"projected to finish on {pace.projected.isoformat()}"))
    if pace.base_due is not None:
        due = f"due {pace.base_due.isoformat()}"
        for extension in pace.extensions:
            due += f"; {extension}"
        if pace.extensions:
            due += f": due {_date(pace.due)}"
        children.append(Explanation(due))
        children.append(Explanation(f"at risk until {_date(pace.risk_until)}"))
    return Explanation(f"pace: {pace.status.value} ({pace.reason})", tuple(children))


def explain_route(route: RouteResult) -> tuple[Explanation, ...]:
    """Why a district file's route took a learner: the route, its condition's result, and the
    routes before it that did not apply (or, when no route took the learner, every one)."""
    found: list[Explanation] = []
    if route.index is not None:
        where = f" ({route.source})" if route.source is not None else ""
        condition = (_clause(route.condition, {}),) if route.condition is not None else ()
        found.append(
            Explanation(f"chosen by route {route.index + 1}: {route.text}{where}", condition)
        )
    for index, clause in enumerate(route.skipped):
        line = _clause(clause, {})
        found.append(Explanation(f"route {index + 1} does not apply: {line.text}", line.children))
    return tuple(found)


def _routed(result: LearnerResult) -> Explanation | None:
    """The first line of a district run's learner: the policy that evaluated them and why, or
    why none did."""
    why = explain_route(result.route) if result.route is not None else ()
    skipped = result.not_evaluated
    if skipped is not None:
        children = list(why)
        if skipped.evidence:
            children.append(
                Explanation(
                    f"evidence that does not count ({len(skipped.evidence)}):",
                    tuple(Explanation(_evidence(e)) for e in skipped.evidence),
                )
            )
        return Explanation(f"not evaluated [{skipped.code}]: {skipped.reason}", tuple(children))
    if result.route is None or result.policy is None:
        return None
    policy = result.policy
    version = f" version {policy.version}" if policy.version else ""
    return Explanation(f'policy "{policy.name}"{version}', why)


def explain_learner(result: LearnerResult, audience: Audience = "author") -> Explanation:
    """A learner's competencies (one line each, with what is missing), decisions and pace.

    In a district run, the first line under the learner names the policy that evaluated them
    and the route that chose it (or why no policy did).

    .. versionchanged:: 0.1
       The policy and route of a district run.
    """
    children: list[Explanation] = []
    routed = _routed(result)
    if routed is not None:
        children.append(routed)
    for competency in result.competencies.values():
        missing = competency.missing
        extra = (_steps(missing, audience),) if missing else ()
        children.append(Explanation(summary_line(competency), extra))
    for decision in result.decisions():
        children.append(explain_decision(decision, result.competencies, audience))
    if result.pace is not None:
        children.append(explain_pace(result.pace, audience))
    return Explanation(f"learner {result.learner.id}", tuple(children))


def explain(
    result: CompetencyResult | DecisionResult | PaceResult | LearnerResult,
    competencies: Mapping[str, CompetencyResult] | None = None,
    audience: Audience = "author",
) -> Explanation:
    """The explanation tree of any result for ``audience`` (``competencies`` helps explain a
    decision)."""
    if isinstance(result, CompetencyResult):
        return explain_competency(result, audience)
    if isinstance(result, DecisionResult):
        return explain_decision(result, competencies, audience)
    if isinstance(result, PaceResult):
        return explain_pace(result, audience)
    return explain_learner(result, audience)


def render_text(
    result: EvaluationResult
    | LearnerResult
    | CompetencyResult
    | DecisionResult
    | PaceResult
    | Explanation,
    *,
    audience: Audience = "author",
) -> str:
    """Plain text for a result or an explanation for ``audience`` (no colour, ends with a
    newline).

    >>> print(render_text(Explanation("graduate: met", (Explanation("all of MATH proficient"),))))
    graduate: met
      all of MATH proficient
    <BLANKLINE>
    """
    if isinstance(result, Explanation):
        return "\n".join(result.lines()) + "\n"
    if isinstance(result, EvaluationResult):
        version = f" version {result.version}" if result.version else ""
        kind = "policy" if result.district is None else "district"
        parts = [f'{kind} "{result.policy}"{version}, as of {result.as_of.isoformat()}', ""]
        for learner in result.learners:
            parts.extend(explain_learner(learner, audience).lines())
            parts.append("")
        counts = result.counts
        parts.append(
            f"evidence: {counts.read} read, {counts.used} used "
            f"({counts.counted} counted, {counts.not_counted} not counted), "
            f"{counts.rejected} rejected"
        )
        for rejection in result.rejections:
            parts.append(f"  {rejection.code} {rejection.origin}: {rejection.reason}")
        return "\n".join(parts) + "\n"
    return "\n".join(explain(result, audience=audience).lines()) + "\n"
