"""The reserved words of the policy language, read from the grammar itself.

``grammar.lark`` is the one place the keywords are written: every word in double quotes there
(``"policy"``, ``"proficient"`` …) is a keyword, and the duration units are the alternatives of
its ``UNIT`` terminal. The parser, the tree builder (a reserved word is no name, ``MK126``), the
formatter (which quotes a name that is a keyword) and the syntax highlighter all take them from
here; ``tests/dsl/test_keywords.py`` checks that they are exactly what Lark reads in the grammar.

>>> "proficient" in RESERVED, "MATH" in RESERVED
(True, False)
>>> UNITS[:2]
('days', 'day')
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["CONSTANTS", "RESERVED", "UNITS", "WORDS"]


def _grammar() -> str:
    """The grammar's text without its ``//`` comments (which quote words of their own)."""
    text = resources.files("masterykit.dsl").joinpath("grammar.lark").read_text("utf-8")
    return re.sub(r"//[^\n]*", "", text)


def _words(grammar: str) -> tuple[str, ...]:
    """Every quoted word of the grammar, in the order the grammar first uses it."""
    return tuple(dict.fromkeys(re.findall(r'"([a-z_]+)"', grammar)))


def _units(grammar: str) -> tuple[str, ...]:
    """The words of the ``UNIT`` terminal, written ``UNIT.2: /(days|day|…)\\b/``."""
    found = re.search(r"^UNIT(?:\.\d+)?:\s*/\(([a-z|]+)\)\\b/\s*$", grammar, re.MULTILINE)
    if found is None:  # pragma: no cover - the grammar is part of the package
        raise RuntimeError("grammar.lark: UNIT is no longer a list of words")
    return tuple(found.group(1).split("|"))


_GRAMMAR = _grammar()

#: The keywords, in the order the grammar first uses them (``true`` and ``false`` included).
WORDS: tuple[str, ...] = _words(_GRAMMAR)
#: The keywords that are values: ``true`` and ``false``.
CONSTANTS: tuple[str, ...] = tuple(word for word in WORDS if word in ("true", "false"))
#: The duration units (``days``, ``day``, ``weeks`` …), reserved too.
UNITS: tuple[str, ...] = _units(_GRAMMAR)
#: Every reserved word (LANGUAGE.md, "Lexical"): the keywords and the duration units.
RESERVED: frozenset[str] = frozenset(WORDS + UNITS)

del _GRAMMAR
