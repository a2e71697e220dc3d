"""Small groups are suppressed so that no published row gives a hidden figure away."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.reports import suppressed


def test_one_small_group_hides_the_next_smallest_too() -> None:
    assert suppressed({"north": 40, "harbor": 35, "island": 4}, 10) == {"island", "harbor"}


def test_hidden_groups_hold_at_least_the_minimum_together() -> None:
    assert suppressed({"a": 2, "b": 3, "c": 30, "d": 40}, 10) == {"a", "b", "c"}


def test_nothing_is_hidden_when_every_group_is_large_enough() -> None:
    assert suppressed({"a": 10, "b": 11}, 10) == frozenset()


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 40), min_size=1),
    st.integers(1, 15),
)
def test_no_hidden_count_can_be_recovered_by_subtraction(totals: dict[str, int], n: int) -> None:
    hidden = suppressed(totals, n)
    # Every group below the minimum is hidden.
    assert {g for g, t in totals.items() if t < n} <= hidden
    if hidden and len(hidden) < len(totals):
        # District minus the shown groups gives only a sum over two or more hidden groups that
        # hold at least n learners together: no single hidden group's figure.
        assert len(hidden) >= 2
        assert sum(totals[g] for g in hidden) >= n


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["north", "harbor", "island", "east"]), min_size=1, max_size=60),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.integers(2, 12),
)
def test_published_rows_never_give_a_suppressed_count_away(
    schools: list[str], proficient: list[bool], n: int
) -> None:
    """Build a real report and attack it: for every breakdown, subtract the shown groups from
    the district and check that what remains is never one hidden group's count."""
    from masterykit.engine import evaluate
    from masterykit.evidence import Evidence, Learner
    from masterykit.loader import load_text
    from masterykit.reports import district_report

    policy = load_text(
        'policy "P" version "1"\nscale two { 1 NotYet 2 Yes }\n'
        'area M "Maths" { competency M.1 "One" }\ncalculate highest\nproficient at Yes\n',
        "p.mastery",
    )
    learners = [Learner(f"s{i:03d}", {"school": s}) for i, s in enumerate(schools)]
    evidence = [
        Evidence(learner.id, "M.1", Decimal(2 if proficient[i] else 1), dt.date(2026, 1, 5))
        for i, learner in enumerate(learners)
    ]
    result = evaluate(policy, learners, evidence, as_of=dt.date(2026, 2, 1))
    report = district_report([result], by=["school"], policy=policy, min_group=n)
    keys = {(c.scope, c.subject, c.measure) for c in report.cells}
    for key in keys:
        cells = [c for c in report.cells if (c.scope, c.subject, c.measure) == key]
        district = [c for c in cells if c.by == "district"]
        groups = [c for c in cells if c.by == "school"]
        hidden = [c for c in groups if c.suppressed]
        assert all(c.count is None and c.total is None and c.value is None for c in hidden)
        if district[0].suppressed or not hidden:
            continue
        assert len(hidden) >= 2 or len(hidden) == len(groups)
        # A group's learners: its `total`, or for the `learners` scope its `count`.
        size = "count" if key[0] == "learners" else "total"
        shown_total = sum(getattr(c, size) or 0 for c in groups if not c.suppressed)
        assert (getattr(district[0], size) or 0) - shown_total >= n
