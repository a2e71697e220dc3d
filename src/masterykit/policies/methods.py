"""The built-in calculation methods: how a learner's scores on one competency become one score.

Every method is a pure function following :class:`~masterykit.registry.MethodFunction`: it takes
the learner's scores on one competency, **oldest first** (the engine orders evidence by timestamp
and, on a tied timestamp, by score, lowest first), the method's arguments with defaults filled in
by the checker (weights as fractions, ``65%`` is ``Decimal("0.65")``; counts as whole Decimals),
and a :class:`~masterykit.registry.MethodContext` (the cut and the scale's range). It returns the
**unrounded** score, or ``None`` when the method gives no score yet; the engine rounds with
:func:`masterykit.numbers.round_score`.

All arithmetic is done in :class:`~decimal.Decimal` under one fixed context (28 significant
digits, ties to even), whatever context the caller has set, so every platform and every mode of
evaluation computes the same digits.

>>> from decimal import Decimal
>>> from masterykit.registry import MethodContext
>>> ctx = MethodContext(cut=Decimal(3), scale_min=Decimal(1), scale_max=Decimal(4))
>>> scores = [Decimal(s) for s in "2334"]
>>> weighted_average(scores, [Decimal("0.65")], ctx)
Decimal('3.533333333333333333333333333')
>>> [spec.name for spec in BUILTIN_METHODS]  # doctest: +NORMALIZE_WHITESPACE
['mean', 'median', 'mode', 'most_recent', 'highest', 'most_recent_mean',
 'weighted_average', 'decaying_average', 'n_mastery', 'power_law']
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from masterykit.registry import MethodContext, MethodSpec, ParamSpec

__all__ = [
    "ALIASES",
    "BUILTIN_METHODS",
    "decaying_average",
    "highest",
    "mean",
    "median",
    "mode",
    "most_recent",
    "most_recent_mean",
    "n_mastery",
    "power_law",
    "weighted_average",
]

# The methods call the context's methods (``_CONTEXT.add`` …), which round exactly as the
# operators do under ``localcontext(_CONTEXT)`` but without entering and leaving a context on
# every call (a fifth of a decaying average's time); the running forms
# (``MethodSpec.prefixes``) are generators, which could not hold a ``localcontext`` open across
# a ``yield`` anyway (it would leak into the caller).

# INVARIANT: every method computes under this context, never the caller's, so results are the
# same digits everywhere (28 significant digits is the decimal module's default precision).
_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)

_ONE = Decimal(1)
_ZERO = Decimal(0)
_add = _CONTEXT.add
_multiply = _CONTEXT.multiply
_divide = _CONTEXT.divide
_subtract = _CONTEXT.subtract


def _mean(scores: Sequence[Decimal]) -> Decimal:
    """(s₁ + … + sₖ) ÷ k under ``_CONTEXT``, summed from 0 in order as :func:`sum` does."""
    total = _ZERO
    for score in scores:
        total = _add(total, score)
    return _divide(total, len(scores))


def _count(value: Decimal) -> int:
    """A count argument (``n``) as an int; the checker guarantees a whole number ≥ 1."""
    return max(1, int(value))


def mean(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    """``mean``: the arithmetic mean, (s₁ + … + sₖ) ÷ k.

    Laws: lies within the scores' minimum and maximum; does not depend on their order.

    >>> from decimal import Decimal as D
    >>> mean([D("3.25"), D(3)], [], None)
    Decimal('3.125')
    """
    return _mean(scores)


def median(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    """``median``: the middle score in sorted order; for an even count, the mean of the two
    middle scores.

    Laws: lies within the scores' minimum and maximum; does not depend on their order.

    >>> from decimal import Decimal as D
    >>> median([D(4), D(2), D(3), D(3)], [], None)
    Decimal('3')
    """
    ordered = sorted(scores)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return _divide(_add(ordered[middle - 1], ordered[middle]), 2)


def mode(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    """``mode``: the most frequent score; when several are equally frequent, the highest of them.

    Scores are compared by value (``3`` and ``3.0`` are the same score).

    Laws: is one of the scores (so within their minimum and maximum); does not depend on their
    order.

    >>> from decimal import Decimal as D
    >>> mode([D(2), D(4), D(2), D(4), D(1)], [], None)
    Decimal('4')
    """
    # A dict keeps the first-seen representative of equal values, as Counter does.
    counts: dict[Decimal, int] = {}
    get = counts.get
    for score in scores:
        counts[score] = get(score, 0) + 1
    best, best_count = scores[0], 0
    for score, count in counts.items():
        if count > best_count or (count == best_count and score > best):
            best, best_count = score, count
    return best


def most_recent(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """``most_recent``: the latest score, sₖ.

    The engine orders pieces with the same timestamp by score, lowest first, so on a tied
    timestamp this is the highest of the tied scores.

    Laws: depends only on the latest score.
    """
    return scores[-1]


def highest(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    """``highest``: the highest score, max(s₁, …, sₖ).

    Laws: does not depend on the order; monotone (raising a score, or adding one, never lowers
    the result).
    """
    return max(scores)


def most_recent_mean(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """``most_recent_mean(n)``: the mean of the latest n scores (of all of them when fewer).

    Laws: lies within the scores' minimum and maximum; with n = 1 it is ``most_recent``.

    >>> from decimal import Decimal as D
    >>> most_recent_mean([D(2), D(3), D(3), D(4)], [D(2)], None)
    Decimal('3.5')
    """
    return _mean(scores[-_count(args[0]) :])


def weighted_average(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """``weighted_average(w)``: with one score, that score; else
    w × sₖ + (1 − w) × mean(s₁, …, sₖ₋₁).

    This is what Canvas calls "weighted average" (its ``decaying_average`` before 2023).

    Laws: lies within the scores' minimum and maximum; its distance from the latest score is at
    most (1 − w) × (maximum − minimum), so it equals ``most_recent`` when w = 1.
    """
    if len(scores) == 1:
        return scores[0]
    weight = args[0]
    return _add(
        _multiply(weight, scores[-1]), _multiply(_subtract(_ONE, weight), _mean(scores[:-1]))
    )


def decaying_average(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """``decaying_average(w)``: the running average a₁ = s₁, aᵢ = w × sᵢ + (1 − w) × aᵢ₋₁;
    the result is aₖ.

    This is what Canvas calls "decaying average" (stored as ``standard_decaying_average``).

    Laws: lies within the scores' minimum and maximum; its distance from the latest score is at
    most (1 − w) × (maximum − minimum) (aₖ₋₁ lies in that range), so it equals ``most_recent``
    when w = 1.

    >>> from decimal import Decimal as D
    >>> decaying_average([D(2), D(3), D(3), D(4)], [D("0.65")], None)
    Decimal('3.607125')
    """
    weight = args[0]
    rest = _subtract(_ONE, weight)
    average = scores[0]
    for score in scores[1:]:
        average = _add(_multiply(weight, score), _multiply(rest, average))
    return average


def n_mastery(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal | None:
    """``n_mastery(n)``: once at least n scores are at or above the cut (``context.cut``), the mean
    of **all** scores at or above the cut; before that, no score (``None``: the competency is
    ``insufficient``).

    Laws: when it gives a score, that score lies within the scores' minimum and maximum and is at
    or above the cut; it does not depend on the order of the scores.

    >>> from decimal import Decimal as D
    >>> from masterykit.registry import MethodContext
    >>> ctx = MethodContext(cut=D(3), scale_min=D(1), scale_max=D(4))
    >>> n_mastery([D(2), D(3), D(3), D(4)], [D(4)], ctx) is None
    True
    """
    with decimal.localcontext(_CONTEXT):  # comparisons signal as under the fixed context
        reached = [score for score in scores if score >= context.cut]
    if len(reached) < _count(args[0]):
        return None
    return _mean(reached)


def power_law(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """``power_law``: Marzano's power-law trend.

    Fits ln(s) = ln(a) + b·ln(x) by least squares over the points (x, sₓ), x = 1, 2, …, k in
    date order::

        b     = (k·Σ ln x·ln s − Σ ln x · Σ ln s) ÷ (k·Σ (ln x)² − (Σ ln x)²)
        ln a  = (Σ ln s − b·Σ ln x) ÷ k

    and returns a·k^b (the trend's value at the latest x), clamped to
    [``context.scale_min``, ``context.scale_max``]. With one score, that score. Source:
    R. J. Marzano, *Classroom Assessment and Grading That Work* (ASCD, 2006), the "power law of
    learning" method of estimating a student's current true score.

    The logarithms and the exponential are the decimal module's correctly rounded ``ln`` and
    ``exp``, so the result is the same on every platform.

    Laws: lies within the scale's range (a trend may extrapolate beyond the scores, so it is not
    bound by their minimum and maximum); equal scores give that score.

    Raises:
        ValueError: a score is not above 0 (the checker refuses ``power_law`` on such a scale).

    >>> from decimal import Decimal as D
    >>> from masterykit.registry import MethodContext
    >>> ctx = MethodContext(cut=D(3), scale_min=D(1), scale_max=D(4))
    >>> round(power_law([D(2), D(3), D(3), D(4)], [], ctx), 4)
    Decimal('3.8111')
    """
    if any(score <= 0 for score in scores):
        raise ValueError("power_law needs scores above 0")
    if len(scores) == 1:
        return scores[0]
    with decimal.localcontext(_CONTEXT):
        k = len(scores)
        xs = [Decimal(x).ln() for x in range(1, k + 1)]
        ys = [score.ln() for score in scores]
        sum_x = sum(xs, Decimal(0))
        sum_y = sum(ys, Decimal(0))
        sum_xy = sum((x * y for x, y in zip(xs, ys, strict=True)), Decimal(0))
        sum_xx = sum((x * x for x in xs), Decimal(0))
        # INVARIANT: k ≥ 2, so the ln x are not all equal and the denominator is positive.
        slope = (k * sum_xy - sum_x * sum_y) / (k * sum_xx - sum_x * sum_x)
        log_a = (sum_y - slope * sum_x) / k
        value = (log_a + slope * xs[-1]).exp()
        return min(max(value, context.scale_min), context.scale_max)


def _mean_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``mean`` of every prefix: a running sum, divided as :func:`mean` divides."""
    add, divide = _CONTEXT.add, _CONTEXT.divide
    total = Decimal(0)
    for count, score in enumerate(scores, 1):
        total = add(total, score)
        yield divide(total, count)


def _mode_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``mode`` of every prefix: running counts, keeping the first-seen representative of each
    value as a dict (and :func:`mode`) does."""
    counts: dict[Decimal, int] = {}
    keys: dict[Decimal, Decimal] = {}
    best: Decimal | None = None
    best_count = 0
    for score in scores:
        count = counts.get(score, 0) + 1
        counts[score] = count
        key = keys.setdefault(score, score)
        if best is None or count > best_count or (count == best_count and key > best):
            best, best_count = key, count
        yield best


def _most_recent_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``most_recent`` of every prefix."""
    yield from scores


def _highest_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``highest`` of every prefix (the first of equal highest scores, as :func:`max` keeps)."""
    best: Decimal | None = None
    for score in scores:
        if best is None or score > best:
            best = score
        yield best


def _weighted_average_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``weighted_average(w)`` of every prefix, with a running sum of the earlier scores."""
    add, multiply, divide = _CONTEXT.add, _CONTEXT.multiply, _CONTEXT.divide
    weight = args[0]
    rest = _CONTEXT.subtract(_ONE, weight)
    total = Decimal(0)
    for count, score in enumerate(scores):
        if count == 0:
            yield score
        else:
            yield add(multiply(weight, score), multiply(rest, divide(total, count)))
        total = add(total, score)


def _decaying_average_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal]:
    """``decaying_average(w)`` of every prefix: each running average aᵢ in turn."""
    add, multiply = _CONTEXT.add, _CONTEXT.multiply
    weight = args[0]
    rest = _CONTEXT.subtract(_ONE, weight)
    average: Decimal | None = None
    for score in scores:
        average = (
            score if average is None else add(multiply(weight, score), multiply(rest, average))
        )
        yield average


def _n_mastery_prefixes(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Iterator[Decimal | None]:
    """``n_mastery(n)`` of every prefix, with a running sum of the scores at or above the cut."""
    add, divide = _CONTEXT.add, _CONTEXT.divide
    needed = _count(args[0])
    cut = context.cut
    total = Decimal(0)
    reached = 0
    for score in scores:
        if score >= cut:
            total = add(total, score)
            reached += 1
        yield None if reached < needed else divide(total, reached)


def _weight(default: Decimal | None = Decimal(65)) -> ParamSpec:
    return ParamSpec(
        "w",
        "weight",
        minimum=Decimal(1),
        maximum=Decimal(99),
        default=default,
        doc="the weight of the latest score, as a percentage (65% when not written)",
    )


def _count_param(default: Decimal | None, doc: str) -> ParamSpec:
    return ParamSpec(
        "n", "count", minimum=Decimal(1), maximum=Decimal(10), default=default, doc=doc
    )


#: The built-in methods, in the order of the language reference's table. Weight defaults are
#: written as percentages (``65`` for 65%), like their bounds; the checker passes fractions.
BUILTIN_METHODS: tuple[MethodSpec, ...] = (
    MethodSpec(
        "mean",
        mean,
        summary="arithmetic mean",
        order_free=True,
        prefixes=_mean_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "median",
        median,
        summary="median (mean of the two middle values for an even count)",
        order_free=True,
        reads_timestamps=False,
    ),
    MethodSpec(
        "mode",
        mode,
        summary="most frequent score; ties go to the highest tied score",
        order_free=True,
        prefixes=_mode_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "most_recent",
        most_recent,
        summary="the latest score",
        prefixes=_most_recent_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "highest",
        highest,
        summary="the highest score",
        order_free=True,
        prefixes=_highest_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "most_recent_mean",
        most_recent_mean,
        params=(_count_param(None, "how many of the latest scores to average (required)"),),
        summary="mean of the latest n scores (all of them when fewer)",
        reads_timestamps=False,
    ),
    MethodSpec(
        "weighted_average",
        weighted_average,
        params=(_weight(),),
        summary="w × latest + (1 − w) × mean of all earlier scores",
        prefixes=_weighted_average_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "decaying_average",
        decaying_average,
        params=(_weight(),),
        summary="running average: avg ← w × score + (1 − w) × avg, from the oldest score",
        prefixes=_decaying_average_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "n_mastery",
        n_mastery,
        params=(
            _count_param(Decimal(5), "how many scores must reach the cut (5 when not written)"),
        ),
        summary="once n scores reach the cut: the mean of all scores at or above the cut",
        order_free=True,
        prefixes=_n_mastery_prefixes,
        reads_timestamps=False,
    ),
    MethodSpec(
        "power_law",
        power_law,
        summary="Marzano's power-law trend, taken at the latest score, within the scale",
        needs_positive_scale=True,
        reads_timestamps=False,
    ),
)

#: Vendor names of calculation methods → the built-in method that computes the same thing. For
#: the docs and for importers of vendor settings; policies must use our names.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        # Canvas LMS stores the outcome calculation method as a string. Sources: instructure/
        # canvas-lms ui/.../OutcomeDescriptionModal.tsx maps `decaying_average` → "Weighted
        # Average", `standard_decaying_average` → "Decaying Average", `n_mastery` → "Number of
        # Times", `latest` → "Most Recent Score", `highest` → "Highest", anything else →
        # "Average"; the Canvas product blog "Canvas Outcomes: New and Updated Proficiency
        # Calculations Coming Soon" (2023) explains the rename of the old decaying average,
        # which is w × latest + (1 − w) × mean of earlier, to "Weighted Average".
        "canvas:decaying_average": "weighted_average",
        "canvas:weighted_average": "weighted_average",
        "canvas:standard_decaying_average": "decaying_average",
        "canvas:n_mastery": "n_mastery",
        "canvas:latest": "most_recent",
        "canvas:highest": "highest",
        "canvas:average": "mean",
    }
)
