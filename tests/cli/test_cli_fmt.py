"""``masterykit fmt``: rewrite in place, ``--check`` lists what would change, ``-`` is a filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterykit.dsl.format import format_text

MESSY = 'policy "Demo" version "1" scale two{1 NotYet 2 Yes} calculate mean\n'
TIDY = format_text(MESSY)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_fmt_rewrites_a_file_in_place_and_says_so_on_stderr(run, tmp_path):
    path = write(tmp_path, "demo.mastery", MESSY)
    result = run(["fmt", str(path)])
    assert result.exit_code == 0
    assert path.read_text("utf-8") == TIDY
    assert result.stdout == ""
    assert result.stderr == f"reformatted {path}\n"


def test_fmt_is_quiet_when_nothing_changes(run, tmp_path):
    path = write(tmp_path, "demo.mastery", TIDY)
    result = run(["fmt", str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_fmt_check_lists_files_that_would_change_and_changes_nothing(run, tmp_path):
    messy = write(tmp_path, "messy.mastery", MESSY)
    tidy = write(tmp_path, "tidy.mastery", TIDY)
    result = run(["fmt", "--check", str(messy), str(tidy)])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat {messy}\n"
    assert result.stderr == "1 file would be reformatted\n"
    assert messy.read_text("utf-8") == MESSY


def test_fmt_check_passes_on_tidy_files(run, tmp_path):
    tidy = write(tmp_path, "tidy.mastery", TIDY)
    result = run(["fmt", "--check", str(tidy)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_fmt_dash_filters_standard_input_to_standard_output(run):
    result = run(["fmt", "-"], input=MESSY)
    assert result.exit_code == 0
    assert result.stdout == TIDY


def test_fmt_check_dash_reports_standard_input(run):
    result = run(["fmt", "--check", "-"], input=MESSY)
    assert result.exit_code == 1
    assert result.stdout == "would reformat <stdin>\n"


def test_fmt_leaves_a_file_with_syntax_errors_alone_and_shows_them(run, tmp_path):
    text = 'policy "Typo" version "1"\nproficent at 3\n'
    path = write(tmp_path, "typo.mastery", text)
    result = run(["fmt", str(path)])
    assert result.exit_code == 1
    assert path.read_text("utf-8") == text
    assert result.stderr.startswith("error[MK114]: unexpected word `proficent`")
    assert f"--> {path}:2:1" in result.stderr


def test_fmt_dash_rejects_input_that_is_not_utf8(run):
    result = run(["fmt", "-"], input=b"policy \xff")
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK416]: standard input is not UTF-8 text\n"
        "  = help: policy files are UTF-8 text; save the file as UTF-8 in your editor\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["fmt", "-", "a.mastery"],
            "error[MK408]: `-` (standard input) cannot be combined with file names\n"
            "  = help: format standard input on its own: `masterykit fmt - < policy.mastery`\n",
        ),
        (
            ["fmt", "missing.mastery"],
            "error[MK404]: policy file `missing.mastery` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
    ],
)
def test_fmt_usage_errors(run, args, expected):
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr == expected
