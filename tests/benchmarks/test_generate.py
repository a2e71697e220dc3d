"""The benchmark data generator: deterministic for a seed, and written for the benchmark policy."""

from __future__ import annotations

import csv
import doctest
import itertools
import json
from decimal import Decimal
from pathlib import Path

import benchmarks._e2e
import benchmarks.baseline_python
import benchmarks.generate
import pytest
from benchmarks.generate import (
    COMPETENCIES,
    EVIDENCE_COLUMNS,
    LEARNER_COLUMNS,
    POLICY_PATH,
    large_policy_json,
    large_policy_text,
    learner_attributes,
    learner_evidence,
    write_csv,
)

from masterykit.loader import load, load_text


def test_same_seed_gives_the_same_learners_and_evidence() -> None:
    for index in (0, 1, 99):
        assert list(learner_evidence(index, seed=11)) == list(learner_evidence(index, seed=11))
        assert learner_attributes(index, seed=11) == learner_attributes(index, seed=11)


def test_another_seed_gives_other_evidence() -> None:
    assert list(learner_evidence(0, seed=11)) != list(learner_evidence(0, seed=12))


def test_written_files_are_byte_identical_for_a_seed(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a", 12, seed=5)
    second = write_csv(tmp_path / "b", 12, seed=5)
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()


def test_a_smaller_data_set_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    _, small = write_csv(tmp_path, 5, seed=5)
    _, large = write_csv(tmp_path, 9, seed=5)
    assert large.read_text().startswith(small.read_text())


def test_evidence_csv_has_the_reader_columns_and_is_sorted_by_learner(tmp_path: Path) -> None:
    learners_csv, evidence_csv = write_csv(tmp_path, 15, seed=3)
    with evidence_csv.open(newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == EVIDENCE_COLUMNS
    learners_in_order = [key for key, _ in itertools.groupby(row[0] for row in rows[1:])]
    assert learners_in_order == sorted(set(learners_in_order))  # each learner's rows together
    with learners_csv.open(newline="") as stream:
        header, *people = list(csv.reader(stream))
    assert tuple(header) == LEARNER_COLUMNS
    assert [row[0] for row in people] == learners_in_order


def test_generated_evidence_uses_the_policy_competencies_and_scales() -> None:
    policy = load(POLICY_PATH)
    assert tuple(policy.competencies) == COMPETENCIES
    for index in range(20):
        for row in learner_evidence(index, seed=9):
            assert policy.competencies[row.competency].scale.contains(row.score)
            assert row.score * 2 == int(row.score * 2)  # whole and half points only


def test_each_learner_has_about_eight_pieces_per_competency() -> None:
    pieces = sum(1 for index in range(50) for _ in learner_evidence(index, seed=1))
    assert 7 * 60 * 50 <= pieces <= 9 * 60 * 50


def test_large_policy_text_has_the_lines_asked_for_and_checks() -> None:
    assert large_policy_text(5000).count("\n") >= 5000
    policy = load_text(large_policy_text(300), "large.mastery")
    assert len(policy.competencies) >= 200
    assert policy.graduation is not None


def test_large_policy_json_holds_the_same_areas() -> None:
    document = json.loads(large_policy_json(300))
    policy = load_text(large_policy_text(300), "large.mastery")
    assert [area["code"] for area in document["areas"]] == list(policy.areas)
    assert sum(len(area["competencies"]) for area in document["areas"]) == len(policy.competencies)


@pytest.mark.parametrize(
    "module", [benchmarks.generate, benchmarks.baseline_python, benchmarks._e2e]
)
def test_benchmark_docstring_examples_hold(module: object) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert failures == 0


def test_scores_are_decimals() -> None:
    row = next(iter(learner_evidence(0)))
    assert isinstance(row.score, Decimal)
