"""Turn what Lark reads into our syntax tree (:mod:`masterykit.dsl.nodes`).

:class:`InlineBuilder` is handed to Lark as its ``transformer``, so Lark's LALR parser builds our
nodes as it reduces, with no intermediate Lark tree; it does so through Lark's public interface
only. The rule handlers live on :class:`TreeBuilder`, one per reading: it knows the file name
for spans and collects the problems the grammar cannot express (an impossible date, a code
where a plain name belongs, an example with two ``as of`` lines) as ``MK12x`` diagnostics
rather than raising them, so the author sees them all at once.

This module and :mod:`masterykit.dsl.parser` are the only places that know Lark. Each method of
:class:`TreeBuilder` handles one grammar rule (named in its docstring) and returns a node with a
span.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, cast

from lark import Token, Transformer

from masterykit.diagnostics import Diagnostic, Span
from masterykit.dsl import nodes as n
from masterykit.dsl.keywords import RESERVED, UNITS

__all__ = ["MAX_NUMBER_DIGITS", "RESERVED", "InlineBuilder", "TreeBuilder"]

#: The most digits a number in a policy may have (MK127).
MAX_NUMBER_DIGITS = 15

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Each duration unit as written (``days``, ``day`` …) and the unit it means (``day``).
_UNITS: dict[str, n.DurationUnit] = {
    word: cast(n.DurationUnit, word.removesuffix("s")) for word in UNITS
}


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: m.group(1), body)


# Named terminals that some rules spell as a literal (``"-"``, ``"least"``, ``"not"``): Lark
# keeps every token for the spans, so these rules drop them before calling their handler.
_LITERALS: dict[str, frozenset[str]] = {
    "difference": frozenset({"MINUS"}),
    "evidence_count": frozenset({"LEAST"}),
    "evidence_variety": frozenset({"LEAST"}),
    "q_count": frozenset({"LEAST"}),
    "q_percent": frozenset({"LEAST"}),
    "not_clause": frozenset({"NOT"}),
}


class _Part:
    """A node built while Lark reads: the value, its first and last token (``None`` for a rule
    that matched nothing) and how deep the tree is below it. It is also the position (``meta``)
    handed to the rule's handler."""

    __slots__ = ("depth", "first", "last", "value")

    def __init__(self, first: Token | None, last: Token | None, depth: int) -> None:
        self.first = first
        self.last = last
        self.depth = depth
        self.value: Any = None


#: Rules whose only child is one token (``ident: WORD | STRING``): built without the loop over
#: children.
_ONE_TOKEN = frozenset({"ident", "string"})


class InlineBuilder(Transformer[Token, Any]):
    """The ``transformer`` one cached Lark parser is built with: it builds our nodes as the parser
    reduces (Lark's "tree-less" LALR mode), for whichever reading runs on this thread.

    One method per grammar rule: Lark calls it with the rule's children (tokens, :class:`_Part`
    values of the rules below, and ``None`` for an optional part left out) and gets back a
    :class:`_Part` whose ``value`` is what the :class:`TreeBuilder` handler of the same name
    built. Handlers run children first, left to right, so diagnostics come in source order.

    Lark keeps every token (``keep_all_tokens``) so that each node's span runs from its first to
    its last token; the tokens that only shape the syntax (``punctuation``, known once Lark has
    read the grammar, see :meth:`prepare`) are dropped before the handler is called.

    A reading is bound with :meth:`reading`; after :meth:`TreeBuilder.stop` (a syntax error, or a
    tree deeper than ``max_depth``) the methods only follow positions and build nothing.
    """

    def __init__(self, max_depth: int) -> None:
        super().__init__(visit_tokens=False)
        self._local = threading.local()
        self._punctuation: set[str] = set()
        self._max_depth = max_depth
        for name in _handler_names():
            setattr(self, name, self._callback(name))

    def prepare(self, punctuation: Iterable[str]) -> None:
        """Name the terminals to drop before a handler is called (keywords and punctuation)."""
        self._punctuation.clear()
        self._punctuation.update(punctuation)

    def reading(self, builder: TreeBuilder) -> _Reading:
        """Bind ``builder`` to this thread: ``with inline.reading(builder): lark.parse(…)``."""
        return _Reading(self._local, builder)

    def _callback(self, name: str) -> Callable[[list[Any]], _Part]:
        handler: Callable[..., Any] = getattr(TreeBuilder, name)
        literal = _LITERALS.get(name, frozenset())
        punctuation = self._punctuation
        local = self._local
        max_depth = self._max_depth

        if name in _ONE_TOKEN:

            def build_token(children: list[Any]) -> _Part:
                (token,) = children
                part = _Part(token, token, 1)
                builder: TreeBuilder = local.builder
                if not builder.stopped:
                    part.value = handler(builder, part, token)
                return part

            return build_token

        def build(children: list[Any]) -> _Part:
            first: Token | None = None
            last: Token | None = None
            depth = 0
            args: list[Any] = []
            for child in children:
                if child is None:
                    args.append(None)
                    continue
                if type(child) is _Part:
                    args.append(child.value)
                    if child.depth > depth:
                        depth = child.depth
                    start, end = child.first, child.last
                else:
                    start = end = child
                    if child.type not in punctuation and child.type not in literal:
                        args.append(child)
                if start is not None:
                    if first is None:
                        first = start
                    last = end
            part = _Part(first, last, depth + 1)
            builder: TreeBuilder = local.builder
            if builder.stopped:
                return part
            if depth >= max_depth:
                builder.too_deep = True
                builder.stop()
                return part
            part.value = handler(builder, part, *args)
            return part

        return build


class _Reading:
    """Binds a :class:`TreeBuilder` to the calling thread for one parse."""

    def __init__(self, local: threading.local, builder: TreeBuilder) -> None:
        self._local = local
        self._builder = builder

    def __enter__(self) -> TreeBuilder:
        self._local.builder = self._builder
        return self._builder

    def __exit__(self, *exc: object) -> None:
        del self._local.builder


def _handler_names() -> list[str]:
    """The grammar rules :class:`TreeBuilder` builds: its public methods other than
    :meth:`TreeBuilder.stop`."""
    return [
        name
        for name, value in vars(TreeBuilder).items()
        if not name.startswith("_") and callable(value) and name != "stop"
    ]


class TreeBuilder:
    """One reading's rule handlers; ``diagnostics`` collects what the grammar could not check.

    Each grammar rule is handled by the method of the same name, called by
    :class:`InlineBuilder` with the rule's position (``meta``) and its already-built children.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        #: Set once nothing more is to be built (a syntax error, or a tree too deep).
        self.stopped = False
        #: Set when the tree is deeper than the parser allows.
        self.too_deep = False

    def stop(self) -> None:
        """Build nothing more in this reading (the parser goes on, to find syntax errors)."""
        self.stopped = True

    # --- helpers ----------------------------------------------------------------------------

    def _span(self, meta: _Part) -> Span | None:
        first, last = meta.first, meta.last
        if first is None or last is None:
            return None
        return Span(
            self.file,
            first.line or 0,
            first.column or 0,
            last.end_line or 0,
            last.end_column or 0,
            first.start_pos,
            last.end_pos,
        )

    def _token_span(self, token: Token) -> Span:
        return Span(
            self.file,
            token.line or 0,
            token.column or 0,
            token.end_line or token.line or 0,
            token.end_column or token.column or 0,
            token.start_pos,
            token.end_pos,
        )

    def _error(self, code: str, message: str, span: Span | None, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help=help))

    def _numeral(self, *tokens: Token) -> str:
        """The text of a number written with ``tokens``, or ``"0"`` after reporting MK127.

        Numbers keep to :data:`MAX_NUMBER_DIGITS` digits so every calculation on them stays
        exact within Python's decimal precision (and ``int`` never refuses a numeral).
        """
        text = "".join(str(t) for t in tokens)
        digits = sum(char.isdigit() for char in text)
        if digits <= MAX_NUMBER_DIGITS:
            return text.rstrip("%")
        token = tokens[-1]
        shown = text if len(text) <= 24 else f"{text[:20]}…"
        self._error(
            "MK127",
            f"the number `{shown}` has {digits:,} digits; numbers have at most {MAX_NUMBER_DIGITS}",
            self._token_span(token),
            help="scale values, cuts, counts and durations are small numbers, such as `4` or `3.5`",
        )
        return "0"

    def _name(self, ident: n.Ident, what: str) -> n.Ident:
        """Check that an identifier is a plain name (scales, groups, learners, kinds …)."""
        if not _PLAIN_NAME.fullmatch(ident.value):
            self._error(
                "MK121",
                f"`{ident.value}` is not a valid {what} name",
                ident.span,
                help="names start with a letter or `_` and contain only letters, digits and `_`",
            )
        return ident

    def _date(self, token: Token) -> dt.date | dt.datetime:
        text = str(token)
        try:
            if "T" in text:
                return dt.datetime.fromisoformat(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            self._error(
                "MK120",
                f"`{text}` is not a real date",
                self._token_span(token),
                help="dates are written year-month-day, such as `2026-06-15`",
            )
            return dt.date(1, 1, 1)

    # --- values -----------------------------------------------------------------------------

    def ident(self, meta: _Part, token: Token) -> n.Ident:
        """``ident: WORD | STRING``."""
        if token.type == "STRING":
            return n.Ident(_unquote(str(token)), self._token_span(token))
        if str(token) in RESERVED:
            self._error(
                "MK126",
                f"`{token}` is a reserved word and cannot be used as a name",
                self._token_span(token),
                help=f'choose another name, or quote it: `"{token}"`',
            )
        return n.Ident(str(token), self._token_span(token))

    def string(self, meta: _Part, token: Token) -> n.Ident:
        """``string: STRING``."""
        return n.Ident(_unquote(str(token)), self._token_span(token))

    def number(self, meta: _Part, *tokens: Token) -> Decimal:
        """``number: MINUS? (INT | DECIMAL)``."""
        return Decimal(self._numeral(*tokens))

    def level_ref(self, meta: _Part, value: Decimal | n.Ident) -> n.LevelRef:
        """``level_ref: number | ident``."""
        if isinstance(value, n.Ident):
            return n.LevelRef(value.value, value.span)
        return n.LevelRef(value, self._span(meta))

    def literal(self, meta: _Part, value: Any) -> n.Literal:
        """``literal: string | number | DATE | TRUE | FALSE``."""
        span = self._span(meta)
        if isinstance(value, n.Ident):
            return n.Literal(value.value, span)
        if isinstance(value, Decimal):
            return n.Literal(value, span)
        token = cast(Token, value)
        if token.type == "TRUE":
            return n.Literal(True, span)
        if token.type == "FALSE":
            return n.Literal(False, span)
        return n.Literal(self._date(token), span)

    def duration(self, meta: _Part, amount: Token, unit: Token) -> n.Duration:
        """``duration: INT UNIT``."""
        return n.Duration(int(self._numeral(amount)), _UNITS[str(unit)], self._span(meta))

    # --- header and declarations ------------------------------------------------------------

    def version(self, meta: _Part, value: n.Ident) -> tuple[str, n.Ident]:
        """``"version" string``."""
        return ("version", value)

    def extends(self, meta: _Part, value: n.Ident) -> tuple[str, n.Ident]:
        """``"extends" string``."""
        return ("extends", value)

    def header(self, meta: _Part, name: n.Ident, *options: tuple[str, n.Ident]) -> dict[str, Any]:
        """``header: "policy" string header_option*``."""
        result: dict[str, Any] = {"name": name.value, "span": self._span(meta)}
        for key, value in options:
            if key in result:
                self._error("MK122", f"the policy header says `{key}` twice", value.span)
            result[key] = value
        return result

    def start(self, meta: _Part, header: dict[str, Any], *statements: n.Statement) -> n.PolicyFile:
        """``start: header statement*``."""
        version = header.get("version")
        return n.PolicyFile(
            name=header["name"],
            statements=tuple(statements),
            version=version.value if version is not None else None,
            extends=header.get("extends"),
            source_name=self.file,
            span=self._span(meta),
        )

    def district_start(self, meta: _Part, *parts: n.DistrictBlock | n.Example) -> n.DistrictFile:
        """``start: district (district | example)*``: a district file."""
        return n.DistrictFile(
            districts=tuple(p for p in parts if isinstance(p, n.DistrictBlock)),
            examples=tuple(p for p in parts if isinstance(p, n.Example)),
            source_name=self.file,
            span=self._span(meta),
        )

    def body(self, meta: _Part, *statements: n.Statement) -> tuple[n.Statement, ...]:
        """``body: statement*`` (used to resume after a syntax error)."""
        return statements

    def level(self, meta: _Part, value: Decimal, name: n.Ident) -> n.LevelDecl:
        """``level: number ident``."""
        return n.LevelDecl(value, name, self._span(meta))

    def scale(self, meta: _Part, name: n.Ident, *levels: n.LevelDecl) -> n.ScaleDecl:
        """``scale: "scale" ident "{" level* "}"``."""
        return n.ScaleDecl(self._name(name, "scale"), levels, self._span(meta))

    def default_scale(self, meta: _Part, name: n.Ident) -> n.DefaultScale:
        """``default_scale: "default" "scale" ident``."""
        return n.DefaultScale(self._name(name, "scale"), self._span(meta))

    def kinds(self, meta: _Part, *kinds: n.KindDecl) -> n.KindsDecl:
        """``kinds: "kinds" "{" kind_decl* "}"``."""
        return n.KindsDecl(kinds, self._span(meta))

    def kind_decl(self, meta: _Part, *parts: Any) -> n.KindDecl:
        """``kind_decl: COMMON? "kind" ident string?``."""
        items = list(parts)
        common = bool(items) and isinstance(items[0], Token)
        if common:
            items.pop(0)
        name = self._name(items.pop(0), "kind")
        title = items[0].value if items else None
        return n.KindDecl(name, title, common, self._span(meta))

    def kind_option(self, meta: _Part, value: n.Ident) -> tuple[str, Any]:
        """``"kind" ident``."""
        return ("kind", self._name(value, "kind"))

    def scale_option(self, meta: _Part, value: n.Ident) -> tuple[str, Any]:
        """``"scale" ident``."""
        return ("scale", self._name(value, "scale"))

    def after_option(self, meta: _Part, *codes: n.Ident) -> tuple[str, Any]:
        """``"after" ident ("," ident)*``."""
        return ("after", codes)

    def _options(
        self, options: tuple[Any, ...], what: str
    ) -> tuple[n.Ident | None, list[tuple[str, Any]]]:
        title: n.Ident | None = None
        rest = list(options)
        if rest and isinstance(rest[0], n.Ident):
            title = rest.pop(0)
        seen: set[str] = set()
        for key, value in rest:
            if key in seen and key != "competency":
                span = value[0].span if isinstance(value, tuple) else value.span
                self._error("MK123", f"this {what} says `{key}` twice", span)
            seen.add(key)
        return title, rest

    def competency(self, meta: _Part, code: n.Ident, *options: Any) -> n.CompetencyDecl:
        """``competency: "competency" ident string? competency_option*``."""
        title, rest = self._options(options, "competency")
        values = dict(rest)
        return n.CompetencyDecl(
            code=code,
            title=title.value if title else None,
            kind=values.get("kind"),
            scale=values.get("scale"),
            after=tuple(values.get("after", ())),
            span=self._span(meta),
        )

    def top_competency(self, meta: _Part, code: n.Ident, *options: Any) -> n.CompetencyDecl:
        """``top_competency: "competency" ident string? top_competency_option*``."""
        return self.competency(meta, code, *options)

    def area(self, meta: _Part, code: n.Ident, *parts: Any) -> n.AreaDecl:
        """``area: "area" ident string? area_option* "{" competency* "}"``."""
        competencies = tuple(p for p in parts if isinstance(p, n.CompetencyDecl))
        options = tuple(p for p in parts if not isinstance(p, n.CompetencyDecl))
        title, rest = self._options(options, "area")
        values = dict(rest)
        return n.AreaDecl(
            code=code,
            title=title.value if title else None,
            kind=values.get("kind"),
            scale=values.get("scale"),
            competencies=competencies,
            span=self._span(meta),
        )

    def import_framework(self, meta: _Part, path: n.Ident) -> n.ImportFramework:
        """``import_framework: "import" "framework" string``."""
        return n.ImportFramework(path, self._span(meta))

    def group(self, meta: _Part, name: n.Ident, *parts: Any) -> n.GroupDecl:
        """``group: "group" ident string? "=" selection``."""
        title = parts[0].value if len(parts) == 2 else None
        return n.GroupDecl(self._name(name, "group"), parts[-1], title, self._span(meta))

    # --- selections -------------------------------------------------------------------------

    def name_selection(self, meta: _Part, name: n.Ident) -> n.NameSelection:
        """``selection_term: ident``."""
        return n.NameSelection(name, self._span(meta))

    def wildcard_selection(self, meta: _Part, token: Token) -> n.WildcardSelection:
        """``selection_term: WILDCARD``."""
        return n.WildcardSelection(str(token)[:-1], self._span(meta))

    def kind_selection(self, meta: _Part, kind: n.Ident) -> n.KindSelection:
        """``selection_term: "kind" ident``."""
        return n.KindSelection(self._name(kind, "kind"), self._span(meta))

    def under_selection(self, meta: _Part, code: n.Ident) -> n.UnderSelection:
        """``selection_term: "under" ident``."""
        return n.UnderSelection(code, self._span(meta))

    def all_selection(self, meta: _Part) -> n.AllSelection:
        """``selection_term: "all" "competencies"``."""
        return n.AllSelection(self._span(meta))

    def selection_term(self, meta: _Part, inner: n.Selection) -> n.Selection:
        """``selection_term: "(" selection ")"``: parentheses only group."""
        return inner

    def union(self, meta: _Part, left: n.Selection, right: n.Selection) -> n.UnionSelection:
        """``selection: selection "+" selection_term``."""
        return n.UnionSelection(left, right, self._span(meta))

    def difference(
        self, meta: _Part, left: n.Selection, right: n.Selection
    ) -> n.DifferenceSelection:
        """``selection: selection "-" selection_term``."""
        return n.DifferenceSelection(left, right, self._span(meta))

    # --- rules ------------------------------------------------------------------------------

    def number_arg(self, meta: _Part, value: Decimal) -> n.MethodArg:
        """``method_arg: number``."""
        return n.MethodArg(value, False, self._span(meta))

    def percent_arg(self, meta: _Part, token: Token) -> n.MethodArg:
        """``method_arg: PERCENT``."""
        return n.MethodArg(Decimal(self._numeral(token)), True, self._span(meta))

    def method_args(self, meta: _Part, *args: n.MethodArg | None) -> tuple[n.MethodArg, ...]:
        """``method_args: "(" [method_arg ("," method_arg)*] ")"``."""
        return tuple(a for a in args if a is not None)

    def calculate(
        self, meta: _Part, method: n.Ident, args: tuple[n.MethodArg, ...] | None = None
    ) -> n.Calculate:
        """``calculate: "calculate" ident method_args?``."""
        return n.Calculate(self._name(method, "calculation method"), args or (), self._span(meta))

    def proficient(self, meta: _Part, *parts: Any) -> n.Proficient:
        """``proficient: "proficient" "at" LEAST? level_ref``."""
        at_least = len(parts) == 2
        return n.Proficient(parts[-1], at_least, self._span(meta))

    def evidence_count(self, meta: _Part, count: Token, *kinds: n.Ident) -> n.EvidenceCount:
        """``evidence_count: "evidence" "at" "least" INT ("from" ident ("," ident)*)?``."""
        checked = tuple(self._name(k, "kind") for k in kinds)
        return n.EvidenceCount(int(self._numeral(count)), checked, self._span(meta))

    def evidence_variety(self, meta: _Part, count: Token) -> n.EvidenceVariety:
        """``evidence_variety: "evidence" "from" "at" "least" INT "kinds"``."""
        return n.EvidenceVariety(int(self._numeral(count)), self._span(meta))

    def evidence_within(self, meta: _Part, duration: n.Duration) -> n.EvidenceWithin:
        """``evidence_within: "evidence" "within" duration``."""
        return n.EvidenceWithin(duration, self._span(meta))

    def evidence_gate(self, meta: _Part) -> n.EvidenceGate:
        """``evidence_gate: "evidence" "after" "prerequisites"``."""
        return n.EvidenceGate(self._span(meta))

    def reteach(self, meta: _Part, attempts: Token) -> n.Reteach:
        """``reteach: "reteach" "after" INT "attempts"``."""
        return n.Reteach(int(self._numeral(attempts)), self._span(meta))

    def for_single(self, meta: _Part, selection: n.Selection, rule: n.Rule) -> n.ForRule:
        """``for_rule: "for" selection rule``."""
        return n.ForRule(selection, (rule,), False, self._span(meta))

    def for_block(self, meta: _Part, selection: n.Selection, *rules: n.Rule) -> n.ForRule:
        """``for_rule: "for" selection "{" rule* "}"``."""
        return n.ForRule(selection, rules, True, self._span(meta))

    def rule_block(self, meta: _Part, keyword: Token, *items: n.Rule | n.ForRule) -> n.RuleBlock:
        """``rule_block: (TIGHT | LOOSE) "{" (rule | for_rule)* "}"``."""
        return n.RuleBlock(keyword.type == "TIGHT", items, self._span(meta))

    # --- requirements and clauses -----------------------------------------------------------

    def requirement(self, meta: _Part, *parts: Any) -> n.RequirementDecl:
        """``requirement: TIGHT? "requirement" ident string? "{" clause* "}"``."""
        items = list(parts)
        tight = bool(items) and isinstance(items[0], Token)
        if tight:
            items.pop(0)
        name = self._name(items.pop(0), "requirement")
        title = None
        if items and isinstance(items[0], n.Ident):
            title = items.pop(0).value
        return n.RequirementDecl(name, tuple(items), title, tight, self._span(meta))

    def q_all(self, meta: _Part) -> tuple[n.Quantifier, Decimal | None]:
        """``quantifier: "all"``."""
        return ("all", None)

    def q_any(self, meta: _Part) -> tuple[n.Quantifier, Decimal | None]:
        """``quantifier: "any"``."""
        return ("any", None)

    def q_none(self, meta: _Part) -> tuple[n.Quantifier, Decimal | None]:
        """``quantifier: "none"``."""
        return ("none", None)

    def q_count(self, meta: _Part, count: Token) -> tuple[n.Quantifier, Decimal | None]:
        """``quantifier: "at" "least" INT``."""
        return ("count", Decimal(self._numeral(count)))

    def q_percent(self, meta: _Part, percent: Token) -> tuple[n.Quantifier, Decimal | None]:
        """``quantifier: "at" "least" PERCENT``."""
        return ("percent", Decimal(self._numeral(percent)))

    def t_proficient(self, meta: _Part) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "proficient"``."""
        return ("proficient", None)

    def t_reach(self, meta: _Part, level: n.LevelRef) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "reach" level_ref``."""
        return ("reach", level)

    def t_below(self, meta: _Part, level: n.LevelRef) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "below" level_ref``."""
        return ("below", level)

    def t_ready(self, meta: _Part) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "ready"``."""
        return ("ready", None)

    def t_insufficient(self, meta: _Part) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "insufficient"``."""
        return ("insufficient", None)

    def t_started(self, meta: _Part) -> tuple[n.Test, n.LevelRef | None]:
        """``test: "started"``."""
        return ("started", None)

    def t_not_started(self, meta: _Part, _not: Token) -> tuple[n.Test, n.LevelRef | None]:
        """``test: NOT "started"``."""
        return ("not_started", None)

    def quantified(
        self,
        meta: _Part,
        quantifier: tuple[n.Quantifier, Decimal | None],
        selection: n.Selection,
        test: tuple[n.Test, n.LevelRef | None],
    ) -> n.Quantified:
        """``quantified: quantifier "of" selection test``."""
        return n.Quantified(
            quantifier[0], selection, test[0], quantifier[1], test[1], self._span(meta)
        )

    def requirement_ref(self, meta: _Part, name: n.Ident) -> n.RequirementRef:
        """``clause: "requirement" ident``."""
        return n.RequirementRef(name, self._span(meta))

    def learner_test(self, meta: _Part, attribute: Token, *rest: Any) -> n.LearnerTest:
        """``clause: LEARNER_ATTR (COMPARE literal)?``."""
        token_span = self._token_span(attribute)
        name = n.Ident(str(attribute).split(".", 1)[1], token_span)
        if not rest:
            return n.LearnerTest(name, None, None, self._span(meta))
        op = cast(Any, str(rest[0]))
        return n.LearnerTest(name, op, rest[1], self._span(meta))

    def any_block(self, meta: _Part, *clauses: n.Clause) -> n.AnyBlock:
        """``clause: "any" "{" clause* "}"``."""
        return n.AnyBlock(clauses, self._span(meta))

    def all_block(self, meta: _Part, *clauses: n.Clause) -> n.AllBlock:
        """``clause: "all" "{" clause* "}"``."""
        return n.AllBlock(clauses, self._span(meta))

    def pathway(self, meta: _Part, name: n.Ident, *clauses: n.Clause) -> n.Pathway:
        """``clause: "pathway" string "{" clause* "}"``."""
        return n.Pathway(name.value, clauses, self._span(meta))

    def not_clause(self, meta: _Part, clause: n.Clause) -> n.Not:
        """``clause: "not" clause``."""
        return n.Not(clause, self._span(meta))

    # --- decisions --------------------------------------------------------------------------

    def single_condition(self, meta: _Part, clause: n.Clause) -> tuple[bool, tuple[n.Clause, ...]]:
        """``condition: clause``."""
        return (False, (clause,))

    def block_condition(self, meta: _Part, *clauses: n.Clause) -> tuple[bool, tuple[n.Clause, ...]]:
        """``condition: "{" clause* "}"``."""
        return (True, clauses)

    def advance(
        self,
        meta: _Part,
        source: n.Ident,
        target: n.Ident,
        condition: tuple[bool, tuple[n.Clause, ...]],
    ) -> n.Advance:
        """``advance: "advance" string "to" string "when" condition``."""
        return n.Advance(source.value, target.value, condition[1], condition[0], self._span(meta))

    def graduate(self, meta: _Part, *parts: Any) -> n.Graduate:
        """``graduate: TIGHT? "graduate" "when" condition``."""
        block, clauses = parts[-1]
        return n.Graduate(clauses, len(parts) == 2, block, self._span(meta))

    def due_attribute(self, meta: _Part, token: Token) -> tuple[str, Any]:
        """``pace_item: "due" LEARNER_ATTR``."""
        name = n.Ident(str(token).split(".", 1)[1], self._token_span(token))
        return ("due", n.PaceDue(attribute=name, span=self._span(meta)))

    def due_date(self, meta: _Part, token: Token) -> tuple[str, Any]:
        """``pace_item: "due" DATE``."""
        value = self._date(token)
        day = value.date() if isinstance(value, dt.datetime) else value
        return ("due", n.PaceDue(date=day, span=self._span(meta)))

    def extension(self, meta: _Part, duration: n.Duration, clause: n.Clause) -> tuple[str, Any]:
        """``pace_item: "extend" duration "when" clause``."""
        return ("extend", n.Extension(duration, clause, self._span(meta)))

    def window(self, meta: _Part, duration: n.Duration) -> tuple[str, Any]:
        """``pace_item: "measure" "over" "last" duration``."""
        return ("window", duration)

    def risk(self, meta: _Part, duration: n.Duration) -> tuple[str, Any]:
        """``pace_item: "at" "risk" "within" duration``."""
        return ("risk", duration)

    def pace(self, meta: _Part, selection: n.Selection, *items: tuple[str, Any]) -> n.PaceDecl:
        """``pace: "pace" "for" selection "{" pace_item* "}"``."""
        values: dict[str, Any] = {}
        extensions: list[n.Extension] = []
        for key, value in items:
            if key == "extend":
                extensions.append(value)
                continue
            if key in values:
                self._error("MK124", f"this pace block says `{key}` twice", value.span)
            values[key] = value
        return n.PaceDecl(
            selection,
            values.get("due"),
            tuple(extensions),
            values.get("window"),
            values.get("risk"),
            self._span(meta),
        )

    # --- district files -----------------------------------------------------------------------

    def district(self, meta: _Part, name: n.Ident, *parts: Any) -> n.DistrictBlock:
        """``district: "district" string district_option* "{" route* "}"``."""
        version: n.Ident | None = None
        routes: list[n.RouteDecl] = []
        for part in parts:
            if isinstance(part, n.RouteDecl):
                routes.append(part)
            elif isinstance(part, tuple):
                if version is not None:
                    self._error(
                        "MK140",
                        "the district header says `version` twice",
                        part[1].span,
                        help="give the district's version once",
                    )
                version = part[1]
        return n.DistrictBlock(
            name.value,
            version.value if version is not None else None,
            tuple(routes),
            self._span(meta),
        )

    def when_route(self, meta: _Part, *parts: Any) -> n.RouteDecl:
        """``route: "when" clause ("and" clause)* route_target``."""
        *clauses, (path, reason) = parts
        return n.RouteDecl(tuple(clauses), path, reason, self._span(meta))

    def otherwise_route(
        self, meta: _Part, target: tuple[n.Ident | None, n.Ident | None]
    ) -> n.RouteDecl:
        """``route: "otherwise" route_target``."""
        return n.RouteDecl(None, target[0], target[1], self._span(meta))

    def use_target(self, meta: _Part, path: n.Ident) -> tuple[n.Ident | None, n.Ident | None]:
        """``route_target: "use" string``."""
        return (path, None)

    def skip_target(self, meta: _Part, *parts: Any) -> tuple[n.Ident | None, n.Ident | None]:
        """``route_target: "not" "evaluated" string``."""
        return (None, parts[-1])

    # --- translations -----------------------------------------------------------------------

    def title_translation(self, meta: _Part, name: n.Ident, text: n.Ident) -> n.TitleTranslation:
        """``translation: ident string``."""
        return n.TitleTranslation(name, text.value, self._span(meta))

    def level_translation(self, meta: _Part, level: n.Ident, text: n.Ident) -> n.LevelTranslation:
        """``translation: "level" ident string``."""
        return n.LevelTranslation(level, text.value, self._span(meta))

    def translate(
        self, meta: _Part, language: n.Ident, *entries: n.TitleTranslation | n.LevelTranslation
    ) -> n.TranslateDecl:
        """``translate: "translate" ident "{" translation* "}"``."""
        return n.TranslateDecl(self._name(language, "language"), tuple(entries), self._span(meta))

    # --- examples ---------------------------------------------------------------------------

    def as_of(self, meta: _Part, token: Token) -> tuple[str, Any]:
        """``example_item: "as" "of" DATE``."""
        value = self._date(token)
        day = value.date() if isinstance(value, dt.datetime) else value
        return ("as_of", (day, self._span(meta)))

    def attribute(self, meta: _Part, name: n.Ident, value: n.Literal) -> n.Attribute:
        """``attribute: ident ":" literal``."""
        return n.Attribute(self._name(name, "attribute"), value, self._span(meta))

    def learner_attributes(self, meta: _Part, *attributes: n.Attribute | None) -> tuple[Any, ...]:
        """``learner_attributes: "{" [attribute ("," attribute)*] "}"``."""
        return tuple(a for a in attributes if a is not None)

    def example_learner(
        self, meta: _Part, name: n.Ident, attributes: tuple[n.Attribute, ...] | None = None
    ) -> tuple[str, Any]:
        """``example_item: "learner" ident learner_attributes?``."""
        learner = n.ExampleLearner(self._name(name, "learner"), attributes or (), self._span(meta))
        return ("learner", learner)

    def evidence_line(self, meta: _Part, *parts: Any) -> n.EvidenceLine:
        """``evidence_line: ident ident number "on" DATE ("from" ident)?``."""
        learner, code, score, date = parts[:4]
        kind = self._name(parts[4], "kind") if len(parts) > 4 else None
        return n.EvidenceLine(learner, code, score, self._date(date), kind, self._span(meta))

    def example_evidence(self, meta: _Part, *lines: n.EvidenceLine) -> tuple[str, Any]:
        """``example_item: "evidence" "{" evidence_line* "}"``."""
        return ("evidence", lines)

    def expect_proficient(self, meta: _Part, *negation: Token) -> tuple[Any, ...]:
        """``competency_expectation: NOT? "proficient"``."""
        return ("proficient", bool(negation), None)

    def expect_level(self, meta: _Part, level: n.LevelRef) -> tuple[Any, ...]:
        """``competency_expectation: "level" level_ref``."""
        return ("level", False, level)

    def expect_score(self, meta: _Part, score: Decimal) -> tuple[Any, ...]:
        """``competency_expectation: "score" number``."""
        return ("score", False, score)

    def expect_not_started(self, meta: _Part) -> tuple[Any, ...]:
        """``competency_expectation: "not_started"``."""
        return ("not_started", False, None)

    def expect_insufficient(self, meta: _Part) -> tuple[Any, ...]:
        """``competency_expectation: "insufficient"``."""
        return ("insufficient", False, None)

    def competency_expect(self, meta: _Part, code: n.Ident, what: tuple[Any, ...]) -> n.Expectation:
        """``expectation: ident competency_expectation``."""
        return n.Expectation(n.Ident(""), what[0], what[1], code, what[2], self._span(meta))

    def graduate_expect(self, meta: _Part, *negation: Token) -> n.Expectation:
        """``expectation: NOT? "graduate"``."""
        return n.Expectation(n.Ident(""), "graduate", bool(negation), span=self._span(meta))

    def advance_expect(self, meta: _Part, *parts: Any) -> n.Expectation:
        """``expectation: NOT? "advance" string "to" string``."""
        source, target = parts[-2], parts[-1]
        return n.Expectation(
            n.Ident(""),
            "advance",
            len(parts) == 3,
            value=(source.value, target.value),
            span=self._span(meta),
        )

    def requirement_expect(self, meta: _Part, *parts: Any) -> n.Expectation:
        """``expectation: NOT? "requirement" ident``."""
        return n.Expectation(
            n.Ident(""), "requirement", len(parts) == 2, value=parts[-1], span=self._span(meta)
        )

    def pace_expect(self, meta: _Part, status: n.Ident) -> n.Expectation:
        """``expectation: "pace" ident``."""
        return n.Expectation(n.Ident(""), "pace", value=status, span=self._span(meta))

    def policy_expect(self, meta: _Part, name: n.Ident) -> n.Expectation:
        """``expectation: "policy" string`` (district files)."""
        return n.Expectation(n.Ident(""), "policy", value=name, span=self._span(meta))

    def evaluated_expect(self, meta: _Part, *negation: Token) -> n.Expectation:
        """``expectation: "not" "evaluated"`` (district files)."""
        return n.Expectation(n.Ident(""), "evaluated", True, span=self._span(meta))

    def expectation(
        self, meta: _Part, learner: n.Ident, expectation: n.Expectation
    ) -> tuple[str, Any]:
        """``example_item: "expect" ident expectation``."""
        full = n.Expectation(
            self._name(learner, "learner"),
            expectation.what,
            expectation.negated,
            expectation.competency,
            expectation.value,
            self._span(meta),
        )
        return ("expect", full)

    def example(self, meta: _Part, name: n.Ident, *items: tuple[str, Any]) -> n.Example:
        """``example: "example" string "{" example_item* "}"``."""
        as_of: dt.date | None = None
        learners: list[n.ExampleLearner] = []
        evidence: list[n.EvidenceLine] = []
        expectations: list[n.Expectation] = []
        for key, value in items:
            if key == "as_of":
                if as_of is not None:
                    self._error(
                        "MK125",
                        f"example `{name.value}` says `as of` twice",
                        value[1],
                        help="an example is evaluated as of one date; split it into two examples",
                    )
                as_of = value[0]
            elif key == "learner":
                learners.append(value)
            elif key == "evidence":
                evidence.extend(value)
            else:
                expectations.append(value)
        return n.Example(
            name.value,
            as_of,
            tuple(learners),
            tuple(evidence),
            tuple(expectations),
            self._span(meta),
        )
