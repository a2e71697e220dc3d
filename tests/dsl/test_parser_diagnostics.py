"""Golden tests: the full text of every syntax diagnostic a policy author can meet.

Each ``tests/dsl/data/syntax/NAME.mastery`` holds a broken policy and ``NAME.txt`` the exact
rendered diagnostics. Regenerate after a deliberate change with ``MASTERYKIT_REGEN=1 pytest``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from masterykit.diagnostics import PolicySyntaxError, render_json
from masterykit.dsl.parser import parse_file

DATA = Path(__file__).parent / "data" / "syntax"
CASES = sorted(DATA.glob("*.mastery"))


def _render(path: Path) -> str:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(path, name=path.name)
    return str(caught.value) + "\n"


def test_there_are_at_least_fifteen_distinct_syntax_goldens() -> None:
    codes = set()
    for path in CASES:
        with pytest.raises(PolicySyntaxError) as caught:
            parse_file(path, name=path.name)
        codes.update(d.message for d in caught.value.diagnostics)
    assert len(CASES) >= 15
    assert len(codes) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_syntax_diagnostic_text_is_pinned(path: Path) -> None:
    expected_path = path.with_suffix(".txt")
    text = _render(path)
    if os.environ.get("MASTERYKIT_REGEN"):
        expected_path.write_text(text, encoding="utf-8")
    assert text == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_syntax_diagnostics_have_a_code_and_a_place(path: Path) -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(path, name=path.name)
    for diagnostic in caught.value.diagnostics:
        data = render_json(diagnostic)
        assert data["code"].startswith("MK1")
        assert data["file"] == path.name or data["location"] == path.name
        assert "Token" not in data["message"]
        assert "__ANON" not in data["message"]
        assert "RBRACE" not in data["message"]
