"""The keywords are written once, in the grammar, and every part of masterykit reads them there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from masterykit.diagnostics import PolicySyntaxError
from masterykit.dsl import _build, parser
from masterykit.dsl.format import format_policy
from masterykit.dsl.keywords import CONSTANTS, RESERVED, UNITS, WORDS
from masterykit.dsl.parser import KEYWORDS, parse

pytest.importorskip("pygments")
from masterykit import highlight

ROOT = Path(__file__).resolve().parents[2]


def _lark_terminals() -> dict[str, tuple[str, str]]:
    """Every terminal as Lark reads the grammar: name -> (kind of pattern, pattern)."""
    return {t.name: (t.pattern.type, t.pattern.value) for t in parser._lark().terminals}


def test_the_keywords_are_the_words_lark_reads_in_the_grammar() -> None:
    words = {value for kind, value in _lark_terminals().values() if kind == "str"}
    assert set(WORDS) == {word for word in words if re.fullmatch(r"[a-z_]+", word)}
    assert len(WORDS) == len(set(WORDS)) >= 50
    assert CONSTANTS == ("true", "false")


def test_the_units_are_exactly_what_lark_reads_as_a_unit() -> None:
    kind, pattern = _lark_terminals()["UNIT"]
    assert kind == "re"
    candidates = {*UNITS, "hour", "hours", "dayss", "wk", "yr", "days_", "Day", "minute"}
    assert {w for w in candidates if re.fullmatch(pattern, w)} == set(UNITS)
    assert {_build._UNITS[word] for word in UNITS} == {"day", "week", "month", "year"}


def test_the_parser_the_builder_the_formatter_and_the_highlighter_share_one_list() -> None:
    assert KEYWORDS is RESERVED
    assert _build.RESERVED is RESERVED
    assert set(WORDS) | set(UNITS) == RESERVED
    assert set(highlight.KEYWORDS) == set(WORDS) - set(CONSTANTS)
    assert parser._CLAUSE_BLOCKS <= RESERVED


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_every_reserved_word_is_refused_as_a_name_and_quoted_by_the_formatter(word: str) -> None:
    text = f'policy "P"\nscale {word} {{ 1 a }}\n'
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text)
    assert f"`{word}`" in caught.value.diagnostics[0].message
    tree = parse(f'policy "P"\nscale "{word}" {{ 1 a }}\n')
    assert f'scale "{word}"' in format_policy(tree)


def test_reading_resumes_at_every_keyword_that_starts_a_statement() -> None:
    starts = {parser._literal_terminals()[name] for name in parser._statement_terminals()}
    assert starts == {
        "scale", "default", "area", "competency", "import", "group", "kinds", "calculate",
        "proficient",
        "evidence", "for", "tight", "loose", "requirement", "advance", "graduate", "pace",
        "example", "reteach", "translate",
    }  # fmt: skip
    for word in starts:
        assert parser._resume().match(f"{word} x")
        assert not parser._resume().match(f"{word}x")


def test_the_language_page_lists_every_keyword() -> None:
    page = (ROOT / "docs" / "language.rst").read_text("utf-8")
    listed = re.search(r"\*\*Keywords\*\* are lower case and reserved.*?``(.*?)``", page, re.S)
    assert listed is not None
    words = listed.group(1).split()
    assert len(words) == len(set(words))
    assert set(words) == set(WORDS)
