"""Calibration: does "proficient" mean the same in every school?

The seeds of competency education put district-led calibration at the top of what makes it
viable: a district must make sure that schools serving poorer communities are not determining
proficiency at lower levels than others. The policy names the district's **common assessments**
(``common kind …`` in ``kinds { }``); this module compares, for the same learners and the same
competencies, what classroom evidence says with what the common assessments say.

For each learner and competency with evidence of both sources, the competency is evaluated twice
under the policy's own calculation, cut and window — once on the classroom evidence alone, once
on the common assessments alone — with the evidence-count rules set aside (one common assessment
is rarely "enough evidence" on its own, yet it is what calibration compares with). Each source
gives a score, a level and whether it reaches the cut. Per group (school) and competency the
report gives both proficiency rates, the gap (classroom minus common) with a 95% t interval over
learners, and the same for the mean level.

A group is **flagged** when its classroom proficiency runs ahead of its common-assessment
proficiency by more than ``threshold``: a one-sided t test over its learners (each learner's
mean gap across their paired competencies, so learners are independent), with Holm's correction
across groups, so the chance of flagging any group wrongly is at most 5%. Groups of fewer than
``min_group`` learners are suppressed, as in the district reports.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from masterykit.diagnostics import Diagnostic
from masterykit.reports._district import NOT_RECORDED, ReportError
from masterykit.reports._privacy import DEFAULT_MIN_GROUP, suppressed

if TYPE_CHECKING:
    import pandas
    import pyarrow

    from masterykit.evidence import Evidence, Learner
    from masterykit.policy import Policy
    from masterykit.reports._raters import RaterAgreement

__all__ = [
    "ALL_COMPETENCIES",
    "CALIBRATION_COLUMNS",
    "CALIBRATION_SCHEMA",
    "DEFAULT_THRESHOLD",
    "Calibration",
    "CalibrationCell",
    "calibrate",
    "calibration_csv_rows",
    "calibration_document",
    "calibration_lines",
    "render_calibration_html",
]

#: The ``competency`` of a group's row over all its paired competencies.
ALL_COMPETENCIES: Final = "all"

#: How far (a share, 0.10 = ten percentage points) classroom proficiency may run ahead of the
#: common assessments before a school is flagged.
DEFAULT_THRESHOLD: Final = 0.10


@attrs.frozen(slots=True)
class CalibrationCell:
    """One group's comparison on one competency (or on all of them: :data:`ALL_COMPETENCIES`).

    ``learners`` have evidence of both sources on the competency (for the ``all`` row: on at
    least one); ``pairs`` counts learner–competency pairs. ``classroom_rate`` and
    ``common_rate`` are the shares of pairs at or above the cut from each source; ``gap`` is
    their difference (classroom minus common) with its 95% interval ``gap_low``–``gap_high``.
    ``classroom_level`` and ``common_level`` are the mean level values, ``level_gap`` their
    difference. ``p_value`` (``all`` rows only) tests that the gap is above the threshold,
    ``adjusted`` is it after Holm's correction across groups, and ``flagged`` says the group
    runs ahead. A suppressed cell has only its names.
    """

    by: str
    group: str
    competency: str
    learners: int | None
    pairs: int | None
    classroom_rate: float | None
    common_rate: float | None
    gap: float | None
    gap_low: float | None
    gap_high: float | None
    classroom_level: float | None
    common_level: float | None
    level_gap: float | None
    p_value: float | None = None
    adjusted: float | None = None
    flagged: bool = False
    suppressed: bool = False

    def to_row(self) -> dict[str, Any]:
        """The cell as a plain mapping of :data:`CALIBRATION_COLUMNS` to values."""
        return {column: getattr(self, column) for column in CALIBRATION_COLUMNS}


#: The fields of a :class:`CalibrationCell`, in order.
CALIBRATION_COLUMNS: Final[tuple[str, ...]] = tuple(a.name for a in attrs.fields(CalibrationCell))


@attrs.frozen(slots=True)
class Calibration:
    """Classroom evidence against the common assessments, by group, on one date."""

    by: str
    as_of: dt.date
    common_kinds: tuple[str, ...]
    threshold: float
    min_group: int
    cells: tuple[CalibrationCell, ...]

    @property
    def flagged(self) -> tuple[str, ...]:
        """The groups whose classroom proficiency runs ahead of the common assessments."""
        return tuple(
            cell.group
            for cell in self.cells
            if cell.flagged and cell.competency == ALL_COMPETENCIES
        )

    def overall(self) -> tuple[CalibrationCell, ...]:
        """Each group's row over all competencies, the district's first."""
        return tuple(cell for cell in self.cells if cell.competency == ALL_COMPETENCIES)

    def to_rows(self) -> list[dict[str, Any]]:
        """One mapping per cell, keys :data:`CALIBRATION_COLUMNS`."""
        return [cell.to_row() for cell in self.cells]

    def to_pandas(self) -> pandas.DataFrame:
        """The cells as a pandas ``DataFrame``."""
        import pandas

        return pandas.DataFrame(self.to_rows(), columns=list(CALIBRATION_COLUMNS))

    def to_arrow(self) -> pyarrow.Table:
        """The cells as a pyarrow ``Table`` (missing values are nulls)."""
        import pyarrow

        return pyarrow.Table.from_pylist(self.to_rows())


@attrs.frozen(slots=True)
class _Pair:
    """One learner's two readings of one competency."""

    classroom_proficient: bool
    common_proficient: bool
    classroom_level: float
    common_level: float


def calibrate(
    policy: Policy,
    learners: Iterable[Learner],
    evidence: Iterable[Evidence],
    *,
    by: str,
    as_of: dt.date,
    common: Iterable[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    min_group: int = DEFAULT_MIN_GROUP,
) -> Calibration:
    """Compare classroom evidence with the common assessments, by the learner attribute ``by``.

    ``common`` names the common-assessment kinds; by default the policy's ``common kind``
    declarations.

    Raises:
        ReportError: no common kinds (``MK730``), or no learner has evidence of both sources
            (``MK731``).
    """
    from masterykit.engine import evaluate

    kinds = tuple(sorted(set(common) if common is not None else policy.common_kinds))
    if not kinds:
        raise ReportError(
            [
                Diagnostic(
                    "MK730",
                    f"policy `{policy.name}` names no common assessments",
                    help="mark them in the policy (`kinds { common kind district_test }`) "
                    "or name their kinds with `--common`",
                )
            ]
        )
    roster = list(learners)
    groups = {learner.id: _group(learner, by) for learner in roster}
    pieces = list(evidence)
    known = set(groups)
    classroom = [p for p in pieces if p.kind not in kinds and p.learner in known]
    assessed = [p for p in pieces if p.kind in kinds and p.learner in known]
    view = _without_counts(policy)
    first = evaluate(view, roster, classroom, as_of=as_of)
    second = evaluate(view, roster, assessed, as_of=as_of)
    pairs: dict[str, dict[str, _Pair]] = {}
    for left, right in zip(first.learners, second.learners, strict=True):
        for code, mine in left.competencies.items():
            theirs = right.competencies[code]
            if mine.score is None or theirs.score is None:
                continue
            scale = policy.competencies[code].scale
            cut = mine.cut.cut
            pairs.setdefault(left.learner.id, {})[code] = _Pair(
                mine.score >= cut,
                theirs.score >= cut,
                _level(scale.level_for(mine.score)),
                _level(scale.level_for(theirs.score)),
            )
    if not pairs:
        raise ReportError(
            [
                Diagnostic(
                    "MK731",
                    "no learner has both classroom evidence and a common assessment on the "
                    "same competency",
                    help=f"the common kinds are {', '.join(f'`{k}`' for k in kinds)}; check "
                    "that the evidence names them exactly",
                )
            ]
        )
    members: dict[str, list[str]] = {}
    for learner_id in pairs:
        members.setdefault(groups[learner_id], []).append(learner_id)
    hidden = suppressed({g: len(ids) for g, ids in members.items()}, min_group)
    cells = [*_cells("district", "all", list(pairs), pairs, policy, threshold)]
    group_rows: list[list[CalibrationCell]] = []
    for group in sorted(members):
        if group in hidden:
            group_rows.append([_hidden(by, group)])
            continue
        group_rows.append(_cells(by, group, members[group], pairs, policy, threshold))
    _adjust(group_rows)
    for rows in group_rows:
        cells.extend(rows)
    return Calibration(by, as_of, kinds, threshold, min_group, tuple(_private(cells, min_group)))


def _hidden(by: str, group: str, competency: str = ALL_COMPETENCIES) -> CalibrationCell:
    return CalibrationCell(
        by, group, competency, None, None, None, None, None, None, None, None, None, None,
        suppressed=True,
    )  # fmt: skip


def _private(cells: list[CalibrationCell], min_group: int) -> list[CalibrationCell]:
    """The cells with each competency's small groups suppressed, as the groups themselves are:
    fewer than ``min_group`` learners, and the next smallest with them so that no hidden figure
    can be worked out from the district's."""
    totals: dict[str, dict[str, int]] = {}
    for cell in cells:
        if cell.by != "district" and cell.competency != ALL_COMPETENCIES and cell.learners:
            totals.setdefault(cell.competency, {})[cell.group] = cell.learners
    hidden = {code: suppressed(groups, min_group) for code, groups in totals.items()}
    return [
        _hidden(cell.by, cell.group, cell.competency)
        if cell.by != "district" and cell.group in hidden.get(cell.competency, ())
        else cell
        for cell in cells
    ]


def _group(learner: Learner, by: str) -> str:
    value = learner.attributes.get(by)
    return NOT_RECORDED if value is None else str(value)


def _level(level: Any) -> float:
    return math.nan if level is None else float(level.value)


def _without_counts(policy: Policy) -> Policy:
    """``policy`` with its evidence-count and variety rules set aside: the calculation, the cut
    and the window stay."""
    rules = {
        code: attrs.evolve(rules, counts=(), variety=None) for code, rules in policy.rules.items()
    }
    return attrs.evolve(policy, rules=rules, kinds={})


def _cells(
    by: str,
    group: str,
    learner_ids: Sequence[str],
    pairs: Mapping[str, Mapping[str, _Pair]],
    policy: Policy,
    threshold: float,
) -> list[CalibrationCell]:
    """The group's row over all competencies (each learner weighs the same, whatever the
    number of their paired competencies) and one row per competency."""
    from masterykit.reports._stats import exceeds

    units = [list(pairs[i].values()) for i in learner_ids]
    overall = _cell(by, group, ALL_COMPETENCIES, units)
    gaps = [_share(unit, "classroom") - _share(unit, "common") for unit in units]
    rows = [attrs.evolve(overall, p_value=_number(exceeds(gaps, threshold)))]
    for code in policy.competencies:
        found = [[pairs[i][code]] for i in learner_ids if code in pairs[i]]
        if found:
            rows.append(_cell(by, group, code, found))
    return rows


def _share(unit: Sequence[_Pair], source: str) -> float:
    if source == "classroom":
        return sum(p.classroom_proficient for p in unit) / len(unit)
    return sum(p.common_proficient for p in unit) / len(unit)


def _cell(
    by: str, group: str, competency: str, units: Sequence[Sequence[_Pair]]
) -> CalibrationCell:
    """A cell over learners (``units``: each learner's pairs), every learner weighing the same:
    rates and levels are means of each learner's own means, and the interval is a t interval
    over learners."""
    from masterykit.reports._stats import mean_interval

    mine = [_share(unit, "classroom") for unit in units]
    theirs = [_share(unit, "common") for unit in units]
    _, low, high, _ = mean_interval([a - b for a, b in zip(mine, theirs, strict=True)])
    my_level = _mean([_mean([p.classroom_level for p in unit]) or math.nan for unit in units])
    their_level = _mean([_mean([p.common_level for p in unit]) or math.nan for unit in units])
    classroom_rate = sum(mine) / len(mine)
    common_rate = sum(theirs) / len(theirs)
    return CalibrationCell(
        by,
        group,
        competency,
        len(units),
        sum(len(unit) for unit in units),
        classroom_rate,
        common_rate,
        classroom_rate - common_rate,
        _number(low),
        _number(high),
        my_level,
        their_level,
        None if my_level is None or their_level is None else my_level - their_level,
    )


def _adjust(group_rows: list[list[CalibrationCell]]) -> None:
    """Holm's correction of the groups' p-values; flag where the adjusted one is below 5%."""
    from masterykit.reports._stats import holm

    p_values = [rows[0].p_value for rows in group_rows]
    adjusted = holm([math.nan if p is None else p for p in p_values])
    for rows, value in zip(group_rows, adjusted, strict=True):
        if rows[0].suppressed:
            continue
        shown = _number(value)
        rows[0] = attrs.evolve(rows[0], adjusted=shown, flagged=shown is not None and shown < 0.05)


def _mean(values: Sequence[float]) -> float | None:
    known = [v for v in values if not math.isnan(v)]
    return sum(known) / len(known) if known else None


def _number(value: float | Decimal | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


# --- output ------------------------------------------------------------------------------------

#: The ``schema`` value of ``masterykit calibrate --format json``.
CALIBRATION_SCHEMA: Final = "masterykit/calibration/v1"


def calibration_document(
    calibration: Calibration,
    policy: Policy,
    raters: RaterAgreement | None = None,
    *,
    inputs: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The JSON document of a calibration (schema ``masterykit/calibration/v1``)."""
    from masterykit.reports._render import _plain, _raters_json

    return {
        "schema": CALIBRATION_SCHEMA,
        "policy": {"name": policy.name, "version": policy.version},
        "inputs": dict(inputs or {}),
        "as_of": calibration.as_of.isoformat(),
        "by": calibration.by,
        "common_kinds": list(calibration.common_kinds),
        "threshold": calibration.threshold,
        "min_group": calibration.min_group,
        "flagged": list(calibration.flagged),
        "cells": [_plain(row) for row in calibration.to_rows()],
        "raters": _raters_json(raters) if raters is not None else None,
    }


def calibration_csv_rows(calibration: Calibration) -> list[tuple[str, ...]]:
    """``--format csv``: a header of :data:`CALIBRATION_COLUMNS`, then one row per cell."""
    from masterykit.reports._render import _csv_text, _plain

    rows: list[tuple[str, ...]] = [CALIBRATION_COLUMNS]
    for row in calibration.to_rows():
        plain = _plain(row)
        rows.append(tuple(_csv_text(plain[column]) for column in CALIBRATION_COLUMNS))
    return rows


def calibration_lines(calibration: Calibration, raters: RaterAgreement | None = None) -> list[str]:
    """``--format table``: each group's classroom and common-assessment proficiency over all
    competencies, the gap with its interval, and whether it is flagged; then rater agreement."""
    from masterykit.reports._render import _aligned, _percent, _rater_rows

    rows = [
        ["group", "learners", "classroom", "common", "gap", "95% interval", "level gap", "flag"]
    ]
    for cell in calibration.overall():
        if cell.suppressed:
            rows.append([cell.group, f"fewer than {calibration.min_group}", "", "", "", "", "", ""])
            continue
        interval = (
            f"{_points(cell.gap_low)} to {_points(cell.gap_high)}"
            if cell.gap_low is not None and cell.gap_high is not None
            else ""
        )
        rows.append(
            [
                "district" if cell.by == "district" else cell.group,
                str(cell.learners),
                _percent(cell.classroom_rate),
                _percent(cell.common_rate),
                _points(cell.gap),
                interval,
                "" if cell.level_gap is None else f"{cell.level_gap:+.2f}",
                "runs ahead" if cell.flagged else "",
            ]
        )
    lines = _aligned(rows)
    if raters is not None:
        lines.append("")
        lines.extend(_aligned(_rater_rows(raters)))
    lines.append("")
    kinds = ", ".join(calibration.common_kinds)
    lines.append(
        f"classroom evidence against the common assessments ({kinds}) for the same learners "
        f"and competencies, as of {calibration.as_of.isoformat()}; a school is flagged when "
        f"its classroom proficiency runs more than {calibration.threshold:.0%} ahead "
        "(one-sided t test, Holm-corrected across schools); groups of fewer than "
        f"{calibration.min_group} learners are not shown"
    )
    if calibration.flagged:
        lines.append("flagged: " + ", ".join(calibration.flagged))
    return lines


def _points(value: float | None) -> str:
    """A difference of shares in percentage points (``+12.3 pts``)."""
    return "" if value is None else f"{value * 100:+.1f} pts"


def render_calibration_html(
    calibration: Calibration,
    policy: Policy,
    raters: RaterAgreement | None = None,
    *,
    title: str | None = None,
) -> str:
    """One self-contained HTML page of a calibration: the gap of each group as an inline SVG
    chart with the threshold, a table of the same figures beside it, every competency's figures,
    and rater agreement; nothing is fetched when it is viewed."""
    import jinja2

    from masterykit.reports._render import _percent, _rater_rows, _svg

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("masterykit.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    shown = [c for c in calibration.overall() if not c.suppressed and c.gap is not None]
    charts: list[dict[str, Any]] = []
    if shown:
        charts.append(
            {
                "id": "gaps",
                "title": f"Classroom against common assessments, by {calibration.by}",
                "alt": "Dot plot of each group's gap between classroom and common-assessment "
                "proficiency, in percentage points, with its 95% interval as a line and the "
                "threshold as a dashed line; flagged groups are marked with a triangle. The "
                "table with it gives every figure.",
                "svg": _svg(_gap_chart(calibration, shown)),
                "header": [
                    "group",
                    "learners",
                    "classroom",
                    "common",
                    "gap",
                    "95% interval",
                    "flag",
                ],
                "rows": [
                    [
                        "district" if c.by == "district" else c.group,
                        str(c.learners),
                        _percent(c.classroom_rate),
                        _percent(c.common_rate),
                        _points(c.gap),
                        f"{_points(c.gap_low)} to {_points(c.gap_high)}"
                        if c.gap_low is not None
                        else "",
                        "runs ahead" if c.flagged else "",
                    ]
                    for c in shown
                ],
            }
        )
    competency_rows = [
        [
            "district" if c.by == "district" else c.group,
            c.competency,
            f"fewer than {calibration.min_group}" if c.suppressed else str(c.learners),
            _percent(c.classroom_rate),
            _percent(c.common_rate),
            _points(c.gap),
            "" if c.level_gap is None else f"{c.level_gap:+.2f}",
        ]
        for c in calibration.cells
        if c.competency != ALL_COMPETENCIES or c.suppressed
    ]
    template = environment.get_template("calibration.html.j2")
    return template.render(
        title=title or f"{policy.name}: calibration against the common assessments",
        policy=policy,
        calibration=calibration,
        charts=charts,
        competency_header=_COMPETENCY_HEADER,
        competency_rows=competency_rows,
        rater_lines=_rater_rows(raters) if raters is not None else [],
    )


_COMPETENCY_HEADER = ("group", "competency", "learners", "classroom", "common", "gap", "level gap")


def _gap_chart(calibration: Calibration, shown: Sequence[CalibrationCell]) -> dict[str, Any]:
    """Each group's gap (points) with its interval, the threshold as a dashed rule."""
    data = [
        {
            "group": "district" if c.by == "district" else c.group,
            "gap": 100 * (c.gap or 0.0),
            "low": None if c.gap_low is None else 100 * c.gap_low,
            "high": None if c.gap_high is None else 100 * c.gap_high,
            "flag": "runs ahead" if c.flagged else "within the threshold",
        }
        for c in shown
    ]
    y = {"field": "group", "type": "nominal", "title": None, "sort": None}
    x = {"field": "gap", "type": "quantitative", "title": "classroom minus common (points)"}
    return {
        "width": 420,
        "layer": [
            {
                "data": {"values": [{"threshold": 100 * calibration.threshold}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555555"},
                "encoding": {"x": {"field": "threshold", "type": "quantitative"}},
            },
            {
                "data": {"values": [row for row in data if row["low"] is not None]},
                "mark": {"type": "rule", "color": "#000000"},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                    "y": y,
                },
            },
            {
                "data": {"values": data},
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "x": x,
                    "y": y,
                    "shape": {
                        "field": "flag",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["within the threshold", "runs ahead"],
                            "range": ["circle", "triangle-up"],
                        },
                    },
                    "color": {
                        "field": "flag",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["within the threshold", "runs ahead"],
                            "range": ["#0072B2", "#D55E00"],
                        },
                    },
                },
            },
        ],
    }
