"""Sessions that live as long as a service: evidence withdrawn and corrected by its source id,
retried requests counted once, moves to another as-of date or policy, and threads sharing one
session. After every step, the session's result is a full evaluation's."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from decimal import Decimal

import pytest
from engine_kit import HABITS, build_policy, competency_test, ev, learner, pace_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.engine import Changes, Session, evaluate, to_json
from masterykit.engine.results import LearnerResult
from masterykit.evidence import Evidence, Learner, Origin, Period
from masterykit.policy import AllClause, AnyClause, Duration, RequirementClause

AS_OF = dt.date(2026, 6, 1)
CODES = ["M.1", "M.2", "M.3", "H.1"]


def _policy(cut: str = "Usually", window: int = 6, codes: list[str] = CODES):  # type: ignore[no-untyped-def]
    return build_policy(
        dict.fromkeys(codes, HABITS),
        method="decaying_average",
        args=["0.65"],
        cut_level=cut,
        counts=[(2, ())],
        window=Duration(window, "month"),
        requirements={
            "maths": [competency_test("all", "proficient", ["M.1", "M.2"], "all of M proficient")],
        },
        advancements=[("One", "Two", [RequirementClause("maths")])],
        graduation=[
            RequirementClause("maths"),
            AnyClause(
                (
                    AllClause(
                        (competency_test("all", "proficient", ["M.3"], "M.3 proficient"),),
                        pathway="Project",
                    ),
                )
            ),
        ],
        pace=pace_rule(["M.1", "M.2", "M.3"]),
    )


POLICY = _policy()
ANA = learner("ana", graduation_date=dt.date(2027, 1, 1))


def _full(evidence: list[Evidence], policy=POLICY, as_of: dt.date = AS_OF) -> LearnerResult:  # type: ignore[no-untyped-def]
    return evaluate(policy, ANA, evidence, as_of=as_of).learners[0]


def _naive(before: LearnerResult, after: LearnerResult) -> tuple[object, ...]:
    """What changed, found by comparing every result of two full evaluations."""
    competencies = tuple(
        (code, before.competencies[code], result)
        for code, result in after.competencies.items()
        if before.competencies[code] != result
    )
    decisions = tuple(
        (a, b) for a, b in zip(before.decisions(), after.decisions(), strict=True) if a != b
    )
    return competencies, decisions, (before.pace, after.pace) if before.pace != after.pace else None


def _reported(changes: Changes) -> tuple[object, ...]:
    return (
        tuple((c.after.code, c.before, c.after) for c in changes.competencies),
        tuple((d.before, d.after) for d in changes.decisions),
        (changes.pace.before, changes.pace.after) if changes.pace is not None else None,
    )


# --- add, remove and replace, in any order -----------------------------------------------------

_ids = st.sampled_from([f"q-{i}" for i in range(8)])
_pieces = st.builds(
    lambda code, score, days, source_id: Evidence(
        "ana",
        code,
        Decimal(score),
        dt.date(2025, 6, 1) + dt.timedelta(days=days),
        source_id=source_id,
    ),
    st.sampled_from([*CODES, "X.9"]),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=400),
    st.none() | _ids,
)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _pieces),
        st.tuples(st.just("remove"), _ids),
        st.tuples(st.just("replace"), _pieces.filter(lambda p: p.source_id is not None)),
    ),
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(start=st.lists(_pieces, max_size=6), steps=_steps)
def test_any_sequence_of_updates_gives_a_full_evaluations_result(
    start: list[Evidence], steps: list[tuple[str, object]]
) -> None:
    # The model: what the session should hold, the first piece of each source id.
    held: dict[object, Evidence] = {}
    for index, piece in enumerate(start):
        held.setdefault(piece.source_id or index, piece)
    session = Session(POLICY, ANA, start, as_of=AS_OF)
    before = _full(list(held.values()))
    assert session.result == before
    for number, (action, value) in enumerate(steps, 1_000):
        if action == "add":
            assert isinstance(value, Evidence)
            key = value.source_id or number
            repeat = key in held
            held.setdefault(key, value)
            changes = session.add(value)
            assert [r.code for r in changes.rejections if r.code == "MK314"] == (
                ["MK314"] if repeat else []
            )
        elif action == "remove":
            assert isinstance(value, str)
            if value in held:
                del held[value]
                changes = session.remove(value)
            else:
                with pytest.raises(EvidenceError):
                    session.remove(value)
                changes = session.remove(value, missing_ok=True)
                assert changes == Changes()
        else:
            assert isinstance(value, Evidence)
            if value.source_id in held:
                held[value.source_id] = value
                changes = session.replace(value)
            else:
                with pytest.raises(EvidenceError):
                    session.replace(value)
                changes = Changes()
        after = _full(list(held.values()))
        assert session.result == after
        assert _reported(changes) == _naive(before, after)
        before = after
    assert to_json(session.result) == to_json(before)
    assert sorted(session.evidence, key=repr) == sorted(
        (p for p in held.values() if p.competency != "X.9"), key=repr
    )


def test_withdrawing_and_correcting_a_score() -> None:
    first = Evidence("ana", "M.1", Decimal(3), dt.date(2026, 1, 10), source_id="q-1")
    second = Evidence("ana", "M.1", Decimal(3), dt.date(2026, 2, 10), source_id="q-2")
    session = Session(POLICY, ANA, [first, second], as_of=AS_OF)
    assert session.result.competencies["M.1"].status.value == "proficient"

    fixed = Evidence("ana", "M.1", Decimal(1), dt.date(2026, 2, 10), source_id="q-2")
    corrected = session.replace(fixed)
    assert [(c.before.status.value, c.after.status.value) for c in corrected.competencies] == [
        ("proficient", "developing")
    ]
    assert not any(d.flipped for d in corrected.decisions)  # M.2 has no evidence yet
    assert session.result == _full([first, fixed])

    withdrawn = session.remove("q-2")
    assert [c.after.status.value for c in withdrawn.competencies] == ["insufficient"]
    gone = session.remove("q-1")
    assert [c.after.status.value for c in gone.competencies] == ["not_started"]
    assert session.result == _full([])
    assert session.evidence == ()


def test_unknown_source_ids_are_errors_unless_missing_is_fine() -> None:
    session = Session(POLICY, ANA, as_of=AS_OF)
    with pytest.raises(EvidenceError) as caught:
        session.remove("q-9")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK383",
        "no evidence with source_id `q-9` in this session",
    )
    assert session.remove("q-9", missing_ok=True) == Changes()
    with pytest.raises(EvidenceError) as unknown:
        session.replace(Evidence("ana", "M.1", Decimal(3), AS_OF, source_id="q-9"))
    assert [d.code for d in unknown.value.diagnostics] == ["MK383"]
    with pytest.raises(EvidenceError) as anonymous:
        session.replace(Evidence("ana", "M.1", Decimal(3), AS_OF))
    assert [(d.code, d.message) for d in anonymous.value.diagnostics] == [
        (
            "MK384",
            "evidence to replace has no `source_id`, so which piece it replaces is unknown",
        )
    ]


def test_a_rejected_piece_can_be_withdrawn_with_its_rejection() -> None:
    session = Session(POLICY, ANA, as_of=AS_OF)
    changes = session.add(Evidence("ana", "X.9", Decimal(3), AS_OF, source_id="q-1"))
    assert [r.code for r in changes.rejections] == ["MK351"]
    assert session.remove("q-1") == Changes()
    assert session.rejections == ()


# --- a source id given twice is counted once -------------------------------------------------


def test_a_retried_piece_is_counted_once_by_a_session() -> None:
    piece = Evidence("ana", "M.1", Decimal(3), dt.date(2026, 1, 10), source_id="q-1")
    retry = Evidence("ana", "M.1", Decimal(3), dt.date(2026, 1, 10), source_id="q-1")
    session = Session(POLICY, ANA, [piece, retry], as_of=AS_OF)
    again = session.add(retry)
    assert not again.changed
    assert [(r.code, r.reason) for r in session.rejections] == [
        ("MK314", "duplicate source_id `q-1` (first given earlier)"),
        ("MK314", "duplicate source_id `q-1` (first given earlier)"),
    ]
    assert len(session.evidence) == 1
    assert session.result == _full([piece])


def test_a_source_id_given_twice_is_counted_once_by_evaluate() -> None:
    pieces = [
        Evidence(
            "ana",
            "M.1",
            Decimal(3),
            dt.date(2026, 1, 10),
            source_id="q-1",
            origin=Origin("a.csv", 2, "q-1"),
        ),
        Evidence("ana", "M.1", Decimal(4), dt.date(2026, 1, 11), source_id="q-2"),
        Evidence(
            "ana",
            "M.1",
            Decimal(1),
            dt.date(2026, 1, 12),
            source_id="q-1",
            origin=Origin("b.csv", 7, "q-1"),
        ),
        Evidence("ana", "M.2", Decimal(3), dt.date(2026, 1, 12)),
        Evidence("ana", "M.2", Decimal(3), dt.date(2026, 1, 12)),
    ]
    result = evaluate(POLICY, ANA, pieces, as_of=AS_OF)
    counts = result.counts
    assert (counts.read, counts.used, counts.rejected) == (5, 4, 1)
    assert [(r.code, r.reason, r.origin) for r in result.rejections] == [
        ("MK314", "duplicate source_id `q-1` (first in a.csv line 2)", Origin("b.csv", 7, "q-1"))
    ]
    assert result.learners[0] == _full([pieces[0], pieces[1], pieces[3], pieces[4]])


# --- moving a session ------------------------------------------------------------------------

EVIDENCE = [
    ev("ana", "M.1", 3, "2025-11-10"),
    ev("ana", "M.1", 3, "2026-01-10"),
    ev("ana", "M.2", 4, "2026-03-10"),
    ev("ana", "M.2", 3, "2026-05-10"),
    ev("ana", "M.3", 2, "2026-07-10"),
    ev("ana", "H.1", 3, "2026-02-10"),
]


@pytest.mark.parametrize("day", [dt.date(2026, 1, 1), dt.date(2026, 3, 10), dt.date(2026, 12, 1)])
def test_moving_to_another_as_of_date_equals_a_fresh_session(day: dt.date) -> None:
    session = Session(POLICY, ANA, EVIDENCE, as_of=AS_OF)
    before = session.result
    changes = session.move(as_of=day)
    fresh = Session(POLICY, ANA, EVIDENCE, as_of=day)
    assert session.result == fresh.result == _full(EVIDENCE, as_of=day)
    assert session.as_of == day
    assert _reported(changes) == _naive(before, session.result)
    # And it keeps working from there.
    session.add(ev("ana", "M.3", 4, "2025-12-01"))
    assert session.result == _full([*EVIDENCE, ev("ana", "M.3", 4, "2025-12-01")], as_of=day)


def test_moving_to_an_edited_policy_equals_a_fresh_session() -> None:
    edited = _policy(cut="Consistently", window=12, codes=["M.1", "M.2", "M.3", "H.2"])
    session = Session(POLICY, ANA, [*EVIDENCE, ev("ana", "H.2", 4, "2026-02-10")], as_of=AS_OF)
    before = session.result
    changes = session.move(policy=edited)
    fresh = Session(edited, ANA, [*EVIDENCE, ev("ana", "H.2", 4, "2026-02-10")], as_of=AS_OF)
    assert session.result == fresh.result
    assert session.policy is edited
    # H.1 is gone from the edited policy: its evidence is rejected now; H.2 counts.
    assert [
        (r.code, r.evidence.competency if r.evidence else None) for r in changes.rejections
    ] == [("MK351", "H.1")]
    assert [r.code for r in session.rejections] == ["MK351"]
    assert "H.2" in session.result.competencies and "H.2" not in before.competencies
    assert {c.after.code for c in changes.competencies} <= {"M.1", "M.2", "M.3"}
    assert [c.after.code for c in changes.competencies] == [
        code
        for code in ("M.1", "M.2", "M.3")
        if before.competencies[code] != session.result.competencies[code]
    ]
    back = session.move(policy=POLICY, as_of=dt.date(2026, 12, 1))
    assert session.result == _full([*EVIDENCE], as_of=dt.date(2026, 12, 1))
    assert [r.code for r in back.rejections] == ["MK351"]  # H.2 is unknown again
    with pytest.raises(TypeError, match="move\\(\\) needs as_of, policy or both"):
        session.move()


def test_a_move_reads_the_learners_attributes_on_the_new_date() -> None:
    moved = Learner(
        "ana",
        {},
        {
            "graduation_date": (
                Period(dt.date(2026, 6, 1), None, dt.date(2026, 3, 1)),
                Period(dt.date(2027, 6, 1), dt.date(2026, 3, 1)),
            )
        },
    )
    session = Session(POLICY, moved, EVIDENCE, as_of=dt.date(2026, 2, 1))
    assert session.result.pace is not None and session.result.pace.due == dt.date(2026, 6, 1)
    session.move(as_of=dt.date(2026, 4, 1))
    assert session.result.pace is not None and session.result.pace.due == dt.date(2027, 6, 1)
    assert (
        session.result == evaluate(POLICY, moved, EVIDENCE, as_of=dt.date(2026, 4, 1)).learners[0]
    )


# --- threads ---------------------------------------------------------------------------------


def test_threads_adding_to_one_session_lose_nothing() -> None:
    pieces = [
        Evidence(
            "ana",
            CODES[i % 4],
            Decimal(1 + i % 4),
            dt.date(2025, 7, 1) + dt.timedelta(days=i),
            source_id=f"q-{i % 150}",  # every id is sent twice, by different threads
        )
        for i in range(300)
    ]
    session = Session(POLICY, ANA, as_of=AS_OF)
    barrier = threading.Barrier(6)
    rejected: list[str] = []
    errors: list[BaseException] = []

    def run(thread: int) -> None:
        barrier.wait()
        try:
            for piece in pieces[thread::6]:
                rejected.extend(r.code for r in session.add(piece).rejections)
                _ = session.result.competencies  # readers see whole results meanwhile
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    # Switch threads as often as the interpreter can, so they interleave everywhere.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert rejected == ["MK314"] * 150
    assert len(session.evidence) == 150
    assert session.result == _full(session.evidence)  # type: ignore[arg-type]


def test_an_update_from_one_thread_is_never_lost_to_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each thread scores a competency of its own: when all are done, the result must show every
    # competency as a full evaluation gives it. Evaluating a competency is made to pause (as a
    # busy interpreter would switch threads there), so that without the session's lock one
    # thread's update would start from a result another thread is replacing, and be lost.
    evaluate_one = Session._competency

    def slowly(self: Session, code: str) -> object:
        found = evaluate_one(self, code)
        time.sleep(0.0005)
        return found

    monkeypatch.setattr(Session, "_competency", slowly)
    codes = [f"T.{i}" for i in range(6)]
    policy = build_policy(dict.fromkeys(codes, HABITS), method="mean", cut_level="Usually")
    own = {
        code: [
            Evidence(
                "ana",
                code,
                Decimal(1 + (i * 7 + n) % 4),
                dt.date(2025, 7, 1) + dt.timedelta(days=i),
            )
            for i in range(25)
        ]
        for n, code in enumerate(codes)
    }
    expected = {
        code: [
            evaluate(policy, ANA, pieces[: k + 1], as_of=AS_OF).learners[0].competencies[code]
            for k in range(len(pieces))
        ]
        for code, pieces in own.items()
    }
    session = Session(policy, ANA, as_of=AS_OF)
    barrier = threading.Barrier(len(codes))
    lost: list[tuple[str, int]] = []

    def run(code: str) -> None:
        barrier.wait()
        for k, piece in enumerate(own[code]):
            session.add(piece)
            if session.result.competencies[code] != expected[code][k]:
                lost.append((code, k))  # another thread's update overwrote this one

    threads = [threading.Thread(target=run, args=(code,)) for code in codes]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert lost == []
    assert (
        session.result
        == evaluate(
            policy, ANA, [p for pieces in own.values() for p in pieces], as_of=AS_OF
        ).learners[0]
    )


def test_a_stream_counts_each_learners_source_ids_once() -> None:
    from masterykit.engine import evaluate_stream

    retried = Evidence("ana", "M.1", Decimal(3), dt.date(2026, 1, 10), source_id="q-1")
    [result] = list(evaluate_stream(POLICY, [retried, retried], learners=[ANA], as_of=AS_OF))
    counts = result.counts
    assert (counts.read, counts.used, counts.rejected) == (2, 1, 1)
    assert [(r.code, r.reason) for r in result.rejections] == [
        ("MK314", "duplicate source_id `q-1` (first given earlier)")
    ]


def test_a_replacement_that_cannot_be_used_still_withdraws_the_piece() -> None:
    session = Session(POLICY, ANA, [ev("ana", "M.1", 3, "2026-01-10")], as_of=AS_OF)
    session.add(Evidence("ana", "M.2", Decimal(3), dt.date(2026, 1, 10), source_id="q-1"))
    changes = session.replace(
        Evidence("ana", "M.7", Decimal(3), dt.date(2026, 1, 10), source_id="q-1")
    )
    assert [r.code for r in changes.rejections] == ["MK351"]
    assert [c.after.status.value for c in changes.competencies] == ["not_started"]
    assert session.result == _full([ev("ana", "M.1", 3, "2026-01-10")])
    assert session.remove("q-1") == Changes()  # the rejected replacement holds the id
    assert session.rejections == ()
