"""Hypothesis strategies for syntax trees (:mod:`masterykit.dsl.nodes`).

Every strategy draws trees that the parser can produce: ``parse(format_policy(tree)) == tree``
holds for every :func:`policy_files` tree. Names (scales, levels, groups, kinds, requirements,
learners, methods, attributes) are plain names that are not keywords; competency codes are
dotted codes (``MATH.ALG1.3``, ``ELA-W.9``) and sometimes quoted codes with spaces (``"SCI 4.2"``).
The trees are not checked: names need not refer to anything, so use them for the parser and the
formatter, or filter them for the checker.

Import with ``from strategies import policy_files`` (``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from masterykit.dsl import nodes as n
from masterykit.dsl.parser import KEYWORDS

__all__ = [
    "bare_codes",
    "clauses",
    "codes",
    "competency_idents",
    "dates",
    "decimals",
    "durations",
    "for_rules",
    "level_refs",
    "literals",
    "names",
    "plain_names",
    "policy_files",
    "rule_items",
    "rules",
    "selections",
    "statements",
    "texts",
    "timestamps",
]

T = TypeVar("T")

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_WORD_CHARS = _LETTERS + "0123456789_"


def _not_keyword(word: str) -> bool:
    return word not in KEYWORDS and not word.startswith("learner.")


#: A plain name such as ``four_point`` or ``HOW``, never a keyword.
plain_names: st.SearchStrategy[str] = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(_LETTERS + "_"),
    st.text(_WORD_CHARS, max_size=8),
).filter(_not_keyword)

_segment = st.text(_WORD_CHARS, min_size=1, max_size=5)

#: A bare competency code such as ``MATH.ALG1.3`` or ``ELA-W.9-10.1``, never a keyword.
bare_codes: st.SearchStrategy[str] = st.builds(
    lambda first, rest, parts: (
        first + rest + "".join(separator + segment for separator, segment in parts)
    ),
    st.sampled_from(_LETTERS),
    st.text(_WORD_CHARS, max_size=5),
    st.lists(st.tuples(st.sampled_from(".-"), _segment), max_size=3),
).filter(_not_keyword)

#: Quoted text: any printable characters on one line, quotes and backslashes included.
texts: st.SearchStrategy[str] = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20
)


def names() -> st.SearchStrategy[n.Ident]:
    """A name (scale, level, group, kind, requirement, learner …) as an :class:`Ident`."""
    return plain_names.map(n.Ident)


def codes() -> st.SearchStrategy[str]:
    """A competency code: mostly bare, sometimes one that must be quoted (``"SCI 4.2"``)."""
    return st.one_of(bare_codes, bare_codes, texts.filter(bool))


def competency_idents() -> st.SearchStrategy[n.Ident]:
    """A competency code as an :class:`Ident`."""
    return codes().map(n.Ident)


def decimals(negative: bool = True, places: int = 3) -> st.SearchStrategy[Decimal]:
    """A number as the language writes it: no exponent, at most ``places`` decimals."""
    low = -10_000 if negative else 0
    return st.builds(
        lambda whole, scale: Decimal(whole).scaleb(-scale),
        st.integers(low, 10_000),
        st.integers(0, places),
    )


def dates() -> st.SearchStrategy[dt.date]:
    """A calendar date with a four-digit year."""
    return st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def timestamps() -> st.SearchStrategy[dt.date | dt.datetime]:
    """A date, or a date with a time of day to the second (``2026-01-10T09:30``)."""
    moments = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    )
    return st.one_of(dates(), moments)


def durations() -> st.SearchStrategy[n.Duration]:
    """``10 days``, ``1 week``, ``3 months``, ``2 years``."""
    return st.builds(
        n.Duration, st.integers(0, 120), st.sampled_from(["day", "week", "month", "year"])
    )


def literals() -> st.SearchStrategy[n.Literal]:
    """A learner attribute value: text, number, date or date and time, ``true``/``false``."""
    return st.builds(n.Literal, st.one_of(texts, decimals(), timestamps(), st.booleans()))


def level_refs() -> st.SearchStrategy[n.LevelRef]:
    """A level by name (plain or quoted such as ``"Not Yet"``) or by value."""
    return st.builds(n.LevelRef, st.one_of(plain_names, texts, decimals()))


# --- selections -------------------------------------------------------------------------------


def selections() -> st.SearchStrategy[n.Selection]:
    """Any selection, with unions and differences nested on either side."""
    leaves: st.SearchStrategy[n.Selection] = st.one_of(
        st.builds(n.NameSelection, competency_idents()),
        st.builds(n.WildcardSelection, bare_codes.map(lambda code: code + ".")),
        st.builds(n.KindSelection, names()),
        st.builds(n.UnderSelection, competency_idents()),
        st.just(n.AllSelection()),
    )

    def extend(inner: st.SearchStrategy[n.Selection]) -> st.SearchStrategy[n.Selection]:
        return st.one_of(
            st.builds(n.UnionSelection, inner, inner),
            st.builds(n.DifferenceSelection, inner, inner),
        )

    return st.recursive(leaves, extend, max_leaves=5)


# --- rules ------------------------------------------------------------------------------------


def _tuples(strategy: st.SearchStrategy[T], max_size: int = 3) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(strategy, max_size=max_size).map(tuple)


def rules() -> st.SearchStrategy[n.Rule]:
    """One rule: ``calculate``, ``proficient at``, ``evidence at least/from/within/after``,
    ``reteach after``."""
    arguments = st.one_of(
        st.builds(n.MethodArg, decimals(), st.just(False)),
        st.builds(n.MethodArg, decimals(negative=False), st.just(True)),
    )
    return st.one_of(
        st.builds(n.Calculate, names(), _tuples(arguments)),
        st.builds(n.Proficient, level_refs(), st.booleans()),
        st.builds(n.EvidenceCount, st.integers(0, 20), _tuples(names())),
        st.builds(n.EvidenceVariety, st.integers(0, 5)),
        st.builds(n.EvidenceWithin, durations()),
        st.builds(n.EvidenceGate),
        st.builds(n.Reteach, st.integers(0, 20)),
    )


def for_rules() -> st.SearchStrategy[n.ForRule]:
    """``for S rule`` or ``for S { … }`` (``block`` drawn too: it never changes equality)."""
    return st.builds(n.ForRule, selections(), _tuples(rules()), st.booleans())


def rule_items() -> st.SearchStrategy[n.RuleItem]:
    """A rule, a ``for`` rule, or a ``tight``/``loose`` block of them."""
    inner: st.SearchStrategy[n.Rule | n.ForRule] = st.one_of(rules(), for_rules())
    return st.one_of(
        rules(),
        for_rules(),
        st.builds(n.RuleBlock, st.booleans(), _tuples(inner)),
    )


# --- clauses ----------------------------------------------------------------------------------


def _quantified() -> st.SearchStrategy[n.Quantified]:
    quantifier = st.one_of(
        st.tuples(st.sampled_from(["all", "any", "none"]), st.none()),
        st.tuples(st.just("count"), st.integers(0, 50).map(Decimal)),
        st.tuples(st.just("percent"), decimals(negative=False, places=2)),
    )
    test = st.one_of(
        st.tuples(
            st.sampled_from(["proficient", "ready", "insufficient", "started", "not_started"]),
            st.none(),
        ),
        st.tuples(st.sampled_from(["reach", "below"]), level_refs()),
    )

    def build(q: tuple[Any, Decimal | None], s: n.Selection, t: tuple[Any, Any]) -> n.Quantified:
        return n.Quantified(q[0], s, t[0], q[1], t[1])

    return st.builds(build, quantifier, selections(), test)


def _learner_tests() -> st.SearchStrategy[n.LearnerTest]:
    compare = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.builds(n.LearnerTest, names()),
        st.builds(n.LearnerTest, names(), compare, literals()),
    )


def clauses() -> st.SearchStrategy[n.Clause]:
    """Any condition clause, blocks and ``not`` nested."""
    leaves: st.SearchStrategy[n.Clause] = st.one_of(
        _quantified(), st.builds(n.RequirementRef, names()), _learner_tests()
    )

    def extend(inner: st.SearchStrategy[n.Clause]) -> st.SearchStrategy[n.Clause]:
        return st.one_of(
            st.builds(n.AnyBlock, _tuples(inner)),
            st.builds(n.AllBlock, _tuples(inner)),
            st.builds(n.Pathway, texts, _tuples(inner)),
            st.builds(n.Not, inner),
        )

    return st.recursive(leaves, extend, max_leaves=6)


# --- statements -------------------------------------------------------------------------------

_optional_title = st.none() | texts


def _competencies(*, top_level: bool = False) -> st.SearchStrategy[n.CompetencyDecl]:
    # Outside an area a competency has no `scale` option (the grammar says why).
    return st.builds(
        n.CompetencyDecl,
        competency_idents(),
        _optional_title,
        st.none() | names(),
        st.none() if top_level else st.none() | names(),
        _tuples(competency_idents()),
    )


def _pace() -> st.SearchStrategy[n.PaceDecl]:
    due = st.one_of(
        st.none(),
        st.builds(n.PaceDue, attribute=names()),
        st.builds(n.PaceDue, date=dates()),
    )
    extension = st.builds(n.Extension, durations(), clauses())
    return st.builds(
        n.PaceDecl,
        selections(),
        due,
        _tuples(extension, 2),
        st.none() | durations(),
        st.none() | durations(),
    )


def _expectations() -> st.SearchStrategy[n.Expectation]:
    learner = names()
    code = competency_idents()
    return st.one_of(
        st.builds(n.Expectation, learner, st.just("proficient"), st.booleans(), code),
        st.builds(n.Expectation, learner, st.just("level"), st.just(False), code, level_refs()),
        st.builds(n.Expectation, learner, st.just("score"), st.just(False), code, decimals()),
        st.builds(
            n.Expectation,
            learner,
            st.sampled_from(["not_started", "insufficient"]),
            st.just(False),
            code,
        ),
        st.builds(n.Expectation, learner, st.just("graduate"), st.booleans()),
        st.builds(
            n.Expectation,
            learner,
            st.just("advance"),
            st.booleans(),
            value=st.tuples(texts, texts),
        ),
        st.builds(n.Expectation, learner, st.just("requirement"), st.booleans(), value=names()),
        st.builds(n.Expectation, learner, st.just("pace"), value=names()),
    )


def _examples() -> st.SearchStrategy[n.Example]:
    attribute = st.builds(n.Attribute, names(), literals())
    learner = st.builds(n.ExampleLearner, names(), _tuples(attribute))
    evidence = st.builds(
        n.EvidenceLine,
        names(),
        competency_idents(),
        decimals(),
        timestamps(),
        st.none() | names(),
    )
    return st.builds(
        n.Example,
        texts,
        st.none() | dates(),
        _tuples(learner),
        _tuples(evidence),
        _tuples(_expectations()),
    )


def statements() -> st.SearchStrategy[n.Statement]:
    """Any top-level statement."""
    level = st.builds(n.LevelDecl, decimals(), st.one_of(plain_names, texts).map(n.Ident))
    condition = _tuples(clauses())
    return st.one_of(
        st.builds(n.ScaleDecl, names(), _tuples(level, 4)),
        st.builds(n.DefaultScale, names()),
        st.builds(
            n.AreaDecl,
            competency_idents(),
            _optional_title,
            st.none() | names(),
            st.none() | names(),
            _tuples(_competencies()),
        ),
        _competencies(top_level=True),
        st.builds(n.ImportFramework, texts.map(n.Ident)),
        st.builds(n.GroupDecl, names(), selections(), _optional_title),
        rule_items(),
        st.builds(n.RequirementDecl, names(), condition, _optional_title, st.booleans()),
        st.builds(n.Advance, texts, texts, condition, st.booleans()),
        st.builds(n.Graduate, condition, st.booleans(), st.booleans()),
        _pace(),
        _examples(),
    )


def policy_files() -> st.SearchStrategy[n.PolicyFile]:
    """A whole policy file: a header (``version``, ``extends`` or both) and statements."""
    return st.builds(
        n.PolicyFile,
        texts,
        st.lists(statements(), max_size=6).map(tuple),
        st.none() | texts,
        st.none() | texts.map(n.Ident),
    )
