"""Evaluation semantics: statuses, windows, ordering, sufficiency, rejections and counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from engine_kit import build_policy, ev, learner
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.engine import EvaluationResult, Status, UnusedReason, evaluate
from masterykit.evidence import Evidence, Learner, Origin
from masterykit.policy import Duration

AS_OF = dt.date(2026, 6, 1)


def one(result: EvaluationResult, code: str, learner_id: str = "ana"):  # type: ignore[no-untyped-def]
    found = result.learner(learner_id)
    assert found is not None
    return found.competencies[code]


def test_no_evidence_is_not_started_and_never_proficient() -> None:
    result = evaluate(build_policy(["M.1"]), learner("ana"), [], as_of=AS_OF)
    comp = one(result, "M.1")
    assert comp.status is Status.NOT_STARTED
    assert comp.score is None
    assert not comp.proficient
    assert [step.text for step in comp.missing] == [
        "M.1: 1 more piece of evidence",
        "M.1 needs a score of 3 or more",
    ]


def test_a_score_at_the_cut_is_proficient_and_below_it_is_developing() -> None:
    policy = build_policy(["M.1", "M.2"])
    evidence = [ev("ana", "M.1", 3, "2026-01-10"), ev("ana", "M.2", "2.99", "2026-01-10")]
    result = evaluate(policy, learner("ana"), evidence, as_of=AS_OF)
    assert one(result, "M.1").status is Status.PROFICIENT
    assert one(result, "M.1").level == "Proficient"
    assert one(result, "M.2").status is Status.DEVELOPING
    assert one(result, "M.2").level == "Developing"
    assert [s.text for s in one(result, "M.2").missing] == [
        "M.2 needs a score of 3 or more (now 2.99)"
    ]


def test_the_rounded_score_is_what_the_cut_compares() -> None:
    policy = build_policy(["M.1"], method="mean")
    evidence = [ev("ana", "M.1", "2.99", "2026-01-10"), ev("ana", "M.1", "3", "2026-01-11")]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.unrounded == Decimal("2.995")
    assert comp.score == Decimal("3.00")
    assert comp.status is Status.PROFICIENT


def test_insufficient_evidence_still_shows_the_score_and_level() -> None:
    policy = build_policy(["M.1"], counts=[(2, ())])
    comp = one(
        evaluate(policy, learner("ana"), [ev("ana", "M.1", 4, "2026-01-10")], as_of=AS_OF), "M.1"
    )
    assert comp.status is Status.INSUFFICIENT
    assert comp.score == Decimal("4.00")
    assert comp.level == "Advanced"
    assert not comp.proficient
    assert [s.text for s in comp.missing] == ["M.1: 1 more piece of evidence"]


def test_evidence_after_the_as_of_date_is_ignored_and_reported() -> None:
    policy = build_policy(["M.1"])
    evidence = [ev("ana", "M.1", 2, "2026-01-10"), ev("ana", "M.1", 4, "2026-06-02")]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.score == Decimal("2.00")
    assert [(u.evidence.score, u.reason) for u in comp.unused] == [
        (Decimal(4), UnusedReason.AFTER_AS_OF)
    ]


def test_only_future_evidence_means_not_started() -> None:
    policy = build_policy(["M.1"])
    comp = one(
        evaluate(policy, learner("ana"), [ev("ana", "M.1", 4, "2026-07-01")], as_of=AS_OF), "M.1"
    )
    assert comp.status is Status.NOT_STARTED
    assert len(comp.unused) == 1


def test_evidence_on_the_as_of_day_counts_even_with_a_time() -> None:
    policy = build_policy(["M.1"])
    comp = one(
        evaluate(policy, learner("ana"), [ev("ana", "M.1", 4, "2026-06-01T23:59")], as_of=AS_OF),
        "M.1",
    )
    assert comp.status is Status.PROFICIENT


def test_the_window_includes_both_ends() -> None:
    policy = build_policy(["M.1"], method="mean", window=Duration(1, "year"))
    evidence = [
        ev("ana", "M.1", 1, "2025-05-31"),  # one day too old
        ev("ana", "M.1", 3, "2025-06-01"),  # first day of the window
        ev("ana", "M.1", 4, "2026-06-01"),  # the as-of day
    ]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.window_start == dt.date(2025, 6, 1)
    assert comp.score == Decimal("3.50")
    assert [u.reason for u in comp.unused] == [UnusedReason.OUTSIDE_WINDOW]


def test_evidence_all_outside_the_window_is_insufficient_without_a_score() -> None:
    policy = build_policy(["M.1"], window=Duration(10, "day"))
    comp = one(
        evaluate(policy, learner("ana"), [ev("ana", "M.1", 4, "2026-01-01")], as_of=AS_OF), "M.1"
    )
    assert comp.status is Status.INSUFFICIENT
    assert comp.score is None
    assert comp.level is None


def test_same_timestamp_orders_by_score_lowest_first() -> None:
    policy = build_policy(["M.1"])
    evidence = [ev("ana", "M.1", 4, "2026-01-10"), ev("ana", "M.1", 2, "2026-01-10")]
    for order in (evidence, evidence[::-1]):
        comp = one(evaluate(policy, learner("ana"), order, as_of=AS_OF), "M.1")
        assert comp.score == Decimal("4.00")
        assert [e.score for e in comp.used] == [Decimal(2), Decimal(4)]


def test_a_datetime_later_on_the_same_day_comes_after_the_date() -> None:
    policy = build_policy(["M.1"])
    evidence = [ev("ana", "M.1", 2, "2026-01-10T09:30"), ev("ana", "M.1", 3, "2026-01-10")]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.score == Decimal("2.00")


def test_kind_counts_only_count_those_kinds_and_kindless_evidence_counts_only_plainly() -> None:
    policy = build_policy(["M.1"], counts=[(3, ()), (1, ("performance_task", "project"))])
    evidence = [
        ev("ana", "M.1", 3, "2026-01-10"),
        ev("ana", "M.1", 3, "2026-01-11", "quiz"),
        ev("ana", "M.1", 3, "2026-01-12"),
    ]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.status is Status.INSUFFICIENT
    assert [(c.rule, c.actual, c.met) for c in comp.checks] == [
        ("evidence at least 3", 3, True),
        ("evidence at least 1 from performance_task, project", 0, False),
    ]
    assert [s.text for s in comp.missing] == [
        "M.1: 1 more piece of evidence from performance_task or project"
    ]


def test_variety_counts_distinct_named_kinds() -> None:
    policy = build_policy(["M.1"], variety=2)
    evidence = [
        ev("ana", "M.1", 3, "2026-01-10", "quiz"),
        ev("ana", "M.1", 3, "2026-01-11", "quiz"),
        ev("ana", "M.1", 3, "2026-01-12"),
    ]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.status is Status.INSUFFICIENT
    assert [s.text for s in comp.missing] == ["M.1: evidence of 1 more kind"]
    evidence.append(ev("ana", "M.1", 3, "2026-01-13", "project"))
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.status is Status.PROFICIENT


def test_a_method_without_a_score_makes_the_competency_insufficient() -> None:
    policy = build_policy(["M.1"], method="n_mastery", args=["2"])
    comp = one(
        evaluate(policy, learner("ana"), [ev("ana", "M.1", 4, "2026-01-10")], as_of=AS_OF), "M.1"
    )
    assert comp.status is Status.INSUFFICIENT
    assert comp.score is None
    assert [s.text for s in comp.missing] == [
        "M.1: the calculation `n_mastery(2)` gives no score yet",
        "M.1 needs a score of 3 or more",
    ]


def test_first_proficient_is_the_first_evidence_date_at_the_cut() -> None:
    policy = build_policy(["M.1"], method="mean", counts=[(2, ())])
    evidence = [
        ev("ana", "M.1", 4, "2026-01-10"),  # alone: not sufficient
        ev("ana", "M.1", 1, "2026-02-10"),  # mean 2.5: below the cut
        ev("ana", "M.1", 4, "2026-03-10"),  # mean 3: proficient from here
        ev("ana", "M.1", 4, "2026-04-10"),
    ]
    result = evaluate(policy, learner("ana"), evidence, as_of=AS_OF, first_proficient="all")
    assert one(result, "M.1").first_proficient == dt.date(2026, 3, 10)
    # Outside the pace selection the date is only worked out when asked for.
    assert (
        one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1").first_proficient is None
    )


def test_unusable_evidence_is_rejected_with_its_origin_and_counts_reconcile() -> None:
    policy = build_policy(["M.1"])
    here = Origin("evidence.csv", 7)
    evidence = [
        Evidence("bob", "M.1", Decimal(3), dt.date(2026, 1, 1), origin=here),
        Evidence("ana", "M.9", Decimal(3), dt.date(2026, 1, 1), origin=here),
        Evidence("ana", "M.1", Decimal(5), dt.date(2026, 1, 1), origin=here),
        Evidence("ana", "M.1", Decimal("NaN"), dt.date(2026, 1, 1), origin=here),
        Evidence("ana", "M.1", Decimal(3), "2026-13-01", origin=here),  # type: ignore[arg-type]
        ev("ana", "M.1", 3, "2026-01-01"),
        ev("ana", "M.1", 3, "2026-07-01"),
    ]
    result = evaluate(policy, [learner("ana"), learner("ana")], evidence, as_of=AS_OF)
    assert [(r.code, r.reason) for r in result.rejections] == [
        ("MK354", "learner `ana` is listed more than once; the first entry is used"),
        ("MK350", "evidence for unknown learner `bob`"),
        ("MK351", "evidence for unknown competency `M.9` (did you mean `M.1`?)"),
        ("MK352", "score `5` is off the scale of `M.1` (1 to 4)"),
        ("MK353", "score `NaN` on `M.1` is not a number"),
        ("MK355", "timestamp `2026-13-01` on `M.1` is not a date or a date and time"),
    ]
    assert all(r.origin == here for r in result.rejections if r.evidence is not None)
    counts = result.counts
    assert (counts.read, counts.used, counts.rejected) == (7, 2, 5)
    assert counts.read == counts.used + counts.rejected
    assert (counts.counted, counts.not_counted) == (1, 1)
    assert len(result.learners) == 1


def test_one_learner_may_be_passed_alone_and_none_means_every_learner_in_the_evidence() -> None:
    policy = build_policy(["M.1"])
    evidence = [ev("zoe", "M.1", 3, "2026-01-01"), ev("ana", "M.1", 2, "2026-01-01")]
    alone = evaluate(policy, Learner("zoe"), evidence, as_of=AS_OF)
    assert [r.learner.id for r in alone.learners] == ["zoe"]
    assert alone.counts.rejected == 1
    everyone = evaluate(policy, None, evidence, as_of=AS_OF)
    assert [r.learner.id for r in everyone.learners] == ["ana", "zoe"]


def test_a_datetime_as_of_counts_as_its_date() -> None:
    policy = build_policy(["M.1"])
    result = evaluate(
        policy,
        learner("ana"),
        [ev("ana", "M.1", 3, "2026-06-01T18:00")],
        as_of=dt.datetime(2026, 6, 1, 8, 0),
    )
    assert result.as_of == AS_OF
    assert one(result, "M.1").proficient


def test_policy_evaluate_delegates_to_the_engine() -> None:
    policy = build_policy(["M.1"])
    result = policy.evaluate(learner("ana"), [ev("ana", "M.1", 3, "2026-01-01")], as_of=AS_OF)
    assert isinstance(result, EvaluationResult)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [(("1", "4"), Status.PROFICIENT), (("4", "1"), Status.DEVELOPING)],
)
def test_most_recent_reads_the_latest_evidence(scores: tuple[str, str], expected: Status) -> None:
    policy = build_policy(["M.1"])
    evidence = [
        ev("ana", "M.1", scores[0], "2026-01-01"),
        ev("ana", "M.1", scores[1], "2026-02-01"),
    ]
    assert (
        one(evaluate(policy, learner("ana"), evidence[::-1], as_of=AS_OF), "M.1").status is expected
    )


def test_whole_number_scores_are_read_as_decimals() -> None:
    policy = build_policy(["M.1"], method="mean")
    piece = Evidence("ana", "M.1", 3, dt.date(2026, 1, 1))  # type: ignore[arg-type]
    comp = one(evaluate(policy, learner("ana"), [piece], as_of=AS_OF), "M.1")
    assert comp.score == Decimal("3.00")
    assert type(comp.used[0].score) is Decimal


def test_aware_datetimes_are_ordered_in_utc() -> None:
    policy = build_policy(["M.1"])
    east = dt.timezone(dt.timedelta(hours=5))
    evidence = [
        Evidence("ana", "M.1", Decimal(4), dt.datetime(2026, 1, 10, 9, 0, tzinfo=east)),  # 04:00Z
        Evidence("ana", "M.1", Decimal(2), dt.datetime(2026, 1, 10, 5, 0)),  # 05:00 naive = UTC
    ]
    comp = one(evaluate(policy, learner("ana"), evidence, as_of=AS_OF), "M.1")
    assert comp.score == Decimal("2.00")


def test_equal_timestamps_and_scores_have_one_order_whatever_the_input_order() -> None:
    policy = build_policy(["M.1"], method="mean")
    evidence = [
        ev("ana", "M.1", 3, "2026-01-10", "quiz"),
        ev("ana", "M.1", 3, "2026-01-10", "project"),
        ev("ana", "M.1", 3, "2026-01-10"),
    ]
    orders = {
        tuple(e.kind for e in one(evaluate(policy, learner("ana"), o, as_of=AS_OF), "M.1").used)
        for o in (evidence, evidence[::-1], evidence[1:] + evidence[:1])
    }
    assert orders == {(None, "project", "quiz")}


_odd_scores = st.sampled_from(
    [
        Decimal(3),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal(9),
        2,
        2.5,
        "x",
        None,
    ]
)
_odd_stamps = st.sampled_from(
    [
        dt.date(2026, 1, 1),
        dt.date(2026, 7, 1),
        dt.datetime(2026, 1, 1, 8, 0),
        dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC),
        "2026-01-01",
        None,
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.builds(
            Evidence,
            st.sampled_from(["ana", "bob"]),
            st.sampled_from(["M.1", "M.2", "X.9"]),
            _odd_scores,
            _odd_stamps,
        ),
        max_size=12,
    )
)
def test_any_evidence_is_used_or_rejected_never_a_crash(evidence: list[Evidence]) -> None:
    policy = build_policy(["M.1", "M.2"], counts=[(2, ())])
    result = evaluate(policy, learner("ana"), evidence, as_of=AS_OF)
    counts = result.counts
    assert counts.read == len(evidence) == counts.used + counts.rejected
    assert counts.used == counts.counted + counts.not_counted
    assert all(r.code in {"MK350", "MK351", "MK352", "MK353", "MK355"} for r in result.rejections)


def test_a_code_in_the_wrong_case_gets_the_code_it_differs_from() -> None:
    policy = build_policy(["MATH.1", "MATH.2", "ELA.1"])
    evidence = [
        ev("ana", "math.1", 3, "2026-01-01"),
        ev("ana", "Ela.1", 3, "2026-01-01"),
        ev("ana", "MATH.9", 3, "2026-01-01"),
        ev("ana", "HISTORY", 3, "2026-01-01"),
    ]
    result = evaluate(policy, [learner("ana")], evidence, as_of=AS_OF)
    assert sorted(r.reason for r in result.rejections) == [
        "evidence for unknown competency `Ela.1` (did you mean `ELA.1`?)",
        "evidence for unknown competency `HISTORY`",
        "evidence for unknown competency `MATH.9` (did you mean `MATH.2`?)",
        "evidence for unknown competency `math.1` (did you mean `MATH.1`?)",
    ]
