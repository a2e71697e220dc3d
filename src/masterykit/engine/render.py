"""The one place where facts in results become words.

Results hold facts (:mod:`masterykit.engine.facts`, the evidence rules of
:class:`~masterykit.engine.results.SufficiencyCheck`); explanations, JSON and the command line
word them through these functions. Each takes an ``audience``:

* ``author`` — the policy author's wording: competency codes, numbers, rule syntax (what JSON's
  ``text`` fields and ``masterykit explain`` show by default);
* ``teacher`` — the author's sentences with each competency's title and each number's level
  name beside the code and the number;
* ``family`` and ``learner`` — plain language: titles and level names instead of codes and
  numbers, no file, line or rule syntax, short sentences (``learner`` speaks to the learner as
  "you"). This wording goes through gettext (see :class:`Names`), so a report can be shown in
  another language; the English text is the message id.

Plain-language texts need to know what things are called: :class:`Names` holds the
competencies' titles, their scales' level names and the titles of areas, groups and
requirements, and the translations to use.

.. versionadded:: 0.1
.. versionchanged:: 0.2
   The ``learner`` audience, plain wording for ``family`` and ``learner``, titles and level
   names for ``teacher``, :class:`Names`, :func:`render_what_counts`, :func:`render_pace_plain`
   and :func:`render_status`.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Literal,
    Protocol,
    TypeAlias,
    assert_never,
    cast,
    runtime_checkable,
)

import attrs

from masterykit.engine.facts import (
    CompetencyTestKind,
    DueNotADate,
    DueProblem,
    Fact,
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    NoDueAttribute,
    NoDueRule,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    StatusNeeded,
)
from masterykit.numbers import format_decimal
from masterykit.policy import Duration, Scale

if TYPE_CHECKING:
    from masterykit.engine.results import (
        CompetencyResult,
        LearnerResult,
        NextStep,
        PaceResult,
        SufficiencyCheck,
    )
    from masterykit.policy import Policy

__all__ = [
    "AUDIENCES",
    "PLAIN_AUDIENCES",
    "Audience",
    "Names",
    "Translations",
    "render_check_rule",
    "render_date",
    "render_fact",
    "render_learner_plain",
    "render_month",
    "render_pace_plain",
    "render_pace_reason",
    "render_status",
    "render_steps_plain",
    "render_what_counts",
]

#: Who a text is for.
Audience: TypeAlias = Literal["author", "teacher", "family", "learner"]
#: Every audience, the default first.
AUDIENCES: tuple[Audience, ...] = ("author", "teacher", "family", "learner")
#: The audiences that read plain language (titles and level names, no rule syntax).
PLAIN_AUDIENCES: tuple[Audience, ...] = ("family", "learner")


@runtime_checkable
class Translations(Protocol):
    """What plain-language wording needs of a message catalog: the methods of
    ``gettext.NullTranslations`` (which words everything in English)."""

    def gettext(self, message: str, /) -> str:
        """``message`` in the catalog's language."""

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        """``singular`` or ``plural``, as ``n`` asks, in the catalog's language."""

    def pgettext(self, context: str, message: str, /) -> str:
        """``message`` in ``context`` (such as a month's name), in the catalog's language."""


def _english() -> Translations:
    return _gettext.NullTranslations()


@attrs.frozen(slots=True)
class Names:
    """What plain-language texts call things, and the language they are written in.

    ``titles`` maps competency codes to titles, ``scales`` competency codes to their scales,
    ``groups`` area codes and group names to titles, ``requirements`` requirement names to
    titles, ``levels`` level names to the names to show (a translation; missing: the name
    itself) and ``kinds`` evidence kinds to words (missing: the kind with ``_`` as spaces).
    ``translations`` words every sentence (default: English). ``areas`` lists each area's
    competencies in policy order and ``competency_kinds`` each competency's kind, so that a
    report can show habits of work (kinds other than ``academic``) apart from academics.
    ``routes`` maps pathway names to the names to show (a translation; missing: the name).

    >>> names = Names(titles={"MATH.1": "Models with functions"})
    >>> names.title("MATH.1"), names.title("MATH.9")
    ('Models with functions', 'MATH.9')
    """

    titles: Mapping[str, str] = attrs.field(factory=dict)
    scales: Mapping[str, Scale] = attrs.field(factory=dict)
    groups: Mapping[str, str] = attrs.field(factory=dict)
    requirements: Mapping[str, str] = attrs.field(factory=dict)
    levels: Mapping[str, str] = attrs.field(factory=dict)
    kinds: Mapping[str, str] = attrs.field(factory=dict)
    translations: Translations = attrs.field(factory=_english)
    areas: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    competency_kinds: Mapping[str, str] = attrs.field(factory=dict)
    routes: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_policy(
        cls,
        policy: Policy,
        translations: Translations | None = None,
        *,
        titles: Mapping[str, str] | None = None,
        levels: Mapping[str, str] | None = None,
    ) -> Names:
        """The names a policy gives its competencies, areas, requirements and levels.

        ``titles`` and ``levels`` (translated titles by competency code, area code, group,
        requirement or pathway name, and translated level names) take the place of the
        policy's own.
        """
        extra = dict(titles or {})
        comp_titles = {
            code: extra.get(code, comp.title or code) for code, comp in policy.competencies.items()
        }
        groups = {code: extra.get(code, area.title or code) for code, area in policy.areas.items()}
        for name in policy.groups:
            groups.setdefault(name, extra.get(name, name.replace("_", " ")))
        for kind, title in _kind_titles(policy, groups).items():
            groups.setdefault(f"kind {kind}", title)
        requirements = {
            name: extra.get(name, req.title or name.replace("_", " "))
            for name, req in policy.requirements.items()
        }
        return cls(
            titles=comp_titles,
            scales={code: comp.scale for code, comp in policy.competencies.items()},
            groups=groups,
            requirements=requirements,
            levels=dict(levels or {}),
            translations=translations if translations is not None else _english(),
            areas=_areas(policy),
            competency_kinds={code: comp.kind for code, comp in policy.competencies.items()},
            routes=extra,
        )

    def route(self, name: str) -> str:
        """Pathway ``name`` as shown (translated when a translation is known)."""
        return self.routes.get(name, name)

    def title(self, code: str) -> str:
        """The title of competency ``code`` (the code when it has none)."""
        return self.titles.get(code, code)

    def level_name(self, name: str) -> str:
        """Level ``name`` as shown (translated when a translation is known)."""
        return self.levels.get(name, name)

    def kind(self, kind: str) -> str:
        """An evidence kind in words (``performance_task`` → ``performance task``)."""
        return self.kinds.get(kind, kind.replace("_", " "))

    def selection(self, text: str) -> str:
        """A selection as written (an area, a group, ``kind K``…) in words."""
        if text in self.groups:
            return self.groups[text]
        if text in self.titles:
            return self.titles[text]
        if text.startswith("kind "):
            return self.kind(text[5:])
        return text.replace("_", " ")

    def level_for(self, code: str, value: Decimal) -> str | None:
        """The name of the level ``value`` reaches on ``code``'s scale (``None``: below the
        lowest level, or no scale known)."""
        scale = self.scales.get(code)
        if scale is None:
            return None
        level = scale.level_for(value)
        return self.level_name(level.name) if level is not None else None

    def exact_level(self, code: str, value: Decimal) -> str | None:
        """The name of the level whose value is exactly ``value`` on ``code``'s scale."""
        scale = self.scales.get(code)
        if scale is None:
            return None
        for level in scale.levels:
            if level.value == value:
                return self.level_name(level.name)
        return None


def _kind_titles(policy: Policy, areas: Mapping[str, str]) -> dict[str, str]:
    """A kind's title: the title of the one area that holds every competency of that kind."""
    places: dict[str, set[str | None]] = {}
    for comp in policy.competencies.values():
        places.setdefault(comp.kind, set()).add(comp.area)
    return {
        kind: areas[area]
        for kind, found in places.items()
        if len(found) == 1 and (area := next(iter(found))) is not None and area in areas
    }


def _areas(policy: Policy) -> dict[str, tuple[str, ...]]:
    """Each area's competencies in policy order; competencies outside every area under ``""``."""
    found: dict[str, list[str]] = {}
    for code, comp in policy.competencies.items():
        found.setdefault(comp.area or "", []).append(code)
    return {area: tuple(codes) for area, codes in found.items()}


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _kinds(kinds: Iterable[str], joiner: str) -> str:
    return joiner.join(kinds)


def _wanted(test: CompetencyTestKind, level: str | None) -> str:
    match test:
        case "proficient":
            return "proficient"
        case "reach":
            return f"at {level}"
        case "below":
            return f"below {level}"
        case "ready":
            return "ready (every prerequisite proficient, itself not yet)"
        case "insufficient":
            return "insufficient"
        case "started":
            return "started"
        case "not_started":
            return "not started"
        case _:  # pragma: no cover - the union is closed
            assert_never(test)


def _value(value: Decimal) -> str:
    return format_decimal(value)


def render_fact(fact: Fact, audience: Audience = "author", names: Names | None = None) -> str:
    """One next step in words for ``audience`` ("MATH.3 needs a score of 3 or more (now 2)").

    ``names`` gives titles, level names and the language for the ``teacher``, ``family`` and
    ``learner`` wordings (without it they show codes and numbers).

    >>> from decimal import Decimal
    >>> render_fact(ScoreNeeded("MATH.3", Decimal(3), Decimal(2)))
    'MATH.3 needs a score of 3 or more (now 2)'
    >>> names = Names(titles={"MATH.3": "Solves equations"})
    >>> render_fact(ScoreNeeded("MATH.3", Decimal(3), Decimal(2)), "teacher", names)
    'MATH.3 (Solves equations) needs a score of 3 or more (now 2)'
    >>> render_fact(MoreEvidence("MATH.3", 1), "family", names)
    'Solves equations: 1 more piece of work is needed.'
    """
    match audience:
        case "author":
            return _author_fact(fact, Names())
        case "teacher":
            return _author_fact(fact, names or Names(), teacher=True)
        case "family" | "learner":
            return _plain_fact(fact, names or Names(), audience)
        case _:  # pragma: no cover - the union is closed
            assert_never(audience)


def _author_fact(fact: Fact, names: Names, *, teacher: bool = False) -> str:
    def who(code: str) -> str:
        if teacher and code in names.titles and names.titles[code] != code:
            return f"{code} ({names.titles[code]})"
        return code

    def at(code: str, value: Decimal) -> str:
        level = names.level_for(code, value) if teacher else None
        return f"{_value(value)}, {level}" if level else _value(value)

    match fact:
        case MoreEvidence(competency, count, kinds):
            text = f"{who(competency)}: {_plural(count, 'more piece', 'more pieces')} of evidence"
            if kinds:
                text += " from " + _kinds(kinds, " or ")
            return text
        case MoreKinds(competency, count):
            return f"{who(competency)}: evidence of {_plural(count, 'more kind', 'more kinds')}"
        case NoScoreYet(competency, calculation):
            return f"{who(competency)}: the calculation `{calculation.text}` gives no score yet"
        case ScoreNeeded(competency, cut, now):
            text = f"{who(competency)} needs a score of {_value(cut)} or more"
            return text if now is None else f"{text} (now {at(competency, now)})"
        case LevelNeeded(competency, level, value, now):
            if now is None:
                return f"{who(competency)} needs to reach {level} ({_value(value)})"
            return (
                f"{who(competency)} needs to reach {level}: a score of {_value(value)} or more "
                f"(now {at(competency, now)})"
            )
        case MustNotBe(competency, test, level):
            return f"{who(competency)} must not be {_wanted(test, level)}"
        case MoreCompetencies(selection, count, test, level):
            more = _plural(count, "more competency", "more competencies")
            return f"{selection}: {more} {_wanted(test, level)}"
        case RequirementCannotHold(name):
            return f"requirement `{name}` cannot hold"
        case LearnerCondition(clause):
            return f"`{clause}` does not hold for this learner"
        case MustNotHold(clause):
            return f"`{clause}` must not hold"
        case StatusNeeded(competency, test):
            return f"{competency} must be {_wanted(test, None)}"
        case _:  # pragma: no cover - the union is closed
            assert_never(fact)


# --- plain language ---------------------------------------------------------------------------


def _number_word(count: int, tr: Translations) -> str:
    """Small counts in words ("two pieces of work" reads better than "2 pieces of work")."""
    words = (
        tr.pgettext("number", "one"),
        tr.pgettext("number", "two"),
        tr.pgettext("number", "three"),
        tr.pgettext("number", "four"),
        tr.pgettext("number", "five"),
        tr.pgettext("number", "six"),
        tr.pgettext("number", "seven"),
        tr.pgettext("number", "eight"),
        tr.pgettext("number", "nine"),
        tr.pgettext("number", "ten"),
    )
    return words[count - 1] if 1 <= count <= len(words) else str(count)


def _month_name(day: dt.date, tr: Translations) -> str:
    return _month_names(cast("Hashable", tr))[day.month - 1]


@functools.lru_cache(maxsize=64)
def _month_names(tr: Hashable) -> tuple[str, ...]:
    assert isinstance(tr, Translations)
    # Cached per catalog: a school's progress reports word hundreds of thousands of dates.
    return (
        tr.pgettext("month", "January"),
        tr.pgettext("month", "February"),
        tr.pgettext("month", "March"),
        tr.pgettext("month", "April"),
        tr.pgettext("month", "May"),
        tr.pgettext("month", "June"),
        tr.pgettext("month", "July"),
        tr.pgettext("month", "August"),
        tr.pgettext("month", "September"),
        tr.pgettext("month", "October"),
        tr.pgettext("month", "November"),
        tr.pgettext("month", "December"),
    )


def render_month(day: dt.date, names: Names | None = None) -> str:
    """A month and year in words ("March 2027"; "marzo de 2027" in Spanish).

    >>> render_month(dt.date(2027, 3, 15))
    'March 2027'
    """
    tr = (names or Names()).translations
    month = _month_name(day, tr)
    return tr.gettext("{month} {year}").format(month=month, year=day.year)


def render_date(day: dt.date, names: Names | None = None) -> str:
    """A date in words ("June 12, 2026"; "12 de junio de 2026" in Spanish).

    >>> render_date(dt.date(2026, 6, 12))
    'June 12, 2026'
    """
    tr = (names or Names()).translations
    month = _month_name(day, tr)
    return tr.gettext("{month} {day}, {year}").format(month=month, day=day.day, year=day.year)


def _duration(duration: Duration, tr: Translations) -> str:
    amount = duration.amount
    match duration.unit:
        case "day":
            return tr.ngettext("{count} day", "{count} days", amount).format(count=amount)
        case "week":
            return tr.ngettext("{count} week", "{count} weeks", amount).format(count=amount)
        case "month":
            return tr.ngettext("{count} month", "{count} months", amount).format(count=amount)
        case "year":
            return tr.ngettext("{count} year", "{count} years", amount).format(count=amount)
        case _:  # pragma: no cover - the union is closed
            assert_never(duration.unit)


def _alternatives(words: list[str], tr: Translations) -> str:
    if len(words) == 1:
        return words[0]
    return tr.gettext("{first} or {last}").format(first=", ".join(words[:-1]), last=words[-1])


def _level_goal(code: str, value: Decimal, names: Names) -> str:
    """What reaching ``value`` on ``code``'s scale means: a level name, or a score between
    two levels."""
    tr = names.translations
    exact = names.exact_level(code, value)
    if exact is not None:
        return exact
    below = names.level_for(code, value)
    if below is not None:
        return tr.gettext("a score of {score} (above {level})").format(
            score=_value(value), level=below
        )
    return tr.gettext("a score of {score}").format(score=_value(value))


def _now(code: str, now: Decimal | None, names: Names) -> str:
    if now is None:
        return ""
    tr = names.translations
    level = names.level_for(code, now)
    if level is None:
        scale = names.scales.get(code)
        if scale is None:
            return " " + tr.gettext("(now {score})").format(score=_value(now))
        lowest = names.level_name(scale.levels[0].name)
        return " " + tr.gettext("(now below {level})").format(level=lowest)
    return " " + tr.gettext("(now {level})").format(level=level)


def _ask(audience: Audience, tr: Translations) -> str:
    if audience == "learner":
        return tr.gettext("Ask your teacher about it.")
    return tr.gettext("Ask the school about it.")


def _plain_test(test: CompetencyTestKind, level: str | None, names: Names, tr: Translations) -> str:
    shown = names.level_name(level) if level is not None else ""
    match test:
        case "proficient":
            return tr.gettext("proficient")
        case "reach":
            return tr.gettext("at {level} or higher").format(level=shown)
        case "below":
            return tr.gettext("below {level}").format(level=shown)
        case "ready":
            return tr.gettext("ready to start")
        case "insufficient":
            return tr.gettext("short of evidence")
        case "started":
            return tr.gettext("started")
        case "not_started":
            return tr.gettext("not started")
        case _:  # pragma: no cover - the union is closed
            assert_never(test)


def _plain_part(fact: Fact, names: Names) -> str | None:
    """What a competency's step asks, without the competency's title ("2 more pieces of work
    are needed"); ``None`` for a step that concerns no one competency."""
    tr = names.translations
    match fact:
        case MoreEvidence(competency, count, kinds):
            if kinds:
                words = [names.kind(kind) for kind in kinds]
                return tr.ngettext(
                    "{count} more piece of work is needed ({kinds})",
                    "{count} more pieces of work are needed ({kinds})",
                    count,
                ).format(count=count, kinds=_alternatives(words, tr))
            return tr.ngettext(
                "{count} more piece of work is needed",
                "{count} more pieces of work are needed",
                count,
            ).format(count=count)
        case MoreKinds(competency, count):
            return tr.ngettext(
                "work of {count} more kind is needed (such as a project, a test or a "
                "presentation, different from the work so far)",
                "work of {count} more kinds is needed (such as a project, a test or a "
                "presentation, different from the work so far)",
                count,
            ).format(count=count)
        case NoScoreYet(competency, _calculation):
            return tr.gettext("more work at the expected level is needed before it gets a level")
        case ScoreNeeded(competency, cut, now):
            return tr.gettext("the overall level needs to reach {goal}{now}").format(
                goal=_level_goal(competency, cut, names), now=_now(competency, now, names)
            )
        case LevelNeeded(competency, level, value, now):
            goal = names.level_name(level) if level else _level_goal(competency, value, names)
            return tr.gettext("the overall level needs to reach {goal}{now}").format(
                goal=goal, now=_now(competency, now, names)
            )
        case MustNotBe(competency, test, level):
            return tr.gettext("this route asks that it is not {test}").format(
                test=_plain_test(test, level, names, tr)
            )
        case StatusNeeded(competency, test):
            return tr.gettext("this route asks that it is {test}").format(
                test=_plain_test(test, None, names, tr)
            )
        case MoreCompetencies() | RequirementCannotHold() | LearnerCondition() | MustNotHold():
            return None
        case _:  # pragma: no cover - the union is closed
            assert_never(fact)


def _plain_sentence(title: str, parts: list[str], tr: Translations) -> str:
    return tr.gettext("{title}: {details}.").format(title=title, details="; ".join(parts))


def _plain_fact(fact: Fact, names: Names, audience: Audience) -> str:
    tr = names.translations
    part = _plain_part(fact, names)
    if part is not None and fact.competency is not None:
        return _plain_sentence(names.title(fact.competency), [part], tr)
    match fact:
        case MoreCompetencies(selection, count, test, level):
            return tr.ngettext(
                "{selection}: {count} more competency needs to be {test}.",
                "{selection}: {count} more competencies need to be {test}.",
                count,
            ).format(
                selection=names.selection(selection),
                count=count,
                test=_plain_test(test, level, names, tr),
            )
        case RequirementCannotHold(name):
            return (
                tr.gettext("{requirement} cannot be met as the policy is written.").format(
                    requirement=names.requirements.get(name, name.replace("_", " "))
                )
                + " "
                + _ask(audience, tr)
            )
        case LearnerCondition(clause):
            return (
                tr.gettext("This route depends on the school's records ({record}).").format(
                    record=_record(clause)
                )
                + " "
                + _ask(audience, tr)
            )
        case MustNotHold(clause):
            return (
                tr.gettext(
                    "This route is open only when something is not the case ({what})."
                ).format(what=_record(clause))
                + " "
                + _ask(audience, tr)
            )
        case _:  # pragma: no cover - every competency's step has a part
            raise AssertionError(fact)


def render_steps_plain(
    steps: Iterable[NextStep], names: Names | None = None, audience: Audience = "family"
) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """Next steps in plain sentences, one sentence per competency (its steps joined), grouped
    by route: ``(None, sentences)`` for what every route needs, then ``(route, sentences)`` for
    each route of which one is enough, in the order the steps come in. Repeats are dropped.
    """
    names = names or Names()
    tr = names.translations
    routes: dict[str | None, dict[str, list[str]]] = {}
    for step in steps:
        sentences = routes.setdefault(step.option, {})
        part = _plain_part(step.fact, names)
        code = step.fact.competency
        if part is not None and code is not None:
            parts = sentences.setdefault(code, [])
            if part not in parts:
                parts.append(part)
        else:
            text = render_fact(step.fact, audience, names)
            sentences.setdefault("\0" + text, [])
    found: list[tuple[str | None, tuple[str, ...]]] = []
    for route in sorted(routes, key=lambda name: name is not None):
        lines = tuple(
            key[1:] if key.startswith("\0") else _plain_sentence(names.title(key), parts, tr)
            for key, parts in routes[route].items()
        )
        found.append((names.route(route) if route is not None else None, lines))
    return tuple(found)


def _record(clause: str) -> str:
    """A learner clause as a record's name: ``learner.cte_enrolled`` → ``cte enrolled``."""
    text = clause.removeprefix("not ").strip()
    if text.startswith("learner."):
        text = text[len("learner.") :]
    return text.split()[0].replace("_", " ") if text.split() else text


def render_what_counts(
    result: CompetencyResult, names: Names | None = None, audience: Audience = "family"
) -> str:
    """What a competency asks for, in plain words ("two pieces of work of different kinds, with
    an overall score of Proficient or higher"), from the rules that applied to ``result``.

    For ``author`` and ``teacher`` it is the rules as the author writes them, joined by ``;``.
    """
    names = names or Names()
    if audience in ("author", "teacher"):
        rules = [check.rule for check in result.checks]
        rules.append(f"proficient at {result.cut.level or _value(result.cut.cut)}")
        if result.window is not None:
            rules.append(f"evidence within {result.window.duration}")
        return "; ".join(rules)
    tr = names.translations
    needed = max(
        [1] + [check.needed for check in result.checks if not check.kinds and not check.variety]
    )
    variety = max([0] + [check.needed for check in result.checks if check.variety])
    needed = max(needed, variety)
    word = _number_word(needed, tr)
    if variety >= 2 and variety == needed:
        text = tr.ngettext(
            "{count} piece of work of different kinds",
            "{count} pieces of work of different kinds",
            needed,
        ).format(count=word)
    else:
        text = tr.ngettext("{count} piece of work", "{count} pieces of work", needed).format(
            count=word
        )
        if variety >= 2:
            text += " " + tr.gettext("of at least {count} different kinds").format(
                count=_number_word(variety, tr)
            )
    for check in result.checks:
        if check.kinds and not check.variety:
            kinds = _alternatives([names.kind(kind) for kind in check.kinds], tr)
            text += tr.ngettext(
                ", including {count} {kinds}",
                ", including {count} of these: {kinds}",
                check.needed,
            ).format(count=_number_word(check.needed, tr), kinds=kinds)
    if result.window is not None:
        text += " " + tr.gettext("from the last {duration}").format(
            duration=_duration(result.window.duration, tr)
        )
    goal = _level_goal(result.code, result.cut.cut, names)
    text += tr.gettext(", with an overall score of {goal} or higher").format(goal=goal)
    return text


def render_status(result: CompetencyResult, names: Names | None = None) -> str:
    """Where a learner stands on one competency, in plain words ("Proficient: met",
    "Developing: not met yet", "not started").
    """
    names = names or Names()
    tr = names.translations
    level = names.level_name(result.level) if result.level else None
    match result.status.value:
        case "not_started":
            return tr.gettext("not started")
        case "insufficient":
            return tr.gettext("started; more work is needed before it gets a level")
        case "proficient":
            return tr.gettext("{level}: met").format(
                level=level or _value(result.score or Decimal(0))
            )
        case _:
            if level is None:
                return tr.gettext("not met yet")
            return tr.gettext("{level}: not met yet").format(level=level)


def render_check_rule(check: SufficiencyCheck, audience: Audience = "author") -> str:
    """An evidence rule as the author writes it ("evidence at least 2 from quiz, test")."""
    del audience
    if check.variety:
        return f"evidence from at least {check.needed} kinds"
    if check.kinds:
        return f"evidence at least {check.needed} from {_kinds(check.kinds, ', ')}"
    return f"evidence at least {check.needed}"


def _due_problem(problem: DueProblem | None) -> str:
    match problem:
        case NoDueAttribute(attribute):
            return f"the learner has no `{attribute}`"
        case DueNotADate(attribute, value):
            return f"`learner.{attribute}` is not a date (`{value}`)"
        case NoDueRule() | None:
            return "the pace rule has no due date"
        case _:  # pragma: no cover - the union is closed
            assert_never(problem)


def render_pace_reason(pace: PaceResult, audience: Audience = "author") -> str:
    """Why pace has its status, in words ("projected to finish on 2026-05-01, by 2026-06-15").

    ``family`` and ``learner`` get :func:`render_pace_plain`'s sentences.
    """
    if audience in PLAIN_AUDIENCES:
        return " ".join(render_pace_plain(pace, None, audience))
    status = pace.status.value
    projected = pace.projected.isoformat() if pace.projected is not None else None
    due = pace.due.isoformat() if pace.due is not None else None
    risk = pace.risk_until.isoformat() if pace.risk_until is not None else None
    if status == "complete":
        return "every competency in the pace selection is proficient"
    if status == "unknown":
        return f"no due date: {_due_problem(pace.problem)}"
    if projected is None:
        return f"no competency became proficient in the last {pace.window}"
    if status == "on_track":
        return f"projected to finish on {projected}, by {due}"
    if status == "at_risk":
        return f"projected to finish on {projected}, after {due} but by {risk}"
    return f"projected to finish on {projected}, after {risk}"


def _span(days: int, tr: Translations) -> str:
    """A time to go in weeks (or days, under two weeks)."""
    if days < 14:
        return tr.ngettext("{count} day", "{count} days", days).format(count=days)
    weeks = days // 7
    return tr.ngettext("{count} week", "{count} weeks", weeks).format(count=weeks)


def _needed_by(
    remaining: int,
    days: int | None,
    day: dt.date,
    names: Names,
    audience: Audience,
    *,
    cohort: bool,
) -> str:
    tr = names.translations
    when = render_month(day, names)
    if days is None or days <= 0:
        if cohort:
            return tr.gettext("The class's graduation date ({date}) has passed.").format(date=when)
        return tr.gettext("The later date that applies ({date}) has passed.").format(date=when)
    span = _span(days, tr)
    if cohort and audience == "learner":
        message = tr.ngettext(
            "To graduate with your class in {date}, you would need {count} more competency in "
            "{span}.",
            "To graduate with your class in {date}, you would need {count} more competencies in "
            "{span}.",
            remaining,
        )
    elif cohort:
        message = tr.ngettext(
            "To graduate with the class in {date}, {count} more competency is needed in {span}.",
            "To graduate with the class in {date}, {count} more competencies are needed in {span}.",
            remaining,
        )
    elif audience == "learner":
        message = tr.ngettext(
            "You can also take until {date}: that leaves {span} for {count} more competency.",
            "You can also take until {date}: that leaves {span} for {count} more competencies.",
            remaining,
        )
    else:
        message = tr.ngettext(
            "There is also more time, until {date}: that leaves {span} for {count} more "
            "competency.",
            "There is also more time, until {date}: that leaves {span} for {count} more "
            "competencies.",
            remaining,
        )
    return message.format(date=when, count=remaining, span=span)


def render_pace_plain(
    pace: PaceResult, names: Names | None = None, audience: Audience = "family"
) -> tuple[str, ...]:
    """Pace in plain sentences, side by side: the finish at the recent pace, what finishing with
    the class would take, and the later date where an extension applies.

    ("At the recent pace, the work is done in March 2027." "To graduate with the class in June
    2026, 3 more competencies are needed in 11 weeks.")
    """
    names = names or Names()
    tr = names.translations
    remaining = len(pace.remaining)
    status = pace.status.value
    if status == "complete":
        if audience == "learner":
            return (tr.gettext("You have finished everything that pace counts."),)
        return (tr.gettext("Everything that pace counts is finished."),)
    lines: list[str] = []
    if pace.projected is None:
        if audience == "learner":
            lines.append(
                tr.gettext("You finished no competency in the last {duration}.").format(
                    duration=_duration(pace.window, tr) if pace.window else ""
                )
            )
        else:
            lines.append(
                tr.gettext("No competency was finished in the last {duration}.").format(
                    duration=_duration(pace.window, tr) if pace.window else ""
                )
            )
    elif audience == "learner":
        lines.append(
            tr.gettext("At your recent pace you finish in {date}.").format(
                date=render_month(pace.projected, names)
            )
        )
    else:
        lines.append(
            tr.gettext("At the recent pace, the work is finished in {date}.").format(
                date=render_month(pace.projected, names)
            )
        )
    if pace.base_due is None:
        lines.append(
            tr.gettext("The school has no graduation date on record.") + " " + _ask(audience, tr)
        )
        return tuple(lines)
    lines.append(_needed_by(remaining, pace.days_left, pace.base_due, names, audience, cohort=True))
    if pace.extensions and pace.due is not None and pace.due != pace.base_due:
        lines.append(
            _needed_by(remaining, pace.extended_days_left, pace.due, names, audience, cohort=False)
        )
    return tuple(lines)


def render_learner_plain(
    result: LearnerResult,
    steps: Iterable[NextStep],
    names: Names | None = None,
    audience: Audience = "family",
) -> str:
    """A learner's results in plain language: each area with its competencies and levels,
    habits of work (competencies of a kind other than ``academic``) apart, what is next, and
    pace. ``steps`` are the next steps to show, in the order given.
    """
    names = names or Names()
    tr = names.translations
    lines: list[str] = []
    for habits in (False, True):
        shown = False
        for area, codes in (names.areas or {"": tuple(result.competencies)}).items():
            wanted = [
                code
                for code in codes
                if code in result.competencies
                and (names.competency_kinds.get(code, "academic") != "academic") == habits
            ]
            if not wanted:
                continue
            if habits and not shown:
                lines.append(tr.gettext("Habits of work"))
                lines.append("")
            shown = True
            lines.append(names.groups.get(area, area) if area else tr.gettext("Other"))
            for code in wanted:
                comp = result.competencies[code]
                lines.append(f"  {names.title(code)}: {render_status(comp, names)}")
            lines.append("")
    lines.append(tr.gettext("What is next"))
    routes = render_steps_plain(steps, names, audience)
    announced = False
    for route, sentences in routes:
        indent = "  "
        if route is not None:
            if not announced:
                lines.append("  " + tr.gettext("One of these routes is enough:"))
                announced = True
            lines.append(f"    {route}")
            indent = "      "
        lines.extend(f"{indent}- {sentence}" for sentence in sentences)
    if not routes:
        lines.append("  " + tr.gettext("Nothing is missing."))
    if result.pace is not None:
        lines.append("")
        lines.append(tr.gettext("Pace"))
        lines.extend(f"  {line}" for line in render_pace_plain(result.pace, names, audience))
    return "\n".join(lines) + "\n"
