"""Reduce the engine's results to :class:`~benchmarks.baseline_python.Summary` values and say
where two summaries disagree.

A benchmark ratio only means something when both sides compute the same thing, so every run
checks the baselines against the engine before it times them: each competency's status (and
score, when the status is ``developing`` or ``proficient``), every requirement, advancement,
graduation, the pathways that held, and the pace status.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from benchmarks.baseline_python import Summary
from benchmarks.generate import EvidenceRow, learner_attributes, learner_evidence, learner_id
from masterykit.engine.results import LearnerResult
from masterykit.evidence import Evidence, Learner

__all__ = [
    "disagreements",
    "engine_inputs",
    "summarize",
    "to_evidence",
]

_RATED = ("developing", "proficient")


def to_evidence(row: EvidenceRow) -> Evidence:
    """A generated row as the engine's :class:`~masterykit.evidence.Evidence`."""
    return Evidence(row.learner, row.competency, row.score, row.day, kind=row.kind or None)


def engine_inputs(
    count: int, seed: int
) -> Iterator[tuple[Learner, Mapping[str, Any], list[EvidenceRow]]]:
    """Each generated learner as an engine :class:`~masterykit.evidence.Learner`, its attributes
    and its evidence rows."""
    for index in range(count):
        attributes = learner_attributes(index, seed)
        yield (
            Learner(learner_id(index), attributes),
            attributes,
            list(learner_evidence(index, seed)),
        )


def summarize(result: LearnerResult) -> Summary:
    """The decisions in an engine result, without their reasons."""
    graduation = result.graduation
    return Summary(
        result.learner.id,
        {
            code: (
                competency.status.value,
                competency.score if competency.status.value in _RATED else None,
            )
            for code, competency in result.competencies.items()
        },
        {name: decision.held for name, decision in result.requirements.items()},
        {decision.name: decision.held for decision in result.advancements},
        graduation is not None and graduation.held,
        tuple(graduation.pathways) if graduation is not None else (),
        result.pace.status.value if result.pace is not None else "",
    )


def _comparable(summary: Summary) -> Summary:
    competencies = {
        code: (status, score if status in _RATED else None)
        for code, (status, score) in summary.competencies.items()
    }
    return summary._replace(competencies=competencies)


def disagreements(
    expected: Iterable[Summary], actual: Iterable[Summary], *, limit: int = 5
) -> list[str]:
    """Where ``actual`` differs from ``expected`` (learner by learner), as readable lines; at
    most ``limit`` lines, and an empty list when they agree."""
    found: list[str] = []
    expected = list(expected)
    actual = list(actual)
    if len(expected) != len(actual):
        return [f"{len(expected)} learners expected, {len(actual)} evaluated"]
    for want, got in zip(expected, actual, strict=True):
        want, got = _comparable(want), _comparable(got)
        if want == got:
            continue
        for field in Summary._fields:
            a, b = getattr(want, field), getattr(got, field)
            if a == b:
                continue
            if isinstance(a, Mapping) and isinstance(b, Mapping):
                for key in sorted(set(a) | set(b)):
                    if a.get(key) != b.get(key):
                        found.append(
                            f"{want.learner} {field} {key}: engine {a.get(key)}, "
                            f"baseline {b.get(key)}"
                        )
            else:
                found.append(f"{want.learner} {field}: engine {a}, baseline {b}")
        if len(found) >= limit:
            break
    return found[:limit]
