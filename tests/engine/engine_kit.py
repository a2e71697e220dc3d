"""Small policy builders for engine tests: policies are built by hand, with local methods.

Imported as ``engine_kit`` (the folder is put on ``sys.path`` by ``conftest.py``), a name no
other test folder uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from masterykit.evidence import Evidence, Learner
from masterykit.policy import (
    Advancement,
    AllClause,
    CalculationRule,
    Clause,
    Competency,
    CompetencyRules,
    CompetencyTest,
    CountRule,
    CutRule,
    Duration,
    Graduation,
    Layer,
    Level,
    Pace,
    PaceExtension,
    Policy,
    Provenance,
    Requirement,
    Scale,
    VarietyRule,
    WindowRule,
)
from masterykit.registry import MethodContext, MethodSpec

__all__ = [
    "DISTRICT",
    "FOUR",
    "HABITS",
    "METHODS",
    "SCHOOL",
    "at",
    "build_policy",
    "competency_test",
    "ev",
    "learner",
    "pace_rule",
]

DISTRICT = Provenance("district.mastery", 3, 1, "Lake County Schools", tight=True)
SCHOOL = Provenance("school.mastery", 7, 1, "Carroll Gardens")

FOUR = Scale(
    "four_point",
    tuple(
        Level(name, Decimal(value))
        for value, name in enumerate(["Beginning", "Developing", "Proficient", "Advanced"], 1)
    ),
)
HABITS = Scale(
    "habits",
    tuple(
        Level(name, Decimal(value))
        for value, name in enumerate(["Rarely", "Sometimes", "Usually", "Consistently"], 1)
    ),
)


def _mean(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    return sum(scores, Decimal(0)) / len(scores)


def _most_recent(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    return scores[-1]


def _highest(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    return max(scores)


def _decaying(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    weight = args[0] if args else Decimal("0.65")
    avg = scores[0]
    for score in scores[1:]:
        avg = weight * score + (1 - weight) * avg
    return avg


def _n_mastery(
    scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
) -> Decimal | None:
    n = int(args[0]) if args else 5
    above = [s for s in scores if s >= ctx.cut]
    if len(above) < n:
        return None
    return sum(above, Decimal(0)) / len(above)


METHODS = {
    spec.name: spec
    for spec in (
        MethodSpec("mean", _mean, order_free=True),
        MethodSpec("most_recent", _most_recent),
        MethodSpec("highest", _highest, order_free=True),
        MethodSpec("decaying_average", _decaying),
        MethodSpec("n_mastery", _n_mastery, order_free=True),
    )
}


def at(text: str) -> dt.date:
    """A date from ISO text."""
    return dt.date.fromisoformat(text)


def ev(
    learner: str,
    code: str,
    score: str | int,
    day: str,
    kind: str | None = None,
) -> Evidence:
    """A piece of evidence from short arguments."""
    stamp: dt.date | dt.datetime = (
        dt.datetime.fromisoformat(day) if "T" in day else dt.date.fromisoformat(day)
    )
    return Evidence(learner, code, Decimal(str(score)), stamp, kind=kind)


def competency_test(
    quantifier: str,
    test: str,
    codes: Sequence[str],
    text: str,
    *,
    amount: int | None = None,
    level: str | None = None,
    scale: Scale = FOUR,
) -> CompetencyTest:
    """A resolved competency test; thresholds come from ``level`` on ``scale``."""
    thresholds: tuple[Decimal, ...] = ()
    if level is not None:
        found = scale.level_named(level)
        assert found is not None
        thresholds = tuple(found.value for _ in codes)
    return CompetencyTest(
        quantifier,  # type: ignore[arg-type]
        test,  # type: ignore[arg-type]
        tuple(codes),
        text,
        amount=Decimal(amount) if amount is not None else None,
        thresholds=thresholds,
        level=level,
    )


def build_policy(
    competencies: Mapping[str, Scale] | Iterable[str],
    *,
    method: str = "most_recent",
    args: Sequence[str] = (),
    cut: str = "3",
    cut_level: str | None = "Proficient",
    counts: Sequence[tuple[int, Sequence[str]]] = (),
    variety: int | None = None,
    window: Duration | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    requirements: Mapping[str, Sequence[Clause]] | None = None,
    advancements: Sequence[tuple[str, str, Sequence[Clause]]] = (),
    graduation: Sequence[Clause] | None = None,
    pace: Pace | None = None,
) -> Policy:
    """A checked policy with the same rules for every competency (unless ``overrides``)."""
    scales = (
        dict(competencies)
        if isinstance(competencies, Mapping)
        else dict.fromkeys(competencies, FOUR)
    )
    comps: dict[str, Competency] = {}
    rules: dict[str, CompetencyRules] = {}
    for code, scale in scales.items():
        area = code.split(".")[0]
        comps[code] = Competency(code, f"title of {code}", scale, area=area)
        options: dict[str, Any] = {
            "method": method,
            "args": args,
            "cut": cut,
            "cut_level": cut_level,
            "counts": counts,
            "variety": variety,
            "window": window,
        }
        options.update((overrides or {}).get(code, {}))
        call_args = tuple(Decimal(a) for a in options["args"])
        text = options["method"] + (
            "(" + ", ".join(options["args"]) + ")" if options["args"] else ""
        )
        rules[code] = CompetencyRules(
            CalculationRule(options["method"], call_args, text, DISTRICT),
            CutRule(Decimal(options["cut"]), options["cut_level"], DISTRICT, floor=True),
            tuple(CountRule(n, frozenset(kinds), SCHOOL) for n, kinds in options["counts"]),
            VarietyRule(options["variety"], SCHOOL) if options["variety"] else None,
            WindowRule(options["window"], SCHOOL) if options["window"] else None,
        )
    reqs = {
        name: Requirement(name, f"Title {name}", AllClause(tuple(clauses)), False, DISTRICT)
        for name, clauses in (requirements or {}).items()
    }
    advs = tuple(
        Advancement(src, dst, AllClause(tuple(clauses)), SCHOOL)
        for src, dst, clauses in advancements
    )
    grad = Graduation(AllClause(tuple(graduation)), DISTRICT) if graduation is not None else None
    return Policy(
        name="Test policy",
        version="1",
        layers=(Layer("Lake County Schools", "district.mastery", "2026.1"),),
        scales={s.name: s for s in scales.values()},
        competencies=comps,
        rules=rules,
        requirements=reqs,
        advancements=advs,
        graduation=grad,
        pace=pace,
        methods=METHODS,
    )


def learner(name: str, **attributes: Any) -> Learner:
    """A learner with attributes."""
    return Learner(name, attributes)


def pace_rule(
    codes: Sequence[str],
    *,
    due_attribute: str | None = "graduation_date",
    due_date: dt.date | None = None,
    extensions: Sequence[PaceExtension] = (),
) -> Pace:
    """``pace for codes { due …; measure over last 6 months; at risk within 3 months }``."""
    return Pace(
        tuple(codes),
        Duration(6, "month"),
        Duration(3, "month"),
        DISTRICT,
        due_attribute=due_attribute,
        due_date=due_date,
        extensions=tuple(extensions),
    )
