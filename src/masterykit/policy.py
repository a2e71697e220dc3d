"""The checked policy: one resolved, immutable value that the engine runs.

The checker (:mod:`masterykit.dsl.check`) turns a ``.mastery`` file and the chain of files it
``extends`` into a :class:`Policy`. Every name in it is resolved: selections are tuples of
competency codes, level names are values on each competency's scale, method calls carry their
full argument lists, and every effective rule records which file, line and layer set it
(:class:`Provenance`), so explanations can say "set by the district" or "set by this school".

A ``Policy`` is frozen and holds no caches that change, so it can be shared across threads and
learners. It never parses and never reads files.
"""

from __future__ import annotations

import calendar
import copyreg
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from masterykit.diagnostics import Source, Span

if TYPE_CHECKING:
    from masterykit.dsl.nodes import Example
    from masterykit.engine.results import EvaluationResult
    from masterykit.evidence import Evidence, Learner
    from masterykit.registry import MethodSpec

__all__ = [
    "Advancement",
    "AllClause",
    "AnyClause",
    "Area",
    "CalculationRule",
    "Clause",
    "Competency",
    "CompetencyRules",
    "CompetencyTest",
    "CountRule",
    "CutRule",
    "Duration",
    "EvidenceKind",
    "GateRule",
    "Graduation",
    "Layer",
    "LearnerClause",
    "Level",
    "NotClause",
    "Pace",
    "PaceExtension",
    "Policy",
    "PolicyExample",
    "Provenance",
    "Requirement",
    "RequirementClause",
    "ReteachRule",
    "Scale",
    "Translation",
    "VarietyRule",
    "WindowRule",
    "fingerprint",
    "read_only",
    "semantic_form",
    "semantic_value",
]


# --- values ----------------------------------------------------------------------------------


def read_only(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only view of a copy of ``mapping``, so neither its reader nor whoever passed it
    in can change it afterwards (a view made here is kept as it is).

    >>> view = read_only({"A": 1})
    >>> view["A"]
    1
    >>> view["B"] = 2
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """
    if type(mapping) is MappingProxyType:
        return mapping
    return MappingProxyType(dict(mapping))


def _view(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _pickle_view(view: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _view, (dict(view),)


# Read-only views pickle as views of a copy of what they show, so policies and results can
# cross process boundaries.
copyreg.pickle(MappingProxyType, _pickle_view)


@attrs.frozen(slots=True)
class Duration:
    """A span of calendar time: ``amount`` days, weeks, months or years.

    Months and years move along the calendar and clamp to the month's end (2026-08-31 minus
    six months is 2026-02-28); days and weeks are exact. A shift past the first or last date
    Python can represent (0001-01-01, 9999-12-31) stops there.

    >>> Duration(6, "month").before(dt.date(2026, 8, 31))
    datetime.date(2026, 2, 28)
    >>> Duration(2, "week").after(dt.date(2026, 1, 1))
    datetime.date(2026, 1, 15)

    Shifts stop at the calendar's ends instead of failing:

    >>> Duration(3, "year").before(dt.date(2, 6, 1))
    datetime.date(1, 1, 1)
    """

    amount: int
    unit: Literal["day", "week", "month", "year"]

    def _shift(self, day: dt.date, sign: int) -> dt.date:
        try:
            if self.unit == "day":
                return day + sign * dt.timedelta(days=self.amount)
            if self.unit == "week":
                return day + sign * dt.timedelta(weeks=self.amount)
            months = self.amount * (12 if self.unit == "year" else 1) * sign
            index = day.year * 12 + (day.month - 1) + months
            year, month = divmod(index, 12)
            month += 1
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, min(day.day, last))
        except (OverflowError, ValueError):
            # Past the calendar's ends (year 1 and year 9999): a window reaching back before
            # year 1 covers all time, and a due date after 9999 is as late as dates go.
            return dt.date.min if sign < 0 else dt.date.max

    def before(self, day: dt.date) -> dt.date:
        """The date this duration before ``day``."""
        return self._shift(day, -1)

    def after(self, day: dt.date) -> dt.date:
        """The date this duration after ``day``."""
        return self._shift(day, 1)

    def __str__(self) -> str:
        unit = self.unit if self.amount == 1 else f"{self.unit}s"
        return f"{self.amount} {unit}"


@attrs.frozen(slots=True)
class Provenance:
    """Where a rule or declaration was set: the file, line and column, the layer's policy name,
    and whether the rule is tight there."""

    file: str
    line: int
    column: int
    layer: str
    tight: bool = False

    @classmethod
    def from_span(cls, span: Span | None, layer: str, *, tight: bool = False) -> Provenance:
        """Provenance for a node's span (``<unknown>:0:0`` when the node has none)."""
        if span is None:
            return cls("<unknown>", 0, 0, layer, tight)
        return cls(span.file, span.line, span.column, layer, tight)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@attrs.frozen(slots=True)
class Level:
    """A level of a scale: a name and its value."""

    name: str
    value: Decimal


@attrs.frozen(slots=True)
class Scale:
    """A proficiency scale; ``levels`` are ordered by value, lowest first.

    >>> s = Scale("four_point", (Level("Beginning", Decimal(1)), Level("Developing", Decimal(2)),
    ...                          Level("Proficient", Decimal(3)), Level("Advanced", Decimal(4))))
    >>> s.level_for(Decimal("3.65")).name
    'Proficient'
    >>> s.level_for(Decimal("0.5")) is None
    True
    """

    name: str
    levels: tuple[Level, ...]

    @property
    def minimum(self) -> Decimal:
        """The lowest level's value: scores below it are off the scale."""
        return self.levels[0].value

    @property
    def maximum(self) -> Decimal:
        """The highest level's value: scores above it are off the scale."""
        return self.levels[-1].value

    def level_for(self, score: Decimal) -> Level | None:
        """The highest level whose value is ≤ ``score``, or ``None`` below the lowest level."""
        found: Level | None = None
        for level in self.levels:
            if level.value <= score:
                found = level
            else:
                break
        return found

    def level_named(self, name: str) -> Level | None:
        """The level called ``name``, or ``None``."""
        for level in self.levels:
            if level.name == name:
                return level
        return None

    def contains(self, score: Decimal) -> bool:
        """Whether ``score`` lies within the scale's range (both ends included)."""
        return self.minimum <= score <= self.maximum


@attrs.frozen(slots=True)
class Area:
    """A content area (or a framework item with children): a code, a title, and its
    competencies' codes in declaration order."""

    code: str
    title: str | None
    competencies: tuple[str, ...]
    source: Provenance | None = None


@attrs.frozen(slots=True)
class Competency:
    """A competency: its code, title, area, kind (``academic`` unless set), scale and
    prerequisites (codes, from ``after`` or CASE ``precedes``).

    ``attributes`` holds extra facts from an imported framework (CASE identifier, item type,
    education level). ``parent`` is the framework item it sits under, if any.
    """

    code: str
    title: str | None
    scale: Scale
    kind: str = "academic"
    area: str | None = None
    prerequisites: tuple[str, ...] = ()
    parent: str | None = None
    attributes: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    source: Provenance | None = None


@attrs.frozen(slots=True)
class EvidenceKind:
    """A kind of evidence the policy declares (``kind performance_task "Performance task"``):
    its name as evidence gives it, its title for people, and whether it is one of the district's
    common assessments (``common kind …``)."""

    name: str
    title: str | None = None
    common: bool = False
    source: Provenance | None = None


# --- effective rules -------------------------------------------------------------------------


@attrs.frozen(slots=True)
class CalculationRule:
    """``calculate <method>(<args>)`` as it applies to one competency.

    ``args`` is the method's full positional argument list with defaults filled in; weights are
    fractions (``65%`` is ``Decimal("0.65")``). ``text`` is how the author would write it.
    """

    method: str
    args: tuple[Decimal, ...]
    text: str
    source: Provenance


@attrs.frozen(slots=True)
class CutRule:
    """``proficient at …`` as it applies to one competency: the cut value on its scale, the level
    name when the cut was written as one, and whether it is a tight floor."""

    cut: Decimal
    level: str | None
    source: Provenance
    floor: bool = False


@attrs.frozen(slots=True)
class CountRule:
    """``evidence at least N`` (``kinds`` empty) or ``evidence at least N from k1, k2``."""

    count: int
    kinds: frozenset[str]
    source: Provenance


@attrs.frozen(slots=True)
class VarietyRule:
    """``evidence from at least N kinds``."""

    count: int
    source: Provenance


@attrs.frozen(slots=True)
class WindowRule:
    """``evidence within <duration>``: only evidence from as-of − duration to as-of counts."""

    duration: Duration
    source: Provenance


@attrs.frozen(slots=True)
class GateRule:
    """``evidence after prerequisites``: evidence on a competency counts only from the day all
    of its prerequisites are proficient (none counts while one of them is not).

    .. versionadded:: 0.2
    """

    source: Provenance


@attrs.frozen(slots=True)
class ReteachRule:
    """``reteach after N attempts``: a competency still below the cut after ``attempts`` pieces
    of counted evidence needs reteaching (read by :func:`masterykit.groups`).

    .. versionadded:: 0.2
    """

    attempts: int
    source: Provenance


@attrs.frozen(slots=True)
class CompetencyRules:
    """Every rule in force for one competency after layering and scoping.

    ``counts`` holds one :class:`CountRule` per distinct kind set (the plain count has an empty
    set). With no count rule at all, one piece of evidence suffices.
    """

    calculate: CalculationRule
    proficient: CutRule
    counts: tuple[CountRule, ...] = ()
    variety: VarietyRule | None = None
    window: WindowRule | None = None
    gate: GateRule | None = None
    reteach: ReteachRule | None = None


# --- conditions ------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class CompetencyTest:
    """``all of S proficient`` and its family, resolved.

    ``quantifier`` is ``all``, ``any``, ``none``, ``count`` (``amount`` competencies) or
    ``percent`` (``amount`` percent, rounded up to whole competencies). ``test`` is
    ``proficient``, ``reach`` (level ≥ the threshold) or ``below`` (not reaching it;
    ``not_started`` and ``insufficient`` count as below), or one of the continuum's tests:
    ``ready`` (not proficient, every prerequisite proficient), ``insufficient``, ``started``
    (any status but ``not_started``) and ``not_started``. ``codes`` are the selected competencies
    in declaration order; ``thresholds`` gives, for ``reach``/``below``, the level's value on
    each of those competencies' scales (same order). ``level`` is the level as written and
    ``text`` the clause as the author would write it.
    """

    quantifier: Literal["all", "any", "none", "count", "percent"]
    test: Literal["proficient", "reach", "below", "ready", "insufficient", "started", "not_started"]
    codes: tuple[str, ...]
    text: str
    amount: Decimal | None = None
    thresholds: tuple[Decimal, ...] = ()
    level: str | None = None
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class RequirementClause:
    """``requirement name``."""

    name: str
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class LearnerClause:
    """``learner.attr`` (true when the attribute is true) or ``learner.attr <op> <value>``.

    No comparison holds when the learner lacks the attribute.
    """

    attribute: str
    op: Literal["=", "!=", "<", "<=", ">", ">="] | None
    value: str | Decimal | bool | dt.date | dt.datetime | None
    text: str
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class AnyClause:
    """``any { … }``."""

    clauses: tuple[Clause, ...]
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class AllClause:
    """``all { … }``, a requirement's body, a decision's condition, or ``pathway "name" { … }``
    (``pathway`` is set)."""

    clauses: tuple[Clause, ...]
    pathway: str | None = None
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class NotClause:
    """``not <clause>``."""

    clause: Clause
    span: Span | None = attrs.field(default=None, eq=False)


Clause: TypeAlias = (
    CompetencyTest | RequirementClause | LearnerClause | AnyClause | AllClause | NotClause
)


# --- decisions -------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Requirement:
    """A named requirement: holds when ``condition`` holds."""

    name: str
    title: str | None
    condition: AllClause
    tight: bool
    source: Provenance


@attrs.frozen(slots=True)
class Advancement:
    """``advance "<source>" to "<target>" when …``."""

    source_name: str
    target_name: str
    condition: AllClause
    source: Provenance


@attrs.frozen(slots=True)
class Graduation:
    """The graduation decision after layering (tight base clauses plus the overlays' own)."""

    condition: AllClause
    source: Provenance
    tight: bool = False


@attrs.frozen(slots=True)
class PaceExtension:
    """``extend <duration> when <clause>``."""

    duration: Duration
    condition: Clause


@attrs.frozen(slots=True)
class Pace:
    """``pace for S { … }``: ``codes`` is the selection; the due date is a learner attribute
    (``due_attribute``) or a fixed date (``due_date``); ``window`` is ``measure over last``;
    ``risk`` is ``at risk within``."""

    codes: tuple[str, ...]
    window: Duration
    risk: Duration
    source: Provenance
    due_attribute: str | None = None
    due_date: dt.date | None = None
    extensions: tuple[PaceExtension, ...] = ()


@attrs.frozen(slots=True)
class Layer:
    """One file of the resolved chain, base first: its policy name, file and version."""

    name: str
    file: str
    version: str | None = None


@attrs.frozen(slots=True)
class PolicyExample:
    """A worked example (``example "…" { … }``) and the file it was written in."""

    file: str
    example: Example


@attrs.frozen(slots=True)
class Translation:
    """A policy's titles and level names in one language (``translate es { … }``).

    ``titles`` maps competency codes, area codes, group names and requirement names to their
    titles in the language; ``levels`` maps level names to the names to show. They change what
    reports show, never a result (so they are not part of :func:`semantic_form`).

    .. versionadded:: 0.2
    """

    language: str
    titles: Mapping[str, str] = attrs.field(factory=dict, converter=read_only)
    levels: Mapping[str, str] = attrs.field(factory=dict, converter=read_only)


@attrs.frozen(slots=True, eq=False)
class Policy:
    """A checked, resolved policy: everything the engine needs and nothing it must look up.

    Mappings are ordered by declaration (base layers first). ``rules`` has an entry for every
    competency. ``layers`` lists the chain, base first; ``name`` and ``version`` are the top
    layer's. ``examples`` are the top file's worked examples only (a base's examples are not
    re-run for an overlay). ``sources`` keeps every file's text so diagnostics and explanations
    can quote it. ``methods`` binds every calculation method the rules name to the spec the
    checker validated it against, so the engine needs no registry. ``translations`` holds the
    titles and level names the policy gives in other languages, by language code.
    """

    name: str
    version: str | None
    layers: tuple[Layer, ...]
    scales: Mapping[str, Scale] = attrs.field(converter=read_only)
    competencies: Mapping[str, Competency] = attrs.field(converter=read_only)
    rules: Mapping[str, CompetencyRules] = attrs.field(converter=read_only)
    areas: Mapping[str, Area] = attrs.field(factory=dict, converter=read_only)
    groups: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=read_only)
    requirements: Mapping[str, Requirement] = attrs.field(factory=dict, converter=read_only)
    advancements: tuple[Advancement, ...] = ()
    graduation: Graduation | None = None
    pace: Pace | None = None
    examples: tuple[PolicyExample, ...] = ()
    sources: Mapping[str, Source] = attrs.field(factory=dict, repr=False, converter=read_only)
    default_scale: str | None = None
    methods: Mapping[str, MethodSpec] = attrs.field(factory=dict, repr=False, converter=read_only)
    translations: Mapping[str, Translation] = attrs.field(
        factory=dict, repr=False, converter=read_only
    )
    kinds: Mapping[str, EvidenceKind] = attrs.field(factory=dict, converter=read_only)

    @property
    def common_kinds(self) -> frozenset[str]:
        """The kinds declared ``common``: the district's common assessments."""
        return frozenset(name for name, kind in self.kinds.items() if kind.common)

    @property
    def fingerprint(self) -> str:
        """A stable hash of what this policy does (see :func:`fingerprint`)."""
        return fingerprint(self)

    @property
    def file(self) -> str:
        """The top layer's file."""
        return self.layers[-1].file if self.layers else "<policy>"

    def evaluate(
        self,
        learners: Learner | Iterable[Learner] | None,
        evidence: Iterable[Evidence] = (),
        *,
        as_of: dt.date | dt.datetime | None = None,
        first_proficient: Literal["pace", "all"] = "pace",
    ) -> EvaluationResult:
        """Evaluate this policy; a shortcut for :func:`masterykit.engine.evaluate` (see there)."""
        from masterykit.engine import evaluate

        return evaluate(self, learners, evidence, as_of=as_of, first_proficient=first_proficient)


# --- identity --------------------------------------------------------------------------------

# Fields that say where something was written or how it reads, never what it does: a policy that
# only gained a comment, was reformatted or had its lines moved keeps its semantic form.
_NOT_SEMANTIC = frozenset({"source", "span", "text"})
# Fields added after fingerprints were first given out: left out while unset, so a policy that
# does not use them keeps the fingerprint it always had.
_LATER = frozenset({"gate", "reteach"})


def semantic_form(policy: Policy) -> Any:
    """A plain, JSON-ready value holding exactly what ``policy`` does when evaluated.

    File names, lines, columns, the author's wording, comments, worked examples and the policy's
    name and version are left out; everything that can change a result is kept, in declaration
    order. Two policies with equal semantic forms give equal results for every learner.
    """
    return {
        "scales": semantic_value(policy.scales),
        "competencies": semantic_value(policy.competencies),
        "rules": semantic_value(policy.rules),
        "areas": semantic_value(policy.areas),
        "groups": semantic_value(policy.groups),
        "requirements": semantic_value(policy.requirements),
        "advancements": semantic_value(policy.advancements),
        "graduation": semantic_value(policy.graduation),
        "pace": semantic_value(policy.pace),
        "default_scale": policy.default_scale,
        "kinds": semantic_value(policy.kinds),
        "methods": {
            name: {"plugin": spec.plugin, "params": [param.name for param in spec.params]}
            for name, spec in policy.methods.items()
        },
    }


def fingerprint(policy: Policy) -> str:
    """A stable hash of ``policy``'s semantics: ``sha256:`` and 64 hex digits.

    Equal for a policy that only gained a comment, was reformatted or renamed a file; different
    as soon as anything that can change a result changes. Caches and stored results use it to
    say which policy produced them.

    >>> from masterykit import load_text
    >>> text = (
    ...     'policy "P"\\nscale s {\\n  0 No\\n  1 Yes\\n}\\ncompetency A "A"\\n'
    ...     "calculate most_recent\\nproficient at Yes\\n"
    ... )
    >>> fingerprint(load_text(text)) == fingerprint(load_text("# a comment\\n" + text))
    True
    >>> fingerprint(load_text(text)).startswith("sha256:")
    True
    """
    import hashlib
    import json

    encoded = json.dumps(semantic_form(policy), sort_keys=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def semantic_value(value: Any) -> Any:
    """The semantic form of one policy value (a rule, a clause, a scale …): see
    :func:`semantic_form`."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return [[semantic_value(key), semantic_value(item)] for key, item in value.items()]
    if isinstance(value, (frozenset, set)):
        return sorted((semantic_value(item) for item in value), key=repr)
    if isinstance(value, (tuple, list)):
        return [semantic_value(item) for item in value]
    if attrs.has(type(value)):
        fields = {
            field.name: semantic_value(getattr(value, field.name))
            for field in attrs.fields(type(value))
            if field.name not in _NOT_SEMANTIC
            and not (field.name in _LATER and getattr(value, field.name) is None)
        }
        return {"": type(value).__name__, **fields}
    raise TypeError(f"no semantic form for {type(value).__name__}")
