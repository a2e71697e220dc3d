"""``masterykit.impact`` and ``masterykit impact``: whose outcomes change with the policy."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.district import District, Route
from masterykit.evidence import Evidence, Learner
from masterykit.impact import ImpactError, impact
from masterykit.loader import load, load_text
from masterykit.policy import Provenance
from masterykit.readers import read_all, read_learners
from masterykit.schemas import load_schema

ROOT = Path(__file__).resolve().parents[2]
LAKE = ROOT / "examples" / "lake-county"
OLD = LAKE / "district.mastery"
NEW = LAKE / "proposed-2027.mastery"

TEXT = """\
policy "P" version "1"
scale s { 1 No 2 Yes }
competency A "A"
calculate highest
proficient at Yes
evidence at least 1
requirement r "R" { all of A proficient }
"""
DAY = dt.date(2026, 2, 1)


def _data(size: int = 40) -> tuple[list[Learner], list[Evidence]]:
    """Learners in two schools (and a small third); every third learner has two pieces."""
    learners = []
    for i in range(size):
        school = "east" if i < 4 else "north" if i % 2 else "south"
        learners.append(Learner(f"s{i:02d}", {"school": school}))
    evidence = [
        Evidence(f"s{i:02d}", "A", Decimal(2), dt.date(2026, 1, 1 + j))
        for i in range(size)
        for j in range(2 if i % 3 == 0 else 1)
    ]
    return learners, evidence


def test_the_same_policy_changes_nothing() -> None:
    policy = load_text(TEXT, "p.mastery")
    learners, evidence = _data()
    report = impact(policy, policy, learners, evidence, as_of=DAY, by=["school"])
    assert report.unchanged
    assert report.changed == ()
    assert all(rate.changed in (0, None) for rate in report.groups)
    assert all(gap.direction == "unchanged" for gap in report.gaps)


def test_counts_directions_groups_and_reasons() -> None:
    old = load_text(TEXT, "old.mastery")
    new = load_text(TEXT.replace("least 1", "least 2"), "new.mastery")
    learners, evidence = _data()
    report = impact(old, new, learners, evidence, as_of=DAY, by=["school"])
    # 14 of 40 learners (0, 3, …, 39) have two pieces; the other 26 become insufficient.
    scopes = {s.scope: (s.changed, s.transitions) for s in report.scopes}
    assert scopes["competency"] == (26, (("proficient", "insufficient", 26),))
    assert scopes["requirement"] == (26, (("met", "not met", 26),))
    assert scopes["any"][0] == 26
    first = report.changed[0]
    assert (first.learner, first.scope, first.subject, first.before, first.after) == (
        "s01",
        "competency",
        "A",
        "proficient",
        "insufficient",
    )
    assert first.reason == "A: evidence at least 2: needs 2, has 1"
    requirement = next(c for c in report.changed if c.scope == "requirement")
    assert requirement.reason == "A: 1 more piece of evidence"
    # `east` has 4 learners: hidden, and `north` (18) with it, so east cannot be worked out.
    rows = {(r.group, r.suppressed, r.small) for r in report.groups if r.by == "school"}
    assert rows == {("east", True, True), ("north", True, False), ("south", False, False)}
    assert report.gaps == ()  # one shown group has no gap


def _gap_run(pieces: dict[str, int]) -> list:
    """Schools a and b of 10 learners each; ``pieces`` gives each learner's number of pieces."""
    old = load_text(TEXT, "old.mastery")
    new = load_text(TEXT.replace("least 1", "least 2"), "new.mastery")
    learners = [Learner(f"{s}{i}", {"school": s}) for s in "ab" for i in range(10)]
    evidence = [
        Evidence(learner, "A", Decimal(2), dt.date(2026, 1, 1 + j))
        for learner, count in pieces.items()
        for j in range(count)
    ]
    report = impact(old, new, learners, evidence, as_of=DAY, by=["school"], min_group=5)
    return [g for g in report.gaps if g.scope == "competency"]


def test_a_gap_that_widens() -> None:
    # a: one piece each (proficient before, insufficient after); b: two pieces each.
    pieces = {f"a{i}": 1 for i in range(10)} | {f"b{i}": 2 for i in range(10)}
    [gap] = _gap_run(pieces)
    assert (gap.before, gap.after, gap.direction) == (0.0, 1.0, "widens")
    assert (gap.lowest, gap.highest) == ("a", "b")


def test_a_gap_that_narrows() -> None:
    # a: one piece each (100% before, 0% after); b: half have one piece (50%, then 0%).
    pieces = {f"a{i}": 1 for i in range(10)} | {f"b{i}": 1 for i in range(5)}
    [gap] = _gap_run(pieces)
    assert (gap.before, gap.after, gap.direction) == (0.5, 0.0, "narrows")


def test_rates_before_and_after_per_group() -> None:
    old = load_text(TEXT, "old.mastery")
    new = load_text(TEXT.replace("least 1", "least 2"), "new.mastery")
    learners = [Learner(f"{s}{i}", {"school": s}) for s in "ab" for i in range(10)]
    evidence = [Evidence(f"a{i}", "A", Decimal(2), dt.date(2026, 1, 1)) for i in range(10)]
    evidence += [
        Evidence(f"b{i}", "A", Decimal(2), dt.date(2026, 1, 1 + j))
        for i in range(5)
        for j in range(2)
    ]
    report = impact(old, new, learners, evidence, as_of=DAY, by=["school"], min_group=5)
    rates = {
        (r.group, r.before, r.after, r.changed) for r in report.groups if r.scope == "competency"
    }
    assert rates == {("all", 0.75, 0.25, 10), ("a", 1.0, 0.0, 10), ("b", 0.5, 0.5, 0)}


def test_several_dates_and_no_list_of_learners_unless_asked() -> None:
    old = load_text(TEXT, "old.mastery")
    new = load_text(TEXT.replace("least 1", "least 2"), "new.mastery")
    learners, evidence = _data()
    report = impact(
        old,
        new,
        learners,
        evidence,
        as_of=[dt.date(2026, 1, 1), DAY],
        list_changed=False,
    )
    assert report.as_of == (dt.date(2026, 1, 1), DAY)
    assert report.changed == ()
    changed = {(s.as_of, s.scope): s.changed for s in report.scopes}
    # On January 1st nobody has a second piece yet: all 40 become insufficient.
    assert changed[dt.date(2026, 1, 1), "competency"] == 40
    assert changed[DAY, "competency"] == 26


def test_a_district_is_refused() -> None:
    policy = load_text(TEXT, "p.mastery")
    where = Provenance("lake.mastery", 2, 1, "Lake")
    district = District("Lake", None, "lake.mastery", policy, (Route(0, None, policy, "…", where),))
    with pytest.raises(ImpactError) as caught:
        impact(policy, district, [], [], as_of=DAY)  # type: ignore[arg-type]
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "MK461"
    assert diagnostic.message == (
        "`lake.mastery` is a district, not a policy: impact compares two policies"
    )


def test_an_attribute_no_learner_has() -> None:
    policy = load_text(TEXT, "p.mastery")
    learners, evidence = _data()
    with pytest.raises(ImpactError) as caught:
        impact(policy, policy, learners, evidence, as_of=DAY, by=["schol"])
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK462",
        "no learner has the attribute `schol` to compare groups by",
    )
    assert diagnostic.help is not None and diagnostic.help.startswith("did you mean `school`?")


def test_lake_county_revision_in_python_matches_the_example() -> None:
    old, new = load(OLD), load(NEW)
    evidence, _, _ = read_all(LAKE / "evidence.csv", policy=old)
    learners = read_learners(LAKE / "learners.csv")
    report = impact(old, new, learners, evidence, as_of=dt.date(2026, 11, 13), by=["school"])
    scopes = {s.scope: s.changed for s in report.scopes}
    assert scopes == {
        "any": 27,
        "competency": 27,
        "requirement": 21,
        "advancement": 5,
        "graduation": 2,
        "pace": 12,
    }
    reasons = {c.reason for c in report.changed if c.scope == "competency"}
    assert "ELA.R1: evidence at least 3: needs 3, has 2" in reasons


# --- the command -------------------------------------------------------------------------------


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="masterykit")


def _lake(*more: str):
    return _run(
        "impact",
        str(OLD),
        str(NEW),
        "--evidence",
        str(LAKE / "evidence.csv"),
        "--learners",
        str(LAKE / "learners.csv"),
        "--as-of",
        "2026-11-13",
        *more,
    )


def test_the_command_prints_the_summary() -> None:
    result = _lake("--by", "school")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == "30 learners, evaluated under both policies with the same evidence"
    assert lines[5].split() == ["2026-11-13", "any", "outcome", "27", "of", "30"]
    assert "met → not met 27, not met → met 1" in lines[7]


def test_the_json_follows_its_schema_and_names_no_learner() -> None:
    result = _lake("--by", "school,iep", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema("impact")).validate(document)
    with (LAKE / "learners.csv").open(encoding="utf-8") as handle:
        learners = {row["id"] for row in csv.DictReader(handle)}
    assert not any(f'"{name}"' in result.stdout for name in learners)
    iep = [g for g in document["groups"] if g["by"] == "iep"]
    assert iep and all(g["suppressed"] for g in iep)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_changed_learners_are_written_on_request(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"changed{suffix}"
    result = _lake("--changed", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text("utf-8")
    if suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) > 100
    assert {"learner", "scope", "subject", "before", "after", "reason"} <= set(rows[0])
    assert any(r["reason"].endswith("needs 3, has 2") for r in rows)


def test_a_changed_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    result = _lake("--changed", str(tmp_path / "changed.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error[MK463]: cannot tell how to write the changed learners to "
        f"`{tmp_path / 'changed.xlsx'}`"
    )


def test_an_unknown_breakdown_is_a_usage_error() -> None:
    result = _lake("--by", "schol")
    assert result.exit_code == 2
    assert "error[MK462]: no learner has the attribute `schol` to compare groups by" in (
        result.stderr
    )


def test_the_report_never_replaces_an_input(tmp_path: Path) -> None:
    result = _lake("--changed", str(LAKE / "learners.csv"))
    assert result.exit_code == 2
    assert "MK419" in result.stderr


def test_the_gallery_page_shows_the_output_of_its_impact_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (ROOT / "docs" / "gallery" / "lake-county-2027.rst").read_text("utf-8")
    block = page.split("   $ masterykit impact ", 1)[1].split("   …\n", 1)[0]
    command, *shown = [line.removeprefix("   ") for line in block.splitlines()]
    monkeypatch.chdir(ROOT)
    result = _run("impact", *command.split())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[: len(shown)] == shown


def test_the_gallery_page_shows_rows_the_changed_file_has(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "gallery" / "lake-county-2027.rst").read_text("utf-8")
    shown = page.rsplit(".. code-block:: text\n\n", 1)[1].strip().splitlines()
    target = tmp_path / "changed.csv"
    assert _lake("--changed", str(target)).exit_code == 0
    rows = target.read_text("utf-8").splitlines()
    assert [line.strip() for line in shown if line.strip() not in rows] == []
    assert shown[0].strip() == rows[0]


def test_a_district_file_is_a_usage_error() -> None:
    district = ROOT / "docs" / "language" / "district.mastery"
    result = _run(
        "impact",
        str(district),
        str(OLD),
        "--evidence",
        str(LAKE / "evidence.csv"),
        "--as-of",
        "2026-06-01",
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error[MK461]: `{district}` is a district, not a policy: impact compares two policies"
    )
