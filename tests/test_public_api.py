"""The top-level package: every public name resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import masterykit


@pytest.mark.parametrize("name", masterykit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(masterykit, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = masterykit.nope  # type: ignore[attr-defined]


def test_importing_masterykit_does_not_import_the_engine_or_lark() -> None:
    code = (
        "import sys, masterykit; print('lark' in sys.modules, 'masterykit.engine' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_dir_lists_the_public_names() -> None:
    assert set(masterykit.__all__) <= set(dir(masterykit))
