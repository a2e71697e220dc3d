"""Fixtures for plugin tests: installing fake distributions with ``masterykit`` entry points."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from masterykit.plugins import clear_registry_cache

#: The example plugin package shipped in examples/plugins/.
EXAMPLE_PLUGIN = (
    Path(__file__).resolve().parents[2] / "examples" / "plugins" / "masterykit-trimmed-mean"
)

Install = Callable[..., Path]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install a fake distribution: ``install(dist, {entry_name: "module[:attr]"}, modules={
    "module": "source"})`` writes a ``*.dist-info`` folder (``METADATA``, ``entry_points.txt``) and
    the modules into a folder put on ``sys.path``, as pip would. Imported modules and cached
    registries are forgotten afterwards."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    added: list[str] = []

    def _install(
        dist: str, entry_points: Mapping[str, str], modules: Mapping[str, str] | None = None
    ) -> Path:
        info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n", encoding="utf-8"
        )
        lines = [f"{name} = {value}" for name, value in entry_points.items()]
        (info / "entry_points.txt").write_text(
            "[masterykit]\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        for module, source in (modules or {}).items():
            (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            added.append(module)
        added.extend(value.split(":")[0] for value in entry_points.values())
        return site

    clear_registry_cache()
    yield _install
    for module in added:
        sys.modules.pop(module, None)
    clear_registry_cache()


@pytest.fixture
def example_plugin(install: Install, monkeypatch: pytest.MonkeyPatch) -> str:
    """The example ``masterykit-trimmed-mean`` package, installed as a fake distribution whose
    entry point names the example's real module. Returns the module name."""
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN / "src"))
    sys.modules.pop("masterykit_trimmed_mean", None)
    install("masterykit-trimmed-mean", {"trimmed_mean": "masterykit_trimmed_mean"})
    return "masterykit_trimmed_mean"
