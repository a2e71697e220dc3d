"""Readiness and gating on the learning continuum: what ``after`` (and CASE ``precedes``) mean
for a learner's results, and the ``ready`` / ``insufficient`` / ``started`` / ``not started``
tests of clauses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit import (
    Evidence,
    Learner,
    PolicyCheckError,
    Session,
    Status,
    UnusedReason,
    evaluate,
    explain,
    load,
    load_text,
    render_text,
)
from masterykit.engine import explain_competency
from masterykit.engine.results import LearnerResult

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
policy "Continuum"

scale four_point {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.1 "Fractions"
  competency MATH.2 "Ratios" after MATH.1
  competency MATH.3 "Proportions" after MATH.2
}
area SCI "Science" {
  competency SCI.1 "Rates of change" after MATH.2
}

calculate most_recent
proficient at Proficient
"""

AS_OF = dt.date(2026, 6, 1)


def ev(code: str, score: str, day: str, learner: str = "ana") -> Evidence:
    return Evidence(learner, code, Decimal(score), dt.date.fromisoformat(day))


def run(text: str, *evidence: Evidence) -> LearnerResult:
    result = evaluate(load_text(text), [Learner("ana")], list(evidence), as_of=AS_OF)
    return result.learners[0]


def test_ready_means_every_prerequisite_proficient_and_itself_not() -> None:
    learner = run(HEAD, ev("MATH.1", "3", "2026-01-10"), ev("MATH.2", "2", "2026-02-01"))
    comps = learner.competencies
    assert [code for code, result in comps.items() if result.ready] == ["MATH.2"]
    assert comps["MATH.1"].waiting_on == () and not comps["MATH.1"].ready  # proficient
    assert comps["MATH.2"].waiting_on == ()
    assert comps["MATH.3"].waiting_on == ("MATH.2",)
    # Prerequisites across areas: SCI.1 comes after MATH.2.
    assert comps["SCI.1"].waiting_on == ("MATH.2",)


def test_a_competency_without_prerequisites_is_ready_until_proficient() -> None:
    learner = run(HEAD)
    assert learner.competencies["MATH.1"].ready
    assert not learner.competencies["MATH.2"].ready
    assert learner.competencies["MATH.2"].waiting_on == ("MATH.1",)


def test_prerequisites_across_areas_make_the_other_area_ready() -> None:
    learner = run(HEAD, ev("MATH.1", "3", "2026-01-10"), ev("MATH.2", "4", "2026-02-01"))
    comps = learner.competencies
    assert comps["SCI.1"].ready and comps["MATH.3"].ready
    assert not comps["SCI.1"].started


def test_case_precedes_edges_are_prerequisites_for_readiness() -> None:
    policy = load(ROOT / "docs" / "language" / "framework.mastery")
    result = evaluate(policy, [Learner("ana")], [ev("RP.1", "3", "2026-01-10")], as_of=AS_OF)
    comps = result.learners[0].competencies
    assert policy.competencies["RP.2"].prerequisites == ("RP.1",)
    assert comps["RP.2"].ready
    assert comps["RP.3"].waiting_on == ("RP.2",)


CLAUSES = (
    HEAD
    + """
requirement check {
  any of MATH ready
  none of MATH insufficient
  at least 1 of MATH + SCI not started
  all of MATH.1 started
}
"""
)


def test_clause_tests_read_readiness_and_status() -> None:
    learner = run(CLAUSES, ev("MATH.1", "3", "2026-01-10"))
    decision = learner.requirements["check"]
    assert decision.held
    tests = list(decision.clause.children)
    assert [(t.text, t.passing) for t in tests] == [
        ("any of MATH ready", ("MATH.2",)),
        ("none of MATH insufficient", ()),
        ("at least 1 of MATH + SCI not started", ("MATH.2", "MATH.3", "SCI.1")),
        ("all of MATH.1 started", ("MATH.1",)),
    ]


def test_insufficient_test_sees_evidence_that_is_not_enough() -> None:
    text = CLAUSES.replace(
        "proficient at Proficient", "proficient at Proficient\nevidence at least 2"
    )
    learner = run(text, ev("MATH.1", "3", "2026-01-10"))
    clause = learner.requirements["check"].clause.children[1]
    assert clause.passing == ("MATH.1",) and not clause.held
    assert learner.competencies["MATH.1"].status is Status.INSUFFICIENT
    steps = [step.text for step in learner.requirements["check"].next_steps]
    assert "MATH.1 must not be insufficient" in steps


def test_a_failed_ready_test_points_to_the_prerequisites() -> None:
    text = HEAD + "requirement next {\n  all of MATH.3 ready\n}\n"
    learner = run(text, ev("MATH.1", "2", "2026-01-10"))
    steps = [step.text for step in learner.requirements["next"].next_steps]
    # What MATH.3 waits on is MATH.2 (MATH.1 only through MATH.2).
    assert steps == ["MATH.2: 1 more piece of evidence", "MATH.2 needs a score of 3 or more"]


def test_a_failed_started_test_asks_for_a_first_piece_of_evidence() -> None:
    text = HEAD + "requirement begun {\n  all of MATH started\n}\n"
    learner = run(text, ev("MATH.1", "2", "2026-01-10"))
    steps = [step.text for step in learner.requirements["begun"].next_steps]
    assert steps == ["MATH.2: 1 more piece of evidence", "MATH.3: 1 more piece of evidence"]


def test_explanation_words_the_continuum_tests() -> None:
    learner = run(CLAUSES, ev("MATH.1", "3", "2026-01-10"))
    text = render_text(explain(learner))
    assert "any of MATH ready: holds" in text
    assert "at least 1 of MATH + SCI not started: holds" in text
    assert "prerequisites not yet proficient: MATH.2" in render_text(
        explain_competency(learner.competencies["MATH.3"])
    )


# --- gating ---------------------------------------------------------------------------------

GATED = HEAD + "for MATH evidence after prerequisites\n"


def test_gating_is_off_by_default() -> None:
    learner = run(HEAD, ev("MATH.2", "3", "2026-01-05"))
    assert learner.competencies["MATH.2"].proficient
    assert learner.competencies["MATH.2"].gate is None


def test_gated_evidence_counts_only_once_the_prerequisites_are_proficient() -> None:
    learner = run(
        GATED,
        ev("MATH.2", "4", "2026-01-05"),  # before MATH.1 was proficient: does not count
        ev("MATH.1", "3", "2026-01-10"),
        ev("MATH.2", "2", "2026-02-01"),
    )
    math2 = learner.competencies["MATH.2"]
    assert math2.status is Status.DEVELOPING and math2.score == Decimal(2)
    assert math2.gate_opened == dt.date(2026, 1, 10)
    assert [(u.evidence.timestamp, u.reason) for u in math2.unused] == [
        (dt.date(2026, 1, 5), UnusedReason.BEFORE_PREREQUISITES)
    ]
    text = render_text(explain_competency(math2))
    assert "dated before its prerequisites were proficient (2026-01-10)" in text
    assert "evidence after prerequisites: prerequisites proficient since 2026-01-10" in text


def test_evidence_on_the_day_the_prerequisite_became_proficient_counts() -> None:
    learner = run(GATED, ev("MATH.1", "3", "2026-01-10"), ev("MATH.2", "3", "2026-01-10"))
    assert learner.competencies["MATH.2"].proficient


def test_nothing_counts_while_a_prerequisite_is_not_proficient() -> None:
    learner = run(GATED, ev("MATH.1", "2", "2026-01-10"), ev("MATH.2", "4", "2026-02-01"))
    math2 = learner.competencies["MATH.2"]
    assert math2.status is Status.INSUFFICIENT and math2.score is None
    assert math2.started and not math2.ready and math2.waiting_on == ("MATH.1",)
    assert [u.reason for u in math2.unused] == [UnusedReason.BEFORE_PREREQUISITES]
    text = render_text(explain_competency(math2))
    assert "its prerequisites are not all proficient yet" in text
    assert "evidence after prerequisites: waiting on MATH.1" in text


def test_gates_chain_along_the_continuum() -> None:
    # MATH.2's early evidence does not count, so MATH.2 is not proficient, so MATH.3 waits.
    learner = run(
        GATED,
        ev("MATH.2", "4", "2026-01-01"),
        ev("MATH.1", "3", "2026-01-10"),
        ev("MATH.3", "4", "2026-03-01"),
    )
    comps = learner.competencies
    assert comps["MATH.2"].status is Status.INSUFFICIENT
    assert comps["MATH.3"].status is Status.INSUFFICIENT
    assert comps["MATH.3"].waiting_on == ("MATH.2",)


def test_gating_is_scoped_like_any_rule() -> None:
    # SCI.1 is not under the gate: its evidence counts whatever MATH.2 is.
    learner = run(GATED, ev("SCI.1", "3", "2026-01-01"))
    assert learner.competencies["SCI.1"].proficient
    assert learner.competencies["SCI.1"].gate is None


def test_gated_results_in_a_session_match_a_full_evaluation() -> None:
    pieces = [
        ev("MATH.2", "4", "2026-01-05"),
        ev("MATH.3", "3", "2026-03-01"),
        ev("MATH.1", "3", "2026-01-10"),
        ev("MATH.2", "3", "2026-02-01"),
    ]
    policy = load_text(GATED)
    session = Session(policy, Learner("ana"), as_of=AS_OF)
    for count, piece in enumerate(pieces, 1):
        changes = session.add(piece)
        full = evaluate(policy, [Learner("ana")], pieces[:count], as_of=AS_OF).learners[0]
        assert dict(session.result.competencies) == dict(full.competencies)
        assert session.result.requirements == full.requirements
        if count == 3:  # MATH.1 became proficient: MATH.2 and MATH.3 follow
            assert {"MATH.1", "MATH.2"} <= {c.after.code for c in changes.competencies}


def test_readiness_follows_new_evidence_in_a_session() -> None:
    policy = load_text(CLAUSES)
    session = Session(policy, Learner("ana"), as_of=AS_OF)
    assert session.result.competencies["MATH.2"].waiting_on == ("MATH.1",)
    session.add(ev("MATH.1", "3", "2026-01-10"))
    assert session.result.competencies["MATH.2"].ready
    full = evaluate(policy, [Learner("ana")], [ev("MATH.1", "3", "2026-01-10")], as_of=AS_OF)
    assert session.result.requirements == full.learners[0].requirements


def test_a_policy_without_gates_keeps_its_fingerprint_form() -> None:
    from masterykit import semantic_form

    form = semantic_form(load_text(HEAD))
    assert "gate" not in str(form) and "reteach" not in str(form)
    gated = semantic_form(load_text(GATED))
    assert "GateRule" in str(gated)


# --- checks ---------------------------------------------------------------------------------


def check_messages(text: str) -> list[tuple[str, str]]:
    with pytest.raises(PolicyCheckError) as caught:
        load_text(text, "continuum.mastery")
    return [(d.code, d.message) for d in caught.value.diagnostics]


def test_reteach_needs_at_least_one_attempt() -> None:
    assert check_messages(HEAD + "reteach after 0 attempts\n") == [
        ("MK274", "`reteach after 0 attempts` needs at least 1 attempt")
    ]


def test_a_gate_over_competencies_without_prerequisites_is_an_error() -> None:
    assert check_messages(HEAD + "for MATH.1 evidence after prerequisites\n") == [
        (
            "MK275",
            "`evidence after prerequisites` has no effect: no competency it covers has "
            "prerequisites (MATH.1)",
        )
    ]


def test_reteach_is_resolved_per_competency() -> None:
    policy = load_text(HEAD + "reteach after 3 attempts\nfor SCI reteach after 2 attempts\n")
    assert policy.rules["MATH.1"].reteach is not None
    assert policy.rules["MATH.1"].reteach.attempts == 3
    assert policy.rules["SCI.1"].reteach is not None
    assert policy.rules["SCI.1"].reteach.attempts == 2


def test_an_overlay_may_not_change_a_tight_reteach(tmp_path: Path) -> None:
    (tmp_path / "base.mastery").write_text(HEAD + "tight {\n  reteach after 3 attempts\n}\n")
    (tmp_path / "school.mastery").write_text(
        'policy "School" extends "base.mastery"\nreteach after 5 attempts\n'
    )
    from masterykit import check_file

    result = check_file(tmp_path / "school.mastery")
    assert [d.code for d in result.diagnostics] == ["MK260"]


def test_not_before_another_test_is_a_syntax_error_with_advice() -> None:
    from masterykit import PolicySyntaxError

    text = HEAD + "requirement r {\n  all of MATH not proficient\n}\n"
    with pytest.raises(PolicySyntaxError) as caught:
        load_text(text, "continuum.mastery")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK155",
        "`not proficient` is not a test: only `not started` is",
    )
    assert diagnostic.help == (
        "write `none of … proficient` for none of them, or put `not` before the clause to turn "
        "it around: `not all of … proficient`"
    )


def test_examples_cover_the_continuum_clauses() -> None:
    from masterykit import run_examples
    from masterykit.cli._examples import clause_coverage

    policy = load(ROOT / "docs" / "continuum" / "continuum.mastery")
    covered = {item.text: item.outcomes for item in clause_coverage(run_examples(policy))}
    assert covered["any of MATH + SCI ready"] == (True,)
    assert covered["any of MATH insufficient"] == (False, True)
    assert covered["all of MATH not started"] == (False,)
