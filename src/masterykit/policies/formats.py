"""The built-in evidence readers and framework importers, registered as a plugin.

The plugin host registers this module by name (``masterykit.policies.formats``) next to
:mod:`masterykit.policies.builtin`, through the same ``@hookimpl`` a third-party package uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from masterykit.plugins import hookimpl
from masterykit.registry import ImporterSpec, ReaderSpec

__all__ = ["masterykit_evidence_readers", "masterykit_framework_importers"]


@hookimpl
def masterykit_evidence_readers() -> Sequence[ReaderSpec]:
    """The built-in evidence readers."""
    return []


@hookimpl
def masterykit_framework_importers() -> Sequence[ImporterSpec]:
    """The built-in framework importers."""
    return []
