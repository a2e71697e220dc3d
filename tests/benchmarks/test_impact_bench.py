"""The impact benchmark measures a real change: both policies load and differ where it says."""

from __future__ import annotations

from benchmarks.__main__ import Report
from benchmarks.generate import POLICY_PATH
from benchmarks.impact import bench_impact, proposed_policy_text

from masterykit.diff import diff
from masterykit.loader import load, load_text


def test_the_proposed_policy_changes_the_calculation_and_the_evidence_count() -> None:
    old = load(POLICY_PATH)
    new = load_text(proposed_policy_text(), str(POLICY_PATH.with_name("proposed.mastery")))
    sections = {(c.section, c.old, c.new) for c in diff(old, new).changes}
    assert ("calculation", "decaying_average(75%)", "decaying_average(65%)") in sections
    assert ("evidence", "evidence at least 3", "evidence at least 4") in sections
    assert {section for section, _, _ in sections} == {"calculation", "evidence"}


def test_a_small_run_reports_both_figures() -> None:
    report = Report()
    found = bench_impact(report, 12, 7, 1)
    assert len(report.rows) == 2
    assert found["ratio"] > 1
    assert found["report"].learners == 12
