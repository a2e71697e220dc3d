"""``masterykit fmt`` on district files: one route per line, comments kept, idempotent."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.dsl import nodes as n
from masterykit.dsl.format import format_district, format_text
from masterykit.dsl.parser import parse_any

# The shared strategies live in tests/; make them importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies import _examples, _tuples, clauses, names, texts

# --- strategies ---------------------------------------------------------------------------------


def _routes() -> st.SearchStrategy[n.RouteDecl]:
    condition = st.lists(clauses(), min_size=1, max_size=3).map(tuple)
    target = st.one_of(
        texts.map(lambda path: (n.Ident(path), None)),
        texts.map(lambda reason: (None, n.Ident(reason))),
    )
    return st.builds(
        lambda clauses_, pair: n.RouteDecl(clauses_, pair[0], pair[1]),
        st.none() | condition,
        target,
    )


def _district_expectations() -> st.SearchStrategy[n.Expectation]:
    return st.one_of(
        st.builds(n.Expectation, names(), st.just("policy"), value=texts.map(n.Ident)),
        st.builds(n.Expectation, names(), st.just("evaluated"), st.just(True)),
    )


def _district_examples() -> st.SearchStrategy[n.Example]:
    return st.builds(
        lambda example, extra: n.Example(
            example.name,
            example.as_of,
            example.learners,
            example.evidence,
            example.expectations + extra,
        ),
        _examples(),
        _tuples(_district_expectations()),
    )


def district_files() -> st.SearchStrategy[n.DistrictFile]:
    """A whole district file: one (sometimes two) ``district`` blocks and examples."""
    block = st.builds(
        n.DistrictBlock, texts, st.none() | texts, st.lists(_routes(), max_size=5).map(tuple)
    )
    return st.builds(
        n.DistrictFile,
        st.lists(block, min_size=1, max_size=2).map(tuple),
        st.lists(_district_examples(), max_size=2).map(tuple),
    )


def _comments(tree: n.PolicyFile | n.DistrictFile) -> list[str]:
    return [comment.text.rstrip() for comment in tree.comments]


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(district_files())
def test_a_formatted_district_parses_back_to_the_same_tree(tree: n.DistrictFile) -> None:
    assert parse_any(format_district(tree)) == tree


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(district_files())
def test_formatting_a_formatted_district_changes_nothing(tree: n.DistrictFile) -> None:
    text = format_district(tree)
    assert format_text(text) == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(district_files(), st.data())
def test_comments_anywhere_in_a_district_survive_formatting_in_order(
    tree: n.DistrictFile, data: st.DataObject
) -> None:
    lines = format_district(tree).splitlines()
    places = data.draw(
        st.lists(
            st.sampled_from(["none", "trailing", "own"]), min_size=len(lines), max_size=len(lines)
        )
    )
    written: list[str] = []
    for number, (line, place) in enumerate(zip(lines, places, strict=True)):
        if place == "own":
            written.append(f"# note {number}")
        written.append(f"{line}  # note {number}" if place == "trailing" and line else line)
    text = "\n".join(written) + "\n"
    formatted = format_text(text)
    assert parse_any(formatted) == tree
    assert _comments(parse_any(formatted)) == _comments(parse_any(text))
    assert format_text(formatted) == formatted


# --- layout -------------------------------------------------------------------------------------

MESSY = """\
# Lake County
district "Lake County Schools"   version "2026" {
    when learner.school = "north"
      and learner.entry_year <= 2024 use "n-2024.mastery"   # class of 2024
  when learner.school="north" use "north-high.mastery"
# not yet
  when learner.school = "east" not evaluated "East moves in 2027"
  when any { learner.iep learner.transfer } use "district.mastery"
  otherwise use "district.mastery"
}
example "kim" { as of 2026-06-01 learner kim { school: "north" } expect kim policy "North High"
expect kim not evaluated }
"""

TIDY = """\
# Lake County
district "Lake County Schools" version "2026" {
  when learner.school = "north" and learner.entry_year <= 2024 use "n-2024.mastery"  # class of 2024
  when learner.school = "north" use "north-high.mastery"
  # not yet
  when learner.school = "east" not evaluated "East moves in 2027"
  when any { learner.iep learner.transfer } use "district.mastery"
  otherwise use "district.mastery"
}

example "kim" {
  as of 2026-06-01
  learner kim { school: "north" }
  expect kim policy "North High"
  expect kim not evaluated
}
"""


def test_a_district_is_laid_out_one_route_per_line_with_comments_kept() -> None:
    assert format_text(MESSY) == TIDY
    assert format_text(TIDY) == TIDY
