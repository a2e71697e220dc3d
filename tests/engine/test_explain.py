"""Rendered explanations (pinned by golden files) and JSON output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from engine_kit import HABITS, build_policy, competency_test, ev, learner, pace_rule

from masterykit.engine import (
    EvaluationResult,
    evaluate,
    explain_competency,
    render_text,
    to_json,
    unstructure,
)
from masterykit.evidence import Origin
from masterykit.policy import (
    AllClause,
    AnyClause,
    Duration,
    LearnerClause,
    PaceExtension,
    RequirementClause,
)

GOLDEN = Path(__file__).parent / "data" / "explain"
AS_OF = dt.date(2026, 6, 1)

SCALES = {
    "MATH.1": None,
    "MATH.2": None,
    "MATH.3": None,
    "HOW.1": HABITS,
    "HOW.2": HABITS,
    "HOW.3": HABITS,
    "CAP.1": None,
    "PORT.1": None,
    "PORT.2": None,
}


def graduation_policy():  # type: ignore[no-untyped-def]
    from engine_kit import FOUR

    habits = {"method": "mean", "args": [], "cut_level": "Usually"}
    return build_policy(
        {code: scale or FOUR for code, scale in SCALES.items()},
        counts=[(1, ())],
        window=Duration(3, "year"),
        overrides=dict.fromkeys(("HOW.1", "HOW.2", "HOW.3"), habits),
        requirements={
            "capstone": [competency_test("all", "proficient", ["CAP.1"], "all of CAP proficient")]
        },
        graduation=[
            competency_test(
                "all", "proficient", ["MATH.1", "MATH.2", "MATH.3"], "all of MATH proficient"
            ),
            competency_test(
                "count",
                "reach",
                ["HOW.1", "HOW.2", "HOW.3"],
                "at least 2 of HOW reach Usually",
                amount=2,
                level="Usually",
                scale=HABITS,
            ),
            AnyClause(
                (
                    AllClause((RequirementClause("capstone"),), pathway="Capstone"),
                    AllClause(
                        (
                            competency_test(
                                "all", "proficient", ["PORT.1", "PORT.2"], "all of PORT proficient"
                            ),
                        ),
                        pathway="Portfolio",
                    ),
                )
            ),
        ],
        pace=pace_rule(
            ["MATH.1", "MATH.2", "MATH.3", "CAP.1"],
            extensions=[
                PaceExtension(Duration(1, "year"), LearnerClause("iep", None, None, "learner.iep"))
            ],
        ),
    )


def scenario() -> EvaluationResult:
    evidence = [
        ev("ada", "MATH.1", 3, "2025-10-01", "quiz"),
        ev("ada", "MATH.2", 4, "2025-11-01", "performance_task"),
        ev("ada", "MATH.3", 3, "2025-12-01"),
        ev("ada", "MATH.3", 2, "2026-02-01", "quiz"),
        ev("ada", "MATH.3", 4, "2026-07-01", "quiz"),
        ev("ada", "MATH.1", 1, "2022-09-01", "quiz"),
        ev("ada", "HOW.1", 3, "2025-10-01"),
        ev("ada", "HOW.2", 2, "2025-10-01"),
        ev("ada", "PORT.1", 3, "2026-03-01"),
        ev("ada", "PORT.2", 4, "2026-04-01"),
    ]
    evidence = [
        e.__class__(
            e.learner,
            e.competency,
            e.score,
            e.timestamp,
            kind=e.kind,
            origin=Origin("evidence.csv", index + 2),
        )
        for index, e in enumerate(evidence)
    ]
    return evaluate(
        graduation_policy(),
        learner("ada", graduation_date=dt.date(2026, 6, 15), iep=True),
        evidence,
        as_of=AS_OF,
    )


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    assert text == path.read_text(encoding="utf-8"), f"rendered text differs from {path}"


def test_a_competency_explanation_names_evidence_rules_and_provenance() -> None:
    result = scenario().learners[0]
    check_golden(
        "competency-developing.txt", render_text(explain_competency(result.competencies["MATH.3"]))
    )


def test_a_graduation_explanation_names_the_failed_clause_and_by_how_much() -> None:
    result = scenario().learners[0]
    assert result.graduation is not None
    from masterykit.engine import explain_decision

    check_golden(
        "graduation.txt", render_text(explain_decision(result.graduation, result.competencies))
    )


def test_a_whole_evaluation_renders_for_a_teacher() -> None:
    check_golden("evaluation.txt", render_text(scenario()))


def test_json_is_byte_identical_for_the_same_inputs_and_uses_strings_for_decimals() -> None:
    first = to_json(scenario())
    assert first == to_json(scenario())
    data = json.loads(first)
    assert data["format"] == "masterykit.result/1"
    math3 = data["learners"][0]["competencies"]["MATH.3"]
    assert math3["score"] == "2"
    assert math3["status"] == "developing"
    assert math3["proficient"] is False
    assert math3["unused"][0]["reason"] == "after_as_of"
    assert data["learners"][0]["pace"]["due"] == "2027-06-15"
    assert data["learners"][0]["pace"]["rate"] == "0"
    assert data["counts"] == {
        "read": 10,
        "used": 10,
        "rejected": 0,
        "counted": 8,
        "not_counted": 2,
    }


@pytest.mark.parametrize("attribute", ["learners", "rejections", "counts"])
def test_unstructure_gives_plain_json_values(attribute: str) -> None:
    data = unstructure(scenario())
    json.dumps(data[attribute])
