"""Seeded, deterministic data for the benchmarks: learners, evidence and a large policy.

Every learner's attributes and evidence come from a random generator seeded with the data set's
seed and the learner's index, so a data set of any size is the same every time, a smaller data
set is a prefix of a larger one, and evidence can be written one learner at a time without
holding the data set in memory.

The evidence matches ``benchmarks/policy.mastery``: sixty competencies (six content areas of nine,
six habits of work), about eight pieces of evidence per competency over two years and two
months before the as-of date (so the policy's two-year window leaves some out), of mixed kinds
(a few without a kind), with scores on the competency's scale. Scores are whole and half points,
so every calculation in the policy is exact in binary floating point as well as in decimals, and
a floating-point baseline can agree with the engine to the last digit.

>>> first = list(learner_evidence(0, seed=7))
>>> first == list(learner_evidence(0, seed=7))
True
>>> learner_attributes(0, seed=7) == learner_attributes(0, seed=7)
True
>>> sum(1 for line in large_policy_text(5000).splitlines()) >= 5000
True
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "ACADEMIC_AREAS",
    "ACADEMIC_KINDS",
    "AS_OF",
    "COMPETENCIES",
    "DEFAULT_SEED",
    "EVIDENCE_COLUMNS",
    "GROUP_LEARNER_COLUMNS",
    "HABITS",
    "HABIT_KINDS",
    "LEARNER_COLUMNS",
    "PLANTED_SEVERITIES",
    "POLICY_PATH",
    "RATERS",
    "RATING_COLUMNS",
    "SCHOOLS",
    "SIZES",
    "EvidenceRow",
    "large_policy_json",
    "large_policy_text",
    "learner_attributes",
    "learner_evidence",
    "learner_groups",
    "learner_id",
    "learner_ratings",
    "main",
    "write_csv",
    "write_report_csv",
]

#: The benchmark policy that the generated evidence is written for.
POLICY_PATH = Path(__file__).with_name("policy.mastery")

#: Learners per data set size.
SIZES = {"school": 1_000, "district": 100_000, "state": 1_000_000}

#: The seed used unless another is given.
DEFAULT_SEED = 2026

#: The date every benchmark evaluates as of.
AS_OF = dt.date(2026, 6, 1)

#: Content areas of the benchmark policy; each has units A, B, C of three competencies.
ACADEMIC_AREAS = ("MATH", "ELA", "SCI", "SOC", "ART", "WL")

#: Habits of work (kind ``habit``, scale ``habits``).
HABITS = tuple(f"HOW.{n}" for n in range(1, 7))

#: Every competency of the benchmark policy, in declaration order.
COMPETENCIES = (
    *(f"{area}.{unit}.{n}" for area in ACADEMIC_AREAS for unit in "ABC" for n in (1, 2, 3)),
    *HABITS,
)

#: Kinds of academic evidence with their weights; ``""`` is evidence without a kind.
ACADEMIC_KINDS = (
    ("performance_task", 22),
    ("common_assessment", 18),
    ("quiz", 30),
    ("project", 15),
    ("observation", 10),
    ("", 5),
)

#: Kinds of habits-of-work evidence with their weights.
HABIT_KINDS = (("observation", 80), ("self_assessment", 15), ("", 5))

#: Columns of the evidence CSV, in order.
EVIDENCE_COLUMNS = ("learner", "competency", "score", "timestamp", "kind")

#: Columns of the learners CSV, in order.
LEARNER_COLUMNS = ("learner", "graduation_date", "iep", "ell", "cte_hours")

# Evidence spans 26 months before the as-of date; the policy's window is two years.
_FIRST_DAY = dt.date(2024, 4, 1)
_SPAN_DAYS = (AS_OF - _FIRST_DAY).days


class EvidenceRow(NamedTuple):
    """One generated piece of evidence: text fields as they appear in the CSV, and the score
    and date as values."""

    learner: str
    competency: str
    score: Decimal
    day: dt.date
    kind: str

    def csv_fields(self) -> tuple[str, str, str, str, str]:
        """The row as CSV fields, in :data:`EVIDENCE_COLUMNS` order."""
        return (self.learner, self.competency, str(self.score), self.day.isoformat(), self.kind)


def learner_id(index: int) -> str:
    """The id of the learner with this index (``L0000042``)."""
    return f"L{index:07d}"


def _rng(index: int, seed: int, stream: int) -> random.Random:
    # One generator per learner and purpose: independent of every other learner.
    return random.Random(seed * 1_000_003 * 4 + index * 4 + stream)


def learner_attributes(index: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The attributes of learner ``index``: graduation date (absent for about 2%), IEP, English
    learner status and career and technical education hours."""
    rng = _rng(index, seed, 0)
    attributes: dict[str, Any] = {}
    if rng.random() >= 0.02:
        attributes["graduation_date"] = dt.date(2026 + rng.randrange(4), 6, 15)
    attributes["iep"] = rng.random() < 0.15
    attributes["ell"] = rng.random() < 0.10
    attributes["cte_hours"] = rng.choice((0, 0, 40, 80, 120, 160, 200))
    return attributes


def _choose(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    total = sum(weight for _, weight in weighted)
    pick = rng.randrange(total)
    for value, weight in weighted:
        if pick < weight:
            return value
        pick -= weight
    raise AssertionError("unreachable")  # pragma: no cover


def learner_evidence(index: int, seed: int = DEFAULT_SEED) -> Iterator[EvidenceRow]:
    """The evidence of learner ``index``, competency by competency, oldest first.

    About 4% of competencies have no evidence; the others have 4 to 12 pieces (8 on average).
    Scores follow the learner's ability and grow over time, with noise.
    """
    rng = _rng(index, seed, 1)
    who = learner_id(index)
    ability = rng.uniform(1.6, 3.6)
    habit = rng.uniform(1.8, 3.8)
    for code in COMPETENCIES:
        if rng.random() < 0.04:
            continue
        is_habit = code.startswith("HOW.")
        kinds = HABIT_KINDS if is_habit else ACADEMIC_KINDS
        level = (habit if is_habit else ability) + rng.uniform(-0.6, 0.6)
        offsets = sorted(rng.randrange(_SPAN_DAYS + 1) for _ in range(rng.randint(4, 12)))
        if rng.random() < 0.05:
            offsets.append(offsets[-1])  # two scores on one day: ordered by score
        for offset in offsets:
            growth = 0.9 * offset / _SPAN_DAYS
            raw = level + growth - 0.45 + rng.gauss(0, 0.55)
            if is_habit:
                score = Decimal(min(4, max(1, round(raw))))
            else:
                halves = min(8, max(2, round(raw * 2)))
                score = Decimal(halves) / 2
            yield EvidenceRow(
                who, code, score, _FIRST_DAY + dt.timedelta(days=offset), _choose(rng, kinds)
            )


def _flag(value: object) -> str:
    return "true" if value else "false"


def _learner_row(index: int, attributes: dict[str, Any]) -> tuple[object, ...]:
    """The learners file's columns (:data:`LEARNER_COLUMNS`) for one learner."""
    graduation = attributes.get("graduation_date")
    return (
        learner_id(index),
        graduation.isoformat() if graduation else "",
        _flag(attributes["iep"]),
        _flag(attributes["ell"]),
        attributes["cte_hours"],
    )


def write_csv(folder: Path, learners: int, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write ``learners.csv`` and ``evidence.csv`` for ``learners`` learners into ``folder``.

    The evidence file is sorted by learner (learners in index order), so a reader can evaluate
    each learner as soon as the next learner's rows begin. Files that already exist for the same
    size and seed are kept. Returns the two paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{learners}-{seed}"
    learners_path = folder / f"learners-{stem}.csv"
    evidence_path = folder / f"evidence-{stem}.csv"
    if learners_path.exists() and evidence_path.exists():
        return learners_path, evidence_path
    partial_learners = learners_path.with_suffix(".partial")
    partial_evidence = evidence_path.with_suffix(".partial")
    with (
        partial_learners.open("w", newline="", encoding="utf-8") as lf,
        partial_evidence.open("w", newline="", encoding="utf-8") as ef,
    ):
        learner_writer = csv.writer(lf)
        evidence_writer = csv.writer(ef)
        learner_writer.writerow(LEARNER_COLUMNS)
        evidence_writer.writerow(EVIDENCE_COLUMNS)
        for index in range(learners):
            attributes = learner_attributes(index, seed)
            learner_writer.writerow(_learner_row(index, attributes))
            evidence_writer.writerows(row.csv_fields() for row in learner_evidence(index, seed))
    partial_learners.replace(learners_path)
    partial_evidence.replace(evidence_path)
    return learners_path, evidence_path


# --- a large policy, for the parse and check benchmark ---------------------------------------


def _large_areas(lines: int) -> list[tuple[str, list[str]]]:
    # Each area takes 2 + 20 competency lines + 1 group + 4 requirement lines + 1 rule = 28.
    count = max(1, (lines - 40) // 28 + 1)
    return [
        (f"A{a:03d}", [f"A{a:03d}.U{c // 5}.{c % 5 + 1}" for c in range(20)]) for a in range(count)
    ]


def large_policy_text(lines: int = 5000) -> str:
    """A policy of at least ``lines`` lines: many areas of twenty competencies, a group, a rule
    and a requirement per area, and a graduation rule over all of them."""
    areas = _large_areas(lines)
    out = [
        'policy "Large generated policy" version "1"',
        "",
        "scale four_point {",
        "  1 Beginning",
        "  2 Developing",
        "  3 Proficient",
        "  4 Advanced",
        "}",
        "",
        "calculate decaying_average(65%)",
        "proficient at Proficient",
        "evidence at least 2",
        "evidence within 3 years",
        "",
    ]
    for code, competencies in areas:
        out.append(f'area {code} "Area {code}" {{')
        previous = None
        for competency in competencies:
            after = f" after {previous}" if previous else ""
            out.append(f'  competency {competency} "Competency {competency}"{after}')
            previous = competency
        out.append("}")
        out.append(f"group core_{code} = {code}.U0.* + {code}.U1.*")
        out.append(f"for {code}.U3.* proficient at 3.5")
        out.append(f'requirement req_{code} "Requirement {code}" {{')
        out.append(f"  all of core_{code} proficient")
        out.append(f"  none of {code} below Developing")
        out.append("}")
    out.append("graduate when {")
    out.extend(f"  requirement req_{code}" for code, _ in areas)
    out.append("}")
    return "\n".join(out) + "\n"


def large_policy_json(lines: int = 5000) -> str:
    """The same content as :func:`large_policy_text`, as a JSON document (for the baseline)."""
    areas = _large_areas(lines)
    document: dict[str, Any] = {
        "policy": "Large generated policy",
        "version": "1",
        "scales": {
            "four_point": [
                {"value": 1, "name": "Beginning"},
                {"value": 2, "name": "Developing"},
                {"value": 3, "name": "Proficient"},
                {"value": 4, "name": "Advanced"},
            ]
        },
        "rules": [
            {"calculate": {"method": "decaying_average", "args": ["65%"]}},
            {"proficient_at": "Proficient"},
            {"evidence_at_least": 2},
            {"evidence_within": {"amount": 3, "unit": "years"}},
        ],
        "areas": [],
        "groups": [],
        "requirements": [],
    }
    for code, competencies in areas:
        document["areas"].append(
            {
                "code": code,
                "title": f"Area {code}",
                "competencies": [
                    {
                        "code": c,
                        "title": f"Competency {c}",
                        "after": [competencies[i - 1]] if i else [],
                    }
                    for i, c in enumerate(competencies)
                ],
            }
        )
        document["groups"].append(
            {"name": f"core_{code}", "union": [f"{code}.U0.*", f"{code}.U1.*"]}
        )
        document["rules"].append({"for": f"{code}.U3.*", "proficient_at": 3.5})
        document["requirements"].append(
            {
                "name": f"req_{code}",
                "title": f"Requirement {code}",
                "clauses": [
                    {"all_of": f"core_{code}", "test": "proficient"},
                    {"none_of": code, "below": "Developing"},
                ],
            }
        )
    document["graduate_when"] = [{"requirement": f"req_{code}"} for code, _ in areas]
    return json.dumps(document, indent=2)


# --- schools, groups and raters, for district reports ------------------------------------------
#
# These use the learner's generator streams 2 and 3, which the learners and evidence above never
# touch, so adding them changed none of the files written before.

#: Schools with their share of learners and the share of their learners eligible for free or
#: reduced-price lunch. ``island`` is small on purpose: reports must suppress it.
SCHOOLS = (
    ("north", 30, 0.25),
    ("harbor", 25, 0.55),
    ("east", 20, 0.40),
    ("valley", 15, 0.70),
    ("ridge", 9, 0.35),
    ("island", 1, 0.60),
)

#: Raters of double-scored work: four per school (``north-1``…), by school.
RATERS = {school: tuple(f"{school}-{n}" for n in (1, 2, 3, 4)) for school, _, _ in SCHOOLS}

#: Raters planted with a severity: points added to every score they give (before rounding).
#: Every other rater scores without bias. Reports must find exactly these.
PLANTED_SEVERITIES = {"harbor-2": -0.75, "east-3": 0.75}

#: Columns of the learners CSV with groups, as ``masterykit --learners`` reads them: ``id``,
#: the other learners columns, then school and lunch status.
GROUP_LEARNER_COLUMNS = ("id", *LEARNER_COLUMNS[1:], "school", "frl")

#: Columns of the ratings CSV: evidence columns, then rater and artifact.
RATING_COLUMNS = (*EVIDENCE_COLUMNS, "rater", "artifact")

# The share of performance tasks scored by two raters, and the raters' own noise.
_DOUBLE_SCORED = 0.25
_RATER_NOISE = 0.35


def learner_groups(index: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The school of learner ``index`` and whether they are eligible for free or reduced-price
    lunch (``frl``), more often in some schools than others."""
    rng = _rng(index, seed, 2)
    school = _choose(rng, tuple((name, weight) for name, weight, _ in SCHOOLS))
    share = next(frl for name, _, frl in SCHOOLS if name == school)
    return {"school": school, "frl": rng.random() < share}


def learner_ratings(index: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[str, ...]]:
    """Ratings of learner ``index``'s double-scored performance tasks, as ratings CSV rows.

    A quarter of the learner's performance tasks are scored by two of their school's raters;
    each rater's score is the task's score plus the rater's planted severity (if any) plus
    noise, rounded to half points on the 1–4 scale. The artifact id names the learner and the
    task's position.
    """
    rng = _rng(index, seed, 3)
    school = learner_groups(index, seed)["school"]
    for number, row in enumerate(learner_evidence(index, seed)):
        if row.kind != "performance_task" or row.competency.startswith("HOW."):
            continue
        if rng.random() >= _DOUBLE_SCORED:
            continue
        artifact = f"{row.learner}-{number}"
        for rater in rng.sample(RATERS[school], 2):
            raw = float(row.score) + PLANTED_SEVERITIES.get(rater, 0.0) + rng.gauss(0, _RATER_NOISE)
            score = Decimal(min(8, max(2, round(raw * 2)))) / 2
            yield (*row._replace(score=score).csv_fields(), rater, artifact)


def write_report_csv(
    folder: Path, learners: int, seed: int = DEFAULT_SEED
) -> tuple[Path, Path, Path]:
    """Write the files of a district report: learners with their school and lunch status,
    the evidence (the file :func:`write_csv` writes) and the double-scored ratings.

    Returns the learners-with-groups, evidence and ratings paths.
    """
    _, evidence_path = write_csv(folder, learners, seed)
    stem = f"{learners}-{seed}"
    groups_path = folder / f"learners-groups-{stem}.csv"
    ratings_path = folder / f"ratings-{stem}.csv"
    if groups_path.exists() and ratings_path.exists():
        return groups_path, evidence_path, ratings_path
    partial_groups = groups_path.with_suffix(".partial")
    partial_ratings = ratings_path.with_suffix(".partial")
    with (
        partial_groups.open("w", newline="", encoding="utf-8") as gf,
        partial_ratings.open("w", newline="", encoding="utf-8") as rf,
    ):
        group_writer = csv.writer(gf)
        rating_writer = csv.writer(rf)
        group_writer.writerow(GROUP_LEARNER_COLUMNS)
        rating_writer.writerow(RATING_COLUMNS)
        for index in range(learners):
            attributes = learner_attributes(index, seed)
            groups = learner_groups(index, seed)
            group_writer.writerow(
                (*_learner_row(index, attributes), groups["school"], _flag(groups["frl"]))
            )
            rating_writer.writerows(learner_ratings(index, seed))
    partial_groups.replace(groups_path)
    partial_ratings.replace(ratings_path)
    return groups_path, evidence_path, ratings_path


# --- classroom evidence against common assessments, for calibration ---------------------------

#: Schools whose classroom scores run ahead of their common assessments: points added to every
#: score that is not a common assessment (before rounding to the scale). Calibration must flag
#: exactly these schools.
PLANTED_INFLATION = {"valley": 0.75, "east": 0.5}

#: The kind of the district's common assessments in the generated evidence.
COMMON_KIND = "common_assessment"


def learner_calibration_evidence(index: int, seed: int = DEFAULT_SEED) -> Iterator[EvidenceRow]:
    """The evidence of learner ``index`` (:func:`learner_evidence`), with the classroom scores
    of learners in a school of :data:`PLANTED_INFLATION` raised by that school's inflation
    (clipped to the scale). Common assessments and habits are left as they are."""
    inflation = PLANTED_INFLATION.get(learner_groups(index, seed)["school"], 0.0)
    for row in learner_evidence(index, seed):
        if inflation and row.kind != COMMON_KIND and not row.competency.startswith("HOW."):
            halves = min(8, max(2, round((float(row.score) + inflation) * 2)))
            row = row._replace(score=Decimal(halves) / 2)
        yield row


def write_calibration_csv(
    folder: Path, learners: int, seed: int = DEFAULT_SEED
) -> tuple[Path, Path]:
    """Write the learners with their schools (as :func:`write_report_csv` does) and the
    evidence with the planted inflation. Returns the learners and evidence paths."""
    groups_path, _, _ = write_report_csv(folder, learners, seed)
    evidence_path = folder / f"calibration-{learners}-{seed}.csv"
    if evidence_path.exists():
        return groups_path, evidence_path
    partial = evidence_path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(EVIDENCE_COLUMNS)
        for index in range(learners):
            writer.writerows(row.csv_fields() for row in learner_calibration_evidence(index, seed))
    partial.replace(evidence_path)
    return groups_path, evidence_path


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.generate SIZE [FOLDER] [--reports]``: write the CSV files for a
    size (a name of :data:`SIZES` or a number of learners); ``--reports`` also writes the
    learners with their schools and the double-scored ratings."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    reports = "--reports" in args
    args = [arg for arg in args if arg != "--reports"]
    size = args[0] if args else "school"
    folder = Path(args[1]) if len(args) > 1 else Path(__file__).with_name("_data")
    learners = SIZES[size] if size in SIZES else int(size)
    if reports:
        for path in write_report_csv(folder, learners):
            print(path)
        return 0
    learners_path, evidence_path = write_csv(folder, learners)
    print(learners_path)
    print(evidence_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
