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


def test_every_lazy_name_is_typed_for_type_checkers() -> None:
    # A name served by the module's __getattr__ is `Any` to a type checker unless it is also
    # imported under TYPE_CHECKING; an application's `mypy --strict` must see real types.
    import ast
    from pathlib import Path

    tree = ast.parse(Path(masterykit.__file__).read_text(encoding="utf-8"))
    typed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    typed.update(alias.asname or alias.name for alias in statement.names)
    lazy = set(masterykit._LAZY)  # type: ignore[attr-defined]
    assert sorted(lazy - typed) == []


def test_dir_lists_the_public_names() -> None:
    assert set(masterykit.__all__) <= set(dir(masterykit))


def test_every_type_a_result_holds_is_exported() -> None:
    import typing

    import attrs

    import masterykit.engine as engine

    held: set[str] = set()
    pending: list[type] = [engine.EvaluationResult, engine.NextStep]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        held.add(cls.__name__)
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            stack = [hints[field.name]]
            while stack:
                hint = stack.pop()
                stack.extend(typing.get_args(hint))
                if (
                    isinstance(hint, type)
                    and attrs.has(hint)
                    and hint.__module__.startswith("masterykit")
                ):
                    pending.append(hint)
                elif isinstance(hint, type) and hint.__module__.startswith("masterykit"):
                    held.add(hint.__name__)
    assert "MoreEvidence" in held and "SufficiencyCheck" in held and "Provenance" in held
    assert sorted(held - set(engine.__all__)) == []
    assert sorted(held - set(masterykit.__all__)) == []
