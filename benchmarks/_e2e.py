"""One end-to-end batch run from CSV files, in a process of its own so its peak memory is its own.

``python -m benchmarks._e2e RUNNER POLICY LEARNERS_CSV EVIDENCE_CSV`` evaluates every learner
and prints one JSON object: learners, evidence rows, CPU seconds (reading, evaluating and
tallying; not interpreter start-up; CPU time, so a busy machine does not count), peak resident
memory in KiB, and a tally of the decisions (so the runners can be checked against each other
end to end). Runners:

* ``engine``: masterykit's CSV reader, learners grouped as consecutive rows (the file is sorted
  by learner), :func:`masterykit.engine.evaluate` one learner at a time; memory stays flat.
* ``python``: :mod:`csv` and the hand-written evaluator, streamed the same way.
* ``pandas``: :func:`pandas.read_csv` of the whole file and the group-by script (not streamed).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.generate import AS_OF, EvidenceRow

__all__ = ["main", "peak_kib", "read_learners", "run"]


def read_learners(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The learners CSV written by :func:`benchmarks.generate.write_csv`, with typed
    attributes."""
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            attributes: dict[str, Any] = {
                "iep": row["iep"] == "true",
                "ell": row["ell"] == "true",
                "cte_hours": int(row["cte_hours"]),
            }
            if row["graduation_date"]:
                attributes["graduation_date"] = dt.date.fromisoformat(row["graduation_date"])
            yield row["learner"], attributes


def _tally(tally: Counter[str], graduated: bool, pace: str, proficient: int) -> None:
    tally["learners"] += 1
    tally["graduates"] += graduated
    tally[f"pace_{pace}"] += 1
    tally["proficient_competencies"] += proficient


def _engine(policy_path: Path, learners_path: Path, evidence_path: Path) -> Counter[str]:
    from masterykit.engine import evaluate
    from masterykit.evidence import Evidence, Learner
    from masterykit.loader import load
    from masterykit.readers.tabular import read_csv
    from masterykit.registry import ReadRequest

    tally: Counter[str] = Counter()
    start = time.process_time()
    policy = load(policy_path)
    tally["load_microseconds"] = round((time.process_time() - start) * 1e6)

    def accepted() -> Iterator[Evidence]:
        for piece in read_csv(ReadRequest(evidence_path)):
            if isinstance(piece, Evidence):
                yield piece
            else:
                tally["rejected"] += 1

    groups = itertools.groupby(accepted(), key=lambda piece: piece.learner)
    pending = next(groups, None)
    evaluating = 0.0
    for learner_id, attributes in read_learners(learners_path):
        evidence: list[Evidence] = []
        if pending is not None and pending[0] == learner_id:
            evidence = list(pending[1])
            pending = next(groups, None)
        started = time.process_time()
        result = evaluate(policy, Learner(learner_id, attributes), evidence, as_of=AS_OF)
        evaluating += time.process_time() - started
        learner = result.learners[0]
        tally["rows"] += len(evidence)
        _tally(
            tally,
            learner.graduation is not None and learner.graduation.held,
            learner.pace.status.value if learner.pace is not None else "",
            sum(1 for c in learner.competencies.values() if c.proficient),
        )
    tally["evaluate_microseconds"] = round(evaluating * 1e6)
    return tally


def _rows(evidence_path: Path) -> Iterator[EvidenceRow]:
    with evidence_path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        for learner, competency, score, day, kind in reader:
            yield EvidenceRow(learner, competency, Decimal(score), dt.date.fromisoformat(day), kind)


def _python(learners_path: Path, evidence_path: Path) -> Counter[str]:
    from benchmarks.baseline_python import evaluate_learner

    tally: Counter[str] = Counter()
    groups = itertools.groupby(_rows(evidence_path), key=lambda row: row.learner)
    pending = next(groups, None)
    evaluating = 0.0
    for learner_id, attributes in read_learners(learners_path):
        rows: list[EvidenceRow] = []
        if pending is not None and pending[0] == learner_id:
            rows = list(pending[1])
            pending = next(groups, None)
        started = time.process_time()
        summary = evaluate_learner(learner_id, attributes, rows)
        evaluating += time.process_time() - started
        tally["rows"] += len(rows)
        _tally(
            tally,
            summary.graduation,
            summary.pace,
            sum(1 for status, _ in summary.competencies.values() if status == "proficient"),
        )
    tally["evaluate_microseconds"] = round(evaluating * 1e6)
    return tally


def _pandas(learners_path: Path, evidence_path: Path) -> Counter[str]:
    import pandas as pd  # type: ignore[import-untyped]

    from benchmarks.baseline_pandas import evaluate_frame

    attributes = dict(read_learners(learners_path))
    frame = pd.read_csv(
        evidence_path,
        dtype={"learner": str, "competency": str, "score": float, "kind": str},
        keep_default_na=False,
        parse_dates=["timestamp"],
        date_format="%Y-%m-%d",
    ).rename(columns={"timestamp": "day"})
    result = evaluate_frame(frame, attributes)
    tally: Counter[str] = Counter()
    tally["rows"] = len(frame)
    proficient = (result["status"].to_numpy() == 3).sum(axis=1)
    for i in range(len(result["learners"])):
        _tally(tally, bool(result["graduation"][i]), str(result["pace"][i]), int(proficient[i]))
    return tally


def run(runner: str, policy: Path, learners: Path, evidence: Path) -> dict[str, Any]:
    """Run one runner and return what :func:`main` prints."""
    start = time.process_time()
    if runner == "engine":
        tally = _engine(policy, learners, evidence)
    elif runner == "python":
        tally = _python(learners, evidence)
    elif runner == "pandas":
        tally = _pandas(learners, evidence)
    else:
        raise SystemExit(f"unknown runner `{runner}`")
    seconds = time.process_time() - start
    return {
        "runner": runner,
        "learners": tally.pop("learners"),
        "rows": tally["rows"],
        "seconds": seconds,
        "load_seconds": tally.pop("load_microseconds", 0) / 1e6,
        "evaluate_seconds": tally.pop("evaluate_microseconds", 0) / 1e6,
        "peak_kib": peak_kib(),
        "tally": dict(sorted(tally.items())),
    }


def peak_kib() -> int:
    """This process's peak resident memory in KiB.

    ``VmHWM`` is reset when a process starts a new program, while ``ru_maxrss`` carries the
    parent's peak over a fork, so the former is read where it exists.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    """Command line entry: see the module docstring."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    runner, policy, learners, evidence = args
    print(json.dumps(run(runner, Path(policy), Path(learners), Path(evidence))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
