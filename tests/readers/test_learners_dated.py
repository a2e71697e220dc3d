"""Learners files with dated rows: attributes that change over time (a learner who moves between
schools), read in any row order, with every mistake in the dates reported by line."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Learner, Period
from masterykit.readers.learners import read_learners

JAN_15 = dt.date(2026, 1, 15)


def _problems(path: Path) -> list[tuple[str, str, str | None]]:
    with pytest.raises(EvidenceError) as caught:
        read_learners(path)
    return [(d.code, d.message, d.location) for d in caught.value.diagnostics]


def test_a_learner_who_moved_has_one_dated_row_per_school(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school,iep\n"
        "ana,,,,true\n"
        "ana,2025-08-20,2026-01-15,north,\n"
        "ana,2026-01-15,,south,\n"
        "bo,,,harbor,false\n",
        encoding="utf-8",
    )
    ana, bo = read_learners(path)
    assert ana == Learner(
        "ana",
        {"iep": True},
        {
            "school": (
                Period("north", dt.date(2025, 8, 20), JAN_15),
                Period("south", JAN_15, None),
            )
        },
    )
    assert bo == Learner("bo", {"school": "harbor", "iep": False})


def test_to_is_the_first_day_the_value_no_longer_holds(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school\nana,2025-08-20,2026-01-15,north\nana,2026-01-15,,south\n",
        encoding="utf-8",
    )
    [ana] = read_learners(path)
    assert ana.on(dt.date(2025, 8, 19)).attributes == {}
    assert ana.on(dt.date(2025, 8, 20)).attributes == {"school": "north"}
    assert ana.on(dt.date(2026, 1, 14)).attributes == {"school": "north"}
    assert ana.on(JAN_15).attributes == {"school": "south"}
    assert ana.on(dt.date(2099, 1, 1)).attributes == {"school": "south"}


def test_a_gap_between_dated_rows_leaves_the_attribute_out(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school\nana,,2026-01-10,north\nana,2026-02-01,,south\n", encoding="utf-8"
    )
    [ana] = read_learners(path)
    assert ana.on(dt.date(2026, 1, 9)).attributes == {"school": "north"}
    assert ana.on(dt.date(2026, 1, 20)).attributes == {}
    assert ana.on(dt.date(2026, 2, 1)).attributes == {"school": "south"}


def test_json_lines_rows_take_dates_too(tmp_path: Path) -> None:
    path = tmp_path / "learners.jsonl"
    rows = [
        {"id": "ana", "to": "2026-01-15", "school": "north", "credits": 3},
        {"id": "ana", "from": "2026-01-15", "to": None, "school": "south", "credits": 4},
        {"id": 7, "from": None, "grade": 9},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    ana, other = read_learners(path)
    assert ana.periods == {
        "school": (Period("north", None, JAN_15), Period("south", JAN_15)),
        "credits": (Period(Decimal(3), None, JAN_15), Period(Decimal(4), JAN_15)),
    }
    assert other == Learner("7", {"grade": Decimal(9)})


def test_every_mistake_in_the_dates_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school,iep\n"
        "ana,2025-08-20,2026-01-20,north,\n"  # 2
        "ana,2026-01-15,,south,\n"  # 3: overlaps line 2
        "bo,2026-02-01,2026-01-01,north,\n"  # 4: to before from
        "cy,2026-02-01,2026-02-01,north,\n"  # 5: empty period
        "dee,01/02/2026,,north,\n"  # 6: not a date
        "dee,2026-01-01,2026-02-30,south,\n",  # 7: no such day
        encoding="utf-8",
    )
    where = str(path)
    assert _problems(path) == [
        (
            "MK366",
            "attribute `school` of learner `ana`: 2026-01-15 to … overlaps "
            "2025-08-20 to 2026-01-20 on line 2",
            f"{where} line 3",
        ),
        (
            "MK365",
            "`to` 2026-01-01 is not after `from` 2026-02-01; `to` is the first day the value "
            "no longer holds",
            f"{where} line 4",
        ),
        (
            "MK365",
            "`to` 2026-02-01 is not after `from` 2026-02-01; `to` is the first day the value "
            "no longer holds",
            f"{where} line 5",
        ),
        ("MK364", "`from` `01/02/2026` is not a date (write YYYY-MM-DD)", f"{where} line 6"),
        ("MK364", "`to` date `2026-02-30` does not exist", f"{where} line 7"),
    ]


def test_an_attribute_has_dates_on_every_row_or_on_none(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school,iep\n"
        "eve,,,north,true\n"  # 2
        "eve,2026-01-01,,south,\n"  # 3: school with and without dates
        "eve,,,south,\n"  # 4: a second undated row
        "eve,,2026-01-01,,false\n",  # 5: iep with and without dates
        encoding="utf-8",
    )
    where = str(path)
    assert _problems(path) == [
        (
            "MK367",
            "attribute `school` of learner `eve` has dates here but none on line 2",
            f"{where} line 3",
        ),
        ("MK339", "duplicate learner `eve` (first on line 2)", f"{where} line 4"),
        (
            "MK367",
            "attribute `iep` of learner `eve` has dates here but none on line 2",
            f"{where} line 5",
        ),
    ]


def test_an_open_ended_value_overlaps_every_later_one(tmp_path: Path) -> None:
    path = tmp_path / "learners.jsonl"
    rows = [
        {"id": "ana", "from": "2025-08-01", "school": "north"},
        {"id": "ana", "from": "2025-09-01", "to": "2025-10-01", "school": "east"},
        {"id": "ana", "from": "2026-01-15", "school": "south"},
        {"id": "ana", "from": "2026-03-01", "to": 20260401, "school": "west"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    where = str(path)
    assert _problems(path) == [
        (
            "MK366",
            "attribute `school` of learner `ana`: 2025-09-01 to 2025-10-01 overlaps "
            "2025-08-01 to … on line 1",
            f"{where} line 2",
        ),
        (
            "MK366",
            "attribute `school` of learner `ana`: 2026-01-15 to … overlaps "
            "2025-08-01 to … on line 1",
            f"{where} line 3",
        ),
        ("MK364", "`to` `20260401` is not a date (write YYYY-MM-DD)", f"{where} line 4"),
    ]


def test_a_dated_row_after_the_undated_one_is_not_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "id,from,to,school,iep\nana,2026-01-15,,south,\nana,,,,true\nana,,2026-01-15,north,\n",
        encoding="utf-8",
    )
    [ana] = read_learners(path)
    assert ana.attributes == {"iep": True}
    assert ana.periods == {"school": (Period("north", None, JAN_15), Period("south", JAN_15))}


# --- row order does not matter -----------------------------------------------------------------

_DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def _timelines(draw: st.DrawFn) -> list[tuple[str, dt.date | None, dt.date | None, str]]:
    """Rows (id, from, to, school) of a few learners whose dated values never overlap."""
    rows: list[tuple[str, dt.date | None, dt.date | None, str]] = []
    for who in draw(st.lists(st.sampled_from(["ana", "bo", "cy", "dee"]), unique=True)):
        cuts = sorted(draw(st.lists(_DAYS, min_size=1, max_size=5, unique=True)))
        bounds: list[dt.date | None] = [None, *cuts, None]
        for start, end in itertools.pairwise(bounds):
            if draw(st.booleans()):
                school = draw(st.sampled_from(["north", "south", "harbor"]))
                rows.append((who, start, end, school))
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=_timelines(), data=st.data())
def test_the_order_of_the_rows_does_not_matter(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, dt.date | None, dt.date | None, str]],
    data: st.DataObject,
) -> None:
    folder = tmp_path_factory.mktemp("learners")

    def read(ordered: list[tuple[str, dt.date | None, dt.date | None, str]]) -> dict[str, object]:
        path = folder / "learners.csv"
        path.write_text(
            "id,from,to,school\n"
            + "".join(
                f"{who},{start or ''},{end or ''},{school}\n" for who, start, end, school in ordered
            ),
            encoding="utf-8",
        )
        return {learner.id: learner for learner in read_learners(path)}

    shuffled = data.draw(st.permutations(rows))
    assert read(list(shuffled)) == read(rows)
    for who, start, end, school in rows:
        for day in (start, end):
            if day is not None:
                learner = read(rows)[who]
                assert isinstance(learner, Learner)
                expected = school if start is None or start <= day else None
                if end is not None and day >= end:
                    expected = None
                if expected is not None:
                    assert learner.on(day).attributes["school"] == expected


# --- the values themselves ---------------------------------------------------------------------


def test_learner_on_gives_the_value_in_force_and_no_periods() -> None:
    ana = Learner(
        "ana", {"iep": True}, {"school": (Period("south", JAN_15), Period("north", None, JAN_15))}
    )
    assert ana.on(dt.date(2026, 1, 14)) == Learner("ana", {"iep": True, "school": "north"})
    assert ana.on(dt.datetime(2026, 1, 15, 8, 30)) == Learner(
        "ana", {"iep": True, "school": "south"}
    )


def test_learner_on_returns_an_undated_learner_itself() -> None:
    bo = Learner("bo", {"school": "north"})
    assert bo.on(JAN_15) is bo


def test_a_learner_built_in_code_is_checked_like_a_file() -> None:
    with pytest.raises(EvidenceError) as caught:
        Learner(
            "ana",
            {"school": "north"},
            {
                "school": (Period("north", None, JAN_15),),
                "grade": (Period(9, None, JAN_15), Period(10, dt.date(2026, 1, 1))),
            },
        )
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        (
            "MK366",
            "attribute `grade` of learner `ana` has two values on the same days: "
            "`9` … to 2026-01-15 and `10` 2026-01-01 to …",
        ),
        ("MK367", "attribute `school` of learner `ana` is given both without dates and with dates"),
    ]
    with pytest.raises(EvidenceError) as empty:
        Period("north", JAN_15, JAN_15)
    assert [d.code for d in empty.value.diagnostics] == ["MK365"]
    with pytest.raises(TypeError, match="a period starts and ends on a date"):
        Period("north", dt.datetime(2026, 1, 15, 8, 0))
