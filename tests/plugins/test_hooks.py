"""One test per hook, named ``test_hook_<hook name>`` (checked below, as datasette does), each
showing a plugin's contribution reaching the registry the way a third-party package's would."""

from __future__ import annotations

import inspect
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.plugins import PluginHost, hookimpl, hookspecs
from masterykit.registry import ImporterSpec, MethodSpec, ParamSpec, ReaderSpec, ReadRequest

HOOKS = sorted(hookspecs.__all__)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test_named_after_it(hook):
    assert f"test_hook_{hook}" in globals(), f"write test_hook_{hook} in {__file__}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_return_value_and_version(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Returns:" in doc
    assert ".. versionadded::" in doc


def test_hook_masterykit_calculation_methods():
    def doubled_latest(scores, args, context):
        return min(scores[-1] * args[0], context.scale_max)

    class Plugin:
        @hookimpl
        def masterykit_calculation_methods(self):
            return [
                MethodSpec(
                    "boosted_latest",
                    doubled_latest,
                    params=(ParamSpec("factor", "number", Decimal(1), Decimal(3), Decimal(2)),),
                )
            ]

    host = PluginHost()
    host.register(Plugin(), name="boost")
    methods = host.build_registry().methods
    assert "mean" in methods  # the built-ins come through the same hook
    spec = methods["boosted_latest"]
    assert spec.plugin == "boost"
    assert spec.params[0].default == Decimal(2)
    assert host.calculation_methods()[-1] == spec


def test_hook_masterykit_evidence_readers(tmp_path: Path):
    def read_nothing(request: ReadRequest):
        yield from ()

    class Plugin:
        @hookimpl
        def masterykit_evidence_readers(self):
            return [ReaderSpec("gradebook", (".gradebook.csv",), read_nothing, summary="x")]

    host = PluginHost()
    host.register(Plugin(), name="gradebook_reader")
    registry = host.build_registry()
    spec = registry.readers["gradebook"]
    assert spec.plugin == "gradebook_reader"
    assert registry.reader_for(tmp_path / "term1.gradebook.csv") is spec
    assert list(spec.read(ReadRequest(tmp_path / "term1.gradebook.csv"))) == []


def test_hook_masterykit_framework_importers(tmp_path: Path):
    def load(path: Path):
        raise NotImplementedError

    class Plugin:
        @hookimpl
        def masterykit_framework_importers(self):
            return (ImporterSpec("ab_json", (".ab.json",), load),)

    host = PluginHost()
    host.register(Plugin(), name="academic_benchmarks")
    importers = host.build_registry().importers
    assert importers["ab_json"].plugin == "academic_benchmarks"
    assert importers["ab_json"].load is load
    assert host.framework_importers()[-1] == importers["ab_json"]
