"""Syntax highlighting: every policy lexes cleanly and each part gets its token type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

pygments = pytest.importorskip("pygments")

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import (  # noqa: E402
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    _TokenType,
)

from masterykit.dsl import nodes as n  # noqa: E402
from masterykit.dsl.format import format_policy  # noqa: E402
from masterykit.dsl.parser import KEYWORDS as PARSER_KEYWORDS  # noqa: E402
from masterykit.highlight import KEYWORDS, MasteryLexer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies import policy_files  # noqa: E402

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
SPEC_FILES = sorted(SPEC.glob("*.mastery"))


def _tokens(text: str) -> list[tuple[_TokenType, str]]:
    return [(kind, value) for kind, value in MasteryLexer().get_tokens(text) if value.strip()]


def _kind_of(text: str, value: str) -> _TokenType:
    kinds = {kind for kind, v in _tokens(text) if v == value}
    assert len(kinds) == 1, kinds
    return kinds.pop()


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_every_acceptance_example_lexes_without_errors(path: Path) -> None:
    assert [v for kind, v in _tokens(path.read_text("utf-8")) if kind in Error] == []


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_lexing_gives_back_the_text_unchanged(path: Path) -> None:
    text = path.read_text("utf-8")
    assert "".join(v for _, v in MasteryLexer().get_tokens(text)) == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_files())
def test_every_formatted_policy_lexes_without_errors(tree: n.PolicyFile) -> None:
    assert [v for kind, v in _tokens(format_policy(tree)) if kind in Error] == []


def test_the_lexer_knows_the_same_reserved_words_as_the_parser() -> None:
    units = {"day", "days", "week", "weeks", "month", "months", "year", "years"}
    assert set(KEYWORDS) | {"true", "false"} | units == PARSER_KEYWORDS


def test_the_lexer_is_found_by_name_and_by_file_name() -> None:
    assert isinstance(get_lexer_by_name("mastery"), MasteryLexer)
    assert isinstance(get_lexer_for_filename("district.mastery"), MasteryLexer)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ('policy "Demo" version "1"', "policy", Keyword),
        ('policy "Demo" version "1"', "version", Keyword),
        ('policy "Demo" version "1"', "Demo", String.Double),
        ("graduate when { all of MATH proficient }", "graduate", Keyword),
        ("graduate when { all of MATH proficient }", "proficient", Keyword),
        ("graduate when { all of MATH proficient }", "MATH", Name),
        ("graduate when { all of MATH proficient }", "{", Punctuation),
        ("expect ana MATH.1 not_started", "not_started", Keyword),
        ("expect ana MATH.1 not_started", "MATH.1", Name.Constant),
        ("expect ana MATH.1 not_started", "ana", Name),
        ("group g = ELA-W.9-10.1 - MATH.ALG1.*", "ELA-W.9-10.1", Name.Constant),
        ("group g = ELA-W.9-10.1 - MATH.ALG1.*", "MATH.ALG1.*", Name.Constant),
        ("group g = ELA-W.9-10.1 - MATH.ALG1.*", "-", Operator),
        ("calculate decaying_average(65%)", "calculate", Keyword),
        ("calculate decaying_average(65%)", "decaying_average", Name.Function),
        ("calculate decaying_average(65%)", "65%", Number),
        ("proficient at 3.5", "3.5", Number.Float),
        ("evidence at least 2", "2", Number.Integer),
        ("evidence within 3 years", "3", Number.Integer),
        ("evidence within 3 years", "years", Keyword.Type),
        ("ana M.1 3 on 2026-01-10T09:30 from quiz", "2026-01-10T09:30", Literal.Date),
        ("due 2027-06-15", "2027-06-15", Literal.Date),
        ("learner ana { iep: false }", "false", Keyword.Constant),
        ("learner ana { iep: false }", ":", Punctuation),
        ("extend 1 year when learner.iep", "iep", Name.Attribute),
        ("learner.grade >= 9", ">=", Operator),
        ("calculate mean  # the plain average", "# the plain average", Comment.Single),
        (r'competency "SCI \"4\" 2"', r"\"", String.Escape),
    ],
)
def test_each_part_of_a_policy_gets_its_token_type(text: str, value: str, kind: object) -> None:
    assert _kind_of(text, value) == kind


def test_a_keyword_at_the_start_of_a_code_is_part_of_the_code() -> None:
    assert _kind_of("group g = all.x + level-1", "all.x") == Name.Constant
    assert _kind_of("group g = all.x + level-1", "level-1") == Name.Constant


def test_a_quoted_text_left_open_at_the_end_of_the_line_is_an_error() -> None:
    assert Error in {kind for kind, _ in MasteryLexer().get_tokens('area A "Math\n')}


def test_an_ellipsis_in_a_documentation_snippet_is_not_an_error() -> None:
    assert _kind_of("for kind habit { … }", "…") == Comment.Special


def test_pygments_recognises_a_policy_by_its_header() -> None:
    assert MasteryLexer.analyse_text('# district\npolicy "Lake County" version "1"\n') > 0.5
    assert MasteryLexer.analyse_text("def policy(): pass\n") == 0.0
