"""Check parsed policy files and resolve them into one :class:`~masterykit.policy.Policy`.

:func:`check` takes the files of an overlay chain, base first (a district, then a school, then a
classroom), and returns the resolved policy together with every problem it found (``MK2xx``
diagnostics, sorted by file and position). It reads no files: frameworks named by
``import framework`` are passed in already loaded (:mod:`masterykit.loader` reads them), so an
editor can call it on trees it holds in memory.

The passes, in order: names (scales, competencies, areas, groups, prerequisites), rules
(methods, scopes, layering, tight rules, levels, coverage), then decisions (requirements,
advancement, graduation, pace).

>>> from masterykit.dsl.parser import parse
>>> from masterykit.registry import MethodSpec, Registry
>>> registry = Registry.of([MethodSpec("highest", lambda scores, args, context: max(scores))])
>>> tree = parse('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> policy, problems = check([tree], registry)
>>> problems
[]
>>> policy.rules["MATH.1"].proficient.cut
Decimal('2')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from masterykit.diagnostics import Diagnostic, Source, has_errors, sort_key
from masterykit.dsl import nodes as n
from masterykit.dsl._check_clauses import resolve_decisions
from masterykit.dsl._check_names import LayerInfo, Reporter, build_namespace
from masterykit.dsl._check_rules import resolve_rules
from masterykit.frameworks import Framework
from masterykit.policy import Area, Competency, Layer, Policy, PolicyExample, Provenance
from masterykit.registry import Registry

__all__ = ["check"]


def check(
    files: Sequence[n.PolicyFile],
    registry: Registry,
    *,
    frameworks: Mapping[tuple[str, str], Framework | None] | None = None,
    sources: Mapping[str, Source] | None = None,
) -> tuple[Policy | None, list[Diagnostic]]:
    """Check an overlay chain and resolve it into one policy.

    Args:
        files: the parsed files, base first; the last one is the policy being checked.
        registry: the calculation methods the rules may name.
        frameworks: frameworks named by ``import framework``, keyed by (the importing file's
            source name, the path as written); ``None`` for one that could not be loaded (its
            problem is reported by whoever loaded it).
        sources: every file's text, kept in the policy for diagnostics and explanations.

    Returns:
        The policy (``None`` when there are errors) and every diagnostic, sorted.
    """
    if not files:
        raise ValueError("check needs at least one policy file")
    reporter = Reporter()
    layers = [
        LayerInfo(index, tree.name, tree.source_name, tree) for index, tree in enumerate(files)
    ]
    ns, prerequisites = build_namespace(layers, reporter, frameworks)
    rules, methods = resolve_rules(ns, registry)
    decisions = resolve_decisions(ns)
    diagnostics = sorted(reporter.diagnostics, key=sort_key)
    if has_errors(diagnostics) or rules is None:
        return None, diagnostics
    top = files[-1]
    competencies = {}
    for code, info in ns.competencies.items():
        assert info.scale is not None
        competencies[code] = Competency(
            code=code,
            title=info.title,
            scale=info.scale,
            kind=info.kind,
            area=info.area,
            prerequisites=prerequisites.get(code, ()),
            parent=info.parent,
            attributes=dict(info.attributes),
            source=Provenance.from_span(info.span, layers[info.layer].name),
        )
    areas = {
        code: Area(
            code,
            area.title,
            tuple(area.members),
            Provenance.from_span(area.span, layers[area.layer].name),
        )
        for code, area in ns.areas.items()
    }
    groups = {name: group.codes or () for name, group in ns.groups.items()}
    examples = tuple(
        PolicyExample(top.source_name, stmt)
        for stmt in top.statements
        if isinstance(stmt, n.Example)
    )
    policy = Policy(
        name=top.name,
        version=top.version,
        layers=tuple(Layer(f.name, f.source_name, f.version) for f in files),
        scales={name: scale for name, (scale, _layer, _span) in ns.scales.items()},
        competencies=competencies,
        rules=rules,
        areas=areas,
        groups=groups,
        requirements=decisions.requirements,
        advancements=tuple(decisions.advancements),
        graduation=decisions.graduation,
        pace=decisions.pace,
        examples=examples,
        sources=dict(sources or {}),
        default_scale=ns.defaults[-1] if ns.defaults else None,
        methods=methods,
    )
    return policy, diagnostics
