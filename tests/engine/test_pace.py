"""Pace toward a due date, exactly as LANGUAGE.md "Pace" describes it."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_kit import build_policy, ev, learner, pace_rule

from masterykit.engine import PaceResult, PaceStatus, evaluate
from masterykit.evidence import AttributeValue
from masterykit.policy import Duration, LearnerClause, PaceExtension

AS_OF = dt.date(2026, 6, 1)
CODES = ["MATH.1", "MATH.2", "MATH.3", "CAP.1"]
IEP = PaceExtension(Duration(1, "year"), LearnerClause("iep", None, None, "learner.iep"))


def pace_for(evidence_days: dict[str, tuple[str, str]], **attributes: AttributeValue) -> PaceResult:
    policy = build_policy(CODES, pace=pace_rule(CODES, extensions=[IEP]))
    evidence = [ev("ana", code, score, day) for code, (score, day) in evidence_days.items()]
    result = evaluate(policy, learner("ana", **attributes), evidence, as_of=AS_OF)
    pace = result.learners[0].pace
    assert pace is not None
    return pace


TWO_OF_FOUR = {
    "MATH.1": ("3", "2026-01-15"),
    "MATH.2": ("3", "2026-04-01"),
    "MATH.3": ("2", "2026-05-01"),
}


@pytest.mark.parametrize(
    ("due", "iep", "status"),
    [
        ("2026-06-15", True, PaceStatus.ON_TRACK),  # due 2027-06-15 after the extension
        ("2026-06-15", False, PaceStatus.OFF_TRACK),  # at risk only up to 2026-09-15
        ("2026-09-01", False, PaceStatus.AT_RISK),  # at risk up to 2026-12-01
        ("2026-11-30", False, PaceStatus.ON_TRACK),  # projected exactly on the due date
    ],
)
def test_the_projection_is_compared_with_the_due_date_and_the_risk_margin(
    due: str, iep: bool, status: PaceStatus
) -> None:
    pace = pace_for(TWO_OF_FOUR, graduation_date=dt.date.fromisoformat(due), iep=iep)
    assert pace.window_start == dt.date(2025, 12, 1)
    assert pace.window_days == 182
    assert pace.remaining == ("MATH.3", "CAP.1")
    assert pace.proficient_in_window == ("MATH.1", "MATH.2")
    assert pace.projected == dt.date(2026, 11, 30)
    assert pace.status is status


def test_the_extension_is_applied_and_reported() -> None:
    pace = pace_for(TWO_OF_FOUR, graduation_date=dt.date(2026, 6, 15), iep=True)
    assert pace.base_due == dt.date(2026, 6, 15)
    assert pace.due == dt.date(2027, 6, 15)
    assert pace.risk_until == dt.date(2027, 9, 15)
    assert pace.extensions == ("extend 1 year when learner.iep",)


def test_the_projection_rounds_days_up_with_integer_arithmetic() -> None:
    # Three remaining, one proficient in 182 days: 546 days.
    pace = pace_for({"MATH.1": ("3", "2026-01-15")}, graduation_date=dt.date(2030, 1, 1))
    assert pace.projected == AS_OF + dt.timedelta(days=546)
    # Two remaining, two proficient (one of them before the window does not count).
    pace = pace_for(
        {"MATH.1": ("3", "2025-11-30"), "MATH.2": ("3", "2026-01-01")},
        graduation_date=dt.date(2030, 1, 1),
    )
    assert pace.proficient_in_window == ("MATH.2",)
    assert pace.projected == AS_OF + dt.timedelta(days=364)


def test_no_progress_in_the_window_is_off_track() -> None:
    pace = pace_for({"MATH.1": ("3", "2025-01-15")}, graduation_date=dt.date(2030, 1, 1))
    assert pace.status is PaceStatus.OFF_TRACK
    assert pace.projected is None
    assert pace.reason == "no competency became proficient in the last 6 months"


def test_a_learner_without_the_due_attribute_is_unknown_with_the_reason() -> None:
    pace = pace_for(TWO_OF_FOUR)
    assert pace.status is PaceStatus.UNKNOWN
    assert pace.reason == "no due date: the learner has no `graduation_date`"
    pace = pace_for(TWO_OF_FOUR, graduation_date="soon")
    assert pace.reason == "no due date: `learner.graduation_date` is not a date (`soon`)"


def test_complete_wins_even_without_a_due_date() -> None:
    everything = dict.fromkeys(CODES, ("4", "2026-01-01"))
    assert pace_for(everything).status is PaceStatus.COMPLETE


def test_a_fixed_due_date_and_an_iso_text_attribute_both_work() -> None:
    policy = build_policy(
        CODES, pace=pace_rule(CODES, due_attribute=None, due_date=dt.date(2027, 6, 15))
    )
    evidence = [ev("ana", c, s, d) for c, (s, d) in TWO_OF_FOUR.items()]
    pace = evaluate(policy, learner("ana"), evidence, as_of=AS_OF).learners[0].pace
    assert pace is not None
    assert pace.status is PaceStatus.ON_TRACK
    text_due = pace_for(TWO_OF_FOUR, graduation_date="2027-06-15")
    assert text_due.due == dt.date(2027, 6, 15)


def test_a_due_date_extended_past_the_last_calendar_day_stops_at_9999_12_31() -> None:
    pace = pace_for(TWO_OF_FOUR, graduation_date=dt.date(9999, 6, 1), iep=True)
    assert pace.due == dt.date.max
    assert pace.risk_until == dt.date.max
    assert pace.status is PaceStatus.ON_TRACK


def pace_at_calendar_edge(as_of: dt.date, proficient_on: str, due: dt.date) -> PaceResult:
    """Pace as of ``as_of`` for a learner proficient in MATH.1 on ``proficient_on``."""
    policy = build_policy(CODES, pace=pace_rule(CODES))
    evidence = [ev("ana", "MATH.1", "3", proficient_on)]
    result = evaluate(policy, learner("ana", graduation_date=due), evidence, as_of=as_of)
    pace = result.learners[0].pace
    assert pace is not None
    return pace


def test_a_window_reaching_back_before_year_one_starts_on_the_first_calendar_day() -> None:
    pace = pace_at_calendar_edge(dt.date(1, 3, 1), "0001-02-01", due=dt.date(1, 6, 1))
    assert pace.window_start == dt.date.min
    assert pace.proficient_in_window == ("MATH.1",)
    assert pace.window_days == 59
    assert pace.projected == dt.date(1, 8, 25)  # 3 remaining × 59 days ÷ 1


def test_a_projection_past_the_last_calendar_day_stops_at_9999_12_31() -> None:
    pace = pace_at_calendar_edge(dt.date(9999, 12, 1), "9999-11-30", due=dt.date(9999, 12, 31))
    assert pace.projected == dt.date.max


def test_why_there_is_no_due_date_is_a_fact_worded_by_the_renderer() -> None:
    import pickle

    from masterykit.engine import DueNotADate, NoDueAttribute, render_pace_reason

    missing = pace_for(TWO_OF_FOUR)
    assert missing.problem == NoDueAttribute("graduation_date")
    wrong = pace_for(TWO_OF_FOUR, graduation_date="soon")
    assert wrong.problem == DueNotADate("graduation_date", "soon")
    assert wrong.window == Duration(6, "month")
    # Authors and teachers read the same reason; families and learners read plain sentences.
    for audience in ("author", "teacher"):
        assert render_pace_reason(wrong, audience) == wrong.reason
    assert pickle.loads(pickle.dumps(wrong)) == wrong
    on_time = pace_for(TWO_OF_FOUR, graduation_date=dt.date(2026, 11, 30))
    assert on_time.problem is None
    assert on_time.reason == "projected to finish on 2026-11-30, by 2026-11-30"
