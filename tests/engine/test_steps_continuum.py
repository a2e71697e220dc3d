"""A learner's next steps in one list, in the order of the learning continuum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit import Evidence, Learner, evaluate, load_text
from masterykit.engine.results import LearnerResult
from masterykit.engine.steps import continuum_depth, learner_steps

# MATH.3 is declared first: order must come from ``after``, not from the file.
POLICY = """\
policy "Steps"

scale four_point {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.3 "Proportions" after MATH.2
  competency MATH.2 "Ratios" after MATH.1
  competency MATH.1 "Fractions"
}
area ART "Art" {
  competency ART.1 "Draws from life"
  competency ART.2 "Uses colour"
}

calculate most_recent
proficient at Proficient
for ART evidence at least 2

requirement math "Mathematics" {
  all of MATH proficient
}
requirement art "Art" {
  all of ART proficient
}
advance "Level 1" to "Level 2" when requirement math
graduate when {
  requirement math
  requirement art
}
"""

AS_OF = dt.date(2026, 6, 1)


def learner(*pieces: tuple[str, str, int]) -> LearnerResult:
    evidence = [
        Evidence("ana", code, Decimal(score), dt.date(2026, 1, 1) + dt.timedelta(days=day))
        for code, score, day in pieces
    ]
    return evaluate(load_text(POLICY), [Learner("ana")], evidence, as_of=AS_OF).learners[0]


def codes(result: LearnerResult) -> list[str | None]:
    found: list[str | None] = []
    for step in learner_steps(result):
        if step.competency not in found:
            found.append(step.competency)
    return found


def test_prerequisites_come_first_never_math_3_before_math_2() -> None:
    result = learner()
    order = codes(result)
    assert order.index("MATH.1") < order.index("MATH.2") < order.index("MATH.3")
    assert continuum_depth(result.competencies)["MATH.3"] == 2


def test_nearest_first_one_more_piece_before_a_new_competency() -> None:
    # ART.2 has one piece of the two it needs; ART.1 has none: ART.2 comes first.
    result = learner(("ART.2", "3", 1), ("MATH.1", "3", 1), ("MATH.2", "3", 2))
    # MATH.3 (one piece) comes before ART.1 (two pieces): both are new.
    assert codes(result) == ["ART.2", "MATH.3", "ART.1"]


def test_a_started_competency_comes_before_one_not_started_at_the_same_place() -> None:
    result = learner(("MATH.1", "2", 1))
    order = codes(result)
    # MATH.1 (started, depth 0) before ART.1 and ART.2 (not started, depth 0).
    assert order[0] == "MATH.1"
    assert order.index("ART.1") < order.index("MATH.2")


def test_steps_are_merged_across_requirements_advancement_and_graduation() -> None:
    result = learner(("MATH.1", "3", 1))
    per_decision = [step for d in result.decisions() if not d.held for step in d.next_steps]
    merged = learner_steps(result)
    # The same MATH.2 step is asked for by the requirement, the advancement and graduation.
    assert sum(1 for step in per_decision if step.competency == "MATH.2") >= 3
    assert len(merged) == len(set(merged))
    assert {step.fact for step in merged} == {step.fact for step in per_decision}
    texts = [step.text for step in merged]
    assert texts.count("MATH.2: 1 more piece of evidence") == 1


def test_a_competency_s_steps_stay_together_in_their_order() -> None:
    result = learner(("ART.1", "2", 1))
    texts = [step.text for step in learner_steps(result) if step.competency == "ART.1"]
    assert texts == ["ART.1: 1 more piece of evidence", "ART.1 needs a score of 3 or more (now 2)"]


def test_nothing_is_missing_when_every_decision_holds() -> None:
    pieces = [(code, "3", day) for day, code in enumerate(["MATH.1", "MATH.2", "MATH.3"])]
    pieces += [("ART.1", "3", 1), ("ART.1", "3", 2), ("ART.2", "3", 1), ("ART.2", "3", 2)]
    assert learner_steps(learner(*pieces)) == ()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["MATH.1", "MATH.2", "MATH.3", "ART.1", "ART.2"]),
            st.sampled_from(["1", "2", "3", "4"]),
            st.integers(0, 60),
        ),
        max_size=12,
    )
)
def test_the_order_follows_the_continuum_and_is_stable(
    pieces: list[tuple[str, str, int]],
) -> None:
    result = learner(*pieces)
    steps = learner_steps(result)
    assert steps == learner_steps(learner(*reversed(pieces)))
    order = [code for code in codes(result) if code is not None]
    for position, code in enumerate(order):
        for before in result.competencies[code].waiting_on:
            if before in order:
                assert order.index(before) < position
