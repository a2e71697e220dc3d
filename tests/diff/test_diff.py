"""``masterykit.diff`` and ``masterykit diff``: what changes between two policies or districts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.diff import DiffError, diff
from masterykit.district import District, Route
from masterykit.loader import load, load_text
from masterykit.policy import LearnerClause, Provenance
from masterykit.schemas import load_schema

ROOT = Path(__file__).resolve().parents[2]
LAKE = ROOT / "examples" / "lake-county"

TEXT = """\
policy "P" version "1"

scale s {
  0 No
  1 Yes
}

competency A "A"
competency B "B"
calculate most_recent
proficient at Yes
evidence at least 2

requirement one "One" {
  all of A proficient
}
requirement two "Two" {
  any of A + B proficient
}
"""


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="masterykit")


def test_comments_formatting_and_moved_lines_are_not_differences() -> None:
    old = load_text(TEXT, "old.mastery")
    moved = (
        TEXT.replace('requirement one "One" {\n  all of A proficient\n}\n', "")
        + '# moved down\nrequirement one "One" { all of A proficient }\n'
    )
    new = load_text("# a comment\n\n" + moved, "elsewhere/new.mastery")
    assert list(new.requirements) == ["two", "one"]
    assert diff(old, new).changes == ()
    assert diff(old, new).equal


def test_each_rule_change_is_reported_per_competency_with_both_places() -> None:
    old = load_text(TEXT, "old.mastery")
    new = load_text(
        TEXT.replace("most_recent", "highest").replace("least 2", "least 3"), "new.mastery"
    )
    found = [
        (c.kind, c.section, c.subject, c.old, c.new, c.old_at, c.new_at)
        for c in diff(old, new).changes
    ]
    assert found == [
        (
            "changed",
            "calculation",
            "A",
            "most_recent",
            "highest",
            "old.mastery:10",
            "new.mastery:10",
        ),
        (
            "changed",
            "calculation",
            "B",
            "most_recent",
            "highest",
            "old.mastery:10",
            "new.mastery:10",
        ),
        (
            "changed",
            "evidence",
            "A",
            "evidence at least 2",
            "evidence at least 3",
            "old.mastery:12",
            "new.mastery:12",
        ),
        (
            "changed",
            "evidence",
            "B",
            "evidence at least 2",
            "evidence at least 3",
            "old.mastery:12",
            "new.mastery:12",
        ),
    ]


def test_added_removed_and_changed_declarations() -> None:
    old = load_text(TEXT, "old.mastery")
    new_text = (
        TEXT.replace('competency B "B"\n', 'competency B "B"\ncompetency C "C"\n')
        .replace("any of A + B proficient", "all of A + B proficient")
        .replace('requirement one "One" {\n  all of A proficient\n}\n', "")
        + 'requirement three "Three" {\n  all of C proficient\n}\n'
    )
    new = load_text(new_text, "new.mastery")
    found = [(c.kind, c.section, c.subject) for c in diff(old, new).changes]
    assert found == [
        ("added", "competency", "C"),
        ("changed", "requirement", "two"),
        ("added", "requirement", "three"),
        ("removed", "requirement", "one"),
    ]
    two = diff(old, new).changes[1]
    assert (two.old, two.new) == (
        "requirement two: any of A + B proficient",
        "requirement two: all of A + B proficient",
    )


def _district(name: str, *routes: Route) -> District:
    base = load_text(TEXT, "district.mastery")
    return District(name, "1", f"{name}.mastery", base, routes)


def test_districts_are_compared_route_by_route() -> None:
    base = load_text(TEXT, "district.mastery")
    school = load_text(TEXT.replace("least 2", "least 3"), "north.mastery")
    here = Provenance("lake.mastery", 4, 3, "Lake")
    there = Provenance("lake2.mastery", 6, 3, "Lake")
    north = LearnerClause("school", "=", "north", 'learner.school = "north"')
    east = LearnerClause("school", "=", "east", 'learner.school = "east"')
    year = LearnerClause("entry_year", "<=", Decimal(2024), "learner.entry_year <= 2024")
    old = _district(
        "lake",
        Route(0, north, base, "…", here),
        Route(1, east, None, "…", here, reason="East moves in 2027"),
        Route(2, None, base, "…", here),
    )
    new = _district(
        "lake2",
        Route(0, north, school, "…", there),
        Route(1, year, base, "…", there),
        Route(2, None, base, "…", there),
    )
    result = diff(old, new)
    found = [(c.kind, c.section, c.subject, c.old, c.new) for c in result.changes]
    assert found == [
        (
            "changed",
            "route",
            'when learner.school = "north"',
            "use district.mastery (P)",
            "use north.mastery (P)",
        ),
        (
            "removed",
            "route",
            'when learner.school = "east"',
            'not evaluated "East moves in 2027"',
            None,
        ),
        ("added", "route", "when learner.entry_year <= 2024", None, "use district.mastery (P)"),
    ]
    inner = result.changes[0].policy
    assert inner is not None
    assert [(c.section, c.subject, c.new) for c in inner.changes] == [
        ("evidence", "A", "evidence at least 3"),
        ("evidence", "B", "evidence at least 3"),
    ]
    assert (result.changes[0].old_at, result.changes[0].new_at) == (
        "lake.mastery:4",
        "lake2.mastery:6",
    )
    assert diff(old, old).equal


def test_a_policy_and_a_district_cannot_be_compared() -> None:
    policy = load_text(TEXT, "p.mastery")
    district = _district("lake", Route(0, None, policy, "…", Provenance("lake.mastery", 2, 1, "L")))
    with pytest.raises(DiffError) as caught:
        diff(policy, district)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "MK460"
    assert diagnostic.message == (
        "cannot compare a policy (`p.mastery`) with a district (`lake.mastery`)"
    )


def test_the_command_shows_the_lake_county_revision_and_exits_1() -> None:
    result = _run("diff", str(LAKE / "district.mastery"), str(LAKE / "proposed-2027.mastery"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == (
        "~ calculation of ELA.R1, ELA.R2, ELA.W1 and 8 more competencies: "
        "decaying_average(65%) → decaying_average(75%)"
    )
    assert (
        lines[3].strip().endswith("district.mastery:68 → " + str(LAKE / "proposed-2027.mastery:8"))
    )
    assert lines[4] == (
        "~ evidence rule of ELA.R1, ELA.R2, ELA.W1 and 11 more competencies: "
        "evidence at least 2 → evidence at least 3"
    )
    assert lines[-1] == "2 differences (25 counted per competency)"


def test_the_same_policy_exits_0() -> None:
    path = str(LAKE / "district.mastery")
    result = _run("diff", path, path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "no differences: both do the same thing"


def test_the_json_follows_its_schema() -> None:
    result = _run(
        "diff",
        str(LAKE / "district.mastery"),
        str(LAKE / "north-high.mastery"),
        "--format",
        "json",
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema("diff")).validate(document)
    assert document["schema"] == "masterykit/diff/v1"
    assert document["equal"] is False
    sections = {change["section"] for change in document["changes"]}
    assert sections == {
        "competency", "area", "kind", "calculation", "cut", "evidence", "graduation",
    }  # fmt: skip


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("diff", str(LAKE / "district.mastery"), str(tmp_path / "nope.mastery"))
    assert result.exit_code == 2
    assert "MK404" in result.stderr


def test_a_file_that_does_not_check_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mastery"
    broken.write_text('policy "P"\ncalculate nothing_like_it\n', encoding="utf-8")
    result = _run("diff", str(LAKE / "district.mastery"), str(broken))
    assert result.exit_code == 2
    assert "error[MK" in result.stderr


def test_lake_county_policies_load() -> None:
    assert not diff(load(LAKE / "district.mastery"), load(LAKE / "harbor-middle.mastery")).equal


def test_the_gallery_page_shows_the_output_of_its_diff_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (ROOT / "docs" / "gallery" / "lake-county-2027.rst").read_text("utf-8")
    block = page.split("$ masterykit diff ", 1)[1].split("\n\n", 1)[0]
    command, *shown = [line.removeprefix("   ") for line in block.splitlines()]
    monkeypatch.chdir(ROOT)
    result = _run("diff", *command.split())
    assert result.exit_code == 1
    assert result.stdout.splitlines() == shown


LANGUAGE = ROOT / "docs" / "language"


def test_two_district_files_are_compared_route_by_route(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "language"
    shutil.copytree(LANGUAGE, folder)
    district = folder / "district.mastery"
    text = district.read_text("utf-8")
    text = text.replace(
        'when learner.school = "east" not evaluated "East moves to mastery-based grading in 2027"',
        'when learner.school = "east" use "reference.mastery"',
    )
    district.write_text(text, encoding="utf-8")
    result = _run("diff", str(LANGUAGE / "district.mastery"), str(district))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == (
        '~ route when learner.school = "east": not evaluated "East moves to mastery-based '
        'grading in 2027" → use ' + f"{folder / 'reference.mastery'} (Reference District)"
    )
    assert lines[-1] == "1 difference"


def test_a_policy_and_a_district_file_exit_2() -> None:
    result = _run("diff", str(LAKE / "district.mastery"), str(LANGUAGE / "district.mastery"))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error[MK460]: cannot compare a policy (`{LAKE / 'district.mastery'}`) with a "
        f"district (`{LANGUAGE / 'district.mastery'}`)"
    )
