"""Diagnostics quote the line the parser means, whatever control characters a file holds."""

from __future__ import annotations

import pytest

from masterykit.diagnostics import PolicySyntaxError, Source, render_text, split_lines
from masterykit.dsl.parser import parse

# Characters that str.splitlines() treats as line breaks but the policy parser does not.
NOT_LINE_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]


@pytest.mark.parametrize("character", NOT_LINE_BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_source_lines_break_only_at_newline(character: str) -> None:
    source = Source("p.mastery", f"one{character}still one\ntwo\n")

    assert source.line(1) == f"one{character}still one"
    assert source.line(2) == "two"
    assert source.line(3) == ""
    assert source.line_count == 2


def test_split_lines_drops_the_carriage_return_of_windows_line_ends() -> None:
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("") == []


@pytest.mark.parametrize("character", NOT_LINE_BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_syntax_error_after_an_odd_control_character_quotes_the_right_line(
    character: str,
) -> None:
    text = (
        f'policy "Demo" version "1"{character}\n'
        "scale two { 1 NotYet 2 Yes }\n"
        'area MATH "Mathematics" { competency MATH.1 "Number sense" }\n'
        "calculate highest; proficient at Yes\n"
    )
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="p.mastery")

    *before, diagnostic = caught.value.diagnostics  # the character itself may be refused too
    assert all(earlier.span.line == 1 for earlier in before)
    assert render_text(diagnostic, {"p.mastery": Source("p.mastery", text)}) == (
        "error[MK110]: unexpected character `;`\n"
        " --> p.mastery:4:18\n"
        "  |\n"
        "4 | calculate highest; proficient at Yes\n"
        "  |                  ^\n"
        '  = help: names contain letters, digits, `_`, `.` and `-`; quote other text with `"…"`'
    )


def test_unexpected_end_of_file_points_after_the_last_line_the_parser_counted() -> None:
    text = 'policy "Demo" version "1"\nscale two { 1 NotYet\x0c 2 Yes'
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="p.mastery")

    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 28)
