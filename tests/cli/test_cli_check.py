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


# --- paths the file system cannot follow -------------------------------------------------------

GOOD = (
    'policy "Good" version "1"\nscale two { 1 NotYet 2 Yes }\n'
    'area MATH "Mathematics" { competency MATH.1 "Number sense" }\n'
    "calculate highest\nproficient at Yes\n"
)
LONG_NAME = "standards-" * 30 + ".mastery"  # 308 bytes: longer than any file system allows


def json_diagnostics(run, *paths: Path) -> tuple[int, list[tuple[str, str, str, int | None]]]:
    result = run(["check", "--format", "json", *map(str, paths)])
    assert "Traceback" not in result.output
    found = json.loads(result.stdout)["diagnostics"]
    return result.exit_code, [(d["code"], d["message"], d["file"], d["line"]) for d in found]


def linked_in_a_circle(folder: Path) -> None:
    (folder / "loop-a.mastery").symlink_to("loop-b.mastery")
    (folder / "loop-b.mastery").symlink_to("loop-a.mastery")


@pytest.mark.parametrize(
    ("written", "code", "message"),
    [
        (
            LONG_NAME,
            "MK130",
            "the name `standards-standards-standard…standards-standards-.mastery` in the path is "
            "308 bytes long; a name may have at most 255",
        ),
        (
            "a/" * 600 + "b.mastery",
            "MK130",
            "the path `a/a/a/a/a/a/a/a/a/a/a/a/a/a/…/a/a/a/a/a/a/a/a/a/b.mastery` is 1,209 "
            "characters long; a path may have at most 1,024",
        ),
        (
            "loop-a.mastery",
            "MK131",
            "`loop-a.mastery` cannot be opened: its symbolic links lead round in a circle",
        ),
    ],
    ids=["long-name", "long-path", "link-circle"],
)
@pytest.mark.parametrize("statement", ["extends", "import framework"])
def test_a_path_the_file_system_cannot_follow_is_reported_on_its_line(
    run, tmp_path, written, code, message, statement
):
    linked_in_a_circle(tmp_path)
    if statement == "extends":
        text = f'policy "Bad" version "1" extends "{written}"\n'
    else:
        text = GOOD + f'import framework "{written}"\n'
    (tmp_path / "bad.mastery").write_text(text, "utf-8")
    (tmp_path / "good.mastery").write_text(GOOD, "utf-8")
    line = 1 if statement == "extends" else 6
    exit_code, found = json_diagnostics(run, tmp_path / "bad.mastery", tmp_path / "good.mastery")
    assert (exit_code, found) == (1, [(code, message, str(tmp_path / "bad.mastery"), line)])


def test_checking_a_folder_reports_every_file_whatever_one_of_them_names(run, tmp_path):
    linked_in_a_circle(tmp_path)
    (tmp_path / "a-long.mastery").write_text(
        f'policy "Long" version "1" extends "{LONG_NAME}"\n', "utf-8"
    )
    (tmp_path / "b-loop.mastery").write_text(
        'policy "Loop" version "1" extends "loop-a.mastery"\n', "utf-8"
    )
    (tmp_path / "c-typo.mastery").write_text(MISSPELLED, "utf-8")
    (tmp_path / "d-good.mastery").write_text(GOOD, "utf-8")
    result = run(["check", "--format", "json", str(tmp_path)])
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["path"].removeprefix(f"{tmp_path}/"), f["ok"]) for f in document["files"]] == [
        ("a-long.mastery", False),
        ("b-loop.mastery", False),
        ("c-typo.mastery", False),
        ("d-good.mastery", True),
    ]
    assert [d["code"] for d in document["diagnostics"]] == ["MK130", "MK131", "MK114"]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (36, "MK130", "the path `base.mastery` is too long for the file system"),
        (13, "MK100", "policy file `{folder}/base.mastery` cannot be read: Permission denied"),
        (5, "MK100", "policy file `{folder}/base.mastery` cannot be read: Input/output error"),
    ],
    ids=["ENAMETOOLONG", "EACCES", "EIO"],
)
def test_every_error_opening_a_base_is_a_diagnostic_on_the_extends_line(
    run, tmp_path, monkeypatch, error, code, message
):
    import os

    from masterykit import loader

    real = loader.read_limited

    def failing(path, limit):
        if Path(path).name == "base.mastery":
            raise OSError(error, os.strerror(error), str(path))
        return real(path, limit)

    monkeypatch.setattr(loader, "read_limited", failing)
    (tmp_path / "base.mastery").write_text(GOOD, "utf-8")
    top = tmp_path / "top.mastery"
    top.write_text('policy "Top" version "1" extends "base.mastery"\n', "utf-8")
    message = message.format(folder=tmp_path)
    assert json_diagnostics(run, top) == (1, [(code, message, str(top), 1)])


def test_a_base_that_is_a_file_where_a_folder_should_be_does_not_exist(run, tmp_path):
    (tmp_path / "district.mastery").write_text(GOOD, "utf-8")
    top = tmp_path / "top.mastery"
    top.write_text('policy "Top" version "1" extends "district.mastery/x.mastery"\n', "utf-8")
    assert json_diagnostics(run, top) == (
        1,
        [("MK200", "`district.mastery/x.mastery` does not exist", str(top), 1)],
    )


# --- files larger than the limit, devices and pipes --------------------------------------------


def test_a_2_gib_base_is_refused_from_its_size_without_being_read(run, tmp_path):
    huge = tmp_path / "huge.mastery"
    with huge.open("wb") as stream:  # sparse: takes no room on disk
        stream.truncate(2 * 1024**3)
    top = tmp_path / "top.mastery"
    top.write_text('policy "Top" version "1" extends "huge.mastery"\n', "utf-8")
    assert json_diagnostics(run, top) == (
        1,
        [("MK103", "the policy file is 2,147,483,648 bytes; the limit is 4,194,304", str(top), 1)],
    )


def test_an_endless_device_is_read_only_up_to_the_limit(tmp_path):
    from masterykit.loader import check_file

    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    result = check_file("/dev/zero")
    assert [(d.code, d.message, d.location) for d in result.diagnostics] == [
        (
            "MK103",
            "the policy file is more than 4,194,304 bytes; the limit is 4,194,304",
            "/dev/zero",
        )
    ]


def test_a_named_pipe_nobody_writes_to_reads_as_empty_instead_of_waiting(run, tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes")
    os.mkfifo(tmp_path / "pipe.mastery")
    top = tmp_path / "top.mastery"
    top.write_text('policy "Top" version "1" extends "pipe.mastery"\n', "utf-8")
    exit_code, found = json_diagnostics(run, top)
    assert (exit_code, found) == (
        1,
        [("MK104", "the policy file is empty", str(tmp_path / "pipe.mastery"), 1)],
    )


@pytest.mark.parametrize("command", ["check", "fmt"])
def test_a_file_name_too_long_to_look_at_is_a_usage_error(run, tmp_path, command):
    name = str(tmp_path / LONG_NAME)
    result = run([command, name])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error[MK404]: policy file `{name}` does not exist\n"
        "  = help: check the path; relative paths start from the current folder\n",
    )


# --- district files -----------------------------------------------------------------------------

BASE = """\
policy "Base" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" }
calculate highest
proficient at Yes
"""


def _district(tmp_path: Path, school: str) -> Path:
    (tmp_path / "schools").mkdir()
    (tmp_path / "base.mastery").write_text(BASE, "utf-8")
    (tmp_path / "schools" / "north.mastery").write_text(school, "utf-8")
    path = tmp_path / "district.mastery"
    path.write_text(
        'district "D" {\n  when learner.school = "north" use "schools/north.mastery"\n'
        '  when learner.school = "south" use "schools/south.mastery"\n'
        '  otherwise use "base.mastery"\n}\n',
        "utf-8",
    )
    return path


def test_check_reports_a_district_and_its_routed_policies_in_their_own_files(run, tmp_path):
    school = 'policy "North" extends "../base.mastery"\nproficent at Yes\n'
    path = _district(tmp_path, school)
    result = run(["check", str(path)])
    assert result.exit_code == 1
    north = tmp_path / "schools" / "north.mastery"
    assert "error[MK114]: unexpected word `proficent`" in result.stdout
    assert f" --> {north}:2:1\n" in result.stdout
    assert "error[MK290]: `schools/south.mastery` does not exist\n" in result.stdout
    assert f" --> {path}:3:37\n" in result.stdout
    assert result.stdout.endswith("2 errors in 1 file\n")


def test_check_json_of_a_district_follows_the_schema(run, tmp_path):
    path = _district(tmp_path, 'policy "North" extends "../base.mastery"\n')
    result = run(["check", "--format", "json", str(path)])
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("diagnostics"))
    assert [d["code"] for d in document["diagnostics"]] == ["MK290"]
    assert document["files"][0]["path"] == str(path)
