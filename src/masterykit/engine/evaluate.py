"""Evaluate a checked policy for learners and their evidence, as of a date.

The semantics are those of ``LANGUAGE.md`` and DESIGN.md "Semantics that every mode shares":
evidence after the as-of date is ignored (and reported as not used), ``evidence within`` counts
back from the as-of date with both ends included, evidence is ordered by timestamp and then by
score (lowest first) so results never depend on input order, and evidence that cannot be used is
reported as a :class:`~masterykit.evidence.Rejection`, never dropped and never a crash.
"""

from __future__ import annotations

import datetime as dt
import gc
import operator
from collections.abc import Iterable
from itertools import groupby
from typing import Literal

import attrs

from masterykit.district import District, PolicyIdentity, Route
from masterykit.engine import _prepare
from masterykit.engine._plan import CompiledPolicy, RunState, compile_policy
from masterykit.engine.district import choose
from masterykit.engine.results import (
    EvaluationResult,
    EvidenceCounts,
    LearnerResult,
    NotEvaluated,
    RouteResult,
)
from masterykit.evidence import Evidence, Learner, Origin, Rejection, once_per_source_id
from masterykit.numbers import short_text
from masterykit.policy import Policy

__all__ = [
    "district_identity",
    "evaluate",
    "learners_from_evidence",
    "listed_twice",
    "normalise_as_of",
    "not_routed",
    "routed_away",
]


_learner = operator.attrgetter("learner")


def normalise_as_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    """The evaluation date: a datetime's date, or today when ``None``."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def listed_twice(learner_id: str) -> Rejection:
    """The rejection (``MK354``) of a learner listed again after their first entry."""
    return Rejection(
        "MK354",
        f"learner `{learner_id}` is listed more than once; the first entry is used",
        Origin(record=learner_id),
    )


def unlisted_learner(piece: Evidence) -> Rejection:
    """The rejection (``MK350``) of evidence for a learner who is not being evaluated."""
    return Rejection(
        "MK350", f"evidence for unknown learner `{piece.learner}`", piece.origin or Origin(), piece
    )


def learner_id_not_text(learner_id: object, piece: Evidence | None = None) -> Rejection:
    """The rejection (``MK381``) of a learner id that is not text, on a listed learner or on
    ``piece`` of evidence."""
    return Rejection(
        "MK381",
        f"learner id `{short_text(learner_id)}` is not text; learner ids are text, such as "
        f'`"{short_text(learner_id)}"`',
        piece.origin or Origin() if piece is not None else Origin(record=short_text(learner_id)),
        piece,
    )


def learners_from_evidence(evidence: Iterable[Evidence]) -> list[Learner]:
    """One learner (without attributes) per learner id in ``evidence``, sorted by id (ids that
    are not text are left out: their evidence is rejected with ``MK381``)."""
    ids: set[str] = {e.learner for e in evidence if type(e.learner) is str}
    return [Learner(learner_id) for learner_id in sorted(ids)]


def _text(value: object) -> str:
    """``value`` itself when it is text (as it should be), else as text, so rejections of ids
    and codes that are not text still sort."""
    return value if type(value) is str else str(value)


def rejection_key(rejection: Rejection) -> tuple[str, int, str, str, str, str, str, str]:
    """The order rejections are reported in: by file, line and record, then code and content.

    Sorting the rejections of a stream's results, or of a file's parts, with this key gives the
    order of one whole run.
    """
    origin = rejection.origin
    piece = rejection.evidence
    return (
        origin.file or "",
        origin.line or 0,
        origin.record or "",
        rejection.code,
        _text(piece.learner) if piece else "",
        _text(piece.competency) if piece else "",
        str(piece.timestamp) if piece else "",
        str(piece.score) if piece else "",
    )


def evaluate(
    policy: Policy | District,
    learners: Learner | Iterable[Learner] | None,
    evidence: Iterable[Evidence] = (),
    *,
    as_of: dt.date | dt.datetime | None = None,
    first_proficient: Literal["pace", "all"] = "pace",
) -> EvaluationResult:
    """Evaluate ``policy`` for ``learners`` given ``evidence``, as of ``as_of``.

    Given a :class:`~masterykit.district.District`, each learner is evaluated under the policy
    their route names (the first route of the district file whose condition holds for them on
    ``as_of``), in one pass over the evidence. A learner no route takes, or whose route says
    ``not evaluated``, is still reported: their result has no competencies and says why
    (:class:`~masterykit.engine.results.NotEvaluated`, ``MK390`` or ``MK391``), and their
    evidence counts as used but not counted, so the counts still reconcile.

    Args:
        policy: a checked policy (from :func:`masterykit.load` or built by hand), or a checked
            district file (from :func:`masterykit.loader.load_district`).
        learners: one learner, several, or ``None`` to evaluate every learner the evidence
            names (without attributes, in order of id).
        evidence: the evidence, in any order.
        as_of: the evaluation date (a datetime counts as its date); today when ``None``.
        first_proficient: whose first-proficient dates to work out: ``"pace"`` (the default)
            for the competencies of the pace selection, which pace needs; ``"all"`` for every
            proficient competency. It costs one calculation per evidence date, so it is only
            done where asked; elsewhere ``CompetencyResult.first_proficient`` is ``None``.

    Returns:
        One :class:`~masterykit.engine.results.LearnerResult` per learner, in the order given
        (a learner listed twice is evaluated once, and the repeat is reported as rejection
        ``MK354``), each naming the policy that evaluated it (and, for a district, the route
        that chose it), the rejected evidence (``MK350``–``MK353``) and counts that reconcile:
        ``read == used + rejected``.

    .. versionchanged:: 0.1
       Takes a district file.
    """
    # Results hold no reference cycles, so the cyclic garbage collector has nothing to find in
    # what a batch allocates; pausing it for the call saves a fifth of the time on large batches.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _evaluate(policy, learners, evidence, as_of, first_proficient)
    finally:
        if paused:
            gc.enable()


def not_routed(learner_id: str, district: District) -> str:
    """The reason (``MK390``) a learner no route of ``district`` takes is not evaluated."""
    return (
        f"no route of district `{district.name}` takes learner `{learner_id}`; "
        "no policy evaluates them"
    )


def routed_away(learner_id: str, route: Route) -> str:
    """The reason (``MK391``) a learner whose route says ``not evaluated`` is not evaluated."""
    return f"learner `{learner_id}` is not evaluated: {route.reason}"


def _text_key(piece: Evidence) -> tuple[str, str, str, str, str]:
    # Evidence nobody evaluates is not checked, so its order must not rely on its types.
    return (
        str(piece.timestamp),
        _text(piece.competency),
        str(piece.score),
        str(piece.kind),
        str(piece.origin),
    )


def _evaluate(
    policy: Policy | District,
    learners: Learner | Iterable[Learner] | None,
    evidence: Iterable[Evidence],
    as_of: dt.date | dt.datetime | None,
    first_proficient: Literal["pace", "all"],
) -> EvaluationResult:
    day = normalise_as_of(as_of)
    district = policy if isinstance(policy, District) else None
    # A source_id given twice (a retried request) is counted once, as its first piece.
    evidence, repeats = once_per_source_id(list(evidence))
    if learners is None:
        roster = learners_from_evidence(evidence)
    elif isinstance(learners, Learner):
        roster = [learners]
    else:
        roster = list(learners)

    rejections: list[Rejection] = list(repeats)
    buckets: dict[str, dict[str, list[Evidence]]] = {}
    ordered: list[Learner] = []
    for learner in roster:
        if type(learner.id) is not str:
            rejections.append(learner_id_not_text(learner.id))
            continue
        if learner.id in buckets:
            rejections.append(listed_twice(learner.id))
            continue
        buckets[learner.id] = {}
        ordered.append(learner)

    # Group first (cheap), then check and sort each learner's evidence per competency, where a
    # whole competency's scores are checked at once.
    read = len(evidence) + len(repeats)
    # Evidence usually arrives grouped by learner: look each run of one learner's pieces up once.
    for learner_id, run in groupby(evidence, _learner):
        per_learner = buckets.get(learner_id)
        if per_learner is None:
            if type(learner_id) is not str:
                rejections.extend(learner_id_not_text(learner_id, piece) for piece in run)
            else:
                rejections.extend(unlisted_learner(piece) for piece in run)
            continue
        get = per_learner.get
        for piece in run:
            code = piece.competency
            per_competency = get(code)
            if per_competency is None:
                per_learner[code] = [piece]
            else:
                per_competency.append(piece)

    accept = _prepare.accept
    usable = _prepare.usable
    used = counted = 0
    results: list[LearnerResult] = []
    # One plan, run state and first-proficient selection per policy the run uses.
    runs: dict[int, tuple[CompiledPolicy, RunState, frozenset[str] | None]] = {}
    single = None if isinstance(policy, District) else _run_of(policy, day, first_proficient, runs)
    for learner in ordered:
        groups = buckets[learner.id]
        routed: RouteResult | None = None
        if district is None:
            assert single is not None
            plan, state, dates = single
        else:
            chosen, routed = choose(district, learner, day)
            if chosen is None or chosen.policy is None:
                pieces = sorted((p for items in groups.values() for p in items), key=_text_key)
                used += len(pieces)
                why = (
                    NotEvaluated("MK390", not_routed(learner.id, district), tuple(pieces))
                    if chosen is None
                    else NotEvaluated("MK391", routed_away(learner.id, chosen), tuple(pieces))
                )
                results.append(LearnerResult(learner, {}, route=routed, not_evaluated=why))
                continue
            plan, state, dates = _run_of(chosen.policy, day, first_proficient, runs)
        accepted: dict[str, tuple[list[Evidence], bool]] = {}
        checked = usable(plan, groups)
        for code, items in groups.items():
            found = accept(plan, code, items, rejections, checked)
            if found is not None:
                accepted[code] = found
                used += len(found[0])
        # A learner enters evaluation here: with the attributes in force on the as-of date.
        result = plan.learner(learner.on(day), accepted, state, dates)
        for competency in result.competencies.values():
            counted += len(competency.used)
        if routed is not None:
            result = attrs.evolve(result, route=routed)
        results.append(result)

    rejections.sort(key=rejection_key)
    evidence_rejected = sum(1 for r in rejections if r.evidence is not None)
    return EvaluationResult(
        policy.name,
        policy.version,
        day,
        tuple(results),
        tuple(rejections),
        EvidenceCounts(read, used, evidence_rejected, counted, used - counted),
        district_identity(district) if district is not None else None,
    )


def district_identity(district: District) -> PolicyIdentity:
    """The district file's name, version, fingerprint and file, as results name it."""
    return PolicyIdentity(district.name, district.version, district.fingerprint, district.file)


def _run_of(
    policy: Policy,
    day: dt.date,
    first_proficient: Literal["pace", "all"],
    runs: dict[int, tuple[CompiledPolicy, RunState, frozenset[str] | None]],
) -> tuple[CompiledPolicy, RunState, frozenset[str] | None]:
    found = runs.get(id(policy))
    if found is None:
        plan = compile_policy(policy)
        dates = None if first_proficient == "all" else plan.pace_selection
        found = runs[id(policy)] = (plan, RunState(plan, day), dates)
    return found
