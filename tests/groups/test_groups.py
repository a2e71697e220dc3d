"""Flexible regrouping: who goes in which group of a learning target, splitting and mixing, the
``masterykit groups`` and ``masterykit continuum`` commands, and their problems."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit import Evidence, Learner, evaluate, load_text
from masterykit.cli import cli
from masterykit.groups import (
    GroupKind,
    Standing,
    continuum_view,
    group_results,
    groups,
    split_evenly,
)
from masterykit.schemas import load_schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "learning-continuum"

POLICY = """\
policy "Regroup"

scale four_point {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.1 "Fractions"
  competency MATH.2 "Ratios" after MATH.1
  competency MATH.3 "Proportions" after MATH.2
}

calculate most_recent
proficient at Proficient
for MATH.2 evidence at least 2
reteach after 3 attempts
"""

AS_OF = dt.date(2026, 6, 1)
START = dt.date(2026, 1, 1)


def ev(learner: str, code: str, score: str, day: int) -> Evidence:
    return Evidence(learner, code, Decimal(score), START + dt.timedelta(days=day))


def kinds_of(grouping, code: str) -> dict[str, str]:
    target = next(t for t in grouping.targets if t.code == code)
    return {p.learner: p.kind.value for p in target.placements()}


def test_each_learner_lands_in_the_group_their_facts_say() -> None:
    policy = load_text(POLICY)
    learners = [Learner(name) for name in ["ana", "ben", "cat", "dev", "eli", "fay"]]
    evidence = [
        ev("ana", "MATH.1", "4", 1),  # above the cut: ready to extend
        ev("ben", "MATH.1", "3", 1),  # proficient at the cut: MATH.1 is done for ben
        ev("cat", "MATH.1", "2", 1),  # below the cut, 1 attempt: in progress
        ev("dev", "MATH.1", "2", 1),  # below the cut after 3 attempts: reteach
        ev("dev", "MATH.1", "1", 2),
        ev("dev", "MATH.1", "2", 3),
        ev("eli", "MATH.1", "3", 1),
        ev("eli", "MATH.2", "2", 2),  # one piece of two, below the cut: insufficient → reteach
        ev("fay", "MATH.1", "3", 1),
        ev("fay", "MATH.2", "4", 2),  # one piece of two, above the cut: in progress
    ]
    grouping = groups(policy, learners, evidence, as_of=AS_OF)
    assert [t.code for t in grouping.targets] == ["MATH.1", "MATH.2", "MATH.3"]
    assert kinds_of(grouping, "MATH.1") == {
        "dev": "needs_reteaching",
        "cat": "in_progress",
        "ana": "ready_to_extend",
    }
    assert kinds_of(grouping, "MATH.2") == {
        "eli": "needs_reteaching",
        "fay": "in_progress",
        "ana": "ready",
        "ben": "ready",
    }
    assert kinds_of(grouping, "MATH.3") == {}
    dev = next(p for p in grouping.targets[0].placements() if p.learner == "dev")
    assert dev.reteach is not None and dev.reteach.attempts == 3 and dev.attempts == 3
    assert (
        dev.reason == "score 2 (Developing) after 3 pieces of evidence (reteach after 3 attempts); "
        "the cut is 3"
    )
    eli = next(p for p in grouping.targets[1].placements() if p.learner == "eli")
    assert eli.reason == "insufficient: score 2 (Developing) on 1 piece of evidence; the cut is 3"
    ana = next(p for p in grouping.targets[1].placements() if p.learner == "ana")
    assert ana.reason == "every prerequisite proficient, no evidence yet"


def test_without_a_reteach_rule_low_scores_stay_in_progress() -> None:
    policy = load_text(POLICY.replace("reteach after 3 attempts\n", ""))
    evidence = [ev("dev", "MATH.1", s, d) for d, s in enumerate(["2", "1", "2", "2"], 1)]
    grouping = groups(policy, [Learner("dev")], evidence, as_of=AS_OF)
    assert kinds_of(grouping, "MATH.1") == {"dev": "in_progress"}


def test_where_picks_learners_by_attribute_and_targets_narrow_the_targets() -> None:
    policy = load_text(POLICY)
    learners = [Learner("ana", {"school": "north"}), Learner("ben", {"school": "south"})]
    grouping = groups(
        policy, learners, [], as_of=AS_OF, where={"school": "north"}, targets=["MATH.1"]
    )
    assert grouping.learners == 1
    assert [(t.code, kinds_of(grouping, t.code)) for t in grouping.targets] == [
        ("MATH.1", {"ana": "ready"})
    ]


@pytest.mark.parametrize(
    ("count", "size", "parts"),
    [
        (17, (4, 8), [6, 6, 5]),
        (8, (4, 8), [8]),
        (9, (4, 8), [5, 4]),
        (3, (4, 8), [3]),
        (7, (5, 6), [4, 3]),  # no split keeps both bounds: as few parts as keep the largest
        (12, (1, 1), [1] * 12),
    ],
)
def test_large_groups_split_evenly(count: int, size: tuple[int, int], parts: list[int]) -> None:
    assert split_evenly(count, size) == parts


def test_mix_spreads_an_attribute_over_the_parts() -> None:
    policy = load_text(POLICY)
    interests = ["art", "art", "art", "music", "music", "music", "sport", "sport", "sport"]
    learners = [
        Learner(f"l{index}", {"interest": interest}) for index, interest in enumerate(interests)
    ]
    grouping = groups(
        policy, learners, [], as_of=AS_OF, targets=["MATH.1"], size=(2, 3), mix="interest"
    )
    parts = grouping.targets[0].groups
    assert [len(group.learners) for group in parts] == [3, 3, 3]
    for group in parts:
        assert sorted(p.mix for p in group.learners) == ["art", "music", "sport"]
    unmixed = groups(policy, learners, [], as_of=AS_OF, targets=["MATH.1"], size=(2, 3))
    assert [p.learner for p in unmixed.targets[0].groups[0].learners] == ["l0", "l1", "l2"]


def test_the_order_is_stable() -> None:
    policy = load_text(POLICY)
    learners = [Learner(name) for name in ["zoe", "amy", "max"]]
    evidence = [ev(n, "MATH.1", "2", 1) for n in ["zoe", "amy", "max"]]
    first = groups(policy, learners, evidence, as_of=AS_OF)
    again = groups(policy, list(reversed(learners)), list(reversed(evidence)), as_of=AS_OF)
    assert first == again
    assert [p.learner for p in first.targets[0].placements()] == ["amy", "max", "zoe"]


# --- the property -----------------------------------------------------------------------------

CODES = ["MATH.1", "MATH.2", "MATH.3"]


@st.composite
def school(draw: st.DrawFn) -> tuple[list[Learner], list[Evidence]]:
    names = [f"l{index}" for index in range(draw(st.integers(1, 12)))]
    learners = [
        Learner(name, {"interest": draw(st.sampled_from(["art", "music", "sport"]))})
        for name in names
    ]
    pieces = draw(
        st.lists(
            st.tuples(
                st.sampled_from(names),
                st.sampled_from(CODES),
                st.sampled_from(["1", "2", "3", "4"]),
                st.integers(0, 120),
            ),
            max_size=40,
        )
    )
    return learners, [ev(*piece) for piece in pieces]


@settings(max_examples=60, deadline=None)
@given(
    school(),
    st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(3, 5))),
    st.booleans(),
)
def test_every_learner_is_in_exactly_one_group_per_target_they_are_ready_for_or_working_on(
    data: tuple[list[Learner], list[Evidence]], size: tuple[int, int] | None, mix: bool
) -> None:
    learners, evidence = data
    policy = load_text(POLICY)
    result = evaluate(policy, learners, evidence, as_of=AS_OF)
    grouping = group_results(policy, result, size=size, mix="interest" if mix else None)
    for target in grouping.targets:
        placed = [p.learner for p in target.placements()]
        assert len(placed) == len(set(placed))
        for learner in result.learners:
            competency = learner.competencies[target.code]
            working = competency.started and not competency.proficient
            if competency.ready or working:
                assert placed.count(learner.learner.id) == 1
            elif learner.learner.id in placed:
                # Only proficient learners above the cut are placed without being ready or
                # working on the target: in the group that extends it.
                kind = next(p.kind for p in target.placements() if p.learner == learner.learner.id)
                assert kind is GroupKind.READY_TO_EXTEND and competency.proficient
        for group in target.groups:
            assert group.learners
            if size is not None and group.parts > 1:
                assert len(group.learners) <= size[1]


# --- the continuum view ------------------------------------------------------------------------


def test_the_continuum_view_maps_an_area_in_prerequisite_order() -> None:
    text = POLICY.replace(
        'competency MATH.1 "Fractions"\n  competency MATH.2 "Ratios" after MATH.1',
        'competency MATH.2 "Ratios" after MATH.1\n  competency MATH.1 "Fractions"',
    )
    policy = load_text(text)
    evidence = [ev("ana", "MATH.1", "3", 1), ev("ana", "MATH.2", "2", 2)]
    result = evaluate(policy, [Learner("ana")], evidence, as_of=AS_OF).learners[0]
    view = continuum_view(policy, result, "MATH", AS_OF)
    assert [(s.code, s.standing) for s in view.steps] == [
        ("MATH.1", Standing.PROFICIENT),
        ("MATH.2", Standing.IN_PROGRESS),
        ("MATH.3", Standing.NOT_YET),
    ]
    assert view.text() == (
        "ana as of 2026-06-01\n"
        '  [x] MATH.1 "Fractions": proficient, score 3 (Proficient)\n'
        '  [~] MATH.2 "Ratios": in progress (insufficient), score 2 (Developing)\n'
        '  [ ] MATH.3 "Proportions": not yet: waiting on MATH.2'
    )


# --- the command line --------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="masterykit")
    return result.exit_code, result.stdout, result.stderr


def example(*args: str) -> list[str]:
    return [
        str(EXAMPLE / "policy.mastery"),
        "--evidence",
        str(EXAMPLE / "evidence.csv"),
        "--learners",
        str(EXAMPLE / "learners.csv"),
        "--as-of",
        "2026-03-01",
        *args,
    ]


def test_groups_json_follows_its_schema() -> None:
    code, out, _err = run("groups", *example("--format", "json", "--size", "2..4"))
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, load_schema("groups"))
    assert document["schema"] == "masterykit/groups/v1"
    assert document["size"] == [2, 4]
    for target in document["targets"]:
        for group in target["groups"]:
            assert len(group["learners"]) <= 4


def test_groups_csv_has_one_row_per_learner_and_target() -> None:
    code, out, _err = run("groups", *example("--format", "csv", "--target", "MA5.2"))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {row["target"] for row in rows} == {"MA5.2"}
    assert len({row["learner"] for row in rows}) == len(rows)


def test_groups_table_shows_each_learner_with_the_reason() -> None:
    code, out, _err = run("groups", *example("--where", "studio=Willow", "--target", "LIT6"))
    assert code == 0
    assert out.startswith(
        "Riverside Learning Continuum: 5 learners grouped by next target as of 2026-03-01\n"
    )
    assert 'LIT6.1 "Analyzes how a theme develops" (after LIT5.2)' in out


def test_continuum_command_draws_one_learner() -> None:
    code, out, _err = run("continuum", *example("--learner", "chen", "--area", "MA6"))
    assert code == 0
    assert out.splitlines()[0] == "chen as of 2026-03-01"
    assert '  [>] MA6.1 "Reasons with ratios and rates": ready (after MA5.2)' in out


@pytest.mark.parametrize(
    ("args", "status", "code", "message"),
    [
        (["--where", "studio"], 2, "MK470", "`--where studio` is not an attribute and a value"),
        (["--size", "8..4"], 2, "MK471", "`--size 8..4` is not a range of group sizes"),
        (["--size", "four"], 2, "MK471", "`--size four` is not a range of group sizes"),
        (
            ["--target", "MA7"],
            1,
            "MK472",
            "`--target MA7` is no competency, area or group of the policy",
        ),
        (["--where", "studio=Oak"], 1, "MK473", "no learner has `studio=Oak`"),
        (
            ["--mix", "hobby"],
            1,
            "MK474",
            "no learner has the attribute `hobby` to mix groups by",
        ),
    ],
)
def test_groups_problems_have_codes(args: list[str], status: int, code: str, message: str) -> None:
    exit_code, _out, err = run("groups", *example(*args))
    assert exit_code == status
    assert f"error[{code}]: {message}" in err


def test_continuum_with_an_unknown_area_is_a_problem() -> None:
    exit_code, _out, err = run("continuum", *example("--learner", "chen", "--area", "MA9"))
    assert exit_code == 1
    assert "error[MK475]: `--area MA9` is no area of the policy" in err


def test_the_gallery_page_shows_what_the_commands_print() -> None:
    """The learning-continuum page shows each command's output right after it: it must be what
    the command prints today."""
    import re
    import shlex

    page = (ROOT / "docs" / "gallery" / "learning-continuum.rst").read_text("utf-8")
    pairs = re.findall(
        r"\.\. code-block:: console\n\n((?:   .*\n)+)\n\.\. code-block:: text\n\n((?:   .*\n|\n)+)",
        page,
    )
    assert len(pairs) == 2
    for command, shown in pairs:
        line = re.sub(r"\\\n\s*", " ", command).strip().removeprefix("$ masterykit ")
        args = [str(ROOT / a) if a.startswith("examples/") else a for a in shlex.split(line)]
        code, out, _err = run(*args)
        assert code == 0
        expected = "\n".join(text[3:] for text in shown.rstrip("\n").splitlines())
        printed = out.rstrip("\n").replace(str(ROOT) + "/", "")
        assert printed == expected


def test_a_learner_who_started_before_the_prerequisites_is_told_what_they_wait_on() -> None:
    policy = load_text(POLICY)
    grouping = groups(policy, [Learner("ana")], [ev("ana", "MATH.3", "2", 1)], as_of=AS_OF)
    [placement] = next(t for t in grouping.targets if t.code == "MATH.3").placements()
    assert placement.kind is GroupKind.IN_PROGRESS
    assert placement.reason == (
        "score 2 (Developing) on 1 piece of evidence; the cut is 3; waiting on MATH.2"
    )
