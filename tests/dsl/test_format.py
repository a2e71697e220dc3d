"""The formatter: one canonical layout that keeps meaning and comments."""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicySyntaxError
from masterykit.dsl import nodes as n
from masterykit.dsl.format import format_clause, format_policy, format_selection, format_text
from masterykit.dsl.parser import KEYWORDS, parse, parse_any, parse_file

# The shared strategies live in tests/; make them importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies import policy_files

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
UNPARSABLE = {"05-syntax.invalid.mastery", "05-unclosed-block.invalid.mastery"}
SPEC_FILES = [p for p in sorted(SPEC.glob("*.mastery")) if p.name not in UNPARSABLE]
DATA = Path(__file__).parent / "data" / "format"
HEADER = 'policy "Demo" version "1"\n'


def _comments(tree: n.PolicyFile) -> list[str]:
    return [comment.text.rstrip() for comment in tree.comments]


def _policy(*statements: n.Statement, **header: object) -> n.PolicyFile:
    return n.PolicyFile("Demo", statements, **header)  # type: ignore[arg-type]


def _body(tree: n.PolicyFile) -> str:
    """The formatted text without its header and the blank line after it."""
    return format_policy(tree).split("\n", 2)[2]


# --- acceptance examples ----------------------------------------------------------------------


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_formatting_an_acceptance_example_keeps_its_meaning(path: Path) -> None:
    text = path.read_text("utf-8")
    assert parse(format_text(text, path.name)) == parse_file(path)


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_formatting_an_acceptance_example_twice_changes_nothing(path: Path) -> None:
    once = format_text(path.read_text("utf-8"), path.name)
    assert format_text(once, path.name) == once


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_formatting_an_acceptance_example_keeps_every_comment_in_order(path: Path) -> None:
    formatted = format_text(path.read_text("utf-8"), path.name)
    assert _comments(parse(formatted)) == _comments(parse_file(path))


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_trailing_comments_of_acceptance_examples_stay_on_their_lines(path: Path) -> None:
    original = parse_file(path)
    formatted = format_text(path.read_text("utf-8"), path.name)
    source = path.read_text("utf-8").splitlines()
    out = formatted.splitlines()
    for comment in original.comments:
        assert comment.span is not None
        code = source[comment.span.line - 1][: comment.span.column - 1].strip()
        text = comment.text.rstrip()
        if code:
            assert any(line.strip().startswith(code) and line.endswith(text) for line in out)
        else:
            assert any(line.strip() == text for line in out)


# --- golden file ------------------------------------------------------------------------------


GOLDEN = sorted(DATA.glob("*.input.mastery"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_formatting_matches_the_pinned_layout(path: Path) -> None:
    expected = path.with_name(path.name.replace(".input.", ".expected."))
    assert format_text(path.read_text("utf-8"), path.name) == expected.read_text("utf-8")


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_the_pinned_layout_is_already_formatted(path: Path) -> None:
    expected = path.with_name(path.name.replace(".input.", ".expected."))
    text = expected.read_text("utf-8")
    assert format_text(text, expected.name) == text


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_files())
def test_a_formatted_tree_parses_back_to_the_same_tree(tree: n.PolicyFile) -> None:
    assert parse(format_policy(tree)) == tree


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_files())
def test_formatting_formatted_text_changes_nothing(tree: n.PolicyFile) -> None:
    text = format_policy(tree)
    assert format_text(text) == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_files(), st.data())
def test_comments_added_anywhere_survive_formatting_in_order(
    tree: n.PolicyFile, data: st.DataObject
) -> None:
    lines = format_policy(tree).splitlines()
    places = data.draw(
        st.lists(
            st.sampled_from(["none", "trailing", "own"]), min_size=len(lines), max_size=len(lines)
        )
    )
    written: list[str] = []
    for number, (line, place) in enumerate(zip(lines, places, strict=True)):
        if place == "own":
            written.append(f"# note {number}")
        written.append(f"{line}  # note {number}" if place == "trailing" and line else line)
    text = "\n".join(written) + "\n"
    formatted = format_text(text)
    assert parse(formatted) == tree
    assert _comments(parse(formatted)) == _comments(parse(text))
    assert format_text(formatted) == formatted


# --- layout -----------------------------------------------------------------------------------


def test_a_single_rule_for_is_written_on_one_line() -> None:
    rule = n.ForRule(n.NameSelection(n.Ident("SCI")), (n.Proficient(n.LevelRef(Decimal("3.5"))),))
    assert _body(_policy(rule)) == "for SCI proficient at 3.5\n"


def test_a_for_block_keeps_its_braces_even_with_one_rule() -> None:
    rule = n.ForRule(n.KindSelection(n.Ident("habit")), (n.Calculate(n.Ident("mode")),), True)
    assert _body(_policy(rule)) == "for kind habit {\n  calculate mode\n}\n"


def test_a_for_with_several_rules_gets_braces() -> None:
    rules = (n.Calculate(n.Ident("mode")), n.Proficient(n.LevelRef("Usually"), at_least=True))
    rule = n.ForRule(n.NameSelection(n.Ident("HOW")), rules)
    assert _body(_policy(rule)) == "for HOW {\n  calculate mode\n  proficient at least Usually\n}\n"


def test_an_advance_with_one_clause_is_written_on_one_line() -> None:
    advance = n.Advance("Level 1", "Level 2", (n.RequirementRef(n.Ident("level_1")),))
    assert _body(_policy(advance)) == ('advance "Level 1" to "Level 2" when requirement level_1\n')


def test_a_graduation_block_lists_one_clause_per_line() -> None:
    graduate = n.Graduate(
        (
            n.Quantified("all", n.NameSelection(n.Ident("MATH")), "proficient"),
            n.Quantified(
                "count", n.NameSelection(n.Ident("HOW")), "reach", Decimal(4), n.LevelRef("Usually")
            ),
            n.AnyBlock((n.Pathway("Capstone", (n.RequirementRef(n.Ident("capstone")),)),)),
        ),
        tight=True,
    )
    assert _body(_policy(graduate)) == (
        "tight graduate when {\n"
        "  all of MATH proficient\n"
        "  at least 4 of HOW reach Usually\n"
        "  any {\n"
        '    pathway "Capstone" {\n'
        "      requirement capstone\n"
        "    }\n"
        "  }\n"
        "}\n"
    )


def test_kinds_of_statements_are_separated_by_one_blank_line() -> None:
    text = HEADER + (
        "scale two { 1 NotYet 2 Yes } default scale two calculate mean proficient at Yes "
        "group g = A requirement r { requirement s } requirement s { all of A proficient } "
        'example "x" { as of 2026-01-01 } example "y" { }'
    )
    assert format_text(text).split("\n", 2)[2] == (
        "scale two {\n  1 NotYet\n  2 Yes\n}\ndefault scale two\n\n"
        "calculate mean\nproficient at Yes\n\n"
        "group g = A\n\n"
        "requirement r {\n  requirement s\n}\nrequirement s {\n  all of A proficient\n}\n\n"
        'example "x" {\n  as of 2026-01-01\n}\n\n'
        'example "y" {\n}\n'
    )


def test_the_header_puts_version_before_extends() -> None:
    tree = n.PolicyFile("School", version="2", extends=n.Ident("district.mastery"))
    assert format_policy(tree) == 'policy "School" version "2" extends "district.mastery"\n'


def test_names_that_are_keywords_or_not_plain_are_quoted() -> None:
    scale = n.ScaleDecl(
        n.Ident("levels"),
        (n.LevelDecl(Decimal(1), n.Ident("Not Yet")), n.LevelDecl(Decimal(2), n.Ident("all"))),
    )
    competency = n.CompetencyDecl(n.Ident("SCI 4.2"), 'Says "hi" \\ there', after=(n.Ident("A.1"),))
    assert _body(_policy(scale, competency)) == (
        'scale levels {\n  1 "Not Yet"\n  2 "all"\n}\n\n'
        'competency "SCI 4.2" "Says \\"hi\\" \\\\ there" after A.1\n'
    )


@pytest.mark.parametrize(
    ("selection", "text"),
    [
        (n.WildcardSelection("MATH.ALG1."), "MATH.ALG1.*"),
        (n.AllSelection(), "all competencies"),
        (n.UnderSelection(n.Ident("MATH.ALG1")), "under MATH.ALG1"),
        (
            n.DifferenceSelection(
                n.UnionSelection(n.NameSelection(n.Ident("MATH")), n.NameSelection(n.Ident("SCI"))),
                n.WildcardSelection("SCI.LAB."),
            ),
            "MATH + SCI - SCI.LAB.*",
        ),
        (
            n.DifferenceSelection(
                n.NameSelection(n.Ident("MATH")),
                n.UnionSelection(
                    n.KindSelection(n.Ident("habit")), n.NameSelection(n.Ident("ELA-W.9-10.1"))
                ),
            ),
            "MATH - (kind habit + ELA-W.9-10.1)",
        ),
    ],
)
def test_selections_are_written_with_spaced_operators_and_needed_parentheses(
    selection: n.Selection, text: str
) -> None:
    assert format_selection(selection) == text


@pytest.mark.parametrize(
    ("clause", "text"),
    [
        (
            n.Quantified(
                "none", n.NameSelection(n.Ident("L2")), "below", level=n.LevelRef("Developing")
            ),
            "none of L2 below Developing",
        ),
        (
            n.Quantified("percent", n.NameSelection(n.Ident("L1")), "proficient", Decimal("62.50")),
            "at least 62.5% of L1 proficient",
        ),
        (
            n.Quantified(
                "any", n.NameSelection(n.Ident("X")), "reach", level=n.LevelRef(Decimal(3))
            ),
            "any of X reach 3",
        ),
        (n.LearnerTest(n.Ident("iep")), "learner.iep"),
        (n.LearnerTest(n.Ident("grade"), ">=", n.Literal(Decimal(9))), "learner.grade >= 9"),
        (
            n.LearnerTest(n.Ident("start"), "<", n.Literal(dt.datetime(2026, 1, 10, 9, 30))),
            "learner.start < 2026-01-10T09:30",
        ),
        (
            n.LearnerTest(n.Ident("start"), "<", n.Literal(dt.datetime(2026, 1, 10, 9, 30, 5))),
            "learner.start < 2026-01-10T09:30:05",
        ),
        (n.LearnerTest(n.Ident("track"), "!=", n.Literal("honors")), 'learner.track != "honors"'),
        (n.Not(n.LearnerTest(n.Ident("ell"), "=", n.Literal(False))), "not learner.ell = false"),
        (n.Not(n.AllBlock((n.RequirementRef(n.Ident("a")),))), "not all {\n  requirement a\n}"),
    ],
)
def test_clauses_are_written_as_the_language_reads_them(clause: n.Clause, text: str) -> None:
    assert format_clause(clause) == text


def test_rules_print_numbers_percentages_and_durations_plainly() -> None:
    rules = (
        n.Calculate(n.Ident("decaying_average"), (n.MethodArg(Decimal("65.0"), percent=True),)),
        n.Calculate(n.Ident("most_recent_mean"), (n.MethodArg(Decimal("2")),)),
        n.Proficient(n.LevelRef(Decimal("3.50"))),
        n.EvidenceCount(1, (n.Ident("performance_task"), n.Ident("project"))),
        n.EvidenceVariety(2),
        n.EvidenceWithin(n.Duration(1, "year")),
        n.EvidenceWithin(n.Duration(3, "month")),
    )
    assert _body(_policy(n.RuleBlock(True, rules))) == (
        "tight {\n"
        "  calculate decaying_average(65%)\n"
        "  calculate most_recent_mean(2)\n"
        "  proficient at 3.5\n"
        "  evidence at least 1 from performance_task, project\n"
        "  evidence from at least 2 kinds\n"
        "  evidence within 1 year\n"
        "  evidence within 3 months\n"
        "}\n"
    )


def test_pace_lists_due_extensions_window_and_risk_in_that_order() -> None:
    text = HEADER + (
        "pace for g { at risk within 3 months measure over last 6 months "
        "extend 1 year when learner.iep due 2027-06-15 }"
    )
    assert format_text(text).split("\n", 2)[2] == (
        "pace for g {\n"
        "  due 2027-06-15\n"
        "  extend 1 year when learner.iep\n"
        "  measure over last 6 months\n"
        "  at risk within 3 months\n"
        "}\n"
    )


def test_an_example_lists_as_of_learners_evidence_and_expectations() -> None:
    text = HEADER + (
        'example "e" { expect ana not advance "A" to "B" learner ana { iep: true, n: 2 } '
        "evidence { ana MATH.1 3 on 2026-01-10T09:30 from quiz } as of 2026-06-01 "
        "expect ana MATH.1 score 3.50 expect ana MATH.1 not proficient expect ana pace on_track }"
    )
    assert format_text(text).split("\n", 2)[2] == (
        'example "e" {\n'
        "  as of 2026-06-01\n"
        "  learner ana { iep: true, n: 2 }\n"
        "  evidence {\n"
        "    ana MATH.1 3 on 2026-01-10T09:30 from quiz\n"
        "  }\n"
        '  expect ana not advance "A" to "B"\n'
        "  expect ana MATH.1 score 3.5\n"
        "  expect ana MATH.1 not proficient\n"
        "  expect ana pace on_track\n"
        "}\n"
    )


# --- comments ---------------------------------------------------------------------------------


def test_a_comment_on_its_own_line_stays_before_the_next_statement_at_its_depth() -> None:
    text = HEADER + (
        "requirement r {\n"
        "# the core\n"
        "        all of A proficient\n"
        "    # nothing else\n"
        "}\n"
        "# closing words\n"
    )
    assert format_text(text).split("\n", 2)[2] == (
        "requirement r {\n"
        "  # the core\n"
        "  all of A proficient\n"
        "  # nothing else\n"
        "}\n"
        "# closing words\n"
    )


def test_trailing_comments_stay_on_their_line_and_line_up_with_their_neighbours() -> None:
    text = HEADER + (
        "tight {   # fixed\n  calculate mean # one\n  evidence at least 2      # two\n}\n"
    )
    assert format_text(text).split("\n", 2)[2] == (
        "tight {                # fixed\n"
        "  calculate mean       # one\n"
        "  evidence at least 2  # two\n"
        "}\n"
    )


def test_a_comment_inside_a_line_that_gets_joined_stays_on_the_joined_line() -> None:
    text = HEADER + "for SCI   # science only\n  proficient at 3.5\n"
    assert format_text(text).split("\n", 2)[2] == "for SCI proficient at 3.5  # science only\n"


def test_comments_on_the_as_of_and_evidence_lines_of_an_example_stay_there() -> None:
    text = HEADER + (
        'example "e" {\n'
        "  as of 2026-06-01  # end of year\n"
        "  evidence {  # quizzes\n"
        "    ana M.1 3 on 2026-01-10\n"
        "  }  # that is all\n"
        "}\n"
    )
    assert format_text(text).split("\n", 2)[2] == (
        'example "e" {\n'
        "  as of 2026-06-01  # end of year\n"
        "  evidence {        # quizzes\n"
        "    ana M.1 3 on 2026-01-10\n"
        "  }  # that is all\n"
        "}\n"
    )


def test_comments_before_the_header_stay_at_the_top() -> None:
    text = '# first\n\n# second\npolicy "Demo"   # the name\n# body\ncalculate mean\n'
    assert format_text(text) == (
        '# first\n\n# second\npolicy "Demo"  # the name\n\n# body\ncalculate mean\n'
    )


def test_a_comment_set_apart_by_a_blank_line_stays_apart() -> None:
    text = (
        'policy "Demo"\n'
        "scale two { 1 a 2 b }\n"
        "# ---- areas ----\n\n\n"
        "area MATH {\n"
        "  competency MATH.1\n"
        "  # no more competencies yet\n\n"
        "}\n"
        "calculate mean\n"
        "# the cut\n"
        "\n"
        "proficient at b\n"
        "# at the end\n\n"
    )
    formatted = format_text(text)
    assert formatted == (
        'policy "Demo"\n\n'
        "scale two {\n  1 a\n  2 b\n}\n\n"
        "# ---- areas ----\n\n"
        "area MATH {\n  competency MATH.1\n  # no more competencies yet\n}\n\n"
        "calculate mean\n# the cut\n\nproficient at b\n"
        "# at the end\n"
    )
    assert format_text(formatted) == formatted
    assert parse(formatted) == parse(text)
    assert _comments(parse(formatted)) == _comments(parse(text))


def test_formatting_text_that_does_not_parse_raises_the_syntax_error() -> None:
    with pytest.raises(PolicySyntaxError):
        format_text(HEADER + "proficent at Yes\n", "bad.mastery")


_PIECES = re.compile(r'"(?:[^"\\\n]|\\.)*"|[ \n]+|[^ \n"]+')


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_files(), st.data())
def test_any_layout_with_comments_formats_to_the_same_tree_and_keeps_the_comments(
    tree: n.PolicyFile, data: st.DataObject
) -> None:
    # Re-lay the canonical text out at random: every run of spaces or line breaks becomes one
    # space, a line break, or a comment and a line break (or a blank line after it).
    pieces = _PIECES.findall(format_policy(tree))
    gaps = data.draw(
        st.lists(st.sampled_from([" ", "\n", "  # c\n", "\n# o\n", "\n# o\n\n", "\n\n   "]))
    )
    written: list[str] = []
    count = 0
    for piece in pieces:
        if piece.isspace():
            gap = gaps[count % len(gaps)] if gaps else piece
            count += 1
            written.append(gap.replace("# c", f"# c{count}").replace("# o", f"# o{count}"))
        else:
            written.append(piece)
    text = "".join(written)
    formatted = format_text(text)
    assert parse(formatted) == tree
    assert _comments(parse(formatted)) == _comments(parse(text))
    assert format_text(formatted) == formatted


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_a_keyword_used_as_a_name_code_or_level_is_quoted_and_reads_back(word: str) -> None:
    tree = _policy(
        n.ScaleDecl(n.Ident(word), (n.LevelDecl(Decimal(1), n.Ident(word)),)),
        n.CompetencyDecl(n.Ident(word), kind=n.Ident(word), after=(n.Ident(word + ".1"),)),
        n.GroupDecl(n.Ident(word), n.NameSelection(n.Ident(word))),
        n.ForRule(n.KindSelection(n.Ident(word)), (n.Proficient(n.LevelRef(word)),)),
    )
    text = format_policy(tree)
    assert f'"{word}"' in text
    assert parse(text) == tree


def _reads(path: Path) -> bool:
    try:
        parse(path.read_text("utf-8"), path.name)
    except PolicySyntaxError:
        return False
    return True


# The gallery's and the docs' policies, but for the docs' examples of syntax errors.
REPOSITORY_POLICIES = sorted(
    path
    for folder in ("examples", "docs")
    for path in (Path(__file__).resolve().parents[2] / folder).rglob("*.mastery")
    if _reads(path)
)


@pytest.mark.parametrize(
    "path", REPOSITORY_POLICIES, ids=[p.name for p in REPOSITORY_POLICIES] or None
)
def test_formatting_the_gallery_and_documented_policies_keeps_meaning_and_comments(
    path: Path,
) -> None:
    text = path.read_text("utf-8")
    original = parse(text, path.name)
    formatted = format_text(text, path.name)
    assert parse(formatted) == original
    assert _comments(parse(formatted)) == _comments(original)
    assert format_text(formatted) == formatted


# --- one printer for the formatter and the checker's messages ---------------------------------


def _clauses(node: object) -> list[n.Clause]:
    """Every quantified clause, learner test and ``any`` block in ``node``, outermost first."""
    found: list[n.Clause] = []
    if isinstance(node, n.Quantified | n.LearnerTest | n.AnyBlock):
        found.append(node)
    if isinstance(node, tuple):
        for item in node:
            found.extend(_clauses(item))
    elif attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            if field.name != "span":
                found.extend(_clauses(getattr(node, field.name)))
    return found


_PRINTED = [
    p
    for folder in (Path(__file__).resolve().parents[2] / "examples", SPEC)
    for p in sorted(folder.rglob("*.mastery"))
    if p.name not in UNPARSABLE
]


@pytest.mark.parametrize("path", _PRINTED, ids=[p.stem for p in _PRINTED])
def test_the_checker_quotes_clauses_and_selections_as_the_formatter_writes_them(
    path: Path,
) -> None:
    from masterykit.dsl._check_text import clause_text, selection_text

    tree = parse_any(path.read_text("utf-8"), str(path))
    clauses = _clauses(tree)
    for clause in clauses:
        laid_out = " ".join(line.strip() for line in format_clause(clause).splitlines())
        assert clause_text(clause) == laid_out
        if isinstance(clause, n.Quantified):
            assert selection_text(clause.selection) == format_selection(clause.selection)


def test_there_are_clauses_of_every_kind_to_compare() -> None:
    kinds = {type(c) for path in _PRINTED for c in _clauses(parse_any(path.read_text("utf-8")))}
    assert kinds == {n.Quantified, n.LearnerTest, n.AnyBlock}


def test_only_the_spelling_of_names_and_dates_is_the_checkers_own() -> None:
    from masterykit.dsl._check_text import clause_text, name_text

    # Messages keep the spelling they always had; the formatter writes what reads back.
    clause = n.Quantified(
        "all", n.NameSelection(n.Ident("level")), "reach", None, n.LevelRef("_top")
    )
    assert clause_text(clause) == 'all of level reach "_top"'
    assert format_clause(clause) == 'all of "level" reach _top'
    assert name_text("MATH.1") == "MATH.1"
    when = n.LearnerTest(n.Ident("enrolled"), ">=", n.Literal(dt.datetime(2026, 1, 5, 9, 30)))
    assert clause_text(when) == "learner.enrolled >= 2026-01-05T09:30:00"
    assert format_clause(when) == "learner.enrolled >= 2026-01-05T09:30"
