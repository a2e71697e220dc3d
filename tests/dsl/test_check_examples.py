"""``check`` refuses a policy whose worked examples name what the policy does not have."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.diagnostics import Severity
from masterykit.dsl._check_examples import check_examples
from masterykit.loader import load

POLICY = """\
policy "Examples" version "1"

scale four {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.1 "One"
  competency MATH.2 "Two"
}

calculate highest
proficient at Proficient

requirement numeracy {
  all of MATH proficient
}

advance "Grade 6" to "Grade 7" when requirement numeracy
"""

EXAMPLE = """
example "names that do not exist" {
  as of 2026-06-01
  learner ana
  evidence {
    ana math.1 3 on 2026-01-10
    ana MATH.3 3 on 2026-01-10
    bo MATH.1 3 on 2026-01-10
  }
  expect ana MATH.9 proficient
  expect ana MATH.1 level Proficent
  expect cy MATH.1 proficient
  expect ana requirement numerasy
  expect ana advance "Grade 6" to "Grade 8"
  expect ana graduate
  expect ana pace on_track
}
"""


def test_every_name_an_example_uses_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "examples.mastery"
    path.write_text(POLICY + EXAMPLE, encoding="utf-8")
    diagnostics = check_examples(load(path))  # the policy loads: examples are not rules
    found = [(d.code, d.message, d.help, d.span.line if d.span else 0) for d in diagnostics]
    assert found == [
        ("MK602", "`math.1` is not a competency of this policy", "did you mean `MATH.1`?", 28),
        ("MK602", "`MATH.3` is not a competency of this policy", "did you mean `MATH.2`?", 29),
        (
            "MK611",
            "evidence names `bo`, who is not a learner of this example",
            "declare it with `learner bo`",
            30,
        ),
        ("MK602", "`MATH.9` is not a competency of this policy", "did you mean `MATH.2`?", 32),
        (
            "MK608",
            "`Proficent` is not a level of the scale of `MATH.1` (`four`)",
            "did you mean `Proficient`?",
            33,
        ),
        ("MK601", "`cy` is not a learner of this example", "declare it with `learner cy`", 34),
        ("MK603", "`numerasy` is not a requirement of this policy", "did you mean `numeracy`?", 35),
        (
            "MK604",
            'this policy has no `advance "Grade 6" to "Grade 8"`',
            'the policy\'s advancements: "Grade 6" to "Grade 7"',
            36,
        ),
        ("MK605", "this policy has no `graduate when` rule", None, 37),
        ("MK606", "this policy has no `pace` rule", None, 38),
    ]
    assert all(d.severity is Severity.ERROR for d in diagnostics)
    run = CliRunner().invoke(cli, ["check", str(path)], prog_name="masterykit")
    assert run.exit_code == 1
    assert "error[MK602]: `math.1` is not a competency of this policy" in run.output
    assert "10 errors in 1 file" in run.output


def test_an_example_that_only_fails_its_expectations_still_checks(tmp_path: Path) -> None:
    path = tmp_path / "fine.mastery"
    path.write_text(
        POLICY
        + 'example "wrong but well-formed" {\n  as of 2026-06-01\n  learner ana\n'
        + "  evidence {\n    ana MATH.1 1 on 2026-01-10\n  }\n  expect ana MATH.1 proficient\n}\n",
        encoding="utf-8",
    )
    assert check_examples(load(path)) == []  # `masterykit test` says it does not hold
