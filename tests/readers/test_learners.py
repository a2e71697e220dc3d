"""Learners files: an id plus typed attributes; problems reported all at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Learner
from masterykit.readers.learners import read_learners


def test_learner_attributes_are_typed_and_empty_cells_left_out(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,graduation_date,iep,credits,school,enrolled_at\n"
        "ana,2027-06-15,false,12.5,North,2025-09-01T08:00\n"
        "ben,,TRUE,,South,\n",
        encoding="utf-8",
    )
    ana, ben = read_learners(path)
    assert ana == Learner(
        "ana",
        {
            "graduation_date": dt.date(2027, 6, 15),
            "iep": False,
            "credits": Decimal("12.5"),
            "school": "North",
            "enrolled_at": dt.datetime(2025, 9, 1, 8, 0),
        },
    )
    assert dict(ana.attributes) == {
        "graduation_date": dt.date(2027, 6, 15),
        "iep": False,
        "credits": Decimal("12.5"),
        "school": "North",
        "enrolled_at": dt.datetime(2025, 9, 1, 8, 0),
    }
    assert dict(ben.attributes) == {"iep": True, "school": "South"}


def test_json_lines_learners_keep_json_types(tmp_path: Path) -> None:
    path = tmp_path / "learners.jsonl"
    path.write_text(
        '{"id": "ana", "iep": true, "credits": 3.5, "due": "2027-06-15", "note": null}\n'
        '{"id": 42, "grade": 9}\n',
        encoding="utf-8",
    )
    ana, other = read_learners(path)
    assert dict(ana.attributes) == {
        "iep": True,
        "credits": Decimal("3.5"),
        "due": dt.date(2027, 6, 15),
    }
    assert other == Learner("42", {"grade": Decimal(9)})


def test_learner_problems_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text("id,iep\nana,true\n,false\nana,false\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        read_learners(path)
    assert [(d.code, d.message, d.location) for d in caught.value.diagnostics] == [
        ("MK338", "learner row has no `id`", f"{path} line 3"),
        ("MK339", "duplicate learner `ana` (first on line 2)", f"{path} line 4"),
    ]


def test_learners_file_needs_an_id_column(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text("name,iep\nana,true\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        read_learners(path)
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("MK306", "missing column `id` in the header, so no row of the file is read")
    ]
