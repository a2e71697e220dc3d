"""A small district for the routing tests: a base policy, two school overlays, a school not yet
evaluated, and routes that may leave a learner without one."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from decimal import Decimal
from pathlib import Path

from masterykit.district import District
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_district

__all__ = ["AS_OF", "FILES", "district", "evidence", "learners", "write_district"]

AS_OF = dt.date(2026, 6, 1)

FILES = {
    "base.mastery": """policy "District" version "2026"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area MATH "Mathematics" {
  competency MATH.1 "Number sense"
  competency MATH.2 "Algebraic reasoning"
}
calculate mean
proficient at Proficient
graduate when { all of MATH proficient }
""",
    "north.mastery": """policy "North High" version "2026.2" extends "base.mastery"
calculate highest
""",
    "harbor.mastery": """policy "Harbor Middle" extends "base.mastery"
calculate most_recent
evidence at least 2
""",
    "routes.mastery": """district "Lake County" version "2026" {
  when learner.school = "north" and learner.entry_year <= 2024 use "base.mastery"
  when learner.school = "north" use "north.mastery"
  when learner.school = "harbor" use "harbor.mastery"
  when learner.school = "east" not evaluated "East moves to mastery-based grading in 2027"
  when learner.school != "nowhere" use "base.mastery"
}
""",
}


def write_district(folder: Path, routes: str | None = None) -> Path:
    """Write the district's files into ``folder`` (with other ``routes`` if given)."""
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    if routes is not None:
        (folder / "routes.mastery").write_text(routes, encoding="utf-8")
    return folder / "routes.mastery"


@functools.cache
def district() -> District:
    """The district, loaded from files written once for the whole test run."""
    return load_district(write_district(Path(tempfile.mkdtemp(prefix="masterykit-district-"))))


def learners() -> list[Learner]:
    """One learner down each route, and one no route takes (no school at all)."""
    return [
        Learner("ana", {"school": "north", "entry_year": Decimal(2025)}),
        Learner("bo", {"school": "north", "entry_year": Decimal(2023)}),
        Learner("cy", {"school": "harbor"}),
        Learner("dee", {"school": "east"}),
        Learner("eli", {"school": "west"}),
        Learner("fay", {}),
    ]


def evidence() -> list[Evidence]:
    """Evidence for every learner (and one piece dated after the as-of date)."""
    found: list[Evidence] = []
    for who in ("ana", "bo", "cy", "dee", "eli", "fay"):
        found += [
            Evidence(who, "MATH.1", Decimal(2), dt.date(2026, 1, 10), "quiz"),
            Evidence(who, "MATH.1", Decimal(4), dt.date(2026, 2, 10), "test"),
            Evidence(who, "MATH.2", Decimal(3), dt.date(2026, 3, 10), "test"),
        ]
    found.append(Evidence("dee", "MATH.2", Decimal(4), dt.date(2026, 7, 1), "test"))
    return found
