"""A report as JSON, CSV rows, aligned text, and one self-contained HTML page.

Every output reads the same values: :meth:`~masterykit.reports.Table.to_rows` for cells and
:meth:`~masterykit.reports.RaterAgreement.to_rows` for agreement; nothing here sums or tests
anything again. Charts are Vega-Lite specifications rendered to inline SVG when the page is
built (by ``vl-convert``, which needs no browser and no network), so the page shows its charts
offline; each chart has a table of the same figures beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from masterykit.reports._district import CELL_COLUMNS, DISTRICT, Cell, DistrictReport
from masterykit.reports._raters import RaterAgreement

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "PALETTE",
    "REPORT_SCHEMA",
    "csv_rows",
    "render_html",
    "report_document",
    "table_lines",
]

#: The ``schema`` value of ``masterykit report --format json``.
REPORT_SCHEMA: Final = "masterykit/report/v1"

#: The Okabe–Ito palette: eight colours told apart with every common colour-vision deficiency.
PALETTE: Final = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)

#: Decimal places kept for rates in JSON and CSV.
_PLACES: Final = 6


def _number(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, _PLACES)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (
            value.isoformat()
            if isinstance(value, dt.date)
            else _number(value)
            if isinstance(value, float)
            else value
        )
        for key, value in row.items()
    }


def report_document(
    report: DistrictReport,
    raters: RaterAgreement | None = None,
    *,
    inputs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of a report (schema ``masterykit/report/v1``)."""
    return {
        "schema": REPORT_SCHEMA,
        "policy": {"name": report.policy, "version": report.version},
        "inputs": inputs or {},
        "as_of": [day.isoformat() for day in report.as_of],
        "by": list(report.by),
        "min_group": report.min_group,
        "cells": [_plain(row) for row in report.to_rows()],
        "members": (
            {
                by: {g: list(ids) for g, ids in groups.items()}
                for by, groups in report.members.items()
            }
            if report.members is not None
            else None
        ),
        "raters": _raters_json(raters) if raters is not None else None,
    }


def _raters_json(raters: RaterAgreement) -> dict[str, Any]:
    return {
        "ratings": raters.ratings,
        "min_group": raters.min_group,
        "summaries": [_plain(row) for row in raters.to_rows("summaries")],
        "pairs": [_plain(row) for row in raters.to_rows("pairs")],
        "raters": [_plain(row) for row in raters.to_rows("raters")],
    }


def csv_rows(report: DistrictReport) -> Iterator[tuple[str, ...]]:
    """The rows of ``--format csv``: a header of :data:`CELL_COLUMNS`, then one row per cell.

    A suppressed cell has empty figures and ``suppressed`` set to ``true``.
    """
    yield CELL_COLUMNS
    for row in report.to_rows():
        plain = _plain(row)
        yield tuple(_csv_text(plain[column]) for column in CELL_COLUMNS)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _shown(cell: Cell, min_group: int) -> str:
    """A cell's rate as a person reads it: ``41.2% (7/17)``, or ``fewer than 10``."""
    if cell.suppressed:
        return f"fewer than {min_group}" if cell.small else "hidden with a smaller group"
    if cell.scope == "evidence":
        return "" if cell.value is None else f"{cell.value:.1f}"
    return f"{_percent(cell.value)} ({cell.count}/{cell.total})"


def _headline(report: DistrictReport) -> list[Cell]:
    """The cells the text and HTML reports lead with: decisions, pace and evidence."""
    return [
        c
        for c in report.cells
        if c.scope in ("requirement", "advancement", "graduation", "evidence")
        or (c.scope == "competency" and c.measure == "proficient")
        or (c.scope == "pace" and c.measure in ("on_track", "off_track"))
    ]


def _side_by_side(report: DistrictReport, cells: Sequence[Cell]) -> list[list[str]]:
    """Rows of (subject, measure, breakdown, group, one column per date)."""
    by_key: dict[tuple[str, str, str, str, str], dict[dt.date, Cell]] = {}
    for cell in cells:
        key = (cell.scope, cell.subject, cell.measure, cell.by, cell.group)
        by_key.setdefault(key, {})[cell.as_of] = cell
    rows = []
    for (scope, subject, measure, by, group), days in by_key.items():
        what = subject or scope
        if scope == "competency":
            what = f"{subject} {measure}"
        elif scope == "pace":
            what = f"pace {measure.replace('_', ' ')}"
        elif scope == "evidence":
            what = "evidence per learner"
        elif scope in ("requirement", "advancement"):
            what = f"{scope} {subject} met"
        elif scope == "graduation":
            what = "graduation met"
        shown = [_shown(days[d], report.min_group) if d in days else "" for d in report.as_of]
        rows.append([what, by if by != DISTRICT else "district", group, *shown])
    return rows


def table_lines(report: DistrictReport, raters: RaterAgreement | None = None) -> list[str]:
    """``--format table``: the decisions, pace, evidence and competency proficiency of every
    group, one column per date, then rater agreement."""
    header = ["measure", "by", "group", *(d.isoformat() for d in report.as_of)]
    rows = [header, *_side_by_side(report, _headline(report))]
    lines = _aligned(rows)
    if raters is not None:
        lines.append("")
        lines.extend(_aligned(_rater_rows(raters)))
    lines.append("")
    lines.append(
        f"groups of fewer than {report.min_group} learners are not shown (`--min-group`); "
        "the next smallest groups are hidden with them until at least two groups and "
        f"{report.min_group} learners are hidden, so no hidden figure can be worked out"
    )
    return lines


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in rows]


def _fixed(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _rater_rows(raters: RaterAgreement) -> list[list[str]]:
    rows = [["agreement", "by", "group", "work", "exact", "adjacent", "alpha"]]
    for s in raters.summaries:
        if s.suppressed:
            rows.append(["", s.by, s.group, f"fewer than {raters.min_group}", "", "", ""])
        else:
            rows.append(
                [
                    "",
                    s.by,
                    s.group,
                    str(s.artifacts),
                    _percent(s.exact),
                    _percent(s.adjacent),
                    _fixed(s.alpha, 3),
                ]
            )
    rows.append(["rater", "work", "difference", "95% interval", "p (Holm)", "flag", ""])
    for r in raters.raters:
        interval = f"{_fixed(r.low)} to {_fixed(r.high)}" if r.low is not None else ""
        rows.append(
            [
                r.rater,
                str(r.artifacts),
                f"{r.difference:+.2f}",
                interval,
                _fixed(r.p_value, 4),
                r.flag or "",
                "",
            ]
        )
    return rows


# --- HTML -------------------------------------------------------------------------------------


def _vega_config() -> dict[str, Any]:
    return {
        "font": "DejaVu Sans, Arial, sans-serif",
        "range": {"category": list(PALETTE)},
        "axis": {"labelFontSize": 12, "titleFontSize": 12},
        "legend": {"labelFontSize": 12, "titleFontSize": 12},
    }


def _svg(spec: dict[str, Any]) -> str:
    import vl_convert

    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", **spec}
    spec["config"] = _vega_config()
    svg: str = vl_convert.vegalite_to_svg(spec)
    return svg


def _decision_chart(report: DistrictReport, by: str, as_of: dt.date) -> dict[str, Any] | None:
    """Requirement, advancement and graduation rates of each group of ``by`` with intervals,
    beside the district, on ``as_of``."""
    data = [
        {
            "decision": c.subject,
            "group": c.group if c.by != DISTRICT else "district",
            "rate": c.value,
            "low": c.low,
            "high": c.high,
        }
        for c in report.decisions.rows
        if c.as_of == as_of and c.by in (by, DISTRICT) and not c.suppressed and c.value is not None
    ]
    if not data:
        return None
    x = {
        "field": "rate",
        "type": "quantitative",
        "title": "share of learners",
        "axis": {"format": "%"},
        "scale": {"domain": [0, 1]},
    }
    y = {"field": "group", "type": "nominal", "title": None}
    return {
        "data": {"values": data},
        "facet": {
            "row": {
                "field": "decision",
                "type": "nominal",
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 12},
            }
        },
        "spec": {
            "width": 360,
            "layer": [
                {
                    "mark": "bar",
                    "encoding": {
                        "x": x,
                        "y": y,
                        "color": {"field": "group", "type": "nominal", "title": by},
                    },
                },
                {
                    "mark": {"type": "rule", "color": "#000000"},
                    "encoding": {
                        "x": {"field": "low", "type": "quantitative"},
                        "x2": {"field": "high"},
                        "y": y,
                    },
                },
            ],
        },
    }


def _trend_chart(report: DistrictReport) -> dict[str, Any] | None:
    """District requirement, advancement and graduation rates across the dates."""
    data = [
        {"date": c.as_of.isoformat(), "decision": c.subject, "rate": c.value}
        for c in report.decisions.rows
        if c.by == DISTRICT and c.value is not None
    ]
    if len(report.as_of) < 2 or not data:
        return None
    return {
        "width": 420,
        "height": 240,
        "data": {"values": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {
                "field": "date",
                "type": "temporal",
                "title": "as of",
                "axis": {"values": [d.isoformat() for d in report.as_of], "format": "%Y-%m-%d"},
            },
            "y": {
                "field": "rate",
                "type": "quantitative",
                "title": "share of learners",
                "axis": {"format": "%"},
                "scale": {"domain": [0, 1]},
            },
            "color": {"field": "decision", "type": "nominal", "title": "decision"},
            "strokeDash": {"field": "decision", "type": "nominal"},
            "shape": {"field": "decision", "type": "nominal"},
        },
    }


def _rater_chart(raters: RaterAgreement) -> dict[str, Any] | None:
    data = [
        {
            "rater": r.rater,
            "difference": r.difference,
            "low": r.low,
            "high": r.high,
            "flag": r.flag or "not flagged",
        }
        for r in raters.raters
        if r.low is not None
    ]
    if not data:
        return None
    y = {"field": "rater", "type": "nominal", "title": None}
    return {
        "width": 360,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#000000"},
                "encoding": {
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": "points above the other raters of the same work",
                    },
                    "x2": {"field": "high"},
                    "y": y,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "x": {"field": "difference", "type": "quantitative"},
                    "y": y,
                    "color": {
                        "field": "flag",
                        "type": "nominal",
                        "title": "flag",
                        "scale": {
                            "domain": ["lenient", "not flagged", "severe"],
                            "range": ["#E69F00", "#0072B2", "#D55E00"],
                        },
                    },
                    "shape": {
                        "field": "flag",
                        "type": "nominal",
                        "scale": {
                            "domain": ["lenient", "not flagged", "severe"],
                            "range": ["triangle-up", "circle", "triangle-down"],
                        },
                    },
                },
            },
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555555"},
                "encoding": {"x": {"datum": 0}},
            },
        ],
    }


def _environment() -> jinja2.Environment:
    """The templates of every HTML report (they share one page layout and one chart block)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("masterykit.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    report: DistrictReport,
    raters: RaterAgreement | None = None,
    *,
    title: str | None = None,
) -> str:
    """One self-contained HTML page of the report: every chart inline SVG with a table of the
    same figures beside it, and text alternatives; nothing is fetched when it is viewed."""
    environment = _environment()
    latest = report.as_of[-1] if report.as_of else None
    charts: list[dict[str, Any]] = []
    for by in report.by:
        spec = _decision_chart(report, by, latest) if latest else None
        if spec is None:
            continue
        cells = [c for c in report.decisions.rows if c.as_of == latest and c.by in (by, DISTRICT)]
        charts.append(
            {
                "id": f"decisions-{by}",
                "title": f"Decisions by {by}, as of {latest.isoformat() if latest else ''}",
                "alt": f"Bar charts, one per requirement, advancement and graduation, of the share "
                f"of learners who meet it in each {by} group and in the whole district, with 95% "
                "intervals as lines; the table with the chart gives every figure.",
                "svg": _svg(spec),
                "header": ["decision", "group", "met", "95% interval", "difference from district"],
                "rows": [
                    [
                        c.subject,
                        "district" if c.by == DISTRICT else c.group,
                        _shown(c, report.min_group),
                        "" if c.suppressed else f"{_percent(c.low)} to {_percent(c.high)}",
                        ""
                        if c.difference is None or c.by == DISTRICT
                        else f"{100 * c.difference:+.1f} points",
                    ]
                    for c in cells
                ],
            }
        )
    trend = _trend_chart(report)
    if trend is not None:
        rows = _side_by_side(report, [c for c in report.decisions.rows if c.by == DISTRICT])
        charts.append(
            {
                "id": "trend",
                "title": "The district across the dates",
                "alt": "Line chart of the share of the district's learners meeting each "
                "requirement, advancement and graduation on each as-of date; the table with "
                "it gives every figure.",
                "svg": _svg(trend),
                "header": ["decision", "by", "group", *(d.isoformat() for d in report.as_of)],
                "rows": rows,
            }
        )
    rater_chart = _rater_chart(raters) if raters is not None else None
    if raters is not None and rater_chart is not None:
        charts.append(
            {
                "id": "raters",
                "title": "Rater severity",
                "alt": "Dot plot of each rater's mean difference from the other raters of the "
                "same work, with its 95% interval; severe raters are marked with a downward "
                "triangle, lenient ones with an upward triangle. The table with it gives "
                "every figure.",
                "svg": _svg(rater_chart),
                "header": ["rater", "work", "difference", "95% interval", "p (Holm)", "flag"],
                "rows": [r[:6] for r in _rater_rows(raters)[len(raters.summaries) + 2 :]],
            }
        )
    template = environment.get_template("report.html.j2")
    return template.render(
        title=title or f"{report.policy}: district report",
        report=report,
        charts=charts,
        headline_header=["measure", "by", "group", *(d.isoformat() for d in report.as_of)],
        headline=_side_by_side(report, _headline(report)),
        raters=raters,
        agreement=[r[1:] for r in _rater_rows(raters)[1 : len(raters.summaries) + 1]]
        if raters
        else [],
        pairs=raters.pairs if raters else (),
        fixed=_fixed,
        percent=_percent,
    )
