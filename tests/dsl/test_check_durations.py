"""The duration limit (``MK280``) sees every duration a policy writes, wherever it is nested.

The checker finds durations with a walk that skips values that cannot hold one (names, numbers,
dates, spans); these tests hold it to the plain walk over every field of every node.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from masterykit.diagnostics import PolicySyntaxError
from masterykit.dsl import nodes as n
from masterykit.dsl.check import _durations
from masterykit.dsl.parser import parse

ROOT = Path(__file__).resolve().parents[2]


def _parses(path: Path) -> bool:
    try:
        parse(path.read_text("utf-8"), path.name)
    except (PolicySyntaxError, UnicodeDecodeError):
        return False
    return True


# Every policy in the project that reads (the syntax-error goldens are left out).
POLICIES = sorted(
    path
    for folder in (ROOT / "tests", ROOT / "docs", ROOT / "examples")
    if folder.is_dir()
    for path in folder.rglob("*.mastery")
    if _parses(path)
)

NESTED = """policy "Nested" version "1"
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "a" competency MATH.2 "b" }
evidence within 1 day
for MATH.1 evidence within 2 weeks
for MATH { evidence within 3 months calculate highest }
tight { for MATH.2 { evidence within 4 years } evidence within 5 days }
pace for MATH {
  due 2027-06-15
  extend 6 weeks when learner.iep
  extend 7 months when any { learner.ell learner.iep }
  measure over last 8 months
  at risk within 9 days
}
"""


def _every_duration(node: object) -> Iterator[n.Duration]:
    if isinstance(node, n.Duration):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _every_duration(item)
    elif attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            yield from _every_duration(getattr(node, field.name))


def test_durations_are_found_in_rules_blocks_and_pace_in_the_order_written() -> None:
    tree = parse(NESTED, "nested.mastery")
    found = _durations(tree.statements)
    assert [(d.amount, d.unit) for d in found] == [
        (1, "day"),
        (2, "week"),
        (3, "month"),
        (4, "year"),
        (5, "day"),
        (6, "week"),
        (7, "month"),
        (8, "month"),
        (9, "day"),
    ]
    assert [id(d) for d in found] == [id(d) for d in _every_duration(tree.statements)]
    assert all(d.span is not None for d in found)


def test_there_are_policies_to_compare_the_walks_on() -> None:
    assert len(POLICIES) >= 40


@pytest.mark.parametrize("path", POLICIES, ids=lambda path: path.name)
def test_the_duration_walk_agrees_with_the_plain_walk(path: Path) -> None:
    tree = parse(path.read_text("utf-8"), path.name)
    found = [id(d) for d in _durations(tree.statements)]
    assert found == [id(d) for d in _every_duration(tree.statements)]
