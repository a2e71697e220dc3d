"""The district value: routes, the policies they name, identities and the district's fingerprint."""

from __future__ import annotations

from decimal import Decimal

from masterykit import load_text
from masterykit.district import District, PolicyIdentity, Route
from masterykit.policy import LearnerClause, Provenance

TEXT = """\
policy "Base" version "2026"

scale s {
  0 No
  1 Yes
}

competency A "A"
calculate most_recent
proficient at Yes
"""


def _district(*routes: Route) -> District:
    base = load_text(TEXT, "district.mastery")
    return District("Lake County", "1", "lake.mastery", base, routes)


def test_a_policy_identity_names_the_policy_and_its_fingerprint() -> None:
    policy = load_text(TEXT, "district.mastery")
    identity = PolicyIdentity.of(policy)
    assert (identity.name, identity.version, identity.file) == ("Base", "2026", "district.mastery")
    assert identity.fingerprint == policy.fingerprint


def test_policies_lists_each_routed_policy_once_in_route_order() -> None:
    base = load_text(TEXT, "district.mastery")
    school = load_text(TEXT.replace("most_recent", "highest"), "north.mastery")
    where = Provenance("lake.mastery", 2, 3, "Lake County")
    north = LearnerClause("school", "=", "north", 'learner.school = "north"')
    east = LearnerClause("school", "=", "east", 'learner.school = "east"')
    routes = (
        Route(0, north, school, 'when learner.school = "north" use "north.mastery"', where),
        Route(1, east, None, "…", where, reason="East moves in 2027"),
        Route(2, None, base, 'otherwise use "district.mastery"', where),
        Route(3, None, school, "…", where),
    )
    district = District("Lake County", None, "lake.mastery", base, routes)
    assert district.policies == (school, base)
    assert [route.evaluated for route in routes] == [True, False, True, True]


def test_the_fingerprint_follows_conditions_and_policies_not_wording() -> None:
    base = load_text(TEXT, "district.mastery")
    where = Provenance("lake.mastery", 2, 3, "Lake County")
    elsewhere = Provenance("other.mastery", 9, 1, "Lake County")
    year = LearnerClause("entry_year", "<=", Decimal(2024), "learner.entry_year <= 2024")

    def with_route(route: Route) -> str:
        return District("Lake County", "1", "lake.mastery", base, (route,)).fingerprint

    first = with_route(Route(0, year, base, "one wording", where))
    assert first == with_route(Route(0, year, base, "another wording", elsewhere))
    later = LearnerClause("entry_year", "<=", Decimal(2025), "learner.entry_year <= 2025")
    assert first != with_route(Route(0, later, base, "one wording", where))
    assert first != with_route(Route(0, year, None, "one wording", where, reason="not yet"))
    assert _district().fingerprint != first
