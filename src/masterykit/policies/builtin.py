"""The built-in calculation methods, registered as a plugin like any third-party package.

The plugin host registers this module by name (``masterykit.policies.builtin``) before any
installed plugin, through the same ``@hookimpl`` a third-party wheel uses, so the built-ins can be
blocked or replaced the same way.

>>> [spec.name for spec in masterykit_calculation_methods()][:3]
['mean', 'median', 'mode']
"""

from __future__ import annotations

from collections.abc import Sequence

from masterykit.plugins import hookimpl
from masterykit.policies.methods import BUILTIN_METHODS
from masterykit.registry import MethodSpec

__all__ = ["masterykit_calculation_methods"]


@hookimpl
def masterykit_calculation_methods() -> Sequence[MethodSpec]:
    """The ten methods of the language reference.

    See :data:`~masterykit.policies.methods.BUILTIN_METHODS`.
    """
    return BUILTIN_METHODS
