"""Chunked check tests: every problem the checker reports, at the line where it is reported.

Each ``tests/dsl/data/check/*.mastery`` file holds policies separated by ``---`` lines. A
``### "regex"`` comment (several quoted regexes may follow one ``###``) says that a diagnostic
whose message matches the regex is reported on that line; every diagnostic of a chunk must be
expected, and every expectation met (warnings included). A chunk without ``###`` must check
cleanly; one with only warnings still resolves. Line numbers are
those of the whole file, so a failure points at the right line.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from masterykit.diagnostics import Diagnostic, has_errors
from masterykit.dsl.check import check
from masterykit.dsl.parser import parse
from masterykit.registry import Registry

DATA = Path(__file__).parent / "data" / "check"
_EXPECT = re.compile(r"###(.*)$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


@attrs.frozen
class Chunk:
    """One policy of a chunked file, with the diagnostics it must produce."""

    file: str
    first_line: int
    text: str
    expected: tuple[tuple[int, str], ...]

    @property
    def id(self) -> str:
        return f"{self.file}:{self.first_line}"


def read_chunks(path: Path) -> list[Chunk]:
    """Split a chunked file; each chunk's text keeps the file's line numbers (blank lines
    stand in for the lines before it)."""
    chunks: list[Chunk] = []
    lines = path.read_text("utf-8").splitlines()
    start = 0
    for index in range(len(lines) + 1):
        if index == len(lines) or lines[index].strip() == "---":
            body = lines[start:index]
            expected: list[tuple[int, str]] = []
            for offset, line in enumerate(body):
                found = _EXPECT.search(line)
                if found:
                    for regex in _QUOTED.findall(found.group(1)):
                        expected.append((start + offset + 1, regex.replace('\\"', '"')))
            text = "\n" * start + "\n".join(body) + "\n"
            chunks.append(Chunk(path.name, start + 1, text, tuple(expected)))
            start = index + 1
    return chunks


def _describe(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(f"  line {d.span.line if d.span else '?'}: {d.message}" for d in diagnostics)


CHUNKS = [chunk for path in sorted(DATA.glob("*.mastery")) for chunk in read_chunks(path)]


def test_the_chunked_files_cover_many_policies() -> None:
    assert len(CHUNKS) >= 40


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_check_reports_exactly_the_expected_problems(
    chunk: Chunk, check_registry: Registry
) -> None:
    tree = parse(chunk.text, chunk.file)
    policy, diagnostics = check([tree], check_registry)
    unmatched = list(diagnostics)
    missing: list[tuple[int, str]] = []
    for line, regex in chunk.expected:
        for diagnostic in unmatched:
            if (
                diagnostic.span is not None
                and diagnostic.span.line == line
                and re.search(regex, diagnostic.message)
            ):
                unmatched.remove(diagnostic)
                break
        else:
            missing.append((line, regex))
    assert not missing and not unmatched, (
        f"expected but not reported: {missing}\nreported but not expected:\n"
        f"{_describe(unmatched)}\nall:\n{_describe(diagnostics)}"
    )
    assert (policy is None) == has_errors(diagnostics)
