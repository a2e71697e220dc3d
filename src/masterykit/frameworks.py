"""Competency frameworks from outside the policy: 1EdTech CASE 1.0 packages.

``import framework "state-math.json"`` in a policy, or :func:`load_case` in Python, reads a CASE
package into a :class:`Framework`: one :class:`FrameworkItem` per CFItem, coded by its
``humanCodingScheme`` (items without one by their identifier), titled by its ``fullStatement``,
with ``isChildOf`` giving the tree and ``precedes`` the prerequisites. Associations whose other
end is not in the package are kept as :class:`ExternalReference` values and reported in the
summary, never as errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = [
    "ExternalReference",
    "Framework",
    "FrameworkItem",
]


@attrs.frozen(slots=True)
class FrameworkItem:
    """One CFItem: its competency code, title, CASE identifier, parent item's code (``None`` at
    the top), the codes of the items that precede it, and kept attributes (``CFItemType``,
    education level, abbreviated statement …)."""

    code: str
    title: str | None
    identifier: str
    parent: str | None = None
    prerequisites: tuple[str, ...] = ()
    attributes: Mapping[str, str] = attrs.field(factory=dict, hash=False)


@attrs.frozen(slots=True)
class ExternalReference:
    """An association whose other end is outside the package (kept, otherwise ignored)."""

    association: str
    origin: str
    destination: str
    kind: str


@attrs.frozen(slots=True)
class Framework:
    """A loaded competency framework: its title, its CFDocument identifier, its items in the
    package's order, and the associations that point outside it."""

    title: str
    identifier: str
    items: tuple[FrameworkItem, ...]
    external: tuple[ExternalReference, ...] = ()
    file: str | None = None
