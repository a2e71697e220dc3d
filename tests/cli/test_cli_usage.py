"""Usage errors: one diagnostic with a stable code on standard error, and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterykit import __version__


def test_version_prints_program_name_and_version(run):
    result = run(["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"masterykit {__version__}\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["chek", "a.mastery"],
            "error[MK401]: unknown command `chek`\n"
            "  = help: did you mean `check`? see `masterykit --help`\n",
        ),
        (
            ["check", "--frmat", "json", "a.mastery"],
            "error[MK400]: unknown option `--frmat` for `masterykit check`\n"
            "  = help: did you mean `--format`? see `masterykit check --help`\n",
        ),
        (
            ["check"],
            "error[MK402]: `masterykit check` needs `FILE…`\n"
            "  = help: see `masterykit check --help`\n",
        ),
        (
            ["check", "--format", "xml", "a.mastery"],
            "error[MK403]: `--format` must be one of `text`, `json`, not `xml`\n"
            "  = help: see `masterykit check --help`\n",
        ),
        (
            ["schema", "grades"],
            "error[MK403]: `NAME` must be one of `calibration`, `diagnostics`, `diff`, "
            "`explain`, `groups`, `impact`, `report`, `result`, `test`, not `grades`\n"
            "  = help: see `masterykit schema --help`\n",
        ),
        (
            ["schema", "--format", "json"],
            "error[MK400]: unknown option `--format` for `masterykit schema`\n"
            "  = help: see `masterykit schema --help`\n",
        ),
        (
            ["demo", "--as-of", "yesterday"],
            "error[MK407]: `yesterday` is not a date\n"
            "  = help: write dates year-month-day, such as `--as-of 2026-06-01`\n",
        ),
        (
            ["demo", "extra"],
            "error[MK403]: unexpected argument `extra` for `masterykit demo`\n"
            "  = help: see `masterykit demo --help`\n",
        ),
        (
            ["check", "no-such-policy.mastery"],
            "error[MK404]: policy file `no-such-policy.mastery` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
    ],
)
def test_usage_errors_name_the_problem_and_exit_2(run, args, expected):
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr == expected
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_an_empty_folder_is_not_a_set_of_policies(run, tmp_path: Path):
    result = run(["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error[MK415]: folder `{tmp_path}` has no policy files\n"
        "  = help: policy files end in `.mastery`\n"
    )


def test_without_a_command_the_help_is_shown(run):
    result = run([])
    assert result.exit_code == 2
    assert "Commands:" in result.stderr
    assert "check" in result.stderr


@pytest.mark.parametrize(
    "command", ["check", "demo", "evaluate", "explain", "fmt", "schema", "test"]
)
def test_every_command_has_help(run, command):
    result = run([command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: masterykit {command}")
