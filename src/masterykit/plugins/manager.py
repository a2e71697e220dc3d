"""The plugin host: finds plugins, calls their hooks, and builds a :class:`Registry` from them.

:class:`PluginHost` wraps a :class:`pluggy.PluginManager` (the shape of tox's plugin manager):
it registers the built-in plugin modules (:data:`DEFAULT_PLUGINS`) first, then, only when asked,
every plugin of the ``masterykit`` entry-point group, skipping blocked names; it refuses hook
implementations that no masterykit hook specifies; and it offers typed forwarding methods in
place of pluggy's untyped ``pm.hook``.

Whatever a plugin does wrong (it cannot be imported, a hook raises, returns something that is
not a list of specs, or names a spec badly) becomes a :class:`PluginError` with ``MK5xx``
diagnostics naming the plugin; a broken plugin never crashes the host with a traceback.

>>> host = PluginHost(load_entry_points=False)
>>> registry = host.build_registry()
>>> "decaying_average" in registry.methods
True
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Generic, TypeVar

import attrs
import pluggy

from masterykit.diagnostics import Diagnostic, MasteryError, Severity
from masterykit.plugins import PROJECT, hookspecs
from masterykit.registry import ImporterSpec, MethodSpec, ReaderSpec, Registry

__all__ = ["DEFAULT_PLUGINS", "PluginError", "PluginHost"]

#: The built-in plugin modules, registered (in this order) before any installed plugin.
DEFAULT_PLUGINS: Final = ("masterykit.policies.builtin", "masterykit.policies.formats")

_Spec = TypeVar("_Spec", MethodSpec, ReaderSpec, ImporterSpec)

# A method name must be writable in `calculate <name>`: a language name that is not a keyword.
_METHOD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Readers and importers are named by formats (`csv`, `jsonl`, `xapi`, `case`, `oneroster-csv`).
_FORMAT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


class PluginError(MasteryError):
    """A plugin could not be loaded, or what it contributes cannot be used (``MK5xx``)."""


@attrs.frozen(slots=True)
class _Hook(Generic[_Spec]):
    """What the host knows about one hook: its name, what its specs are called in messages, the
    spec type, the name pattern and help, and the spec's function field."""

    name: str
    singular: str
    plural: str
    spec_type: type[_Spec]
    name_pattern: re.Pattern[str]
    name_help: str
    function_field: str


_METHODS: _Hook[MethodSpec] = _Hook(
    "masterykit_calculation_methods",
    "calculation method",
    "calculation methods",
    MethodSpec,
    _METHOD_NAME,
    "a method name starts with a letter or `_`, goes on with letters, digits or `_`, "
    "and is not a keyword of the language",
    "function",
)
_READERS: _Hook[ReaderSpec] = _Hook(
    "masterykit_evidence_readers",
    "evidence reader",
    "evidence readers",
    ReaderSpec,
    _FORMAT_NAME,
    "a format name starts with a letter and goes on with letters, digits, `_`, `.` or `-`",
    "read",
)
_IMPORTERS: _Hook[ImporterSpec] = _Hook(
    "masterykit_framework_importers",
    "framework importer",
    "framework importers",
    ImporterSpec,
    _FORMAT_NAME,
    "a format name starts with a letter and goes on with letters, digits, `_`, `.` or `-`",
    "load",
)

_BLOCK_HELP = "fix the plugin, uninstall its package, or block the plugin by name"


def _show(value: object, limit: int = 40) -> str:
    """A short, one-line picture of a value for a message."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _raised(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _keywords() -> frozenset[str]:
    # Imported late: the parser pulls in Lark, which the host does not otherwise need.
    from masterykit.dsl.parser import KEYWORDS

    return frozenset(KEYWORDS)


class PluginHost:
    """Registers plugins with pluggy and collects what their hooks return.

    Args:
        load_entry_points: also load every plugin of the ``masterykit`` entry-point group
            (off by default, so tests and embedders decide when installed packages take part).
        blocked: plugin names that are never registered: entry-point names, or built-in module
            names such as ``masterykit.policies.formats``. A blocked entry point is not even
            imported.
        plugins: the built-in plugins to register first, as module names or module objects.
        strict: raise for a broken installed plugin (the default). With ``strict=False`` an
            installed plugin that cannot be imported, does not match the hooks, or whose hook
            fails is left out, and what was wrong becomes a warning (:attr:`warnings`, and
            ``Registry.problems``), so one broken
            package cannot stop a service whose policies do not use it.

    Raises:
        PluginError: a plugin could not be imported, does not match the hook specifications, or
            implements a hook masterykit does not have (every such problem, in one error; with
            ``strict=False``, only for the ``plugins`` given here).

    A later plugin's spec replaces an earlier one of the same name: built-ins come first, then
    entry points in the order of their names.
    """

    def __init__(
        self,
        *,
        load_entry_points: bool = False,
        blocked: Iterable[str] = (),
        plugins: Iterable[str | object] = DEFAULT_PLUGINS,
        strict: bool = True,
    ) -> None:
        self._strict = strict
        self._warnings: list[Diagnostic] = []
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._builtin: set[str] = set()
        self._distributions: dict[str, str | None] = {}
        for blocked_name in blocked:
            self._pm.set_blocked(blocked_name)
        problems: list[Diagnostic] = []
        for plugin in plugins:
            name = self._register_builtin(plugin, problems)
            if name is not None:
                self._builtin.add(name)
        if load_entry_points:
            self._load_entry_points(problems)
        problems.extend(self._unknown_hooks())
        if problems:
            raise PluginError(problems)
        self._pm.check_pending()

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """What was wrong with the installed plugins a lenient host (``strict=False``) left out."""
        return tuple(self._warnings)

    def _leave_out(self, problems: Iterable[Diagnostic]) -> None:
        self._warnings.extend(
            attrs.evolve(problem, severity=Severity.WARNING) for problem in problems
        )

    # --- registration ------------------------------------------------------------------------

    @property
    def manager(self) -> pluggy.PluginManager:
        """The underlying pluggy plugin manager (for tools that need pluggy's own API)."""
        return self._pm

    @property
    def plugins(self) -> Mapping[str, str | None]:
        """Registered plugin names, in registration order, each with the name of the installed
        distribution it came from (``None`` for built-ins and plugins registered by hand)."""
        return MappingProxyType(dict(self._distributions))

    def is_blocked(self, name: str) -> bool:
        """Whether plugins called ``name`` are refused."""
        return self._pm.is_blocked(name)

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register one more plugin (a module or any object with ``@hookimpl`` functions).

        Returns:
            The name it was registered under, or ``None`` when that name is blocked.

        Raises:
            PluginError: the plugin does not match masterykit's hooks (``MK507``, ``MK508``).
            ValueError: a plugin of that name, or that very plugin, is already registered.
        """
        name = name or self._pm.get_canonical_name(plugin)
        if self._pm.has_plugin(name) or self._pm.get_name(plugin) is not None:
            raise ValueError(f"a plugin named {name!r}, or this plugin, is already registered")
        problems: list[Diagnostic] = []
        registered = self._register(plugin, name, problems)
        if registered is not None:
            problems.extend(self._unknown_hooks(only=registered))
            if problems:
                self._pm.unregister(name=registered)
                del self._distributions[registered]
        if problems:
            raise PluginError(problems)
        return registered

    def _register_builtin(self, plugin: str | object, problems: list[Diagnostic]) -> str | None:
        if not isinstance(plugin, str):
            return self._register(plugin, self._pm.get_canonical_name(plugin), problems)
        if self._pm.is_blocked(plugin):
            return None
        try:
            module = importlib.import_module(plugin)
        except Exception as exc:
            problems.append(
                Diagnostic(
                    "MK506",
                    f"plugin `{plugin}` could not be loaded",
                    help=f"importing `{plugin}` raised `{_raised(exc)}`",
                )
            )
            return None
        return self._register(module, plugin, problems)

    def _register(
        self,
        plugin: object,
        name: str,
        problems: list[Diagnostic],
        distribution: str | None = None,
    ) -> str | None:
        try:
            registered = self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            problems.append(
                Diagnostic(
                    "MK507",
                    f"plugin `{name}` does not match masterykit's hooks",
                    help=f"pluggy says: {' '.join(str(exc).split())}",
                )
            )
            return None
        except ValueError:
            # The same name or object twice: the first registration stands, as in pluggy's own
            # entry-point loading.
            return None
        if registered is not None:
            self._distributions[registered] = distribution
        return registered

    def _load_entry_points(self, problems: list[Diagnostic]) -> None:
        # The first distribution on sys.path that declares a name wins (as imports do); the
        # chosen plugins are then registered in name order, so the result does not depend on the
        # order of sys.path beyond that.
        found: dict[str, tuple[importlib.metadata.EntryPoint, str | None]] = {}
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group == PROJECT and ep.name not in found:
                    found[ep.name] = (ep, dist.metadata["Name"])
        for name in sorted(found):
            ep, distribution = found[name]
            if self._pm.is_blocked(name) or self._pm.has_plugin(name):
                continue
            own: list[Diagnostic] = []
            try:
                plugin = ep.load()
            except Exception as exc:
                own.append(
                    Diagnostic(
                        "MK506",
                        f"plugin `{name}` could not be loaded",
                        help=f"importing `{ep.value}` raised `{_raised(exc)}`; {_BLOCK_HELP}",
                    )
                )
            else:
                registered = self._register(plugin, name, own, distribution)
                if registered is not None and not self._strict:
                    own.extend(self._unknown_hooks(only=registered))
                    if own:
                        self._pm.unregister(name=registered)
                        del self._distributions[registered]
            if self._strict:
                problems.extend(own)
            else:
                self._leave_out(own)

    def _unknown_hooks(self, only: str | None = None) -> list[Diagnostic]:
        """``MK508`` for each hook implementation that no hook specification matches (what
        pluggy's ``check_pending`` refuses, but every one of them, naming the plugin)."""
        prefix = f"{PROJECT}_"
        known = sorted(hookspecs.__all__)
        problems = []
        for hook_name in sorted(vars(self._pm.hook)):
            if hook_name.startswith("_"):
                continue
            caller: pluggy.HookCaller = getattr(self._pm.hook, hook_name)
            if caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook or (only is not None and impl.plugin_name != only):
                    continue
                # Compare what follows the shared `masterykit_` prefix, which would make any two
                # hook names look alike.
                close = difflib.get_close_matches(
                    hook_name.removeprefix(prefix), [k.removeprefix(prefix) for k in known], n=1
                )
                problems.append(
                    Diagnostic(
                        "MK508",
                        f"plugin `{impl.plugin_name}` implements `{hook_name}`, "
                        "which is not a masterykit hook",
                        help=(
                            f"did you mean `{prefix}{close[0]}`?"
                            if close
                            else "the hooks are " + ", ".join(f"`{k}`" for k in known)
                        ),
                    )
                )
        return problems

    # --- typed forwarding methods ------------------------------------------------------------

    def calculation_methods(self) -> tuple[MethodSpec, ...]:
        """Every plugin's :func:`~masterykit.plugins.hookspecs.masterykit_calculation_methods`,
        in registration order (a later spec with the same name replaces an earlier one).

        Raises:
            PluginError: a plugin's hook raised or returned something unusable.
        """
        specs, problems = self._collect(_METHODS)
        if problems:
            raise PluginError(problems)
        return specs

    def evidence_readers(self) -> tuple[ReaderSpec, ...]:
        """Every plugin's :func:`~masterykit.plugins.hookspecs.masterykit_evidence_readers`.

        Raises:
            PluginError: a plugin's hook raised or returned something unusable.
        """
        specs, problems = self._collect(_READERS)
        if problems:
            raise PluginError(problems)
        return specs

    def framework_importers(self) -> tuple[ImporterSpec, ...]:
        """Every plugin's :func:`~masterykit.plugins.hookspecs.masterykit_framework_importers`.

        Raises:
            PluginError: a plugin's hook raised or returned something unusable.
        """
        specs, problems = self._collect(_IMPORTERS)
        if problems:
            raise PluginError(problems)
        return specs

    def build_registry(self) -> Registry:
        """A :class:`Registry` of everything the registered plugins contribute.

        Raises:
            PluginError: every problem with every hook of every plugin, in one error.
        """
        methods, method_problems = self._collect(_METHODS)
        readers, reader_problems = self._collect(_READERS)
        importers, importer_problems = self._collect(_IMPORTERS)
        problems = [*method_problems, *reader_problems, *importer_problems]
        if problems and self._strict:
            raise PluginError(problems)
        self._leave_out(problems)
        return Registry.of(methods, readers, importers, self._warnings)

    # --- calling and validating hooks --------------------------------------------------------

    def _collect(self, hook: _Hook[_Spec]) -> tuple[tuple[_Spec, ...], list[Diagnostic]]:
        caller: pluggy.HookCaller = getattr(self._pm.hook, hook.name)
        specs: list[_Spec] = []
        problems: list[Diagnostic] = []
        # pluggy calls implementations in the reverse of this order; calling them one at a time
        # in this order lets a later plugin replace an earlier one's spec, and lets a failure be
        # pinned on the plugin that caused it instead of aborting the whole call.
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                continue
            function: Callable[[], object] = impl.function
            try:
                result = function()
            except Exception as exc:
                problems.append(
                    Diagnostic(
                        "MK500",
                        f"plugin `{impl.plugin_name}` failed while listing its {hook.plural}",
                        help=f"it raised `{_raised(exc)}`; {_BLOCK_HELP}",
                    )
                )
                continue
            specs.extend(self._validate(hook, impl.plugin_name, result, problems))
        return tuple(specs), problems

    def _validate(
        self, hook: _Hook[_Spec], plugin: str, result: object, problems: list[Diagnostic]
    ) -> list[_Spec]:
        if result is None:  # a plugin with nothing to offer this time
            return []
        type_name = hook.spec_type.__name__
        if isinstance(result, str | bytes) or not isinstance(result, Sequence):
            problems.append(
                Diagnostic(
                    "MK501",
                    f"plugin `{plugin}` listed its {hook.plural} as `{_show(result)}`, "
                    "not as a list",
                    help=f"`{hook.name}` returns a list of `{type_name}` values",
                )
            )
            return []
        keywords = _keywords() if hook is _METHODS else frozenset[str]()
        accepted: list[_Spec] = []
        seen: set[str] = set()
        for item in result:
            if not isinstance(item, hook.spec_type):
                problems.append(
                    Diagnostic(
                        "MK502",
                        f"plugin `{plugin}` listed `{_show(item)}`, which is not a {hook.singular}",
                        help=f"`{hook.name}` returns a list of `{type_name}` values",
                    )
                )
                continue
            name = item.name
            if (
                not isinstance(name, str)
                or not hook.name_pattern.fullmatch(name)
                or name in keywords
            ):
                problems.append(
                    Diagnostic(
                        "MK503",
                        f"plugin `{plugin}` gives a {hook.singular} the invalid name "
                        f"`{name if isinstance(name, str) else _show(name)}`",
                        help=hook.name_help,
                    )
                )
                continue
            if name in seen:
                problems.append(
                    Diagnostic(
                        "MK504",
                        f"plugin `{plugin}` lists the {hook.singular} `{name}` twice",
                        help="keep one of them, or give the other its own name",
                    )
                )
                continue
            seen.add(name)
            if not callable(getattr(item, hook.function_field)):
                problems.append(
                    Diagnostic(
                        "MK505",
                        f"the {hook.singular} `{name}` of plugin `{plugin}` has nothing to call",
                        help=f"set `{hook.function_field}` to a function",
                    )
                )
                continue
            if plugin not in self._builtin and item.plugin == PROJECT:
                # Credit the plugin that really provides the spec (for docs and explanations).
                item = attrs.evolve(item, plugin=plugin)
            accepted.append(item)
        return accepted
