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
(:func:`default_registry`), never at import time. :class:`PluginHost` gives finer control (which
built-ins, which blocked names); anything wrong with a plugin becomes a :class:`PluginError`
carrying ``MK5xx`` diagnostics that name it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from masterykit.registry import Registry

__all__ = [
    "PROJECT",
    "PluginError",
    "PluginHost",
    "clear_registry_cache",
    "default_registry",
    "hookimpl",
]

#: The pluggy project name, which is also the entry-point group.
PROJECT = "masterykit"

#: Marks a plugin's hook implementations.
hookimpl = pluggy.HookimplMarker(PROJECT)


def default_registry(
    *, load_entry_points: bool = True, blocked: Iterable[str] = (), strict: bool = False
) -> Registry:
    """The registry of the built-in methods, readers and importers, and (unless
    ``load_entry_points`` is false) of every installed plugin that is not ``blocked``.

    An installed plugin that is broken is left out and named in the registry's ``problems``
    (warnings that ``masterykit check`` shows), so it stops only the policies that use what it
    would have contributed; ``strict=True`` raises instead. This is what :func:`masterykit.load`
    uses when given no registry: to load with an explicit set of plugins and nothing else that
    happens to be installed, build a :class:`PluginHost` (``PluginHost(plugins=[*DEFAULT_PLUGINS,
    my_module]).build_registry()``) and pass it as ``registry=``.

    The result is cached per arguments for the life of the process (a registry is an immutable
    value); :func:`clear_registry_cache` forgets it, for example after installing a plugin.

    Raises:
        PluginError: with ``strict=True``, a plugin could not be loaded or contributes something
            unusable.

    >>> registry = default_registry(load_entry_points=False)
    >>> registry.methods["mean"].summary
    'arithmetic mean'
    """
    return _cached_registry(load_entry_points, tuple(sorted(set(blocked))), strict)


@functools.lru_cache(maxsize=16)
def _cached_registry(load_entry_points: bool, blocked: tuple[str, ...], strict: bool) -> Registry:
    host = PluginHost(load_entry_points=load_entry_points, blocked=blocked, strict=strict)
    return host.build_registry()


def clear_registry_cache() -> None:
    """Forget the registries :func:`default_registry` built, so the next call looks again."""
    _cached_registry.cache_clear()


# At the bottom: the manager imports this package for PROJECT and hookimpl.
from masterykit.plugins.manager import PluginError, PluginHost  # noqa: E402
