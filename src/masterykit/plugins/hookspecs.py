"""The hook specifications a masterykit plugin may implement.

Each hook *returns* specs (it is easy to test and to validate); the plugin host collects the
results of every registered plugin into a :class:`~masterykit.registry.Registry`. None of the
hooks is ``firstresult``: every plugin's contribution counts, and a later plugin's spec with the
same name replaces an earlier one (built-ins are registered first).

The host checks what each hook returns: a hook may return ``None`` (nothing this time) or a list
or tuple of specs of the hook's type, each named as a policy or a command line can write it, and
each with something to call. Anything else, and any exception a hook raises, becomes a
:class:`~masterykit.plugins.PluginError` whose ``MK5xx`` diagnostics name the plugin.
"""

from __future__ import annotations

from collections.abc import Sequence

import pluggy

from masterykit.plugins import PROJECT
from masterykit.registry import ImporterSpec, MethodSpec, ReaderSpec

__all__ = [
    "masterykit_calculation_methods",
    "masterykit_evidence_readers",
    "masterykit_framework_importers",
]

_spec = pluggy.HookspecMarker(PROJECT)


@_spec
def masterykit_calculation_methods() -> Sequence[MethodSpec]:  # type: ignore[empty-body]
    """Return the calculation methods this plugin provides.

    Called once when a registry is built. Each :class:`~masterykit.registry.MethodSpec` names a
    method that policies can use in ``calculate <name>(<args>)``; the checker validates the
    arguments against its ``params`` and the engine calls its ``function`` with the learner's
    scores on one competency, oldest first.

    Returns:
        A sequence of method specs (may be empty).

    .. versionadded:: 0.1
    """


@_spec
def masterykit_evidence_readers() -> Sequence[ReaderSpec]:  # type: ignore[empty-body]
    """Return the evidence readers this plugin provides.

    Called once when a registry is built. A reader claims file endings (``.csv``, ``.jsonl``) and
    streams :class:`~masterykit.evidence.Evidence` or :class:`~masterykit.evidence.Rejection`
    values, one per input record, so nothing is dropped silently.

    Returns:
        A sequence of reader specs (may be empty).

    .. versionadded:: 0.1
    """


@_spec
def masterykit_framework_importers() -> Sequence[ImporterSpec]:  # type: ignore[empty-body]
    """Return the competency-framework importers this plugin provides.

    Called once when a registry is built. ``import framework "file"`` in a policy uses the
    importer that claims the file's ending.

    Returns:
        A sequence of importer specs (may be empty).

    .. versionadded:: 0.1
    """
