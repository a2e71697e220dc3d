"""The plugin host: built-ins first, entry points when asked, blocked names, and every way a plugin
can be broken turned into an ``MK5xx`` diagnostic that names it."""

from __future__ import annotations

import pickle
import sys
from decimal import Decimal

import pytest

from masterykit.diagnostics import MasteryError, Severity
from masterykit.plugins import PluginError, PluginHost, default_registry, hookimpl
from masterykit.plugins.manager import DEFAULT_PLUGINS
from masterykit.registry import MethodSpec, ReaderSpec

BUILTIN_NAMES = {
    "mean",
    "median",
    "mode",
    "most_recent",
    "highest",
    "most_recent_mean",
    "weighted_average",
    "decaying_average",
    "n_mastery",
    "power_law",
}
FIX = "fix the plugin, uninstall its package, or block the plugin by name"


def first(scores, args, context):
    return scores[0]


def methods_plugin(result):
    """A plugin object whose calculation-methods hook returns ``result`` (or raises it)."""

    class Plugin:
        @hookimpl
        def masterykit_calculation_methods(self):
            if isinstance(result, Exception):
                raise result
            return result

    return Plugin()


def problems(host: PluginHost) -> list[tuple[str, str, str | None]]:
    with pytest.raises(PluginError) as caught:
        host.build_registry()
    return [(d.code, d.message, d.help) for d in caught.value.diagnostics]


def bare_host(plugin: object, name: str = "bad") -> PluginHost:
    host = PluginHost(plugins=())
    host.register(plugin, name=name)
    return host


# --- the normal path --------------------------------------------------------------------------


def test_default_host_registers_the_builtin_plugins_first():
    host = PluginHost()
    assert tuple(host.plugins) == DEFAULT_PLUGINS
    assert set(host.build_registry().methods) == BUILTIN_NAMES


def test_builtin_specs_keep_the_masterykit_credit():
    registry = PluginHost().build_registry()
    assert {spec.plugin for spec in registry.methods.values()} == {"masterykit"}


def test_default_registry_without_entry_points_has_the_builtins_and_is_cached():
    registry = default_registry(load_entry_points=False)
    assert set(registry.methods) == BUILTIN_NAMES
    assert default_registry(load_entry_points=False) is registry


def test_blocked_builtin_plugin_is_not_registered():
    host = PluginHost(blocked=["masterykit.policies.builtin"])
    assert "masterykit.policies.builtin" not in host.plugins
    assert host.is_blocked("masterykit.policies.builtin")
    assert host.build_registry().methods == {}


def test_later_plugin_replaces_a_builtin_of_the_same_name_and_is_credited():
    host = PluginHost()
    host.register(methods_plugin([MethodSpec("mean", first)]), name="house_rules")
    spec = host.build_registry().methods["mean"]
    assert spec.function is first
    assert spec.plugin == "house_rules"


def test_register_refuses_a_name_twice():
    host = PluginHost()
    with pytest.raises(ValueError, match="already registered"):
        host.register(object(), name="masterykit.policies.builtin")


def test_register_returns_none_for_a_blocked_name():
    host = PluginHost(plugins=(), blocked=["nope"])
    assert host.register(methods_plugin([]), name="nope") is None
    assert host.plugins == {}


def test_a_hook_returning_none_contributes_nothing():
    assert bare_host(methods_plugin(None)).build_registry().methods == {}


# --- entry points -----------------------------------------------------------------------------


def test_entry_points_are_not_loaded_unless_asked(example_plugin):
    assert "trimmed_mean" not in PluginHost().build_registry().methods
    assert example_plugin not in sys.modules


def test_example_plugin_is_discovered_through_its_entry_point(example_plugin):
    host = PluginHost(load_entry_points=True)
    assert host.plugins["trimmed_mean"] == "masterykit-trimmed-mean"
    spec = host.build_registry().methods["trimmed_mean"]
    assert spec.plugin == "masterykit-trimmed-mean"
    scores = [Decimal(s) for s in ("1", "3", "4", "4")]
    assert spec.function(scores, [], None) == Decimal("3.5")


def test_default_registry_finds_the_installed_example_plugin(example_plugin):
    registry = default_registry()
    assert "trimmed_mean" in registry.methods
    assert set(registry.methods) >= BUILTIN_NAMES


def test_blocked_entry_point_is_neither_imported_nor_registered(example_plugin):
    registry = default_registry(blocked=["trimmed_mean"])
    assert "trimmed_mean" not in registry.methods
    assert example_plugin not in sys.modules
    host = PluginHost(load_entry_points=True, blocked=["trimmed_mean"])
    assert "trimmed_mean" not in host.plugins


def test_entry_point_that_cannot_be_imported_is_mk506(install):
    install("broken-dist", {"broken": "no_such_module_for_masterykit"})
    with pytest.raises(PluginError) as caught:
        PluginHost(load_entry_points=True)
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.message, diag.help) == (
        "MK506",
        "plugin `broken` could not be loaded",
        "importing `no_such_module_for_masterykit` raised `ModuleNotFoundError: No module named "
        f"'no_such_module_for_masterykit'`; {FIX}",
    )


def test_broken_entry_point_can_be_blocked(install):
    install("broken-dist", {"broken": "no_such_module_for_masterykit"})
    assert set(default_registry(blocked=["broken"]).methods) == BUILTIN_NAMES


def test_installed_plugin_whose_hook_raises_is_named_in_mk500(install):
    install(
        "angry-dist",
        {"angry": "angry_masterykit_plugin"},
        modules={
            "angry_masterykit_plugin": """
                from masterykit.plugins import hookimpl

                @hookimpl
                def masterykit_calculation_methods():
                    raise ZeroDivisionError("division by zero")
            """
        },
    )
    with pytest.raises(PluginError) as caught:
        default_registry(strict=True)
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("MK500", "plugin `angry` failed while listing its calculation methods")
    ]
    # By default the broken plugin is left out with a warning, and everything else works.
    registry = default_registry()
    assert set(registry.methods) == BUILTIN_NAMES
    assert [(d.code, d.severity, d.message) for d in registry.problems] == [
        (
            "MK500",
            Severity.WARNING,
            "plugin `angry` failed while listing its calculation methods",
        )
    ]


def test_an_installed_plugin_that_cannot_be_imported_is_left_out_with_a_warning(install):
    install("broken-dist", {"broken": "no_such_module_for_masterykit"})
    registry = default_registry()
    assert set(registry.methods) == BUILTIN_NAMES
    (diag,) = registry.problems
    assert (diag.code, diag.severity, diag.message, diag.help) == (
        "MK506",
        Severity.WARNING,
        "plugin `broken` could not be loaded",
        "importing `no_such_module_for_masterykit` raised `ModuleNotFoundError: No module named "
        f"'no_such_module_for_masterykit'`; {FIX}",
    )


def test_a_lenient_host_leaves_out_a_plugin_with_a_hook_masterykit_does_not_have(install):
    install(
        "odd-dist",
        {"odd": "odd_masterykit_plugin"},
        modules={
            "odd_masterykit_plugin": """
                from masterykit.plugins import hookimpl

                @hookimpl
                def masterykit_grading_scales():
                    return []
            """
        },
    )
    with pytest.raises(PluginError):
        PluginHost(load_entry_points=True)
    host = PluginHost(load_entry_points=True, strict=False)
    assert "odd" not in host.plugins
    assert [(d.code, d.severity) for d in host.warnings] == [("MK508", Severity.WARNING)]
    assert host.build_registry().problems == host.warnings


def test_a_builtin_that_cannot_be_imported_raises_even_for_a_lenient_host():
    with pytest.raises(PluginError):
        PluginHost(plugins=("masterykit.policies.no_such_module",), strict=False)


def test_builtin_module_that_cannot_be_imported_is_mk506():
    with pytest.raises(PluginError) as caught:
        PluginHost(plugins=("masterykit.policies.no_such_module",))
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.message) == (
        "MK506",
        "plugin `masterykit.policies.no_such_module` could not be loaded",
    )


# --- broken plugins: the exact diagnostics ----------------------------------------------------


def test_hook_that_raises_is_mk500():
    assert problems(bare_host(methods_plugin(RuntimeError("boom")))) == [
        (
            "MK500",
            "plugin `bad` failed while listing its calculation methods",
            f"it raised `RuntimeError: boom`; {FIX}",
        )
    ]


@pytest.mark.parametrize(("result", "shown"), [(42, "42"), ("mean", "'mean'"), ({}, "{}")])
def test_hook_that_returns_no_list_is_mk501(result, shown):
    assert problems(bare_host(methods_plugin(result))) == [
        (
            "MK501",
            f"plugin `bad` listed its calculation methods as `{shown}`, not as a list",
            "`masterykit_calculation_methods` returns a list of `MethodSpec` values",
        )
    ]


def test_list_item_that_is_not_a_method_spec_is_mk502():
    reader = ReaderSpec("csv", (".csv",), lambda request: iter(()))
    found = problems(bare_host(methods_plugin(["mean", reader])))
    assert [(code, message) for code, message, _ in found] == [
        ("MK502", "plugin `bad` listed `'mean'`, which is not a calculation method"),
        ("MK502", f"plugin `bad` listed `{str(reader)[:39]}…`, which is not a calculation method"),
    ]
    assert found[0][2] == "`masterykit_calculation_methods` returns a list of `MethodSpec` values"


@pytest.mark.parametrize("name", ["Trimmed Mean", "2nd_best", "tight", ""])
def test_method_name_a_policy_cannot_write_is_mk503(name):
    assert problems(bare_host(methods_plugin([MethodSpec(name, first)]))) == [
        (
            "MK503",
            f"plugin `bad` gives a calculation method the invalid name `{name}`",
            "a method name starts with a letter or `_`, goes on with letters, digits or `_`, "
            "and is not a keyword of the language",
        )
    ]


def test_method_listed_twice_by_one_plugin_is_mk504():
    spec = MethodSpec("twice", first)
    assert problems(bare_host(methods_plugin([spec, spec]))) == [
        (
            "MK504",
            "plugin `bad` lists the calculation method `twice` twice",
            "keep one of them, or give the other its own name",
        )
    ]


def test_method_without_a_function_is_mk505():
    assert problems(bare_host(methods_plugin([MethodSpec("nothing", None)]))) == [
        (
            "MK505",
            "the calculation method `nothing` of plugin `bad` has nothing to call",
            "set `function` to a function",
        )
    ]


def test_hook_with_arguments_the_spec_lacks_is_mk507():
    class Odd:
        @hookimpl
        def masterykit_calculation_methods(self, config):
            return []

    with pytest.raises(PluginError) as caught:
        PluginHost(plugins=()).register(Odd(), name="odd")
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.message) == ("MK507", "plugin `odd` does not match masterykit's hooks")
    assert diag.help.startswith("pluggy says: ")
    assert "config" in diag.help


def test_misspelled_hook_is_mk508_with_a_suggestion():
    class Typo:
        @hookimpl
        def masterykit_calculation_method(self):
            return []

    host = PluginHost(plugins=())
    with pytest.raises(PluginError) as caught:
        host.register(Typo(), name="typo")
    assert [(d.code, d.message, d.help) for d in caught.value.diagnostics] == [
        (
            "MK508",
            "plugin `typo` implements `masterykit_calculation_method`, "
            "which is not a masterykit hook",
            "did you mean `masterykit_calculation_methods`?",
        )
    ]
    assert "typo" not in host.plugins


def test_unrelated_hook_name_lists_the_hooks():
    class Stranger:
        @hookimpl
        def masterykit_startup(self):
            return []

    with pytest.raises(PluginError) as caught:
        PluginHost(plugins=(Stranger(),))
    (diag,) = caught.value.diagnostics
    assert diag.code == "MK508"
    assert diag.help == (
        "the hooks are `masterykit_calculation_methods`, `masterykit_evidence_readers`, "
        "`masterykit_framework_importers`"
    )


def test_every_problem_of_every_plugin_comes_in_one_error():
    host = PluginHost(plugins=())
    host.register(methods_plugin(RuntimeError("boom")), name="one")
    host.register(methods_plugin(42), name="two")
    assert [code for code, _, _ in problems(host)] == ["MK500", "MK501"]


def test_typed_forwarding_methods_raise_plugin_errors_too():
    host = bare_host(methods_plugin(42))
    with pytest.raises(PluginError):
        host.calculation_methods()
    assert host.evidence_readers() == ()
    assert host.framework_importers() == ()


def test_plugin_error_is_a_mastery_error_that_renders_and_pickles():
    with pytest.raises(PluginError) as caught:
        bare_host(methods_plugin(RuntimeError("boom"))).build_registry()
    error = caught.value
    assert isinstance(error, MasteryError)
    assert str(error).startswith(
        "error[MK500]: plugin `bad` failed while listing its calculation methods"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PluginError
    assert copy.diagnostics == error.diagnostics


def test_a_broken_plugin_the_policy_does_not_use_does_not_stop_load(install):
    from pathlib import Path

    import masterykit

    install("broken-dist", {"broken": "no_such_module_for_masterykit"})
    tutorial = Path(__file__).resolve().parents[2] / "docs" / "tutorial" / "district.mastery"
    policy = masterykit.load(tutorial)
    assert policy.name == "Maple Valley School District"
