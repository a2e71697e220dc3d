"""District files: parsed, checked and loaded with every policy they route to."""

from __future__ import annotations

from pathlib import Path

import pytest

import masterykit
from masterykit import District, Policy, PolicyCheckError, check_file, load_any, load_district
from masterykit.diagnostics import Diagnostic, PolicySyntaxError
from masterykit.dsl import nodes as n
from masterykit.dsl.parser import parse, parse_any
from masterykit.policy import AllClause, LearnerClause

BASE = """policy "Lake County Schools" version "2026"

scale four_point {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.1 "Reasons with ratios"
}

calculate mean
proficient at Proficient
"""

NORTH = """policy "North High" extends "../district.mastery"

evidence at least 2
"""

HARBOR = """policy "Harbor Middle" extends "../district.mastery"

calculate most_recent
"""

ROUTES = """# Lake County
district "Lake County Schools" version "2026" {
  when learner.school = "north" and learner.entry_year <= 2024 use "schools/north.mastery"
  when learner.school = "north" use "schools/north.mastery"
  when learner.school = "harbor" use "schools/harbor.mastery"
  when learner.school = "east" not evaluated "East moves to mastery-based grading in 2027"
  otherwise use "district.mastery"
}
"""


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A district folder: the base policy, two schools and the district file."""
    (tmp_path / "schools").mkdir()
    (tmp_path / "district.mastery").write_text(BASE, encoding="utf-8")
    (tmp_path / "schools" / "north.mastery").write_text(NORTH, encoding="utf-8")
    (tmp_path / "schools" / "harbor.mastery").write_text(HARBOR, encoding="utf-8")
    (tmp_path / "routes.mastery").write_text(ROUTES, encoding="utf-8")
    return tmp_path


def _write(folder: Path, text: str, name: str = "routes.mastery") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in check_file(path).diagnostics]


def _only(path: Path) -> Diagnostic:
    (diagnostic,) = check_file(path).diagnostics
    return diagnostic


# --- syntax -------------------------------------------------------------------------------------


def test_a_district_file_parses_into_its_routes() -> None:
    tree = parse_any(ROUTES, "routes.mastery")
    assert isinstance(tree, n.DistrictFile)
    block = tree.district
    assert (block.name, block.version) == ("Lake County Schools", "2026")
    assert [len(r.clauses) if r.clauses is not None else None for r in block.routes] == [
        2, 1, 1, 1, None,
    ]  # fmt: skip
    assert block.routes[0].path == n.Ident("schools/north.mastery")
    assert block.routes[3].reason == n.Ident("East moves to mastery-based grading in 2027")
    assert block.routes[4].otherwise
    assert [c.text for c in tree.comments] == ["# Lake County"]


def test_parse_refuses_a_district_file_where_a_policy_belongs() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse(ROUTES, "routes.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK141"
    assert diagnostic.message == "this is a district file, not a policy"
    assert diagnostic.span is not None and (diagnostic.span.line, diagnostic.span.column) == (2, 1)


def test_the_district_header_gives_its_version_once() -> None:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_any('district "D" version "1" version "2" {\n  otherwise use "a.mastery"\n}\n')
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK140",
        "the district header says `version` twice",
    )


# --- loading ------------------------------------------------------------------------------------


def test_load_district_routes_learners_to_checked_policies(county: Path) -> None:
    district = load_district(county / "routes.mastery")
    assert isinstance(district, District)
    assert (district.name, district.version) == ("Lake County Schools", "2026")
    assert district.base.name == "Lake County Schools"
    names = [r.policy.name if r.policy is not None else None for r in district.routes]
    assert names == ["North High", "North High", "Harbor Middle", None, "Lake County Schools"]
    assert district.routes[3].reason == "East moves to mastery-based grading in 2027"
    assert district.routes[0].text == (
        'when learner.school = "north" and learner.entry_year <= 2024 use "schools/north.mastery"'
    )
    condition = district.routes[0].condition
    assert isinstance(condition, AllClause)
    assert condition.clauses[1] == LearnerClause(
        "entry_year", "<=", condition.clauses[1].value, "learner.entry_year <= 2024"
    )
    assert district.routes[4].condition is None
    assert str(county / "schools" / "north.mastery") in district.sources


def test_routes_to_one_file_share_one_policy_and_the_base_is_that_policy(county: Path) -> None:
    district = load_district(county / "routes.mastery")
    routes = district.routes
    assert routes[0].policy is routes[1].policy
    assert routes[4].policy is district.base
    assert len(district.policies) == 3


def test_the_base_is_one_policy_even_when_no_route_names_it(county: Path) -> None:
    path = _write(
        county,
        'district "D" {\n  when learner.school = "north" use "schools/north.mastery"\n'
        '  otherwise use "schools/harbor.mastery"\n}\n',
    )
    district = load_district(path)
    assert district.base.name == "Lake County Schools"
    assert len(district.base.layers) == 1


def test_load_any_takes_either_kind_of_file(county: Path) -> None:
    assert isinstance(load_any(county / "routes.mastery"), District)
    assert isinstance(load_any(county / "district.mastery"), Policy)


def test_load_refuses_a_district_file_and_names_the_functions_that_take_it(county: Path) -> None:
    with pytest.raises(PolicyCheckError) as caught:
        masterykit.load(county / "routes.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK450"
    assert diagnostic.message == f"`{county / 'routes.mastery'}` is a district file, not a policy"
    assert diagnostic.help is not None and "load_district" in diagnostic.help


def test_load_district_refuses_a_policy(county: Path) -> None:
    with pytest.raises(PolicyCheckError) as caught:
        load_district(county / "district.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK451"
    assert diagnostic.message == f"`{county / 'district.mastery'}` is a policy, not a district file"


def test_check_file_checks_a_district_file(county: Path) -> None:
    result = check_file(county / "routes.mastery")
    assert result.ok and result.is_district
    assert result.policy is None and result.district is not None
    assert result.diagnostics == ()


# --- the checker's errors -----------------------------------------------------------------------


def test_a_route_to_a_missing_file(county: Path) -> None:
    path = _write(county, 'district "D" {\n  otherwise use "schools/nrth.mastery"\n}\n')
    diagnostic = _only(path)
    assert (diagnostic.code, diagnostic.message) == (
        "MK290",
        "`schools/nrth.mastery` does not exist",
    )
    assert diagnostic.help == "did you mean `schools/north.mastery`?"
    assert diagnostic.span is not None and (diagnostic.span.line, diagnostic.span.column) == (2, 17)
    with pytest.raises(PolicyCheckError):
        load_district(path)


def test_a_route_to_a_folder(county: Path) -> None:
    path = _write(county, 'district "D" {\n  otherwise use "schools"\n}\n')
    assert _problems(path) == [("MK290", "`schools` is a folder, not a policy file")]


def test_a_routed_file_that_does_not_parse_is_reported_in_that_file(county: Path) -> None:
    (county / "schools" / "broken.mastery").write_text('policy "B"\nproficent at 3\n', "utf-8")
    path = _write(county, 'district "D" {\n  otherwise use "schools/broken.mastery"\n}\n')
    (diagnostic,) = check_file(path).diagnostics
    assert diagnostic.code == "MK114"
    assert diagnostic.span is not None
    assert diagnostic.span.file == str(county / "schools" / "broken.mastery")
    assert str(county / "schools" / "broken.mastery") in check_file(path).sources


def test_a_routed_policy_with_errors_is_reported_in_its_own_file(county: Path) -> None:
    (county / "schools" / "bad.mastery").write_text(
        'policy "Bad" extends "../district.mastery"\nrequirement r { all of MATH.9 proficient }\n',
        "utf-8",
    )
    path = _write(county, 'district "D" {\n  otherwise use "schools/bad.mastery"\n}\n')
    (diagnostic,) = check_file(path).diagnostics
    assert diagnostic.code == "MK230"
    assert diagnostic.span is not None
    assert diagnostic.span.file == str(county / "schools" / "bad.mastery")


def test_a_route_to_a_district_file(county: Path) -> None:
    path = _write(county, 'district "D" {\n  otherwise use "routes.mastery"\n}\n', "d.mastery")
    assert _problems(path) == [
        ("MK291", "`routes.mastery` is a district file; a route must use a policy")
    ]


def test_a_school_that_does_not_share_the_districts_base(county: Path) -> None:
    (county / "other").mkdir()
    (county / "other" / "base.mastery").write_text(BASE, encoding="utf-8")
    (county / "schools" / "east.mastery").write_text(
        'policy "East" extends "../other/base.mastery"\n', encoding="utf-8"
    )
    path = _write(
        county,
        'district "D" {\n  when learner.school = "east" use "schools/east.mastery"\n'
        '  otherwise use "district.mastery"\n}\n',
    )
    other = str(county / "other" / "base.mastery")
    base = str(county / "district.mastery")
    diagnostic = _only(path)
    assert diagnostic.code == "MK292"
    assert diagnostic.message == (
        f"`district.mastery` does not share the district's base policy: its chain ends at "
        f"`{base}`, while `schools/east.mastery` ends at `{other}`"
    )
    assert diagnostic.span is not None and diagnostic.span.line == 3


def test_a_route_outside_the_districts_folder(county: Path) -> None:
    inner = county / "inner"
    inner.mkdir()
    path = _write(inner, 'district "D" {\n  otherwise use "../district.mastery"\n}\n')
    assert _problems(path) == [
        (
            "MK293",
            "`../district.mastery` is outside the district file's folder; a district may only "
            "route to policies in its own folder or below it",
        )
    ]


def test_a_route_with_the_same_condition_as_an_earlier_one_is_a_warning(county: Path) -> None:
    path = _write(
        county,
        'district "D" {\n  when learner.school = "north" use "schools/north.mastery"\n'
        '  when learner.school = "north" use "district.mastery"\n'
        '  otherwise use "district.mastery"\n}\n',
    )
    result = check_file(path)
    (diagnostic,) = result.diagnostics
    assert (diagnostic.code, diagnostic.severity.value) == ("MK294", "warning")
    assert diagnostic.message == (
        "this route can never be taken: an earlier route has the same condition"
    )
    assert diagnostic.related[0].span is not None and diagnostic.related[0].span.line == 2
    assert result.ok
    assert len(load_district(path).routes) == 3


def test_a_route_after_otherwise_is_a_warning(county: Path) -> None:
    path = _write(
        county,
        'district "D" {\n  otherwise use "district.mastery"\n'
        '  when learner.iep use "schools/north.mastery"\n}\n',
    )
    diagnostic = _only(path)
    assert (diagnostic.code, diagnostic.severity.value) == ("MK295", "warning")
    assert diagnostic.message == "this route can never be taken: it comes after `otherwise`"


def test_a_second_district_block(county: Path) -> None:
    path = _write(
        county,
        'district "D" {\n  otherwise use "district.mastery"\n}\n'
        'district "E" {\n  otherwise use "district.mastery"\n}\n',
    )
    diagnostic = _only(path)
    assert diagnostic.code == "MK296"
    assert diagnostic.message == (
        "the file has a second `district` block (`E`); a district file has one"
    )
    assert diagnostic.span is not None and (diagnostic.span.line, diagnostic.span.column) == (4, 1)


@pytest.mark.parametrize(
    ("condition", "what"),
    [
        ("all of MATH proficient", "a competency test"),
        ("requirement algebra", "a requirement"),
        ('pathway "p" { learner.iep }', "a pathway"),
        ("any { learner.iep all of MATH proficient }", "a competency test"),
    ],
)
def test_a_condition_that_is_not_a_learner_clause(county: Path, condition: str, what: str) -> None:
    path = _write(county, f'district "D" {{\n  when {condition} use "district.mastery"\n}}\n')
    diagnostic = _only(path)
    assert diagnostic.code == "MK297"
    assert diagnostic.message.endswith(
        f"` is {what}; a route's condition may only test the learner (`learner.…`)"
    )


def test_a_district_that_routes_nobody_to_a_policy(county: Path) -> None:
    path = _write(county, 'district "D" {\n  otherwise not evaluated "Not yet"\n}\n')
    assert _problems(path) == [("MK298", "district `D` routes no learner to a policy")]


def test_an_example_that_expects_a_policy_no_route_uses(county: Path) -> None:
    path = _write(
        county,
        ROUTES + '\nexample "e" {\n  as of 2026-06-01\n  learner kim\n'
        '  expect kim policy "North Hgh"\n}\n',
    )
    diagnostic = _only(path)
    assert (diagnostic.code, diagnostic.message) == (
        "MK299",
        'no route uses a policy named "North Hgh"',
    )
    assert diagnostic.help == "did you mean `North High`?"
