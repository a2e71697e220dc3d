"""Laws of ``masterykit.diff`` over the gallery and the acceptance examples: formatting and
comments never make a difference, and every single-rule change is found where it was made."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diff import diff
from masterykit.dsl.format import format_text
from masterykit.loader import load
from masterykit.policy import AllClause, Duration, NotClause, Policy, semantic_form

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "examples"
# Policies only: district files are compared by their routes (tests/diff/test_diff.py).
GALLERY = sorted(
    p
    for p in (ROOT / "examples").glob("*/*.mastery")
    if not p.read_text("utf-8").lstrip("# \n").startswith("district")
    and "\ndistrict " not in p.read_text("utf-8")
)
ACCEPTANCE = sorted(p for p in SPEC.glob("*.mastery") if ".invalid." not in p.name)
CORPUS = GALLERY + ACCEPTANCE


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _copy(path: Path, folder: Path) -> Path:
    """``path``'s folder copied into ``folder`` (overlays name their base by relative path)."""
    target = folder / path.parent.name
    shutil.copytree(path.parent, target, dirs_exist_ok=True)
    return target / path.name


@pytest.mark.parametrize("path", CORPUS, ids=_ids(CORPUS))
def test_a_formatted_policy_has_no_difference(path: Path, tmp_path: Path) -> None:
    copy = _copy(path, tmp_path)
    for file in copy.parent.glob("*.mastery"):
        if ".invalid." not in file.name:
            file.write_text(format_text(file.read_text("utf-8"), file.name), encoding="utf-8")
    assert diff(load(path), load(copy)).changes == ()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(CORPUS), data=st.data())
def test_comments_and_blank_lines_make_no_difference(
    path: Path, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lines = path.read_text("utf-8").splitlines()
    # A comment line or a blank line may go between any two lines, except inside a block of
    # text written over several lines.
    places = data.draw(st.sets(st.integers(0, len(lines)), max_size=8))
    out: list[str] = []
    for index, line in enumerate([*lines, None]):
        if index in places:
            out.append(data.draw(st.sampled_from(["", "# a reviewer's note", "   # indented"])))
        if line is not None:
            out.append(line)
    copy = _copy(path, tmp_path_factory.mktemp("commented"))
    copy.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert diff(load(path), load(copy)).changes == ()


# --- single-rule mutations ---------------------------------------------------------------------


def _bump(value: Decimal) -> Decimal:
    return value + Decimal("0.25")


def _mutations(policy: Policy) -> list[tuple[str, str, Policy]]:
    """(section, subject, mutated policy) for each rule of ``policy``, one at a time."""
    found: list[tuple[str, str, Policy]] = []

    def rules(code: str, **changes: object) -> Policy:
        changed = attrs.evolve(policy.rules[code], **changes)
        return attrs.evolve(policy, rules={**policy.rules, code: changed})

    for code, rule in policy.rules.items():
        calculation = rule.calculate
        if calculation.args:
            moved = attrs.evolve(
                calculation, args=(_bump(calculation.args[0]), *calculation.args[1:])
            )
        else:
            moved = attrs.evolve(calculation, method=calculation.method + "_changed")
        found.append(("calculation", code, rules(code, calculate=moved)))
        found.append(
            (
                "cut",
                code,
                rules(
                    code, proficient=attrs.evolve(rule.proficient, cut=_bump(rule.proficient.cut))
                ),
            )
        )
        for index, count in enumerate(rule.counts):
            counts = list(rule.counts)
            counts[index] = attrs.evolve(count, count=count.count + 1)
            found.append(("evidence", code, rules(code, counts=tuple(counts))))
        if rule.variety is not None:
            variety = attrs.evolve(rule.variety, count=rule.variety.count + 1)
            found.append(("evidence", code, rules(code, variety=variety)))
        if rule.window is not None:
            longer = Duration(rule.window.duration.amount + 1, rule.window.duration.unit)
            window = attrs.evolve(rule.window, duration=longer)
            found.append(("evidence", code, rules(code, window=window)))

    def negated(condition: AllClause) -> AllClause:
        return attrs.evolve(condition, clauses=(NotClause(condition),))

    for name, requirement in policy.requirements.items():
        changed = attrs.evolve(requirement, condition=negated(requirement.condition))
        found.append(
            (
                "requirement",
                name,
                attrs.evolve(policy, requirements={**policy.requirements, name: changed}),
            )
        )
    for index, advancement in enumerate(policy.advancements):
        advancements = list(policy.advancements)
        advancements[index] = attrs.evolve(advancement, condition=negated(advancement.condition))
        subject = f'"{advancement.source_name}" to "{advancement.target_name}"'
        found.append(
            ("advancement", subject, attrs.evolve(policy, advancements=tuple(advancements)))
        )
    if policy.graduation is not None:
        graduation = attrs.evolve(policy.graduation, condition=negated(policy.graduation.condition))
        found.append(("graduation", "graduation", attrs.evolve(policy, graduation=graduation)))
    if policy.pace is not None:
        window = Duration(policy.pace.window.amount + 1, policy.pace.window.unit)
        found.append(
            ("pace", "pace", attrs.evolve(policy, pace=attrs.evolve(policy.pace, window=window)))
        )
    for name, scale in policy.scales.items():
        levels = (
            *scale.levels[:-1],
            attrs.evolve(scale.levels[-1], name=scale.levels[-1].name + "_"),
        )
        found.append(
            (
                "scale",
                name,
                attrs.evolve(
                    policy, scales={**policy.scales, name: attrs.evolve(scale, levels=levels)}
                ),
            )
        )
    return found


@pytest.mark.parametrize("path", CORPUS, ids=_ids(CORPUS))
def test_every_single_rule_mutation_is_found_where_it_was_made(path: Path) -> None:
    policy = load(path)
    mutations = _mutations(policy)
    assert mutations
    for section, subject, mutated in mutations:
        changes = diff(policy, mutated).changes
        assert [(c.section, c.subject) for c in changes] == [(section, subject)], (section, subject)
        assert changes[0].kind == "changed"
        # And back: the mutation undone is found the same way.
        assert [(c.section, c.subject) for c in diff(mutated, policy).changes] == [
            (section, subject)
        ]


NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


@pytest.mark.parametrize("path", GALLERY, ids=_ids(GALLERY))
def test_a_number_changed_in_the_text_is_a_difference_exactly_when_it_changes_what_the_policy_does(
    path: Path, tmp_path: Path
) -> None:
    """Every whole number outside comments and examples, raised by one: ``diff`` is empty
    exactly when the semantic form (and so the fingerprint) is unchanged."""
    policy = load(path)
    text = path.read_text("utf-8")
    lines = text.splitlines()
    copy = _copy(path, tmp_path)
    checked = 0
    in_example = False
    for index, line in enumerate(lines):
        body = line.split("#", 1)[0]
        if body.lstrip().startswith("example "):
            in_example = True
        if in_example:
            in_example = not body.startswith("}")
            continue
        match = NUMBER.search(body)
        if match is None:
            continue
        raised = body[: match.start()] + str(int(match.group(1)) + 1) + body[match.end() :]
        copy.write_text("\n".join([*lines[:index], raised, *lines[index + 1 :]]) + "\n", "utf-8")
        try:
            mutated = load(copy)
        except Exception:  # a number the checker refuses once raised (a level past the scale)
            continue
        found = diff(policy, mutated)
        assert found.equal == (semantic_form(policy) == semantic_form(mutated)), line
        checked += 1
    assert checked > 0
