"""What changes between two versions of a policy (or a district): a semantic diff.

Comparing two :class:`~masterykit.policy.Policy` values with ``==`` says nothing useful (every
rule carries the line it was written on), and a text diff shows comments, reformatting and moved
lines as changes. :func:`diff` compares what the policies *do*, through
:func:`~masterykit.policy.semantic_value`: scales, competencies, areas and groups, each
competency's calculation, cut and evidence rules, requirements, advancements, graduation, pace,
the default scale and the methods' plugins. Each :class:`Change` says what was added, removed or
changed, for which competency when a rule is scoped, how each side reads and where each side
was written (``file:line``).

Two :class:`~masterykit.district.District` values are compared route by route: routes whose
condition appears on one side only are added or removed, and a route that sends the same
learners to a different policy (or to none) is changed, with the two policies' own diff inside.

>>> from masterykit.loader import load_text
>>> text = '''policy "P" version "1"
... scale s { 0 No 1 Yes }
... competency A "A"
... calculate most_recent
... proficient at Yes
... evidence at least 2
... '''
>>> old = load_text(text, "old.mastery")
>>> new = load_text("# more evidence\\n" + text.replace("least 2", "least 3"), "new.mastery")
>>> result = diff(old, new)
>>> [(c.kind, c.section, c.subject, c.old, c.new) for c in result.changes]
[('changed', 'evidence', 'A', 'evidence at least 2', 'evidence at least 3')]
>>> result.changes[0].old_at, result.changes[0].new_at
('old.mastery:6', 'new.mastery:7')
>>> diff(old, load_text("# only a comment\\n" + text, "same.mastery")).equal
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, TypeAlias

import attrs

from masterykit.diagnostics import Diagnostic, MasteryError
from masterykit.district import District, Route
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    Competency,
    CompetencyRules,
    CompetencyTest,
    CountRule,
    LearnerClause,
    NotClause,
    Pace,
    Policy,
    Provenance,
    RequirementClause,
    Scale,
    semantic_value,
)

__all__ = [
    "SECTIONS",
    "Change",
    "ChangeKind",
    "DiffError",
    "PolicyDiff",
    "Side",
    "diff",
]

#: What a change is.
ChangeKind: TypeAlias = Literal["added", "removed", "changed"]

#: The parts of a policy a change can be in, in the order changes are reported.
SECTIONS: Final[tuple[str, ...]] = (
    "route",
    "scale",
    "default_scale",
    "competency",
    "area",
    "group",
    "kind",
    "calculation",
    "cut",
    "evidence",
    "requirement",
    "advancement",
    "graduation",
    "pace",
    "method",
)


class DiffError(MasteryError):
    """Two values that cannot be compared (``MK460``)."""


@attrs.frozen(slots=True)
class Side:
    """One side of a comparison: the policy's (or district's) name, version, file and
    fingerprint."""

    name: str
    version: str | None
    file: str
    fingerprint: str

    @classmethod
    def of(cls, value: Policy | District) -> Side:
        """The side ``value`` is."""
        return cls(value.name, value.version, value.file, value.fingerprint)


@attrs.frozen(slots=True)
class Change:
    """One difference between two policies.

    ``kind`` is ``added``, ``removed`` or ``changed``; ``section`` one of :data:`SECTIONS`;
    ``subject`` what changed (a competency code for the rules scoped to competencies, a scale,
    requirement or route name, or the section's name for graduation, pace and the default
    scale). ``old`` and ``new`` say how each side reads (``None`` on the side where it is
    absent), ``old_value`` and ``new_value`` are their semantic forms
    (:func:`~masterykit.policy.semantic_value`), and ``old_at`` and ``new_at`` where each side
    was written (``file:line``, ``None`` when absent or unknown). A changed route carries the
    diff of the two policies it sends learners to in ``policy``.
    """

    kind: ChangeKind
    section: str
    subject: str
    old: str | None
    new: str | None
    old_at: str | None = None
    new_at: str | None = None
    old_value: Any = attrs.field(default=None, eq=False, repr=False)
    new_value: Any = attrs.field(default=None, eq=False, repr=False)
    policy: PolicyDiff | None = None

    def to_json(self) -> dict[str, Any]:
        """The change as JSON (schema ``masterykit/diff/v1``)."""
        return {
            "change": self.kind,
            "section": self.section,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "old_at": self.old_at,
            "new_at": self.new_at,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "policy": None if self.policy is None else self.policy.to_json(),
        }


@attrs.frozen(slots=True)
class PolicyDiff:
    """What differs between ``old`` and ``new``: the changes in :data:`SECTIONS` order (within
    a section, in the new side's declaration order, removals last)."""

    old: Side
    new: Side
    changes: tuple[Change, ...]

    @property
    def equal(self) -> bool:
        """Whether the two sides do the same thing (no change at all)."""
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON (without the ``schema`` key of the command's document)."""
        return {
            "old": attrs.asdict(self.old),
            "new": attrs.asdict(self.new),
            "equal": self.equal,
            "changes": [change.to_json() for change in self.changes],
        }

    def grouped(self) -> list[list[Change]]:
        """The changes, with those that read the same for several competencies (the same
        calculation, cut or evidence rule changed the same way) together, in order."""
        groups: dict[tuple[Any, ...], list[Change]] = {}
        for index, change in enumerate(self.changes):
            if change.section in _SCOPED:
                key: tuple[Any, ...] = (change.kind, change.section, change.old, change.new)
            else:
                key = (index,)
            groups.setdefault(key, []).append(change)
        return list(groups.values())

    def lines(self) -> list[str]:
        """The diff as text for people: one line per group of changes (see :meth:`grouped`),
        each followed by where each side was written."""
        lines: list[str] = []
        for group in self.grouped():
            first = group[0]
            subjects = _subjects([c.subject for c in group])
            mark = {"added": "+", "removed": "-", "changed": "~"}[first.kind]
            what = _SECTION_WORDS.get(first.section, first.section)
            if first.section not in _SINGLE:
                what = f"{what} {subjects}"
            if first.kind == "added":
                lines.append(f"{mark} {what}: {first.new}")
            elif first.kind == "removed":
                lines.append(f"{mark} {what}: {first.old}")
            else:
                lines.append(f"{mark} {what}: {first.old} → {first.new}")
            where = _where(group)
            if where:
                lines.append(f"    {where}")
            if first.policy is not None:
                lines.extend(f"    {line}" for line in first.policy.lines())
        return lines


_SCOPED: Final = frozenset({"calculation", "cut", "evidence"})
_SINGLE: Final = frozenset({"default_scale", "graduation", "pace"})

_SECTION_WORDS: Final[Mapping[str, str]] = {
    "default_scale": "default scale",
    "calculation": "calculation of",
    "cut": "proficiency cut of",
    "evidence": "evidence rule of",
}


def _subjects(subjects: list[str]) -> str:
    unique = list(dict.fromkeys(subjects))
    if len(unique) <= 4:
        return ", ".join(unique)
    return f"{', '.join(unique[:3])} and {len(unique) - 3} more competencies"


def _where(group: list[Change]) -> str:
    olds = list(dict.fromkeys(c.old_at for c in group if c.old_at))
    news = list(dict.fromkeys(c.new_at for c in group if c.new_at))

    def shown(places: list[str]) -> str:
        return ", ".join(places[:2]) + (f" (+{len(places) - 2})" if len(places) > 2 else "")

    if olds and news:
        return f"{shown(olds)} → {shown(news)}"
    if olds:
        return f"was {shown(olds)}"
    if news:
        return f"at {shown(news)}"
    return ""


# --- wording ---------------------------------------------------------------------------------


def _at(source: Provenance | None) -> str | None:
    if source is None or source.line == 0:
        return None
    return str(source)


def clause_text(clause: Clause) -> str:
    """A resolved clause as the author would write it, on one line.

    >>> from masterykit.policy import LearnerClause, NotClause
    >>> clause_text(NotClause(LearnerClause("iep", None, None, "learner.iep")))
    'not learner.iep'
    """
    match clause:
        case CompetencyTest() | LearnerClause():
            return clause.text
        case RequirementClause(name):
            return f"requirement {name}"
        case NotClause(inner):
            return f"not {clause_text(inner)}"
        case AnyClause(clauses):
            return "any { " + "; ".join(clause_text(c) for c in clauses) + " }"
        case AllClause(clauses, pathway):
            body = "; ".join(clause_text(c) for c in clauses)
            if pathway is not None:
                return f'pathway "{pathway}" {{ {body} }}'
            return body if len(clauses) == 1 else "{ " + body + " }"


def _scale_text(scale: Scale) -> str:
    return ", ".join(f"{semantic_value(level.value)} {level.name}" for level in scale.levels)


def _competency_text(competency: Competency) -> str:
    text = f'"{competency.title}"' if competency.title else competency.code
    text += f" scale {competency.scale.name}, kind {competency.kind}"
    if competency.area:
        text += f", in {competency.area}"
    if competency.prerequisites:
        text += f", after {', '.join(competency.prerequisites)}"
    if competency.parent:
        text += f", under {competency.parent}"
    if competency.attributes:
        text += ", " + ", ".join(f"{k}={v}" for k, v in competency.attributes.items())
    return text


def _count_text(rule: CountRule) -> str:
    text = f"evidence at least {rule.count}"
    if rule.kinds:
        text += " from " + ", ".join(sorted(rule.kinds))
    return text


def _pace_text(pace: Pace) -> str:
    due = f"learner.{pace.due_attribute}" if pace.due_attribute else str(pace.due_date)
    text = f"pace for {', '.join(pace.codes)}: due {due}, measure over last {pace.window}"
    text += f", at risk within {pace.risk}"
    for extension in pace.extensions:
        text += f", extend {extension.duration} when {clause_text(extension.condition)}"
    return text


# --- comparing -------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def compare(
        self,
        section: str,
        subject: str,
        old: Any,
        new: Any,
        text: Callable[[Any], str],
        where: Callable[[Any], Provenance | None] = lambda _: None,
    ) -> None:
        """Record the difference between ``old`` and ``new`` (either may be ``None``)."""
        old_value = None if old is None else semantic_value(old)
        new_value = None if new is None else semantic_value(new)
        if old_value == new_value:
            return
        kind: ChangeKind = "added" if old is None else "removed" if new is None else "changed"
        self.changes.append(
            Change(
                kind,
                section,
                subject,
                None if old is None else text(old),
                None if new is None else text(new),
                None if old is None else _at(where(old)),
                None if new is None else _at(where(new)),
                old_value,
                new_value,
            )
        )

    def mapping(
        self,
        section: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        text: Callable[[str, Any], str],
        where: Callable[[Any], Provenance | None] = lambda _: None,
    ) -> None:
        """Compare two mappings key by key (new keys in order, then removed ones)."""
        for key in [*new, *(k for k in old if k not in new)]:
            self.compare(
                section,
                key,
                old.get(key),
                new.get(key),
                functools.partial(text, key),
                where,
            )


def _source(value: Any) -> Provenance | None:
    found = getattr(value, "source", None)
    return found if isinstance(found, Provenance) else None


def _rules(collector: _Collector, code: str, old: CompetencyRules, new: CompetencyRules) -> None:
    """Each rule of one competency on both sides."""
    collector.compare(
        "calculation",
        code,
        old.calculate,
        new.calculate,
        lambda r: r.text,
        _source,
    )
    collector.compare(
        "cut",
        code,
        old.proficient,
        new.proficient,
        lambda r: f"proficient at {'least ' if r.floor else ''}{r.level or semantic_value(r.cut)}",
        _source,
    )
    old_counts = {rule.kinds: rule for rule in old.counts}
    new_counts = {rule.kinds: rule for rule in new.counts}
    for kinds in [*new_counts, *(k for k in old_counts if k not in new_counts)]:
        collector.compare(
            "evidence", code, old_counts.get(kinds), new_counts.get(kinds), _count_text, _source
        )
    collector.compare(
        "evidence",
        code,
        old.variety,
        new.variety,
        lambda r: f"evidence from at least {r.count} kinds",
        _source,
    )
    collector.compare(
        "evidence",
        code,
        old.window,
        new.window,
        lambda r: f"evidence within {r.duration}",
        _source,
    )
    collector.compare(
        "evidence",
        code,
        old.gate,
        new.gate,
        lambda _r: "evidence after prerequisites",
        _source,
    )
    collector.compare(
        "evidence",
        code,
        old.reteach,
        new.reteach,
        lambda r: f"reteach after {r.attempts} attempts",
        _source,
    )


def _policy_changes(old: Policy, new: Policy) -> list[Change]:
    c = _Collector()
    c.mapping("scale", old.scales, new.scales, lambda _, s: _scale_text(s))
    c.compare("default_scale", "default scale", old.default_scale, new.default_scale, str)
    c.mapping(
        "competency", old.competencies, new.competencies, lambda _, v: _competency_text(v), _source
    )
    c.mapping(
        "area",
        old.areas,
        new.areas,
        lambda _, a: (f'"{a.title}": ' if a.title else "") + ", ".join(a.competencies),
        _source,
    )
    c.mapping("group", old.groups, new.groups, lambda _, g: ", ".join(g))
    c.mapping(
        "kind",
        old.kinds,
        new.kinds,
        lambda name, k: (
            f"{'common ' if k.common else ''}kind {name}" + (f' "{k.title}"' if k.title else "")
        ),
        _source,
    )
    # A competency added or removed is one change: its rules come and go with it.
    for code, rules in new.rules.items():
        if code in old.rules:
            _rules(c, code, old.rules[code], rules)
    c.mapping(
        "requirement",
        old.requirements,
        new.requirements,
        lambda name, r: f"requirement {name}: {clause_text(r.condition)}",
        _source,
    )
    old_advance = {f'"{a.source_name}" to "{a.target_name}"': a for a in old.advancements}
    new_advance = {f'"{a.source_name}" to "{a.target_name}"': a for a in new.advancements}
    c.mapping(
        "advancement",
        old_advance,
        new_advance,
        lambda name, a: f"advance {name} when {clause_text(a.condition)}",
        _source,
    )
    c.compare(
        "graduation",
        "graduation",
        old.graduation,
        new.graduation,
        lambda g: f"graduate when {clause_text(g.condition)}",
        _source,
    )
    c.compare("pace", "pace", old.pace, new.pace, _pace_text, _source)
    old_methods = {n: (s.plugin, tuple(p.name for p in s.params)) for n, s in old.methods.items()}
    new_methods = {n: (s.plugin, tuple(p.name for p in s.params)) for n, s in new.methods.items()}
    for name in [*new_methods, *(n for n in old_methods if n not in new_methods)]:
        before, after = old_methods.get(name), new_methods.get(name)
        # A method that is merely used or no longer used shows in the calculations already; only
        # the same name bound to another plugin or other parameters is a change of its own.
        if before is not None and after is not None and before != after:
            c.changes.append(
                Change(
                    "changed",
                    "method",
                    name,
                    f"{name} from {before[0]} ({', '.join(before[1])})",
                    f"{name} from {after[0]} ({', '.join(after[1])})",
                    old_value=[before[0], list(before[1])],
                    new_value=[after[0], list(after[1])],
                )
            )
    order = {section: i for i, section in enumerate(SECTIONS)}
    return sorted(c.changes, key=lambda change: order[change.section])


# --- districts -------------------------------------------------------------------------------


def _route_key(route: Route) -> Any:
    return None if route.condition is None else semantic_value(route.condition)


def _route_subject(route: Route) -> str:
    if route.condition is None:
        return "otherwise"
    return f"when {clause_text(route.condition)}"


def _route_target(route: Route) -> str:
    if route.policy is None:
        return f'not evaluated "{route.reason or ""}"'
    return f"use {route.policy.file} ({route.policy.name})"


def _route_value(route: Route) -> Any:
    return {
        "condition": _route_key(route),
        "policy": None if route.policy is None else route.policy.fingerprint,
        "reason": route.reason,
    }


def _district_changes(old: District, new: District) -> list[Change]:
    """Routes aligned by their conditions, in order (as ``diff`` aligns lines)."""
    old_keys = [repr(_route_key(r)) for r in old.routes]
    new_keys = [repr(_route_key(r)) for r in new.routes]
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    changes: list[Change] = []

    def added(route: Route) -> None:
        changes.append(
            Change(
                "added",
                "route",
                _route_subject(route),
                None,
                _route_target(route),
                None,
                _at(route.source),
                None,
                _route_value(route),
            )
        )

    def removed(route: Route) -> None:
        changes.append(
            Change(
                "removed",
                "route",
                _route_subject(route),
                _route_target(route),
                None,
                _at(route.source),
                None,
                _route_value(route),
                None,
            )
        )

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for before, after in zip(old.routes[i1:i2], new.routes[j1:j2], strict=True):
                changes.extend(_route_change(before, after))
            continue
        for route in old.routes[i1:i2]:
            removed(route)
        for route in new.routes[j1:j2]:
            added(route)
    return changes


def _route_change(old: Route, new: Route) -> Iterable[Change]:
    same_target = (old.policy is None) == (new.policy is None) and old.reason == new.reason
    inner: PolicyDiff | None = None
    if old.policy is not None and new.policy is not None:
        inner = diff(old.policy, new.policy)
        same_target = same_target and inner.equal
    if same_target:
        return ()
    return (
        Change(
            "changed",
            "route",
            _route_subject(new),
            _route_target(old),
            _route_target(new),
            _at(old.source),
            _at(new.source),
            _route_value(old),
            _route_value(new),
            inner,
        ),
    )


def diff(old: Policy | District, new: Policy | District) -> PolicyDiff:
    """What differs between ``old`` and ``new``, two policies or two districts.

    Comments, formatting, the order of lines, file names and the policies' names and versions
    are not differences; anything that can change a learner's result is.

    Raises:
        DiffError: ``MK460`` when one is a policy and the other a district.
    """
    if isinstance(old, Policy) and isinstance(new, Policy):
        return PolicyDiff(Side.of(old), Side.of(new), tuple(_policy_changes(old, new)))
    if isinstance(old, District) and isinstance(new, District):
        return PolicyDiff(Side.of(old), Side.of(new), tuple(_district_changes(old, new)))
    kinds = {Policy: "a policy", District: "a district"}
    raise DiffError(
        [
            Diagnostic(
                "MK460",
                f"cannot compare {kinds[type(old)]} (`{old.file}`) with "
                f"{kinds[type(new)]} (`{new.file}`)",
                help="compare two policy files, or two district files; to see what a district "
                "change does to one school, compare the policy files its routes name",
            )
        ]
    )
