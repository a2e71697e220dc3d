"""A session re-evaluates only what new evidence can change, and says exactly what changed.

After every :meth:`Session.add`, the session's result, its JSON, its explanation and every
decision's next steps are those of a full evaluation of the evidence so far, and the changes
reported are exactly the results that differ between the full evaluations before and after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine_kit import build_policy, competency_test, learner, pace_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.engine import Changes, Session, evaluate, render_text, to_json
from masterykit.engine.results import LearnerResult
from masterykit.evidence import Evidence
from masterykit.policy import (
    AllClause,
    AnyClause,
    Duration,
    LearnerClause,
    NotClause,
    PaceExtension,
    Policy,
    RequirementClause,
)

A = ("A.1", "A.2", "A.3")
B = ("B.1", "B.2")
C = ("C.1",)
CODES = A + B + C
AS_OF = dt.date(2026, 6, 1)


def _policy(method: str, args: tuple[str, ...], windowed: bool) -> Policy:
    a_two = competency_test("count", "proficient", A, "at least 2 of A proficient", amount=2)
    a_floor = competency_test("none", "below", A, "none of A below Developing", level="Developing")
    b_top = competency_test("any", "reach", B, "any of B reach Advanced", level="Advanced")
    b_all = competency_test("all", "proficient", B, "all of B proficient")
    c_one = competency_test("all", "reach", C, "all of C reach Proficient", level="Proficient")
    ell = LearnerClause("ell", None, None, "learner.ell")
    return build_policy(
        CODES,
        method=method,
        args=args,
        counts=[(2, ())],
        window=Duration(1, "year") if windowed else None,
        requirements={
            "alpha": [a_two, a_floor],
            "beta": [AnyClause((b_top, b_all))],
            "core": [RequirementClause("alpha"), NotClause(ell)],
            "extra": [c_one],
        },
        advancements=[("One", "Two", [a_two]), ("Two", "Three", [RequirementClause("beta")])],
        graduation=[
            RequirementClause("core"),
            AnyClause(
                (
                    AllClause((RequirementClause("beta"),), pathway="Beta"),
                    AllClause((RequirementClause("extra"), b_all), pathway="Extra"),
                )
            ),
        ],
        pace=pace_rule(
            A + B,
            extensions=[PaceExtension(Duration(1, "year"), AllClause((c_one,)))],
        ),
    )


def _naive_changes(before: LearnerResult, after: LearnerResult) -> tuple[object, ...]:
    """What changed, found by comparing every result of two full evaluations."""
    competencies = tuple(
        (code, before.competencies[code], result)
        for code, result in after.competencies.items()
        if before.competencies[code] != result
    )
    decisions = tuple(
        (a, b) for a, b in zip(before.decisions(), after.decisions(), strict=True) if a != b
    )
    pace = (before.pace, after.pace) if before.pace != after.pace else None
    return competencies, decisions, pace


def _reported(changes: Changes) -> tuple[object, ...]:
    return (
        tuple((c.after.code, c.before, c.after) for c in changes.competencies),
        tuple((d.before, d.after) for d in changes.decisions),
        (changes.pace.before, changes.pace.after) if changes.pace is not None else None,
    )


def _steps(result: LearnerResult) -> list[object]:
    return [decision.next_steps for decision in result.decisions()]


pieces = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.integers(min_value=1, max_value=4),
        st.integers(min_value=0, max_value=800),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=pieces,
    method=st.sampled_from(
        [("decaying_average", ("0.75",)), ("most_recent", ()), ("n_mastery", ("2",))]
    ),
    windowed=st.booleans(),
    ell=st.booleans(),
    dates=st.sampled_from(["pace", "all"]),
)
def test_each_update_reports_exactly_what_a_full_evaluation_changes(
    rows: list[tuple[str, int, int]],
    method: tuple[str, tuple[str, ...]],
    windowed: bool,
    ell: bool,
    dates: str,
) -> None:
    policy = _policy(method[0], method[1], windowed)
    who = learner("ana", ell=ell, graduation_date=dt.date(2027, 6, 1))
    start = dt.date(2024, 6, 1)
    evidence = [
        Evidence("ana", code, Decimal(score), start + dt.timedelta(days=offset))
        for code, score, offset in rows
    ]
    session = Session(policy, who, as_of=AS_OF, first_proficient=dates)  # type: ignore[arg-type]
    before = evaluate(policy, who, (), as_of=AS_OF, first_proficient=dates).learners[0]  # type: ignore[arg-type]
    pairs = []
    for count, piece in enumerate(evidence, 1):
        changes = session.add(piece)
        after = evaluate(
            policy,
            who,
            evidence[:count],
            as_of=AS_OF,
            first_proficient=dates,  # type: ignore[arg-type]
        ).learners[0]
        assert session.result == after
        assert _reported(changes) == _naive_changes(before, after)
        pairs.append((session.result, after))
        before = after
    # Next steps are worded on first use: earlier results still word theirs after later updates.
    for ours, full in reversed(pairs):
        assert _steps(ours) == _steps(full)
        assert to_json(ours) == to_json(full)
        assert render_text(ours) == render_text(full)


def test_an_update_that_changes_no_decision_keeps_every_decision_object() -> None:
    policy = _policy("most_recent", (), False)
    who = learner("ana", ell=False, graduation_date=dt.date(2027, 6, 1))
    session = Session(
        policy,
        who,
        [Evidence("ana", "C.1", Decimal(1), dt.date(2026, 1, 1))],
        as_of=AS_OF,
    )
    before = session.result
    # A second piece makes C.1 developing at 2, still below Proficient: the `extra`
    # requirement and the pace extension still fail with the same clause results, and no pace
    # changes. What `extra` and graduation still need of C.1 does change, and is reported.
    changes = session.add(Evidence("ana", "C.1", Decimal(2), dt.date(2026, 2, 1)))
    assert [c.after.status.value for c in changes.competencies] == ["developing"]
    assert [c.before.name for c in changes.decisions] == ["extra", "graduation"]
    for change in changes.decisions:
        assert change.before.clause is change.after.clause
        assert change.before.pathways == change.after.pathways
    extra = changes.decisions[0]
    assert [step.text for step in extra.before.next_steps] == [
        "C.1: 1 more piece of evidence",
        "C.1 needs to reach Proficient (3)",
    ]
    assert [step.text for step in extra.after.next_steps] == [
        "C.1 needs to reach Proficient: a score of 3 or more (now 2)"
    ]
    assert changes.pace is None
    after = session.result
    for old, new in zip(before.decisions(), after.decisions(), strict=True):
        assert (old == new) is (old.name not in ("extra", "graduation"))
    assert after.requirements["alpha"] is before.requirements["alpha"]
    assert after.pace is before.pace


def test_an_earlier_first_proficient_date_moves_pace_though_the_status_stays() -> None:
    policy = _policy("most_recent", (), False)
    who = learner("ana", ell=False, graduation_date=dt.date(2027, 6, 1))
    session = Session(
        policy,
        who,
        [
            Evidence("ana", "A.1", Decimal(3), dt.date(2026, 2, 1)),
            Evidence("ana", "A.1", Decimal(3), dt.date(2026, 3, 1)),
        ],
        as_of=AS_OF,
    )
    assert session.result.pace is not None
    assert session.result.pace.proficient_in_window == ("A.1",)
    changes = session.add(
        [
            Evidence("ana", "A.1", Decimal(3), dt.date(2025, 1, 1)),
            Evidence("ana", "A.1", Decimal(3), dt.date(2025, 2, 1)),
        ]
    )
    assert [c.after.first_proficient for c in changes.competencies] == [dt.date(2025, 2, 1)]
    assert changes.pace is not None
    assert changes.pace.after.proficient_in_window == ()
    assert session.result == evaluate(policy, who, session.evidence, as_of=AS_OF).learners[0]


def test_a_long_session_does_not_keep_every_earlier_result_alive() -> None:
    import gc

    from masterykit.engine._plan import Context

    def contexts() -> int:
        gc.collect()
        return sum(1 for thing in gc.get_objects() if type(thing) is Context)

    policy = _policy("decaying_average", ("0.75",), True)
    who = learner("ana", ell=False, graduation_date=dt.date(2027, 6, 1))
    already = contexts()  # other tests' results may still be alive
    session = Session(policy, who, as_of=AS_OF)
    start = dt.date(2024, 6, 1)
    for day in range(300):
        code = CODES[day % len(CODES)]
        session.add(Evidence("ana", code, Decimal(1 + day % 4), start + dt.timedelta(days=day)))
    assert contexts() - already < 30
