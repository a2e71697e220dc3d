"""``masterykit demo``: the bundled district, evaluated and summarised."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

import masterykit.cli._demo as demo_module


def test_the_demo_summarises_every_sample_learner(run):
    folder = demo_module.demo_folder()
    if not (folder / "learners.csv").is_file():
        pytest.skip("not a source checkout")
    result = run(["demo"])
    assert result.exit_code == 0, result.output
    assert "Lake County Schools" in result.stdout
    assert "learners as of" in result.stdout
    with (folder / "learners.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            assert f"│ {row['id']} " in result.stdout
    assert "learners meet the graduation requirements" in result.stdout
    assert "masterykit explain examples/lake-county/district-routes.mastery" in result.stdout
    # Each school's learners are graded by their school's overlay, named in a policy column.
    assert "Policy" in result.stdout
    assert "│ aiden   │ north  │ Lake County │" in result.stdout
    assert "│ amara   │ harbor │ Harbor      │" in result.stdout


def test_the_demo_can_be_run_as_of_another_date(run):
    if not (demo_module.demo_folder() / "learners.csv").is_file():
        pytest.skip("not a source checkout")
    result = run(["demo", "--as-of", "2026-01-31"])
    assert result.exit_code == 0
    assert "learners as of 2026-01-31" in result.stdout


def test_without_the_example_files_the_demo_says_what_to_do(run, tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "demo_folder", lambda: tmp_path / "missing")
    result = run(["demo"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error[MK414]: the demo needs the example files in `{tmp_path / 'missing'}`, "
        "which are not there\n"
        "  = help: reinstall masterykit, whose package carries the example files, or run "
        "`make demo` in a source checkout\n"
    )


def test_the_installed_command_runs_in_a_real_process():
    process = subprocess.run(
        [sys.executable, "-m", "masterykit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0
    assert process.stdout.startswith("masterykit ")


def test_colour_is_off_when_output_is_not_a_terminal(run):
    if not (demo_module.demo_folder() / "learners.csv").is_file():
        pytest.skip("not a source checkout")
    result = run(["demo"])
    assert "\x1b[" not in result.stdout


def test_module_path_points_at_the_checkout():
    assert demo_module.demo_folder().parts[-2:] == ("examples", "lake-county")
    assert Path(demo_module.__file__).is_file()


def test_an_installed_package_runs_the_demo_from_the_copy_it_carries(tmp_path, monkeypatch):
    import masterykit

    package = tmp_path / "site-packages" / "masterykit"
    monkeypatch.setattr(masterykit, "__file__", str(package / "__init__.py"))
    assert demo_module.demo_folder() == package / "_demo_data" / "lake-county"


def test_the_wheel_carries_the_demo_files():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"examples/lake-county" = "masterykit/_demo_data/lake-county"' in pyproject


def test_the_demo_suggests_a_command_with_paths_the_user_can_type(run, monkeypatch):
    folder = demo_module.demo_folder()
    if not (folder / "learners.csv").is_file():
        pytest.skip("not a source checkout")
    monkeypatch.chdir(folder)
    result = run(["demo", "--as-of", "2026-11-13"])
    assert "  masterykit explain district-routes.mastery --evidence evidence.csv --learners " in (
        result.stdout
    )
