"""``masterykit check``: quiet on clean files, every problem and a summary line otherwise."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from masterykit.schemas import load_schema

SPEC_EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "examples"

VALID = sorted(p.name for p in SPEC_EXAMPLES.glob("*.mastery") if ".invalid." not in p.name)
INVALID = sorted(p.name for p in SPEC_EXAMPLES.glob("*.invalid.mastery"))

MISSPELLED = 'policy "Typo" version "1"\nscale two { 1 NotYet 2 Yes }\nproficent at Yes\n'


def expected_errors(path: Path) -> list[str]:
    """The texts an acceptance example's ``# expect error:`` lines promise."""
    return re.findall(r"^# expect error: (.*)$", path.read_text("utf-8"), re.MULTILINE)


@pytest.mark.parametrize("name", VALID)
def test_valid_acceptance_examples_check_clean_and_quietly(run, spec_examples, name):
    result = run(["check", str(spec_examples / name)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("name", INVALID)
def test_invalid_acceptance_examples_are_rejected_in_a_real_process(spec_examples, name):
    path = spec_examples / name
    process = subprocess.run(
        [sys.executable, "-m", "masterykit", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"NO_COLOR": "1", "PATH": ""},
    )
    output = process.stdout + process.stderr
    assert process.returncode == 1, output
    for text in expected_errors(path):
        assert text in output
    assert "Traceback" not in output


def test_a_misspelled_keyword_is_shown_with_its_line_and_a_summary(run, tmp_path):
    policy = tmp_path / "typo.mastery"
    policy.write_text(MISSPELLED, "utf-8")
    result = run(["check", str(policy)])
    assert result.exit_code == 1
    assert result.stdout == (
        "error[MK114]: unexpected word `proficent`: expected a statement (`scale`, `area`, "
        "`calculate`, `proficient`, `requirement` …)\n"
        f" --> {policy}:3:1\n"
        "  |\n"
        "3 | proficent at Yes\n"
        "  | ^^^^^^^^^\n"
        "  = help: did you mean `proficient`?\n"
        "\n"
        "1 error in 1 file\n"
    )


def test_a_folder_checks_every_policy_file_in_it(run, tmp_path):
    (tmp_path / "a.mastery").write_text(MISSPELLED, "utf-8")
    (tmp_path / "b.mastery").write_text(MISSPELLED, "utf-8")
    result = run(["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.endswith("\n2 errors in 2 files\n")


def test_json_output_follows_the_diagnostics_schema(run, spec_examples, tmp_path):
    policy = tmp_path / "typo.mastery"
    policy.write_text(MISSPELLED, "utf-8")
    result = run(["check", "--format", "json", str(policy), str(spec_examples / VALID[0])])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("diagnostics"))
    assert document["summary"] == {
        "files": 2,
        "files_with_errors": 1,
        "errors": 1,
        "warnings": 0,
    }
    [diagnostic] = document["diagnostics"]
    assert (diagnostic["code"], diagnostic["file"], diagnostic["line"]) == (
        "MK114",
        str(policy),
        3,
    )
    assert [f["ok"] for f in document["files"]] == [False, True]


def test_json_output_for_clean_files_says_ok(run, spec_examples):
    result = run(["check", "--format", "json", str(spec_examples / VALID[0])])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("diagnostics"))
    assert document["ok"] is True
    assert document["diagnostics"] == []


def test_a_file_that_is_not_text_is_a_policy_problem(run, tmp_path):
    policy = tmp_path / "binary.mastery"
    policy.write_bytes(b"\x00\x01")
    result = run(["check", str(policy)])
    assert result.exit_code == 1
    assert result.stdout.startswith("error[MK102]: this file is not text (it contains NUL bytes)\n")
