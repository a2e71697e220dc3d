"""Check ``translate`` blocks and collect them into one :class:`~masterykit.policy.Translation`
per language.

A block's language is an ISO 639-1 code, optionally with a region (``es``, ``pt_BR``); each
entry translates a name the resolved policy has (a competency, an area, a group, a
requirement, a pathway) or a level name of one of its scales. Files later in the chain (an
overlay) may translate what their base translates: the overlay's text wins. Problems:
``MK283`` (a language code that is not ISO 639-1), ``MK284`` (a title for a name the policy
does not have), ``MK285`` (a level no scale has), ``MK286`` (the same name translated twice
for one language in one file).

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import Reporter
from masterykit.dsl._check_text import suggest
from masterykit.policy import AllClause, AnyClause, Clause, NotClause, Translation

__all__ = ["LANGUAGE_CODES", "pathway_names", "resolve_translations"]

#: The ISO 639-1 two-letter language codes.
LANGUAGE_CODES: frozenset[str] = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()
)

_CODE = re.compile(r"([a-z]{2})(?:_([A-Z]{2}))?")


def pathway_names(conditions: Iterable[Clause]) -> list[str]:
    """The names of the pathways (``pathway "…" { … }``) in ``conditions``, in order."""
    found: dict[str, None] = {}
    stack = list(conditions)[::-1]
    while stack:
        clause = stack.pop()
        if isinstance(clause, AllClause):
            if clause.pathway is not None:
                found[clause.pathway] = None
            stack.extend(reversed(clause.clauses))
        elif isinstance(clause, AnyClause):
            stack.extend(reversed(clause.clauses))
        elif isinstance(clause, NotClause):
            stack.append(clause.clause)
    return list(found)


def _language_ok(code: str) -> bool:
    found = _CODE.fullmatch(code)
    return found is not None and found.group(1) in LANGUAGE_CODES


def resolve_translations(
    files: Sequence[n.PolicyFile],
    names: Iterable[str],
    levels: Iterable[str],
    reporter: Reporter,
) -> dict[str, Translation]:
    """Every ``translate`` block of ``files`` (base first), checked against the ``names`` the
    policy has (competency and area codes, group, requirement and pathway names) and the
    ``levels`` of its scales, merged by language."""
    known = set(names)
    level_names = set(levels)
    titles: dict[str, dict[str, str]] = {}
    level_texts: dict[str, dict[str, str]] = {}
    for tree in files:
        seen: set[tuple[str, str, str]] = set()
        for stmt in tree.statements:
            if not isinstance(stmt, n.TranslateDecl):
                continue
            language = stmt.language.value
            if not _language_ok(language):
                lower = language.lower()
                near = suggest(lower[:2], sorted(LANGUAGE_CODES)) if lower[:2] else None
                reporter.error(
                    "MK283",
                    f"`{language}` is not a language code",
                    stmt.language.span,
                    help=(near + " " if near else "")
                    + "write an ISO 639-1 code such as `es`, with a region if needed (`pt_BR`)",
                )
                continue
            for entry in stmt.entries:
                if isinstance(entry, n.LevelTranslation):
                    name = entry.level.value
                    key = ("level", language, name)
                    if name not in level_names:
                        reporter.error(
                            "MK285",
                            f"no scale has a level called `{name}` to translate",
                            entry.level.span,
                            help=suggest(name, sorted(level_names))
                            or "translate the name of a level of one of the policy's scales",
                        )
                        continue
                    target = level_texts.setdefault(language, {})
                else:
                    name = entry.name.value
                    key = ("title", language, name)
                    if name not in known:
                        reporter.error(
                            "MK284",
                            f"`{name}` is not a competency, area, group, requirement or pathway "
                            "of the policy, so it has no title to translate",
                            entry.name.span,
                            help=suggest(name, sorted(known))
                            or "translate a competency or area code, a group, a requirement "
                            "or a pathway",
                        )
                        continue
                    target = titles.setdefault(language, {})
                if key in seen:
                    what = "level" if key[0] == "level" else "title"
                    reporter.error(
                        "MK286",
                        f"the {what} of `{name}` is translated into `{language}` twice",
                        entry.span,
                        help="keep one translation",
                    )
                    continue
                seen.add(key)
                target[name] = entry.text
    return {
        language: Translation(language, titles.get(language, {}), level_texts.get(language, {}))
        for language in dict.fromkeys([*titles, *level_texts])
    }
