"""The checker's decision pass: requirements, clauses, advancement, graduation and pace.

Requirements are collected base first; an overlay's requirement of the same name replaces a
loose one and is an error over a ``tight requirement``. The graduation decision is replaced over
a loose base and extended (all clauses must hold) over a tight one.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import assert_never

import attrs

from masterykit.diagnostics import Related, Span
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import (
    Namespace,
    level_value,
    missing_level_message,
    where,
)
from masterykit.dsl._check_text import clause_text, join_codes, name_text, suggest
from masterykit.numbers import format_decimal
from masterykit.policy import (
    Advancement,
    AllClause,
    AnyClause,
    Clause,
    CompetencyTest,
    Duration,
    Graduation,
    LearnerClause,
    NotClause,
    Pace,
    PaceExtension,
    Provenance,
    Requirement,
    RequirementClause,
)

__all__ = ["MAX_CONDITION_DEPTH", "Decisions", "resolve_decisions"]

#: How deep a condition may nest, counting each requirement it refers to as the conditions of
#: that requirement: ``all``, ``any``, ``not``, ``pathway`` and ``requirement`` each add a level.
#: Evaluating and explaining a decision walk this depth, so it is bounded well within what
#: Python's stack allows.
MAX_CONDITION_DEPTH = 64


@attrs.define
class Decisions:
    """The resolved requirements, advancements, graduation and pace."""

    requirements: dict[str, Requirement] = attrs.Factory(dict)
    advancements: list[Advancement] = attrs.Factory(list)
    graduation: Graduation | None = None
    pace: Pace | None = None


@attrs.define
class _Clauses:
    """Turns clause nodes into policy clauses, reporting what cannot be resolved."""

    ns: Namespace
    layer: int
    refs: list[tuple[str, n.Ident]] = attrs.Factory(list)

    def many(self, clauses: tuple[n.Clause, ...]) -> tuple[Clause, ...] | None:
        out: list[Clause] = []
        ok = True
        for clause in clauses:
            converted = self.one(clause)
            if converted is None:
                ok = False
            else:
                out.append(converted)
        return tuple(out) if ok else None

    def one(self, clause: n.Clause) -> Clause | None:
        match clause:
            case n.Quantified():
                return self._quantified(clause)
            case n.RequirementRef():
                self.refs.append((clause.name.value, clause.name))
                return RequirementClause(clause.name.value, clause.span)
            case n.LearnerTest():
                return LearnerClause(
                    clause.attribute.value,
                    clause.op,
                    clause.value.value if clause.value is not None else None,
                    clause_text(clause),
                    clause.span,
                )
            case n.AnyBlock():
                inner = self.many(clause.clauses)
                return AnyClause(inner, clause.span) if inner is not None else None
            case n.AllBlock():
                inner = self.many(clause.clauses)
                return AllClause(inner, span=clause.span) if inner is not None else None
            case n.Pathway():
                inner = self.many(clause.clauses)
                if inner is None:
                    return None
                return AllClause(inner, pathway=clause.name, span=clause.span)
            case n.Not():
                inner_one = self.one(clause.clause)
                return NotClause(inner_one, clause.span) if inner_one is not None else None
            case _:
                assert_never(clause)

    def _quantified(self, clause: n.Quantified) -> Clause | None:
        reporter = self.ns.reporter
        resolved = self.ns.resolve(clause.selection, self.layer)
        ok = resolved is not None
        codes = self.ns.order(resolved[0]) if resolved is not None else ()
        amount = clause.amount
        if clause.quantifier == "count" and amount is not None:
            if amount != amount.to_integral_value():
                reporter.error(
                    "MK268",
                    f"`at least {format_decimal(amount)} of` needs a whole number of competencies",
                    clause.span,
                    help="write a whole number, or a percentage such as `at least 60% of`",
                )
                ok = False
            elif resolved is not None and amount > len(codes):
                reporter.error(
                    "MK267",
                    f"`at least {format_decimal(amount)} of` can never hold: the selection "
                    f"has {len(codes)} competenc{'y' if len(codes) == 1 else 'ies'}",
                    clause.span,
                    help=f"ask for {len(codes)} or fewer, or use `all of`",
                )
                ok = False
        if clause.quantifier == "percent" and amount is not None and not 0 <= amount <= 100:
            reporter.error(
                "MK266",
                f"`{format_decimal(amount)}%` is not a percentage from 0% to 100%",
                clause.span,
            )
            ok = False
        thresholds: list[Decimal] = []
        level = clause.level.value if clause.level is not None else None
        if level is not None:
            missing: dict[str, list[str]] = {}
            for code in codes:
                scale = self.ns.competencies[code].scale
                if scale is None:
                    ok = False
                    continue
                value = level_value(scale, level)
                if value is None:
                    missing.setdefault(scale.name, []).append(code)
                else:
                    thresholds.append(value)
            for scale_name, lacking in missing.items():
                message, help = missing_level_message(level, self.ns.scales[scale_name][0])
                span = clause.level.span if clause.level is not None else clause.span
                reporter.error(
                    "MK269", f"{message} of {join_codes(lacking)}", span or clause.span, help=help
                )
                ok = False
        if not ok:
            return None
        return CompetencyTest(
            clause.quantifier,
            clause.test,
            codes,
            clause_text(clause),
            amount=amount,
            thresholds=tuple(thresholds),
            level=level if isinstance(level, str) else None,
            span=clause.span,
        )


def _provenance(ns: Namespace, layer: int, span: Span | None, tight: bool = False) -> Provenance:
    return Provenance.from_span(span, ns.layers[layer].name, tight=tight)


def _duration(duration: n.Duration) -> Duration:
    return Duration(duration.amount, duration.unit)


def resolve_decisions(ns: Namespace) -> Decisions:
    """Resolve requirements, advancement, graduation and pace across the chain."""
    reporter = ns.reporter
    out = Decisions()
    refs: list[tuple[str, n.Ident]] = []
    req_layer: dict[str, tuple[int, n.RequirementDecl]] = {}
    grad_tight: tuple[Clause, ...] = ()
    grad_all: tuple[Clause, ...] = ()
    grad_seen = False
    advance_at: dict[tuple[str, str], tuple[int, Span | None]] = {}
    for layer in ns.layers:
        idx = layer.index
        converter = _Clauses(ns, idx, refs)
        graduate_here: n.Graduate | None = None
        for stmt in layer.tree.statements:
            if isinstance(stmt, n.RequirementDecl):
                name = stmt.name.value
                previous = req_layer.get(name)
                if previous is not None:
                    at, decl = previous
                    if at == idx:
                        reporter.error(
                            "MK263",
                            f"requirement `{name}` is defined twice",
                            stmt.name.span,
                            related=[Related("the first definition is here", decl.span)],
                        )
                        continue
                    if decl.tight and stmt.clauses == decl.clauses:
                        continue  # restating a tight requirement word for word is allowed
                    if decl.tight:
                        owner = ns.layers[at].name
                        reporter.error(
                            "MK262",
                            f"requirement `{name}` is held tight by `{owner}` at "
                            f"{where(decl.span)}; this overlay may not replace it",
                            stmt.name.span,
                            related=[Related("the tight requirement is here", decl.span)],
                            help="give this requirement another name, and use it alongside "
                            f"`requirement {name}`",
                        )
                        continue
                body = converter.many(stmt.clauses)
                req_layer[name] = (idx, stmt)
                if body is None:
                    out.requirements.pop(name, None)
                    continue
                out.requirements[name] = Requirement(
                    name,
                    stmt.title,
                    AllClause(body, span=stmt.span),
                    stmt.tight,
                    _provenance(ns, idx, stmt.span, stmt.tight),
                )
            elif isinstance(stmt, n.Graduate):
                if graduate_here is not None:
                    reporter.error(
                        "MK270",
                        "this policy decides graduation twice",
                        stmt.span,
                        related=[Related("the first `graduate when` is here", graduate_here.span)],
                        help="put every condition in one `graduate when { … }`",
                    )
                    continue
                graduate_here = stmt
                clauses = converter.many(stmt.condition) or ()
                if grad_seen and grad_tight:
                    grad_all = grad_all[: len(grad_tight)] + clauses
                else:
                    grad_all = clauses
                    grad_tight = ()
                if stmt.tight:
                    grad_tight = grad_all
                grad_seen = True
                out.graduation = Graduation(
                    AllClause(grad_all, span=stmt.span),
                    _provenance(ns, idx, stmt.span, stmt.tight or bool(grad_tight)),
                    tight=bool(grad_tight),
                )
            elif isinstance(stmt, n.Advance):
                pair = (stmt.source, stmt.target)
                seen = advance_at.get(pair)
                if seen is not None and seen[0] == idx:
                    reporter.error(
                        "MK271",
                        f'advancement from "{stmt.source}" to "{stmt.target}" is defined twice',
                        stmt.span,
                        related=[Related("the first definition is here", seen[1])],
                    )
                    continue
                advance_at[pair] = (idx, stmt.span)
                condition = converter.many(stmt.condition)
                out.advancements = [
                    a for a in out.advancements if (a.source_name, a.target_name) != pair
                ]
                if condition is not None:
                    out.advancements.append(
                        Advancement(
                            stmt.source,
                            stmt.target,
                            AllClause(condition, span=stmt.span),
                            _provenance(ns, idx, stmt.span),
                        )
                    )
            elif isinstance(stmt, n.PaceDecl):
                out.pace = _pace(ns, converter, stmt, idx)
    _check_references(ns, out, refs, set(req_layer))
    return out


def _pace(ns: Namespace, converter: _Clauses, stmt: n.PaceDecl, idx: int) -> Pace | None:
    reporter = ns.reporter
    resolved = ns.resolve(stmt.selection, idx)
    ok = resolved is not None
    if stmt.due is None:
        reporter.error(
            "MK272",
            "`pace` needs a `due` date",
            stmt.span,
            help="add `due learner.graduation_date` or a date such as `due 2027-06-15`",
        )
        ok = False
    if stmt.window is None:
        reporter.error(
            "MK273",
            "`pace` needs a window to measure progress over",
            stmt.span,
            help="add `measure over last 6 months`",
        )
        ok = False
    extensions: list[PaceExtension] = []
    for ext in stmt.extensions:
        condition = converter.one(ext.condition)
        if condition is None:
            ok = False
        else:
            extensions.append(PaceExtension(_duration(ext.duration), condition))
    if not ok or resolved is None or stmt.window is None or stmt.due is None:
        return None
    return Pace(
        codes=ns.order(resolved[0]),
        window=_duration(stmt.window),
        risk=_duration(stmt.risk) if stmt.risk is not None else Duration(0, "day"),
        source=_provenance(ns, idx, stmt.span),
        due_attribute=stmt.due.attribute.value if stmt.due.attribute is not None else None,
        due_date=stmt.due.date,
        extensions=tuple(extensions),
    )


def _check_references(
    ns: Namespace, out: Decisions, refs: list[tuple[str, n.Ident]], declared: set[str]
) -> None:
    reporter = ns.reporter
    reported: set[int] = set()
    for name, ident in refs:
        if name not in declared and id(ident) not in reported:
            reported.add(id(ident))
            reporter.error(
                "MK264",
                f"unknown requirement `{name}`",
                ident.span,
                help=suggest(name, declared),
            )
    # Requirements that depend on themselves, directly or through others.
    graph: dict[str, list[str]] = {}
    for name, req in out.requirements.items():
        graph[name] = [r for r in dict.fromkeys(_refs_of(req.condition)) if r in out.requirements]
    in_cycles = _report_cycles(ns, out, graph)
    _check_depth(ns, out, graph, in_cycles)


def _refs_of(clause: Clause) -> list[str]:
    """The requirements ``clause`` names, in the order written (walked without recursion)."""
    found: list[str] = []
    todo: list[Clause] = [clause]
    while todo:
        current = todo.pop()
        match current:
            case RequirementClause():
                found.append(current.name)
            case AnyClause() | AllClause():
                todo.extend(reversed(current.clauses))
            case NotClause():
                todo.append(current.clause)
            case CompetencyTest() | LearnerClause():
                pass
            case _:
                assert_never(current)
    return found


def _components(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` (Tarjan's algorithm, without recursion),
    each in the graph's order."""
    order = {name: i for i, name in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, edge = work[-1]
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if edge < len(edges):
                work[-1] = (node, edge + 1)
                nxt = edges[edge]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component, key=order.__getitem__))
    return found


def _report_cycles(ns: Namespace, out: Decisions, graph: dict[str, list[str]]) -> set[str]:
    """``MK265`` once for each group of requirements that depend on each other, naming the
    shortest circle through its first requirement; the requirements on circles."""
    in_cycles: set[str] = set()
    for component in _components(graph):
        first = component[0]
        if len(component) == 1 and first not in graph[first]:
            continue
        in_cycles.update(component)
        members = set(component)
        came_from: dict[str, str] = {}
        queue = [first]
        for node in queue:  # breadth first: the shortest way back to `first`
            for nxt in graph[node]:
                if nxt == first:
                    path = [node]
                    while path[-1] != first:
                        path.append(came_from[path[-1]])
                    chain = _chain_text([name_text(p) for p in [*reversed(path), first]])
                    ns.reporter.error(
                        "MK265",
                        f"requirement `{first}` depends on itself: {chain}",
                        out.requirements[first].condition.span,
                        help="a requirement cannot hold only if it already holds; break the chain",
                    )
                    queue.clear()
                    break
                if nxt in members and nxt not in came_from and nxt != first:
                    came_from[nxt] = node
                    queue.append(nxt)
    return in_cycles


def _depth(clause: Clause, depths: Mapping[str, tuple[int, str | None]]) -> tuple[int, str | None]:
    """How deep ``clause`` nests with the requirements it names (each as deep as ``depths``
    says; one missing from it counts as a single level), and the requirement on the deepest
    way down, if any."""
    deepest, via = 0, None
    todo: list[tuple[Clause, int]] = [(clause, 1)]
    while todo:
        current, level = todo.pop()
        reached, through = level, None
        match current:
            case RequirementClause():
                below = depths.get(current.name, (0, None))[0]
                reached, through = level + below, current.name
            case AnyClause() | AllClause():  # the first written is walked first
                todo.extend((inner, level + 1) for inner in reversed(current.clauses))
            case NotClause():
                todo.append((current.clause, level + 1))
            case CompetencyTest() | LearnerClause():
                pass
            case _:
                assert_never(current)
        if reached > deepest:
            deepest, via = reached, through
    return deepest, via


def _chain_text(names: list[str]) -> str:
    if len(names) > 12:
        names = [*names[:5], f"… ({len(names) - 10:,} more)", *names[-5:]]
    return " → ".join(names)


def _check_depth(
    ns: Namespace, out: Decisions, graph: dict[str, list[str]], in_cycles: set[str]
) -> None:
    """``MK282`` where a condition, with the requirements it refers to, nests deeper than
    :data:`MAX_CONDITION_DEPTH`: reported once, at the outermost requirement or decision."""
    depths: dict[str, tuple[int, str | None]] = {}
    # Requirements in depth-first post-order, so that each is measured after those it names.
    done: set[str] = set(in_cycles)
    for root in graph:
        if root in done:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        done.add(root)
        while work:
            node, edge = work[-1]
            edges = graph[node]
            if edge < len(edges):
                work[-1] = (node, edge + 1)
                if edges[edge] not in done:
                    done.add(edges[edge])
                    work.append((edges[edge], 0))
                continue
            work.pop()
            depths[node] = _depth(out.requirements[node].condition, depths)

    def chain(start: str | None) -> list[str]:
        names: list[str] = []
        while start is not None and start not in names:
            names.append(start)
            start = depths.get(start, (0, None))[1]
        return names

    def report(what: str, depth: int, span: Span | None, names: list[str]) -> None:
        limit = MAX_CONDITION_DEPTH
        if len(names) > 1 or (names and not what.startswith("requirement")):
            path = _chain_text([name_text(name) for name in names])
            message = f"{what} nests its conditions {depth:,} deep through {path}"
            help = (
                f"a condition, with the requirements it refers to, nests at most {limit} deep; "
                "name the competencies of the deepest requirements where they are used instead "
                "of referring to them"
            )
        else:
            message = f"{what} nests its conditions {depth:,} deep"
            help = f"a condition nests at most {limit} deep; write it with fewer levels"
        ns.reporter.error("MK282", f"{message}; the limit is {limit}", span, help=help)

    too_deep = {name for name, (depth, _via) in depths.items() if depth > MAX_CONDITION_DEPTH}
    named_by_too_deep = {r for name in too_deep for r in graph[name]}
    for name in out.requirements:
        if name in too_deep and name not in named_by_too_deep:
            span = out.requirements[name].condition.span
            report(f"requirement `{name}`", depths[name][0], span, chain(name))
    decisions: list[tuple[str, Clause]] = []
    if out.graduation is not None:
        decisions.append(("`graduate when`", out.graduation.condition))
    for advancement in out.advancements:
        decisions.append(
            (
                f'advancement from "{advancement.source_name}" to "{advancement.target_name}"',
                advancement.condition,
            )
        )
    if out.pace is not None:
        decisions.extend(("a pace extension", ext.condition) for ext in out.pace.extensions)
    for what, condition in decisions:
        depth, via = _depth(condition, depths)
        if depth > MAX_CONDITION_DEPTH and not too_deep.intersection(_refs_of(condition)):
            report(what, depth, condition.span, chain(via))
