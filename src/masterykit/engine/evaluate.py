"""Evaluate a checked policy for learners and their evidence, as of a date.

The semantics are those of ``LANGUAGE.md`` and DESIGN.md "Semantics that every mode shares":
evidence after the as-of date is ignored (and reported as not used), ``evidence within`` counts
back from the as-of date with both ends included, evidence is ordered by timestamp and then by
score (lowest first) so results never depend on input order, and evidence that cannot be used is
reported as a :class:`~masterykit.evidence.Rejection`, never dropped and never a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from masterykit.engine._plan import Item, compile_policy, sort_items
from masterykit.engine.results import EvaluationResult, EvidenceCounts, LearnerResult
from masterykit.evidence import Evidence, Learner, Origin, Rejection
from masterykit.policy import Policy

__all__ = ["evaluate", "learners_from_evidence", "normalise_as_of"]


def normalise_as_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    """The evaluation date: a datetime's date, or today when ``None``."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def learners_from_evidence(evidence: Iterable[Evidence]) -> list[Learner]:
    """One learner (without attributes) per learner id in ``evidence``, sorted by id."""
    return [Learner(learner_id) for learner_id in sorted({e.learner for e in evidence})]


def _rejection_key(rejection: Rejection) -> tuple[str, int, str, str, str, str, str, str]:
    origin = rejection.origin
    piece = rejection.evidence
    return (
        origin.file or "",
        origin.line or 0,
        origin.record or "",
        rejection.code,
        piece.learner if piece else "",
        piece.competency if piece else "",
        piece.moment.isoformat() if piece else "",
        str(piece.score) if piece else "",
    )


def evaluate(
    policy: Policy,
    learners: Learner | Iterable[Learner] | None,
    evidence: Iterable[Evidence] = (),
    *,
    as_of: dt.date | dt.datetime | None = None,
) -> EvaluationResult:
    """Evaluate ``policy`` for ``learners`` given ``evidence``, as of ``as_of``.

    Args:
        policy: a checked policy (from :func:`masterykit.load` or built by hand).
        learners: one learner, several, or ``None`` to evaluate every learner the evidence
            names (without attributes, in order of id).
        evidence: the evidence, in any order.
        as_of: the evaluation date (a datetime counts as its date); today when ``None``.

    Returns:
        One :class:`~masterykit.engine.results.LearnerResult` per learner, in the order given
        (a learner listed twice is evaluated once, and the repeat is reported as rejection
        ``MK354``), the rejected evidence (``MK350``–``MK353``) and counts that reconcile:
        ``read == used + rejected``.
    """
    day = normalise_as_of(as_of)
    plan = compile_policy(policy)
    evidence = list(evidence)
    if learners is None:
        roster = learners_from_evidence(evidence)
    elif isinstance(learners, Learner):
        roster = [learners]
    else:
        roster = list(learners)

    rejections: list[Rejection] = []
    buckets: dict[str, dict[str, list[Item]]] = {}
    ordered: list[Learner] = []
    for learner in roster:
        if learner.id in buckets:
            rejections.append(
                Rejection(
                    "MK354",
                    f"learner `{learner.id}` is listed more than once; the first entry is used",
                    Origin(record=learner.id),
                )
            )
            continue
        buckets[learner.id] = {}
        ordered.append(learner)

    read = used = counted = 0
    prepare = plan.prepare
    for piece in evidence:
        read += 1
        per_learner = buckets.get(piece.learner)
        if per_learner is None:
            rejections.append(
                Rejection(
                    "MK350",
                    f"evidence for unknown learner `{piece.learner}`",
                    piece.origin or Origin(),
                    piece,
                )
            )
            continue
        item = prepare(piece)
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        used += 1
        per_competency = per_learner.get(piece.competency)
        if per_competency is None:
            per_learner[piece.competency] = [item]
        else:
            per_competency.append(item)

    starts = plan.window_starts(day)
    results: list[LearnerResult] = []
    for learner in ordered:
        per_learner = buckets[learner.id]
        for items in per_learner.values():
            if len(items) > 1:
                sort_items(items)
        result = plan.learner(learner, per_learner, day, starts)
        for competency in result.competencies.values():
            counted += len(competency.used)
        results.append(result)

    rejections.sort(key=_rejection_key)
    evidence_rejected = sum(1 for r in rejections if r.evidence is not None)
    return EvaluationResult(
        policy.name,
        policy.version,
        day,
        tuple(results),
        tuple(rejections),
        EvidenceCounts(read, used, evidence_rejected, counted, used - counted),
    )
