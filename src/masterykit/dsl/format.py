"""Lay a policy out the one standard way: ``masterykit fmt``.

:func:`format_policy` prints a syntax tree in the canonical layout: two-space indentation, one
statement per line, ``{`` at the end of a block's first line and ``}`` alone on its own line, and
a blank line between top-level statements of different kinds (scales, competencies, groups,
rules, requirements, advancements, graduation, pace; every worked example stands alone).
Comments stay where the author put them: a comment on its own line stays before the statement
that followed it, at that statement's indentation, and stays apart from it when a blank line
separated them (a heading over a section is not glued to its first block); a comment at the end
of a line stays at the end of that line.

Printing never changes meaning: ``parse(format_policy(tree)) == tree`` for every tree the parser
can produce, and formatting formatted text changes nothing.

>>> print(format_text('policy "Demo" version "1" scale two{1 NotYet 2 Yes} calculate mean'), end="")
policy "Demo" version "1"
<BLANKLINE>
scale two {
  1 NotYet
  2 Yes
}
<BLANKLINE>
calculate mean
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

import attrs

from masterykit.dsl import _text
from masterykit.dsl import nodes as n
from masterykit.dsl.parser import parse_any

__all__ = [
    "format_clause",
    "format_district",
    "format_policy",
    "format_route",
    "format_selection",
    "format_text",
]

_INDENT = "  "
_STRING = re.compile(r'"([^"\\\n]|\\.)*"')
_AS_OF = re.compile(r"\bas\s+of\b")
_EVIDENCE_BRACES = re.compile(r"\bevidence\s*\{|\}")


# --- words and values: the language's one printer (masterykit.dsl._text) ---------------------

_quote = _text.quote
_word = _text.word
_number = _text.number
_timestamp = _text.timestamp
_duration = _text.duration
_rule = _text.PRINTER.rule
_quantified = _text.PRINTER.quantified
_learner_test = _text.PRINTER.learner_test


def _ident(ident: n.Ident) -> str:
    return _text.word(ident.value)


def _level(level: n.LevelRef) -> str:
    return _text.PRINTER.level(level.value)


def _literal(literal: n.Literal) -> str:
    return _text.PRINTER.literal(literal.value)


def format_selection(selection: n.Selection) -> str:
    """A selection as written in a policy: ``MATH + SCI - (SCI.LAB.* + kind habit)``.

    >>> format_selection(n.UnionSelection(n.NameSelection(n.Ident("MATH")),
    ...                                   n.WildcardSelection("SCI.LAB.")))
    'MATH + SCI.LAB.*'
    """
    return _text.PRINTER.selection(selection)


# --- lines ------------------------------------------------------------------------------------


def _line_of(node: object) -> int | None:
    span = getattr(node, "span", None)
    return span.line if span is not None else None


def _end_of(node: object) -> int | None:
    span = getattr(node, "span", None)
    return span.end_line if span is not None else None


@attrs.define
class _Line:
    """One output line, with the source line it came from (to put comments back)."""

    depth: int
    text: str
    source: int | None
    closing: bool = False
    blank_before: bool = False
    trailing: str | None = None
    before: list[tuple[int, str]] = attrs.field(factory=list)


@attrs.define
class _Writer:
    """Collects the output lines of a policy, one method per construct."""

    lines: list[_Line] = attrs.field(factory=list)
    # Source lines of parts of worked examples that are not nodes: (id(example), part) -> line.
    example_lines: dict[tuple[int, str], int] = attrs.field(factory=dict)

    def add(self, depth: int, text: str, source: int | None) -> None:
        self.lines.append(_Line(depth, text, source))

    def close(self, depth: int, node: object) -> None:
        self.lines.append(_Line(depth, "}", _end_of(node), closing=True))

    # --- clauses ----------------------------------------------------------------------------

    def clause(
        self, depth: int, clause: n.Clause, prefix: str = "", source: int | None = None
    ) -> None:
        start = source if source is not None else _line_of(clause)
        match clause:
            case n.Quantified():
                self.add(depth, prefix + _quantified(clause), start)
            case n.RequirementRef(name=name):
                self.add(depth, f"{prefix}requirement {_ident(name)}", start)
            case n.LearnerTest():
                self.add(depth, prefix + _learner_test(clause), start)
            case n.AnyBlock(clauses=clauses):
                self.clause_block(depth, prefix + "any", clause, clauses, start)
            case n.AllBlock(clauses=clauses):
                self.clause_block(depth, prefix + "all", clause, clauses, start)
            case n.Pathway(name=name, clauses=clauses):
                self.clause_block(depth, f"{prefix}pathway {_quote(name)}", clause, clauses, start)
            case n.Not(clause=inner):
                self.clause(depth, inner, prefix + "not ", start)
            case _:
                assert_never(clause)

    def clause_block(
        self,
        depth: int,
        head: str,
        node: object,
        clauses: tuple[n.Clause, ...],
        source: int | None,
    ) -> None:
        self.add(depth, head + " {", source)
        for clause in clauses:
            self.clause(depth + 1, clause)
        self.close(depth, node)

    def condition(
        self, depth: int, head: str, node: object, clauses: tuple[n.Clause, ...], block: bool
    ) -> None:
        """``head <clause>`` for one clause written without braces, else ``head { … }``."""
        if len(clauses) == 1 and not block:
            self.clause(depth, clauses[0], head + " ", _line_of(node))
        else:
            self.clause_block(depth, head, node, clauses, _line_of(node))

    # --- rules ------------------------------------------------------------------------------

    def rule_item(self, depth: int, item: n.RuleItem) -> None:
        match item:
            case n.ForRule(selection=selection, rules=rules, block=block):
                head = f"for {format_selection(selection)}"
                if len(rules) == 1 and not block:
                    self.add(depth, f"{head} {_rule(rules[0])}", _line_of(item))
                else:
                    self.add(depth, head + " {", _line_of(item))
                    for rule in rules:
                        self.add(depth + 1, _rule(rule), _line_of(rule))
                    self.close(depth, item)
            case n.RuleBlock(tight=tight, items=items):
                self.add(depth, ("tight" if tight else "loose") + " {", _line_of(item))
                for inner in items:
                    self.rule_item(depth + 1, inner)
                self.close(depth, item)
            case _:
                self.add(depth, _rule(item), _line_of(item))

    # --- statements -------------------------------------------------------------------------

    def statement(self, statement: n.Statement) -> None:
        match statement:
            case n.ScaleDecl(name=name, levels=levels):
                self.add(0, f"scale {_ident(name)} {{", _line_of(statement))
                for level in levels:
                    self.add(1, f"{_number(level.value)} {_ident(level.name)}", _line_of(level))
                self.close(0, statement)
            case n.DefaultScale(name=name):
                self.add(0, f"default scale {_ident(name)}", _line_of(statement))
            case n.AreaDecl():
                self.area(statement)
            case n.CompetencyDecl():
                self.add(0, _competency(statement), _line_of(statement))
            case n.ImportFramework(path=path):
                self.add(0, f"import framework {_quote(path.value)}", _line_of(statement))
            case n.GroupDecl(name=name, selection=selection, title=title):
                head = f"group {_ident(name)}"
                if title is not None:
                    head += f" {_quote(title)}"
                self.add(0, f"{head} = {format_selection(selection)}", _line_of(statement))
            case n.RequirementDecl(name=name, clauses=clauses, title=title, tight=tight):
                head = f"{'tight ' if tight else ''}requirement {_ident(name)}"
                if title is not None:
                    head += f" {_quote(title)}"
                self.clause_block(0, head, statement, clauses, _line_of(statement))
            case n.Advance(source=source, target=target, condition=condition, block=block):
                head = f"advance {_quote(source)} to {_quote(target)} when"
                self.condition(0, head, statement, condition, block)
            case n.Graduate(condition=condition, tight=tight, block=block):
                head = f"{'tight ' if tight else ''}graduate when"
                self.condition(0, head, statement, condition, block)
            case n.PaceDecl():
                self.pace(statement)
            case n.Example():
                self.example(statement)
            case _:
                self.rule_item(0, statement)

    def area(self, area: n.AreaDecl) -> None:
        head = f"area {_ident(area.code)}"
        if area.title is not None:
            head += f" {_quote(area.title)}"
        if area.kind is not None:
            head += f" kind {_ident(area.kind)}"
        if area.scale is not None:
            head += f" scale {_ident(area.scale)}"
        self.add(0, head + " {", _line_of(area))
        for competency in area.competencies:
            self.add(1, _competency(competency), _line_of(competency))
        self.close(0, area)

    def pace(self, pace: n.PaceDecl) -> None:
        self.add(0, f"pace for {format_selection(pace.selection)} {{", _line_of(pace))
        due = pace.due
        if due is not None and due.attribute is not None:
            self.add(1, f"due learner.{due.attribute.value}", _line_of(due))
        elif due is not None and due.date is not None:
            self.add(1, f"due {_timestamp(due.date)}", _line_of(due))
        for extension in pace.extensions:
            head = f"extend {_duration(extension.duration)} when "
            self.clause(1, extension.condition, head, _line_of(extension))
        if pace.window is not None:
            self.add(1, f"measure over last {_duration(pace.window)}", _line_of(pace.window))
        if pace.risk is not None:
            self.add(1, f"at risk within {_duration(pace.risk)}", _line_of(pace.risk))
        self.close(0, pace)

    def example(self, example: n.Example) -> None:
        self.add(0, f"example {_quote(example.name)} {{", _line_of(example))
        if example.as_of is not None:
            source = self.example_lines.get((id(example), "as_of"))
            self.add(1, f"as of {_timestamp(example.as_of)}", source)
        for learner in example.learners:
            text = f"learner {_ident(learner.name)}"
            if learner.attributes:
                pairs = ", ".join(
                    f"{_ident(a.name)}: {_literal(a.value)}" for a in learner.attributes
                )
                text += f" {{ {pairs} }}"
            self.add(1, text, _line_of(learner))
        if example.evidence:
            # `evidence {` and its `}` are not nodes of their own: without the source text, take
            # them to sit just above the first evidence line and just below the last.
            first, last = _line_of(example.evidence[0]), _end_of(example.evidence[-1])
            opening = self.example_lines.get((id(example), "evidence"))
            closing = self.example_lines.get((id(example), "evidence_end"))
            if opening is None and first is not None:
                opening = first - 1
            if closing is None and last is not None:
                closing = last + 1
            self.add(1, "evidence {", opening)
            for evidence in example.evidence:
                self.add(2, _evidence(evidence), _line_of(evidence))
            self.lines.append(_Line(1, "}", closing, closing=True))
        for expectation in example.expectations:
            self.add(1, _expectation(expectation), _line_of(expectation))
        self.close(0, example)


def _competency(competency: n.CompetencyDecl) -> str:
    text = f"competency {_ident(competency.code)}"
    if competency.title is not None:
        text += f" {_quote(competency.title)}"
    if competency.kind is not None:
        text += f" kind {_ident(competency.kind)}"
    if competency.scale is not None:
        text += f" scale {_ident(competency.scale)}"
    if competency.after:
        text += " after " + ", ".join(_ident(code) for code in competency.after)
    return text


def _evidence(line: n.EvidenceLine) -> str:
    text = (
        f"{_ident(line.learner)} {_ident(line.competency)} {_number(line.score)}"
        f" on {_timestamp(line.timestamp)}"
    )
    if line.kind is not None:
        text += f" from {_ident(line.kind)}"
    return text


def _expectation(expectation: n.Expectation) -> str:
    head = f"expect {_ident(expectation.learner)} "
    negation = "not " if expectation.negated else ""
    value = expectation.value
    code = _ident(expectation.competency) + " " if expectation.competency is not None else ""
    match expectation.what:
        case "proficient":
            return f"{head}{code}{negation}proficient"
        case "level":
            level = value if isinstance(value, n.LevelRef) else n.LevelRef(str(value))
            return f"{head}{code}level {_level(level)}"
        case "score":
            score = value if isinstance(value, Decimal) else Decimal(0)
            return f"{head}{code}score {_number(score)}"
        case "not_started" | "insufficient":
            return f"{head}{code}{expectation.what}"
        case "graduate":
            return f"{head}{negation}graduate"
        case "advance":
            source, target = value if isinstance(value, tuple) else ("", "")
            return f"{head}{negation}advance {_quote(source)} to {_quote(target)}"
        case "requirement" | "pace":
            name = _ident(value) if isinstance(value, n.Ident) else _word(str(value))
            if expectation.what == "pace":
                return f"{head}pace {name}"
            return f"{head}{negation}requirement {name}"
        case "policy":
            name = value.value if isinstance(value, n.Ident) else str(value)
            return f"{head}policy {_quote(name)}"
        case "evaluated":
            return f"{head}not evaluated"
        case _:
            assert_never(expectation.what)


def format_clause(clause: n.Clause) -> str:
    """A condition clause as written in a policy, blocks laid out over several lines.

    >>> format_clause(n.Not(n.RequirementRef(n.Ident("algebra_1"))))
    'not requirement algebra_1'
    """
    writer = _Writer()
    writer.clause(0, clause)
    return "\n".join(_INDENT * line.depth + line.text for line in writer.lines)


def format_route(route: n.RouteDecl) -> str:
    """A route of a district file, on one line, as ``masterykit fmt`` writes it.

    >>> when = n.LearnerTest(n.Ident("school"), "=", n.Literal("east"))
    >>> format_route(n.RouteDecl((when,), reason=n.Ident("Moves to mastery grading in 2027")))
    'when learner.school = "east" not evaluated "Moves to mastery grading in 2027"'
    """
    if route.clauses is None:
        head = "otherwise"
    else:
        head = "when " + " and ".join(
            " ".join(line.strip() for line in format_clause(clause).splitlines())
            for clause in route.clauses
        )
    if route.path is not None:
        return f"{head} use {_quote(route.path.value)}"
    reason = route.reason.value if route.reason is not None else ""
    return f"{head} not evaluated {_quote(reason)}"


# --- layout of the whole file -----------------------------------------------------------------


def _kind(statement: n.Statement) -> str:
    """Top-level statements of one kind sit together; a blank line separates the kinds."""
    match statement:
        case n.ScaleDecl() | n.DefaultScale():
            return "scale"
        case n.AreaDecl() | n.CompetencyDecl() | n.ImportFramework():
            return "competency"
        case n.GroupDecl():
            return "group"
        case n.RequirementDecl():
            return "requirement"
        case n.Advance():
            return "advance"
        case n.Graduate():
            return "graduate"
        case n.PaceDecl():
            return "pace"
        case n.Example():
            return "example"
        case _:
            return "rule"


def _header(tree: n.PolicyFile) -> str:
    text = f"policy {_quote(tree.name)}"
    if tree.version is not None:
        text += f" version {_quote(tree.version)}"
    if tree.extends is not None:
        text += f" extends {_quote(tree.extends.value)}"
    return text


def _spans(node: object) -> Iterator[int]:
    """Every source line on which a node of the tree starts or ends."""
    span = getattr(node, "span", None)
    if span is not None:
        yield span.line
        yield span.end_line
    if isinstance(node, tuple):
        for item in node:
            yield from _spans(item)
    elif attrs.has(type(node)) and not isinstance(node, n.PolicyFile | n.Comment):
        for field in attrs.fields(type(node)):  # type: ignore[arg-type]
            if field.name != "span":
                yield from _spans(getattr(node, field.name))


def _code_lines(tree: n.PolicyFile | n.DistrictFile) -> set[int]:
    """Source lines on which some node starts or ends: a comment there follows code."""
    if isinstance(tree, n.DistrictFile):
        return set(_spans(tree.districts)) | set(_spans(tree.examples))
    found = set(_spans(tree.statements))
    header_line = _line_of(tree)
    if header_line is not None:
        found.add(header_line)
    if tree.extends is not None:
        found.update(_spans(tree.extends))
    return found


def _place_comments(
    tree: n.PolicyFile | n.DistrictFile,
    lines: list[_Line],
    code_lines: set[int],
    filled: set[int] | None,
) -> list[tuple[int, str]]:
    """Attach each comment to an output line; returns the comments that end the file.

    A comment on a source line where code also stands is a trailing comment: it stays at the end
    of the output line that came from that source line (or, when that code was folded into an
    earlier line, at the end of that line). Any other comment goes before the output line that
    came from the nearest later source line, at that line's indentation; when a blank line
    followed it in the source (``filled``, when the source text is known, holds the lines that
    are not blank), one blank line follows it in the output too, so a heading comment stays
    apart from the block below it. Comments never change order: one that would land before the
    previous comment goes just after it instead.
    """
    last_on: dict[int, int] = {}
    for index, out in enumerate(lines):
        if out.source is not None:
            last_on[out.source] = index
    # For "the nearest later source line, first in output order": sort by (source, index).
    ordered = sorted((out.source, i) for i, out in enumerate(lines) if out.source is not None)
    sources = [source for source, _ in ordered]
    at_end: list[tuple[int, str]] = []
    # Where the previous comment went: (line index, 0 before the line or 1 at its end).
    previous = (-1, 0)
    for comment in tree.comments:
        text = comment.text.rstrip()
        line = _line_of(comment)
        place: tuple[int, int]
        if line is None:
            place = (len(lines), 0)
        elif line in code_lines:
            target = last_on.get(line)
            if target is None:
                # The code on that line was folded into an earlier output line.
                position = bisect.bisect_left(sources, line)
                target = last_on[sources[position - 1]] if position else 0
            place = (target, 1)
        else:
            position = bisect.bisect_right(sources, line)
            place = (ordered[position][1] if position < len(ordered) else len(lines), 0)
        if place < previous:
            place = previous
        if place[1] == 1 and (place[0] >= len(lines) or lines[place[0]].trailing is not None):
            # That line already ends with a comment: this one goes on its own line below.
            place = (place[0] + 1, 0)
        previous = place
        if place[1] == 1:
            lines[place[0]].trailing = text
        else:
            apart = filled is not None and line is not None and line + 1 not in filled
            _before(lines, place[0], text, at_end, apart)
    return at_end


def _before(
    lines: list[_Line], index: int, text: str, at_end: list[tuple[int, str]], apart: bool
) -> None:
    """Put comment ``text`` before output line ``index`` (``apart``: a blank line after it)."""
    if index >= len(lines):
        at_end.append((0, text))
        return
    target = lines[index]
    target.before.append((target.depth + 1 if target.closing else target.depth, text))
    if apart and not target.closing:
        target.before.append((0, ""))


def _example_lines(text: str, tree: n.PolicyFile | n.DistrictFile) -> dict[tuple[int, str], int]:
    """Source lines of the parts of worked examples that are not nodes of their own: the ``as of``
    line, ``evidence {`` and the ``}`` that closes it."""
    found: dict[tuple[int, str], int] = {}
    source_lines = text.split("\n")
    statements = tree.examples if isinstance(tree, n.DistrictFile) else tree.statements
    for statement in statements:
        if not isinstance(statement, n.Example) or statement.span is None:
            continue
        key = id(statement)
        open_evidence = False
        for number in range(
            statement.span.line, min(statement.span.end_line, len(source_lines)) + 1
        ):
            code = _STRING.sub('""', source_lines[number - 1]).split("#", 1)[0]
            if _AS_OF.search(code) and (key, "as_of") not in found:
                found[(key, "as_of")] = number
            for match in _EVIDENCE_BRACES.finditer(code):
                if match.group() == "}":
                    if open_evidence:
                        found[(key, "evidence_end")] = number
                    open_evidence = False
                else:
                    open_evidence = True
                    found.setdefault((key, "evidence"), number)
    return found


def _comment_columns(lines: list[_Line]) -> list[int]:
    """Where each line's trailing comment starts: two spaces after the longest line of its run
    (neighbouring lines that all end with a comment, with nothing between them)."""
    columns = [0] * len(lines)
    index = 0
    while index < len(lines):
        if lines[index].trailing is None:
            index += 1
            continue
        last = index
        while (
            last + 1 < len(lines)
            and lines[last + 1].trailing is not None
            and not lines[last + 1].blank_before
            and not lines[last + 1].before
        ):
            last += 1
        width = max(len(_INDENT * line.depth + line.text) for line in lines[index : last + 1])
        columns[index : last + 1] = [width + 2] * (last + 1 - index)
        index = last + 1
    return columns


def _district_lines(writer: _Writer, tree: n.DistrictFile) -> None:
    """A district file's lines: each ``district`` block with one route per line, then each
    worked example after a blank line."""
    for index, block in enumerate(tree.districts):
        first = len(writer.lines)
        header = f"district {_quote(block.name)}"
        if block.version is not None:
            header += f" version {_quote(block.version)}"
        writer.add(0, header + " {", _line_of(block))
        for route in block.routes:
            writer.add(1, format_route(route), _line_of(route))
        writer.close(0, block)
        writer.lines[first].blank_before = index > 0
    for example in tree.examples:
        first = len(writer.lines)
        writer.example(example)
        writer.lines[first].blank_before = True


def _format(
    tree: n.PolicyFile | n.DistrictFile,
    example_lines: dict[tuple[int, str], int],
    code_lines: set[int] | None = None,
    filled: set[int] | None = None,
) -> str:
    writer = _Writer(example_lines=example_lines)
    if isinstance(tree, n.DistrictFile):
        _district_lines(writer, tree)
    else:
        writer.add(0, _header(tree), _line_of(tree))
        previous: str | None = None
        for statement in tree.statements:
            first = len(writer.lines)
            writer.statement(statement)
            kind = _kind(statement)
            if previous is None or kind != previous or kind == "example":
                writer.lines[first].blank_before = True
            previous = kind
    lines = writer.lines
    if code_lines is None:
        code_lines = _code_lines(tree) | set(example_lines.values())
    at_end = _place_comments(tree, lines, code_lines, filled)
    columns = _comment_columns(lines)
    out: list[str] = []
    for index, line in enumerate(lines):
        if line.blank_before:
            out.append("")
        out.extend(_INDENT * depth + text if text else "" for depth, text in line.before)
        text = _INDENT * line.depth + line.text
        if line.trailing is not None:
            text = text.ljust(columns[index]) + line.trailing
        out.append(text)
    out.extend(_INDENT * depth + text for depth, text in at_end)
    return "\n".join(out) + "\n"


def format_policy(tree: n.PolicyFile) -> str:
    """The canonical text of a policy, comments kept in place; ends with a line break.

    Args:
        tree: a parsed (or built) policy file; its ``comments`` are put back where their spans
            say they were.

    Returns:
        Text that parses back to an equal tree.
    """
    return _format(tree, {})


def format_district(tree: n.DistrictFile) -> str:
    """The canonical text of a district file, comments kept in place; ends with a line break.

    One route per line, in order, inside the ``district`` block; each worked example after a
    blank line. Text that parses back to an equal tree.
    """
    return _format(tree, {})


def format_text(text: str, name: str = "<policy>") -> str:
    """Parse ``text`` (a policy or a district file) and return it in the canonical layout.

    Args:
        text: the policy as written.
        name: how diagnostics name the source.

    Raises:
        PolicySyntaxError: when the text does not parse (nothing is formatted).
    """
    tree = parse_any(text, name)
    source_lines = text.split("\n")
    # A comment follows code when something other than blanks stands before it on its line.
    code_lines = {
        comment.span.line
        for comment in tree.comments
        if comment.span is not None
        and comment.span.line <= len(source_lines)
        and source_lines[comment.span.line - 1][: comment.span.column - 1].strip()
    }
    filled = {number for number, line in enumerate(source_lines, 1) if line.strip()}
    return _format(tree, _example_lines(text, tree), code_lines, filled)
