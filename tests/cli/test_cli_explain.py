"""``masterykit explain``: one learner's results, the reasons, and the next steps."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from masterykit.schemas import load_schema

POLICY = """\
policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" competency M.2 "Adds" }
calculate highest
proficient at Yes
graduate when { all of M proficient }
"""

EVIDENCE = """\
learner,competency,score,timestamp,kind
ana,M.1,2,2026-01-10,quiz
ana,M.2,1,2026-02-10,quiz
bo,M.1,1,2026-01-12,quiz
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "small.mastery").write_text(POLICY, "utf-8")
    (tmp_path / "evidence.csv").write_text(EVIDENCE, "utf-8")
    (tmp_path / "learners.csv").write_text("id,iep\nana,false\ncy,true\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


BASE = ["explain", "small.mastery", "--evidence", "evidence.csv", "--as-of", "2026-06-01"]


def test_explain_shows_the_tree_and_the_next_steps(run, files):
    result = run([*BASE, "--learner", "ana"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ana: Small 1, as of 2026-06-01\n\nlearner ana\n")
    assert '  M.1 "Counts": proficient, score 2 (Yes)\n' in result.stdout
    assert '  M.2 "Adds": developing, score 1 (NotYet)\n' in result.stdout
    assert "  graduate: not met\n" in result.stdout
    assert result.stdout.endswith("\nnext steps:\n  - M.2 needs a score of 2 or more (now 1)\n")


def test_explain_one_competency_shows_the_evidence_and_the_rules(run, files):
    result = run([*BASE, "--learner", "ana", "--competency", "M.2"])
    assert result.exit_code == 0
    assert result.stdout == (
        "ana: Small 1, as of 2026-06-01\n"
        "\n"
        'M.2 "Adds": developing, score 1 (NotYet)\n'
        "  calculate highest gives 1 (set by Small at small.mastery:4)\n"
        "  proficient at 2 (Yes) (set by Small at small.mastery:5)\n"
        "  evidence that counts (1):\n"
        "    2026-02-10 score 1 from quiz [evidence.csv line 3]\n"
        "  still missing:\n"
        "    - M.2 needs a score of 2 or more (now 1)\n"
        "\n"
        "next steps:\n"
        "  - M.2 needs a score of 2 or more (now 1)\n"
    )


def test_a_learner_from_the_learners_file_without_evidence_can_be_explained(run, files):
    result = run([*BASE, "--learners", "learners.csv", "--learner", "cy"])
    assert result.exit_code == 0
    assert '  M.1 "Counts": not started\n' in result.stdout


def test_json_output_follows_the_explain_schema(run, files):
    result = run([*BASE, "--learner", "ana", "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("explain"))
    assert document["explanation"]["text"] == "learner ana"
    assert [step["text"] for step in document["next_steps"]] == [
        "M.2 needs a score of 2 or more (now 1)"
    ]
    assert document["result"]["graduation"]["held"] is False


@pytest.mark.parametrize(
    ("args", "status", "expected"),
    [
        (
            [*BASE, "--learner", "an"],
            1,
            "error[MK409]: learner `an` is not in the evidence file `evidence.csv`\n"
            "  = help: did you mean `ana`?\n",
        ),
        (
            [*BASE, "--learners", "learners.csv", "--learner", "bo"],
            1,
            "error[MK409]: learner `bo` is not in the learners file `learners.csv`\n"
            "  = help: check the id against the learners file\n",
        ),
        (
            [*BASE, "--learner", "ana", "--competency", "M.3"],
            1,
            "error[MK410]: competency `M.3` is not in the policy\n  = help: did you mean `M.2`?\n",
        ),
        (
            BASE,
            2,
            "error[MK402]: `masterykit explain` needs `--learner ID`\n"
            "  = help: see `masterykit explain --help`\n",
        ),
        (
            ["explain", "small.mastery", "--evidence", "nope.csv", "--learner", "ana"],
            2,
            "error[MK404]: evidence file `nope.csv` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
    ],
)
def test_explain_bad_inputs(run, files, args, status, expected):
    result = run(args)
    assert result.exit_code == status
    assert result.stderr == expected
    assert result.stdout == ""


# --- district files --------------------------------------------------------------------------


@pytest.fixture
def district_files(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
    from district_kit import write_district

    routes = write_district(tmp_path)
    (tmp_path / "learners.csv").write_text(
        "id,school,entry_year\nana,north,2025\ndee,east,\n", encoding="utf-8"
    )
    (tmp_path / "evidence.csv").write_text(
        "learner,competency,score,timestamp\nana,MATH.1,4,2026-02-10\ndee,MATH.1,4,2026-02-10\n",
        encoding="utf-8",
    )
    return [str(routes), "--evidence", str(tmp_path / "evidence.csv"), "--learners",
            str(tmp_path / "learners.csv"), "--as-of", "2026-06-01"]  # fmt: skip


def test_explain_through_a_district_names_the_policy_and_the_route(run, district_files):
    result = run(["explain", *district_files, "--learner", "ana"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ana: North High 2026.2, as of 2026-06-01"
    assert lines[3] == '  policy "North High" version 2026.2'
    assert lines[4].startswith('    chosen by route 2: when learner.school = "north" use')


def test_explain_json_through_a_district_follows_the_schema(run, district_files):
    result = run(["explain", *district_files, "--learner", "dee", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("explain"))
    assert document["district"]["name"] == "Lake County"
    assert document["policy"]["kind"] == "district"
    assert document["result"]["not_evaluated"]["code"] == "MK391"


def test_a_competency_of_a_learner_not_evaluated_is_refused(run, district_files):
    result = run(["explain", *district_files, "--learner", "dee", "--competency", "MATH.1"])
    assert result.exit_code == 1
    assert (
        "error[MK455]: learner `dee` has no result for competency `MATH.1`: learner `dee` is "
        "not evaluated: East moves to mastery-based grading in 2027"
    ) in result.stderr


def test_a_competency_the_routed_policy_lacks_is_refused(run, district_files):
    result = run(["explain", *district_files, "--learner", "ana", "--competency", "NOPE.1"])
    assert result.exit_code == 1
    assert "error[MK410]: competency `NOPE.1` is not in the policy" in result.stderr
