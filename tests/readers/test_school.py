"""Evidence names the school where it was scored, when the source says: the ``school`` column of
CSV and JSON Lines files, and a OneRoster line item's ``schoolSourcedId``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from masterykit.engine import evaluate
from masterykit.evidence import Evidence, Learner, Period
from masterykit.loader import load_text
from masterykit.readers import read_all, read_evidence


def _schools(path: Path, **options: object) -> list[str | None]:
    evidence, rejections, _ = read_all(path, options=options or None)
    assert rejections == ()
    return [piece.school for piece in evidence]


def test_the_school_column_is_kept_on_each_piece(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "learner,competency,score,timestamp,school\n"
        "ana,M.1,3,2026-01-10,north\n"  # read with the full checks
        "ana,M.1,3,2026-01-10,\n"  # score and date read before: the common row's quick way
        "ana,M.1,4,2026-02-10, south \n",  # a new score: the full checks again
        encoding="utf-8",
    )
    assert _schools(path) == ["north", None, "south"]


def test_a_short_row_has_no_school(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "learner,competency,score,timestamp,school\nana,M.1,3,2026-01-10\n", encoding="utf-8"
    )
    assert _schools(path) == [None]


def test_the_school_column_can_be_mapped_and_json_lines_have_it_too(tmp_path: Path) -> None:
    csv = tmp_path / "e.csv"
    csv.write_text(
        "learner,competency,score,timestamp,campus\nana,M.1,3,2026-01-10,harbor\n",
        encoding="utf-8",
    )
    assert _schools(csv, columns={"school": "campus"}) == ["harbor"]
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text(
        '{"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-10", '
        '"school": "north"}\n'
        '{"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-11"}\n',
        encoding="utf-8",
    )
    assert _schools(jsonl) == ["north", None]


def test_a_oneroster_line_item_names_the_school() -> None:
    folder = Path(__file__).parent / "data" / "oneroster-results"
    found = [
        item.school
        for item in read_evidence(folder, options={"scale": (1, 4)})
        if isinstance(item, Evidence)
    ]
    assert found and set(found) == {"school-1"}


def test_a_learner_who_moved_keeps_the_evidence_every_school_scored() -> None:
    policy = load_text(
        """policy "P" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area M "Maths" { competency M.1 "Number" }
calculate most_recent
proficient at Proficient
""",
        "p.mastery",
    )
    moved = dt.date(2026, 1, 15)
    ana = Learner(
        "ana", {}, {"school": (Period("north", None, moved), Period("south", moved, None))}
    )
    evidence = [
        Evidence("ana", "M.1", Decimal(2), dt.date(2025, 10, 1), school="north"),
        Evidence("ana", "M.1", Decimal(3), dt.date(2026, 2, 1), school="south"),
    ]
    result = evaluate(policy, ana, evidence, as_of=dt.date(2026, 3, 1)).learners[0]
    assert [piece.school for piece in result.competencies["M.1"].used] == ["north", "south"]
    assert result.learner.attributes == {"school": "south"}
