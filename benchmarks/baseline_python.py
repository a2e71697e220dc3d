"""The first baseline: ``policy.mastery`` written by hand in plain Python.

This is what a district's developer would write to run the benchmark policy without masterykit:
the rules hard-coded, scores in decimals (as the policy language requires), one function per
learner, no explanations and no provenance. It evaluates exactly the same rules as the engine
(decaying average and mode, rounding half away from zero to two decimals, the evidence rules and
the two-year window, the ten requirements, the three advancements, graduation with its pathways,
and pace with first-proficient dates found by evaluating each competency as of each of its
evidence dates), and the benchmark checks that it agrees with the engine before timing it.

A :class:`Summary` is the decisions without their reasons; :mod:`benchmarks.__main__` reduces
the engine's results to the same shape to compare them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from benchmarks.generate import AS_OF, COMPETENCIES, EvidenceRow

__all__ = ["Summary", "evaluate_learner", "shift_months"]

NOT_STARTED = "not_started"
INSUFFICIENT = "insufficient"
DEVELOPING = "developing"
PROFICIENT = "proficient"

_CENT = Decimal("0.01")
_W = Decimal("0.75")
_REST = 1 - _W
_KEY_KINDS = frozenset(("performance_task", "common_assessment"))
_GRADUATION_SET = tuple(c for c in COMPETENCIES if c.split(".")[0] in ("MATH", "ELA", "SCI", "SOC"))
_ACADEMICS = tuple(c for c in COMPETENCIES if not c.startswith("HOW."))
_CUT = Decimal(3)


class Summary(NamedTuple):
    """What a policy decides for one learner, without the reasons.

    ``competencies`` maps each code to its status and its rounded score (``None`` without a
    score; scores of ``insufficient`` competencies are not compared). ``advancements`` is keyed
    ``"<from>" to "<to>"``. ``pathways`` lists the graduation pathways that held.
    """

    learner: str
    competencies: Mapping[str, tuple[str, Decimal | None]]
    requirements: Mapping[str, bool]
    advancements: Mapping[str, bool]
    graduation: bool
    pathways: tuple[str, ...]
    pace: str


def shift_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clamped to the month's end.

    >>> shift_months(dt.date(2026, 8, 31), -6)
    datetime.date(2026, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _score(code: str, scores: list[Decimal]) -> Decimal:
    if code.startswith("HOW."):
        counts = Counter(scores)
        return max(counts, key=lambda s: (counts[s], s))
    avg = scores[0]
    for s in scores[1:]:
        avg = _W * s + _REST * avg
    return avg.quantize(_CENT, rounding=ROUND_HALF_UP)


def _assess(
    code: str, items: list[tuple[dt.date, Decimal, str]], as_of: dt.date
) -> tuple[str, Decimal | None]:
    # items: (day, score, kind), sorted by day then score, all on or before as_of.
    start = shift_months(as_of, -24)
    counted = [item for item in items if item[0] >= start]
    if not counted:
        return INSUFFICIENT, None
    score = _score(code, [item[1] for item in counted])
    if code.startswith("HOW."):
        sufficient = len(counted) >= 2
    else:
        kinds = {item[2] for item in counted if item[2]}
        sufficient = len(counted) >= 3 and len(kinds) >= 2 and bool(kinds & _KEY_KINDS)
    if not sufficient:
        return INSUFFICIENT, score
    # Both cuts are 3: Proficient on the four-point scale, Usually on the habits scale.
    return (PROFICIENT if score >= _CUT else DEVELOPING), score


def _first_proficient(code: str, items: list[tuple[dt.date, Decimal, str]]) -> dt.date | None:
    for day in sorted({item[0] for item in items}):
        if _assess(code, [item for item in items if item[0] <= day], day)[0] == PROFICIENT:
            return day
    return None


def evaluate_learner(
    learner: str,
    attributes: Mapping[str, Any],
    evidence: Iterable[EvidenceRow],
    as_of: dt.date = AS_OF,
) -> Summary:
    """Every decision of ``benchmarks/policy.mastery`` for one learner as of ``as_of``."""
    by_code: dict[str, list[tuple[dt.date, Decimal, str]]] = {}
    for row in evidence:
        if row.day <= as_of:
            by_code.setdefault(row.competency, []).append((row.day, row.score, row.kind))

    results: dict[str, tuple[str, Decimal | None]] = {}
    for code in COMPETENCIES:
        items = by_code.get(code)
        if not items:
            results[code] = (NOT_STARTED, None)
            continue
        items.sort(key=lambda item: (item[0], item[1]))
        results[code] = _assess(code, items, as_of)

    def proficient(code: str) -> bool:
        return results[code][0] == PROFICIENT

    def reach(code: str, value: int) -> bool:
        status, score = results[code]
        return status in (PROFICIENT, DEVELOPING) and score is not None and score >= value

    def codes(prefix: str) -> list[str]:
        return [c for c in COMPETENCIES if c.startswith(prefix)]

    math_ = codes("MATH.")
    ela = codes("ELA.")
    sci_a = codes("SCI.A.")
    lab = codes("SCI.B.") + codes("SCI.C.")
    art = codes("ART.")
    wl = codes("WL.")
    how = codes("HOW.")
    algebra = codes("MATH.A.")
    geometry = codes("MATH.B.")

    req: dict[str, bool] = {}
    req["mathematics"] = sum(map(proficient, math_)) >= 7 and all(reach(c, 2) for c in math_)
    req["english"] = sum(map(proficient, ela)) >= math.ceil(len(ela) * 75 / 100)
    req["science"] = all(map(proficient, sci_a)) and sum(reach(c, 3) for c in lab) >= 4
    req["social_studies"] = sum(map(proficient, codes("SOC."))) >= 6
    req["arts"] = any(reach(c, 4) for c in art) and sum(map(proficient, art)) >= 3
    req["world_languages"] = sum(reach(c, 2) for c in wl) >= math.ceil(len(wl) * 50 / 100)
    req["habits_of_work"] = sum(reach(c, 3) for c in how) >= 4 and all(reach(c, 2) for c in how)
    req["core"] = (
        req["mathematics"] and req["english"] and (req["science"] or req["social_studies"])
    )
    req["stem"] = (
        all(map(proficient, algebra)) and req["science"] and attributes.get("ell") is not True
    )
    hours = attributes.get("cte_hours")
    req["career_ready"] = hours is not None and hours >= 120 and sum(reach(c, 2) for c in wl) >= 3

    advancements = {
        '"Algebra I" to "Geometry"': all(map(proficient, algebra)),
        '"Geometry" to "Algebra II"': all(map(proficient, geometry))
        and all(reach(c, 3) for c in algebra),
        '"Biology" to "Chemistry"': sum(map(proficient, sci_a)) >= 2,
    }

    pathways = tuple(
        name
        for name, held in (
            ("STEM", req["stem"]),
            ("Arts and languages", req["arts"] and req["world_languages"]),
            ("Career", req["career_ready"]),
        )
        if held
    )
    developing_or_better = sum(reach(c, 2) for c in _ACADEMICS)
    graduation = (
        req["core"]
        and req["habits_of_work"]
        and developing_or_better >= math.ceil(len(_ACADEMICS) * 80 / 100)
        and bool(pathways)
    )

    return Summary(
        learner,
        results,
        req,
        advancements,
        graduation,
        pathways,
        _pace(attributes, by_code, results, as_of),
    )


def _pace(
    attributes: Mapping[str, Any],
    by_code: Mapping[str, list[tuple[dt.date, Decimal, str]]],
    results: Mapping[str, tuple[str, Decimal | None]],
    as_of: dt.date,
) -> str:
    remaining = [c for c in _GRADUATION_SET if results[c][0] != PROFICIENT]
    if not remaining:
        return "complete"
    due = attributes.get("graduation_date")
    if not isinstance(due, dt.date):
        return "unknown"
    if attributes.get("iep") is True:
        due = shift_months(due, 12)
    window_start = shift_months(as_of, -6)
    recent = 0
    for code in _GRADUATION_SET:
        if results[code][0] == PROFICIENT:
            first = _first_proficient(code, by_code[code])
            if first is not None and window_start <= first <= as_of:
                recent += 1
    if recent == 0:
        return "off_track"
    window_days = (as_of - window_start).days
    projected = as_of + dt.timedelta(days=-(-len(remaining) * window_days // recent))
    if projected <= due:
        return "on_track"
    if projected <= shift_months(due, 3):
        return "at_risk"
    return "off_track"
