"""Check a parsed district file and resolve it into a :class:`~masterykit.district.District`.

:func:`check_district` reads no files, like :func:`masterykit.dsl.check.check`: the loader reads
and checks every routed policy (reporting a file that is missing, outside the district's
folder, not a policy or itself a district file) and hands them in. This pass checks what the
district file says itself:

* one ``district`` block (``MK296``);
* route conditions are learner clauses (``MK297``): a competency test, a requirement or a
  pathway belongs in a policy, not in a route;
* every routed policy's ``extends`` chain ends at the same base file (``MK292``);
* a route that can never be taken, because an earlier route has the same condition (``MK294``)
  or because it follows ``otherwise`` (``MK295``), is a warning;
* a district that routes no learner to a policy at all (``MK298``);
* an example's ``expect … policy "…"`` names a policy some route uses (``MK299``).

Conditions are resolved into :mod:`masterykit.policy` clauses exactly as the policy checker
resolves learner clauses, so the engine evaluates them with the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

import attrs

from masterykit.diagnostics import (
    Diagnostic,
    Related,
    Severity,
    Source,
    Span,
    has_errors,
    sort_key,
)
from masterykit.district import District, Route
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import Reporter
from masterykit.dsl._check_text import clause_text, suggest
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    LearnerClause,
    NotClause,
    Policy,
    PolicyExample,
    Provenance,
)

__all__ = ["RoutedPolicy", "check_district", "route_text"]


@attrs.frozen(slots=True)
class RoutedPolicy:
    """What the loader found at a route's file: the checked policy (``None`` when it could not
    be loaded; the loader has reported why), the name of the base file its chain ends at, and
    that base file checked as a policy of its own (the same object for every route whose chain
    ends there; the routed policy itself when it extends nothing)."""

    policy: Policy | None
    base_file: str | None = None
    base: Policy | None = None


def route_text(route: n.RouteDecl) -> str:
    """A route as the author would write it, on one line."""
    if route.clauses is None:
        head = "otherwise"
    else:
        head = "when " + " and ".join(clause_text(clause) for clause in route.clauses)
    if route.path is not None:
        return f"{head} use {_quoted(route.path.value)}"
    assert route.reason is not None
    return f"{head} not evaluated {_quoted(route.reason.value)}"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _learner_clause(clause: n.Clause, reporter: Reporter) -> Clause | None:
    """``clause`` as a policy clause, or ``None`` after reporting that it is no learner clause."""
    match clause:
        case n.LearnerTest():
            return LearnerClause(
                clause.attribute.value,
                clause.op,
                clause.value.value if clause.value is not None else None,
                clause_text(clause),
                clause.span,
            )
        case n.AnyBlock():
            inner = _learner_clauses(clause.clauses, reporter)
            return AnyClause(inner, clause.span) if inner is not None else None
        case n.AllBlock():
            inner = _learner_clauses(clause.clauses, reporter)
            return AllClause(inner, span=clause.span) if inner is not None else None
        case n.Not():
            one = _learner_clause(clause.clause, reporter)
            return NotClause(one, clause.span) if one is not None else None
        case n.Quantified() | n.RequirementRef() | n.Pathway():
            what = {
                n.Quantified: "a competency test",
                n.RequirementRef: "a requirement",
                n.Pathway: "a pathway",
            }[type(clause)]
            reporter.error(
                "MK297",
                f"`{clause_text(clause)}` is {what}; a route's condition may only test the "
                "learner (`learner.…`)",
                clause.span,
                help="routes choose a policy by who the learner is, such as "
                '`when learner.school = "north" use "north.mastery"`; put tests of '
                "competencies and requirements in the policy the route uses",
            )
            return None
        case _:
            assert_never(clause)


def _learner_clauses(
    clauses: tuple[n.Clause, ...], reporter: Reporter
) -> tuple[Clause, ...] | None:
    out = [_learner_clause(clause, reporter) for clause in clauses]
    if any(clause is None for clause in out):
        return None
    return tuple(clause for clause in out if clause is not None)


def _condition(route: n.RouteDecl, reporter: Reporter) -> Clause | None:
    """The route's condition: its one clause, or all of its clauses joined by ``and``."""
    assert route.clauses is not None
    clauses = _learner_clauses(route.clauses, reporter)
    if clauses is None:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return AllClause(clauses, span=route.span)


def check_district(
    tree: n.DistrictFile,
    routed: Mapping[int, RoutedPolicy],
    *,
    sources: Mapping[str, Source] | None = None,
) -> tuple[District | None, list[Diagnostic]]:
    """Check a district file and resolve it into a district.

    Args:
        tree: the parsed district file.
        routed: for the index of every route that names a file, what the loader found there.
            Routes to the same file must share one :class:`RoutedPolicy` (and so one policy).
        sources: every file's text, kept in the district for diagnostics and explanations.

    Returns:
        The district (``None`` when there are errors) and every diagnostic, sorted.
    """
    reporter = Reporter()
    block = tree.district
    for extra in tree.districts[1:]:
        first = block.span
        reporter.error(
            "MK296",
            f"the file has a second `district` block (`{extra.name}`); a district file has one",
            Span.point(extra.span.file, extra.span.line, extra.span.column, len("district"))
            if extra.span
            else None,
            help="put every route in the first block, in the order they are tried",
            related=(Related("the first `district` block is here", first),) if first else (),
        )
    conditions: list[Clause | None] = []
    ok = True
    for route in block.routes:
        if route.clauses is None:
            conditions.append(None)
            continue
        condition = _condition(route, reporter)
        ok = ok and condition is not None
        conditions.append(condition)
    _unreachable(block.routes, conditions, reporter)
    base = _shared_base(block.routes, routed, reporter)
    if base is None and not any(r.path is not None for r in block.routes):
        span = block.span
        reporter.error(
            "MK298",
            f"district `{block.name}` routes no learner to a policy",
            Span.point(span.file, span.line, span.column, len("district")) if span else None,
            help='add a route that uses a policy, such as `otherwise use "district.mastery"`',
        )
    policy_names = {info.policy.name for info in routed.values() if info.policy is not None}
    _check_examples(tree.examples, policy_names, reporter)
    diagnostics = sorted(reporter.diagnostics, key=sort_key)
    if (
        has_errors(diagnostics)
        or not ok
        or base is None
        or any(_unloaded(routed, i) for i, r in enumerate(block.routes) if r.path is not None)
    ):
        return None, diagnostics
    routes = []
    for index, (route, condition) in enumerate(zip(block.routes, conditions, strict=True)):
        policy = routed[index].policy if route.path is not None else None
        routes.append(
            Route(
                index=index,
                condition=condition,
                policy=policy,
                text=route_text(route),
                source=Provenance.from_span(route.span, block.name),
                reason=route.reason.value if route.reason is not None else None,
            )
        )
    district = District(
        name=block.name,
        version=block.version,
        file=tree.source_name,
        base=base,
        routes=tuple(routes),
        examples=tuple(PolicyExample(tree.source_name, example) for example in tree.examples),
        sources=dict(sources or {}),
    )
    return district, diagnostics


def _unloaded(routed: Mapping[int, RoutedPolicy], index: int) -> bool:
    info = routed.get(index)
    return info is None or info.policy is None


def _unreachable(
    routes: tuple[n.RouteDecl, ...], conditions: list[Clause | None], reporter: Reporter
) -> None:
    """Warn about routes no learner can take (``MK294``, ``MK295``)."""
    otherwise: n.RouteDecl | None = None
    seen: dict[Clause, n.RouteDecl] = {}
    for route, condition in zip(routes, conditions, strict=True):
        if otherwise is not None:
            reporter.error(
                "MK295",
                "this route can never be taken: it comes after `otherwise`",
                route.span,
                help="`otherwise` takes every learner no earlier route took; move this route "
                "above it",
                related=(Related("the `otherwise` route is here", otherwise.span),),
                severity=Severity.WARNING,
            )
            continue
        if route.clauses is None:
            otherwise = route
            continue
        if condition is None:
            continue
        earlier = seen.get(condition)
        if earlier is not None:
            reporter.error(
                "MK294",
                "this route can never be taken: an earlier route has the same condition",
                route.span,
                help="routes are tried in order and the first whose condition holds decides; "
                "remove this route or change its condition",
                related=(Related("the earlier route is here", earlier.span),),
                severity=Severity.WARNING,
            )
            continue
        seen[condition] = route


def _shared_base(
    routes: tuple[n.RouteDecl, ...], routed: Mapping[int, RoutedPolicy], reporter: Reporter
) -> Policy | None:
    """The district's base policy: the file every routed policy's chain ends at (``MK292``
    for a route whose chain ends elsewhere). ``None`` when no routed policy loaded."""
    first: tuple[n.RouteDecl, RoutedPolicy] | None = None
    for index, route in enumerate(routes):
        info = routed.get(index)
        if route.path is None or info is None or info.policy is None:
            continue
        if first is None:
            first = (route, info)
            continue
        if info.base_file != first[1].base_file:
            assert first[0].path is not None
            reporter.error(
                "MK292",
                f"`{route.path.value}` does not share the district's base policy: its chain "
                f"ends at `{info.base_file}`, while `{first[0].path.value}` ends at "
                f"`{first[1].base_file}`",
                route.path.span,
                help="every policy a district routes to extends the same district policy "
                "(directly or through other overlays), so all learners are graded on the same "
                "foundation",
                related=(Related("the first routed policy is named here", first[0].path.span),),
            )
    if first is None:
        return None
    return first[1].base


def _check_examples(
    examples: tuple[n.Example, ...], policy_names: set[str], reporter: Reporter
) -> None:
    """``MK299`` for ``expect … policy "X"`` when no route uses a policy named ``X``."""
    if not policy_names:
        return
    for example in examples:
        for expectation in example.expectations:
            if expectation.what != "policy" or not isinstance(expectation.value, n.Ident):
                continue
            name = expectation.value.value
            if name in policy_names:
                continue
            reporter.error(
                "MK299",
                f'no route uses a policy named "{name}"',
                expectation.value.span,
                help=suggest(name, policy_names)
                or 'the name is the one a routed file gives in its header, `policy "…"`; '
                + "the district uses "
                + ", ".join(f'"{p}"' for p in sorted(policy_names)),
            )
