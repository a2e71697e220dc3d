"""How deep requirements may refer to each other: the checker measures every chain without
recursion, so ``check`` answers at any depth, and refuses (``MK282``) what evaluation could not
walk; circles of requirements are reported once each (``MK265``) in linear time."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicyCheckError
from masterykit.dsl.check import MAX_CONDITION_DEPTH, check
from masterykit.dsl.parser import parse
from masterykit.frameworks import Framework, FrameworkItem
from masterykit.loader import load_text
from masterykit.plugins import default_registry

BUILTIN = default_registry(load_entry_points=False)

HEAD = """policy "Chain" version "1"
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "Number sense" }
calculate highest
proficient at Yes
"""


def chain(length: int, graduate: bool = True) -> str:
    """``r1`` names ``r2``, which names ``r3`` … ``r{length}``, which tests a competency: each
    requirement is two levels (its body and the reference), so ``r1`` is ``2 × length`` deep
    and ``graduate when { requirement r1 }`` two more."""
    lines = [HEAD]
    lines += [f"requirement r{i} {{ requirement r{i + 1} }}\n" for i in range(1, length)]
    lines.append(f"requirement r{length} {{ all of MATH proficient }}\n")
    if graduate:
        lines.append("graduate when { requirement r1 }\n")
    return "".join(lines)


def problems(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(PolicyCheckError) as caught:
        load_text(text, "chain.mastery")
    return [(d.code, d.message, d.span.line if d.span else None) for d in caught.value.diagnostics]


def test_the_limit_is_64_levels() -> None:
    assert MAX_CONDITION_DEPTH == 64


def test_a_chain_exactly_at_the_limit_checks() -> None:
    policy = load_text(chain(31), "chain.mastery")  # graduate when: 2 + 2 × 31 = 64
    assert len(policy.requirements) == 31


def test_a_decision_one_past_the_limit_is_refused_with_its_chain() -> None:
    assert problems(chain(32)) == [
        (
            "MK282",
            "`graduate when` nests its conditions 66 deep through r1 → r2 → r3 → r4 → r5 → "
            "… (22 more) → r28 → r29 → r30 → r31 → r32; the limit is 64",
            38,
        )
    ]


@pytest.mark.parametrize("length", [100, 1_000, 5_000])
def test_a_long_chain_is_reported_once_at_its_outermost_requirement(length: int) -> None:
    # 1,000 used to end check itself in a RecursionError; 100 passed check and then crashed
    # evaluation.
    assert problems(chain(length)) == [
        (
            "MK282",
            f"requirement `r1` nests its conditions {2 * length:,} deep through r1 → r2 → r3 → "
            f"r4 → r5 → … ({length - 10:,} more) → r{length - 4} → r{length - 3} → "
            f"r{length - 2} → r{length - 1} → r{length}; the limit is 64",
            6,
        )
    ]


def test_blocks_inside_requirements_count_toward_the_depth() -> None:
    nested = "any { " * 31 + "all of MATH proficient" + " }" * 31
    text = HEAD + f"requirement inner {{ {nested} }}\nrequirement outer {{ requirement inner }}\n"
    assert load_text(text).requirements["outer"]  # 1 + 1 + (1 + 31 + 1) = 35
    text += "requirement top { any { not requirement outer } }\n" + "".join(
        f"requirement t{i} {{ requirement {'top' if i == 0 else f't{i - 1}'} }}\n"
        for i in range(14)
    )
    assert problems(text) == [
        (
            "MK282",
            "requirement `t13` nests its conditions 67 deep through t13 → t12 → t11 → t10 → "
            "t9 → … (7 more) → t1 → t0 → top → outer → inner; the limit is 64",
            22,
        )
    ]


def test_advancement_and_pace_extensions_are_measured_too() -> None:
    deep = "not " * 70 + "all of MATH proficient"
    text = HEAD + f'advance "Grade 9" to "Grade 10" when {{ {deep} }}\n'
    assert problems(text) == [
        (
            "MK282",
            'advancement from "Grade 9" to "Grade 10" nests its conditions 72 deep; the limit '
            "is 64",
            6,
        )
    ]


def test_a_requirement_nested_too_deeply_on_its_own_is_refused() -> None:
    text = HEAD + "requirement r { " + "not " * 200 + "all of MATH proficient }\n"
    with pytest.raises(PolicyCheckError) as caught:
        load_text(text, "chain.mastery")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.help) == (
        "MK282",
        "requirement `r` nests its conditions 202 deep; the limit is 64",
        "a condition nests at most 64 deep; write it with fewer levels",
    )


def test_a_circle_of_thousands_of_requirements_is_one_error() -> None:
    length = 3_000
    text = HEAD + "".join(
        f"requirement r{i} {{ requirement r{(i + 1) % length} }}\n" for i in range(length)
    )
    # Searching every path from each requirement ended in a RecursionError at this length.
    assert problems(text) == [
        (
            "MK265",
            "requirement `r0` depends on itself: r0 → r1 → r2 → r3 → r4 → … (2,991 more) → "
            "r2996 → r2997 → r2998 → r2999 → r0",
            6,
        )
    ]


def test_requirements_sharing_what_they_name_are_walked_once() -> None:
    # Each level names the next two: 2^40 ways down, which searching every path could not finish.
    levels = 40
    lines = [HEAD]
    for i in range(levels):
        for side in "ab":
            lines.append(
                f"requirement {side}{i} {{ any {{ requirement a{i + 1} requirement b{i + 1} }} }}\n"
            )
    lines += [f"requirement {side}{levels} {{ all of MATH proficient }}\n" for side in "ab"]
    found = problems("".join(lines))
    assert [code for code, _message, _line in found] == ["MK282", "MK282"]
    assert found[0][1] == (
        "requirement `a0` nests its conditions 122 deep through a0 → a1 → a2 → a3 → a4 → "
        "… (31 more) → a36 → a37 → a38 → a39 → a40; the limit is 64"
    )


def test_each_circle_is_reported_once_from_its_first_requirement() -> None:
    text = HEAD + (
        "requirement x { requirement y }\n"
        "requirement y { any { requirement x requirement z } }\n"
        "requirement z { requirement y }\n"
        "requirement self { requirement self }\n"
    )
    assert problems(text) == [
        ("MK265", "requirement `x` depends on itself: x → y → x", 6),
        ("MK265", "requirement `self` depends on itself: self → self", 9),
    ]


def test_a_chain_of_a_thousand_groups_resolves() -> None:
    # Resolving each group inside the one that names it ended in a RecursionError.
    text = HEAD + "".join(f"group g{i} = g{i + 1}\n" for i in range(1, 1000))
    text += "group g1000 = MATH.1\nrequirement r { all of g1 proficient }\n"
    assert load_text(text).groups["g1"] == ("MATH.1",)


def test_a_circle_of_a_thousand_groups_is_one_error() -> None:
    text = HEAD + "".join(f"group g{i} = g{i % 1000 + 1}\n" for i in range(1, 1001))
    assert problems(text) == [("MK234", "group `g1` is defined in terms of itself", 6)]


# --- framework trees -----------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    parents=st.lists(st.integers(min_value=-1, max_value=30), min_size=1, max_size=25),
    order=st.randoms(use_true_random=False),
)
def test_an_imported_tree_selects_each_item_with_everything_below_it(
    parents: list[int], order: random.Random
) -> None:
    # item i's parent is an earlier item or none; the items are listed in any order
    parent_of = {i: (p % i if p >= 0 and i > 0 else None) for i, p in enumerate(parents)}
    items = [
        FrameworkItem(f"F.{i}", None, f"i-{i}", parent=f"F.{p}" if p is not None else None)
        for i, p in parent_of.items()
    ]
    order.shuffle(items)
    framework = Framework("Tree", "doc", tuple(items))
    tree = parse(HEAD + 'import framework "tree.json"\n', "tree.mastery")
    policy, found = check([tree], BUILTIN, frameworks={("tree.mastery", "tree.json"): framework})
    assert found == [] and policy is not None
    listed = [item.code for item in items]
    for code, area in policy.areas.items():
        if code == "MATH":
            continue
        below = {code}
        todo = [code]
        while todo:  # the plain way: every item whose parent is already below
            current = todo.pop()
            for item in items:
                if item.parent == current and item.code not in below:
                    below.add(item.code)
                    todo.append(item.code)
        assert area.competencies == tuple(c for c in listed if c in below)
