"""The built-in evidence readers and framework importers, registered as a plugin.

The plugin host registers this module by name (``masterykit.policies.formats``) next to
:mod:`masterykit.policies.builtin`, through the same ``@hookimpl`` a third-party package uses.

>>> [spec.name for spec in masterykit_evidence_readers()]
['csv', 'jsonl', 'parquet', 'xapi', 'oneroster']
>>> [spec.name for spec in masterykit_framework_importers()]
['case']
"""

from __future__ import annotations

from collections.abc import Sequence

from masterykit.frameworks import load_case
from masterykit.plugins import hookimpl
from masterykit.readers import BUILTIN_READERS
from masterykit.registry import ImporterSpec, ReaderSpec

__all__ = ["BUILTIN_IMPORTERS", "masterykit_evidence_readers", "masterykit_framework_importers"]

#: The built-in framework importers.
BUILTIN_IMPORTERS: tuple[ImporterSpec, ...] = (
    ImporterSpec(
        "case", (".json",), load_case, summary="1EdTech CASE 1.0 package (CFPackage JSON)"
    ),
)


@hookimpl
def masterykit_evidence_readers() -> Sequence[ReaderSpec]:
    """The built-in evidence readers: CSV, JSON Lines, xAPI and OneRoster 1.2 CSV."""
    return BUILTIN_READERS


@hookimpl
def masterykit_framework_importers() -> Sequence[ImporterSpec]:
    """The built-in framework importers: CASE 1.0 JSON."""
    return BUILTIN_IMPORTERS
