"""Results as JSON, through one cattrs converter.

Conventions (stable across releases of the v1 result format):

* keys are the attribute names of the result classes, in their declared order;
* decimals (scores, cuts, attribute values) are **strings** in their shortest plain form
  (``"3.65"``, ``"3"``), so no reader loses precision to binary floating point;
* dates and datetimes are ISO 8601 strings; enums are their values (``"proficient"``);
* sets of kinds are sorted lists; spans are ``{"file", "line", "column", …}`` objects;
* :func:`to_json` of the same result is byte-identical (the engine is deterministic and
  ``json.dumps`` runs with fixed options).

Computed properties that tools need are added explicitly: ``proficient`` and ``missing`` on a
competency result and ``rate`` (a decimal string) on a pace result.

A learner's result names the policy that evaluated it (``policy``: name, version, fingerprint
and file) and, in a district run, the route that chose it (``route``) or why the learner was not
evaluated (``not_evaluated``); keys added to format 1, ``null`` where they do not apply.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import cattrs

from masterykit.district import PolicyIdentity
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    DecisionResult,
    EvaluationResult,
    LearnerResult,
    NextStep,
    NotEvaluated,
    PaceResult,
    RouteResult,
    SufficiencyCheck,
)
from masterykit.evidence import Evidence, Learner
from masterykit.numbers import format_decimal

__all__ = ["FORMAT", "converter", "to_json", "unstructure"]

#: The name and version of the result format, written as ``format`` at the top.
FORMAT = "masterykit.result/1"


def _value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _value(values[key]) for key in sorted(values)}


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(Decimal, format_decimal)
    conv.register_unstructure_hook(dt.date, lambda value: value.isoformat())
    conv.register_unstructure_hook(dt.datetime, lambda value: value.isoformat())
    conv.register_unstructure_hook(frozenset, lambda value: sorted(value))
    conv.register_unstructure_hook(enum.Enum, lambda value: value.value)
    conv.register_unstructure_hook(
        Learner, lambda value: {"id": value.id, "attributes": _attributes(value.attributes)}
    )
    conv.register_unstructure_hook(
        Evidence,
        lambda value: {
            "learner": value.learner,
            "competency": value.competency,
            "score": format_decimal(value.score),
            "timestamp": value.timestamp.isoformat(),
            "kind": value.kind,
            "rater": value.rater,
            "source_id": value.source_id,
            "origin": conv.unstructure(value.origin) if value.origin is not None else None,
        },
    )
    conv.register_unstructure_hook(
        SufficiencyCheck,
        lambda value: {
            "rule": value.rule,
            "needed": value.needed,
            "actual": value.actual,
            "met": value.met,
            "source": conv.unstructure(value.source),
        },
    )
    conv.register_unstructure_hook(
        NextStep,
        lambda value: {"text": value.text, "competency": value.competency, "option": value.option},
    )
    base_clause = conv.gen_unstructure_attrs_fromdict(ClauseResult)

    def clause(value: ClauseResult) -> dict[str, Any]:
        data: dict[str, Any] = base_clause(value)
        # What the JSON format has always said of a clause (format 1): the structured rule and
        # reference are read by next steps, which are written out already worded.
        del data["rule"]
        del data["requirement"]
        return data

    conv.register_unstructure_hook(ClauseResult, clause)
    base_competency = conv.gen_unstructure_attrs_fromdict(CompetencyResult)

    def competency(value: CompetencyResult) -> dict[str, Any]:
        data: dict[str, Any] = base_competency(value)
        # Format 1 keeps its fields; the continuum's facts are written by ``groups`` output.
        del data["waiting_on"], data["gate"], data["gate_opened"]
        data["proficient"] = value.proficient
        data["missing"] = [conv.unstructure(step) for step in value.missing]
        return data

    conv.register_unstructure_hook(CompetencyResult, competency)

    def pace(value: PaceResult) -> dict[str, Any]:
        def day(found: dt.date | None) -> str | None:
            return found.isoformat() if found is not None else None

        def rate(found: Decimal | None) -> str | None:
            return (
                format_decimal(found.quantize(Decimal("0.000001"))) if found is not None else None
            )

        # The fields of format 1, in its order; ``reason`` is worded for the author.
        return {
            "status": value.status.value,
            "remaining": list(value.remaining),
            "proficient_in_window": list(value.proficient_in_window),
            "window_start": value.window_start.isoformat(),
            "window_days": value.window_days,
            "reason": value.reason,
            "projected": day(value.projected),
            "base_due": day(value.base_due),
            "due": day(value.due),
            "risk_until": day(value.risk_until),
            "extensions": list(value.extensions),
            "source": conv.unstructure(value.source) if value.source is not None else None,
            "rate": format_decimal(value.rate.quantize(Decimal("0.000001"))),
            "days_left": value.days_left,
            "required_rate": rate(value.required_rate),
            "extended_days_left": value.extended_days_left,
            "extended_required_rate": rate(value.extended_required_rate),
        }

    conv.register_unstructure_hook(PaceResult, pace)

    def decision(value: DecisionResult) -> dict[str, Any]:
        return {
            "kind": value.kind,
            "name": value.name,
            "title": value.title,
            "held": value.held,
            "clause": clause(value.clause),
            "source": conv.unstructure(value.source),
            "pathways": list(value.pathways),
            "next_steps": [conv.unstructure(step) for step in value.next_steps],
        }

    conv.register_unstructure_hook(DecisionResult, decision)

    def learner(value: LearnerResult) -> dict[str, Any]:
        return {
            "learner": conv.unstructure(value.learner, Learner),
            "competencies": {
                code: competency(result) for code, result in value.competencies.items()
            },
            "requirements": {
                name: conv.unstructure(decision) for name, decision in value.requirements.items()
            },
            "advancements": [conv.unstructure(decision) for decision in value.advancements],
            "graduation": conv.unstructure(value.graduation) if value.graduation else None,
            "pace": pace(value.pace) if value.pace is not None else None,
            "policy": identity(value.policy) if value.policy is not None else None,
            "route": route(value.route) if value.route is not None else None,
            "not_evaluated": (
                not_evaluated(value.not_evaluated) if value.not_evaluated is not None else None
            ),
        }

    conv.register_unstructure_hook(LearnerResult, learner)

    def identity(value: PolicyIdentity) -> dict[str, Any]:
        return {
            "name": value.name,
            "version": value.version,
            "fingerprint": value.fingerprint,
            "file": value.file,
        }

    conv.register_unstructure_hook(PolicyIdentity, identity)

    def route(value: RouteResult) -> dict[str, Any]:
        return {
            "index": value.index,
            "text": value.text,
            "source": conv.unstructure(value.source) if value.source is not None else None,
            "condition": clause(value.condition) if value.condition is not None else None,
            "skipped": [clause(result) for result in value.skipped],
            "reason": value.reason,
        }

    conv.register_unstructure_hook(RouteResult, route)

    def not_evaluated(value: NotEvaluated) -> dict[str, Any]:
        return {
            "code": value.code,
            "reason": value.reason,
            "evidence": [conv.unstructure(piece, Evidence) for piece in value.evidence],
        }

    conv.register_unstructure_hook(NotEvaluated, not_evaluated)

    def evaluation(value: EvaluationResult) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "policy": value.policy,
            "version": value.version,
            "as_of": value.as_of.isoformat(),
            "counts": conv.unstructure(value.counts),
            "learners": [learner(result) for result in value.learners],
            "rejections": [conv.unstructure(rejection) for rejection in value.rejections],
            "district": identity(value.district) if value.district is not None else None,
        }

    conv.register_unstructure_hook(EvaluationResult, evaluation)
    return conv


#: The converter every JSON output goes through.
converter = _make_converter()


def unstructure(result: Any) -> Any:
    """``result`` (any result value) as JSON-ready dictionaries, lists and strings."""
    return converter.unstructure(result)


def to_json(result: Any, *, indent: int | None = 2) -> str:
    """``result`` as JSON text (UTF-8 safe, keys in declared order, no trailing newline)."""
    return json.dumps(unstructure(result), indent=indent, ensure_ascii=False)
