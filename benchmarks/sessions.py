"""What a session that lives as long as a service costs per call: ``python -m benchmarks.sessions``.

Usage::

    python -m benchmarks.sessions [--learners N] [--per-learner K] [--seed N] [--no-record]

For each of ``N`` generated learners (the data of :mod:`benchmarks.generate`, every piece given a
``source_id``), a :class:`masterykit.engine.Session` is started with all but ``K`` pieces, then
timed, one call at a time: :meth:`~masterykit.engine.session.Session.add` of the ``K`` held
back, :meth:`~masterykit.engine.session.Session.replace` of ``K`` pieces with a corrected score,
and :meth:`~masterykit.engine.session.Session.remove` of ``K`` pieces. Each is reported as p50 and
p99 against a full re-evaluation of the learner (p50), and every session is checked to equal a
full evaluation of the evidence it ends with. The cost of the session's lock (taken and released
once per call, uncontended) is measured on its own and reported as a share of an update.

``python -m benchmarks`` runs the same measurement after the online update; run alone, this
module prints its table and appends a dated section to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs

from benchmarks.compare import engine_inputs, summarize, to_evidence
from benchmarks.generate import AS_OF, DEFAULT_SEED, POLICY_PATH

__all__ = ["bench_sessions", "lock_cost", "main"]


class _Report(Protocol):
    """What the measurements are written to (:class:`benchmarks.__main__.Report`)."""

    failures: list[str]

    def add(self, measure: str, value: str, baseline: str = "", ratio: str = "") -> None: ...

    def note(self, text: str) -> None: ...


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def lock_cost(rounds: int = 200_000) -> float:
    """Seconds to take and release an uncontended :class:`threading.Lock` once (``with``), less
    the loop around it."""
    lock = threading.Lock()
    clock = time.process_time
    best = float("inf")
    for _ in range(5):
        start = clock()
        for _ in range(rounds):
            with lock:
                pass
        locked = clock() - start
        start = clock()
        for _ in range(rounds):
            pass
        bare = clock() - start
        best = min(best, (locked - bare) / rounds)
    return max(best, 0.0)


def _timed(times: list[float], call: Callable[[Any], object], argument: Any) -> None:
    start = time.process_time()
    call(argument)
    times.append(time.process_time() - start)


def bench_sessions(
    report: _Report, policy: Any, inputs: Sequence[tuple[Any, Any, Sequence[Any]]], per_learner: int
) -> dict[str, tuple[float, float]]:
    """Time ``add``, ``replace`` and ``remove`` on one session per learner of ``inputs``;
    returns ``{call: (p50, p99)}`` in seconds and writes the rows and notes to ``report``."""
    from masterykit.engine import Session, evaluate

    rng = random.Random(11)
    times: dict[str, list[float]] = {"add": [], "replace": [], "remove": []}
    full: list[float] = []
    mismatched = 0
    for learner, _attributes, rows in inputs:
        pieces = [
            attrs.evolve(to_evidence(row), source_id=f"{learner.id}-{i}")
            for i, row in enumerate(rows)
        ]
        chosen = rng.sample(range(len(pieces)), min(len(pieces), 3 * per_learner))
        held, corrected, withdrawn = (
            chosen[:per_learner],
            chosen[per_learner : 2 * per_learner],
            chosen[2 * per_learner :],
        )
        session = Session(
            policy, learner, [p for i, p in enumerate(pieces) if i not in held], as_of=AS_OF
        )
        final = dict(enumerate(pieces))
        gc.disable()
        try:
            for i in held:
                _timed(times["add"], session.add, pieces[i])
            for i in corrected:
                fixed = attrs.evolve(pieces[i], score=max(Decimal(1), pieces[i].score - 1))
                final[i] = fixed
                _timed(times["replace"], session.replace, fixed)
            for i in withdrawn:
                del final[i]
                _timed(times["remove"], session.remove, pieces[i].source_id)
        finally:
            gc.enable()
        start = time.process_time()
        result = evaluate(policy, learner, list(final.values()), as_of=AS_OF).learners[0]
        full.append(time.process_time() - start)
        if summarize(session.result) != summarize(result) or session.result != result:
            mismatched += 1
    full_p50 = statistics.median(full)
    found: dict[str, tuple[float, float]] = {}
    for call, measured in times.items():
        p50, p99 = _percentiles(measured)
        found[call] = (p50, p99)
        report.add(
            f"session {call} ({len(measured):,} calls)",
            f"p50 {_us(p50)}",
            f"full re-evaluation p50 {_us(full_p50)}",
            f"{p50 / full_p50:.2f}×",
        )
        report.add("", f"p99 {_us(p99)}")
    lock = lock_cost()
    add_p50 = found["add"][0]
    report.note(
        f"sessions: each call takes and releases the session's lock once: {lock * 1e9:,.0f} ns "
        f"uncontended, {lock / add_p50:.3%} of an add's p50 (measured apart)."
    )
    if mismatched:
        report.failures.append("session results differ from full evaluation")
        report.note(f"sessions: {mismatched} learner(s) differ from a full evaluation")
    else:
        report.note(
            f"sessions: after the adds, replacements and removals, all {len(full):,} sessions "
            "equal a full evaluation of the evidence they hold."
        )
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the session benchmark alone; returns 1 when a session differs from a full
    evaluation."""
    from benchmarks.__main__ import _RESULTS_HEADER, RESULTS, Report, _commit, machine
    from masterykit.loader import load

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sessions",
        description="Time session add, replace and remove against full re-evaluation.",
    )
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--per-learner", type=int, default=5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)

    commit = _commit()
    command = "python -m benchmarks.sessions " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"masterykit session benchmark, {started}\n  {machine()}\n", flush=True)
    report = Report()
    policy = load(POLICY_PATH)
    inputs = list(engine_inputs(args.learners, args.seed))
    pieces = sum(len(rows) for _, _, rows in inputs)
    bench_sessions(report, policy, inputs, args.per_learner)
    if not args.no_record:
        section = "\n".join(
            [
                f"## {started}: `{command.strip()}`",
                "",
                f"* Machine: {machine()}",
                f"* Commit at start: `{commit}`",
                f"* Data: seed {args.seed}; {args.learners:,} learners of the generated school "
                f"({pieces / len(inputs):.0f} evidence each, every piece with a source id), "
                f"{args.per_learner} calls of each kind per learner.",
                "* Times are CPU time of one process (`time.process_time`) per call, with the "
                "garbage collector off while timing; the full re-evaluation is of the learner's "
                "evidence at the end.",
                "",
                report.markdown(),
                "",
                *[f"* {note}" for note in report.notes],
                "",
            ]
        )
        if not RESULTS.exists():
            RESULTS.write_text(_RESULTS_HEADER, encoding="utf-8")
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write("\n" + section)
        print(f"\nappended to {RESULTS}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
