"""Evaluation costs grow with the clauses plus the evidence, not with clauses × competencies: a
selection is held once however many tests ask about it, and split into passing and failing once
per learner."""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc
from decimal import Decimal

from masterykit.district import PolicyIdentity
from masterykit.engine import evaluate
from masterykit.engine._plan import compile_policy
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text
from masterykit.policy import Policy

COMPETENCIES = 2_000


def _policy(requirements: int) -> Policy:
    lines = [
        'policy "Wide" version "1"',
        "scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }",
        'area A "A" {',
        *(f'  competency A.{i} "C{i}"' for i in range(COMPETENCIES)),
        "}",
        "calculate most_recent",
        "proficient at Proficient",
        *(
            f'requirement r{i} "R{i}" {{ at least 50% of all competencies proficient }}'
            for i in range(requirements)
        ),
        "graduate when { requirement r0 }",
    ]
    return load_text("\n".join(lines), "wide.mastery")


def _bytes(policy: Policy) -> int:
    """The memory compiling ``policy`` and evaluating one learner with one piece of evidence
    takes at its peak."""
    piece = Evidence("ana", "A.1", Decimal(3), dt.date(2026, 1, 5))
    # The identity every result names: its fingerprint walks the whole policy, once per policy
    # (never per learner), so it is worked out before measuring.
    PolicyIdentity.of(policy)
    gc.collect()
    tracemalloc.start()
    try:
        evaluate(policy, Learner("ana"), [piece], as_of=dt.date(2026, 3, 1))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_tests_over_one_selection_share_it_and_its_split() -> None:
    policy = _policy(40)
    plan = compile_policy(policy)
    nodes = [plan.requirements[f"r{i}"].node for i in range(40)]
    assert len({id(node.read) for node in nodes}) == 1
    piece = Evidence("ana", "A.1", Decimal(3), dt.date(2026, 1, 5))
    learner = evaluate(policy, Learner("ana"), [piece], as_of=dt.date(2026, 3, 1)).learners[0]
    tests = [decision.clause.children[0] for decision in learner.requirements.values()]
    assert tests[0].passing == ("A.1",)
    assert len(tests[0].failing) == COMPETENCIES - 1
    assert len({id(test.passing) for test in tests}) == 1
    assert len({id(test.failing) for test in tests}) == 1


def test_each_requirement_over_a_wide_selection_costs_little_memory() -> None:
    # Each further requirement over all 2,000 competencies costs its clause and decision
    # results and its compiled nodes (a few KiB), never another copy of the selection: a list
    # of 2,000 names alone takes 16 KiB, a set of them 64 KiB.
    few, many = _bytes(_policy(20)), _bytes(_policy(220))
    per_requirement = (many - few) / 200
    assert per_requirement < 6 * 1024, per_requirement
