"""Evidence and learners the engine cannot use are rejected with a code and a short message,
never an exception from deep inside; dates at the ends of the calendar evaluate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from masterykit.engine import Session, Status, evaluate
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text

POLICY = load_text(
    """policy "Edges" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ELA "English" { competency ELA.1 "Reads closely" }
calculate most_recent
proficient at Proficient
""",
    "edges.mastery",
)
AS_OF = dt.date(2026, 3, 1)
DAY = dt.date(2026, 1, 5)


def _piece(**changes: Any) -> Evidence:
    fields: dict[str, Any] = {
        "learner": "ana",
        "competency": "ELA.1",
        "score": Decimal(3),
        "timestamp": DAY,
    }
    fields.update(changes)
    return Evidence(**fields)


CASES = [
    (
        _piece(competency=None),
        "MK380",
        "evidence names no competency (`None`); a competency is a code such as `ELA.1`",
    ),
    (
        _piece(score=Decimal("1e999999999")),
        "MK352",
        "score `1e+999999999` is off the scale of `ELA.1` (1 to 4)",
    ),
    (
        _piece(score=Decimal("-1.2345678901234567890123e999999")),
        "MK352",
        "score `-1.2345678901234567…e+999999` is off the scale of `ELA.1` (1 to 4)",
    ),
    (
        _piece(score=Decimal("123456.78901234567890123")),
        "MK352",
        "score `1.2345678901234567…e+5` is off the scale of `ELA.1` (1 to 4)",
    ),
    (_piece(score=True), "MK353", "score `True` on `ELA.1` is not a number"),
    (_piece(score="x" * 50), "MK353", f"score `{'x' * 20}…` on `ELA.1` is not a number"),
    (
        _piece(score="7" * 50),
        "MK352",
        "score `7.7777777777777777…e+49` is off the scale of `ELA.1` (1 to 4)",
    ),
    (
        _piece(timestamp=dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
        "MK382",
        "timestamp `9999-12-31T23:00:00-05:00` on `ELA.1` falls outside the years 1 to 9999 in UTC",
    ),
    (
        _piece(timestamp=dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))),
        "MK382",
        "timestamp `0001-01-01T01:00:00+05:00` on `ELA.1` falls outside the years 1 to 9999 in UTC",
    ),
]


@pytest.mark.parametrize(("piece", "code", "message"), CASES, ids=[c[2][:40] for c in CASES])
def test_unusable_evidence_is_rejected_with_its_code(
    piece: Evidence, code: str, message: str
) -> None:
    result = evaluate(POLICY, Learner("ana"), [piece, _piece()], as_of=AS_OF)
    assert [(r.code, r.reason) for r in result.rejections] == [(code, message)]
    assert result.rejections[0].evidence is piece
    assert result.learners[0].competencies["ELA.1"].status is Status.PROFICIENT
    session = Session(POLICY, Learner("ana"), as_of=AS_OF)
    changes = session.add(piece)
    assert [(r.code, r.reason) for r in changes.rejections] == [(code, message)]


def test_learner_ids_that_are_not_text_are_rejected() -> None:
    pieces = [_piece(), _piece(learner=7), _piece(learner=None, competency=None)]
    result = evaluate(POLICY, None, pieces, as_of=AS_OF)
    assert [learner.learner.id for learner in result.learners] == ["ana"]
    assert [(r.code, r.reason) for r in result.rejections] == [
        ("MK381", 'learner id `7` is not text; learner ids are text, such as `"7"`'),
        ("MK381", 'learner id `None` is not text; learner ids are text, such as `"None"`'),
    ]
    assert result.counts.read == result.counts.used + result.counts.rejected
    roster = [Learner("ana"), Learner(7)]  # type: ignore[arg-type]
    listed = evaluate(POLICY, roster, pieces[:2], as_of=AS_OF)
    assert [learner.learner.id for learner in listed.learners] == ["ana"]
    assert [(r.code, r.origin.record, r.evidence) for r in listed.rejections] == [
        ("MK381", None, pieces[1]),
        ("MK381", "7", None),
    ]


def test_the_last_day_of_the_calendar_evaluates_evidence_with_a_time_of_day() -> None:
    piece = _piece(timestamp=dt.datetime(2026, 1, 5, 10, 30))
    late = _piece(timestamp=dt.datetime(9999, 12, 31, 23, 59))
    result = evaluate(POLICY, Learner("ana"), [piece, late], as_of=dt.date(9999, 12, 31))
    competency = result.learners[0].competencies["ELA.1"]
    assert competency.status is Status.PROFICIENT
    assert competency.used == (piece, late)
