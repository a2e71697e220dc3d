"""How the checker writes policy constructs back as an author would: selections, levels, clauses,
rules and codes, plus spelling suggestions for unknown names.

Selections, levels and clauses are written by the language's one printer
(``masterykit.dsl._text``), the one the formatter lays files out with; only the spelling of
names and dates is the checker's own.

>>> from masterykit.dsl.parser import parse
>>> tree = parse('policy "x"\\ngroup g = (A + B) - C.* - kind habit\\n')
>>> selection_text(tree.statements[0].selection)
'A + B - C.* - kind habit'
>>> suggest("MATH.9", ["MATH.1", "SCI.2"])
'did you mean `MATH.1`?'
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from masterykit.dsl import _text
from masterykit.dsl import nodes as n

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
    return _text.quote(name)


def _stamp(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


#: The language's printer, writing names and dates the way the checker's messages always have.
_PRINTER = _text.Printer(word=name_text, stamp=_stamp)


def level_text(level: str | Decimal) -> str:
    """A level reference as written: a name (quoted when needed) or a number."""
    return _PRINTER.level(level)


def duration_text(duration: n.Duration) -> str:
    """``3 years``, ``1 month``."""
    return _text.duration(duration)


def selection_text(selection: n.Selection) -> str:
    """A selection as the author would write it (parentheses only where they are needed)."""
    return _PRINTER.selection(selection)


def clause_text(clause: n.Clause) -> str:
    """A clause as the author would write it, on one line."""
    return _PRINTER.clause(clause)


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
