"""Whatever a user does to a real policy file, ``check_file`` answers with diagnostics.

Every policy of ``examples/``, ``docs/`` and the language's acceptance examples is copied with
its folder (so ``extends`` and ``import framework`` resolve), then damaged the way files get
damaged: lines deleted, duplicated or swapped, the file cut short, junk bytes inserted. The
damaged file is the policy itself or, for an overlay, sometimes the base it extends. The law:
:func:`masterykit.loader.check_file` raises nothing; it returns only masterykit diagnostics
(stable ``MK`` codes), each renders, and each span lies inside the file it names.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import Diagnostic, Source, render_text
from masterykit.loader import check_file

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / ".." / "shared" / "spec" / "examples"
POLICIES = sorted(
    path
    for folder in (ROOT / "examples", ROOT / "docs", SPEC)
    if folder.is_dir()
    for path in folder.rglob("*.mastery")
    if "_build" not in path.parts
)
_EXTENDS = re.compile(r'extends\s+"([^"]+)"')


def _lines_in(source: Source) -> int:
    # Lark counts lines at "\n"; str.splitlines (used to quote lines) also breaks at "\x0c" and
    # friends. A span is inside its file when either count reaches its line.
    return max(source.text.count("\n") + 1, len(source.text.splitlines()))


def _mutate(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.split(b"\n")
    operation = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "junk"]))
    if operation == "delete":
        start = draw(st.integers(0, len(lines) - 1))
        del lines[start : start + draw(st.integers(1, 5))]
    elif operation == "duplicate":
        index = draw(st.integers(0, len(lines) - 1))
        lines.insert(draw(st.integers(0, len(lines))), lines[index])
    elif operation == "swap":
        first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[first], lines[second] = lines[second], lines[first]
    elif operation == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    else:
        at = draw(st.integers(0, len(data)))
        junk = draw(
            st.binary(min_size=1, max_size=8)
            | st.sampled_from([b"{", b"}", b"(", b'"', b"#", b"\r", b"\x0c", b"\xff", b"\x00"])
            | st.sampled_from([b" tight {", b" for ", b" all of ", b" extends ", b"\xc3\xa9"])
        )
        return data[:at] + junk + data[at:]
    return b"\n".join(lines)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[Path, str, list[tuple[str, bytes]]]:
    """A policy, which file of its chain to damage (by name) and a list of damaged versions."""
    policy = draw(st.sampled_from(POLICIES))
    target = policy.name
    found = _EXTENDS.search(policy.read_text("utf-8"))
    if found and draw(st.booleans()):
        target = found.group(1)
    original = (policy.parent / target).read_bytes()
    data = original
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(data, draw)
    return policy, target, [(target, data)]


def _check_diagnostic(diagnostic: Diagnostic, sources: dict[str, Source]) -> None:
    assert isinstance(diagnostic, Diagnostic)
    assert re.fullmatch(r"MK[123]\d\d", diagnostic.code), diagnostic
    assert diagnostic.message and diagnostic.message == diagnostic.message.strip()
    render_text(diagnostic, sources)
    spans = [diagnostic.span, *(related.span for related in diagnostic.related)]
    for span in spans:
        if span is None:
            continue
        source = sources.get(span.file)
        if source is None:  # a file that could not be read names no lines
            continue
        assert 1 <= span.line <= _lines_in(source), (diagnostic, span)
        assert span.line <= span.end_line


@settings(max_examples=300, deadline=None)
@given(damaged())
def test_check_file_answers_any_damaged_policy_with_diagnostics_inside_its_files(
    case: tuple[Path, str, list[tuple[str, bytes]]],
) -> None:
    policy, _target, changes = case
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "policy"
        shutil.copytree(policy.parent, copy, ignore=shutil.ignore_patterns("_build", "*.csv"))
        for name, data in changes:
            (copy / name).write_bytes(data)
        result = check_file(copy / policy.name)
    assert result.ok == (result.policy is not None or result.district is not None)
    if not result.ok:
        assert result.diagnostics
    for diagnostic in result.diagnostics:
        _check_diagnostic(diagnostic, dict(result.sources))


def test_every_policy_file_the_mutations_start_from_is_found() -> None:
    names = {path.name for path in POLICIES}
    assert {"district.mastery", "north-high.mastery", "02-school.mastery"} <= names
    assert len(POLICIES) >= 30
