"""``python -m benchmarks``: measure masterykit against baselines timed in the same run.

Usage::

    python -m benchmarks [--size school|district|state] [--quick] [--seed N] [--no-record]

Four measurements, each an absolute figure and a ratio to a baseline measured in this run:

1. **Parse and check** a generated 5,000-line policy (:func:`masterykit.loader.load`), against
   Python's own :mod:`tokenize` reading the same text (the cost of merely lexing this much text
   in pure Python) and :func:`json.loads` of the same content as JSON (the C floor for reading
   this much structure).
2. **Per-learner evaluation** (60 competencies, about 8 pieces of evidence each) in learners
   per second on one core, against the hand-written evaluator (:mod:`benchmarks.baseline_python`)
   and the pandas script (:mod:`benchmarks.baseline_pandas`), after checking that both agree
   with the engine on every status, score, requirement, advancement, graduation and pace.
3. **Online update**: one new piece of evidence for an evaluated learner
   (:class:`masterykit.engine.Session`, p50 and p99), against a full re-evaluation of that learner.
   Then a session's ``add``, ``replace`` and ``remove`` by source id, each p50 and p99
   (:mod:`benchmarks.sessions`), and the cost of the session's lock.
4. **Batch end to end from CSV** (learners per second and peak memory, each runner in a process
   of its own; see :mod:`benchmarks._e2e`).

It prints a table and appends a dated section to ``benchmarks/RESULTS.md`` with the machine,
the command, the figures, the ratios and a pyinstrument profile of the per-learner evaluation.
Data is generated into ``benchmarks/_data/`` (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import baseline_pandas, baseline_python
from benchmarks.compare import disagreements, engine_inputs, summarize, to_evidence
from benchmarks.generate import (
    AS_OF,
    DEFAULT_SEED,
    POLICY_PATH,
    SIZES,
    large_policy_json,
    large_policy_text,
    write_csv,
)
from benchmarks.sessions import bench_sessions

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
RESULTS = HERE / "RESULTS.md"

# Targets from the project brief.
TARGET_PARSE_SECONDS = 0.5
TARGET_LEARNERS_PER_SECOND = 2_000
TARGET_HANDWRITTEN_RATIO = 1.5
TARGET_UPDATE_P50_US = 100.0


class Report:
    """The figures of one run, printed as a table and written as Markdown."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        self.failures: list[str] = []

    def add(self, measure: str, value: str, baseline: str = "", ratio: str = "") -> None:
        """Add one line: what was measured, our figure, the baseline's, and the ratio."""
        self.rows.append((measure, value, baseline, ratio))
        print(f"  {measure:<52} {value:>18} {baseline:>26} {ratio:>10}", flush=True)

    def note(self, text: str) -> None:
        """Add a sentence under the table."""
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def markdown(self) -> str:
        """The table as Markdown."""
        lines = [
            "| measure | masterykit | baseline | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


def clock() -> float:
    """CPU time of this process, in seconds.

    The benchmarks are single-threaded, and CPU time is what one core spends on them whatever
    else the machine is doing; wall-clock time on a shared machine measures the neighbours too.
    """
    return time.process_time()


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The shortest CPU time of ``repeats`` runs of ``action``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = clock()
        action()
        best = min(best, clock() - start)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def _rate(value: float) -> str:
    return f"{value:,.0f} learners/s"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×"


# --- 1. parse and check ----------------------------------------------------------------------


def bench_parse(report: Report, repeats: int) -> None:
    """Parse and check a generated 5,000-line policy against two reading baselines."""
    from masterykit.dsl.parser import parse
    from masterykit.loader import load

    text = large_policy_text(5000)
    document = large_policy_json(5000)
    path = DATA / "large-5000.mastery"
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    lines = text.count("\n")

    load(path)  # builds the parser once per process, as every real process does once
    ours = best_of(repeats, lambda: load(path))
    parse_only = best_of(repeats, lambda: parse(text, name=str(path)))
    lexing = best_of(
        repeats, lambda: sum(1 for _ in tokenize.generate_tokens(io.StringIO(text).readline))
    )
    json_reading = best_of(repeats, lambda: json.loads(document))
    report.add(
        f"parse + check, {lines:,}-line policy ({len(text) // 1024} KiB)",
        _ms(ours),
        f"tokenize {_ms(lexing)}",
        _x(ours / lexing),
    )
    report.add(
        "  of which parse",
        _ms(parse_only),
        f"json.loads {_ms(json_reading)}",
        _x(ours / json_reading),
    )
    verdict = "meets" if ours < TARGET_PARSE_SECONDS else "misses"
    report.note(
        f"parse + check {verdict} the {TARGET_PARSE_SECONDS} s target "
        f"({ours / TARGET_PARSE_SECONDS:.2f}× the target); parsing alone is "
        f"{parse_only / ours:.0%} of it."
    )
    if ours >= TARGET_PARSE_SECONDS:
        report.failures.append("parse + check target")


# --- 2. per-learner evaluation ---------------------------------------------------------------


def bench_evaluate(report: Report, learners: int, seed: int, repeats: int) -> dict[str, Any]:
    """Evaluate ``learners`` learners in memory with the engine and both baselines."""
    from masterykit.engine import evaluate
    from masterykit.loader import load

    policy = load(POLICY_PATH)
    inputs = list(engine_inputs(learners, seed))
    people = [learner for learner, _, _ in inputs]
    evidence = [to_evidence(row) for _, _, rows in inputs for row in rows]
    rows_by_learner = [(learner.id, attributes, rows) for learner, attributes, rows in inputs]
    all_rows = [row for _, _, rows in inputs for row in rows]
    attributes = {learner.id: attrs for learner, attrs, _ in inputs}
    frame = baseline_pandas.frame_from_rows(all_rows)

    def run_engine() -> Any:
        return evaluate(policy, people, evidence, as_of=AS_OF)

    def run_python() -> list[baseline_python.Summary]:
        return [
            baseline_python.evaluate_learner(who, attrs, rows, AS_OF)
            for who, attrs, rows in rows_by_learner
        ]

    def run_pandas() -> dict[str, Any]:
        return baseline_pandas.evaluate_frame(frame, attributes, AS_OF)

    engine_result = run_engine()
    expected = [summarize(result) for result in engine_result.learners]
    python_wrong = disagreements(expected, run_python())
    pandas_wrong = disagreements(expected, baseline_pandas.summaries(run_pandas()))
    for name, wrong in (("hand-written", python_wrong), ("pandas", pandas_wrong)):
        if wrong:
            report.failures.append(f"{name} baseline disagrees with the engine")
            report.note(f"the {name} baseline DISAGREES with the engine: " + "; ".join(wrong))
        else:
            report.note(
                f"the {name} baseline agrees with the engine on all {learners:,} learners "
                "(every status and score, requirement, advancement, graduation, pathway, pace)."
            )

    times = {"engine": float("inf"), "python": float("inf"), "pandas": float("inf")}
    for _ in range(repeats):  # interleaved, so a busy machine slows every runner alike
        times["engine"] = min(times["engine"], best_of(1, run_engine))
        times["python"] = min(times["python"], best_of(1, run_python))
        times["pandas"] = min(times["pandas"], best_of(1, run_pandas))
    rates = {name: learners / seconds for name, seconds in times.items()}
    pieces = len(evidence)
    report.add(
        f"evaluate {learners:,} learners ({pieces / learners:.0f} evidence each)",
        _rate(rates["engine"]),
        f"hand-written {_rate(rates['python'])}",
        _x(times["engine"] / times["python"]),
    )
    report.add(
        "",
        f"{times['engine'] / learners * 1e3:.2f} ms/learner",
        f"pandas {_rate(rates['pandas'])}",
        _x(times["engine"] / times["pandas"]),
    )
    # Diagnostics: what the headline figure is made of.
    per_learner = [(learner, [to_evidence(row) for row in rows]) for learner, _, rows in inputs]

    def run_engine_streaming() -> None:
        for learner, pieces in per_learner:
            evaluate(policy, learner, pieces, as_of=AS_OF)

    def without_gc(action: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            gc.disable()
            try:
                return action()
            finally:
                gc.enable()

        return run

    streaming = best_of(repeats, run_engine_streaming)
    engine_no_gc = best_of(repeats, without_gc(run_engine))
    python_no_gc = best_of(repeats, without_gc(run_python))
    report.add(
        "  engine, one learner per call, results dropped",
        _rate(learners / streaming),
        f"hand-written {_rate(rates['python'])}",
        _x(streaming / times["python"]),
    )
    report.add(
        "  both with the garbage collector off",
        _rate(learners / engine_no_gc),
        f"hand-written {_rate(learners / python_no_gc)}",
        _x(engine_no_gc / python_no_gc),
    )

    def gc_share(without: float, with_gc: float) -> str:
        share = 1 - without / with_gc
        return f"{share:.0%}" if share >= 0.05 else "nothing measurable"

    report.note(
        f"calling the engine once per learner and dropping each result takes "
        f"{streaming / times['engine']:.0%} of the batch call's time; the cyclic garbage "
        f"collector takes {gc_share(engine_no_gc, times['engine'])} of the batch call's time "
        f"and {gc_share(python_no_gc, times['python'])} of the hand-written evaluator's."
    )
    ratio = times["engine"] / times["python"]
    report.note(
        f"engine time is {ratio:.2f}× the hand-written evaluator's (target ≤ "
        f"{TARGET_HANDWRITTEN_RATIO}×) and {times['engine'] / times['pandas']:.2f}× the pandas "
        f"script's; {rates['engine']:,.0f} learners/s against the "
        f"{TARGET_LEARNERS_PER_SECOND:,} learners/s target "
        f"({rates['engine'] / TARGET_LEARNERS_PER_SECOND:.0%} of it)."
    )
    if ratio > TARGET_HANDWRITTEN_RATIO:
        report.failures.append("hand-written ratio target")
    if rates["engine"] < TARGET_LEARNERS_PER_SECOND:
        report.failures.append("learners/s target")
    return {"policy": policy, "inputs": inputs, "run_engine": run_engine, "expected": expected}


# --- 2b. the compact view ---------------------------------------------------------------------

TARGET_COMPACT_BYTES = 5_000
TARGET_COMPACT_SECONDS = 0.000_1


def bench_compact(report: Report, context: dict[str, Any]) -> None:
    """The compact view of each learner (what an HTTP response carries) against its full JSON:
    size in bytes and time per learner, p50 and p99 over the sample."""
    import json

    from masterykit.engine import compact, to_json

    learners = context["run_engine"]().learners
    sizes = sorted(len(json.dumps(compact(one), separators=(",", ":"))) for one in learners)
    full = sorted(len(to_json(one, indent=None)) for one in learners)
    views: list[float] = []
    dumps: list[float] = []
    for one in learners:  # each on its own, as a service answering one request at a time
        started = clock()
        compact(one)
        views.append(clock() - started)
    for one in learners:
        started = clock()
        to_json(one, indent=None)
        dumps.append(clock() - started)
    views.sort()
    dumps.sort()

    def pick(values: list[Any], share: float) -> Any:
        return values[min(len(values) - 1, int(len(values) * share))]

    report.add(
        f"compact view of a learner ({len(learners):,} learners)",
        f"p50 {pick(sizes, 0.5):,} B",
        f"full JSON p50 {pick(full, 0.5):,} B",
        _x(pick(sizes, 0.5) / pick(full, 0.5)),
    )
    report.add("", f"max {sizes[-1]:,} B", f"target {TARGET_COMPACT_BYTES:,} B", "")
    report.add(
        "",
        f"p50 {_us(pick(views, 0.5))}",
        f"full JSON p50 {_us(pick(dumps, 0.5))}",
        _x(pick(views, 0.5) / pick(dumps, 0.5)),
    )
    report.add("", f"p99 {_us(pick(views, 0.99))}", f"target {_us(TARGET_COMPACT_SECONDS)}", "")
    if sizes[-1] > TARGET_COMPACT_BYTES:
        report.failures.append("compact view size target")
    if pick(views, 0.5) > TARGET_COMPACT_SECONDS:
        report.failures.append("compact view time target")


# --- 3. online update ------------------------------------------------------------------------


def bench_update(report: Report, context: dict[str, Any], learners: int, per_learner: int) -> None:
    """Time :meth:`Session.add` of one new piece of evidence, against a full re-evaluation."""
    import random

    from masterykit.engine import Session, evaluate

    policy = context["policy"]
    rng = random.Random(7)
    adds: list[float] = []
    full: list[float] = []
    handwritten: list[float] = []
    mismatched = 0
    for learner, attributes, rows in context["inputs"][:learners]:
        pieces = [to_evidence(row) for row in rows]
        held = set(rng.sample(range(len(pieces)), per_learner))
        session = Session(
            policy, learner, [p for i, p in enumerate(pieces) if i not in held], as_of=AS_OF
        )
        gc.disable()
        try:
            for i in sorted(held):
                start = clock()
                session.add(pieces[i])
                adds.append(clock() - start)
        finally:
            gc.enable()
        start = clock()
        result = evaluate(policy, learner, pieces, as_of=AS_OF).learners[0]
        full.append(clock() - start)
        start = clock()
        baseline_python.evaluate_learner(learner.id, attributes, rows, AS_OF)
        handwritten.append(clock() - start)
        if summarize(session.result) != summarize(result):
            mismatched += 1
    adds.sort()
    p50 = statistics.median(adds)
    p99 = adds[min(len(adds) - 1, int(len(adds) * 0.99))]
    full_p50 = statistics.median(full)
    report.add(
        f"online update, one new piece ({len(adds):,} updates)",
        f"p50 {_us(p50)}",
        f"full re-evaluation p50 {_us(full_p50)}",
        _x(p50 / full_p50),
    )
    report.add(
        "",
        f"p99 {_us(p99)}",
        f"hand-written full p50 {_us(statistics.median(handwritten))}",
        _x(p50 / statistics.median(handwritten)),
    )
    verdict = "meets" if p50 < TARGET_UPDATE_P50_US / 1e6 else "misses"
    report.note(
        f"online update p50 {verdict} the {TARGET_UPDATE_P50_US:.0f} µs target "
        f"({p50 * 1e6 / TARGET_UPDATE_P50_US:.2f}× the target); an update costs "
        f"{p50 / full_p50:.0%} of a full re-evaluation of the learner (garbage collection off "
        "while timing updates)."
    )
    if mismatched:
        report.failures.append("session results differ from full evaluation")
        report.note(f"after the updates, {mismatched} learner(s) differ from a full evaluation")
    else:
        report.note("after the updates, every session equals a full evaluation of the learner.")
    if p50 >= TARGET_UPDATE_P50_US / 1e6:
        report.failures.append("online update target")


# --- 4. batch end to end ---------------------------------------------------------------------


def _subprocess(runner: str, learners_csv: Path, evidence_csv: Path) -> dict[str, Any]:
    env = dict(os.environ)
    root = str(HERE.parent)
    env["PYTHONPATH"] = (
        root + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else root
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._e2e",
            runner,
            str(POLICY_PATH),
            str(learners_csv),
            str(evidence_csv),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _warehouse_available() -> list[str]:
    """The hand-written warehouse baselines whose libraries are installed."""
    import importlib.util

    return [name for name in ("duckdb", "polars") if importlib.util.find_spec(name) is not None]


def bench_batch(
    report: Report,
    size: str,
    learners: int,
    seed: int,
    expected: list[baseline_python.Summary] | None = None,
) -> None:
    """Evaluate a generated CSV data set end to end, each runner in its own process.

    ``expected`` are the engine's decisions for the first learners of the data set (from the
    per-learner measurement): the warehouse baselines are checked against them decision by
    decision, and against the engine's tally for the whole run."""
    start = time.perf_counter()
    learners_csv, evidence_csv = write_csv(DATA, learners, seed)
    report.note(
        f"{size} data set: {learners:,} learners, "
        f"{evidence_csv.stat().st_size / 2**20:,.0f} MiB of evidence CSV "
        f"(generated or reused in {time.perf_counter() - start:.0f} s)."
    )
    others = ["python"] + (["pandas"] if learners <= 10_000 else [])
    runners = ["engine", "parts-2", *others]
    warehouse = _warehouse_available()
    results = {
        runner: _subprocess(runner, learners_csv, evidence_csv) for runner in runners + warehouse
    }
    engine = results["engine"]
    for runner in others:
        if results[runner]["tally"] != {
            k: v for k, v in engine["tally"].items() if k != "rejected"
        }:
            report.failures.append(f"batch {runner} tally differs")
            report.note(
                f"batch: the {runner} run's tally {results[runner]['tally']} differs from the "
                f"engine's {engine['tally']}"
            )
    names = {"python": "hand-written", "pandas": "pandas"}
    for i, runner in enumerate(others):
        other = results[runner]
        report.add(
            f"batch from CSV, {size} ({engine['rows']:,} rows)" if i == 0 else "",
            _rate(engine["learners"] / engine["seconds"]),
            f"{names[runner]} {_rate(other['learners'] / other['seconds'])}",
            _x(engine["seconds"] / other["seconds"]),
        )
    for i, runner in enumerate(others):
        other = results[runner]
        report.add(
            "  peak memory (max RSS of the process)" if i == 0 else "",
            f"{engine['peak_kib'] / 1024:,.0f} MiB",
            f"{names[runner]} {other['peak_kib'] / 1024:,.0f} MiB",
            _x(engine["peak_kib"] / other["peak_kib"]),
        )
    two = results["parts-2"]
    if two["tally"] != engine["tally"]:
        report.failures.append("batch parts-2 tally differs")
        report.note(
            f"batch: the two-process run's tally {two['tally']} differs from the one-process "
            f"run's {engine['tally']}"
        )
    report.add(
        "batch from CSV, 2 processes (wall clock)",
        _rate(two["learners"] / two["seconds"]),
        f"1 process {_rate(engine['learners'] / engine['wall_seconds'])}",
        _x(two["seconds"] / engine["wall_seconds"]),
    )
    report.add(
        "  peak memory (parent + 2 × largest worker)",
        f"{two['peak_kib'] / 1024:,.0f} MiB",
        f"1 process {engine['peak_kib'] / 1024:,.0f} MiB",
        _x(two["peak_kib"] / engine["peak_kib"]),
    )
    report.note(
        f"batch: with the file cut in two at a learner boundary and each part read and "
        f"evaluated by its own process (as `evaluate --sorted --jobs 2` does) the run took "
        f"{two['seconds']:.1f} s of wall-clock time against {engine['wall_seconds']:.1f} s in "
        f"one process ({engine['wall_seconds'] / two['seconds']:.2f}× as fast), with the same "
        "tally. Its peak memory adds the parent's to two times the largest worker's "
        "(RUSAGE_CHILDREN after the pool has shut down; an upper bound, since forked workers "
        "share pages)."
    )
    python = results["python"]
    report.note(
        f"batch: the engine spent {engine['evaluate_seconds']:.1f} s of {engine['seconds']:.1f} s "
        f"evaluating ({engine['evaluate_seconds'] / engine['seconds']:.0%}); the rest is reading "
        f"the CSV into evidence and grouping it. The hand-written run spent "
        f"{python['evaluate_seconds']:.1f} s of {python['seconds']:.1f} s evaluating. "
        f"Reading alone: engine {engine['seconds'] - engine['evaluate_seconds']:.1f} s, "
        f"csv module {python['seconds'] - python['evaluate_seconds']:.1f} s."
    )
    report.note(
        f"batch: the engine's figure includes loading the policy ({engine['load_seconds']:.2f} s, "
        "once per run); each runner's peak memory is that of its own process (VmHWM), "
        "interpreter and imports included."
    )
    _warehouse_rows(report, results, warehouse, evidence_csv, expected or [])
    if _columnar_available():
        _columnar_rows(report, size, learners_csv, evidence_csv, results)
    report.note(
        "batch runs stream learner by learner from learners and evidence CSVs sorted by "
        "learner id (the pandas script reads the whole file); the engine's, the hand-written "
        "and the pandas tallies of graduates, pace statuses and proficient competencies "
        + ("agree." if "batch" not in " ".join(report.failures) else "do NOT agree.")
    )


def _columnar_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("pyarrow", "duckdb"))


def _columnar_inputs(evidence_csv: Path) -> tuple[Path, Path]:
    """The evidence in a shuffled order (by a hash of each row), as CSV and as Parquet, every
    cell the text it has in the generated file; made once and reused."""
    import duckdb

    unsorted_csv = evidence_csv.with_name(f"unsorted-{evidence_csv.name}")
    parquet = evidence_csv.with_name(f"unsorted-{evidence_csv.stem}.parquet")
    if unsorted_csv.exists() and parquet.exists():
        return unsorted_csv, parquet
    query = (
        f"SELECT * FROM read_csv('{evidence_csv}', all_varchar=true, header=true) "
        "ORDER BY hash(learner, competency, score, timestamp, kind), learner, timestamp"
    )
    with duckdb.connect(config={"threads": 2, "memory_limit": "1GB"}) as database:
        database.execute(f"COPY ({query}) TO '{unsorted_csv}.partial' (HEADER, DELIMITER ',')")
        database.execute(f"COPY ({query}) TO '{parquet}.partial' (FORMAT parquet)")
    Path(f"{unsorted_csv}.partial").replace(unsorted_csv)
    Path(f"{parquet}.partial").replace(parquet)
    return unsorted_csv, parquet


def _columnar_rows(
    report: Report,
    size: str,
    learners_csv: Path,
    evidence_csv: Path,
    results: dict[str, dict[str, Any]],
) -> None:
    """Masterykit's batch paths with the columnar reader, each writing the CSV output of
    ``evaluate``, checked byte for byte against each other on the same input."""
    start = time.perf_counter()
    unsorted_csv, parquet = _columnar_inputs(evidence_csv)
    report.note(
        f"batch (columnar): the shuffled CSV and Parquet copies of the evidence were made or "
        f"reused in {time.perf_counter() - start:.0f} s (DuckDB, not timed below)."
    )
    small = SIZES[size] <= 10_000
    plans = {
        "sorted CSV": (evidence_csv, ["out-csv-reader", "out-columnar", "out-grouped"]),
        "unsorted CSV": (unsorted_csv, ["out-grouped"]),
        "unsorted Parquet": (parquet, ["out-grouped"]),
    }
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for label, (path, runners) in plans.items():
        for runner in [*runners, *(["out-in-memory"] if small else [])]:
            runs[(label, runner)] = _subprocess(runner, learners_csv, path)
    digests = {}
    for label in plans:
        found = {
            runner: next(k for k in run["tally"] if k.startswith("sha256:"))
            for (where, runner), run in runs.items()
            if where == label
        }
        digests[label] = found
        if len(set(found.values())) != 1:
            report.failures.append(f"batch outputs differ on the {label}")
            report.note(f"batch (columnar): the outputs on the {label} DIFFER: {found}")
        else:
            report.note(
                f"batch (columnar): on the {label}, the outputs of "
                + ", ".join(f"`{r}`" for r in found)
                + " are byte for byte the same ("
                + next(iter(found.values()))[7:19]
                + "…)."
            )
    engine = results["engine"]
    csv_reader = runs[("sorted CSV", "out-csv-reader")]
    columnar = runs[("sorted CSV", "out-columnar")]
    report.add(
        "batch, sorted CSV, columnar reader (CPU, all threads)",
        _rate(columnar["learners"] / columnar["seconds"]),
        f"CSV reader {_rate(csv_reader['learners'] / csv_reader['seconds'])}",
        _x(columnar["seconds"] / csv_reader["seconds"]),
    )
    two = results["parts-2"]
    report.add(
        "  wall clock, 1 process",
        _rate(columnar["learners"] / columnar["wall_seconds"]),
        f"CSV reader, 2 processes {_rate(two['learners'] / two['seconds'])}",
        _x(columnar["wall_seconds"] / two["seconds"]),
    )

    def reading(run: dict[str, Any]) -> float:
        return (run["seconds"] - run["evaluate_seconds"]) / run["seconds"]

    report.add(
        "  not evaluating (reading, grouping, writing)",
        f"{reading(columnar):.0%}",
        f"CSV reader {reading(csv_reader):.0%}",
        "",
    )
    report.add(
        "  peak memory",
        f"{columnar['peak_kib'] / 1024:,.0f} MiB",
        f"CSV reader {csv_reader['peak_kib'] / 1024:,.0f} MiB",
        _x(columnar["peak_kib"] / csv_reader["peak_kib"]),
    )
    warehouse = results.get("duckdb")
    for label in ("sorted CSV", "unsorted CSV", "unsorted Parquet"):
        grouped = runs[(label, "out-grouped")]
        report.add(
            f"batch, {label}, grouped by DuckDB (wall)",
            _rate(grouped["learners"] / grouped["wall_seconds"]),
            f"DuckDB query {_rate(warehouse['learners'] / warehouse['seconds'])}"
            if warehouse
            else "",
            _x(grouped["wall_seconds"] / warehouse["seconds"]) if warehouse else "",
        )
        report.add(
            "  CPU, all threads; peak memory",
            f"{_rate(grouped['learners'] / grouped['seconds'])}; "
            f"{grouped['peak_kib'] / 1024:,.0f} MiB",
            f"DuckDB query {warehouse['peak_kib'] / 1024:,.0f} MiB" if warehouse else "",
            _x(grouped["peak_kib"] / warehouse["peak_kib"]) if warehouse else "",
        )
    if small:
        memory = runs[("unsorted CSV", "out-in-memory")]
        report.add(
            "batch, unsorted CSV, in memory (CPU)",
            _rate(memory["learners"] / memory["seconds"]),
            f"peak {memory['peak_kib'] / 1024:,.0f} MiB",
            "",
        )
    report.note(
        "batch (columnar): the `out-*` runs write the whole CSV output of `evaluate` (the "
        "engine run above writes nothing). Their rates are in CPU time of all the process's "
        "threads (the columnar reader parses the next block on another thread, DuckDB sorts "
        "on two) except where marked wall; on a busy machine the wall clock mostly measures "
        "the wait for a core. "
        f"The columnar run spent {columnar['evaluate_seconds']:.1f} s of "
        f"{columnar['seconds']:.1f} s CPU evaluating ({columnar['wall_seconds']:.1f} s wall); "
        f"the CSV reader's {csv_reader['evaluate_seconds']:.1f} s of "
        f"{csv_reader['seconds']:.1f} s ({csv_reader['wall_seconds']:.1f} s wall); the engine "
        f"run without output {engine['evaluate_seconds']:.1f} s of {engine['seconds']:.1f} s."
    )


def _warehouse_rows(
    report: Report,
    results: dict[str, dict[str, Any]],
    warehouse: list[str],
    evidence_csv: Path,
    expected: list[baseline_python.Summary],
) -> None:
    """Check the warehouse baselines against the engine, then set the two-core run beside them."""
    from benchmarks._e2e import warehouse_output
    from benchmarks.baseline_warehouse import read_summaries

    if not warehouse:
        report.note(
            "batch: the DuckDB and Polars baselines were not run (install the `bench` extra)."
        )
        return
    engine, two = results["engine"], results["parts-2"]
    decisions = {k: v for k, v in engine["tally"].items() if k not in ("rows", "rejected")}
    names = {"duckdb": "DuckDB query", "polars": "Polars script"}
    for runner in warehouse:
        found = read_summaries(warehouse_output(runner, evidence_csv))[: len(expected)]
        wrong = disagreements(expected, found)
        tally = {k: v for k, v in results[runner]["tally"].items() if k != "rows"}
        if wrong or tally != decisions:
            report.failures.append(f"{names[runner]} disagrees with the engine")
            report.note(
                f"batch: the {names[runner]} DISAGREES with the engine: "
                + "; ".join(wrong or [f"tally {tally} against {decisions}"])
            )
        else:
            report.note(
                f"batch: the {names[runner]} agrees with the engine on every decision of the "
                f"first {len(expected):,} learners (status and score of every competency, "
                "requirements, advancements, graduation, pathways, pace) and on the whole run's "
                "tally."
            )
    for i, runner in enumerate(warehouse):
        other = results[runner]
        report.add(
            "batch end to end, 2 cores (wall clock)" if i == 0 else "",
            _rate(two["learners"] / two["seconds"]),
            f"{names[runner]} {_rate(other['learners'] / other['seconds'])}",
            _x(two["seconds"] / other["seconds"]),
        )
    for i, runner in enumerate(warehouse):
        other = results[runner]
        report.add(
            "  peak memory" if i == 0 else "",
            f"{two['peak_kib'] / 1024:,.0f} MiB",
            f"{names[runner]} {other['peak_kib'] / 1024:,.0f} MiB",
            _x(two["peak_kib"] / other["peak_kib"]),
        )


# --- profile ---------------------------------------------------------------------------------


def profile_evaluation(context: dict[str, Any]) -> str:
    """A pyinstrument profile of the engine's evaluation, as Markdown: the heaviest functions
    by own time and the call tree."""
    from pyinstrument import Profiler
    from pyinstrument.frame import Frame

    profiler = Profiler(interval=0.0005)
    profiler.start()
    context["run_engine"]()
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    own: dict[str, float] = {}

    def walk(frame: Frame) -> None:
        children = frame.children
        self_time = frame.time - sum(child.time for child in children)
        named = frame.parent if frame.function == "[self]" and frame.parent else frame
        key = f"{named.function} ({named.file_path_short}:{named.line_no})"
        own[key] = own.get(key, 0.0) + self_time
        for child in children:
            walk(child)

    total = 0.0
    if root is not None:
        walk(root)
        total = root.time
    heaviest = sorted(own.items(), key=lambda item: -item[1])[:15]
    lines = ["Heaviest functions by own time:", "", "| own time | share | function |"]
    lines.append("| ---: | ---: | --- |")
    lines += [
        f"| {seconds * 1000:,.0f} ms | {seconds / total:.1%} | `{name}` |"
        for name, seconds in heaviest
    ]
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    tree_lines = [line for line in tree.splitlines() if line.strip()][:60]
    lines += ["", "Call tree (pyinstrument, library frames folded):", "", "```text"]
    lines += tree_lines
    lines.append("```")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def machine() -> str:
    """The machine as one Markdown line."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.platform()}; {platform.processor() or platform.machine()}; "
        f"{os.cpu_count()} CPUs (load average {load} at start); "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; returns 1 when a baseline disagrees with the engine."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure masterykit against baselines timed in the same run.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="school")
    parser.add_argument("--quick", action="store_true", help="fewer learners and repeats")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--no-batch", action="store_true", help="skip the CSV batch run")
    args = parser.parse_args(argv)

    commit = _commit()  # before anything is measured: the code under test is what is here now
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"masterykit benchmarks, {started}\n  {machine()}\n", flush=True)
    report = Report()
    repeats = 1 if args.quick else 3
    sample = 200 if args.quick else 1_000

    bench_parse(report, 2 if args.quick else 5)
    context = bench_evaluate(report, sample, args.seed, repeats)
    bench_compact(report, context)
    bench_update(report, context, 50 if args.quick else 200, 5)
    bench_sessions(report, context["policy"], context["inputs"][: 50 if args.quick else 200], 5)
    if not args.no_batch:
        learners = 200 if args.quick else SIZES[args.size]
        bench_batch(report, args.size, learners, args.seed, context["expected"])
    profile = profile_evaluation(context)

    if not args.no_record:
        section = "\n".join(
            [
                f"## {started}: `{command.strip()}`",
                "",
                f"* Machine: {machine()}",
                f"* Commit at start: `{commit}`",
                f"* Data: seed {args.seed}; per-learner figures on {sample:,} learners in "
                "memory; batch figures from CSV files in `benchmarks/_data/`.",
                "* Ratios are masterykit's time over the baseline's (below 1 is faster). Times are "
                "CPU time of one process (`time.process_time`), best of the repeats, so other "
                "load on the machine does not count; figures are per core.",
                "",
                report.markdown(),
                "",
                *[f"* {note}" for note in report.notes],
                "",
                "### Profile of the per-learner evaluation",
                "",
                profile,
                "",
            ]
        )
        if not RESULTS.exists():
            RESULTS.write_text(_RESULTS_HEADER, encoding="utf-8")
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write("\n" + section)
        print(f"\nappended to {RESULTS}")
    if report.failures:
        print("\nmisses: " + "; ".join(report.failures))
    wrong = [f for f in report.failures if "disagree" in f or "differ" in f]
    return 1 if wrong else 0


def _commit() -> str:
    """HEAD, and whether ``src/`` has changes not committed yet (the code measured is the
    working tree's)."""

    def git(*args: str) -> str:
        try:
            completed = subprocess.run(
                ["git", *args], capture_output=True, text=True, cwd=HERE.parent, check=False
            )
        except OSError:
            return ""
        return completed.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src")
    return f"{head} + uncommitted changes in src/" if dirty else head


_RESULTS_HEADER = """\
# Benchmark results

`make bench` (`python -m benchmarks`) appends one section per run. Each figure is measured
together with a baseline in the same run on the same machine, so ratios stay comparable across
machines even when absolute figures do not. See `benchmarks/__main__.py` for what each line
measures and `benchmarks/baseline_*.py` for the baselines.
"""


if __name__ == "__main__":
    raise SystemExit(main())
