"""Routing: which route of a district file takes a learner, and why.

A district file's routes are tried in order; the first whose condition holds for the learner,
with the attributes in force on the as-of date, decides (``LANGUAGE.md``, "District files").
Conditions are learner clauses, evaluated by the same compiled clause nodes as a policy's
requirements (:mod:`masterykit.engine._clauses`), so a route's condition reads an attribute
exactly as ``requirement … { learner.iep }`` does and explains itself the same way: the result
of a route is a :class:`~masterykit.engine.results.RouteResult` holding the clause result of its
condition and of every condition before it that did not hold.

>>> import datetime as dt
>>> from masterykit.district import District, Route
>>> from masterykit.evidence import Learner
>>> from masterykit.loader import load_text
>>> from masterykit.policy import LearnerClause, Provenance
>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> where = Provenance("district.mastery", 2, 3, "Demo District")
>>> district = District("Demo District", "1", "district.mastery", policy, (
...     Route(0, LearnerClause("school", "=", "east", 'learner.school = "east"'), None,
...           'when learner.school = "east" not evaluated "East starts next year"', where,
...           "East starts next year"),
...     Route(1, None, policy, 'otherwise use "demo.mastery"', where),
... ))
>>> found = routing(district, Learner("ana", {"school": "east"}), dt.date(2026, 6, 1))
>>> found.index, found.reason, found.condition.actual
(0, 'East starts next year', 'east')
>>> route(district, Learner("bo", {"school": "north"}), dt.date(2026, 6, 1)).text
'otherwise use "demo.mastery"'
"""

from __future__ import annotations

import datetime as dt
import weakref

from masterykit.district import District, Route
from masterykit.engine._clauses import AnyNode, Context, compile_clause
from masterykit.engine._plan import compile_policy
from masterykit.engine.results import ClauseResult, RouteResult
from masterykit.evidence import Learner
from masterykit.policy import AllClause, AnyClause, Clause, LearnerClause, NotClause

__all__ = ["choose", "route", "routing"]

#: How many distinct combinations of routed-on attribute values a district remembers the route
#: of (most districts route on a school and a year or two: a few dozen combinations).
_MEMO_LIMIT = 4096


def _in_force(learner: Learner, as_of: dt.date) -> Learner:
    """The learner as routing reads them: with the attributes in force on ``as_of``.

    INVARIANT: every read of a learner's attributes for routing goes through here, so that
    attributes which change over time are read as of the evaluation date in one place.
    """
    return learner.on(as_of)


def _attribute_names(clause: Clause, found: set[str]) -> None:
    match clause:
        case LearnerClause():
            found.add(clause.attribute)
        case AllClause() | AnyClause():
            for child in clause.clauses:
                _attribute_names(child, found)
        case NotClause():
            _attribute_names(clause.clause, found)
        case _:
            # The checker refuses routes that test competencies or requirements; such a
            # condition (in a district built by hand) is evaluated but never remembered.
            found.add("\0")


class _Router:
    """A district's routes compiled once: each condition as clause nodes, and the routes
    already found for combinations of the attribute values the conditions read."""

    def __init__(self, district: District):
        self.district = district
        # Clause nodes read a policy's plan only for competency tests, which routes have none.
        self.plan = compile_policy(district.base)
        self.routes: tuple[tuple[Route, AnyNode | None], ...] = tuple(
            (r, compile_clause(r.condition) if r.condition is not None else None)
            for r in district.routes
        )
        names: set[str] = set()
        for r in district.routes:
            if r.condition is not None:
                _attribute_names(r.condition, names)
        #: The attributes the conditions read; ``None`` when a condition reads more than
        #: attributes, so nothing can be remembered.
        self.names: tuple[str, ...] | None = None if "\0" in names else tuple(sorted(names))
        self.memo: dict[tuple[object, ...], tuple[Route | None, RouteResult]] = {}

    def choose(self, learner: Learner) -> tuple[Route | None, RouteResult]:
        attributes = learner.attributes
        key: tuple[object, ...] | None = None
        if self.names is not None:
            # Values of one type that read the same decide the same way (and read the same in
            # an explanation); the type keeps `true`, 1 and "1" apart.
            key = tuple(
                (type(attributes[name]), str(attributes[name])) if name in attributes else None
                for name in self.names
            )
            found = self.memo.get(key)
            if found is not None:
                return found
        chosen = self._evaluate(learner)
        if key is not None and len(self.memo) < _MEMO_LIMIT:
            # Another thread may store the same answer at the same time: both are equal.
            self.memo[key] = chosen
        return chosen

    def _evaluate(self, learner: Learner) -> tuple[Route | None, RouteResult]:
        ctx = Context(self.plan, learner.attributes, {})
        passed: list[ClauseResult] = []
        for candidate, node in self.routes:
            condition = node.evaluate(ctx) if node is not None else None
            if condition is None or condition.held:
                return candidate, RouteResult(
                    candidate.index,
                    candidate.text,
                    candidate.source,
                    condition,
                    tuple(passed),
                    candidate.reason,
                )
            passed.append(condition)
        return None, RouteResult(None, "", None, None, tuple(passed))


_ROUTERS: weakref.WeakKeyDictionary[District, _Router] = weakref.WeakKeyDictionary()


def _router(district: District) -> _Router:
    found = _ROUTERS.get(district)
    if found is None:
        found = _ROUTERS[district] = _Router(district)
    return found


def choose(
    district: District, learner: Learner, as_of: dt.date
) -> tuple[Route | None, RouteResult]:
    """The route ``learner`` takes on ``as_of`` (``None`` when none does) and why, as a
    :class:`~masterykit.engine.results.RouteResult`."""
    return _router(district).choose(_in_force(learner, as_of))


def route(district: District, learner: Learner, as_of: dt.date) -> Route | None:
    """The route of ``district`` that takes ``learner`` on ``as_of``: the first whose
    condition holds for the attributes in force that day (``otherwise`` always holds), or
    ``None`` when none does."""
    return choose(district, learner, as_of)[0]


def routing(district: District, learner: Learner, as_of: dt.date) -> RouteResult:
    """Why ``learner`` takes the route they take on ``as_of``: the route's position, text and
    reason, its condition's result and those of the routes before it."""
    return choose(district, learner, as_of)[1]
