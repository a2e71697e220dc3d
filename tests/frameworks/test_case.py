"""CASE 1.0 packages become frameworks: codes, titles, tree, prerequisites, external references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.frameworks import ExternalReference, FrameworkItem, load_case
from masterykit.policies.formats import masterykit_framework_importers
from masterykit.registry import Registry

DATA = Path("/work/shared/data/case")
OPENSALT = DATA / "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
ACT = DATA / "opensalt-Ordering-ACT-Holistic-Framework-Math.json"

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared CASE files not present")


@needs_data
def test_opensalt_package_loads_every_item_with_code_title_and_type() -> None:
    framework = load_case(OPENSALT)
    assert framework.title == "What Standards Could Be"
    assert framework.identifier == "20c5134f-423d-4097-a971-3dd5152bf507"
    assert framework.file == str(OPENSALT)
    assert len(framework.items) == 16
    first = framework.items[0]
    assert first == FrameworkItem(
        code="CCSS.Math.Content.6.RP.A",
        title="Understand ratio concepts and use ratio reasoning to solve problems.",
        identifier="edfce0e7-dbbf-40d5-af1a-baccabef85e9",
        parent=None,
        attributes={"CFItemType": "Cluster", "educationLevel": "06", "language": "en"},
    )
    assert dict(first.attributes) == {
        "CFItemType": "Cluster",
        "educationLevel": "06",
        "language": "en",
    }


@needs_data
def test_opensalt_tree_puts_clusters_on_top_and_components_under_standards() -> None:
    items = {item.code: item for item in load_case(OPENSALT).items}
    tops = sorted(code for code, item in items.items() if item.parent is None)
    assert tops == ["CCSS.Math.Content.6.RP.A", "CCSS.Math.Content.7.RP.A"]
    assert items["CCSS.Math.Content.6.RP.A.1"].parent == "CCSS.Math.Content.6.RP.A"
    assert items["CCSS.Math.Content.6.RP.A.3a"].parent == "CCSS.Math.Content.6.RP.A.3"
    assert items["CCSS.Math.Content.7.RP.A.2d"].parent == "CCSS.Math.Content.7.RP.A.2"
    assert items["CCSS.Math.Content.6.RP.A.3a"].attributes["CFItemType"] == "Component"


@needs_data
def test_precedes_makes_the_origin_a_prerequisite_of_the_destination() -> None:
    items = {item.code: item for item in load_case(OPENSALT).items}
    with_prerequisites = {c: i.prerequisites for c, i in items.items() if i.prerequisites}
    assert with_prerequisites == {
        "CCSS.Math.Content.6.RP.A.2": ("CCSS.Math.Content.6.RP.A.1",),
        "CCSS.Math.Content.7.RP.A.3": ("CCSS.Math.Content.6.RP.A.3",),
    }


@needs_data
def test_associations_leaving_the_package_become_external_references() -> None:
    framework = load_case(OPENSALT)
    assert len(framework.external) == 21
    kinds: dict[str, int] = {}
    for reference in framework.external:
        kinds[reference.kind] = kinds.get(reference.kind, 0) + 1
    assert kinds == {"exactMatchOf": 16, "exemplar": 2, "isRelatedTo": 2, "precedes": 1}
    assert (
        ExternalReference(
            "74cf8429-f361-42a9-ad7b-c313ce9a38b9",
            "eceec0fb-e4de-4ef3-a48f-0987b366c9ae",
            "61a66013-f85c-59c7-bdba-a2c9030e1c21",
            "precedes",
        )
        in framework.external
    )


@needs_data
def test_case_rest_shape_with_link_objects_and_no_item_type_loads() -> None:
    framework = load_case(ACT)
    assert framework.title == "ACT Holistic Framework, Math"
    assert framework.identifier == "a33fc64e-5c40-11e7-82c4-3d54268aa9ee"
    assert len(framework.items) == 28
    assert framework.external == ()
    items = {item.code: item for item in framework.items}
    top = items["H.A.MATH.GM"]
    assert top.parent is None
    assert top.title == (
        "Properties and measurements of and relationships among two?- and three-dimensional shapes"
    )
    assert dict(top.attributes) == {"abbreviatedStatement": "Geometry and Measurement"}
    assert items["H.A.MATH.GM.PF"].parent == "H.A.MATH.GM"
    assert items["H.A.MATH.GM.PF.2DFP.L1.1"].parent == "H.A.MATH.GM.PF.2DFP.L1"
    assert (
        items["H.A.MATH.GM.PF.2DFP.L1.1"].title == "Differentiate between straight and curved lines"
    )
    assert sum(1 for item in framework.items if item.parent is None) == 1
    assert all("CFItemType" not in item.attributes for item in framework.items)


@needs_data
def test_case_importer_is_registered_for_json_files() -> None:
    registry = Registry.of(importers=masterykit_framework_importers())
    spec = registry.importers["case"]
    assert spec.extensions == (".json",)
    assert len(spec.load(ACT).items) == 28


# --- small packages ----------------------------------------------------------------------------

DOC = {"identifier": "doc-1", "uri": "https://example.org/doc-1", "title": "Tiny"}


def package(tmp_path: Path, data: Any, name: str = "f.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def item(identifier: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"identifier": identifier, "fullStatement": f"statement {identifier}"}
    if code is not None:
        found["humanCodingScheme"] = code
    return found | extra


def assoc(kind: str, origin: Any, destination: Any, identifier: str = "a") -> dict[str, Any]:
    return {
        "identifier": identifier,
        "associationType": kind,
        "originNodeURI": origin,
        "destinationNodeURI": destination,
    }


def test_string_uris_education_level_arrays_and_identifier_codes(tmp_path: Path) -> None:
    data = {
        "CFDocument": DOC,
        "CFItems": [
            item("i-1", "A", uri="https://example.org/i-1", educationLevel=["09", "10"]),
            item("i-2", CFItemTypeURI={"title": "Standard", "identifier": "t", "uri": "u"}),
        ],
        "CFAssociations": [
            assoc("isChildOf", "https://example.org/i-1", "https://example.org/doc-1"),
            assoc("isChildOf", {"identifier": "i-2", "uri": "x", "title": "B"}, "i-1"),
            assoc("precedes", "i-1", "i-2"),
        ],
    }
    framework = load_case(package(tmp_path, data))
    first, second = framework.items
    assert (first.code, first.parent, dict(first.attributes)) == (
        "A",
        None,
        {"educationLevel": "09,10"},
    )
    assert (second.code, second.parent, second.prerequisites) == ("i-2", "A", ("A",))
    assert dict(second.attributes) == {"CFItemType": "Standard"}


BROKEN: list[tuple[Any, str, str, str]] = [
    (
        "{not json",
        "MK340",
        "is not valid JSON: expecting property name enclosed in double quotes",
        "line 1 column 2",
    ),
    ([1, 2], "MK341", "not a CASE package: there is no `CFDocument` object", "$"),
    (
        {"CFDocument": DOC, "CFItems": {}},
        "MK341",
        "not a CASE package: `CFItems` is not a list",
        "$.CFItems",
    ),
    (
        {"CFDocument": DOC, "CFItems": [item("i-1", "A"), {"fullStatement": "x"}]},
        "MK342",
        "CFItem has no `identifier`",
        "$.CFItems[1]",
    ),
    (
        {"CFDocument": DOC, "CFItems": [item("i-1", "A"), item("i-2", "A")]},
        "MK343",
        "two CFItems have the code `A`",
        "$.CFItems[1]",
    ),
    (
        {"CFDocument": DOC, "CFItems": ["i-1"]},
        "MK344",
        "CFItem is not a JSON object",
        "$.CFItems[0]",
    ),
    (
        {"CFDocument": DOC, "CFItems": [item("i-1", "A"), item("i-1", "B")]},
        "MK345",
        "two CFItems have the identifier `i-1`",
        "$.CFItems[1]",
    ),
    (
        {
            "CFDocument": DOC,
            "CFAssociations": [{"associationType": "isChildOf", "originNodeURI": "i-1"}],
        },
        "MK346",
        "CFAssociation has no `destinationNodeURI`",
        "$.CFAssociations[0]",
    ),
]


@pytest.mark.parametrize(("data", "code", "message", "where"), BROKEN)
def test_broken_package_is_an_error_naming_file_and_json_path(
    tmp_path: Path, data: Any, code: str, message: str, where: str
) -> None:
    path = package(tmp_path, data)
    with pytest.raises(EvidenceError) as caught:
        load_case(path)
    (diagnostic,) = caught.value.diagnostics
    if code == "MK340":
        message = f"`{path}` {message}"
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        code,
        message,
        f"{path} {where}",
    )


def test_every_broken_item_is_reported_at_once(tmp_path: Path) -> None:
    data = {"CFDocument": DOC, "CFItems": [{"x": 1}, item("i-1", "A"), item("i-2", "A")]}
    with pytest.raises(EvidenceError) as caught:
        load_case(package(tmp_path, data))
    assert [d.code for d in caught.value.diagnostics] == ["MK342", "MK343"]
    assert caught.value.diagnostics[1].help == "the first is $.CFItems[1]; codes must be unique"


def test_missing_case_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        load_case(tmp_path / "none.json")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK300",
        f"cannot read `{tmp_path / 'none.json'}`: no such file",
    )


def test_items_in_a_parent_cycle_are_reported(tmp_path: Path) -> None:
    data = {
        "CFDocument": DOC,
        "CFItems": [item("i-1", "A"), item("i-2", "B"), item("i-3", "C")],
        "CFAssociations": [
            assoc("isChildOf", "i-1", "i-2"),
            assoc("isChildOf", "i-2", "i-1"),
            assoc("isChildOf", "i-3", "i-1"),
        ],
    }
    path = package(tmp_path, data)
    with pytest.raises(EvidenceError) as caught:
        load_case(path)
    assert [(d.code, d.message, d.help, d.location) for d in caught.value.diagnostics] == [
        (
            "MK347",
            "CFItem `A` is its own ancestor through `isChildOf`",
            "the chain is A → B → A",
            f"{path} $.CFItems[0]",
        ),
        (
            "MK347",
            "CFItem `B` is its own ancestor through `isChildOf`",
            "the chain is B → A → B",
            f"{path} $.CFItems[1]",
        ),
    ]


@needs_data
@pytest.mark.parametrize(
    ("path", "associations", "tops", "precedes_inside"),
    [
        # 16 isChildOf (2 to the document, 14 to items) + 2 precedes inside + 21 outside
        (OPENSALT, 39, 2, 2),
        # 28 isChildOf (1 to the document, 27 to items), nothing outside
        (ACT, 28, 1, 0),
    ],
)
def test_every_association_of_the_shared_files_is_accounted_for(
    path: Path, associations: int, tops: int, precedes_inside: int
) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert len(raw["CFAssociations"]) == associations
    framework = load_case(path)
    assert sum(1 for item in framework.items if item.parent is None) == tops
    edges = sum(len(item.prerequisites) for item in framework.items)
    assert edges == precedes_inside
    assert len(framework.items) + edges + len(framework.external) == associations


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parents=st.lists(st.integers(min_value=-1, max_value=20), min_size=1, max_size=12),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=8),
)
def test_random_packages_keep_their_tree_and_prerequisites(
    tmp_path: Path, parents: list[int], edges: list[tuple[int, int]]
) -> None:
    # item i's parent is an earlier item (so there is no cycle) or the document
    parent_of = {i: (p % i if p >= 0 and i > 0 else None) for i, p in enumerate(parents)}
    edges = [(a, b) for a, b in edges if a < len(parents) and b < len(parents)]
    associations = [
        assoc("isChildOf", f"i-{i}", f"i-{p}" if p is not None else "doc-1", f"c-{i}")
        for i, p in parent_of.items()
    ] + [assoc("precedes", f"i-{a}", f"i-{b}", f"p-{k}") for k, (a, b) in enumerate(edges)]
    data = {
        "CFDocument": DOC,
        "CFItems": [item(f"i-{i}", f"C.{i}") for i in range(len(parents))],
        "CFAssociations": associations,
    }
    framework = load_case(package(tmp_path, data))
    assert [f.parent for f in framework.items] == [
        f"C.{p}" if p is not None else None for p in parent_of.values()
    ]
    expected: dict[int, list[str]] = {}
    for a, b in edges:
        if f"C.{a}" not in expected.setdefault(b, []):
            expected[b].append(f"C.{a}")
    assert [list(f.prerequisites) for f in framework.items] == [
        expected.get(i, []) for i in range(len(parents))
    ]
    assert framework.external == ()


# --- hostile packages ----------------------------------------------------------------------------


def chain(depth: int) -> dict[str, Any]:
    """A package whose items each sit under the one before: ``C.0`` at the top, ``C.{depth-1}``
    at the bottom."""
    return {
        "CFDocument": DOC,
        "CFItems": [item(f"i-{i}", f"C.{i}") for i in range(depth)],
        "CFAssociations": [
            assoc("isChildOf", f"i-{i}", f"i-{i - 1}" if i else "doc-1", f"c-{i}")
            for i in range(depth)
        ],
    }


def test_a_chain_3000_items_deep_is_refused_at_its_deepest_item(tmp_path: Path) -> None:
    # Checking each item's ancestors by walking the chain again took minutes at this depth; and
    # each item selecting everything below it would make millions of selections from a chain.
    path = package(tmp_path, chain(3000))
    with pytest.raises(EvidenceError) as caught:
        load_case(path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.help, diagnostic.location) == (
        "MK616",
        "CFItem `C.2999` sits 3,000 levels deep through `isChildOf`; items nest at most 64 "
        "levels deep",
        "the chain is C.0 → C.1 → C.2 → C.3 → C.4 → … (2,990 more) → C.2995 → C.2996 → "
        "C.2997 → C.2998 → C.2999",
        f"{path} $.CFItems[2999]",
    )


def import_policy(tmp_path: Path, framework: str) -> Path:
    policy_path = tmp_path / "deep.mastery"
    policy_path.write_text(
        'policy "Deep" version "1"\nscale two { 1 NotYet 2 Yes }\n'
        f'import framework "{framework}"\ncalculate highest\nproficient at Yes\n',
        encoding="utf-8",
    )
    return policy_path


def test_a_chain_exactly_at_the_depth_limit_is_imported_with_each_subtree(
    tmp_path: Path,
) -> None:
    from masterykit.frameworks import MAX_TREE_DEPTH
    from masterykit.loader import load

    assert MAX_TREE_DEPTH == 64
    package(tmp_path, chain(64), "deep.json")
    policy = load(import_policy(tmp_path, "deep.json"))
    assert len(policy.competencies) == 64
    assert policy.areas["C.60"].competencies == ("C.60", "C.61", "C.62", "C.63")
    assert policy.areas["C.0"].competencies == tuple(f"C.{i}" for i in range(64))


def test_a_policy_importing_a_framework_one_level_too_deep_is_told_on_its_import_line(
    tmp_path: Path,
) -> None:
    from masterykit.loader import check_file

    package(tmp_path, chain(65), "deep.json")
    [diagnostic] = check_file(import_policy(tmp_path, "deep.json")).diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.span and diagnostic.span.line) == (
        "MK203",
        "framework `deep.json` cannot be read: CFItem `C.64` sits 65 levels deep through "
        "`isChildOf`; items nest at most 64 levels deep",
        3,
    )


def test_a_long_parent_cycle_is_reported_for_each_item_with_the_middle_left_out(
    tmp_path: Path,
) -> None:
    data = chain(2000)
    data["CFAssociations"][0] = assoc("isChildOf", "i-0", "i-1999", "c-0")
    with pytest.raises(EvidenceError) as caught:
        load_case(package(tmp_path, data))
    diagnostics = caught.value.diagnostics
    assert len(diagnostics) == 2000
    assert (diagnostics[0].message, diagnostics[0].help) == (
        "CFItem `C.0` is its own ancestor through `isChildOf`",
        "the chain is C.0 → C.1999 → C.1998 → C.1997 → C.1996 → … (1,991 more) → "
        "C.4 → C.3 → C.2 → C.1 → C.0",
    )


def hostile(tmp_path: Path, text: str) -> tuple[str, str, str | None]:
    path = package(tmp_path, text)
    with pytest.raises(EvidenceError) as caught:
        load_case(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.location is not None
    return diagnostic.code, diagnostic.message, diagnostic.location.removeprefix(f"{path} ")


def test_a_lone_surrogate_in_a_code_is_refused_with_its_json_path(tmp_path: Path) -> None:
    text = json.dumps({"CFDocument": DOC, "CFItems": [item("i-1", "A"), item("i-2", "B\ud800")]})
    assert hostile(tmp_path, text) == (
        "MK613",
        "the text holds `\\ud800`, half of a surrogate pair, which is not a character",
        "$.CFItems[1].humanCodingScheme",
    )


def test_a_lone_surrogate_in_a_key_is_refused(tmp_path: Path) -> None:
    text = '{"CFDocument": {"identifier": "d", "\\udc00x": 1}, "CFItems": []}'
    assert hostile(tmp_path, text) == (
        "MK613",
        "a key holds `\\udc00`, half of a surrogate pair, which is not a character",
        "$.CFDocument",
    )


def test_surrogate_pairs_are_characters(tmp_path: Path) -> None:
    text = json.dumps({"CFDocument": DOC, "CFItems": [item("i-1", "A", fullStatement="😀")]})
    assert "\\ud83d\\ude00" in text
    assert load_case(package(tmp_path, text)).items[0].title == "😀"


@pytest.mark.parametrize(
    ("depth", "where"),
    [(1000, "$"), (100, "$.CFDocument.x" + "[0]" * 62)],
    ids=["deeper-than-python-parses", "over-the-limit"],
)
def test_json_nested_too_deep_is_refused(tmp_path: Path, depth: int, where: str) -> None:
    nested = "[" * (depth - 2) + "]" * (depth - 2)
    text = '{"CFDocument": {"identifier": "d", "x": ' + nested + "}}"
    assert hostile(tmp_path, text) == (
        "MK614",
        "arrays and objects are nested more than 64 deep",
        where,
    )


def test_json_nested_to_the_limit_loads(tmp_path: Path) -> None:
    nested = "[" * 62 + "1" + "]" * 62
    text = '{"CFDocument": {"identifier": "d", "x": ' + nested + '}, "CFItems": []}'
    assert load_case(package(tmp_path, text)).items == ()


def test_a_number_longer_than_4300_digits_is_refused(tmp_path: Path) -> None:
    text = '{"CFDocument": {"identifier": "d"}, "CFItems": [{"n": ' + "9" * 4301 + "}]}"
    assert hostile(tmp_path, text) == (
        "MK615",
        "a number has 4,301 digits; numbers in a framework file have at most 4,300",
        "$.CFItems[0].n",
    )
    fits = '{"CFDocument": {"identifier": "d", "n": -' + "9" * 4300 + '}, "CFItems": []}'
    assert load_case(package(tmp_path, fits)).items == ()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from masterykit import frameworks

    assert frameworks.MAX_FRAMEWORK_BYTES == 64 * 1024 * 1024
    monkeypatch.setattr(frameworks, "MAX_FRAMEWORK_BYTES", 100)
    path = package(tmp_path, {"CFDocument": DOC, "CFItems": [item("i-1", "A" * 200)]})
    with pytest.raises(EvidenceError) as caught:
        load_case(path)
    (diagnostic,) = caught.value.diagnostics
    size = path.stat().st_size
    assert (diagnostic.code, diagnostic.message, diagnostic.help) == (
        "MK612",
        f"`{path}` is {size:,} bytes; a framework file may be at most 100 bytes",
        "import the framework in parts, one file per subject",
    )


def test_an_endless_device_is_read_only_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from masterykit import frameworks

    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    monkeypatch.setattr(frameworks, "MAX_FRAMEWORK_BYTES", 1024)
    with pytest.raises(EvidenceError) as caught:
        load_case("/dev/zero")
    assert caught.value.diagnostics[0].message == (
        "`/dev/zero` is more than 1,024 bytes; a framework file may be at most 1,024 bytes"
    )


def test_checking_a_policy_reports_a_hostile_framework_on_its_import_line(tmp_path: Path) -> None:
    from masterykit.loader import check_file

    text = json.dumps({"CFDocument": DOC, "CFItems": [item("i-1", "M\ud800")]})
    package(tmp_path, text, "state.json")
    policy = tmp_path / "district.mastery"
    policy.write_text(
        'policy "D" version "1"\nscale two { 1 NotYet 2 Yes }\n'
        'import framework "state.json"\ncalculate highest\nproficient at Yes\n',
        encoding="utf-8",
    )
    [diagnostic] = check_file(policy).diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.span and diagnostic.span.line) == (
        "MK203",
        "framework `state.json` cannot be read: the text holds `\\ud800`, half of a surrogate "
        "pair, which is not a character",
        3,
    )
    assert [r.message for r in diagnostic.related] == [
        "the text holds `\\ud800`, half of a surrogate pair, which is not a character "
        f"({tmp_path / 'state.json'} $.CFItems[0].humanCodingScheme)"
    ]


def test_a_policy_selects_a_subtree_whatever_order_the_items_are_listed_in(
    tmp_path: Path,
) -> None:
    from masterykit.loader import load

    data = chain(6)
    data["CFItems"].reverse()  # the deepest item first, the top last
    package(tmp_path, data, "reversed.json")
    areas = load(import_policy(tmp_path, "reversed.json")).areas
    assert areas["C.0"].competencies == ("C.5", "C.4", "C.3", "C.2", "C.1", "C.0")
    assert areas["C.3"].competencies == ("C.5", "C.4", "C.3")
