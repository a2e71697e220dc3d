"""Golden tests: the full rendered text of the checker's diagnostics, overlays included.

Each ``tests/dsl/data/check_golden/NAME.mastery`` is checked from inside that folder (so file
names in the text are short and stable) and ``NAME.txt`` holds every diagnostic rendered as
``masterykit check`` prints it. Files under ``bases/`` are the districts and schools the overlays
extend. Regenerate after a deliberate change with ``MASTERYKIT_REGEN=1 pytest`` and review the
diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from masterykit.diagnostics import has_errors, render_text
from masterykit.loader import CheckResult, check_file
from masterykit.registry import Registry

DATA = Path(__file__).parent / "data" / "check_golden"
CASES = sorted(DATA.glob("*.mastery"))


def _check(path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> CheckResult:
    monkeypatch.chdir(DATA)
    return check_file(path.name, registry=registry)


def _render(result: CheckResult) -> str:
    return "\n\n".join(render_text(d, result.sources) for d in result.diagnostics) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_check_diagnostic_text_is_pinned(
    path: Path, check_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _check(path, check_registry, monkeypatch)
    text = _render(result)
    expected_path = path.with_suffix(".txt")
    if os.environ.get("MASTERYKIT_REGEN"):
        expected_path.write_text(text, encoding="utf-8")
    assert (result.policy is None) == has_errors(result.diagnostics)
    assert text == expected_path.read_text(encoding="utf-8")


def test_the_goldens_pin_at_least_twenty_five_different_diagnostics(
    check_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: set[str] = set()
    for path in CASES:
        codes.update(d.code for d in _check(path, check_registry, monkeypatch).diagnostics)
    layering = {"MK200", "MK201", "MK202", "MK221", "MK222", "MK260", "MK261", "MK262"}
    assert layering <= codes
    assert len(codes) >= 25, sorted(codes)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_check_diagnostics_are_sorted_and_written_for_authors(
    path: Path, check_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagnostics = _check(path, check_registry, monkeypatch).diagnostics
    assert diagnostics
    places = [(d.span.file, d.span.line, d.span.column) for d in diagnostics if d.span]
    assert places == sorted(places)
    for diagnostic in diagnostics:
        assert diagnostic.code.startswith("MK2")
        assert diagnostic.message[0].islower() or diagnostic.message[0] in "`\"'"
        assert not diagnostic.message.endswith(".")
        assert "Selection" not in diagnostic.message
        assert "Decimal" not in diagnostic.message
