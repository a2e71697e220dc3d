"""The session benchmark times what it says, on sessions that end equal to full evaluations."""

from __future__ import annotations

from benchmarks.__main__ import Report
from benchmarks.compare import engine_inputs
from benchmarks.generate import POLICY_PATH
from benchmarks.sessions import bench_sessions, lock_cost

from masterykit.loader import load


def test_each_call_is_timed_and_every_session_equals_a_full_evaluation() -> None:
    report = Report()
    found = bench_sessions(report, load(POLICY_PATH), list(engine_inputs(3, 4242)), 2)
    assert sorted(found) == ["add", "remove", "replace"]
    assert all(0 < p50 <= p99 for p50, p99 in found.values())
    assert report.failures == []
    assert [row[0] for row in report.rows] == [
        "session add (6 calls)",
        "",
        "session replace (6 calls)",
        "",
        "session remove (6 calls)",
        "",
    ]
    assert report.notes[-1] == (
        "sessions: after the adds, replacements and removals, all 3 sessions equal a full "
        "evaluation of the evidence they hold."
    )


def test_the_lock_costs_well_under_a_microsecond_of_cpu() -> None:
    assert 0 <= lock_cost(20_000) < 5e-6
