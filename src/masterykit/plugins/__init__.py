"""Extending masterykit with plugins.

A plugin is a Python module (usually in its own installed package) with functions marked
``@hookimpl`` that return specs: calculation methods (:class:`~masterykit.registry.MethodSpec`),
evidence readers (:class:`~masterykit.registry.ReaderSpec`) and framework importers
(:class:`~masterykit.registry.ImporterSpec`). The built-in methods and readers register through
exactly the same hooks (:mod:`masterykit.policies.builtin`).

A package makes its plugin known through the ``masterykit`` entry-point group::

    [project.entry-points.masterykit]
    my_methods = "my_package.masterykit_plugin"

and the module::

    from masterykit.plugins import hookimpl
    from masterykit.registry import MethodSpec

    @hookimpl
    def masterykit_calculation_methods():
        return [MethodSpec("trimmed_mean", trimmed_mean, summary="mean without the extremes")]

Entry points are loaded only when a registry is built with plugins enabled
(:func:`default_registry`), never at import time.
"""

from __future__ import annotations

import pluggy

__all__ = ["PROJECT", "hookimpl"]

#: The pluggy project name, which is also the entry-point group.
PROJECT = "masterykit"

#: Marks a plugin's hook implementations.
hookimpl = pluggy.HookimplMarker(PROJECT)
