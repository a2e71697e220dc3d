"""The benchmark generator's district data: schools, lunch status and double-scored ratings,
added without changing a byte of the files it wrote before."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from benchmarks.generate import (
    GROUP_LEARNER_COLUMNS,
    PLANTED_SEVERITIES,
    RATERS,
    RATING_COLUMNS,
    SCHOOLS,
    learner_groups,
    learner_ratings,
    write_csv,
    write_report_csv,
)

# The evidence and learners files of 12 learners for seed 5, as written before schools and
# raters were added to the generator (SHA-256 of each file).
BEFORE = {
    "learners-12-5.csv": "645c4aeb4cc2876e40e35885d7fe32b5dbc039b3a0a005582f8c4cba21f1f359",
    "evidence-12-5.csv": "bb38e67aebc1206916a61fe5254c6076f566d4bf5fa3e6740927aa9838940cfb",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_existing_files_are_unchanged(tmp_path: Path) -> None:
    learners, evidence = write_csv(tmp_path, 12, seed=5)
    assert {learners.name: _sha(learners), evidence.name: _sha(evidence)} == BEFORE


def test_report_files_extend_the_plain_ones(tmp_path: Path) -> None:
    groups_path, evidence_path, ratings_path = write_report_csv(tmp_path / "r", 12, seed=5)
    plain_learners, plain_evidence = write_csv(tmp_path / "p", 12, seed=5)
    assert evidence_path.read_bytes() == plain_evidence.read_bytes()
    with groups_path.open(newline="") as stream:
        header, *rows = list(csv.reader(stream))
    with plain_learners.open(newline="") as stream:
        _, *plain = list(csv.reader(stream))
    assert tuple(header) == GROUP_LEARNER_COLUMNS
    assert [row[:5] for row in rows] == plain
    assert {row[5] for row in rows} <= {name for name, _, _ in SCHOOLS}
    with ratings_path.open(newline="") as stream:
        header, *ratings = list(csv.reader(stream))
    assert tuple(header) == RATING_COLUMNS
    assert ratings


def test_every_artifact_is_scored_by_two_raters_of_the_learners_school() -> None:
    for index in range(10):
        school = learner_groups(index, seed=3)["school"]
        artifacts: dict[str, list[str]] = {}
        for row in learner_ratings(index, seed=3):
            artifacts.setdefault(row[-1], []).append(row[-2])
        for raters in artifacts.values():
            assert len(raters) == 2 and len(set(raters)) == 2
            assert set(raters) <= set(RATERS[school])


def test_planted_raters_exist() -> None:
    everyone = {rater for raters in RATERS.values() for rater in raters}
    assert set(PLANTED_SEVERITIES) <= everyone
    assert any(s < 0 for s in PLANTED_SEVERITIES.values())
    assert any(s > 0 for s in PLANTED_SEVERITIES.values())
