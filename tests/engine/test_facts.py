"""Results hold facts, never sentences: typed next steps, structured evidence rules, stages of
an advancement; they pickle before anyone reads their next steps, and compare by value with
their next steps included. Wording comes from the renderer alone, for an audience."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import attrs
import pytest

from masterykit.engine import (
    AUDIENCES,
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    NextStep,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    Session,
    evaluate,
    explain,
    next_steps,
    render_fact,
    render_text,
)
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text
from masterykit.policy import CalculationRule, Provenance

AS_OF = dt.date(2026, 3, 1)

POLICY = load_text(
    """policy "Facts" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ELA "English" {
  competency ELA.1 "Reads closely"
  competency ELA.2 "Writes arguments"
}
area SCI "Science" { competency SCI.1 "Asks questions" }
calculate most_recent
proficient at Proficient
evidence at least 2
evidence at least 1 from project, performance_task
evidence from at least 2 kinds
requirement core "Core" { all of ELA proficient }
requirement none_low "Nothing low" { none of ELA below Developing }
advance "Grade 9" to "Grade 10" when { at least 2 of ELA + SCI proficient }
graduate when {
  requirement core
  any {
    all of SCI reach Advanced
    learner.ell
  }
}
""",
    "facts.mastery",
)


def _piece(code: str, score: int, day: str, kind: str | None = None) -> Evidence:
    return Evidence("ana", code, Decimal(score), dt.date.fromisoformat(day), kind=kind)


EVIDENCE = [
    _piece("ELA.1", 2, "2026-01-05", "quiz"),
    _piece("ELA.1", 3, "2026-01-20", "quiz"),
    _piece("ELA.2", 1, "2026-01-10", "project"),
    _piece("SCI.1", 3, "2026-01-02", "lab"),
    _piece("SCI.1", 3, "2026-02-02", "project"),
]


def _result() -> object:
    return evaluate(POLICY, Learner("ana"), EVIDENCE, as_of=AS_OF)


def test_a_fresh_result_pickles_before_its_next_steps_are_read() -> None:
    fresh = _result()
    again = pickle.loads(pickle.dumps(fresh))
    assert again == fresh
    # And the next steps of the copy are the original's, fact for fact.
    learner = fresh.learners[0]  # type: ignore[attr-defined]
    copied = again.learners[0]
    for ours, theirs in zip(learner.decisions(), copied.decisions(), strict=True):
        assert ours.next_steps == theirs.next_steps
    assert render_text(again) == render_text(fresh)


def test_missing_evidence_is_a_typed_fact() -> None:
    learner = _result().learners[0]  # type: ignore[attr-defined]
    ela1 = learner.competencies["ELA.1"]
    assert [step.fact for step in ela1.missing] == [
        MoreEvidence("ELA.1", 1, ("performance_task", "project")),
        MoreKinds("ELA.1", 1),
    ]
    assert [step.text for step in ela1.missing] == [
        "ELA.1: 1 more piece of evidence from performance_task or project",
        "ELA.1: evidence of 1 more kind",
    ]
    ela2 = learner.competencies["ELA.2"]
    assert [step.fact for step in ela2.missing] == [
        MoreEvidence("ELA.2", 1),
        MoreKinds("ELA.2", 1),
        ScoreNeeded("ELA.2", Decimal(3), Decimal(1)),
    ]
    check = ela1.checks[1]
    assert (check.needed, check.actual, check.kinds, check.variety) == (
        1,
        0,
        ("performance_task", "project"),
        False,
    )
    assert check.rule == "evidence at least 1 from performance_task, project"
    assert ela1.checks[2].variety and ela1.checks[2].rule == "evidence from at least 2 kinds"


def test_decision_next_steps_are_facts_with_their_routes() -> None:
    learner = _result().learners[0]  # type: ignore[attr-defined]
    graduation = learner.graduation
    assert graduation is not None and not graduation.held
    facts = [(step.fact, step.option) for step in graduation.next_steps]
    sci = LevelNeeded("SCI.1", "Advanced", Decimal(4), Decimal(3))
    assert (sci, "all of SCI reach Advanced") in facts
    assert (LearnerCondition("learner.ell"), "learner.ell") in facts
    assert graduation.next_steps == next_steps(graduation.clause, learner.competencies)
    none_low = learner.requirements["none_low"]
    # ELA.2 has too little evidence to be rated, so it counts as below Developing.
    assert [step.fact for step in none_low.next_steps][-1] == LevelNeeded(
        "ELA.2", "Developing", Decimal(2)
    )


def test_an_advancement_is_found_by_its_stages() -> None:
    learner = _result().learners[0]  # type: ignore[attr-defined]
    advancement = learner.advancement("Grade 9", "Grade 10")
    assert advancement is not None
    assert (advancement.source_name, advancement.target_name) == ("Grade 9", "Grade 10")
    assert advancement.name == '"Grade 9" to "Grade 10"'
    assert learner.advancement("Grade 10", "Grade 9") is None
    assert learner.requirements["core"].source_name is None


def test_equality_includes_next_steps() -> None:
    learner = _result().learners[0]  # type: ignore[attr-defined]
    core = learner.requirements["core"]
    # The same clause results with other competency results: other next steps, not equal.
    other = dict(learner.competencies)
    other["ELA.2"] = attrs.evolve(other["ELA.2"], score=Decimal(2))
    moved = attrs.evolve(core, competencies=other)
    assert moved.clause == core.clause
    assert moved.next_steps != core.next_steps
    assert moved != core
    assert attrs.evolve(core, competencies=dict(learner.competencies)) == core


def test_a_session_reports_a_decision_whose_next_steps_changed() -> None:
    session = Session(POLICY, Learner("ana"), EVIDENCE, as_of=AS_OF)
    before = session.result.requirements["core"]
    # ELA.2 goes from 1 to 2 and stays short of evidence: `core` fails with the same clause
    # results, but what it needs of ELA.2 changed.
    changes = session.add(_piece("ELA.2", 2, "2026-02-10", "project"))
    names = [change.after.name for change in changes.decisions]
    assert "core" in names
    after = session.result.requirements["core"]
    assert after.clause is before.clause
    assert ScoreNeeded("ELA.2", Decimal(3), Decimal(2)) in [s.fact for s in after.next_steps]


FACTS = [
    (MoreEvidence("A.1", 2), "A.1: 2 more pieces of evidence"),
    (MoreEvidence("A.1", 1, ("quiz", "test")), "A.1: 1 more piece of evidence from quiz or test"),
    (MoreKinds("A.1", 2), "A.1: evidence of 2 more kinds"),
    (
        NoScoreYet(
            "A.1", CalculationRule("power_law", (), "power_law", Provenance("p", 1, 1, "P"))
        ),
        "A.1: the calculation `power_law` gives no score yet",
    ),
    (ScoreNeeded("A.1", Decimal(3)), "A.1 needs a score of 3 or more"),
    (ScoreNeeded("A.1", Decimal(3), Decimal("2.5")), "A.1 needs a score of 3 or more (now 2.5)"),
    (LevelNeeded("A.1", "Advanced", Decimal(4)), "A.1 needs to reach Advanced (4)"),
    (
        LevelNeeded("A.1", "Advanced", Decimal(4), Decimal(3)),
        "A.1 needs to reach Advanced: a score of 4 or more (now 3)",
    ),
    (MustNotBe("A.1", "proficient"), "A.1 must not be proficient"),
    (MustNotBe("A.1", "reach", "Advanced"), "A.1 must not be at Advanced"),
    (MoreCompetencies("A", 1, "proficient"), "A: 1 more competency proficient"),
    (MoreCompetencies("A", 2, "below", "Developing"), "A: 2 more competencies below Developing"),
    (RequirementCannotHold("loop"), "requirement `loop` cannot hold"),
    (LearnerCondition("learner.ell"), "`learner.ell` does not hold for this learner"),
    (MustNotHold("learner.ell"), "`learner.ell` must not hold"),
]


@pytest.mark.parametrize(("fact", "text"), FACTS, ids=[text for _, text in FACTS])
def test_every_fact_is_worded_by_the_renderer_for_every_audience(fact: object, text: str) -> None:
    # Without names a teacher reads the author's words; families and learners read plain
    # language (tests/engine/test_render_plain.py pins it).
    for audience in ("author", "teacher"):
        assert render_fact(fact, audience) == text  # type: ignore[arg-type]
    for audience in AUDIENCES:
        assert render_fact(fact, audience)  # type: ignore[arg-type]
    step = NextStep(fact)  # type: ignore[arg-type]
    assert step.text == text
    assert pickle.loads(pickle.dumps(step)) == step


def test_explanations_take_an_audience() -> None:
    result = _result()
    learner = result.learners[0]  # type: ignore[attr-defined]
    author = render_text(result)
    for audience in ("author", "teacher"):
        assert render_text(result, audience=audience) == author
        assert explain(learner, audience=audience) == explain(learner)
