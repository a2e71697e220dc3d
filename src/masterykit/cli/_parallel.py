"""``evaluate --sorted --jobs N``: a sorted CSV export evaluated on several processes.

The file is cut at learner boundaries into one part per process (see
:func:`masterykit.readers.tabular.split_csv`). Each worker reads its own part — reading is most
of a batch run, so it is the part that must run in parallel — evaluates the learners whose ids
fall in its range, and writes their output lines to a file of its own; only its rejections and
counts come back. The parts are then copied out in order, and the rejections, sorted, and the
summary follow, so the output is byte for byte the output of one process.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from masterykit.evidence import Learner, Rejection
from masterykit.readers.tabular import CsvSplit, read_csv_part, split_csv
from masterykit.registry import ReadRequest

__all__ = ["Plan", "plan", "run"]


@attrs.frozen(slots=True)
class Plan:
    """How a run is cut: the evidence file's parts, or why it runs in one process."""

    split: CsvSplit | None
    reason: str = ""


def plan(evidence_path: str, evidence_format: str | None, jobs: int) -> Plan:
    """Cut the evidence file for ``jobs`` processes, or say why it is read in one.

    Raises:
        EvidenceError: ``MK357`` when the rows at a cut are out of learner id order.
    """
    from masterykit.cli._inputs import _registry

    path = Path(evidence_path)
    registry = _registry()
    spec = registry.readers.get(evidence_format) if evidence_format else None
    if spec is None and evidence_format is None and evidence_path != "-":
        spec = registry.reader_for(path)
    if spec is None or spec.name != "csv" or spec.plugin != "masterykit" or not path.is_file():
        return Plan(None, "only a CSV evidence file can be cut into parts")
    split = split_csv(ReadRequest(path), jobs)
    if split is None or len(split.parts) < 2:
        return Plan(None, "the evidence file is too small to cut into parts")
    if "source_id" in split.header:
        # A source id may appear only once in a file; parts read apart cannot check that.
        return Plan(None, "source ids must be checked across the whole file")
    return Plan(split)


@attrs.frozen(slots=True)
class _Task:
    policy_path: str
    evidence_path: str
    learners_path: str | None
    options: Mapping[str, Any]
    day: dt.date
    output_format: str
    split: CsvSplit
    index: int
    out: str


def _part(task: _Task) -> tuple[list[Rejection], list[int]]:
    """Evaluate one part in a worker process; its output goes to ``task.out``."""
    from masterykit.cli._evaluate import Tally, write_learners
    from masterykit.engine import evaluate_stream
    from masterykit.loader import load
    from masterykit.readers import policy_scales, read_learners

    policy = load(task.policy_path)
    split = task.split
    learners: list[Learner] | None = None
    if task.learners_path is not None:
        learners = [
            learner
            for learner in read_learners(task.learners_path)
            if split.holds(task.index, learner.id)
        ]
    options = dict(task.options)
    if options.get("scale") is None:
        options = policy_scales(policy, options)
    records = read_csv_part(
        ReadRequest(Path(task.evidence_path), options), split, split.parts[task.index]
    )
    tally = Tally()
    with Path(task.out).open("w", encoding="utf-8") as stream:
        write_learners(
            evaluate_stream(policy, records, learners=learners, as_of=task.day, sorted_by_id=True),
            task.output_format,
            stream.write,
            task.day,
            tally,
        )
    return tally.rejections, tally.counts


def run(
    split: CsvSplit,
    *,
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    options: Mapping[str, Any],
    day: dt.date,
    output_format: str,
    write: Callable[[str], object],
    rejections: list[Rejection],
    counts: list[int],
) -> None:
    """Evaluate every part on its own process and write their output in order; the parts'
    rejections are added to ``rejections`` and their counts to ``counts``."""
    with tempfile.TemporaryDirectory(prefix="masterykit-") as folder:
        tasks = [
            _Task(
                policy_path,
                evidence_path,
                learners_path,
                dict(options),
                day,
                output_format,
                split,
                index,
                str(Path(folder) / f"part-{index}"),
            )
            for index in range(len(split.parts))
        ]
        with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
            results = list(pool.map(_part, tasks))
        for task, (found, part_counts) in zip(tasks, results, strict=True):
            rejections.extend(found)
            for i, value in enumerate(part_counts):
                counts[i] += value
            with Path(task.out).open(encoding="utf-8") as stream:
                while chunk := stream.read(1 << 20):
                    write(chunk)
