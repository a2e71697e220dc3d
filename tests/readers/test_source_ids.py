"""A record's source id counts once across every file read together, whatever the reader: an
export read twice, or two exports whose dates overlap, give each record once."""

from __future__ import annotations

import json
from pathlib import Path

from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, read_files

HEADER = "learner,competency,score,timestamp,source_id\n"


def _outcomes(records: list[Evidence | Rejection]) -> list[tuple[str, str | None, str]]:
    return [
        ("used", r.source_id, "")
        if isinstance(r, Evidence)
        else (r.code, r.evidence.source_id if r.evidence else None, r.reason)
        for r in records
    ]


def test_csv_and_json_lines_files_count_each_source_id_once(tmp_path: Path) -> None:
    first = tmp_path / "autumn.csv"
    first.write_text(
        HEADER + "ana,M.1,3,2026-01-10,q-1\nana,M.1,4,2026-01-11,q-2\nbo,M.1,2,2026-01-12,\n",
        encoding="utf-8",
    )
    second = tmp_path / "spring.csv"
    second.write_text(
        HEADER
        + "ana,M.1,4,2026-01-11,q-2\n"  # also in the autumn export
        + "ana,M.1,2,2026-03-01,q-3\n"
        + "ana,M.1,2,2026-03-01,q-3\n"  # twice in this file: the reader's own check
        + "bo,M.1,2,2026-01-12,\n",  # no id: never a repeat
        encoding="utf-8",
    )
    records = list(read_files([first, second]))
    assert _outcomes(records) == [
        ("used", "q-1", ""),
        ("used", "q-2", ""),
        ("used", None, ""),
        ("MK314", "q-2", f"duplicate source_id `q-2` (first in {first} line 3)"),
        ("used", "q-3", ""),
        ("MK314", None, "duplicate source_id `q-3` (first on line 3)"),
        ("used", None, ""),
    ]
    assert records[3].origin == Origin(str(second), 2, "q-2")  # type: ignore[union-attr]
    summary = ReadSummary.of(records)
    assert (summary.read, summary.used, dict(summary.rejected)) == (7, 5, {"MK314": 2})

    # The same export read twice counts once.
    twice = ReadSummary.of(read_files([first, first]))
    assert (twice.read, twice.used, dict(twice.rejected)) == (6, 4, {"MK314": 2})


def test_json_lines_and_xapi_files_too(tmp_path: Path) -> None:
    line = {"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(json.dumps({**line, "source_id": "q-1"}) + "\n", "utf-8")
    records = list(read_files([tmp_path / "a.jsonl", tmp_path / "b.jsonl"]))
    assert _outcomes(records) == [
        ("used", "q-1", ""),
        ("MK314", "q-1", f"duplicate source_id `q-1` (first in {tmp_path / 'a.jsonl'} line 1)"),
    ]

    activity = "https://example.org/activities/ratios-quiz"
    statement = {
        "id": "s-1",
        "actor": {"account": {"homePage": "https://sis", "name": "ana"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
        "object": {"id": activity},
        "result": {"score": {"scaled": 0.5}},
        "timestamp": "2026-01-10T09:30:00Z",
    }
    for name in ("a.xapi.jsonl", "b.xapi.jsonl"):
        (tmp_path / name).write_text(json.dumps(statement) + "\n", "utf-8")
    options = {"activities": {activity: "M.1"}, "scale": (1, 4)}
    records = list(
        read_files([tmp_path / "a.xapi.jsonl", tmp_path / "b.xapi.jsonl"], options=options)
    )
    assert _outcomes(records) == [
        ("used", "s-1", ""),
        (
            "MK314",
            "s-1",
            f"duplicate source_id `s-1` (first in {tmp_path / 'a.xapi.jsonl'} line 1)",
        ),
    ]
