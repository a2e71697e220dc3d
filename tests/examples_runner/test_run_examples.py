"""The runner for worked examples: acceptance files, failure reports, codes MK600-MK611."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterykit.examples import (
    ExampleOutcome,
    ExpectationOutcome,
    coverage,
    render_outcomes,
    run_examples,
)
from masterykit.loader import load, load_any, load_text

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "examples"
SPEC_FILES = sorted(p for p in SPEC.glob("*.mastery") if not p.name.endswith(".invalid.mastery"))
GALLERY_FILES = sorted((ROOT / "examples").glob("**/*.mastery"))

HEADER = """policy "Demo" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area MATH "Mathematics" {
  competency MATH.1 "Number sense"
  competency MATH.2 "Algebraic reasoning"
}
calculate most_recent
proficient at Proficient
requirement algebra "Algebra" { all of MATH proficient }
advance "Level 1" to "Level 2" when requirement algebra
"""


def failures(outcomes: list[ExampleOutcome]) -> list[str]:
    found = []
    for outcome in outcomes:
        found.extend(f"{outcome.name}: {d.code} {d.message}" for d in outcome.diagnostics)
        found.extend(
            f"{outcome.name}: {f.text}: expected {f.expected}, got {f.actual}"
            for f in outcome.failures
        )
    return found


@pytest.mark.skipif(not SPEC_FILES, reason="the shared acceptance examples are not present")
@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_every_acceptance_example_holds(path: Path) -> None:
    outcomes = run_examples(load(path))
    assert outcomes, "each acceptance file has at least one example"
    assert failures(outcomes) == []


@pytest.mark.parametrize("path", GALLERY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_gallery_example_holds(path: Path) -> None:
    assert failures(run_examples(load_any(path))) == []


def run(body: str, *, decisions: str = "") -> list[ExampleOutcome]:
    return run_examples(load_text(HEADER + decisions + body, "demo.mastery"))


def only(outcomes: list[ExampleOutcome]) -> ExpectationOutcome:
    (outcome,) = outcomes
    (expectation,) = outcome.expectations
    return expectation


def test_a_failed_expectation_says_what_was_expected_what_came_out_and_why() -> None:
    outcome = only(
        run(
            """example "ana" {
  as of 2026-06-01
  learner ana
  evidence { ana MATH.1 2 on 2026-01-10 from quiz }
  expect ana MATH.1 proficient
}"""
        )
    )
    assert not outcome.passed
    assert outcome.text == "expect ana MATH.1 proficient"
    assert outcome.expected == "proficient"
    assert outcome.actual == "developing, score 2 (Developing)"
    assert outcome.diagnostic is not None
    assert outcome.diagnostic.code == "MK610"
    assert outcome.diagnostic.message == "expectation does not hold: `expect ana MATH.1 proficient`"
    assert outcome.diagnostic.help == "expected proficient, got developing, score 2 (Developing)"
    assert outcome.diagnostic.span is not None and outcome.diagnostic.span.line == 15
    assert outcome.explanation.splitlines()[0] == (
        'MATH.1 "Number sense": developing, score 2 (Developing)'
    )
    assert "- MATH.1 needs a score of 3 or more (now 2)" in outcome.explanation


def test_negated_and_decision_expectations_are_checked() -> None:
    (outcome,) = run(
        """example "ana" {
  as of 2026-06-01
  learner ana
  evidence {
    ana MATH.1 3 on 2026-01-10
    ana MATH.2 4 on 2026-01-10
  }
  expect ana MATH.1 level Proficient
  expect ana MATH.2 level 4
  expect ana MATH.1 score 3.00
  expect ana requirement algebra
  expect ana advance "Level 1" to "Level 2"
  expect ana not graduate
}""",
        decisions="graduate when { all of MATH reach Advanced }\n",
    )
    assert [(e.text, e.passed) for e in outcome.expectations] == [
        ("expect ana MATH.1 level Proficient", True),
        ("expect ana MATH.2 level 4", True),
        ("expect ana MATH.1 score 3", True),
        ("expect ana requirement algebra", True),
        ('expect ana advance "Level 1" to "Level 2"', True),
        ("expect ana not graduate", True),
    ]
    assert outcome.passed


@pytest.mark.parametrize(
    ("expectation", "code", "message"),
    [
        ("expect bob MATH.1 proficient", "MK601", "`bob` is not a learner of this example"),
        ("expect ana MATH.9 proficient", "MK602", "`MATH.9` is not a competency of this policy"),
        (
            "expect ana requirement algebar",
            "MK603",
            "`algebar` is not a requirement of this policy",
        ),
        (
            'expect ana advance "Level 1" to "Level 3"',
            "MK604",
            'this policy has no `advance "Level 1" to "Level 3"`',
        ),
        ("expect ana graduate", "MK605", "this policy has no `graduate when` rule"),
        ("expect ana pace on_track", "MK606", "this policy has no `pace` rule"),
        (
            "expect ana MATH.1 level Usually",
            "MK608",
            "`Usually` is not a level of the scale of `MATH.1` (`four_point`)",
        ),
    ],
)
def test_an_expectation_naming_something_unknown_fails_with_a_clear_message(
    expectation: str, code: str, message: str
) -> None:
    outcome = only(run(f'example "e" {{\n  as of 2026-06-01\n  learner ana\n  {expectation}\n}}'))
    assert not outcome.passed
    assert outcome.diagnostic is not None
    assert (outcome.diagnostic.code, outcome.diagnostic.message) == (code, message)


def test_did_you_mean_helps_with_close_names() -> None:
    outcome = only(
        run('example "e" {\n  as of 2026-06-01\n  learner ana\n  expect ana requirement algebar\n}')
    )
    assert outcome.diagnostic is not None
    assert outcome.diagnostic.help == "did you mean `algebra`?"


def test_an_unknown_pace_status_is_named() -> None:
    outcomes = run(
        'example "e" {\n  as of 2026-06-01\n  learner ana\n  expect ana pace fast\n}',
        decisions=(
            "pace for MATH { due 2027-06-15 measure over last 6 months at risk within 3 months }\n"
        ),
    )
    outcome = only(outcomes)
    assert outcome.diagnostic is not None
    assert outcome.diagnostic.code == "MK607"
    assert outcome.diagnostic.message == "`fast` is not a pace status"
    assert outcome.diagnostic.help == (
        "use one of `complete`, `on_track`, `at_risk`, `off_track`, `unknown`"
    )


def test_an_example_without_an_as_of_date_is_not_run() -> None:
    (outcome,) = run('example "undated" {\n  learner ana\n  expect ana MATH.1 not_started\n}')
    assert not outcome.passed
    assert outcome.expectations == ()
    assert [(d.code, d.message) for d in outcome.diagnostics] == [
        ("MK600", "example `undated` has no `as of` date")
    ]


def test_evidence_lines_that_cannot_be_used_fail_the_example() -> None:
    (outcome,) = run(
        """example "bad lines" {
  as of 2026-06-01
  learner ana
  evidence {
    ana MATH.1 5 on 2026-01-10
    bob MATH.1 3 on 2026-01-10
    ana MATH.7 3 on 2026-01-10
  }
  expect ana MATH.1 not_started
}"""
    )
    assert outcome.expectations[0].passed
    assert not outcome.passed
    assert [(d.code, d.message, d.span.line if d.span else None) for d in outcome.diagnostics] == [
        (
            "MK609",
            "evidence line cannot be used: score `5` is off the scale of `MATH.1` (1 to 4)",
            15,
        ),
        ("MK611", "evidence names `bob`, who is not a learner of this example", 16),
        (
            "MK609",
            "evidence line cannot be used: evidence for unknown competency `MATH.7` "
            "(did you mean `MATH.2`?)",
            17,
        ),
    ]


def test_coverage_shows_what_the_examples_never_exercised() -> None:
    path = SPEC / "03-graduation.mastery"
    if not path.exists():
        pytest.skip("the shared acceptance examples are not present")
    policy = load(path)
    report = coverage(policy, run_examples(policy))
    assert report.requirements == {"capstone": (False, True)}
    assert report.graduation == (False, True)
    assert report.pathways == {"Capstone": 1, "Portfolio": 1}
    assert report.pathways_never_taken == ()
    assert report.pace == ("complete", "on_track", "at_risk", "off_track")
    assert report.never(True) == ()
    lonely = load_text(
        HEADER + 'example "e" {\n  as of 2026-06-01\n  learner ana\n}', "demo.mastery"
    )
    report = coverage(lonely, run_examples(lonely))
    assert report.never(True) == ("algebra", 'advance "Level 1" to "Level 2"')
    assert report.never(False) == ()


def test_rendered_outcomes_show_expected_actual_and_why() -> None:
    outcomes = run(
        """example "ana" {
  as of 2026-06-01
  learner ana
  evidence { ana MATH.1 2 on 2026-01-10 from quiz }
  expect ana MATH.1 proficient
  expect ana MATH.2 not_started
  expect ana requirement algebar
}
example "undated" {
  learner bo
}"""
    )
    assert render_outcomes(outcomes) == (
        """FAIL example "ana" (demo.mastery:11, 3 expectations)
  expect ana MATH.1 proficient (demo.mastery:15)
    expected: proficient
    got:      developing, score 2 (Developing)
    why:
      MATH.1 "Number sense": developing, score 2 (Developing)
        calculate most_recent gives 2 (set by Demo at demo.mastery:7)
        proficient at 3 (Proficient) (set by Demo at demo.mastery:8)
        evidence that counts (1):
          2026-01-10 score 2 from quiz [demo.mastery line 14]
        still missing:
          - MATH.1 needs a score of 3 or more (now 2)
  expect ana requirement algebar (demo.mastery:17)
    error[MK603]: `algebar` is not a requirement of this policy
    help: did you mean `algebra`?
FAIL example "undated" (demo.mastery:19, 0 expectations)
  error[MK600]: example `undated` has no `as of` date (demo.mastery:19:1)
    help: add `as of YYYY-MM-DD` so the example gives the same result every day
2 examples: 0 passed, 2 failed
"""
    )
