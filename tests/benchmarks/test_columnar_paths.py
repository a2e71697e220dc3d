"""The benchmark's masterykit batch paths write byte for byte the same output on the same input."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.__main__ import _columnar_inputs
from benchmarks._e2e import run
from benchmarks.generate import POLICY_PATH, write_csv

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

RUNNERS = ("out-csv-reader", "out-columnar", "out-grouped", "out-in-memory")


def _digest(result: dict[str, object]) -> str:
    tally = result["tally"]
    assert isinstance(tally, dict)
    return next(key for key in tally if key.startswith("sha256:"))


def test_every_path_writes_the_same_output(tmp_path: Path) -> None:
    learners_csv, evidence_csv = write_csv(tmp_path, 12, seed=7)
    results = [run(runner, POLICY_PATH, learners_csv, evidence_csv) for runner in RUNNERS]
    assert len({_digest(result) for result in results}) == 1
    assert {result["learners"] for result in results} == {12}
    assert len({result["rows"] for result in results}) == 1


def test_the_shuffled_copies_group_to_the_in_memory_output(tmp_path: Path) -> None:
    learners_csv, evidence_csv = write_csv(tmp_path, 12, seed=7)
    unsorted_csv, parquet = _columnar_inputs(evidence_csv)
    assert unsorted_csv.read_text().splitlines()[1:] != evidence_csv.read_text().splitlines()[1:]
    for path in (unsorted_csv, parquet):
        grouped = run("out-grouped", POLICY_PATH, learners_csv, path)
        in_memory = run("out-in-memory", POLICY_PATH, learners_csv, path)
        assert _digest(grouped) == _digest(in_memory)
