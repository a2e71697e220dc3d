"""The checker's first pass: every name a policy chain declares, and selections over them.

Scales, competencies (declared or imported from a framework), areas and groups are collected from
every layer, base first, each remembering the layer that declared it: a name is visible in its own
layer and in the overlays above it. Selections are resolved against the names visible in the
layer they are written in; which competencies they match is decided over the whole resolved
chain, so a district's unscoped rule also covers the competencies a school adds.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import assert_never

import attrs

from masterykit.diagnostics import Diagnostic, Related, Severity, Span
from masterykit.dsl import nodes as n
from masterykit.dsl._check_text import level_text, name_text, selection_text, suggest
from masterykit.frameworks import Framework
from masterykit.numbers import format_decimal
from masterykit.policy import Level, Scale

__all__ = [
    "RANK_AREA",
    "RANK_CODE",
    "RANK_EVERYTHING",
    "RANK_SET",
    "AreaInfo",
    "CompInfo",
    "GroupInfo",
    "LayerInfo",
    "Namespace",
    "Reporter",
    "build_namespace",
    "level_value",
    "missing_level_message",
    "where",
]

#: Scope ranks, narrowest first: a single code; a wildcard, ``under``, a group or a combination;
#: an area or ``kind K``; ``all competencies`` or no scope.
RANK_CODE = 0
RANK_SET = 1
RANK_AREA = 2
RANK_EVERYTHING = 3

_ARTICLE = {"competency": "a competency", "area": "an area", "group": "a group"}


def where(span: Span | None) -> str:
    """``file:line`` of a span, as messages name a place in another file."""
    if span is None:
        return "<unknown>"
    return f"{span.file}:{span.line}"


@attrs.define
class Reporter:
    """Collects the diagnostics of one check run."""

    diagnostics: list[Diagnostic] = attrs.Factory(list)

    def error(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        help: str | None = None,
        related: Sequence[Related] = (),
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record an error (or, with ``severity``, a warning)."""
        self.diagnostics.append(
            Diagnostic(code, message, span, help=help, severity=severity, related=tuple(related))
        )


@attrs.define
class LayerInfo:
    """One file of the chain: its index (0 is the base), policy name and file name."""

    index: int
    name: str
    file: str
    tree: n.PolicyFile


@attrs.define
class CompInfo:
    """A competency as the checker knows it, before it becomes a policy ``Competency``."""

    code: str
    title: str | None
    kind: str
    scale: Scale | None
    layer: int
    span: Span | None
    area: str | None = None
    after: tuple[n.Ident, ...] = ()
    prerequisites: tuple[str, ...] = ()
    parent: str | None = None
    attributes: dict[str, str] = attrs.Factory(dict)
    framework: bool = False


@attrs.define
class AreaInfo:
    """An area, or a framework item with children (``framework`` set)."""

    code: str
    title: str | None
    members: list[str]
    layer: int
    span: Span | None
    framework: bool = False


@attrs.define
class GroupInfo:
    """A group and, once resolved, its competencies (``None`` when it could not be resolved)."""

    decl: n.GroupDecl
    layer: int
    codes: tuple[str, ...] | None = None
    state: int = 0  # 0 not yet resolved, 1 resolving, 2 done


@attrs.define
class Namespace:
    """Everything a chain declares, by name, in declaration order (base layers first)."""

    reporter: Reporter
    layers: list[LayerInfo]
    scales: dict[str, tuple[Scale, int, Span | None]] = attrs.Factory(dict)
    defaults: list[str | None] = attrs.Factory(list)
    competencies: dict[str, CompInfo] = attrs.Factory(dict)
    areas: dict[str, AreaInfo] = attrs.Factory(dict)
    groups: dict[str, GroupInfo] = attrs.Factory(dict)
    _index: dict[str, int] = attrs.Factory(dict)
    _sorted: list[str] = attrs.Factory(list)
    _prefixes: dict[str, frozenset[str]] = attrs.Factory(dict)
    _children: dict[str, list[str]] | None = None
    _ordered: dict[frozenset[str], tuple[str, ...]] = attrs.Factory(dict)

    # --- lookups ---------------------------------------------------------------------------

    def order(self, codes: frozenset[str] | set[str]) -> tuple[str, ...]:
        """``codes`` in declaration order."""
        if len(self._index) != len(self.competencies):
            self._index = {code: i for i, code in enumerate(self.competencies)}
            self._ordered = {}
        key = codes if isinstance(codes, frozenset) else frozenset(codes)
        found = self._ordered.get(key)
        if found is None:
            # Remembered per selection: a policy that selects the same competencies in a
            # thousand clauses sorts them once.
            found = self._ordered[key] = tuple(sorted(key, key=self._index.__getitem__))
        return found

    def _prefixed(self, prefix: str) -> frozenset[str]:
        """Every competency whose code starts with ``prefix`` (sorted codes, then bisect)."""
        if len(self._sorted) != len(self.competencies):
            self._sorted = sorted(self.competencies)
            self._prefixes = {}
        found = self._prefixes.get(prefix)
        if found is None:
            start = bisect.bisect_left(self._sorted, prefix)
            end = start
            while end < len(self._sorted) and self._sorted[end].startswith(prefix):
                end += 1
            found = self._prefixes[prefix] = frozenset(self._sorted[start:end])
        return found

    def visible_names(self, layer: int) -> list[str]:
        """Competency codes, area codes and group names visible in ``layer``."""
        names = [c for c, info in self.competencies.items() if info.layer <= layer]
        names += [a for a, info in self.areas.items() if info.layer <= layer]
        names += [g for g, info in self.groups.items() if info.layer <= layer]
        return names

    def scale_named(self, ident: n.Ident, layer: int) -> Scale | None:
        """The scale ``ident`` names, visible in ``layer``, or an error and ``None``."""
        found = self.scales.get(ident.value)
        if found is not None and found[1] <= layer:
            return found[0]
        known = [name for name, (_s, at, _sp) in self.scales.items() if at <= layer]
        self.reporter.error(
            "MK214",
            f"unknown scale `{ident.value}`",
            ident.span,
            help=suggest(ident.value, known)
            or (f"the scales are {', '.join(f'`{k}`' for k in known)}" if known else None),
        )
        return None

    # --- selections ------------------------------------------------------------------------

    def resolve(self, selection: n.Selection, layer: int) -> tuple[frozenset[str], int] | None:
        """The competencies ``selection`` matches and its scope rank, or ``None`` after
        reporting why it cannot be used (unknown names, or nothing matched)."""
        codes = self._eval(selection, layer)
        if codes is None:
            return None
        if not codes:
            self.reporter.error(
                "MK232",
                f"`{selection_text(selection)}` selects no competencies",
                selection.span,
                help="check the codes and names; a selection must match at least one competency",
            )
            return None
        return codes, self.rank(selection, layer)

    def rank(self, selection: n.Selection, layer: int) -> int:
        """How narrow a selection is as a rule's scope."""
        match selection:
            case n.NameSelection():
                name = selection.name.value
                area = self.areas.get(name)
                if area is not None and area.layer <= layer:
                    return RANK_AREA
                group = self.groups.get(name)
                if group is not None and group.layer <= layer:
                    return RANK_SET
                return RANK_CODE
            case n.KindSelection():
                return RANK_AREA
            case n.AllSelection():
                return RANK_EVERYTHING
            case (
                n.WildcardSelection()
                | n.UnderSelection()
                | n.UnionSelection()
                | n.DifferenceSelection()
            ):
                return RANK_SET
            case _:
                assert_never(selection)

    def _eval(self, selection: n.Selection, layer: int) -> frozenset[str] | None:
        match selection:
            case n.NameSelection():
                return self._name(selection.name, layer)
            case n.WildcardSelection():
                return self._prefixed(selection.prefix)
            case n.KindSelection():
                kind = selection.kind.value
                kinds = {info.kind for info in self.competencies.values()}
                if kind not in kinds:
                    self.reporter.error(
                        "MK233",
                        f"no competency has kind `{kind}`",
                        selection.kind.span,
                        help=suggest(kind, kinds)
                        or f"the kinds are {', '.join(f'`{k}`' for k in sorted(kinds))}",
                    )
                    return None
                return frozenset(c for c, i in self.competencies.items() if i.kind == kind)
            case n.UnderSelection():
                return self._under(selection.code, layer)
            case n.AllSelection():
                return frozenset(self.competencies)
            case n.UnionSelection() | n.DifferenceSelection():
                left = self._eval(selection.left, layer)
                right = self._eval(selection.right, layer)
                if left is None or right is None:
                    return None
                if isinstance(selection, n.UnionSelection):
                    return left | right
                return left - right
            case _:
                assert_never(selection)

    def _name(self, ident: n.Ident, layer: int) -> frozenset[str] | None:
        name = ident.value
        comp = self.competencies.get(name)
        area = self.areas.get(name)
        group = self.groups.get(name)
        found: list[str] = []
        if comp is not None and comp.layer <= layer:
            found.append("competency")
        if area is not None and area.layer <= layer:
            if area.framework and "competency" in found:
                found.remove("competency")  # a framework item with children acts as an area
            found.append("area")
        if group is not None and group.layer <= layer:
            found.append("group")
        if not found:
            self.reporter.error(
                "MK230",
                f"unknown competency, area or group `{name}`",
                ident.span,
                help=suggest(name, self.visible_names(layer)),
            )
            return None
        if len(found) > 1:
            self.reporter.error(
                "MK231",
                f"`{name}` is both " + " and ".join(_ARTICLE[w] for w in found),
                ident.span,
                help="rename one of them so that each name means one thing",
            )
            return None
        if found[0] == "competency":
            return frozenset([name])
        if found[0] == "area":
            assert area is not None
            return frozenset(area.members)
        assert group is not None
        return self.group_codes(name)

    def _under(self, ident: n.Ident, layer: int) -> frozenset[str] | None:
        code = ident.value
        comp = self.competencies.get(code)
        area = self.areas.get(code)
        if (comp is None or comp.layer > layer) and (area is None or area.layer > layer):
            self.reporter.error(
                "MK230",
                f"unknown competency, area or group `{code}`",
                ident.span,
                help=suggest(code, self.visible_names(layer)),
            )
            return None
        below: set[str] = set()
        if area is not None and not area.framework:
            below.update(area.members)
        if self._children is None:
            self._children = {}
            for info in self.competencies.values():
                if info.parent is not None:
                    self._children.setdefault(info.parent, []).append(info.code)
        children = self._children
        todo = list(children.get(code, []))
        while todo:
            item = todo.pop()
            if item not in below:
                below.add(item)
                todo.extend(children.get(item, []))
        below.discard(code)
        return frozenset(below)

    def group_codes(self, name: str) -> frozenset[str] | None:
        """The competencies of group ``name`` (resolving it on first use), or ``None``."""
        group = self.groups[name]
        if group.state == 1:
            self.reporter.error(
                "MK234",
                f"group `{name}` is defined in terms of itself",
                group.decl.name.span,
                help="a group may use other groups, but not itself, directly or through others",
            )
            group.state = 2
            group.codes = None
            return None
        if group.state == 0:
            group.state = 1
            resolved = self.resolve(group.decl.selection, group.layer)
            if group.state == 1:
                group.codes = self.order(resolved[0]) if resolved else None
                group.state = 2
        return frozenset(group.codes) if group.codes is not None else None


# --- building ------------------------------------------------------------------------------


def _scale(decl: n.ScaleDecl, reporter: Reporter) -> Scale:
    names: dict[str, n.LevelDecl] = {}
    values: dict[Decimal, n.LevelDecl] = {}
    for level in decl.levels:
        if level.name.value in names:
            reporter.error(
                "MK212",
                f"scale `{decl.name.value}` has two levels named `{level.name.value}`",
                level.name.span,
                related=[Related("the first is here", names[level.name.value].span)],
            )
        else:
            names[level.name.value] = level
        if level.value in values:
            reporter.error(
                "MK213",
                f"scale `{decl.name.value}` has two levels at {format_decimal(level.value)}: "
                f"`{values[level.value].name.value}` and `{level.name.value}`",
                level.span,
                help="each level needs its own value",
            )
        else:
            values[level.value] = level
    if not decl.levels:
        reporter.error(
            "MK211",
            f"scale `{decl.name.value}` has no levels",
            decl.span,
            help="list its levels with their values, such as `1 Beginning 2 Proficient`",
        )
    ordered = sorted(values.values(), key=lambda level: level.value)
    return Scale(decl.name.value, tuple(Level(lv.name.value, lv.value) for lv in ordered))


def _declare_scales(ns: Namespace) -> None:
    reporter = ns.reporter
    for layer in ns.layers:
        explicit: str | None = None
        for stmt in layer.tree.statements:
            if isinstance(stmt, n.ScaleDecl):
                scale = _scale(stmt, reporter)
                previous = ns.scales.get(stmt.name.value)
                if previous is not None:
                    reporter.error(
                        "MK210",
                        f"scale `{stmt.name.value}` is already declared",
                        stmt.name.span,
                        related=[Related("it is declared here", previous[2])],
                        help="give this scale another name",
                    )
                    continue
                ns.scales[stmt.name.value] = (scale, layer.index, stmt.span)
        for stmt in layer.tree.statements:
            if isinstance(stmt, n.DefaultScale) and ns.scale_named(stmt.name, layer.index):
                explicit = stmt.name.value
        if explicit is None and layer.index > 0:
            explicit = ns.defaults[layer.index - 1]
        if explicit is None:
            visible = [s for s, (_x, at, _sp) in ns.scales.items() if at <= layer.index]
            explicit = visible[0] if len(visible) == 1 else None
        ns.defaults.append(explicit)


def _default_scale(ns: Namespace, layer: int, span: Span | None, warned: set[int]) -> Scale | None:
    name = ns.defaults[layer]
    if name is not None:
        return ns.scales[name][0]
    if layer not in warned:
        warned.add(layer)
        visible = [s for s, (_x, at, _sp) in ns.scales.items() if at <= layer]
        if visible:
            ns.reporter.error(
                "MK215",
                f"this policy declares {len(visible)} scales and none is the default",
                span,
                help=f"pick the scale of competencies that name none, such as "
                f"`default scale {visible[0]}`",
            )
        else:
            ns.reporter.error(
                "MK216",
                "no scale is declared for the competencies to use",
                span,
                help="declare one, such as `scale four_point { 1 Beginning 2 Developing "
                "3 Proficient 4 Advanced }`",
            )
    return None


def _add_competency(ns: Namespace, info: CompInfo) -> None:
    previous = ns.competencies.get(info.code)
    if previous is None:
        ns.competencies[info.code] = info
        return
    if previous.layer < info.layer:
        owner = ns.layers[previous.layer].name
        ns.reporter.error(
            "MK221",
            f"competency `{info.code}` belongs to `{owner}`; an overlay may not redefine it",
            info.span,
            related=[Related(f"`{owner}` defines it here", previous.span)],
            help="use it as it is, or give a new competency its own code",
        )
    else:
        ns.reporter.error(
            "MK220",
            f"competency `{info.code}` is declared twice",
            info.span,
            related=[Related("the first declaration is here", previous.span)],
        )


def _declare_competencies(
    ns: Namespace, frameworks: Mapping[tuple[str, str], Framework | None] | None
) -> None:
    reporter = ns.reporter
    warned: set[int] = set()
    for layer in ns.layers:
        idx = layer.index
        for stmt in layer.tree.statements:
            if isinstance(stmt, n.AreaDecl):
                _declare_area(ns, stmt, idx, warned)
            elif isinstance(stmt, n.CompetencyDecl):
                _declare_one(ns, stmt, idx, None, None, None, warned)
            elif isinstance(stmt, n.ImportFramework):
                key = (layer.file, stmt.path.value)
                if frameworks is None or key not in frameworks:
                    reporter.error(
                        "MK204",
                        f"framework `{stmt.path.value}` was not loaded",
                        stmt.path.span,
                        help="check the policy with `masterykit check FILE` so that the "
                        "framework file is read",
                    )
                    continue
                framework = frameworks[key]
                if framework is not None:
                    _import(ns, framework, idx, stmt.span, warned)


def _declare_area(ns: Namespace, stmt: n.AreaDecl, idx: int, warned: set[int]) -> None:
    code = stmt.code.value
    previous = ns.areas.get(code)
    if previous is not None:
        if previous.layer < idx:
            owner = ns.layers[previous.layer].name
            message = f"area `{code}` belongs to `{owner}`; an overlay may not redefine it"
        else:
            message = f"area `{code}` is declared twice"
        ns.reporter.error(
            "MK222",
            message,
            stmt.code.span,
            related=[Related("it is declared here", previous.span)],
            help="give the new area its own code",
        )
        area = AreaInfo(code, stmt.title, [], idx, stmt.span)
    else:
        area = AreaInfo(code, stmt.title, [], idx, stmt.span)
        ns.areas[code] = area
    area_scale: Scale | None = None
    if stmt.scale is not None:
        area_scale = ns.scale_named(stmt.scale, idx)
    kind = stmt.kind.value if stmt.kind is not None else "academic"
    for comp in stmt.competencies:
        if _declare_one(ns, comp, idx, code, kind, area_scale, warned, stmt.scale is not None):
            area.members.append(comp.code.value)


def _declare_one(
    ns: Namespace,
    decl: n.CompetencyDecl,
    idx: int,
    area: str | None,
    area_kind: str | None,
    area_scale: Scale | None,
    warned: set[int],
    area_names_scale: bool = False,
) -> bool:
    if decl.scale is not None:
        scale = ns.scale_named(decl.scale, idx)
    elif area_names_scale:
        scale = area_scale
    else:
        scale = _default_scale(ns, idx, decl.span, warned)
    kind = decl.kind.value if decl.kind is not None else (area_kind or "academic")
    info = CompInfo(
        decl.code.value, decl.title, kind, scale, idx, decl.span, area=area, after=decl.after
    )
    before = len(ns.reporter.diagnostics)
    _add_competency(ns, info)
    return len(ns.reporter.diagnostics) == before


def _import(
    ns: Namespace, framework: Framework, idx: int, span: Span | None, warned: set[int]
) -> None:
    scale = _default_scale(ns, idx, span, warned)
    parents = {item.parent for item in framework.items if item.parent is not None}
    for item in framework.items:
        info = CompInfo(
            item.code,
            item.title,
            "academic",
            scale,
            idx,
            span,
            area=item.parent,
            prerequisites=item.prerequisites,
            parent=item.parent,
            attributes=dict(item.attributes),
            framework=True,
        )
        _add_competency(ns, info)
    created = []
    for item in framework.items:
        if item.code in parents and item.code not in ns.areas:
            area = AreaInfo(item.code, item.title, [], idx, span, framework=True)
            ns.areas[item.code] = area
            created.append(area)
    # An item with children, named as a selection, is the item and everything below it.
    if created:
        members = _subtrees(ns, framework)
        for area in created:
            area.members = members(area.code)


def _subtrees(ns: Namespace, framework: Framework) -> Callable[[str], list[str]]:
    """A function giving an item of ``framework`` with every item below it, in declaration order.

    The tree is walked once, depth first and without recursion, so that each item's subtree is
    one run of the walk's order: a framework of any depth is indexed in linear time (a chain
    3,000 items deep takes no longer than 3,000 items side by side).
    """
    children: dict[str, list[str]] = {}
    for item in framework.items:
        if item.parent is not None and item.parent != item.code:
            children.setdefault(item.parent, []).append(item.code)
    index = {code: i for i, code in enumerate(ns.competencies)}
    order: list[str] = []  # the walk's order (preorder)
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    codes = [item.code for item in framework.items]
    known = set(codes)
    tops = [item.code for item in framework.items if item.parent not in known]
    # The tops first, so that each subtree is walked from its top; then any item left over (only
    # in a framework whose parents form a circle, which load_case refuses).
    for root in tops + codes:
        if root in start:
            continue
        start[root] = len(order)
        order.append(root)
        stack = [(root, iter(children.get(root, ())))]
        while stack:
            node, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                end[node] = len(order)
                stack.pop()
            elif child not in start:  # a child seen before (a cycle) is not entered twice
                start[child] = len(order)
                order.append(child)
                stack.append((child, iter(children.get(child, ()))))
    ranks = [index.get(code, -1) for code in order]
    # sorted_to[i]: the end of the run of the walk from i that is already in declaration order.
    sorted_to = [0] * (len(order) + 1)
    sorted_to[len(order)] = len(order)
    for i in range(len(order) - 1, -1, -1):
        ahead = i + 1 < len(order) and 0 <= ranks[i] < ranks[i + 1]
        sorted_to[i] = sorted_to[i + 1] if ahead else i + 1

    def members(code: str) -> list[str]:
        first, last = start[code], end[code]
        if sorted_to[first] >= last and ranks[first] >= 0:
            return order[first:last]
        return sorted((c for c in order[first:last] if c in index), key=index.__getitem__)

    return members


def _declare_groups(ns: Namespace) -> None:
    for layer in ns.layers:
        for stmt in layer.tree.statements:
            if not isinstance(stmt, n.GroupDecl):
                continue
            previous = ns.groups.get(stmt.name.value)
            if previous is not None:
                ns.reporter.error(
                    "MK223",
                    f"group `{stmt.name.value}` is already defined",
                    stmt.name.span,
                    related=[Related("it is defined here", previous.decl.span)],
                    help="give this group another name",
                )
                continue
            ns.groups[stmt.name.value] = GroupInfo(stmt, layer.index)
    _resolve_groups(ns)


def _group_names(selection: n.Selection, groups: Mapping[str, GroupInfo]) -> list[str]:
    """The groups ``selection`` names, in the order written."""
    found: list[str] = []
    todo = [selection]
    while todo:
        current = todo.pop()
        if isinstance(current, n.NameSelection) and current.name.value in groups:
            found.append(current.name.value)
        elif isinstance(current, (n.UnionSelection, n.DifferenceSelection)):
            todo.extend((current.right, current.left))
    return found


def _resolve_groups(ns: Namespace) -> None:
    """Resolve every group after the groups it names, depth first and without recursion, so
    that a chain of groups of any length resolves one group at a time; a group met again while
    the groups it leads to are being resolved is in a circle (``MK234``, reported by
    :meth:`Namespace.group_codes`)."""
    graph = {
        name: _group_names(group.decl.selection, ns.groups) for name, group in ns.groups.items()
    }
    state: dict[str, int] = {}  # 1: on the way down, 2: resolved
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        work = [(root, 0)]
        while work:
            node, edge = work[-1]
            edges = graph[node]
            if edge < len(edges):
                work[-1] = (node, edge + 1)
                nxt = edges[edge]
                if nxt not in state:
                    state[nxt] = 1
                    work.append((nxt, 0))
                elif state[nxt] == 1 and ns.groups[nxt].state == 0:
                    ns.groups[nxt].state = 1  # as if resolving it led back to it
                    ns.group_codes(nxt)
                continue
            work.pop()
            state[node] = 2
            ns.group_codes(node)


def _check_prerequisites(ns: Namespace) -> dict[str, tuple[str, ...]]:
    """Resolve ``after`` and report unknown prerequisites and cycles; codes per competency."""
    reporter = ns.reporter
    graph: dict[str, tuple[str, ...]] = {}
    for code, info in ns.competencies.items():
        found: list[str] = []
        for ident in info.after:
            target = ns.competencies.get(ident.value)
            if target is None or target.layer > info.layer:
                reporter.error(
                    "MK224",
                    f"unknown prerequisite `{ident.value}` of `{code}`",
                    ident.span,
                    help=suggest(ident.value, [c for c in ns.competencies if c != code]),
                )
            elif ident.value == code:
                reporter.error(
                    "MK225",
                    f"prerequisites form a cycle: {name_text(code)} → {name_text(code)}",
                    ident.span,
                    help="a competency cannot come after itself",
                )
            elif ident.value not in found:
                found.append(ident.value)
        for pre in info.prerequisites:
            if pre in ns.competencies and pre not in found and pre != code:
                found.append(pre)
        graph[code] = tuple(found)
    # Cycle search: report each cycle once, from its first competency in declaration order.
    state: dict[str, int] = {}
    seen_cycles: set[frozenset[str]] = set()
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            node, i = stack[-1]
            edges = graph.get(node, ())
            if i < len(edges):
                stack[-1] = (node, i + 1)
                nxt = edges[i]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :]
                    key = frozenset(cycle)
                    if key not in seen_cycles:
                        seen_cycles.add(key)
                        first = min(cycle, key=list(ns.competencies).index)
                        at = cycle.index(first)
                        ordered = cycle[at:] + cycle[:at] + [first]
                        span = _after_span(ns.competencies[first], ordered[1])
                        reporter.error(
                            "MK225",
                            "prerequisites form a cycle: "
                            + " → ".join(name_text(c) for c in ordered),
                            span,
                            help="remove one of these `after` links",
                        )
                elif not state.get(nxt):
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return graph


def _after_span(info: CompInfo, target: str) -> Span | None:
    for ident in info.after:
        if ident.value == target:
            return ident.span
    return info.span


def build_namespace(
    layers: list[LayerInfo],
    reporter: Reporter,
    frameworks: Mapping[tuple[str, str], Framework | None] | None,
) -> tuple[Namespace, dict[str, tuple[str, ...]]]:
    """Collect every declaration of the chain; returns the namespace and the prerequisites."""
    ns = Namespace(reporter, layers)
    _declare_scales(ns)
    _declare_competencies(ns, frameworks)
    _declare_groups(ns)
    prerequisites = _check_prerequisites(ns)
    return ns, prerequisites


def level_value(scale: Scale, level: str | Decimal) -> Decimal | None:
    """The value of a level reference on ``scale``: a number as it is, a name looked up."""
    if isinstance(level, Decimal):
        return level
    found = scale.level_named(level)
    return found.value if found is not None else None


def missing_level_message(level: str | Decimal, scale: Scale) -> tuple[str, str]:
    """Message and help for a level name that ``scale`` lacks."""
    names = ", ".join(f"`{lv.name}`" for lv in scale.levels)
    close = suggest(str(level), [lv.name for lv in scale.levels])
    return (
        f"level `{level_text(level)}` is not on the `{scale.name}` scale",
        close or f"the `{scale.name}` scale has {names}",
    )
