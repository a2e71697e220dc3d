"""The syntax tree of a ``.mastery`` file: frozen, slotted attrs classes, one per construct.

The tree is ours, not Lark's: nothing outside :mod:`masterykit.dsl.parser` and
:mod:`masterykit.dsl._build` sees a Lark tree, so the grammar can change shape without touching
the checker or the engine. Every node carries a :class:`~masterykit.diagnostics.Span` that does
not take part in equality or ``repr``; two trees that differ only in layout or comments are
equal, which is what makes ``parse(format_policy(tree)) == tree`` a meaningful test.

Node names follow the constructs of the language reference (``docs/language.rst``). Unions such
as :data:`Selection`, :data:`Clause` and :data:`RuleItem` are closed: code that walks the tree
matches on them and ends with :func:`typing.assert_never`.

A tree is produced by :func:`masterykit.parse`; it has not been checked. Names in it are what the
author wrote; the checker (:mod:`masterykit.dsl.check`) resolves them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal as L
from typing import TypeAlias

import attrs

from masterykit.diagnostics import Span

__all__ = [
    "Advance",
    "AllBlock",
    "AllSelection",
    "AnyBlock",
    "AreaDecl",
    "Attribute",
    "Calculate",
    "Clause",
    "Comment",
    "CompetencyDecl",
    "DefaultScale",
    "DifferenceSelection",
    "DistrictBlock",
    "DistrictFile",
    "Duration",
    "DurationUnit",
    "EvidenceCount",
    "EvidenceLine",
    "EvidenceVariety",
    "EvidenceWithin",
    "Example",
    "ExampleLearner",
    "Expectation",
    "ExpectationKind",
    "Extension",
    "ForRule",
    "Graduate",
    "GroupDecl",
    "Ident",
    "ImportFramework",
    "KindSelection",
    "LearnerTest",
    "LevelDecl",
    "LevelRef",
    "Literal",
    "LiteralValue",
    "MethodArg",
    "NameSelection",
    "Not",
    "PaceDecl",
    "PaceDue",
    "Pathway",
    "PolicyFile",
    "Proficient",
    "Quantified",
    "Quantifier",
    "RequirementDecl",
    "RequirementRef",
    "RouteDecl",
    "Rule",
    "RuleBlock",
    "RuleItem",
    "ScaleDecl",
    "Selection",
    "Statement",
    "Test",
    "UnderSelection",
    "UnionSelection",
    "WildcardSelection",
]


def _span() -> Span | None:
    # INVARIANT: spans are metadata; they never affect equality, hashing or repr.
    return attrs.field(default=None, eq=False, repr=False)  # type: ignore[no-any-return]


@attrs.frozen(slots=True)
class Comment:
    """A ``#`` comment, kept so the formatter can put it back where it was."""

    text: str
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Ident:
    """A name or code as the author wrote it: a scale, level, group, requirement, kind, learner
    or competency code (bare ``MATH.1`` or quoted ``"SCI 4.2"``), or a quoted file path."""

    value: str
    span: Span | None = _span()


DurationUnit: TypeAlias = L["day", "week", "month", "year"]


@attrs.frozen(slots=True)
class Duration:
    """``10 days``, ``6 weeks``, ``3 months``, ``2 years``. ``unit`` is always singular here.

    Months and years move along the calendar (clamped to the month's end); days and weeks are
    exact days.
    """

    amount: int
    unit: DurationUnit
    span: Span | None = _span()


LiteralValue: TypeAlias = str | Decimal | bool | dt.date | dt.datetime


@attrs.frozen(slots=True)
class Literal:
    """A value in learner attributes or comparisons: string, number, date, ``true``/``false``."""

    value: LiteralValue
    span: Span | None = _span()


@attrs.frozen(slots=True)
class LevelRef:
    """A level of a scale, by name (``Proficient``, ``"Not Yet"``) or by value (``3.5``).

    ``value`` is a ``str`` for a name and a :class:`~decimal.Decimal` for a number. A name is
    looked up in the scale of each competency the rule or clause governs.
    """

    value: str | Decimal
    span: Span | None = _span()


# --- selections ------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class NameSelection:
    """A bare name in a selection: a competency code, an area code or a group name."""

    name: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class WildcardSelection:
    """``MATH.ALG1.*``: every competency whose code starts with ``prefix`` (here ``MATH.ALG1.``)."""

    prefix: str
    span: Span | None = _span()


@attrs.frozen(slots=True)
class KindSelection:
    """``kind habit``: every competency of that kind."""

    kind: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class UnderSelection:
    """``under CODE``: every competency below that item of an imported framework's tree."""

    code: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class AllSelection:
    """``all competencies``."""

    span: Span | None = _span()


@attrs.frozen(slots=True)
class UnionSelection:
    """``left + right``."""

    left: Selection
    right: Selection
    span: Span | None = _span()


@attrs.frozen(slots=True)
class DifferenceSelection:
    """``left - right``."""

    left: Selection
    right: Selection
    span: Span | None = _span()


Selection: TypeAlias = (
    NameSelection
    | WildcardSelection
    | KindSelection
    | UnderSelection
    | AllSelection
    | UnionSelection
    | DifferenceSelection
)


# --- declarations ----------------------------------------------------------------------------


@attrs.frozen(slots=True)
class LevelDecl:
    """One level of a scale: ``3 Proficient``."""

    value: Decimal
    name: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class ScaleDecl:
    """``scale four_point { 1 Beginning … }``: a proficiency scale, levels in the order written."""

    name: Ident
    levels: tuple[LevelDecl, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class DefaultScale:
    """``default scale four_point``: the scale of competencies that name none."""

    name: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class CompetencyDecl:
    """``competency MATH.2 "Models with mathematics" after MATH.1``.

    ``kind`` and ``scale`` are ``None`` when the competency inherits them from its area (or the
    defaults: kind ``academic``, the default scale). ``after`` lists its prerequisites.
    """

    code: Ident
    title: str | None = None
    kind: Ident | None = None
    scale: Ident | None = None
    after: tuple[Ident, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class AreaDecl:
    """``area MATH "Mathematics" kind … scale … { competency … }``: a group of competencies that
    share a kind and a scale."""

    code: Ident
    title: str | None = None
    kind: Ident | None = None
    scale: Ident | None = None
    competencies: tuple[CompetencyDecl, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class ImportFramework:
    """``import framework "frameworks/state-math.json"``: a CASE package, relative to this file."""

    path: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class GroupDecl:
    """``group algebra_1 "Algebra I" = MATH.ALG1.*``: a named selection."""

    name: Ident
    selection: Selection
    title: str | None = None
    span: Span | None = _span()


# --- rules -----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class MethodArg:
    """An argument of a calculation method: ``65%`` (``percent=True``) or ``2``."""

    value: Decimal
    percent: bool = False
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Calculate:
    """``calculate decaying_average(65%)``: how a learner's scores become one score."""

    method: Ident
    args: tuple[MethodArg, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Proficient:
    """``proficient at Proficient`` or ``proficient at least 3.5`` (``at_least`` makes a tight
    rule a floor; outside ``tight`` it means the same as without)."""

    cut: LevelRef
    at_least: bool = False
    span: Span | None = _span()


@attrs.frozen(slots=True)
class EvidenceCount:
    """``evidence at least 2`` or ``evidence at least 1 from performance_task, project``.

    ``kinds`` is empty when any kind counts.
    """

    count: int
    kinds: tuple[Ident, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class EvidenceVariety:
    """``evidence from at least 2 kinds``."""

    count: int
    span: Span | None = _span()


@attrs.frozen(slots=True)
class EvidenceWithin:
    """``evidence within 3 years``: only evidence inside the window counts."""

    duration: Duration
    span: Span | None = _span()


Rule: TypeAlias = Calculate | Proficient | EvidenceCount | EvidenceVariety | EvidenceWithin


@attrs.frozen(slots=True)
class ForRule:
    """``for SCI proficient at 3.5`` or ``for kind habit { … }``: rules scoped to a selection.

    ``block`` records whether braces were written; it does not change the meaning.
    """

    selection: Selection
    rules: tuple[Rule, ...]
    block: bool = attrs.field(default=False, eq=False)
    span: Span | None = _span()


@attrs.frozen(slots=True)
class RuleBlock:
    """``tight { … }`` or ``loose { … }``."""

    tight: bool
    items: tuple[Rule | ForRule, ...]
    span: Span | None = _span()


RuleItem: TypeAlias = Rule | ForRule | RuleBlock


# --- requirements, conditions and decisions ---------------------------------------------------

Quantifier: TypeAlias = L["all", "any", "none", "count", "percent"]
Test: TypeAlias = L["proficient", "reach", "below"]


@attrs.frozen(slots=True)
class Quantified:
    """``all of S proficient``, ``at least 3 of S reach Usually``, ``at least 60% of S proficient``,
    ``any of …``, ``none of S below Developing``.

    ``amount`` is the count (``quantifier == "count"``) or the percentage (``"percent"``), else
    ``None``. ``level`` is set for the ``reach`` and ``below`` tests.
    """

    quantifier: Quantifier
    selection: Selection
    test: Test
    amount: Decimal | None = None
    level: LevelRef | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class RequirementRef:
    """``requirement algebra_1``: holds when that requirement holds."""

    name: Ident
    span: Span | None = _span()


@attrs.frozen(slots=True)
class LearnerTest:
    """``learner.iep`` (true when the attribute is true) or ``learner.grade >= 9``."""

    attribute: Ident
    op: L["=", "!=", "<", "<=", ">", ">="] | None = None
    value: Literal | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class AnyBlock:
    """``any { … }``: at least one clause inside holds."""

    clauses: tuple[Clause, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class AllBlock:
    """``all { … }``: every clause inside holds."""

    clauses: tuple[Clause, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Pathway:
    """``pathway "Portfolio" { … }``: a named ``all { … }``; explanations use the name."""

    name: str
    clauses: tuple[Clause, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Not:
    """``not <clause>``."""

    clause: Clause
    span: Span | None = _span()


Clause: TypeAlias = Quantified | RequirementRef | LearnerTest | AnyBlock | AllBlock | Pathway | Not


@attrs.frozen(slots=True)
class RequirementDecl:
    """``[tight] requirement algebra_1 "Algebra I" { … }``: holds when all its clauses hold."""

    name: Ident
    clauses: tuple[Clause, ...]
    title: str | None = None
    tight: bool = False
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Advance:
    """``advance "Algebra I" to "Geometry" when …``: an advancement earned individually.

    ``condition`` holds when all of its clauses hold; ``block`` records whether braces were
    written.
    """

    source: str
    target: str
    condition: tuple[Clause, ...]
    block: bool = attrs.field(default=False, eq=False)
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Graduate:
    """``[tight] graduate when …``: the graduation decision."""

    condition: tuple[Clause, ...]
    tight: bool = False
    block: bool = attrs.field(default=False, eq=False)
    span: Span | None = _span()


@attrs.frozen(slots=True)
class PaceDue:
    """``due learner.graduation_date`` (``attribute``) or ``due 2027-06-15`` (``date``)."""

    attribute: Ident | None = None
    date: dt.date | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Extension:
    """``extend 1 year when learner.iep``: more time when the clause holds."""

    duration: Duration
    condition: Clause
    span: Span | None = _span()


@attrs.frozen(slots=True)
class PaceDecl:
    """``pace for S { due …; extend …; measure over last …; at risk within … }``."""

    selection: Selection
    due: PaceDue | None = None
    extensions: tuple[Extension, ...] = ()
    window: Duration | None = None
    risk: Duration | None = None
    span: Span | None = _span()


# --- worked examples -------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Attribute:
    """``graduation_date: 2027-06-15`` inside ``learner ana { … }``."""

    name: Ident
    value: Literal
    span: Span | None = _span()


@attrs.frozen(slots=True)
class ExampleLearner:
    """``learner ana { graduation_date: 2027-06-15, iep: false }``."""

    name: Ident
    attributes: tuple[Attribute, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class EvidenceLine:
    """``ana MATH.1 3 on 2026-01-10 from performance_task``."""

    learner: Ident
    competency: Ident
    score: Decimal
    timestamp: dt.date | dt.datetime
    kind: Ident | None = None
    span: Span | None = _span()


ExpectationKind: TypeAlias = L[
    "proficient",
    "level",
    "score",
    "not_started",
    "insufficient",
    "graduate",
    "advance",
    "requirement",
    "pace",
    "policy",
    "evaluated",
]


@attrs.frozen(slots=True)
class Expectation:
    """``expect ana MATH.1 proficient`` and its siblings.

    ``what`` names the expectation; ``negated`` is set by ``not`` (``not proficient``,
    ``not graduate``, ``not advance …``, ``not requirement …``). ``competency`` is set for the
    per-competency kinds. ``value`` holds the expected level (:class:`LevelRef`), score
    (:class:`~decimal.Decimal`), advancement (``(from, to)``), requirement or pace status
    (:class:`Ident`). In a district file, ``policy`` expects the name of the policy the learner
    is routed to (``value`` is its :class:`Ident`) and ``evaluated`` (always negated, ``expect
    kim not evaluated``) that no policy evaluates the learner.
    """

    learner: Ident
    what: ExpectationKind
    negated: bool = False
    competency: Ident | None = None
    value: LevelRef | Decimal | tuple[str, str] | Ident | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Example:
    """``example "…" { as of …; learner …; evidence { … }; expect … }``: a worked example that
    ``masterykit test`` runs against the resolved policy."""

    name: str
    as_of: dt.date | None = None
    learners: tuple[ExampleLearner, ...] = ()
    evidence: tuple[EvidenceLine, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    span: Span | None = _span()


Statement: TypeAlias = (
    ScaleDecl
    | DefaultScale
    | AreaDecl
    | CompetencyDecl
    | ImportFramework
    | GroupDecl
    | Rule
    | ForRule
    | RuleBlock
    | RequirementDecl
    | Advance
    | Graduate
    | PaceDecl
    | Example
)


@attrs.frozen(slots=True)
class PolicyFile:
    """One parsed ``.mastery`` file.

    ``name`` and ``version`` come from the header (``policy "Lake County Schools" version
    "2026.1"``); ``extends`` is the base file an overlay names, relative to this file's folder,
    not yet resolved. ``statements`` are in source order. ``comments`` are kept for the formatter
    and do not take part in equality. ``source_name`` is the name the text was parsed under.
    """

    name: str
    statements: tuple[Statement, ...] = ()
    version: str | None = None
    extends: Ident | None = None
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False, repr=False)
    source_name: str = attrs.field(default="<policy>", eq=False, repr=False)
    span: Span | None = _span()


@attrs.frozen(slots=True)
class RouteDecl:
    """One line of a ``district`` block: ``when <clause> use "<file>"``, ``when <clause> not
    evaluated "<reason>"``, or ``otherwise …`` (``condition`` is ``None``).

    ``clauses`` are the clauses joined by ``and`` (all must hold). Exactly one of ``path`` (the
    routed policy file, relative to the district file's folder) and ``reason`` is set.
    """

    clauses: tuple[Clause, ...] | None
    path: Ident | None = None
    reason: Ident | None = None
    span: Span | None = _span()

    @property
    def otherwise(self) -> bool:
        """Whether this is the ``otherwise`` route (it takes every learner)."""
        return self.clauses is None


@attrs.frozen(slots=True)
class DistrictBlock:
    """``district "Lake County Schools" version "2026" { <routes> }``."""

    name: str
    version: str | None = None
    routes: tuple[RouteDecl, ...] = ()
    span: Span | None = _span()


@attrs.frozen(slots=True)
class DistrictFile:
    """One parsed district file: its ``district`` blocks (a well-formed file has exactly one,
    the checker reports more) and its worked examples, in source order.

    ``comments`` and ``source_name`` are kept as in :class:`PolicyFile`.
    """

    districts: tuple[DistrictBlock, ...]
    examples: tuple[Example, ...] = ()
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False, repr=False)
    source_name: str = attrs.field(default="<policy>", eq=False, repr=False)
    span: Span | None = _span()

    @property
    def district(self) -> DistrictBlock:
        """The first ``district`` block: the one that routes learners."""
        return self.districts[0]

    @property
    def name(self) -> str:
        """The district's name."""
        return self.district.name
