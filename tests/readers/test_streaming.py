"""Readers stream: memory stays far below the file's size (no timing, only allocation peaks)."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from masterykit.readers import columnar, read_evidence


def peak_while_reading(records: Iterator[object]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in records)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_xapi_array_is_read_without_holding_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.xapi.json"
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for i in range(3000):
            statement = {
                "id": f"s-{i}",
                "actor": {"account": {"homePage": "https://sis", "name": f"l{i % 50}"}},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
                "object": {"id": "https://example.org/quiz"},
                "result": {"score": {"scaled": 0.5}},
                "timestamp": "2026-01-10T09:30:00Z",
                "context": {"extensions": {"https://example.org/notes": "n" * 800}},
            }
            out.write(("," if i else "") + json.dumps(statement, indent=1))
        out.write("]")
    options = {"activities": {"https://example.org/quiz": "M.1"}, "scale": (1, 4)}
    count, peak = peak_while_reading(read_evidence(path, options=options))
    assert count == 3000
    assert peak < path.stat().st_size / 4


def test_csv_is_read_without_holding_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The columnar reader holds one block of the file at a time (1 MiB unless set smaller).
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 64 * 1024)
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("learner,competency,score,timestamp,kind,rater\n")
        for i in range(8_000):
            out.write(f"learner-{i % 300},MATH.{i % 20},3,2026-01-10,quiz,{'r' * 200}\n")
    count, peak = peak_while_reading(read_evidence(path))
    assert count == 8_000
    assert peak < path.stat().st_size / 4
