"""An example masterykit plugin: ``trimmed_mean``, the mean without the extremes.

>>> from decimal import Decimal
>>> trimmed_mean([Decimal(s) for s in "1344"], [], None)
Decimal('3.5')
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from masterykit.plugins import hookimpl
from masterykit.registry import MethodContext, MethodSpec

__all__ = ["masterykit_calculation_methods", "trimmed_mean"]


def trimmed_mean(
    scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
) -> Decimal:
    """The mean of the scores without the single highest and the single lowest one, when there
    are at least three scores; the plain mean otherwise.

    Laws: lies within the scores' minimum and maximum; does not depend on their order.
    """
    kept = sorted(scores)[1:-1] if len(scores) >= 3 else list(scores)
    return sum(kept, Decimal(0)) / len(kept)


@hookimpl
def masterykit_calculation_methods() -> Sequence[MethodSpec]:
    """The plugin's one method."""
    return [
        MethodSpec(
            "trimmed_mean",
            trimmed_mean,
            summary="mean without the highest and the lowest score (from three scores on)",
            order_free=True,
            plugin="masterykit-trimmed-mean",
        )
    ]
