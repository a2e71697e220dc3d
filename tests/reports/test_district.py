"""District reports of the Lake County example: sums, intervals, trends and conversions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from masterykit.engine import evaluate
from masterykit.loader import load
from masterykit.readers import read_all, read_learners
from masterykit.reports import (
    CELL_COLUMNS,
    DistrictReport,
    ReportBuilder,
    ReportError,
    district_report,
)

from .conftest import LAKE

DATES = (dt.date(2026, 3, 1), dt.date(2026, 11, 13))


@pytest.fixture(scope="module")
def lake() -> tuple[object, list[object]]:
    policy = load(LAKE / "district.mastery")
    evidence, _, _ = read_all(LAKE / "evidence.csv", policy=policy)
    learners = read_learners(LAKE / "learners.csv")
    results = [evaluate(policy, learners, evidence, as_of=day) for day in DATES]
    return policy, results


@pytest.fixture(scope="module")
def report(lake) -> DistrictReport:
    policy, results = lake
    return district_report(results, by=["school", "iep"], policy=policy)


def test_group_counts_add_up_to_the_results(lake, report) -> None:
    _, results = lake
    latest = results[-1]
    expected = Counter(
        learner.learner.attributes["school"]
        for learner in latest.learners
        if learner.competencies["MATH.N1"].status.value == "proficient"
    )
    cells = {
        c.group: c.count
        for c in report.competencies.rows
        if c.as_of == DATES[-1]
        and c.by == "school"
        and c.subject == "MATH.N1"
        and c.measure == "proficient"
    }
    assert cells == dict(expected)


def test_each_group_is_beside_the_district_with_its_difference(report) -> None:
    for cell in report.cells:
        if cell.suppressed or cell.value is None or cell.district is None:
            continue
        assert cell.difference == pytest.approx(cell.value - cell.district)
        if cell.scope != "evidence":
            assert cell.low is not None and cell.high is not None
            assert cell.low <= cell.value <= cell.high


def test_statuses_partition_each_group(report) -> None:
    for day in DATES:
        shown = [
            c
            for c in report.competencies.rows
            if c.as_of == day
            and c.subject == "ELA.R1"
            and c.by == "school"
            and c.measure in ("proficient", "developing", "insufficient", "not_started")
        ]
        for group in {c.group for c in shown}:
            mine = [c for c in shown if c.group == group]
            assert sum(c.count or 0 for c in mine) == mine[0].total


def test_small_iep_group_is_suppressed_with_its_complement(report) -> None:
    iep = {c.group: c for c in report.learners.rows if c.by == "iep" and c.as_of == DATES[0]}
    assert set(iep) == {"false", "true"}
    assert iep["true"].suppressed and iep["false"].suppressed  # 2 of 30: both must go
    assert iep["true"].count is None and iep["false"].total is None


def test_trends_have_one_cell_per_date(report) -> None:
    dates = {c.as_of for c in report.decisions.rows if c.subject == "graduation"}
    assert dates == set(DATES)
    assert report.as_of == DATES


def test_conversions_share_one_set_of_rows(report) -> None:
    rows = report.decisions.to_rows()
    frame = report.decisions.to_pandas()
    table = report.decisions.to_arrow()
    assert list(frame.columns) == list(CELL_COLUMNS) == table.column_names
    assert len(frame) == len(rows) == table.num_rows
    assert table.to_pylist() == rows


def test_learner_ids_appear_only_when_asked(lake) -> None:
    policy, results = lake
    plain = district_report(results, by=["school"], policy=policy)
    assert plain.members is None
    ids = {learner.learner.id for learner in results[0].learners}
    assert not any(str(v) in ids for row in plain.to_rows() for v in row.values())
    named = district_report(results, by=["school"], policy=policy, with_learner_ids=True)
    assert named.members is not None
    assert sorted(i for group in named.members["school"].values() for i in group) == sorted(ids)


def test_streamed_learners_give_the_same_report(lake, report) -> None:
    policy, results = lake
    builder = ReportBuilder(["school", "iep"], policy=policy)
    for result in results:
        for learner in result.learners:
            builder.add_learners(result.as_of, [learner])
    streamed = builder.build()
    assert streamed.cells == report.cells


def test_an_unknown_attribute_is_mk701(lake) -> None:
    policy, results = lake
    with pytest.raises(ReportError) as caught:
        district_report(results, by=["schol"], policy=policy)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "MK701"
    assert diagnostic.message == (
        "no learner has the attribute `schol` to break the district down by"
    )
    assert diagnostic.help is not None and diagnostic.help.startswith("did you mean `school`?")
