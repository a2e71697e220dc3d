"""Laws of a district run, for generated learners and evidence: every mode gives each learner
exactly what evaluating them alone under the policy their route picks gives, whatever the order
of the learners' evidence."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import attrs
from district_kit import AS_OF, district
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit import batch
from masterykit.engine import LearnerResult, evaluate, evaluate_stream, route, to_json
from masterykit.evidence import Evidence, Learner

SCHOOLS = st.sampled_from([None, "north", "harbor", "east", "west", "nowhere"])

learner_rows = st.lists(
    st.tuples(SCHOOLS, st.sampled_from([None, Decimal(2023), Decimal(2025), "2024", True])),
    min_size=1,
    max_size=6,
)
evidence_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["MATH.1", "MATH.2", "NOPE.1"]),
        st.integers(min_value=1, max_value=4),
        st.integers(min_value=0, max_value=200),
    ),
    max_size=20,
)


def _learners(rows: list[tuple[str | None, object]]) -> list[Learner]:
    found = []
    for index, (school, year) in enumerate(rows):
        attributes: dict[str, object] = {}
        if school is not None:
            attributes["school"] = school
        if year is not None:
            attributes["entry_year"] = year
        found.append(Learner(f"l{index}", attributes))  # type: ignore[arg-type]
    return found


def _evidence(rows: list[tuple[int, str, int, int]]) -> list[Evidence]:
    start = dt.date(2026, 1, 1)
    return [
        Evidence(f"l{who}", code, Decimal(score), start + dt.timedelta(days=offset))
        for who, code, score, offset in rows
    ]


def _alone(learner: Learner, evidence: list[Evidence]) -> LearnerResult | None:
    chosen = route(district(), learner, AS_OF)
    if chosen is None or chosen.policy is None:
        return None
    mine = [piece for piece in evidence if piece.learner == learner.id]
    return evaluate(chosen.policy, [learner], mine, as_of=AS_OF).learners[0]


@settings(max_examples=40, deadline=None)
@given(learner_rows, evidence_rows, st.randoms(use_true_random=False))
def test_every_mode_gives_each_learner_what_their_policy_alone_gives(rows, pieces, random):
    learners = _learners(rows)
    evidence = _evidence(pieces)
    whole = evaluate(district(), learners, evidence, as_of=AS_OF)
    assert whole.counts.read == whole.counts.used + whole.counts.rejected
    for learner, found in zip(learners, whole.learners, strict=True):
        alone = _alone(learner, evidence)
        if alone is None:
            assert not found.evaluated and dict(found.competencies) == {}
        else:
            assert attrs.evolve(found, route=None) == alone

    by_learner = sorted(evidence, key=lambda piece: piece.learner)
    streamed = [
        learner
        for part in evaluate_stream(district(), by_learner, learners=learners, as_of=AS_OF)
        for learner in part.learners
    ]
    assert sorted(streamed, key=lambda r: r.learner.id) == sorted(
        whole.learners, key=lambda r: r.learner.id
    )
    batched = batch.evaluate_in_batches(district(), learners, evidence, AS_OF)
    assert batched == whole

    shuffled = list(evidence)
    random.shuffle(shuffled)
    assert to_json(evaluate(district(), learners, shuffled, as_of=AS_OF)) == to_json(whole)


@settings(max_examples=15, deadline=None)
@given(learner_rows, evidence_rows)
def test_sorted_output_is_the_output_of_a_whole_run(rows, pieces):
    learners = sorted(_learners(rows), key=lambda learner: learner.id)
    evidence = sorted(_evidence(pieces), key=lambda piece: piece.learner)
    whole = evaluate(district(), learners, evidence, as_of=AS_OF)
    out = io.StringIO()
    batch.evaluate_sorted(
        district(), evidence, output_format="jsonl", write=out.write, learners=learners,
        as_of=AS_OF,
    )  # fmt: skip
    assert out.getvalue() == batch.render(batch.Report(district(), whole), "jsonl")
