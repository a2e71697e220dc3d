"""Check parsed policy files and resolve them into one :class:`~masterykit.policy.Policy`.

:func:`check` takes the files of an overlay chain, base first (a district, then a school, then a
classroom), and returns the resolved policy together with every problem it found (``MK2xx``
diagnostics, sorted by file and position). It reads no files: frameworks named by
``import framework`` are passed in already loaded (:mod:`masterykit.loader` reads them), so an
editor can call it on trees it holds in memory.

A district file is checked by :func:`check_district` (from
``masterykit.dsl._check_district``): it resolves each route's condition as the decision pass
resolves learner clauses, and takes the routed policies already checked by the loader.

The passes, in order: names (scales, competencies, areas, groups, prerequisites), rules
(methods, scopes, layering, tight rules, levels, coverage), decisions (requirements,
advancement, graduation, pace), translations (``translate`` blocks: ``MK283``–``MK286``), then
the limits that keep evaluation safe (``MK280``: a duration
longer than :data:`MAX_DURATION_YEARS` years; ``MK281``: more than :data:`MAX_COMPETENCIES`
competencies; ``MK282``, from the decision pass: a condition nested deeper than
``MAX_CONDITION_DEPTH`` (64) levels through the requirements it names).

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

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from masterykit.diagnostics import Diagnostic, Severity, Source, Span, has_errors, sort_key
from masterykit.dsl import nodes as n
from masterykit.dsl._check_clauses import MAX_CONDITION_DEPTH, Decisions, resolve_decisions
from masterykit.dsl._check_district import RoutedPolicy, check_district
from masterykit.dsl._check_kinds import resolve_kinds
from masterykit.dsl._check_lint import note_loose_calculations, note_percentages_of_all
from masterykit.dsl._check_names import LayerInfo, Reporter, build_namespace
from masterykit.dsl._check_rules import resolve_rules
from masterykit.dsl._check_translations import pathway_names, resolve_translations
from masterykit.frameworks import Framework
from masterykit.policy import Area, Clause, Competency, Layer, Policy, PolicyExample, Provenance
from masterykit.registry import Registry

__all__ = [
    "MAX_COMPETENCIES",
    "MAX_CONDITION_DEPTH",
    "MAX_DURATION_YEARS",
    "RoutedPolicy",
    "check",
    "check_district",
]

#: The most competencies one resolved policy (its files and the frameworks they import) may hold.
MAX_COMPETENCIES = 20_000
#: The longest duration a policy may write (``evidence within``, ``measure over last``,
#: ``at risk within``, ``extend``), in years; in other units: 36,525 days, 5,218 weeks or
#: 1,200 months. Longer ones would move dates past the calendar's range during evaluation.
MAX_DURATION_YEARS = 100
_MAX_AMOUNT = {"day": 36_525, "week": 5_218, "month": 1_200, "year": MAX_DURATION_YEARS}


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
    kinds = resolve_kinds(layers, reporter)
    if rules is not None:
        note_loose_calculations(files[-1], rules, reporter)
    note_percentages_of_all(files[-1].source_name, _conditions(decisions), reporter)
    translations = resolve_translations(
        files,
        [
            *ns.competencies,
            *ns.areas,
            *ns.groups,
            *decisions.requirements,
            *pathway_names(_conditions(decisions)),
        ],
        [level.name for scale, _layer, _span in ns.scales.values() for level in scale.levels],
        reporter,
    )
    _check_limits(files, len(ns.competencies), reporter)
    diagnostics = sorted(reporter.diagnostics, key=sort_key)
    if has_errors(diagnostics) or rules is None:
        # Notes are advice for a policy that works; next to errors they are noise.
        return None, [d for d in diagnostics if d.severity is not Severity.NOTE]
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
        kinds=kinds,
        translations=translations,
    )
    return policy, diagnostics


def _conditions(decisions: Decisions) -> list[Clause]:
    """Every condition of the resolved decisions, for the notes that read them."""
    found: list[Clause] = [r.condition for r in decisions.requirements.values()]
    found.extend(a.condition for a in decisions.advancements)
    if decisions.graduation is not None:
        found.append(decisions.graduation.condition)
    if decisions.pace is not None:
        found.extend(e.condition for e in decisions.pace.extensions)
    return found


# Values that never hold a duration: the walk below skips them without looking inside.
_LEAVES: frozenset[type] = frozenset(
    [str, int, bool, float, Decimal, dt.date, dt.datetime, type(None), Span, n.Ident, n.Comment]
)


_NODE_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _node_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a node class that may hold a duration (``None`` for a non-node)."""
    try:
        return _NODE_FIELDS[cls]
    except KeyError:
        pass
    names = None
    if attrs.has(cls):
        names = tuple(field.name for field in attrs.fields(cls) if field.name != "span")
    _NODE_FIELDS[cls] = names
    return names


def _durations(node: object) -> list[n.Duration]:
    """Every duration written in ``node`` and below it, in the order written."""
    found: list[n.Duration] = []
    leaves = _LEAVES
    duration = n.Duration

    def walk(value: object) -> None:
        cls = type(value)
        if cls in leaves:
            return
        if cls is duration:
            found.append(value)  # type: ignore[arg-type]
        elif cls is tuple:
            for item in value:  # type: ignore[attr-defined]
                if type(item) not in leaves:
                    walk(item)
        else:
            names = _node_fields(cls)
            if names is not None:
                for name in names:
                    walk(getattr(value, name))

    walk(node)
    return found


def _check_limits(files: Sequence[n.PolicyFile], competencies: int, reporter: Reporter) -> None:
    """Report durations longer than the limit (``MK280``) and too many competencies (``MK281``)."""
    for tree in files:
        for duration in _durations(tree.statements):
            if duration.amount > _MAX_AMOUNT[duration.unit]:
                unit = duration.unit if duration.amount == 1 else f"{duration.unit}s"
                reporter.error(
                    "MK280",
                    f"`{duration.amount} {unit}` is longer than {MAX_DURATION_YEARS} years",
                    duration.span,
                    help=f"durations are at most {MAX_DURATION_YEARS} years "
                    f"({_MAX_AMOUNT['day']:,} days, {_MAX_AMOUNT['week']:,} weeks or "
                    f"{_MAX_AMOUNT['month']:,} months)",
                )
    if competencies > MAX_COMPETENCIES:
        header = files[-1].span
        reporter.error(
            "MK281",
            f"the policy has {competencies:,} competencies; the limit is {MAX_COMPETENCIES:,}",
            Span.point(header.file, header.line, header.column, 6) if header else None,
            help="import only the frameworks this policy grades, or split it into one policy "
            "per program",
        )
