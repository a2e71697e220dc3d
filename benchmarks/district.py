"""A district run against a one-policy run of the same learners and evidence.

``python -m benchmarks.district [LEARNERS] [--same]`` generates the benchmark's learners (10,000 by
default), gives each one of six schools, writes five school overlays on the benchmark policy and
a district file routing each school to its overlay (the sixth to the base policy), then times
``evaluate`` of the whole roster under the district and under the base policy alone, best of
three, in this process. The district run reads the evidence once and routes each learner; the
ratio is what routing over five overlays costs.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import AS_OF, learner_attributes, learner_evidence, learner_id
from masterykit.engine import evaluate
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load, load_district

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
SCHOOLS = ("north", "harbor", "lakeside", "river", "summit", "east")
CALCULATIONS = ("highest", "most_recent", "mean", "median", "most_recent_mean(3)")


def _files(folder: Path, same: bool) -> Path:
    shutil.copy(HERE / "policy.mastery", folder / "policy.mastery")
    routes = []
    for school, calculation in zip(SCHOOLS, CALCULATIONS, strict=False):
        rule = "" if same else f"calculate {calculation}\n"
        (folder / f"{school}.mastery").write_text(
            f'policy "{school.title()} School" extends "policy.mastery"\n{rule}',
            encoding="utf-8",
        )
        routes.append(f'  when learner.school = "{school}" use "{school}.mastery"')
    (folder / "district.mastery").write_text(
        'district "Benchmark District" version "1" {\n'
        + "\n".join(routes)
        + '\n  otherwise use "policy.mastery"\n}\n',
        encoding="utf-8",
    )
    return folder / "district.mastery"


def _best(run: object, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main(count: int = 10_000, same: bool = False) -> None:
    """Time both runs for ``count`` learners and print the figures; with ``same``, the
    overlays change nothing, so the difference is routing and one plan per overlay alone."""
    folder = Path(tempfile.mkdtemp(prefix="masterykit-bench-"))
    district = load_district(_files(folder, same))
    policy = load(folder / "policy.mastery")
    learners = [
        Learner(learner_id(i), {**learner_attributes(i), "school": SCHOOLS[i % len(SCHOOLS)]})
        for i in range(count)
    ]
    evidence = [
        Evidence(row.learner, row.competency, row.score, row.day, row.kind or None)
        for i in range(count)
        for row in learner_evidence(i)
    ]
    day: dt.date = AS_OF
    one = _best(lambda: evaluate(policy, learners, evidence, as_of=day))
    routed = _best(lambda: evaluate(district, learners, evidence, as_of=day))
    print(f"learners: {count:,}; evidence: {len(evidence):,}")
    print(f"one policy: {one:.2f} s; district (5 overlays + base): {routed:.2f} s")
    print(f"ratio: {routed / one:.2f}x")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, "--same" in sys.argv)
