"""A learner's progress report: one self-contained, print-friendly HTML page for a family.

Each area with its competencies and levels, a timeline of the evidence on each competency (an
inline SVG chart with a table of the same pieces beside it), what is next, habits of work
(competencies of a kind other than ``academic``) apart from academics, and pace toward the
class's date and the extended date side by side. Every sentence comes from the renderer
(:mod:`masterykit.engine.render`) or from the template through the language's gettext catalog;
nothing here evaluates anything again.

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, Final

import attrs

from masterykit.engine.render import (
    Names,
    Translations,
    render_date,
    render_month,
    render_pace_plain,
    render_status,
    render_steps_plain,
    render_what_counts,
)
from masterykit.numbers import format_decimal
from masterykit.reports._district import ReportError
from masterykit.reports._locale import LANGUAGES, translations, unknown_language

if TYPE_CHECKING:
    import jinja2

    from masterykit.engine.results import CompetencyResult, LearnerResult, NextStep
    from masterykit.policy import Policy

__all__ = ["ProgressPage", "progress_html", "progress_names", "progress_pages", "progress_steps"]

#: The chart's colours (Okabe–Ito): scores, and the level that counts as met.
_SCORE_COLOUR: Final = "#0072B2"
_CUT_COLOUR: Final = "#D55E00"
_WIDTH: Final = 320
_HEIGHT: Final = 132
_LEFT: Final = 96
_RIGHT: Final = 12
_TOP: Final = 10
_BOTTOM: Final = 24


@attrs.frozen(slots=True)
class ProgressPage:
    """One learner's report page: the ``learner`` id, its file ``name`` and the ``html``."""

    learner: str
    html: str


def progress_names(
    policy: Policy, language: str = "en", *, titles: Mapping[str, str] | None = None
) -> Names:
    """The names and translations a report in ``language`` uses for ``policy``: the titles and
    level names of the policy's ``translate`` block for ``language`` where it has one (then
    ``titles``, which win), the policy's own elsewhere.

    Raises:
        ReportError: ``MK720``, no catalog for ``language``.
    """
    try:
        tr = translations(language)
    except LookupError:
        raise ReportError([unknown_language(language)]) from None
    own = policy.translations.get(language)
    merged = {**(own.titles if own is not None else {}), **(titles or {})}
    levels = own.levels if own is not None else {}
    return Names.from_policy(policy, tr, titles=merged, levels=levels)


def progress_steps(result: LearnerResult) -> list[NextStep]:
    """What a report lists as next: what graduation still needs, or, without a graduation
    rule (or with it met), what every unmet decision needs."""
    if result.graduation is not None and not result.graduation.held:
        return list(result.graduation.next_steps)
    return [step for d in result.decisions() if not d.held for step in d.next_steps]


@functools.cache
def _environment(language: str) -> jinja2.Environment:
    """The template environment of ``language``, its catalog installed (one per language, so
    pages in different languages can be rendered at the same time)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("masterykit.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        translations(language), newstyle=True
    )
    return environment


def _score(value: Decimal | None) -> str:
    return format_decimal(value) if value is not None else ""


def _chart(result: CompetencyResult, names: Names, chart_id: str) -> str:
    """An inline SVG timeline of the counted evidence: one dot per piece, a line through
    them and a dashed line at the level that counts as met. Hidden from screen readers,
    which read the table beside it (``aria-hidden``); the figure's caption describes it."""
    scale = names.scales.get(result.code)
    pieces = result.used
    if scale is None or not pieces:
        return ""
    low, high = scale.minimum, scale.maximum
    days = [piece.timestamp for piece in pieces]
    first = _day(days[0])
    last = _day(days[-1])
    span = max((last - first).days, 1)
    width = _WIDTH - _LEFT - _RIGHT
    height = _HEIGHT - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        if first == last:
            return _LEFT + width / 2
        return _LEFT + width * (day - first).days / span

    def y(value: Decimal) -> float:
        if high == low:
            return _TOP + height / 2
        clamped = min(max(value, low), high)
        return _TOP + height * float((high - clamped) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" aria-hidden="true" focusable="false" '
        f'id="{chart_id}">',
    ]
    for level in scale.levels:
        ly = y(level.value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{ly:.1f}" y2="{ly:.1f}" '
            'stroke="#DDD" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{ly + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#333">{escape(names.level_name(level.name))}</text>'
        )
    cut = y(result.cut.cut)
    parts.append(
        f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{cut:.1f}" y2="{cut:.1f}" '
        f'stroke="{_CUT_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    points = " ".join(f"{x(_day(piece.timestamp)):.1f},{y(piece.score):.1f}" for piece in pieces)
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{_SCORE_COLOUR}" stroke-width="2"/>'
    )
    for piece in pieces:
        parts.append(
            f'<circle cx="{x(_day(piece.timestamp)):.1f}" cy="{y(piece.score):.1f}" r="4" '
            f'fill="{_SCORE_COLOUR}"/>'
        )
    parts.append(
        f'<text x="{_LEFT}" y="{_HEIGHT - 6}" font-size="11" fill="#333">'
        f"{escape(render_month(first, names))}</text>"
    )
    if last != first:
        parts.append(
            f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 6}" font-size="11" text-anchor="end" '
            f'fill="#333">{escape(render_month(last, names))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _competency(
    result: CompetencyResult,
    names: Names,
    index: int,
    tr: Translations,
    dates: dict[dt.date, str],
) -> dict[str, Any]:
    chart_id = f"c{index}"
    rows: list[str] = []
    for piece in result.used:
        day = _day(piece.timestamp)
        shown = dates.get(day)
        if shown is None:
            shown = dates[day] = render_date(day, names)
        kind = names.kind(piece.kind) if piece.kind else ""
        level = names.level_for(result.code, piece.score) or ""
        # The table's rows are written here rather than in the template: a school's reports
        # hold hundreds of thousands of them, and this is several times faster.
        rows.append(
            f"<tr><td>{escape(shown)}</td><td>{escape(kind)}</td>"
            f'<td class="number">{escape(_score(piece.score))}</td><td>{escape(level)}</td></tr>'
        )
    return {
        "id": chart_id,
        "code": result.code,
        "title": names.title(result.code),
        "status": render_status(result, names),
        "met": result.proficient,
        "level": names.level_name(result.level) if result.level else "",
        "what_counts": tr.gettext("What counts: {what}.").format(
            what=render_what_counts(result, names, "family")
        ),
        "table_caption": tr.gettext("Work on {title}").format(title=names.title(result.code)),
        "svg": _chart(result, names, chart_id + "-svg"),
        "evidence": bool(rows),
        "rows": "\n".join(rows),
    }


def _sections(
    result: LearnerResult, names: Names, tr: Translations
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Academic areas and habits-of-work areas, each with its competencies."""
    academics: list[dict[str, Any]] = []
    habits: list[dict[str, Any]] = []
    index = 0
    dates: dict[dt.date, str] = {}
    areas = names.areas or {"": tuple(result.competencies)}
    for area, codes in areas.items():
        for habit in (False, True):
            wanted = [
                code
                for code in codes
                if code in result.competencies
                and (names.competency_kinds.get(code, "academic") != "academic") == habit
            ]
            if not wanted:
                continue
            comps = []
            for code in wanted:
                index += 1
                comps.append(_competency(result.competencies[code], names, index, tr, dates))
            section = {
                "id": f"area-{len(academics) + len(habits) + 1}",
                "title": names.groups.get(area, area) if area else tr.gettext("Other"),
                "competencies": comps,
                "met": sum(1 for comp in comps if comp["met"]),
            }
            (habits if habit else academics).append(section)
    return academics, habits


def _pace_rows(result: LearnerResult, names: Names, tr: Translations) -> list[tuple[str, str]]:
    pace = result.pace
    if pace is None:
        return []
    rows: list[tuple[str, str]] = []
    if pace.projected is not None and pace.remaining:
        rows.append((tr.gettext("At the recent pace"), render_month(pace.projected, names)))
    if pace.base_due is not None:
        rows.append((tr.gettext("With the class"), render_month(pace.base_due, names)))
    if pace.extensions and pace.due is not None and pace.due != pace.base_due:
        rows.append((tr.gettext("With the extra time"), render_month(pace.due, names)))
    return rows


def progress_html(
    policy: Policy,
    result: LearnerResult,
    as_of: dt.date,
    *,
    language: str = "en",
    names: Names | None = None,
    learner_name: str | None = None,
) -> str:
    """One learner's progress report as a self-contained, print-friendly HTML page in
    ``language`` (see :data:`~masterykit.reports._locale.LANGUAGES`).

    ``names`` (default: :func:`progress_names`) gives titles and level names; ``learner_name``
    is shown instead of the learner's id (default: the learner's ``name`` attribute, if any).

    Raises:
        ReportError: ``MK720``, no catalog for ``language``.
    """
    names = names or progress_names(policy, language)
    tr = names.translations
    academics, habits = _sections(result, names, tr)
    routes = render_steps_plain(progress_steps(result), names, "family")
    name = learner_name or str(result.learner.attributes.get("name") or result.learner.id)
    if language not in LANGUAGES:
        raise ReportError([unknown_language(language)])
    template = _environment(language).get_template("progress.html.j2")
    # Words the template repeats for every competency, translated once per page.
    labels = {
        "date": tr.gettext("Date"),
        "kind": tr.gettext("Kind of work"),
        "score": tr.gettext("Score"),
        "level": tr.gettext("Level"),
        "no_work": tr.gettext("No work on this competency yet."),
        "chart": tr.gettext(
            "Chart of the scores over time, one dot per piece of work. The dashed line is the "
            "level that counts as met. The table lists the same work."
        ),
    }
    graduation = result.graduation
    return template.render(
        language=language,
        learner=name,
        policy=policy,
        as_of=render_date(as_of, names),
        academics=academics,
        habits=habits,
        common=[sentences for route, sentences in routes if route is None],
        routes=[(route, sentences) for route, sentences in routes if route is not None],
        graduated=graduation.held if graduation is not None else None,
        pathways=[names.route(name) for name in graduation.pathways] if graduation else [],
        pace=list(render_pace_plain(result.pace, names)) if result.pace else [],
        pace_rows=_pace_rows(result, names, tr),
        labels=labels,
    )


def progress_pages(
    policy: Policy,
    results: Iterable[LearnerResult],
    as_of: dt.date,
    *,
    language: str = "en",
) -> Sequence[ProgressPage]:
    """A report page for each learner of ``results``, in ``language``."""
    names = progress_names(policy, language)
    return [
        ProgressPage(
            result.learner.id, progress_html(policy, result, as_of, language=language, names=names)
        )
        for result in results
    ]
