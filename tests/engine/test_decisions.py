"""Clauses, requirements, advancements, graduation with pathways, and their next steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from engine_kit import HABITS, build_policy, competency_test, ev, learner

from masterykit.engine import LearnerResult, evaluate
from masterykit.evidence import AttributeValue
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    LearnerClause,
    NotClause,
    RequirementClause,
)

AS_OF = dt.date(2026, 6, 1)
CODES = ["M.1", "M.2", "M.3", "M.4"]


def run(
    clauses: list[Clause],
    scores: dict[str, str],
    **attributes: AttributeValue,
) -> LearnerResult:
    """Evaluate requirement ``r`` made of ``clauses`` for a learner with one score each."""
    policy = build_policy(CODES, requirements={"r": clauses})
    evidence = [ev("ana", code, score, "2026-01-10") for code, score in scores.items()]
    result = evaluate(policy, learner("ana", **attributes), evidence, as_of=AS_OF)
    return result.learners[0]


def held(clauses: list[Clause], scores: dict[str, str], **attributes: AttributeValue) -> bool:
    return run(clauses, scores, **attributes).requirements["r"].held


PROFICIENT_TWO = {"M.1": "3", "M.2": "4", "M.3": "2"}  # M.4 not started


@pytest.mark.parametrize(
    ("quantifier", "amount", "expected"),
    [
        ("all", None, False),
        ("any", None, True),
        ("none", None, False),
        ("count", 2, True),
        ("count", 3, False),
        ("percent", 50, True),  # ceil(50% of 4) = 2
        ("percent", 51, False),  # ceil(51% of 4) = 3
    ],
)
def test_quantifiers_count_proficient_competencies(
    quantifier: str, amount: int | None, expected: bool
) -> None:
    clause = competency_test(quantifier, "proficient", CODES, "x", amount=amount)
    assert held([clause], PROFICIENT_TWO) is expected


def test_percent_rounds_up_with_exact_arithmetic() -> None:
    # 70% of 10 is exactly 7; in floating point 0.7 * 10 is 7.000000000000001 and would need 8.
    codes = [f"M.{n}" for n in range(10)]
    clause = competency_test(
        "percent", "proficient", codes, "at least 70% of M proficient", amount=70
    )
    policy = build_policy(codes, requirements={"r": [clause]})
    evidence = [ev("ana", code, 3, "2026-01-10") for code in codes[:7]]
    decision = evaluate(policy, learner("ana"), evidence, as_of=AS_OF).learners[0].requirements["r"]
    assert decision.clause.children[0].needed == 7
    assert decision.held
    # 33.34% of 3 is 1.0002 competencies: rounded up to 2.
    short = competency_test("percent", "proficient", CODES[:3], "x", amount=1)
    short = short.__class__("percent", "proficient", tuple(CODES[:3]), "x", amount=Decimal("33.34"))
    assert not held([short], {"M.1": "3"})


def test_not_started_and_insufficient_count_as_below_and_never_reach() -> None:
    below = competency_test(
        "none", "below", CODES, "none of M below Developing", level="Developing"
    )
    assert not held([below], {"M.1": "2", "M.2": "2", "M.3": "2"})
    assert held([below], {"M.1": "2", "M.2": "2", "M.3": "2", "M.4": "2"})
    reach = competency_test(
        "all", "reach", ["M.1"], "all of M.1 reach Beginning", level="Beginning"
    )
    assert not held([reach], {})


def test_reach_compares_the_level_on_each_competencys_scale() -> None:
    policy = build_policy({"M.1": HABITS})
    clause = competency_test("all", "reach", ["M.1"], "x", level="Usually", scale=HABITS)
    policy = build_policy({"M.1": HABITS}, requirements={"r": [clause]})
    result = evaluate(policy, learner("ana"), [ev("ana", "M.1", 3, "2026-01-01")], as_of=AS_OF)
    assert result.learners[0].requirements["r"].held


@pytest.mark.parametrize(
    ("clause", "attributes", "expected"),
    [
        (LearnerClause("iep", None, None, "learner.iep"), {"iep": True}, True),
        (LearnerClause("iep", None, None, "learner.iep"), {"iep": False}, False),
        (LearnerClause("iep", None, None, "learner.iep"), {}, False),
        (LearnerClause("grade", ">=", Decimal(9), "learner.grade >= 9"), {"grade": 9}, True),
        (LearnerClause("grade", ">=", Decimal(9), "learner.grade >= 9"), {"grade": "10"}, True),
        (
            LearnerClause("grade", "<", Decimal(9), "learner.grade < 9"),
            {"grade": Decimal(9)},
            False,
        ),
        (LearnerClause("grade", "!=", Decimal(9), "learner.grade != 9"), {}, False),
        (
            LearnerClause("school", "=", "Arena", 'learner.school = "Arena"'),
            {"school": "Arena"},
            True,
        ),
        (LearnerClause("school", "=", "Arena", 'learner.school = "Arena"'), {"school": 3}, False),
        (
            LearnerClause("entered", "<", dt.date(2026, 1, 1), "learner.entered < 2026-01-01"),
            {"entered": dt.date(2025, 9, 1)},
            True,
        ),
        (LearnerClause("ell", "=", True, "learner.ell = true"), {"ell": True}, True),
        (LearnerClause("ell", ">", True, "learner.ell > true"), {"ell": True}, False),
    ],
)
def test_learner_attribute_comparisons(
    clause: LearnerClause, attributes: dict[str, AttributeValue], expected: bool
) -> None:
    assert held([clause], {}, **attributes) is expected


def test_any_all_not_and_requirement_references() -> None:
    prof = competency_test("all", "proficient", ["M.1"], "all of M.1 proficient")
    iep = LearnerClause("iep", None, None, "learner.iep")
    assert held([AnyClause((prof, iep))], {}, iep=True)
    assert not held([AllClause((prof, iep))], {"M.1": "3"})
    assert held([NotClause(iep)], {})
    policy = build_policy(CODES, requirements={"base": [prof], "top": [RequirementClause("base")]})
    result = evaluate(policy, learner("ana"), [ev("ana", "M.1", 3, "2026-01-01")], as_of=AS_OF)
    assert result.learners[0].requirements["top"].held


def test_pathways_are_named_and_the_taken_one_is_reported() -> None:
    cap = AllClause(
        (competency_test("all", "proficient", ["M.1"], "all of M.1 proficient"),),
        pathway="Capstone",
    )
    port = AllClause(
        (competency_test("all", "proficient", ["M.2", "M.3"], "all of M.2 + M.3 proficient"),),
        pathway="Portfolio",
    )
    policy = build_policy(CODES, graduation=[AnyClause((cap, port))])
    evidence = [ev("ana", "M.2", 3, "2026-01-01"), ev("ana", "M.3", 4, "2026-01-01")]
    graduation = evaluate(policy, learner("ana"), evidence, as_of=AS_OF).learners[0].graduation
    assert graduation is not None
    assert graduation.held
    assert graduation.pathways == ("Portfolio",)
    assert [c.pathway for c in graduation.clause.children[0].children] == ["Capstone", "Portfolio"]


def test_advancements_are_decided_per_learner() -> None:
    prof = competency_test("all", "proficient", ["M.1"], "all of M.1 proficient")
    policy = build_policy(CODES, advancements=[("Level 1", "Level 2", [prof])])
    evidence = [ev("ana", "M.1", 3, "2026-01-01"), ev("bob", "M.1", 2, "2026-01-01")]
    result = evaluate(policy, [learner("ana"), learner("bob")], evidence, as_of=AS_OF)
    held_by = {}
    for one in result.learners:
        decision = one.advancement("Level 1", "Level 2")
        assert decision is not None
        held_by[one.learner.id] = decision.held
    assert held_by == {"ana": True, "bob": False}
    assert result.learners[0].advancement("Level 2", "Level 3") is None


def test_next_steps_speak_the_learners_terms() -> None:
    habits = {"H.1": HABITS, "H.2": HABITS, "H.3": HABITS, "S.2": HABITS}
    clauses: list[Clause] = [
        competency_test("all", "proficient", ["H.1"], "all of H.1 proficient"),
        competency_test(
            "count",
            "reach",
            ["H.1", "H.2", "H.3"],
            "at least 2 of HOW reach Usually",
            amount=2,
            level="Usually",
            scale=HABITS,
        ),
        competency_test("all", "proficient", ["S.2"], "all of S.2 proficient"),
    ]
    policy = build_policy(
        habits,
        requirements={"r": clauses},
        overrides={"S.2": {"counts": [(2, ("performance_task",))]}},
    )
    evidence = [
        ev("ana", "H.1", 2, "2026-01-01"),
        ev("ana", "H.2", 3, "2026-01-01"),
        ev("ana", "S.2", 3, "2026-01-01", "performance_task"),
    ]
    decision = evaluate(policy, learner("ana"), evidence, as_of=AS_OF).learners[0].requirements["r"]
    assert [step.text for step in decision.next_steps] == [
        "H.1 needs a score of 3 or more (now 2)",
        "HOW: 1 more competency at Usually",
        "S.2: 1 more piece of evidence from performance_task",
    ]


def test_alternatives_are_labelled_with_their_pathway() -> None:
    cap = AllClause(
        (competency_test("all", "proficient", ["M.1"], "all of M.1 proficient"),),
        pathway="Capstone",
    )
    iep = LearnerClause("iep", None, None, "learner.iep")
    policy = build_policy(CODES, graduation=[AnyClause((cap, iep))])
    graduation = evaluate(policy, learner("ana"), [], as_of=AS_OF).learners[0].graduation
    assert graduation is not None
    assert [(s.text, s.option) for s in graduation.next_steps] == [
        ("M.1: 1 more piece of evidence", "Capstone"),
        ("M.1 needs a score of 3 or more", "Capstone"),
        ("`learner.iep` does not hold for this learner", "learner.iep"),
    ]
