"""Policy syntax written back as text, one construct at a time: the one printer of the language.

The formatter (:mod:`masterykit.dsl.format`) lays whole files out with :data:`PRINTER`, and the
checker's messages (``masterykit.dsl._check_text``) quote the author's policy with a
:class:`Printer` of their own, so a selection, a rule or a clause is written by one piece of code
wherever it appears. The two differ only in how they write a name or a date: the formatter
writes exactly what the parser reads back (a name that is a keyword is quoted), while the
checker's messages keep the spelling they have always had.

>>> from masterykit.dsl.parser import parse
>>> tree = parse('policy "x"\\ngroup g = (A + B) - (C.* - kind habit)\\n')
>>> PRINTER.selection(tree.statements[0].selection)
'A + B - (C.* - kind habit)'
>>> word("level"), word("MATH.1"), word("SCI 4.2")
('"level"', 'MATH.1', '"SCI 4.2"')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import assert_never

from masterykit.dsl import nodes as n
from masterykit.dsl.keywords import RESERVED
from masterykit.numbers import format_decimal

__all__ = ["PRINTER", "Printer", "duration", "number", "quote", "timestamp", "word"]

# What the lexer reads as one bare name or code (the grammar's WORD terminal).
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*([.\-][A-Za-z0-9_]+)*")


def quote(text: str) -> str:
    """``text`` as a quoted string, with ``\\`` and ``"`` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def word(value: str) -> str:
    """A name, code or level name: bare when the lexer reads it back as one word, else quoted."""
    if _BARE.fullmatch(value) and value not in RESERVED and not value.startswith("learner."):
        return value
    return quote(value)


def number(value: Decimal) -> str:
    """A number as written: ``3.5``, ``4``."""
    return format_decimal(value)


def timestamp(value: dt.date | dt.datetime) -> str:
    """``2026-01-10``, or ``2026-01-10T09:30`` with a time of day (seconds only when not zero)."""
    day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, dt.datetime):
        day += f"T{value.hour:02d}:{value.minute:02d}"
        if value.second:
            day += f":{value.second:02d}"
    return day


def duration(value: n.Duration) -> str:
    """``3 years``, ``1 month``."""
    unit = value.unit if value.amount == 1 else value.unit + "s"
    return f"{value.amount} {unit}"


class Printer:
    """Levels, values, selections, rules and clauses written back as text, on one line.

    ``word`` writes a name, code or level name and ``stamp`` a date; the defaults
    (:func:`word`, :func:`timestamp`) write what the parser reads back, as the formatter needs.
    """

    def __init__(
        self,
        word: Callable[[str], str] = word,
        stamp: Callable[[dt.date | dt.datetime], str] = timestamp,
    ) -> None:
        self.word = word
        self.stamp = stamp

    def level(self, value: str | Decimal) -> str:
        """A level reference: a level's name (quoted when needed) or a number."""
        if isinstance(value, Decimal):
            return number(value)
        return self.word(value)

    def literal(self, value: n.LiteralValue) -> str:
        """A value a learner attribute is compared with: text, a number, a date, true or false."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return quote(value)
        if isinstance(value, Decimal):
            return number(value)
        return self.stamp(value)

    def selection(self, value: n.Selection) -> str:
        """A selection: ``MATH + SCI - (SCI.LAB.* + kind habit)``, parentheses where needed."""
        return self._selection(value, right=False)

    def _selection(self, value: n.Selection, right: bool) -> str:
        match value:
            case n.NameSelection(name=name):
                return self.word(name.value)
            case n.WildcardSelection(prefix=prefix):
                return prefix + "*"
            case n.KindSelection(kind=kind):
                return f"kind {self.word(kind.value)}"
            case n.UnderSelection(code=code):
                return f"under {self.word(code.value)}"
            case n.AllSelection():
                return "all competencies"
            case (
                n.UnionSelection(left=left, right=other)
                | n.DifferenceSelection(left=left, right=other)
            ):
                op = "+" if isinstance(value, n.UnionSelection) else "-"
                text = f"{self._selection(left, False)} {op} {self._selection(other, True)}"
                return f"({text})" if right else text
            case _:
                assert_never(value)

    def rule(self, value: n.Rule) -> str:
        """A calculation, proficiency or evidence rule: ``calculate decaying_average(65%)``."""
        match value:
            case n.Calculate(method=method, args=args):
                text = f"calculate {self.word(method.value)}"
                if args:
                    text += "(" + ", ".join(_method_arg(arg) for arg in args) + ")"
                return text
            case n.Proficient(cut=cut, at_least=at_least):
                return f"proficient at {'least ' if at_least else ''}{self.level(cut.value)}"
            case n.EvidenceCount(count=count, kinds=kinds):
                text = f"evidence at least {count}"
                if kinds:
                    text += " from " + ", ".join(self.word(kind.value) for kind in kinds)
                return text
            case n.EvidenceVariety(count=count):
                return f"evidence from at least {count} kinds"
            case n.EvidenceWithin(duration=within):
                return f"evidence within {duration(within)}"
            case n.EvidenceGate():
                return "evidence after prerequisites"
            case n.Reteach(attempts=attempts):
                return f"reteach after {attempts} attempts"
            case _:
                assert_never(value)

    def quantified(self, value: n.Quantified) -> str:
        """``all of MATH proficient``, ``at least 80% of SCI reach 3``."""
        amount = number(value.amount) if value.amount is not None else "0"
        head: str
        match value.quantifier:
            case "all" | "any" | "none":
                head = value.quantifier
            case "count":
                head = f"at least {amount}"
            case "percent":
                head = f"at least {amount}%"
            case _:
                assert_never(value.quantifier)
        test: str = value.test
        if value.test == "not_started":
            test = "not started"
        elif value.test in ("reach", "below"):
            cut = value.level.value if value.level is not None else ""
            test = f"{value.test} {self.level(cut)}"
        return f"{head} of {self.selection(value.selection)} {test}"

    def learner_test(self, value: n.LearnerTest) -> str:
        """``learner.iep``, ``learner.grade >= 9``."""
        text = f"learner.{value.attribute.value}"
        if value.op is not None and value.value is not None:
            text += f" {value.op} {self.literal(value.value.value)}"
        return text

    def clause(self, value: n.Clause) -> str:
        """A clause on one line, blocks included: ``any { requirement a not learner.iep }``."""
        match value:
            case n.Quantified():
                return self.quantified(value)
            case n.RequirementRef(name=name):
                return f"requirement {self.word(name.value)}"
            case n.LearnerTest():
                return self.learner_test(value)
            case n.AnyBlock(clauses=clauses):
                return self._block("any", clauses)
            case n.AllBlock(clauses=clauses):
                return self._block("all", clauses)
            case n.Pathway(name=name, clauses=clauses):
                return self._block(f"pathway {quote(name)}", clauses)
            case n.Not(clause=inner):
                return f"not {self.clause(inner)}"
            case _:
                assert_never(value)

    def _block(self, head: str, clauses: tuple[n.Clause, ...]) -> str:
        return f"{head} {{ " + " ".join(self.clause(c) for c in clauses) + " }"


def _method_arg(arg: n.MethodArg) -> str:
    return number(arg.value) + ("%" if arg.percent else "")


#: The printer that writes what the parser reads back (the formatter's).
PRINTER = Printer()
