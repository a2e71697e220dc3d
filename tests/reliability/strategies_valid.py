"""Hypothesis strategies for VALID policies, with learners and evidence that fit them.

:func:`scenarios` draws a :class:`Scenario`: the text of a policy (scales, areas and
competencies with prerequisites, calculation/cut/evidence rules at the top level, inside
``tight``/``loose`` blocks and ``for`` scopes, requirements with every kind of clause,
advancement, graduation with pathways, pace) and, sometimes, a school overlay that ``extends`` it
and raises the district's floors; plus learners (with a due date and an ``iep`` flag) and evidence
on the policy's competencies, scales and kinds. Every scenario loads without errors: the strategy
writes only what the language allows, so a failing ``load`` is a bug in masterykit or here.

Import with ``from strategies_valid import scenarios`` (the folder is on ``sys.path`` through
``tests/reliability/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs
from hypothesis import strategies as st

from masterykit.evidence import Evidence, Learner

__all__ = ["AS_OF", "KINDS", "Scenario", "scenarios"]

#: Every scenario is evaluated as of this date (some evidence falls after it).
AS_OF = dt.date(2026, 6, 1)
#: The evidence kinds scenarios use (evidence may also have no kind).
KINDS = ("quiz", "project", "performance_task")

_MAIN_LEVELS = ("Beginning", "Developing", "Proficient", "Advanced", "Exceeding")
_HABIT_LEVELS = ("Rarely", "Sometimes", "Usually", "Consistently")
_AREAS = ("MATH", "ELA", "SCI")
_METHODS = (
    "mean",
    "median",
    "mode",
    "most_recent",
    "highest",
    "most_recent_mean(2)",
    "weighted_average(70%)",
    "decaying_average",
    "decaying_average(65%)",
    "n_mastery(2)",
    "power_law",
)


@attrs.frozen(slots=True)
class Scenario:
    """A valid policy (one file, or a base and an overlay) with learners and evidence.

    ``files`` maps file names to their text; ``top`` is the file to load. ``codes`` are the
    competency codes, ``learners`` and ``evidence`` the data, evaluated as of :data:`AS_OF`.
    """

    files: dict[str, str]
    top: str
    codes: tuple[str, ...]
    learners: tuple[Learner, ...]
    evidence: tuple[Evidence, ...]

    def write(self, folder: Path) -> Path:
        """Write the policy files into ``folder``; the path of the top file."""
        for name, text in self.files.items():
            (folder / name).write_text(text, "utf-8")
        return folder / self.top

    def write_data(self, folder: Path) -> tuple[Path, Path]:
        """Write the evidence and the learners as CSV files into ``folder``; their paths."""
        evidence = folder / "evidence.csv"
        rows = ["learner,competency,score,timestamp,kind"]
        for piece in self.evidence:
            stamp = piece.timestamp.isoformat()
            if isinstance(piece.timestamp, dt.datetime):
                stamp = piece.timestamp.strftime("%Y-%m-%dT%H:%M")
            rows.append(
                f"{piece.learner},{piece.competency},{piece.score},{stamp},{piece.kind or ''}"
            )
        evidence.write_text("\n".join(rows) + "\n", "utf-8")
        learners = folder / "learners.csv"
        rows = ["id,graduation_date,iep"]
        for learner in self.learners:
            due = learner.attributes.get("graduation_date")
            iep = learner.attributes.get("iep")
            rows.append(
                f"{learner.id},{due.isoformat() if isinstance(due, dt.date) else ''},"
                f"{'' if iep is None else str(iep).lower()}"
            )
        learners.write_text("\n".join(rows) + "\n", "utf-8")
        return evidence, learners


@attrs.frozen(slots=True)
class _Shape:
    levels: tuple[str, ...]
    habits: bool
    areas: dict[str, tuple[str, ...]]

    @property
    def main_codes(self) -> tuple[str, ...]:
        return tuple(c for area, codes in self.areas.items() if area != "HOW" for c in codes)


def _pct(draw: st.DrawFn) -> str:
    return f"{draw(st.integers(1, 99))}%"


def _evidence_rules(draw: st.DrawFn, floor: int = 1) -> list[str]:
    lines = []
    if draw(st.booleans()):
        lines.append(f"evidence at least {draw(st.integers(floor, 3))}")
    if draw(st.booleans()):
        kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True))
        lines.append(f"evidence at least {draw(st.integers(1, 2))} from {', '.join(kinds)}")
    if draw(st.booleans()):
        lines.append(f"evidence from at least {draw(st.integers(1, 2))} kinds")
    return lines


def _window(draw: st.DrawFn) -> str:
    amount, unit = draw(
        st.sampled_from([(90, "days"), (20, "weeks"), (6, "months"), (1, "year"), (2, "years")])
    )
    return f"evidence within {amount} {unit}"


def _selection(draw: st.DrawFn, shape: _Shape, main_only: bool) -> str:
    areas = [a for a in shape.areas if not (main_only and a == "HOW")]
    codes = list(shape.main_codes) if main_only else [c for cs in shape.areas.values() for c in cs]
    options = [*areas, *codes, "main_group"]
    if not main_only:
        options.append("all competencies")
    if len(areas) >= 2:
        options.append(f"{areas[0]} + {areas[1]}")
    return draw(st.sampled_from(options))


def _clause(draw: st.DrawFn, shape: _Shape, earlier: Sequence[str], depth: int = 0) -> str:
    forms = ["proficient", "reach", "below", "learner"]
    if earlier:
        forms.append("requirement")
    if depth < 2:
        forms += ["any", "all", "not"]
    form = draw(st.sampled_from(forms))
    level = draw(st.sampled_from(shape.levels))
    if form == "proficient":
        quantifier = draw(st.sampled_from(["all of", "any of", "at least 1 of", "at least 50% of"]))
        return f"{quantifier} {_selection(draw, shape, False)} proficient"
    if form == "reach":
        quantifier = draw(st.sampled_from(["all of", "any of", "at least 1 of", "at least 34% of"]))
        return f"{quantifier} {_selection(draw, shape, True)} reach {level}"
    if form == "below":
        return f"none of {_selection(draw, shape, True)} below {level}"
    if form == "learner":
        return draw(
            st.sampled_from(
                ["learner.iep", "not learner.iep", "learner.graduation_date > 2027-01-01"]
            )
        )
    if form == "requirement":
        return f"requirement {draw(st.sampled_from(earlier))}"
    if form == "not":
        return f"not {_clause(draw, shape, earlier, depth + 1)}"
    inner = [_clause(draw, shape, earlier, depth + 1) for _ in range(draw(st.integers(1, 3)))]
    return f"{form} {{ {' '.join(inner)} }}"


@st.composite
def _shapes(draw: st.DrawFn) -> _Shape:
    count = draw(st.integers(2, len(_MAIN_LEVELS)))
    levels = _MAIN_LEVELS[:count]
    habits = draw(st.booleans())
    areas: dict[str, tuple[str, ...]] = {}
    for area in draw(st.lists(st.sampled_from(_AREAS), min_size=1, max_size=3, unique=True)):
        areas[area] = tuple(f"{area}.{i}" for i in range(1, draw(st.integers(1, 3)) + 1))
    if habits:
        areas["HOW"] = tuple(f"HOW.{i}" for i in range(1, draw(st.integers(1, 2)) + 1))
    return _Shape(levels, habits, areas)


def _district(draw: st.DrawFn, shape: _Shape, overlay: bool) -> tuple[str, int, int]:
    """The district's text, its cut's level index and its ``evidence at least`` floor."""
    lines = ['policy "Lake County" version "2026.1"', ""]
    lines.append("scale four_point {")
    lines += [f"  {value} {name}" for value, name in enumerate(shape.levels, 1)]
    lines.append("}")
    if shape.habits:
        lines.append("scale habits {")
        lines += [f"  {value} {name}" for value, name in enumerate(_HABIT_LEVELS, 1)]
        lines.append("}")
        lines.append("default scale four_point")
    for area, codes in shape.areas.items():
        header = f'area {area} "{area.title()} area"'
        if area == "HOW":
            header += " kind habit scale habits"
        lines.append(header + " {")
        for index, code in enumerate(codes):
            after = ""
            if index and draw(st.booleans()):
                after = f" after {codes[draw(st.integers(0, index - 1))]}"
            lines.append(f'  competency {code} "Competency {code}"{after}')
        lines.append("}")
    group = draw(st.lists(st.sampled_from(shape.main_codes), min_size=1, unique=True))
    lines.append(f"group main_group = {' + '.join(group)}")
    cut = draw(st.integers(0, len(shape.levels) - 1))
    floor = draw(st.integers(1, 2))
    method = draw(st.sampled_from(_METHODS))
    global_rules = [f"calculate {method}"]
    cut_text = shape.levels[cut] if draw(st.booleans()) else str(cut + 1)
    tight = overlay or draw(st.booleans())
    evidence = _evidence_rules(draw)
    if tight:
        lines.append("tight {")
        lines += [f"  {rule}" for rule in global_rules]
        lines.append(f"  proficient at least {cut_text}")
        lines.append(f"  evidence at least {floor}")
        lines.append("}")
        evidence = [e for e in evidence if not e.startswith("evidence at least ") or " from " in e]
    else:
        lines += global_rules
        lines.append(f"proficient at {cut_text}")
    if evidence or draw(st.booleans()):
        lines.append("loose {")
        lines += [f"  {rule}" for rule in evidence]
        if draw(st.booleans()):
            lines.append(f"  {_window(draw)}")
        lines.append("}")
    main_areas = [a for a in shape.areas if a != "HOW"]
    scoped = draw(st.sampled_from(main_areas))
    if draw(st.booleans()) and not tight:
        lines.append(f"for {scoped} {{ calculate {draw(st.sampled_from(_METHODS))} }}")
    if draw(st.booleans()):
        first = shape.areas[scoped][0]
        lines.append(f"for {first} evidence at least 1 from {draw(st.sampled_from(KINDS))}")
    if shape.habits:
        habit_cut = draw(st.sampled_from(_HABIT_LEVELS))
        lines.append(f"for kind habit {{ proficient at {habit_cut} }}")
    names: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        name = f"req_{index}"
        tight_req = "tight " if draw(st.booleans()) else ""
        clauses = [_clause(draw, shape, names) for _ in range(draw(st.integers(1, 3)))]
        lines.append(f'{tight_req}requirement {name} "Requirement {index}" {{')
        lines += [f"  {clause}" for clause in clauses]
        lines.append("}")
        names.append(name)
    if draw(st.booleans()):
        name = draw(st.sampled_from(names))
        lines.append(f'advance "Year 1" to "Year 2" when requirement {name}')
    if draw(st.booleans()):
        tight_grad = "tight " if draw(st.booleans()) else ""
        lines.append(f"{tight_grad}graduate when {{")
        lines.append(f"  requirement {names[0]}")
        lines.append("  any {")
        lines.append(f'    pathway "Capstone" {{ {_clause(draw, shape, names)} }}')
        lines.append(f'    pathway "Portfolio" {{ {_clause(draw, shape, names)} }}')
        lines.append("  }")
        lines.append("}")
    if draw(st.booleans()):
        lines.append(f"pace for {_selection(draw, shape, False)} {{")
        due = draw(st.sampled_from(["learner.graduation_date", "2027-06-15", "2026-09-01"]))
        lines.append(f"  due {due}")
        if draw(st.booleans()):
            lines.append("  extend 1 year when learner.iep")
        lines.append(f"  measure over last {draw(st.integers(3, 12))} months")
        lines.append(f"  at risk within {draw(st.integers(1, 6))} months")
        lines.append("}")
    return "\n".join(lines) + "\n", cut, floor


def _school(draw: st.DrawFn, shape: _Shape, cut: int, floor: int) -> str:
    lines = ['policy "North High" extends "district.mastery"', ""]
    if draw(st.booleans()):
        raised = draw(st.integers(cut, len(shape.levels) - 1))
        main = [a for a in shape.areas if a != "HOW"] + list(shape.main_codes)
        scope = f"for {draw(st.sampled_from(main))} "
        if not shape.habits and draw(st.booleans()):
            scope = ""
        lines.append(f"{scope}proficient at {shape.levels[raised]}")
    if draw(st.booleans()):
        lines.append(f"evidence at least {draw(st.integers(floor, 3))}")
    lines.append('requirement school_core "School core" {')
    lines.append(f"  {_clause(draw, shape, ['req_0'])}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _timestamp(draw: st.DrawFn) -> dt.date | dt.datetime:
    day = dt.date(2025, 9, 1) + dt.timedelta(days=draw(st.integers(0, 300)))
    if draw(st.integers(0, 3)) == 0:
        return dt.datetime(day.year, day.month, day.day, draw(st.integers(0, 23)), 30)
    return day


@st.composite
def scenarios(draw: st.DrawFn, overlay: bool | None = None) -> Scenario:
    """A valid policy with learners and evidence (see the module docstring).

    Args:
        draw: hypothesis' draw function.
        overlay: ``True`` for a school overlay over a district, ``False`` for one file,
            ``None`` for either.
    """
    shape = draw(_shapes())
    with_overlay = draw(st.booleans()) if overlay is None else overlay
    district, cut, floor = _district(draw, shape, with_overlay)
    files = {"district.mastery": district}
    top = "district.mastery"
    if with_overlay:
        files["school.mastery"] = _school(draw, shape, cut, floor)
        top = "school.mastery"
    ids = draw(st.lists(st.sampled_from(["ana", "bo", "cy"]), min_size=1, max_size=3, unique=True))
    learners = []
    for learner_id in ids:
        attributes: dict[str, object] = {}
        if draw(st.integers(0, 4)):
            attributes["graduation_date"] = draw(
                st.sampled_from([dt.date(2026, 9, 1), dt.date(2027, 6, 15), dt.date(2028, 6, 9)])
            )
        if draw(st.booleans()):
            attributes["iep"] = draw(st.booleans())
        learners.append(Learner(learner_id, attributes))  # type: ignore[arg-type]
    codes = tuple(c for cs in shape.areas.values() for c in cs)
    evidence = []
    for _ in range(draw(st.integers(0, 40))):
        code = draw(st.sampled_from(codes))
        top_value = len(_HABIT_LEVELS) if code.startswith("HOW.") else len(shape.levels)
        halves = draw(st.integers(2, 2 * top_value))
        evidence.append(
            Evidence(
                draw(st.sampled_from(ids)),
                code,
                Decimal(halves) / 2,
                _timestamp(draw),
                kind=draw(st.sampled_from([None, *KINDS])),
            )
        )
    return Scenario(files, top, codes, tuple(learners), tuple(evidence))
