"""Cutting a CSV export sorted by learner into parts that are read apart, as if read whole."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError, render_text
from masterykit.evidence import Evidence
from masterykit.readers.tabular import read_csv, read_csv_part, split_csv
from masterykit.registry import ReadRequest

HEADER = "learner,competency,score,timestamp,kind,comment\n"

# A cell that is sometimes quoted, with commas, doubled quotes and line breaks inside.
comments = st.sampled_from(
    ["", "ok", '"two, parts"', '"line one\nline two"', '"said ""done"""', '"\n\n"', '"a\n""b"", c"']
)
rows = st.tuples(
    st.sampled_from(["MATH.1", "MATH.2", "ELA.1"]),
    st.sampled_from(["1", "2", "3", "4", "x", ""]),
    st.sampled_from(["2026-01-05", "2026-02-30", "2026-03-01"]),
    comments,
)
exports = st.lists(st.lists(rows, min_size=1, max_size=6), min_size=1, max_size=25)


def write_export(folder: Path, learners: list[list[tuple[str, str, str, str]]]) -> Path:
    lines = [
        f"l{n:03},{code},{score},{day},quiz,{comment}\n"
        for n, rows_of in enumerate(learners)
        for code, score, day, comment in rows_of
    ]
    path = folder / "export.csv"
    path.write_text(HEADER + "".join(lines), "utf-8")
    return path


def read_in_parts(path: Path, parts: int) -> list[object]:
    request = ReadRequest(path)
    split = split_csv(request, parts)
    assert split is not None
    return [record for part in split.parts for record in read_csv_part(request, split, part)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports, st.integers(min_value=1, max_value=6))
def test_parts_read_apart_give_exactly_what_the_whole_file_gives(
    tmp_path: Path, learners: list[list[tuple[str, str, str, str]]], parts: int
) -> None:
    path = write_export(tmp_path, learners)
    assert read_in_parts(path, parts) == list(read_csv(ReadRequest(path)))


def test_parts_start_at_a_learners_first_row_and_are_numbered_as_in_the_file(
    tmp_path: Path,
) -> None:
    path = write_export(tmp_path, [[("MATH.1", "3", "2026-01-05", "")] * 3] * 40)
    split = split_csv(ReadRequest(path), 4)
    assert split is not None
    assert split.header == ("learner", "competency", "score", "timestamp", "kind", "comment")
    # Each cut is the first learner change after a quarter of the bytes.
    assert [part.learner for part in split.parts] == [None, "l010", "l021", "l031"]
    assert [part.after_line for part in split.parts] == [1, 31, 64, 94]
    assert [part.end for part in split.parts[:-1]] == [part.start for part in split.parts[1:]]
    assert split.parts[-1].end is None


def test_a_cut_never_falls_inside_a_quoted_cell_that_spans_lines(tmp_path: Path) -> None:
    long_comment = '"' + "note\n" * 200 + '"'
    learners = [[("MATH.1", "3", "2026-01-05", long_comment)] for _ in range(3)]
    learners += [[("MATH.1", "3", "2026-01-05", "")] for _ in range(3)]
    path = write_export(tmp_path, learners)
    split = split_csv(ReadRequest(path), 2)
    assert split is not None
    # Half the bytes fall inside l001's cell: the first record to start after them is l002's
    # (a row over many lines), and the cut is at the next learner's first row.
    assert [part.learner for part in split.parts] == [None, "l003"]
    assert read_in_parts(path, 2) == list(read_csv(ReadRequest(path)))


def test_a_file_that_cannot_be_cut_is_left_whole(tmp_path: Path) -> None:
    no_learner = tmp_path / "a.csv"
    no_learner.write_text("student,competency,score,timestamp\nana,M.1,3,2026-01-05\n", "utf-8")
    only_header = tmp_path / "b.csv"
    only_header.write_text("learner,competency,score,timestamp", "utf-8")
    assert split_csv(ReadRequest(no_learner), 2) is None
    assert split_csv(ReadRequest(only_header), 2) is None
    assert split_csv(ReadRequest(tmp_path / "missing.csv"), 2) is None
    one_learner = write_export(tmp_path, [[("MATH.1", "3", "2026-01-05", "")] * 50])
    split = split_csv(ReadRequest(one_learner), 3)
    assert split is not None
    assert len(split.parts) == 1


def test_rows_out_of_learner_order_at_a_cut_are_refused_naming_the_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    rows = [f"l{n:03},MATH.1,3,2026-01-05,quiz,\n" for n in (1, 2, 3, 4, 5, 6, 2, 7, 8, 9, 10)]
    path.write_text(HEADER + "".join(rows), "utf-8")
    with pytest.raises(EvidenceError) as raised:
        split_csv(ReadRequest(path), 2)
    (diagnostic,) = raised.value.diagnostics
    assert render_text(diagnostic) == (
        f"error[MK357]: evidence for learner `l002` at {path} line 8 comes after `l006`, out "
        "of learner id order\n"
        f"  --> {path} line 8\n"
        "  = help: sort by learner id, or leave out `sorted_by_id` to accept any order of "
        "learners"
    )


def test_a_quote_inside_an_unquoted_cell_does_not_throw_the_cut_into_a_quoted_cell(
    tmp_path: Path,
) -> None:
    # `5" ruler` is a plain cell to csv; counting quotes would think a quoted cell opened there
    # and, one quote later, cut inside l004's cell of many lines, where a line reads as a row.
    fake = "l005,MATH.1,3,2026-01-05,quiz,\n"
    rows = ['l000,MATH.1,3,2026-01-05,quiz,5" ruler\n']
    rows += [f"l{n:03},MATH.1,3,2026-01-05,quiz,ok\n" for n in (1, 2, 3)]
    rows += ['l004,MATH.1,3,2026-01-05,quiz,"' + fake * 30 + '"\n']
    rows += [f"l{n:03},MATH.1,3,2026-01-05,quiz,ok\n" for n in (6, 7)]
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(rows), "utf-8")
    split = split_csv(ReadRequest(path), 2)
    assert split is not None
    assert [part.learner for part in split.parts] == [None, "l007"]
    assert read_in_parts(path, 2) == list(read_csv(ReadRequest(path)))


# Cells as a spreadsheet or a database writes them: quotes inside unquoted cells, quoted cells
# with delimiters, doubled quotes and line breaks (LF and CRLF), cells of several lines that
# themselves look like rows, and broken quoting that csv reads in its own way.
tricky_cells = st.sampled_from(
    [
        "",
        "ok",
        '5" ruler',
        'a "b" c',
        '"x, y"',
        '"said ""no"""',
        '"l999,MATH.1,3,2026-01-05,quiz,\nl999,MATH.1,3,2026-01-05,quiz,"',
        '"one\r\ntwo"',
        '"A\nl000,MATH.1,3,2026-01-05,quiz,\nl0001,MATH.1,3,2026-01-05,quiz,\nB"',
        '"open',
        '"closed"late',
        '""',
        '"\n"',
        '"a""',
        '",',
        "x\ry",
        '"\x00"',
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.lists(tricky_cells, min_size=1, max_size=5), min_size=1, max_size=20),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(min_value=2, max_value=5),
)
def test_parts_read_apart_match_the_whole_file_for_any_cells_csv_reads(
    tmp_path: Path, learners: list[list[str]], newline: str, parts: int
) -> None:
    lines = [
        f"l{n:03},MATH.1,{1 + k % 4},2026-01-05,quiz,{cell}{newline}"
        for n, cells in enumerate(learners)
        for k, cell in enumerate(cells)
    ]
    path = tmp_path / "export.csv"
    path.write_bytes((HEADER.replace("\n", newline) + "".join(lines)).encode("utf-8"))
    try:
        whole = list(read_csv(ReadRequest(path)))
    except EvidenceError as error:
        # A NUL among the first bytes: the whole file is refused as binary (MK303), never cut.
        assert [d.code for d in error.diagnostics] == ["MK303"]
        assert split_csv(ReadRequest(path), parts) is None
        return
    try:
        split = split_csv(ReadRequest(path), parts)
    except EvidenceError as error:
        # A cut saw learners out of order, which only happens where the whole file's rows are
        # out of order too (a broken quote can swallow rows and make an earlier id reappear).
        assert error.diagnostics[0].code == "MK357"
        assert any(
            isinstance(a, Evidence) and isinstance(b, Evidence) and b.learner < a.learner
            for a, b in itertools.pairwise(whole)
        )
        return
    if split is None:
        return
    request = ReadRequest(path)
    assert [r for part in split.parts for r in read_csv_part(request, split, part)] == whole
