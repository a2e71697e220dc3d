"""The statistics of the reports, each taken from a well-kept library rather than written here.

* Wilson score intervals: :func:`statsmodels.stats.proportion.proportion_confint` with
  ``method="wilson"``, vectorised, so a report's thousands of cells take one call;
* quadratic-weighted Cohen's kappa: :func:`sklearn.metrics.cohen_kappa_score`;
* Krippendorff's alpha: :func:`krippendorff.alpha` (ordinal level of measurement);
* a mean difference's t interval and test: :class:`statsmodels.stats.weightstats.DescrStatsW`;
* Holm's correction over raters: :func:`statsmodels.stats.multitest.multipletests`.

The libraries are imported inside the functions: importing :mod:`masterykit.reports` stays
cheap, and only a report that uses a statistic pays for its library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

__all__ = [
    "CONFIDENCE",
    "exceeds",
    "holm",
    "krippendorff_alpha",
    "mean_interval",
    "quadratic_kappa",
    "wilson_intervals",
]

#: The confidence level of every interval in a report.
CONFIDENCE: Final = 0.95


def wilson_intervals(counts: Sequence[int], totals: Sequence[int]) -> list[tuple[float, float]]:
    """The 95% Wilson score interval of each proportion ``counts[i] / totals[i]``.

    Totals must be positive.

    >>> [tuple(round(x, 4) for x in ci) for ci in wilson_intervals([8], [10])]
    [(0.4902, 0.9433)]
    """
    if not counts:
        return []
    import numpy as np
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(
        np.asarray(counts, dtype=float),
        np.asarray(totals, dtype=float),
        alpha=1 - CONFIDENCE,
        method="wilson",
    )
    return [
        (float(a), float(b)) for a, b in zip(np.atleast_1d(low), np.atleast_1d(high), strict=True)
    ]


def quadratic_kappa(
    first: Sequence[float], second: Sequence[float], labels: Sequence[float]
) -> float | None:
    """Cohen's kappa with quadratic weights between two raters' scores of the same pieces of
    work; ``labels`` are every score on the scale, in order (weights use their positions).

    ``None`` when kappa is undefined (both raters gave one and the same score throughout).
    """
    import warnings

    from sklearn.metrics import cohen_kappa_score

    # scikit-learn takes class labels, not measurements: each score becomes its position on
    # the scale, which is what the quadratic weights (i - j)² are computed from.
    position = {label: i for i, label in enumerate(labels)}
    with warnings.catch_warnings():
        # Kappa is undefined (0/0) when both raters used one score throughout; scikit-learn
        # warns and returns nan, reported here as None.
        warnings.simplefilter("ignore")
        value = float(
            cohen_kappa_score(
                [position[x] for x in first],
                [position[x] for x in second],
                labels=list(range(len(labels))),
                weights="quadratic",
            )
        )
    return None if math.isnan(value) else value


def krippendorff_alpha(
    units: Sequence[Sequence[float | None]], domain: Sequence[float]
) -> float | None:
    """Krippendorff's alpha, ordinal, of ``units`` (one row per rater, one column per piece of
    work, ``None`` where a rater did not score it); ``domain`` is every score in order.

    ``None`` when alpha is undefined (fewer than two pairable values, or a single value).
    """
    import krippendorff
    import numpy as np

    data = np.array([[math.nan if v is None else v for v in row] for row in units], dtype=float)
    pairable = int(np.sum(np.sum(~np.isnan(data), axis=0) >= 2))
    values = set(data[~np.isnan(data)].tolist())
    if pairable < 1 or len(values) < 2:
        return None
    value = float(
        krippendorff.alpha(
            reliability_data=data,
            level_of_measurement="ordinal",
            value_domain=np.asarray(sorted(set(domain)), dtype=float),
        )
    )
    return None if math.isnan(value) else value


def mean_interval(values: Sequence[float]) -> tuple[float, float, float, float]:
    """The mean of ``values``, its 95% t interval and the two-sided p-value of a test that the
    mean is zero (``nan`` for the interval and p-value with fewer than two values, or none
    spread)."""
    import numpy as np
    from statsmodels.stats.weightstats import DescrStatsW

    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2 or float(data.std()) == 0.0:
        return mean, math.nan, math.nan, math.nan
    stats = DescrStatsW(data)
    low, high = stats.tconfint_mean(alpha=1 - CONFIDENCE)
    _, p_value, _ = stats.ttest_mean(0.0)
    return mean, float(low), float(high), float(p_value)


def exceeds(values: Sequence[float], threshold: float) -> float:
    """The one-sided p-value of a t test that the mean of ``values`` is above ``threshold``
    (``nan`` with fewer than two values, or none spread)."""
    import numpy as np
    from statsmodels.stats.weightstats import DescrStatsW

    data = np.asarray(values, dtype=float)
    if len(data) < 2 or float(data.std()) == 0.0:
        return math.nan
    _, p_value, _ = DescrStatsW(data).ttest_mean(threshold, alternative="larger")
    return float(p_value)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (``nan`` stays ``nan``), which keeps the
    chance of flagging any rater wrongly at most 5% across all raters."""
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    data = np.asarray(p_values, dtype=float)
    known = ~np.isnan(data)
    adjusted = np.full(len(data), math.nan)
    if known.any():
        adjusted[known] = multipletests(data[known], method="holm")[1]
    return [float(x) for x in adjusted]
