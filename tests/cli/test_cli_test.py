"""``masterykit test``: one line per example, what failed and why, ``N passed, N failed``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from masterykit.schemas import load_schema

SPEC_EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "examples"
VALID = sorted(p.name for p in SPEC_EXAMPLES.glob("*.mastery") if ".invalid." not in p.name)

SMALL = """\
policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" }
calculate highest
proficient at Yes
requirement counting "Counting" { all of M proficient }
graduate when {
  any {
    pathway "Exam" { requirement counting }
    pathway "Portfolio" { learner.portfolio }
  }
}
"""

PASSING = """\
example "ana counts" {
  as of 2026-06-01
  learner ana
  evidence {
    ana M.1 2 on 2026-01-10
  }
  expect ana M.1 proficient
  expect ana graduate
}
"""

FAILING = """\
example "bo does not count yet" {
  as of 2026-06-01
  learner bo
  evidence {
    bo M.1 1 on 2026-01-10
  }
  expect bo M.1 proficient
  expect bo M.2 proficient
}
"""


def policy(tmp_path: Path, *examples: str, name: str = "small.mastery") -> Path:
    path = tmp_path / name
    path.write_text(SMALL + "".join(examples), "utf-8")
    return path


@pytest.mark.parametrize("name", VALID)
def test_every_valid_acceptance_example_passes(run, spec_examples, name):
    result = run(["test", str(spec_examples / name)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(line.startswith("PASS ") for line in lines[: lines.index("")])
    assert f"{lines.index('')} passed, 0 failed" in lines


def test_a_passing_example_prints_one_line_and_the_summary(run, tmp_path):
    path = policy(tmp_path, PASSING)
    result = run(["test", str(path)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        'PASS small.mastery: "ana counts"',
        "",
        "1 passed, 0 failed",
    ]


def test_a_failed_expectation_shows_expected_actual_and_why(run, tmp_path):
    path = policy(tmp_path, PASSING, FAILING)
    result = run(["test", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(
        'PASS small.mastery: "ana counts"\n'
        'FAIL small.mastery: "bo does not count yet"\n'
        "  expect bo M.1 proficient (line 28)\n"
        "    expected: proficient\n"
        "    actual:   developing, score 1 (NotYet)\n"
        "    why:\n"
        '      M.1 "Counts": developing, score 1 (NotYet)\n'
    )
    assert (
        "  expect bo M.2 proficient (line 29)\n"
        "    error[MK602]: `M.2` is not a competency of this policy\n"
        "    help: did you mean `M.1`?\n"
    ) in result.stdout
    assert "\n1 passed, 1 failed\n" in result.stdout


def test_the_summary_counts_examples_not_expectations(run, tmp_path):
    path = policy(tmp_path, FAILING, FAILING.replace("bo does", "cy does").replace("bo", "cy"))
    result = run(["test", str(path)])
    assert "\n0 passed, 2 failed\n" in result.stdout


def test_a_short_coverage_line_names_what_no_example_exercised(run, tmp_path):
    path = policy(tmp_path, PASSING)
    result = run(["test", str(path)])
    assert result.stdout.splitlines()[-1] == (
        "coverage: small.mastery: requirement `counting` never failed by any example; "
        "small.mastery: graduate never failed by any example; "
        'small.mastery: graduate pathway "Portfolio" never taken by any example '
        "(see `--coverage`)"
    )


def test_the_coverage_report_lists_decisions_pathways_and_clauses(run, tmp_path):
    path = policy(tmp_path, PASSING, FAILING)
    result = run(["test", "--coverage", str(path)])
    report = result.stdout[result.stdout.index(f"coverage of {path}:") :]
    assert report.splitlines() == [
        f"coverage of {path}:",
        "  requirement `counting`: met and not met",
        "  graduate: met and not met",
        '  pathway "Exam": taken 1 time',
        '  pathway "Portfolio": taken 0 times',
        "  requirement `counting`: `all of M proficient` (line 6): met and not met",
        "  graduate: `any { … }` (line 8): met and not met",
        '  graduate: `pathway "Exam"` (line 9): met and not met',
        "  graduate: `requirement counting` (line 9): met and not met",
        '  graduate: `pathway "Portfolio"` (line 10): not met',
        "  graduate: `learner.portfolio` (line 10): not met",
    ]


def test_an_example_without_a_date_fails_with_its_diagnostic(run, tmp_path):
    path = policy(tmp_path, 'example "undated" {\n  learner ana\n  expect ana not graduate\n}\n')
    result = run(["test", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(
        'FAIL small.mastery: "undated"\n  error[MK600]: example `undated` has no `as of` date\n'
    )


def test_a_policy_with_errors_runs_no_example_and_fails(run, spec_examples):
    result = run(["test", str(spec_examples / "05-unknown-competency.invalid.mastery")])
    assert result.exit_code == 1
    assert "the policy has errors; no example ran" in result.stdout
    assert "error[MK230]: unknown competency, area or group `MATH.9`" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed"


def test_a_policy_without_examples_passes_with_nothing_to_run(run, tmp_path):
    result = run(["test", str(policy(tmp_path))])
    assert result.exit_code == 0
    assert result.stdout.startswith("\n0 passed, 0 failed\n")


def test_json_output_follows_the_test_schema(run, spec_examples, tmp_path):
    path = policy(tmp_path, PASSING, FAILING)
    broken = spec_examples / "05-syntax.invalid.mastery"
    result = run(["test", "--format", "json", str(path), str(broken)])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("test"))
    assert document["summary"] == {"passed": 1, "failed": 1, "files": 2, "files_with_errors": 1}
    failed = document["files"][0]["examples"][1]["expectations"][0]
    assert (failed["expected"], failed["actual"]) == ("proficient", "developing, score 1 (NotYet)")
    assert document["files"][0]["coverage"]["pathways"] == {"Exam": 1, "Portfolio": 0}
    assert document["files"][1]["coverage"] is None


def test_json_output_of_the_acceptance_examples_is_ok(run, spec_examples):
    files = [str(spec_examples / name) for name in VALID]
    result = run(["test", "--format", "json", *files])
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("test"))
    assert document["ok"] is True


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["test", "missing.mastery"],
            "error[MK404]: policy file `missing.mastery` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
        (
            ["test", "--format", "yaml", "missing.mastery"],
            "error[MK403]: `--format` must be one of `text`, `json`, not `yaml`\n"
            "  = help: see `masterykit test --help`\n",
        ),
    ],
)
def test_test_usage_errors(run, args, expected):
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr == expected


# --- district files -----------------------------------------------------------------------------

SCHOOL = """\
policy "Small School" extends "small.mastery"
calculate most_recent
"""

DISTRICT = """\
district "Small District" {
  when learner.school = "east" not evaluated "East moves to mastery-based grading in 2027"
  when learner.school = "north" use "school.mastery"
  when learner.school = "south" use "school.mastery"
  otherwise use "small.mastery"
}

example "learners are routed by school" {
  as of 2026-06-01
  learner ana { school: "north" }
  learner bo { school: "east" }
  learner cy
  evidence {
    ana M.1 1 on 2026-01-10
    ana M.1 2 on 2026-02-10
    cy M.1 2 on 2026-01-10
  }
  expect ana policy "Small School"
  expect ana M.1 proficient
  expect bo not evaluated
  expect cy policy "Small"
  expect cy graduate
}
"""


def district(tmp_path: Path, text: str = DISTRICT) -> Path:
    policy(tmp_path)
    (tmp_path / "school.mastery").write_text(SCHOOL, "utf-8")
    path = tmp_path / "district.mastery"
    path.write_text(text, "utf-8")
    return path


def test_a_district_files_examples_route_each_learner_first(run, tmp_path):
    result = run(["test", str(district(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        'PASS district.mastery: "learners are routed by school"',
        "",
        "1 passed, 0 failed",
    ]
    assert lines[-1] == (
        'coverage: district.mastery: route 3 `when learner.school = "south" use "school.mastery"` '
        "never taken by any example (see `--coverage`)"
    )


def test_a_failed_routing_expectation_says_which_route_the_learner_took(run, tmp_path):
    text = DISTRICT.replace("expect bo not evaluated", 'expect bo policy "Small"').replace(
        "expect ana M.1 proficient", "expect bo M.1 proficient"
    )
    result = run(["test", str(district(tmp_path, text))])
    assert result.exit_code == 1
    assert (
        '  expect bo policy "Small" (line 20)\n'
        '    expected: policy "Small"\n'
        "    actual:   not evaluated (East moves to mastery-based grading in 2027)\n"
        "    why:\n"
        '      route 1 is the first whose condition holds: when learner.school = "east" not '
        'evaluated "East moves to mastery-based grading in 2027"\n'
    ) in result.stdout
    assert (
        "  expect bo M.1 proficient (line 19)\n"
        "    expected: M.1 proficient\n"
        "    actual:   not evaluated (East moves to mastery-based grading in 2027)\n"
    ) in result.stdout


def test_the_coverage_report_of_a_district_counts_learners_per_route(run, tmp_path):
    result = run(["test", "--coverage", str(district(tmp_path))])
    assert result.exit_code == 0, result.output
    report = result.stdout.split("coverage of ", 1)[1].splitlines()
    assert report[1:5] == [
        '  route 1 `when learner.school = "east" not evaluated "East moves to mastery-based '
        'grading in 2027"` (line 2): taken by 1 learner',
        '  route 2 `when learner.school = "north" use "school.mastery"` (line 3): taken by 1 '
        "learner",
        '  route 3 `when learner.school = "south" use "school.mastery"` (line 4): taken by 0 '
        "learners",
        '  route 4 `otherwise use "small.mastery"` (line 5): taken by 1 learner',
    ]


def test_the_json_of_a_district_file_lists_its_routes_and_follows_the_schema(run, tmp_path):
    result = run(["test", "--format", "json", str(district(tmp_path))])
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("test"))
    (file,) = document["files"]
    assert [(r["route"], r["line"], r["learners"]) for r in file["routes"]] == [
        (1, 2, 1), (2, 3, 1), (3, 4, 0), (4, 5, 1),
    ]  # fmt: skip
    assert [e["passed"] for e in file["examples"][0]["expectations"]] == [True] * 5


def test_a_routing_expectation_in_a_policys_example_is_refused(run, tmp_path):
    path = policy(tmp_path, PASSING.replace("expect ana graduate", 'expect ana policy "Small"'))
    result = run(["test", str(path)])
    assert result.exit_code == 1
    assert (
        "    error[MK452]: `expect … policy` is for the examples of a district file; a policy "
        "evaluates every learner itself\n"
    ) in result.stdout
