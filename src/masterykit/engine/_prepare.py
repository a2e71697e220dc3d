"""Evidence made ready to evaluate: each piece checked (its competency, timestamp and score) and
turned into a :class:`~masterykit.evidence.Rejection` with its code when it cannot be used
(MK351–MK353, MK355, MK380, MK382, MK395), and a learner's evidence checked and sorted at C speed in
the common case."""

from __future__ import annotations

import datetime as dt
import difflib
import operator
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

import attrs

from masterykit.engine._state import _DECIMAL, _PLAIN, _finite, _score, _timestamp, sort_evidence
from masterykit.evidence import Evidence, Origin, Rejection, as_moment
from masterykit.numbers import as_decimal, format_decimal, short_decimal, short_text

if TYPE_CHECKING:
    from masterykit.engine._plan import CompiledPolicy

__all__ = ["accept", "prepare", "undeclared_kind", "unknown_competency", "usable"]

_kind = operator.attrgetter("kind")


def unknown_competency(plan: CompiledPolicy, code: str) -> str:
    """The reason evidence for an unknown competency is rejected."""
    return f"evidence for unknown competency `{code}`{_closest(code, plan.competencies)}"


def _closest(name: str, known: Iterable[str]) -> str:
    """`` (did you mean `X`?)`` for the known name ``name`` differs from only in case, or else
    the nearest one; empty when none is near."""
    names = list(known)
    same = [option for option in names if option.lower() == name.lower()]
    close = same or difflib.get_close_matches(name, names, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def undeclared_kind(plan: CompiledPolicy, kind: object, code: str) -> str:
    """The reason evidence of a kind the policy does not declare is rejected, with the declared
    kind it was probably meant to be (same letters in another case first, then a near miss)."""
    text = short_text(kind)
    hint = _closest(text, plan.policy.kinds)
    return f"evidence on `{code}` has kind `{text}`, which the policy does not declare{hint}"


def prepare(plan: CompiledPolicy, evidence: Evidence) -> Evidence | Rejection:
    """``evidence`` ready to evaluate (its score made a Decimal), or the reason it cannot be
    used (the learner is not checked here)."""
    code: Any = evidence.competency
    if type(code) is not str:
        return Rejection(
            "MK380",
            f"evidence names no competency (`{short_text(code)}`); a competency is a code "
            "such as `ELA.1`",
            evidence.origin or Origin(),
            evidence,
        )
    competency = plan.competencies.get(code)
    if competency is None:
        return Rejection(
            "MK351",
            unknown_competency(plan, evidence.competency),
            evidence.origin or Origin(),
            evidence,
        )
    kind: Any = evidence.kind
    if plan.kinds is not None and (
        (kind is not None and type(kind) is not str) or kind not in plan.kinds
    ):
        return Rejection(
            "MK395",
            undeclared_kind(plan, evidence.kind, code),
            evidence.origin or Origin(),
            evidence,
        )
    stamp: Any = evidence.timestamp
    if not isinstance(stamp, dt.date):
        return Rejection(
            "MK355",
            f"timestamp `{short_text(stamp)}` on `{evidence.competency}` is not a date or a "
            "date and time",
            evidence.origin or Origin(),
            evidence,
        )
    if isinstance(stamp, dt.datetime) and stamp.tzinfo is not None:
        try:
            as_moment(stamp)
        except OverflowError:
            return Rejection(
                "MK382",
                f"timestamp `{stamp.isoformat()}` on `{evidence.competency}` falls outside "
                "the years 1 to 9999 in UTC",
                evidence.origin or Origin(),
                evidence,
            )
    score: Any = evidence.score
    if isinstance(score, bool):
        score = None  # True and False are not scores, though Python counts them as numbers
    elif type(score) is not Decimal:
        try:
            score = as_decimal(score)
        except (ArithmeticError, TypeError, ValueError):
            score = None
    if score is None or not score.is_finite():
        return Rejection(
            "MK353",
            f"score `{short_text(evidence.score)}` on `{evidence.competency}` is not a number",
            evidence.origin or Origin(),
            evidence,
        )
    if score < competency.minimum or score > competency.maximum:
        return Rejection(
            "MK352",
            f"score `{short_decimal(score)}` is off the scale of `{evidence.competency}` "
            f"({format_decimal(competency.minimum)} to {format_decimal(competency.maximum)})",
            evidence.origin or Origin(),
            evidence,
        )
    if score is not evidence.score:
        return attrs.evolve(evidence, score=score)
    return evidence


def _declared(kinds: frozenset[str | None], pieces: list[Evidence]) -> bool:
    """Whether every piece's kind is one of ``kinds`` (checked at C speed)."""
    try:
        return set(map(_kind, pieces)) <= kinds
    except TypeError:  # a kind that cannot be hashed is no declared kind
        return False


def usable(plan: CompiledPolicy, groups: Mapping[str, list[Evidence]]) -> bool:
    """Whether every piece of one learner's evidence on the policy's competencies (grouped
    by competency) has a finite Decimal score within every competency's scale and a plain
    date (checked at C speed for all of them at once; when not, each competency's evidence
    is checked on its own)."""
    if plan.common_range is None:
        return False
    competencies = plan.competencies
    if groups.keys() <= competencies.keys():
        pieces = list(chain.from_iterable(groups.values()))
    else:
        pieces = [
            piece for code, items in groups.items() if code in competencies for piece in items
        ]
    if not pieces:
        return False
    if plan.kinds is not None and not _declared(plan.kinds, pieces):
        return False
    scores: list[Decimal] = list(map(_score, pieces))
    if set(map(type, scores)) != _DECIMAL or set(map(type, map(_timestamp, pieces))) != _PLAIN:
        return False
    try:
        # INVARIANT: every score is a Decimal (checked above), so equal values are equal
        # scores and the range of the distinct values is the range of all of them.
        values = set(scores)
    except TypeError:  # a signalling NaN cannot be hashed
        return False
    if not all(map(_finite, values)):
        return False
    lowest, highest = plan.common_range
    return lowest <= min(values) and max(values) <= highest


def accept(
    plan: CompiledPolicy,
    code: str,
    items: list[Evidence],
    rejections: list[Rejection],
    checked: bool = False,
) -> tuple[list[Evidence], bool] | None:
    """One learner's evidence on competency ``code``, checked and sorted: the usable pieces
    and whether their timestamps are plain dates (``None`` when none is usable); the others
    are added to ``rejections``. ``checked``: :meth:`usable` said yes for these pieces."""
    competency = plan.competencies.get(code)
    kinds_ok = checked or plan.kinds is None or _declared(plan.kinds, items)
    if competency is not None and kinds_ok and competency.take(items, checked):
        return items, True
    kept = []
    for piece in items:
        prepared = prepare(plan, piece)
        if isinstance(prepared, Rejection):
            rejections.append(prepared)
        else:
            kept.append(prepared)
    items = kept
    if not items:
        return None
    return items, sort_evidence(items)
