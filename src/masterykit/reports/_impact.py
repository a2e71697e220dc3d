"""An impact report (:mod:`masterykit.impact`) as text, as rows of changed learners, and as one
self-contained HTML page made with the district report's templates, palette and charts.

Everything here reads an :class:`~masterykit.impact.ImpactReport` and sums nothing again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from masterykit.reports._district import DISTRICT
from masterykit.reports._render import _aligned, _environment, _percent, _svg

if TYPE_CHECKING:
    from masterykit.impact import ChangedLearner, GroupRate, ImpactReport

__all__ = [
    "CHANGED_COLUMNS",
    "changed_csv_rows",
    "changed_jsonl_lines",
    "impact_lines",
    "render_impact_html",
]

#: The columns of the changed learners' CSV file (and the keys of its JSON Lines).
CHANGED_COLUMNS: Final = ("as_of", "learner", "scope", "subject", "before", "after", "reason")

#: The scopes the text and the charts lead with: decisions and pace.
_DECISIONS: Final = ("requirement", "advancement", "graduation", "pace")

_SCOPE_WORDS: Final = {
    "any": "any outcome",
    "competency": "competency statuses",
    "requirement": "requirements",
    "advancement": "advancements",
    "graduation": "graduation",
    "pace": "pace",
}


def _words(outcome: str) -> str:
    return outcome.replace("_", " ")


def _moves(moves: Sequence[tuple[str, str, int]]) -> str:
    return ", ".join(f"{_words(was)} → {_words(now)} {count}" for was, now, count in moves)


def _summary_rows(report: ImpactReport) -> list[list[str]]:
    rows = []
    for scope in report.scopes:
        rows.append(
            [
                scope.as_of.isoformat(),
                _SCOPE_WORDS[scope.scope],
                f"{scope.changed} of {scope.learners}",
                _moves(scope.transitions),
            ]
        )
    return rows


def _subject(rate: GroupRate) -> str:
    if rate.scope == "any":
        return "any change"
    if rate.scope == "competency":
        return f"{rate.subject} proficient"
    if rate.scope == "pace":
        return "pace on track or complete"
    if rate.scope == "graduation":
        return "graduation met"
    return f"{rate.scope} {rate.subject} met"


def _shown(rate: GroupRate, min_group: int) -> list[str]:
    if rate.suppressed:
        hidden = f"fewer than {min_group}" if rate.small else "hidden with a smaller group"
        return [hidden, "", "", ""]
    if rate.scope == "any":
        # Every learner is unchanged before: only the share that changes says anything.
        return ["", f"{_percent(rate.after)} ({rate.after_count}/{rate.total})", "", ""]
    change = "" if rate.change is None else f"{100 * rate.change:+.1f} points"
    return [
        f"{_percent(rate.before)} ({rate.before_count}/{rate.total})",
        f"{_percent(rate.after)} ({rate.after_count}/{rate.total})",
        change,
        str(rate.changed),
    ]


def _rate_rows(report: ImpactReport, scopes: Sequence[str]) -> list[list[str]]:
    return [
        [
            rate.as_of.isoformat(),
            _subject(rate),
            "district" if rate.by == DISTRICT else rate.by,
            rate.group,
            *_shown(rate, report.min_group),
        ]
        for rate in report.groups
        if rate.scope in scopes
    ]


def _gap_rows(report: ImpactReport, scopes: Sequence[str]) -> list[list[str]]:
    return [
        [
            gap.as_of.isoformat(),
            f"{gap.scope} {gap.subject}" if gap.scope not in ("graduation", "pace") else gap.scope,
            gap.by,
            f"{100 * gap.before:.1f} points",
            f"{100 * gap.after:.1f} points",
            gap.direction,
            f"{gap.lowest} to {gap.highest}",
        ]
        for gap in report.gaps
        if gap.scope in scopes
    ]


_SUMMARY_HEADER: Final = ["as of", "outcome", "learners changed", "directions"]
_RATE_HEADER: Final = ["as of", "measure", "by", "group", "before", "after", "change", "changed"]
_GAP_HEADER: Final = ["as of", "measure", "by", "gap before", "gap after", "", "lowest to highest"]


def impact_lines(report: ImpactReport) -> list[str]:
    """``--format text``: learners with a change per date and scope with the directions, then
    each group's decision and pace rates before and after, then the gaps between groups."""
    lines = [
        f"{report.learners} learners, evaluated under both policies with the same evidence",
        "",
    ]
    lines.extend(_aligned([_SUMMARY_HEADER, *_summary_rows(report)]))
    rates = _rate_rows(report, ("any", *_DECISIONS))
    if rates:
        lines.append("")
        lines.extend(_aligned([_RATE_HEADER, *rates]))
    gaps = _gap_rows(report, _DECISIONS)
    if gaps:
        lines.append("")
        lines.extend(_aligned([_GAP_HEADER, *gaps]))
    lines.append("")
    lines.append(
        f"groups of fewer than {report.min_group} learners are not shown (`--min-group`); "
        "the next smallest groups are hidden with them until at least two groups and "
        f"{report.min_group} learners are hidden, so no hidden figure can be worked out; "
        "every competency's rates are in the JSON output"
    )
    return lines


def changed_csv_rows(changed: Sequence[ChangedLearner]) -> Iterator[tuple[str, ...]]:
    """The changed learners' CSV rows: a header of :data:`CHANGED_COLUMNS`, then one row per
    changed outcome (cells guarded against spreadsheet formulas)."""
    from masterykit.batch import guard_cell

    yield CHANGED_COLUMNS
    for item in changed:
        yield tuple(guard_cell(cell) for cell in _changed_cells(item))


def _changed_cells(item: ChangedLearner) -> tuple[str, ...]:
    return (
        item.as_of.isoformat(),
        item.learner,
        item.scope,
        item.subject,
        item.before,
        item.after,
        item.reason,
    )


def changed_jsonl_lines(changed: Sequence[ChangedLearner]) -> Iterator[str]:
    """One JSON object per changed outcome, keys :data:`CHANGED_COLUMNS`."""
    for item in changed:
        yield json.dumps(dict(zip(CHANGED_COLUMNS, _changed_cells(item), strict=True)))


def _decision_chart(report: ImpactReport, by: str, as_of: dt.date) -> dict[str, Any] | None:
    """Each group's decision and pace rates before and after, beside the district."""
    data = []
    for rate in report.groups:
        if (
            rate.as_of != as_of
            or rate.by not in (by, DISTRICT)
            or rate.scope not in _DECISIONS
            or rate.suppressed
            or rate.before is None
        ):
            continue
        group = "district" if rate.by == DISTRICT else rate.group
        measure = _subject(rate)
        data.append({"measure": measure, "group": group, "policy": "old", "rate": rate.before})
        data.append({"measure": measure, "group": group, "policy": "new", "rate": rate.after})
    if all(row["group"] == "district" for row in data):
        return None  # every group is suppressed: the district alone is in the summary
    return {
        "data": {"values": data},
        "facet": {
            "row": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 12},
            }
        },
        "spec": {
            "width": 360,
            "mark": "bar",
            "encoding": {
                "x": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": "share of learners",
                    "axis": {"format": "%"},
                    "scale": {"domain": [0, 1]},
                },
                "y": {"field": "group", "type": "nominal", "title": None},
                "yOffset": {"field": "policy", "sort": ["old", "new"]},
                "color": {
                    "field": "policy",
                    "type": "nominal",
                    "title": "policy",
                    "sort": ["old", "new"],
                },
            },
        },
    }


def _directions_chart(report: ImpactReport, as_of: dt.date) -> dict[str, Any] | None:
    """How many outcomes moved in each direction, per scope, on ``as_of``."""
    data = [
        {
            "scope": _SCOPE_WORDS[scope.scope],
            "direction": f"{_words(was)} → {_words(now)}",
            "count": count,
        }
        for scope in report.scopes
        if scope.as_of == as_of
        for was, now, count in scope.transitions
    ]
    if not data:
        return None
    return {
        "data": {"values": data},
        "facet": {
            "row": {
                "field": "scope",
                "type": "nominal",
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 12},
            }
        },
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 360,
            "mark": "bar",
            "encoding": {
                "x": {"field": "count", "type": "quantitative", "title": "outcomes changed"},
                "y": {"field": "direction", "type": "nominal", "title": None, "sort": "-x"},
                "color": {"value": "#0072B2"},
            },
        },
    }


def render_impact_html(report: ImpactReport, *, title: str | None = None) -> str:
    """One self-contained HTML page of an impact report, with the district report's layout:
    each chart inline SVG with a table of the same figures and a text alternative."""
    latest = report.as_of[-1] if report.as_of else None
    charts: list[dict[str, Any]] = []
    if latest is not None:
        directions = _directions_chart(report, latest)
        if directions is not None:
            charts.append(
                {
                    "id": "directions",
                    "title": f"Directions of change, as of {latest.isoformat()}",
                    "alt": "Bar charts, one per kind of outcome, of how many outcomes move in "
                    "each direction (such as proficient to insufficient) under the new policy; "
                    "the table with the chart gives every figure.",
                    "svg": _svg(directions),
                    "header": _SUMMARY_HEADER,
                    "rows": [r for r in _summary_rows(report) if r[0] == latest.isoformat()],
                }
            )
        for by in report.by:
            spec = _decision_chart(report, by, latest)
            if spec is None:
                continue
            charts.append(
                {
                    "id": f"decisions-{by}",
                    "title": f"Decisions by {by} under both policies, as of {latest.isoformat()}",
                    "alt": f"Bar charts, one per requirement, advancement, graduation and pace, "
                    f"of the share of learners who meet it in each {by} group and in the "
                    "district, under the old policy and under the new one; the table with the "
                    "chart gives every figure.",
                    "svg": _svg(spec),
                    "header": _RATE_HEADER,
                    "rows": [
                        row
                        for row in _rate_rows(report, _DECISIONS)
                        if row[0] == latest.isoformat() and row[2] in (by, "district")
                    ],
                }
            )
    template = _environment().get_template("impact.html.j2")
    return template.render(
        title=title or f"{report.new.name}: what changes for learners",
        report=report,
        charts=charts,
        summary_header=_SUMMARY_HEADER,
        summary=_summary_rows(report),
        gaps_header=_GAP_HEADER,
        gaps=_gap_rows(report, ("competency", *_DECISIONS)),
    )
