"""The compact view: what a gradebook screen shows, taken from the full result and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit import Evidence, Learner, load
from masterykit.engine import LearnerResult
from masterykit.engine.compact import compact
from masterykit.numbers import format_decimal

POLICY = load(Path(__file__).resolve().parents[2] / "docs" / "tutorial" / "district.mastery")
AS_OF = dt.date(2026, 6, 1)
CODES = list(POLICY.competencies)
KINDS = ["quiz", "project", "performance_task"]


def _result(evidence: list[Evidence], **attributes: object) -> LearnerResult:
    learner = Learner("ana", attributes)  # type: ignore[arg-type]
    return POLICY.evaluate(learner, evidence, as_of=AS_OF).learners[0]


def _evidence(code: str, score: int, day: int, kind: str) -> Evidence:
    return Evidence("ana", code, Decimal(score), dt.date(2026, 1, day), kind=kind)


pieces = st.lists(
    st.builds(
        _evidence,
        st.sampled_from(CODES),
        st.integers(1, 4),
        st.integers(1, 28),
        st.sampled_from(KINDS),
    ),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(pieces)
def test_the_view_repeats_the_full_result(evidence: list[Evidence]) -> None:
    result = _result(evidence)
    view = compact(result, steps=None)
    assert view["learner"] == "ana"
    assert list(view["competencies"]) == CODES
    for code, (status, score, level) in view["competencies"].items():
        full = result.competencies[code]
        assert status == full.status.value
        assert score == (None if full.score is None else format_decimal(full.score))
        assert level == full.level
    assert [(d["kind"], d["held"]) for d in view["decisions"]] == [
        (d.kind, d.held) for d in result.decisions()
    ]
    every = [step for d in result.decisions() if not d.held for step in d.next_steps]
    assert view["next_steps"] == [step.text for step in dict.fromkeys(every)]
    assert view["more_steps"] is False
    assert json.loads(json.dumps(view)) == json.loads(json.dumps(view, sort_keys=True))


@settings(max_examples=40, deadline=None)
@given(pieces, st.integers(0, 6))
def test_a_limit_shows_the_first_steps_and_says_there_are_more(
    evidence: list[Evidence], limit: int
) -> None:
    result = _result(evidence)
    every = compact(result, steps=None)["next_steps"]
    view = compact(result, steps=limit)
    assert view["next_steps"] == every[:limit]
    assert view["more_steps"] == (len(every) > limit)


def test_an_advancement_names_both_stages_and_pace_gives_dates() -> None:
    view = compact(_result([]))
    advancement = next(d for d in view["decisions"] if d["kind"] == "advancement")
    assert advancement == {
        "kind": "advancement",
        "name": "Middle school",
        "target": "High school",
        "held": False,
    }
    requirement = next(d for d in view["decisions"] if d["kind"] == "requirement")
    assert requirement["target"] is None
    assert view["pace"] == {"status": "unknown", "due": None, "projected": None, "risk_until": None}


@pytest.mark.parametrize("audience", ["author", "teacher", "family"])
def test_next_steps_are_worded_for_the_audience(audience: str) -> None:
    result = _result([_evidence("MATH.1", 3, 5, "quiz")])
    view = compact(result, audience=audience, steps=None)  # type: ignore[arg-type]
    steps = [step for d in result.decisions() if not d.held for step in d.next_steps]
    shown = [step.render(audience) for step in dict.fromkeys(steps)]  # type: ignore[arg-type]
    assert view["next_steps"] == shown
