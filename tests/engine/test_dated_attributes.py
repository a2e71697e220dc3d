"""A learner whose attributes change over time is evaluated with the values in force on the
as-of date: by ``evaluate``, ``evaluate_stream`` and a ``Session`` alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from masterykit.engine import Session, evaluate, evaluate_stream
from masterykit.evidence import Evidence, Learner, Period
from masterykit.loader import load_text

MOVED = dt.date(2026, 1, 15)

POLICY = load_text(
    """policy "Schools" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area MATH "Mathematics" { competency MATH.1 "Number sense" }
calculate most_recent
proficient at Proficient
requirement harbor_credit "Harbor credit" {
  learner.school = "harbor"
  all of MATH proficient
}
graduate when {
  any {
    pathway "Harbor" { requirement harbor_credit }
    pathway "Elsewhere" { not learner.school = "harbor" }
  }
}
pace for MATH {
  due learner.graduation_date
  measure over last 6 months
  at risk within 3 months
}
""",
    "schools.mastery",
)

ANA = Learner(
    "ana",
    {"iep": False},
    {
        "school": (Period("north", None, MOVED), Period("harbor", MOVED)),
        "graduation_date": (
            Period(dt.date(2026, 6, 1), None, MOVED),
            Period(dt.date(2027, 6, 1), MOVED),
        ),
    },
)
EVIDENCE = [
    Evidence("ana", "MATH.1", Decimal(3), dt.date(2025, 10, 1)),
    Evidence("ana", "MATH.1", Decimal(4), dt.date(2026, 2, 1)),
]


def test_the_school_in_force_on_the_as_of_date_is_the_one_clauses_read() -> None:
    before = evaluate(POLICY, ANA, EVIDENCE, as_of=dt.date(2026, 1, 14)).learners[0]
    after = evaluate(POLICY, ANA, EVIDENCE, as_of=MOVED).learners[0]

    assert before.learner == Learner(
        "ana", {"iep": False, "school": "north", "graduation_date": dt.date(2026, 6, 1)}
    )
    assert not before.requirements["harbor_credit"].held
    assert after.learner.attributes["school"] == "harbor"
    assert after.requirements["harbor_credit"].held
    assert before.graduation is not None and before.graduation.held
    assert after.graduation is not None and after.graduation.held
    assert before.pace is not None and after.pace is not None
    assert before.pace.due == dt.date(2026, 6, 1)
    assert after.pace.due == dt.date(2027, 6, 1)


def test_a_learner_before_their_first_dated_value_lacks_the_attribute() -> None:
    late = Learner("ana", {}, {"school": (Period("harbor", MOVED),)})
    result = evaluate(POLICY, late, EVIDENCE, as_of=dt.date(2025, 12, 1)).learners[0]
    assert result.learner.attributes == {}
    assert not result.requirements["harbor_credit"].held
    assert result.pace is not None and result.pace.due is None


def test_a_learner_who_moved_keeps_all_their_evidence() -> None:
    result = evaluate(POLICY, ANA, EVIDENCE, as_of=dt.date(2026, 3, 1)).learners[0]
    assert len(result.competencies["MATH.1"].used) == 2


def test_streams_and_sessions_read_the_same_values() -> None:
    for day in (dt.date(2026, 1, 14), MOVED, dt.date(2026, 3, 1)):
        whole = evaluate(POLICY, ANA, EVIDENCE, as_of=day).learners[0]
        [streamed] = list(evaluate_stream(POLICY, EVIDENCE, learners=[ANA], as_of=day))
        assert streamed.learners[0] == whole
        session = Session(POLICY, ANA, EVIDENCE[:1], as_of=day)
        session.add(EVIDENCE[1])
        assert session.result == whole
