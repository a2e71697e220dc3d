"""One shared policy evaluated by many threads at once gives every thread the answers one thread
gets alone: the compiled plan is shared and never changes, and each evaluation keeps its own
caches (see ``docs/embedding.rst``, "Threads")."""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest

from masterykit.engine import LearnerResult, Session, evaluate
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text
from masterykit.policy import Policy

KINDS = ["quiz", "project", "performance_task", "lab", "essay", "oral", ""]

COUNTS = load_text(
    """policy "Counts" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ELA "English" {
  competency ELA.1 "Reads closely"
  competency ELA.2 "Writes arguments"
}
area SCI "Science" { competency SCI.1 "Asks questions" }
calculate decaying_average(65%)
proficient at Proficient
evidence at least 3
evidence at least 2 from performance_task, project
evidence at least 1 from quiz
evidence at least 1 from lab
evidence at least 1 from essay
evidence at least 1 from oral
evidence from at least 3 kinds
requirement core "Core" { all of ELA proficient }
advance "Grade 9" to "Grade 10" when { at least 2 of ELA + SCI proficient }
graduate when {
  requirement core
  any of SCI proficient
}
""",
    "counts.mastery",
)

WINDOWS = load_text(
    """policy "Windows" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area MATH "Mathematics" {
  competency MATH.1 "Number sense"
  competency MATH.2 "Algebra"
  competency MATH.3 "Geometry"
}
calculate mean
proficient at Proficient
evidence at least 2
evidence from at least 2 kinds
evidence within 200 days
graduate when { at least 67% of MATH proficient }
pace for MATH {
  due learner.graduation_date
  measure over last 6 months
  at risk within 3 months
}
""",
    "windows.mastery",
)

KINDS_ONLY = load_text(
    """policy "Kinds" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ART "Art" {
  competency ART.1 "Draws"
  competency ART.2 "Paints"
}
calculate highest
proficient at Proficient
evidence from at least 4 kinds
evidence at least 5 from lab, essay, oral
graduate when { all of ART proficient }
""",
    "kinds.mastery",
)

START = dt.date(2025, 1, 1)
AS_OFS = (dt.date(2026, 1, 15), dt.date(2025, 9, 1))


GRID = ("performance_task", "quiz", "lab", "essay", "oral")


def _inputs(
    policy: Policy, learners: int, seed: int, extra: int = 0
) -> list[tuple[Learner, list[Evidence]]]:
    """Learners whose evidence on the policy's first competency has a different number of
    pieces of each of five kinds for each learner, plus ``extra`` pieces without a kind (6⁵ =
    7,776 different counts for what the evidence rules read: more than any cache of them ever
    held), and random evidence on the other competencies."""
    rng = random.Random(seed)
    first, *others = policy.competencies
    found = []
    for index in range(learners):
        who = Learner(f"l{index:05d}", {"graduation_date": dt.date(2026, 6, 1)})
        kinds: list[str | None] = [None] * extra
        for position, kind in enumerate(GRID):
            kinds += [kind] * (index // 6**position % 6)
        pieces = [
            Evidence(
                who.id,
                first,
                Decimal(rng.randrange(2, 5)),
                START + dt.timedelta(days=rng.randrange(0, 400)),
                kind=kind,
            )
            for kind in kinds
        ]
        for code in others:
            for _ in range(rng.randrange(0, 4)):
                pieces.append(
                    Evidence(
                        who.id,
                        code,
                        Decimal(rng.randrange(1, 5)),
                        START + dt.timedelta(days=rng.randrange(0, 400)),
                        kind=rng.choice(KINDS) or None,
                    )
                )
        found.append((who, pieces))
    return found


def _run_threads(count: int, run: Callable[[int], None]) -> None:
    """Run ``run(0)`` to ``run(count - 1)`` in threads of their own, all at once."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(thread: int) -> None:
        barrier.wait()
        try:
            run(thread)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    # Switch threads as often as the interpreter can, so they interleave everywhere.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)
    assert not errors, errors


CHUNK = 200


@pytest.mark.parametrize(
    ("policy", "learners", "as_ofs"),
    [(COUNTS, 6**5, AS_OFS[:1]), (WINDOWS, 600, AS_OFS), (KINDS_ONLY, 600, AS_OFS)],
    ids=["counts", "windows", "kinds"],
)
def test_eight_threads_sharing_one_policy_get_one_threads_answers(
    policy: Policy, learners: int, as_ofs: tuple[dt.date, ...]
) -> None:
    # Each thread has learners of its own (their evidence counts differ from every other
    # thread's by the pieces without a kind), evaluated in chunks, as of each date in turn.
    inputs = [_inputs(policy, learners, seed=thread, extra=thread) for thread in range(8)]
    jobs = [(start, as_of) for start in range(0, learners, CHUNK) for as_of in as_ofs]

    def run_job(thread: int, job: int) -> tuple[LearnerResult, ...]:
        start, as_of = jobs[job]
        chunk = inputs[thread][start : start + CHUNK]
        pieces = [piece for _who, found in chunk for piece in found]
        return evaluate(policy, [who for who, _ in chunk], pieces, as_of=as_of).learners

    expected = [[run_job(thread, job) for job in range(len(jobs))] for thread in range(8)]
    got: list[tuple[int, int, tuple[LearnerResult, ...]]] = []

    def run(thread: int) -> None:
        for job in range(len(jobs)):
            got.append((thread, job, run_job(thread, job)))

    _run_threads(8, run)
    assert len(got) == 8 * len(jobs)
    wrong = [
        (jobs[job][1], mine.learner.id, mine.competencies, right.competencies)
        for thread, job, results in got
        for mine, right in zip(results, expected[thread][job], strict=True)
        if mine != right
    ]
    assert len(wrong) == 0, (len(wrong), wrong[:1])


def test_sessions_in_threads_sharing_one_policy_match_whole_evaluations() -> None:
    inputs = _inputs(COUNTS, 120, seed=7)
    as_of = AS_OFS[0]
    wrong: list[str] = []

    def run(thread: int) -> None:
        order = list(range(len(inputs)))
        random.Random(100 + thread).shuffle(order)
        for i in order:
            who, pieces = inputs[i]
            session = Session(COUNTS, who, pieces[: len(pieces) // 2], as_of=as_of)
            for piece in pieces[len(pieces) // 2 :]:
                session.add(piece)
            if session.result != evaluate(COUNTS, who, pieces, as_of=as_of).learners[0]:
                wrong.append(who.id)

    _run_threads(8, run)
    assert wrong == []
