"""Syntax highlighting of ``.mastery`` files with Pygments (docs, terminals, code review tools).

:class:`MasteryLexer` is registered under the ``pygments.lexers`` entry point, so once
masterykit is installed ``pygmentize -l mastery district.mastery`` and Sphinx's
``.. code-block:: mastery`` work. Pygments is an optional dependency (the ``test`` and ``docs``
extras): only this module imports it, and nothing in masterykit imports this module.

Token types:

* keywords (``policy``, ``scale``, ``proficient``, ``at``, ``least`` …): ``Keyword``; ``true`` and
  ``false``: ``Keyword.Constant``; calculation methods after ``calculate``: ``Name.Function``;
* comments: ``Comment.Single``; quoted text: ``String.Double`` (escapes ``String.Escape``);
* numbers: ``Number.Integer`` / ``Number.Float``; percentages (``65%``): ``Number``; dates
  (``2026-01-10``, ``2026-01-10T09:30``): ``Literal.Date``; durations (``3 years``): the amount
  is ``Number.Integer`` and the unit ``Keyword.Type``;
* competency codes with dots or dashes (``MATH.ALG1.3``) and wildcards (``MATH.ALG1.*``):
  ``Name.Constant``; other names: ``Name``; ``learner.iep``: ``Keyword`` ``Punctuation``
  ``Name.Attribute``;
* ``+ - = != < <= > >=``: ``Operator``; ``{ } ( ) , :``: ``Punctuation``;
* ``…`` (elided parts in documentation snippets): ``Comment.Special``.

>>> from pygments.token import Keyword, Name
>>> [(t, v) for t, v in MasteryLexer().get_tokens("for SCI.* proficient at 3.5") if v.strip()][:3]
[(Token.Keyword, 'for'), (Token.Name.Constant, 'SCI.*'), (Token.Keyword, 'proficient')]
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from masterykit.dsl.keywords import CONSTANTS, UNITS, WORDS

__all__ = ["KEYWORDS", "MasteryLexer"]

#: The reserved words of the language (LANGUAGE.md, "Lexical"), without ``true``, ``false`` and
#: the duration units, as the grammar has them (``masterykit.dsl.keywords``).
KEYWORDS = [word for word in WORDS if word not in CONSTANTS]

# A keyword must not run on into a code: `all.x` and `level-1` are codes.
_END = r"(?![A-Za-z0-9_.\-])"
_HEADER = re.compile(r'^\s*policy\s+"', re.MULTILINE)
_UNITS = "(" + "|".join(UNITS) + ")" + _END


class MasteryLexer(RegexLexer):  # type: ignore[misc]
    """Pygments lexer for the masterykit policy language (``*.mastery``)."""

    name = "Mastery"
    aliases: ClassVar[list[str]] = ["mastery"]
    filenames: ClassVar[list[str]] = ["*.mastery"]
    mimetypes: ClassVar[list[str]] = ["text/x-mastery"]
    url = "https://masterykit.readthedocs.io/"

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"', String.Double, "string"),
            (r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?" + _END, Literal.Date),
            (r"(\d+)(\s+)" + _UNITS, bygroups(Number.Integer, Whitespace, Keyword.Type)),
            (r"\d+(\.\d+)?%", Number),
            (r"\d+\.\d+", Number.Float),
            (r"\d+", Number.Integer),
            (
                r"(learner)(\.)([A-Za-z_][A-Za-z0-9_]*)",
                bygroups(Keyword, Punctuation, Name.Attribute),
            ),
            (
                r"(calculate)(\s+)([A-Za-z_][A-Za-z0-9_]*)" + _END,
                bygroups(Keyword, Whitespace, Name.Function),
            ),
            (r"[A-Za-z][A-Za-z0-9_]*([.\-][A-Za-z0-9_]+)*\.\*", Name.Constant),
            (words(CONSTANTS, suffix=_END), Keyword.Constant),
            (words(KEYWORDS, suffix=_END), Keyword),
            (_UNITS, Keyword.Type),
            (r"[A-Za-z_][A-Za-z0-9_]*([.\-][A-Za-z0-9_]+)+", Name.Constant),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"!=|<=|>=|[=<>+\-]", Operator),
            (r"[{}(),:]", Punctuation),
            # `…` stands for elided parts in documentation snippets (`for kind habit { … }`).
            (r"…|\.\.\.", Comment.Special),
        ],
        "string": [
            (r'[^"\\\n]+', String.Double),
            (r"\\.", String.Escape),
            (r'"', String.Double, "#pop"),
            (r"\n", Error, "#pop"),
        ],
    }

    @staticmethod
    def analyse_text(text: str) -> float:
        """How sure Pygments may be that ``text`` is a policy: a ``policy "…"`` header says so."""
        return 0.8 if _HEADER.search(text) else 0.0
