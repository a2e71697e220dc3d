"""Small-cell suppression: which groups of a breakdown a report must not show.

A breakdown is one attribute (``school``) split into groups whose learners together are the
whole district, for one subject (a competency, a requirement …) on one date. The district's own
figure is always shown, so a hidden group could be worked out by subtracting the shown groups
from the district, and a figure for a handful of learners can identify them. The rule, after the
NCES guidance on protecting personally identifiable information in aggregate reporting (SLDS
Technical Brief 3) and the primary/complementary suppression of statistical disclosure control:

1. *Primary suppression*: a group of fewer than ``min_group`` learners is hidden.
2. *Complementary suppression*: when anything is hidden, the next smallest shown groups are
   hidden as well until at least two groups are hidden and the hidden groups hold at least
   ``min_group`` learners together. Subtracting the shown groups from the district then gives
   only a sum over two or more groups and at least ``min_group`` learners, never one group's
   figure.

A hidden group is hidden whole (every figure of its row, its size included), so a row's other
cells never give a hidden cell away either.

>>> sorted(suppressed({"north": 40, "harbor": 35, "east": 4}, 10))
['east', 'harbor']
>>> sorted(suppressed({"north": 40, "harbor": 35}, 10))
[]
>>> sorted(suppressed({"a": 3, "b": 4, "c": 50, "d": 60}, 10))
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DEFAULT_MIN_GROUP", "suppressed"]

#: The smallest group a report shows unless told otherwise.
DEFAULT_MIN_GROUP = 10


def suppressed(totals: Mapping[str, int], min_group: int) -> frozenset[str]:
    """The groups to hide, given each group's number of learners (see the module's rule)."""
    hidden = {group for group, total in totals.items() if total < min_group}
    if not hidden:
        return frozenset()
    # Smallest first; ties broken by name so the same data always hides the same groups.
    shown = sorted((total, group) for group, total in totals.items() if group not in hidden)
    while shown and (len(hidden) < 2 or sum(totals[g] for g in hidden) < min_group):
        hidden.add(shown.pop(0)[1])
    return frozenset(hidden)
