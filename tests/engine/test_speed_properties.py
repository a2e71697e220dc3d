"""The engine's cheaper paths give the same digits and the same objects as the plain ones.

* The calculation methods call ``_CONTEXT``'s methods instead of entering ``localcontext``: each
  is checked against its plain form (operators under ``localcontext(_CONTEXT)``, as the methods
  were written before), digit for digit and exponent for exponent, over random scores.
* The first-proficient search compares unrounded scores with a threshold instead of rounding
  each: checked against rounding over random scores and cuts, ties and negatives included.
* Results on the hot path are built through their slots: checked equal to the attrs
  constructor's in every field, hash, repr and pickle.
"""

from __future__ import annotations

import decimal
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from masterykit.engine._competency import cut_threshold
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    Status,
    SufficiencyCheck,
    new_clause_result,
    new_competency_result,
    new_sufficiency_check,
)
from masterykit.numbers import round_score
from masterykit.policies import methods
from masterykit.policy import Provenance
from masterykit.registry import MethodContext

_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


# --- the methods as written with operators under localcontext ---------------------------------


def _plain_mean(scores: Sequence[Decimal]) -> Decimal:
    return sum(scores, Decimal(0)) / len(scores)


def plain_mean(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    with decimal.localcontext(_CONTEXT):
        return _plain_mean(scores)


def plain_median(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    with decimal.localcontext(_CONTEXT):
        ordered = sorted(scores)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2


def plain_mode(scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext) -> Decimal:
    counts = Counter(scores)
    return max(counts, key=lambda score: (counts[score], score))


def plain_most_recent_mean(
    scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
) -> Decimal:
    with decimal.localcontext(_CONTEXT):
        return _plain_mean(scores[-max(1, int(args[0])) :])


def plain_weighted_average(
    scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
) -> Decimal:
    if len(scores) == 1:
        return scores[0]
    with decimal.localcontext(_CONTEXT):
        weight = args[0]
        return weight * scores[-1] + (Decimal(1) - weight) * _plain_mean(scores[:-1])


def plain_decaying_average(
    scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
) -> Decimal:
    with decimal.localcontext(_CONTEXT):
        weight = args[0]
        rest = Decimal(1) - weight
        average = scores[0]
        for score in scores[1:]:
            average = weight * score + rest * average
        return average


def plain_n_mastery(
    scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
) -> Decimal | None:
    with decimal.localcontext(_CONTEXT):
        reached = [score for score in scores if score >= ctx.cut]
        if len(reached) < max(1, int(args[0])):
            return None
        return _plain_mean(reached)


Method = Callable[[Sequence[Decimal], Sequence[Decimal], MethodContext], Decimal | None]

PAIRS: dict[str, tuple[Method, Method]] = {
    "mean": (methods.mean, plain_mean),
    "median": (methods.median, plain_median),
    "mode": (methods.mode, plain_mode),
    "most_recent_mean": (methods.most_recent_mean, plain_most_recent_mean),
    "weighted_average": (methods.weighted_average, plain_weighted_average),
    "decaying_average": (methods.decaying_average, plain_decaying_average),
    "n_mastery": (methods.n_mastery, plain_n_mastery),
}

# Scores as evidence carries them: up to four decimals, written with or without trailing zeros.
scores = st.builds(
    lambda whole, scale: Decimal(whole).scaleb(-scale),
    st.integers(-50_000, 50_000),
    st.integers(0, 4),
)
# Weights as the checker passes them (1% to 99%, now and then with odd digits) and counts.
weights = st.integers(1, 99).map(lambda w: Decimal(w) / 100) | st.decimals(
    Decimal("0.001"), Decimal("0.999"), places=7
)


def _same(found: Decimal | None, expected: Decimal | None) -> bool:
    if found is None or expected is None:
        return found is expected
    # Same value and the same digits and exponent (what JSON and explanations print).
    return found == expected and found.as_tuple() == expected.as_tuple()


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(PAIRS)),
    values=st.lists(scores, min_size=1, max_size=40),
    weight=weights,
    count=st.integers(1, 10),
    cut=scores,
)
@example(
    name="decaying_average",
    values=[Decimal("3.25")] * 40,
    weight=Decimal("0.333"),
    count=1,
    cut=Decimal(3),
)
def test_methods_give_the_digits_of_their_plain_form(
    name: str, values: list[Decimal], weight: Decimal, count: int, cut: Decimal
) -> None:
    fast, plain = PAIRS[name]
    args = {"most_recent_mean": [Decimal(count)], "n_mastery": [Decimal(count)]}.get(name, [weight])
    ctx = MethodContext(cut, Decimal(-500), Decimal(500))
    assert _same(fast(values, args, ctx), plain(values, args, ctx))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(scores, min_size=1, max_size=30), weight=weights)
def test_methods_ignore_the_callers_context(values: list[Decimal], weight: Decimal) -> None:
    ctx = MethodContext(Decimal(3), Decimal(-500), Decimal(500))
    expected = methods.decaying_average(values, [weight], ctx)
    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)):
        assert _same(methods.decaying_average(values, [weight], ctx), expected)
        assert _same(methods.mean(values, [], ctx), plain_mean(values, [], ctx))


# --- the cut threshold ------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    cut=st.builds(
        lambda whole, scale: Decimal(whole).scaleb(-scale),
        st.integers(-10_000, 10_000),
        st.integers(0, 4),
    ),
    offset=st.integers(-2_000, 2_000),
    places=st.integers(0, 6),
)
def test_threshold_agrees_with_rounding(cut: Decimal, offset: int, places: int) -> None:
    raw = cut + Decimal(offset).scaleb(-places)
    threshold = cut_threshold(cut)
    assert threshold is not None
    value, tie = threshold
    assert (raw > value or (tie and raw == value)) == (round_score(raw) >= cut)
    # The threshold itself and its neighbours, where rounding turns.
    for near in (value, value.next_plus(), value.next_minus()):
        assert (near > value or (tie and near == value)) == (round_score(near) >= cut)


def test_threshold_of_a_cut_too_large_for_exact_cents_is_none() -> None:
    assert cut_threshold(Decimal("1E+200")) is None
    assert cut_threshold(Decimal("Infinity")) is None
    assert cut_threshold(Decimal(3)) == (Decimal("2.995"), True)
    assert cut_threshold(Decimal(0)) == (Decimal("-0.005"), False)


# --- results built through their slots --------------------------------------------------------

_SOURCE = Provenance("policy.mastery", 3, 1, "policy")


def _alike(fast: object, built: object) -> None:
    assert fast == built
    assert hash(fast) == hash(built)
    assert repr(fast) == repr(built)
    assert pickle.loads(pickle.dumps(fast)) == built
    assert type(fast) is type(built)
    for field in attrs.fields(type(built)):
        assert getattr(fast, field.name) is getattr(built, field.name)


def test_sufficiency_check_built_through_slots_is_the_same() -> None:
    args = (3, 2, False, _SOURCE, ("quiz",), False)
    _alike(new_sufficiency_check(*args), SufficiencyCheck(*args))


def test_clause_result_built_through_slots_is_the_same() -> None:
    child = ClauseResult("learner", "learner.ell", True, actual="true")
    args = ("all", "all { … }", True, (child,), "STEM", ("A",), ("B",), 1, None, None, None, "x")
    _alike(new_clause_result(*args), ClauseResult(*args))


def test_competency_result_built_through_slots_is_the_same() -> None:
    built = CompetencyResult(
        "MATH.1", "Title", Status.DEVELOPING, Decimal("2.5"), "Developing", None, None
    )  # type: ignore[arg-type]
    fields = [getattr(built, field.name) for field in attrs.fields(CompetencyResult)]
    _alike(new_competency_result(*fields), built)
