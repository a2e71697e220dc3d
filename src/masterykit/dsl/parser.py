"""Read ``.mastery`` text into a syntax tree, or into diagnostics a policy author understands.

:func:`parse` and :func:`parse_file` return a :class:`~masterykit.dsl.nodes.PolicyFile` or raise
:class:`~masterykit.diagnostics.PolicySyntaxError` carrying every problem found (``MK1xx``). The
parser is Lark's LALR(1) with the contextual lexer, built once per process. After a syntax
error, reading resumes at the next line that starts a top-level statement in the first column,
so several mistakes are reported in one run without a cascade of follow-on errors.

Lark is used through its public interface only: the tree builder (``InlineBuilder`` in
:mod:`masterykit.dsl._build`) is handed to Lark as its ``transformer``, so the parser builds our
nodes as it reduces, without an intermediate Lark tree. A syntax tree deeper than
:data:`MAX_TREE_DEPTH` (a chain of ``not`` or ``+`` adds a level per word) is refused
(``MK105``).

>>> tree = parse('policy "Demo" version "1"\\nscale two { 1 NotYet 2 Yes }\\n')
>>> tree.name, tree.version, tree.statements[0].name.value
('Demo', '1', 'two')
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
from lark import Lark, Token
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from masterykit.diagnostics import (
    Diagnostic,
    FileTooLarge,
    PolicySyntaxError,
    Source,
    Span,
    read_limited,
)
from masterykit.dsl._build import (
    MAX_NUMBER_DIGITS,
    InlineBuilder,
    TreeBuilder,
)
from masterykit.dsl.keywords import RESERVED
from masterykit.dsl.nodes import Comment, DistrictFile, PolicyFile
from masterykit.numbers import format_decimal

__all__ = [
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_DIGITS",
    "MAX_TREE_DEPTH",
    "parse",
    "parse_any",
    "parse_file",
    "read_source",
]

#: The largest policy file read, in bytes (a 5,000-line policy is about 150 KB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: How deeply blocks and parentheses may nest.
MAX_DEPTH = 32
#: How deep a policy's syntax tree may be (a chain of ``not``, or of ``+`` and ``-`` in a
#: selection, adds one level per word). A deeper tree is refused (``MK105``) so that no later
#: pass (checking, printing, comparing two trees) runs out of Python's stack.
MAX_TREE_DEPTH = 300
#: How many syntax errors one run reports before it stops reading.
MAX_ERRORS = 20

#: The reserved words of the language (LANGUAGE.md, "Lexical"), with the duration units; they are
#: read from the grammar (``masterykit.dsl.keywords``).
KEYWORDS = RESERVED

# Blocks whose body is clauses, not rules.
_CLAUSE_BLOCKS = frozenset(
    ["requirement", "graduate", "advance", "pathway", "any", "all", "not", "pace", "example"]
)

_TERMINALS = {
    "WORD": "a name",
    "STRING": 'a quoted text such as "Mathematics"',
    "INT": "a whole number",
    "DECIMAL": "a number",
    "DATE": "a date such as `2026-06-01`",
    "PERCENT": "a percentage such as `65%`",
    "UNIT": "a unit (`days`, `weeks`, `months` or `years`)",
    "LEARNER_ATTR": "a learner attribute such as `learner.iep`",
    "WILDCARD": "a wildcard such as `MATH.*`",
    "COMPARE": "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
    "$END": "the end of the file",
}


@functools.cache
def _reader() -> tuple[Lark, InlineBuilder]:
    """The one Lark parser of the process, and the transformer it builds our nodes with."""
    grammar = resources.files("masterykit.dsl").joinpath("grammar.lark").read_text("utf-8")
    inline = InlineBuilder(MAX_TREE_DEPTH)
    lark = Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=["start", "body"],
        # Nodes are built as the parser reduces (no Lark tree), and their spans come from their
        # first and last token: so every token is kept, and Lark propagates no positions.
        transformer=inline,
        keep_all_tokens=True,
        maybe_placeholders=True,
    )
    inline.prepare(_punctuation(lark))
    return lark, inline


def _lark() -> Lark:
    return _reader()[0]


@functools.cache
def _literal_terminals() -> dict[str, str]:
    """Map Lark's names for literal terminals (``RBRACE``, ``PROFICIENT``) to their text."""
    return _literals(_lark())


def _literals(lark: Lark) -> dict[str, str]:
    return {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}


@functools.cache
def _statement_terminals() -> frozenset[str]:
    """The terminals a top-level statement can start with (``SCALE``, ``AREA``, ``TIGHT`` …), as
    Lark's parser accepts them at the start of a ``body``."""
    choices = _lark().parse_interactive("", start="body").accepts()  # type: ignore[no-untyped-call]
    return frozenset(choices - {"$END"})


@functools.cache
def _resume() -> re.Pattern[str]:
    """A line that starts with a statement's keyword: where reading resumes after an error."""
    literals = _literal_terminals()
    words = sorted(literals[name] for name in _statement_terminals())
    return re.compile(r"^(?:" + "|".join(words) + r")\b", re.MULTILINE)


def _punctuation(lark: Lark) -> frozenset[str]:
    """Terminals that only shape the syntax (keywords and punctuation written as literals in the
    grammar): the tree builder uses them for positions and then drops them."""
    named = {"LEAST", "TIGHT", "LOOSE", "NOT", "TRUE", "FALSE", "MINUS", "COMPARE"}
    return frozenset(name for name in _literals(lark) if name not in named)


def _describe_expected(names: Iterable[str], block: str | None = None) -> str:
    """Say in plain words what the parser expected. ``block`` is the first word of the innermost
    open block (``requirement``, ``for`` …), used to drop lookaheads LALR merged in from other
    places."""
    literals = _literal_terminals()
    names = set(names)
    statement_words = _statement_terminals()
    parts: list[str] = []
    if block is not None:
        names.discard("$END")
    if block in _CLAUSE_BLOCKS:
        names -= (statement_words - {"PROFICIENT"}) | {"RPAR", "LBRACE"}
    if len(names & statement_words) >= 10:
        names -= statement_words
        names.discard("LPAR")  # `calculate m (…)` arguments: noise at statement level
        parts.append("a statement (`scale`, `area`, `calculate`, `proficient`, `requirement` …)")
    if names & {"INT", "DECIMAL"}:
        names -= {"MINUS", "INT", "DECIMAL"}
        names.add("DECIMAL")
    words = sorted(f"`{literals[name]}`" for name in names if name in literals)
    others = sorted(_TERMINALS.get(name, name.lower()) for name in names if name not in literals)
    if "the end of the file" in others and parts:
        others.remove("the end of the file")
    parts.extend(words)
    parts.extend(others)
    if not parts:
        return "something else"
    if len(parts) == 1:
        return parts[0]
    if len(parts) > 8:
        parts = [*parts[:8], "…"]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of the file"
    text = str(token)
    if token.type == "STRING":
        return f"text {text}"
    if token.type in ("INT", "DECIMAL", "PERCENT"):
        return f"number `{text}`"
    if token.type == "DATE":
        return f"date `{text}`"
    if token.type == "WORD":
        return f"word `{text}`"
    if text in KEYWORDS:
        return f"keyword `{text}`"
    return f"`{text}`"


_SCANNED = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[{}()]')


def _scan(text: str, end: int | None = None) -> list[tuple[str, int, int, int]]:
    """The comments and brackets of ``text`` (strings skipped): (char or comment, offset, line,
    column), in order. Used for comments, open blocks and nesting depth."""
    end = len(text) if end is None else end
    found: list[tuple[str, int, int, int]] = []
    line, counted = 1, 0
    for match in _SCANNED.finditer(text, 0, end):
        token = match.group()
        if token[0] == '"':
            continue
        offset = match.start()
        line += text.count("\n", counted, offset)
        counted = offset
        column = offset - text.rfind("\n", 0, offset)
        found.append((token, offset, line, column))
    return found


def _comments(source: Source, scanned: list[tuple[str, int, int, int]]) -> tuple[Comment, ...]:
    out = []
    for text, offset, line, column in scanned:
        if text.startswith("#"):
            span = Span(
                source.name, line, column, line, column + len(text), offset, offset + len(text)
            )
            out.append(Comment(text, span))
    return tuple(out)


def _open_blocks(text: str, end: int) -> list[tuple[int, int, str]]:
    """Blocks still open at offset ``end``: (line, column, first word of the opening line)."""
    stack: list[tuple[int, int, str]] = []
    for char, offset, line, column in _scan(text, end):
        if char == "{":
            line_start = offset - column + 1
            first = text[line_start:offset].split()
            stack.append((line, column, first[0] if first else ""))
        elif char == "}" and stack:
            stack.pop()
    return stack


def _check_depth(source: Source, scanned: list[tuple[str, int, int, int]]) -> Diagnostic | None:
    depth = 0
    for char, _offset, line, column in scanned:
        if char in "{(":
            depth += 1
            if depth > MAX_DEPTH:
                return Diagnostic(
                    "MK105",
                    f"blocks and parentheses are nested more than {MAX_DEPTH} deep",
                    Span.point(source.name, line, column, 1),
                    help="a policy reads best flat: name the inner parts with `group` or "
                    "`requirement`",
                )
        elif char in "})":
            depth = max(0, depth - 1)
    return None


def _keyword_suggestion(word: str, expected: Iterable[str]) -> str | None:
    literals = _literal_terminals()
    candidates = [literals[name] for name in expected if name in literals]
    candidates = [c for c in candidates if c.isidentifier()]
    if word.lower() in candidates:
        return f"keywords are lower case: did you mean `{word.lower()}`?"
    close = difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=0.75)
    if close:
        return f"did you mean `{close[0]}`?"
    return None


def _syntax_diagnostic(error: UnexpectedInput, source: Source) -> Diagnostic:
    text = source.text
    line = error.line if error.line and error.line > 0 else 1
    column = error.column if error.column and error.column > 0 else 1
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        span = Span.point(source.name, line, column, 1)
        before = text[max(0, pos - 1) : pos]
        if char == '"':
            return Diagnostic(
                "MK111",
                "this quoted text is never closed",
                span,
                help='add the closing `"` on the same line',
            )
        if char == "%" and before.isspace():
            return Diagnostic(
                "MK112",
                "unexpected `%`",
                span,
                help="percentages are written without a space, such as `65%`",
            )
        share = _share_as_fraction(source, pos, line, column) if char == "." else None
        if share is not None:
            return share
        if char == "/" and re.search(r"\d$", text[:pos]):
            return Diagnostic(
                "MK113",
                "unexpected `/` in a number or date",
                span,
                help="dates are written year-month-day with dashes, such as `2026-01-10`",
            )
        shown = f"`{char}`" if char.isprintable() else f"U+{ord(char):04X}"
        return Diagnostic(
            "MK110",
            f"unexpected character {shown}",
            span,
            help='names contain letters, digits, `_`, `.` and `-`; quote other text with `"…"`',
        )
    if isinstance(error, UnexpectedToken | UnexpectedEOF):
        token = error.token if isinstance(error, UnexpectedToken) else Token("$END", "")
        expected = set(error.expected)
        if token.type == "$END":
            blocks = _open_blocks(text, len(text))
            last_line = max(1, source.line_count)
            span = Span.point(source.name, last_line, len(source.line(last_line)) + 1, 0)
            if blocks and "RBRACE" in expected:
                opened_line, _column, word = blocks[-1]
                what = f"the `{word}` block" if word else "a block"
                return Diagnostic(
                    "MK115",
                    f"the file ends before {what} is closed: expected `}}`",
                    span,
                    help=f"the block opened at line {opened_line} is never closed; "
                    f"add `}}` where it should end",
                )
            block = blocks[-1][2] if blocks else None
            return Diagnostic(
                "MK116",
                f"the file ends too early: expected {_describe_expected(expected, block)}",
                span,
                help=_competency_scale_hint(text, len(text)) if expected == {"LBRACE"} else None,
            )
        width = max(1, len(str(token)))
        span = Span(
            source.name,
            line,
            column,
            token.end_line or line,
            token.end_column or column + width,
            token.start_pos,
            token.end_pos,
        )
        if not _open_blocks(text, token.start_pos or 0):
            # LALR merges lookaheads from inside and outside blocks; outside, `}` is noise.
            expected.discard("RBRACE")
        found = _describe_token(token)
        blocks = _open_blocks(text, token.start_pos or 0)
        block = blocks[-1][2] if blocks else None
        if (
            blocks
            and blocks[-1][0] < line
            and column == 1
            and "RBRACE" in expected
            and token.type in _statement_terminals()
        ):
            # A statement's keyword in the first column while a block is open: the block above
            # was left open (the rest of the file is read from this statement on).
            opened_line, _column, word = blocks[-1]
            what = f"the `{word}` block" if word else "a block"
            return Diagnostic(
                "MK118",
                f"`{token}` starts a statement before {what} is closed: expected `}}`",
                span,
                help=f"the block opened at line {opened_line} is never closed; "
                f"add `}}` where it should end",
            )
        message = f"unexpected {found}: expected {_describe_expected(expected, block)}"
        help: str | None = None
        if expected == {"LBRACE"} and _competency_scale_hint(text, token.start_pos or 0):
            help = _COMPETENCY_SCALE_HELP
        elif expected <= {"POLICY", "DISTRICT"}:
            help = (
                'a policy starts with its header, such as `policy "Lake County" version "1"`; '
                'a district file with its `district "…" { … }` block'
            )
        elif token.type == "INT" and "DATE" in expected:
            help = "dates are written year-month-day with dashes, such as `2026-01-10`"
        elif token.type == "WORD":
            help = _keyword_suggestion(str(token), expected)
        elif str(token) in KEYWORDS and ("WORD" in expected or "STRING" in expected):
            help = f'`{token}` is a reserved word; quote it (`"{token}"`) or choose another name'
        elif token.type == "RBRACE" and not _open_blocks(text, token.start_pos or 0):
            message = "unexpected `}`: no block is open here"
            help = "remove it, or add the `{` it was meant to close"
        elif str(token) == "=" and text[(token.start_pos or 0) - 1 : token.start_pos] == "=":
            help = "comparisons use a single `=`"
        elif token.type in ("INT", "DECIMAL") and "PERCENT" in expected:
            help = "percentages are written `65%`"
        elif token.type == "WORD" or "UNIT" in expected:
            help = "durations are written with a unit, such as `3 years` or `6 months`"
        return Diagnostic("MK114", message, span, help=help)
    return Diagnostic(  # pragma: no cover - Lark raises only the kinds above
        "MK110", "the policy could not be read here", Span.point(source.name, line, column)
    )


_AT_LEAST_WHOLE = re.compile(r"\bat\s+least\s+(\d*)$")
_FRACTION_OF = re.compile(r"\.(\d+)(?=\s+of\b)")


def _share_as_fraction(source: Source, pos: int, line: int, column: int) -> Diagnostic | None:
    """``MK117`` for ``at least 0.8 of …``: a share of competencies written as a fraction."""
    whole = _AT_LEAST_WHOLE.search(source.text, 0, pos)
    fraction = _FRACTION_OF.match(source.text, pos)
    if whole is None or fraction is None:
        return None
    written = f"{whole.group(1)}.{fraction.group(1)}"
    value = Decimal(written)
    if not 0 < value <= 1:
        return None
    start = column - len(whole.group(1))
    return Diagnostic(
        "MK117",
        f"a share is written as a percentage, not `{written}`",
        Span(
            source.name,
            line,
            start,
            line,
            start + len(written),
            pos - len(whole.group(1)),
            fraction.end(),
        ),
        help=f"write `at least {format_decimal(value * 100)}% of …`",
    )


_COMPETENCY_SCALE = re.compile(r"^\s*competency\b[^\n]*\bscale\s+\S+\s*$")
_COMPETENCY_SCALE_HELP = (
    "a competency outside an area uses the default scale; to give it another, declare it in "
    'an area: `area X { competency X.1 "…" scale two }`'
)


def _competency_scale_hint(text: str, offset: int) -> str | None:
    """Help for `competency X scale s` outside an area, which reads as a scale declaration."""
    before = text[:offset].rstrip()
    line = before[before.rfind("\n") + 1 :]
    return _COMPETENCY_SCALE_HELP if _COMPETENCY_SCALE.match(line) else None


def _resume_offset(text: str, after_line: int) -> int | None:
    """Offset of the first line after ``after_line`` that starts a top-level statement."""
    offset = 0
    for _ in range(after_line):
        nl = text.find("\n", offset)
        if nl < 0:
            return None
        offset = nl + 1
    match = _resume().search(text, offset)
    return match.start() if match else None


def _blank(text: str, upto: int) -> str:
    """``text`` with everything before ``upto`` turned into spaces, line breaks kept."""
    head = re.sub(r"[^\n]", " ", text[:upto])
    return head + text[upto:]


def read_source(path: str | Path, name: str | None = None) -> Source:
    """Read a policy file as text, or raise :class:`PolicySyntaxError` (MK100–MK104).

    ``name`` is how diagnostics name the file (default: the path as given).
    """
    label = name if name is not None else str(path)
    try:
        # Never more than the limit in memory: a 2 GiB file or /dev/zero is refused unread.
        data = read_limited(path, MAX_FILE_BYTES)
    except FileTooLarge as error:
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK103",
                    f"the policy file is {error}; the limit is {MAX_FILE_BYTES:,}",
                    location=label,
                    help="split it into a district file and overlays that `extends` it",
                )
            ]
        ) from None
    except FileNotFoundError:
        raise PolicySyntaxError(
            [Diagnostic("MK100", f"policy file `{label}` does not exist", location=label)]
        ) from None
    except IsADirectoryError:
        raise PolicySyntaxError(
            [Diagnostic("MK100", f"`{label}` is a folder, not a policy file", location=label)]
        ) from None
    except OSError as error:
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK100",
                    f"policy file `{label}` cannot be read: {error.strerror or error}",
                    location=label,
                )
            ]
        ) from None
    return Source(label, _decode(data, label))


def _decode(data: bytes, label: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK103",
                    f"the policy file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                    location=label,
                    help="split it into a district file and overlays that `extends` it",
                )
            ]
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line_start = data.rfind(b"\n", 0, nul) + 1
        line = data.count(b"\n", 0, nul) + 1
        column = len(data[line_start:nul].decode("utf-8", "replace")) + 1
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK102",
                    "this file is not text (it contains NUL bytes)",
                    Span.point(label, line, column, 1),
                    help="policy files are UTF-8 text files ending in `.mastery`",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK101",
                    "this file is not UTF-8 text",
                    Span.point(label, line, column, 1),
                    help="save the file as UTF-8 in your editor",
                )
            ]
        ) from None
    return text


def parse(text: str | bytes, name: str = "<policy>") -> PolicyFile:
    """Parse policy text into a syntax tree.

    Args:
        text: the policy (``str``, or ``bytes`` that must be UTF-8).
        name: how diagnostics name the source (a path, usually).

    Returns:
        The unchecked :class:`~masterykit.dsl.nodes.PolicyFile`.

    Raises:
        PolicySyntaxError: with every syntax problem found (``MK1xx``); ``MK141`` when the text
            is a district file (read those with :func:`parse_any`).
    """
    tree = parse_any(text, name)
    if isinstance(tree, DistrictFile):
        span = tree.district.span
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK141",
                    "this is a district file, not a policy",
                    Span.point(name, span.line, span.column, len("district")) if span else None,
                    help="a district file routes learners to policies; name one of the "
                    "policies it uses here, or load it with `masterykit.load_district`",
                )
            ],
            {name: Source(name, text if isinstance(text, str) else _decode(text, name))},
        )
    return tree


def parse_any(text: str | bytes, name: str = "<policy>") -> PolicyFile | DistrictFile:
    """Parse a policy or a district file into its syntax tree (see :func:`parse`).

    Returns:
        A :class:`~masterykit.dsl.nodes.PolicyFile`, or a
        :class:`~masterykit.dsl.nodes.DistrictFile` when the file's top is a ``district`` block.

    Raises:
        PolicySyntaxError: with every syntax problem found (``MK1xx``).
    """
    if isinstance(text, bytes):
        text = _decode(text, name)
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        text = _decode(text.encode("utf-8", "surrogatepass"), name)
    source = Source(name, text)
    if not text.strip() or not re.sub(r"#[^\n]*", "", text).strip():
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK104",
                    "the policy file is empty",
                    Span.point(name, 1, 1),
                    help='a policy starts with its header, such as `policy "Lake County" '
                    'version "1"`',
                )
            ],
            {name: source},
        )
    scanned = _scan(text)
    too_deep = _check_depth(source, scanned)
    if too_deep is not None:
        raise PolicySyntaxError([too_deep], {name: source})
    builder = TreeBuilder(name)
    diagnostics: list[Diagnostic] = []
    policy = _read(text, builder, diagnostics, source)
    if diagnostics:
        raise PolicySyntaxError(diagnostics, {name: source})
    if builder.too_deep:
        raise PolicySyntaxError(
            [
                Diagnostic(
                    "MK105", "the policy is nested too deeply to read", Span.point(name, 1, 1)
                )
            ],
            {name: source},
        )
    if builder.diagnostics:
        raise PolicySyntaxError(builder.diagnostics, {name: source})
    assert isinstance(policy, PolicyFile | DistrictFile)
    return attrs.evolve(policy, comments=_comments(source, scanned))


def _read(
    text: str, builder: TreeBuilder, diagnostics: list[Diagnostic], source: Source
) -> PolicyFile | DistrictFile | None:
    """Parse, building nodes with ``builder``; on a syntax error, record it in ``diagnostics``,
    stop building and resume at the next top-level statement to find the next one."""
    parser, inline = _reader()
    current, rule = text, "start"
    result: PolicyFile | DistrictFile | None = None
    with inline.reading(builder):
        while True:
            try:
                # With a transformer, Lark returns what it built for the start rule.
                part: Any = parser.parse(current, start=rule)
            except UnexpectedInput as error:
                builder.stop()
                diagnostics.append(_syntax_diagnostic(error, Source(source.name, text)))
                if len(diagnostics) >= MAX_ERRORS or isinstance(error, UnexpectedEOF):
                    return None
                if isinstance(error, UnexpectedToken) and error.token.type == "$END":
                    return None
                after = error.line if error.line > 0 else 1
                if diagnostics[-1].code == "MK118":
                    after -= 1  # the statement the error is at starts where reading resumes
                resume = _resume_offset(text, after)
                if resume is None:
                    return None
                current, rule = _blank(text, resume), "body"
                continue
            if rule == "start":
                result = part.value
            return result


def parse_file(path: str | Path, name: str | None = None) -> PolicyFile:
    """Read and parse a policy file (see :func:`parse`); ``name`` defaults to the path."""
    source = read_source(path, name)
    return parse(source.text, source.name)
