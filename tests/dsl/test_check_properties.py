"""Properties of the checker: it never crashes on a policy that parses, and what it returns is
internally whole (every competency has its rules, every clause names known competencies).

Policies are the acceptance examples and the chunked check files, mangled: lines dropped, and
names swapped for other names that occur in the same file.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicySyntaxError, has_errors
from masterykit.dsl.check import check
from masterykit.dsl.parser import parse
from masterykit.plugins import default_registry
from masterykit.policy import AllClause, AnyClause, Clause, CompetencyTest, NotClause, Policy

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / ".." / "shared" / "spec" / "examples"
TEXTS = [
    p.read_text("utf-8")
    for p in sorted(SPEC.glob("*.mastery")) + sorted((ROOT / "tests/dsl/data/check").glob("*"))
    if "extends" not in p.read_text("utf-8")
]
REGISTRY = default_registry(load_entry_points=False)
_WORD = re.compile(r"\b[A-Za-z_][A-Za-z0-9_.]*\b")


def _clauses(clause: Clause) -> list[CompetencyTest]:
    if isinstance(clause, CompetencyTest):
        return [clause]
    if isinstance(clause, AnyClause | AllClause):
        return [t for inner in clause.clauses for t in _clauses(inner)]
    if isinstance(clause, NotClause):
        return _clauses(clause.clause)
    return []


def _whole(policy: Policy) -> None:
    assert set(policy.rules) == set(policy.competencies)
    for code, rules in policy.rules.items():
        assert policy.competencies[code].scale.contains(rules.proficient.cut)
        assert rules.calculate.method in policy.methods
    conditions = [r.condition for r in policy.requirements.values()]
    conditions += [a.condition for a in policy.advancements]
    if policy.graduation is not None:
        conditions.append(policy.graduation.condition)
    for condition in conditions:
        for test in _clauses(condition):
            assert test.codes
            assert set(test.codes) <= set(policy.competencies)
            if test.test != "proficient":
                assert len(test.thresholds) == len(test.codes)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines()
    keep = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    lines = [line for line, kept in zip(lines, keep, strict=True) if kept or line == "---"]
    words = sorted(set(_WORD.findall(text)))
    for _ in range(draw(st.integers(0, 3))):
        if not lines or not words:
            break
        index = draw(st.integers(0, len(lines) - 1))
        old, new = draw(st.sampled_from(words)), draw(st.sampled_from(words))
        lines[index] = re.sub(rf"\b{re.escape(old)}\b", new, lines[index])
    chunks = "\n".join(lines).split("\n---\n")
    return draw(st.sampled_from(chunks))


@settings(max_examples=150, deadline=None)
@given(mangled())
def test_check_never_crashes_and_returns_a_whole_policy_or_errors(text: str) -> None:
    try:
        tree = parse(text, "mangled.mastery")
    except PolicySyntaxError:
        return
    policy, problems = check([tree], REGISTRY)
    assert (policy is None) == has_errors(problems)
    assert all(d.code.startswith("MK2") for d in problems)
    if policy is not None:
        _whole(policy)


def test_every_unmangled_policy_is_whole() -> None:
    checked = 0
    for text in TEXTS:
        for chunk in text.split("\n---\n"):
            try:
                tree = parse(chunk, "x.mastery")
            except PolicySyntaxError:
                continue
            policy, problems = check([tree], REGISTRY)
            if policy is not None:
                _whole(policy)
                checked += 1
            else:
                assert problems
    assert checked >= 10


def _rules_of(policy: Policy) -> dict[str, object]:
    return {
        code: (
            r.calculate.method,
            r.calculate.args,
            r.proficient.cut,
            r.proficient.floor,
            frozenset((c.count, c.kinds) for c in r.counts),
            r.variety.count if r.variety else None,
            str(r.window.duration) if r.window else None,
        )
        for code, r in policy.rules.items()
    }


RESOLVABLE = []
for _text in TEXTS:
    for _chunk in _text.split("\n---\n"):
        try:
            _tree = parse(_chunk, "x.mastery")
        except PolicySyntaxError:
            continue
        if check([_tree], REGISTRY)[0] is not None:
            RESOLVABLE.append(_tree)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_order_of_statements_does_not_change_which_rule_governs(data: st.DataObject) -> None:
    tree = data.draw(st.sampled_from(RESOLVABLE))
    shuffled = data.draw(st.permutations(tree.statements))
    first, _ = check([tree], REGISTRY)
    second, problems = check([attrs.evolve(tree, statements=tuple(shuffled))], REGISTRY)
    assert first is not None and second is not None, problems
    assert _rules_of(second) == _rules_of(first)
