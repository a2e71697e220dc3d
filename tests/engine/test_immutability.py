"""Results and policies cannot be changed after they are made, by their reader or by whoever
passed their parts in."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest

from masterykit.engine import LearnerResult, evaluate
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text

POLICY = load_text(
    """policy "Frozen" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ELA "English" { competency ELA.1 "Reads closely" }
calculate most_recent
proficient at Proficient
requirement core "Core" { all of ELA proficient }
graduate when { requirement core }
""",
    "frozen.mastery",
)


def _learner() -> LearnerResult:
    piece = Evidence("ana", "ELA.1", Decimal(2), dt.date(2026, 1, 5))
    return evaluate(POLICY, Learner("ana"), [piece], as_of=dt.date(2026, 3, 1)).learners[0]


def _set(mapping: Any, key: str, value: object) -> None:
    mapping[key] = value


def test_a_learners_result_mappings_are_read_only() -> None:
    result = _learner()
    competency = result.competencies["ELA.1"]
    with pytest.raises(TypeError):
        _set(result.competencies, "ELA.1", None)
    with pytest.raises(TypeError):
        _set(result.requirements, "core", None)
    with pytest.raises(TypeError):
        del result.competencies["ELA.1"]  # type: ignore[attr-defined]
    decision = result.requirements["core"]
    with pytest.raises(TypeError):
        _set(decision.competencies, "ELA.1", None)
    assert result.competencies["ELA.1"] is competency


def test_a_frozen_result_cannot_be_changed() -> None:
    result = _learner()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.pace = None  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.competencies["ELA.1"].score = Decimal(4)  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.requirements["core"].held = True  # type: ignore[misc]


def test_a_result_never_shows_the_callers_own_dict() -> None:
    result = _learner()
    mine = dict(result.competencies)
    made = LearnerResult(result.learner, mine, {})
    mine.clear()
    assert list(made.competencies) == ["ELA.1"]


def test_read_only_results_pickle() -> None:
    result = _learner()
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    with pytest.raises(TypeError):
        _set(again.competencies, "ELA.1", None)


def test_a_policys_mappings_are_read_only() -> None:
    for name in ("competencies", "scales", "rules", "areas", "groups", "requirements", "methods"):
        mapping = getattr(POLICY, name)
        with pytest.raises(TypeError):
            _set(mapping, "X", object())
    with pytest.raises(TypeError):
        POLICY.competencies["X"] = POLICY.competencies["ELA.1"]  # type: ignore[index]
    again = pickle.loads(pickle.dumps(POLICY))
    assert list(again.competencies) == ["ELA.1"]
    found = evaluate(again, Learner("ana"), as_of=dt.date(2026, 3, 1))
    assert found.learners[0].learner.id == "ana"
