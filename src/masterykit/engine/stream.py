"""Evaluate a whole export learner by learner, with memory bounded by one learner's evidence.

:func:`evaluate_stream` reads evidence sorted by learner (as district exports are), evaluates
each learner as soon as their last piece has been read, and yields one
:class:`~masterykit.engine.results.EvaluationResult` per learner, in the order the evidence
names them, in this process. To use several cores, cut the file into parts instead
(:func:`masterykit.batch.plan_parts`): each process then reads its own part, which is where
the time of a batch run goes.

>>> import datetime as dt
>>> from decimal import Decimal
>>> from masterykit.evidence import Evidence, Learner
>>> from masterykit.loader import load_text
>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> evidence = [Evidence("ana", "MATH.1", Decimal(2), dt.date(2026, 1, 5)),
...             Evidence("ana", "MATH.1", Decimal(1), dt.date(2026, 1, 9)),
...             Evidence("bo", "MATH.1", Decimal(1), dt.date(2026, 1, 6))]
>>> for result in evaluate_stream(policy, evidence, learners=[Learner("bo"), Learner("ana"),
...                               Learner("cy")], as_of=dt.date(2026, 2, 1)):
...     learner = result.learners[0]
...     print(learner.learner.id, learner.competencies["MATH.1"].status.value,
...           result.counts.read)
ana proficient 2
bo developing 1
cy not_started 0
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal, TypeAlias

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.district import District
from masterykit.engine.evaluate import (
    district_identity,
    evaluate,
    listed_twice,
    normalise_as_of,
    unlisted_learner,
)
from masterykit.engine.results import EvaluationResult, EvidenceCounts
from masterykit.evidence import Evidence, Learner, Origin, Rejection, out_of_id_order
from masterykit.policy import Policy

__all__ = ["evaluate_stream"]

#: One unit of work: a learner and their evidence, or records that belong to no learner.
_Unit: TypeAlias = tuple[Learner | None, list[Evidence], list[Rejection]]


def evaluate_stream(
    policy: Policy | District,
    evidence: Iterable[Evidence | Rejection],
    *,
    learners: Mapping[str, Learner] | Iterable[Learner] | None = None,
    as_of: dt.date | dt.datetime | None = None,
    first_proficient: Literal["pace", "all"] = "pace",
    jobs: int | None = 1,
    chunk: int = 64,
    sorted_by_id: bool = False,
) -> Iterator[EvaluationResult]:
    """Evaluate ``policy`` for evidence sorted by learner, yielding one result per learner.

    Each result is what :func:`~masterykit.engine.evaluate` gives for that learner and their
    evidence: one learner result, that learner's rejections and counts. Records that belong
    to no learner (a reader's :class:`~masterykit.evidence.Rejection` values, evidence for a
    learner missing from ``learners``, a learner listed twice) come in results without
    learners, where they occurred, so nothing is dropped. A reader's rejection counts as one
    record read and rejected (as on the command line), so the counts of all the results add
    up to those of one :func:`~masterykit.engine.evaluate` call plus the reader's rejections,
    and ``read == used + rejected`` holds for each result.

    Given a :class:`~masterykit.district.District`, each learner is evaluated under the policy
    their route names, as :func:`~masterykit.engine.evaluate` does.

    Args:
        policy: a checked policy, or a checked district file.
        evidence: evidence, and a reader's rejections, in which each learner's pieces are
            consecutive (an export sorted by learner); read once, lazily.
        learners: the learners with their attributes (by id, or as an iterable), or ``None``
            to evaluate every learner the evidence names (without attributes). Listed learners
            without evidence are evaluated at the end, in the order given; evidence for a
            learner not listed is rejected (``MK350``).
        as_of: the evaluation date (a datetime counts as its date); today when ``None``.
        first_proficient: as for :func:`~masterykit.engine.evaluate`.
        jobs: deprecated, and ignored: evaluation runs in this process. Feeding worker
            processes from one reader was slower than one process, since reading is most of
            the work; to use several cores, cut the file into parts each process reads itself
            (:func:`masterykit.batch.plan_parts` and :func:`masterykit.batch.evaluate_parts`).
            A value other than ``1`` gives a :class:`DeprecationWarning`.
        chunk: deprecated with ``jobs``, and ignored.
        sorted_by_id: the evidence and ``learners`` both come sorted by learner id (in
            ascending order of the ids as strings, as ``sort`` with ``LC_ALL=C`` leaves them).
            The learners are then read alongside the evidence, each one when the evidence
            reaches them, and nothing is kept per learner: memory stays flat however many
            learners there are. Listed learners without evidence are evaluated in their
            place in the order rather than at the end.

    Yields:
        One :class:`~masterykit.engine.results.EvaluationResult` per learner, in evidence
        order, then one per listed learner without evidence (or, with ``sorted_by_id``,
        one per learner in id order).

    Raises:
        EvidenceError: ``MK356`` when a learner's evidence reappears after another learner's,
            or ``MK357`` when, with ``sorted_by_id``, the evidence or the learners are out of
            id order (the results before that point have been yielded).
        ValueError: ``chunk`` below 1 or ``jobs`` below 0.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk}")
    if jobs is not None and jobs < 0:
        raise ValueError(f"jobs must be 0 or more, not {jobs}")
    if jobs != 1:
        warnings.warn(
            "evaluate_stream(jobs=...) is deprecated and evaluates in this process; to use "
            "several cores, cut the file with masterykit.batch.plan_parts and evaluate the "
            "parts with masterykit.batch.evaluate_parts",
            DeprecationWarning,
            stacklevel=2,
        )
    day = normalise_as_of(as_of)
    units = _merged_units(evidence, learners) if sorted_by_id else _units(evidence, learners)
    return _serial(policy, units, day, first_proficient)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading, packing and unpacking: it finds
    nothing in what they allocate (as in :func:`~masterykit.engine.evaluate`), yet would walk
    it all; it runs again between results, so the caller's own garbage is still collected."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _serial(
    policy: Policy | District,
    units: Iterator[_Unit],
    day: dt.date,
    first_proficient: Literal["pace", "all"],
) -> Iterator[EvaluationResult]:
    while True:
        with _gc_paused():
            unit = next(units, None)
            if unit is None:
                return
            result = _evaluate_unit(policy, unit, day, first_proficient)
        yield result


def _roster(
    learners: Mapping[str, Learner] | Iterable[Learner],
) -> tuple[dict[str, Learner], list[Rejection]]:
    listed = learners.values() if isinstance(learners, Mapping) else learners
    roster: dict[str, Learner] = {}
    duplicates: list[Rejection] = []
    for learner in listed:
        if learner.id in roster:
            duplicates.append(listed_twice(learner.id))
        else:
            roster[learner.id] = learner
    return roster, duplicates


def _out_of_order(piece: Evidence, first: Origin | None) -> EvidenceError:
    where = str(piece.origin or Origin())
    earlier = str(first or Origin())
    return EvidenceError(
        [
            Diagnostic(
                "MK356",
                f"evidence for learner `{piece.learner}` reappears at {where}, after other "
                f"learners' evidence; it began at {earlier}",
                help="sort the evidence by learner, or use `evaluate` for unsorted evidence",
                location=where,
            )
        ]
    )


def _units(
    evidence: Iterable[Evidence | Rejection],
    learners: Mapping[str, Learner] | Iterable[Learner] | None,
) -> Iterator[_Unit]:
    """Group the stream into units of work, checking that each learner's pieces are together."""
    roster: dict[str, Learner] | None = None
    if learners is not None:
        roster, duplicates = _roster(learners)
        if duplicates:
            yield None, [], duplicates
    # Where each learner's evidence started (only that is kept, so memory stays small).
    seen: dict[str, Origin | None] = {}
    current: str | None = None
    learner: Learner | None = None
    pieces: list[Evidence] = []
    loose: list[Rejection] = []
    for item in evidence:
        if isinstance(item, Rejection):
            # A reader's rejection: reported after the learner whose rows it sits among.
            loose.append(item)
            continue
        if item.learner == current:
            pieces.append(item)
            continue
        if current is not None:
            yield learner, pieces, []
            current = None
        if roster is not None and item.learner not in roster:
            loose.append(unlisted_learner(item))
            continue
        if item.learner in seen:
            raise _out_of_order(item, seen[item.learner])
        seen[item.learner] = item.origin
        if loose:
            yield None, [], loose
            loose = []
        learner = Learner(item.learner) if roster is None else roster[item.learner]
        current, pieces = item.learner, [item]
    if current is not None:
        yield learner, pieces, []
    if loose:
        yield None, [], loose
    if roster is not None:
        for learner_id, listed in roster.items():
            if learner_id not in seen:
                yield listed, [], []


def _merged_units(
    evidence: Iterable[Evidence | Rejection],
    learners: Mapping[str, Learner] | Iterable[Learner] | None,
) -> Iterator[_Unit]:
    """Group a stream sorted by learner id, reading the learners (sorted too) alongside it.

    A merge join: nothing is remembered per learner, so memory is one learner's evidence
    whatever the size of the roster or of the export.
    """
    listed = learners is not None
    roster: Iterator[Learner] = iter(())
    if learners is not None:
        roster = iter(learners.values() if isinstance(learners, Mapping) else learners)
    ahead = next(roster, None)
    current: str | None = None  # the learner whose pieces are being gathered
    last: str | None = None  # the last learner the evidence named, listed or not
    learner: Learner | None = None
    pieces: list[Evidence] = []
    loose: list[Rejection] = []

    def advance(passed: str) -> Iterator[_Unit]:
        """Move past the learner ``passed``, rejecting any repeat of their id."""
        nonlocal ahead
        ahead = next(roster, None)
        while ahead is not None and ahead.id == passed:
            yield None, [], [listed_twice(passed)]
            ahead = next(roster, None)
        if ahead is not None and ahead.id < passed:
            raise out_of_id_order("learner", ahead.id, passed)

    for item in evidence:
        if isinstance(item, Rejection):
            loose.append(item)
            continue
        if item.learner == current:
            pieces.append(item)
            continue
        if current is not None:
            yield learner, pieces, []
            current = None
        if last is not None and item.learner < last:
            raise out_of_id_order(
                "evidence for learner", item.learner, last, str(item.origin or Origin())
            )
        last = item.learner
        if listed:
            while ahead is not None and ahead.id < item.learner:
                if loose:
                    yield None, [], loose
                    loose = []
                yield ahead, [], []
                yield from advance(ahead.id)
            if ahead is None or ahead.id != item.learner:
                loose.append(unlisted_learner(item))
                continue
        if loose:
            yield None, [], loose
            loose = []
        if ahead is None:
            learner = Learner(item.learner)
        else:
            learner = ahead
            yield from advance(ahead.id)
        current, pieces = item.learner, [item]
    if current is not None:
        yield learner, pieces, []
    if loose:
        yield None, [], loose
    while ahead is not None:
        yield ahead, [], []
        yield from advance(ahead.id)


def _evaluate_unit(
    policy: Policy | District, unit: _Unit, day: dt.date, first_proficient: Literal["pace", "all"]
) -> EvaluationResult:
    learner, pieces, loose = unit
    if learner is None:
        # Every record here was read and rejected (a listed-twice learner is not a record).
        records = sum(1 for r in loose if r.code != "MK354")
        return EvaluationResult(
            policy.name,
            policy.version,
            day,
            (),
            tuple(loose),
            EvidenceCounts(records, 0, records, 0, 0),
            district_identity(policy) if isinstance(policy, District) else None,
        )
    return evaluate(policy, learner, pieces, as_of=day, first_proficient=first_proficient)
