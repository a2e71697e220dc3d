"""What ``masterykit evaluate`` writes, and where: never over an input, never half a file, errors
with a code, CSV cells a spreadsheet will not run, and the same bytes whichever way it goes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = """\
policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" competency M.2 "Adds" }
calculate highest
proficient at Yes
"""

EVIDENCE = """\
learner,competency,score,timestamp
ana,M.1,2,2026-01-10
bo,M.1,1,2026-01-12
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "small.mastery").write_text(POLICY, "utf-8")
    (tmp_path / "evidence.csv").write_text(EVIDENCE, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


BASE = ["evaluate", "small.mastery", "--evidence", "evidence.csv", "--as-of", "2026-06-01"]


def refused(output: str, given: str, relation: str = "is the input") -> str:
    return (
        f"error[MK419]: the output `{output}` {relation} `{given}`; writing it would destroy "
        "the input\n"
        "  = help: write the output to another file\n"
    )


# --- an output that is one of the inputs ------------------------------------------------------


@pytest.mark.parametrize("sorted_by_id", [[], ["--sorted"]])
def test_an_output_that_is_the_evidence_file_is_refused_and_the_evidence_kept(
    run, files, sorted_by_id
):
    result = run([*BASE, "--format", "csv", *sorted_by_id, "-o", "evidence.csv"])
    assert result.exit_code == 2
    assert result.stderr == refused("evidence.csv", "evidence.csv")
    assert (files / "evidence.csv").read_text("utf-8") == EVIDENCE


def test_an_output_that_reaches_an_input_by_a_link_or_another_name_is_refused(run, files):
    os.symlink("evidence.csv", files / "soft.csv")
    os.link(files / "evidence.csv", files / "hard.csv")
    (files / "sub").mkdir()
    for output in ("soft.csv", "hard.csv", "sub/../evidence.csv", str(files / "evidence.csv")):
        result = run([*BASE, "--format", "csv", "--sorted", "-o", output])
        assert result.exit_code == 2, output
        assert result.stderr == refused(output, "evidence.csv"), output
    assert (files / "evidence.csv").read_text("utf-8") == EVIDENCE


def test_the_policy_and_the_learners_file_are_inputs_too(run, files):
    (files / "learners.csv").write_text("id\nana\n", "utf-8")
    result = run([*BASE, "--learners", "learners.csv", "-o", "small.mastery"])
    assert result.exit_code == 2
    assert result.stderr == refused("small.mastery", "small.mastery")
    result = run([*BASE, "--learners", "learners.csv", "-o", "learners.csv"])
    assert result.stderr == refused("learners.csv", "learners.csv")
    assert (files / "small.mastery").read_text("utf-8") == POLICY


def test_an_output_inside_an_input_folder_is_refused(run, files):
    (files / "roster").mkdir()
    args = ["evaluate", "small.mastery", "--evidence", "roster", "--evidence-format", "oneroster"]
    result = run([*args, "-o", "roster/results.csv"])
    assert result.exit_code == 2
    assert result.stderr == refused("roster/results.csv", "roster", "is inside the input folder")


# --- a run that fails leaves the previous output -------------------------------------------


def test_a_run_that_fails_part_way_leaves_the_previous_output_and_no_partial_file(run, files):
    (files / "unsorted.csv").write_text(
        "learner,competency,score,timestamp\nbo,M.1,2,2026-01-10\nana,M.1,2,2026-01-11\n",
        "utf-8",
    )
    (files / "out.csv").write_text("the previous run\n", "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "unsorted.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--format", "csv", "--sorted", "-o", "out.csv"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error[MK357]: evidence for learner `ana`")
    assert (files / "out.csv").read_text("utf-8") == "the previous run\n"
    assert sorted(p.name for p in files.iterdir()) == [
        "evidence.csv",
        "out.csv",
        "small.mastery",
        "unsorted.csv",
    ]


def test_an_output_file_appears_whole_and_keeps_the_permissions_of_the_one_it_replaces(run, files):
    (files / "out.csv").write_text("old\n", "utf-8")
    os.chmod(files / "out.csv", 0o640)
    result = run([*BASE, "--format", "csv", "-o", "out.csv"])
    assert result.exit_code == 0
    assert (files / "out.csv").read_text("utf-8").startswith("learner,type,name,")
    assert (files / "out.csv").stat().st_mode & 0o777 == 0o640


def test_an_output_through_a_symbolic_link_replaces_the_file_and_keeps_the_link(run, files):
    (files / "runs").mkdir()
    (files / "runs" / "monday.csv").write_text("old\n", "utf-8")
    os.symlink("runs/monday.csv", files / "latest.csv")
    result = run([*BASE, "--format", "csv", "-o", "latest.csv"])
    assert result.exit_code == 0
    assert (files / "latest.csv").is_symlink()
    assert (files / "runs" / "monday.csv").read_text("utf-8").startswith("learner,type,")
    assert sorted(p.name for p in (files / "runs").iterdir()) == ["monday.csv"]


# --- an output that cannot be written ------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("sorted_by_id", [[], ["--sorted"]])
def test_a_full_disk_is_an_output_error_naming_the_path(run, files, sorted_by_id):
    result = run([*BASE, "--format", "csv", *sorted_by_id, "-o", "/dev/full"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK413]: cannot write `/dev/full`: No space left on device\n"
        "  = help: free some space on the disk, or write the output somewhere else\n"
    )


def test_a_folder_as_the_output_is_an_output_error(run, files):
    (files / "results").mkdir()
    result = run([*BASE, "-o", "results"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK413]: cannot write `results`: Is a directory\n"
        "  = help: give the path of a file to write, not of a folder\n"
    )


def test_a_path_under_a_file_is_an_output_error(run, files):
    result = run([*BASE, "--format", "jsonl", "--sorted", "-o", "evidence.csv/out.jsonl"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK413]: cannot write `evidence.csv/out.jsonl`: Not a directory\n"
        "  = help: a part of the path is a file, not a folder: check the path\n"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="the superuser may write anywhere, so the folder's permissions prove nothing",
)
def test_a_folder_without_write_permission_is_an_output_error(run, files):  # pragma: no cover
    (files / "locked").mkdir(mode=0o500)
    result = run([*BASE, "-o", "locked/out.json"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK413]: cannot write `locked/out.json`: Permission denied\n"
        "  = help: check that the folder exists and that you may write to it\n"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="the superuser may write anywhere, so the file's permissions prove nothing",
)
def test_a_read_only_output_file_is_not_replaced(run, files):  # pragma: no cover
    (files / "kept.json").write_text("kept\n", "utf-8")
    os.chmod(files / "kept.json", 0o444)
    result = run([*BASE, "-o", "kept.json"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK413]: cannot write `kept.json`: Permission denied\n"
        "  = help: check that the folder exists and that you may write to it\n"
    )
    assert (files / "kept.json").read_text("utf-8") == "kept\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_standard_output_that_cannot_be_written_is_an_output_error(files):
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "masterykit", *BASE, "--format", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        "error[MK413]: cannot write standard output: No space left on device\n"
        "  = help: free some space on the disk, or write the output somewhere else\n"
    )


def test_standard_output_closed_early_is_reported_with_its_own_code(files):
    rows = "".join(f"l{n:05},M.1,2,2026-01-10\n" for n in range(3000))
    (files / "many.csv").write_text("learner,competency,score,timestamp\n" + rows, "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "many.csv", "--format", "jsonl"]
    # Unbuffered, Python drops what a pipe did not take without an error: run buffered.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-m", "masterykit", *args, "--sorted"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith('{"type": "learner"')
    process.stdout.close()  # as `| head -1` does
    status = process.wait(timeout=120)
    assert status == 1
    with process.stderr:
        shown = process.stderr.read()
    assert shown == (
        "error[MK420]: standard output was closed before all the output was written (broken "
        "pipe)\n"
        "  = help: the program reading the output stopped early; to keep only part of it, "
        "write it to a file with `-o` and read that\n"
    )


# --- CSV cells a spreadsheet would run ------------------------------------------------------

INJECTED = """\
learner,competency,score,timestamp
+1+1,M.1,1,2026-01-10
-2,M.1,2,2026-01-10
"=HYPERLINK(""http://x"",""y"")",M.1,2,2026-01-10
@x,=M.9,-3,2026-01-10
"""

GUARDED = """\
learner,type,name,status,score,level,detail
'+1+1,competency,M.1,developing,1,NotYet,"1 counted, 0 not counted"
'+1+1,competency,M.2,not_started,,,"0 counted, 0 not counted"
'-2,competency,M.1,proficient,2,Yes,"1 counted, 0 not counted"
'-2,competency,M.2,not_started,,,"0 counted, 0 not counted"
"'=HYPERLINK(""http://x"",""y"")",competency,M.1,proficient,2,Yes,"1 counted, 0 not counted"
"'=HYPERLINK(""http://x"",""y"")",competency,M.2,not_started,,,"0 counted, 0 not counted"
'@x,competency,M.1,not_started,,,"0 counted, 0 not counted"
'@x,competency,M.2,not_started,,,"0 counted, 0 not counted"
'@x,rejection,'=M.9,MK351,-3,,injected.csv line 5: evidence for unknown competency `=M.9`
"""


@pytest.mark.parametrize("sorted_by_id", [[], ["--sorted"]])
def test_csv_cells_that_a_spreadsheet_would_run_are_guarded_but_scores_are_not(
    run, files, sorted_by_id
):
    (files / "injected.csv").write_text(INJECTED, "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "injected.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout == GUARDED


def test_no_csv_guard_writes_the_cells_as_they_are(run, files):
    (files / "injected.csv").write_text(INJECTED, "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "injected.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--format", "csv", "--no-csv-guard"])
    assert result.exit_code == 0
    assert result.stdout == GUARDED.replace("'", "")


# --- terminals ---------------------------------------------------------------------------


ESCAPES = "learner,competency,score,timestamp\n\x1b[31mred\x1b[0m,M.1,2,2026-01-10\n"


def test_output_is_the_same_on_standard_output_and_in_a_file(run, files):
    (files / "escapes.csv").write_text(ESCAPES, "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "escapes.csv", "--as-of", "2026-06-01"]
    for output_format in ("csv", "jsonl", "json", "table"):
        shown = run([*args, "--format", output_format])
        written = run([*args, "--format", output_format, "-o", f"out.{output_format}"])
        assert shown.exit_code == written.exit_code == 0
        assert (files / f"out.{output_format}").read_text("utf-8") == shown.stdout
    assert "\x1b[31mred\x1b[0m,competency,M.1" in (files / "out.csv").read_text("utf-8")


def test_a_table_shows_control_characters_escaped(run, files):
    (files / "escapes.csv").write_text(ESCAPES + "zed,\u202eevil,2,2026-01-10\n", "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "escapes.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--format", "table"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        "\\x1b[31mred\\x1b[0m  1/2         0             -             -           -"
    )
    assert "\x1b" not in result.stdout
    # Rejections are listed on standard error for people, escaped too.
    assert "\\u202eevil" in result.stderr
    assert "\u202e" not in result.stderr


def test_explain_shows_control_characters_escaped(run, files):
    (files / "escapes.csv").write_text(ESCAPES, "utf-8")
    args = ["explain", "small.mastery", "--evidence", "escapes.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--learner", "\x1b[31mred\x1b[0m"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "\\x1b[31mred\\x1b[0m: Small 1, as of 2026-06-01",
        "",
        "learner \\x1b[31mred\\x1b[0m",
    ]
    assert "\x1b" not in result.stdout


def test_a_diagnostic_shows_control_characters_from_the_data_escaped(run, files):
    (files / "unsorted.csv").write_text(
        "learner,competency,score,timestamp\nzz,M.1,2,2026-01-10\n\x1b[2Jaa,M.1,2,2026-01-10\n",
        "utf-8",
    )
    args = ["evaluate", "small.mastery", "--evidence", "unsorted.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--sorted", "--format", "csv", "-o", "out.csv"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error[MK357]: evidence for learner `\\x1b[2Jaa` at unsorted.csv line 3 comes after "
        "`zz`, out of learner id order"
    )
