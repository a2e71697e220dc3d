"""Online sessions equal full evaluations; evaluation is order-independent and deterministic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine_kit import HABITS, build_policy, competency_test, ev, learner, pace_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.engine import Session, Status, evaluate, to_json
from masterykit.evidence import Evidence
from masterykit.policy import AllClause, AnyClause, Duration, RequirementClause

AS_OF = dt.date(2026, 6, 1)
CODES = ["M.1", "M.2", "M.3", "H.1"]

POLICY = build_policy(
    {"M.1": HABITS, "M.2": HABITS, "M.3": HABITS, "H.1": HABITS},
    method="decaying_average",
    args=["0.65"],
    cut_level="Usually",
    counts=[(2, ())],
    window=Duration(6, "month"),
    overrides={"H.1": {"method": "mean", "args": [], "counts": [(1, ("quiz",))]}},
    requirements={
        "maths": [competency_test("all", "proficient", ["M.1", "M.2"], "all of M proficient")],
        "habits": [
            competency_test(
                "none",
                "below",
                ["H.1"],
                "none of H below Sometimes",
                level="Sometimes",
                scale=HABITS,
            )
        ],
    },
    advancements=[("One", "Two", [RequirementClause("maths")])],
    graduation=[
        RequirementClause("maths"),
        AnyClause(
            (
                AllClause((RequirementClause("habits"),), pathway="Habits"),
                AllClause(
                    (competency_test("all", "proficient", ["M.3"], "all of M.3 proficient"),),
                    pathway="Project",
                ),
            )
        ),
    ],
    pace=pace_rule(["M.1", "M.2", "M.3"]),
)
ANA = learner("ana", graduation_date=dt.date(2027, 1, 1))


def _stamp(days: int, hour: int | None) -> dt.date | dt.datetime:
    day = dt.date(2025, 6, 1) + dt.timedelta(days=days)
    return day if hour is None else dt.datetime(day.year, day.month, day.day, hour)


evidence_strategy = st.builds(
    lambda code, score, stamp, kind: Evidence("ana", code, score, stamp, kind=kind),
    st.sampled_from(CODES),
    st.sampled_from([Decimal(1), Decimal(2), Decimal("2.5"), Decimal(3), Decimal(4)]),
    st.builds(
        _stamp,
        st.integers(min_value=0, max_value=400),
        st.none() | st.integers(min_value=0, max_value=23),
    ),
    st.sampled_from([None, "quiz", "project"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(evidence_strategy, max_size=25), st.integers(min_value=0, max_value=25))
def test_a_session_fed_piece_by_piece_equals_a_full_evaluation(
    evidence: list[Evidence], split: int
) -> None:
    session = Session(POLICY, ANA, evidence[:split], as_of=AS_OF)
    for piece in evidence[split:]:
        session.add(piece)
    full = evaluate(POLICY, ANA, evidence, as_of=AS_OF).learners[0]
    assert session.result == full
    assert to_json(session.result) == to_json(full)


@settings(max_examples=100, deadline=None)
@given(st.lists(evidence_strategy, max_size=25), st.randoms(use_true_random=False))
def test_evaluation_does_not_depend_on_evidence_order(evidence: list[Evidence], rng) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(evidence)
    rng.shuffle(shuffled)
    first = evaluate(POLICY, ANA, evidence, as_of=AS_OF)
    second = evaluate(POLICY, ANA, shuffled, as_of=AS_OF)
    assert first == second
    assert to_json(first) == to_json(second)
    assert to_json(first) == to_json(evaluate(POLICY, ANA, evidence, as_of=AS_OF))


def test_add_reports_only_what_changed() -> None:
    session = Session(POLICY, ANA, [ev("ana", "M.1", 3, "2026-01-10")], as_of=AS_OF)
    changes = session.add(ev("ana", "M.1", 4, "2026-02-10"))
    assert [(c.before.status, c.after.status) for c in changes.competencies] == [
        (Status.INSUFFICIENT, Status.PROFICIENT)
    ]
    assert not any(d.flipped for d in changes.decisions)
    assert changes.pace is not None
    habits = session.add(ev("ana", "H.1", 2, "2026-02-10", "quiz"))
    assert [(d.after.name, d.flipped) for d in habits.decisions] == [
        ("habits", True),
        ("graduation", False),
    ]
    assert habits.pace is None


def test_add_rejects_evidence_it_cannot_use_and_changes_nothing() -> None:
    session = Session(POLICY, ANA, as_of=AS_OF)
    changes = session.add([ev("bob", "M.1", 3, "2026-01-10"), ev("ana", "X.1", 3, "2026-01-10")])
    assert not changes.changed
    assert [r.code for r in changes.rejections] == ["MK350", "MK351"]
    assert session.rejections == changes.rejections
    assert session.evidence == ()
