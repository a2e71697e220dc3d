"""What the checker resolves: scoping, layering, tight rules, decisions and frameworks.

Chunked files (``test_check_chunks.py``) and goldens (``test_check_golden.py``) pin the problems;
these tests pin the resolved :class:`~masterykit.policy.Policy` the engine receives.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import PolicyCheckError, PolicySyntaxError, render_text
from masterykit.dsl import nodes as n
from masterykit.dsl.check import check
from masterykit.dsl.parser import parse
from masterykit.frameworks import Framework, FrameworkItem
from masterykit.loader import check_file, load, load_text
from masterykit.plugins import default_registry
from masterykit.policy import AllClause, AnyClause, CompetencyTest, Policy, RequirementClause
from masterykit.registry import ImporterSpec, Registry

#: The installed methods, for property tests (which cannot take function-scoped fixtures).
BUILTIN = default_registry(load_entry_points=False)

HEAD = """policy "Demo" version "1"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area A "A" { competency A.1 "a" competency A.2 "b" }
area B "B" { competency B.1 "c" }
"""

DISTRICT = """policy "District" version "1"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area ELA "English" { competency ELA.1 "a" competency ELA.2 "b" }
area SCI "Science" { competency SCI.1 "c" }
tight {
  calculate decaying_average(65%)
  proficient at least Proficient
  evidence at least 2
}
loose { evidence within 3 years }
tight requirement core { all of ELA proficient }
tight graduate when { requirement core }
"""


def _policy(text: str, registry: Registry) -> Policy:
    return load_text(text, "demo.mastery", registry=registry)


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _codes(path: Path, registry: Registry) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in check_file(path, registry=registry).diagnostics]


# --- rules -----------------------------------------------------------------------------------


def test_the_narrowest_scope_in_a_layer_wins(check_registry: Registry) -> None:
    policy = _policy(
        HEAD
        + """calculate highest
for A calculate mean
for A.* calculate mode
for A.1 calculate median
proficient at Proficient
""",
        check_registry,
    )
    assert policy.rules["A.1"].calculate.method == "median"
    assert policy.rules["A.2"].calculate.method == "mode"
    assert policy.rules["B.1"].calculate.method == "highest"


def test_kind_and_area_scopes_rank_alike_and_conflict(check_registry: Registry) -> None:
    tree = parse(
        HEAD + "calculate mean\nfor A calculate mode\nfor kind academic calculate "
        "highest\nproficient at 3\n",
        "demo.mastery",
    )
    _, problems = check([tree], check_registry)
    assert [(d.code, d.message) for d in problems] == [
        ("MK252", "two `calculate` rules with equally narrow scopes both cover A.1, A.2")
    ]


def test_method_arguments_are_filled_in_with_defaults_and_weights_are_fractions(
    check_registry: Registry,
) -> None:
    policy = _policy(
        HEAD
        + """calculate decaying_average
for A.2 calculate n_mastery
for B.1 calculate most_recent_mean(2)
proficient at 3
""",
        check_registry,
    )
    assert policy.rules["A.1"].calculate.args == (Decimal("0.65"),)
    assert policy.rules["A.1"].calculate.text == "decaying_average(65%)"
    assert policy.rules["A.2"].calculate.args == (Decimal(5),)
    assert policy.rules["A.2"].calculate.text == "n_mastery(5)"
    assert policy.rules["B.1"].calculate.args == (Decimal(2),)
    assert policy.rules["B.1"].calculate.text == "most_recent_mean(2)"
    assert set(policy.methods) == {"decaying_average", "n_mastery", "most_recent_mean"}


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=99))
def test_a_weight_written_as_a_percentage_becomes_its_fraction(weight: int) -> None:
    policy = _policy(HEAD + f"calculate weighted_average({weight}%)\nproficient at 3\n", BUILTIN)
    rule = policy.rules["A.1"].calculate
    assert rule.args == (Decimal(weight) / 100,)
    assert rule.text == f"weighted_average({weight}%)"


def test_count_rules_with_different_kind_sets_all_apply(check_registry: Registry) -> None:
    policy = _policy(
        HEAD
        + """calculate mean
proficient at Proficient
evidence at least 2
evidence at least 1 from quiz, project
for A.1 evidence at least 3 from project, quiz
evidence from at least 2 kinds
evidence within 6 months
""",
        check_registry,
    )
    counts = policy.rules["A.1"].counts
    assert [(c.count, c.kinds) for c in counts] == [
        (2, frozenset()),
        (3, frozenset({"quiz", "project"})),
    ]
    assert [(c.count, c.kinds) for c in policy.rules["B.1"].counts] == [
        (2, frozenset()),
        (1, frozenset({"quiz", "project"})),
    ]
    variety = policy.rules["B.1"].variety
    window = policy.rules["B.1"].window
    assert variety is not None and variety.count == 2
    assert window is not None and str(window.duration) == "6 months"


def test_a_cut_written_as_a_level_is_its_value_on_each_scale(check_registry: Registry) -> None:
    policy = _policy(
        """policy "Two scales"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
scale habits { 1 Rarely 2 Sometimes 3 Usually 4 Consistently }
scale pass { 0 NotYet 10 Proficient }
default scale four
area M "M" { competency M.1 "m" competency P.1 "p" scale pass }
area H "H" kind habit scale habits { competency H.1 "h" }
calculate mean
proficient at Proficient
for kind habit proficient at 3.5
requirement r { all of M reach Proficient }
""",
        check_registry,
    )
    assert policy.rules["M.1"].proficient.cut == Decimal(3)
    assert policy.rules["M.1"].proficient.level == "Proficient"
    assert policy.rules["P.1"].proficient.cut == Decimal(10)
    assert policy.rules["H.1"].proficient.cut == Decimal("3.5")
    assert policy.rules["H.1"].proficient.level is None
    assert policy.competencies["H.1"].kind == "habit"
    assert policy.competencies["H.1"].scale.name == "habits"
    assert policy.competencies["P.1"].scale.name == "pass"
    assert policy.default_scale == "four"
    clause = policy.requirements["r"].condition.clauses[0]
    assert isinstance(clause, CompetencyTest)
    assert clause.thresholds == (Decimal(3), Decimal(10))


def test_clauses_carry_codes_in_declaration_order_and_thresholds_per_scale(
    check_registry: Registry,
) -> None:
    policy = _policy(
        """policy "Clauses"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
scale low { 0 Beginning 1 Developing 2 Proficient }
default scale four
area A "A" { competency A.1 "a" competency A.2 "b" scale low }
area B "B" { competency B.1 "c" }
calculate mean
proficient at Proficient
requirement r {
  none of B + A below Developing
  at least 60% of A + B proficient
  any { learner.grade >= 9 pathway "Late" { not requirement s } }
}
requirement s { learner.iep }
""",
        check_registry,
    )
    clauses = policy.requirements["r"].condition.clauses
    first = clauses[0]
    assert isinstance(first, CompetencyTest)
    assert first.codes == ("A.1", "A.2", "B.1")
    assert first.thresholds == (Decimal(2), Decimal(1), Decimal(2))
    assert first.text == "none of B + A below Developing"
    assert first.level == "Developing"
    second = clauses[1]
    assert isinstance(second, CompetencyTest)
    assert (second.quantifier, second.amount) == ("percent", Decimal(60))
    third = clauses[2]
    assert isinstance(third, AnyClause)
    pathway = third.clauses[1]
    assert isinstance(pathway, AllClause) and pathway.pathway == "Late"


def test_every_problem_is_reported_in_one_run(check_registry: Registry) -> None:
    tree = parse(
        HEAD
        + """calculate mean(3)
proficient at Expert
requirement r { all of C proficient }
""",
        "demo.mastery",
    )
    policy, problems = check([tree], check_registry)
    assert policy is None
    assert [d.code for d in problems] == ["MK241", "MK250", "MK230"]
    assert [d.span.line for d in problems if d.span] == [5, 6, 7]


def test_a_count_that_is_not_whole_is_an_error(check_registry: Registry) -> None:
    clause = n.Quantified("count", n.NameSelection(n.Ident("A")), "proficient", Decimal("1.5"))
    tree = parse(HEAD + "calculate mean\nproficient at 3\n", "demo.mastery")
    requirement = n.RequirementDecl(n.Ident("r"), (clause,))
    tree = n.PolicyFile(tree.name, (*tree.statements, requirement), source_name="demo.mastery")
    _, problems = check([tree], check_registry)
    assert [(d.code, d.message) for d in problems] == [
        ("MK268", "`at least 1.5 of` needs a whole number of competencies")
    ]


# --- layering --------------------------------------------------------------------------------


def test_the_deepest_layer_wins_even_with_a_wider_scope(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "base.mastery": HEAD.replace('"Demo"', '"Base"')
            + "calculate mean\nfor A.1 calculate mode\nproficient at 3\n",
            "top.mastery": 'policy "Top" extends "base.mastery"\ncalculate highest\n',
        },
    )
    policy = load(tmp_path / "top.mastery", registry=check_registry)
    assert {code: r.calculate.method for code, r in policy.rules.items()} == {
        "A.1": "highest",
        "A.2": "highest",
        "B.1": "highest",
    }
    assert policy.rules["A.1"].calculate.source.layer == "Top"
    assert policy.rules["A.1"].proficient.source.layer == "Base"
    assert policy.rules["A.1"].proficient.source.line == 7


def test_restating_a_tight_value_is_allowed(tmp_path: Path, check_registry: Registry) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school.mastery": """policy "School" extends "district.mastery"
calculate decaying_average
proficient at 3
for ELA proficient at Advanced
evidence at least 2
evidence within 36 months
""",
        },
    )
    assert _codes(tmp_path / "school.mastery", check_registry) == []


def test_a_classroom_cannot_change_what_the_school_fixed(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school.mastery": """policy "School" extends "district.mastery"
tight { evidence within 1 year }
""",
            "room.mastery": """policy "Room" extends "school.mastery"
evidence within 2 years
""",
        },
    )
    # The district's window is loose, so the school may fix its own.
    assert _codes(tmp_path / "school.mastery", check_registry) == []
    assert _codes(tmp_path / "room.mastery", check_registry) == [
        (
            "MK260",
            f"`evidence within` is held tight by `School` at {tmp_path / 'school.mastery'}:2; "
            "this overlay may not change it for ELA.1, ELA.2, SCI.1",
        )
    ]


def test_a_base_outside_the_top_policys_folder_is_never_read(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school/school.mastery": 'policy "School" extends "../district.mastery"\n',
        },
    )
    assert _codes(tmp_path / "school" / "school.mastery", check_registry) == [
        (
            "MK202",
            "`../district.mastery` is outside the policy's folder; a policy may only "
            "extend files in its own folder or below it",
        )
    ]


def test_a_loose_restatement_does_not_lift_the_district_floor(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school.mastery": 'policy "School" extends "district.mastery"\nevidence at least 3\n',
            "room.mastery": 'policy "Room" extends "school.mastery"\nevidence at least 1\n',
        },
    )
    assert _codes(tmp_path / "school.mastery", check_registry) == []
    problems = check_file(tmp_path / "room.mastery", registry=check_registry).diagnostics
    assert [d.code for d in problems] == ["MK261"]
    assert "held tight by `District`" in problems[0].message
    assert problems[0].related[0].span is not None
    assert problems[0].related[0].span.file == str(tmp_path / "district.mastery")


@settings(max_examples=50, deadline=None)
@given(base=st.integers(min_value=1, max_value=9), overlay=st.integers(min_value=0, max_value=12))
def test_an_evidence_floor_rejects_exactly_the_smaller_counts(base: int, overlay: int) -> None:
    district = parse(DISTRICT.replace("evidence at least 2", f"evidence at least {base}"), "d")
    school = parse(f'policy "S" extends "d"\nevidence at least {overlay}\n', "s")
    policy, problems = check([district, school], BUILTIN)
    assert [d.code for d in problems] == (["MK261"] if overlay < base else [])
    if policy is not None:
        assert [c.count for c in policy.rules["SCI.1"].counts] == [overlay]


def test_graduation_over_a_tight_base_adds_clauses(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school.mastery": """policy "School" extends "district.mastery"
graduate when all of SCI proficient
""",
            "room.mastery": """policy "Room" extends "school.mastery"
graduate when any of ELA proficient
""",
            "strict.mastery": """policy "Strict" extends "district.mastery"
tight graduate when all of SCI proficient
""",
            "strict-room.mastery": """policy "Strict room" extends "strict.mastery"
graduate when any of ELA proficient
""",
        },
    )

    def texts(name: str) -> list[str]:
        graduation = load(tmp_path / name, registry=check_registry).graduation
        assert graduation is not None and graduation.tight
        return [
            c.text if isinstance(c, CompetencyTest) else f"requirement {c.name}"
            for c in graduation.condition.clauses
            if isinstance(c, CompetencyTest | RequirementClause)
        ]

    assert texts("school.mastery") == ["requirement core", "all of SCI proficient"]
    # the school's own clause was loose: the room replaces it, the district's stays
    assert texts("room.mastery") == ["requirement core", "any of ELA proficient"]
    assert texts("strict-room.mastery") == [
        "requirement core",
        "all of SCI proficient",
        "any of ELA proficient",
    ]


def test_an_overlay_replaces_loose_requirements_and_graduation(
    tmp_path: Path, check_registry: Registry
) -> None:
    base = (
        HEAD.replace('"Demo"', '"Base"')
        + """calculate mean
proficient at 3
requirement r "Base r" { all of A proficient }
graduate when requirement r
advance "One" to "Two" when requirement r
"""
    )
    _write(
        tmp_path,
        {
            "base.mastery": base,
            "top.mastery": """policy "Top" extends "base.mastery"
requirement r "Top r" { any of A proficient }
graduate when all of B proficient
advance "One" to "Two" when all of B proficient
""",
        },
    )
    policy = load(tmp_path / "top.mastery", registry=check_registry)
    assert policy.requirements["r"].title == "Top r"
    assert policy.graduation is not None and not policy.graduation.tight
    assert len(policy.graduation.condition.clauses) == 1
    assert [a.source.layer for a in policy.advancements] == ["Top"]
    assert [layer.name for layer in policy.layers] == ["Base", "Top"]
    assert policy.examples == ()


# --- files and frameworks --------------------------------------------------------------------


def _framework(path: Path) -> Framework:
    return Framework(
        "State math",
        "doc-1",
        (
            FrameworkItem("MATH", "Mathematics", "i0"),
            FrameworkItem("MATH.1", "Number", "i1", parent="MATH"),
            FrameworkItem("MATH.1.a", "Counting", "i2", parent="MATH.1"),
            FrameworkItem("MATH.1.b", "Comparing", "i3", parent="MATH.1"),
            FrameworkItem("MATH.2", "Algebra", "i4", parent="MATH", prerequisites=("MATH.1",)),
        ),
        file=str(path),
    )


def test_an_imported_framework_becomes_competencies_and_areas(
    tmp_path: Path, check_registry: Registry
) -> None:
    registry = Registry.of(
        check_registry.methods.values(), importers=[ImporterSpec("case", (".json",), _framework)]
    )
    _write(
        tmp_path,
        {
            "fw/math.json": "{}",
            "p.mastery": """policy "Imported"
scale four { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
import framework "fw/math.json"
calculate mean
for under MATH.1 calculate highest
proficient at Proficient
group number = MATH.1
requirement r { all of under MATH.1 proficient }
requirement s { at least 5 of MATH proficient }
""",
        },
    )
    policy = load(tmp_path / "p.mastery", registry=registry)
    assert list(policy.competencies) == ["MATH", "MATH.1", "MATH.1.a", "MATH.1.b", "MATH.2"]
    assert policy.competencies["MATH.1.a"].parent == "MATH.1"
    assert policy.competencies["MATH.2"].prerequisites == ("MATH.1",)
    assert policy.competencies["MATH.2"].scale.name == "four"
    assert policy.groups["number"] == ("MATH.1", "MATH.1.a", "MATH.1.b")
    assert policy.areas["MATH"].competencies == ("MATH", "MATH.1", "MATH.1.a", "MATH.1.b", "MATH.2")
    assert policy.rules["MATH.1.a"].calculate.method == "highest"
    assert policy.rules["MATH.1"].calculate.method == "mean"
    clause = policy.requirements["r"].condition.clauses[0]
    assert isinstance(clause, CompetencyTest)
    assert clause.codes == ("MATH.1.a", "MATH.1.b")


def test_a_framework_not_loaded_is_reported_to_an_editor(check_registry: Registry) -> None:
    tree = parse('policy "x"\nscale two { 1 No 2 Yes }\nimport framework "f.json"\n', "x")
    policy, problems = check([tree], check_registry)
    assert policy is None
    assert [(d.code, d.message) for d in problems] == [
        ("MK204", "framework `f.json` was not loaded")
    ]


def test_check_file_never_raises_for_a_missing_or_broken_policy(
    tmp_path: Path, check_registry: Registry
) -> None:
    missing = check_file(tmp_path / "nope.mastery", registry=check_registry)
    assert missing.policy is None and [d.code for d in missing.diagnostics] == ["MK100"]
    (tmp_path / "bad.mastery").write_text('policy "x"\nproficent at 3\n', encoding="utf-8")
    broken = check_file(tmp_path / "bad.mastery", registry=check_registry)
    assert broken.policy is None and not broken.ok
    assert [d.code for d in broken.diagnostics] == ["MK114"]
    with pytest.raises(PolicySyntaxError):
        load(tmp_path / "bad.mastery", registry=check_registry)


def test_load_raises_a_check_error_with_every_diagnostic_and_source(
    check_registry: Registry,
) -> None:
    with pytest.raises(PolicyCheckError) as raised:
        load_text(HEAD + "calculate mean\n", "demo.mastery", registry=check_registry)
    assert [d.code for d in raised.value.diagnostics] == ["MK254"]
    assert set(raised.value.sources) == {"demo.mastery"}
    assert "no `proficient at` rule covers A.1, A.2, B.1" in str(raised.value)


def test_a_syntax_error_in_a_base_file_is_reported(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "base.mastery": 'policy "Base"\nproficent at 3\n',
            "top.mastery": 'policy "Top" extends "base.mastery"\n',
        },
    )
    result = check_file(tmp_path / "top.mastery", registry=check_registry)
    assert [d.code for d in result.diagnostics] == ["MK114"]
    assert str(tmp_path / "base.mastery") in result.sources


def _failing(path: Path) -> Framework:
    raise ValueError("no CFDocument in the package")


@pytest.mark.parametrize(
    ("importers", "message"),
    [
        ([], "no framework importer reads `fw/math.json`"),
        (
            [ImporterSpec("case", (".json",), _failing)],
            "framework `fw/math.json` cannot be read: no CFDocument in the package",
        ),
    ],
)
def test_a_framework_that_cannot_be_imported_is_reported(
    tmp_path: Path,
    check_registry: Registry,
    importers: list[ImporterSpec],
    message: str,
) -> None:
    registry = Registry.of(check_registry.methods.values(), importers=importers)
    _write(
        tmp_path,
        {
            "fw/math.json": "{}",
            "p.mastery": 'policy "P"\nscale two { 1 No 2 Yes }\nimport framework "fw/math.json"\n',
        },
    )
    assert _codes(tmp_path / "p.mastery", registry) == [("MK203", message)]


def test_restating_a_tight_requirement_word_for_word_is_allowed(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(
        tmp_path,
        {
            "district.mastery": DISTRICT,
            "school.mastery": """policy "School" extends "district.mastery"
requirement core "Our words" {
  all of ELA   # layout and comments do not matter
     proficient
}
""",
        },
    )
    policy = load(tmp_path / "school.mastery", registry=check_registry)
    assert policy.requirements["core"].tight
    assert policy.requirements["core"].source.layer == "District"


def test_coverage_names_every_competency_that_lacks_a_rule(check_registry: Registry) -> None:
    area = " ".join(f'competency A.{i} "a{i}"' for i in range(1, 21))
    tree = parse(f'policy "Big"\nscale two {{ 1 No 2 Yes }}\narea A "A" {{ {area} }}\n', "big")
    _, problems = check([tree], check_registry)
    everything = ", ".join(f"A.{i}" for i in range(1, 21))
    assert [d.message for d in problems] == [
        f"no `calculate` rule covers {everything}",
        f"no `proficient at` rule covers {everything}",
    ]


def test_a_broken_case_package_is_reported_under_its_import(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "fw/math.json": "not json",
            "p.mastery": 'policy "P"\nscale two { 1 No 2 Yes }\nimport framework "fw/math.json"\n',
        },
    )
    problems = check_file(tmp_path / "p.mastery", registry=BUILTIN).diagnostics
    assert [d.code for d in problems] == ["MK203"]
    assert problems[0].message.startswith("framework `fw/math.json` cannot be read: ")
    assert "not valid JSON" in problems[0].message
    assert problems[0].related and "line 1 column 1" in problems[0].related[0].message


def test_a_misspelt_level_gets_a_suggestion(check_registry: Registry) -> None:
    tree = parse(HEAD + "calculate mean\nproficient at Proficent\n", "demo.mastery")
    _, problems = check([tree], check_registry)
    assert [(d.message, d.help) for d in problems] == [
        (
            "level `Proficent` is not on the `four` scale of A.1, A.2, B.1",
            "did you mean `Proficient`?",
        )
    ]


def test_a_missing_base_says_where_it_was_looked_for(
    tmp_path: Path, check_registry: Registry
) -> None:
    _write(tmp_path, {"top.mastery": 'policy "Top" extends "zzz/qqq.mastery"\n'})
    problems = check_file(tmp_path / "top.mastery", registry=check_registry).diagnostics
    assert [(d.code, d.message, d.help) for d in problems] == [
        (
            "MK200",
            "`zzz/qqq.mastery` does not exist",
            f"the base policy is looked for at `{tmp_path / 'zzz' / 'qqq.mastery'}`, "
            "relative to this file",
        )
    ]


def test_a_base_that_is_a_folder_is_named_as_one(tmp_path: Path, check_registry: Registry) -> None:
    (tmp_path / "district").mkdir()
    _write(tmp_path, {"top.mastery": 'policy "Top" extends "district"\n'})
    problems = check_file(tmp_path / "top.mastery", registry=check_registry).diagnostics
    assert [(d.code, d.message, d.help, d.span and d.span.column) for d in problems] == [
        (
            "MK200",
            "`district` is a folder, not a policy file",
            "name the base policy's file, such as `district/district.mastery`",
            22,
        )
    ]


def test_a_base_that_cannot_be_read_is_reported_at_the_extends_naming_it(
    tmp_path: Path, check_registry: Registry
) -> None:
    (tmp_path / "big.mastery").write_text('policy "Big"\n' + "#" * (4 * 1024 * 1024), "utf-8")
    _write(tmp_path, {"top.mastery": '# a school\npolicy "Top" extends "big.mastery"\n'})
    result = check_file(tmp_path / "top.mastery", registry=check_registry)
    (problem,) = result.diagnostics
    assert (problem.code, problem.message) == (
        "MK103",
        "the policy file is 4,194,317 bytes; the limit is 4,194,304",
    )
    assert render_text(problem, result.sources).splitlines()[1:4] == [
        f" --> {tmp_path / 'top.mastery'}:2:22",
        "  |",
        '2 | policy "Top" extends "big.mastery"',
    ]


def test_load_text_finds_a_base_relative_to_the_current_folder(
    tmp_path: Path, check_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"district.mastery": DISTRICT})
    monkeypatch.chdir(tmp_path)
    policy = load_text(
        'policy "Typed in" extends "district.mastery"\nevidence at least 3\n',
        "<editor>",
        registry=check_registry,
    )
    assert [layer.file for layer in policy.layers] == ["district.mastery", "<editor>"]
    assert set(policy.sources) == {"district.mastery", "<editor>"}
    assert [c.count for c in policy.rules["ELA.1"].counts] == [3]
