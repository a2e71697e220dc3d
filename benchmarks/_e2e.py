"""One end-to-end batch run from CSV files, in a process of its own so its peak memory is its own.

``python -m benchmarks._e2e RUNNER POLICY LEARNERS_CSV EVIDENCE_CSV`` evaluates every learner
and prints one JSON object: learners, evidence rows, CPU seconds (reading, evaluating and
tallying; not interpreter start-up; CPU time, so a busy machine does not count), peak resident
memory in KiB, and a tally of the decisions (so the runners can be checked against each other
end to end). Runners:

* ``engine``: masterykit's CSV reader streamed through :func:`masterykit.engine.evaluate_stream`
  (both files are sorted by learner id, so with ``sorted_by_id`` the learners are read alongside
  the evidence and each learner is evaluated once their rows have been read); memory stays
  flat, whatever the number of learners or rows.
* ``parts-2``: the evidence file cut in two at a learner boundary
  (:func:`masterykit.readers.tabular.split_csv`), each part read and evaluated by its own
  process as ``evaluate --sorted --jobs 2`` does. Its seconds are wall-clock seconds (the
  workers' CPU time is not this process's) and its peak memory is this process's plus two times
  the largest worker's (read with ``RUSAGE_CHILDREN`` after the pool has shut down).
* ``python``: :mod:`csv` and the hand-written evaluator, streamed the same way.
* ``pandas``: :func:`pandas.read_csv` of the whole file and the group-by script (not streamed).
* ``out-csv-reader``, ``out-columnar``, ``out-grouped``, ``out-in-memory``: masterykit's own
  batch paths, each writing the whole CSV output of ``evaluate`` to a file beside the evidence
  (``out-<runner>-<evidence file>.csv``) and giving its SHA-256, so that the outputs of every
  path can be checked byte for byte: the CSV reader streamed (``evaluate --sorted`` without
  the ``arrow`` extra), the columnar reader streamed (``evaluate --sorted``), the export
  grouped out of core by DuckDB (``evaluate`` of a CSV or Parquet file in any order), and the
  whole export in memory (the old ``evaluate`` without ``--sorted``). Their seconds are the
  CPU time of all the process's threads (the columnar reader parses on another thread, DuckDB
  sorts on two), so that a busy machine does not count; ``wall_seconds`` is the wall clock.
* ``duckdb`` and ``polars``: a data team's hand-written query of the benchmark policy
  (:mod:`benchmarks.baseline_warehouse`) on two threads, reading the CSV files and writing the
  decisions to CSV files beside the evidence (``<runner>-<evidence file>/``) so the run can be
  checked against the engine. Their seconds are wall-clock seconds (they run on two threads).
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

__all__ = ["main", "output_file", "peak_kib", "read_learners", "run"]


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


def _tally_result(tally: Counter[str], result: Any) -> None:
    """Add one of ``evaluate_stream``'s results (a learner, or rejections only) to ``tally``."""
    if not result.learners:
        tally["rejected"] += result.counts.rejected
        return
    learner = result.learners[0]
    tally["rows"] += result.counts.read
    _tally(
        tally,
        learner.graduation is not None and learner.graduation.held,
        learner.pace.status.value if learner.pace is not None else "",
        sum(1 for c in learner.competencies.values() if c.proficient),
    )


def _engine(policy_path: Path, learners_path: Path, evidence_path: Path) -> Counter[str]:
    import masterykit.engine.stream
    from masterykit.engine import evaluate_stream
    from masterykit.evidence import Learner
    from masterykit.loader import load
    from masterykit.readers.tabular import read_csv
    from masterykit.registry import ReadRequest

    tally: Counter[str] = Counter()
    start = time.process_time()
    policy = load(policy_path)
    tally["load_microseconds"] = round((time.process_time() - start) * 1e6)
    # Both files are sorted by learner id, so the learners are read alongside the evidence.
    learners = (Learner(learner_id, a) for learner_id, a in read_learners(learners_path))

    # The time spent evaluating (rather than reading) is measured by timing the engine's
    # per-learner ``evaluate`` calls that ``evaluate_stream`` makes.
    evaluating = 0.0
    batch = masterykit.engine.stream
    evaluate = getattr(batch, "evaluate")  # noqa: B009 - replaced below, then restored

    def timed(*args: Any, **kwargs: Any) -> Any:
        nonlocal evaluating
        started = time.process_time()
        try:
            return evaluate(*args, **kwargs)
        finally:
            evaluating += time.process_time() - started

    setattr(batch, "evaluate", timed)  # noqa: B010
    try:
        for result in evaluate_stream(
            policy,
            read_csv(ReadRequest(evidence_path)),
            learners=learners,
            as_of=AS_OF,
            sorted_by_id=True,
        ):
            _tally_result(tally, result)
    finally:
        setattr(batch, "evaluate", evaluate)  # noqa: B010
    tally["evaluate_microseconds"] = round(evaluating * 1e6)
    return tally


def _part(task: tuple[Path, Path, Path, Any, int]) -> Counter[str]:
    """Read and evaluate one part of the evidence file in a worker process."""
    from masterykit.engine import evaluate_stream
    from masterykit.evidence import Learner
    from masterykit.loader import load
    from masterykit.readers.tabular import read_csv_part
    from masterykit.registry import ReadRequest

    policy_path, learners_path, evidence_path, split, index = task
    policy = load(policy_path)
    learners = (
        Learner(learner_id, a)
        for learner_id, a in read_learners(learners_path)
        if split.holds(index, learner_id)
    )
    tally: Counter[str] = Counter()
    records = read_csv_part(ReadRequest(evidence_path), split, split.parts[index])
    for result in evaluate_stream(
        policy, records, learners=learners, as_of=AS_OF, sorted_by_id=True
    ):
        _tally_result(tally, result)
    return tally


def _parts(policy_path: Path, learners_path: Path, evidence_path: Path, jobs: int) -> Counter[str]:
    from concurrent.futures import ProcessPoolExecutor

    from masterykit.readers.tabular import split_csv
    from masterykit.registry import ReadRequest

    split = split_csv(ReadRequest(evidence_path), jobs)
    if split is None:
        raise SystemExit(f"{evidence_path} cannot be cut into parts")
    tasks = [(policy_path, learners_path, evidence_path, split, i) for i in range(len(split.parts))]
    tally: Counter[str] = Counter()
    with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
        for part in pool.map(_part, tasks):
            tally.update(part)
    return tally


def _output(
    runner: str, policy_path: Path, learners_path: Path, evidence_path: Path
) -> Counter[str]:
    """One of masterykit's batch paths writing the CSV output of ``evaluate`` to a file."""
    import hashlib

    import masterykit.engine.stream
    from masterykit import batch
    from masterykit.evidence import Learner
    from masterykit.loader import load
    from masterykit.readers import read_all, reader_request, reader_spec
    from masterykit.readers.columnar import read_csv_columnar
    from masterykit.readers.tabular import read_csv

    tally: Counter[str] = Counter()
    start = time.process_time()
    policy = load(policy_path)
    tally["load_microseconds"] = round((time.process_time() - start) * 1e6)
    learners = [Learner(learner_id, a) for learner_id, a in read_learners(learners_path)]
    out = output_file(runner, evidence_path)
    evaluating = 0.0
    module = masterykit.engine.stream
    evaluate = getattr(module, "evaluate")  # noqa: B009 - replaced below, then restored

    def timed(*args: Any, **kwargs: Any) -> Any:
        nonlocal evaluating
        started = time.process_time()
        try:
            return evaluate(*args, **kwargs)
        finally:
            evaluating += time.process_time() - started

    setattr(module, "evaluate", timed)  # noqa: B010
    try:
        with out.open("w", encoding="utf-8") as stream:
            write = stream.write
            if runner == "out-in-memory":
                evidence, rejections, summary = read_all(evidence_path, policy=policy)
                started = time.process_time()
                result = batch.evaluate_in_batches(policy, learners, evidence, AS_OF)
                evaluating += time.process_time() - started
                report = batch.Report(policy, result, rejections, summary.read)
                write(batch.render(report, "csv"))
                read = summary.read
            elif runner == "out-grouped":
                read = batch.evaluate_grouped(
                    policy,
                    evidence_path,
                    output_format="csv",
                    write=write,
                    learners=learners,
                    as_of=AS_OF,
                ).read
            else:
                request = reader_request(reader_spec(evidence_path), evidence_path, None, policy)
                reader = read_csv if runner == "out-csv-reader" else read_csv_columnar
                read = batch.evaluate_sorted(
                    policy,
                    reader(request),
                    output_format="csv",
                    write=write,
                    learners=learners,
                    as_of=AS_OF,
                ).read
    finally:
        setattr(module, "evaluate", evaluate)  # noqa: B010
    tally["learners"] = len(learners)
    tally["rows"] = read
    tally["evaluate_microseconds"] = round(evaluating * 1e6)
    digest = hashlib.sha256()
    timed_until = time.process_time()
    with out.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    tally["untimed_microseconds"] = round((time.process_time() - timed_until) * 1e6)
    tally["sha256:" + digest.hexdigest()] = 1
    return tally


def output_file(runner: str, evidence_path: Path) -> Path:
    """Where an ``out-*`` runner writes its output for ``evidence_path``."""
    return evidence_path.with_name(f"{runner}-{evidence_path.stem}.csv")


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


def warehouse_output(runner: str, evidence_path: Path) -> Path:
    """Where the ``duckdb`` or ``polars`` runner writes its decisions for ``evidence_path``."""
    return evidence_path.with_name(f"{runner}-{evidence_path.stem}")


def _warehouse(runner: str, learners_path: Path, evidence_path: Path) -> Counter[str]:
    import os

    os.environ.setdefault("POLARS_MAX_THREADS", "2")  # read when Polars is first imported
    from benchmarks import baseline_warehouse

    outdir = warehouse_output(runner, evidence_path)
    if runner == "duckdb":
        baseline_warehouse.run_duckdb(evidence_path, learners_path, AS_OF, outdir, threads=2)
    else:
        baseline_warehouse.run_polars(evidence_path, learners_path, AS_OF, outdir)
    tally: Counter[str] = Counter()
    timed_until = time.process_time()
    for summary in baseline_warehouse.read_summaries(outdir):
        _tally(
            tally,
            summary.graduation,
            summary.pace,
            sum(1 for status, _ in summary.competencies.values() if status == "proficient"),
        )
    # Reading the output back (to tally it) is not part of the timed work.
    tally["untimed_microseconds"] = round((time.process_time() - timed_until) * 1e6)
    return tally


def run(runner: str, policy: Path, learners: Path, evidence: Path) -> dict[str, Any]:
    """Run one runner and return what :func:`main` prints."""
    start = time.process_time()
    wall = time.perf_counter()
    if runner == "engine":
        tally = _engine(policy, learners, evidence)
    elif runner == "parts-2":
        tally = _parts(policy, learners, evidence, jobs=2)
    elif runner == "python":
        tally = _python(learners, evidence)
    elif runner == "pandas":
        tally = _pandas(learners, evidence)
    elif runner in ("duckdb", "polars"):
        tally = _warehouse(runner, learners, evidence)
    elif runner.startswith("out-"):
        tally = _output(runner, policy, learners, evidence)
    else:
        raise SystemExit(f"unknown runner `{runner}`")
    seconds = time.process_time() - start
    wall_seconds = time.perf_counter() - wall
    peak = peak_kib()
    untimed = tally.pop("untimed_microseconds", 0) / 1e6
    if runner in ("duckdb", "polars"):
        # Two threads: CPU time would count both; the figure is wall-clock time.
        seconds = wall_seconds = wall_seconds - untimed
    elif runner.startswith("out-"):
        # CPU time of every thread of the process (the columnar reader parses on another
        # thread, DuckDB sorts on two): what the run costs, whatever else the machine runs.
        seconds -= untimed
        wall_seconds -= untimed
    if runner == "parts-2":
        # Worker processes' CPU time is not this process's: the figure is wall-clock time. The
        # pool has been shut down, so its workers are reaped children; ``ru_maxrss`` of the
        # children is the largest worker's peak, so the peak is this process's plus two times
        # that (an upper bound: a forked worker's resident set counts pages it shares).
        seconds = wall_seconds
        peak += 2 * resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "runner": runner,
        "learners": tally.pop("learners"),
        "rows": tally["rows"],
        "seconds": seconds,
        "wall_seconds": wall_seconds,
        "load_seconds": tally.pop("load_microseconds", 0) / 1e6,
        "evaluate_seconds": tally.pop("evaluate_microseconds", 0) / 1e6,
        "peak_kib": peak,
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
