"""The policy's vocabulary of evidence kinds: syntax, layout, checks, and what the engine does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit import Evidence, Learner, Session, format_text, load, load_text
from masterykit.diagnostics import Severity
from masterykit.dsl import nodes as n
from masterykit.dsl.parser import parse
from masterykit.loader import check_file
from masterykit.policy import EvidenceKind

HEAD = """\
policy "Kinds"

scale two {
  1 NotYet
  2 Yes
}

competency A "A"
competency B "B"

calculate highest
proficient at Yes
"""

VOCABULARY = """
kinds {
  kind quiz "Quiz"
  kind project
  common kind district_test "District common assessment"
}
"""


def test_a_vocabulary_parses_into_kinds_in_the_order_written() -> None:
    (block,) = [s for s in parse(HEAD + VOCABULARY).statements if isinstance(s, n.KindsDecl)]
    assert [(k.name.value, k.title, k.common) for k in block.kinds] == [
        ("quiz", "Quiz", False),
        ("project", None, False),
        ("district_test", "District common assessment", True),
    ]


def test_the_formatter_lays_a_vocabulary_out_one_kind_per_line() -> None:
    text = HEAD + 'kinds { kind quiz "Quiz"   common kind district_test\n kind project }\n'
    assert format_text(text).endswith(
        '\nkinds {\n  kind quiz "Quiz"\n  common kind district_test\n  kind project\n}\n'
    )
    assert format_text(format_text(text)) == format_text(text)


def test_the_policy_holds_its_kinds_and_its_common_assessments() -> None:
    policy = load_text(HEAD + VOCABULARY)
    assert list(policy.kinds) == ["quiz", "project", "district_test"]
    assert policy.kinds["quiz"] == EvidenceKind("quiz", "Quiz", False, policy.kinds["quiz"].source)
    assert policy.common_kinds == frozenset({"district_test"})
    assert load_text(HEAD).kinds == {}
    without = load_text(HEAD + VOCABULARY.replace("common kind", "kind"))
    assert without.fingerprint != policy.fingerprint


def _diagnostics(text: str) -> list[tuple[str, Severity, str, int | None]]:
    from masterykit.dsl.check import check
    from masterykit.plugins import default_registry

    registry = default_registry(load_entry_points=False)
    _policy, found = check([parse(text, "kinds.mastery")], registry)
    return [(d.code, d.severity, d.message, d.span.line if d.span else None) for d in found]


def test_every_misuse_of_the_vocabulary_is_reported_where_it_is() -> None:
    text = HEAD + VOCABULARY.replace(
        "  kind project\n", "  kind project\n  kind quiz\n  kind Project\n"
    )
    text += "evidence at least 1 from quizz\nevidence at least 1 from homework\n"
    text += (
        'example "e" {\n  learner ana\n  evidence {\n    ana A 2 on 2026-01-10 from Quiz\n  }\n}\n'
    )
    assert _diagnostics(text) == [
        ("MK235", Severity.ERROR, "kind `quiz` is declared twice", 17),
        ("MK239", Severity.WARNING, "kinds `project` and `Project` differ only in case", 18),
        ("MK236", Severity.ERROR, "kind `quizz` is not declared (did you mean `quiz`?)", 21),
        ("MK236", Severity.ERROR, "kind `homework` is not declared", 22),
        (
            "MK237",
            Severity.ERROR,
            "example evidence has kind `Quiz`, which is not declared (did you mean `quiz`?)",
            26,
        ),
    ]


def test_without_a_vocabulary_check_notes_that_kinds_are_free_text(tmp_path: Path) -> None:
    path = tmp_path / "free.mastery"
    path.write_text(HEAD + "evidence from at least 2 kinds\n", encoding="utf-8")
    result = check_file(path)
    assert result.ok
    assert [
        (d.code, d.severity, d.message, d.span.line if d.span else 0) for d in result.diagnostics
    ] == [("MK238", Severity.NOTE, "evidence kinds are free text in this policy", 13)]
    path.write_text(HEAD, encoding="utf-8")  # no rule counts kinds: nothing to say
    assert check_file(path).diagnostics == ()
    path.write_text(HEAD + "evidence from at least 2 kinds\ncalculate nope\n", encoding="utf-8")
    broken = check_file(path)  # next to errors, the note is noise and is not shown
    assert not broken.ok
    assert [d.severity for d in broken.diagnostics if d.severity is Severity.NOTE] == []


def test_an_overlay_adds_kinds_and_may_not_declare_one_again(tmp_path: Path) -> None:
    (tmp_path / "district.mastery").write_text(HEAD + VOCABULARY, encoding="utf-8")
    school = 'policy "School" extends "district.mastery"\n\nkinds {\n  kind portfolio\n}\n'
    (tmp_path / "school.mastery").write_text(school, encoding="utf-8")
    assert list(load(tmp_path / "school.mastery").kinds) == [
        "quiz",
        "project",
        "district_test",
        "portfolio",
    ]
    (tmp_path / "school.mastery").write_text(school.replace("portfolio", "quiz"), encoding="utf-8")
    result = check_file(tmp_path / "school.mastery")
    assert [(d.code, d.message, d.related[0].span.line) for d in result.diagnostics] == [  # type: ignore[union-attr]
        ("MK235", "kind `quiz` is declared twice", 15)
    ]


AS_OF = dt.date(2026, 6, 1)


def _piece(kind: str | None, day: int = 10, code: str = "A") -> Evidence:
    return Evidence("ana", code, Decimal(2), dt.date(2026, 1, day), kind=kind)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (
            "Quiz",
            "evidence on `A` has kind `Quiz`, which the policy does not declare "
            "(did you mean `quiz`?)",
        ),
        (
            "quizz",
            "evidence on `A` has kind `quizz`, which the policy does not declare "
            "(did you mean `quiz`?)",
        ),
        ("homework", "evidence on `A` has kind `homework`, which the policy does not declare"),
    ],
)
def test_evidence_of_an_undeclared_kind_is_rejected_with_a_suggestion(
    kind: str, reason: str
) -> None:
    policy = load_text(HEAD + VOCABULARY)
    result = policy.evaluate(
        Learner("ana"), [_piece(kind), _piece("quiz", 11), _piece(None, 12)], as_of=AS_OF
    )
    assert [(r.code, r.reason) for r in result.rejections] == [("MK395", reason)]
    assert (result.counts.read, result.counts.used, result.counts.rejected) == (3, 2, 1)
    session = Session(policy, Learner("ana"), as_of=AS_OF)
    changes = session.add(_piece(kind))
    assert [(r.code, r.reason) for r in changes.rejections] == [("MK395", reason)]


def test_the_fast_and_the_careful_paths_agree_on_kinds() -> None:
    policy = load_text(HEAD + VOCABULARY)
    pieces = [
        _piece(kind, day) for day, kind in enumerate(["quiz", "project", "Quiz", None, "x"], 1)
    ]
    together = policy.evaluate(Learner("ana"), pieces, as_of=AS_OF)
    one_by_one = [policy.evaluate(Learner("ana"), [piece], as_of=AS_OF) for piece in pieces]
    assert sorted(r.reason for r in together.rejections) == sorted(
        r.reason for result in one_by_one for r in result.rejections
    )
    clean = [_piece("quiz", 1), _piece("project", 2, "B")]  # every piece declared: the fast path
    assert policy.evaluate(Learner("ana"), clean, as_of=AS_OF).rejections == ()


def test_a_tight_floor_over_a_loose_calculation_gets_a_note_in_its_own_file(
    tmp_path: Path,
) -> None:
    district = HEAD.replace(
        "calculate highest\nproficient at Yes\n",
        "calculate highest\ntight {\n  proficient at least Yes\n}\n",
    )
    (tmp_path / "district.mastery").write_text(district, encoding="utf-8")
    result = check_file(tmp_path / "district.mastery")
    assert [
        (d.code, d.severity, d.message, d.span.line if d.span else 0) for d in result.diagnostics
    ] == [
        (
            "MK256",
            Severity.NOTE,
            "this floor is tight but the calculation of 2 competencies is loose",
            13,
        )
    ]
    held = district.replace("calculate highest\ntight {\n", "tight {\n  calculate highest\n")
    (tmp_path / "held.mastery").write_text(held, encoding="utf-8")
    assert check_file(tmp_path / "held.mastery").diagnostics == ()
    school = 'policy "School" extends "district.mastery"\n\ncalculate mean\n'
    (tmp_path / "school.mastery").write_text(school, encoding="utf-8")
    assert check_file(tmp_path / "school.mastery").diagnostics == ()  # the district's note


def test_a_percentage_that_rounds_up_to_every_competency_gets_a_note(tmp_path: Path) -> None:
    text = HEAD.replace('competency B "B"\n', 'competency B "B"\ncompetency C "C"\n')
    text += "requirement r {\n  at least 80% of all competencies proficient\n"
    text += "  at least 60% of all competencies proficient\n}\n"
    (tmp_path / "p.mastery").write_text(text, encoding="utf-8")
    result = check_file(tmp_path / "p.mastery")
    assert [
        (d.code, d.severity, d.message, d.span.line if d.span else 0) for d in result.diagnostics
    ] == [
        (
            "MK257",
            Severity.NOTE,
            "`at least 80% of all competencies proficient` needs all 3 competencies: 80% of 3, "
            "rounded up, is 3",
            15,
        )
    ]


def test_the_note_rounds_percentages_as_the_engine_does() -> None:
    from masterykit.dsl._check_lint import percent_needed
    from masterykit.engine.semantics import needed_competencies

    for amount in (Decimal(1), Decimal("33.3"), Decimal(50), Decimal("66.7"), Decimal(80)):
        for total in range(1, 13):
            assert percent_needed(amount, total) == needed_competencies("percent", amount, total)
