"""A policy reads the same whether the parser builds its tree in one loop or the usual way.

The parser first reads with one loop over Lark's tables that builds our nodes as it reduces; at
the first syntax error, or a tree too deep, it reads again the usual way (a Lark tree, then a
walk). Both must give the same tree with the same spans and comments, or the same diagnostics,
byte for byte. These tests read each policy both ways and compare everything.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicySyntaxError, render_text
from masterykit.dsl import parser
from masterykit.dsl.parser import parse

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> Iterator[tuple[str, str]]:
    for folder in (ROOT / "tests", ROOT / "docs", ROOT / "examples"):
        for path in sorted(folder.rglob("*.mastery")):
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                continue
            for index, chunk in enumerate(text.split("\n---\n")):
                yield f"{path.relative_to(ROOT)}#{index}", chunk


TEXTS = dict(_texts())


def _outcome(text: str) -> tuple[Any, ...]:
    """Everything a reading gives: the tree with every span and comment, or the diagnostics."""
    try:
        tree = parse(text, "p.mastery")
    except PolicySyntaxError as error:
        return (
            "error",
            [attrs.asdict(d, recurse=True) for d in error.diagnostics],
            [render_text(d, error.sources) for d in error.diagnostics],
        )
    return ("tree", type(tree), attrs.asdict(tree, recurse=True))


def _usual(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(parser, "_read_fast", lambda text, name: None)
        return _outcome(text)


def _fast_reads(text: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    calls: list[bool] = []
    real = parser._read_fast

    def spy(text: str, name: str) -> Any:
        result = real(text, name)
        calls.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(parser, "_read_fast", spy)
        with contextlib.suppress(PolicySyntaxError):
            parse(text, "p.mastery")
    return calls == [True]


def test_the_installed_lark_is_read_in_one_loop() -> None:
    # The one-loop reader uses Lark's tables and lexers directly; a Lark it does not know makes
    # every policy read the slow way, which must not pass unnoticed.
    assert parser._fast_reader() is not None


def test_there_are_policies_to_read_both_ways() -> None:
    assert len(TEXTS) >= 50


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_policy_in_the_repository_reads_the_same_both_ways(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TEXTS[name]
    assert _outcome(text) == _usual(text, monkeypatch)


def test_a_large_generated_policy_reads_the_same_both_ways_in_one_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    text = generate.large_policy_text(600)
    assert _fast_reads(text, monkeypatch)
    assert _outcome(text) == _usual(text, monkeypatch)


HEAD = """policy "Deep" version "1"  # a comment
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "a" competency MATH.2 "b" }
"""


@pytest.mark.parametrize("count", [10, 150, 199, 200, 201, 400, 2000])
def test_long_chains_of_not_and_of_unions_read_the_same_both_ways(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = HEAD + "requirement r {" + " not" * count + " requirement q }\n"
    assert _outcome(chain) == _usual(chain, monkeypatch)
    union = HEAD + "group g = MATH.1" + " + MATH.2" * count + "\n"
    assert _outcome(union) == _usual(union, monkeypatch)


def test_a_very_long_chain_is_still_refused_as_nested_too_deeply() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse(HEAD + "group g = MATH.1" + " + MATH.2" * 5000 + "\n", "p.mastery")
    assert [d.code for d in caught.value.diagnostics] == ["MK105"]


def test_problems_the_grammar_cannot_see_are_reported_by_the_one_loop_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = HEAD + 'scale MATH.x { 1 a }\nexample "e" { as of 2026-02-30 as of 2026-01-01 }\n'
    assert _fast_reads(text, monkeypatch)
    outcome = _outcome(text)
    assert outcome == _usual(text, monkeypatch)
    assert [d["code"] for d in outcome[1]] == ["MK121", "MK120", "MK125"]


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*|[{}()=+\-,:%\"]|\d+")


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A policy from the repository with words moved, dropped or replaced."""
    text = draw(st.sampled_from(sorted(TEXTS.values())))
    pieces = _WORD.findall(text)
    for _ in range(draw(st.integers(0, 3))):
        if not pieces:
            break
        index = draw(st.integers(0, len(pieces) - 1))
        change = draw(st.sampled_from(["drop", "swap", "copy"]))
        if change == "drop":
            pieces.pop(index)
        elif change == "swap":
            pieces[index] = draw(st.sampled_from(pieces))
        else:
            pieces.insert(index, draw(st.sampled_from(pieces)))
    layout = draw(st.sampled_from([" ", "\n", "  \n ", "\t", "\r\n", " \x0c "]))
    return layout.join(pieces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_policies_read_the_same_both_ways(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _outcome(text) == _usual(text, monkeypatch)
