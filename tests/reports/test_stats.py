"""Every statistic of a report against a published value on a small table."""

from __future__ import annotations

import math

import pytest

from masterykit.reports._stats import (
    holm,
    krippendorff_alpha,
    mean_interval,
    quadratic_kappa,
    wilson_intervals,
)


def test_wilson_intervals_match_newcombe_1998() -> None:
    # Newcombe, "Two-sided confidence intervals for the single proportion" (Statistics in
    # Medicine 17, 1998), Table I, method 3 (score interval without continuity correction).
    found = wilson_intervals([81, 15, 0, 1], [263, 148, 20, 29])
    expected = [(0.2553, 0.3662), (0.0624, 0.1605), (0.0, 0.1611), (0.0061, 0.1718)]
    assert [tuple(round(x, 4) for x in ci) for ci in found] == expected


def test_kappa_matches_the_two_category_textbook_example() -> None:
    # Two readers of 50 proposals: 20 both yes, 15 both no, 5 and 10 disagreements; kappa 0.4
    # (with two categories quadratic weights give the unweighted value).
    first = [1] * 25 + [0] * 25
    second = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert quadratic_kappa(first, second, [0, 1]) == pytest.approx(0.4)


def test_quadratic_kappa_matches_cohens_1968_formula_on_three_levels() -> None:
    # kappa_w = 1 - sum(w * observed) / sum(w * expected), with w = (i - j)^2 (Cohen 1968).
    table = [[10, 4, 1], [3, 12, 5], [0, 2, 13]]
    first = [float(i + 1) for i in range(3) for j in range(3) for _ in range(table[i][j])]
    second = [float(j + 1) for i in range(3) for j in range(3) for _ in range(table[i][j])]
    n = sum(map(sum, table))
    rows = [sum(r) / n for r in table]
    cols = [sum(table[i][j] for i in range(3)) / n for j in range(3)]
    observed = sum((i - j) ** 2 * table[i][j] / n for i in range(3) for j in range(3))
    expected = sum((i - j) ** 2 * rows[i] * cols[j] for i in range(3) for j in range(3))
    assert quadratic_kappa(first, second, [1.0, 2.0, 3.0]) == pytest.approx(1 - observed / expected)


def test_kappa_is_none_when_undefined() -> None:
    assert quadratic_kappa([2.0, 2.0], [2.0, 2.0], [1.0, 2.0, 3.0]) is None


NAN = None
# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the worked example with
# four observers, twelve units and missing values: nominal alpha .743, interval alpha .849.
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def test_krippendorff_library_reproduces_the_published_example() -> None:
    import krippendorff
    import numpy as np

    data = np.array([[math.nan if v is None else v for v in row] for row in KRIPPENDORFF], float)
    assert krippendorff.alpha(data, level_of_measurement="nominal") == pytest.approx(
        0.743, abs=5e-4
    )
    assert krippendorff.alpha(data, level_of_measurement="interval") == pytest.approx(
        0.849, abs=5e-4
    )


def test_ordinal_alpha_of_the_published_example() -> None:
    # The ordinal value of the same data (the ordinal metric is Krippendorff's, from the library).
    value = krippendorff_alpha(KRIPPENDORFF, [1, 2, 3, 4, 5])
    assert value == pytest.approx(0.8154, abs=5e-4)


def test_alpha_is_none_without_pairable_values() -> None:
    assert krippendorff_alpha([[1, None], [None, 2]], [1, 2]) is None
    assert krippendorff_alpha([[2, 2], [2, 2]], [1, 2]) is None


def test_mean_interval_is_the_t_interval() -> None:
    # Mean 2, sample sd 1.5811 (n = 5): t(0.975, 4) = 2.7764, half width 1.9632.
    mean, low, high, p = mean_interval([0, 1, 2, 3, 4])
    assert (mean, round(low, 4), round(high, 4)) == (2.0, 0.0368, 3.9632)
    assert p == pytest.approx(0.0474, abs=1e-4)  # t = 2.828 on 4 degrees of freedom


def test_holm_matches_the_step_down_rule() -> None:
    # Sorted p-values times (m, m-1, …), made monotone: 0.01*3, 0.02*2, 0.04*1 -> .03, .04, .04.
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert math.isnan(holm([math.nan, 0.5])[0])
