"""District reports: results by school and group, and agreement between raters.

This is the optional ``reports`` extra (``pip install 'masterykit[reports]'``); it sits above the
engine and the readers and nothing below it imports it.

* :func:`district_report` / :class:`ReportBuilder` — evaluations summed by learner attributes
  (school, IEP, English learner…) and by competency, area and decision, each group beside the
  district with a 95% Wilson score interval, small groups suppressed;
* :func:`read_ratings` and :func:`rater_agreement` — exact and adjacent agreement,
  quadratic-weighted Cohen's kappa per rater pair, Krippendorff's alpha overall and per group,
  and each rater's severity against the other raters of the same work;
* :func:`calibrate` — classroom evidence against the district's common assessments, by school,
  with the schools whose classroom proficiency runs ahead flagged;
* :func:`report_document` and :func:`render_html` — the JSON document
  (``masterykit/report/v1``) and a self-contained HTML page of a report;
* :func:`progress_html` and :func:`progress_pages` — a learner's progress report for their
  family, one self-contained printable page each, in one of :data:`LANGUAGES`.
* :func:`impact_lines`, :func:`render_impact_html`, :func:`changed_csv_rows` and
  :func:`changed_jsonl_lines` — an impact report (:mod:`masterykit.impact`) as text, as a page
  with the same layout, and its changed learners as CSV or JSON Lines.

Results are frozen values with ``to_rows()``, ``to_pandas()`` and ``to_arrow()``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from masterykit.reports._calibration import (
    ALL_COMPETENCIES,
    CALIBRATION_COLUMNS,
    CALIBRATION_SCHEMA,
    DEFAULT_THRESHOLD,
    Calibration,
    CalibrationCell,
    calibrate,
    calibration_csv_rows,
    calibration_document,
    calibration_lines,
    render_calibration_html,
)
from masterykit.reports._district import (
    CELL_COLUMNS,
    DISTRICT,
    NOT_RECORDED,
    SCOPES,
    Cell,
    DistrictReport,
    ReportBuilder,
    ReportError,
    Table,
    district_report,
    group_name,
)
from masterykit.reports._extra import EXTRA, missing_extra, missing_modules
from masterykit.reports._impact import (
    CHANGED_COLUMNS,
    changed_csv_rows,
    changed_jsonl_lines,
    impact_lines,
    render_impact_html,
)
from masterykit.reports._privacy import DEFAULT_MIN_GROUP, suppressed
from masterykit.reports._raters import (
    AgreementSummary,
    PairAgreement,
    RaterAgreement,
    RaterSeverity,
    Rating,
    rater_agreement,
    read_ratings,
)
from masterykit.reports._render import (
    PALETTE,
    REPORT_SCHEMA,
    csv_rows,
    render_html,
    report_document,
    table_lines,
)

if TYPE_CHECKING:
    from masterykit.reports._locale import LANGUAGES
    from masterykit.reports._progress import (
        ProgressPage,
        progress_html,
        progress_names,
        progress_pages,
    )

__all__ = [
    "ALL_COMPETENCIES",
    "CALIBRATION_COLUMNS",
    "CALIBRATION_SCHEMA",
    "CELL_COLUMNS",
    "CHANGED_COLUMNS",
    "DEFAULT_MIN_GROUP",
    "DEFAULT_THRESHOLD",
    "DISTRICT",
    "EXTRA",
    "LANGUAGES",
    "NOT_RECORDED",
    "PALETTE",
    "REPORT_SCHEMA",
    "SCOPES",
    "AgreementSummary",
    "Calibration",
    "CalibrationCell",
    "Cell",
    "DistrictReport",
    "PairAgreement",
    "ProgressPage",
    "RaterAgreement",
    "RaterSeverity",
    "Rating",
    "ReportBuilder",
    "ReportError",
    "Table",
    "calibrate",
    "calibration_csv_rows",
    "calibration_document",
    "calibration_lines",
    "changed_csv_rows",
    "changed_jsonl_lines",
    "csv_rows",
    "district_report",
    "group_name",
    "impact_lines",
    "missing_extra",
    "missing_modules",
    "progress_html",
    "progress_names",
    "progress_pages",
    "rater_agreement",
    "read_ratings",
    "render_calibration_html",
    "render_html",
    "render_impact_html",
    "report_document",
    "suppressed",
    "table_lines",
]


# Progress reports read the engine's wording, which imports the engine: they are loaded on first
# use, so `import masterykit` (which reaches this package through `masterykit.impact`) stays
# light.
_LAZY = {
    "LANGUAGES": "masterykit.reports._locale",
    "ProgressPage": "masterykit.reports._progress",
    "progress_html": "masterykit.reports._progress",
    "progress_names": "masterykit.reports._progress",
    "progress_pages": "masterykit.reports._progress",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'masterykit.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
