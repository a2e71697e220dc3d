"""The built-in calculation methods: worked values from the contract and from published
gradebooks, the laws each method obeys, and the specs the checker reads."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.numbers import round_score
from masterykit.policies import methods
from masterykit.policies.methods import ALIASES, BUILTIN_METHODS
from masterykit.registry import MethodContext, MethodSpec

D = Decimal
SPECS: dict[str, MethodSpec] = {spec.name: spec for spec in BUILTIN_METHODS}
FOUR_POINT = MethodContext(cut=D(3), scale_min=D(1), scale_max=D(4))
# Canvas's rollup tests score outcomes out of 5 with mastery at 3.
FIVE_POINT = MethodContext(cut=D(3), scale_min=D(0), scale_max=D(5))


def calc(name: str, scores: Sequence[int | str], *args: str, context: MethodContext = FOUR_POINT):
    """Run a built-in method by name, with its defaults filled in as the checker does (weights
    given as percentages here, passed on as fractions)."""
    spec = SPECS[name]
    values = [D(a) for a in args]
    for param in spec.params[len(values) :]:
        assert param.default is not None, f"{name} needs {param.name}"
        values.append(param.default)
    passed = [
        v / 100 if p.kind == "weight" else v for v, p in zip(values, spec.params, strict=True)
    ]
    result = spec.function([D(s) for s in scores], passed, context)
    return None if result is None else round_score(result)


# --- the acceptance example (shared/spec/examples/01-calculation.mastery) ----------------------

ACCEPTANCE = [
    ("mean", (), D("3")),
    ("median", (), D("3")),
    ("mode", (), D("3")),
    ("most_recent", (), D("4")),
    ("highest", (), D("4")),
    ("most_recent_mean", ("2",), D("3.5")),
    ("weighted_average", ("65",), D("3.53")),
    ("decaying_average", (), D("3.61")),
    ("decaying_average", ("50",), D("3.38")),
    ("n_mastery", ("2",), D("3.33")),
    ("n_mastery", ("4",), None),
    ("power_law", (), D("3.81")),
]


@pytest.mark.parametrize(("name", "args", "expected"), ACCEPTANCE)
def test_each_method_on_2_3_3_4_gives_the_acceptance_score(name, args, expected):
    assert calc(name, [2, 3, 3, 4], *args) == expected


def test_mean_of_3_25_and_3_rounds_half_away_from_zero_to_3_13():
    assert calc("mean", ["3.25", "3"]) == D("3.13")


# --- published gradebook examples -------------------------------------------------------------


# instructure/canvas-lms, spec/services/outcomes/student_outcome_rollup_calculation_service_spec.rb:
# scores 1, 2, 3, 4, 5 (oldest first), mastery at 3 of 5, calculation_int 65.
#   "Legacy decaying average: (5 * 0.65) + ((1+2+3+4)/4 * 0.35) = 3.25 + 0.875 = 4.125" → 4.13
#   standard_decaying_average: 1.65, 2.5275, 3.485, 4.47
#   n_mastery 3: mastery scores [3, 4, 5] → 4; n_mastery 4: no rollup; average → 3.0
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("weighted_average", ("65",), D("4.13")),
        ("decaying_average", ("65",), D("4.47")),
        ("n_mastery", ("3",), D("4")),
        ("n_mastery", ("4",), None),
        ("mean", (), D("3")),
    ],
)
def test_canvas_rollup_examples_on_1_to_5(name, args, expected):
    assert calc(name, [1, 2, 3, 4, 5], *args, context=FIVE_POINT) == expected


def test_most_recent_is_canvas_latest_on_1_2_4_5_3():
    # Same Canvas spec: "Latest (most recent) from [1, 2, 4, 5, 3]" is 3.
    assert calc("most_recent", [1, 2, 4, 5, 3], context=FIVE_POINT) == D("3")


def test_decaying_average_weights_latest_score_by_w_as_powerschool_documents():
    # PowerSchool Learning, "What is a Decaying Average in Standards-Based Grading?": scores 2, 3
    # then 4 at 65%: .35(2) + .65(3) = 2.65, then .35(2.65) + .65(4) = 3.53.
    assert calc("decaying_average", [2, 3], "65") == D("2.65")
    assert calc("decaying_average", [2, 3, 4], "65") == D("3.53")


def test_weighted_average_mixes_latest_with_mean_of_earlier_as_canvas_users_report():
    # Canvas Community question "For decaying average in mastery learning, are dates scores are
    # entered used…" (J. Gerber, 2017): last score 4.5, earlier average 5, 65% →
    # (0.65 × 4.5) + (0.35 × 5) = 4.675, shown as 4.68.
    assert calc("weighted_average", ["5", "5", "5", "4.5"], "65", context=FIVE_POINT) == D("4.68")


# --- edge cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_one_score_at_the_cut_or_above_gives_that_score(name):
    args = ("1",) if name in {"n_mastery", "most_recent_mean"} else ()
    assert calc(name, ["3.5"], *args) == D("3.5")


def test_n_mastery_gives_no_score_until_n_scores_reach_the_cut():
    assert calc("n_mastery", [4, 4, 4, 4]) is None  # default n = 5
    assert calc("n_mastery", [4, 4, 4, 4, 2, 3]) == D("3.8")  # mean of 4, 4, 4, 4, 3


def test_mode_breaks_ties_towards_the_highest_tied_score():
    assert calc("mode", [4, 2, 4, 2, 1]) == D("4")
    assert calc("mode", [1, 2, 3]) == D("3")


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_scores():
    assert calc("median", [1, 4, 2, 3]) == D("2.5")


def test_most_recent_mean_averages_all_scores_when_fewer_than_n():
    assert calc("most_recent_mean", [2, 3], "5") == D("2.5")


def test_power_law_is_clamped_to_the_scale():
    # A steep climb extrapolates above the top of the scale.
    assert calc("power_law", [1, 2, 4, 4]) == D("4")


def test_power_law_refuses_scores_that_are_not_above_zero():
    with pytest.raises(ValueError, match=r"^power_law needs scores above 0$"):
        methods.power_law([D(0), D(2)], [], FIVE_POINT)


def test_methods_ignore_the_callers_decimal_context():
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 3
        assert calc("mean", ["3.25", "3", "3"]) == D("3.08")


# --- specs ------------------------------------------------------------------------------------


def test_builtin_methods_follow_the_language_table_in_order():
    assert [s.name for s in BUILTIN_METHODS] == [
        "mean",
        "median",
        "mode",
        "most_recent",
        "highest",
        "most_recent_mean",
        "weighted_average",
        "decaying_average",
        "n_mastery",
        "power_law",
    ]


@pytest.mark.parametrize("name", ["weighted_average", "decaying_average"])
def test_weights_are_percentages_from_1_to_99_defaulting_to_65(name):
    (param,) = SPECS[name].params
    assert (param.name, param.kind, param.minimum, param.maximum, param.default) == (
        "w",
        "weight",
        D(1),
        D(99),
        D(65),
    )


def test_counts_run_from_1_to_10_with_n_mastery_defaulting_to_5_and_recent_mean_required():
    (n_mastery,) = SPECS["n_mastery"].params
    (recent,) = SPECS["most_recent_mean"].params
    assert (n_mastery.kind, n_mastery.minimum, n_mastery.maximum, n_mastery.default) == (
        "count",
        D(1),
        D(10),
        D(5),
    )
    assert (recent.kind, recent.minimum, recent.maximum, recent.default) == (
        "count",
        D(1),
        D(10),
        None,
    )


def test_only_power_law_needs_a_positive_scale():
    assert [s.name for s in BUILTIN_METHODS if s.needs_positive_scale] == ["power_law"]


def test_order_free_methods_are_marked():
    assert {s.name for s in BUILTIN_METHODS if s.order_free} == {
        "mean",
        "median",
        "mode",
        "highest",
        "n_mastery",
    }


def test_every_method_has_a_summary_and_a_docstring_stating_its_laws():
    for spec in BUILTIN_METHODS:
        assert spec.summary
        assert "Laws:" in (spec.function.__doc__ or ""), spec.name


def test_vendor_aliases_point_at_builtin_methods():
    assert set(ALIASES.values()) <= set(SPECS)
    # Canvas stores its weighted average under the name `decaying_average`.
    assert ALIASES["canvas:decaying_average"] == "weighted_average"
    assert ALIASES["canvas:standard_decaying_average"] == "decaying_average"
    assert ALIASES["canvas:latest"] == "most_recent"
    assert ALIASES["canvas:average"] == "mean"


# --- laws -------------------------------------------------------------------------------------

score = st.decimals(min_value=1, max_value=4, places=2)
scores_st = st.lists(score, min_size=1, max_size=12)
weight = st.integers(min_value=1, max_value=99).map(lambda w: D(w) / 100)
count = st.integers(min_value=1, max_value=10).map(D)

AVERAGING = ["mean", "median", "mode", "most_recent", "highest"]
WEIGHTED = ["weighted_average", "decaying_average"]


def run(name: str, scores: Sequence[Decimal], *args: Decimal) -> Decimal | None:
    return SPECS[name].function(list(scores), list(args), FOUR_POINT)


@settings(max_examples=100)
@given(scores=scores_st, w=weight, n=count)
def test_averaging_methods_stay_within_the_scores_min_and_max(scores, w, n):
    results = [run(name, scores) for name in AVERAGING]
    results += [run(name, scores, w) for name in WEIGHTED]
    results += [run("most_recent_mean", scores, n), run("n_mastery", scores, n)]
    for result in results:
        assert result is None or min(scores) <= result <= max(scores)


@settings(max_examples=100)
@given(data=st.data(), scores=scores_st, n=count)
def test_order_free_methods_are_permutation_invariant(data, scores, n):
    shuffled = data.draw(st.permutations(scores))
    for spec in BUILTIN_METHODS:
        if spec.order_free:
            args = [n] * len(spec.params)
            assert run(spec.name, shuffled, *args) == run(spec.name, scores, *args), spec.name


@settings(max_examples=100)
@given(scores=scores_st, extra=score, index=st.integers(min_value=0), bump=score)
def test_highest_is_monotone(scores, extra, index, bump):
    before = run("highest", scores)
    assert run("highest", [*scores, extra]) >= before
    raised = list(scores)
    raised[index % len(raised)] += bump
    assert run("highest", raised) >= before


@settings(max_examples=100)
@given(first=scores_st, second=scores_st, latest=score)
def test_most_recent_depends_only_on_the_latest_score(first, second, latest):
    assert run("most_recent", [*first, latest]) == run("most_recent", [*second, latest]) == latest


@settings(max_examples=100)
@given(scores=scores_st, w=weight)
@pytest.mark.parametrize("name", WEIGHTED)
def test_weighted_methods_stay_within_one_minus_w_of_the_range_from_the_latest(name, scores, w):
    # The law: |result − latest| ≤ (1 − w) × (max − min). At w = 99% the result is within 1% of
    # the scores' range of `most_recent`; with all weight on the latest score (w = 1, beyond
    # what a policy may write) it is exactly `most_recent`.
    result = run(name, scores, w)
    assert abs(result - scores[-1]) <= (1 - w) * (max(scores) - min(scores))
    assert run(name, scores, D(1)) == run("most_recent", scores)


@settings(max_examples=100)
@given(scores=scores_st, n=count)
def test_n_mastery_scores_only_once_n_scores_reach_the_cut_and_never_below_it(scores, n):
    result = run("n_mastery", scores, n)
    reached = [s for s in scores if s >= FOUR_POINT.cut]
    assert (result is None) == (len(reached) < n)
    assert result is None or result >= FOUR_POINT.cut


@settings(max_examples=100)
@given(scores=scores_st)
def test_most_recent_mean_spans_most_recent_to_mean(scores):
    assert run("most_recent_mean", scores, D(1)) == run("most_recent", scores)
    assert run("most_recent_mean", scores, D(10)) == run("mean", scores[-10:])


@settings(max_examples=100)
@given(scores=scores_st)
def test_power_law_stays_on_the_scale(scores):
    result = run("power_law", scores)
    assert FOUR_POINT.scale_min <= result <= FOUR_POINT.scale_max


@settings(max_examples=50)
@given(value=score, k=st.integers(min_value=1, max_value=12))
def test_power_law_of_equal_scores_is_that_score(value, k):
    assert round_score(run("power_law", [value] * k)) == round_score(value)
