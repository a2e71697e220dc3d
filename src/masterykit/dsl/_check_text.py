"""How the checker writes policy constructs back as an author would: selections, levels, clauses,
method calls and rule names, plus spelling suggestions for unknown names.

>>> from masterykit.dsl.parser import parse
>>> tree = parse('policy "x"\\ngroup g = (A + B) - C.* - kind habit\\n')
>>> selection_text(tree.statements[0].selection)
'A + B - C.* - kind habit'
>>> suggest("MATH.9", ["MATH.1", "SCI.2"])
'did you mean `MATH.1`?'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import assert_never

from masterykit.dsl import nodes as n
from masterykit.numbers import format_decimal

__all__ = [
    "clause_text",
    "duration_text",
    "join_codes",
    "level_text",
    "name_text",
    "selection_text",
    "suggest",
]

_BARE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


def name_text(name: str) -> str:
    """A name or code as it is written: bare when it can be, quoted otherwise."""
    if _BARE.fullmatch(name) and not name.endswith("."):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def level_text(level: str | Decimal) -> str:
    """A level reference as written: a name (quoted when needed) or a number."""
    if isinstance(level, Decimal):
        return format_decimal(level)
    return name_text(level)


def duration_text(duration: n.Duration) -> str:
    """``3 years``, ``1 month``."""
    unit = duration.unit if duration.amount == 1 else f"{duration.unit}s"
    return f"{duration.amount} {unit}"


def selection_text(selection: n.Selection) -> str:
    """A selection as the author would write it (parentheses only where they are needed)."""
    match selection:
        case n.NameSelection():
            return name_text(selection.name.value)
        case n.WildcardSelection():
            return f"{selection.prefix}*"
        case n.KindSelection():
            return f"kind {name_text(selection.kind.value)}"
        case n.UnderSelection():
            return f"under {name_text(selection.code.value)}"
        case n.AllSelection():
            return "all competencies"
        case n.UnionSelection() | n.DifferenceSelection():
            op = "+" if isinstance(selection, n.UnionSelection) else "-"
            right = selection_text(selection.right)
            if isinstance(selection.right, n.UnionSelection | n.DifferenceSelection):
                right = f"({right})"
            return f"{selection_text(selection.left)} {op} {right}"
        case _:
            assert_never(selection)


def _literal_text(value: n.LiteralValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return value.isoformat()


def clause_text(clause: n.Clause) -> str:
    """A clause as the author would write it, on one line."""
    match clause:
        case n.Quantified():
            selection = selection_text(clause.selection)
            amount = format_decimal(clause.amount) if clause.amount is not None else ""
            head = {
                "all": "all",
                "any": "any",
                "none": "none",
                "count": f"at least {amount}",
                "percent": f"at least {amount}%",
            }[clause.quantifier]
            test: str = clause.test
            if clause.level is not None:
                test = f"{test} {level_text(clause.level.value)}"
            return f"{head} of {selection} {test}"
        case n.RequirementRef():
            return f"requirement {name_text(clause.name.value)}"
        case n.LearnerTest():
            text = f"learner.{clause.attribute.value}"
            if clause.op is not None and clause.value is not None:
                text = f"{text} {clause.op} {_literal_text(clause.value.value)}"
            return text
        case n.AnyBlock():
            return "any { " + " ".join(clause_text(c) for c in clause.clauses) + " }"
        case n.AllBlock():
            return "all { " + " ".join(clause_text(c) for c in clause.clauses) + " }"
        case n.Pathway():
            inner = " ".join(clause_text(c) for c in clause.clauses)
            return f"pathway {_literal_text(clause.name)} {{ {inner} }}"
        case n.Not():
            return f"not {clause_text(clause.clause)}"
        case _:
            assert_never(clause)


def join_codes(codes: Sequence[str], limit: int = 12) -> str:
    """Competency codes for a message: ``ELA.1, ELA.2`` (long lists end with ``and N more``)."""
    shown = [name_text(c) for c in codes[:limit]]
    if len(codes) > limit:
        shown.append(f"and {len(codes) - limit} more")
    return ", ".join(shown)


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean `X`?`` for the closest candidate, or ``None`` when nothing is close."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    if not close:
        return None
    return f"did you mean `{close[0]}`?"
