"""The OULAD assessment export read in place with the CSV reader's mapping options (a recipe)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, read_all, read_evidence

OULAD = Path("/work/shared/data/responses/oulad-subset/studentAssessment.csv")
needs_data = pytest.mark.skipif(not OULAD.is_file(), reason="shared OULAD file not present")

#: The recipe documented in docs/formats.rst.
RECIPE = {
    "columns": {
        "learner": "id_student",
        "competency": "id_assessment",
        "timestamp": "date_submitted",
    },
    "competency_template": "OULAD.{value}",
    "kind": "assessment",
    "raw_min": 0,
    "raw_max": 100,
    "scale": (1, 4),
    "day_zero": "2013-10-01",
}

MISSING_SCORE_LINES = [
    1586, 3750, 5600, 5668, 5786, 8978, 9670, 11492, 12721,
    14715, 14876, 16080, 19559, 21325, 22584, 27390, 28790, 34165,
]  # fmt: skip


@pytest.fixture(scope="module")
def oulad() -> tuple[tuple[Evidence, ...], tuple[Rejection, ...], ReadSummary]:
    return read_all(OULAD, options=RECIPE)


@needs_data
def test_oulad_rows_are_all_used_except_the_18_missing_scores(
    oulad: tuple[tuple[Evidence, ...], tuple[Rejection, ...], ReadSummary],
) -> None:
    evidence, rejections, summary = oulad
    assert summary == ReadSummary(read=36184, used=36166, rejected={"MK307": 18})
    assert len(evidence) == 36166
    assert rejections == tuple(
        Rejection("MK307", "missing `score`", Origin(str(OULAD), line))
        for line in MISSING_SCORE_LINES
    )


@needs_data
def test_oulad_first_row_is_rescaled_and_dated_from_the_module_start() -> None:
    first = next(read_evidence(OULAD, options=RECIPE))
    assert first == Evidence(
        "11391",
        "OULAD.1752",
        Decimal("3.34"),  # 1 + 78 / 100 × 3
        dt.date(2013, 10, 19),  # 2013-10-01 + 18 days
        kind="assessment",
    )


@needs_data
def test_oulad_scores_all_land_on_the_1_to_4_scale(
    oulad: tuple[tuple[Evidence, ...], tuple[Rejection, ...], ReadSummary],
) -> None:
    scores = [e.score for e in oulad[0]]
    assert min(scores) >= 1
    assert max(scores) <= 4
    assert Decimal(4) in scores


@needs_data
def test_oulad_assessments_can_be_mapped_to_codes_one_by_one() -> None:
    options = {k: v for k, v in RECIPE.items() if k != "competency_template"}
    options["competencies"] = {"1752": "AAA.TMA1"}
    summary = ReadSummary.of(read_evidence(OULAD, options=options))
    assert summary.reconciles
    assert summary.rejected["MK316"] > 0
    assert summary.used + summary.rejected["MK316"] + summary.rejected.get("MK307", 0) == 36184
