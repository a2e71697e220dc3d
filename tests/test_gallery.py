"""The examples gallery: every policy reads, checks cleanly, and its worked examples hold.

Each gallery folder under ``examples/`` holds one or more policies, ``evidence.csv``
(learner, competency, score, timestamp, kind) and ``learners.csv`` (an ``id`` column plus
attributes). The sample data must name only learners and competencies the policies know, so
``masterykit evaluate`` and ``masterykit demo`` report nothing as unusable.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import masterykit
from masterykit import check_file, format_text, load_any, run_examples
from masterykit.dsl import nodes
from masterykit.dsl.parser import parse_any

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "examples"
FOLDERS = sorted(
    path for path in GALLERY.iterdir() if path.is_dir() and any(path.glob("*.mastery"))
)
POLICIES = sorted(GALLERY.glob("*/*.mastery"))
EVIDENCE_COLUMNS = ["learner", "competency", "score", "timestamp", "kind"]


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(GALLERY)) for path in paths]


def _chain(path: Path) -> list[nodes.PolicyFile]:
    """The parsed file and every file it extends, the file itself first."""
    tree = parse_any(path.read_text("utf-8"), str(path))
    if isinstance(tree, nodes.DistrictFile):
        return []  # a district file names no competencies; the policies it routes to do
    chain = [masterykit.parse_file(path)]
    while chain[-1].extends is not None:
        path = path.parent / chain[-1].extends.value
        chain.append(masterykit.parse_file(path))
    return chain


def _competencies(policy: nodes.PolicyFile) -> set[str]:
    codes: set[str] = set()
    for statement in policy.statements:
        if isinstance(statement, nodes.AreaDecl):
            codes.update(c.code.value for c in statement.competencies)
        elif isinstance(statement, nodes.CompetencyDecl):
            codes.add(statement.code.value)
    return codes


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_gallery_has_the_five_practices() -> None:
    assert [folder.name for folder in FOLDERS] == [
        "graduation-pathways",
        "lake-county",
        "learning-continuum",
        "mastery-high-school",
        "teacher-ladder",
    ]


@pytest.mark.parametrize("path", POLICIES, ids=_ids(POLICIES))
def test_gallery_policy_parses_and_has_worked_examples(path: Path) -> None:
    tree = parse_any(path.read_text("utf-8"), str(path))
    statements = tree.examples if isinstance(tree, nodes.DistrictFile) else tree.statements
    examples = [s for s in statements if isinstance(s, nodes.Example)]
    assert examples, f"{path.name} has no example block"
    for example in examples:
        assert example.as_of is not None, f"example {example.name!r} has no `as of` date"
        assert example.expectations, f"example {example.name!r} expects nothing"


@pytest.mark.parametrize("folder", FOLDERS, ids=_ids(FOLDERS))
def test_sample_evidence_names_only_known_learners_and_competencies(folder: Path) -> None:
    known: set[str] = set()
    for path in folder.glob("*.mastery"):
        for policy in _chain(path):
            known |= _competencies(policy)
    learners = _read_csv(folder / "learners.csv")
    assert learners, "learners.csv is empty"
    assert next(iter(learners[0])) == "id"
    learner_ids = [row["id"] for row in learners]
    assert len(learner_ids) == len(set(learner_ids)), "a learner is listed twice"
    with (folder / "evidence.csv").open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == EVIDENCE_COLUMNS
    rows = _read_csv(folder / "evidence.csv")
    assert rows, "evidence.csv is empty"
    for number, row in enumerate(rows, start=2):
        assert row["learner"] in learner_ids, f"row {number}: unknown learner"
        assert row["competency"] in known, f"row {number}: unknown competency"
        assert Decimal("1") <= Decimal(row["score"]) <= Decimal("4"), f"row {number}: score"
        dt.date.fromisoformat(row["timestamp"][:10])
        assert row["kind"], f"row {number}: no kind"


def test_demo_evidence_is_large_and_varied() -> None:
    folder = GALLERY / "lake-county"
    learners = _read_csv(folder / "learners.csv")
    rows = _read_csv(folder / "evidence.csv")
    assert 25 <= len(learners) <= 40
    assert {row["kind"] for row in rows} >= {"common_assessment", "observation", "quiz"}
    assert {row["iep"] for row in learners} == {"true", "false"}
    per_learner = {row["id"]: 0 for row in learners}
    for row in rows:
        per_learner[row["learner"]] += 1
    assert min(per_learner.values()) < 5 < 40 < max(per_learner.values())


@pytest.mark.parametrize("path", POLICIES, ids=_ids(POLICIES))
def test_gallery_policy_checks_without_diagnostics(path: Path) -> None:
    result = check_file(path)
    assert result.diagnostics == ()
    assert result.ok


@pytest.mark.parametrize("path", POLICIES, ids=_ids(POLICIES))
def test_gallery_policy_is_in_the_standard_layout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path.name) == text


@pytest.mark.parametrize("path", POLICIES, ids=_ids(POLICIES))
def test_every_gallery_example_holds(path: Path) -> None:
    outcomes = run_examples(load_any(path))
    assert outcomes
    failures = [
        f"{outcome.name}: {failure.text}: expected {failure.expected}, got {failure.actual}"
        for outcome in outcomes
        for failure in outcome.failures
    ] + [f"{outcome.name}: {d}" for outcome in outcomes for d in outcome.diagnostics]
    assert failures == []
