"""Plain language for families and learners: titles and level names instead of codes and
numbers, no rule syntax, one sentence per competency. Golden texts pin the family wording of
every kind of next step, of "what counts", of pace, and of the whole ``explain --audience``
text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.engine import (
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    Names,
    NextStep,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    evaluate,
    render_fact,
    render_pace_plain,
    render_status,
    render_what_counts,
)
from masterykit.engine.render import render_date, render_month, render_steps_plain
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load, load_text
from masterykit.policy import CalculationRule, Provenance

ROOT = Path(__file__).resolve().parents[2]
PATHWAYS = ROOT / "examples" / "graduation-pathways"

POLICY = load_text(
    """policy "Plain" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
scale habits { 1 Rarely 2 Sometimes 3 Usually 4 Consistently }
default scale four_point
area ELA "English" {
  competency ELA.1 "Reads closely"
  competency ELA.2 "Writes arguments"
}
area HOW "Habits of Work" kind habit scale habits {
  competency HOW.1 "Takes responsibility for learning"
  competency HOW.2 "Collaborates with others"
}
calculate most_recent
proficient at Proficient
evidence at least 2
evidence from at least 2 kinds
for kind habit { proficient at Usually }
requirement core "Core" { all of ELA proficient }
graduate when {
  requirement core
  at least 2 of kind habit reach Usually
}
""",
    "plain.mastery",
)
NAMES = Names.from_policy(POLICY)
SOURCE = Provenance("plain.mastery", 1, 1, "Plain")

# Every kind of next step, worded for a family.
FAMILY = [
    (MoreEvidence("ELA.1", 1), "Reads closely: 1 more piece of work is needed."),
    (MoreEvidence("ELA.1", 2), "Reads closely: 2 more pieces of work are needed."),
    (
        MoreEvidence("ELA.1", 1, ("performance_task", "project")),
        "Reads closely: 1 more piece of work is needed (performance task or project).",
    ),
    (
        MoreKinds("ELA.2", 1),
        "Writes arguments: work of 1 more kind is needed (such as a project, a test or a "
        "presentation, different from the work so far).",
    ),
    (
        NoScoreYet("ELA.1", CalculationRule("n_mastery", (Decimal(5),), "n_mastery(5)", SOURCE)),
        "Reads closely: more work at the expected level is needed before it gets a level.",
    ),
    (
        ScoreNeeded("HOW.2", Decimal(3), Decimal(2)),
        "Collaborates with others: the overall level needs to reach Usually (now Sometimes).",
    ),
    (
        ScoreNeeded("ELA.1", Decimal("3.5"), Decimal("3.2")),
        "Reads closely: the overall level needs to reach a score of 3.5 (above Proficient) "
        "(now Proficient).",
    ),
    (
        ScoreNeeded("ELA.1", Decimal(3), Decimal("0.5")),
        "Reads closely: the overall level needs to reach Proficient (now below Beginning).",
    ),
    (
        ScoreNeeded("ELA.1", Decimal(3)),
        "Reads closely: the overall level needs to reach Proficient.",
    ),
    (
        LevelNeeded("HOW.1", "Usually", Decimal(3), Decimal(1)),
        "Takes responsibility for learning: the overall level needs to reach Usually (now Rarely).",
    ),
    (
        LevelNeeded("ELA.2", "Advanced", Decimal(4)),
        "Writes arguments: the overall level needs to reach Advanced.",
    ),
    (
        MustNotBe("ELA.1", "reach", "Advanced"),
        "Reads closely: this route asks that it is not at Advanced or higher.",
    ),
    (
        MoreCompetencies("kind habit", 2, "reach", "Usually"),
        "Habits of Work: 2 more competencies need to be at Usually or higher.",
    ),
    (
        MoreCompetencies("ELA", 1, "proficient"),
        "English: 1 more competency needs to be proficient.",
    ),
    (
        RequirementCannotHold("core"),
        "Core cannot be met as the policy is written. Ask the school about it.",
    ),
    (
        LearnerCondition("learner.cte_enrolled"),
        "This route depends on the school's records (cte enrolled). Ask the school about it.",
    ),
    (
        MustNotHold("learner.ell"),
        "This route is open only when something is not the case (ell). Ask the school about it.",
    ),
]


@pytest.mark.parametrize(("fact", "text"), FAMILY, ids=[text for _, text in FAMILY])
def test_every_kind_of_next_step_reads_plainly_for_a_family(fact: object, text: str) -> None:
    assert render_fact(fact, "family", NAMES) == text  # type: ignore[arg-type]
    assert NextStep(fact).render("author") != text  # type: ignore[arg-type]
    for word in ("`", "learner.", "ELA.", "HOW."):
        assert word not in text


def test_a_learner_is_told_to_ask_their_teacher() -> None:
    text = render_fact(LearnerCondition("learner.iep"), "learner", NAMES)
    assert text == "This route depends on the school's records (iep). Ask your teacher about it."


def test_teachers_read_the_authors_sentences_with_titles_and_level_names() -> None:
    fact = ScoreNeeded("HOW.2", Decimal(3), Decimal(2))
    assert render_fact(fact, "author", NAMES) == "HOW.2 needs a score of 3 or more (now 2)"
    assert (
        render_fact(fact, "teacher", NAMES)
        == "HOW.2 (Collaborates with others) needs a score of 3 or more (now 2, Sometimes)"
    )


def test_steps_of_one_competency_make_one_sentence_and_routes_are_grouped() -> None:
    steps = [
        NextStep(MoreEvidence("ELA.1", 2)),
        NextStep(ScoreNeeded("ELA.1", Decimal(3))),
        NextStep(MoreEvidence("ELA.1", 2)),
        NextStep(MoreEvidence("ELA.2", 1), "Portfolio"),
        NextStep(LearnerCondition("learner.ell"), "English learners"),
    ]
    assert render_steps_plain(steps, NAMES) == (
        (
            None,
            (
                "Reads closely: 2 more pieces of work are needed; the overall level needs to "
                "reach Proficient.",
            ),
        ),
        ("Portfolio", ("Writes arguments: 1 more piece of work is needed.",)),
        (
            "English learners",
            ("This route depends on the school's records (ell). Ask the school about it.",),
        ),
    )


def _learner(evidence: list[tuple[str, int, str, str]], **attributes: object) -> object:
    pieces = [
        Evidence("ana", code, Decimal(score), dt.date.fromisoformat(day), kind=kind)
        for code, score, day, kind in evidence
    ]
    result = evaluate(POLICY, [Learner("ana", attributes)], pieces, as_of=dt.date(2026, 6, 1))
    return result.learners[0]


def test_what_counts_is_said_in_plain_words() -> None:
    result = _learner([("ELA.1", 3, "2026-01-10", "quiz")])
    comp = result.competencies["ELA.1"]  # type: ignore[attr-defined]
    assert render_what_counts(comp, NAMES) == (
        "two pieces of work of different kinds, with an overall score of Proficient or higher"
    )
    assert render_what_counts(comp, NAMES, "author") == (
        "evidence at least 2; evidence from at least 2 kinds; proficient at Proficient"
    )
    assert render_status(comp, NAMES) == "started; more work is needed before it gets a level"


def test_status_uses_level_names() -> None:
    result = _learner(
        [
            ("HOW.1", 2, "2026-01-10", "observation"),
            ("HOW.1", 2, "2026-02-10", "project"),
            ("HOW.2", 4, "2026-01-10", "observation"),
            ("HOW.2", 3, "2026-02-10", "project"),
        ]
    )
    comps = result.competencies  # type: ignore[attr-defined]
    assert render_status(comps["HOW.1"], NAMES) == "Sometimes: not met yet"
    assert render_status(comps["HOW.2"], NAMES) == "Usually: met"
    assert render_status(comps["ELA.2"], NAMES) == "not started"


def test_dates_and_months_in_words() -> None:
    assert render_month(dt.date(2027, 3, 15)) == "March 2027"
    assert render_date(dt.date(2026, 6, 12)) == "June 12, 2026"


def _pathways_result(learner_id: str, as_of: dt.date) -> object:
    from masterykit.readers import read_all, read_learners

    policy = load(PATHWAYS / "policy.mastery")
    evidence, _, _ = read_all(PATHWAYS / "evidence.csv", policy=policy)
    learners = [lr for lr in read_learners(PATHWAYS / "learners.csv") if lr.id == learner_id]
    return policy, evaluate(policy, learners, evidence, as_of=as_of).learners[0]


def test_pace_for_a_family_puts_the_class_date_and_the_extended_date_side_by_side() -> None:
    policy, result = _pathways_result("jo", dt.date(2026, 3, 1))
    pace = result.pace  # type: ignore[attr-defined]
    assert pace.days_left == 103
    assert pace.required_rate == Decimal(5) / Decimal(103)
    assert pace.extended_days_left == 468
    assert pace.extended_required_rate == Decimal(5) / Decimal(468)
    names = Names.from_policy(policy)
    assert render_pace_plain(pace, names) == (
        "At the recent pace, the work is finished in August 2028.",
        "To graduate with the class in June 2026, 5 more competencies are needed in 14 weeks.",
        "There is also more time, until June 2027: that leaves 66 weeks for 5 more competencies.",
    )
    assert render_pace_plain(pace, names, "learner") == (
        "At your recent pace you finish in August 2028.",
        "To graduate with your class in June 2026, you would need 5 more competencies in 14 weeks.",
        "You can also take until June 2027: that leaves 66 weeks for 5 more competencies.",
    )


def test_pace_without_an_extension_has_no_extended_date() -> None:
    _, result = _pathways_result("kai", dt.date(2026, 3, 1))
    pace = result.pace  # type: ignore[attr-defined]
    assert pace.extensions == ()
    assert pace.extended_days_left is None and pace.extended_required_rate is None
    assert pace.days_left == 103


def test_explain_for_a_family_has_no_codes_files_or_rule_syntax() -> None:
    runner = CliRunner()
    args = [
        "explain",
        str(PATHWAYS / "policy.mastery"),
        "--evidence",
        str(PATHWAYS / "evidence.csv"),
        "--learners",
        str(PATHWAYS / "learners.csv"),
        "--learner",
        "jo",
        "--as-of",
        "2026-03-01",
        "--audience",
        "family",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "policy.mastery:" not in text
    assert "ELA.2" not in text and "learner." not in text and "`" not in text
    assert "Writes with evidence: not started" in text
    assert "Habits of work\n\nTransferable skills\n" in text
    assert (
        "  - Writes with evidence: 2 more pieces of work are needed; the overall level needs "
        "to reach Proficient.\n" in text
    )
    assert "  One of these routes is enough:\n    Capstone exhibition\n" in text
    assert "There is also more time, until June 2027" in text
    author = runner.invoke(cli, args[:-2])
    assert "policy.mastery:" in author.output
