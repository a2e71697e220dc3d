"""The parser builds our syntax tree through Lark's public interface, and shapes it as pinned.

The tree builder is handed to Lark as its ``transformer`` (nodes are built as the LALR parser
reduces, with no Lark tree in between). ``tests/dsl/data/trees/NAME.tree`` pins the whole tree,
every span included, of each gallery policy and each acceptance example, as the parser built it
when it read Lark's tables itself: the change to the public interface changed no tree.
Regenerate after a deliberate change with ``MASTERYKIT_REGEN=1 pytest`` and review the diff.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from masterykit.diagnostics import PolicySyntaxError, Span
from masterykit.dsl import parser
from masterykit.dsl.check import check
from masterykit.dsl.format import format_policy
from masterykit.dsl.parser import MAX_TREE_DEPTH, parse, parse_any
from masterykit.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "examples"
TREES = Path(__file__).parent / "data" / "trees"
GALLERY = sorted((ROOT / "examples").rglob("*.mastery"))
ACCEPTANCE = sorted(
    p
    for p in SPEC.glob("*.mastery")
    if p.name
    not in {
        "05-syntax.invalid.mastery",
        "05-unclosed-block.invalid.mastery",
    }
)


def _where(span: Span | None) -> str:
    if span is None:
        return ""
    return f" @{span.line}:{span.column}-{span.end_line}:{span.end_column}"


def _value(value: object) -> str:
    if isinstance(value, Decimal | dt.date | str | bool | int) or value is None:
        return repr(value)
    raise TypeError(f"not a plain value: {value!r}")


def _is_node(value: object) -> bool:
    return attrs.has(type(value))


def _holds_nodes(value: object) -> bool:
    return _is_node(value) or (isinstance(value, tuple) and any(_is_node(v) for v in value))


def _plain(value: object) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(_plain(v) for v in value)})"
    if isinstance(value, Decimal | dt.date | str | bool | int) or value is None:
        return repr(value)
    raise TypeError(f"not a plain value: {value!r}")


def dump(node: object, indent: str = "") -> list[str]:
    """A node on one line (class, span as ``@line:column-line:column``, plain fields), then each
    field that holds nodes, its nodes indented below it; a field holding one node without
    children of its own fits on the field's line."""
    fields = [f for f in attrs.fields(type(node)) if f.name != "span"]
    plain = " ".join(
        f"{f.name}={_plain(getattr(node, f.name))}"
        for f in fields
        if not _holds_nodes(getattr(node, f.name))
    )
    head = f"{indent}{type(node).__name__}{_where(getattr(node, 'span', None))}"
    lines = [f"{head} {plain}" if plain else head]
    inner = indent + "  "
    for field in fields:
        value = getattr(node, field.name)
        if not _holds_nodes(value):
            continue
        if _is_node(value) and not any(
            _holds_nodes(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if f.name != "span"
        ):
            lines.append(f"{inner}{field.name}: {dump(value)[0]}")
            continue
        lines.append(f"{inner}{field.name}:")
        for item in value if isinstance(value, tuple) else (value,):
            if _is_node(item):
                lines.extend(dump(item, inner + "  "))
            else:
                lines.append(f"{inner}  {_plain(item)}")
    return lines


def _golden(name: str, path: Path) -> None:
    tree = parse_any(path.read_text("utf-8"), path.name)
    text = "\n".join(dump(tree)) + "\n"
    expected = TREES / f"{name}.tree"
    if os.environ.get("MASTERYKIT_REGEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_every_gallery_policy_has_its_pinned_tree(path: Path) -> None:
    _golden(f"gallery-{path.parent.name}-{path.stem}", path)


@pytest.mark.parametrize("path", ACCEPTANCE, ids=[p.stem for p in ACCEPTANCE])
def test_every_acceptance_example_has_its_pinned_tree(path: Path) -> None:
    if not SPEC.is_dir():  # pragma: no cover - the shared folder is beside every checkout
        pytest.skip("the shared acceptance examples are not available")
    _golden(f"spec-{path.stem}", path)


def test_there_are_trees_for_the_gallery_and_the_acceptance_examples() -> None:
    assert len(GALLERY) >= 7
    assert len(list(TREES.glob("gallery-*.tree"))) == len(GALLERY)


# --- Lark through its public interface only ---------------------------------------------------

LARK_USERS = [ROOT / "src" / "masterykit" / "dsl" / name for name in ("parser.py", "_build.py")]


@pytest.mark.parametrize("path", LARK_USERS, ids=[p.name for p in LARK_USERS])
def test_lark_is_used_through_its_public_interface_only(path: Path) -> None:
    module = ast.parse(path.read_text("utf-8"))
    lark_names: set[str] = set()
    for statement in ast.walk(module):
        if isinstance(statement, ast.Import):
            assert not any(alias.name.startswith("lark") for alias in statement.names)
        if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("lark"):
            assert statement.module in {"lark", "lark.exceptions"}, statement.module
            lark_names.update(alias.asname or alias.name for alias in statement.names)
    assert lark_names
    for node in ast.walk(module):
        # Nothing reaches into an object for a name Lark keeps to itself (`lark._x`, `token._y`).
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            assert (
                node.attr.startswith("__")
                or not isinstance(node.value, ast.Name)
                or (node.value.id == "self" or node.value.id not in lark_names)
            ), ast.unparse(node)
    text = path.read_text("utf-8")
    for private in ("parse_table", "_mres", "_parse_tree_builder", "_future_new", "lexer_conf"):
        assert private not in text


def test_the_parser_builds_nodes_while_it_reads() -> None:
    lark, inline = parser._reader()
    assert lark.options.transformer is inline
    assert lark.options.parser == "lalr"
    assert not lark.options.propagate_positions


# --- nesting ----------------------------------------------------------------------------------

HEAD = """policy "Deep" version "1"
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "a" competency MATH.2 "b" }
calculate mean
proficient at Yes
requirement q { all of MATH.1 proficient }
"""
#: The longest chain that still reads: the tree is one level deeper than the chain, plus the
#: policy, the statement and the clause around it.
LONGEST = MAX_TREE_DEPTH - 4


def _chains(count: int) -> dict[str, str]:
    return {
        "not": HEAD + "requirement r {" + " not" * count + " requirement q }\n",
        "union": HEAD + "group g = MATH.1" + " + MATH.2" * count + "\n",
        "difference": HEAD + "for MATH.1" + " - MATH.2" * count + " proficient at 2\n",
    }


@pytest.mark.parametrize("kind", sorted(_chains(1)))
def test_the_longest_chain_reads_checks_and_prints(kind: str, check_registry: Registry) -> None:
    text = _chains(LONGEST)[kind]
    tree = parse(text, "deep.mastery")
    assert parse(format_policy(tree), "deep.mastery") == tree
    policy, diagnostics = check([tree], check_registry)
    if kind == "not":
        # Reading is bounded by the syntax tree's depth; evaluating by how deep conditions nest,
        # which the checker holds to 64 levels (MK282).
        assert [d.code for d in diagnostics] == ["MK282"]
    else:
        assert policy is not None, diagnostics


def _nested(depth: int, action: Callable[[], object]) -> object:
    return action() if depth == 0 else _nested(depth - 1, action)


@pytest.mark.parametrize("kind", sorted(_chains(1)))
def test_the_longest_chain_leaves_room_on_the_stack_for_the_code_that_reads_it(kind: str) -> None:
    # Comparing two trees takes about two frames a level; a host that parses from deep inside
    # its own code still has room for a few hundred frames of its own.
    text = _chains(LONGEST)[kind]
    tree = parse(text, "deep.mastery")
    assert _nested(250, lambda: parse(format_policy(tree), "deep.mastery") == tree)


@pytest.mark.parametrize("kind", sorted(_chains(1)))
def test_a_chain_one_longer_is_refused_as_nested_too_deeply(kind: str) -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse(_chains(LONGEST + 1)[kind], "deep.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK105",
        "the policy is nested too deeply to read",
    )
    assert str(diagnostic.span) == "deep.mastery:1:1"


def test_syntax_errors_after_a_chain_too_deep_are_what_is_reported() -> None:
    text = _chains(2000)["not"] + "requirement s { all MATH.1 proficient }\n"
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, "deep.mastery")
    assert [d.code for d in caught.value.diagnostics] == ["MK114"]
    assert caught.value.diagnostics[0].span is not None
    assert caught.value.diagnostics[0].span.line == 8


def test_problems_the_grammar_cannot_see_are_not_reported_beside_syntax_errors() -> None:
    text = HEAD + "scale MATH.x { 1 a }\nscale s { 1 }\n"
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, "p.mastery")
    assert [d.code for d in caught.value.diagnostics] == ["MK114"]
    with pytest.raises(PolicySyntaxError) as caught:
        parse(HEAD + 'scale MATH.x { 1 a }\nexample "e" { as of 2026-02-30 as of 2026-01-01 }\n')
    assert [d.code for d in caught.value.diagnostics] == ["MK121", "MK120", "MK125"]


# --- one parser, many threads -----------------------------------------------------------------


def test_threads_reading_at_once_each_get_their_own_tree_and_diagnostics() -> None:
    good = (GALLERY[0].read_text("utf-8"), str(GALLERY[0].name))
    bad = (HEAD + 'example "e" { as of 2026-02-30 }\n', "bad.mastery")
    expected = {name: _outcome(text, name) for text, name in (good, bad)}
    results: list[tuple[str, object]] = []
    barrier = threading.Barrier(4)

    def read(text: str, name: str) -> None:
        barrier.wait()
        for _ in range(5):
            results.append((name, _outcome(text, name)))

    threads = [threading.Thread(target=read, args=args) for args in (good, bad, good, bad)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert all(outcome == expected[name] for name, outcome in results)


def _outcome(text: str, name: str) -> object:
    try:
        tree = parse(text, name)
    except PolicySyntaxError as error:
        return [str(d) for d in error.diagnostics]
    return "\n".join(dump(tree))
