"""The documentation tells the truth: its policies check and their examples hold, every snippet
comes from a checked file, and every diagnostic code in the source has an entry (and no entry
names a code that does not exist).

The Sphinx build itself (``make docs``: HTML and doctest builders, warnings as errors) runs the
pages' Python examples; these tests cover what the build cannot see.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from masterykit import check_file, format_text, load_any, run_examples

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "masterykit"
PAGES = sorted(
    p for p in DOCS.rglob("*") if p.suffix in {".rst", ".md"} and "_build" not in p.parts
)
DOC_POLICIES = sorted(p for p in DOCS.rglob("*.mastery") if "_build" not in p.parts)
TRIGGERS = DOCS / "diagnostics"
INCLUDE = re.compile(r"^\s*\.\. literalinclude:: (\S+)", re.MULTILINE)
CODE = re.compile(r'"(MK\d{3})"')
ENTRY = re.compile(r"^\.\. _(MK\d{3}):$", re.MULTILINE)


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def _included() -> dict[Path, Path]:
    """Every file a page includes with ``literalinclude``, mapped to the including page."""
    found: dict[Path, Path] = {}
    for page in PAGES:
        for target in INCLUDE.findall(page.read_text(encoding="utf-8")):
            path = DOCS / target.lstrip("/") if target.startswith("/") else page.parent / target
            found[path.resolve()] = page
    return found


def _codes_in_source() -> set[str]:
    return {
        code
        for path in SRC.rglob("*.py")
        for code in CODE.findall(path.read_text(encoding="utf-8"))
    }


def _documented_codes() -> list[str]:
    return ENTRY.findall((DOCS / "diagnostics.rst").read_text(encoding="utf-8"))


# --- policies shown in the docs ----------------------------------------------------------------


def _example_policies() -> list[Path]:
    return [p for p in DOC_POLICIES if TRIGGERS not in p.parents]


@pytest.mark.parametrize("path", _example_policies(), ids=_ids(_example_policies()))
def test_documented_policy_checks_cleanly(path: Path) -> None:
    result = check_file(path)
    assert result.diagnostics == ()
    assert result.ok


@pytest.mark.parametrize("path", _example_policies(), ids=_ids(_example_policies()))
def test_documented_policy_examples_hold(path: Path) -> None:
    outcomes = run_examples(load_any(path))
    assert outcomes, f"{path.name} has no worked example"
    failures = [
        f"{outcome.name}: {failure.text}: expected {failure.expected}, got {failure.actual}"
        for outcome in outcomes
        for failure in outcome.failures
    ] + [f"{outcome.name}: {d}" for outcome in outcomes for d in outcome.diagnostics]
    assert failures == []


@pytest.mark.parametrize("path", _example_policies(), ids=_ids(_example_policies()))
def test_documented_policy_is_in_the_standard_layout(path: Path) -> None:
    """What the docs show is what ``masterykit fmt`` would write."""
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path.name) == text


def test_every_documented_policy_is_shown_on_a_page() -> None:
    included = _included()
    shown_or_used = set(included)
    # The school overlays and step files are all included; trigger files are shown by the
    # diagnostics page.
    missing = [p for p in DOC_POLICIES if p.resolve() not in shown_or_used]
    assert missing == []


def test_every_included_file_exists() -> None:
    assert [str(p) for p in _included() if not p.is_file()] == []


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_policy_snippets_come_from_checked_files(page: Path) -> None:
    """A ``.mastery`` snippet typed into a page would not be checked: include a file instead."""
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"code-block::\s*mastery|^```\s*mastery", text, re.MULTILINE)


def test_gallery_pages_show_every_gallery_policy() -> None:
    included = _included()
    for policy in sorted((ROOT / "examples").glob("*/*.mastery")):
        page = included.get(policy.resolve())
        assert page is not None, f"{policy} is on no page"
        assert page.parent == DOCS / "gallery"


def test_language_reference_includes_the_grammar() -> None:
    assert (SRC / "dsl" / "grammar.lark").resolve() in _included()


def test_documented_policies_use_every_keyword_of_the_language() -> None:
    """Every keyword of the grammar appears in a policy the docs show and the tests check, so
    every construct of the language has a checked example."""
    grammar = (SRC / "dsl" / "grammar.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    assert {"policy", "tight", "pathway", "expect"} <= keywords
    words: set[str] = set()
    for path in _example_policies():
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(re.findall(r"[a-z_]+", line.split("#", 1)[0]))
    assert sorted(keywords - words) == []


def test_every_plugin_hook_has_a_heading_with_its_signature() -> None:
    from masterykit.plugins import hookspecs

    text = (DOCS / "plugins.rst").read_text(encoding="utf-8")
    headings = set(re.findall(r"^(masterykit_\w+\(.*\))\n~+$", text, re.MULTILINE))
    expected = {f"{name}()" for name in hookspecs.__all__}
    assert headings == expected


def test_mastery_blocks_are_highlighted_by_the_mastery_lexer() -> None:
    lexers = pytest.importorskip("pygments.lexers")
    from masterykit.highlight import MasteryLexer

    assert isinstance(lexers.get_lexer_by_name("mastery"), MasteryLexer)


# --- the error reference -----------------------------------------------------------------------


def test_every_diagnostic_code_in_the_source_has_an_entry() -> None:
    assert sorted(_codes_in_source() - set(_documented_codes())) == []


def test_every_entry_names_a_code_that_exists() -> None:
    assert sorted(set(_documented_codes()) - _codes_in_source()) == []


def test_each_code_has_one_entry_in_order() -> None:
    codes = _documented_codes()
    assert codes == sorted(set(codes))


SECTION_OR_ENTRY = re.compile(r"^\.\. _MK\d{3}:$|^[^\n]+\n-{3,}$", re.MULTILINE)
EXAMPLE = re.compile(r"^\*\*Example[:.]\*\*", re.MULTILINE)
CODE_BLOCK = re.compile(r"^\.\. code-block:: \S+\n((?:[ \t]*\n|   .*\n)+)", re.MULTILINE)


def _entries(text: str) -> dict[str, str]:
    """Each entry of the error reference, by code: its text up to the next entry or section."""
    entries: dict[str, str] = {}
    for match in ENTRY.finditer(text):
        following = SECTION_OR_ENTRY.search(text, match.end())
        entries[match.group(1)] = text[match.end() : following.start() if following else None]
    return entries


def _entries_without_an_example_of_their_code(text: str) -> list[str]:
    """The codes whose entry has no ``**Example:**`` (or ``**Example.**``, when the example
    shows a trigger file first) followed by a code block that shows ``[MKnnn]`` of that code."""
    missing = []
    for code, entry in _entries(text).items():
        marker = EXAMPLE.search(entry)
        blocks = CODE_BLOCK.findall(entry, marker.end()) if marker else []
        if not any(f"[{code}]" in block for block in blocks):
            missing.append(code)
    return missing


def test_every_entry_shows_an_example_that_reports_its_own_code() -> None:
    text = (DOCS / "diagnostics.rst").read_text(encoding="utf-8")
    assert _entries_without_an_example_of_their_code(text) == []


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ("**Example:**\n\n.. code-block:: text\n\n   error[MK998]: ok\n", []),
        ("**Example.** This policy:\n\n.. code-block:: text\n\n   error[MK998]: ok\n", []),
        ("**Message:** ok\n", ["MK998"]),
        ("**Example:**\n\n.. code-block:: text\n\n   error[MK999]: drifted\n", ["MK998"]),
        (".. code-block:: text\n\n   error[MK998]: ok\n\n**Example:** none\n", ["MK998"]),
        ("**Example:**\n\n.. code-block:: text\n\n   ok\n\nprose [MK998]\n", ["MK998"]),
    ],
    ids=["example", "trigger-file-example", "no-example", "wrong-code", "block-before", "prose"],
)
def test_an_entry_counts_as_exemplified_only_by_a_code_block_with_its_code(
    body: str, missing: list[str]
) -> None:
    text = f".. _MK998:\n\nMK998: a code\n~~~~~~~~~~~~~\n\n{body}\n.. _MK999:\n\n" + (
        "MK999: another\n~~~~~~~~~~~~~~\n\n**Example:**\n\n.. code-block:: text\n\n"
        "   error[MK999]: ok\n"
    )
    assert _entries_without_an_example_of_their_code(text) == missing


TRIGGER_FILES = sorted(TRIGGERS.glob("MK*.mastery"))


def _codes_produced(path: Path) -> set[str]:
    """The codes checking ``path`` reports, and, when it checks, the codes its examples give."""
    result = check_file(path)
    codes = {d.code for d in result.diagnostics}
    if result.policy is not None:
        for outcome in run_examples(result.policy):
            codes |= {d.code for d in outcome.diagnostics}
            codes |= {e.diagnostic.code for e in outcome.expectations if e.diagnostic}
    return codes


@pytest.mark.parametrize("path", TRIGGER_FILES, ids=_ids(TRIGGER_FILES))
def test_trigger_file_produces_its_code(path: Path) -> None:
    assert path.stem[:5] in _codes_produced(path)


def test_every_trigger_file_is_shown_in_its_entry() -> None:
    text = (DOCS / "diagnostics.rst").read_text(encoding="utf-8")
    for path in TRIGGER_FILES:
        entry = text.split(f".. _{path.stem[:5]}:", 1)[1].split(".. _MK", 1)[0]
        assert f"literalinclude:: diagnostics/{path.name}" in entry
