"""OneRoster 1.2 CSV gradebook folders: a score per result and learning objective."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, read_evidence

DATA = Path(__file__).parent / "data"
BY_RESULT = DATA / "oneroster-results"
BY_LINE_ITEM = DATA / "oneroster-lineitems"
OBJECTIVES = {"lo-6rpa1": "6.RP.A.1", "lo-6rpa2": "6.RP.A.2"}
OPTIONS = {"objectives": OBJECTIVES, "scale": (1, 4)}


def test_result_objective_scores_become_evidence_on_the_competency_scale() -> None:
    results = list(read_evidence(BY_RESULT, options=OPTIONS))
    file = str(BY_RESULT / "results.csv")
    evidence = [r for r in results if isinstance(r, Evidence)]
    assert evidence == [
        Evidence(
            "stu-ana",
            "6.RP.A.1",
            Decimal("3.4"),
            dt.date(2026, 1, 13),
            "quiz",
            None,
            "rlo-1a",
            school="school-1",
        ),
        Evidence(
            "stu-ana",
            "6.RP.A.2",
            Decimal("3.25"),
            dt.date(2026, 1, 13),
            "quiz",
            None,
            "rlo-1b",
            school="school-1",
        ),
        Evidence(
            "stu-ana",
            "6.RP.A.2",
            Decimal(3),
            dt.date(2026, 1, 20),
            "performance_task",
            None,
            "rlo-3a",
            school="school-1",
        ),
    ]
    assert evidence[0].origin == Origin(file, 2, "result res-1")
    assert [r for r in results if isinstance(r, Rejection)] == [
        Rejection(
            "MK332", "result is `submitted`, not fully graded", Origin(file, 3, "result res-2")
        ),
        Rejection("MK333", "result is marked `tobedeleted`", Origin(file, 5, "result res-4")),
        Rejection(
            "MK335",
            "line item `li-missing` is not in `lineItems.csv`",
            Origin(file, 6, "result res-5"),
        ),
        Rejection("MK334", "result has no learning objective", Origin(file, 7, "result res-6")),
        Rejection(
            "MK337",
            "line item `li-broken` has resultValueMin `10` and resultValueMax `5`, "
            "not a score range",
            Origin(file, 8, "result res-7"),
        ),
        Rejection(
            "MK315", "score `25` is outside the raw range 0..20", Origin(file, 9, "result res-8")
        ),
    ]
    summary = ReadSummary.of(results)
    assert (summary.read, summary.used, summary.reconciles) == (9, 3, True)
    # a result not yet graded and a deleted one are not mistakes in the export
    assert summary.skipped == {"MK332": 1, "MK333": 1}


def test_learning_objective_outside_the_mapping_is_rejected() -> None:
    results = list(read_evidence(BY_RESULT, options={"objectives": {}, "scale": (1, 4)}))
    assert results[0] == Rejection(
        "MK336",
        "learning objective `lo-6rpa1` is not in the `objectives` mapping",
        Origin(str(BY_RESULT / "results.csv"), 2, "result res-1"),
    )


def test_rescaling_needs_the_competency_scale() -> None:
    results = list(read_evidence(BY_RESULT, options={"objectives": OBJECTIVES}))
    assert results[0] == Rejection(
        "MK317",
        "no scale for competency `6.RP.A.1` to rescale the score onto",
        Origin(str(BY_RESULT / "results.csv"), 2, "result res-1"),
    )


def test_line_item_objectives_give_the_result_score_to_each_objective() -> None:
    results = list(read_evidence(BY_LINE_ITEM, format="oneroster", options={"scale": (1, 4)}))
    file = str(BY_LINE_ITEM / "results.csv")
    assert results == [
        Evidence(
            "stu-ana",
            "lo-6rpa1",
            Decimal("2.5"),
            dt.date(2026, 1, 13),
            source_id="res-1:lo-6rpa1",
            school="school-1",
        ),
        Evidence(
            "stu-ana",
            "lo-6rpa2",
            Decimal("2.5"),
            dt.date(2026, 1, 13),
            source_id="res-1:lo-6rpa2",
            school="school-1",
        ),
        Evidence(
            "stu-ana",
            "lo-6rpa3",
            Decimal(4),
            dt.datetime(2026, 1, 20, 9, 30),
            source_id="res-2:lo-6rpa3",
            school="school-1",
        ),
        Rejection("MK334", "result has no learning objective", Origin(file, 4, "result res-3")),
    ]


def test_folder_without_results_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(tmp_path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK331",
        f"missing `results.csv` in `{tmp_path}`",
    )


def test_folder_without_objective_files_is_an_error(tmp_path: Path) -> None:
    for name in ("results.csv", "lineItems.csv"):
        shutil.copy(BY_RESULT / name, tmp_path / name)
    with pytest.raises(EvidenceError) as caught:
        read_evidence(tmp_path, format="oneroster")
    assert caught.value.diagnostics[0].message == (
        "missing `resultLearningObjectiveIds.csv` or `lineItemLearningObjectiveIds.csv` "
        f"in `{tmp_path}`"
    )


def test_oneroster_path_must_be_a_folder() -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(BY_RESULT / "results.csv", format="oneroster")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK300",
        f"cannot read `{BY_RESULT / 'results.csv'}`: a OneRoster export must be a folder",
    )


def test_results_without_a_required_column_are_an_error_for_the_whole_file(
    tmp_path: Path,
) -> None:
    for name in ("lineItems.csv", "resultLearningObjectiveIds.csv"):
        shutil.copy(BY_RESULT / name, tmp_path / name)
    (tmp_path / "results.csv").write_text("sourcedId,score\nres-1,3\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(tmp_path))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location, diagnostic.help) == (
        "MK306",
        "missing column `lineItemSourcedId` in the header, so no row of the file is read",
        f"{tmp_path / 'results.csv'} line 1",
        "columns are found by their names, exactly as written",
    )


def test_oneroster_options_are_checked() -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(BY_RESULT, options={"objectives": ["lo-1"]})
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK302",
        "option `objectives` must map learning objective ids to competency codes",
    )


def test_kind_option_overrides_the_category_title() -> None:
    results = list(read_evidence(BY_RESULT, options={**OPTIONS, "kind": "common_assessment"}))
    assert {r.kind for r in results if isinstance(r, Evidence)} == {"common_assessment"}
