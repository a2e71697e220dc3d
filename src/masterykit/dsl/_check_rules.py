"""The checker's rule pass: calculation methods, scoping, layering and tight rules.

Each rule of each layer becomes an :class:`Entry` with the competencies its scope covers and the
scope's rank. Within a layer the narrowest scope wins for each competency (two same-kind rules
with scopes of the same rank that share a competency are an error); across layers the deepest
layer wins. Each overlay rule is then compared, per competency it governs, with the tight rules
the base chain resolves for that competency.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

import attrs

from masterykit.diagnostics import Related, Severity, Span
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import (
    RANK_EVERYTHING,
    CompInfo,
    Namespace,
    level_value,
    missing_level_message,
    where,
)
from masterykit.dsl._check_text import duration_text, join_codes, level_text, suggest
from masterykit.numbers import format_decimal
from masterykit.policy import (
    CalculationRule,
    CompetencyRules,
    CountRule,
    CutRule,
    Duration,
    GateRule,
    Provenance,
    ReteachRule,
    VarietyRule,
    WindowRule,
)
from masterykit.registry import MethodSpec, ParamSpec, Registry

__all__ = ["Entry", "RuleKey", "resolve_rules", "rule_name", "validate_call"]

#: A kind of rule: ``calculate``, ``proficient``, ``count`` (with its kind set), ``variety``,
#: ``window``, ``gate``, ``reteach``. Count rules with different kind sets are different kinds
#: of rule.
RuleKey = tuple[str, frozenset[str]]

_HUNDRED = Decimal(100)


@attrs.define(eq=False)
class Entry:
    """One rule as written in one layer, with the competencies its scope covers."""

    rule: n.Rule
    key: RuleKey
    layer: int
    tight: bool
    codes: frozenset[str]
    rank: int
    call: tuple[MethodSpec, tuple[Decimal, ...], str] | None = None
    valid: bool = True
    provenance: Provenance | None = None

    @property
    def span(self) -> Span | None:
        """Where the rule is written."""
        return self.rule.span


def _key(rule: n.Rule) -> RuleKey:
    match rule:
        case n.Calculate():
            return ("calculate", frozenset())
        case n.Proficient():
            return ("proficient", frozenset())
        case n.EvidenceCount():
            return ("count", frozenset(k.value for k in rule.kinds))
        case n.EvidenceVariety():
            return ("variety", frozenset())
        case n.EvidenceWithin():
            return ("window", frozenset())
        case n.EvidenceGate():
            return ("gate", frozenset())
        case n.Reteach():
            return ("reteach", frozenset())
        case _:
            assert_never(rule)


def rule_name(key: RuleKey) -> str:
    """How messages name a kind of rule."""
    kind, kinds = key
    if kind == "count":
        if kinds:
            return f"evidence at least … from {', '.join(sorted(kinds))}"
        return "evidence at least"
    return {
        "calculate": "calculate",
        "proficient": "proficient at",
        "variety": "evidence from at least … kinds",
        "window": "evidence within",
        "gate": "evidence after prerequisites",
        "reteach": "reteach after",
    }[kind]


# --- calculation methods -------------------------------------------------------------------


def _signature(spec: MethodSpec) -> str:
    if not spec.params:
        return f"`{spec.name}`"
    return f"`{spec.name}({', '.join(p.name for p in spec.params)})`"


def _example(param: ParamSpec) -> str:
    if param.kind == "weight":
        value = param.default if param.default is not None else Decimal(65)
        if value <= 1:
            value *= _HUNDRED
        return f"{format_decimal(value)}%"
    if param.default is not None:
        return format_decimal(param.default)
    return format_decimal(min(max(Decimal(3), param.minimum), param.maximum))


def _arg_text(param: ParamSpec, value: Decimal) -> str:
    if param.kind == "weight":
        return f"{format_decimal(value * _HUNDRED)}%"
    return format_decimal(value)


def validate_call(
    calc: n.Calculate, registry: Registry, ns: Namespace
) -> tuple[MethodSpec, tuple[Decimal, ...], str] | None:
    """Check a ``calculate`` rule's method and arguments; returns the spec, the full argument
    list (defaults filled in, weights as fractions) and the text, or ``None`` after an error."""
    reporter = ns.reporter
    name = calc.method.value
    spec = registry.methods.get(name)
    if spec is None:
        known = sorted(registry.methods)
        reporter.error(
            "MK240",
            f"unknown calculation method `{name}`",
            calc.method.span,
            help=suggest(name, known)
            or (f"the methods are {', '.join(f'`{k}`' for k in known)}" if known else None),
        )
        return None
    params = spec.params
    if len(calc.args) > len(params):
        what = (
            "no arguments"
            if not params
            else f"at most {len(params)} argument{'s' if len(params) > 1 else ''}"
        )
        reporter.error(
            "MK241",
            f"`{name}` takes {what}, but {len(calc.args)} "
            f"{'was' if len(calc.args) == 1 else 'were'} given",
            calc.args[len(params)].span or calc.span,
            help=f"write it as {_signature(spec)}",
        )
        return None
    values: list[Decimal] = []
    ok = True
    for index, param in enumerate(params):
        if index >= len(calc.args):
            if param.default is None:
                reporter.error(
                    "MK242",
                    f"`{name}` needs its `{param.name}` argument",
                    calc.span,
                    help=f"such as `{name}({_example(param)})`",
                )
                ok = False
                continue
            default = param.default
            if param.kind == "weight" and default > 1:
                default = default / _HUNDRED
            values.append(default)
            continue
        arg = calc.args[index]
        written = f"{format_decimal(arg.value)}{'%' if arg.percent else ''}"
        if param.kind == "weight":
            if not arg.percent:
                reporter.error(
                    "MK243",
                    f"weight `{written}` of `{name}` is not a percentage",
                    arg.span or calc.span,
                    help="weights are written as percentages, such as `65%`",
                )
                ok = False
                continue
            if not param.minimum <= arg.value <= param.maximum:
                reporter.error(
                    "MK245",
                    f"weight `{written}` of `{name}` is outside "
                    f"{format_decimal(param.minimum)}%–{format_decimal(param.maximum)}%",
                    arg.span or calc.span,
                )
                ok = False
                continue
            values.append(arg.value / _HUNDRED)
            continue
        if arg.percent:
            reporter.error(
                "MK244",
                f"`{param.name}` of `{name}` is a number, not a percentage",
                arg.span or calc.span,
                help=f"write it without `%`, such as `{name}({_example(param)})`",
            )
            ok = False
            continue
        if param.kind == "count" and arg.value != arg.value.to_integral_value():
            reporter.error(
                "MK246",
                f"`{param.name}` of `{name}` must be a whole number, not {written}",
                arg.span or calc.span,
            )
            ok = False
            continue
        if not param.minimum <= arg.value <= param.maximum:
            reporter.error(
                "MK245",
                f"`{param.name}` of `{name}` must be from {format_decimal(param.minimum)} "
                f"to {format_decimal(param.maximum)}, not {written}",
                arg.span or calc.span,
            )
            ok = False
            continue
        values.append(arg.value)
    if not ok:
        return None
    args = tuple(values)
    text = name
    if params:
        text = f"{name}({', '.join(_arg_text(p, v) for p, v in zip(params, args, strict=True))})"
    return spec, args, text


# --- collecting ----------------------------------------------------------------------------


def _items(
    statements: tuple[n.Statement, ...] | tuple[n.Rule | n.ForRule, ...], tight: bool
) -> Iterator[tuple[n.Rule | n.ForRule, bool]]:
    for stmt in statements:
        if isinstance(stmt, n.RuleBlock):
            yield from _items(stmt.items, stmt.tight)
        elif isinstance(
            stmt,
            n.Calculate
            | n.Proficient
            | n.EvidenceCount
            | n.EvidenceVariety
            | n.EvidenceWithin
            | n.EvidenceGate
            | n.Reteach
            | n.ForRule,
        ):
            yield stmt, tight


def _collect(ns: Namespace, registry: Registry) -> list[list[Entry]]:
    everything = frozenset(ns.competencies)
    layers: list[list[Entry]] = []
    for layer in ns.layers:
        entries: list[Entry] = []
        for item, tight in _items(layer.tree.statements, False):
            if isinstance(item, n.ForRule):
                resolved = ns.resolve(item.selection, layer.index)
                rules: tuple[n.Rule, ...] = item.rules
                codes, rank = resolved if resolved is not None else (frozenset[str](), 0)
                valid = resolved is not None
            else:
                rules = (item,)
                codes, rank, valid = everything, RANK_EVERYTHING, True
            for rule in rules:
                entry = Entry(rule, _key(rule), layer.index, tight, codes, rank, valid=valid)
                if isinstance(rule, n.Calculate):
                    entry.call = validate_call(rule, registry, ns)
                entries.append(entry)
        layers.append(entries)
    return layers


# --- resolution ----------------------------------------------------------------------------


def _choose(ns: Namespace, entries: list[Entry]) -> dict[RuleKey, dict[str, Entry]]:
    """One layer's own resolution: per kind of rule, the narrowest rule for each competency."""
    by_key: dict[RuleKey, list[Entry]] = {}
    for entry in entries:
        # INVARIANT: a rule whose method is wrong still governs its scope (so that no
        # competency is reported as uncovered because of it); one whose scope could not be
        # resolved covers nothing.
        by_key.setdefault(entry.key, []).append(entry)
    chosen: dict[RuleKey, dict[str, Entry]] = {}
    for key, group in by_key.items():
        per: dict[str, Entry] = {}
        conflicts: dict[tuple[int, int], set[str]] = {}
        covers: dict[str, list[Entry]] = {}
        for entry in group:  # declaration order
            for code in entry.codes:
                covers.setdefault(code, []).append(entry)
        for code in ns.order(set(covers)):
            covering = covers[code]
            if len(covering) == 1:
                per[code] = covering[0]
                continue
            best = min(e.rank for e in covering)
            tied = [e for e in covering if e.rank == best]
            per[code] = tied[0]
            for other in tied[1:]:
                conflicts.setdefault((id(tied[0]), id(other)), set()).add(code)
        chosen[key] = per
        by_id = {id(e): e for e in group}
        for (first_id, other_id), codes in conflicts.items():
            first, other = by_id[first_id], by_id[other_id]
            ns.reporter.error(
                "MK252",
                f"two `{rule_name(key)}` rules with equally narrow scopes both cover "
                f"{join_codes(ns.order(codes))}",
                other.span,
                related=[Related("the other rule is here", first.span)],
                help="scope one of them more narrowly, or remove one",
            )
        governing = {id(e) for e in per.values()}
        conflicted = {i for pair in conflicts for i in pair}
        for entry in group:
            if (
                entry.valid
                and entry.rank < RANK_EVERYTHING
                and id(entry) not in governing
                and id(entry) not in conflicted
            ):
                ns.reporter.error(
                    "MK255",
                    f"this `{rule_name(key)}` rule governs no competency: narrower rules of "
                    f"this file cover {join_codes(ns.order(entry.codes))}",
                    entry.span,
                    help="remove it, or scope the narrower rules differently",
                    severity=Severity.WARNING,
                )
    return chosen


def _cut(entry: Entry, comp: CompInfo) -> Decimal | None:
    assert isinstance(entry.rule, n.Proficient)
    if comp.scale is None:
        return None
    return level_value(comp.scale, entry.rule.cut.value)


def _months_or_days(duration: n.Duration) -> tuple[str, int]:
    if duration.unit in ("month", "year"):
        return ("month", duration.amount * (12 if duration.unit == "year" else 1))
    return ("day", duration.amount * (7 if duration.unit == "week" else 1))


def _value_text(entry: Entry) -> str:
    rule = entry.rule
    match rule:
        case n.Calculate():
            return f"calculate {entry.call[2]}" if entry.call else "calculate"
        case n.Proficient():
            return f"proficient at {level_text(rule.cut.value)}"
        case n.EvidenceCount():
            kinds = f" from {', '.join(k.value for k in rule.kinds)}" if rule.kinds else ""
            return f"evidence at least {rule.count}{kinds}"
        case n.EvidenceVariety():
            return f"evidence from at least {rule.count} kinds"
        case n.EvidenceWithin():
            return f"evidence within {duration_text(rule.duration)}"
        case n.EvidenceGate():
            return "evidence after prerequisites"
        case n.Reteach():
            return f"reteach after {rule.attempts} attempts"
        case _:
            assert_never(rule)


def _violation(overlay: Entry, base: Entry, comp: CompInfo) -> str | None:
    """``fixed`` or ``floor`` when ``overlay`` breaks tight ``base`` for ``comp``, else None."""
    o, b = overlay.rule, base.rule
    if isinstance(o, n.Calculate) and isinstance(b, n.Calculate):
        if overlay.call is None or base.call is None:
            return None
        same = overlay.call[0].name == base.call[0].name and overlay.call[1] == base.call[1]
        return None if same else "fixed"
    if isinstance(o, n.Proficient) and isinstance(b, n.Proficient):
        mine, theirs = _cut(overlay, comp), _cut(base, comp)
        if mine is None or theirs is None:
            return None
        if b.at_least:
            return "floor" if mine < theirs else None
        return "fixed" if mine != theirs else None
    if isinstance(o, n.EvidenceCount) and isinstance(b, n.EvidenceCount):
        return "floor" if o.count < b.count else None
    if isinstance(o, n.EvidenceVariety) and isinstance(b, n.EvidenceVariety):
        return "floor" if o.count < b.count else None
    if isinstance(o, n.EvidenceWithin) and isinstance(b, n.EvidenceWithin):
        return "fixed" if _months_or_days(o.duration) != _months_or_days(b.duration) else None
    if isinstance(o, n.EvidenceGate) and isinstance(b, n.EvidenceGate):
        return None  # there is one way to write it, so restating it is all an overlay can do
    if isinstance(o, n.Reteach) and isinstance(b, n.Reteach):
        return "fixed" if o.attempts != b.attempts else None
    return None  # pragma: no cover - entries are compared only within one kind of rule


def _floor_text(base: Entry) -> str:
    rule = base.rule
    if isinstance(rule, n.Proficient):
        return f"`{level_text(rule.cut.value)}`"
    if isinstance(rule, n.EvidenceCount | n.EvidenceVariety):
        return str(rule.count)
    return "its value"  # pragma: no cover - only cuts and counts are floors


def _check_tight(ns: Namespace, chosen: list[dict[RuleKey, dict[str, Entry]]]) -> None:
    for index in range(1, len(chosen)):
        found: dict[tuple[int, int], tuple[Entry, Entry, str, list[str]]] = {}
        for key, per in chosen[index].items():
            for code, entry in per.items():
                comp = ns.competencies[code]
                for below in range(index - 1, -1, -1):
                    base = chosen[below].get(key, {}).get(code)
                    if base is None or not base.tight:
                        continue
                    broken = _violation(entry, base, comp)
                    if broken is not None:
                        slot = found.setdefault((id(entry), id(base)), (entry, base, broken, []))
                        slot[3].append(code)
                        break
        for entry, base, broken, codes in found.values():
            layer = ns.layers[base.layer].name
            name = rule_name(entry.key)
            held = f"`{name}` is held tight by `{layer}` at {where(base.span)}"
            listed = join_codes(ns.order(set(codes)))
            if broken == "fixed":
                ns.reporter.error(
                    "MK260",
                    f"{held}; this overlay may not change it for {listed}",
                    entry.span,
                    related=[Related(f"the tight rule is `{_value_text(base)}`", base.span)],
                    help=f"remove this rule, or restate `{_value_text(base)}`",
                )
            else:
                lower = "go below it" if entry.key[0] == "proficient" else "ask for fewer"
                ns.reporter.error(
                    "MK261",
                    f"{held} with a floor of {_floor_text(base)}; this overlay may not "
                    f"{lower} for {listed}",
                    entry.span,
                    related=[Related(f"the tight rule is `{_value_text(base)}`", base.span)],
                    help=f"an overlay may raise the floor, never lower it: use "
                    f"{_floor_text(base)} or more",
                )


def _check_values(ns: Namespace, final: dict[RuleKey, dict[str, Entry]]) -> None:
    """Level names and numbers of the rules in force, on each governed competency's scale."""
    missing: dict[tuple[int, str], tuple[Entry, list[str]]] = {}
    outside: dict[tuple[int, str], tuple[Entry, list[str]]] = {}
    positive: dict[tuple[int, str], tuple[Entry, list[str]]] = {}
    for key, per in final.items():
        for code, entry in per.items():
            comp = ns.competencies[code]
            if comp.scale is None:
                continue
            scale = comp.scale
            if key[0] == "proficient":
                value = _cut(entry, comp)
                if value is None:
                    missing.setdefault((id(entry), scale.name), (entry, []))[1].append(code)
                elif scale.levels and not scale.contains(value):
                    outside.setdefault((id(entry), scale.name), (entry, []))[1].append(code)
            elif (
                key[0] == "calculate"
                and entry.call is not None
                and entry.call[0].needs_positive_scale
                and scale.levels
                and scale.minimum <= 0
            ):
                positive.setdefault((id(entry), scale.name), (entry, []))[1].append(code)
    for (_id, scale_name), (entry, codes) in missing.items():
        assert isinstance(entry.rule, n.Proficient)
        scale = ns.scales[scale_name][0]
        message, help = missing_level_message(entry.rule.cut.value, scale)
        ns.reporter.error(
            "MK250",
            f"{message} of {join_codes(ns.order(set(codes)))}",
            entry.rule.cut.span or entry.span,
            help=help,
        )
    for (_id, scale_name), (entry, codes) in outside.items():
        assert isinstance(entry.rule, n.Proficient)
        scale = ns.scales[scale_name][0]
        ns.reporter.error(
            "MK251",
            f"cut {level_text(entry.rule.cut.value)} is outside the `{scale.name}` scale "
            f"({format_decimal(scale.minimum)} to {format_decimal(scale.maximum)}) of "
            f"{join_codes(ns.order(set(codes)))}",
            entry.rule.cut.span or entry.span,
        )
    for (_id, scale_name), (entry, codes) in positive.items():
        assert entry.call is not None
        scale = ns.scales[scale_name][0]
        ns.reporter.error(
            "MK247",
            f"`{entry.call[0].name}` needs a scale whose lowest value is above 0, but the "
            f"`{scale.name}` scale of {join_codes(ns.order(set(codes)))} starts at "
            f"{format_decimal(scale.minimum)}",
            entry.span,
            help="choose another calculation method for these competencies",
        )


def _check_continuum(ns: Namespace, final: dict[RuleKey, dict[str, Entry]]) -> None:
    """``reteach after N attempts`` asks for at least one attempt; ``evidence after
    prerequisites`` must govern some competency that has prerequisites."""
    for entry in {id(e): e for e in final.get(("reteach", frozenset()), {}).values()}.values():
        assert isinstance(entry.rule, n.Reteach)
        if entry.rule.attempts < 1:
            ns.reporter.error(
                "MK274",
                f"`reteach after {entry.rule.attempts} attempts` needs at least 1 attempt",
                entry.span,
                help="write the number of pieces of evidence after which a competency still "
                "below the cut needs reteaching, such as `reteach after 3 attempts`",
            )
    governed: dict[int, tuple[Entry, list[str]]] = {}
    for code, entry in final.get(("gate", frozenset()), {}).items():
        governed.setdefault(id(entry), (entry, []))[1].append(code)
    for entry, codes in governed.values():
        if any(
            ns.competencies[code].after or ns.competencies[code].prerequisites for code in codes
        ):
            continue
        ns.reporter.error(
            "MK275",
            "`evidence after prerequisites` has no effect: no competency it covers has "
            f"prerequisites ({join_codes(ns.order(set(codes)))})",
            entry.span,
            help="give competencies prerequisites with `after`, or scope the rule with `for` "
            "to competencies that have them",
        )


def _check_coverage(
    ns: Namespace, final: dict[RuleKey, dict[str, Entry]], collected: list[list[Entry]]
) -> bool:
    ok = True
    for kind, example in (
        ("calculate", "calculate most_recent"),
        ("proficient", "proficient at Proficient"),
    ):
        per = final.get((kind, frozenset()), {})
        lacking = [code for code in ns.competencies if code not in per]
        unscoped = any(e.key[0] == kind and not e.valid for layer in collected for e in layer)
        if lacking and unscoped:
            ok = False  # a rule whose scope is in error may have been meant for them
        elif lacking:
            ok = False
            name = "proficient at" if kind == "proficient" else kind
            ns.reporter.error(
                "MK253" if kind == "calculate" else "MK254",
                f"no `{name}` rule covers {join_codes(lacking, limit=len(lacking))}",
                ns.competencies[lacking[0]].span,
                help=f"every competency needs one: add a rule such as `{example}`, scoped "
                f"with `for` if needed",
            )
    return ok


def _provenance(ns: Namespace, entry: Entry) -> Provenance:
    if entry.provenance is None:
        entry.provenance = Provenance.from_span(
            entry.span, ns.layers[entry.layer].name, tight=entry.tight
        )
    return entry.provenance


def resolve_rules(
    ns: Namespace, registry: Registry
) -> tuple[dict[str, CompetencyRules] | None, dict[str, MethodSpec]]:
    """Resolve every competency's rules; ``None`` when some competency lacks one."""
    collected = _collect(ns, registry)
    chosen = [_choose(ns, entries) for entries in collected]
    final: dict[RuleKey, dict[str, Entry]] = {}
    for per_layer in chosen:
        for key, per in per_layer.items():
            final.setdefault(key, {}).update(per)
    _check_tight(ns, chosen)
    _check_values(ns, final)
    _check_continuum(ns, final)
    if not _check_coverage(ns, final, collected):
        return None, {}
    rules: dict[str, CompetencyRules] = {}
    methods: dict[str, MethodSpec] = {}
    count_keys = sorted(
        (key for key in final if key[0] == "count"), key=lambda k: (len(k[1]), sorted(k[1]))
    )
    everything: frozenset[str] = frozenset()
    calculations = final.get(("calculate", everything), {})
    cuts = final.get(("proficient", everything), {})
    count_rules = [(key, final[key]) for key in count_keys]
    varieties = final.get(("variety", everything), {})
    windows = final.get(("window", everything), {})
    gates = final.get(("gate", everything), {})
    reteaches = final.get(("reteach", everything), {})
    # Competencies under the same rules share one (immutable) CompetencyRules: a large policy
    # has thousands of competencies and a handful of distinct rule sets.
    cut_values: dict[tuple[int, int], Decimal | None] = {}
    made: dict[tuple[int, ...], CompetencyRules] = {}
    for code, comp in ns.competencies.items():
        calc = calculations[code]
        cut = cuts[code]
        if calc.call is None:
            continue
        spec, args, text = calc.call
        methods[spec.name] = spec
        cut_key = (id(cut), id(comp.scale))
        if cut_key in cut_values:
            cut_value = cut_values[cut_key]
        else:
            cut_value = cut_values[cut_key] = _cut(cut, comp)
        if cut_value is None:
            continue
        count_entries = [per.get(code) for _key, per in count_rules]
        variety_entry = varieties.get(code)
        window_entry = windows.get(code)
        gate_entry = gates.get(code)
        reteach_entry = reteaches.get(code)
        signature = (
            id(calc),
            *cut_key,
            *(id(entry) for entry in count_entries),
            id(variety_entry),
            id(window_entry),
            id(gate_entry),
            id(reteach_entry),
        )
        shared = made.get(signature)
        if shared is not None:
            rules[code] = shared
            continue
        assert isinstance(cut.rule, n.Proficient)
        counts: list[CountRule] = []
        for (key, _per), entry in zip(count_rules, count_entries, strict=True):
            if entry is not None:
                assert isinstance(entry.rule, n.EvidenceCount)
                counts.append(CountRule(entry.rule.count, key[1], _provenance(ns, entry)))
        variety = None
        if variety_entry is not None:
            assert isinstance(variety_entry.rule, n.EvidenceVariety)
            variety = VarietyRule(variety_entry.rule.count, _provenance(ns, variety_entry))
        window = None
        if window_entry is not None:
            assert isinstance(window_entry.rule, n.EvidenceWithin)
            duration = window_entry.rule.duration
            window = WindowRule(
                Duration(duration.amount, duration.unit), _provenance(ns, window_entry)
            )
        gate = GateRule(_provenance(ns, gate_entry)) if gate_entry is not None else None
        reteach = None
        if reteach_entry is not None:
            assert isinstance(reteach_entry.rule, n.Reteach)
            reteach = ReteachRule(reteach_entry.rule.attempts, _provenance(ns, reteach_entry))
        rules[code] = made[signature] = CompetencyRules(
            calculate=CalculationRule(spec.name, args, text, _provenance(ns, calc)),
            proficient=CutRule(
                cut_value,
                cut.rule.cut.value if isinstance(cut.rule.cut.value, str) else None,
                _provenance(ns, cut),
                floor=cut.tight and cut.rule.at_least,
            ),
            counts=tuple(counts),
            variety=variety,
            window=window,
            gate=gate,
            reteach=reteach,
        )
    return rules, methods
