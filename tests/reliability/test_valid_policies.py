"""Laws that hold for every valid policy, learner and piece of evidence a user may write.

The policies come from :func:`strategies_valid.scenarios`: generated text, sometimes a school
overlay over a district, loaded from files the way users load them. Each test states its law.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st
from strategies_valid import AS_OF, Scenario, scenarios

from masterykit.cli import cli
from masterykit.dsl.format import format_text
from masterykit.dsl.parser import parse
from masterykit.engine import Session, Status, evaluate, to_json
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    LearnerResult,
    PaceResult,
    PaceStatus,
    UnusedReason,
)
from masterykit.loader import load
from masterykit.numbers import round_score
from masterykit.policy import Policy

SETTINGS = settings(max_examples=50, deadline=None)


@contextmanager
def _loaded(scenario: Scenario) -> Iterator[tuple[Policy, Path]]:
    with tempfile.TemporaryDirectory() as folder:
        top = scenario.write(Path(folder))
        yield load(top), top


@SETTINGS
@given(scenarios())
def test_formatting_a_valid_policy_keeps_its_meaning(scenario: Scenario) -> None:
    """``parse(format_text(p)) == parse(p)`` for every file, and formatting is idempotent."""
    for name, text in scenario.files.items():
        formatted = format_text(text, name)
        assert parse(formatted, name) == parse(text, name)
        assert format_text(formatted, name) == formatted


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_evidence_arrives_in(
    scenario: Scenario, rng: random.Random
) -> None:
    """Evaluating the evidence shuffled gives the same result and the same JSON bytes."""
    shuffled = list(scenario.evidence)
    rng.shuffle(shuffled)
    with _loaded(scenario) as (policy, _top):
        first = evaluate(policy, scenario.learners, scenario.evidence, as_of=AS_OF)
        second = evaluate(policy, scenario.learners, shuffled, as_of=AS_OF)
    assert first == second
    assert to_json(first) == to_json(second)


@SETTINGS
@given(scenarios())
def test_a_session_fed_one_piece_at_a_time_equals_a_full_evaluation(scenario: Scenario) -> None:
    """For each learner, a :class:`Session` given the evidence one piece at a time ends with
    the learner's result of one full evaluation, and rejects the same pieces."""
    with _loaded(scenario) as (policy, _top):
        full = evaluate(policy, scenario.learners, scenario.evidence, as_of=AS_OF)
        for learner, expected in zip(scenario.learners, full.learners, strict=True):
            session = Session(policy, learner, as_of=AS_OF)
            for piece in scenario.evidence:
                session.add(piece)
            assert session.result == expected
            assert to_json(session.result) == to_json(expected)


@settings(max_examples=20, deadline=None)
@given(scenarios())
def test_the_same_input_gives_byte_identical_json_in_the_api_and_the_cli(
    scenario: Scenario,
) -> None:
    """``to_json`` of two evaluations of the same input are the same bytes; so are two runs of
    ``masterykit evaluate --format json`` on the same files."""
    with _loaded(scenario) as (policy, top):
        once = to_json(evaluate(policy, scenario.learners, scenario.evidence, as_of=AS_OF))
        again = to_json(evaluate(policy, scenario.learners, scenario.evidence, as_of=AS_OF))
        assert once == again
        evidence, learners = scenario.write_data(top.parent)
        args = [
            "evaluate",
            str(top),
            "--evidence",
            str(evidence),
            "--learners",
            str(learners),
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "json",
        ]
        runs = [CliRunner().invoke(cli, args, catch_exceptions=False) for _ in range(2)]
    assert runs[0].exit_code == 0, runs[0].output
    assert runs[0].stdout_bytes == runs[1].stdout_bytes
    assert runs[0].stdout_bytes


def _competency_law(result: CompetencyResult, policy: Policy) -> None:
    """A competency explains itself.

    * Every evidence check is met iff what the counted evidence has reaches what it needs.
    * ``proficient`` iff there is counted evidence, every check is met, and the reported
      (rounded) score is at or above the reported cut; ``developing`` iff the same holds with the
      score below the cut; ``not_started`` iff nothing counted and nothing was left out for the
      window (only evidence after the as-of date, or none).
    * The reported score is the unrounded score rounded; a developing or proficient
      competency's level is the highest level of its scale at or below that score.
    * Counted evidence lies in the window (from its start to the as-of date), oldest first.
    """
    for check in result.checks:
        assert check.met == (check.actual >= check.needed), check
    sufficient = bool(result.used) and all(check.met for check in result.checks)
    scored = result.score is not None
    assert (result.status is Status.PROFICIENT) == (
        sufficient and scored and result.score >= result.cut.cut  # type: ignore[operator]
    ), result
    assert (result.status is Status.DEVELOPING) == (
        sufficient and scored and result.score < result.cut.cut  # type: ignore[operator]
    ), result
    assert (result.status is Status.NOT_STARTED) == (
        not result.used and all(u.reason is UnusedReason.AFTER_AS_OF for u in result.unused)
    ), result
    if result.unrounded is not None:
        assert result.score == round_score(result.unrounded)
    if result.status in (Status.PROFICIENT, Status.DEVELOPING):
        scale = policy.competencies[result.code].scale
        below = [level for level in scale.levels if level.value <= result.score]  # type: ignore[operator]
        expected = max(below, key=lambda level: level.value).name if below else None
        assert result.level == expected, result
    days = [piece.day for piece in result.used]
    assert all(day <= AS_OF for day in days)
    if result.window_start is not None:
        assert all(day >= result.window_start for day in days)
    moments = [piece.moment for piece in result.used]
    assert moments == sorted(moments)


def _clause_law(clause: ClauseResult, learner: LearnerResult) -> None:
    """A clause's outcome follows from the values it reports.

    * ``any`` holds iff a child holds; ``all`` and ``pathway`` iff every child holds; ``not``
      iff its child does not.
    * ``requirement name`` holds iff that requirement's decision holds.
    * A competency test holds iff at least ``needed`` of the selected competencies pass (for
      ``none of … below``, iff none is below); for ``… proficient`` tests, the passing ones are
      exactly the selected ones that are proficient.
    * A learner test with no attribute value does not hold.
    """
    held = [child.held for child in clause.children]
    if clause.kind == "any":
        assert clause.held == any(held)
    elif clause.kind in ("all", "pathway"):
        assert clause.held == all(held)
    elif clause.kind == "not":
        assert clause.held == (not held[0])
    elif clause.kind == "requirement":
        name = clause.text.removeprefix("requirement ").strip()
        assert clause.held == learner.requirements[name].held
    elif clause.kind == "competencies":
        assert clause.needed is not None
        if clause.text.startswith("none of"):
            assert clause.held == (not clause.passing)
        else:
            assert clause.held == (len(clause.passing) >= clause.needed)
        if clause.text.endswith(" proficient"):
            for code in clause.passing:
                assert learner.competencies[code].proficient, (clause, code)
            for code in clause.failing:
                assert not learner.competencies[code].proficient, (clause, code)
    elif clause.kind == "learner" and clause.actual is None:
        assert not clause.held


def _pace_law(pace: PaceResult, learner: LearnerResult) -> None:
    """Pace status follows from the reported projected and due dates.

    ``complete`` iff nothing remains; otherwise ``unknown`` when there is no due date,
    ``off_track`` when nothing became proficient inside the window, else the projection is
    as-of + ⌈remaining × window days ÷ proficient inside the window⌉ days and the status is
    ``on_track`` (projected ≤ due), ``at_risk`` (≤ the at-risk date) or ``off_track``.
    The remaining competencies are exactly the selected ones not proficient, and the ones that
    became proficient in the window are proficient with a first-proficient date inside it.
    """
    for code in pace.remaining:
        assert not learner.competencies[code].proficient
    for code in pace.proficient_in_window:
        competency = learner.competencies[code]
        assert competency.proficient
        assert competency.first_proficient is not None
        assert pace.window_start <= competency.first_proficient <= AS_OF
    if not pace.remaining:
        assert pace.status is PaceStatus.COMPLETE
        return
    if pace.due is None:
        assert pace.status is PaceStatus.UNKNOWN
        return
    if not pace.proficient_in_window:
        assert pace.projected is None
        assert pace.status is PaceStatus.OFF_TRACK
        return
    days = math.ceil(len(pace.remaining) * pace.window_days / len(pace.proficient_in_window))
    assert pace.projected == AS_OF + dt.timedelta(days=days)
    assert pace.risk_until is not None
    if pace.projected <= pace.due:
        assert pace.status is PaceStatus.ON_TRACK
    elif pace.projected <= pace.risk_until:
        assert pace.status is PaceStatus.AT_RISK
    else:
        assert pace.status is PaceStatus.OFF_TRACK


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_every_result_explains_itself(scenario: Scenario) -> None:
    """Every competency, clause, decision and pace result can be re-derived from the values it
    reports (see the laws of ``_competency_law``, ``_clause_law`` and ``_pace_law``); a decision
    holds iff its clause holds, and its named pathways are those that held; evidence read is
    evidence used plus evidence rejected."""
    with _loaded(scenario) as (policy, _top):
        result = evaluate(policy, scenario.learners, scenario.evidence, as_of=AS_OF)
    counts = result.counts
    assert counts.read == len(scenario.evidence) == counts.used + counts.rejected
    assert counts.used == counts.counted + counts.not_counted
    for learner in result.learners:
        assert set(learner.competencies) == set(policy.competencies)
        for competency in learner.competencies.values():
            _competency_law(competency, policy)
            event(f"competency {competency.status.value}")
        for decision in learner.decisions():
            assert decision.held == decision.clause.held
            event(f"{decision.kind} {'held' if decision.held else 'not held'}")
            assert not decision.held or not decision.next_steps
            walked = decision.clause.walk()
            for clause in walked:
                _clause_law(clause, learner)
            held_pathways = {c.pathway for c in walked if c.pathway and c.held}
            assert set(decision.pathways) <= held_pathways
        if learner.pace is not None:
            _pace_law(learner.pace, learner)
            event(f"pace {learner.pace.status.value}")
