"""The parser: every construct of the language becomes our own syntax tree, with spans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicySyntaxError
from masterykit.dsl import nodes as n
from masterykit.dsl.parser import MAX_DEPTH, MAX_FILE_BYTES, parse, parse_file

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
UNPARSABLE = {"05-syntax.invalid.mastery", "05-unclosed-block.invalid.mastery"}
SPEC_FILES = sorted(SPEC.glob("*.mastery"))
HEADER = 'policy "Demo" version "1"\n'


def _only(text: str) -> n.Statement:
    tree = parse(HEADER + text)
    assert len(tree.statements) == 1
    return tree.statements[0]


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_every_acceptance_example_parses_except_the_syntax_errors(path: Path) -> None:
    if path.name in UNPARSABLE:
        with pytest.raises(PolicySyntaxError):
            parse_file(path)
    else:
        tree = parse_file(path)
        assert tree.name


def test_the_misspelled_keyword_example_reports_line_six() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(SPEC / "05-syntax.invalid.mastery")
    assert ":6:" in str(caught.value)


def test_the_unclosed_block_example_asks_for_a_closing_brace() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(SPEC / "05-unclosed-block.invalid.mastery")
    assert "}" in str(caught.value)
    assert "opened at line 7" in str(caught.value)


def test_header_gives_name_version_and_base() -> None:
    tree = parse('policy "School" version "2" extends "district.mastery"\n')
    assert (tree.name, tree.version) == ("School", "2")
    assert tree.extends == n.Ident("district.mastery")
    assert tree.extends.span is not None and tree.extends.span.column == 37


def test_scale_levels_keep_their_order_and_quoted_names() -> None:
    scale = _only('scale s { 0 "Not Yet" 1 Yes 2.5 Beyond }')
    assert scale == n.ScaleDecl(
        n.Ident("s"),
        (
            n.LevelDecl(Decimal("0"), n.Ident("Not Yet")),
            n.LevelDecl(Decimal("1"), n.Ident("Yes")),
            n.LevelDecl(Decimal("2.5"), n.Ident("Beyond")),
        ),
    )


def test_area_options_and_competency_prerequisites() -> None:
    area = _only(
        'area HOW "Habits" kind habit scale habits {\n'
        '  competency HOW.1 "One"\n'
        '  competency "HOW 2" "Two" after HOW.1, "HOW 0" kind social\n'
        "}"
    )
    assert isinstance(area, n.AreaDecl)
    assert area.kind == n.Ident("habit") and area.scale == n.Ident("habits")
    second = area.competencies[1]
    assert second.code.value == "HOW 2"
    assert [a.value for a in second.after] == ["HOW.1", "HOW 0"]
    assert second.kind == n.Ident("social")


def test_selections_combine_left_to_right_with_parentheses() -> None:
    group = _only("group stem = MATH + SCI - SCI.LAB.* - (kind habit + under CCSS.6)")
    assert isinstance(group, n.GroupDecl)
    sel = group.selection
    assert isinstance(sel, n.DifferenceSelection)
    assert isinstance(sel.right, n.UnionSelection)
    assert sel.right.left == n.KindSelection(n.Ident("habit"))
    assert sel.right.right == n.UnderSelection(n.Ident("CCSS.6"))
    inner = sel.left
    assert isinstance(inner, n.DifferenceSelection)
    assert inner.right == n.WildcardSelection("SCI.LAB.")
    assert _only("group g = all competencies").selection == n.AllSelection()  # type: ignore[union-attr]


def test_every_rule_form() -> None:
    tree = parse(
        HEADER
        + "calculate decaying_average(65%)\n"
        + "calculate most_recent_mean(2)\n"
        + "calculate mean\n"
        + "proficient at least Proficient\n"
        + "proficient at 3.5\n"
        + "evidence at least 2\n"
        + "evidence at least 1 from performance_task, project\n"
        + "evidence from at least 2 kinds\n"
        + "evidence within 3 years\n"
    )
    assert tree.statements == (
        n.Calculate(n.Ident("decaying_average"), (n.MethodArg(Decimal(65), True),)),
        n.Calculate(n.Ident("most_recent_mean"), (n.MethodArg(Decimal(2)),)),
        n.Calculate(n.Ident("mean")),
        n.Proficient(n.LevelRef("Proficient"), at_least=True),
        n.Proficient(n.LevelRef(Decimal("3.5"))),
        n.EvidenceCount(2),
        n.EvidenceCount(1, (n.Ident("performance_task"), n.Ident("project"))),
        n.EvidenceVariety(2),
        n.EvidenceWithin(n.Duration(3, "year")),
    )


def test_tight_and_loose_blocks_hold_rules_and_scoped_rules() -> None:
    block = _only(
        "tight {\n  calculate mean\n  for SCI proficient at 3.5\n  for kind habit {\n"
        "    calculate mode\n  }\n}"
    )
    assert isinstance(block, n.RuleBlock) and block.tight
    single, scoped = block.items[1], block.items[2]
    assert isinstance(single, n.ForRule) and not single.block
    assert isinstance(scoped, n.ForRule) and scoped.block
    loose = _only("loose { evidence within 1 year }")
    assert isinstance(loose, n.RuleBlock) and not loose.tight


def test_requirement_clauses_of_every_kind() -> None:
    req = _only(
        'tight requirement r "R" {\n'
        "  all of A proficient\n"
        "  at least 2 of A reach Usually\n"
        "  at least 60% of A + B proficient\n"
        "  none of A below Developing\n"
        "  any of A reach 3\n"
        "  requirement other\n"
        "  learner.iep\n"
        "  learner.grade >= 9\n"
        '  not learner.track = "stem"\n'
        '  any { pathway "P" { requirement x } all { learner.ell } }\n'
        "}"
    )
    assert isinstance(req, n.RequirementDecl) and req.tight and req.title == "R"
    c = req.clauses
    assert c[0] == n.Quantified("all", n.NameSelection(n.Ident("A")), "proficient")
    assert c[1] == n.Quantified(
        "count", n.NameSelection(n.Ident("A")), "reach", Decimal(2), n.LevelRef("Usually")
    )
    assert isinstance(c[2], n.Quantified) and c[2].quantifier == "percent"
    assert c[2].amount == Decimal(60)
    assert isinstance(c[3], n.Quantified) and c[3].test == "below"
    assert c[5] == n.RequirementRef(n.Ident("other"))
    assert c[6] == n.LearnerTest(n.Ident("iep"))
    assert c[7] == n.LearnerTest(n.Ident("grade"), ">=", n.Literal(Decimal(9)))
    assert c[8] == n.Not(n.LearnerTest(n.Ident("track"), "=", n.Literal("stem")))
    assert isinstance(c[9], n.AnyBlock)
    assert c[9].clauses[0] == n.Pathway("P", (n.RequirementRef(n.Ident("x")),))


def test_decisions_and_pace() -> None:
    tree = parse(
        HEADER
        + 'advance "L1" to "L2" when requirement l1\n'
        + "tight graduate when { all of A proficient }\n"
        + "pace for A {\n  due learner.graduation_date\n  extend 1 year when learner.iep\n"
        + "  measure over last 6 months\n  at risk within 3 months\n}\n"
        + "pace for B { due 2027-06-15 }\n"
    )
    advance, graduate, pace, fixed = tree.statements
    assert advance == n.Advance("L1", "L2", (n.RequirementRef(n.Ident("l1")),))
    assert isinstance(graduate, n.Graduate) and graduate.tight and graduate.block
    assert isinstance(pace, n.PaceDecl)
    assert pace.due == n.PaceDue(attribute=n.Ident("graduation_date"))
    assert pace.extensions == (n.Extension(n.Duration(1, "year"), n.LearnerTest(n.Ident("iep"))),)
    assert pace.window == n.Duration(6, "month") and pace.risk == n.Duration(3, "month")
    assert isinstance(fixed, n.PaceDecl) and fixed.due == n.PaceDue(date=dt.date(2027, 6, 15))


def test_examples_keep_learners_evidence_and_expectations() -> None:
    example = _only(
        'example "e" {\n  as of 2026-06-01\n'
        '  learner ana { graduation_date: 2027-06-15, iep: false, grade: 9, name: "Ana" }\n'
        "  learner bo\n  evidence {\n"
        "    ana MATH.1 3 on 2026-01-10 from quiz\n    bo MATH.1 2.5 on 2026-01-10T09:30\n  }\n"
        "  expect ana MATH.1 proficient\n  expect ana MATH.1 not proficient\n"
        "  expect ana MATH.1 level Proficient\n  expect ana MATH.1 score 3.65\n"
        "  expect ana MATH.2 not_started\n  expect ana MATH.3 insufficient\n"
        '  expect ana not graduate\n  expect ana advance "A" to "B"\n'
        "  expect ana not requirement core\n  expect ana pace on_track\n}"
    )
    assert isinstance(example, n.Example)
    assert example.as_of == dt.date(2026, 6, 1)
    ana = example.learners[0]
    assert [(a.name.value, a.value.value) for a in ana.attributes] == [
        ("graduation_date", dt.date(2027, 6, 15)),
        ("iep", False),
        ("grade", Decimal(9)),
        ("name", "Ana"),
    ]
    assert example.evidence[1].timestamp == dt.datetime(2026, 1, 10, 9, 30)
    assert example.evidence[0].kind == n.Ident("quiz")
    whats = [(e.what, e.negated) for e in example.expectations]
    assert whats == [
        ("proficient", False),
        ("proficient", True),
        ("level", False),
        ("score", False),
        ("not_started", False),
        ("insufficient", False),
        ("graduate", True),
        ("advance", False),
        ("requirement", True),
        ("pace", False),
    ]
    assert example.expectations[7].value == ("A", "B")
    assert all(e.learner == n.Ident("ana") for e in example.expectations)


def test_spans_point_at_the_source_and_do_not_count_for_equality() -> None:
    compact = parse('policy "P"\ncalculate mean')
    spread = parse('policy "P"\n\n\n   calculate    mean   # a comment\n')
    assert compact == spread
    statement = spread.statements[0]
    assert statement.span is not None
    assert (statement.span.line, statement.span.column) == (4, 4)
    assert [c.text for c in spread.comments] == ["# a comment"]


def test_bytes_with_a_byte_order_mark_are_read() -> None:
    assert parse('\ufeffpolicy "P"\n'.encode()).name == "P"


def test_a_file_over_the_size_limit_is_refused() -> None:
    text = 'policy "P"\n' + "# padding\n" * (MAX_FILE_BYTES // 10)
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="big.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK103"
    assert diagnostic.message.startswith("the policy file is ")
    assert diagnostic.message.endswith(f"bytes; the limit is {MAX_FILE_BYTES:,}")


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    text = 'policy "P"\ngraduate when ' + "all { " * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1)
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="deep.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK105"
    assert diagnostic.message == f"blocks and parentheses are nested more than {MAX_DEPTH} deep"


def test_a_long_chain_of_not_is_refused_without_a_traceback() -> None:
    text = 'policy "P"\ngraduate when ' + "not " * 5000 + "learner.iep\n"
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="nots.mastery")
    assert caught.value.diagnostics[0].message == "the policy is nested too deeply to read"


@pytest.mark.parametrize(
    ("written", "message", "help"),
    [
        ("0.8", "a share is written as a percentage, not `0.8`", "write `at least 80% of …`"),
        (".75", "a share is written as a percentage, not `.75`", "write `at least 75% of …`"),
        ("0.125", "a share is written as a percentage, not `0.125`", "write `at least 12.5% of …`"),
        ("1.5", "unexpected character `.`", None),  # more than all of them: not a share
    ],
)
def test_a_share_written_as_a_fraction_asks_for_a_percentage(
    written: str, message: str, help: str | None
) -> None:
    text = f'policy "P"\nrequirement r {{ at least {written} of MATH proficient }}\n'
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="share.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == message
    if help is not None:
        assert (diagnostic.code, diagnostic.help) == ("MK117", help)
        assert str(diagnostic.span) == "share.mastery:2:26"
        assert diagnostic.span.end_column == 26 + len(written)


def test_a_block_left_open_names_the_line_it_began_and_reading_goes_on_from_the_next() -> None:
    text = (
        'policy "P"\n'
        "scale two { 1 a 2 b }\n"
        "requirement core {\n"
        "  all of MATH proficient\n"
        "\n"
        "area MATH {\n"
        "  competency MATH.1 kind\n"
        "}\n"
    )
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="open.mastery")
    first, second = caught.value.diagnostics
    assert (first.code, str(first.span), first.message, first.help) == (
        "MK118",
        "open.mastery:6:1",
        "`area` starts a statement before the `requirement` block is closed: expected `}`",
        "the block opened at line 3 is never closed; add `}` where it should end",
    )
    # The `area` statement is read as the start of the rest of the file: its own mistake is found.
    assert (second.code, str(second.span)) == ("MK114", "open.mastery:8:1")


def test_a_statement_keyword_inside_a_block_that_is_indented_is_not_taken_for_a_new_statement() -> (
    None
):
    with pytest.raises(PolicySyntaxError) as caught:
        parse('policy "P"\nrequirement core {\n  graduate when learner.iep\n}\n', name="p")
    assert [d.code for d in caught.value.diagnostics] == ["MK114"]


def test_a_nul_byte_is_reported_at_its_line_and_column() -> None:
    data = 'policy "Café"\nscale two { 1 "Début" 2 b }\n# é\x00\x00\n'.encode()
    with pytest.raises(PolicySyntaxError) as caught:
        parse(data, name="nul.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK102",
        "this file is not text (it contains NUL bytes)",
    )
    assert str(diagnostic.span) == "nul.mastery:3:4"  # characters, not bytes
    assert diagnostic.help == "policy files are UTF-8 text files ending in `.mastery`"


def test_a_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(tmp_path / "nope.mastery", name="nope.mastery")
    assert caught.value.diagnostics[0].message == "policy file `nope.mastery` does not exist"


def test_syntax_errors_pickle_and_keep_their_text() -> None:
    import pickle

    with pytest.raises(PolicySyntaxError) as caught:
        parse('policy "P"\nproficent at 3\n', name="p.mastery")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)


_SEEDS = [p.read_text(encoding="utf-8") for p in SPEC_FILES]
_FRAGMENTS = [
    "{",
    "}",
    "(",
    ")",
    '"',
    "%",
    "#",
    "\n",
    "-",
    "+",
    "all",
    "of",
    "not",
    "at least",
    "learner.",
    "2026-13-45",
    "\x00",
    "\ufffd",
    "\t",
    "policy",
    "for",
    "*",
    ".",
    ",",
]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 40)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(_FRAGMENTS)) + text[i:]
        elif op == "swap":
            text = text[:i] + text[j : j + (j - i)] + text[i:j] + text[j + (j - i) :]
        else:
            text = text[:i]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_policies_give_a_tree_or_syntax_diagnostics_never_a_crash(text: str) -> None:
    try:
        parse(text, name="mutated.mastery")
    except PolicySyntaxError as error:
        lines = max(1, len(text.splitlines()) + 1)
        for diagnostic in error.diagnostics:
            if diagnostic.span is not None:
                assert 1 <= diagnostic.span.line <= lines
        assert str(error)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_random_text_gives_a_tree_or_syntax_diagnostics_never_a_crash(text: str) -> None:
    try:
        parse(text, name="random.mastery")
    except PolicySyntaxError as error:
        assert error.diagnostics


def test_parse_file_refuses_a_file_over_the_limit_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.mastery"
    with huge.open("wb") as stream:  # sparse: 2 GiB on paper, nothing on disk
        stream.truncate(2 * 1024**3)
    with pytest.raises(PolicySyntaxError) as caught:
        parse_file(huge, "huge.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK103",
        f"the policy file is 2,147,483,648 bytes; the limit is {MAX_FILE_BYTES:,}",
    )
    if Path("/dev/zero").exists():
        with pytest.raises(PolicySyntaxError) as caught:
            parse_file("/dev/zero")
        assert caught.value.diagnostics[0].code == "MK103"
