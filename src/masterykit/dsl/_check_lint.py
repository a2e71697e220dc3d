"""Advice for a policy that checks: notes about choices that are allowed but easy to regret.

``MK257``: ``at least P% of S`` where P% of S's competencies, rounded up to whole competencies
as the language rounds it, is all of them (``at least 80% of`` three competencies is three):
the author almost certainly meant fewer, or should write ``all of``.

``MK256``: a district holds a proficiency floor tight but leaves the calculation loose. A school
may then choose any calculation — ``calculate highest`` makes one high score among low ones
proficient — and the floor no longer means what the district meant (calibration work found
exactly this: three common-assessment scores of 1 and one homework 3 made "proficient"). The
note is given to the file that sets the floor, once per floor rule, naming how many
competencies it governs with a loose calculation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction

from masterykit.diagnostics import Severity
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import Reporter
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    CompetencyRules,
    CompetencyTest,
    NotClause,
)

__all__ = ["note_loose_calculations", "note_percentages_of_all", "percent_needed"]


def note_loose_calculations(
    top: n.PolicyFile, rules: Mapping[str, CompetencyRules], reporter: Reporter
) -> None:
    """Report ``MK256`` for each tight floor of ``top`` that governs a competency whose
    calculation a school may replace."""
    for floor in _tight_floors(top.statements):
        span = floor.span
        if span is None:
            continue
        governed = [
            code
            for code, rule in rules.items()
            if rule.proficient.floor
            and rule.proficient.source.file == span.file
            and rule.proficient.source.line == span.line
            and not rule.calculate.source.tight
        ]
        if not governed:
            continue
        which = governed[0] if len(governed) == 1 else f"{len(governed)} competencies"
        reporter.error(
            "MK256",
            f"this floor is tight but the calculation of {which} is loose",
            span,
            help="a school may then choose `calculate highest`, and one high score among low "
            "ones would be proficient; hold the calculation tight too (`tight { calculate … }`) "
            "if the floor should mean the same in every school",
            severity=Severity.NOTE,
        )


def _tight_floors(items: tuple[object, ...], tight: bool = False) -> Iterator[n.Proficient]:
    for item in items:
        if isinstance(item, n.Proficient) and tight and item.at_least:
            yield item
        elif isinstance(item, n.RuleBlock):
            yield from _tight_floors(item.items, item.tight)
        elif isinstance(item, n.ForRule):
            yield from _tight_floors(item.rules, tight)


def percent_needed(amount: Decimal, total: int) -> int:
    """Competencies ``at least amount% of`` ``total`` needs: rounded up to whole competencies in
    exact arithmetic, as :func:`masterykit.engine.semantics.needed_competencies` does (a test
    keeps the two equal)."""
    return math.ceil(Fraction(amount) * total / 100)


def note_percentages_of_all(file: str, clauses: Iterable[Clause], reporter: Reporter) -> None:
    """Report ``MK257`` for each ``at least P% of S`` written in ``file`` that needs every
    competency of ``S``."""
    for test in _tests(clauses):
        span = test.span
        if span is None or span.file != file or test.quantifier != "percent":
            continue
        total = len(test.codes)
        if test.amount is None or test.amount >= 100 or total == 0:
            continue
        if percent_needed(test.amount, total) == total:
            reporter.error(
                "MK257",
                f"`{test.text}` needs all {total} competencies: {test.amount}% of {total}, "
                f"rounded up, is {total}",
                span,
                help=f"write `all of` if that is meant, or a count (`at least {total - 1} of`) "
                "or a smaller percentage if not",
                severity=Severity.NOTE,
            )


def _tests(clauses: Iterable[Clause]) -> Iterator[CompetencyTest]:
    for clause in clauses:
        if isinstance(clause, CompetencyTest):
            yield clause
        elif isinstance(clause, AnyClause | AllClause):
            yield from _tests(clause.clauses)
        elif isinstance(clause, NotClause):
            yield from _tests([clause.clause])
