"""Competencies under the same rules get one shared, immutable set of rules; scoped rules still
give each competency exactly the rules in force for it."""

from __future__ import annotations

from decimal import Decimal

from masterykit.loader import load_text

POLICY = """policy "Shared" version "1"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
scale two { 1 NotYet 2 Yes }
default scale four
area MATH "Mathematics" { competency MATH.1 "a" competency MATH.2 "b" competency MATH.3 "c" }
area HAB "Habits" scale two { competency HAB.1 "d" competency HAB.2 "e" }
calculate highest
proficient at 2
evidence at least 2
for MATH.3 evidence at least 1 from quiz
for MATH.2 evidence within 6 months
for HAB evidence from at least 2 kinds
"""


def test_each_competency_gets_the_rules_in_force_for_it() -> None:
    rules = load_text(POLICY, "shared.mastery").rules
    assert {code: r.proficient.cut for code, r in rules.items()} == dict.fromkeys(
        ["MATH.1", "MATH.2", "MATH.3", "HAB.1", "HAB.2"], Decimal(2)
    )
    assert [(c.count, sorted(c.kinds)) for c in rules["MATH.3"].counts] == [
        (2, []),
        (1, ["quiz"]),
    ]
    assert [(c.count, sorted(c.kinds)) for c in rules["MATH.1"].counts] == [(2, [])]
    assert rules["MATH.2"].window is not None and rules["MATH.1"].window is None
    assert rules["HAB.1"].variety is not None and rules["MATH.1"].variety is None


def test_competencies_under_the_same_rules_share_them() -> None:
    rules = load_text(POLICY, "shared.mastery").rules
    assert rules["HAB.1"] is rules["HAB.2"]
    distinct = {id(r) for r in rules.values()}
    assert len(distinct) == 4  # MATH.1, MATH.2, MATH.3, and the two habits
