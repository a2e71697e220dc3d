"""``python -m benchmarks.impact``: an impact run (both policies) against one evaluation.

Usage::

    python -m benchmarks.impact [--learners N] [--quick] [--seed N] [--no-record]

:func:`masterykit.impact` evaluates an old and a new policy over the same evidence and compares
every learner's outcomes. Two evaluations are its floor, so the target is at most 2.2× the time
of one :func:`masterykit.engine.evaluate` call on the same learners and evidence: the comparison,
the counting by group and the batching together may cost at most a tenth of one evaluation.

The old policy is ``benchmarks/policy.mastery`` (school size: 1,000 learners with about 460
pieces of evidence each, the per-learner data set of ``python -m benchmarks``); the new one
asks for four pieces of evidence instead of three and weights the latest score 65% instead of
75%, the kind of change a board votes on. Both runs are timed interleaved, best of the
repeats, in CPU time of this process; the figures are appended to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from benchmarks.__main__ import RESULTS, Report, _commit, _ms, _x, best_of, machine
from benchmarks.compare import engine_inputs, to_evidence
from benchmarks.generate import AS_OF, DEFAULT_SEED, POLICY_PATH, SIZES

__all__ = ["TARGET_RATIO", "bench_impact", "main", "proposed_policy_text"]

#: An impact run may take at most this many times one evaluation of the same data.
TARGET_RATIO = 2.2


def proposed_policy_text() -> str:
    """The benchmark policy with the change under study: four pieces of evidence instead of
    three, and a decaying average at 65% instead of 75%."""
    text = POLICY_PATH.read_text("utf-8")
    for old, new in (
        ("calculate decaying_average(75%)", "calculate decaying_average(65%)"),
        (
            "proficient at Proficient\nevidence at least 3",
            "proficient at Proficient\nevidence at least 4",
        ),
    ):
        if old not in text:
            raise SystemExit(f"the benchmark policy no longer has `{old}`")
        text = text.replace(old, new, 1)
    return text.replace('version "2026.1"', 'version "2027.1"', 1)


def bench_impact(report: Report, learners: int, seed: int, repeats: int) -> dict[str, Any]:
    """Time one evaluation and one impact run of ``learners`` learners; add them to ``report``."""
    from masterykit.engine import evaluate
    from masterykit.impact import impact
    from masterykit.loader import load, load_text

    old = load(POLICY_PATH)
    new = load_text(proposed_policy_text(), str(POLICY_PATH.with_name("proposed.mastery")))
    inputs = list(engine_inputs(learners, seed))
    people = [learner for learner, _, _ in inputs]
    evidence = [to_evidence(row) for _, _, rows in inputs for row in rows]

    def one() -> object:
        return evaluate(old, people, evidence, as_of=AS_OF)

    def both(list_changed: bool = False) -> Any:
        return impact(
            old, new, people, evidence, as_of=AS_OF, by=["iep", "ell"], list_changed=list_changed
        )

    found = both(True)
    times = {"one": float("inf"), "impact": float("inf"), "listed": float("inf")}
    for _ in range(repeats):  # interleaved, so a busy machine slows every run alike
        times["one"] = min(times["one"], best_of(1, one))
        times["impact"] = min(times["impact"], best_of(1, both))
        times["listed"] = min(times["listed"], best_of(1, lambda: both(True)))
    ratio = times["impact"] / times["one"]
    pieces = len(evidence)
    report.add(
        f"impact, {learners:,} learners ({pieces / learners:.0f} evidence each), both policies",
        _ms(times["impact"]),
        f"one evaluation {_ms(times['one'])}",
        _x(ratio),
    )
    report.add(
        "  with every changed outcome listed with its reason",
        _ms(times["listed"]),
        f"one evaluation {_ms(times['one'])}",
        _x(times["listed"] / times["one"]),
    )
    changed = {scope.scope: scope.changed for scope in found.scopes}
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    report.note(
        f"impact {verdict} the ≤ {TARGET_RATIO}× target ({_x(ratio)} one evaluation; two "
        f"evaluations are the floor, so comparing and counting cost {_x(ratio - 2)} of one)."
    )
    report.note(
        f"the change under study moves {changed.get('any', 0):,} of {learners:,} learners "
        f"({changed.get('competency', 0):,} with a competency status change, "
        f"{changed.get('graduation', 0):,} with graduation changing); "
        f"{len(found.changed):,} changed outcomes listed."
    )
    if ratio > TARGET_RATIO:
        report.failures.append(f"impact ratio {_x(ratio)} over the {TARGET_RATIO}× target")
    return {"ratio": ratio, "times": times, "report": found}


def main(argv: list[str] | None = None) -> int:
    """Run the impact benchmark and append it to ``RESULTS.md`` (unless ``--no-record``)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.impact",
        description="Time an impact run (both policies) against one evaluation of the same data.",
    )
    parser.add_argument("--learners", type=int, default=SIZES["school"])
    parser.add_argument("--quick", action="store_true", help="100 learners, one repeat")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)

    commit = _commit()
    command = "python -m benchmarks.impact " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"masterykit impact benchmark, {started}\n  {machine()}\n", flush=True)
    report = Report()
    learners = 100 if args.quick else args.learners
    bench_impact(report, learners, args.seed, 1 if args.quick else 3)
    if not args.no_record:
        section = "\n".join(
            [
                f"## {started}: `{command.strip()}`",
                "",
                f"* Machine: {machine()}",
                f"* Commit at start: `{commit}`",
                f"* Data: seed {args.seed}; {learners:,} learners in memory, the per-learner "
                "data set of `python -m benchmarks`.",
                "* CPU time of one process (`time.process_time`), best of the repeats, the two "
                "runs interleaved.",
                "",
                report.markdown(),
                "",
                *[f"* {note}" for note in report.notes],
                "",
            ]
        )
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write("\n" + section)
        print(f"\nappended to {RESULTS}")
    if report.failures:
        print("\nmisses: " + "; ".join(report.failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
